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

#[derive(Debug, Serialize)]
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
async fn healthz(State(app): State<AppState>) -> ApiResult<Json<Health>> {
    database_answers(&app).await?;
    Ok(Json(Health {
        status: "ok",
        backend: app.store.backend(),
    }))
}

#[derive(Debug, Serialize)]
struct Ready {
    status: &'static str,
    backend: &'static str,
    /// Latest migration applied to the database, which is the latest this build ships.
    migration: i64,
}

/// Public like `/healthz`. Not ready while the server drains on shutdown, when the database does
/// not answer, or when its schema is not this build's (a migration missing, or one from a newer
/// release: this build would misread the data).
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
