//! The audit log for auditors and administrators (`/audit`): the entries of the viewer's regions,
//! newest first, filtered by record (entity and its id), actor, action and dates, the same query as
//! `GET /api/v1/audit`; and, for administrators, a button that walks the whole hash chain
//! (`POST /audit/verify`) and says whether it is intact or where it was altered.

use crate::form::Form;
use crate::routes::Routes;
use crate::ui::layout::{query_map, render, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use fupin_core::accounts::{Policy, Role};
use fupin_core::store::AuditFilter;
use maud::{html, Markup};
use std::collections::HashMap;
use time::macros::format_description;
use time::Date;

pub(crate) fn page_routes(r: Routes) -> Routes {
    r.get("/audit", list).post("/audit/verify", verify)
}

/// Rows per page.
const PER_PAGE: u32 = 50;

/// The filters the page takes, as typed (kept in the form).
const FILTERS: &[&str] = &["entity", "entity_id", "actor", "action", "from", "to"];

fn text(q: &HashMap<String, String>, name: &str) -> Option<String> {
    q.get(name)
        .map(|s| s.trim().chars().take(64).collect::<String>())
        .filter(|s| !s.is_empty())
}

fn date(q: &HashMap<String, String>, name: &str, label: &str) -> Result<Option<Date>, PageError> {
    text(q, name)
        .map(|s| {
            Date::parse(&s, format_description!("[year]-[month]-[day]"))
                .map_err(|_| PageError::bad_request(format!("{label}须为日期（YYYY-MM-DD）：{s}")))
        })
        .transpose()
}

/// Whether the viewer may walk the chain: an administrator (the chain is one for all regions; its
/// check says only whether it is intact, naming no record).
fn is_admin(v: &Viewer) -> bool {
    v.caller
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::Admin)
}

/// An action by its Chinese name ([`fupin_core::audit::action_label`]), with its code below in
/// small type for the filter, which takes codes; an action without a name shows its code alone.
fn action_cell(action: &str) -> Markup {
    let name = fupin_core::audit::action_name(action);
    html! {
        @match name {
            Some(n) => { (n) br; small.muted { code { (action) } } }
            None => code { (action) },
        }
    }
}

/// A kind of record by its Chinese name, its code in small type (the 对象类型 filter takes it); a
/// kind without a name as its code.
fn entity_cell(entity: &str) -> Markup {
    html! {
        @match fupin_core::audit::entity_name(entity) {
            Some(n) => { (n) " " small.muted { code { (entity) } } }
            None => code { (entity) },
        }
    }
}

/// A record's state or an event's details as stored (JSON) shown as its fields, each under its
/// Chinese label where the registry has one (`fupin_core::labels`), a text value without quotes;
/// what is not a JSON object is shown as stored.
fn fields(stored: &str) -> Markup {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(stored)
    else {
        return html! { pre { (stored) } };
    };
    html! {
        dl.audit-fields {
            @for (k, v) in &map {
                dt { (fupin_core::labels::field_label(k)) }
                dd {
                    @match v {
                        serde_json::Value::String(s) => (s),
                        serde_json::Value::Null => "—",
                        other => (other.to_string()),
                    }
                }
            }
        }
    }
}

async fn list(v: Viewer, State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult {
    page(&v, &app, raw.as_deref(), None).await
}

async fn verify(v: Viewer, State(app): State<AppState>, _form: Form) -> PageResult {
    v.caller.ctx(Policy::ReadAudit)?;
    if !is_admin(&v) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "只有管理员可以校验审计日志",
        ));
    }
    let outcome = match app.store.check_audit(None).await? {
        Ok(r) => Ok(r.checked),
        Err(b) => Err((b.seq, b.reason)),
    };
    page(&v, &app, None, Some(outcome)).await
}

