//! Rectification over HTTP: problems and their steps, campaigns, the rectification view of a
//! region, the data-quality rules and their runs (`api`); the board's rectification view, the
//! list of problems and a problem's page with its trail and the forms for its steps (`pages`).

mod api;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::page_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
