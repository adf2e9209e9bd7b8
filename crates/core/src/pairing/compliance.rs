//! Visit compliance and pairing totals for a region and period, computed from pairings and visits.
//!
//! **Visit minimum, pro rata.** A pairing owes `minimum` visits per calendar year. For a year it
//! covers only in part (it started or ended that year, or the reporting period cuts the year), it
//! owes `minimum × covered days ÷ days in the year`, rounded half up: a pairing from 1 October owes
//! 4 × 92 ÷ 365 = 1.01 → 1 visit in that year; one that ends on 30 August owes 4 × 242 ÷ 365 = 2.65 → 3.
//! Only visits on the pairing's household, on a date within the pairing, with the pairing's cadre
//! present count toward it. All visits count in the totals, whoever made them.

use super::{CadreId, PairingId};
use crate::assessment::standards::{count_or_shipped, key, Parameter};
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Month};

/// What compliance needs of a pairing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingSpan {
    pub id: PairingId,
    pub household_id: HouseholdId,
    pub cadre_id: CadreId,
    pub start: Date,
    pub end: Option<Date>,
}

/// What compliance and totals need of a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFact {
    pub household_id: HouseholdId,
    pub date: Date,
    pub cadre_ids: Vec<CadreId>,
    pub money_fen: i64,
    pub goods_fen: i64,
}

/// One pairing in one year of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingYear {
    pub pairing_id: PairingId,
    pub household_id: HouseholdId,
    pub cadre_id: CadreId,
    pub year: i32,
    pub covered_days: i64,
    pub required: i64,
    pub done: i64,
    pub missing: i64,
}

fn days_in_year(y: i32) -> i64 {
    if time::util::is_leap_year(y) {
        366
    } else {
        365
    }
}

/// Round `num / den` half up (non-negative operands).
fn div_half_up(num: i64, den: i64) -> i64 {
    (2 * num + den) / (2 * den)
}

/// The visits owed and made for every pairing and year within [from, to]; `minimum(year)` gives the
/// parameter in force.
pub fn pairing_years(
    pairings: &[PairingSpan],
    visits: &[VisitFact],
    from: Date,
    to: Date,
    minimum: impl Fn(i32) -> i64,
) -> Vec<PairingYear> {
    let mut out = Vec::new();
    for p in pairings {
        let start = p.start.max(from);
        let end = p.end.unwrap_or(to).min(to);
        if end < start {
            continue;
        }
        for year in start.year()..=end.year() {
            let y0 = Date::from_calendar_date(year, Month::January, 1).expect("valid");
            let y1 = Date::from_calendar_date(year, Month::December, 31).expect("valid");
            let (a, b) = (start.max(y0), end.min(y1));
            let covered = (b - a).whole_days() + 1;
            let required = div_half_up(minimum(year) * covered, days_in_year(year));
            let done = visits
                .iter()
                .filter(|v| {
                    v.household_id == p.household_id
                        && v.date >= a
                        && v.date <= b
                        && v.cadre_ids.contains(&p.cadre_id)
                })
                .count() as i64;
            out.push(PairingYear {
                pairing_id: p.id,
                household_id: p.household_id,
                cadre_id: p.cadre_id,
                year,
                covered_days: covered,
                required,
                done,
                missing: (required - done).max(0),
            });
        }
    }
    out
}

/// Visits a pairing owes per year in a village: the standard in force (`visit_minimum`; the
/// shipped default, 4 a year, where none is set).
pub fn visit_minimum(params: &[Parameter], village: &RegionCode, year: i32) -> i64 {
    count_or_shipped(params, key::VISIT_MINIMUM, village, year)
}

/// The visits one cadre owes and made on one household over a period, summed over their pairings
/// and the years of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdCompliance {
    pub household_id: HouseholdId,
    pub required: i64,
    pub done: i64,
}

/// Sum `pairing_years` per household, in household order.
pub fn household_compliance(years: &[PairingYear]) -> Vec<HouseholdCompliance> {
    let mut by: BTreeMap<HouseholdId, (i64, i64)> = BTreeMap::new();
    for y in years {
        let e = by.entry(y.household_id).or_default();
        e.0 += y.required;
        e.1 += y.done;
    }
    by.into_iter()
        .map(|(household_id, (required, done))| HouseholdCompliance {
            household_id,
            required,
            done,
        })
        .collect()
}

/// Totals of a region and period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingTotals {
    /// Distinct cadres with a pairing overlapping the period.
    pub cadres_total: i64,
    pub pairings_total: i64,
    pub visits_total: i64,
    /// Σ cadres present over the visits (人次).
    pub visits_person_times: i64,
    pub condolence_money_fen: i64,
    pub goods_value_fen: i64,
    /// Visits per cadre (all visits the cadre was present at).
    pub visits_per_cadre: BTreeMap<i64, i64>,
}

