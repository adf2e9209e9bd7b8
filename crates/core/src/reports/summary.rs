//! The work summary (帮扶工作总结): the figures of a region (and optionally one helping unit) over a
//! period, written as the Chinese prose a county office sends upward, each figure kept beside the API
//! query that answers it.
//!
//! [`SummaryFacts`] holds what the store answered; [`Summary::compose`] turns it into sections and an
//! appendix of figures. A section appears only when its data exists: no pairing, no pairing paragraph;
//! no projects, no projects paragraph (never a paragraph of zeros).
//!
//! Which years are compared:
//! - per-capita net income: the first and the last **complete calendar years** inside the period that
//!   have income records (a whole year of work each); when the period holds fewer than two such years,
//!   the first and last years it touches that have income records;
//! - village collective income: the period's first year (its level when the work began) against the
//!   same last year as the incomes;
//! - households, persons and exits: at the end of that last year.

use crate::regions::RegionRef;
use crate::reports::growth_pct;
use serde::{Deserialize, Serialize};
use time::Date;

/// One year's registry figures of the scope (from the region statistics).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearFacts {
    pub year: i32,
    pub households: i64,
    pub persons: i64,
    pub poor_households: i64,
    pub poor_persons: i64,
    pub exited_households: i64,
    pub exited_persons: i64,
    pub income_households: i64,
    pub per_capita_net_income_fen: Option<i64>,
    pub collective_income_fen: Option<i64>,
}

/// Pairing and visits over the period (from the pairing report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingFacts {
    pub cadres: i64,
    pub pairings: i64,
    pub visits_person_times: i64,
    pub condolence_money_fen: i64,
    pub goods_value_fen: i64,
    pub money_and_goods_fen: i64,
    pub wishes_fulfilled: i64,
    pub visits_required: i64,
    pub visits_done: i64,
    pub visit_minimum: i64,
    /// Set when the figures are the sums of whole calendar years (first, last) because the store
    /// answers other periods for a township or village only; `cadres` is then the most in one year.
    pub by_years: Option<(i32, i32)>,
}

/// A helping unit designated to a village of the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFacts {
    pub name: String,
    pub village: String,
    pub since: Date,
    /// First secretaries and work-team members of the unit in the scope during the period.
    pub first_secretaries: Vec<String>,
    pub team_members: i64,
}

/// Services and measures over the period's whole months (from the services report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceFacts {
    pub from: Date,
    pub to: Date,
    pub served_total: i64,
    pub served_registered: i64,
    pub employed_total: i64,
    pub employed_registered: i64,
    pub employed_in_county: i64,
    pub employed_in_province: i64,
    pub employed_cross_province: i64,
    pub on_posts: i64,
    pub in_workshops: i64,
    pub trained: i64,
    pub training_subsidy_fen: i64,
    pub startup_loans: i64,
    pub microcredit: i64,
    pub loans_fen: i64,
    pub outreach_events: i64,
    pub outreach_person_times: i64,
    pub medicine_fen: i64,
    pub students: i64,
    pub tuition_waived_fen: i64,
    pub grants_fen: i64,
    pub pension_enrolled: i64,
    pub pension_paid_by_government_fen: i64,
}

/// Projects of the scope whose year falls in the period's years (from the funds report of those
/// whole years, the figures kept with every write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectFacts {
    pub projects: i64,
    /// Σ budgets (项目资金, the funds coordinated for them).
    pub budget_fen: i64,
    pub disbursed_fen: i64,
    /// (category code, label, projects, budget fen), categories with projects only.
    pub by_category: Vec<(String, String, i64, i64)>,
}

/// Rectification problems of the scope found in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationFacts {
    pub found: i64,
    pub closed: i64,
    pub open: i64,
}

/// Everything the summary is written from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryFacts {
    pub region: RegionRef,
    pub from: Date,
    pub to: Date,
    /// The day the summary is made (its date line).
    pub made_on: Date,
    /// The helping unit asked for (`unit=`), when one was.
    pub unit_filter: Option<String>,
    pub units: Vec<UnitFacts>,
    /// Every year the period touches, in order.
    pub years: Vec<YearFacts>,
    pub pairing: Option<PairingFacts>,
    pub services: Option<ServiceFacts>,
    pub projects: Option<ProjectFacts>,
    pub rectification: Option<RectificationFacts>,
}

