//! The statistics a region reports for a year, built from summed aggregates.

use super::{CauseFigures, YearFigures};
use crate::codes::{table, CodeBook};
use crate::money::div_round;
use crate::regions::RegionRef;
use crate::registry::HouseholdStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Households and persons in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub code: String,
    pub label: String,
    pub households: i64,
    pub persons: i64,
}

/// The share of registered households (per cent) with an income record from which a year's income
/// figures count as complete: growth is shown between complete years only, and the board opens on
/// the latest complete year. 90 rather than 100: a household or two whose record is late should not
/// hide a village's year (rejected: 100, which one missing record defeats; 50, under which half the
/// households stand for all).
pub const COMPLETE_INCOME_COVERAGE_PCT: i64 = 90;

/// Region statistics for one year (see the module docs of `reports` for the definitions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionStats {
    pub region: RegionRef,
    pub year: i32,
    pub households: i64,
    pub persons: i64,
    pub by_status: Vec<CategoryCount>,
    pub by_main_cause: Vec<CategoryCount>,
    pub income_households: i64,
    pub income_persons: i64,
    pub gross_income_fen: i64,
    pub net_income_fen: i64,
    pub per_capita_net_income_fen: Option<i64>,
    /// Σ village collective income for the year, over villages that recorded it.
    pub collective_income_fen: Option<i64>,
    /// Σ rural population for the year, over villages that recorded it.
    pub rural_population: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare_per_capita_net_income_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_capita_net_income_growth_pct: Option<f64>,
}

/// Summed village profiles for a scope and year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileTotals {
    pub collective_income_fen: Option<i64>,
    pub rural_population: Option<i64>,
}

impl RegionStats {
    /// Households and persons of a status (0 when the status has none).
    pub fn of_status(&self, status: HouseholdStatus) -> (i64, i64) {
        self.by_status
            .iter()
            .find(|c| c.code == status.as_str())
            .map(|c| (c.households, c.persons))
            .unwrap_or((0, 0))
    }

