//! Assessment pages for the offices: a region's procedure cases (`/cases`), a case's page with its
//! steps, history and objections, the forms for the actions the viewer may take, and the
//! household's exit assessment per criterion beside them (`/cases/{id}`); starting a procedure from
//! the household page (`POST /households/{id}/cases`); the monitoring warnings with screening on
//! demand (`/warnings`); the standards in force (`/parameters`); and a household's personal data
//! in full for `view_pii` holders, with a reason that is audited (`POST /households/{id}/unmask`).
//!
//! Every page calls the same store methods as the API under the same policies. A refusal of the
//! store is shown beside the form that was sent, with what was typed kept; only the actions the
//! viewer may take are offered.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::forms::{input_id, region_input, FormState};
use crate::ui::i18n::{enum_label, status_label};
use crate::ui::layout::{parse_id, query_map, render, see_other, sort_header, Shell, StoreAnswer};
use crate::ui::{Lang, PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use fupin_core::accounts::Policy;
use fupin_core::assessment::*;
use fupin_core::paging::Keyset;
use fupin_core::regions::RegionCode;
use fupin_core::registry::HouseholdId;
use fupin_core::years::{parse_date, today};
use fupin_core::{DomainError, ErrorKind};
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use time::Date;

pub(crate) fn page_routes(r: Routes) -> Routes {
    r.get("/cases", list)
        .get("/cases/{id}", item)
        .post("/cases/{id}/actions", take_action)
        .post("/households/{id}/cases", start)
        .get("/warnings", warnings)
        .post("/warnings/screening", screening)
        .get("/parameters", parameters)
        .post("/households/{id}/unmask", unmask)
}

/// Rows a page of the case and warning lists shows.
const PER_PAGE: u32 = 50;

/// Longest free text of an action (the workflow's own limit for notes, objections, resolutions).
const TEXT_MAX: usize = 1000;

/// The region a list page shows: `?region=` when given (12 digits), else the viewer's first region
/// for `policy`.
fn region_of(
    v: &Viewer,
    q: &HashMap<String, String>,
    policy: Policy,
) -> Result<RegionCode, PageError> {
    let roots = v
        .caller
        .principal
        .regions_for(policy)
        .ok_or_else(|| PageError::new(StatusCode::FORBIDDEN, "您没有查看该页面的权限"))?;
    match q.get("region").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(crate::params::region_code("region", s)?),
        None => Ok(roots[0].clone()),
    }
}

/// Whether the viewer may write the registry of this village (and so act on its cases).
fn may_write(v: &Viewer, village: &RegionCode) -> bool {
    v.caller
        .principal
        .regions_for(Policy::WriteRegistry)
        .is_some_and(|rs| rs.iter().any(|r| r.contains(village)))
}

/// Whether the viewer may take the case's current step: they write the registry of its village
/// through a region at the step's office level or above (乡镇审核 needs the township, 县级审定 the
/// county; the store refuses the others with `step_for_higher_office`).
fn may_take_step(v: &Viewer, c: &ProcedureCase) -> bool {
    let level = c
        .kind
        .step_office(&c.step)
        .map_or(fupin_core::regions::Level::Village, |o| o.0);
    v.caller
        .principal
        .regions_for(Policy::WriteRegistry)
        .is_some_and(|rs| fupin_core::Scope::Within(rs).holds_at(&c.village_code, level))
}

fn kind_label(lang: Lang, k: ProcedureKind) -> &'static str {
    match lang {
        Lang::Zh => k.label(),
        Lang::En => match k {
            ProcedureKind::Exit => "Exit",
            ProcedureKind::Identification => "Monitoring identification",
            ProcedureKind::Elimination => "Risk elimination",
        },
    }
}

const KINDS: [ProcedureKind; 3] = [
    ProcedureKind::Exit,
    ProcedureKind::Identification,
    ProcedureKind::Elimination,
];

/// The case's state as a badge: finished (done, green), overdue (red), open (neutral).
fn case_badge(v: &Viewer, c: &ProcedureCase) -> Markup {
    let (class, text) = if c.finished {
        ("state state-done", v.t("已办结", "Finished"))
    } else if matches!(c.timeliness, Timeliness::Overdue { .. }) {
        ("state state-overdue", v.t("已超时", "Overdue"))
    } else {
        ("state state-open", v.t("办理中", "In progress"))
    };
    html! { span class=(class) data-state=(if c.finished { "done" } else { "open" }) { (text) } }
}

fn timeliness_text(v: &Viewer, t: &Timeliness) -> String {
    match t {
        Timeliness::NoLimit => v.t("无时限", "no limit").to_string(),
        Timeliness::OnTime { due, days_left } => {
            format!(
                "{} {due}（{} {days_left} {}）",
                v.t("时限", "due"),
                v.t("剩", ""),
                v.t("天", "days left")
            )
        }
        Timeliness::Overdue { due, days_over } => {
            format!(
                "{} {due}，{} {days_over} {}",
                v.t("时限", "due"),
                v.t("已超", "over by"),
                v.t("天", "days")
            )
        }
        Timeliness::FinishedOnTime { due } => format!(
            "{} {due}，{}",
            v.t("时限", "due"),
            v.t("按时办结", "finished on time")
        ),
        Timeliness::FinishedLate { due, days_over } => format!(
            "{} {due}，{} {days_over} {}",
            v.t("时限", "due"),
            v.t("超时办结", "finished late by"),
            v.t("天", "days")
        ),
    }
}

/// Region names for the villages of a page (a few distinct villages per page).
async fn village_names(
    app: &AppState,
    ctx: &fupin_core::Ctx,
    codes: impl Iterator<Item = &RegionCode>,
) -> Result<HashMap<String, String>, PageError> {
    let mut out = HashMap::new();
    for c in codes {
        if out.contains_key(c.as_str()) {
            continue;
        }
        let name = app
            .store
            .region(ctx, c)
            .await
            .or_none()?
            .map(|r| r.region.name)
            .unwrap_or_else(|| c.as_str().to_string());
        out.insert(c.as_str().to_string(), name);
    }
    Ok(out)
}

