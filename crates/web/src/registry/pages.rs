//! Registry pages: the household list (filters, search, pagination, export link), the household page
//! (members, incomes with per-capita figures and growth, status history, pairings, visits, measures,
//! wishes, procedures) and the create and edit forms. The micro-wish steps posted from the household page
//! are pairing's (`pairing::pages`).
//!
//! Search by ID number is posted, never put in a URL: addresses end up in logs, histories and
//! proxies, and the design forbids ID numbers there. A name search redirects to an ordinary
//! bookmarkable `GET /households?q=…`.

use crate::form::Form;
use crate::measures;
use crate::pairing;
use crate::routes::Routes;
use crate::ui::fmt::{growth, looks_like_id_number, mask_id, yuan, yuan_opt};
use crate::ui::forms::{code_options, region_input, select, strip_field_prefix, FormState, Input};
use crate::ui::i18n::{code_label, enum_label, status_label};
use crate::ui::layout::StoreAnswer;
use crate::ui::layout::{parse_id, query_map, render, see_other, Crumb, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fupin_core::accounts::Policy;
use fupin_core::codes::{table, CodeBook};
use fupin_core::paging::Keyset;
use fupin_core::pairing::WishStatus;
use fupin_core::regions::Level;
use fupin_core::registry::{
    validate_new_members, HouseholdDetail, HouseholdFilter, HouseholdId, HouseholdInput,
    HouseholdStatus, NewHousehold,
};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, DomainResult, Problems, RegionCode};
use maud::{html, Markup};
use serde_json::{json, Value};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = r
        .get("/households", list)
        .post("/households/search", search)
        .get("/households/new", new_form)
        .post("/households/new", create)
        .get("/households/{id}", detail)
        .get("/households/{id}/edit", edit_form)
        .post("/households/{id}/edit", update);
    super::member_pages::routes(r)
}

const PER_PAGE: u32 = 20;
/// Most villages offered in the village filter and the create form.
const MAX_VILLAGES: usize = 600;

/// The villages within the user's regions for `policy` (down from a county at most), as
/// (code, "township / village").
async fn villages(
    app: &AppState,
    ctx: &Ctx,
    roots: &[RegionCode],
) -> Result<Vec<(String, String)>, PageError> {
    let mut out = Vec::new();
    for root in roots {
        match root.level() {
            Level::Village => {
                if let Some(r) = app.store.region(ctx, root).await.or_none()? {
                    out.push((root.to_string(), r.region.name));
                }
            }
            Level::Township => {
                for v in app
                    .store
                    .region_children(ctx, Some(root))
                    .await
                    .or_empty()?
                {
                    out.push((v.code.to_string(), v.name));
                }
            }
            Level::County => {
                for t in app
                    .store
                    .region_children(ctx, Some(root))
                    .await
                    .or_empty()?
                {
                    for v in app
                        .store
                        .region_children(ctx, Some(&t.code))
                        .await
                        .or_empty()?
                    {
                        out.push((v.code.to_string(), format!("{} / {}", t.name, v.name)));
                    }
                    if out.len() > MAX_VILLAGES {
                        break;
                    }
                }
            }
            _ => {}
        }
        if out.len() > MAX_VILLAGES {
            break;
        }
    }
    out.truncate(MAX_VILLAGES);
    Ok(out)
}

/// The list's filters, from the query string or the search form.
#[derive(Debug, Default, Clone)]
struct ListQuery {
    region: String,
    status: String,
    cause: String,
    attribute: String,
    q: String,
    page: u32,
    /// The keyset cursor of a page beyond those reached by number.
    after: String,
    /// `-number` for the household numbers backwards; empty for the list order.
    sort: String,
}

impl ListQuery {
    fn from_map(m: &std::collections::HashMap<String, String>) -> Self {
        let g = |k: &str| m.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        ListQuery {
            region: g("region"),
            status: g("status"),
            cause: g("cause"),
            attribute: g("attribute"),
            q: g("q"),
            page: g("page").parse().ok().filter(|p| *p >= 1).unwrap_or(1),
            after: g("after"),
            sort: match g("sort").as_str() {
                "-number" => "-number".into(),
                _ => String::new(),
            },
        }
    }

    /// This list (its first page) in the other order of the household number.
    fn href_sorted(&self) -> String {
        let mut other = self.clone();
        other.sort = if self.sort.is_empty() {
            "-number".into()
        } else {
            String::new()
        };
        other.href(1)
    }

    /// The query string of this list at the page after a cursor.
    fn href_after(&self, next: &str) -> String {
        let base = self.href(1);
        let sep = if base.contains('?') { '&' } else { '?' };
        let cursor = serde_urlencoded::to_string([("after", next)]).unwrap_or_default();
        format!("{base}{sep}{cursor}")
    }

