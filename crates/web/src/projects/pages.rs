//! Project pages: a region's project library (`/projects`: stage, money, progress, overdue), a
//! project's page (`/projects/{id}`: its facts and targets, the lifecycle's steps with the form for
//! the next one, funds with every receipt and payment, monthly progress, the assets it became with
//! their income and dividends, the notices posted), and the printable A4 public notices (公告公示)
//! of a library entry or a completion (`/projects/{id}/notice?kind=`) and of an asset's dividend
//! distribution (`/dividend-notices/{id}?year=`), with the form recording when and where each was
//! posted; a notice follows the page's language like every page (Chinese by default, the document a
//! village posts). The household page's trace section (资金到户) is [`household_section`].

use super::forms::*;
use crate::form::Form;
use crate::routes::Routes;
use crate::ui::fmt::{china_time, yuan};
use crate::ui::i18n::enum_label;
use crate::ui::layout::{parse_id, query_map, render, see_other, sort_header, Shell, StoreAnswer};
use crate::ui::{Lang, PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use fupin_core::accounts::Policy;
use fupin_core::assessment::{Action, EventKind, Step};
use fupin_core::offices::OfficeAct;
use fupin_core::projects::*;
use fupin_core::years::{parse_date, today};
use fupin_core::DomainError;
use maud::{html, Markup, PreEscaped};

pub(crate) fn page_routes(r: Routes) -> Routes {
    r.get("/projects", list)
        .get("/projects/{id}", item)
        .post("/projects/{id}/actions", take_action)
        .get("/projects/{id}/notice", project_notice)
        .get("/dividend-notices/{id}", dividend_notice)
        .post("/notices", record_notice)
}

/// Where a notice is put up unless the village says otherwise.
const DEFAULT_PLACES: &str = "村务公开栏、各村民小组公示点";
/// The same, on a page in English.
const DEFAULT_PLACES_EN: &str =
    "the village affairs board and each villagers' group's notice point";

fn rate(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

async fn list(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let roots = v
        .caller
        .principal
        .regions_for(Policy::ReadStats)
        .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "您没有查看项目的权限"))?;
    let q = query_map(raw.as_deref());
    let code = match q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => crate::params::region_code("region", s)?,
        None => roots[0].clone(),
    };
    let descending = fupin_core::paging::parse_sort(q.get("sort").map(String::as_str), "village")?;
    let projects = app
        .store
        .projects(
            &ctx,
            &code,
            ProjectFilter::default(),
            &fupin_core::paging::Keyset::all().backwards(descending),
        )
        .await?
        .items;
    let pairs: Vec<(String, String)> = q.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let name = app
        .store
        .region(&ctx, &code)
        .await
        .or_none()?
        .map(|r| r.region.name)
        .unwrap_or_else(|| code.as_str().to_string());
    let day = today();
    let (budget, allocated, disbursed) = projects.iter().fold((0, 0, 0), |a, p| {
        (
            a.0 + p.data.budget_fen,
            a.1 + p.allocated_fen,
            a.2 + p.disbursed_fen,
        )
    });
    let title = format!("{name} · {}", v.t("项目库", "Projects"));
    let body = html! {
        h1 { (title) }
        section.tiles {
            div.tile data-tile="projects" { span.tile-label { (v.t("项目", "Projects")) } span.tile-value { span.value { (projects.len()) } } }
            div.tile data-tile="budget" { span.tile-label { (v.t("计划投资（元）", "Budget (yuan)")) } span.tile-value { span.value { (yuan(budget)) } } }
            div.tile data-tile="allocated" { span.tile-label { (v.t("已下达（元）", "Allocated (yuan)")) } span.tile-value { span.value { (yuan(allocated)) } } }
            div.tile data-tile="disbursed" {
                span.tile-label { (v.t("已支付（元）", "Disbursed (yuan)")) }
                span.tile-value { span.value { (yuan(disbursed)) } }
                span.tile-note { (v.t("支付率 ", "rate ")) (rate(disbursed, allocated)) }
            }
        }
        @if projects.is_empty() { p.muted { (v.t("暂无项目", "No projects")) } } @else {
            div.table-wrap { table.data #projects {
                thead { tr {
                    th { (v.t("项目", "Project")) }
                    (sort_header(&v, "/projects", &pairs, "village", v.t("村", "Village"), descending))
                    th { (v.t("类别", "Category")) }
                    th.num { (v.t("年度", "Year")) } th { (v.t("环节", "Stage")) }
                    th.num { (v.t("计划投资（元）", "Budget")) } th.num { (v.t("已下达", "Allocated")) }
                    th.num { (v.t("已支付", "Disbursed")) } th.num { (v.t("支付率", "Rate")) } th.num { (v.t("进度", "Progress")) }
                } }
                tbody { @for p in &projects {
                    @let overdue = p.data.planned_end < day && !p.stage.accepted();
                    tr data-project=(p.id.0) {
                        td { a href=(format!("/projects/{}", p.id.0)) { (p.data.name) } }
                        td { (p.village_name) }
                        td { (enum_label(v.lang, "project_category", p.data.category.as_str(), &p.category_label)) }
                        td.num { (p.data.year) }
                        td.poor[overdue] { (enum_label(v.lang, "project_stage", p.stage.as_str(), &p.stage_label)) @if overdue { " " (v.t("（逾期）", "(overdue)")) } }
                        td.num { (yuan(p.data.budget_fen)) }
                        td.num { (yuan(p.allocated_fen)) }
                        td.num { (yuan(p.disbursed_fen)) }
                        td.num { (rate(p.disbursed_fen, p.allocated_fen)) }
                        td.num { (p.progress_percent) "%" }
                    }
                } }
            } }
        }
    };
    let mut shell = Shell::new(title, "/projects");
    shell.crumbs = vec![(v.t("项目库", "Projects").into(), None)];
    Ok(render(&v, shell, body))
}

