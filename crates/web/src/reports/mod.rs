//! Reports over HTTP: region statistics (`api`) and the progress board (挂图作战, `pages`) with its
//! map boundaries (`geo`).

mod api;
mod geo;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::routes as page_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
