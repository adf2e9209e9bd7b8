//! Rectification over HTTP: problems and their steps, campaigns, the rectification view of a
//! region, the data-quality rules and their runs (`api`).

mod api;

pub(crate) use api::routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
