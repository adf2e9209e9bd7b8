//! The pairing report's maintained figures: what one household contributes per calendar year
//! (its pairings with the visits each owed and made, its visits, the cadres present, money and
//! goods, its micro-wishes) and whether it lacks a cadre now. The store keeps these per household,
//! sums them per (year, region) for every level from village to province, and brings both in step
//! in the transaction of every write that changes them, like the region statistics.
//!
//! For a calendar year the figures equal what `pairing_years` and `totals` compute from the rows
//! for the period 1 January – 31 December, with the visit minimum of the household's village.
//! A household lacks a cadre when its status needs one (`HouseholdStatus::needs_cadre`) and none
//! of its pairings is open (without an end date): an ended pairing no longer supplies a cadre,
//! whatever its last day.

use super::{pairing_years, CadreId, PairingSpan, PairingYear, VisitFact};
use crate::regions::{Level, RegionCode};
use std::collections::BTreeMap;
use std::ops::AddAssign;
use time::{Date, Month};

/// What the figures need of a micro-wish: when it was submitted, and its fulfilment (date and
/// value) when it was fulfilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishFact {
    pub submitted_on: Date,
    pub fulfilled: Option<(Date, i64)>,
}

/// Everything about a household that the pairing figures depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdPairingFacts {
    pub village: RegionCode,
    /// Whether its status now needs a cadre.
    pub needs_cadre: bool,
    pub pairings: Vec<PairingSpan>,
    pub visits: Vec<VisitFact>,
    pub wishes: Vec<WishFact>,
}

/// Additive figures of one (region, year), or of one household's year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairingFigures {
    /// Pairings in force on some day of the year.
    pub pairings: i64,
    /// Of those, pairings that made fewer visits than they owed in the year.
    pub pairings_below: i64,
    pub visits_required: i64,
    pub visits_done: i64,
    pub visits_missing: i64,
    /// Households with a pairing in force on some day of the year (结对户数): each household once,
    /// however many pairings it had.
    pub households: i64,
    pub visits: i64,
    /// Σ cadres present over the visits (人次).
    pub person_times: i64,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub wishes_submitted: i64,
    /// Wishes submitted in the year and fulfilled in it.
    pub wishes_fulfilled: i64,
    pub wishes_value_fen: i64,
}

impl AddAssign for PairingFigures {
    fn add_assign(&mut self, o: Self) {
        let v = o.values();
        let mut mine = self.values();
        for (a, b) in mine.iter_mut().zip(v) {
            *a += b;
        }
        *self = Self::from_values(&mine);
    }
}

impl PairingFigures {
    /// Number of values, in the order of `values` (and of the store's columns).
    pub const COUNT: usize = 13;

    pub fn values(&self) -> [i64; Self::COUNT] {
        [
            self.pairings,
            self.pairings_below,
            self.visits_required,
            self.visits_done,
            self.visits_missing,
            self.households,
            self.visits,
            self.person_times,
            self.money_fen,
            self.goods_fen,
            self.wishes_submitted,
            self.wishes_fulfilled,
            self.wishes_value_fen,
        ]
    }

