//! Accounts over HTTP: one's own account, API tokens and the administration of users (`api`), and
//! signing in and out with its sign-in page (`login`).

mod api;
mod login;

pub(crate) use api::routes;
pub use api::UserView;
pub(crate) use login::routes as login_routes;

/// The OpenAPI description of the area's routes.
pub(crate) fn doc() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Doc::openapi();
    doc.merge(login::Doc::openapi());
    doc
}