async fn page(
    v: &Viewer,
    app: &AppState,
    raw: Option<&str>,
    checked: Option<Result<u64, (i64, String)>>,
) -> PageResult {
    let ctx = v.caller.ctx(Policy::ReadAudit)?;
    let q = query_map(raw);
    let page_no = q
        .get("page")
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let filter = AuditFilter {
        actor: text(&q, "actor"),
        action: text(&q, "action"),
        entity: text(&q, "entity"),
        entity_id: text(&q, "entity_id"),
        from: date(&q, "from", v.t("起始日", "From "))?,
        to: date(&q, "to", v.t("截止日", "To "))?,
        page: Some(page_no),
        per_page: Some(PER_PAGE),
        after: None,
    };
    let log = app.store.audit_log(&ctx, filter).await?;
    // pages by number are counted (the store counts them; a cursor page has no count)
    let total = log.total.unwrap_or(0);
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let link = |p: u64| {
        let mut pairs: Vec<(&str, String)> = FILTERS
            .iter()
            .filter_map(|f| text(&q, f).map(|t| (*f, t)))
            .collect();
        pairs.push(("page", p.to_string()));
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let field = |name: &str, label: &str, kind: &str| -> Markup {
        let id = format!("a-{name}");
        html! {
            div.field {
                label for=(id) { (label) }
                input id=(id) name=(name) type=(kind) value=(q.get(name).map(String::as_str).unwrap_or(""));
            }
        }
    };
    let body = html! {
        h1 { (v.t("审计日志", "Audit log")) }
        @if let Some(c) = &checked {
            @match c {
                Ok(n) => {
                    p.alert.ok #audit-check role="status" data-intact="true" {
                        (v.t("审计日志完整：", "The audit log is intact: ")) (n) (v.t(" 条记录的哈希链校验通过。", " entries checked along the hash chain."))
                    }
                }
                Err((seq, reason)) => {
                    p.alert.error #audit-check role="alert" data-intact="false" {
                        (v.t("审计日志被改动：第 ", "The audit log was altered: from entry ")) (seq) (v.t(" 条起校验失败（", " on the check fails (")) (reason) "）"
                    }
                }
            }
        }
        form.filters #audit-filter method="get" action="/audit" {
            (field("entity", v.t("对象类型", "Record kind"), "text"))
            (field("entity_id", v.t("对象编号", "Record id"), "text"))
            (field("actor", v.t("操作人", "Actor"), "text"))
            (field("action", v.t("操作", "Action"), "text"))
            (field("from", v.t("起始日（UTC）", "From (UTC)"), "date"))
            (field("to", v.t("截止日（UTC）", "To (UTC)"), "date"))
            div.form-actions { button.primary type="submit" { (v.t("筛选", "Filter")) } a href="/audit" { (v.t("清除", "Clear")) } }
        }
        @if is_admin(v) {
            form.inline #audit-verify method="post" action="/audit/verify" {
                (v.csrf_field())
                button type="submit" { (v.t("校验哈希链", "Verify the hash chain")) }
            }
        }
        p.muted #audit-total data-total=(total) { (v.t("共 ", "")) (total) (v.t(" 条", " entries")) }
        div.table-wrap {
            table.data #audit-log {
                thead { tr {
                    th scope="col" { (v.t("序号", "Seq")) }
                    th scope="col" { (v.t("时间（UTC）", "Time (UTC)")) }
                    th scope="col" { (v.t("操作人", "Actor")) }
                    th scope="col" { (v.t("操作", "Action")) }
                    th scope="col" { (v.t("对象", "Record")) }
                    th scope="col" { (v.t("区划", "Region")) }
                    th scope="col" { (v.t("修改前 → 修改后", "Before → after")) }
                } }
                tbody {
                    @for e in &log.items {
                        tr data-seq=(e.seq) data-action=(e.action) {
                            td.num { (e.seq) }
                            td.small { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) }
                            td { (e.actor) }
                            td { (action_cell(&e.action)) }
                            td { (entity_cell(&e.entity)) @if let Some(id) = &e.entity_id { " " (id) } }
                            td { (e.region.as_deref().unwrap_or("—")) }
                            td.small.audit-change {
                                @if let Some(b) = &e.before { details { summary { (v.t("修改前", "Before")) } (fields(b)) } }
                                @if let Some(a) = &e.after { details { summary { (v.t("修改后", "After")) } (fields(a)) } }
                            }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label=(v.t("分页", "Pages")) {
                @if u64::from(page_no) > 1 { a href=(link(u64::from(page_no) - 1)) rel="prev" { (v.t("上一页", "Previous")) } }
                span { (page_no) " / " (pages) }
                @if u64::from(page_no) < pages { a href=(link(u64::from(page_no) + 1)) rel="next" { (v.t("下一页", "Next")) } }
            }
        }
    };
    let mut shell = Shell::new(v.t("审计日志", "Audit log"), "/audit");
    shell.crumbs = vec![(v.t("审计日志", "Audit log").to_string(), None)];
    Ok(render(v, shell, body))
}
