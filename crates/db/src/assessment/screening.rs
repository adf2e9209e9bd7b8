//! Screening many households at once, for the writes that touch many (a department's list imported,
//! a comparison with the medical-cost list): what the assessment reads is loaded set-based, a chunk
//! of households at a time — the households with their head, their members, their facts (statuses,
//! incomes), their verified years, their measures, their risk events and the medical costs the
//! department lists gave — one query per table and chunk, never one per household; each household
//! is then screened by the same rule as one written alone (`SqlStore::screened`), and the early-
//! warning list is written: warnings 100 rows a statement, households no longer flagged removed per
//! year in one statement.
//!
//! Rejected: calling the one-household `rescreen` in a loop (seven queries per household and
//! year: 1.5 million households would be ten million round trips inside an import's transaction).

use super::rows::{warning_values, StoredRisk, StoredYear, RISK_COLS, YEAR_COLS};
use super::{with_listed_medical, HouseholdView, Screened};
use crate::bulk::{id_list, IN_CHUNK};
use crate::query::Query;
use crate::registry::rows::{household_counted, HOUSEHOLD_COUNTED};
use crate::rows::{Cols, Record};
use crate::sql::{Tx, Value};
use crate::SqlStore;
use fupin_core::assessment::{RiskEventRecord, YearFacts};
use fupin_core::measures::measure_signals;
use fupin_core::rectification::ListKind;
use fupin_core::registry::{Household, HouseholdId, Member};
use fupin_core::reports::HouseholdFacts;
use fupin_core::store::StoreResult;
use fupin_core::years::{today, year_end};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// Warnings written by one statement.
const WARNINGS_PER_STATEMENT: usize = 100;

/// The warnings' insert (its `VALUES` lists follow) and what a stored warning takes from the new
/// one: the columns and conflict clause of `PUT_WARNING`, for many rows.
const PUT_WARNINGS: &str =
    "INSERT INTO early_warnings (household_id, year, village_code, flags, suggested_kind, updated_at)";
const PUT_WARNINGS_CONFLICT: &str = " ON CONFLICT (household_id, year) DO UPDATE SET village_code = excluded.village_code, \
     flags = excluded.flags, suggested_kind = excluded.suggested_kind, updated_at = excluded.updated_at";

/// Households and the years to screen each for.
pub(crate) type ScreenSet = BTreeMap<i64, BTreeSet<i32>>;

/// What [`SqlStore::rescreen_households`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rescreened {
    /// (household, year) pairs screened.
    pub screened: u64,
    /// Of them, those on the early-warning list afterwards.
    pub warned: u64,
}

