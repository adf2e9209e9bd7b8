//! The progress board (挂图作战): `/` and `/board?region=CODE&year=Y&compare=Y0[&screen=big]`.
//!
//! For one region of the user's scope and one year: tiles from `region_stats` (households, persons,
//! by status, per-capita net income and its growth, collective income) and `pairing_report` (cadres,
//! visits and their compliance, micro-wishes); charts (status and income by year, poverty causes,
//! visit compliance by child region); and the child regions as a table whose rows drill down to the
//! next level, province → village. With boundaries supplied (see `geo`) the children are also drawn
//! as a map. `screen=big` is the wall-screen layout; a button asks the browser for full screen.

use super::geo;
use crate::routes::Routes;
use crate::ui::fmt::{count, growth, pct, progress_class, share, wan, yuan, yuan_opt};
use crate::ui::forms::{region_input, FormState};
use crate::ui::i18n::{code_label, funds_label, level_label, status_label};
use crate::ui::layout::StoreAnswer;
use crate::ui::layout::{json_block, query_map, render, see_other, Crumb, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use fupin_core::accounts::Policy;
use fupin_core::codes::{table, CodeBook};
use fupin_core::pairing::PairingReport;
use fupin_core::registry::HouseholdStatus;
use fupin_core::reports::RegionStats;
use fupin_core::years::{today, FIRST_YEAR};
use fupin_core::{Ctx, RegionCode};
use maud::{html, Markup};
use serde_json::json;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/", home)
        .get("/board", board)
        .get("/geo/{code}", geo::children_geojson)
}

/// Years shown in the trend charts.
const TREND_YEARS: i32 = 6;

/// The start page: the board for those who read statistics, the phone pages for cadres.
async fn home(v: Viewer, state: State<AppState>, q: RawQuery) -> PageResult {
    if !v.has_regions(Policy::ReadStats) && v.is_cadre() {
        return Ok(see_other("/m"));
    }
    board(v, state, q).await
}

/// Share of pairings that met the visit minimum over the report's period.
fn compliance(r: &PairingReport) -> Option<f64> {
    share(r.compliant_pairings(), r.pairings_total)
}

/// The pairing report of the calendar year from the maintained figures only (for the current
/// year, the visits owed over the whole year against those made so far).
async fn pairing_report(
    app: &AppState,
    ctx: &Ctx,
    code: &RegionCode,
    year: i32,
) -> Result<Option<PairingReport>, PageError> {
    app.store
        .pairing_year_report(ctx, code, year)
        .await
        .or_none()
}

/// The default year of the board: the latest year whose income records are complete
/// ([`RegionStats::income_complete`]), so that the board does not open on a year still being
/// entered; failing that the latest year with any income record; failing that this year.
async fn latest_year(app: &AppState, ctx: &Ctx, code: &RegionCode) -> Result<i32, PageError> {
    let this = today().year();
    let mut any = None;
    for y in (this - 10..=this).rev() {
        if let Some(s) = app.store.region_stats(ctx, code, y).await.or_none()? {
            if s.income_complete() {
                return Ok(y);
            }
            if s.income_households > 0 && any.is_none() {
                any = Some(y);
            }
        }
    }
    Ok(any.unwrap_or(this))
}

fn parse_year(
    q: &std::collections::HashMap<String, String>,
    name: &str,
) -> Result<Option<i32>, PageError> {
    match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (FIRST_YEAR..=today().year()).contains(&y) => Ok(Some(y)),
            _ => Err(PageError::bad_request(format!(
                "年度 {name} 须为 {FIRST_YEAR} 到 {} 之间的年份",
                today().year()
            ))),
        },
    }
}

/// A child region's row of the table.
struct ChildRow {
    code: RegionCode,
    name: String,
    stats: Option<RegionStats>,
    compliance: Option<f64>,
}

