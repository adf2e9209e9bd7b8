//! Rectification pages: the progress board's rectification view (`/rectification`: per child
//! region and responsible unit, found / in progress / signed off / overdue in red, drilling down
//! to the child regions and to the items), the list of problems (`/problems`), and a problem's page
//! with its whole trail and the forms for the steps the viewer may take (`/problems/{id}`).

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::fmt::china_time;
use crate::ui::i18n::enum_label;
use crate::ui::layout::{parse_id, query_map, render, see_other, sort_header, Shell, StoreAnswer};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use fupin_core::accounts::Policy;
use fupin_core::offices::OfficeAct;
use fupin_core::rectification::*;
use fupin_core::years::today;
use fupin_core::DomainError;
use maud::{html, Markup};

pub(crate) fn page_routes(r: Routes) -> Routes {
    r.get("/rectification", board)
        .get("/problems", list)
        .get("/problems/{id}", item)
        .post("/problems/{id}/steps", take_step)
}

fn progress_cells(p: &Progress) -> Markup {
    html! {
        td.num { (p.found) }
        td.num { (p.in_progress) }
        td.num { (p.closed) }
        td.num.poor[p.overdue > 0] data-overdue=(p.overdue) { (p.overdue) }
        td.num { (format!("{:.1}%", p.closed_pct())) }
    }
}

fn progress_head(v: &Viewer, first: &str) -> Markup {
    html! {
        thead { tr {
            th { (first) }
            th.num { (v.t("发现问题", "Found")) }
            th.num { (v.t("整改中", "In progress")) }
            th.num { (v.t("已销号", "Signed off")) }
            th.num { (v.t("逾期", "Overdue")) }
            th.num { (v.t("销号率", "Signed off %")) }
        } }
    }
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
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
    let campaign = match q
        .get("campaign")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(CampaignId(parse_id(s)?)),
        None => None,
    };
    let b = app
        .store
        .rectification_board(&ctx, &code, campaign, today())
        .await?;
    let campaigns = app.store.campaigns(&ctx, Some(&code)).await?;
    let c = campaign
        .map(|c| format!("&campaign={}", c.0))
        .unwrap_or_default();
    let region = code.as_str();
    let mut crumbs = vec![];
    for a in code.ancestors() {
        if roots.iter().any(|r| r.contains(&a)) {
            let name = app
                .store
                .region(&ctx, &a)
                .await
                .or_none()?
                .map(|r| r.region.name);
            crumbs.push((
                name.unwrap_or_else(|| a.as_str().into()),
                Some(format!("/rectification?region={}{c}", a.as_str())),
            ));
        }
    }
    crumbs.push((b.region_name.clone(), None));
    let title = format!("{} · {}", b.region_name, v.t("整改销号", "Rectification"));
    let body = html! {
        h1 { (title) }
        section.tiles aria-label=(v.t("整改进度", "Progress")) {
            div.tile data-tile="found" { span.tile-label { (v.t("发现问题", "Found")) } span.tile-value { span.value { (b.total.found) } } }
            div.tile data-tile="in_progress" { span.tile-label { (v.t("整改中", "In progress")) } span.tile-value { span.value { (b.total.in_progress) } } }
            div.tile data-tile="closed" {
                span.tile-label { (v.t("已销号", "Signed off")) }
                span.tile-value { span.value { (b.total.closed) } }
                span.tile-note { (format!("{:.1}%", b.total.closed_pct())) }
            }
            div.tile data-tile="overdue" {
                span.tile-label { (v.t("逾期未销号", "Overdue")) }
                span.tile-value { a.value.poor[b.total.overdue > 0] href=(format!("/problems?region={region}&overdue=true{c}")) { (b.total.overdue) } }
            }
            div.tile data-tile="escalated" {
                span.tile-label { (v.t("上报本级督办", "Escalated here")) }
                span.tile-value { a.value.poor[b.escalated_here > 0] href=(format!("/problems?escalated_to={region}{c}")) { (b.escalated_here) } }
            }
        }
        @if !campaigns.is_empty() {
            form.filters method="get" action="/rectification" {
                input type="hidden" name="region" value=(region);
                label for="campaign" { (v.t("整改行动", "Campaign")) }
                select #campaign name="campaign" {
                    option value="" { (v.t("全部", "All")) }
                    @for k in &campaigns {
                        option value=(k.id.0) selected[Some(k.id) == campaign] {
                            (k.name) " (" (k.region_name) "，" (k.start_date) "—" (k.end_date) ")"
                        }
                    }
                }
                button type="submit" { (v.t("查看", "Show")) }
            }
        }
        h2 { (v.t("按下级区划", "By child region")) }
        div.table-wrap { table.data #by-region {
            (progress_head(&v, v.t("区划", "Region")))
            tbody {
                @for l in &b.by_region {
                    tr data-region=(l.key) {
                        td {
                            @if l.key != region {
                                a href=(format!("/rectification?region={}{c}", l.key)) { (l.name) }
                            } @else {
                                a href=(format!("/problems?region={}{c}", l.key)) { (l.name) }
                            }
                        }
                        (progress_cells(&l.progress))
                    }
                }
                @if b.by_region.is_empty() {
                    tr { td colspan="6" { (v.t("没有问题记录", "No problems recorded")) } }
                }
            }
        } }
        h2 { (v.t("按责任单位", "By responsible unit")) }
        div.table-wrap { table.data #by-unit {
            (progress_head(&v, v.t("责任单位", "Responsible unit")))
            tbody {
                @for l in &b.by_unit {
                    tr {
                        td { a href=(format!("/problems?region={region}&responsible_unit={}{c}", enc(&l.key))) { (l.name) } }
                        (progress_cells(&l.progress))
                    }
                }
            }
        } }
        p {
            a href=(format!("/problems?region={region}{c}")) { (v.t("全部问题清单", "All problems")) }
            " · "
            a #ledger href=(format!("/api/v1/regions/{region}/rectification-ledger?format=xlsx{c}")) download { (v.t("导出整改台账（XLSX）", "Download the ledger (XLSX)")) }
        }
    };
    let mut shell = Shell::new(title, "/rectification");
    shell.crumbs = crumbs;
    Ok(render(&v, shell, body))
}

