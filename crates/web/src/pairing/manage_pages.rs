//! The offices' pairing pages: the region's pairing overview with the households that have no active
//! cadre (paged by cursor, from the maintained figures), a household's pairing form (pair a cadre,
//! replace the cadre, end a pairing with its reason), a cadre's page with their load against the
//! limit in force, and the helping units with their cadres and village work teams.
//!
//! Every form posts back to the page it is on; the store checks the limits and dates and its message
//! is shown beside the input it names, with what was typed kept.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{select, textarea, FormState, Input};
use crate::ui::layout::{parse_id, query_map, render, see_other, sort_header, Shell, StoreAnswer};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::paging::Keyset;
use fupin_core::pairing::{
    Cadre, CadreId, EndPairingInput, HelpingUnit, Pairing, PairingId, PairingInput, PairingLimits,
    TeamMember, TeamRole, UnitId,
};
use fupin_core::registry::{HouseholdDetail, HouseholdId};
use fupin_core::years::{parse_date, today};
use fupin_core::{Ctx, DomainError, ErrorKind, Problems, RegionCode};
use maud::{html, Markup};
use time::{Date, Month};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/pairing", overview)
        .get("/households/{id}/pairing", household_pairing)
        .post("/households/{id}/pairing", save_pairing)
        .get("/cadres/{id}", cadre_page)
        .get("/units", units)
        .get("/units/{id}", unit_page)
}

/// Households without a cadre shown on one page of the overview.
const PER_PAGE: u32 = 50;
/// Most cadres offered in a drop-down (a county's offices; beyond it the cadre's number is typed).
const MAX_CHOICES: u32 = 500;

fn correctable(e: &DomainError) -> bool {
    matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict)
}

/// The region a page is about: `?region=` when given, else the first region the user reaches.
fn region_of(
    v: &Viewer,
    q: &std::collections::HashMap<String, String>,
    policy: Policy,
) -> Result<RegionCode, PageError> {
    if let Some(r) = q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        return RegionCode::parse(r).map_err(|_| PageError::bad_request("区划代码无效"));
    }
    v.caller
        .principal
        .regions_for(policy)
        .and_then(|r| r.first().cloned())
        .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "没有可查看的区划"))
}

/// One cadre by id, if the caller may name them (the list's page that starts with them).
async fn one_cadre(app: &AppState, ctx: &Ctx, id: CadreId) -> Result<Option<Cadre>, PageError> {
    let page = Keyset::after((id.0 - 1).to_string(), 1);
    Ok(app
        .store
        .list_cadres(ctx, None, &page)
        .await?
        .items
        .into_iter()
        .find(|c| c.id == id))
}

/// The cadres the caller may pair, for a drop-down: (id, "name · unit").
/// The cadres offered in the drop-downs, and whether the caller reaches more than they hold (then
/// the page offers a search by name, and the drop-downs hold what it found).
struct CadreChoices {
    options: Vec<(String, String)>,
    more: bool,
}

/// Cadres found by a name search on the page (a few screens of them at most).
const FOUND_CHOICES: u32 = 50;

async fn cadre_choices(app: &AppState, ctx: &Ctx, name: &str) -> Result<CadreChoices, PageError> {
    let listing = if name.is_empty() {
        app.store
            .list_cadres(ctx, None, &Keyset::first(MAX_CHOICES))
            .await
    } else {
        app.store
            .find_cadres(ctx, name, &Keyset::first(FOUND_CHOICES))
            .await
    };
    let Some(l) = listing.or_none()? else {
        return Ok(CadreChoices {
            options: Vec::new(),
            more: false,
        });
    };
    Ok(CadreChoices {
        more: l.next.is_some(),
        options: l
            .items
            .into_iter()
            .map(|c| (c.id.0.to_string(), format!("{} · {}", c.name, c.unit_name)))
            .collect(),
    })
}

// ---- overview ---------------------------------------------------------------------------------