    /// The query string of this list at another page (the ID-number search is never in it).
    fn href(&self, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("region", &self.region),
            ("status", &self.status),
            ("cause", &self.cause),
            ("attribute", &self.attribute),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        if !self.q.is_empty() && !looks_like_id_number(&self.q) {
            pairs.push(("q", self.q.clone()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() {
            "/households".into()
        } else {
            format!("/households?{qs}")
        }
    }
}

async fn list(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let q = ListQuery::from_map(&query_map(raw.as_deref()));
    render_list(&v, &app, q).await
}

/// `POST /households/search`: an ID number is searched here and shown masked; other text goes to
/// the list's address.
async fn search(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let m: std::collections::HashMap<String, String> = form.0.into_iter().collect();
    let mut q = ListQuery::from_map(&m);
    q.page = 1;
    if looks_like_id_number(&q.q) {
        return render_list(&v, &app, q).await;
    }
    Ok(see_other(&q.href(1)))
}

async fn render_list(v: &Viewer, app: &AppState, q: ListQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let roots = v
        .caller
        .principal
        .regions_for(Policy::ReadStats)
        .unwrap_or_default();
    let codes = app.store.code_book().await?;
    let status = if q.status.is_empty() {
        None
    } else {
        Some(HouseholdStatus::parse(&q.status).ok_or_else(|| PageError::bad_request("状态无效"))?)
    };
    let none_if_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let filter = HouseholdFilter {
        region: none_if_empty(&q.region),
        status,
        main_cause: none_if_empty(&q.cause),
        attribute: none_if_empty(&q.attribute),
        q: none_if_empty(&q.q),
        page: Some(q.page),
        per_page: Some(PER_PAGE),
        after: none_if_empty(&q.after),
        sort: none_if_empty(&q.sort),
    };
    let page = app.store.list_households(&ctx, filter).await?;
    let pages = page.total.unwrap_or(0).div_ceil(PER_PAGE as u64).max(1) as u32;
    let villages = villages(app, &ctx, &roots).await?;
    // beyond one township a list of villages is long and cannot choose a township: the picker
    let picker = villages.is_empty() || roots.iter().any(|r| r.level() <= Level::County);
    let village_name = |code: &RegionCode| {
        villages
            .iter()
            .find(|(c, _)| c == code.as_str())
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let statuses: Vec<(String, String)> = HouseholdStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), status_label(v.lang, *s).to_string()))
        .collect();
    let st = FormState::with_values(vec![
        ("region".into(), q.region.clone()),
        ("status".into(), q.status.clone()),
        ("cause".into(), q.cause.clone()),
        ("attribute".into(), q.attribute.clone()),
        (
            "q".into(),
            if looks_like_id_number(&q.q) {
                String::new()
            } else {
                q.q.clone()
            },
        ),
    ]);
    let any = v.t("全部", "All");
    let export = export_link(&q.region);
    let body = html! {
        div.page-head {
            h1 { (v.t("建档立卡户", "Registered households")) }
            div.actions {
                @if v.has_regions(Policy::WriteRegistry) {
                    a.button.primary href="/households/new" { (v.t("新增农户", "New household")) }
                }
                @if let Some(href) = &export {
                    a.button href=(href) download { (v.t("导出", "Export")) }
                }
            }
        }
        form.filters method="post" action="/households/search" role="search" aria-label=(v.t("筛选农户", "Filter households")) {
            (v.csrf_field())
            @if !q.sort.is_empty() { input type="hidden" name="sort" value=(q.sort); }
            @if picker {
                (region_input(v.lang, &st, "region", v.t("区划", "Region"), false, true))
            } @else {
                (select(&st, "region", v.t("村", "Village"), &villages, Some(any), false))
            }
            (select(&st, "status", v.t("状态", "Status"), &statuses, Some(any), false))
            (select(&st, "cause", v.t("主要致贫原因", "Main cause"), &code_options(v.lang, &codes, table::POVERTY_CAUSE), Some(any), false))
            (select(&st, "attribute", v.t("贫困户属性", "Attribute"), &code_options(v.lang, &codes, table::HOUSEHOLD_ATTRIBUTE), Some(any), false))
            (Input::text("q", v.t("户主姓名、户编码或身份证号", "Head's name, number or ID number")).kind("search").render(&st))
            div.field.submit {
                button.primary type="submit" { (v.t("查询", "Search")) }
                a href="/households" { (v.t("清除", "Clear")) }
            }
        }
        @if looks_like_id_number(&q.q) {
            p.chip { (v.t("按身份证号查询：", "ID number: ")) (mask_id(&q.q)) " " a href=(q.href(1)) { (v.t("清除", "clear")) } }
        }
        @if let Some(total) = page.total {
            p.muted #result-count { (v.t("共", "")) " " (total) " " (v.t("户", "households")) }
        }
        div.table-wrap {
            table.data #households {
                caption.sr-only { (v.t("建档立卡户列表", "Registered households")) }
                thead { tr {
                    // the one column the server sorts along its index (village, number); the others
                    // would need every household of the region read and sorted
                    th scope="col" aria-sort=(if q.sort.is_empty() { "ascending" } else { "descending" }) {
                        a.sort #sort-number href=(q.href_sorted()) title=(v.t("点击倒序/正序", "Reverse the order")) {
                            (v.t("户编码", "Number")) " " span aria-hidden="true" { (if q.sort.is_empty() { "▲" } else { "▼" }) }
                        }
                    }
                    th scope="col" { (v.t("户主", "Head")) }
                    th scope="col" { (v.t("所属村", "Village")) }
                    th.num scope="col" { (v.t("人口", "Members")) }
                    th scope="col" { (v.t("属性", "Attribute")) }
                    th scope="col" { (v.t("主要致贫原因", "Main cause")) }
                    th scope="col" { (v.t("状态", "Status")) }
                } }
                tbody {
                    @for h in &page.items {
                        tr {
                            td { a href=(format!("/households/{}", h.id.0)) { (h.household_number) } }
                            td { (h.head_name.as_deref().unwrap_or("—")) }
                            td { (village_name(&h.village_code)) }
                            td.num { (h.member_count) }
                            td { (code_label(v.lang, &codes, table::HOUSEHOLD_ATTRIBUTE, &h.attribute)) }
                            td { (code_label(v.lang, &codes, table::POVERTY_CAUSE, &h.main_cause)) }
                            td { span class=(format!("status status-{}", h.status.as_str())) { (status_label(v.lang, h.status)) }
                                @if let Some(y) = h.exit_year { " " small.muted { "(" (y) ")" } } }
                        }
                    }
                    @if page.items.is_empty() {
                        tr { td colspan="7" { (v.t("没有符合条件的农户", "No households match")) } }
                    }
                }
            }
        }
        (pager(v, &q, pages, page.next.as_deref()))
    };
    let mut shell = Shell::new(v.t("建档立卡户", "Households"), "/households");
    shell.crumbs = vec![(v.t("建档立卡户", "Households").to_string(), None)];
    Ok(render(v, shell, body))
}

/// The export endpoint of the API, when the server has one (import/export is built alongside).
fn export_link(region: &str) -> Option<String> {
    let (_, path) = crate::api_routes().iter().find(|(m, p)| {
        *m == "GET" && p.contains("export") && p.contains("household") && !p.contains('{')
    })?;
    Some(if region.is_empty() {
        path.to_string()
    } else {
        format!("{path}?region={region}")
    })
}

