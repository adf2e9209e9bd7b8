//! Pages of workshops, posts and service events: a region's list (扶贫车间 / 扶贫专岗 / 服务活动),
//! one workplace with its registered labourers, one event with its registered persons; the forms
//! that register them are `service_forms`.

use crate::ui::fmt::{count, yuan};
use crate::ui::i18n::enum_label;
use crate::ui::layout::{parse_id, query_map, render, PageError, PageResult, Shell};
use crate::ui::Viewer;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use fupin_core::accounts::Policy;
use fupin_core::measures::*;
use fupin_core::store::{EventFilter, WorkplaceFilter};
use fupin_core::RegionCode;
use maud::{html, Markup};

pub(crate) fn routes(r: crate::routes::Routes) -> crate::routes::Routes {
    r.get("/workplaces", workplaces_page)
        .get("/workplaces/{id}", workplace_page)
        .get("/events", events_page)
        .get("/events/{id}", event_page)
}

/// The region of the `region` parameter, or the viewer's first region.
fn region_of(
    v: &Viewer,
    q: &std::collections::HashMap<String, String>,
) -> Result<RegionCode, PageError> {
    match q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(crate::params::region_code("region", s)?),
        None => v
            .caller
            .principal
            .regions_for(Policy::ReadRegistry)
            .and_then(|r| r.first().cloned())
            .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "您没有查看此类信息的权限")),
    }
}

fn period(v: &Viewer, from: time::Date, to: Option<time::Date>) -> String {
    format!(
        "{from} → {}",
        to.map(|d| d.to_string())
            .unwrap_or_else(|| v.t("至今", "ongoing").to_string())
    )
}

fn kind_label(v: &Viewer, k: WorkplaceKind) -> &'static str {
    match k {
        WorkplaceKind::Workshop => v.t("扶贫车间", "Poverty workshop"),
        WorkplaceKind::Post => v.t("扶贫专岗（公益性岗位）", "Poverty post"),
    }
}

async fn workplaces_page(
    v: Viewer,
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q)?;
    let kind = q.get("kind").and_then(|k| WorkplaceKind::parse(k));
    let region = app.store.region(&ctx, &code).await?;
    let after = q
        .get("after")
        .map(|a| parse_id(a))
        .transpose()?
        .map(WorkplaceId);
    let list = app
        .store
        .workplaces(
            &ctx,
            &code,
            &WorkplaceFilter {
                kind,
                after,
                limit: 100,
            },
        )
        .await?;
    let can_write = v.caller.ctx(Policy::WriteRegistry).is_ok();
    let title = match kind {
        Some(k) => kind_label(&v, k).to_string(),
        None => v.t("扶贫车间和扶贫专岗", "Workshops and posts").to_string(),
    };
    let link = |k: Option<WorkplaceKind>| {
        let mut s = format!("/workplaces?region={}", code.as_str());
        if let Some(k) = k {
            s.push_str("&kind=");
            s.push_str(k.as_str());
        }
        s
    };
    let body = html! {
        h1 { (region.region.name) " · " (title) }
        nav.tabs aria-label=(v.t("类别", "Kind")) {
            a href=(link(None)) aria-current=[kind.is_none().then_some("page")] { (v.t("全部", "All")) }
            @for k in WorkplaceKind::ALL {
                a href=(link(Some(k))) aria-current=[(kind == Some(k)).then_some("page")] { (kind_label(&v, k)) }
            }
            a href=(format!("/events?region={}", code.as_str())) { (v.t("服务活动", "Service events")) }
        }
        @if can_write {
            p { a.button #new-workplace href=(format!("/workplaces/new?region={}", code.as_str())) { (v.t("登记扶贫车间或岗位", "Register a workshop or post")) } }
        }
        @if list.is_empty() {
            p.muted #no-workplaces { (v.t("本区域暂无登记的扶贫车间或岗位", "No workshops or posts registered in this region")) }
        } @else {
            div.table-wrap { table.data #workplaces {
                thead { tr {
                    th scope="col" { (v.t("名称", "Name")) }
                    th scope="col" { (v.t("类别", "Kind")) }
                    th scope="col" { (v.t("类型", "Type")) }
                    th scope="col" { (v.t("所在村", "Village")) }
                    th scope="col" { (v.t("贫困村", "Poor village")) }
                    th.num scope="col" { (v.t("岗位数", "Positions")) }
                    th.num scope="col" { (v.t("在岗建档立卡人员", "Registered labourers now")) }
                    th scope="col" { (v.t("开设期", "Open")) }
                } }
                tbody { @for w in &list { tr data-workplace=(w.id.0) {
                    td { a href=(format!("/workplaces/{}", w.id.0)) { (w.name) } }
                    td { (kind_label(&v, w.kind)) }
                    td { (w.work_type) }
                    td { (w.village_name) }
                    td { @if w.in_poor_village { (v.t("是", "yes")) } @else { (v.t("否", "no")) } }
                    td.num { (count(i64::from(w.capacity))) }
                    td.num { (count(w.employed_now)) }
                    td.small { (period(&v, w.opened, w.closed)) }
                } } }
            } }
            @if list.len() == 100 {
                p { a.button href=(format!("{}&after={}", link(kind), list.last().map_or(0, |w| w.id.0))) { (v.t("下一页", "Next page")) } }
            }
        }
    };
    let mut shell = Shell::new(title, "/workplaces");
    shell.crumbs = vec![(region.region.name.clone(), None)];
    Ok(render(&v, shell, body))
}

