//! The audit log over HTTP (`api`) and its page for auditors (`pages`).

mod api;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::page_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