/// Page numbers near the start (as far as a list may skip by number), then the next page by its
/// cursor.
fn pager(v: &Viewer, q: &ListQuery, pages: u32, next: Option<&str>) -> Markup {
    if !q.after.is_empty() {
        return html! {
            nav.pager aria-label=(v.t("分页", "Pages")) {
                a href=(q.href(1)) { "« " (v.t("第一页", "First page")) }
                @if let Some(n) = next { a rel="next" href=(q.href_after(n)) { (v.t("下一页", "Next")) " ›" } }
            }
        };
    }
    if pages <= 1 {
        return html! {};
    }
    let by_number = (fupin_core::registry::MAX_OFFSET / u64::from(PER_PAGE)) as u32 + 1;
    if pages > by_number {
        let p = q.page.min(by_number);
        return html! {
            nav.pager aria-label=(v.t("分页", "Pages")) {
                @if p > 1 { a rel="prev" href=(q.href(p - 1)) { "‹ " (v.t("上一页", "Previous")) } }
                @for i in (p.saturating_sub(2).max(1))..=(p + 2).min(by_number) {
                    @if i == p { span aria-current="page" { (i) } } @else { a href=(q.href(i)) { (i) } }
                }
                @if p < by_number { a rel="next" href=(q.href(p + 1)) { (v.t("下一页", "Next")) " ›" } }
                @else if let Some(n) = next { a rel="next" href=(q.href_after(n)) { (v.t("下一页", "Next")) " ›" } }
                span.muted { (v.t("共", "")) " " (pages) " " (v.t("页", "pages")) }
            }
        };
    }
    let p = q.page.min(pages);
    // (page, whether pages are skipped before it)
    let mut window: Vec<(u32, bool)> = Vec::new();
    for i in (1..=pages).filter(|i| *i == 1 || *i == pages || (*i + 2 >= p && *i <= p + 2)) {
        let gap = window.last().is_some_and(|(last, _)| i > last + 1);
        window.push((i, gap));
    }
    html! {
        nav.pager aria-label=(v.t("分页", "Pages")) {
            @if p > 1 { a rel="prev" href=(q.href(p - 1)) { "‹ " (v.t("上一页", "Previous")) } }
            @for (i, gap) in window {
                @if gap { span.gap { "…" } }
                @if i == p { span aria-current="page" { (i) } } @else { a href=(q.href(i)) { (i) } }
            }
            @if p < pages { a rel="next" href=(q.href(p + 1)) { (v.t("下一页", "Next")) " ›" } }
            span.muted { (v.t("第", "Page ")) (p) " / " (pages) (v.t(" 页", "")) }
        }
    }
}

// ---- the household page -------------------------------------------------------------------------

/// A section of the household page that the viewer may be refused (a cadre reading a household's
/// cases, say): empty when the store refuses, logged so that a missing section can be explained;
/// the error page when the store fails.
fn section<T>(what: &str, answer: Result<Vec<T>, DomainError>) -> Result<Vec<T>, PageError> {
    if let Err(e) = &answer {
        if e.kind != fupin_core::ErrorKind::Internal {
            tracing::warn!(
                section = what,
                code = e.code,
                "household page section unavailable"
            );
        }
    }
    answer.or_empty()
}

/// The household's page. It reads a dozen things from the store and writes nothing: they are read
/// in one transaction (see `Store::reading_together`).
async fn detail(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let store = app.store.clone();
    let mut page = None;
    let out = &mut page;
    store
        .reading_together(Box::pin(async move {
            *out = Some(detail_page(v, app, id, raw).await);
        }))
        .await?;
    page.ok_or_else(|| PageError::from(DomainError::internal()))?
}