/// The first page of the case list in the order asked for.
fn sorted_href(q: &HashMap<String, String>, descending: bool) -> String {
    let mut pairs: Vec<(&str, &str)> = q
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "after" | "lang" | "screened" | "sort"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    if descending {
        pairs.push(("sort", "-village"));
    }
    format!(
        "/cases?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// The query string of a list page with `after` replaced.
fn with_after(path: &str, q: &HashMap<String, String>, after: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = q
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "after" | "lang" | "screened"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    pairs.push(("after", after));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

async fn list(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q, Policy::ReadRegistry)?;
    let kind = q.get("kind").and_then(|k| ProcedureKind::parse(k.trim()));
    let open = q.get("open").is_some_and(|o| o == "true" || o == "1");
    let descending = q.get("sort").is_some_and(|s| s == "-village");
    let page = match q.get("after").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(a) => Keyset::after(a, PER_PAGE),
        None => Keyset::first(PER_PAGE),
    };
    let cases = app
        .store
        .region_cases(
            &ctx,
            &code,
            CaseFilter {
                kind,
                open,
                descending,
            },
            &page,
        )
        .await?;
    let region = app.store.region(&ctx, &code).await?;
    let names = village_names(&app, &ctx, cases.items.iter().map(|c| &c.village_code)).await?;
    let title = format!("{} · {}", region.region.name, v.t("办理事项", "Procedures"));
    let next = cases.next.as_deref().map(|n| with_after("/cases", &q, n));
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/cases" {
            (region_field(&v, code.as_str()))
            div.field {
                label for="kind" { (v.t("程序", "Procedure")) }
                select #kind name="kind" {
                    option value="" { (v.t("全部", "All")) }
                    @for k in KINDS { option value=(k.as_str()) selected[Some(k) == kind] { (kind_label(v.lang, k)) } }
                }
            }
            div.check {
                input #open type="checkbox" name="open" value="true" checked[open];
                label for="open" { (v.t("只看未办结", "Open only")) }
            }
            @if descending { input type="hidden" name="sort" value="-village"; }
            div { button type="submit" { (v.t("查看", "Show")) } }
        }
        div.table-wrap { table.data #cases {
            thead { tr {
                th scope="col" { (v.t("编号", "No.")) }
                // sorted along the index (village, id), forwards or backwards; no other column is
                // offered, as the server would have to read every case of the region to sort by it
                th scope="col" aria-sort=(if descending { "descending" } else { "ascending" }) {
                    a.sort #sort-village href=(sorted_href(&q, !descending)) {
                        (v.t("村", "Village")) " " span aria-hidden="true" { (if descending { "▼" } else { "▲" }) }
                    }
                }
                th scope="col" { (v.t("户编码", "Household")) }
                th scope="col" { (v.t("程序", "Procedure")) }
                th scope="col" { (v.t("年度", "Year")) }
                th scope="col" { (v.t("当前步骤", "Step")) }
                th scope="col" { (v.t("时限", "Time limit")) }
                th scope="col" { (v.t("状态", "State")) }
            } }
            tbody {
                @for c in &cases.items {
                    tr data-case=(c.id) {
                        td { a href=(format!("/cases/{}", c.id)) { (c.id) } }
                        td { (names.get(c.village_code.as_str()).map(String::as_str).unwrap_or(c.village_code.as_str())) }
                        td { a href=(format!("/households/{}", c.household_id.0)) { (c.household_number) } }
                        td { a href=(format!("/cases/{}", c.id)) { (kind_label(v.lang, c.kind)) } }
                        td { (c.year) }
                        td { (step_label(v.lang, c.kind, &c.step, &c.step_label)) }
                        td { (timeliness_text(&v, &c.timeliness)) }
                        td { (case_badge(&v, c)) }
                    }
                }
                @if cases.items.is_empty() {
                    tr { td colspan="8" { (v.t("没有符合条件的办理事项", "No procedures match")) } }
                }
            }
        } }
        @if let Some(n) = next { p.pager { a href=(n) rel="next" { (v.t("下一页", "Next page")) } } }
        p.hint { (v.t("在农户页面发起脱贫退出、监测对象识别或风险消除程序。", "Start a procedure from the household's page.")) }
    };
    Ok(render(&v, Shell::new(title, "/cases"), body))
}

/// The region input of a filter form: the 12-digit code, chosen level by level or by name (see
/// [`region_input`]).
pub(crate) fn region_field(v: &Viewer, value: &str) -> Markup {
    let st = FormState::with_values(vec![("region".into(), value.to_string())]);
    region_input(v.lang, &st, "region", v.t("区划", "Region"), true, false)
}

/// A procedure's state as the page shows it, read from the typed workflow.
struct CaseView {
    steps: Vec<(&'static str, &'static str)>,
    current: usize,
    notice: &'static str,
    notice_start: Option<Date>,
    notice_earliest_end: Option<Date>,
    notice_days: i32,
    objections: Vec<Objection>,
    /// (date, actor, step label, what, note)
    history: Vec<(Date, String, &'static str, &'static str, Option<String>)>,
    last_date: Date,
}

fn event_label(lang: Lang, k: &EventKind) -> &'static str {
    match k {
        EventKind::Started => lang.t("发起", "Started"),
        EventKind::Completed => lang.t("完成", "Completed"),
        EventKind::Rejected => lang.t("退回", "Sent back"),
        EventKind::ObjectionRecorded { .. } => lang.t("登记异议", "Objection recorded"),
        EventKind::ObjectionResolved { .. } => lang.t("处理异议", "Objection resolved"),
    }
}

/// The table of a procedure's steps in `code-labels-en.json`.
fn step_table(k: ProcedureKind) -> &'static str {
    match k {
        ProcedureKind::Exit => "exit_step",
        ProcedureKind::Identification => "identification_step",
        ProcedureKind::Elimination => "elimination_step",
    }
}