async fn workplace_page(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let d = app
        .store
        .workplace(&ctx, WorkplaceId(parse_id(&id)?))
        .await?;
    let w = &d.workplace;
    let body = html! {
        h1 { (w.name) " " small.muted { (kind_label(&v, w.kind)) } }
        dl.facts {
            dt { (v.t("所在村", "Village")) } dd { (w.village_name) " (" (w.village_code.as_str()) ")" @if w.in_poor_village { " " span.badge { (v.t("贫困村", "poor village")) } } }
            dt { (v.t("类型", "Type")) } dd { (w.work_type) }
            dt { (v.t("岗位数", "Positions")) } dd { (w.capacity) }
            dt { (v.t("在岗建档立卡人员", "Registered labourers now")) } dd { (w.employed_now) }
            dt { (v.t("经营主体 / 用工单位", "Operator")) } dd { (w.operator.as_deref().unwrap_or("—")) }
            dt { (v.t("开设期", "Open")) } dd { (period(&v, w.opened, w.closed)) }
            @if let Some(n) = &w.note { dt { (v.t("备注", "Note")) } dd { (n) } }
        }
        h2 { (v.t("聘用的建档立卡劳动力", "Registered labourers hired")) " " small.muted { "(" (d.hires.len()) ")" } }
        @if v.caller.ctx(Policy::WriteRegistry).is_ok() {
            p { a.button #new-hire href=(format!("/workplaces/{}/hire", w.id.0)) { (v.t("登记聘用人员", "Hire a labourer")) } }
        }
        @if d.hires.is_empty() { p.muted { (v.t("暂无聘用记录", "No hires")) } } @else {
            div.table-wrap { table.data #hires {
                thead { tr {
                    th scope="col" { (v.t("姓名", "Name")) }
                    th scope="col" { (v.t("户编码", "Household")) }
                    th scope="col" { (v.t("在岗期间", "Period")) }
                    th.num scope="col" { (v.t("月工资（元）", "Monthly wage (yuan)")) }
                } }
                tbody { @for h in &d.hires { tr data-hire=(h.id.0) {
                    td { (h.person_name) }
                    td { a href=(format!("/households/{}", h.household_id.0)) { (h.household_number) } }
                    td.small { (period(&v, h.hire_date, h.leave_date)) }
                    td.num { (yuan(h.monthly_wage_fen)) }
                } } }
            } }
        }
    };
    let mut shell = Shell::new(w.name.clone(), "/workplaces");
    shell.crumbs = vec![
        (
            kind_label(&v, w.kind).to_string(),
            Some(format!(
                "/workplaces?region={}&kind={}",
                w.village_code.as_str(),
                w.kind.as_str()
            )),
        ),
        (w.name.clone(), None),
    ];
    Ok(render(&v, shell, body))
}