async fn detail_page(v: Viewer, app: AppState, id: String, raw: Option<String>) -> PageResult {
    let id = HouseholdId(parse_id(&id)?);
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let d = app.store.household(&ctx, id).await?;
    let codes = app.store.code_book().await?;
    let flash = query_map(raw.as_deref());
    // a household's own lists are short: its page shows them whole
    let all = Keyset::all();
    let pairings = section(
        "pairings",
        app.store
            .household_pairings(&ctx, id, &all)
            .await
            .map(|l| l.items),
    )?;
    let mut visits = section(
        "visits",
        app.store
            .household_visits(&ctx, id, &all)
            .await
            .map(|l| l.items),
    )?;
    visits.sort_by_key(|v| std::cmp::Reverse((v.date, v.id.0)));
    let wishes = section(
        "wishes",
        app.store
            .household_wishes(&ctx, id, &all)
            .await
            .map(|l| l.items),
    )?;
    // a wish whose amount was refused: its id, the amount as typed and the message
    let wish_fix = flash
        .get("wish_fix")
        .and_then(|w| w.parse::<i64>().ok())
        .zip(flash.get("actual_value"))
        .and_then(|(w, typed)| {
            pairing::wish_amount(typed)
                .err()
                .map(|e| (w, typed.clone(), e.message))
        });
    let cases = section("cases", app.store.household_cases(&ctx, id).await)?;
    let measures = section("measures", app.store.household_measures(&ctx, id).await)?;
    let trace = app.store.household_trace(&ctx, id).await.or_none()?;
    // The region path for the breadcrumbs; a cadre reaching only paired households sees none.
    let region = app
        .store
        .region(&ctx, &d.household.village_code)
        .await
        .or_none()?;
    // A cadre reaches the paired households but not their region; the name of the village of a
    // household they may read is part of what they read (the phone page shows it), so it is read
    // with a reach of that village alone.
    let place = match &region {
        Some(r) => Some(r.full_name.clone()),
        None => {
            let village_only = Ctx {
                scope: fupin_core::Scope::Within(vec![d.household.village_code.clone()]),
                cadre_user: None,
                ..ctx.clone()
            };
            app.store
                .region(&village_only, &d.household.village_code)
                .await
                .or_none()?
                .map(|r| r.full_name)
        }
    };
    let can_edit = v
        .caller
        .principal
        .regions_for(Policy::WriteRegistry)
        .is_some_and(|rs| rs.iter().any(|r| r.contains(&d.household.village_code)));
    let can_visit = v.caller.ctx(Policy::WriteVisits).is_ok();
    let own_cadre = if can_visit {
        pairing::own_cadre(&app, &v).await?
    } else {
        None
    };
    let h = &d.household;
    let title = format!(
        "{} {}",
        h.head_name.as_deref().unwrap_or(""),
        h.household_number
    );
    let body = html! {
        @if flash.contains_key("saved") { p.alert.ok role="status" { (v.t("已保存。", "Saved.")) } }
        @if flash.contains_key("visit") { p.alert.ok role="status" #visit-recorded { (v.t("走访已记录。", "Visit recorded.")) } }
        @if flash.contains_key("wish") { p.alert.ok role="status" { (v.t("心愿已更新。", "Wish updated.")) } }
        @match flash.get("member").map(String::as_str) {
            Some("added") => p.alert.ok role="status" #member-saved { (v.t("成员已添加。", "Member added.")) },
            Some("left") => p.alert.ok role="status" #member-saved { (v.t("成员变动已记录。", "Member change recorded.")) },
            Some("edited") => p.alert.ok role="status" #member-saved { (v.t("成员信息已保存。", "Member saved.")) },
            _ => {}
        }
        @if let Some(y) = flash.get("income") { p.alert.ok role="status" #income-saved { (y) " " (v.t("年度收入已保存。", "incomes saved.")) } }
        @if let Some(p) = flash.get("pairing") { p.alert.ok role="status" #pairing-saved { (pairing_flash(&v, p)) } }
        div.page-head {
            h1 { (h.head_name.as_deref().unwrap_or("—")) " " small.muted { (h.household_number) } }
            div.actions {
                @if can_edit { a.button href=(format!("/households/{}/edit", h.id.0)) { (v.t("编辑", "Edit")) } }
                a.button href="#cases" { (v.t("退出与监测程序", "Procedures")) }
                @if can_visit { a.button.primary href=(format!("/m/households/{}/visit", h.id.0)) { (v.t("记录走访", "Record a visit")) } }
            }
        }
        nav.toc aria-label=(v.t("本页内容", "On this page")) {
            a href="#members" { (v.t("家庭成员", "Members")) }
            a href="#incomes" { (v.t("收入", "Incomes")) }
            a href="#history" { (v.t("状态变更", "Status history")) }
            a href="#pairings" { (v.t("结对帮扶", "Pairings")) }
            a href="#visits" { (v.t("走访记录", "Visits")) }
            a href="#measures" { (v.t("帮扶措施", "Measures")) }
            a href="#funds-trace" { (v.t("资金到户", "Funds")) }
            a href="#wishes" { (v.t("微心愿", "Wishes")) }
            a href="#cases" { (v.t("程序", "Procedures")) }
        }
        (summary(&v, &d, &codes, place.as_deref()))
        (crate::assessment::unmask_form(&v, &d.household, flash.get("unmask_error").map(String::as_str)))
        (members(&v, &d, &codes, can_edit))
        (incomes(&v, &d, can_edit))
        (history(&v, &d, can_edit))
        section #pairings {
            h2 { (v.t("结对帮扶", "Pairings")) }
            @if can_edit { p.section-actions { a.button href=(format!("/households/{}/pairing", h.id.0)) { (v.t("结对管理", "Manage pairings")) } } }
            @if pairings.is_empty() { p.muted { (v.t("暂无结对记录", "No pairings")) } } @else {
                div.table-wrap { table.data {
                    thead { tr { th scope="col" { (v.t("帮扶干部", "Cadre")) } th scope="col" { (v.t("单位", "Unit")) } th scope="col" { (v.t("开始", "From")) } th scope="col" { (v.t("结束", "To")) } th scope="col" { (v.t("原因", "Reason")) } } }
                    tbody { @for p in &pairings { tr {
                        td { (p.cadre_name) } td { (p.unit_name) } td { (p.start_date) }
                        td { (p.end_date.map(|d| d.to_string()).unwrap_or_else(|| v.t("至今", "ongoing").to_string())) }
                        td { (p.end_reason.as_deref().unwrap_or("")) }
                    } } }
                } }
            }
        }
        section #visits {
            h2 { (v.t("走访记录", "Visits")) " " small.muted { "(" (visits.len()) ")" } }
            @if visits.is_empty() { p.muted { (v.t("暂无走访记录", "No visits")) } } @else {
                ol.visits {
                    @for vi in visits.iter().take(VISITS_SHOWN) { (visit_item(&v, &codes, vi)) }
                }
                @if visits.len() > VISITS_SHOWN {
                    details.more-visits #more-visits {
                        summary { (v.t("更多", "More")) " (" (visits.len() - VISITS_SHOWN) ")" }
                        ol.visits start=(VISITS_SHOWN + 1) {
                            @for vi in visits.iter().skip(VISITS_SHOWN) { (visit_item(&v, &codes, vi)) }
                        }
                    }
                }
            }
        }
        (measures::household_section(&v, &measures, can_edit.then_some(d.household.id)))
        (crate::projects::household_section(&v, trace.as_ref()))
        section #wishes {
            h2 { (v.t("微心愿", "Micro-wishes")) }
            @if wishes.is_empty() { p.muted { (v.t("暂无微心愿", "No wishes")) } } @else {
                div.table-wrap { table.data {
                    thead { tr { th scope="col" { (v.t("心愿", "Wish")) } th.num scope="col" { (v.t("估值（元）", "Value (yuan)")) } th scope="col" { (v.t("状态", "Status")) } th scope="col" { (v.t("日期", "Dates")) } th scope="col" { (v.t("操作", "Action")) } } }
                    tbody { @for w in &wishes { tr data-wish=(w.id.0) id=(format!("wish-{}", w.id.0)) {
                        td { (w.text) }
                        td.num { (yuan(w.actual_value_fen.unwrap_or(w.estimated_value_fen))) }
                        td { span class=(format!("wish wish-{}", w.status.as_str())) { (wish_label(&v, w.status)) } }
                        td.small { (w.submitted_on) @if let Some(d) = w.claimed_on { " → " (d) } @if let Some(d) = w.fulfilled_on { " → " (d) } }
                        td {
                            @if can_visit && w.status == WishStatus::Submitted && own_cadre.is_some() {
                                form.inline method="post" action=(format!("/wishes/{}/claim", w.id.0)) {
                                    (v.csrf_field())
                                    input type="hidden" name="household" value=(h.id.0);
                                    button type="submit" { (v.t("认领", "Claim")) }
                                }
                            }
                            @if can_visit && w.status == WishStatus::Claimed {
                                form.inline method="post" action=(format!("/wishes/{}/fulfil", w.id.0)) {
                                    (v.csrf_field())
                                    input type="hidden" name="household" value=(h.id.0);
                                    @let fix = wish_fix.as_ref().filter(|(id, _, _)| *id == w.id.0);
                                    label for=(format!("wv-{}", w.id.0)) { (v.t("实际价值（元）", "Actual value (yuan)")) }
                                    input id=(format!("wv-{}", w.id.0)) name="actual_value_fen" inputmode="decimal" size="8"
                                        value=(fix.map(|(_, t, _)| t.clone()).unwrap_or_else(|| yuan(w.estimated_value_fen).replace(',', "")))
                                        aria-invalid=[fix.map(|_| "true")]
                                        aria-describedby=[fix.map(|_| format!("wv-{}-error", w.id.0))];
                                    button type="submit" { (v.t("已实现", "Fulfilled")) }
                                    @if let Some((_, _, m)) = fix { p.field-error id=(format!("wv-{}-error", w.id.0)) role="alert" { (m) } }
                                }
                            }
                        }
                    } } }
                } }
            }
        }
        (crate::assessment::household_section(&v, &d.household, &cases, flash.get("case_error").map(String::as_str)))
    };
    let mut shell = Shell::new(title, "/households");
    let mut crumbs: Vec<Crumb> = Vec::new();
    if let Some(r) = &region {
        // linked to the board where the user may read statistics
        let roots = v
            .caller
            .principal
            .regions_for(Policy::ReadStats)
            .unwrap_or_default();
        for p in &r.path {
            let reach = roots.iter().any(|root| root.contains(&p.code));
            crumbs.push((
                p.name.clone(),
                reach.then(|| format!("/board?region={}", p.code.as_str())),
            ));
        }
    }
    crumbs.push((h.household_number.clone(), None));
    shell.crumbs = crumbs;
    Ok(render(&v, shell, body))
}

