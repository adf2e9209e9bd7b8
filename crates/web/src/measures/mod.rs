//! Assistance measures over HTTP: the catalogue of kinds, and the measures of a household and its
//! members with their history and the services report (`api`); the household page's section of
//! measures (`pages`).

mod api;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::household_section;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
