//! What one household contributes to the (village, year) aggregates, and the difference a write makes.

use crate::money::{Fen, PerCapita};
use crate::regions::RegionCode;
use crate::registry::{status_on, HouseholdStatus};
use crate::years::year_end;
use std::collections::BTreeMap;
use std::ops::{AddAssign, Neg};
use time::Date;

/// Number of status slots in the aggregates (`removed` is never counted, its slot stays zero).
pub const STATUS_SLOTS: usize = HouseholdStatus::ALL.len();

/// Everything about a household that the statistics depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub village: RegionCode,
    pub identification_year: i32,
    pub main_cause: String,
    /// Status history, ordered by date then by order recorded.
    pub statuses: Vec<(Date, HouseholdStatus)>,
    /// Members ever recorded: (joined on, left on); `None` joined means "from the start".
    pub members: Vec<(Option<Date>, Option<Date>)>,
    /// Income years: (year, gross, net).
    pub incomes: Vec<(i32, Fen, Fen)>,
}

impl HouseholdFacts {
    /// Whether the household is in scope for `year`: the one definition every figure of a year uses
    /// (households, persons, statuses, causes, incomes, per-capita income, the poverty measures and
    /// the incidence). In scope when it was identified in or before `year` and its status on
    /// 31 December of `year` is recorded and is not `removed`: a household removed (自然减少) is out
    /// from the year of its removal on, and a household identified later is out of the years before
    /// it, whatever incomes were recorded for them.
    pub fn in_scope(&self, year: i32) -> bool {
        year >= self.identification_year
            && status_on(&self.statuses, year_end(year))
                .is_some_and(|s| s != HouseholdStatus::Removed)
    }

    /// Members present on 31 December of `year`.
    pub fn persons_in(&self, year: i32) -> i64 {
        let end = year_end(year);
        self.members
            .iter()
            .filter(|(j, l)| j.is_none_or(|j| j <= end) && l.is_none_or(|l| l > end))
            .count() as i64
    }

    /// Per-capita net income of `year`: the year's net income over the members present on
    /// 31 December, kept exact (compared with a line without rounding); `None` without an income
    /// record or without members.
    pub fn per_capita_net_income(&self, year: i32) -> Option<PerCapita> {
        let persons = self.persons_in(year);
        self.incomes
            .iter()
            .find(|(y, _, _)| *y == year)
            .and_then(|(_, _, net)| PerCapita::new(*net, persons))
    }
}

/// Summable figures of one (village, year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub households: i64,
    pub persons: i64,
    pub status_households: [i64; STATUS_SLOTS],
    pub status_persons: [i64; STATUS_SLOTS],
    pub income_households: i64,
    pub income_persons: i64,
    pub gross_income_fen: i64,
    pub net_income_fen: i64,
}

impl YearFigures {
    pub fn is_zero(&self) -> bool {
        *self == YearFigures::default()
    }
    /// The stock part only (households, persons, statuses), incomes zeroed: what carries into a new year.
    pub fn stock(&self) -> YearFigures {
        YearFigures {
            income_households: 0,
            income_persons: 0,
            gross_income_fen: 0,
            net_income_fen: 0,
            ..*self
        }
    }
}

impl AddAssign for YearFigures {
    fn add_assign(&mut self, o: YearFigures) {
        self.households += o.households;
        self.persons += o.persons;
        for i in 0..STATUS_SLOTS {
            self.status_households[i] += o.status_households[i];
            self.status_persons[i] += o.status_persons[i];
        }
        self.income_households += o.income_households;
        self.income_persons += o.income_persons;
        self.gross_income_fen += o.gross_income_fen;
        self.net_income_fen += o.net_income_fen;
    }
}

impl Neg for YearFigures {
    type Output = YearFigures;
    fn neg(self) -> YearFigures {
        YearFigures {
            households: -self.households,
            persons: -self.persons,
            status_households: self.status_households.map(|v| -v),
            status_persons: self.status_persons.map(|v| -v),
            income_households: -self.income_households,
            income_persons: -self.income_persons,
            gross_income_fen: -self.gross_income_fen,
            net_income_fen: -self.net_income_fen,
        }
    }
}

/// Households and persons of one main cause in one (village, year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CauseFigures {
    pub households: i64,
    pub persons: i64,
}

/// Aggregates keyed by (village, year), and by (village, year, cause).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    pub years: BTreeMap<(RegionCode, i32), YearFigures>,
    pub causes: BTreeMap<(RegionCode, i32, String), CauseFigures>,
}

/// One household's contribution to one year of its village: its figures (possibly zero) and, when
/// it counts that year, its persons under its main cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearContribution {
    pub year: i32,
    pub figures: YearFigures,
    /// Persons of the household when it counts that year (under `HouseholdFacts::main_cause`).
    pub cause_persons: Option<i64>,
}

