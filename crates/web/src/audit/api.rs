//! The audit log, read by auditors and administrators (policy `ReadAudit`), newest first, limited by
//! the store to the entries of the caller's regions.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::Params;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use fupin_core::accounts::Policy;
use fupin_core::audit::AuditEntry;
use fupin_core::registry::Page;
use fupin_core::store::AuditFilter;
use time::macros::format_description;
use time::Date;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/audit", list)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub(crate) struct Doc;

/// `?actor=&action=&entity=&entity_id=&from=&to=&page=&per_page=&after=` → `{items, total, next}`;
/// `from` and `to` are UTC dates (`YYYY-MM-DD`), both inclusive; `after` (the previous page's
/// `next`) pages by sequence number, newest first, without a count.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    operation_id = "auditLog",
    summary = "审计日志 · Audit log",
    params(("actor" = Option<String>, Query, description = "操作人。 Who acted."), ("action" = Option<String>, Query, description = "操作。 The action."), ("entity" = Option<String>, Query, description = "对象类型。 The kind of record."), ("entity_id" = Option<String>, Query, description = "对象编号。 The record's id."), ("from" = Option<String>, Query, description = "起始日（UTC，YYYY-MM-DD，含）。 First day (UTC, inclusive)."), ("to" = Option<String>, Query, description = "截止日（UTC，YYYY-MM-DD，含）。 Last day (UTC, inclusive)."), ("page" = Option<u32>, Query, description = "页码，从 1 开始（最多翻过 10000 条）。 Page number, from 1 (up to 10,000 entries skipped)."), ("per_page" = Option<u32>, Query, description = "每页条数。 Items per page."), ("after" = Option<i64>, Query, description = "上一页的 next：其后（更早）的一页，不计总数。 The previous page's `next`: the older page after it, without a total.")),
    responses((status = 200, description = "`{items, total, next}`，每条带哈希链；按游标翻页时不给 total。 `{items, total, next}`, each entry chained by hash; no `total` on a page after a cursor.", body = Page<AuditEntry>))
)]
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let ctx = caller.ctx(Policy::ReadAudit)?;
    params.only(&[
        "actor",
        "action",
        "entity",
        "entity_id",
        "from",
        "to",
        "page",
        "per_page",
        "after",
    ])?;
    let filter = AuditFilter {
        actor: params.text("actor", 64)?,
        action: params.text("action", 64)?,
        entity: params.text("entity", 64)?,
        entity_id: params.text("entity_id", 64)?,
        from: date(&params, "from")?,
        to: date(&params, "to")?,
        page: params.int("page")?,
        per_page: params.int("per_page")?,
        after: params.int("after")?,
    };
    let page = app
        .store
        .audit_log(&ctx, filter)
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(page))
}

fn date(params: &Params, name: &str) -> ApiResult<Option<Date>> {
    params
        .text(name, 10)?
        .map(|s| {
            Date::parse(&s, format_description!("[year]-[month]-[day]")).map_err(|_| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("查询参数 {name} 须为日期（YYYY-MM-DD）"),
                )
                .with_field(name)
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use crate::test_support::{body_json, get, test_db};

    #[tokio::test]
    async fn filters_are_checked() {
        let db = test_db().await;
        for (q, code, field) in [
            ("?from=2026-13-01", "invalid_parameter", "from"),
            ("?to=yesterday", "invalid_parameter", "to"),
            ("?page=x", "invalid_parameter", "page"),
            ("?who=me", "unknown_parameter", "who"),
        ] {
            let res = get(db.router(), &format!("/api/v1/audit{q}")).await;
            assert_eq!(res.status(), 400, "{q}");
            let v = body_json(res).await;
            assert_eq!(
                (v["code"].as_str(), v["field"].as_str()),
                (Some(code), Some(field))
            );
        }
        // well-formed filters reach the store and apply there: the set-up's grant is in the log,
        // and no unmask record is
        let res = get(db.router(), "/api/v1/audit").await;
        assert_eq!(res.status(), 200);
        let v = body_json(res).await;
        let items = v["items"].as_array().expect("items");
        assert!(
            items.iter().any(|e| e["entity"] == "user"),
            "the set-up's account records: {v}"
        );
        let res = get(db.router(), "/api/v1/audit?from=2026-01-01&action=unmask").await;
        assert_eq!(res.status(), 200);
        let v = body_json(res).await;
        assert_eq!(v["total"], 0, "{v}");
    }
}