async fn overview(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let q = query_map(raw.as_deref());
    let region = region_of(&v, &q, Policy::ReadStats)?;
    let r = app.store.region(&ctx, &region).await?;
    let after = q.get("after").and_then(|a| {
        let (v, id) = a.split_once('-')?;
        Some((RegionCode::parse(v).ok()?, HouseholdId(id.parse().ok()?)))
    });
    let year = today().year();
    let from = Date::from_calendar_date(year, Month::January, 1).expect("1 January");
    let to = Date::from_calendar_date(year, Month::December, 31).expect("31 December");
    let report = app.store.pairing_report(&ctx, &region, from, to).await?;
    let descending = fupin_core::paging::parse_sort(q.get("sort").map(String::as_str), "village")?;
    let mut rows = app
        .store
        .households_without_cadre(&ctx, &region, after.clone(), descending, PER_PAGE + 1)
        .await?;
    let next = (rows.len() > PER_PAGE as usize).then(|| {
        rows.truncate(PER_PAGE as usize);
        rows.last()
            .map(|h| format!("{}-{}", h.village_code, h.household_id.0))
            .unwrap_or_default()
    });
    let can_edit = v.has_regions(Policy::WriteRegistry);
    let href = |after: Option<&str>| {
        let mut pairs = vec![("region", region.to_string())];
        if descending {
            pairs.push(("sort", "-village".to_string()));
        }
        if let Some(a) = after {
            pairs.push(("after", a.to_string()));
        }
        format!(
            "/pairing?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let body = html! {
        div.page-head {
            h1 { (v.t("结对帮扶", "Pairing")) " " small.muted { (r.region.name) } }
            div.actions { a.button href="/units" { (v.t("帮扶单位与工作队", "Units and work teams")) } }
        }
        p.muted { (r.full_name) }
        div.tiles {
            div.tile #tile-pairings { span.tile-label { (year) " " (v.t("年结对", "pairings")) } span.tile-value { (report.pairings_total) } }
            div.tile #tile-cadres { span.tile-label { (v.t("帮扶干部", "Cadres")) } span.tile-value { (report.cadres_total) } }
            div.tile #tile-without { span.tile-label { (v.t("无帮扶干部的户", "Households without a cadre")) } span.tile-value { (report.households_without_cadre_count) } }
            div.tile #tile-limit { span.tile-label { (v.t("每名干部最多结对", "Households per cadre at most")) } span.tile-value { (report.limits.households_per_cadre) } }
        }
        @if let Some(over) = &report.cadres_over_limit {
            @if !over.is_empty() {
                section #over-limit {
                    h2 { (v.t("超过结对上限的干部", "Cadres over the limit")) }
                    ul { @for c in over { li { a href=(format!("/cadres/{}", c.cadre_id.0)) { (c.cadre_name) } " · " (c.count) " " (v.t("户", "households")) } } }
                }
            }
        }
        section #without-cadre {
            h2 { (v.t("无帮扶干部的户", "Households without a cadre")) }
            div.table-wrap { table.data {
                thead { tr {
                    // by village, then household (the list's index), forwards or backwards
                    (sort_header(&v, "/pairing", &[("region".to_string(), region.to_string())], "village", v.t("户编码", "Number"), descending))
                    th scope="col" { (v.t("户主", "Head")) }
                    th scope="col" { (v.t("操作", "Action")) }
                } }
                tbody {
                    @for h in &rows { tr data-household=(h.household_id.0) {
                        td { a href=(format!("/households/{}", h.household_id.0)) { (h.household_number) } }
                        td { (h.head_name.as_deref().unwrap_or("—")) }
                        td { @if can_edit { a href=(format!("/households/{}/pairing", h.household_id.0)) { (v.t("结对", "Pair")) } } }
                    } }
                    @if rows.is_empty() { tr { td colspan="3" { (v.t("每户都有帮扶干部。", "Every household has a cadre.")) } } }
                }
            } }
            nav.pager aria-label=(v.t("分页", "Pages")) {
                @if after.is_some() { a href=(href(None)) { "« " (v.t("第一页", "First page")) } }
                @if let Some(n) = &next { a rel="next" href=(href(Some(n))) { (v.t("下一页", "Next")) " ›" } }
            }
        }
    };
    let mut shell = Shell::new(v.t("结对帮扶", "Pairing"), "/pairing");
    shell.crumbs = vec![(v.t("结对帮扶", "Pairing").to_string(), None)];
    Ok(render(&v, shell, body))
}

