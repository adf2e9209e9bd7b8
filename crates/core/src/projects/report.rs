//! The funds report (资金报表) of a region and years: funds by source, by project category and by
//! stage, the disbursement rate, projects by stage with the overdue ones, assets with their income,
//! and dividends per household — read from figures kept per (region, year, dimension, key) and
//! rolled up to every level above the village, so that a province answers from a few rows.
//!
//! What each dimension's counters mean (`n`, `a` … `d` of [`FundsTally`]):
//!
//! | dim | key | year | n | a | b | c | d |
//! |---|---|---|---|---|---|---|---|
//! | `source` | source kind | source's year (amount), movement's year (flows) | sources | amount | allocated | received | disbursed |
//! | `category` | project category | project's year | projects | budget | allocated | received | disbursed |
//! | `stage` | project stage | project's year | projects | budget | allocated | received | disbursed |
//! | `open` | planned end (YYYY-MM-DD) | project's year | projects not accepted | | | | |
//! | `asset` | asset kind | registered year | assets | value | | | |
//! | `asset_income` | asset kind | income's year | incomes | income | collective share | households' share | |
//! | `dividend` | `""` | dividend's year | dividends paid | amount | households paid | | |
//!
//! A source's amount counts at the region that holds it and above; flows, projects, assets and
//! dividends at the village they belong to (a dividend: the household's) and above. Every write
//! takes a record's rows away and adds them again, in its transaction ([`FundsDelta`]).

use crate::error::{DomainError, DomainResult};
use crate::projects::{AssetKind, Category, SourceKind, Stage};
use crate::regions::RegionCode;
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// The dimensions of the funds figures.
pub mod dim {
    pub const SOURCE: &str = "source";
    pub const CATEGORY: &str = "category";
    pub const STAGE: &str = "stage";
    pub const OPEN: &str = "open";
    pub const ASSET: &str = "asset";
    pub const ASSET_INCOME: &str = "asset_income";
    pub const DIVIDEND: &str = "dividend";
}

/// The counters of one (region, year, dimension, key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsTally {
    pub n: i64,
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub d: i64,
}

impl FundsTally {
    pub fn new(n: i64, a: i64, b: i64, c: i64, d: i64) -> Self {
        FundsTally { n, a, b, c, d }
    }
    pub fn add(&mut self, o: &FundsTally, sign: i64) {
        self.n += sign * o.n;
        self.a += sign * o.a;
        self.b += sign * o.b;
        self.c += sign * o.c;
        self.d += sign * o.d;
    }
    pub fn is_zero(&self) -> bool {
        *self == FundsTally::default()
    }
}

/// Which figures a row holds: year, dimension and key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FundsKey {
    pub year: i32,
    pub dim: String,
    pub key: String,
}

impl FundsKey {
    pub fn new(year: i32, dim: &str, key: &str) -> Self {
        FundsKey {
            year,
            dim: dim.to_string(),
            key: key.to_string(),
        }
    }
}

/// The regions a record's figures count at: its own region, every one above it and the nation
/// (once each: a township of a city without counties has the city as its parent).
pub fn counted_at(code: &RegionCode) -> Vec<RegionCode> {
    let mut v = code.ancestors();
    v.push(code.clone());
    v.push(RegionCode::nation());
    v.sort();
    v.dedup();
    v
}

/// Changes to the funds figures, by the region the record belongs to; rolled up when written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundsDelta {
    pub rows: BTreeMap<(RegionCode, FundsKey), FundsTally>,
}

impl FundsDelta {
    pub fn add(&mut self, region: &RegionCode, key: FundsKey, t: FundsTally, sign: i64) {
        let e = self.rows.entry((region.clone(), key)).or_default();
        e.add(&t, sign);
    }

