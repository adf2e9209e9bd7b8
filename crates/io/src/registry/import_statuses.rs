//! The writer side of status-change files: each row's household is looked up with its status
//! history, the change is checked against the household's status as stored or as changed by the
//! rows before it (core's transition rules), and the good changes go through the bulk session's
//! household update, so that the statistics follow as they do for any status change.
//!
//! Natural key: household + new status + date. A change already in the household's history is
//! unchanged, so a file imported twice changes nothing.

use super::statuses::StatusRow;
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::records::issue_at;
use crate::rows::RowAt;
use fupin_core::registry::{HouseholdId, HouseholdStatus};
use fupin_core::store::{BulkHouseholdUpdate, StoredHousehold};
use fupin_core::DomainError;
use std::collections::{HashMap, HashSet};
use time::Date;

/// A household's status as changed by this import: status, date of the last change, exit year.
pub(crate) type Current = (HouseholdStatus, Date, Option<i32>);

impl Writer<'_> {
    pub(crate) async fn status_changes(&mut self, rows: Vec<StatusRow>) -> Result<(), ImportError> {
        let mut numbers: Vec<String> = rows
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok().map(|(n, _)| n.clone()))
            .collect();
        numbers.sort();
        numbers.dedup();
        let stored: HashMap<String, StoredHousehold> = if numbers.is_empty() {
            HashMap::new()
        } else {
            self.session
                .households_by_number(&numbers)
                .await?
                .into_iter()
                .map(|s| (s.household.household_number.clone(), s))
                .collect()
        };
        let ids: Vec<HouseholdId> = stored.values().map(|s| s.household.id).collect();
        let history: HashSet<(HouseholdId, HouseholdStatus, Date)> = if ids.is_empty() {
            HashSet::new()
        } else {
            self.session
                .status_changes_of(&ids)
                .await?
                .into_iter()
                .collect()
        };
        // one update per household and call: a household changed twice in a batch is written in
        // two rounds, each against the state the round before left
        let mut rounds: Vec<Vec<BulkHouseholdUpdate>> = Vec::new();
        let mut round_of: HashMap<HouseholdId, usize> = HashMap::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let (number, input) = match r.parsed {
                Ok(x) => x,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let fail = |e: DomainError| issue_at(&at, Kind::StatusChanges, &r.cells, e);
            let Some(s) = stored.get(&number) else {
                let e =
                    crate::rows::no_such_household(&self.ctx.scope, "household_number", &number);
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            };
            let h = &s.household;
            if !self.ctx.scope.allows(&h.village_code) {
                let e = crate::rows::household_out_of_scope("household_number", &number);
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            let (status, last, exit_year) = match self.statuses.get(&h.id) {
                Some(c) => *c,
                None => (
                    h.status,
                    s.last_status_date.unwrap_or(h.status_date),
                    h.exit_year,
                ),
            };
            if history.contains(&(h.id, input.to, input.date))
                || (status, last) == (input.to, input.date)
            {
                self.report.unchanged += 1;
                continue;
            }
            let change = match input.validate(status, Some(last), self.today) {
                Ok(c) => c,
                Err(e) => {
                    let e = match e.field.as_deref() {
                        Some("to") => e.with_field("status"),
                        Some("date") => e.with_field("status_date"),
                        _ => e,
                    };
                    self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    continue;
                }
            };
            self.report.updated += 1;
            self.report.status_changes += 1;
            let after = (change.to, change.date, change.exit_year.or(exit_year));
            self.statuses.insert(h.id, after);
            if self.writing {
                let before = fupin_core::registry::Household {
                    status,
                    status_date: last,
                    exit_year,
                    ..h.clone()
                };
                let round = round_of.entry(h.id).or_insert(0);
                if rounds.len() <= *round {
                    rounds.push(Vec::new());
                }
                rounds[*round].push(BulkHouseholdUpdate {
                    before,
                    data: None,
                    status: Some(change),
                    new_members: Vec::new(),
                    changed_members: Vec::new(),
                });
                *round += 1;
            }
        }
        for items in rounds {
            self.session.update_households(items).await?;
        }
        Ok(())
    }
}
