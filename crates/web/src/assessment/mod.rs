//! Assessment over HTTP: standards, exit and monitoring procedures, risk events, warnings,
//! incidence and poverty measures (`api`); the offices' pages for cases, warnings, standards and
//! unmasking (`pages`).

mod api;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::{household_section, page_routes, unmask_form};

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