    /// Every change at its region and the regions above, the ones that cancel out left out.
    pub fn rolled_up(&self) -> BTreeMap<(RegionCode, FundsKey), FundsTally> {
        let mut out: BTreeMap<(RegionCode, FundsKey), FundsTally> = BTreeMap::new();
        for ((code, key), t) in &self.rows {
            if t.is_zero() {
                continue;
            }
            for up in counted_at(code) {
                out.entry((up, key.clone())).or_default().add(t, 1);
            }
        }
        out.retain(|_, t| !t.is_zero());
        out
    }
}

/// What a project contributes to the figures: read from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFigures {
    pub village: RegionCode,
    pub year: i32,
    pub category: Category,
    pub stage: Stage,
    pub planned_end: Date,
    pub accepted: bool,
    pub budget_fen: i64,
    pub allocated_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
}

impl ProjectFigures {
    /// Add (`sign` 1) or take away (−1) the project's rows.
    pub fn apply(&self, delta: &mut FundsDelta, sign: i64) {
        let t = FundsTally::new(
            1,
            self.budget_fen,
            self.allocated_fen,
            self.received_fen,
            self.disbursed_fen,
        );
        delta.add(
            &self.village,
            FundsKey::new(self.year, dim::CATEGORY, self.category.as_str()),
            t,
            sign,
        );
        delta.add(
            &self.village,
            FundsKey::new(
                self.year,
                dim::STAGE,
                crate::assessment::Step::as_str(self.stage),
            ),
            t,
            sign,
        );
        if !self.accepted {
            delta.add(
                &self.village,
                FundsKey::new(self.year, dim::OPEN, &self.planned_end.to_string()),
                FundsTally::new(1, 0, 0, 0, 0),
                sign,
            );
        }
    }
}

/// The source row's counters for a movement of `fen`: allocated, received or disbursed.
pub fn source_flow(step: crate::projects::MoneyStep, fen: i64) -> FundsTally {
    use crate::projects::MoneyStep;
    match step {
        MoneyStep::Allocation => FundsTally::new(0, 0, fen, 0, 0),
        MoneyStep::Receipt => FundsTally::new(0, 0, 0, fen, 0),
        MoneyStep::Disbursement => FundsTally::new(0, 0, 0, 0, fen),
    }
}

/// The whole years a report covers: `from` a 1 January, `to` a 31 December, at most 20 years.
pub fn check_funds_period(from: Date, to: Date) -> DomainResult<(i32, i32)> {
    if from.month() != time::Month::January || from.day() != 1 {
        return Err(DomainError::invalid(
            "from",
            "period_not_whole_years",
            "报告期须为整年：from 须为某年1月1日",
        ));
    }
    if to.month() != time::Month::December || to.day() != 31 {
        return Err(DomainError::invalid(
            "to",
            "period_not_whole_years",
            "报告期须为整年：to 须为某年12月31日",
        ));
    }
    if to < from {
        return Err(DomainError::invalid(
            "to",
            "end_before_start",
            "结束日期不能早于开始日期",
        ));
    }
    if to.year() - from.year() >= 20 {
        return Err(DomainError::invalid(
            "to",
            "period_too_long",
            "统计期间最长 20 年",
        ));
    }
    Ok((from.year(), to.year()))
}

/// `part` of `whole` in per cent with one decimal, rounded half up in integers; none of nothing.
pub fn rate_pct(part: i64, whole: i64) -> Option<f64> {
    if whole <= 0 {
        return None;
    }
    let tenths = (part as i128 * 1000 * 2 + whole as i128) / (whole as i128 * 2);
    Some(tenths as f64 / 10.0)
}

/// Money by source kind in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceLine {
    pub kind: String,
    pub label: String,
    /// Sources recorded for the years (held by the region or below).
    pub sources: i64,
    pub amount_fen: i64,
    /// Allocated, received and disbursed in the years (by the movement's date).
    pub allocated_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    /// Disbursed ÷ allocated, per cent.
    pub disbursement_rate: Option<f64>,
}

