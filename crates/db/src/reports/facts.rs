//! Reading the facts the statistics depend on, and applying aggregate differences, inside a write
//! transaction. Every registry write calls `facts` before and after and hands both to `apply_delta`.

use crate::query::Query;
use crate::reports::rows::{FactHousehold, FactIncome, FactMember, FactStatus};
use crate::rows::{Record, Select};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::registry::HouseholdId;
use fupin_core::reports::{Aggregates, HouseholdFacts};
use fupin_core::store::StoreResult;
use std::collections::BTreeMap;

const HOUSEHOLD_FACTS: Select<FactHousehold> = Select::new();
const STATUS_FACTS: Select<FactStatus> = Select::new();
const MEMBER_FACTS: Select<FactMember> = Select::new();
const INCOME_FACTS: Select<FactIncome> = Select::new();

/// Column names of the status slots in `village_year_stats`, by `HouseholdStatus::index()`
/// (`removed` has no column: removed households are not counted).
pub(crate) const STATUS_COLUMNS: [Option<(&str, &str)>; 7] = [
    Some(("newly_identified_h", "newly_identified_p")),
    Some(("poor_h", "poor_p")),
    Some(("exited_h", "exited_p")),
    Some(("relapsed_h", "relapsed_p")),
    Some(("monitored_h", "monitored_p")),
    Some(("risk_eliminated_h", "risk_eliminated_p")),
    None,
];

/// All summable columns of `village_year_stats`, in the order `figures_columns` reads them.
pub(crate) fn stat_columns() -> Vec<&'static str> {
    let mut c = vec!["households", "persons"];
    for (h, p) in STATUS_COLUMNS.iter().flatten() {
        c.push(h);
        c.push(p);
    }
    c.extend([
        "income_households",
        "income_persons",
        "gross_income_fen",
        "net_income_fen",
    ]);
    c
}

/// Values of a `YearFigures` in the order of `stat_columns`.
pub(crate) fn figure_values(f: &fupin_core::reports::YearFigures) -> Vec<i64> {
    let mut v = vec![f.households, f.persons];
    for (i, cols) in STATUS_COLUMNS.iter().enumerate() {
        if cols.is_some() {
            v.push(f.status_households[i]);
            v.push(f.status_persons[i]);
        }
    }
    v.extend([
        f.income_households,
        f.income_persons,
        f.gross_income_fen,
        f.net_income_fen,
    ]);
    v
}

/// Build a `YearFigures` from values in the order of `stat_columns`.
pub(crate) fn figures_from(v: &[i64]) -> fupin_core::reports::YearFigures {
    let mut f = fupin_core::reports::YearFigures {
        households: v[0],
        persons: v[1],
        ..Default::default()
    };
    let mut k = 2;
    for (i, cols) in STATUS_COLUMNS.iter().enumerate() {
        if cols.is_some() {
            f.status_households[i] = v[k];
            f.status_persons[i] = v[k + 1];
            k += 2;
        }
    }
    f.income_households = v[k];
    f.income_persons = v[k + 1];
    f.gross_income_fen = v[k + 2];
    f.net_income_fen = v[k + 3];
    f
}

impl SqlStore {
    /// The facts of one household as stored now, or `None` if it does not exist.
    pub(crate) async fn facts(
        &self,
        tx: &mut dyn Tx,
        id: HouseholdId,
    ) -> StoreResult<Option<HouseholdFacts>> {
        let all = self.facts_where(tx, "h.id = $1", &args![id.0]).await?;
        Ok(all.into_iter().next().map(|(_, f)| f))
    }