    /// Households and persons still registered poor (`HouseholdStatus::is_registered_poor`).
    pub fn registered_poor(&self) -> (i64, i64) {
        HouseholdStatus::ALL
            .into_iter()
            .filter(|s| s.is_registered_poor())
            .map(|s| self.of_status(s))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    /// Build the report from summed aggregates.
    pub fn build(
        region: RegionRef,
        year: i32,
        fig: &YearFigures,
        causes: &BTreeMap<String, CauseFigures>,
        profiles: ProfileTotals,
        codes: &CodeBook,
    ) -> RegionStats {
        let by_status = HouseholdStatus::ALL
            .iter()
            .filter(|s| **s != HouseholdStatus::Removed)
            .map(|s| CategoryCount {
                code: s.as_str().to_string(),
                label: s.label().to_string(),
                households: fig.status_households[s.index()],
                persons: fig.status_persons[s.index()],
            })
            .collect();
        let by_main_cause = causes
            .iter()
            .filter(|(_, c)| c.households != 0)
            .map(|(code, c)| CategoryCount {
                code: code.clone(),
                label: codes.label(table::POVERTY_CAUSE, code).to_string(),
                households: c.households,
                persons: c.persons,
            })
            .collect();
        RegionStats {
            region,
            year,
            households: fig.households,
            persons: fig.persons,
            by_status,
            by_main_cause,
            income_households: fig.income_households,
            income_persons: fig.income_persons,
            gross_income_fen: fig.gross_income_fen,
            net_income_fen: fig.net_income_fen,
            per_capita_net_income_fen: div_round(fig.net_income_fen, fig.income_persons),
            collective_income_fen: profiles.collective_income_fen,
            rural_population: profiles.rural_population,
            compare_year: None,
            compare_per_capita_net_income_fen: None,
            per_capita_net_income_growth_pct: None,
        }
    }

    /// Households with an income record for the year, and all registered households.
    pub fn income_coverage(&self) -> (i64, i64) {
        (self.income_households, self.households)
    }

    /// Whether the year's income figures stand for the region: at least
    /// [`COMPLETE_INCOME_COVERAGE_PCT`] per cent of its registered households have an income
    /// record. A year still being entered (9 of 14 households, say) gives a per-capita figure of
    /// the households entered so far, which is not the region's.
    pub fn income_complete(&self) -> bool {
        self.households > 0
            && self.income_households * 100 >= self.households * COMPLETE_INCOME_COVERAGE_PCT
    }

    /// Add the comparison with an earlier (or any other) year's figures. The growth is given only
    /// between two complete years ([`RegionStats::income_complete`]): a per-capita figure of part
    /// of the households compared with one of all of them says nothing about the region.
    pub fn compare_with(&mut self, other: &RegionStats) {
        self.compare_year = Some(other.year);
        self.compare_per_capita_net_income_fen = other.per_capita_net_income_fen;
        if !(self.income_complete() && other.income_complete()) {
            self.per_capita_net_income_growth_pct = None;
            return;
        }
        self.per_capita_net_income_growth_pct = match (
            self.per_capita_net_income_fen,
            other.per_capita_net_income_fen,
        ) {
            (Some(now), Some(then)) => growth_pct(then, now),
            _ => None,
        };
    }
}

/// Growth from `from` to `to` in per cent, one decimal, rounded half away from zero, computed in
/// integers (tenths of a per cent) so that 5,558 → 7,467 gives exactly 34.3. `None` when `from` ≤ 0.
pub fn growth_pct(from: i64, to: i64) -> Option<f64> {
    if from <= 0 {
        return None;
    }
    let tenths = div_round(to.checked_sub(from)?.checked_mul(1000)?, from)?;
    Some(tenths as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::{Level, RegionCode};

    #[test]
    fn registered_poor_sums_its_statuses() {
        let r = RegionRef {
            code: RegionCode::parse("360124106204").unwrap(),
            name: "塔岗村委会".into(),
            level: Level::Village,
        };
        let mut fig = YearFigures::default();
        for (s, h, p) in [
            (HouseholdStatus::NewlyIdentified, 1, 2),
            (HouseholdStatus::Poor, 3, 10),
            (HouseholdStatus::Relapsed, 2, 5),
            (HouseholdStatus::Exited, 7, 20),
            (HouseholdStatus::Monitored, 1, 4),
        ] {
            fig.status_households[s.index()] = h;
            fig.status_persons[s.index()] = p;
        }
        let s = RegionStats::build(
            r,
            2020,
            &fig,
            &BTreeMap::new(),
            ProfileTotals::default(),
            &CodeBook::defaults(),
        );
        assert_eq!(s.registered_poor(), (6, 17));
        assert_eq!(s.of_status(HouseholdStatus::Exited), (7, 20));
        assert_eq!(s.of_status(HouseholdStatus::RiskEliminated), (0, 0));
    }

    #[test]
    fn seed_growth() {
        assert_eq!(growth_pct(555_800, 746_700), Some(34.3));
        assert_eq!(growth_pct(100, 50), Some(-50.0));
        assert_eq!(growth_pct(0, 50), None);
        assert_eq!(growth_pct(3, 4), Some(33.3));
        assert_eq!(growth_pct(3, 5), Some(66.7));
    }

    #[test]
    fn build_and_compare() {
        let r = RegionRef {
            code: RegionCode::parse("360124106204").unwrap(),
            name: "塔岗村委会".into(),
            level: Level::Village,
        };
        let mut fig = YearFigures {
            households: 14,
            persons: 45,
            income_households: 14,
            income_persons: 45,
            net_income_fen: 33_601_500,
            ..Default::default()
        };
        fig.status_households[HouseholdStatus::Poor.index()] = 14;
        let codes = CodeBook::defaults();
        let mut causes = BTreeMap::new();
        causes.insert(
            "01".to_string(),
            CauseFigures {
                households: 14,
                persons: 45,
            },
        );
        let mut s18 = RegionStats::build(
            r.clone(),
            2018,
            &fig,
            &causes,
            ProfileTotals::default(),
            &codes,
        );
        assert_eq!(s18.per_capita_net_income_fen, Some(746_700));
        assert_eq!(s18.by_main_cause[0].label, "因病");
        assert_eq!(s18.by_status.len(), 6);
        let fig16 = YearFigures {
            net_income_fen: 25_011_000,
            ..fig
        };
        let s16 = RegionStats::build(r, 2016, &fig16, &causes, ProfileTotals::default(), &codes);
        assert_eq!(s16.per_capita_net_income_fen, Some(555_800));
        s18.compare_with(&s16);
        assert_eq!(s18.per_capita_net_income_growth_pct, Some(34.3));
        assert!(s18.income_complete() && s16.income_complete());
        // 2016 with 9 of 14 households entered: partial, so no growth against it
        let partial = RegionStats::build(
            s18.region.clone(),
            2016,
            &YearFigures {
                income_households: 9,
                income_persons: 29,
                ..fig16
            },
            &causes,
            ProfileTotals::default(),
            &codes,
        );
        assert_eq!(partial.income_coverage(), (9, 14));
        assert!(!partial.income_complete());
        s18.compare_with(&partial);
        assert_eq!(s18.compare_year, Some(2016));
        assert_eq!(s18.per_capita_net_income_growth_pct, None);
        // 13 of 14 is over 90 %: complete
        let late_one = RegionStats::build(
            s18.region.clone(),
            2016,
            &YearFigures {
                income_households: 13,
                ..fig16
            },
            &causes,
            ProfileTotals::default(),
            &codes,
        );
        assert!(late_one.income_complete());
        let empty = RegionStats::build(
            s18.region.clone(),
            2018,
            &YearFigures::default(),
            &BTreeMap::new(),
            ProfileTotals::default(),
            &codes,
        );
        assert_eq!(empty.per_capita_net_income_fen, None);
    }
}