/// The projects of the period's years by category or stage, with their money so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectLine {
    pub key: String,
    pub label: String,
    pub projects: i64,
    pub budget_fen: i64,
    pub allocated_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    pub disbursement_rate: Option<f64>,
}

/// Assets of a kind registered by the period's end, with their income in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetLine {
    pub kind: String,
    pub label: String,
    pub assets: i64,
    pub value_fen: i64,
    /// Asset-years paid in the period.
    pub incomes: i64,
    pub income_fen: i64,
    pub collective_fen: i64,
    pub households_fen: i64,
}

/// The dividends of a year: households paid, their sum and the mean per household.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DividendLine {
    pub year: i32,
    pub households: i64,
    pub payments: i64,
    pub amount_fen: i64,
    /// Σ ÷ households, rounded to whole fen.
    pub per_household_fen: Option<i64>,
}

/// An overdue project named in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueProject {
    pub id: crate::projects::ProjectId,
    pub village_code: RegionCode,
    pub name: String,
    pub stage: String,
    pub stage_label: String,
    pub planned_end: Date,
}

/// The funds report of a region and whole years.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsReport {
    pub region_code: RegionCode,
    pub from_year: i32,
    pub to_year: i32,
    /// The day "overdue" is judged on (today).
    pub as_of: Date,
    pub by_source: Vec<SourceLine>,
    /// Σ of the source lines.
    pub sources_total: SourceLine,
    pub by_category: Vec<ProjectLine>,
    pub by_stage: Vec<ProjectLine>,
    /// Σ of the projects of the years.
    pub projects_total: ProjectLine,
    /// Disbursed ÷ allocated over the projects of the years, per cent.
    pub disbursement_rate: Option<f64>,
    /// Projects of the years past their planned end on `as_of` and not accepted.
    pub overdue_projects: i64,
    /// The first of them (at most [`OVERDUE_SHOWN`]), earliest planned end first.
    pub overdue: Vec<OverdueProject>,
    pub assets: Vec<AssetLine>,
    pub assets_total: AssetLine,
    pub dividends: Vec<DividendLine>,
}

/// How many overdue projects the report names.
pub const OVERDUE_SHOWN: usize = 20;

fn project_line(key: &str, label: &str, t: &FundsTally) -> ProjectLine {
    ProjectLine {
        key: key.to_string(),
        label: label.to_string(),
        projects: t.n,
        budget_fen: t.a,
        allocated_fen: t.b,
        received_fen: t.c,
        disbursed_fen: t.d,
        disbursement_rate: rate_pct(t.d, t.b),
    }
}

impl FundsReport {
    /// The report from a region's rows: those of the years `from..=to`, and (for the assets'
    /// stock) those of `asset` up to `to`. `open` rows count as overdue when their planned end is
    /// before `as_of`. Rows of unknown keys are ignored (a key retired from the code tables).
    pub fn from_rows(
        region: RegionCode,
        (from, to): (i32, i32),
        as_of: Date,
        rows: &[(FundsKey, FundsTally)],
        overdue: Vec<OverdueProject>,
    ) -> FundsReport {
        Self::with_overdue(region, (from, to), as_of, rows, None, overdue)
    }