// ---- a household's pairings -------------------------------------------------------------------

/// Which form was posted, and what it held.
struct Posted {
    action: String,
    pairing: Option<i64>,
    st: FormState,
}

async fn show_household_pairing(
    v: &Viewer,
    app: &AppState,
    ctx: &Ctx,
    d: &HouseholdDetail,
    posted: Option<&Posted>,
    cadre_q: &str,
) -> PageResult {
    let hid = d.household.id;
    let pairings = app
        .store
        .household_pairings(ctx, hid, &Keyset::all())
        .await?
        .items;
    let on = today();
    let (active, past): (Vec<&Pairing>, Vec<&Pairing>) = pairings
        .iter()
        .partition(|p| p.end_date.is_none_or(|e| e >= on));
    let choices = cadre_choices(app, ctx, cadre_q).await?;
    let search = choices.more || !cadre_q.is_empty();
    let mut cadres = choices.options;
    // a cadre chosen on a form that came back (found by a search since replaced) stays offered
    if let Some(p) = posted {
        for name in ["cadre_id", "replacement_cadre_id"] {
            let chosen = p.st.value(name).trim();
            if let Ok(id) = chosen.parse::<i64>() {
                if !cadres.iter().any(|(c, _)| c == chosen) {
                    if let Some(c) = one_cadre(app, ctx, CadreId(id)).await? {
                        cadres.push((chosen.to_string(), format!("{} · {}", c.name, c.unit_name)));
                    }
                }
            }
        }
    }
    let today_s = on.to_string();
    // each form shows what was posted to it, and its errors; the others their defaults
    let state_for = |action: &str, pairing: Option<i64>| -> FormState {
        match posted {
            Some(p) if p.action == action && p.pairing == pairing => p.st.clone(),
            _ => {
                let mut st = FormState::default();
                st.set(
                    if action == "pair" {
                        "start_date"
                    } else {
                        "end_date"
                    },
                    today_s.clone(),
                );
                st
            }
        }
    };
    let pair_st = state_for("pair", None);
    let choose = Some(v.t("请选择", "Choose"));
    let h = &d.household;
    let title = v.t("结对管理", "Pairings");
    let body = html! {
        h1 { (title) " " small.muted { (h.head_name.as_deref().unwrap_or("—")) " " (h.household_number) } }
        @if search {
            form.inline.cadre-search #cadre-search method="get" action=(format!("/households/{}/pairing", hid.0)) role="search" {
                label for="cadre_q" { (v.t("按姓名查找帮扶干部", "Find a cadre by name")) }
                input #cadre_q type="search" name="cadre_q" value=(cadre_q) maxlength="50" autocomplete="off" data-cadre-search;
                button type="submit" { (v.t("查找", "Find")) }
                p.hint #cadre-search-status aria-live="polite" {
                    @if cadre_q.is_empty() {
                        (v.t(&format!("可选干部超过 {MAX_CHOICES} 名，下拉框只列出前 {MAX_CHOICES} 名：输入姓名（或开头几个字）查找。"),
                             &format!("More than {MAX_CHOICES} cadres: the lists hold the first {MAX_CHOICES}; type a name (or its first characters) to find one.")))
                    } @else {
                        (v.t(&format!("找到 {} 名姓名以“{cadre_q}”开头的干部", cadres.len()), &format!("{} cadres whose name starts with “{cadre_q}”", cadres.len())))
                        @if choices.more { (v.t("（只列前 50 名，请输入更完整的姓名）", " (the first 50; type more of the name)")) }
                    }
                }
            }
        }
        section #active-pairings {
            h2 { (v.t("当前结对", "Pairings in force")) }
            @if active.is_empty() { p.muted #no-cadre { (v.t("该户目前没有帮扶干部。", "No cadre is paired with this household now.")) } }
            @for p in &active {
                @let end_st = state_for("end", Some(p.id.0));
                @let rep_st = state_for("replace", Some(p.id.0));
                article.pairing-card #(format!("pairing-{}", p.id.0)) data-cadre=(p.cadre_id.0) {
                    h3 { a href=(format!("/cadres/{}", p.cadre_id.0)) { (p.cadre_name) } " " small.muted { (p.unit_name) " · " (v.t("自", "since")) " " (p.start_date) } }
                    details open[rep_st.error.is_some()] {
                        summary { (v.t("更换帮扶干部", "Replace the cadre")) }
                        (rep_st.summary(v.lang, &["replacement_cadre_id", "end_date", "reason"]))
                        form.stack.replace-form method="post" action=(format!("/households/{}/pairing", hid.0)) novalidate {
                            (v.csrf_field())
                            input type="hidden" name="action" value="replace";
                            input type="hidden" name="pairing" value=(p.id.0);
                            (select(&rep_st, "replacement_cadre_id", v.t("接替的干部", "New cadre"), &cadres, choose, true))
                            (Input::text("end_date", v.t("原结对结束日期", "Last day of the old pairing")).kind("date").required()
                                .hint(v.t("新结对自次日开始", "The new pairing starts the next day")).render(&rep_st))
                            (textarea(&rep_st, "reason", v.t("更换原因", "Reason"), 2))
                            div.form-actions { button.primary type="submit" { (v.t("更换", "Replace")) } }
                        }
                    }
                    details open[end_st.error.is_some()] {
                        summary { (v.t("结束结对", "End the pairing")) }
                        (end_st.summary(v.lang, &["end_date", "reason"]))
                        form.stack.end-form method="post" action=(format!("/households/{}/pairing", hid.0)) novalidate {
                            (v.csrf_field())
                            input type="hidden" name="action" value="end";
                            input type="hidden" name="pairing" value=(p.id.0);
                            (Input::text("end_date", v.t("结束日期", "Last day")).kind("date").required().render(&end_st))
                            (textarea(&end_st, "reason", v.t("结束原因", "Reason"), 2))
                            div.form-actions { button type="submit" { (v.t("结束结对", "End")) } }
                        }
                    }
                }
            }
        }
        section #new-pairing {
            h2 { (v.t("新增结对", "Pair a cadre")) }
            (pair_st.summary(v.lang, &["cadre_id", "start_date"]))
            form.stack #pair-form method="post" action=(format!("/households/{}/pairing", hid.0)) novalidate {
                (v.csrf_field())
                input type="hidden" name="action" value="pair";
                (select(&pair_st, "cadre_id", v.t("帮扶干部", "Cadre"), &cadres, choose, true))
                (Input::text("start_date", v.t("开始日期", "First day")).kind("date").required().render(&pair_st))
                p.hint { (v.t("每户、每名干部的结对数按所在地区的参数限制；超过时不保存。", "The pairings per household and per cadre are limited by the region's parameters; beyond them nothing is saved.")) }
                div.form-actions { button.primary type="submit" { (v.t("建立结对", "Pair")) } }
            }
        }
        @if !past.is_empty() {
            section #past-pairings {
                h2 { (v.t("已结束的结对", "Ended pairings")) }
                div.table-wrap { table.data {
                    thead { tr { th scope="col" { (v.t("帮扶干部", "Cadre")) } th scope="col" { (v.t("开始", "From")) } th scope="col" { (v.t("结束", "To")) } th scope="col" { (v.t("原因", "Reason")) } } }
                    tbody { @for p in &past { tr {
                        td { a href=(format!("/cadres/{}", p.cadre_id.0)) { (p.cadre_name) } }
                        td { (p.start_date) }
                        td { (p.end_date.map(|d| d.to_string()).unwrap_or_default()) }
                        td { (p.end_reason.as_deref().unwrap_or("")) }
                    } } }
                } }
            }
        }
    };
    let mut shell = Shell::new(
        format!("{title} · {}", h.head_name.as_deref().unwrap_or("")),
        "/pairing",
    );
    shell.crumbs = vec![
        (
            v.t("结对帮扶", "Pairing").to_string(),
            Some("/pairing".into()),
        ),
        (
            format!(
                "{} {}",
                h.head_name.as_deref().unwrap_or(""),
                h.household_number
            ),
            Some(format!("/households/{}", hid.0)),
        ),
        (title.to_string(), None),
    ];
    let status = if posted.is_some_and(|p| p.st.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(v, shell, body)).into_response())
}