/// Visits shown open on the household page, newest first; the older ones fold under "更多".
const VISITS_SHOWN: usize = 3;

fn visit_item(v: &Viewer, codes: &CodeBook, vi: &fupin_core::pairing::Visit) -> Markup {
    let f = &vi.findings;
    let notes: Vec<(&str, &Option<String>)> = vec![
        (v.t("收入", "Income"), &f.income),
        (v.t("教育", "Education"), &f.education),
        (v.t("医疗", "Medical"), &f.medical),
        (v.t("住房", "Housing"), &f.housing),
        (v.t("饮水", "Water"), &f.water),
        (v.t("问题", "Problems"), &vi.problems),
        (v.t("措施", "Actions"), &vi.actions),
        (v.t("后续", "Follow-up"), &vi.follow_up),
    ];
    html! {
        li.visit id=(format!("visit-{}", vi.id.0)) {
            div.visit-head {
                strong { (vi.date) } " · " (code_label(v.lang, codes, "visit_kind", &vi.kind))
                " · " (vi.cadres.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"))
            }
            dl.compact {
                @for (k, val) in notes { @if let Some(t) = val { dt { (k) } dd { (t) } } }
                @if vi.condolence_money_fen > 0 { dt { (v.t("慰问金", "Money")) } dd { (yuan(vi.condolence_money_fen)) " " (v.t("元", "yuan")) } }
                @for g in &vi.goods { dt { (v.t("慰问品", "Goods")) } dd { (g.description) " · " (yuan(g.value_fen)) " " (v.t("元", "yuan")) } }
            }
            @if !vi.photos.is_empty() {
                div.photos {
                    @for p in &vi.photos {
                        a href=(format!("/api/v1/photos/{}", p.id)) {
                            img src=(format!("/api/v1/photos/{}", p.id)) alt=(format!("{} {}", v.t("走访照片", "Visit photo"), vi.date)) loading="lazy" width="160" height="120";
                        }
                    }
                }
            }
        }
    }
}

/// The message after a pairing form was saved (`?pairing=…`).
fn pairing_flash(v: &Viewer, what: &str) -> &'static str {
    match what {
        "paired" => v.t("已建立结对。", "Paired."),
        "replaced" => v.t("帮扶干部已更换。", "The cadre was replaced."),
        _ => v.t("结对已结束。", "The pairing was ended."),
    }
}

fn wish_label(v: &Viewer, s: WishStatus) -> &'static str {
    match s {
        WishStatus::Submitted => v.t("待认领", "Submitted"),
        WishStatus::Claimed => v.t("已认领", "Claimed"),
        WishStatus::Fulfilled => v.t("已实现", "Fulfilled"),
        WishStatus::Cancelled => v.t("已取消", "Cancelled"),
    }
}

fn summary(v: &Viewer, d: &HouseholdDetail, codes: &CodeBook, place: Option<&str>) -> Markup {
    let h = &d.household;
    let others: Vec<&str> = h
        .other_causes
        .iter()
        .map(|c| code_label(v.lang, codes, table::POVERTY_CAUSE, c))
        .collect();
    html! {
        section #summary {
            h2.sr-only { (v.t("基本情况", "Summary")) }
            dl.grid {
                dt { (v.t("状态", "Status")) }
                dd { span class=(format!("status status-{}", h.status.as_str())) { (status_label(v.lang, h.status)) }
                     " " small.muted { (h.status_date) } @if let Some(y) = h.exit_year { " · " (v.t("脱贫年度", "exit year")) " " (y) } }
                dt { (v.t("所属村", "Village")) } dd { (place.unwrap_or(h.village_code.as_str())) }
                @if let Some(g) = &h.group_name { dt { (v.t("村民小组", "Group")) } dd { (g) } }
                @if let Some(a) = &h.address { dt { (v.t("地址", "Address")) } dd { (a) } }
                @if let Some(p) = &h.phone { dt { (v.t("联系电话", "Phone")) } dd { (p) } }
                dt { (v.t("贫困户属性", "Attribute")) } dd { (code_label(v.lang, codes, table::HOUSEHOLD_ATTRIBUTE, &h.attribute)) }
                dt { (v.t("识别标准", "Standard")) } dd { (code_label(v.lang, codes, table::IDENTIFICATION_STANDARD, &h.identification_standard)) }
                dt { (v.t("识别年度", "Identified")) } dd { (h.identification_year) }
                dt { (v.t("主要致贫原因", "Main cause")) } dd { (code_label(v.lang, codes, table::POVERTY_CAUSE, &h.main_cause)) }
                @if !others.is_empty() { dt { (v.t("其他致贫原因", "Other causes")) } dd { (others.join("、")) } }
                dt { (v.t("家庭人口", "Members")) } dd { (h.member_count) }
            }
        }
    }
}