fn status_class(p: &Problem) -> &'static str {
    if p.overdue {
        "poor"
    } else if p.status == ProblemStatus::Closed {
        "good"
    } else {
        ""
    }
}

async fn list(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let params =
        crate::params::Params::from_pairs(pairs.into_iter().filter(|(k, _)| k != "lang").collect());
    let f = super::api::filter(&params)?;
    let page = app.store.problems(&ctx, &f).await?;
    let title = if f.escalated_to.is_some() {
        v.t("上报督办的问题", "Escalated problems")
    } else if f.overdue {
        v.t("逾期未销号的问题", "Overdue problems")
    } else {
        v.t("问题清单", "Problems")
    };
    let next = page.next.map(|n| {
        let mut q: Vec<(String, String)> = params
            .clone()
            .into_pairs()
            .into_iter()
            .filter(|(k, _)| k != "after")
            .collect();
        q.push(("after".into(), n.0.to_string()));
        format!(
            "/problems?{}",
            serde_urlencoded::to_string(q).unwrap_or_default()
        )
    });
    let body = html! {
        h1 { (title) }
        div.table-wrap { table.data #problems {
            thead { tr {
                (sort_header(&v, "/problems", &params.clone().into_pairs(), "id", v.t("编号", "No."), f.descending))
                th { (v.t("区划", "Region")) }
                th { (v.t("来源", "Source")) }
                th { (v.t("问题", "Problem")) }
                th { (v.t("责任单位", "Responsible")) }
                th { (v.t("整改期限", "Deadline")) }
                th { (v.t("状态", "Status")) }
            } }
            tbody {
                @for p in &page.items {
                    tr.overdue[p.overdue] data-problem=(p.id.0) {
                        td { a href=(format!("/problems/{}", p.id.0)) { (p.id.0) } }
                        td { (p.region_name) }
                        td { (enum_label(v.lang, "problem_source", p.source.as_str(), p.source_label)) }
                        td.wrap { a href=(format!("/problems/{}", p.id.0)) { (p.description) } }
                        td { (p.responsible_unit) }
                        td class=(status_class(p)) { (p.deadline) @if p.overdue { " " (v.t("（逾期）", "(overdue)")) } }
                        td class=(status_class(p)) { (enum_label(v.lang, "problem_status", p.status.as_str(), p.status_label)) }
                    }
                }
                @if page.items.is_empty() {
                    tr { td colspan="7" { (v.t("没有符合条件的问题", "No problems match")) } }
                }
            }
        } }
        @if let Some(n) = next { p { a href=(n) rel="next" { (v.t("下一页", "Next page")) } } }
    };
    Ok(render(&v, Shell::new(title, "/rectification"), body))
}