fn event_label(v: &Viewer, k: &EventKind) -> &'static str {
    match k {
        EventKind::Started => v.t("开始", "Started"),
        EventKind::Completed => v.t("完成", "Completed"),
        EventKind::Rejected => v.t("退回", "Sent back"),
        EventKind::ObjectionRecorded { .. } => v.t("记录异议", "Objection recorded"),
        EventKind::ObjectionResolved { .. } => v.t("处理异议", "Objection resolved"),
    }
}

/// A stage's label in the page's language.
fn stage_label(v: &Viewer, s: Stage) -> &'static str {
    enum_label(v.lang, "project_stage", s.as_str(), s.label())
}

fn assets_section(v: &Viewer, assets: &[Asset]) -> Markup {
    html! {
        section #assets {
            h2 { (v.t("形成资产", "Assets")) }
            @if assets.is_empty() { p.muted { (v.t("尚未登记资产", "No assets yet")) } }
            @for a in assets {
                div.asset data-asset=(a.id.0) {
                    h3 { (a.data.name) " " small.muted { (enum_label(v.lang, "asset_kind", a.data.kind.as_str(), &a.kind_label)) } }
                    dl.compact {
                        dt { (v.t("价值（元）", "Value")) } dd { (yuan(a.data.value_fen)) }
                        dt { (v.t("所有者", "Owner")) } dd { (enum_label(v.lang, "owner_kind", a.data.owner_kind.as_str(), &a.owner_kind_label)) " · " (a.data.owner_name) }
                        dt { (v.t("管护主体", "Custodian")) } dd { (a.data.custodian) }
                        dt { (v.t("登记日期", "Registered")) } dd { (a.data.registered_on) }
                        dt { (v.t("持股户", "Shareholders")) } dd { (a.data.shareholders.len()) }
                    }
                    @if !a.incomes.is_empty() {
                        div.table-wrap { table.data.incomes {
                            thead { tr {
                                th.num { (v.t("年度", "Year")) } th.num { (v.t("收益（元）", "Income")) }
                                th.num { (v.t("村集体（元）", "Collective")) } th.num { (v.t("分红户数", "Households")) }
                                th.num { (v.t("分红（元）", "Dividends")) } th { (v.t("公示", "Notice")) }
                            } }
                            tbody { @for i in &a.incomes { tr data-year=(i.year) {
                                td.num { (i.year) } td.num { (yuan(i.income_fen)) } td.num { (yuan(i.collective_fen)) }
                                td.num { (i.dividends.len()) }
                                td.num { (yuan(i.dividends.iter().map(|d| d.amount_fen).sum())) }
                                td { @if !i.dividends.is_empty() { a href=(format!("/dividend-notices/{}?year={}", a.id.0, i.year)) { (v.t("分配公示", "Notice")) } } }
                            } } }
                        } }
                    }
                }
            }
        }
    }
}

