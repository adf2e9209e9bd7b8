//! Imports and exports over HTTP: the background jobs and their API (`api`), and the import, export
//! and job pages (`pages`).

mod api;
mod files;
mod pages;

pub(crate) use api::{
    accepted, content_disposition, import_job, routes, JobView, Jobs, UPLOAD_LIMIT,
};
pub use files::JobsConfig;
pub(crate) use pages::routes as page_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