async fn events_page(
    v: Viewer,
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q)?;
    let kind = q.get("kind").and_then(|k| EventKind::parse(k));
    let region = app.store.region(&ctx, &code).await?;
    let after = q
        .get("after")
        .map(|a| parse_id(a))
        .transpose()?
        .map(EventId);
    let list = app
        .store
        .events(
            &ctx,
            &code,
            &EventFilter {
                kind,
                after,
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
    let link = |k: Option<EventKind>| {
        let mut s = format!("/events?region={}", code.as_str());
        if let Some(k) = k {
            s.push_str("&kind=");
            s.push_str(k.as_str());
        }
        s
    };
    let can_write = v.caller.ctx(Policy::WriteRegistry).is_ok();
    let body = html! {
        h1 { (region.region.name) " · " (v.t("服务活动", "Service events")) }
        nav.tabs aria-label=(v.t("类别", "Kind")) {
            a href=(link(None)) aria-current=[kind.is_none().then_some("page")] { (v.t("全部", "All")) }
            @for k in EventKind::ALL {
                a href=(link(Some(k))) aria-current=[(kind == Some(k)).then_some("page")] { (enum_label(v.lang, "service_event_kind", k.as_str(), k.label())) }
            }
            a href=(format!("/workplaces?region={}", code.as_str())) { (v.t("扶贫车间和岗位", "Workshops and posts")) }
        }
        @if can_write {
            p { a.button #new-event href=(format!("/events/new?region={}", code.as_str())) { (v.t("登记服务活动", "Record a service event")) } }
        }
        @if list.is_empty() {
            p.muted #no-events { (v.t("本区域暂无登记的服务活动", "No service events recorded in this region")) }
        } @else {
            div.table-wrap { table.data #events {
                thead { tr {
                    th scope="col" { (v.t("日期", "Date")) }
                    th scope="col" { (v.t("活动", "Event")) }
                    th scope="col" { (v.t("类别", "Kind")) }
                    th scope="col" { (v.t("地点", "Place")) }
                    th.num scope="col" { (v.t("服务人次", "Person-times")) }
                    th.num scope="col" { (v.t("其中建档立卡", "Of whom registered")) }
                    th.num scope="col" { (v.t("药品价值（元）", "Medicine (yuan)")) }
                    th.num scope="col" { (v.t("发放份数", "Leaflets")) }
                } }
                tbody { @for e in &list { tr data-event=(e.id.0) {
                    td { (e.date) }
                    td { a href=(format!("/events/{}", e.id.0)) { (e.title) } }
                    td { (enum_label(v.lang, "service_event_kind", e.kind.as_str(), &e.kind_label)) }
                    td { (e.place) " " small.muted { (e.region_name) } }
                    td.num { (count(e.served_total)) }
                    td.num { (count(e.registered)) }
                    td.num { @if e.medicine_fen > 0 { (yuan(e.medicine_fen)) } }
                    td.num { @if e.leaflets > 0 { (count(e.leaflets)) } }
                } } }
            } }
            @if list.len() == 100 {
                p { a.button href=(format!("{}&after={}", link(kind), list.last().map_or(0, |e| e.id.0))) { (v.t("下一页", "Next page")) } }
            }
        }
    };
    let mut shell = Shell::new(v.t("服务活动", "Service events"), "/events");
    shell.crumbs = vec![(region.region.name.clone(), None)];
    Ok(render(&v, shell, body))
}

fn placements(v: &Viewer, p: &Placements) -> Markup {
    html! {
        (v.t("县内", "in county")) " " (count(p.in_county)) " · "
        (v.t("县外省内", "elsewhere in the province")) " " (count(p.in_province)) " · "
        (v.t("跨省", "other provinces")) " " (count(p.cross_province))
    }
}

async fn event_page(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let d = app.store.event(&ctx, EventId(parse_id(&id)?)).await?;
    let e = &d.event;
    let body = html! {
        h1 { (e.title) " " small.muted { (enum_label(v.lang, "service_event_kind", e.kind.as_str(), &e.kind_label)) } }
        dl.facts {
            dt { (v.t("日期", "Date")) } dd { (e.date) }
            dt { (v.t("地点", "Place")) } dd { (e.place) " · " (e.region_name) }
            dt { (v.t("服务人次", "Person-times")) } dd #served { (count(e.served_total)) " / " (v.t("其中建档立卡", "of whom registered")) " " (count(e.registered)) }
            @if e.medicine_fen > 0 { dt { (v.t("药品价值", "Medicine")) } dd { (yuan(e.medicine_fen)) " " (v.t("元", "yuan")) } }
            @if e.leaflets > 0 { dt { (v.t("发放份数", "Leaflets")) } dd { (count(e.leaflets)) } }
            @if e.placed_others != Placements::default() {
                dt { (v.t("其他劳动力实现就业", "Others placed in work")) } dd { (placements(&v, &e.placed_others)) }
            }
            dt { (v.t("组织单位", "Organiser")) } dd { (e.organiser.as_deref().unwrap_or("—")) }
            @if let Some(n) = &e.note { dt { (v.t("备注", "Note")) } dd { (n) } }
        }
        h2 { (v.t("关联的建档立卡人员", "Registered persons served")) " " small.muted { "(" (d.persons.len()) ")" } }
        @if d.persons.is_empty() { p.muted { (v.t("您辖区内没有关联人员", "No linked persons in your regions")) } } @else {
            ul.plain #event-persons { @for p in &d.persons {
                li { (p.name) " " a href=(format!("/households/{}", p.household_id.0)) { small.muted { (p.household_number) } } }
            } }
        }
    };
    let mut shell = Shell::new(e.title.clone(), "/events");
    shell.crumbs = vec![
        (
            v.t("服务活动", "Service events").to_string(),
            Some(format!("/events?region={}", e.region_code.as_str())),
        ),
        (e.title.clone(), None),
    ];
    Ok(render(&v, shell, body))
}
