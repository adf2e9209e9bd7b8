//! Code tables (poverty causes, health, labour ability, relation …) as the store has them in force.

use crate::caller::Caller;
use crate::error::{clip, ApiError, ApiResult};
use crate::json::Json;
use crate::params::{NamePath, Path};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use fupin_core::codes::CodeTable;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/code-tables", list)
        .get("/api/v1/code-tables/{name}", one)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, one))]
pub(crate) struct Doc;

/// Code tables are reference data, the same for everyone and bound to no region: every signed-in
/// user reads them (a cadre's forms need them as much as an officer's).
///
/// All tables with their codes: a few hundred entries in all, small enough to send whole so a client
/// can fill every drop-down from one request.
#[utoipa::path(
    get,
    path = "/api/v1/code-tables",
    tag = "registry",
    operation_id = "listCodeTables",
    summary = "代码表 · Code tables",
    responses((status = 200, description = "全部代码表。 Every code table.", body = [CodeTable]))
)]
async fn list(caller: Caller, State(app): State<AppState>) -> ApiResult<Json<Vec<CodeTable>>> {
    caller.policy_signed_in()?;
    let book = app.store.code_book().await?;
    Ok(Json(book.tables().cloned().collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/code-tables/{name}",
    tag = "registry",
    operation_id = "getCodeTable",
    summary = "一张代码表 · A code table",
    responses((status = 200, description = "代码及其名称。 The codes and their names.", body = CodeTable))
)]
async fn one(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<NamePath>,
) -> ApiResult<Json<CodeTable>> {
    caller.policy_signed_in()?;
    let book = app.store.code_book().await?;
    book.table(&p.name).cloned().map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "code_table_not_found",
            format!("代码表 {} 不存在", clip(&p.name, 40)),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{body_json, get, test_db};

    #[tokio::test]
    async fn tables_and_one_table() {
        let db = test_db().await;
        let res = get(db.router(), "/api/v1/code-tables").await;
        assert_eq!(res.status(), 200);
        let all = body_json(res).await;
        assert!(all
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "poverty_cause"));
        let res = get(db.router(), "/api/v1/code-tables/poverty_cause").await;
        let t = body_json(res).await;
        assert_eq!(t["codes"][0]["label"], "因病");
        let res = get(db.router(), "/api/v1/code-tables/nothing").await;
        assert_eq!(res.status(), 404);
        assert_eq!(body_json(res).await["code"], "code_table_not_found");
    }
}