pub(crate) async fn item_page(
    v: &Viewer,
    app: &AppState,
    id: ProjectId,
    error: Option<&DomainError>,
    failed: Option<&Failed>,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let d = app.store.project(&ctx, id).await?;
    let funds = app.store.project_funds(&ctx, id).await?;
    let assets = app.store.project_assets(&ctx, id).await?;
    let notices = app.store.project_notices(&ctx, id).await?;
    let p = &d.project;
    let writer = v.caller.ctx(Policy::WriteRegistry).ok();
    let can_write = writer.is_some();
    // the stage's office (乡镇审核 the township, 县级审批 the county …) or one above takes the step
    let takes_step = writer
        .as_ref()
        .is_some_and(|w| w.scope.holds_at(&p.data.village_code, p.stage.office()));
    // a year's income and dividends are distributed by the township or above
    let distributes = writer.as_ref().is_some_and(|w| {
        w.scope
            .may(&p.data.village_code, OfficeAct::DistributeIncome)
    });
    let sources = if can_write {
        sources_for(app, &ctx, &p.data.village_code).await
    } else {
        Vec::new()
    };
    let title = p.data.name.clone();
    let next_day = d
        .workflow
        .history()
        .last()
        .map(|e| e.date)
        .unwrap_or_else(today)
        .max(d.workflow.notice_earliest_end().unwrap_or(time::Date::MIN));
    let body = html! {
        h1 { (title) " · " span #stage data-stage=(p.stage.as_str()) { (stage_label(v, p.stage)) } }
        @if let Some(e) = error { p.alert.error role="alert" { (e.message) } }
        div.actions {
            @if p.stage.in_library() || p.stage == Stage::Notice {
                a.button href=(format!("/projects/{}/notice?kind=library", p.id.0)) #library-notice { (v.t("入库公示", "Library notice")) }
            }
            @if p.stage.accepted() {
                a.button href=(format!("/projects/{}/notice?kind=completion", p.id.0)) #completion-notice { (v.t("竣工公告", "Completion notice")) }
            }
        }
        dl.facts {
            dt { (v.t("村", "Village")) } dd { (p.village_name) }
            dt { (v.t("类别", "Category")) } dd { (enum_label(v.lang, "project_category", p.data.category.as_str(), &p.category_label)) @if let Some(s) = &p.data.sub_category { " · " (s) } }
            dt { (v.t("年度 · 计划工期", "Year · schedule")) } dd { (p.data.year) " · " (p.data.planned_start) " → " (p.data.planned_end) }
            dt { (v.t("责任单位 · 责任人", "Responsible")) } dd { (p.data.responsible_unit) " · " (p.data.responsible_person) }
            dt { (v.t("建设内容", "Content")) } dd { (p.data.content) }
            dt { (v.t("绩效目标", "Targets")) } dd { @for t in &p.data.targets { (t.indicator) "：" (t.value) "；" } }
            dt { (v.t("受益户", "Beneficiaries")) } dd { (p.data.beneficiaries.len()) }
            @if let Some(x) = &p.data.participation { dt { (v.t("群众参与", "Participation")) } dd { (x) } }
            dt { (v.t("计划投资（元）", "Budget")) } dd { (yuan(p.data.budget_fen)) }
            dt { (v.t("已下达 · 到账 · 支付（元）", "Allocated · received · paid")) }
            dd #money { (yuan(p.allocated_fen)) " · " (yuan(p.received_fen)) " · " (yuan(p.disbursed_fen)) }
            dt { (v.t("进度", "Progress")) } dd #progress { (p.progress_percent) "%" }
        }
        section #lifecycle {
            h2 { (v.t("流程", "Lifecycle")) }
            ol.steps { @for s in Stage::ORDER {
                li class=(if s.position() < p.stage.position() { "done" } else if *s == p.stage { "current" } else { "todo" }) { (stage_label(v, *s)) }
            } }
            div.table-wrap { table.data #history {
                thead { tr { th { (v.t("日期", "Date")) } th { (v.t("环节", "Step")) } th { (v.t("办理", "Action")) } th { (v.t("办理人", "By")) } th { (v.t("说明", "Note")) } } }
                tbody { @for e in d.workflow.history() { tr {
                    td { (e.date) } td { (stage_label(v, e.step)) } td { (event_label(v, &e.kind)) } td { (e.actor) } td { (e.note.as_deref().unwrap_or("")) }
                } } }
            } }
            @if can_write && !takes_step && p.stage != Stage::Done {
                p.note #step-office { (v.t(&format!("当前环节「{}」由{}及以上部门办理。", p.stage.label(), p.stage.office().label()), &format!("The current stage ({}) is taken by an office at {} level or above.", stage_label(v, p.stage), p.stage.office().as_str()))) }
            }
            @if takes_step && p.stage != Stage::Done {
                form.step method="post" action=(format!("/projects/{}/actions", p.id.0)) #step-form {
                    (v.csrf_field())
                    input type="hidden" name="action" value="complete";
                    label for="step-date" { (v.t("日期", "Date")) }
                    input #step-date type="date" name="date" value=(next_day) required;
                    label for="step-note" { (v.t("说明（可不填）", "Note (optional)")) }
                    input #step-note type="text" name="note";
                    button.primary type="submit" #complete-step { (v.t("完成：", "Complete: ")) (stage_label(v, p.stage)) }
                }
                @if matches!(p.stage, Stage::TownshipReview | Stage::CountyApproval | Stage::Notice) {
                    form.step method="post" action=(format!("/projects/{}/actions", p.id.0)) #reject-form {
                        (v.csrf_field())
                        input type="hidden" name="action" value="reject";
                        input type="hidden" name="date" value=(next_day);
                        label for="reject-reason" { (v.t("退回理由", "Reason")) }
                        input #reject-reason type="text" name="reason" required;
                        button type="submit" { (v.t("退回村级", "Send back")) }
                    }
                }
                @if p.stage == Stage::AssetRegistration && assets.is_empty() {
                    (asset_form(v, p, today(), failed))
                }
            }
        }
        section #funds {
            h2 { (v.t("资金", "Funds")) }
            div.table-wrap { table.data #allocations {
                thead { tr { th { (v.t("资金来源", "Source")) } th { (v.t("下达日期", "Date")) } th.num { (v.t("下达", "Allocated")) } th.num { (v.t("到账", "Received")) } th.num { (v.t("支付", "Disbursed")) } } }
                tbody { @for a in &funds.allocations { tr {
                    td { (enum_label(v.lang, "source_kind", a.source_kind.as_str(), a.source_kind.label())) "：" (a.source_name) } td { (a.date) }
                    td.num { (yuan(a.amount_fen)) } td.num { (yuan(a.received_fen)) } td.num { (yuan(a.disbursed_fen)) }
                } } }
            } }
            div.table-wrap { table.data #movements {
                thead { tr { th { (v.t("日期", "Date")) } th { (v.t("类型", "Kind")) } th.num { (v.t("金额（元）", "Amount")) } th { (v.t("收款人", "Payee")) } th { (v.t("凭证号", "Voucher")) } } }
                tbody { @for m in &funds.movements { tr data-kind=(m.kind.as_str()) {
                    td { (m.date) } td { (if m.kind == "receipt" { v.t("到账", "Receipt") } else { v.t("支付", "Payment") }) }
                    td.num { (yuan(m.amount_fen)) }
                    td { @if let Some(h) = m.household_id { a href=(format!("/households/{}", h.0)) { (m.payee.as_deref().unwrap_or("")) } } @else { (m.payee.as_deref().unwrap_or("")) } }
                    td { (m.voucher.as_deref().unwrap_or("")) }
                } } }
            } }
            @if let Some(w) = &writer {
                (funds_forms(v, &w.scope, p, &sources, &funds.allocations, today(), failed))
            }
        }
        section #progress-reports {
            h2 { (v.t("月度进度", "Monthly progress")) }
            @if d.progress.is_empty() { p.muted { (v.t("暂无进度报告", "No reports")) } } @else {
                ul { @for r in &d.progress { li { (r.month) "：" (r.percent) "%，" (v.t("已支出 ", "spent ")) (yuan(r.spent_fen)) " " (v.t("元", "yuan")) } } }
            }
        }
        (assets_section(v, &assets))
        @if can_write && !assets.is_empty() {
            section #asset-incomes {
                @if distributes {
                    @for a in &assets { (income_form(v, p.id, a, failed)) }
                } @else {
                    (office_note(v, "income-office", &[OfficeAct::DistributeIncome]))
                }
            }
        }
        section #notices {
            h2 { (v.t("公告公示记录", "Notices posted")) }
            (notices_table(v, &notices))
        }
    };
    let mut shell = Shell::new(title, "/projects");
    shell.crumbs = vec![
        (
            v.t("项目库", "Projects").into(),
            Some(format!("/projects?region={}", p.data.village_code.as_str())),
        ),
        (p.data.name.clone(), None),
    ];
    let mut res = render(v, shell, body);
    if let Some(e) = error {
        *res.status_mut() = crate::error::ApiError::from(e.clone()).status();
    }
    Ok(res)
}

