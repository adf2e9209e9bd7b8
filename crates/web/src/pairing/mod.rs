//! Pairing and visits over HTTP: the API of helping units, designations, cadres, work teams,
//! pairings, visits, photos, micro-wishes and the pairing report (`api`), and the cadres' phone
//! pages with the micro-wish steps (`pages`), and the offices' pairing, cadre, unit and work-team
//! pages (`manage_pages`).

mod api;
mod manage_pages;
mod pages;

pub(crate) use api::routes;
pub(crate) use pages::routes as page_routes;
pub(crate) use pages::{own_cadre, wish_amount};

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