    /// The figures from values in the order of `values` (missing values are zero).
    pub fn from_values(v: &[i64]) -> Self {
        let g = |i: usize| v.get(i).copied().unwrap_or(0);
        PairingFigures {
            pairings: g(0),
            pairings_below: g(1),
            visits_required: g(2),
            visits_done: g(3),
            visits_missing: g(4),
            households: g(5),
            visits: g(6),
            person_times: g(7),
            money_fen: g(8),
            goods_fen: g(9),
            wishes_submitted: g(10),
            wishes_fulfilled: g(11),
            wishes_value_fen: g(12),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    /// The figures times `sign` (1 or −1).
    pub fn times(&self, sign: i64) -> Self {
        Self::from_values(&self.values().map(|v| v * sign))
    }

    /// The figures of a pairing-year (without visits or wishes).
    pub fn of_pairing_year(y: &PairingYear) -> Self {
        PairingFigures {
            pairings: 1,
            pairings_below: i64::from(y.missing > 0),
            visits_required: y.required,
            visits_done: y.done,
            visits_missing: y.missing,
            ..Default::default()
        }
    }
}

/// Figures of a household's year that do not come from its pairings: visits and wishes.
pub fn activity_years(f: &HouseholdPairingFacts) -> BTreeMap<i32, PairingFigures> {
    let mut out: BTreeMap<i32, PairingFigures> = BTreeMap::new();
    for v in &f.visits {
        let e = out.entry(v.date.year()).or_default();
        e.visits += 1;
        e.person_times += v.cadre_ids.len() as i64;
        e.money_fen += v.money_fen;
        e.goods_fen += v.goods_fen;
    }
    for w in &f.wishes {
        let y = w.submitted_on.year();
        let e = out.entry(y).or_default();
        e.wishes_submitted += 1;
        if let Some((d, value)) = w.fulfilled {
            if d.year() == y {
                e.wishes_fulfilled += 1;
                e.wishes_value_fen += value;
            }
        }
    }
    out.retain(|_, v| !v.is_zero());
    out
}

impl HouseholdPairingFacts {
    /// Every pairing-year of the household's pairings, each calendar year from the pairing's start
    /// to its end (an open one to `horizon`, the current year), with the visit minimum of its
    /// village for the year.
    pub fn pairing_years(&self, horizon: i32, minimum: impl Fn(i32) -> i64) -> Vec<PairingYear> {
        let Some(first) = self.pairings.iter().map(|p| p.start).min() else {
            return Vec::new();
        };
        let from = Date::from_calendar_date(first.year(), Month::January, 1).expect("valid");
        let Ok(to) = Date::from_calendar_date(horizon, Month::December, 31) else {
            return Vec::new();
        };
        pairing_years(&self.pairings, &self.visits, from, to, minimum)
    }

    /// Whether the household needs a cadre and has no open pairing.
    pub fn without_cadre(&self) -> bool {
        self.needs_cadre && !self.pairings.iter().any(|p| p.end.is_none())
    }
}

/// What a household holds in the maintained figures, in the form the store keeps it: its
/// pairing-years, its activity per year, whether it lacks a cadre, and its village.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdPairingRows {
    pub pairing_years: Vec<PairingYear>,
    pub activity: BTreeMap<i32, PairingFigures>,
    pub without_cadre: bool,
}

impl HouseholdPairingRows {
    /// The calendar years in which the household had a pairing in force.
    pub fn paired_years(&self) -> std::collections::BTreeSet<i32> {
        self.pairing_years.iter().map(|y| y.year).collect()
    }

    pub fn of(f: &HouseholdPairingFacts, horizon: i32, minimum: impl Fn(i32) -> i64) -> Self {
        HouseholdPairingRows {
            pairing_years: f.pairing_years(horizon, minimum),
            activity: activity_years(f),
            without_cadre: f.without_cadre(),
        }
    }
}

/// What one new visit adds to its household's year: the difference `HouseholdPairingRows::of`
/// makes between the household's facts without the visit and with it, so that a visit's write
/// adds it rather than computing the household again. One visit, its cadres present, its money
/// and goods, and one more visit made in each pairing-year it counts in (a pairing of the
/// household with one of its cadres, in force on its date): `counted` holds the visits owed and
/// made, the new one included, of each of those. The household's pairings and the years it is
/// paired in do not change.
pub fn visit_added(
    cadres: usize,
    money_fen: i64,
    goods_fen: i64,
    counted: &[(i64, i64)],
) -> PairingFigures {
    let mut f = PairingFigures {
        visits: 1,
        person_times: cadres as i64,
        money_fen,
        goods_fen,
        ..Default::default()
    };
    for &(required, done) in counted {
        let before = (required - (done - 1)).max(0);
        let after = (required - done).max(0);
        f.visits_done += 1;
        f.visits_missing += after - before;
        f.pairings_below += i64::from(after > 0) - i64::from(before > 0);
    }
    f
}

/// Differences of the (year, region) figures, of the per-(year, region, cadre) pairing counts (whose
/// keys with a count above zero are the distinct cadres) and of the households without a cadre per
/// region. Built for villages, then `rolled_up` to every region above them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingAggregates {
    pub years: BTreeMap<(RegionCode, i32), PairingFigures>,
    pub cadres: BTreeMap<(RegionCode, i32, CadreId), i64>,
    pub without_cadre: BTreeMap<RegionCode, i64>,
}

