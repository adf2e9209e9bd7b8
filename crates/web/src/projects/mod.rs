//! Projects, funds, assets and dividends over HTTP: the project library with its lifecycle and
//! progress, fund sources, allocations, receipts and disbursements (`api`); assets with their
//! income and dividends, cooperatives, notices and what reached a household (`assets_api`); the
//! pages of projects and their printable notices (`pages`).

mod api;
mod assets_api;
mod form_posts;
mod forms;
mod pages;

pub(crate) use pages::household_section;

/// The area's page routes: the pages, and the project page's forms.
pub(crate) fn page_routes(r: crate::routes::Routes) -> crate::routes::Routes {
    form_posts::page_routes(pages::page_routes(r))
}

/// The area's API routes.
pub(crate) fn routes(r: crate::routes::Routes) -> crate::routes::Routes {
    assets_api::routes(api::routes(r))
}

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut d = api::Doc::openapi();
    d.merge(assets_api::Doc::openapi());
    d
}