async fn household_pairing(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let d = app
        .store
        .household(&ctx, HouseholdId(parse_id(&id)?))
        .await?;
    let q = query_map(raw.as_deref());
    let cadre_q: String = q
        .get("cadre_q")
        .map(|s| s.trim().chars().take(50).collect())
        .unwrap_or_default();
    show_household_pairing(&v, &app, &ctx, &d, None, &cadre_q).await
}

fn date_field(st: &FormState, name: &str, problems: &mut Problems) -> Option<Date> {
    let t = st.value(name).trim();
    if t.is_empty() {
        problems.push(DomainError::invalid(
            name,
            "required",
            format!("{}不能为空", fupin_core::labels::field_label(name)),
        ));
        return None;
    }
    problems.check(parse_date(name, t))
}

fn cadre_field(st: &FormState, name: &str, problems: &mut Problems) -> Option<CadreId> {
    match st.value(name).trim().parse::<i64>() {
        Ok(c) if c > 0 => Some(CadreId(c)),
        _ => {
            problems.push(DomainError::invalid(name, "required", "请选择帮扶干部"));
            None
        }
    }
}

fn reason_field(st: &FormState, problems: &mut Problems) -> String {
    let r = st.value("reason").trim().to_string();
    if r.is_empty() {
        problems.push(DomainError::invalid("reason", "required", "原因不能为空"));
    }
    r
}