fn notices_table(v: &Viewer, notices: &[Notice]) -> Markup {
    html! {
        @if notices.is_empty() { p.muted #no-notices { (v.t("尚未记录张贴", "None recorded")) } } @else {
            div.table-wrap { table.data.notices {
                thead { tr { th { (v.t("公示", "Notice")) } th { (v.t("张贴期间", "Posted")) } th { (v.t("张贴地点", "Places")) } th { (v.t("记录人", "By")) } } }
                tbody { @for n in notices { tr data-notice=(n.data.kind.as_str()) {
                    td { (enum_label(v.lang, "notice_kind", n.data.kind.as_str(), &n.kind_label)) @if let Some(y) = n.data.year { " " (y) } }
                    td { (n.data.posted_from) " → " (n.data.posted_to) }
                    td { (n.data.places) }
                    td { (n.recorded_by) " · " (china_time(n.recorded_at)) }
                } } }
            } }
        }
    }
}

async fn item(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = ProjectId(parse_id(&id)?);
    item_page(&v, &app, id, None, None).await
}

async fn take_action(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let text = |n: &str| {
        form.get(n)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let result = async {
        let date = parse_date("date", form.get("date").unwrap_or(""))?;
        let action = match form.get("action").unwrap_or("") {
            "reject" => Action::Reject {
                reason: text("reason")
                    .ok_or_else(|| DomainError::invalid("reason", "required", "reason 不能为空"))?,
            },
            _ => Action::Complete {
                note: text("note"),
                evidence: None,
            },
        };
        app.store.project_action(&ctx, id, action, date).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/projects/{}", id.0))),
        Err(e)
            if e.kind != fupin_core::ErrorKind::NotFound
                && e.kind != fupin_core::ErrorKind::Internal =>
        {
            item_page(&v, &app, id, Some(&e), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The closing line of every notice: where objections go.
fn objections(v: &Viewer) -> Markup {
    html! {
        p { (v.t("公示期间如有异议，请向村务监督委员会或乡镇人民政府反映。监督举报电话：12317。",
            "Objections during the notice period go to the village affairs supervision committee or the township government. Reporting line: 12317.")) }
    }
}

/// The A4 sheet: the print rules, the notice and, on screen only, the form recording the posting.
fn sheet(
    v: &Viewer,
    title: String,
    notice: Markup,
    record: Markup,
    crumbs: Vec<(String, Option<String>)>,
) -> PageResult {
    let body = html! {
        style { (PreEscaped("@page { size: A4; margin: 20mm; } \
            .a4 { width: 170mm; min-height: 240mm; margin: 0 auto; padding: 12mm; background: #fff; color: #000; border: 1px solid #ccc; font-size: 12pt; line-height: 1.7; } \
            .a4 h1 { text-align: center; font-size: 20pt; letter-spacing: 0.2em; } \
            .a4 table { width: 100%; border-collapse: collapse; } .a4 td, .a4 th { border: 1px solid #000; padding: 2mm; } \
            .a4 .sign { text-align: right; margin-top: 12mm; } \
            @media print { .no-print, nav.crumbs, header.top { display: none !important; } .a4 { border: none; padding: 0; } }")) }
        div.no-print.actions { button type="button" #print data-print { (v.t("打印", "Print")) } }
        article.a4 #notice { (notice) }
        div.no-print { (record) }
    };
    let mut shell = Shell::new(title, "/projects");
    shell.crumbs = crumbs;
    Ok(render(v, shell, body))
}

fn record_form(
    v: &Viewer,
    kind: NoticeKind,
    subject: i64,
    year: Option<i32>,
    from: time::Date,
    to: time::Date,
    back: &str,
) -> Markup {
    html! {
        h2 { (v.t("记录张贴", "Record the posting")) }
        form.step method="post" action="/notices" #record-notice {
            (v.csrf_field())
            input type="hidden" name="kind" value=(kind.as_str());
            input type="hidden" name="subject_id" value=(subject);
            input type="hidden" name="back" value=(back);
            @if let Some(y) = year { input type="hidden" name="year" value=(y); }
            label for="posted-from" { (v.t("张贴开始", "From")) }
            input #posted-from type="date" name="posted_from" value=(from) required;
            label for="posted-to" { (v.t("张贴结束", "To")) }
            input #posted-to type="date" name="posted_to" value=(to) required;
            label for="places" { (v.t("张贴地点", "Places")) }
            input #places type="text" name="places" value=(v.t(DEFAULT_PLACES, DEFAULT_PLACES_EN)) required;
            button.primary type="submit" #record-posting { (v.t("记录张贴", "Record")) }
        }
    }
}

async fn project_notice(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let id = ProjectId(parse_id(&id)?);
    let q = query_map(raw.as_deref());
    let kind = match q.get("kind").map(String::as_str) {
        Some("completion") => NoticeKind::Completion,
        _ => NoticeKind::Library,
    };
    let d = app.store.project(&ctx, id).await?;
    let funds = app.store.project_funds(&ctx, id).await?;
    let p = &d.project;
    let days = d.workflow.notice_days() as i64;
    // the library notice runs over the lifecycle's notice; the completion notice from the day the
    // completion notice step began (acceptance completed)
    let from = match kind {
        NoticeKind::Library => d.workflow.notice_start(),
        _ => d
            .workflow
            .history()
            .iter()
            .rev()
            .find(|e| e.step == Stage::Acceptance && e.kind == EventKind::Completed)
            .map(|e| e.date),
    };
    let Some(from) = from else {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "项目尚未到达该公示环节",
        ));
    };
    let to = from + time::Duration::days(days);
    let library = kind == NoticeKind::Library;
    let heading = match (v.lang, library) {
        (Lang::Zh, true) => format!("{}扶贫项目入库公示", p.village_name),
        (Lang::Zh, false) => format!("{}扶贫项目竣工公告", p.village_name),
        (Lang::En, true) => format!(
            "{}: public notice of projects entering the project library",
            p.village_name
        ),
        (Lang::En, false) => format!("{}: announcement of a completed project", p.village_name),
    };
    let yuan_ = v.t(" 元", " yuan");
    let category = enum_label(
        v.lang,
        "project_category",
        p.data.category.as_str(),
        &p.category_label,
    );
    let notice = html! {
        h1 { (heading) }
        @match (v.lang, library) {
            (Lang::Zh, _) => p { "根据脱贫攻坚项目库建设和资金公告公示制度的要求，现将以下项目"
                (if library { "拟纳入项目库的情况" } else { "竣工验收及资金使用情况" }) "予以公示：" },
            (Lang::En, true) => p { "As the rules on the project library and on public notice of funds require, the following project to be entered into the project library is made public:" },
            (Lang::En, false) => p { "As the rules on the project library and on public notice of funds require, the following project's acceptance and use of funds are made public:" },
        }
        table {
            tr { th { (v.t("项目名称", "Project")) } td #notice-project { (p.data.name) } }
            tr { th { (v.t("项目类别", "Category")) } td { (category) @if let Some(s) = &p.data.sub_category { " · " (s) } } }
            tr { th { (v.t("建设地点", "Location")) } td { (p.village_name) } }
            tr { th { (v.t("建设内容", "Content")) } td { (p.data.content) } }
            tr { th { (v.t("责任单位 · 责任人", "Responsible unit · person")) } td { (p.data.responsible_unit) " · " (p.data.responsible_person) } }
            tr { th { (v.t("绩效目标", "Performance targets")) } td { @for t in &p.data.targets { (t.indicator) (v.t("：", ": ")) (t.value) (v.t("；", "; ")) } } }
            tr { th { (v.t("受益户数", "Households benefiting")) } td { (p.data.beneficiaries.len()) (v.t(" 户", " households")) } }
            @if library {
                tr { th { (v.t("计划投资", "Planned investment")) } td { (yuan(p.data.budget_fen)) (yuan_) } }
                tr { th { (v.t("计划工期", "Planned period")) } td { (p.data.planned_start) (v.t(" 至 ", " to ")) (p.data.planned_end) } }
            } @else {
                tr { th { (v.t("资金来源", "Funds from")) } td { @for a in &funds.allocations {
                    (enum_label(v.lang, "source_kind", a.source_kind.as_str(), a.source_kind.label())) (v.t("：", ": ")) (a.source_name) " " (yuan(a.amount_fen)) (yuan_) (v.t("；", "; ")) } } }
                tr { th { (v.t("已支付资金", "Paid")) } td #notice-paid { (yuan(p.disbursed_fen)) (yuan_) } }
                tr { th { (v.t("验收日期", "Accepted on")) } td { (from) } }
            }
        }
        @match v.lang {
            Lang::Zh => p #notice-period { "公示期：" (from) " 至 " (to) "（" (days) " 天）。公示地点：" (DEFAULT_PLACES) "。" },
            Lang::En => p #notice-period { "Notice period: " (from) " to " (to) " (" (days) " days). Posted at " (DEFAULT_PLACES_EN) "." },
        }
        (objections(&v))
        p.sign { (p.village_name) br; (from) }
    };
    let record = html! {
        (record_form(&v, kind, id.0, None, from, to, &format!("/projects/{}", id.0)))
    };
    sheet(
        &v,
        heading,
        notice,
        record,
        vec![
            (
                v.t("项目库", "Projects").into(),
                Some(format!("/projects?region={}", p.data.village_code.as_str())),
            ),
            (p.data.name.clone(), Some(format!("/projects/{}", id.0))),
            (
                enum_label(v.lang, "notice_kind", kind.as_str(), kind.label()).into(),
                None,
            ),
        ],
    )
}

async fn dividend_notice(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let id = AssetId(parse_id(&id)?);
    let q = query_map(raw.as_deref());
    let a = app.store.asset(&ctx, id).await?;
    // the year asked for, or the latest that paid dividends
    let year: i32 = match q.get("year") {
        Some(y) => y
            .parse()
            .map_err(|_| PageError::bad_request("year 不是有效年度"))?,
        None => a
            .incomes
            .iter()
            .rev()
            .find(|i| !i.dividends.is_empty())
            .map(|i| i.year)
            .ok_or_else(PageError::not_found)?,
    };
    let inc = a
        .incomes
        .iter()
        .find(|i| i.year == year)
        .ok_or_else(PageError::not_found)?;
    let mut rows = Vec::with_capacity(inc.dividends.len());
    for d in &inc.dividends {
        let h = app.store.household(&ctx, d.household_id).await.or_none()?;
        let (number, head) = h
            .map(|h| {
                (
                    h.household.household_number.clone(),
                    h.household.head_name.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        rows.push((number, head, d.shares, d.amount_fen));
    }
    let from = inc.paid_on;
    let to = from + time::Duration::days(10);
    let heading = match v.lang {
        Lang::Zh => format!("{}{}年资产收益分配公示", a.data.name, year),
        Lang::En => format!(
            "{}: public notice of the {} income's distribution",
            a.data.name, year
        ),
    };
    let paid: i64 = inc.dividends.iter().map(|d| d.amount_fen).sum();
    let kind = enum_label(v.lang, "asset_kind", a.data.kind.as_str(), &a.kind_label);
    let owner = enum_label(
        v.lang,
        "owner_kind",
        a.data.owner_kind.as_str(),
        &a.owner_kind_label,
    );
    let notice = html! {
        h1 { (v.t("资产收益分配公示", "Public notice of an asset's income distribution")) }
        @match v.lang {
            Lang::Zh => p { "现将" (a.data.name) "（" (kind) "，" (owner) "：" (a.data.owner_name) "）" (year)
                "年度收益分配情况公示如下：当年收益 " (yuan(inc.income_fen)) " 元，其中村集体 " (yuan(inc.collective_fen))
                " 元，分红到户 " (inc.dividends.len()) " 户共 " (yuan(paid)) " 元"
                @if inc.minimum_fen > 0 { "（每户保底 " (yuan(inc.minimum_fen)) " 元）" } "。" },
            Lang::En => p { "The distribution of the " (year) " income of " (a.data.name) " (" (kind) ", " (owner) ": " (a.data.owner_name)
                ") is made public as follows: the year's income " (yuan(inc.income_fen)) " yuan, of which the village collective's "
                (yuan(inc.collective_fen)) " yuan, and dividends to " (inc.dividends.len()) " households, " (yuan(paid)) " yuan in all"
                @if inc.minimum_fen > 0 { " (at least " (yuan(inc.minimum_fen)) " yuan per household)" } "." },
        }
        table #dividends {
            tr { th { (v.t("户编号", "Household number")) } th { (v.t("户主", "Head")) } th { (v.t("股份", "Shares")) } th { (v.t("分红（元）", "Dividend (yuan)")) } }
            @for (n, h, s, amt) in &rows { tr { td { (n) } td { (h) } td { (s) } td { (yuan(*amt)) } } }
        }
        @match v.lang {
            Lang::Zh => p #notice-period { "公示期：" (from) " 至 " (to) "。公示地点：" (DEFAULT_PLACES) "。" },
            Lang::En => p #notice-period { "Notice period: " (from) " to " (to) ". Posted at " (DEFAULT_PLACES_EN) "." },
        }
        (objections(&v))
        p.sign { (a.data.custodian) br; (from) }
    };
    let notices = app.store.asset_notices(&ctx, id).await?;
    let record = html! {
        (record_form(&v, NoticeKind::Dividend, id.0, Some(year), from, to, &format!("/dividend-notices/{}?year={year}", id.0)))
        h2 { (v.t("张贴记录", "Postings")) }
        (notices_table(&v, &notices))
    };
    sheet(
        &v,
        heading,
        notice,
        record,
        vec![(v.t("资产收益分配公示", "Dividend notice").into(), None)],
    )
}

async fn record_notice(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let date = |n: &str| parse_date(n, form.get(n).unwrap_or(""));
    let input = NoticeInput {
        kind: form.get("kind").unwrap_or("").to_string(),
        subject_id: form
            .get("subject_id")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| PageError::bad_request("subject_id"))?,
        year: form.get("year").and_then(|s| s.parse().ok()),
        posted_from: date("posted_from")?,
        posted_to: date("posted_to")?,
        places: form.get("places").unwrap_or("").to_string(),
    };
    let n = app.store.record_notice(&ctx, input).await?;
    let back = match form.get("back") {
        Some(b) if b.starts_with('/') && !b.starts_with("//") => b.to_string(),
        _ => "/projects".to_string(),
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}posted={}", n.id)))
}

/// The household page's section: every yuan that reached the household and through which
/// project (资金到户).
pub(crate) fn household_section(v: &Viewer, t: Option<&HouseholdTrace>) -> Markup {
    html! {
        section #funds-trace {
            h2 { (v.t("资金到户", "Funds that reached the household")) }
            @match t {
                None => { p.muted { (v.t("无法读取", "Not available")) } }
                Some(t) if t.items.is_empty() => { p.muted { (v.t("暂无到户资金和分红", "Nothing yet")) } }
                Some(t) => {
                    div.table-wrap { table.data #trace {
                        thead { tr {
                            th { (v.t("日期", "Date")) } th { (v.t("类型", "Kind")) } th { (v.t("项目", "Project")) }
                            th { (v.t("资产 / 资金来源", "Asset / source")) } th.num { (v.t("金额（元）", "Amount (yuan)")) }
                        } }
                        tbody { @for i in &t.items { tr data-kind=(i.kind.as_str()) data-year=(i.year) {
                            td { (i.date) }
                            td { (if i.kind == "dividend" { v.t("分红", "Dividend") } else { v.t("项目资金", "Payment") }) }
                            td { @if let (Some(p), Some(n)) = (i.project_id, &i.project_name) {
                                // the project's page only for a viewer whose regions hold it
                                @if i.project_village.as_ref().is_some_and(|c| v.reaches(Policy::ReadRegistry, c)) {
                                    a href=(format!("/projects/{}", p.0)) { (n) }
                                } @else { (n) }
                            } }
                            td { (i.asset_name.as_deref().or(i.source.as_deref()).unwrap_or("")) }
                            td.num { (yuan(i.amount_fen)) }
                        } } }
                        tfoot { tr {
                            td colspan="4" { (v.t("合计（其中分红 ", "Total (dividends ")) (yuan(t.dividend_fen)) "）" }
                            td.num #trace-total { (yuan(t.total_fen)) }
                        } }
                    } }
                }
            }
        }
    }
}
