//! The statistics' inputs and aggregates as typed rows (see `crate::rows`): a household's facts
//! (its record, status history, members' dates and incomes, read per table by `facts_where` for
//! single writes, bulk imports and measures alike) and the aggregate rows of `village_year_stats`
//! and `village_year_causes`.

use crate::reports::facts::{figures_from, stat_columns};
use crate::rows::{Cols, Columns, Record};
use fupin_core::registry::{HouseholdStatus, IncomeComponents};
use fupin_core::reports::{CauseFigures, HouseholdFacts, YearFigures};
use fupin_core::store::StoreResult;
use fupin_core::{DomainError, Fen, RegionCode};
use std::sync::LazyLock;
use time::Date;

/// A household's own facts (`households h`), with its id; its history, members and incomes
/// follow from the other fact rows.
pub(crate) struct FactHousehold(pub i64, pub HouseholdFacts);

impl Record for FactHousehold {
    fn columns() -> Columns {
        Columns(&[
            "h.id",
            "h.village_code",
            "h.identification_year",
            "h.main_cause",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(FactHousehold(
            c.i64()?,
            HouseholdFacts {
                village: RegionCode::parse(&c.text()?)?,
                identification_year: c.i32()?,
                main_cause: c.text()?,
                statuses: Vec::new(),
                members: Vec::new(),
                incomes: Vec::new(),
            },
        ))
    }
}

fn status_of(s: &str) -> StoreResult<HouseholdStatus> {
    HouseholdStatus::parse(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown status in database");
        DomainError::internal()
    })
}

/// A status the household took on a day (`status_history s`).
pub(crate) struct FactStatus(pub i64, pub Date, pub HouseholdStatus);

impl Record for FactStatus {
    fn columns() -> Columns {
        Columns(&["s.household_id", "s.date", "s.to_status"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(FactStatus(c.i64()?, c.date()?, status_of(&c.text()?)?))
    }
}

/// When a member joined and left (`persons p`).
pub(crate) struct FactMember(pub i64, pub Option<Date>, pub Option<Date>);

impl Record for FactMember {
    fn columns() -> Columns {
        Columns(&["p.household_id", "p.joined_on", "p.left_on"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(FactMember(c.i64()?, c.opt_date()?, c.opt_date()?))
    }
}

/// A year's income, as gross and net (`incomes i`).
pub(crate) struct FactIncome(pub i64, pub i32, pub IncomeComponents);

impl Record for FactIncome {
    fn columns() -> Columns {
        Columns(&[
            "i.household_id",
            "i.year",
            "i.wage_fen",
            "i.business_fen",
            "i.property_fen",
            "i.transfer_fen",
            "i.business_cost_fen",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let household = c.i64()?;
        let year = c.i32()?;
        Ok(FactIncome(
            household,
            year,
            IncomeComponents {
                wage_fen: Fen::new(c.i64()?),
                business_fen: Fen::new(c.i64()?),
                property_fen: Fen::new(c.i64()?),
                dividend_fen: None,
                transfer_fen: Fen::new(c.i64()?),
                business_cost_fen: Fen::new(c.i64()?),
            },
        ))
    }
}

// ---- aggregates ----

/// Read a `YearFigures` from the next columns, in the order of `stat_columns` (stored columns,
/// or sums of them).
pub(crate) fn read_figures(c: &mut Cols<'_>) -> StoreResult<YearFigures> {
    let v = (0..stat_columns().len())
        .map(|_| c.i64())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(figures_from(&v))
}

/// A row of `village_year_stats` (a village's, or a region's above villages).
pub(crate) struct StatRow(pub RegionCode, pub i32, pub YearFigures);

static STAT_ROW: LazyLock<Columns> = LazyLock::new(|| {
    let mut v = vec!["village_code", "year"];
    v.extend(stat_columns());
    Columns(Vec::leak(v))
});

impl Record for StatRow {
    fn columns() -> Columns {
        *STAT_ROW
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StatRow(
            RegionCode::parse(&c.text()?)?,
            c.i32()?,
            read_figures(c)?,
        ))
    }
}

/// A row of `village_year_causes`.
pub(crate) struct CauseRow(pub RegionCode, pub i32, pub String, pub CauseFigures);

impl Record for CauseRow {
    fn columns() -> Columns {
        Columns(&["village_code", "year", "cause", "households", "persons"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(CauseRow(
            RegionCode::parse(&c.text()?)?,
            c.i32()?,
            c.text()?,
            CauseFigures {
                households: c.i64()?,
                persons: c.i64()?,
            },
        ))
    }
}
