//! Liveness and readiness for load balancers and orchestrators: `GET /healthz` answers whether the
//! service and its database answer, `GET /readyz` whether it should get traffic: the database
//! answers, its migrations are the ones this build ships, and the server is not shutting down.

use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/healthz", healthz).get("/readyz", readyz)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz))]
pub(crate) struct Doc;

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Health {
    status: &'static str,
    backend: &'static str,
}

fn unavailable(code: &'static str, message: &'static str) -> ApiError {
    // 503, not 500: a load balancer should take this instance out, not page for a bug
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
}

async fn database_answers(app: &AppState) -> ApiResult<()> {
    app.store.ping().await.map_err(|e| {
        // the store has logged the cause; the body says only that the database is unavailable
        tracing::error!(code = e.code, "database ping failed");
        unavailable("database_unavailable", "数据库暂时无法访问")
    })
}

/// Public: takes no `Caller`, so a load balancer's probe needs no credentials. It tells only that the
/// service and its database answer, and which backend is in use.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    operation_id = "healthz",
    summary = "存活检查 · Liveness",
    responses((status = 200, description = "服务与数据库可用，`backend` 为 sqlite 或 postgres。 The service and its database answer; `backend` is sqlite or postgres.", body = Health), (status = 503, description = "数据库不可用（code: database_unavailable）。 The database does not answer.", body = crate::openapi::ErrorDoc))
)]
async fn healthz(State(app): State<AppState>) -> ApiResult<Json<Health>> {
    database_answers(&app).await?;
    Ok(Json(Health {
        status: "ok",
        backend: app.store.backend(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Ready {
    status: &'static str,
    backend: &'static str,
    /// Latest migration applied to the database, which is the latest this build ships.
    migration: i64,
}

/// Public like `/healthz`. Not ready while the server drains on shutdown, when the database does
/// not answer, or when its schema is not this build's (a migration missing, or one from a newer
/// release: this build would misread the data).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "service",
    operation_id = "readyz",
    summary = "就绪检查 · Readiness",
    responses((status = 200, description = "可接收请求：数据库可用且迁移为本版本。 Ready: the database answers and its migrations are this build's.", body = Ready), (status = 503, description = "未就绪：正在停止、数据库不可用或迁移不符（code: shutting_down、database_unavailable、schema_mismatch 等）。 Not ready: shutting down, database down, or migrations not this build's.", body = crate::openapi::ErrorDoc))
)]
async fn readyz(State(app): State<AppState>) -> ApiResult<Json<Ready>> {
    if app.shutting_down() {
        return Err(unavailable("shutting_down", "服务正在停止"));
    }
    database_answers(&app).await?;
    let schema = app.store.schema_status().await.map_err(|e| {
        tracing::error!(code = e.code, "reading the applied migrations failed");
        unavailable("database_unavailable", "数据库暂时无法访问")
    })?;
    if !schema.current() {
        tracing::error!(
            applied = schema.applied,
            expected = schema.expected,
            pending = schema.pending,
            unknown = schema.unknown,
            "database schema is not this build's"
        );
        return Err(unavailable(
            "schema_mismatch",
            "数据库结构与本版本不一致（迁移未完成，或数据库来自更新的版本）",
        ));
    }
    Ok(Json(Ready {
        status: "ready",
        backend: app.store.backend(),
        migration: schema.applied,
    }))
}
