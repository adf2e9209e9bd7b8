//! Assistance measures over HTTP: the catalogue of kinds, and the measures of a household and its
//! members with their history and the services report (`api`); workshops, posts and service
//! events (`services_api`); the household page's section of measures (`pages`) and the pages of
//! workshops, posts and events (`services_pages`).

mod api;
mod pages;
mod services_api;
mod services_pages;

/// The area's API routes: measures and the services report; workplaces and events.
pub(crate) fn routes(r: crate::routes::Routes) -> crate::routes::Routes {
    services_api::routes(api::routes(r))
}
pub(crate) use pages::household_section;
pub(crate) use services_pages::routes as page_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(services_api::Doc::openapi());
    doc
}