async fn board(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let roots = v
        .caller
        .principal
        .regions_for(Policy::ReadStats)
        .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "您没有查看统计的权限"))?;
    let q = query_map(raw.as_deref());
    let code = match q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => crate::params::region_code("region", s)?,
        None => roots[0].clone(),
    };
    let region = app.store.region(&ctx, &code).await?;
    let year = match parse_year(&q, "year")? {
        Some(y) => y,
        None => latest_year(&app, &ctx, &code).await?,
    };
    let compare = parse_year(&q, "compare")?.unwrap_or(year - 1);
    let big = q.get("screen").is_some_and(|s| s == "big");

    // the year and the trend
    let first = (year - TREND_YEARS + 1).max(FIRST_YEAR);
    let mut trend: Vec<RegionStats> = Vec::new();
    for y in first..=year {
        trend.push(app.store.region_stats(&ctx, &code, y).await?);
    }
    let mut stats = trend.last().cloned().expect("at least the year itself");
    let compared = app
        .store
        .region_stats(&ctx, &code, compare)
        .await
        .or_none()?;
    if let Some(other) = &compared {
        stats.compare_with(other);
    }
    let report = pairing_report(&app, &ctx, &code, year).await?;
    // the year's services, from the measures' maintained figures
    let services = match time::Date::from_calendar_date(year, time::Month::January, 1) {
        Ok(jan1) => app
            .store
            .services_report(&ctx, &code, jan1, fupin_core::years::year_end(year))
            .await
            .or_none()?,
        Err(_) => None,
    };

    // the year's funds, from the funds report's maintained figures
    let funds = match time::Date::from_calendar_date(year, time::Month::January, 1) {
        Ok(jan1) => app
            .store
            .funds_report(&ctx, &code, jan1, fupin_core::years::year_end(year))
            .await
            .or_none()?,
        Err(_) => None,
    };

    // the children
    let children = app.store.region_children(&ctx, Some(&code)).await?;
    let mut rows = Vec::with_capacity(children.len());
    for c in &children {
        let s = app
            .store
            .region_stats(&ctx, &c.code, year)
            .await
            .or_none()?;
        // one row of the maintained figures per child
        let comp = pairing_report(&app, &ctx, &c.code, year)
            .await?
            .and_then(|r| compliance(&r));
        rows.push(ChildRow {
            code: c.code.clone(),
            name: c.name.clone(),
            stats: s,
            compliance: comp,
        });
    }
    let child_codes: Vec<RegionCode> = children.iter().map(|c| c.code.clone()).collect();
    let map = !child_codes.is_empty() && geo::has_map(&code, &child_codes);

    // breadcrumbs: the path from the province, linked within the user's scope
    let link =
        |c: &RegionCode| format!("/board?region={}&year={year}&compare={compare}", c.as_str());
    // drilling down (and up) keeps the wall-screen layout
    let screen = if big { "&screen=big" } else { "" };
    let nav_link = |c: &RegionCode| format!("{}{screen}", link(c));
    let crumbs: Vec<Crumb> = region
        .path
        .iter()
        .map(|p| {
            let reach = roots.iter().any(|r| r.contains(&p.code));
            (p.name.clone(), reach.then(|| nav_link(&p.code)))
        })
        .collect();

    // the years of the year list whose income records are partial (one row of the maintained
    // figures each), marked there and in the chart
    let mut partial_years: Vec<i32> = Vec::new();
    for y in FIRST_YEAR.max(2013)..=today().year() {
        let s = match trend.iter().find(|s| s.year == y) {
            Some(s) => Some(s.clone()),
            None => app.store.region_stats(&ctx, &code, y).await.or_none()?,
        };
        if s.is_some_and(|s| s.income_households > 0 && !s.income_complete()) {
            partial_years.push(y);
        }
    }
    let codes = app.store.code_book().await?;
    let mut data = chart_data(&v, &trend, &stats, &rows, map.then_some(&code), &codes);
    if let (Some(s), Some(o)) = (&services, data.as_object_mut()) {
        o.insert("employment".into(), employment_data(&v, s));
    }
    if let (Some(f), Some(o)) = (&funds, data.as_object_mut()) {
        o.insert("funds".into(), funds_data(&v, f));
    }
    let title = format!(
        "{} · {}",
        region.region.name,
        v.t("进度看板", "Progress board")
    );
    let body = html! {
        div.board-head {
            div {
                h1 { (region.region.name) " " small.muted { (level_label(v.lang, region.region.level)) } }
                @if let Some(pv) = &region.region.poor_village {
                    p { span.badge { (pv.designation) } }
                }
            }
            div.board-actions {
                form.inline method="get" action="/board" {
                    input type="hidden" name="region" value=(code.as_str());
                    @if big { input type="hidden" name="screen" value="big"; }
                    label for="year" { (v.t("年度", "Year")) }
                    select #year name="year" {
                        @for y in (FIRST_YEAR.max(2013)..=today().year()).rev() {
                            option value=(y) selected[y == year] {
                                (y)
                                @if partial_years.contains(&y) { (v.t("（收入记录不全）", " (incomplete incomes)")) }
                            }
                        }
                    }
                    label for="compare" { (v.t("对比", "Compare with")) }
                    select #compare name="compare" {
                        @for y in (FIRST_YEAR.max(2013)..=today().year()).rev() {
                            option value=(y) selected[y == compare] { (y) }
                        }
                    }
                    button type="submit" { (v.t("查看", "Show")) }
                }
                @if !big {
                    a.button #summary-link href=(format!("/summary?region={}", code.as_str())) { (v.t("工作总结", "Work summary")) }
                }
                @if big {
                    a.button href=(link(&code)) { (v.t("退出大屏", "Leave wall screen")) }
                } @else {
                    a.button href=(format!("{}&screen=big", link(&code))) { (v.t("大屏模式", "Wall screen")) }
                }
                button.button #fullscreen type="button" hidden data-fullscreen
                    data-label-on=(v.t("退出全屏", "Exit full screen")) { (v.t("全屏", "Full screen")) }
                @if !big && roots.iter().any(|r| r.level() < fupin_core::regions::Level::Village) {
                    details.region-switch-box #region-switch open[q.contains_key("pick")] {
                        summary { (v.t("选择区划", "Choose a region")) }
                        form.region-switch method="get" action="/board" {
                            (region_input(v.lang, &FormState::with_values(vec![("region".into(), code.to_string())]), "region", v.t("区划", "Region"), true, false))
                            input type="hidden" name="year" value=(year);
                            input type="hidden" name="compare" value=(compare);
                            button type="submit" #region-switch-go { (v.t("查看", "Show")) }
                        }
                    }
                }
                @if roots.len() > 1 {
                    nav.roots aria-label=(v.t("我的辖区", "My regions")) {
                        @for r in &roots {
                            a href=(nav_link(r)) { (r.as_str()) }
                        }
                    }
                }
            }
        }
        (tiles(&v, &stats, compared.as_ref(), report.as_ref(), year))
        @if let Some(s) = &services {
            (service_tiles(&v, s, &code, year))
        }
        @if let Some(f) = &funds {
            (funds_tiles(&v, f, &code, year))
        }
        // the map, when there is one, between the charts and the child regions: on the wall
        // screen it takes the centre
        div.board-body.no-table[rows.is_empty()].with-map[map] {
        section.charts aria-label=(v.t("图表", "Charts")) {
            (chart(&v, "chart-status", v.t("各年度贫困户状态（户）", "Households by status and year")))
            (chart(&v, "chart-income", v.t("人均纯收入（元）", "Per-capita net income (yuan)")))
            (chart(&v, "chart-causes", v.t("主要致贫原因（户）", "Main causes of poverty (households)")))
            @if services.is_some() {
                (chart(&v, "chart-employment", v.t("务工就业去向（人）", "Employment by destination (persons)")))
            }
            @if funds.is_some() {
                (chart(&v, "chart-funds-source", v.t("项目资金按来源（下达，万元）", "Project funds by source (allocated, 10k yuan)")))
                (chart(&v, "chart-disbursement", v.t("资金支付进度（%）", "Disbursement progress (%)")))
            }
            @if !rows.is_empty() {
                (chart(&v, "chart-compliance", v.t("下级走访达标率（%）", "Visit compliance by region (%)")))
            }
        }
        @if map {
            div.map-box {
                (chart(&v, "chart-map", v.t("下级脱贫进度地图", "Exit progress map")))
            }
        }
        (child_table(&v, &region.region.level, &rows, year, compare, screen))
        }
        @if region.region.level == fupin_core::regions::Level::Village || rows.is_empty() {
            p.households-link { a.button href=(format!("/households?region={}", code.as_str())) { (v.t("查看本区域农户", "Households of this region")) } }
        }
        (json_block("board-data", &data))
    };
    let mut shell = Shell::new(title, "/board");
    shell.crumbs = crumbs;
    shell.big = big;
    shell.charts = true;
    Ok(render(&v, shell, body))
}