/// How a figure's value is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FigureUnit {
    Count,
    Fen,
    /// Tenths of a per cent (34.3% is 343).
    PermilleTenth,
}

/// One figure of the summary and the query that answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub value: i64,
    pub unit: FigureUnit,
    /// As written in the text.
    pub text: String,
    /// The API request (`GET …`) whose answer holds the figure.
    pub query: String,
    /// The answer's field; `Σ field` for a sum over the listed items.
    pub field: String,
}

/// One section: a heading and its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub key: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// A data series for a chart (label, value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Chart {
    pub key: String,
    pub title: String,
    pub unit: String,
    /// (category label, series values), one series per entry of `series`.
    pub series: Vec<String>,
    pub points: Vec<(String, Vec<i64>)>,
}

/// The written summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub title: String,
    pub issuer: String,
    pub date: String,
    pub period: String,
    pub region: RegionRef,
    pub from: Date,
    pub to: Date,
    pub sections: Vec<Section>,
    pub charts: Vec<Chart>,
    pub figures: Vec<Figure>,
}

/// A summary frozen as it was made (what was sent upward), to be shown again unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub id: i64,
    pub region_code: crate::RegionCode,
    pub from: Date,
    pub to: Date,
    pub unit: Option<String>,
    pub made_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub made_at: time::OffsetDateTime,
    pub summary: Summary,
}

/// A snapshot in a list (without its body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotInfo {
    pub id: i64,
    pub region_code: crate::RegionCode,
    pub from: Date,
    pub to: Date,
    pub unit: Option<String>,
    pub title: String,
    pub made_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub made_at: time::OffsetDateTime,
}

/// A figure that differs between a snapshot and today's summary of the same region and period
/// (`then` or `now` absent when the figure appears on one side only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureChange {
    pub key: String,
    pub label: String,
    pub then: Option<i64>,
    pub now: Option<i64>,
    pub then_text: Option<String>,
    pub now_text: Option<String>,
}

/// What changed between a summary as frozen and as written today, in the order of the figures.
pub fn changes(then: &Summary, now: &Summary) -> Vec<FigureChange> {
    let mut out = Vec::new();
    for f in &then.figures {
        let n = now.figures.iter().find(|g| g.key == f.key);
        if n.map(|g| g.value) != Some(f.value) {
            out.push(FigureChange {
                key: f.key.clone(),
                label: n.map_or(f.label.clone(), |g| g.label.clone()),
                then: Some(f.value),
                now: n.map(|g| g.value),
                then_text: Some(f.text.clone()),
                now_text: n.map(|g| g.text.clone()),
            });
        }
    }
    for g in &now.figures {
        if !then.figures.iter().any(|f| f.key == g.key) {
            out.push(FigureChange {
                key: g.key.clone(),
                label: g.label.clone(),
                then: None,
                now: Some(g.value),
                then_text: None,
                now_text: Some(g.text.clone()),
            });
        }
    }
    out
}

/// Yuan with thousands separators, e.g. `1,760,000`, and two decimals only when there are fen.
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let (y, f) = (a / 100, a % 100);
    let digits = y.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if f == 0 {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{f:02}")
    }
}

/// A count with thousands separators.
pub fn count_text(n: i64) -> String {
    yuan_text(n * 100)
}

/// Large yuan amounts as 万元 with up to two decimals (`2,600,000` → `260 万`), smaller as 元.
pub fn wan_text(fen: i64) -> String {
    let yuan = fen / 100;
    if yuan.abs() < 10_000 {
        return format!("{} 元", yuan_text(fen));
    }
    // 万 with two decimals, rounded half away from zero
    let hundredths = (fen.abs() + 5_000) / 10_000 * fen.signum();
    let (w, d) = (hundredths / 100, (hundredths % 100).abs());
    let text = if d == 0 {
        format!("{w}")
    } else if d % 10 == 0 {
        format!("{w}.{}", d / 10)
    } else {
        format!("{w}.{d:02}")
    };
    format!("{text} 万元")
}

