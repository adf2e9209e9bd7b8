//! The work summary's pages: `/summary?region=&from=&to=[&unit=]` writes the summary of a region
//! (optionally one helping unit) and period and shows it as the printable document, with its
//! downloads (HTML, DOCX, Markdown) and the button that freezes it (`POST /summary/snapshots`),
//! and the region's standard tables of a year (registry, pairing, measures, funds) as XLSX;
//! `/snapshots?region=` lists the frozen summaries of a region and below, and `/snapshots/{id}`
//! shows one as it was sent upward with the figures that changed since.
//!
//! The document is the one the API writes (`fupin_io::summary::to_html`), shown in a frame of its
//! own (`srcdoc`) so that its A4 print style stays apart from the page's; the downloads are the
//! API's routes, which the session's cookie reaches.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::fmt::china_time;
use crate::ui::layout::{parse_id, query_map, render, see_other, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use fupin_core::accounts::Policy;
use fupin_core::reports::summary::{FigureChange, Summary};
use fupin_core::years::{parse_date, today};
use fupin_core::{Ctx, RegionCode};
use maud::{html, Markup};
use time::Date;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/summary", summary_page)
        .post("/summary/snapshots", freeze)
        .get("/snapshots", snapshot_list)
        .get("/snapshots/{id}", snapshot_page)
}

/// The region asked for, or the first of the user's regions.
fn region_of(
    v: &Viewer,
    q: &std::collections::HashMap<String, String>,
) -> Result<RegionCode, PageError> {
    match q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(crate::params::region_code("region", s)?),
        None => v
            .caller
            .principal
            .regions_for(fupin_io::summary::POLICY)
            .and_then(|r| r.first().cloned())
            .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "您没有查看工作总结的权限")),
    }
}

/// The query of a summary (period and unit) for links to the API and between pages.
fn summary_query(from: Date, to: Date, unit: Option<&str>) -> String {
    let mut q = vec![
        ("from".to_string(), from.to_string()),
        ("to".to_string(), to.to_string()),
    ];
    if let Some(u) = unit {
        q.push(("unit".to_string(), u.to_string()));
    }
    serde_urlencoded::to_string(q).unwrap_or_default()
}

/// The document in a frame of its own, tall enough for its pages.
fn document_frame(v: &Viewer, s: &Summary, id: &str) -> Markup {
    html! {
        iframe.summary-doc #(id) title=(v.t("工作总结", "Work summary"))
            srcdoc=(fupin_io::summary::to_html(s))
            style="width:100%;min-height:80vh;border:1px solid #ccc;background:#fff" {}
    }
}

/// Downloads of a summary or snapshot: `base` is the API route, `query` its parameters.
fn downloads(v: &Viewer, base: &str, query: &str) -> Markup {
    let sep = if query.is_empty() { "?" } else { "&" };
    let href = |f: &str| {
        if query.is_empty() {
            format!("{base}?format={f}")
        } else {
            format!("{base}?{query}{sep}format={f}")
        }
    };
    html! {
        p.actions #downloads {
            a.button href=(href("html")) target="_blank" rel="noopener" data-format="html" { (v.t("打印版（HTML）", "Printable (HTML)")) }
            " "
            a.button href=(href("docx")) data-format="docx" { (v.t("下载 Word（DOCX）", "Download Word (DOCX)")) }
            " "
            a.button href=(href("md")) data-format="md" { (v.t("下载 Markdown", "Download Markdown")) }
        }
    }
}

/// The standard tables of the region by child region (XLSX, the API's routes, which the session's
/// cookie reaches): one year, one button per table.
fn tables_form(v: &Viewer, code: &RegionCode, year: i32) -> Markup {
    let route = |t: &str| format!("/api/v1/regions/{}/tables/{t}", code.as_str());
    let tables = [
        ("registry", v.t("建档立卡统计表", "Registry table")),
        ("pairing", v.t("结对帮扶统计表", "Pairing table")),
        ("measures", v.t("帮扶措施统计表", "Measures table")),
        ("funds", v.t("项目资金统计表", "Funds table")),
    ];
    html! {
        form.inline #tables-form method="get" action=(route("registry")) {
            label for="table-year" { (v.t("标准统计表（XLSX）年度", "Standard tables (XLSX), year")) }
            input #table-year type="number" name="year" value=(year) min="1990" max="2100" required;
            @for (t, label) in tables {
                " "
                button type="submit" formaction=(route(t)) data-table=(t) { (label) }
            }
        }
    }
}