    /// Facts of every household matching a condition on `h` (households) — one query per table.
    pub(crate) async fn facts_where(
        &self,
        tx: &mut dyn Tx,
        cond: &str,
        a: &[crate::sql::Value],
    ) -> StoreResult<Vec<(i64, HouseholdFacts)>> {
        let mut map: BTreeMap<i64, HouseholdFacts> = BTreeMap::new();
        let rows = tx
            .fetch_all(
                &format!("SELECT {HOUSEHOLD_FACTS} FROM households h WHERE {cond}"),
                a,
            )
            .await?;
        for r in rows {
            let FactHousehold(id, f) = FactHousehold::from_row(&r)?;
            map.insert(id, f);
        }
        if map.is_empty() {
            return Ok(Vec::new());
        }
        let rows = tx
            .fetch_all(
                &format!("SELECT {STATUS_FACTS} FROM status_history s JOIN households h ON h.id = s.household_id WHERE {cond} ORDER BY s.household_id, s.date, s.id"),
                a,
            )
            .await?;
        for r in rows {
            let FactStatus(id, date, status) = FactStatus::from_row(&r)?;
            if let Some(f) = map.get_mut(&id) {
                f.statuses.push((date, status));
            }
        }
        let rows = tx
            .fetch_all(&format!("SELECT {MEMBER_FACTS} FROM persons p JOIN households h ON h.id = p.household_id WHERE {cond}"), a)
            .await?;
        for r in rows {
            let FactMember(id, joined, left) = FactMember::from_row(&r)?;
            if let Some(f) = map.get_mut(&id) {
                f.members.push((joined, left));
            }
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {INCOME_FACTS} FROM incomes i JOIN households h ON h.id = i.household_id WHERE {cond}"
                ),
                a,
            )
            .await?;
        for r in rows {
            let FactIncome(id, year, c) = FactIncome::from_row(&r)?;
            if let Some(f) = map.get_mut(&id) {
                f.incomes.push((year, c.gross(), c.net()));
            }
        }
        Ok(map.into_iter().collect())
    }

    /// Add the difference between two states of a household to the aggregates.
    pub(crate) async fn apply_delta(
        &self,
        tx: &mut dyn Tx,
        before: Option<&HouseholdFacts>,
        after: Option<&HouseholdFacts>,
    ) -> StoreResult<()> {
        self.extend_horizon_if_needed(tx).await?;
        let d = Aggregates::delta(before, after, self.horizon());
        self.add_aggregates(tx, &d).await
    }

    /// Add aggregate differences of villages, rolled up to every ancestor region (upserting by key).
    pub(crate) async fn add_aggregates(&self, tx: &mut dyn Tx, d: &Aggregates) -> StoreResult<()> {
        self.add_aggregate_rows(tx, &d.rolled_up()).await
    }

    /// Add aggregate rows as they are (upserting by key).
    pub(crate) async fn add_aggregate_rows(
        &self,
        tx: &mut dyn Tx,
        d: &Aggregates,
    ) -> StoreResult<()> {
        let cols = stat_columns();
        let sets: Vec<String> = cols
            .iter()
            .map(|c| format!("{c} = village_year_stats.{c} + excluded.{c}"))
            .collect();
        let entries: Vec<_> = d.years.iter().collect();
        for chunk in entries.chunks(100) {
            let mut q = Query::new(&format!(
                "INSERT INTO village_year_stats (year, village_code, {}) VALUES ",
                cols.join(", ")
            ));
            let rows: Vec<String> = chunk
                .iter()
                .map(|((village, year), fig)| {
                    let mut ph = vec![q.arg(*year), q.arg(village.as_str())];
                    ph.extend(figure_values(fig).into_iter().map(|v| q.arg(v)));
                    format!("({})", ph.join(", "))
                })
                .collect();
            q.push(&rows.join(", "));
            q.push(&format!(
                " ON CONFLICT (year, village_code) DO UPDATE SET {}",
                sets.join(", ")
            ));
            tx.execute(&q.sql, &q.args).await?;
        }
        let causes: Vec<_> = d.causes.iter().collect();
        for chunk in causes.chunks(200) {
            let mut q = Query::new("INSERT INTO village_year_causes (year, village_code, cause, households, persons) VALUES ");
            let rows: Vec<String> = chunk
                .iter()
                .map(|((village, year, cause), c)| {
                    let ph = [
                        q.arg(*year),
                        q.arg(village.as_str()),
                        q.arg(cause.as_str()),
                        q.arg(c.households),
                        q.arg(c.persons),
                    ];
                    format!("({})", ph.join(", "))
                })
                .collect();
            q.push(&rows.join(", "));
            q.push(
                " ON CONFLICT (year, village_code, cause) DO UPDATE SET households = village_year_causes.households + excluded.households, \
                 persons = village_year_causes.persons + excluded.persons",
            );
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }
}