fn date_text(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

fn last_day_of_year(y: i32) -> Option<Date> {
    Date::from_calendar_date(y, time::Month::December, 31).ok()
}

fn first_day_of_year(y: i32) -> Option<Date> {
    Date::from_calendar_date(y, time::Month::January, 1).ok()
}

struct Builder {
    code: String,
    figures: Vec<Figure>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn fig(
        &mut self,
        key: &str,
        label: &str,
        value: i64,
        unit: FigureUnit,
        text: String,
        query: String,
        field: &str,
    ) -> String {
        self.figures.push(Figure {
            key: key.into(),
            label: label.into(),
            value,
            unit,
            text: text.clone(),
            query,
            field: field.into(),
        });
        text
    }
    fn stats(&self, year: i32) -> String {
        format!("GET /api/v1/regions/{}/stats?year={year}", self.code)
    }
}

impl SummaryFacts {
    /// The two years whose per-capita incomes are compared (see the module's rule), and the last
    /// year whose end-of-year figures are reported.
    pub fn compared_years(&self) -> (Option<i32>, Option<i32>) {
        let with_income: Vec<&YearFacts> = self
            .years
            .iter()
            .filter(|y| y.per_capita_net_income_fen.is_some())
            .collect();
        let complete: Vec<i32> = with_income
            .iter()
            .map(|y| y.year)
            .filter(|&y| {
                first_day_of_year(y).is_some_and(|d| d >= self.from)
                    && last_day_of_year(y).is_some_and(|d| d <= self.to)
            })
            .collect();
        let pick = if complete.len() >= 2 {
            complete
        } else {
            with_income.iter().map(|y| y.year).collect()
        };
        match (pick.first(), pick.last()) {
            (Some(&a), Some(&b)) if a < b => (Some(a), Some(b)),
            (_, Some(&b)) => (None, Some(b)),
            _ => (None, None),
        }
    }

    /// The year whose end is reported for households, persons and exits: the last complete year
    /// of the period that has figures, else the period's last year.
    fn report_year(&self) -> Option<&YearFacts> {
        let complete = self
            .years
            .iter()
            .rfind(|y| y.households > 0 && last_day_of_year(y.year).is_some_and(|d| d <= self.to));
        complete.or_else(|| self.years.iter().rfind(|y| y.households > 0))
    }

    fn year(&self, y: i32) -> Option<&YearFacts> {
        self.years.iter().find(|f| f.year == y)
    }
}

impl Summary {
    /// Write the summary from its facts.
    pub fn compose(f: &SummaryFacts) -> Summary {
        let code = f.region.code.as_str().to_string();
        let name = f.region.name.clone();
        let mut b = Builder {
            code: code.clone(),
            figures: Vec::new(),
        };
        let mut sections = Vec::new();
        let mut charts = Vec::new();
        let period = format!("{}至{}", date_text(f.from), date_text(f.to));
        let issuer = match (&f.unit_filter, f.units.first()) {
            (Some(u), _) => u.clone(),
            (None, Some(u)) if f.units.iter().all(|x| x.name == u.name) => u.name.clone(),
            _ => format!("{name}扶贫工作领导小组办公室"),
        };

        // overview
        let mut overview = Vec::new();
        if let Some(y) = f.report_year() {
            let h = b.fig(
                "households",
                "建档立卡贫困户（户）",
                y.households,
                FigureUnit::Count,
                count_text(y.households),
                b.stats(y.year),
                "households",
            );
            let p = b.fig(
                "persons",
                "建档立卡贫困人口（人）",
                y.persons,
                FigureUnit::Count,
                count_text(y.persons),
                b.stats(y.year),
                "persons",
            );
            let mut s = format!(
                "{name}共有建档立卡贫困户 {h} 户 {p} 人（{} 年底）。",
                y.year
            );
            for u in &f.units {
                s.push_str(&format!(
                    "{}自{}起定点帮扶{}",
                    u.name,
                    format_args!("{}年{}月", u.since.year(), u8::from(u.since.month())),
                    u.village
                ));
                if !u.first_secretaries.is_empty() {
                    s.push_str(&format!("，选派第一书记{}", u.first_secretaries.join("、")));
                }
                if u.team_members > 0 {
                    s.push_str(&format!("，驻村工作队 {} 人", u.team_members));
                }
                s.push('。');
            }
            overview.push(s);
        }
        if !overview.is_empty() {
            sections.push(Section {
                key: "overview".into(),
                heading: "一、基本情况".into(),
                paragraphs: overview,
            });
        }

        // pairing and visits
        if let Some(p) = f.pairing.as_ref().filter(|p| p.pairings > 0) {
            let q = match p.by_years {
                None => format!(
                    "GET /api/v1/regions/{code}/pairing-report?from={}&to={}",
                    f.from, f.to
                ),
                Some((a, z)) => {
                    format!("GET /api/v1/regions/{code}/pairing-report?year=Y, Y = {a}…{z}")
                }
            };
            let sum = |field: &str| match p.by_years {
                None => field.to_string(),
                Some(_) => format!("Σ {field}"),
            };
            let cadres_field = match p.by_years {
                None => "cadres_total".to_string(),
                Some(_) => "max cadres_total".to_string(),
            };
            let cadres = b.fig(
                "cadres",
                "结对帮扶干部（人）",
                p.cadres,
                FigureUnit::Count,
                count_text(p.cadres),
                q.clone(),
                &cadres_field,
            );
            let visits = b.fig(
                "visits_person_times",
                "走访慰问（人次）",
                p.visits_person_times,
                FigureUnit::Count,
                count_text(p.visits_person_times),
                q.clone(),
                &sum("visits_person_times"),
            );
            let years_note = match p.by_years {
                None => String::new(),
                Some((a, z)) => format!("（按 {a}—{z} 年度统计，干部数为年度最多）"),
            };
            let mut s = format!(
                "坚持结对帮扶{years_note}，{cadres} 名干部与贫困户结成帮扶对子，每户 1 至 2 名，每户每年走访不少于 {} 次；\
                 期间各级干部走访慰问 {visits} 人次",
                p.visit_minimum
            );
            if p.money_and_goods_fen > 0 {
                let m = b.fig(
                    "money_and_goods_fen",
                    "慰问金和物资（元）",
                    p.money_and_goods_fen,
                    FigureUnit::Fen,
                    wan_text(p.money_and_goods_fen),
                    q.clone(),
                    &sum("money_and_goods_fen"),
                );
                s.push_str(&format!(
                    "，送去慰问金和物资共计 {m}（{} 元）",
                    yuan_text(p.money_and_goods_fen)
                ));
            }
            s.push('。');
            if p.wishes_fulfilled > 0 {
                let w = b.fig(
                    "wishes_fulfilled",
                    "实现微心愿（个）",
                    p.wishes_fulfilled,
                    FigureUnit::Count,
                    count_text(p.wishes_fulfilled),
                    q.clone(),
                    &sum("wishes_fulfilled"),
                );
                s.push_str(&format!("帮助贫困群众实现微心愿 {w} 个。"));
            }
            if p.visits_required > 0 {
                s.push_str(&format!(
                    "按走访要求应走访 {} 次，已完成 {} 次。",
                    count_text(p.visits_required),
                    count_text(p.visits_done)
                ));
            }
            sections.push(Section {
                key: "pairing".into(),
                heading: "二、结对帮扶和走访慰问".into(),
                paragraphs: vec![s],
            });
        }

        // services and measures
        if let Some(sv) = f.services.as_ref() {
            let q = format!(
                "GET /api/v1/regions/{code}/services-report?from={}&to={}",
                sv.from, sv.to
            );
            let mut parts = Vec::new();
            if sv.employed_registered > 0 || sv.employed_total > 0 {
                let e = b.fig(
                    "employed_registered",
                    "务工就业的建档立卡贫困人口（人）",
                    sv.employed_registered,
                    FigureUnit::Count,
                    count_text(sv.employed_registered),
                    q.clone(),
                    "employment.total.registered",
                );
                parts.push(format!(
                    "帮助 {e} 名建档立卡贫困人口务工就业（县内 {}、县外省内 {}、跨省 {} 人次）",
                    count_text(sv.employed_in_county),
                    count_text(sv.employed_in_province),
                    count_text(sv.employed_cross_province)
                ));
            }
            if sv.on_posts > 0 {
                let v = b.fig(
                    "on_posts",
                    "公益性岗位安置（人）",
                    sv.on_posts,
                    FigureUnit::Count,
                    count_text(sv.on_posts),
                    q.clone(),
                    "employment.on_posts",
                );
                parts.push(format!("公益性岗位安置 {v} 人"));
            }
            if sv.in_workshops > 0 {
                parts.push(format!("扶贫车间就业 {} 人", count_text(sv.in_workshops)));
            }
            if sv.startup_loans + sv.microcredit > 0 {
                let v = b.fig(
                    "startup_loans",
                    "创业担保贷款（笔）",
                    sv.startup_loans,
                    FigureUnit::Count,
                    count_text(sv.startup_loans),
                    q.clone(),
                    "loans.startup",
                );
                parts.push(format!(
                    "发放创业担保贷款 {v} 笔、扶贫小额信贷 {} 笔，共 {}",
                    count_text(sv.microcredit),
                    wan_text(sv.loans_fen)
                ));
            }
            if sv.trained > 0 {
                parts.push(format!(
                    "开展就业技能培训 {} 人，发放培训补贴 {}",
                    count_text(sv.trained),
                    wan_text(sv.training_subsidy_fen)
                ));
            }
            if sv.outreach_events > 0 {
                let v = b.fig(
                    "outreach_events",
                    "义诊活动（次）",
                    sv.outreach_events,
                    FigureUnit::Count,
                    count_text(sv.outreach_events),
                    q.clone(),
                    "health.outreach_events",
                );
                let pt = b.fig(
                    "outreach_person_times",
                    "义诊服务（人次）",
                    sv.outreach_person_times,
                    FigureUnit::Count,
                    count_text(sv.outreach_person_times),
                    q.clone(),
                    "health.outreach_served.total",
                );
                parts.push(format!(
                    "组织义诊 {v} 次，服务群众 {pt} 人次，赠送药品价值 {}",
                    wan_text(sv.medicine_fen)
                ));
            }
            if sv.students > 0 {
                parts.push(format!(
                    "资助贫困学生 {} 人，减免学费 {}、发放助学金 {}",
                    count_text(sv.students),
                    wan_text(sv.tuition_waived_fen),
                    wan_text(sv.grants_fen)
                ));
            }
            if sv.pension_enrolled > 0 {
                parts.push(format!(
                    "{} 名贫困人口参加城乡居民养老保险，政府代缴 {}",
                    count_text(sv.pension_enrolled),
                    wan_text(sv.pension_paid_by_government_fen)
                ));
            }
            if sv.served_total > 0 {
                parts.push(format!(
                    "提供公共就业服务 {} 人次（其中建档立卡贫困人口 {} 人）",
                    count_text(sv.served_total),
                    count_text(sv.served_registered)
                ));
            }
            if !parts.is_empty() {
                sections.push(Section {
                    key: "services".into(),
                    heading: "三、就业、健康和其他帮扶措施".into(),
                    paragraphs: vec![format!("{}。", parts.join("；"))],
                });
            }
        }

        // projects and funds
        if let Some(pj) = f.projects.as_ref().filter(|p| p.projects > 0) {
            // the funds report answers whole years: those the period touches, as counted here
            let q = format!(
                "GET /api/v1/regions/{code}/funds-report?from={}&to={}",
                f.from.year(),
                f.to.year()
            );
            let total = b.fig(
                "projects_budget_fen",
                "项目和配套资金（元）",
                pj.budget_fen,
                FigureUnit::Fen,
                wan_text(pj.budget_fen),
                q.clone(),
                "projects_total.budget_fen",
            );
            let count = b.fig(
                "projects",
                "帮扶项目（个）",
                pj.projects,
                FigureUnit::Count,
                count_text(pj.projects),
                q.clone(),
                "projects_total.projects",
            );
            let mut s = format!("协调实施帮扶项目 {count} 个，落实项目和配套资金约 {total}");
            let mut cats = Vec::new();
            for (c, label, n, fen) in &pj.by_category {
                let text = b.fig(
                    &format!("projects_{c}_fen"),
                    &format!("{label}项目资金（元）"),
                    *fen,
                    FigureUnit::Fen,
                    wan_text(*fen),
                    q.clone(),
                    &format!("by_category[{c}].budget_fen"),
                );
                cats.push(format!("{label} {n} 个 {text}"));
            }
            if !cats.is_empty() {
                s.push_str(&format!("，其中{}", cats.join("，")));
            }
            let paid = b.fig(
                "projects_disbursed_fen",
                "项目已支出资金（元）",
                pj.disbursed_fen,
                FigureUnit::Fen,
                wan_text(pj.disbursed_fen),
                q.clone(),
                "projects_total.disbursed_fen",
            );
            s.push_str(&format!("；已支出 {paid}。"));
            sections.push(Section {
                key: "projects".into(),
                heading: "四、项目和资金".into(),
                paragraphs: vec![s],
            });
        }

        // collective economy
        let (first, last) = f.compared_years();
        let first_year = f.years.first().map(|y| y.year);
        if let (Some(y0), Some(y1)) = (first_year, last) {
            if let (Some(c0), Some(c1)) = (
                f.year(y0).and_then(|y| y.collective_income_fen),
                f.year(y1).and_then(|y| y.collective_income_fen),
            ) {
                if y0 < y1 {
                    let a = b.fig(
                        "collective_income_first_fen",
                        &format!("{y0} 年村集体经济收入（元）"),
                        c0,
                        FigureUnit::Fen,
                        yuan_text(c0),
                        b.stats(y0),
                        "collective_income_fen",
                    );
                    let z = b.fig(
                        "collective_income_last_fen",
                        &format!("{y1} 年村集体经济收入（元）"),
                        c1,
                        FigureUnit::Fen,
                        yuan_text(c1),
                        b.stats(y1),
                        "collective_income_fen",
                    );
                    let under = if (0..500_000).contains(&c0) {
                        "（不足 5,000 元）"
                    } else {
                        ""
                    };
                    sections.push(Section {
                        key: "collective".into(),
                        heading: "五、产业发展和集体经济".into(),
                        paragraphs: vec![format!(
                            "村集体经济收入由 {y0} 年的 {a} 元{under}增加到 {y1} 年的 {z} 元（{}）。",
                            wan_text(c1)
                        )],
                    });
                }
            }
        }

        // incomes and exits
        let mut income = Vec::new();
        if let (Some(y0), Some(y1)) = (first, last) {
            let (a, z) = (
                f.year(y0).and_then(|y| y.per_capita_net_income_fen),
                f.year(y1).and_then(|y| y.per_capita_net_income_fen),
            );
            if let (Some(a), Some(z)) = (a, z) {
                let at = b.fig(
                    "per_capita_first_fen",
                    &format!("{y0} 年贫困户人均纯收入（元）"),
                    a,
                    FigureUnit::Fen,
                    yuan_text(a),
                    b.stats(y0),
                    "per_capita_net_income_fen",
                );
                let zt = b.fig(
                    "per_capita_last_fen",
                    &format!("{y1} 年贫困户人均纯收入（元）"),
                    z,
                    FigureUnit::Fen,
                    yuan_text(z),
                    b.stats(y1),
                    "per_capita_net_income_fen",
                );
                let mut s = format!("贫困户人均纯收入由 {y0} 年的 {at} 元增加到 {y1} 年的 {zt} 元");
                if let Some(g) = growth_pct(a, z) {
                    let tenths = (g * 10.0).round() as i64;
                    let gt = b.fig(
                        "per_capita_growth",
                        "人均纯收入增幅（%）",
                        tenths,
                        FigureUnit::PermilleTenth,
                        format!("{g:.1}%"),
                        format!("{}&compare={y0}", b.stats(y1)),
                        "per_capita_net_income_growth_pct",
                    );
                    s.push_str(&format!("，增长 {gt}"));
                }
                s.push('。');
                income.push(s);
            }
        }
        if let Some(y) = f.report_year() {
            if y.exited_households > 0 {
                let e = b.fig(
                    "exited_households",
                    "已脱贫户（户）",
                    y.exited_households,
                    FigureUnit::Count,
                    count_text(y.exited_households),
                    b.stats(y.year),
                    "by_status[exited].households",
                );
                let mut s = format!(
                    "至 {} 年底，已脱贫 {e} 户 {} 人",
                    y.year,
                    count_text(y.exited_persons)
                );
                if y.poor_households > 0 {
                    s.push_str(&format!(
                        "，尚未脱贫 {} 户 {} 人",
                        count_text(y.poor_households),
                        count_text(y.poor_persons)
                    ));
                } else {
                    s.push_str("，建档立卡贫困户全部脱贫");
                }
                s.push('。');
                income.push(s);
            }
        }
        if !income.is_empty() {
            sections.push(Section {
                key: "incomes".into(),
                heading: "六、收入和脱贫".into(),
                paragraphs: income,
            });
        }
        let with_income: Vec<&YearFacts> = f
            .years
            .iter()
            .filter(|y| y.per_capita_net_income_fen.is_some())
            .collect();
        if with_income.len() >= 2 {
            charts.push(Chart {
                key: "income_trend".into(),
                title: "贫困户人均纯收入（元）".into(),
                unit: "元".into(),
                series: vec!["人均纯收入".into()],
                points: with_income
                    .iter()
                    .map(|y| {
                        (
                            y.year.to_string(),
                            vec![y.per_capita_net_income_fen.unwrap_or(0) / 100],
                        )
                    })
                    .collect(),
            });
        }
        let with_households: Vec<&YearFacts> =
            f.years.iter().filter(|y| y.households > 0).collect();
        if with_households.len() >= 2 {
            charts.push(Chart {
                key: "status_by_year".into(),
                title: "贫困户脱贫情况（户）".into(),
                unit: "户".into(),
                series: vec!["未脱贫".into(), "已脱贫".into()],
                points: with_households
                    .iter()
                    .map(|y| {
                        (
                            y.year.to_string(),
                            vec![y.poor_households, y.exited_households],
                        )
                    })
                    .collect(),
            });
        }

        // rectification
        if let Some(r) = f.rectification.as_ref().filter(|r| r.found > 0) {
            let q = format!("GET /api/v1/regions/{code}/rectification?as_of={}", f.to);
            let found = b.fig(
                "problems_found",
                "发现问题（个）",
                r.found,
                FigureUnit::Count,
                count_text(r.found),
                q.clone(),
                "total.found",
            );
            let closed = b.fig(
                "problems_closed",
                "已销号问题（个）",
                r.closed,
                FigureUnit::Count,
                count_text(r.closed),
                q,
                "total.closed",
            );
            let mut s =
                format!("对照问题清单逐项整改，共发现问题 {found} 个，已整改销号 {closed} 个");
            if r.open > 0 {
                s.push_str(&format!("，尚在整改 {} 个", count_text(r.open)));
            }
            s.push('。');
            sections.push(Section {
                key: "rectification".into(),
                heading: "七、问题整改".into(),
                paragraphs: vec![s],
            });
        }

        sections.push(Section {
            key: "next".into(),
            heading: "八、下一步工作打算".into(),
            paragraphs: vec!["（请填写下一步工作打算。）".into()],
        });
        // number the headings in order, as sections without data are left out
        const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        for (i, s) in sections.iter_mut().enumerate() {
            if let Some((_, rest)) = s.heading.split_once('、') {
                s.heading = format!("{}、{rest}", NUMERALS[i.min(9)]);
            }
        }

        Summary {
            title: format!("{name}脱贫攻坚帮扶工作总结"),
            issuer,
            date: date_text(f.made_on),
            period,
            region: f.region.clone(),
            from: f.from,
            to: f.to,
            sections,
            charts,
            figures: b.figures,
        }
    }

    /// The whole text as Markdown (headings, paragraphs, and the appendix of figures).
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "# {}\n\n{}　{}\n\n（{}）\n\n",
            self.title, self.issuer, self.date, self.period
        );
        for sec in &self.sections {
            s.push_str(&format!("## {}\n\n", sec.heading));
            for p in &sec.paragraphs {
                s.push_str(&format!("{p}\n\n"));
            }
        }
        s.push_str("## 附表：数据来源\n\n| 指标 | 数值 | 查询 | 字段 |\n|---|---|---|---|\n");
        for f in &self.figures {
            s.push_str(&format!(
                "| {} | {} | `{}` | `{}` |\n",
                f.label, f.text, f.query, f.field
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::Level;
    use crate::RegionCode;
    use time::macros::date;

    fn year(y: i32, poor: i64, exited: i64, pc: Option<i64>, coll: Option<i64>) -> YearFacts {
        YearFacts {
            year: y,
            households: poor + exited,
            persons: (poor + exited) * 3,
            poor_households: poor,
            poor_persons: poor * 3,
            exited_households: exited,
            exited_persons: exited * 3,
            income_households: if pc.is_some() { poor + exited } else { 0 },
            per_capita_net_income_fen: pc,
            collective_income_fen: coll,
        }
    }

    fn facts() -> SummaryFacts {
        SummaryFacts {
            region: RegionRef {
                code: RegionCode::parse("360124106204").unwrap(),
                name: "塔岗村".into(),
                level: Level::Village,
            },
            from: date!(2015 - 10 - 01),
            to: date!(2019 - 08 - 30),
            made_on: date!(2019 - 08 - 30),
            unit_filter: None,
            units: vec![],
            years: vec![
                year(2015, 14, 0, Some(470_889), Some(480_000)),
                year(2016, 13, 1, Some(555_800), Some(1_500_000)),
                year(2017, 11, 3, Some(637_031), None),
                year(2018, 7, 7, Some(746_700), Some(7_000_000)),
                year(2019, 0, 14, Some(830_613), Some(7_000_000)),
            ],
            pairing: None,
            services: None,
            projects: None,
            rectification: None,
        }
    }

    #[test]
    fn incomes_compare_the_complete_years_of_the_period() {
        let f = facts();
        assert_eq!(f.compared_years(), (Some(2016), Some(2018)));
        let s = Summary::compose(&f);
        let text = s.to_markdown();
        assert!(
            text.contains("2016 年的 5,558 元增加到 2018 年的 7,467 元，增长 34.3%"),
            "{text}"
        );
        assert!(
            text.contains(
                "由 2015 年的 4,800 元（不足 5,000 元）增加到 2018 年的 70,000 元（7 万元）"
            ),
            "{text}"
        );
        assert!(
            text.contains("至 2018 年底，已脱贫 7 户 21 人，尚未脱贫 7 户 21 人"),
            "{text}"
        );
        let g = s
            .figures
            .iter()
            .find(|f| f.key == "per_capita_growth")
            .unwrap();
        assert_eq!(g.value, 343);
        assert_eq!(
            g.query,
            "GET /api/v1/regions/360124106204/stats?year=2018&compare=2016"
        );
    }

    #[test]
    fn sections_without_data_are_left_out_and_headings_renumbered() {
        let s = Summary::compose(&facts());
        let keys: Vec<&str> = s.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["overview", "collective", "incomes", "next"]);
        assert_eq!(s.sections[1].heading, "二、产业发展和集体经济");
        assert!(!s.to_markdown().contains("结对"));
        // a period of one complete year: nothing to compare, no growth
        let mut one = facts();
        one.from = date!(2018 - 01 - 01);
        one.to = date!(2018 - 12 - 31);
        one.years.retain(|y| y.year == 2018);
        let s = Summary::compose(&one);
        assert!(s.figures.iter().all(|f| f.key != "per_capita_growth"));
        assert!(s.sections.iter().all(|s| s.key != "collective"));
    }

    #[test]
    fn changes_list_what_moved_appeared_or_went() {
        let then = Summary::compose(&facts());
        let mut f = facts();
        f.years[3].per_capita_net_income_fen = Some(750_000);
        f.years[0].collective_income_fen = None;
        let now = Summary::compose(&f);
        let c = changes(&then, &now);
        let keys: Vec<&str> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "collective_income_first_fen",
                "collective_income_last_fen",
                "per_capita_last_fen",
                "per_capita_growth"
            ]
        );
        assert_eq!((c[2].then, c[2].now), (Some(746_700), Some(750_000)));
        assert_eq!(
            c[0].now, None,
            "no collective section without the first year"
        );
        assert!(changes(&then, &then).is_empty());
    }

    #[test]
    fn amounts_are_written_as_offices_write_them() {
        assert_eq!(yuan_text(746_700), "7,467");
        assert_eq!(yuan_text(123), "1.23");
        assert_eq!(yuan_text(176_000_000), "1,760,000");
        assert_eq!(wan_text(260_000_000), "260 万元");
        assert_eq!(wan_text(12_000_000), "12 万元");
        assert_eq!(wan_text(3_050_000), "3.05 万元");
        assert_eq!(wan_text(3_100_000), "3.1 万元");
        assert_eq!(wan_text(480_000), "4,800 元");
        assert_eq!(count_text(44_142), "44,142");
    }
}
