//! The registry (建档立卡) over HTTP: the API of households, members, status and member changes and
//! yearly incomes (`api`) and of the code tables the registry's fields are coded with (`codes`),
//! and the pages of the household list, the household page and its forms (`pages`), and the
//! household's member, income and status forms (`member_pages`).

mod api;
mod codes;
mod member_pages;
mod pages;

pub(crate) use api::{unmask_reason, unmasked};
pub(crate) use pages::routes as page_routes;

use crate::routes::Routes;

/// The registry's API routes.
pub(crate) fn routes(r: Routes) -> Routes {
    codes::routes(api::routes(r))
}

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(codes::Doc::openapi());
    doc
}
