//! Liveness and readiness: `GET /healthz` answers whether the database answers, and which backend.

use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/healthz", healthz)
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    backend: &'static str,
}

/// Public: takes no `Caller`, so a load balancer's probe needs no credentials. It tells only that the
/// service and its database answer, and which backend is in use.
async fn healthz(State(app): State<AppState>) -> ApiResult<Json<Health>> {
    if let Err(e) = app.store.ping().await {
        // 503, not 500: a load balancer should take this instance out, not page for a bug. The
        // store has logged the cause; the body says only that the database is unavailable.
        tracing::error!(code = e.code, "database ping failed");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "数据库暂时无法访问",
        ));
    }
    Ok(Json(Health {
        status: "ok",
        backend: app.store.backend(),
    }))
}