impl PairingAggregates {
    /// Add (`sign` 1) or take away (−1) what a household holds, in its village.
    pub fn add_household(&mut self, village: &RegionCode, rows: &HouseholdPairingRows, sign: i64) {
        for y in &rows.pairing_years {
            *self.years.entry((village.clone(), y.year)).or_default() +=
                PairingFigures::of_pairing_year(y).times(sign);
            *self
                .cadres
                .entry((village.clone(), y.year, y.cadre_id))
                .or_default() += sign;
        }
        for year in rows.paired_years() {
            self.years
                .entry((village.clone(), year))
                .or_default()
                .households += sign;
        }
        for (year, f) in &rows.activity {
            *self.years.entry((village.clone(), *year)).or_default() += f.times(sign);
        }
        if rows.without_cadre {
            *self.without_cadre.entry(village.clone()).or_default() += sign;
        }
    }

    /// The same differences for the villages and for every region above them (township, county,
    /// city, province), zero entries dropped.
    pub fn rolled_up(&self) -> PairingAggregates {
        let up = |code: &RegionCode| -> Vec<RegionCode> {
            if code.level() != Level::Village {
                return Vec::new();
            }
            let mut a = code.ancestors();
            a.dedup();
            a
        };
        let mut out = self.clone();
        for ((code, year), f) in &self.years {
            for a in up(code) {
                *out.years.entry((a, *year)).or_default() += *f;
            }
        }
        for ((code, year, cadre), n) in &self.cadres {
            for a in up(code) {
                *out.cadres.entry((a, *year, *cadre)).or_default() += n;
            }
        }
        for (code, n) in &self.without_cadre {
            for a in up(code) {
                *out.without_cadre.entry(a).or_default() += n;
            }
        }
        out.years.retain(|_, v| !v.is_zero());
        out.cadres.retain(|_, v| *v != 0);
        out.without_cadre.retain(|_, v| *v != 0);
        out
    }
}

/// The figures of one region and year recomputed from its households' facts (for checks): the
/// year's figures, its distinct cadres, and the households without a cadre now.
/// The cadres with a pairing-year in `year` among `households` (the rows a region's distinct
/// cadres and helping units are counted from).
pub fn year_cadres(
    households: &[HouseholdPairingFacts],
    year: i32,
    horizon: i32,
    minimum: impl Fn(&RegionCode, i32) -> i64,
) -> std::collections::BTreeSet<CadreId> {
    households
        .iter()
        .flat_map(|h| {
            HouseholdPairingRows::of(h, horizon, |y| minimum(&h.village, y))
                .pairing_years
                .into_iter()
                .filter(|y| y.year == year)
                .map(|y| y.cadre_id)
        })
        .collect()
}