fn members(v: &Viewer, d: &HouseholdDetail, codes: &CodeBook, can_edit: bool) -> Markup {
    let opt = |t: &str, c: &Option<String>| {
        c.as_deref()
            .map(|c| code_label(v.lang, codes, t, c).to_string())
            .unwrap_or_default()
    };
    html! {
        section #members {
            h2 { (v.t("家庭成员", "Members")) " " small.muted #members-active data-count=(d.household.member_count) { (d.household.member_count) " " (v.t("人在册", "present")) } }
            @if can_edit {
                p.section-actions {
                    a.button href=(format!("/households/{}/members/new", d.household.id.0)) { (v.t("添加成员", "Add a member")) }
                    a.button href=(format!("/households/{}/members/leave", d.household.id.0)) { (v.t("成员减少", "A member leaves")) }
                }
            }
            div.table-wrap { table.data {
                thead { tr {
                    th scope="col" { (v.t("姓名", "Name")) }
                    th scope="col" { (v.t("身份证号", "ID number")) }
                    th scope="col" { (v.t("性别", "Sex")) }
                    th scope="col" { (v.t("出生日期", "Born")) }
                    th scope="col" { (v.t("与户主关系", "Relation")) }
                    th scope="col" { (v.t("健康状况", "Health")) }
                    th scope="col" { (v.t("劳动能力", "Labour")) }
                    th scope="col" { (v.t("文化程度", "Education")) }
                    th scope="col" { (v.t("务工状况", "Work")) }
                    th scope="col" { (v.t("在册", "Active")) }
                } }
                tbody { @for m in &d.members { tr.inactive[!m.active] data-person=(m.id.0) {
                    td {
                        @if can_edit && m.active {
                            a.edit-member href=(format!("/households/{}/members/{}/edit", d.household.id.0, m.id.0))
                                title=(v.t("修改成员信息", "Edit the member")) { (m.name) }
                        } @else { (m.name) }
                    }
                    td.mono { (m.id_number) }
                    td { (enum_label(v.lang, "sex", m.sex.as_str(), m.sex.label())) }
                    td { (m.birth_date) }
                    td { (code_label(v.lang, codes, table::RELATION_TO_HEAD, &m.relation)) }
                    td { (opt(table::HEALTH, &m.health)) }
                    td { (opt(table::LABOUR_ABILITY, &m.labour_ability)) }
                    td { (opt(table::EDUCATION, &m.education)) }
                    td { (opt(table::WORK_STATUS, &m.work_status)) }
                    td { @if m.active { (v.t("是", "yes")) } @else { (v.t("否", "no")) @if let Some(d) = m.left_on { " (" (d) ")" } } }
                } } }
            } }
        }
    }
}

fn incomes(v: &Viewer, d: &HouseholdDetail, can_edit: bool) -> Markup {
    let mut rows = d.incomes.clone();
    rows.sort_by_key(|i| i.year);
    html! {
        section #incomes {
            h2 { (v.t("家庭收入（元）", "Incomes (yuan)")) }
            @if can_edit {
                p.section-actions { a.button href=(format!("/households/{}/incomes", d.household.id.0)) { (v.t("录入年度收入", "Enter a year's incomes")) } }
            }
            @if rows.is_empty() { p.muted { (v.t("暂无收入记录", "No income records")) } } @else {
                div.table-wrap { table.data {
                    thead { tr {
                        th scope="col" { (v.t("年度", "Year")) }
                        th.num scope="col" { (v.t("工资性", "Wages")) }
                        th.num scope="col" { (v.t("生产经营性", "Business")) }
                        th.num scope="col" { (v.t("财产性", "Property")) }
                        th.num scope="col" { (v.t("转移性", "Transfers")) }
                        th.num scope="col" { (v.t("经营支出", "Costs")) }
                        th.num scope="col" { (v.t("纯收入", "Net")) }
                        th.num scope="col" { (v.t("人数", "Persons")) }
                        th.num scope="col" { (v.t("人均纯收入", "Per capita")) }
                        th.num scope="col" { (v.t("增长", "Growth")) }
                    } }
                    tbody { @for (i, r) in rows.iter().enumerate() {
                        @let prev = if i > 0 { rows[i - 1].per_capita_net_income_fen.map(|f| f.get()) } else { None };
                        @let now = r.per_capita_net_income_fen.map(|f| f.get());
                        @let g = match (prev, now) { (Some(a), Some(b)) => fupin_core::reports::growth_pct(a, b), _ => None };
                        tr {
                            th scope="row" {
                                @if can_edit { a href=(format!("/households/{}/incomes?year={}", d.household.id.0, r.year)) title=(v.t("修改", "Edit")) { (r.year) } }
                                @else { (r.year) }
                            }
                            td.num { (yuan(r.components.wage_fen.get())) }
                            td.num { (yuan(r.components.business_fen.get())) }
                            td.num { (yuan(r.components.property_fen.get())) }
                            td.num { (yuan(r.components.transfer_fen.get())) }
                            td.num { (yuan(r.components.business_cost_fen.get())) }
                            td.num { (yuan(r.net_income_fen.get())) }
                            td.num { (r.persons) }
                            td.num { strong { (yuan_opt(now)) } }
                            td.num { (growth(g)) }
                        }
                    } }
                } }
            }
        }
    }
}