fn chart(v: &Viewer, id: &str, title: &str) -> Markup {
    html! {
        figure.chart-box {
            figcaption { (title) }
            div.chart id=(id) role="img" aria-label=(title) {
                p.chart-fallback { (v.t("图表需要 JavaScript；数据见上方指标和下方表格。", "Charts need JavaScript; the figures are in the tiles and the table.")) }
            }
        }
    }
}

fn tile(key: &str, label: &str, value: String, unit: &str, note: Option<String>) -> Markup {
    html! {
        div.tile data-tile=(key) {
            span.tile-label { (label) }
            span.tile-value { span.value { (value) } @if !unit.is_empty() { " " span.unit { (unit) } } }
            @if let Some(n) = note { span.tile-note { (n) } }
        }
    }
}

/// "14/14 户有收入记录": how many of the households the income figure stands for.
fn coverage_note(v: &Viewer, s: &RegionStats) -> String {
    let (with, all) = s.income_coverage();
    format!(
        "{}/{} {}",
        count(with),
        count(all),
        v.t("户有收入记录", "households with an income record")
    )
}

fn tiles(
    v: &Viewer,
    s: &RegionStats,
    compared: Option<&RegionStats>,
    r: Option<&PairingReport>,
    year: i32,
) -> Markup {
    let hh = v.t("户", "hh");
    let persons = v.t("人", "persons");
    let (ex_h, ex_p) = s.of_status(HouseholdStatus::Exited);
    let (po_h, po_p) = s.registered_poor();
    let (mo_h, mo_p) = s.of_status(HouseholdStatus::Monitored);
    let growth_note = s
        .per_capita_net_income_growth_pct
        .and(s.compare_year)
        .map(|y| {
            format!(
                "{} {y} {} {}",
                v.t("较", "vs"),
                v.t("年", ""),
                growth(s.per_capita_net_income_growth_pct)
            )
        });
    // why there is no growth: one of the two years' income records is incomplete
    let not_comparable = compared
        .filter(|c| c.income_households > 0 && s.income_households > 0)
        .filter(|c| !(c.income_complete() && s.income_complete()))
        .map(|c| {
            format!(
                "{} {} {}（{}）",
                v.t("与", "Not compared with"),
                c.year,
                v.t(
                    "年收入记录覆盖不可比，不计增幅",
                    "(income records incomplete)"
                ),
                coverage_note(v, c)
            )
        });
    let partial = s.income_households > 0 && !s.income_complete();
    html! {
        section.tiles aria-label=(v.t("主要指标", "Key figures")) {
            (tile("households", v.t("建档立卡户", "Registered households"), count(s.households), hh, None))
            (tile("persons", v.t("建档立卡人口", "Registered persons"), count(s.persons), persons, None))
            (tile("exited", v.t("已脱贫", "Exited"), count(ex_h), hh,
                Some(format!("{} {} · {}", count(ex_p), persons, pct(share(ex_h, s.households))))))
            (tile("poor", v.t("未脱贫", "Not yet exited"), count(po_h), hh, Some(format!("{} {}", count(po_p), persons))))
            (tile("monitored", v.t("监测对象", "Monitored"), count(mo_h), hh, Some(format!("{} {}", count(mo_p), persons))))
            div.tile.wide.partial[partial] data-tile="income" data-partial=(partial) {
                span.tile-label {
                    (v.t("人均纯收入", "Per-capita net income")) " (" (year) ")"
                    @if partial { " " span.badge.warn { (v.t("部分户", "partial")) } }
                }
                span.tile-value { span.value { (yuan_opt(s.per_capita_net_income_fen)) } " " span.unit { (v.t("元", "yuan")) } }
                span.tile-note.coverage data-coverage=(format!("{}/{}", s.income_households, s.households)) { (coverage_note(v, s)) }
                @if let Some(n) = growth_note {
                    span.tile-note.growth data-growth=(growth(s.per_capita_net_income_growth_pct)) { (n) }
                }
                @if let Some(n) = not_comparable {
                    span.tile-note.no-growth { (n) }
                }
            }
            (tile("collective", v.t("村集体经济收入", "Collective income"),
                s.collective_income_fen.map(wan).unwrap_or_else(|| "—".into()), v.t("万元", "10k yuan"),
                s.collective_income_fen.map(|f| format!("{} {}", yuan(f), v.t("元", "yuan")))))
            @if let Some(r) = r {
                (tile("cadres", v.t("帮扶干部", "Pairing cadres"), count(r.cadres_total), v.t("人", "cadres"),
                    Some(format!("{} {}", count(r.pairings_total), v.t("对结对", "pairings")))))
                (tile("visits", v.t("年度走访", "Visits in the year"), count(r.visits_total), v.t("次", "visits"),
                    Some(format!("{} {} · {} {}", count(r.visits_person_times), v.t("人次", "person-times"),
                        yuan(r.money_and_goods_fen), v.t("元慰问", "yuan given")))))
                div.tile data-tile="compliance" {
                    span.tile-label { (v.t("走访达标率", "Visit compliance")) }
                    span.tile-value { span.value class=(progress_class(compliance(r))) { (pct(compliance(r))) } }
                    span.tile-note { (v.t("每户每年至少", "minimum per household and year:")) " " (r.visit_minimum) " " (v.t("次", "visits")) }
                }
                (tile("wishes", v.t("微心愿实现", "Wishes fulfilled"), count(r.wishes_fulfilled), v.t("个", ""),
                    Some(format!("{} {}", v.t("共提交", "of"), count(r.wishes_submitted)))))
            }
        }
    }
}