/// Totals over pairings and visits already limited to the region and period.
pub fn totals(
    pairings: &[PairingSpan],
    visits: &[VisitFact],
    from: Date,
    to: Date,
) -> PairingTotals {
    let overlapping: Vec<&PairingSpan> = pairings
        .iter()
        .filter(|p| p.start <= to && p.end.is_none_or(|e| e >= from))
        .collect();
    let cadres: BTreeSet<CadreId> = overlapping.iter().map(|p| p.cadre_id).collect();
    let mut t = PairingTotals {
        cadres_total: cadres.len() as i64,
        pairings_total: overlapping.len() as i64,
        ..Default::default()
    };
    for v in visits.iter().filter(|v| v.date >= from && v.date <= to) {
        t.visits_total += 1;
        t.visits_person_times += v.cadre_ids.len() as i64;
        t.condolence_money_fen += v.money_fen;
        t.goods_value_fen += v.goods_fen;
        for c in &v.cadre_ids {
            *t.visits_per_cadre.entry(c.0).or_default() += 1;
        }
    }
    t
}

/// Households with no cadre paired on `on`.
pub fn households_without_cadre(
    households: &[HouseholdId],
    pairings: &[PairingSpan],
    on: Date,
) -> Vec<HouseholdId> {
    households
        .iter()
        .copied()
        .filter(|h| {
            !pairings
                .iter()
                .any(|p| p.household_id == *h && p.start <= on && p.end.is_none_or(|e| e >= on))
        })
        .collect()
}

