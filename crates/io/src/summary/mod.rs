//! The work summary (帮扶工作总结) as a document: its facts gathered from the store
//! ([`gather`]), written by core ([`fupin_core::reports::summary::Summary::compose`]), and rendered
//! as Markdown, printable HTML (A4) or DOCX, with its charts drawn here (SVG in HTML, PNG in DOCX).

mod area_tables;
mod chart;
mod docx;
mod html;
mod layout;
mod tables;

pub use area_tables::{funds_table, measures_table, pairing_table};
pub use docx::{docx_text, to_docx};
pub use html::to_html;
pub use tables::registry_table;

use fupin_core::accounts::Policy;
use fupin_core::registry::HouseholdStatus;
use fupin_core::reports::summary::*;
use fupin_core::store::{Store, StoreResult};
use fupin_core::{Ctx, DomainError, RegionCode};
use time::{Date, Month};

/// The document formats of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    Json,
    Markdown,
    Html,
    Docx,
}

impl SummaryFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "md" | "markdown" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            "docx" => Some(Self::Docx),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Docx => "docx",
        }
    }
}

/// The longest period a summary covers, in calendar years (as for the other reports).
const MAX_YEARS: i32 = 20;

/// Check a summary's period: `from` ≤ `to`, at most twenty calendar years.
pub fn check_period(from: Date, to: Date) -> Result<(), DomainError> {
    if to < from {
        return Err(DomainError::invalid(
            "to",
            "end_before_start",
            "结束日期不能早于开始日期",
        ));
    }
    if to.year() - from.year() >= MAX_YEARS {
        return Err(DomainError::invalid(
            "from",
            "period_too_long",
            format!("统计期间最长 {MAX_YEARS} 年"),
        ));
    }
    Ok(())
}

/// The whole months inside `[from, to]` (the services report counts by month), if any.
fn whole_months(from: Date, to: Date) -> Option<(Date, Date)> {
    let start = if from.day() == 1 {
        from
    } else {
        let (y, m) = if from.month() == Month::December {
            (from.year() + 1, Month::January)
        } else {
            (from.year(), from.month().next())
        };
        Date::from_calendar_date(y, m, 1).ok()?
    };
    let end = match to.next_day() {
        Some(n) if n.day() == 1 => to,
        _ => Date::from_calendar_date(to.year(), to.month(), 1)
            .ok()?
            .previous_day()?,
    };
    (start <= end).then_some((start, end))
}

/// 1 January of `from`'s year.
fn year_start(from: Date) -> Result<Date, DomainError> {
    Date::from_calendar_date(from.year(), Month::January, 1)
        .map_err(|_| DomainError::invalid("from", "invalid_date", "起始日无效"))
}