/// A case's step (its code, as the case stores it) in the page's language.
fn step_label<'a>(lang: Lang, k: ProcedureKind, step: &str, zh: &'a str) -> &'a str {
    enum_label(lang, step_table(k), step, zh)
}

fn case_view(lang: Lang, c: &ProcedureCase) -> Result<CaseView, PageError> {
    fn read<S: Step + DeserializeOwned, E: Clone + DeserializeOwned>(
        lang: Lang,
        table: &'static str,
        state: &serde_json::Value,
    ) -> Result<CaseView, PageError> {
        let w: Workflow<S, E> = serde_json::from_value(state.clone())
            .map_err(|_| PageError::from(DomainError::internal()))?;
        Ok(CaseView {
            steps: S::ORDER
                .iter()
                .map(|s| (s.as_str(), enum_label(lang, table, s.as_str(), s.label())))
                .collect(),
            current: w.step().position(),
            notice: S::NOTICE.as_str(),
            notice_start: w.notice_start(),
            notice_earliest_end: w.notice_earliest_end(),
            notice_days: w.notice_days(),
            objections: w.objections().to_vec(),
            history: w
                .history()
                .iter()
                .map(|e| {
                    (
                        e.date,
                        e.actor.clone(),
                        enum_label(lang, table, e.step.as_str(), e.step.label()),
                        event_label(lang, &e.kind),
                        e.note.clone(),
                    )
                })
                .collect(),
            last_date: w.history().last().map_or(w.started_on(), |e| e.date),
        })
    }
    match c.kind {
        ProcedureKind::Exit => read::<ExitStep, ExitAssessment>(lang, step_table(c.kind), &c.state),
        ProcedureKind::Identification => {
            read::<IdentificationStep, MonitoredKind>(lang, step_table(c.kind), &c.state)
        }
        ProcedureKind::Elimination => {
            read::<EliminationStep, RiskEliminationAssessment>(lang, step_table(c.kind), &c.state)
        }
    }
}

/// The form that was sent and refused: its key (`complete`, `reject`, `record_objection`,
/// `resolve_objection-ID`) and what it held with the refusal.
type Sent = Option<(String, FormState)>;

fn sent_state<'a>(sent: &'a Sent, key: &str, blank: &'a FormState) -> &'a FormState {
    match sent {
        Some((k, st)) if k == key => st,
        _ => blank,
    }
}

/// The refusal of a form without a field of its own (a conflict, a step refused), shown on top of it.
fn form_error(st: &FormState, fields: &[&str]) -> Markup {
    let Some(e) = &st.error else {
        return html! {};
    };
    let own: Vec<&str> = e
        .problems()
        .into_iter()
        .filter(|(f, _)| !fields.contains(f))
        .map(|(_, m)| m)
        .collect();
    let messages: Vec<&str> = if e.problems().is_empty() {
        vec![e.message.as_str()]
    } else {
        own
    };
    html! {
        @for m in messages {
            p.alert.error.form-error role="alert" { (m) }
        }
    }
}

/// A labelled input of an action form, with its error beside it.
fn action_input(
    st: &FormState,
    form: &str,
    name: &str,
    label: &str,
    kind: &str,
    required: bool,
) -> Markup {
    let id = format!("{form}-{}", input_id(name));
    let err = st.error_for(name);
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) @if required { abbr.req title="必填 / required" { "*" } } }
            @if kind == "textarea" {
                textarea id=(id) name=(name) rows="2" required[required]
                    aria-invalid=[err.map(|_| "true")] { (st.value(name)) }
            } @else {
                input id=(id) name=(name) type=(kind) value=(st.value(name)) required[required]
                    aria-invalid=[err.map(|_| "true")];
            }
            @if let Some(e) = err { p.field-error role="alert" { (e) } }
        }
    }
}