async fn save_pairing(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let d = app
        .store
        .household(&ctx, HouseholdId(parse_id(&id)?))
        .await?;
    let hid = d.household.id;
    let mut st = FormState::with_values(form.0);
    let action = st.value("action").to_string();
    let pairing = st.value("pairing").trim().parse::<i64>().ok();
    let mut problems = Problems::new();
    let result: Result<&str, DomainError> = match action.as_str() {
        "pair" => {
            let cadre = cadre_field(&st, "cadre_id", &mut problems);
            let start = date_field(&st, "start_date", &mut problems);
            match (cadre, start) {
                (Some(cadre_id), Some(start_date)) if problems.is_empty() => app
                    .store
                    .create_pairing(
                        &ctx,
                        PairingInput {
                            household_id: hid,
                            cadre_id,
                            start_date,
                        },
                    )
                    .await
                    .map(|_| "paired"),
                _ => Err(problems
                    .finish()
                    .err()
                    .unwrap_or_else(DomainError::internal)),
            }
        }
        "end" | "replace" => {
            // the pairing acted on must be one of this household's
            let p = app
                .store
                .household_pairings(&ctx, hid, &Keyset::all())
                .await?
                .items
                .into_iter()
                .find(|x| Some(x.id.0) == pairing)
                .ok_or_else(PageError::not_found)?;
            let replacement = if action == "replace" {
                cadre_field(&st, "replacement_cadre_id", &mut problems)
            } else {
                None
            };
            let end = date_field(&st, "end_date", &mut problems);
            let reason = reason_field(&st, &mut problems);
            match end {
                Some(end_date) if problems.is_empty() => app
                    .store
                    .end_pairing(
                        &ctx,
                        PairingId(p.id.0),
                        EndPairingInput {
                            end_date,
                            reason,
                            replacement_cadre_id: replacement,
                        },
                    )
                    .await
                    .map(|_| {
                        if replacement.is_some() {
                            "replaced"
                        } else {
                            "ended"
                        }
                    }),
                _ => Err(problems
                    .finish()
                    .err()
                    .unwrap_or_else(DomainError::internal)),
            }
        }
        _ => return Err(PageError::bad_request("未知的操作")),
    };
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/households/{}?pairing={done}#pairings",
            hid.0
        ))),
        Err(e) if correctable(&e) => {
            st.error = Some(e);
            let posted = Posted {
                action,
                pairing,
                st,
            };
            show_household_pairing(&v, &app, &ctx, &d, Some(&posted), "").await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a cadre ----------------------------------------------------------------------------------

async fn cadre_page(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let id = CadreId(parse_id(&id)?);
    let cadre = one_cadre(&app, &ctx, id)
        .await?
        .ok_or_else(PageError::not_found)?;
    let pairings = app
        .store
        .cadre_pairings(&ctx, id, &Keyset::all())
        .await?
        .items;
    let on = today();
    // in force, or to start: what the limit counts when another pairing is made
    let active: Vec<&Pairing> = pairings
        .iter()
        .filter(|p| p.end_date.is_none_or(|e| e >= on))
        .collect();
    // the limit in force where the cadre works: their region, else the village of a pairing
    let region = cadre
        .region_code
        .clone()
        .or_else(|| pairings.last().map(|p| p.village_code.clone()));
    let params = app.store.parameters(&ctx).await.or_none()?;
    let limit = match (&region, &params) {
        (Some(r), Some(p)) => PairingLimits::in_force(p, r, on.year()),
        _ => PairingLimits::default(),
    }
    .households_per_cadre;
    let load = active.len() as i64;
    let body = html! {
        div.page-head {
            h1 { (cadre.name) " " small.muted { (v.t("帮扶干部", "Cadre")) } }
        }
        dl.grid {
            dt { (v.t("帮扶单位", "Unit")) } dd { a href=(format!("/units/{}", cadre.unit_id.0)) { (cadre.unit_name) } }
            @if let Some(r) = &cadre.rank { dt { (v.t("职级", "Rank")) } dd { (r) } }
            @if let Some(p) = &cadre.phone { dt { (v.t("联系电话", "Phone")) } dd { (p) } }
            dt { (v.t("结对户数", "Households paired")) }
            dd #cadre-load data-load=(load) data-limit=(limit) {
                strong { (load) } " / " (limit) " " (v.t("户（上限）", "(limit)"))
                " " meter min="0" max=(limit) high=(limit) value=(load.min(limit)) { (load) }
                @if load > limit { " " span.poor { (v.t("超过上限", "over the limit")) } }
                @else if load == limit { " " span.muted { (v.t("已满", "full")) } }
            }
        }
        section #cadre-pairings {
            h2 { (v.t("结对记录", "Pairings")) }
            div.table-wrap { table.data {
                thead { tr {
                    th scope="col" { (v.t("户编码", "Household")) }
                    th scope="col" { (v.t("开始", "From")) }
                    th scope="col" { (v.t("结束", "To")) }
                    th scope="col" { (v.t("原因", "Reason")) }
                } }
                tbody {
                    @for p in pairings.iter().rev() { tr.inactive[!p.active_on(on)] {
                        td { a href=(format!("/households/{}", p.household_id.0)) { (p.household_number) } }
                        td { (p.start_date) }
                        td { (p.end_date.map(|d| d.to_string()).unwrap_or_else(|| v.t("至今", "ongoing").to_string())) }
                        td { (p.end_reason.as_deref().unwrap_or("")) }
                    } }
                    @if pairings.is_empty() { tr { td colspan="4" { (v.t("暂无结对记录", "No pairings")) } } }
                }
            } }
        }
    };
    let mut shell = Shell::new(cadre.name.clone(), "/pairing");
    shell.crumbs = vec![
        (v.t("帮扶单位", "Units").to_string(), Some("/units".into())),
        (
            cadre.unit_name.clone(),
            Some(format!("/units/{}", cadre.unit_id.0)),
        ),
        (cadre.name.clone(), None),
    ];
    Ok(render(&v, shell, body))
}

