//! Assistance measures over HTTP: the catalogue of kinds, and the measures of a household and its
//! members with their history and the services report (`api`); workshops, posts and service
//! events (`services_api`); the household page's section of measures (`pages`), the form of a
//! household's measure (`form_pages`) and the pages of workshops, posts and events
//! (`services_pages`) with the forms that register them (`service_forms`).

mod api;
mod form_pages;
mod pages;
mod service_forms;
mod services_api;
mod services_pages;

/// The area's API routes: measures and the services report; workplaces and events.
pub(crate) fn routes(r: crate::routes::Routes) -> crate::routes::Routes {
    services_api::routes(api::routes(r))
}
pub(crate) use pages::household_section;
/// The area's pages: a household's measure form; workplaces and events.
pub(crate) fn page_routes(r: crate::routes::Routes) -> crate::routes::Routes {
    service_forms::routes(form_pages::routes(services_pages::routes(r)))
}

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(services_api::Doc::openapi());
    doc
}