/// Gather what the summary of `region` over `[from, to]` is written from, as `ctx` may see it;
/// `unit` names one helping unit (its designations only; the region's figures stay the region's).
pub async fn gather(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    from: Date,
    to: Date,
    unit: Option<&str>,
    made_on: Date,
) -> StoreResult<SummaryFacts> {
    check_period(from, to)?;
    ctx.require(region, "区划")?;
    let r = store.region(ctx, region).await?;
    let mut years = Vec::new();
    for y in from.year()..=to.year() {
        let st = store.region_stats(ctx, region, y).await?;
        let (poor_households, poor_persons) = st.registered_poor();
        let (exited_households, exited_persons) = st.of_status(HouseholdStatus::Exited);
        years.push(YearFacts {
            year: y,
            households: st.households,
            persons: st.persons,
            poor_households,
            poor_persons,
            exited_households,
            exited_persons,
            income_households: st.income_households,
            per_capita_net_income_fen: st.per_capita_net_income_fen,
            collective_income_fen: st.collective_income_fen,
        });
    }

    let mut units = Vec::new();
    let designations = store.designations(ctx, region).await?;
    // a unit named must be one designated in the region (by its registered name): otherwise the
    // summary would silently leave the unit out
    if let Some(u) = unit {
        if !designations.iter().any(|d| d.unit_name == u) {
            return Err(DomainError::not_found(
                "unit_not_found",
                "该帮扶单位不存在或不在您的管辖范围内",
            )
            .with_field("unit"));
        }
    }
    let team = store.team_members(ctx, region).await?;
    for d in designations {
        if unit.is_some_and(|u| u != d.unit_name) {
            continue;
        }
        if d.start_date > to || d.end_date.is_some_and(|e| e < from) {
            continue;
        }
        let village = store
            .region(ctx, &d.village_code)
            .await
            .map(|v| v.region.name)
            .unwrap_or_else(|_| d.village_code.as_str().to_string());
        let in_period: Vec<_> = team
            .iter()
            .filter(|t| {
                t.unit_name == d.unit_name
                    && t.village_code == d.village_code
                    && t.start_date <= to
                    && t.end_date.is_none_or(|e| e >= from)
            })
            .collect();
        let mut first_secretaries: Vec<String> = in_period
            .iter()
            .filter(|t| t.role == fupin_core::pairing::TeamRole::FirstSecretary)
            .map(|t| t.cadre_name.clone())
            .collect();
        first_secretaries.dedup();
        units.push(UnitFacts {
            name: d.unit_name.clone(),
            village,
            since: d.start_date,
            first_secretaries,
            team_members: in_period.len() as i64,
        });
    }

    let calendar = from.month() == Month::January
        && from.day() == 1
        && to.month() == Month::December
        && to.day() == 31
        && from.year() == to.year();
    let pairing = if calendar || region.level() >= fupin_core::regions::Level::Township {
        let p = store.pairing_report(ctx, region, from, to).await?;
        (p.pairings_total > 0).then_some(PairingFacts {
            cadres: p.cadres_total,
            pairings: p.pairings_total,
            visits_person_times: p.visits_person_times,
            condolence_money_fen: p.condolence_money_fen,
            goods_value_fen: p.goods_value_fen,
            money_and_goods_fen: p.money_and_goods_fen,
            wishes_fulfilled: p.wishes_fulfilled,
            visits_required: p.visits_required,
            visits_done: p.visits_done,
            visit_minimum: p.visit_minimum,
            by_years: None,
        })
    } else {
        // above a township the store answers calendar years: sum the years the period touches
        let mut sum: Option<PairingFacts> = None;
        for y in from.year()..=to.year() {
            let p = store.pairing_year_report(ctx, region, y).await?;
            let s = sum.get_or_insert(PairingFacts {
                cadres: 0,
                pairings: 0,
                visits_person_times: 0,
                condolence_money_fen: 0,
                goods_value_fen: 0,
                money_and_goods_fen: 0,
                wishes_fulfilled: 0,
                visits_required: 0,
                visits_done: 0,
                visit_minimum: p.visit_minimum,
                by_years: Some((from.year(), to.year())),
            });
            s.cadres = s.cadres.max(p.cadres_total);
            s.pairings += p.pairings_total;
            s.visits_person_times += p.visits_person_times;
            s.condolence_money_fen += p.condolence_money_fen;
            s.goods_value_fen += p.goods_value_fen;
            s.money_and_goods_fen += p.money_and_goods_fen;
            s.wishes_fulfilled += p.wishes_fulfilled;
            s.visits_required += p.visits_required;
            s.visits_done += p.visits_done;
        }
        sum.filter(|s| s.pairings > 0)
    };

    let services = match whole_months(from, to) {
        Some((a, b)) => {
            let s = store.services_report(ctx, region, a, b).await?;
            let f = ServiceFacts {
                from: a,
                to: b,
                served_total: s.served.total,
                served_registered: s.served.registered,
                employed_total: s.employment.total.total,
                employed_registered: s.employment.total.registered,
                employed_in_county: s.employment.in_county.registered,
                employed_in_province: s.employment.in_province.registered,
                employed_cross_province: s.employment.cross_province.registered,
                on_posts: s.employment.on_posts,
                in_workshops: s.employment.in_workshops,
                trained: s.training.trained.registered,
                training_subsidy_fen: s.training.subsidy_fen + s.training.living_allowance_fen,
                startup_loans: s.loans.startup,
                microcredit: s.loans.microcredit,
                loans_fen: s.loans.startup_fen + s.loans.microcredit_fen,
                outreach_events: s.health.outreach_events,
                outreach_person_times: s.health.outreach_served.total,
                medicine_fen: s.health.medicine_fen,
                students: s.education.students,
                tuition_waived_fen: s.education.tuition_waived_fen,
                grants_fen: s.education.grants_fen,
                pension_enrolled: s.pension.enrolled,
                pension_paid_by_government_fen: s.pension.paid_by_government_fen,
            };
            let any = f.served_total
                + f.employed_total
                + f.on_posts
                + f.trained
                + f.startup_loans
                + f.microcredit
                + f.outreach_events
                + f.students
                + f.pension_enrolled
                > 0;
            any.then_some(f)
        }
        None => None,
    };

    // projects and their money from the funds report of the whole years the period touches (the
    // figures kept with every write): a few rows at any scope, never the projects themselves
    let funds = store
        .funds_report(
            ctx,
            region,
            year_start(from)?,
            fupin_core::years::year_end(to.year()),
        )
        .await?;
    let mut projects = ProjectFacts {
        projects: funds.projects_total.projects,
        budget_fen: funds.projects_total.budget_fen,
        disbursed_fen: funds.projects_total.disbursed_fen,
        by_category: funds
            .by_category
            .iter()
            .filter(|c| c.projects > 0)
            .map(|c| (c.key.clone(), c.label.clone(), c.projects, c.budget_fen))
            .collect(),
    };
    projects.by_category.sort_by_key(|c| std::cmp::Reverse(c.3));

    let board = store.rectification_board(ctx, region, None, to).await?;
    let rectification = (board.total.found > 0).then_some(RectificationFacts {
        found: board.total.found,
        closed: board.total.closed,
        open: board.total.in_progress,
    });

    Ok(SummaryFacts {
        region: fupin_core::regions::RegionRef {
            code: r.region.code.clone(),
            name: r.region.name.clone(),
            level: r.region.level,
        },
        from,
        to,
        made_on,
        unit_filter: unit.map(str::to_string),
        units,
        years,
        pairing,
        services,
        projects: (projects.projects > 0).then_some(projects),
        rectification,
    })
}