pub fn recompute(
    households: &[HouseholdPairingFacts],
    year: i32,
    horizon: i32,
    minimum: impl Fn(&RegionCode, i32) -> i64,
) -> (PairingFigures, i64, i64) {
    let mut f = PairingFigures::default();
    let mut cadres = std::collections::BTreeSet::new();
    let mut without = 0;
    for h in households {
        let rows = HouseholdPairingRows::of(h, horizon, |y| minimum(&h.village, y));
        for y in rows.pairing_years.iter().filter(|y| y.year == year) {
            f += PairingFigures::of_pairing_year(y);
            cadres.insert(y.cadre_id);
        }
        f.households += i64::from(rows.paired_years().contains(&year));
        if let Some(a) = rows.activity.get(&year) {
            f += *a;
        }
        without += i64::from(rows.without_cadre);
    }
    (f, cadres.len() as i64, without)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairing::PairingId;
    use crate::registry::HouseholdId;
    use time::macros::date;

    fn household(pairings: Vec<PairingSpan>, visits: Vec<VisitFact>) -> HouseholdPairingFacts {
        HouseholdPairingFacts {
            village: RegionCode::parse("360124106204").unwrap(),
            needs_cadre: true,
            pairings,
            visits,
            wishes: vec![
                WishFact {
                    submitted_on: date!(2018 - 03 - 01),
                    fulfilled: Some((date!(2018 - 05 - 01), 50_000)),
                },
                WishFact {
                    submitted_on: date!(2018 - 11 - 01),
                    fulfilled: Some((date!(2019 - 01 - 10), 20_000)),
                },
            ],
        }
    }

    fn span(id: i64, cadre: i64, start: Date, end: Option<Date>) -> PairingSpan {
        PairingSpan {
            id: PairingId(id),
            household_id: HouseholdId(1),
            cadre_id: CadreId(cadre),
            start,
            end,
        }
    }

    fn visit(d: Date, cadres: &[i64]) -> VisitFact {
        VisitFact {
            household_id: HouseholdId(1),
            date: d,
            cadre_ids: cadres.iter().map(|c| CadreId(*c)).collect(),
            money_fen: 100,
            goods_fen: 10,
        }
    }

    /// A visit's difference equals the household's figures computed again with it, in every
    /// case: counted in no pairing, in one, in two at once, reaching the minimum, past it.
    #[test]
    fn a_visits_difference_is_the_households_figures_computed_again() {
        let pairings = vec![
            span(1, 7, date!(2017 - 07 - 01), Some(date!(2018 - 06 - 30))),
            span(2, 8, date!(2018 - 03 - 01), None),
            span(3, 9, date!(2018 - 09 - 01), None),
        ];
        let village = RegionCode::parse("360124106204").unwrap();
        let mut visits = vec![visit(date!(2018 - 02 - 01), &[7])];
        let added = [
            (date!(2018 - 04 - 01), vec![7, 8]),
            (date!(2018 - 04 - 02), vec![8]),
            (date!(2018 - 05 - 01), vec![7]),
            (date!(2018 - 05 - 02), vec![7]),
            (date!(2018 - 05 - 03), vec![7, 8]),
            (date!(2018 - 07 - 01), vec![7]),
            (date!(2018 - 08 - 01), vec![5]),
            (date!(2018 - 10 - 01), vec![8, 9]),
            (date!(2019 - 01 - 01), vec![9]),
            (date!(2016 - 01 - 01), vec![7]),
        ];
        for (d, cadres) in added {
            let before =
                HouseholdPairingRows::of(&household(pairings.clone(), visits.clone()), 2019, |_| 4);
            let v = visit(d, &cadres);
            visits.push(v.clone());
            let after =
                HouseholdPairingRows::of(&household(pairings.clone(), visits.clone()), 2019, |_| 4);
            let mut diff = PairingAggregates::default();
            diff.add_household(&village, &after, 1);
            diff.add_household(&village, &before, -1);
            let diff = diff.rolled_up();
            // what the store reads back from the pairing-years it adds the visit to
            let counted: Vec<(i64, i64)> = after
                .pairing_years
                .iter()
                .filter(|y| {
                    y.year == d.year()
                        && pairings.iter().any(|p| {
                            p.id == y.pairing_id
                                && cadres.contains(&p.cadre_id.0)
                                && p.start <= d
                                && p.end.is_none_or(|e| d <= e)
                        })
                })
                .map(|y| (y.required, y.done))
                .collect();
            let want = visit_added(cadres.len(), v.money_fen, v.goods_fen, &counted);
            let mut delta = PairingAggregates::default();
            delta.years.insert((village.clone(), d.year()), want);
            assert_eq!(delta.rolled_up(), diff, "visit on {d} by {cadres:?}");
        }
    }

    #[test]
    fn a_households_years_match_the_reports_computation_for_the_calendar_year() {
        let h = household(
            vec![
                span(1, 7, date!(2017 - 07 - 01), Some(date!(2018 - 06 - 30))),
                span(2, 8, date!(2018 - 07 - 01), None),
            ],
            vec![
                visit(date!(2018 - 02 - 01), &[7]),
                visit(date!(2018 - 03 - 01), &[7, 9]),
                visit(date!(2018 - 08 - 01), &[8]),
                visit(date!(2017 - 08 - 01), &[7]),
            ],
        );
        let rows = HouseholdPairingRows::of(&h, 2019, |_| 4);
        let years: Vec<_> = rows
            .pairing_years
            .iter()
            .map(|y| (y.pairing_id.0, y.year, y.required, y.done))
            .collect();
        // pairing 2 is open: its years run to the horizon
        assert_eq!(
            years,
            [
                (1, 2017, 2, 1),
                (1, 2018, 2, 2),
                (2, 2018, 2, 1),
                (2, 2019, 4, 0)
            ]
        );
        let (from, to) = (date!(2018 - 01 - 01), date!(2018 - 12 - 31));
        let exact = pairing_years(&h.pairings, &h.visits, from, to, |_| 4);
        let t = super::super::totals(&h.pairings, &h.visits, from, to);
        let (f, cadres, without) = recompute(std::slice::from_ref(&h), 2018, 2019, |_, _| 4);
        assert_eq!(f.pairings, exact.len() as i64);
        assert_eq!(
            f.pairings_below,
            exact.iter().filter(|y| y.missing > 0).count() as i64
        );
        assert_eq!(
            f.visits_missing,
            exact.iter().map(|y| y.missing).sum::<i64>()
        );
        assert_eq!(
            (f.visits, f.person_times),
            (t.visits_total, t.visits_person_times)
        );
        assert_eq!((f.money_fen, f.goods_fen), (300, 30));
        assert_eq!(cadres, t.cadres_total);
        assert_eq!(f.households, 1, "two pairings in 2018, one household");
        // the wish fulfilled the next year counts as submitted only
        assert_eq!(
            (f.wishes_submitted, f.wishes_fulfilled, f.wishes_value_fen),
            (2, 1, 50_000)
        );
        assert_eq!(without, 0, "pairing 2 is open");
    }

    #[test]
    fn without_a_cadre_when_needed_and_no_pairing_is_open() {
        let mut h = household(
            vec![span(
                1,
                7,
                date!(2017 - 07 - 01),
                Some(date!(2018 - 06 - 30)),
            )],
            vec![],
        );
        assert!(h.without_cadre());
        h.needs_cadre = false;
        assert!(!h.without_cadre());
        h.needs_cadre = true;
        h.pairings.push(span(2, 8, date!(2030 - 01 - 01), None));
        assert!(!h.without_cadre(), "a pairing to come is open");
    }

    #[test]
    fn differences_roll_up_to_every_level_and_cancel_out() {
        let h = household(
            vec![span(1, 7, date!(2018 - 01 - 01), None)],
            vec![visit(date!(2018 - 02 - 01), &[7])],
        );
        let rows = HouseholdPairingRows::of(&h, 2018, |_| 4);
        let mut a = PairingAggregates::default();
        a.add_household(&h.village, &rows, 1);
        let up = a.rolled_up();
        for code in ["36", "3601", "360124", "360124106", "360124106204"] {
            let c = RegionCode::parse(code).unwrap();
            let f = up.years[&(c.clone(), 2018)];
            assert_eq!(
                (f.pairings, f.pairings_below, f.visits, f.households),
                (1, 1, 1, 1),
                "{code}"
            );
            assert_eq!(up.cadres[&(c, 2018, CadreId(7))], 1);
        }
        a.add_household(&h.village, &rows, -1);
        assert_eq!(a.rolled_up(), PairingAggregates::default());
    }
}