/// A step's form label in the page's language.
fn step_label<'a>(v: &Viewer, action: &str, zh: &'a str) -> &'a str {
    let en = match action {
        "progress" => "Record progress",
        "request_close" => "Request sign-off",
        "sign_off" => "Verify and sign off",
        "reject" => "Send back",
        "reopen" => "Reopen",
        _ => zh,
    };
    v.t(zh, en)
}

/// The steps a problem in this status offers, as (action, label, whether a note is required).
fn offered(status: ProblemStatus) -> &'static [(&'static str, &'static str, bool)] {
    match status {
        ProblemStatus::Open | ProblemStatus::InProgress => &[
            ("progress", "记录整改进展", true),
            ("request_close", "申请销号", true),
        ],
        ProblemStatus::CloseRequested => &[
            ("sign_off", "核验销号", false),
            ("reject", "核验退回", true),
        ],
        ProblemStatus::Closed => &[("reopen", "重新打开", true)],
    }
}

async fn item_page(
    v: &Viewer,
    app: &AppState,
    id: ProblemId,
    error: Option<&DomainError>,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let d = app.store.problem(&ctx, id).await?;
    let p = &d.problem;
    let writer = v.caller.ctx(Policy::WriteRegistry).ok();
    let can_write = writer.is_some();
    // verifying, sending back and reopening are the county's (the requester may withdraw): the
    // steps the viewer's office may take, and the note for those it may not
    let may_take = |action: &str| {
        let Some(w) = &writer else { return false };
        let Some(a) = EventAction::parse(action) else {
            return false;
        };
        office_for(a, &w.actor, p.close_requested_by.as_deref())
            .is_none_or(|act| w.scope.may(&p.region_code, act))
    };
    let steps: Vec<_> = offered(p.status)
        .iter()
        .filter(|(a, _, _)| may_take(a))
        .collect();
    let withheld = can_write && steps.len() < offered(p.status).len();
    let title = format!("{} {}", v.t("问题", "Problem"), p.id.0);
    let body = html! {
        h1 { (title) " · " span class=(status_class(p)) #status { (enum_label(v.lang, "problem_status", p.status.as_str(), p.status_label)) } }
        @if let Some(e) = error {
            p.alert.error role="alert" { (e.message) }
        }
        dl.facts {
            dt { (v.t("问题描述", "Description")) } dd #description { (p.description) }
            dt { (v.t("区划", "Region")) } dd { a href=(format!("/rectification?region={}", p.region_code.as_str())) { (p.region_name) } }
            @if let (Some(h), Some(n)) = (p.household_id, &p.household_number) {
                dt { (v.t("农户", "Household")) } dd { a href=(format!("/households/{}", h.0)) { (n) } @if let Some(m) = &p.person_name { " · " (m) } }
            }
            dt { (v.t("来源", "Source")) } dd { (enum_label(v.lang, "problem_source", p.source.as_str(), p.source_label)) @if let Some(r) = &p.source_ref { " · " (r) } }
            @if let Some(c) = &p.campaign_name { dt { (v.t("整改行动", "Campaign")) } dd { (c) } }
            dt { (v.t("类别 · 严重程度", "Category · severity")) } dd { (enum_label(v.lang, "problem_category", p.category.as_str(), p.category_label)) " · " (enum_label(v.lang, "problem_severity", p.severity.as_str(), p.severity_label)) }
            dt { (v.t("责任单位 · 责任人", "Responsible")) } dd { (p.responsible_unit) @if let Some(r) = &p.responsible_person { " · " (r) } }
            dt { (v.t("发现日期", "Found")) } dd { (p.found_on) }
            dt { (v.t("整改期限", "Deadline")) } dd class=(status_class(p)) #deadline { (p.deadline) @if p.overdue { " " (v.t("（已逾期）", "(overdue)")) } }
            @if let Some(e) = &p.escalated_to { dt { (v.t("上报督办", "Escalated to")) } dd.poor { (e.as_str()) } }
            dt { (v.t("整改措施", "Measures")) } dd #measures { (p.measures.as_deref().unwrap_or("—")) }
            @if let Some(by) = &p.closed_by { dt { (v.t("销号", "Signed off")) } dd { (by) " · " (p.closed_at.map(china_time).unwrap_or_default()) } }
            @if let Some(ev) = &p.evidence { dt { (v.t("证据", "Evidence")) } dd { code { (ev.to_string()) } } }
        }
        h2 { (v.t("整改过程", "Trail")) }
        div.table-wrap { table.data #trail {
            thead { tr {
                th { "#" } th { (v.t("时间", "When")) } th { (v.t("办理", "Step")) }
                th { (v.t("状态", "Status")) } th { (v.t("办理人", "By")) } th { (v.t("说明", "Note")) }
            } }
            tbody {
                @for e in &d.trail {
                    tr data-action=(e.action.as_str()) {
                        td { (e.seq) }
                        td { (china_time(e.at)) }
                        td { (enum_label(v.lang, "problem_action", e.action.as_str(), e.action_label)) }
                        td { (enum_label(v.lang, "problem_status", e.to_status.as_str(), e.to_status.label())) }
                        td { (e.actor) }
                        td.wrap {
                            (e.note.as_deref().unwrap_or(""))
                            @if !e.attachments.is_empty() {
                                ul.attachments data-seq=(e.seq) {
                                    @for a in &e.attachments {
                                        li {
                                            @let href = format!("/api/v1/problem-attachments/{}", a.id);
                                            @if shown_inline(&a.content_type) {
                                                a href=(href) target="_blank" rel="noopener" {
                                                    img.thumb src=(href) alt=(a.file_name) loading="lazy" height="96";
                                                }
                                                " "
                                            }
                                            a.attachment href=(href) download=(a.file_name) { (a.file_name) }
                                            " (" ((a.size + 1023) / 1024) " KB)"
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
        @if can_write {
            h2 { (v.t("办理", "Take a step")) }
            @if withheld {
                p.note.office-note #step-office { (v.t(&format!("「核验销号」「核验退回」「重新打开」由{}及以上部门办理。", OfficeAct::SignOffProblem.office().label()), &format!("Verifying, sending back and reopening are done by an office at {} level or above.", OfficeAct::SignOffProblem.office().as_str()))) }
            }
            @for (action, label, needs_note) in steps {
                @let with_files = matches!(*action, "progress" | "request_close");
                form.step method="post" action=(format!("/problems/{}/steps", p.id.0)) data-action=(action)
                    enctype=[with_files.then_some("multipart/form-data")] {
                    (v.csrf_field())
                    input type="hidden" name="action" value=(action);
                    @let id = format!("note-{action}");
                    @let label = step_label(v, action, label);
                    label for=(id) { (label) (if *needs_note { v.t("（须填写说明）", " (a note is required)") } else { v.t("（说明可不填）", " (note optional)") }) }
                    textarea id=(id) name="note" rows="2" required[*needs_note] {}
                    @if *action == "progress" {
                        label for="measures" { (v.t("整改措施（可更新）", "Measures (optional update)")) }
                        textarea #measures-input name="measures" rows="2" {}
                    }
                    @if with_files {
                        @let fid = format!("file-{action}");
                        label for=(fid) { (v.t("附件（照片或扫描件，可多选）", "Files (photos or scans)")) }
                        input id=(fid) type="file" name="file" multiple accept="image/jpeg,image/png,application/pdf"
                            aria-describedby=(format!("{fid}-hint"));
                        small.hint id=(format!("{fid}-hint")) { (v.t("JPEG、PNG 或 PDF，合计不超过 2 MB，最多 10 个。", "JPEG, PNG or PDF, 2 MB in all, at most 10.")) }
                    }
                    button type="submit" { (label) }
                }
            }
            @if p.status == ProblemStatus::CloseRequested {
                p.hint { (v.t("销号须由申请人以外、对该区划有权限的县级及以上部门人员核验。", "Sign-off needs someone other than the requester, at county level or above with rights over the region.")) }
            }
        }
    };
    let mut shell = Shell::new(title, "/rectification");
    shell.crumbs = vec![
        (
            v.t("整改销号", "Rectification").into(),
            Some(format!("/rectification?region={}", p.region_code.as_str())),
        ),
        (p.id.0.to_string(), None),
    ];
    let mut res = render(v, shell, body);
    if let Some(e) = error {
        *res.status_mut() = crate::error::ApiError::from(e.clone()).status();
    }
    Ok(res)
}

async fn item(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = ProblemId(parse_id(&id)?);
    item_page(&v, &app, id, None).await
}

async fn take_step(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProblemId(parse_id(&id)?);
    let (fields, files) = match read_step(req).await {
        Ok(r) => r,
        Err(e) => return item_page(&v, &app, id, Some(&e)).await,
    };
    let text = |n: &str| {
        fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .filter(|s| !s.trim().is_empty())
    };
    let step = StepInput {
        action: text("action").unwrap_or_default(),
        note: text("note"),
        measures: text("measures"),
    };
    match app
        .store
        .problem_step_with_files(&ctx, id, step, files)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/problems/{}", id.0))),
        // the page again, with the refusal above the forms (a missing problem is a 404 page)
        Err(e)
            if e.kind != fupin_core::ErrorKind::NotFound
                && e.kind != fupin_core::ErrorKind::Internal =>
        {
            item_page(&v, &app, id, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A step's form: urlencoded, or multipart with its files (`file`, any number; empty inputs are
/// left out) — the fields and the files as (name, bytes).
async fn read_step(req: Request) -> Result<StepPost, DomainError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let f = Form::from_request(req, &())
            .await
            .map_err(|e| DomainError::invalid("form", "invalid_form", e.message().to_string()))?;
        return Ok((f.0, Vec::new()));
    }
    let too_big = || {
        DomainError::invalid(
            "file",
            "file_too_large",
            format!("文件过大：最多 {} MB", crate::BODY_LIMIT / 1024 / 1024),
        )
    };
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| too_big())?;
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_big())?;
            if !bytes.is_empty() {
                files.push((fname, bytes.to_vec()));
            }
        } else {
            fields.push((name, field.text().await.map_err(|_| too_big())?));
        }
    }
    Ok((fields, files))
}

/// The fields of a step's form and its files.
type StepPost = (Vec<(String, String)>, Vec<(String, Vec<u8>)>);