/// The exit assessment per criterion, for the case's year.
fn assessment_panel(v: &Viewer, report: Option<&ExitAssessmentReport>, year: i32) -> Markup {
    html! {
        aside.panel #assessment aria-label=(v.t("退出评估", "Exit assessment")) {
            h2 { (v.t("退出评估", "Exit assessment")) " " small.muted { (year) } }
            @match report {
                None => p.muted { (v.t("该年度无法评估（没有该户该年度的数据）。", "No assessment for this year.")) },
                Some(r) => {
                    p {
                        @if r.assessment.passed {
                            span.state.state-done #assessment-result data-passed="true" { (v.t("全部达标", "All criteria met")) }
                        } @else {
                            span.state.state-overdue #assessment-result data-passed="false" { (v.t("未达标", "Not met")) }
                        }
                        " " small.muted { (v.t("贫困线", "Poverty line")) " " (crate::ui::fmt::yuan(r.line_fen)) " " (v.t("元", "yuan")) }
                    }
                    ul.criteria {
                        @for c in &r.assessment.criteria {
                            li.criterion.passed[c.passed].failed[!c.passed] data-criterion=(c.criterion.as_str()) {
                                span.mark aria-hidden="true" { (if c.passed { "✓" } else { "✗" }) }
                                strong { (c.criterion.label()) }
                                span.sr-only { (if c.passed { v.t("达标", "met") } else { v.t("未达标", "not met") }) }
                                br;
                                small { (c.reason) }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn item_page(
    v: &Viewer,
    app: &AppState,
    id: i64,
    sent: Sent,
    status: StatusCode,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let c = app.store.case(&ctx, id).await?;
    let view = case_view(v.lang, &c)?;
    let household = app.store.household(&ctx, c.household_id).await?;
    let h = &household.household;
    // the exit's own year; the other procedures look at the year they are in
    let year = match c.kind {
        ProcedureKind::Exit => c.year,
        _ => today().year(),
    };
    let report = app
        .store
        .exit_assessment(&ctx, c.household_id, year)
        .await
        .or_none()?;
    let can_act = !c.finished && may_take_step(v, &c);
    // an office below the step's sees whose step it is instead of the forms
    let office_note = (!c.finished && !can_act && may_write(v, &c.village_code))
        .then(|| c.kind.step_office(&c.step))
        .flatten();
    let step_now = view.steps.get(view.current).copied().unwrap_or(("", ""));
    let in_notice = step_now.0 == view.notice;
    let at_county = step_now.0 == "county_approval";
    let first_step = view.current == 0;
    // county approval of an exit needs a passing assessment: the store refuses it otherwise, so it
    // is not offered
    let approval_blocked = at_county
        && c.kind == ProcedureKind::Exit
        && !report.as_ref().is_some_and(|r| r.assessment.passed);
    let open_objections = view.objections.iter().filter(|o| o.is_open()).count();
    // the forms this page shows; a refusal of another (sent from an older page) is shown on top
    let mut shown: Vec<String> = Vec::new();
    if can_act {
        if !approval_blocked {
            shown.push("complete".into());
        }
        if in_notice {
            shown.push("record_objection".into());
        }
        if !first_step {
            shown.push("reject".into());
        }
        for o in view.objections.iter().filter(|o| o.is_open()) {
            shown.push(format!("resolve_objection-{}", o.id));
        }
    }
    let stray = sent
        .as_ref()
        .filter(|(k, _)| !shown.contains(k))
        .and_then(|(_, st)| st.error.as_ref());
    let today = today();
    let default_date = today.max(view.last_date).to_string();
    let blank = FormState::with_values(vec![("date".into(), default_date.clone())]);
    let title = format!("{} · {}", kind_label(v.lang, c.kind), h.household_number);
    let action = format!("/cases/{}/actions", c.id);
    // the village's list of cases, for a viewer whose regions hold the village (not a cadre, who
    // reads the case through the paired household only)
    let village_cases = v.reaches(Policy::ReadRegistry, &c.village_code);
    let body = html! {
        div.page-head {
            h1 {
                (kind_label(v.lang, c.kind)) " " small.muted { (c.year) } " "
                (case_badge(v, &c))
            }
            div.actions {
                a.button href=(format!("/households/{}", h.id.0)) { (v.t("农户页面", "Household")) }
                @if village_cases { a.button href=(format!("/cases?region={}", c.village_code.as_str())) { (v.t("本村办理事项", "Village's procedures")) } }
            }
        }
        @if let Some(e) = stray {
            p.alert.error.form-error role="alert" #case-error { (e.message) }
        }
        div.case-layout {
            div.case-main {
                dl.grid {
                    dt { (v.t("户主 · 户编码", "Head · number")) }
                    dd { a href=(format!("/households/{}", h.id.0)) { (h.head_name.as_deref().unwrap_or("—")) } " · " (h.household_number) }
                    dt { (v.t("当前状态", "Status")) }
                    dd { span class=(format!("status status-{}", h.status.as_str())) #household-status { (status_label(v.lang, h.status)) } }
                    dt { (v.t("当前步骤", "Step")) } dd #step data-step=(c.step) { (step_label(v.lang, c.kind, &c.step, &c.step_label)) }
                    dt { (v.t("时限", "Time limit")) } dd { (timeliness_text(v, &c.timeliness)) }
                    @if let Some(s) = view.notice_start {
                        dt { (v.t("公示", "Public notice")) }
                        dd #notice {
                            (s) " " (v.t("起", "from")) "，" (v.t("至少", "at least")) " " (view.notice_days) " " (v.t("天", "days"))
                            @if let Some(e) = view.notice_earliest_end { "，" (v.t("最早", "ends on")) " " (e) " " (v.t("结束", "at the earliest")) }
                        }
                    }
                }
                h2 { (v.t("步骤", "Steps")) }
                ol.steps #steps {
                    @for (i, (key, label)) in view.steps.iter().enumerate() {
                        li data-step=(key) class=(if i < view.current || c.finished { "done" } else if i == view.current { "current" } else { "todo" })
                            aria-current=[(i == view.current && !c.finished).then_some("step")] { (label) }
                    }
                }
                @if let Some((level, label)) = office_note {
                    p.note #step-office { (v.t(&format!("当前环节「{label}」由{}及以上部门办理。", level.label()), &format!("The current step ({label}) is taken by an office at {} level or above.", level.as_str()))) }
                }
                @if can_act {
                    section #act {
                        h2 { (v.t("办理", "Act")) }
                        @if approval_blocked {
                            p.alert.warn #approval-blocked { (v.t("退出评估未全部达标，县级不能审定；请先核实并更正该户数据。", "The exit assessment is not met: the county cannot approve.")) }
                        } @else {
                            @let st = sent_state(&sent, "complete", &blank);
                            form.step method="post" action=(action) #complete-form data-action="complete" {
                                (v.csrf_field())
                                input type="hidden" name="action" value="complete";
                                (form_error(st, &["date", "note", "monitored_kind"]))
                                (action_input(st, "complete", "date", v.t("办理日期", "Date"), "date", true))
                                @if in_notice && open_objections > 0 {
                                    p.hint { (v.t(&format!("还有 {open_objections} 条异议未处理，处理后才能结束公示。"), &format!("{open_objections} open objection(s) must be resolved first."))) }
                                }
                                @if c.kind == ProcedureKind::Identification && at_county {
                                    @let err = st.error_for("monitored_kind");
                                    div.field.invalid[err.is_some()] {
                                        label for="complete-monitored_kind" { (v.t("监测对象类型", "Monitored kind")) abbr.req { "*" } }
                                        select #complete-monitored_kind name="monitored_kind" required {
                                            @for k in MonitoredKind::ALL { option value=(k.as_str()) selected[st.value("monitored_kind") == k.as_str()] { (k.label()) } }
                                        }
                                        @if let Some(e) = err { p.field-error role="alert" { (e) } }
                                    }
                                }
                                (action_input(st, "complete", "note", v.t("说明（可不填）", "Note (optional)"), "text", false))
                                button.primary type="submit" #complete-step { (v.t("完成：", "Complete: ")) (step_now.1) }
                            }
                        }
                        @if in_notice {
                            @let st = sent_state(&sent, "record_objection", &blank);
                            form.step method="post" action=(action) #objection-form data-action="record_objection" {
                                (v.csrf_field())
                                input type="hidden" name="action" value="record_objection";
                                (form_error(st, &["date", "text"]))
                                (action_input(st, "objection", "date", v.t("异议日期", "Date"), "date", true))
                                (action_input(st, "objection", "text", v.t("异议内容", "Objection"), "textarea", true))
                                button type="submit" { (v.t("登记异议", "Record objection")) }
                            }
                        }
                        @if !first_step {
                            @let st = sent_state(&sent, "reject", &blank);
                            form.step method="post" action=(action) #reject-form data-action="reject" {
                                (v.csrf_field())
                                input type="hidden" name="action" value="reject";
                                (form_error(st, &["date", "reason"]))
                                (action_input(st, "reject", "date", v.t("退回日期", "Date"), "date", true))
                                (action_input(st, "reject", "reason", v.t("退回理由", "Reason"), "textarea", true))
                                button type="submit" { (v.t("不予通过，退回", "Reject and send back")) }
                            }
                        }
                    }
                }
                section #objections {
                    h2 { (v.t("本轮公示异议", "Objections of this notice")) }
                    @if view.objections.is_empty() { p.muted { (v.t("没有异议", "None")) } }
                    ul.objections {
                        @for o in &view.objections {
                            li data-objection=(o.id) {
                                strong { "#" (o.id) " " (o.raised_on) } " · " (o.recorded_by) "：" (o.text)
                                @match &o.resolution {
                                    Some(r) => { br; span.state.state-done { (v.t("已处理", "Resolved")) } " " (r.date) " · " (r.actor) "：" (r.text) }
                                    None => {
                                        " " span.state.state-overdue { (v.t("待处理", "Open")) }
                                        @if can_act {
                                            @let key = format!("resolve_objection-{}", o.id);
                                            @let st = sent_state(&sent, &key, &blank);
                                            form.step method="post" action=(action) data-action="resolve_objection" {
                                                (v.csrf_field())
                                                input type="hidden" name="action" value="resolve_objection";
                                                input type="hidden" name="objection_id" value=(o.id);
                                                (form_error(st, &["date", "resolution"]))
                                                (action_input(st, &key, "date", v.t("处理日期", "Date"), "date", true))
                                                (action_input(st, &key, "resolution", v.t("核实及处理结果", "Resolution"), "textarea", true))
                                                button type="submit" { (v.t("处理异议", "Resolve")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section #history {
                    h2 { (v.t("办理记录", "History")) }
                    div.table-wrap { table.data {
                        thead { tr {
                            th scope="col" { (v.t("日期", "Date")) } th scope="col" { (v.t("步骤", "Step")) }
                            th scope="col" { (v.t("办理", "Action")) } th scope="col" { (v.t("办理人", "By")) } th scope="col" { (v.t("说明", "Note")) }
                        } }
                        tbody { @for (d, actor, step, what, note) in &view.history { tr {
                            td { (d) } td { (step) } td { (what) } td { (actor) } td.wrap { (note.as_deref().unwrap_or("")) }
                        } } }
                    } }
                }
            }
            (assessment_panel(v, report.as_ref(), year))
        }
    };
    let mut shell = Shell::new(title, "/cases");
    shell.crumbs = vec![
        (
            v.t("办理事项", "Procedures").into(),
            village_cases.then(|| format!("/cases?region={}", c.village_code.as_str())),
        ),
        (format!("{} {}", kind_label(v.lang, c.kind), c.id), None),
    ];
    let mut res = render(v, shell, body);
    *res.status_mut() = status;
    Ok(res)
}

async fn item(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id)?;
    item_page(&v, &app, id, None, StatusCode::OK).await
}

/// A required text of a form, or its error with the Chinese label.
fn required_text(
    form: &Form,
    name: &str,
    label: &str,
    problems: &mut Vec<DomainError>,
) -> Option<String> {
    let t = form.get(name).map(str::trim).unwrap_or("");
    if t.is_empty() {
        problems.push(DomainError::invalid(
            name,
            "required",
            format!("请填写{label}"),
        ));
        None
    } else if t.chars().count() > TEXT_MAX {
        problems.push(DomainError::invalid(
            name,
            "too_long",
            format!("{label}过长：最多 {TEXT_MAX} 个字"),
        ));
        None
    } else {
        Some(t.to_string())
    }
}

/// The date of a form (`YYYY-MM-DD`), or its error.
fn form_date(form: &Form, problems: &mut Vec<DomainError>) -> Option<Date> {
    let t = form.get("date").map(str::trim).unwrap_or("");
    if t.is_empty() {
        problems.push(DomainError::invalid("date", "required", "请填写办理日期"));
        return None;
    }
    match parse_date("date", t) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(e);
            None
        }
    }
}

/// Several faults of one form as one error naming each field.
fn combine(mut problems: Vec<DomainError>) -> DomainError {
    if problems.len() == 1 {
        return problems.remove(0);
    }
    let mut p = fupin_core::error::Problems::new();
    for e in problems {
        p.push(e);
    }
    p.finish().err().unwrap_or_else(DomainError::internal)
}

async fn take_action(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let id = parse_id(&id)?;
    let action = form.get("action").unwrap_or("").trim().to_string();
    let key = match action.as_str() {
        "resolve_objection" => format!(
            "resolve_objection-{}",
            form.get("objection_id").unwrap_or("").trim()
        ),
        a => a.to_string(),
    };
    let mut problems = Vec::new();
    let date = form_date(&form, &mut problems);
    let note = form
        .get("note")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let mut input = CaseActionInput {
        date: date.unwrap_or(today()),
        action: action.clone(),
        note,
        reason: None,
        text: None,
        objection_id: None,
        resolution: None,
        monitored_kind: None,
    };
    match action.as_str() {
        "complete" => {
            if let Some(k) = form.get("monitored_kind").filter(|k| !k.is_empty()) {
                match MonitoredKind::parse(k) {
                    Some(k) => input.monitored_kind = Some(k),
                    None => problems.push(DomainError::invalid(
                        "monitored_kind",
                        "unknown_code",
                        "请选择监测对象类型",
                    )),
                }
            }
        }
        "reject" => input.reason = required_text(&form, "reason", "退回理由", &mut problems),
        "record_objection" => input.text = required_text(&form, "text", "异议内容", &mut problems),
        "resolve_objection" => {
            input.objection_id = form
                .get("objection_id")
                .and_then(|i| i.trim().parse::<u32>().ok());
            input.resolution = required_text(&form, "resolution", "核实及处理结果", &mut problems);
        }
        _ => return Err(PageError::bad_request("未知的办理操作")),
    }
    let result = if problems.is_empty() {
        app.store.case_action(&ctx, id, input).await
    } else {
        Err(combine(problems))
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{id}#steps"))),
        // the page again, with the refusal beside the form that was sent (a case out of reach is
        // a 404 page)
        Err(e) if e.kind != ErrorKind::NotFound && e.kind != ErrorKind::Internal => {
            let status = crate::error::ApiError::from(e.clone()).status();
            let mut st = FormState::with_values(form.0.clone());
            st.error = Some(e);
            item_page(&v, &app, id, Some((key, st)), status).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn start(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let household = HouseholdId(parse_id(&id)?);
    let back = |e: &DomainError| {
        let q =
            serde_urlencoded::to_string([("case_error", e.message.as_str())]).unwrap_or_default();
        see_other(&format!("/households/{}?{q}#cases", household.0))
    };
    let kind = match form.get("kind").and_then(ProcedureKind::parse) {
        Some(k) => k,
        None => {
            return Ok(back(&DomainError::invalid(
                "kind",
                "required",
                "请选择要发起的程序",
            )))
        }
    };
    let mut problems = Vec::new();
    let date = form_date(&form, &mut problems);
    let year = form
        .get("year")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|y| y.parse::<i32>());
    let year = match (kind, year) {
        (_, Some(Ok(y))) => y,
        (_, Some(Err(_))) => {
            problems.push(DomainError::invalid(
                "year",
                "invalid_year",
                "年度须为四位数字",
            ));
            0
        }
        // monitoring belongs to the year it starts in
        (_, None) => date.map_or(today().year(), |d| d.year()),
    };
    let result = match (problems.is_empty(), date) {
        (true, Some(d)) => app.store.start_case(&ctx, kind, household, year, d).await,
        _ => Err(combine(problems)),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/cases/{}", c.id))),
        Err(e) if e.kind != ErrorKind::NotFound && e.kind != ErrorKind::Internal => Ok(back(&e)),
        Err(e) => Err(e.into()),
    }
}

/// The household page's section of its procedures: each case linked to its page, and for an
/// office of the village the form starting the procedures its status allows.
pub(crate) fn household_section(
    v: &Viewer,
    household: &fupin_core::registry::Household,
    cases: &[ProcedureCase],
    error: Option<&str>,
) -> Markup {
    let can_start = may_write(v, &household.village_code);
    let startable: Vec<ProcedureKind> = KINDS
        .into_iter()
        .filter(|k| k.may_start(household.status))
        .filter(|k| !cases.iter().any(|c| c.kind == *k && !c.finished))
        .collect();
    html! {
        section #cases {
            h2 { (v.t("脱贫退出与监测程序", "Exit and monitoring procedures")) }
            @if cases.is_empty() { p.muted { (v.t("暂无程序记录", "No procedures")) } } @else {
                div.table-wrap { table.data {
                    thead { tr { th scope="col" { (v.t("程序", "Procedure")) } th scope="col" { (v.t("年度", "Year")) } th scope="col" { (v.t("当前步骤", "Step")) } th scope="col" { (v.t("状态", "State")) } } }
                    tbody { @for c in cases { tr data-case=(c.id) {
                        td { a href=(format!("/cases/{}", c.id)) { (kind_label(v.lang, c.kind)) } } td { (c.year) } td { (step_label(v.lang, c.kind, &c.step, &c.step_label)) }
                        td { (case_badge(v, c)) }
                    } } }
                } }
            }
            @if can_start && !startable.is_empty() {
                form.step method="post" action=(format!("/households/{}/cases", household.id.0)) #start-case {
                    (v.csrf_field())
                    @if let Some(m) = error { p.alert.error.form-error role="alert" { (m) } }
                    div.field {
                        label for="start-kind" { (v.t("发起程序", "Start a procedure")) }
                        select #start-kind name="kind" required {
                            @for k in &startable { option value=(k.as_str()) { (kind_label(v.lang, *k)) } }
                        }
                    }
                    div.field {
                        label for="start-year" { (v.t("年度（脱贫退出的年度）", "Year (of the exit)")) }
                        input #start-year name="year" inputmode="numeric" value=(today().year());
                    }
                    div.field {
                        label for="start-date" { (v.t("发起日期", "Date")) }
                        input #start-date name="date" type="date" value=(today()) required;
                    }
                    button.primary type="submit" { (v.t("发起", "Start")) }
                }
            }
        }
    }
}

async fn warnings(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q, Policy::ReadRegistry)?;
    let year = match q.get("year").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(y) => y
            .parse::<i32>()
            .map_err(|_| PageError::bad_request("年度须为四位数字"))?,
        None => today().year(),
    };
    let descending = fupin_core::paging::parse_sort(q.get("sort").map(String::as_str), "village")?;
    let page = match q.get("after").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(a) => Keyset::after(a, PER_PAGE),
        None => Keyset::first(PER_PAGE),
    }
    .backwards(descending);
    let list = app.store.early_warnings(&ctx, &code, year, &page).await?;
    let pairs: Vec<(String, String)> = q.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let region = app.store.region(&ctx, &code).await?;
    let names = village_names(
        &app,
        &ctx,
        list.items
            .iter()
            .filter_map(|w| RegionCode::parse(&w.village_code).ok())
            .collect::<Vec<_>>()
            .iter(),
    )
    .await?;
    let can_screen = may_write(&v, &code);
    let screened = q.get("screened").and_then(|n| n.parse::<usize>().ok());
    let next = list.next.as_deref().map(|n| with_after("/warnings", &q, n));
    let title = format!(
        "{} · {}",
        region.region.name,
        v.t("监测预警", "Monitoring warnings")
    );
    let body = html! {
        h1 { (title) " " small.muted { (year) } }
        @if let Some(n) = screened {
            p.alert.ok role="status" #screened data-count=(n) {
                (v.t(&format!("已重新筛查：{n} 户需关注。"), &format!("Screened again: {n} household(s) flagged.")))
            }
        }
        div.page-head {
            form.filters method="get" action="/warnings" {
                (region_field(&v, code.as_str()))
                div.field {
                    label for="year" { (v.t("年度", "Year")) }
                    input #year name="year" inputmode="numeric" value=(year) required;
                }
                @if descending { input type="hidden" name="sort" value="-village"; }
                div { button type="submit" { (v.t("查看", "Show")) } }
            }
            @if can_screen {
                form.inline method="post" action="/warnings/screening" #screen-form {
                    (v.csrf_field())
                    input type="hidden" name="region" value=(code.as_str());
                    input type="hidden" name="year" value=(year);
                    button.primary type="submit" #screen { (v.t("立即筛查本区域", "Screen this region now")) }
                }
            }
        }
        div.table-wrap { table.data #warnings {
            thead { tr {
                (sort_header(&v, "/warnings", &pairs, "village", v.t("村", "Village"), descending))
                th scope="col" { (v.t("户编码", "Household")) }
                th scope="col" { (v.t("户主", "Head")) }
                th scope="col" { (v.t("预警原因", "Reasons")) }
                th scope="col" { (v.t("建议类型", "Suggested kind")) }
            } }
            tbody {
                @for w in &list.items {
                    tr data-household=(w.household_id.0) {
                        td { (names.get(&w.village_code).map(String::as_str).unwrap_or(&w.village_code)) }
                        td { a href=(format!("/households/{}", w.household_id.0)) { (w.household_number) } }
                        td { (w.head_name.as_deref().unwrap_or("—")) }
                        td.wrap { @for f in &w.flags {
                            @if v.lang == Lang::En {
                                span.state.state-overdue data-reason=(f.reason_code) title=(f.reason) { (enum_label(v.lang, "warning_reason", &f.reason_code, &f.reason)) } " "
                            } @else {
                                span.state.state-overdue data-reason=(f.reason_code) { (f.reason) } " "
                            }
                        } }
                        td { (enum_label(v.lang, "monitored_kind", w.suggested_kind.as_str(), w.suggested_kind.label())) }
                    }
                }
                @if list.items.is_empty() {
                    tr { td colspan="5" { (v.t("该年度没有预警户", "No households flagged for this year")) } }
                }
            }
        } }
        @if let Some(n) = next { p.pager { a href=(n) rel="next" { (v.t("下一页", "Next page")) } } }
    };
    Ok(render(&v, Shell::new(title, "/warnings"), body))
}

