//! Regions over HTTP: the division tree within the caller's regions, name search, poor villages and
//! village profiles (`api`); the national division list to the county for every signed-in user
//! (`divisions`).

mod api;
mod divisions;

use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    divisions::routes(api::routes(r))
}

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(divisions::Doc::openapi());
    doc
}