fn history(v: &Viewer, d: &HouseholdDetail, can_edit: bool) -> Markup {
    html! {
        section #history {
            h2 { (v.t("状态变更", "Status history")) }
            @if can_edit {
                p.section-actions { a.button href=(format!("/households/{}/status", d.household.id.0)) { (v.t("变更状态", "Change the status")) } }
            }
            div.table-wrap { table.data {
                thead { tr { th scope="col" { (v.t("日期", "Date")) } th scope="col" { (v.t("变更", "Change")) } th scope="col" { (v.t("原因", "Reason")) } th scope="col" { (v.t("经办", "By")) } } }
                tbody { @for e in &d.status_history { tr {
                    td { (e.date) }
                    td { @if let Some(f) = e.from_status { (status_label(v.lang, f)) " → " } (status_label(v.lang, e.to_status))
                         @if let Some(y) = e.exit_year { " (" (y) ")" } }
                    td { (e.reason) }
                    td { (e.actor) }
                } } }
            } }
        }
    }
}

// ---- create and edit ------------------------------------------------------------------------------

/// The inputs of the household form, by the API's field names.
const HOUSEHOLD_INPUTS: &[&str] = &[
    "household_number",
    "village_code",
    "group_name",
    "address",
    "attribute",
    "identification_standard",
    "identification_year",
    "main_cause",
];
const HEAD_INPUTS: &[&str] = &[
    "members[0].name",
    "members[0].id_number",
    "members[0].phone",
];

async fn household_form(
    v: &Viewer,
    app: &AppState,
    st: &FormState,
    edit: Option<&HouseholdDetail>,
) -> Result<axum::response::Response, PageError> {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let roots = v
        .caller
        .principal
        .regions_for(Policy::WriteRegistry)
        .unwrap_or_default();
    let codes = app.store.code_book().await?;
    let villages = villages(app, &ctx, &roots).await?;
    let (title, action) = match edit {
        Some(d) => (
            format!(
                "{} {}",
                v.t("编辑农户", "Edit household"),
                d.household.household_number
            ),
            format!("/households/{}/edit", d.household.id.0),
        ),
        None => (
            v.t("新增农户", "New household").to_string(),
            "/households/new".to_string(),
        ),
    };
    let mut inputs: Vec<&str> = HOUSEHOLD_INPUTS.to_vec();
    if edit.is_none() {
        inputs.extend_from_slice(HEAD_INPUTS);
    }
    let this_year = today().year().to_string();
    let body = html! {
        h1 { (title) }
        (st.summary(v.lang, &inputs))
        form.stack method="post" action=(action) novalidate {
            (v.csrf_field())
            fieldset {
                legend { (v.t("户信息", "Household")) }
                (Input::text("household_number", v.t("户编码", "Household number")).required().inputmode("numeric")
                    .hint(v.t("所属村的 12 位区划代码 + 4 位序号（0001 起），共 16 位数字", "The village's 12-digit code + a 4-digit serial from 0001: 16 digits")).render(st))
                @if edit.is_some() {
                    div.field.check {
                        label for="f-confirm_renumber" {
                            input #f-confirm_renumber type="checkbox" name="confirm_renumber" value="1"
                                checked[!st.value("confirm_renumber").is_empty()];
                            " " (v.t("确认修改户编码（改号记入审计日志）", "Confirm the change of number (recorded in the audit log)"))
                        }
                    }
                }
                @if villages.is_empty() {
                    (Input::text("village_code", v.t("所属村区划代码", "Village code")).required().inputmode("numeric").render(st))
                } @else {
                    (select(st, "village_code", v.t("所属村", "Village"), &villages, Some(v.t("请选择", "Choose")), true))
                }
                (Input::text("group_name", v.t("村民小组", "Group")).render(st))
                (Input::text("address", v.t("地址", "Address")).render(st))
                (select(st, "attribute", v.t("贫困户属性", "Attribute"), &code_options(v.lang, &codes, table::HOUSEHOLD_ATTRIBUTE), Some(v.t("请选择", "Choose")), true))
                (select(st, "identification_standard", v.t("识别标准", "Identification standard"), &code_options(v.lang, &codes, table::IDENTIFICATION_STANDARD), Some(v.t("请选择", "Choose")), true))
                (Input::text("identification_year", v.t("识别年度", "Year identified")).required().kind("number").max(&this_year).inputmode("numeric").render(st))
                (select(st, "main_cause", v.t("主要致贫原因", "Main cause"), &code_options(v.lang, &codes, table::POVERTY_CAUSE), Some(v.t("请选择", "Choose")), true))
            }
            @if edit.is_none() {
                fieldset {
                    legend { (v.t("户主", "Head of household")) }
                    input type="hidden" name="members[0].relation" value="01";
                    (Input::text("members[0].name", v.t("姓名", "Name")).required().render(st))
                    (Input::text("members[0].id_number", v.t("身份证号", "ID number")).required()
                        .hint(v.t("18 位，末位可为 X；保存后脱敏显示", "18 characters, the last may be X; shown masked once saved")).render(st))
                    (Input::text("members[0].phone", v.t("联系电话", "Phone")).kind("tel").inputmode("tel").render(st))
                    p.hint { (v.t("其他家庭成员可在保存后通过接口或导入添加。", "Other members can be added after saving, through the API or an import.")) }
                }
            }
            div.form-actions {
                button.primary type="submit" { (v.t("保存", "Save")) }
                a href=(edit.map(|d| format!("/households/{}", d.household.id.0)).unwrap_or_else(|| "/households".into())) { (v.t("取消", "Cancel")) }
            }
        }
    };
    let mut shell = Shell::new(
        title.clone(),
        if edit.is_some() {
            "/households"
        } else {
            "/households/new"
        },
    );
    shell.crumbs = vec![
        (
            v.t("建档立卡户", "Households").to_string(),
            Some("/households".into()),
        ),
        (title, None),
    ];
    let status = if st.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(v, shell, body)).into_response())
}

async fn new_form(v: Viewer, State(app): State<AppState>) -> PageResult {
    let mut st = FormState::default();
    st.set("identification_year", today().year().to_string());
    household_form(&v, &app, &st, None).await
}

/// Text of a form field, `None` when empty.
fn opt(form: &Form, name: &str) -> Value {
    match form.get(name).map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Value::String(s.to_string()),
        None => Value::Null,
    }
}

fn text(form: &Form, name: &str) -> Value {
    Value::String(form.get(name).map(str::trim).unwrap_or("").to_string())
}