fn child_table(
    v: &Viewer,
    level: &fupin_core::regions::Level,
    rows: &[ChildRow],
    year: i32,
    compare: i32,
    screen: &str,
) -> Markup {
    if rows.is_empty() {
        return html! {};
    }
    let child_level = level.child().map(|l| level_label(v.lang, l)).unwrap_or("");
    // regions with nothing registered are folded away below the table
    let (rows, empty): (Vec<&ChildRow>, Vec<&ChildRow>) = rows
        .iter()
        .partition(|r| r.stats.as_ref().is_some_and(|s| s.households > 0));
    html! {
        section.table-section {
            h2 { (v.t("下级区划", "Child regions")) " · " (child_level) }
            div.table-wrap {
                table.data #children {
                    caption.sr-only { (v.t("下级区划的脱贫进度，点击名称查看下一级", "Progress of child regions; follow a name to drill down")) }
                    thead { tr {
                        th scope="col" { (v.t("区划", "Region")) }
                        th.num scope="col" { (v.t("户数", "Households")) }
                        th.num scope="col" { (v.t("人数", "Persons")) }
                        th.num scope="col" { (status_label(v.lang, HouseholdStatus::Exited)) }
                        th.num scope="col" { (v.t("未脱贫", "Not yet exited")) }
                        th.num scope="col" { (status_label(v.lang, HouseholdStatus::Monitored)) }
                        th scope="col" { (v.t("脱贫进度", "Exit progress")) }
                        th.num scope="col" { (v.t("人均纯收入（元）", "Per capita (yuan)")) }
                        th.num scope="col" { (v.t("走访达标率", "Visit compliance")) }
                    } }
                    tbody {
                        @for r in rows {
                            @let href = format!("/board?region={}&year={year}&compare={compare}{screen}", r.code.as_str());
                            tr data-code=(r.code.as_str()) {
                                th scope="row" { a href=(href) { (r.name) } }
                                @if let Some(s) = &r.stats {
                                    @let (ex, _) = s.of_status(HouseholdStatus::Exited);
                                    @let (po, _) = s.registered_poor();
                                    @let (mo, _) = s.of_status(HouseholdStatus::Monitored);
                                    @let rate = share(ex, s.households);
                                    td.num { (count(s.households)) }
                                    td.num { (count(s.persons)) }
                                    td.num { (count(ex)) }
                                    td.num { (count(po)) }
                                    td.num { (count(mo)) }
                                    td.progress class=(progress_class(rate)) {
                                        @if let Some(p) = rate {
                                            meter min="0" max="100" low="60" high="90" optimum="100" value=(p) { (pct(rate)) }
                                            " " span { (pct(rate)) }
                                        } @else { "—" }
                                    }
                                    td.num { (yuan_opt(s.per_capita_net_income_fen)) }
                                } @else {
                                    td colspan="7" { "—" }
                                }
                                td.num class=(progress_class(r.compliance)) { (pct(r.compliance)) }
                            }
                        }
                    }
                }
            }
            @if !empty.is_empty() {
                details #empty-children data-count=(empty.len()) {
                    summary {
                        @let unit = level.child().map(|l| region_noun(v, l)).unwrap_or("");
                        (empty.len()) " " (v.t(&format!("个{unit}无建档立卡户"), &format!("{unit} without registered households")))
                    }
                    ul.inline-list {
                        @for r in &empty {
                            li data-code=(r.code.as_str()) {
                                a href=(format!("/board?region={}&year={year}&compare={compare}{screen}", r.code.as_str())) { (r.name) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a region of a level is called in a sentence ("22 个乡镇无建档立卡户").
fn region_noun(v: &Viewer, l: fupin_core::regions::Level) -> &'static str {
    use fupin_core::regions::Level as L;
    match l {
        L::Nation => v.t("国家", "nations"),
        L::Province => v.t("省", "provinces"),
        L::City => v.t("市", "cities"),
        L::County => v.t("县（市、区）", "counties"),
        L::Township => v.t("乡镇", "townships"),
        L::Village => v.t("村", "villages"),
    }
}

/// The services tiles of the year: employment (with its destinations), training, workshops and
/// posts, students supported and the pension, each with the registered part the report keeps, and
/// a link to the report as a sheet.
fn service_tiles(
    v: &Viewer,
    s: &fupin_core::measures::ServicesReport,
    code: &RegionCode,
    year: i32,
) -> Markup {
    let e = &s.employment;
    let persons = v.t("人", "persons");
    let of_registered = |n: i64| format!("{} {}", v.t("其中建档立卡", "registered"), count(n));
    let sheet = format!(
        "/api/v1/regions/{}/services-report?from={year}-01-01&to={year}-12-31&format=xlsx",
        code.as_str()
    );
    html! {
        section.tiles aria-label=(v.t("帮扶成效", "Services")) {
            div.tile.wide data-tile="employment" {
                span.tile-label { (v.t("务工就业", "Employed")) " (" (year) ")" }
                span.tile-value { span.value { (count(e.total.total)) } " " span.unit { (persons) } }
                span.tile-note {
                    (v.t("县内", "in county")) " " (count(e.in_county.total)) " · "
                    (v.t("县外省内", "in province")) " " (count(e.in_province.total)) " · "
                    (v.t("跨省", "other provinces")) " " (count(e.cross_province.total)) " · "
                    (of_registered(e.total.registered))
                }
            }
            (tile("trained", v.t("技能培训", "Trained"), count(s.training.trained.total), persons,
                Some(format!("{} · {} {} {}", of_registered(s.training.trained.registered), v.t("补贴", "subsidies"),
                    yuan(s.training.subsidy_fen), v.t("元", "yuan")))))
            (tile("workshops", v.t("扶贫车间", "Poverty workshops"), count(s.workshops.total), v.t("个", ""),
                Some(format!("{} {} · {} {} {}", v.t("贫困村", "in poor villages"), count(s.workshops.in_poor_villages),
                    v.t("吸纳建档立卡", "registered labourers"), count(s.workshops.employed), persons))))
            (tile("posts", v.t("扶贫专岗", "Poverty posts"), count(s.posts.total), v.t("个", ""),
                Some(format!("{} {} · {} {} {}", v.t("贫困村", "in poor villages"), count(s.posts.in_poor_villages),
                    v.t("安置建档立卡", "registered employed"), count(s.posts.employed), persons))))
            (tile("students", v.t("学生资助", "Students supported"), count(s.education.students), persons,
                Some(format!("{} {} {}", v.t("免学费", "tuition waived"), yuan(s.education.tuition_waived_fen), v.t("元", "yuan")))))
            (tile("pension", v.t("养老保险参保", "Pension enrolled"), count(s.pension.enrolled), persons,
                Some(format!("{} {} · {} {}", v.t("领取", "receiving"), count(s.pension.receiving),
                    v.t("政府代缴", "paid by government"), count(s.pension.paid_by_government)))))
            div.tile data-tile="services-sheet" {
                span.tile-label { (v.t("帮扶成效报表", "Services report")) }
                span.tile-value { a href=(sheet) download { (v.t("下载 Excel", "Download Excel")) } }
            }
        }
    }
}

/// The funds tiles of the year: funds allocated (with the sources' amount), the disbursement
/// rate, projects overdue, dividends paid to households, and a link to the funds report as a sheet.
fn funds_tiles(
    v: &Viewer,
    f: &fupin_core::projects::FundsReport,
    code: &RegionCode,
    year: i32,
) -> Markup {
    let t = &f.sources_total;
    let sheet = format!(
        "/api/v1/regions/{}/funds-report?from={year}-01-01&to={year}-12-31&format=xlsx",
        code.as_str()
    );
    let wan_yuan = v.t("万元", "10k yuan");
    let (div_h, div_fen) = f
        .dividends
        .iter()
        .fold((0, 0), |(h, a), d| (h + d.households, a + d.amount_fen));
    html! {
        section.tiles aria-label=(v.t("项目资金", "Project funds")) {
            (tile("funds-allocated", v.t("项目资金下达", "Funds allocated"), wan(t.allocated_fen), wan_yuan,
                Some(format!("{} {} {} · {} {} {}", v.t("资金来源", "sources"), count(t.sources), v.t("笔", ""),
                    v.t("金额", "amounting to"), wan(t.amount_fen), wan_yuan))))
            (tile("funds-disbursed", v.t("资金支付进度", "Disbursement progress"), pct(t.disbursement_rate), "",
                Some(format!("{} {} / {} {} {}", v.t("已支付", "paid"), wan(t.disbursed_fen), v.t("已下达", "allocated"),
                    wan(t.allocated_fen), wan_yuan))))
            (tile("projects-year", v.t("年度项目", "Projects of the year"), count(f.projects_total.projects), v.t("个", ""),
                Some(format!("{} {} {} · {} {}", v.t("计划投资", "budget"), wan(f.projects_total.budget_fen), wan_yuan,
                    v.t("逾期未验收", "overdue"), count(f.overdue_projects)))))
            (tile("dividends", v.t("资产收益分红", "Dividends"), count(div_h), v.t("户", "hh"),
                Some(format!("{} {} {}", v.t("分红", "paid"), yuan(div_fen), v.t("元", "yuan")))))
            div.tile data-tile="funds-sheet" {
                span.tile-label { (v.t("项目资金报表", "Funds report")) }
                span.tile-value { a href=(sheet) download { (v.t("下载 Excel", "Download Excel")) } }
            }
        }
    }
}

/// Funds by source (allocated, in 万元) and the disbursement rate by project category for the
/// board's charts.
fn funds_data(v: &Viewer, f: &fupin_core::projects::FundsReport) -> serde_json::Value {
    let wan_f = |fen: i64| (fen as f64 / 10_000.0).round() / 100.0;
    let sources: Vec<serde_json::Value> = f
        .by_source
        .iter()
        .filter(|l| l.allocated_fen > 0 || l.amount_fen > 0)
        .map(|l| json!({ "name": funds_label(v.lang, &l.kind, &l.label), "value": wan_f(l.allocated_fen), "amount": wan_f(l.amount_fen) }))
        .collect();
    let mut progress: Vec<serde_json::Value> = f
        .by_category
        .iter()
        .filter(|l| l.allocated_fen > 0)
        .map(|l| json!({ "name": funds_label(v.lang, &l.key, &l.label), "rate": l.disbursement_rate, "allocated": wan_f(l.allocated_fen), "disbursed": wan_f(l.disbursed_fen) }))
        .collect();
    progress.push(json!({ "name": v.t("合计", "Total"), "rate": f.disbursement_rate,
        "allocated": wan_f(f.projects_total.allocated_fen), "disbursed": wan_f(f.projects_total.disbursed_fen) }));
    json!({ "sources": sources, "progress": progress })
}

/// Employment by destination for the board's chart: the persons employed in the county, elsewhere
/// in the province and in other provinces (registered or not).
fn employment_data(v: &Viewer, s: &fupin_core::measures::ServicesReport) -> serde_json::Value {
    let e = &s.employment;
    json!([
        { "name": v.t("县内", "In county"), "value": e.in_county.total, "registered": e.in_county.registered },
        { "name": v.t("县外省内", "Elsewhere in the province"), "value": e.in_province.total, "registered": e.in_province.registered },
        { "name": v.t("跨省", "Other provinces"), "value": e.cross_province.total, "registered": e.cross_province.registered },
    ])
}

/// What the board's script draws, as JSON.
fn chart_data(
    v: &Viewer,
    trend: &[RegionStats],
    stats: &RegionStats,
    rows: &[ChildRow],
    map: Option<&RegionCode>,
    codes: &CodeBook,
) -> serde_json::Value {
    let years: Vec<i32> = trend.iter().map(|s| s.year).collect();
    let statuses: Vec<serde_json::Value> = HouseholdStatus::ALL
        .iter()
        .filter(|s| **s != HouseholdStatus::Removed)
        .map(|st| {
            json!({
                "name": status_label(v.lang, *st),
                "code": st.as_str(),
                "values": trend.iter().map(|s| s.of_status(*st).0).collect::<Vec<_>>(),
            })
        })
        .collect();
    let income: Vec<Option<f64>> = trend
        .iter()
        .map(|s| s.per_capita_net_income_fen.map(|f| f as f64 / 100.0))
        .collect();
    let income_partial: Vec<bool> = trend
        .iter()
        .map(|s| s.income_households > 0 && !s.income_complete())
        .collect();
    let coverage: Vec<String> = trend
        .iter()
        .map(|s| format!("{}/{}", s.income_households, s.households))
        .collect();
    let causes: Vec<serde_json::Value> = stats
        .by_main_cause
        .iter()
        .map(|c| json!({ "name": code_label(v.lang, codes, table::POVERTY_CAUSE, &c.code), "value": c.households }))
        .collect();
    let children: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let exit = r
                .stats
                .as_ref()
                .and_then(|s| share(s.of_status(HouseholdStatus::Exited).0, s.households));
            json!({ "code": r.code.as_str(), "name": r.name, "compliance": r.compliance, "exit_rate": exit })
        })
        .collect();
    json!({
        "years": years,
        "statuses": statuses,
        "income": income,
        "income_partial": income_partial,
        "coverage": coverage,
        "causes": causes,
        "children": children,
        "map": map.map(|c| format!("/geo/{}", c.as_str())),
        "labels": {
            "income": v.t("人均纯收入（元）", "Per-capita net income (yuan)"),
            "compliance": v.t("走访达标率（%）", "Visit compliance (%)"),
            "exit_rate": v.t("脱贫率（%）", "Exit rate (%)"),
            "none": v.t("暂无数据", "No data"),
            "partial": v.t("（部分）", " (partial)"),
            "coverage": v.t("户有收入记录", "households with an income record"),
        },
    })
}