async fn summary_page(
    v: Viewer,
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(fupin_io::summary::POLICY)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q)?;
    let region = app.store.region(&ctx, &code).await?;
    let field = |n: &str| q.get(n).map(|s| s.trim()).filter(|s| !s.is_empty());
    let unit = field("unit").map(str::to_string);
    // the helping units designated in the region, for the choice of one
    let mut units: Vec<String> = app
        .store
        .designations(&ctx, &code)
        .await?
        .into_iter()
        .map(|d| d.unit_name)
        .collect();
    units.sort();
    units.dedup();
    let this_year = today().year();
    let from_text = field("from").map(str::to_string).unwrap_or_else(|| {
        Date::from_calendar_date(this_year - 1, time::Month::January, 1)
            .map(|d| d.to_string())
            .unwrap_or_default()
    });
    let to_text = field("to")
        .map(str::to_string)
        .unwrap_or_else(|| today().to_string());
    // a summary once a period is given; its faults are shown beside the form
    let asked = field("from").is_some() || field("to").is_some();
    let mut fault: Option<String> = None;
    let mut written: Option<(Summary, Date, Date)> = None;
    if asked {
        let period =
            parse_date("from", &from_text).and_then(|f| parse_date("to", &to_text).map(|t| (f, t)));
        match period {
            Err(e) => fault = Some(e.message),
            Ok((from, to)) => {
                match fupin_io::summary::summary(
                    app.store.as_ref(),
                    &ctx,
                    &code,
                    from,
                    to,
                    unit.as_deref(),
                    today(),
                )
                .await
                {
                    Ok(s) => written = Some((s, from, to)),
                    Err(e) if e.kind == fupin_core::ErrorKind::Internal => return Err(e.into()),
                    Err(e) => fault = Some(e.message),
                }
            }
        }
    }
    let may_freeze = v
        .caller
        .principal
        .regions_for(Policy::WriteRegistry)
        .is_some_and(|r| r.iter().any(|r| r.contains(&code)));
    // the standard tables of the summary's last year, or of last year
    let table_year = written
        .as_ref()
        .map_or(this_year - 1, |(_, _, to)| to.year());
    let title = format!(
        "{} · {}",
        region.region.name,
        v.t("工作总结", "Work summary")
    );
    let body = html! {
        h1 { (region.region.name) " · " (v.t("帮扶工作总结", "Work summary")) }
        form.inline #summary-form method="get" action="/summary" {
            input type="hidden" name="region" value=(code.as_str());
            label for="from" { (v.t("起始日", "From")) }
            input #from type="date" name="from" value=(from_text) required;
            label for="to" { (v.t("截止日", "To")) }
            input #to type="date" name="to" value=(to_text) required;
            label for="unit" { (v.t("帮扶单位", "Helping unit")) }
            select #unit name="unit" {
                option value="" selected[unit.is_none()] { (v.t("（全部）", "(all)")) }
                @for u in &units {
                    option value=(u) selected[unit.as_deref() == Some(u.as_str())] { (u) }
                }
            }
            button type="submit" { (v.t("生成总结", "Write the summary")) }
        }
        p {
            a href=(format!("/snapshots?region={}", code.as_str())) #snapshot-list-link { (v.t("已冻结的总结（快照）", "Frozen summaries (snapshots)")) }
            " · "
            a href=(format!("/board?region={}", code.as_str())) { (v.t("进度看板", "Progress board")) }
        }
        (tables_form(&v, &code, table_year))
        @if let Some(f) = &fault {
            p.error role="alert" #summary-error { (f) }
        }
        @if let Some((s, from, to)) = &written {
            (downloads(&v, &format!("/api/v1/regions/{}/summary", code.as_str()), &summary_query(*from, *to, unit.as_deref())))
            @if may_freeze {
                form.inline #freeze method="post" action="/summary/snapshots" {
                    (v.csrf_field())
                    input type="hidden" name="region" value=(code.as_str());
                    input type="hidden" name="from" value=(from.to_string());
                    input type="hidden" name="to" value=(to.to_string());
                    @if let Some(u) = &unit { input type="hidden" name="unit" value=(u); }
                    button type="submit" { (v.t("冻结为快照（上报版本）", "Freeze as sent upward")) }
                }
            }
            (document_frame(&v, s, "summary-doc"))
        }
    };
    Ok(render(&v, Shell::new(title, "/summary"), body))
}