async fn screening(v: Viewer, State(app): State<AppState>, form: Form) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let code = crate::params::region_code("region", form.get("region").unwrap_or("").trim())?;
    let year = form
        .get("year")
        .and_then(|y| y.trim().parse::<i32>().ok())
        .ok_or_else(|| PageError::bad_request("年度须为四位数字"))?;
    let rows = app.store.screen_region(&ctx, &code, year).await?;
    Ok(see_other(&format!(
        "/warnings?region={}&year={year}&screened={}",
        code.as_str(),
        rows.len()
    )))
}

/// The value of a parameter as people read it: yuan for money, days, a fraction, a configuration's
/// name.
fn param_value(v: &Viewer, p: &Parameter) -> String {
    match &p.value {
        ParamValue::Fen(f) => format!("{} {}", crate::ui::fmt::yuan(f.get()), v.t("元", "yuan")),
        ParamValue::Ratio(r) => r.to_string(),
        ParamValue::Days(d) => format!("{d} {}", v.t("天", "days")),
        ParamValue::Count(n) => n.to_string(),
        ParamValue::Text(t) => t.clone(),
        ParamValue::Counting(c) => format!(
            "{}（k = {}，{} {}）",
            c.label,
            c.k,
            c.dimensions.len(),
            v.t("个维度", "dimensions")
        ),
    }
}