impl HouseholdFacts {
    /// The household's contributions, year by year from its first year up to `horizon`: what
    /// `Aggregates::add_household` adds, for callers that keep totals of their own.
    pub fn contributions(&self, horizon: i32, mut each: impl FnMut(YearContribution)) {
        let first_income = self
            .incomes
            .iter()
            .map(|(y, _, _)| *y)
            .min()
            .unwrap_or(self.identification_year);
        let first = self.identification_year.min(first_income);
        for year in first..=horizon {
            let mut fig = YearFigures::default();
            let mut cause_persons = None;
            let persons = self.persons_in(year);
            if !self.in_scope(year) {
                each(YearContribution {
                    year,
                    figures: fig,
                    cause_persons,
                });
                continue;
            }
            if let Some(st) = status_on(&self.statuses, year_end(year)) {
                fig.households = 1;
                fig.persons = persons;
                fig.status_households[st.index()] = 1;
                fig.status_persons[st.index()] = persons;
                cause_persons = Some(persons);
            }
            if persons > 0 {
                if let Some((_, gross, net)) = self.incomes.iter().find(|(y, _, _)| *y == year) {
                    fig.income_households = 1;
                    fig.income_persons = persons;
                    fig.gross_income_fen = gross.get();
                    fig.net_income_fen = net.get();
                }
            }
            each(YearContribution {
                year,
                figures: fig,
                cause_persons,
            });
        }
    }
}

impl Aggregates {
    /// Add (`sign` = 1) or subtract (`sign` = -1) one household's contributions up to `horizon`.
    pub fn add_household(&mut self, f: &HouseholdFacts, horizon: i32, sign: i64) {
        f.contributions(horizon, |c| {
            if let Some(persons) = c.cause_persons {
                let e = self
                    .causes
                    .entry((f.village.clone(), c.year, f.main_cause.clone()))
                    .or_default();
                e.households += sign;
                e.persons += sign * persons;
            }
            if !c.figures.is_zero() {
                *self.years.entry((f.village.clone(), c.year)).or_default() +=
                    if sign < 0 { -c.figures } else { c.figures };
            }
        });
    }

    /// The aggregate change from `before` to `after` (either may be absent), with zero rows dropped.
    pub fn delta(
        before: Option<&HouseholdFacts>,
        after: Option<&HouseholdFacts>,
        horizon: i32,
    ) -> Aggregates {
        let mut a = Aggregates::default();
        if let Some(b) = before {
            a.add_household(b, horizon, -1);
        }
        if let Some(f) = after {
            a.add_household(f, horizon, 1);
        }
        a.years.retain(|_, v| !v.is_zero());
        a.causes.retain(|_, v| *v != CauseFigures::default());
        a
    }

    /// These aggregates with every village's figures also added to each of its ancestors
    /// (township, county, city, province: each distinct code once), so that the figures of any
    /// region are one row to read, not a sum over its villages. Rows of codes above village level
    /// are kept as they are and not rolled up again.
    pub fn rolled_up(&self) -> Aggregates {
        let mut out = self.clone();
        for ((code, year), fig) in &self.years {
            if code.level() == crate::regions::Level::Village {
                for a in code.ancestors() {
                    *out.years.entry((a, *year)).or_default() += *fig;
                }
            }
        }
        for ((code, year, cause), c) in &self.causes {
            if code.level() == crate::regions::Level::Village {
                for a in code.ancestors() {
                    let e = out.causes.entry((a, *year, cause.clone())).or_default();
                    e.households += c.households;
                    e.persons += c.persons;
                }
            }
        }
        out.years.retain(|_, v| !v.is_zero());
        out.causes.retain(|_, v| *v != CauseFigures::default());
        out
    }