/// Cadres with more than `limit` households paired on `on`, with their count.
pub fn cadres_over_limit(pairings: &[PairingSpan], on: Date, limit: i64) -> Vec<(CadreId, i64)> {
    let mut n: BTreeMap<CadreId, i64> = BTreeMap::new();
    for p in pairings
        .iter()
        .filter(|p| p.start <= on && p.end.is_none_or(|e| e >= on))
    {
        *n.entry(p.cadre_id).or_default() += 1;
    }
    n.into_iter().filter(|(_, k)| *k > limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn visit_minimum_from_the_standards_or_the_shipped_default() {
        use crate::assessment::standards::default_parameters;
        let tagang = RegionCode::parse("360124106204").unwrap();
        // the shipped standard: four a year, also before its first year and with no rows at all
        assert_eq!(visit_minimum(&default_parameters(), &tagang, 2018), 4);
        assert_eq!(visit_minimum(&default_parameters(), &tagang, 2010), 4);
        assert_eq!(visit_minimum(&[], &tagang, 2018), 4);
        let mut params = default_parameters();
        params.push(Parameter {
            key: key::VISIT_MINIMUM.into(),
            region_prefix: Some(RegionCode::parse("360124").unwrap()),
            year: 2017,
            value: crate::assessment::ParamValue::Count(6),
            source: "县定".into(),
            confirmed: true,
        });
        assert_eq!(visit_minimum(&params, &tagang, 2018), 6);
        assert_eq!(visit_minimum(&params, &tagang, 2016), 4);
        let elsewhere = RegionCode::parse("360123100200").unwrap();
        assert_eq!(visit_minimum(&params, &elsewhere, 2018), 4);
        let limits = super::super::PairingLimits::default();
        assert_eq!(
            (limits.cadres_per_household, limits.households_per_cadre),
            (2, 5)
        );
    }

    #[test]
    fn household_compliance_sums_pairings_and_years() {
        let p = [
            span(1, 1, 7, date!(2017 - 01 - 01), Some(date!(2018 - 06 - 30))),
            span(2, 1, 7, date!(2018 - 10 - 01), None),
            span(3, 2, 7, date!(2018 - 01 - 01), None),
        ];
        let v = [
            visit(1, date!(2017 - 05 - 01), &[7]),
            visit(1, date!(2018 - 03 - 01), &[7]),
            visit(1, date!(2018 - 11 - 01), &[7]),
            visit(2, date!(2018 - 02 - 01), &[8]),
        ];
        let years = pairing_years(&p, &v, date!(2017 - 01 - 01), date!(2018 - 12 - 31), |_| 4);
        let c = household_compliance(&years);
        // household 1: 4 (2017) + 2 (181 days of 2018) + 1 (92 days) owed, 3 made
        assert_eq!(
            c,
            [
                HouseholdCompliance {
                    household_id: HouseholdId(1),
                    required: 7,
                    done: 3
                },
                HouseholdCompliance {
                    household_id: HouseholdId(2),
                    required: 4,
                    done: 0
                },
            ]
        );
    }

    fn span(id: i64, h: i64, c: i64, start: Date, end: Option<Date>) -> PairingSpan {
        PairingSpan {
            id: PairingId(id),
            household_id: HouseholdId(h),
            cadre_id: CadreId(c),
            start,
            end,
        }
    }

    fn visit(h: i64, d: Date, cadres: &[i64]) -> VisitFact {
        VisitFact {
            household_id: HouseholdId(h),
            date: d,
            cadre_ids: cadres.iter().map(|c| CadreId(*c)).collect(),
            money_fen: 10_000,
            goods_fen: 5_000,
        }
    }

    #[test]
    fn pro_rata_minimum() {
        let p = [span(1, 1, 7, date!(2015 - 10 - 01), None)];
        let years = pairing_years(&p, &[], date!(2015 - 10 - 01), date!(2019 - 08 - 30), |_| 4);
        let req: Vec<_> = years
            .iter()
            .map(|y| (y.year, y.covered_days, y.required))
            .collect();
        assert_eq!(
            req,
            [
                (2015, 92, 1),
                (2016, 366, 4),
                (2017, 365, 4),
                (2018, 365, 4),
                (2019, 242, 3)
            ]
        );
    }

    #[test]
    fn only_the_paired_cadre_on_the_household_in_the_period_counts() {
        let p = [
            span(1, 1, 7, date!(2018 - 01 - 01), Some(date!(2018 - 06 - 30))),
            span(2, 1, 8, date!(2018 - 07 - 01), None),
        ];
        let v = [
            visit(1, date!(2018 - 02 - 01), &[7]),
            visit(1, date!(2018 - 03 - 01), &[7, 9]),
            visit(1, date!(2018 - 08 - 01), &[7]), // cadre 7 no longer paired
            visit(2, date!(2018 - 03 - 01), &[7]), // another household
            visit(1, date!(2018 - 04 - 01), &[20]), // the work team: counts in totals only
            visit(1, date!(2018 - 09 - 01), &[8]),
        ];
        let ys = pairing_years(&p, &v, date!(2018 - 01 - 01), date!(2018 - 12 - 31), |_| 4);
        assert_eq!((ys[0].done, ys[0].required, ys[0].missing), (2, 2, 0)); // 181 days → 1.98 → 2
        assert_eq!((ys[1].done, ys[1].required, ys[1].missing), (1, 2, 1)); // 184 days → 2.02 → 2
        let t = totals(&p, &v, date!(2018 - 01 - 01), date!(2018 - 12 - 31));
        assert_eq!(
            (t.cadres_total, t.visits_total, t.visits_person_times),
            (2, 6, 7)
        );
        assert_eq!(
            (t.condolence_money_fen, t.goods_value_fen),
            (60_000, 30_000)
        );
        assert_eq!(t.visits_per_cadre[&7], 4);
    }

    #[test]
    fn coverage_lists() {
        let p = [
            span(1, 1, 7, date!(2018 - 01 - 01), Some(date!(2018 - 06 - 30))),
            span(2, 2, 7, date!(2018 - 01 - 01), None),
        ];
        let hs = [HouseholdId(1), HouseholdId(2), HouseholdId(3)];
        assert_eq!(
            households_without_cadre(&hs, &p, date!(2018 - 07 - 01)),
            [HouseholdId(1), HouseholdId(3)]
        );
        assert_eq!(
            cadres_over_limit(&p, date!(2018 - 03 - 01), 1),
            [(CadreId(7), 2)]
        );
        assert!(cadres_over_limit(&p, date!(2018 - 08 - 01), 1).is_empty());
    }
}

/// A line of a report that names a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdRef {
    pub household_id: HouseholdId,
    pub household_number: String,
    pub head_name: Option<String>,
    pub village_code: String,
}

/// A line of a report that names a cadre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CadreCount {
    pub cadre_id: CadreId,
    pub cadre_name: String,
    pub count: i64,
}