/// A parameter's Chinese name (`standards::key_label`); a counting measure's configuration with its
/// name, since every `mpi.<name>` key shares one label; an unknown key as it is.
fn param_name(key: &str) -> String {
    let label = fupin_core::assessment::standards::key_label(key);
    match key.strip_prefix(fupin_core::assessment::counting::KEY_PREFIX) {
        Some(name) if label != key => format!("{label}（{name}）"),
        _ => label.to_string(),
    }
}

async fn parameters(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadStats)?;
    let q = query_map(raw.as_deref());
    let code = region_of(&v, &q, Policy::ReadStats)?;
    let region = app.store.region(&ctx, &code).await?;
    let all = app.store.parameters(&ctx).await?;
    // the rows that apply to the region: nationwide ones and those of the region's ancestors or
    // of the region itself, the most specific first within a key
    let mut rows: Vec<&Parameter> = all
        .iter()
        .filter(|p| p.region_prefix.as_ref().is_none_or(|r| r.contains(&code)))
        .collect();
    let depth = |p: &Parameter| {
        p.region_prefix
            .as_ref()
            .map_or(0, |r| r.as_str().trim_end_matches('0').len())
    };
    rows.sort_by_key(|p| {
        (
            p.key.clone(),
            std::cmp::Reverse(depth(p)),
            std::cmp::Reverse(p.year),
        )
    });
    let editable = v.caller.ctx(Policy::ManageStandards).is_ok();
    let title = format!("{} · {}", region.region.name, v.t("标准参数", "Standards"));
    let body = html! {
        h1 { (title) }
        p.hint {
            (v.t("贫困线、监测线、公示天数、走访频次等标准按区划和年度取值：同一参数取最具体的区划，再取不晚于所查年度的最近年度。",
                 "Each standard applies by region and year: the most specific region wins, then the latest year not after the year asked."))
            @if editable {
                " " (v.t("管理员可通过系统接口设置本辖区的参数（见", "Administrators set their regions' parameters through the API (see "))
                a href="/docs/api" { (v.t("接口说明", "the API reference")) }
                (v.t("中的“设置参数”；各参数名称下的小字是接口使用的参数代码）。", ", “Set a parameter”; the small text under each name is the parameter's code there)."))
            } @else {
                " " (v.t("本页只读。", "Read only."))
            }
        }
        form.filters method="get" action="/parameters" {
            (region_field(&v, code.as_str()))
            div { button type="submit" { (v.t("查看", "Show")) } }
        }
        div.table-wrap { table.data #parameters {
            thead { tr {
                th scope="col" { (v.t("参数", "Parameter")) }
                th scope="col" { (v.t("适用区划", "Region")) }
                th.num scope="col" { (v.t("起始年度", "From year")) }
                th scope="col" { (v.t("取值", "Value")) }
                th scope="col" { (v.t("来源", "Source")) }
                th scope="col" { (v.t("已确认", "Confirmed")) }
            } }
            tbody {
                @for p in &rows {
                    tr data-key=(p.key) {
                        td {
                            (param_name(&p.key))
                            // the code the API takes, for those who may set it
                            @if editable { br; small.muted { code { (p.key) } } }
                        }
                        td { @match &p.region_prefix { None => (v.t("全国", "Nationwide")), Some(r) => (r.as_str()) } }
                        td.num { (p.year) }
                        td.wrap { (param_value(&v, p)) }
                        td.wrap { (p.source) }
                        td { @if p.confirmed { span.state.state-done { (v.t("是", "yes")) } } @else { span.state.state-open { (v.t("待确认", "unconfirmed")) } } }
                    }
                }
            }
        } }
    };
    Ok(render(&v, Shell::new(title, "/parameters"), body))
}