    /// Sum of all year rows for `year` (used when recomputing a scope from scratch).
    pub fn total_for(&self, year: i32) -> (YearFigures, BTreeMap<String, CauseFigures>) {
        let mut t = YearFigures::default();
        for ((_, y), f) in &self.years {
            if *y == year {
                t += *f;
            }
        }
        let mut causes: BTreeMap<String, CauseFigures> = BTreeMap::new();
        for ((_, y, c), f) in &self.causes {
            if *y == year {
                let e = causes.entry(c.clone()).or_default();
                e.households += f.households;
                e.persons += f.persons;
            }
        }
        causes.retain(|_, v| v.households != 0 || v.persons != 0);
        (t, causes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use HouseholdStatus::*;

    #[test]
    fn per_capita_is_the_years_net_over_members_at_year_end() {
        let f = facts();
        // 2016: two members on 31 December, 9,000 yuan → 4,500; 2018: two again, 14,000 → 7,000
        assert_eq!(
            f.per_capita_net_income(2016),
            Some(Fen::new(450_000).into())
        );
        assert_eq!(
            f.per_capita_net_income(2018),
            Some(Fen::new(700_000).into())
        );
        // no income recorded for 2017
        assert_eq!(f.per_capita_net_income(2017), None);
        let odd = HouseholdFacts {
            members: vec![(None, None); 3],
            incomes: vec![(2016, Fen::new(100), Fen::new(100))],
            ..facts()
        };
        let pc = odd.per_capita_net_income(2016).unwrap();
        assert_eq!(
            (pc.rounded(), pc.total(), pc.persons()),
            (Fen::new(33), Fen::new(100), 3)
        );
        assert!(pc > Fen::new(33) && pc < Fen::new(34));
        let empty = HouseholdFacts {
            members: vec![],
            ..facts()
        };
        assert_eq!(empty.per_capita_net_income(2016), None);
    }

    fn facts() -> HouseholdFacts {
        HouseholdFacts {
            village: RegionCode::parse("360124106204").unwrap(),
            identification_year: 2014,
            main_cause: "01".into(),
            statuses: vec![
                (date!(2014 - 01 - 01), Poor),
                (date!(2018 - 11 - 20), Exited),
            ],
            members: vec![
                (None, None),
                (None, Some(date!(2017 - 06 - 01))),
                (Some(date!(2018 - 03 - 01)), None),
            ],
            incomes: vec![
                (2016, Fen::new(1_000_000), Fen::new(900_000)),
                (2018, Fen::new(1_500_000), Fen::new(1_400_000)),
            ],
        }
    }

    #[test]
    fn persons_follow_member_dates() {
        let f = facts();
        assert_eq!(f.persons_in(2016), 2);
        assert_eq!(f.persons_in(2017), 1);
        assert_eq!(f.persons_in(2018), 2);
    }

    #[test]
    fn contributions_per_year() {
        let mut a = Aggregates::default();
        a.add_household(&facts(), 2020, 1);
        let v = RegionCode::parse("360124106204").unwrap();
        let y16 = a.years[&(v.clone(), 2016)];
        assert_eq!(
            (
                y16.households,
                y16.persons,
                y16.status_households[Poor.index()]
            ),
            (1, 2, 1)
        );
        assert_eq!(
            (
                y16.income_households,
                y16.income_persons,
                y16.net_income_fen
            ),
            (1, 2, 900_000)
        );
        let y18 = a.years[&(v.clone(), 2018)];
        assert_eq!(y18.status_households[Exited.index()], 1);
        assert_eq!(y18.status_households[Poor.index()], 0);
        let y19 = a.years[&(v.clone(), 2019)];
        assert_eq!((y19.households, y19.income_households), (1, 0));
        assert_eq!(a.years.len(), 7); // 2014..=2020
        assert_eq!(
            a.causes[&(v, 2015, "01".to_string())],
            CauseFigures {
                households: 1,
                persons: 2
            }
        );
    }

    #[test]
    fn removed_households_drop_out() {
        let mut f = facts();
        f.statuses.push((date!(2019 - 05 - 01), Removed));
        let mut a = Aggregates::default();
        a.add_household(&f, 2020, 1);
        let v = RegionCode::parse("360124106204").unwrap();
        assert!(!a.years.contains_key(&(v.clone(), 2019)));
        assert_eq!(a.years[&(v, 2018)].households, 1);
    }

    #[test]
    fn delta_is_after_minus_before() {
        let before = facts();
        let mut after = facts();
        after.village = RegionCode::parse("360124106205").unwrap();
        let d = Aggregates::delta(Some(&before), Some(&after), 2020);
        let old = RegionCode::parse("360124106204").unwrap();
        assert_eq!(d.years[&(old, 2016)].households, -1);
        assert_eq!(
            d.years[&(after.village.clone(), 2016)].net_income_fen,
            900_000
        );
        assert!(Aggregates::delta(Some(&before), Some(&before), 2020)
            .years
            .is_empty());
    }

    #[test]
    fn rolled_up_adds_each_village_to_its_ancestors_once() {
        let mut other = facts();
        other.village = RegionCode::parse("360124106205").unwrap();
        let mut a = Aggregates::default();
        a.add_household(&facts(), 2020, 1);
        a.add_household(&other, 2020, 1);
        let r = a.rolled_up();
        let at = |code: &str, year: i32| r.years[&(RegionCode::parse(code).unwrap(), year)];
        for code in [
            "360124106000",
            "360124000000",
            "360100000000",
            "360000000000",
        ] {
            let mut both = at("360124106204", 2018);
            both += at("360124106205", 2018);
            assert_eq!(at(code, 2018), both, "{code}");
            let c = r.causes[&(RegionCode::parse(code).unwrap(), 2018, "01".to_string())];
            assert_eq!(c.households, 2, "{code}");
        }
        // nothing else appears: two villages with the same years, each (village, year) row gains
        // four ancestor rows, shared by both villages
        assert_eq!(r.years.len(), a.years.len() * 3);
        // rows above village level are not rolled up again
        let mut above = r.clone();
        above
            .years
            .retain(|(c, _), _| c.level() != crate::regions::Level::Village);
        above
            .causes
            .retain(|(c, _, _), _| c.level() != crate::regions::Level::Village);
        assert_eq!(above.rolled_up(), above);
        // a difference that cancels out within a township leaves the township untouched
        let mut m = Aggregates::default();
        m.add_household(&facts(), 2020, 1);
        m.add_household(&other, 2020, -1);
        let r = m.rolled_up();
        assert!(!r.years.keys().any(|(c, _)| c.as_str() == "360124106000"));
    }
}