    /// As [`FundsReport::from_rows`], with the overdue count given (summed where the rows are)
    /// rather than taken from `open` rows.
    pub fn with_overdue(
        region: RegionCode,
        (from, to): (i32, i32),
        as_of: Date,
        rows: &[(FundsKey, FundsTally)],
        overdue_n: Option<i64>,
        overdue: Vec<OverdueProject>,
    ) -> FundsReport {
        let mut by: BTreeMap<(&str, &str), FundsTally> = BTreeMap::new();
        let mut dividends: BTreeMap<i32, FundsTally> = BTreeMap::new();
        let mut open_n = 0;
        let today = as_of.to_string();
        for (k, t) in rows {
            let asset_stock = k.dim == dim::ASSET && k.year <= to;
            if !asset_stock && !(from..=to).contains(&k.year) {
                continue;
            }
            match k.dim.as_str() {
                dim::OPEN => {
                    if k.key.as_str() < today.as_str() {
                        open_n += t.n;
                    }
                }
                dim::DIVIDEND => dividends.entry(k.year).or_default().add(t, 1),
                _ => by
                    .entry((k.dim.as_str(), k.key.as_str()))
                    .or_default()
                    .add(t, 1),
            }
        }
        let get = |d: &str, key: &str| by.get(&(d, key)).copied().unwrap_or_default();
        let source_line = |kind: &str, label: &str, t: FundsTally| SourceLine {
            kind: kind.to_string(),
            label: label.to_string(),
            sources: t.n,
            amount_fen: t.a,
            allocated_fen: t.b,
            received_fen: t.c,
            disbursed_fen: t.d,
            disbursement_rate: rate_pct(t.d, t.b),
        };
        let mut sources = FundsTally::default();
        let by_source = SourceKind::ALL
            .iter()
            .map(|k| {
                let t = get(dim::SOURCE, k.as_str());
                sources.add(&t, 1);
                source_line(k.as_str(), k.label(), t)
            })
            .collect();
        let mut projects = FundsTally::default();
        let by_category = Category::ALL
            .iter()
            .map(|c| {
                let t = get(dim::CATEGORY, c.as_str());
                projects.add(&t, 1);
                project_line(c.as_str(), c.label(), &t)
            })
            .collect();
        let by_stage = <Stage as crate::assessment::Step>::ORDER
            .iter()
            .map(|s| {
                use crate::assessment::Step;
                project_line(s.as_str(), s.label(), &get(dim::STAGE, s.as_str()))
            })
            .collect();
        let mut assets_total = AssetLine {
            kind: "total".into(),
            label: "合计".into(),
            assets: 0,
            value_fen: 0,
            incomes: 0,
            income_fen: 0,
            collective_fen: 0,
            households_fen: 0,
        };
        let assets = AssetKind::ALL
            .iter()
            .map(|k| {
                let s = get(dim::ASSET, k.as_str());
                let i = get(dim::ASSET_INCOME, k.as_str());
                let l = AssetLine {
                    kind: k.as_str().to_string(),
                    label: k.label().to_string(),
                    assets: s.n,
                    value_fen: s.a,
                    incomes: i.n,
                    income_fen: i.a,
                    collective_fen: i.b,
                    households_fen: i.c,
                };
                assets_total.assets += l.assets;
                assets_total.value_fen += l.value_fen;
                assets_total.incomes += l.incomes;
                assets_total.income_fen += l.income_fen;
                assets_total.collective_fen += l.collective_fen;
                assets_total.households_fen += l.households_fen;
                l
            })
            .collect();
        let dividends = dividends
            .into_iter()
            .filter(|(_, t)| !t.is_zero())
            .map(|(year, t)| DividendLine {
                year,
                households: t.b,
                payments: t.n,
                amount_fen: t.a,
                per_household_fen: crate::money::div_round(t.a, t.b),
            })
            .collect();
        FundsReport {
            region_code: region,
            from_year: from,
            to_year: to,
            as_of,
            by_source,
            sources_total: source_line("total", "合计", sources),
            by_category,
            by_stage,
            disbursement_rate: rate_pct(projects.d, projects.b),
            projects_total: project_line("total", "合计", &projects),
            overdue_projects: overdue_n.unwrap_or(open_n),
            overdue,
            assets,
            assets_total,
            dividends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn rolled_up_to_every_level_once() {
        let mut d = FundsDelta::default();
        let k = FundsKey::new(2016, dim::SOURCE, "central");
        d.add(
            &code("360124106204"),
            k.clone(),
            FundsTally::new(0, 0, 5, 0, 0),
            1,
        );
        d.add(
            &code("360124106205"),
            k.clone(),
            FundsTally::new(0, 0, 7, 0, 0),
            1,
        );
        // a change that cancels out writes nothing
        d.add(
            &code("360124106205"),
            FundsKey::new(2016, dim::OPEN, "2016-10-31"),
            FundsTally::new(1, 0, 0, 0, 0),
            1,
        );
        d.add(
            &code("360124106205"),
            FundsKey::new(2016, dim::OPEN, "2016-10-31"),
            FundsTally::new(1, 0, 0, 0, 0),
            -1,
        );
        let up = d.rolled_up();
        let at = |c: &str| up.get(&(code(c), k.clone())).map(|t| t.b);
        assert_eq!(at("360124106204"), Some(5));
        assert_eq!(at("360124106000"), Some(12));
        assert_eq!(at("360124000000"), Some(12));
        assert_eq!(at("360100000000"), Some(12));
        assert_eq!(at("360000000000"), Some(12));
        assert_eq!(at("000000000000"), Some(12));
        assert_eq!(up.len(), 2 + 5);
        // a township of a city without counties counts once at the city
        assert_eq!(counted_at(&code("441900003001")).len(), 5);
    }

    #[test]
    fn whole_years_only() {
        assert_eq!(
            check_funds_period(date!(2015 - 01 - 01), date!(2019 - 12 - 31)).unwrap(),
            (2015, 2019)
        );
        let e = check_funds_period(date!(2015 - 02 - 01), date!(2019 - 12 - 31)).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("period_not_whole_years", Some("from"))
        );
        let e = check_funds_period(date!(2015 - 01 - 01), date!(2019 - 12 - 30)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
        let e = check_funds_period(date!(2019 - 01 - 01), date!(2015 - 12 - 31)).unwrap_err();
        assert_eq!(e.code, "end_before_start");
    }

    #[test]
    fn rates_in_tenths() {
        assert_eq!(rate_pct(1, 3), Some(33.3));
        assert_eq!(rate_pct(2, 3), Some(66.7));
        assert_eq!(rate_pct(5, 5), Some(100.0));
        assert_eq!(rate_pct(5, 0), None);
    }

    #[test]
    fn report_from_rows() {
        let rows = vec![
            (
                FundsKey::new(2016, dim::SOURCE, "central"),
                FundsTally::new(1, 1000, 600, 500, 300),
            ),
            (
                FundsKey::new(2015, dim::SOURCE, "central"),
                FundsTally::new(1, 9, 9, 9, 9),
            ),
            (
                FundsKey::new(2016, dim::CATEGORY, "infrastructure"),
                FundsTally::new(2, 800, 600, 500, 300),
            ),
            (
                FundsKey::new(2016, dim::OPEN, "2016-10-31"),
                FundsTally::new(1, 0, 0, 0, 0),
            ),
            (
                FundsKey::new(2016, dim::OPEN, "2017-03-01"),
                FundsTally::new(1, 0, 0, 0, 0),
            ),
            (
                FundsKey::new(2014, dim::ASSET, "road"),
                FundsTally::new(1, 50, 0, 0, 0),
            ),
            (
                FundsKey::new(2016, dim::DIVIDEND, ""),
                FundsTally::new(3, 1000, 2, 0, 0),
            ),
        ];
        let r = FundsReport::from_rows(
            code("360124000000"),
            (2016, 2016),
            date!(2017 - 03 - 01),
            &rows,
            Vec::new(),
        );
        assert_eq!(r.sources_total.amount_fen, 1000);
        assert_eq!(r.by_source[0].disbursement_rate, Some(50.0));
        assert_eq!(r.projects_total.projects, 2);
        assert_eq!(r.disbursement_rate, Some(50.0));
        assert_eq!(r.overdue_projects, 1);
        assert_eq!(r.assets_total.assets, 1);
        assert_eq!(r.dividends[0].per_household_fen, Some(500));
    }
}
