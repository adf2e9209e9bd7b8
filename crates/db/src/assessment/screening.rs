//! Screening many households at once, for the writes that touch many (a department's list imported,
//! a comparison with the medical-cost list), set-based: the households go into a scratch table of
//! the transaction (`Backend::id_table`), the ones not exited are taken off the early-warning list
//! for their years by one statement per year (their inputs are never read), and each input the
//! screening reads — the households, their members (which give the facts' members and the head
//! too), statuses, incomes, verified years, measures (only of the kinds the signals read), risk
//! events and the medical costs the department lists gave — is read by one query joining the
//! scratch table, in household order, per range of [`RANGE`] households of the set (so that memory
//! stays bounded on a province: a query can only be read whole). Each household is then screened by the same rule as one written alone
//! (`SqlStore::screened_with`, core's `screen`), with the lines and shares of its village and year
//! looked up once per pair, and the early-warning list is written: warnings many rows a statement,
//! households no longer flagged removed per year and range in one statement.
//!
//! The statement texts do not change with the households (ranges are parameters), so each is
//! prepared once. Rejected: `IN` lists of 500 ids per table (what this replaced: ten statements
//! per 500 households, each with a new text prepared again, crowding the driver's statement
//! cache); calling the one-household `rescreen` in a loop (seven queries per household and year).

use super::rows::{warning_values, StoredRisk, StoredYear};
use super::{with_listed_medical, HouseholdView, Screened, Terms};
use crate::bulk::id_list;
use crate::measures::rows::{MEASURE_COLS, MEASURE_FROM};
use crate::query::{status_list, Query};
use crate::registry::rows::status;
use crate::reports::rows::{FactIncome, FactStatus};
use crate::rows::{Cols, Record, Select};
use crate::sql::{Tx, Value, MAX_PARAMS};
use crate::{args, SqlStore};
use fupin_core::assessment::{RiskEventRecord, YearFacts};
use fupin_core::measures::{measure_signals, screening_kinds, Measure, MeasureData};
use fupin_core::rectification::ListKind;
use fupin_core::registry::{HouseholdId, HouseholdStatus, LivingConditions, Member};
use fupin_core::reports::HouseholdFacts;
use fupin_core::store::StoreResult;
use fupin_core::years::{today, year_end};
use fupin_core::RegionCode;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;

/// The scratch table of the households to screen, and its one column (a name no input table
/// has, so that their unqualified column lists stay unambiguous in the joins).
const SET: &str = "screening_set";
const SET_ID: &str = "screened_id";

/// Households of the set whose inputs are held in memory at once.
const RANGE: usize = 10_000;

/// The kinds the screening reads measures of (core's `screening_kinds`), as an SQL list: codes
/// of the shipped catalogue, quoted (the same text every time, so the statement is prepared once).
fn screening_kind_list() -> String {
    let quoted: Vec<String> = screening_kinds()
        .iter()
        .map(|k| format!("'{}'", k.replace('\'', "''")))
        .collect();
    if quoted.is_empty() {
        // `IN (NULL)` matches nothing
        return "NULL".to_string();
    }
    quoted.join(", ")
}

/// Warnings written by one statement: as many as the parameter limit allows.
const WARNINGS_PER_STATEMENT: usize = MAX_PARAMS / 6;

/// Households taken off the list by one statement.
const CLEAR_PER_STATEMENT: usize = 10_000;

/// The warnings' insert (its `VALUES` lists follow) and what a stored warning takes from the new
/// one: the columns and conflict clause of `PUT_WARNING`, for many rows.
const PUT_WARNINGS: &str =
    "INSERT INTO early_warnings (household_id, year, village_code, flags, suggested_kind, updated_at)";
const PUT_WARNINGS_CONFLICT: &str = " ON CONFLICT (household_id, year) DO UPDATE SET village_code = excluded.village_code, \
     flags = excluded.flags, suggested_kind = excluded.suggested_kind, updated_at = excluded.updated_at";

const STATUS_FACTS: Select<FactStatus> = Select::new();
const INCOME_FACTS: Select<FactIncome> = Select::new();

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

/// What a pass writes to the early-warning list, sent in batches as it fills.
#[derive(Default)]
struct ListWrites {
    warnings: Vec<Vec<Value>>,
    /// Households off the list, per year.
    clear: BTreeMap<i32, Vec<i64>>,
}

/// A household of the set as the screening reads it.
struct SetHousehold {
    id: i64,
    number: String,
    village: RegionCode,
    identification_year: i32,
    main_cause: String,
    living: LivingConditions,
    status: HouseholdStatus,
}