async fn freeze(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let code = crate::params::region_code("region", form.get("region").unwrap_or(""))?;
    let from = parse_date("from", form.get("from").unwrap_or(""))?;
    let to = parse_date("to", form.get("to").unwrap_or(""))?;
    let unit = form
        .get("unit")
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    let s = fupin_io::summary::summary(
        app.store.as_ref(),
        &ctx,
        &code,
        from,
        to,
        unit.as_deref(),
        today(),
    )
    .await?;
    let snap = app.store.save_snapshot(&ctx, &s, unit.as_deref()).await?;
    Ok(see_other(&format!("/snapshots/{}", snap.id)))
}

async fn snapshot_list(
    v: Viewer,
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(fupin_io::summary::POLICY)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q)?;
    let region = app.store.region(&ctx, &code).await?;
    let list = app.store.snapshots(&ctx, &code).await?;
    let title = format!(
        "{} · {}",
        region.region.name,
        v.t("工作总结快照", "Frozen summaries")
    );
    let body = html! {
        h1 { (region.region.name) " · " (v.t("工作总结快照", "Frozen summaries")) }
        p { a href=(format!("/summary?region={}", code.as_str())) { (v.t("生成新的总结", "Write a summary")) } }
        @if list.is_empty() {
            p.muted #no-snapshots { (v.t("本区域及下辖尚无冻结的总结", "No frozen summary for this region yet")) }
        } @else {
            div.table-wrap { table.data #snapshots {
                thead { tr {
                    th { (v.t("标题", "Title")) } th { (v.t("期间", "Period")) } th { (v.t("帮扶单位", "Unit")) }
                    th { (v.t("制作人", "Made by")) } th { (v.t("冻结时间", "Frozen at")) }
                } }
                tbody { @for s in &list { tr {
                    td { a href=(format!("/snapshots/{}", s.id)) { (s.title) } }
                    td { (s.from) " — " (s.to) }
                    td { (s.unit.as_deref().unwrap_or("")) }
                    td { (s.made_by) }
                    td { (china_time(s.made_at)) }
                } } }
            } }
        }
    };
    Ok(render(&v, Shell::new(title, "/summary"), body))
}

fn change_value(v: &Viewer, text: &Option<String>) -> String {
    text.clone()
        .unwrap_or_else(|| v.t("（无）", "(none)").to_string())
}

async fn snapshot_page(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> PageResult {
    let ctx: Ctx = v.caller.ctx(fupin_io::summary::POLICY)?;
    let id = parse_id(&id)?;
    let snap = app.store.snapshot(&ctx, id).await?;
    let now = fupin_io::summary::summary(
        app.store.as_ref(),
        &ctx,
        &snap.region_code,
        snap.from,
        snap.to,
        snap.unit.as_deref(),
        today(),
    )
    .await?;
    let changes: Vec<FigureChange> = fupin_core::reports::summary::changes(&snap.summary, &now);
    let live = format!(
        "/summary?region={}&{}",
        snap.region_code.as_str(),
        summary_query(snap.from, snap.to, snap.unit.as_deref())
    );
    let title = format!("{} · {}", snap.summary.title, v.t("快照", "Snapshot"));
    let body = html! {
        h1 { (snap.summary.title) }
        p.meta {
            (v.t("快照", "Snapshot")) " #" (snap.id) " · "
            (v.t("冻结于 ", "frozen at ")) (china_time(snap.made_at)) " · "
            (v.t("制作人 ", "by ")) (snap.made_by)
        }
        p {
            a href=(format!("/snapshots?region={}", snap.region_code.as_str())) { (v.t("全部快照", "All snapshots")) }
            " · "
            a href=(live) #live-summary { (v.t("按今天的数据重新生成", "Write it again from today's data")) }
        }
        section #changes {
            h2 { (v.t("此后的变化", "What changed since")) }
            @if changes.is_empty() {
                p.muted #no-changes { (v.t("冻结以来各项数字均未变化", "No figure has changed since it was frozen")) }
            } @else {
                div.table-wrap { table.data #changes-table {
                    thead { tr {
                        th { (v.t("指标", "Figure")) } th.num { (v.t("冻结时", "Then")) } th.num { (v.t("现在", "Now")) }
                    } }
                    tbody { @for c in &changes { tr data-key=(c.key) {
                        td { (c.label) }
                        td.num { (change_value(&v, &c.then_text)) }
                        td.num { (change_value(&v, &c.now_text)) }
                    } } }
                } }
            }
        }
        section #frozen {
            h2 { (v.t("冻结时的总结（原样）", "The summary as frozen")) }
            (downloads(&v, &format!("/api/v1/snapshots/{}", snap.id), ""))
            (document_frame(&v, &snap.summary, "snapshot-doc"))
        }
    };
    Ok(render(&v, Shell::new(title, "/summary"), body))
}
