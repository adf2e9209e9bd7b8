//! Reports over HTTP: region statistics (`api`) and the progress board (挂图作战, `pages`) with its
//! map boundaries (`geo`); the work summary's pages and its snapshots (`summary_pages`).

mod api;
mod geo;
mod pages;
mod summary_pages;

pub(crate) use api::routes;

/// The area's pages: the progress board and the work summary's.
pub(crate) fn page_routes(r: crate::routes::Routes) -> crate::routes::Routes {
    summary_pages::routes(pages::routes(r))
}

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