// ---- helping units and work teams -------------------------------------------------------------

/// The work-team terms in force of the user's regions (a village's team, its first secretary).
async fn teams(app: &AppState, v: &Viewer, ctx: &Ctx) -> Result<Vec<TeamMember>, PageError> {
    let mut out = Vec::new();
    for root in v
        .caller
        .principal
        .regions_for(Policy::ReadRegistry)
        .unwrap_or_default()
    {
        out.extend(app.store.team_members(ctx, &root).await.or_empty()?);
    }
    let on = today();
    out.retain(|t| t.start_date <= on && t.end_date.is_none_or(|e| e >= on));
    out.sort_by(|a, b| {
        (a.village_code.as_str(), role_rank(a.role), a.id.0).cmp(&(
            b.village_code.as_str(),
            role_rank(b.role),
            b.id.0,
        ))
    });
    Ok(out)
}

fn role_rank(r: TeamRole) -> u8 {
    match r {
        TeamRole::FirstSecretary => 0,
        TeamRole::Leader => 1,
        TeamRole::Member => 2,
    }
}

fn role_label(v: &Viewer, r: TeamRole) -> &'static str {
    match r {
        TeamRole::FirstSecretary => v.t("驻村第一书记", "First secretary"),
        TeamRole::Leader => v.t("工作队长", "Team leader"),
        TeamRole::Member => v.t("工作队员", "Team member"),
    }
}