/// The inputs of one range of the set, by household.
#[derive(Default)]
struct RangeInputs {
    members: HashMap<i64, Vec<Member>>,
    statuses: HashMap<i64, Vec<(time::Date, HouseholdStatus)>>,
    incomes: HashMap<i64, Vec<(i32, fupin_core::Fen, fupin_core::Fen)>>,
    years: HashMap<(i64, i32), YearFacts>,
    measures: HashMap<i64, Vec<(MeasureData, Option<String>)>>,
    events: HashMap<i64, Vec<RiskEventRecord>>,
    listed: HashMap<(i64, i32), i64>,
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
        if set.is_empty() {
            return Ok(out);
        }
        tx.execute(&format!("DROP TABLE IF EXISTS {SET}"), &[])
            .await?;
        tx.execute(&self.db.id_table(SET, SET_ID), &[]).await?;
        let ids: Vec<i64> = set.keys().copied().collect();
        tx.copy_rows(
            SET,
            &[SET_ID],
            ids.iter().map(|id| vec![Value::from(*id)]).collect(),
        )
        .await?;
        // the planner's figures for the set (temporary tables are never analysed by themselves)
        tx.analyze(&[SET]).await?;

        // households not exited are off the list for their years; only the exited stay in the set
        let exited = status_list(HouseholdStatus::is_exited);
        let mut writes = ListWrites::default();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT k.{SET_ID} FROM {SET} k JOIN households h ON h.id = k.{SET_ID} \
                     WHERE h.status NOT IN ({exited})"
                ),
                &[],
            )
            .await?
        {
            let id = Cols::read(&r, |c| Ok(c.i64()?))?;
            for year in set.get(&id).into_iter().flatten() {
                out.screened += 1;
                writes.clear.entry(*year).or_default().push(id);
            }
        }
        self.write_list(tx, &mut writes, false).await?;
        tx.execute(
            &format!(
                "DELETE FROM {SET} WHERE NOT EXISTS (SELECT 1 FROM households h \
                 WHERE h.id = {SET}.{SET_ID} AND h.status IN ({exited}))"
            ),
            &[],
        )
        .await?;

        let mut terms: HashMap<(RegionCode, i32), Option<Terms>> = HashMap::new();
        let codes = self.codes();
        let now = OffsetDateTime::now_utc();
        for range in ids.chunks(RANGE) {
            let (lo, hi) = (range[0], range[range.len() - 1]);
            let households = self.set_households(tx, lo, hi).await?;
            if households.is_empty() {
                continue;
            }
            let mut inputs = self.range_inputs(tx, lo, hi).await?;
            for h in households {
                let members = inputs.members.remove(&h.id).unwrap_or_default();
                let head = members
                    .iter()
                    .find(|m| m.active && m.relation == "01")
                    .map(|m| m.name.clone());
                let facts = HouseholdFacts {
                    village: h.village.clone(),
                    identification_year: h.identification_year,
                    main_cause: h.main_cause,
                    statuses: inputs.statuses.remove(&h.id).unwrap_or_default(),
                    members: members.iter().map(|m| (m.joined_on, m.left_on)).collect(),
                    incomes: inputs.incomes.remove(&h.id).unwrap_or_default(),
                };
                let view = HouseholdView {
                    number: h.number,
                    head,
                    village: h.village,
                    status: h.status,
                    living: h.living,
                    members,
                    facts,
                };
                let measures = inputs.measures.remove(&h.id).unwrap_or_default();
                let events = inputs.events.remove(&h.id).unwrap_or_default();
                for &year in set.get(&h.id).into_iter().flatten() {
                    out.screened += 1;
                    let key = (view.village.clone(), year);
                    let t = match terms.get(&key) {
                        Some(t) => *t,
                        None => {
                            let t = self.screening_terms(&view.village, year)?;
                            terms.insert(key, t);
                            t
                        }
                    };
                    let Some(t) = t else {
                        // before monitoring began: the list is left as it is
                        continue;
                    };
                    let as_of = year_end(year).min(today());
                    let signals = measure_signals(&measures, year, as_of);
                    let yf = inputs
                        .years
                        .remove(&(h.id, year))
                        .unwrap_or_default()
                        .with_measures(signals);
                    let yf = with_listed_medical(yf, inputs.listed.get(&(h.id, year)).copied());
                    match self.screened_with(
                        &t,
                        &codes,
                        HouseholdId(h.id),
                        &view,
                        &yf,
                        &events,
                        year,
                    ) {
                        Screened::Unscreened => {}
                        Screened::Clear => writes.clear.entry(year).or_default().push(h.id),
                        Screened::Warn(row) => {
                            writes.warnings.push(warning_values(&row, now));
                            out.warned += 1;
                        }
                    }
                }
            }
            self.write_list(tx, &mut writes, false).await?;
        }
        self.write_list(tx, &mut writes, true).await?;
        tx.execute(&format!("DROP TABLE {SET}"), &[]).await?;
        Ok(out)
    }

    /// The exited households of the set with ids in `lo..=hi`, in id order.
    async fn set_households(
        &self,
        tx: &mut dyn Tx,
        lo: i64,
        hi: i64,
    ) -> StoreResult<Vec<SetHousehold>> {
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT h.id, h.household_number, h.village_code, h.identification_year, \
                     h.main_cause, h.living, h.status FROM {SET} k JOIN households h ON h.id = k.{SET_ID} \
                     WHERE k.{SET_ID} BETWEEN $1 AND $2 ORDER BY k.{SET_ID}"
                ),
                &args![lo, hi],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok(SetHousehold {
                        id: c.i64()?,
                        number: c.text()?,
                        village: RegionCode::parse(&c.text()?)?,
                        identification_year: c.i32()?,
                        main_cause: c.text()?,
                        living: c.json()?,
                        status: status(&c.text()?)?,
                    })
                })
            })
            .collect()
    }

    /// Every input of the screening for the (exited) households of the set with ids in
    /// `lo..=hi`: one query per table.
    async fn range_inputs(&self, tx: &mut dyn Tx, lo: i64, hi: i64) -> StoreResult<RangeInputs> {
        let mut out = RangeInputs::default();
        let range = format!("k.{SET_ID} BETWEEN $1 AND $2");
        let join = |table: &str, alias: &str| {
            format!("{SET} k JOIN {table} {alias} ON {alias}.household_id = k.{SET_ID}")
        };
        // the joins come in household order (the set's key, then each table's index on the
        // household); within a household the rows are put in order here: an `ORDER BY` over the
        // range sorted every wide row of it and took longer than the reads (SQLite)
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM {} WHERE {range}",
                    Member::columns().list_of("p"),
                    join("persons", "p")
                ),
                &args![lo, hi],
            )
            .await?
        {
            let m = Member::from_row(&r)?;
            out.members.entry(m.household_id.0).or_default().push(m);
        }
        // members in the order a household's page lists them
        for m in out.members.values_mut() {
            m.sort_by(|a, b| {
                b.active
                    .cmp(&a.active)
                    .then_with(|| a.relation.cmp(&b.relation))
                    .then_with(|| a.birth_date.cmp(&b.birth_date))
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {STATUS_FACTS} FROM {} WHERE {range} ORDER BY s.household_id, s.date, s.id",
                    join("status_history", "s")
                ),
                &args![lo, hi],
            )
            .await?
        {
            let FactStatus(id, date, st) = FactStatus::from_row(&r)?;
            out.statuses.entry(id).or_default().push((date, st));
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {INCOME_FACTS} FROM {} WHERE {range}",
                    join("incomes", "i")
                ),
                &args![lo, hi],
            )
            .await?
        {
            let FactIncome(id, year, c) = FactIncome::from_row(&r)?;
            out.incomes
                .entry(id)
                .or_default()
                .push((year, c.gross(), c.net()));
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM {} WHERE {range}",
                    StoredYear::columns().list_of("y"),
                    join("household_years", "y")
                ),
                &args![lo, hi],
            )
            .await?
        {
            let y = StoredYear::from_row(&r)?;
            out.years.insert((y.0 .0, y.1), y.facts());
        }
        // only the kinds whose measures the signals read (core's `screening_kinds`): the others
        // were most of a province's rows, each decoded with its JSON and dropped by the signals
        let mut measures: HashMap<i64, Vec<(i64, MeasureData, Option<String>)>> = HashMap::new();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {MEASURE_COLS} FROM {SET} k CROSS JOIN {MEASURE_FROM} \
                     WHERE m.household_id = k.{SET_ID} AND {range} AND m.kind IN ({})",
                    screening_kind_list()
                ),
                &args![lo, hi],
            )
            .await?
        {
            let m = Measure::from_row(&r)?;
            let d = m.data();
            measures
                .entry(d.household_id.0)
                .or_default()
                .push((m.id.0, d, m.person_name));
        }
        // in the order of their ids, as one household's screening reads them
        out.measures = measures
            .into_iter()
            .map(|(h, mut v)| {
                v.sort_by_key(|(id, _, _)| *id);
                (h, v.into_iter().map(|(_, d, name)| (d, name)).collect())
            })
            .collect();
        let codes = self.codes();
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT {} FROM {} WHERE {range} ORDER BY r.household_id, r.date, r.id",
                    StoredRisk::columns().list_of("r"),
                    join("risk_events", "r")
                ),
                &args![lo, hi],
            )
            .await?
        {
            let e = StoredRisk::from_row(&r)?.labelled(&codes);
            out.events.entry(e.household_id.0).or_default().push(e);
        }
        let rule = format!("comparison:{}", ListKind::Medical.as_str());
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT pr.household_id, pr.found_on, pr.evidence FROM {} \
                     WHERE {range} AND pr.rule_code = $3 AND pr.status <> 'closed'",
                    join("problems", "pr")
                ),
                &args![lo, hi, rule.as_str()],
            )
            .await?
        {
            if let Some((household, year, fen)) = listed_cost(&r)? {
                *out.listed.entry((household, year)).or_default() += fen;
            }
        }
        Ok(out)
    }

    /// Write what the pass found to the early-warning list: full batches of warnings (all of
    /// them when `all`), and the households off the list.
    async fn write_list(&self, tx: &mut dyn Tx, w: &mut ListWrites, all: bool) -> StoreResult<()> {
        while w.warnings.len() >= WARNINGS_PER_STATEMENT || (all && !w.warnings.is_empty()) {
            let n = w.warnings.len().min(WARNINGS_PER_STATEMENT);
            let batch: Vec<Vec<Value>> = w.warnings.drain(..n).collect();
            let mut q = Query::new(&format!("{PUT_WARNINGS} VALUES "));
            let mut rows = Vec::with_capacity(batch.len());
            for values in batch {
                let ph: Vec<String> = values.into_iter().map(|v| q.arg(v)).collect();
                rows.push(format!("({})", ph.join(", ")));
            }
            q.push(&rows.join(", ")).push(PUT_WARNINGS_CONFLICT);
            tx.execute(&q.sql, &q.args).await?;
        }
        for (year, ids) in std::mem::take(&mut w.clear) {
            for chunk in ids.chunks(CLEAR_PER_STATEMENT) {
                tx.execute(
                    &format!(
                        "DELETE FROM early_warnings WHERE year = {year} AND household_id IN ({})",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The medical costs out of pocket that compared department lists (医保) gave for the members
    /// of these households, per (household, year): the flags of the medical-cost comparison not
    /// signed off, each the amount of its row in the year of its date (else of the day it was
    /// found), summed over the household's members.
    pub(crate) async fn listed_medical(
        &self,
        tx: &mut dyn Tx,
        household: i64,
    ) -> StoreResult<BTreeMap<(i64, i32), i64>> {
        let mut out: BTreeMap<(i64, i32), i64> = BTreeMap::new();
        let rule = format!("comparison:{}", ListKind::Medical.as_str());
        let rows = tx
            .fetch_all(
                "SELECT household_id, found_on, evidence FROM problems \
                 WHERE rule_code = $1 AND status <> 'closed' AND household_id = $2",
                &args![rule.as_str(), household],
            )
            .await?;
        for r in &rows {
            if let Some((household, year, fen)) = listed_cost(r)? {
                *out.entry((household, year)).or_default() += fen;
            }
        }
        Ok(out)
    }
}

/// A medical-cost comparison's flag (household, found on, evidence) as the cost it gives: its
/// household, the year of its row's date (else of the day it was found) and the amount; `None`
/// for a flag without an amount.
fn listed_cost(r: &crate::sql::Row) -> StoreResult<Option<(i64, i32, i64)>> {
    let (household, found_on, evidence) = Cols::read(r, |c| {
        Ok((c.i64()?, c.date()?, c.opt_json::<serde_json::Value>()?))
    })?;
    let Some(e) = evidence else {
        return Ok(None);
    };
    let Some(fen) = e["amount_fen"].as_i64() else {
        return Ok(None);
    };
    let year = e["date"]
        .as_str()
        .and_then(|d| fupin_core::years::parse_date("date", d).ok())
        .unwrap_or(found_on)
        .year();
    Ok(Some((household, year, fen)))
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
