//! Projects, funds, assets and dividends over HTTP: the project library with its lifecycle and
//! progress, fund sources, allocations, receipts and disbursements (`api`).

mod api;

pub(crate) use api::routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Doc::openapi()
}