/// The summary of a region and period, written.
pub async fn summary(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    from: Date,
    to: Date,
    unit: Option<&str>,
    made_on: Date,
) -> StoreResult<Summary> {
    let facts = gather(store, ctx, region, from, to, unit, made_on).await?;
    Ok(Summary::compose(&facts))
}

/// The policy a summary needs: reading the registry's figures.
pub const POLICY: Policy = Policy::ReadRegistry;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn services_are_counted_over_whole_months() {
        assert_eq!(
            whole_months(date!(2015 - 10 - 01), date!(2019 - 08 - 30)),
            Some((date!(2015 - 10 - 01), date!(2019 - 07 - 31)))
        );
        assert_eq!(
            whole_months(date!(2015 - 10 - 02), date!(2019 - 08 - 31)),
            Some((date!(2015 - 11 - 01), date!(2019 - 08 - 31)))
        );
        assert_eq!(
            whole_months(date!(2015 - 12 - 15), date!(2016 - 01 - 31)),
            Some((date!(2016 - 01 - 01), date!(2016 - 01 - 31)))
        );
        assert_eq!(
            whole_months(date!(2019 - 08 - 02), date!(2019 - 08 - 30)),
            None
        );
    }

    #[test]
    fn periods_are_checked() {
        assert_eq!(
            check_period(date!(2019 - 01 - 02), date!(2019 - 01 - 01))
                .unwrap_err()
                .code,
            "end_before_start"
        );
        assert_eq!(
            check_period(date!(1999 - 12 - 31), date!(2019 - 12 - 31))
                .unwrap_err()
                .code,
            "period_too_long"
        );
        assert!(check_period(date!(2000 - 01 - 01), date!(2019 - 12 - 31)).is_ok());
    }
}
