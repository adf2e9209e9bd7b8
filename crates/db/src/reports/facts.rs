//! Reading the facts the statistics depend on, and applying aggregate differences, inside a write
//! transaction. Every registry write calls `facts` before and after and hands both to `apply_delta`.

use crate::query::Query;
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::registry::{HouseholdId, HouseholdStatus, IncomeComponents};
use fupin_core::reports::{Aggregates, HouseholdFacts};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, Fen, RegionCode};
use std::collections::BTreeMap;

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

fn status_of(s: &str) -> StoreResult<HouseholdStatus> {
    HouseholdStatus::parse(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown status in database");
        DomainError::internal()
    })
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
            .fetch_all(&format!("SELECT h.id, h.village_code, h.identification_year, h.main_cause FROM households h WHERE {cond}"), a)
            .await?;
        for r in rows {
            map.insert(
                r.i64(0)?,
                HouseholdFacts {
                    village: RegionCode::parse(&r.text(1)?)?,
                    identification_year: r.i32(2)?,
                    main_cause: r.text(3)?,
                    statuses: Vec::new(),
                    members: Vec::new(),
                    incomes: Vec::new(),
                },
            );
        }
        if map.is_empty() {
            return Ok(Vec::new());
        }
        let rows = tx
            .fetch_all(
                &format!("SELECT s.household_id, s.date, s.to_status FROM status_history s JOIN households h ON h.id = s.household_id WHERE {cond} ORDER BY s.household_id, s.date, s.id"),
                a,
            )
            .await?;
        for r in rows {
            if let Some(f) = map.get_mut(&r.i64(0)?) {
                f.statuses.push((r.date(1)?, status_of(&r.text(2)?)?));
            }
        }
        let rows = tx
            .fetch_all(&format!("SELECT p.household_id, p.joined_on, p.left_on FROM persons p JOIN households h ON h.id = p.household_id WHERE {cond}"), a)
            .await?;
        for r in rows {
            if let Some(f) = map.get_mut(&r.i64(0)?) {
                f.members.push((r.opt_date(1)?, r.opt_date(2)?));
            }
        }
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT i.household_id, i.year, i.wage_fen, i.business_fen, i.property_fen, i.transfer_fen, i.business_cost_fen \
                     FROM incomes i JOIN households h ON h.id = i.household_id WHERE {cond}"
                ),
                a,
            )
            .await?;
        for r in rows {
            if let Some(f) = map.get_mut(&r.i64(0)?) {
                let c = IncomeComponents {
                    wage_fen: Fen::new(r.i64(2)?),
                    business_fen: Fen::new(r.i64(3)?),
                    property_fen: Fen::new(r.i64(4)?),
                    dividend_fen: None,
                    transfer_fen: Fen::new(r.i64(5)?),
                    business_cost_fen: Fen::new(r.i64(6)?),
                };
                f.incomes.push((r.i32(1)?, c.gross(), c.net()));
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