/// A household's personal data in full: the reason is checked and audited before anything is read
/// (`registry::unmasked`, as `GET /api/v1/households/{id}?unmask=true`); the page is never cached.
async fn unmask(
    v: Viewer,
    State(app): State<AppState>,
    Path(id): Path<String>,
    form: Form,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadRegistry)?;
    let id = HouseholdId(parse_id(&id)?);
    let reason = form.get("reason");
    let d = match crate::registry::unmasked(&v.caller, &app, ctx, id, reason).await {
        Ok(d) => d,
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let q =
                serde_urlencoded::to_string([("unmask_error", e.message())]).unwrap_or_default();
            return Ok(see_other(&format!("/households/{}?{q}#unmask", id.0)));
        }
        Err(e) => return Err(e.into()),
    };
    let h = &d.household;
    let title = format!(
        "{} · {}",
        h.household_number,
        v.t("完整个人信息", "Personal data in full")
    );
    let body = html! {
        h1 { (title) }
        p.alert.warn role="status" #unmask-notice {
            (v.t("本次查看已记入审计日志（理由：", "This view is recorded in the audit log (reason: "))
            (reason.unwrap_or("").trim()) (v.t("）。请勿截图、转发或打印。", "). Do not copy, forward or print."))
        }
        dl.grid {
            dt { (v.t("户主", "Head")) } dd { (h.head_name.as_deref().unwrap_or("—")) }
            dt { (v.t("联系电话", "Phone")) } dd #phone { (h.phone.as_deref().unwrap_or("—")) }
            dt { (v.t("开户银行", "Bank")) } dd { (h.bank_name.as_deref().unwrap_or("—")) }
            dt { (v.t("银行账号", "Bank account")) } dd #bank-account { (h.bank_account.as_deref().unwrap_or("—")) }
        }
        h2 { (v.t("家庭成员", "Members")) }
        div.table-wrap { table.data #members-full {
            thead { tr {
                th scope="col" { (v.t("姓名", "Name")) }
                th scope="col" { (v.t("身份证号", "ID number")) }
                th scope="col" { (v.t("联系电话", "Phone")) }
            } }
            tbody { @for m in &d.members { tr {
                td { (m.name) } td.mono { (m.id_number) } td { (m.phone.as_deref().unwrap_or("—")) }
            } } }
        } }
        p { a.button href=(format!("/households/{}", h.id.0)) { (v.t("返回（恢复脱敏显示）", "Back (masked again)")) } }
    };
    let mut shell = Shell::new(title, "/households");
    shell.crumbs = vec![
        (
            h.household_number.clone(),
            Some(format!("/households/{}", h.id.0)),
        ),
        (v.t("完整个人信息", "Personal data in full").into(), None),
    ];
    let mut res = render(&v, shell, body);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The household page's unmask form, for holders of `view_pii` over its village.
pub(crate) fn unmask_form(
    v: &Viewer,
    household: &fupin_core::registry::Household,
    error: Option<&str>,
) -> Markup {
    let may = v
        .caller
        .principal
        .regions_for(Policy::Unmask)
        .is_some_and(|rs| rs.iter().any(|r| r.contains(&household.village_code)));
    if !may {
        return html! {};
    }
    html! {
        details #unmask open[error.is_some()] {
            summary { (v.t("查看完整个人信息（须说明理由，记入审计）", "Show personal data in full (reason required, audited)")) }
            form.step method="post" action=(format!("/households/{}/unmask", household.id.0)) #unmask-form {
                (v.csrf_field())
                div.field.invalid[error.is_some()] {
                    label for="unmask-reason" { (v.t("理由", "Reason")) abbr.req { "*" } }
                    input #unmask-reason name="reason" maxlength="200" required
                        aria-invalid=[error.map(|_| "true")];
                    @if let Some(e) = error { p.field-error role="alert" { (e) } }
                }
                button type="submit" { (v.t("查看", "Show")) }
            }
        }
    }
}