/// The year typed on the form. When it is not a number the problem is kept and this year stands
/// in for it, so that the form's other fields are still checked and every problem shows at once.
fn year_field(form: &Form, name: &str, problems: &mut Problems) -> Value {
    let t = form.get(name).map(str::trim).unwrap_or("");
    match t.parse::<i32>() {
        Ok(y) => json!(y),
        Err(_) => {
            problems.push(DomainError::invalid(
                name,
                "invalid_year",
                format!("{} 须为四位年份", fupin_core::labels::field_label(name)),
            ));
            json!(today().year())
        }
    }
}

/// The problems found before the store was asked, with those the rules find in the rest of the
/// form: nothing is written.
fn all_problems(mut early: Problems, rules: DomainResult<()>) -> DomainError {
    if let Err(e) = rules {
        early.push(e);
    }
    early.finish().err().unwrap_or_else(DomainError::internal)
}

/// A form body as the API's JSON would have it, read by the API's own types.
fn to_input<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, DomainError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        DomainError::invalid(path.clone(), "invalid_value", format!("{path} 的值无效"))
    })
}

async fn create(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let mut early = Problems::new();
    let year = year_field(&form, "identification_year", &mut early);
    let built: Result<NewHousehold, DomainError> = {
        let household = json!({
            "household_number": text(&form, "household_number"),
            "village_code": text(&form, "village_code"),
            "group_name": opt(&form, "group_name"),
            "address": opt(&form, "address"),
            "attribute": text(&form, "attribute"),
            "identification_standard": text(&form, "identification_standard"),
            "identification_year": year,
            "main_cause": text(&form, "main_cause"),
        });
        let head = json!({
            "name": text(&form, "members[0].name"),
            "id_number": text(&form, "members[0].id_number"),
            "relation": "01",
            "phone": opt(&form, "members[0].phone"),
        });
        to_input(json!({ "household": household, "members": [head] }))
    };
    let result = match built {
        Ok(new) if early.is_empty() => app.store.create_household(&ctx, new).await,
        Ok(new) => {
            let codes = app.store.code_book().await?;
            let t = today();
            let mut rules = Problems::new();
            rules.check(new.household.validate_new(&codes, t));
            rules.check(validate_new_members(&new.members, &codes, t));
            Err(all_problems(early, rules.finish()))
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!(
            "/households/{}?saved=1",
            d.household.id.0
        ))),
        Err(e) if is_input_error(&e) => {
            let mut st = FormState::with_values(form.0.clone());
            st.error = Some(strip_field_prefix(e, "household."));
            household_form(&v, &app, &st, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Errors a person can correct on the form (shown beside the field), as opposed to errors of access
/// or of the system (shown as an error page).
fn is_input_error(e: &DomainError) -> bool {
    use fupin_core::ErrorKind as K;
    matches!(e.kind, K::Invalid | K::Conflict)
}

fn household_values(d: &HouseholdDetail) -> FormState {
    let h = &d.household;
    FormState::with_values(vec![
        ("household_number".into(), h.household_number.clone()),
        ("village_code".into(), h.village_code.to_string()),
        (
            "group_name".into(),
            h.group_name.clone().unwrap_or_default(),
        ),
        ("address".into(), h.address.clone().unwrap_or_default()),
        ("attribute".into(), h.attribute.clone()),
        (
            "identification_standard".into(),
            h.identification_standard.clone(),
        ),
        (
            "identification_year".into(),
            h.identification_year.to_string(),
        ),
        ("main_cause".into(), h.main_cause.clone()),
    ])
}

async fn edit_form(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let d = app
        .store
        .household(&ctx, HouseholdId(parse_id(&id)?))
        .await?;
    household_form(&v, &app, &household_values(&d), Some(&d)).await
}

async fn update(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = HouseholdId(parse_id(&id)?);
    // The API replaces the whole household; the fields the form does not show (phone, bank account,
    // living conditions, relocation, other causes) are kept as stored. Phone and bank account are
    // masked in every read a page shows, so they are read here unmasked and only sent back; nothing
    // of this read reaches the page.
    let stored = app
        .store
        .household(
            &Ctx {
                unmask: true,
                ..ctx.clone()
            },
            id,
        )
        .await?;
    let mut early = Problems::new();
    let year = year_field(&form, "identification_year", &mut early);
    let built = (|| -> Result<HouseholdInput, DomainError> {
        let mut base =
            serde_json::to_value(&stored.household).map_err(|_| DomainError::internal())?;
        let keep = [
            "phone",
            "bank_name",
            "bank_account",
            "other_causes",
            "living",
            "relocation",
        ];
        let mut obj = serde_json::Map::new();
        for k in keep {
            obj.insert(
                k.into(),
                base.get_mut(k).map(Value::take).unwrap_or(Value::Null),
            );
        }
        obj.insert("household_number".into(), text(&form, "household_number"));
        obj.insert("village_code".into(), text(&form, "village_code"));
        obj.insert("group_name".into(), opt(&form, "group_name"));
        obj.insert("address".into(), opt(&form, "address"));
        obj.insert("attribute".into(), text(&form, "attribute"));
        obj.insert(
            "identification_standard".into(),
            text(&form, "identification_standard"),
        );
        obj.insert("identification_year".into(), year);
        obj.insert("main_cause".into(), text(&form, "main_cause"));
        obj.insert(
            "confirm_renumber".into(),
            json!(form.get("confirm_renumber").is_some()),
        );
        to_input(Value::Object(obj))
    })();
    let result = match built {
        Ok(input) if early.is_empty() => app.store.update_household(&ctx, id, input).await,
        Ok(input) => {
            let codes = app.store.code_book().await?;
            let rules = input
                .validate_update(&codes, today(), &stored.household.household_number)
                .map(|_| ());
            Err(all_problems(early, rules))
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!(
            "/households/{}?saved=1",
            d.household.id.0
        ))),
        Err(e) if is_input_error(&e) => {
            let shown = app.store.household(&ctx, id).await?;
            let mut st = FormState::with_values(form.0.clone());
            st.error = Some(e);
            household_form(&v, &app, &st, Some(&shown)).await
        }
        Err(e) => Err(e.into()),
    }
}
