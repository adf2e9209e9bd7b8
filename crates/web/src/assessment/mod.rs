//! Assessment over HTTP: standards, exit and monitoring procedures, risk events, warnings,
//! incidence and poverty measures (`api`).

mod api;

pub(crate) use api::routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