fn team_table(v: &Viewer, team: &[TeamMember]) -> Markup {
    html! {
        div.table-wrap { table.data.team {
            thead { tr {
                th scope="col" { (v.t("村", "Village")) }
                th scope="col" { (v.t("职务", "Role")) }
                th scope="col" { (v.t("姓名", "Name")) }
                th scope="col" { (v.t("单位", "Unit")) }
                th scope="col" { (v.t("任期", "Term")) }
            } }
            tbody {
                @for t in team { tr.first-secretary[t.role == TeamRole::FirstSecretary] {
                    td { (t.village_code) }
                    td { (role_label(v, t.role)) }
                    td { a href=(format!("/cadres/{}", t.cadre_id.0)) { (t.cadre_name) } }
                    td { (t.unit_name) }
                    td { (t.start_date) " – " (t.end_date.map(|d| d.to_string()).unwrap_or_default()) }
                } }
                @if team.is_empty() { tr { td colspan="5" { (v.t("暂无驻村工作队记录", "No work team on record")) } } }
            }
        } }
    }
}

async fn units(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let q = query_map(raw.as_deref());
    let after = q.get("after").filter(|a| !a.trim().is_empty()).cloned();
    let page = Keyset {
        after: after.clone(),
        limit: PER_PAGE,
        descending: false,
    };
    let list = app.store.list_units(&ctx, &page).await?;
    let team = teams(&app, &v, &ctx).await?;
    let body = html! {
        h1 { (v.t("帮扶单位与驻村工作队", "Helping units and work teams")) }
        section #units {
            h2 { (v.t("帮扶单位", "Helping units")) }
            div.table-wrap { table.data {
                thead { tr { th scope="col" { (v.t("单位", "Unit")) } th scope="col" { (v.t("层级", "Level")) } th scope="col" { (v.t("联系人", "Contact")) } } }
                tbody {
                    @for u in &list.items { tr {
                        td { a href=(format!("/units/{}", u.id.0)) { (u.name) } }
                        td { (u.level) }
                        td { (u.contact_name.as_deref().unwrap_or("")) " " (u.contact_phone.as_deref().unwrap_or("")) }
                    } }
                    @if list.items.is_empty() { tr { td colspan="3" { (v.t("暂无帮扶单位", "No helping units")) } } }
                }
            } }
            nav.pager aria-label=(v.t("分页", "Pages")) {
                @if after.is_some() { a href="/units" { "« " (v.t("第一页", "First page")) } }
                @if let Some(n) = &list.next { a rel="next" href=(format!("/units?{}", serde_urlencoded::to_string([("after", n)]).unwrap_or_default())) { (v.t("下一页", "Next")) " ›" } }
            }
        }
        section #teams {
            h2 { (v.t("驻村工作队（在任）", "Village work teams (serving)")) }
            (team_table(&v, &team))
        }
    };
    let mut shell = Shell::new(v.t("帮扶单位", "Helping units"), "/pairing");
    shell.crumbs = vec![
        (
            v.t("结对帮扶", "Pairing").to_string(),
            Some("/pairing".into()),
        ),
        (v.t("帮扶单位", "Units").to_string(), None),
    ];
    Ok(render(&v, shell, body))
}