/// The pairing report of a region and period (`GET /regions/{code}/pairing-report`).
///
/// For a calendar year (1 January – 31 December) the figures are read from the maintained
/// figures (`figures`), at any level up to the province; for another period they are computed
/// from the rows, for a township or a village only. Its lists are paginated apart
/// (`households_without_cadre`, `pairings_below_minimum` of the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingReport {
    pub region: crate::regions::RegionRef,
    pub from: Date,
    pub to: Date,
    /// `maintained` (a calendar year) or `computed` (another period).
    pub source: String,
    pub cadres_total: i64,
    pub pairings_total: i64,
    /// Households with a pairing in force on some day of the period (结对户数).
    pub households_paired: i64,
    /// Helping units whose cadres had a pairing in the region in the calendar year (帮扶单位数):
    /// given by the report of a calendar year asked through the API (`None` otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units_total: Option<i64>,
    pub visits_total: i64,
    pub visits_person_times: i64,
    pub condolence_money_fen: i64,
    pub goods_value_fen: i64,
    /// condolence money + goods value
    pub money_and_goods_fen: i64,
    pub wishes_submitted: i64,
    pub wishes_fulfilled: i64,
    pub wishes_value_fen: i64,
    /// Visits the pairings owed, made (with their cadre present) and still missing in the period.
    pub visits_required: i64,
    pub visits_done: i64,
    pub visits_missing: i64,
    /// Pairing-years below the visit minimum (listed by the store's `pairings_below_minimum`).
    pub below_minimum_count: i64,
    /// Households whose status needs a cadre and that have no open pairing now (listed by the
    /// store's `households_without_cadre`).
    pub households_without_cadre_count: i64,
    /// Cadres with more households than the limit on `to`; for a township or village only
    /// (`None` above).
    pub cadres_over_limit: Option<Vec<CadreCount>>,
    /// Visits per cadre present; for a township or village only (`None` above).
    pub visits_per_cadre: Option<Vec<CadreCount>>,
    /// Work-team rules not met (team size on `to`, length of terms that ended in the period): warnings
    /// for the office, not errors; for a township or village only (`None` above).
    pub team_warnings: Option<Vec<String>>,
    /// The visit minimum per pairing and year, and the limits, as applied.
    pub visit_minimum: i64,
    pub limits: super::PairingLimits,
}

impl PairingReport {
    /// Pairing-years of the period that met the visit minimum.
    pub fn compliant_pairings(&self) -> i64 {
        (self.pairings_total - self.below_minimum_count).max(0)
    }
}

/// A line of the list of pairings below the visit minimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BelowMinimumLine {
    #[serde(flatten)]
    pub year: PairingYear,
    pub household_number: String,
    pub village_code: String,
    pub cadre_name: String,
}

/// A work-team term as the team rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamTerm {
    pub village: String,
    pub cadre_name: String,
    pub start: Date,
    pub end: Option<Date>,
}

/// Warnings for work teams (domain.md §5: a team of at least `min_members`, terms of at least
/// `min_years`): villages whose team on `on` is too small, and terms ended in [from, to] that were
/// shorter than the minimum.
pub fn team_warnings(
    terms: &[TeamTerm],
    from: Date,
    to: Date,
    on: Date,
    min_members: i64,
    min_years: i64,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut villages: BTreeMap<&str, i64> = BTreeMap::new();
    for t in terms {
        let active = t.start <= on && t.end.is_none_or(|e| e >= on);
        *villages.entry(t.village.as_str()).or_default() += i64::from(active);
    }
    for (v, n) in villages {
        if n < min_members {
            out.push(format!(
                "村 {v} 的驻村工作队在 {on} 仅有 {n} 人，少于 {min_members} 人"
            ));
        }
    }
    for t in terms {
        if let Some(e) = t.end.filter(|e| *e >= from && *e <= to) {
            let full = t
                .start
                .replace_year(t.start.year() + min_years as i32)
                .unwrap_or(t.start);
            if e < full.previous_day().unwrap_or(full) {
                out.push(format!(
                    "{}（村 {}）的驻村任期 {}—{} 不足 {min_years} 年",
                    t.cadre_name, t.village, t.start, e
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod team_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn team_rules_warn() {
        let t = |name: &str, s: Date, e: Option<Date>| TeamTerm {
            village: "360124106204".into(),
            cadre_name: name.into(),
            start: s,
            end: e,
        };
        let terms = [
            t("甲", date!(2015 - 10 - 01), None),
            t("乙", date!(2015 - 10 - 01), Some(date!(2016 - 06 - 30))),
            t("丙", date!(2015 - 10 - 01), Some(date!(2017 - 09 - 30))),
        ];
        let w = team_warnings(
            &terms,
            date!(2015 - 10 - 01),
            date!(2019 - 08 - 30),
            date!(2019 - 08 - 30),
            3,
            2,
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("仅有 1 人"));
        assert!(w[1].contains("乙"));
        let full = [
            t("甲", date!(2015 - 10 - 01), None),
            t("乙", date!(2015 - 10 - 01), None),
            t("丙", date!(2015 - 10 - 01), None),
        ];
        assert!(team_warnings(
            &full,
            date!(2015 - 10 - 01),
            date!(2019 - 08 - 30),
            date!(2019 - 08 - 30),
            3,
            2
        )
        .is_empty());
    }
}