impl SqlStore {
    /// Screen every household of `set` for its years and keep the early-warning list in step, in
    /// the caller's transaction (see the module's comment).
    pub(crate) async fn rescreen_households(
        &self,
        tx: &mut dyn Tx,
        set: &ScreenSet,
    ) -> StoreResult<Rescreened> {
        let mut out = Rescreened::default();
        let ids: Vec<i64> = set.keys().copied().collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let n = self.rescreen_chunk(tx, chunk, set).await?;
            out.screened += n.screened;
            out.warned += n.warned;
        }
        Ok(out)
    }

    async fn rescreen_chunk(
        &self,
        tx: &mut dyn Tx,
        chunk: &[i64],
        set: &ScreenSet,
    ) -> StoreResult<Rescreened> {
        let list = id_list(chunk);
        let mut households: BTreeMap<i64, Household> = BTreeMap::new();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM households h WHERE h.id IN ({list})",
                    *HOUSEHOLD_COUNTED
                ),
                &[],
            )
            .await?
        {
            let h = household_counted(&r)?;
            households.insert(h.id.0, h);
        }
        // only exited households are screened; the others' inputs are not read
        let exited: Vec<i64> = households
            .values()
            .filter(|h| h.status.is_exited())
            .map(|h| h.id.0)
            .collect();
        let mut members: BTreeMap<i64, Vec<Member>> = BTreeMap::new();
        let mut facts: BTreeMap<i64, HouseholdFacts> = BTreeMap::new();
        let mut years: BTreeMap<(i64, i32), YearFacts> = BTreeMap::new();
        let mut measures: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        let mut events: BTreeMap<i64, Vec<RiskEventRecord>> = BTreeMap::new();
        let mut listed: BTreeMap<(i64, i32), i64> = BTreeMap::new();
        if !exited.is_empty() {
            let list = id_list(&exited);
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT {} FROM persons WHERE household_id IN ({list}) \
                         ORDER BY household_id, active DESC, relation, birth_date, id",
                        Member::columns().list()
                    ),
                    &[],
                )
                .await?
            {
                let m = Member::from_row(&r)?;
                members.entry(m.household_id.0).or_default().push(m);
            }
            facts.extend(
                self.facts_where(tx, &format!("h.id IN ({list})"), &[])
                    .await?,
            );
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT {YEAR_COLS} FROM household_years WHERE household_id IN ({list})"
                    ),
                    &[],
                )
                .await?
            {
                let y = StoredYear::from_row(&r)?;
                years.insert((y.0 .0, y.1), y.facts());
            }
            measures = self.measures_of_households(tx, &exited).await?;
            let codes = self.codes();
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT {RISK_COLS} FROM risk_events WHERE household_id IN ({list}) \
                         ORDER BY household_id, date, id"
                    ),
                    &[],
                )
                .await?
            {
                let e = StoredRisk::from_row(&r)?.labelled(&codes);
                events.entry(e.household_id.0).or_default().push(e);
            }
            listed = self.listed_medical(tx, &exited).await?;
        }

        let mut out = Rescreened::default();
        let mut clear: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
        let mut warnings: Vec<Vec<Value>> = Vec::new();
        let now = OffsetDateTime::now_utc();
        for (id, h) in households {
            let years_of = set.get(&id).into_iter().flatten().copied();
            // an exited household's view; facts are always found for a household just read
            let view = match (h.status.is_exited(), facts.remove(&id)) {
                (true, Some(f)) => Some(HouseholdView {
                    number: h.household_number,
                    head: h.head_name,
                    village: h.village_code,
                    status: h.status,
                    living: h.living,
                    members: members.remove(&id).unwrap_or_default(),
                    facts: f,
                }),
                _ => None,
            };
            let id = &id;
            for year in years_of {
                out.screened += 1;
                let outcome = if let Some(v) = &view {
                    let as_of = year_end(year).min(today());
                    let signals = measure_signals(
                        measures.get(id).map(Vec::as_slice).unwrap_or_default(),
                        year,
                        as_of,
                    );
                    let yf = years
                        .get(&(*id, year))
                        .cloned()
                        .unwrap_or_default()
                        .with_measures(signals);
                    let yf = with_listed_medical(yf, listed.get(&(*id, year)).copied());
                    let ev = events.get(id).map(Vec::as_slice).unwrap_or_default();
                    self.screened(HouseholdId(*id), v, &yf, ev, year)?
                } else {
                    Screened::Clear
                };
                match outcome {
                    Screened::Unscreened => {}
                    Screened::Clear => clear.entry(year).or_default().push(*id),
                    Screened::Warn(row) => {
                        warnings.push(warning_values(&row, now));
                        out.warned += 1;
                    }
                }
            }
        }
        // the chunk's warnings (one per household and year) in a few statements
        for batch in warnings.chunks(WARNINGS_PER_STATEMENT) {
            let mut q = Query::new(&format!("{PUT_WARNINGS} VALUES "));
            let mut rows = Vec::with_capacity(batch.len());
            for values in batch {
                let ph: Vec<String> = values.iter().map(|v| q.arg(v.clone())).collect();
                rows.push(format!("({})", ph.join(", ")));
            }
            q.push(&rows.join(", ")).push(PUT_WARNINGS_CONFLICT);
            tx.execute(&q.sql, &q.args).await?;
        }
        for (year, ids) in clear {
            tx.execute(
                &format!(
                    "DELETE FROM early_warnings WHERE year = {year} AND household_id IN ({})",
                    id_list(&ids)
                ),
                &[],
            )
            .await?;
        }
        Ok(out)
    }

    /// The medical costs out of pocket that compared department lists (医保) gave for the members
    /// of these households, per (household, year): the flags of the medical-cost comparison not
    /// signed off, each the amount of its row in the year of its date (else of the day it was
    /// found), summed over the household's members.
    pub(crate) async fn listed_medical(
        &self,
        tx: &mut dyn Tx,
        households: &[i64],
    ) -> StoreResult<BTreeMap<(i64, i32), i64>> {
        let mut out: BTreeMap<(i64, i32), i64> = BTreeMap::new();
        let rule = format!("comparison:{}", ListKind::Medical.as_str());
        for chunk in households.chunks(IN_CHUNK) {
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT household_id, found_on, evidence FROM problems \
                         WHERE rule_code = $1 AND status <> 'closed' AND household_id IN ({})",
                        id_list(chunk)
                    ),
                    &crate::args![rule.as_str()],
                )
                .await?;
            for r in &rows {
                let (household, found_on, evidence) = Cols::read(r, |c| {
                    Ok((c.i64()?, c.date()?, c.opt_json::<serde_json::Value>()?))
                })?;
                let Some(e) = evidence else {
                    continue;
                };
                let Some(fen) = e["amount_fen"].as_i64() else {
                    continue;
                };
                let year = e["date"]
                    .as_str()
                    .and_then(|d| fupin_core::years::parse_date("date", d).ok())
                    .unwrap_or(found_on)
                    .year();
                *out.entry((household, year)).or_default() += fen;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_warnings_are_written_as_one_is() {
        assert_eq!(
            super::super::rows::PUT_WARNING.as_str(),
            format!("{PUT_WARNINGS} VALUES ($1, $2, $3, $4, $5, $6){PUT_WARNINGS_CONFLICT}")
        );
    }
}