async fn unit_page(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let id = UnitId(parse_id(&id)?);
    let unit: HelpingUnit = app
        .store
        .list_units(&ctx, &Keyset::after((id.0 - 1).to_string(), 1))
        .await?
        .items
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(PageError::not_found)?;
    let cadres = app
        .store
        .list_cadres(&ctx, Some(id), &Keyset::first(MAX_CHOICES))
        .await?;
    let team: Vec<TeamMember> = teams(&app, &v, &ctx)
        .await?
        .into_iter()
        .filter(|t| cadres.items.iter().any(|c| c.id == t.cadre_id))
        .collect();
    let secretaries: Vec<&TeamMember> = team
        .iter()
        .filter(|t| t.role == TeamRole::FirstSecretary)
        .collect();
    let body = html! {
        h1 { (unit.name) }
        dl.grid {
            dt { (v.t("层级", "Level")) } dd { (unit.level) }
            @if let Some(c) = &unit.contact_name { dt { (v.t("联系人", "Contact")) } dd { (c) " " (unit.contact_phone.as_deref().unwrap_or("")) } }
            dt { (v.t("驻村第一书记", "First secretary")) }
            dd #first-secretary {
                @if secretaries.is_empty() { span.muted { "—" } }
                @for (i, s) in secretaries.iter().enumerate() {
                    @if i > 0 { "、" }
                    a href=(format!("/cadres/{}", s.cadre_id.0)) { (s.cadre_name) } " (" (s.village_code) ")"
                }
            }
        }
        section #unit-cadres {
            h2 { (v.t("帮扶干部", "Cadres")) " " small.muted { "(" (cadres.items.len()) @if cadres.next.is_some() { "+" } ")" } }
            div.table-wrap { table.data {
                thead { tr { th scope="col" { (v.t("姓名", "Name")) } th scope="col" { (v.t("职级", "Rank")) } th scope="col" { (v.t("联系电话", "Phone")) } } }
                tbody {
                    @for c in &cadres.items { tr {
                        td { a href=(format!("/cadres/{}", c.id.0)) { (c.name) } }
                        td { (c.rank.as_deref().unwrap_or("")) }
                        td { (c.phone.as_deref().unwrap_or("")) }
                    } }
                    @if cadres.items.is_empty() { tr { td colspan="3" { (v.t("您的区划内没有该单位的干部", "None of its cadres in your regions")) } } }
                }
            } }
        }
        section #unit-team {
            h2 { (v.t("驻村工作队", "Work team")) }
            (team_table(&v, &team))
        }
    };
    let mut shell = Shell::new(unit.name.clone(), "/pairing");
    shell.crumbs = vec![
        (v.t("帮扶单位", "Units").to_string(), Some("/units".into())),
        (unit.name.clone(), None),
    ];
    Ok(render(&v, shell, body))
}
