//! The audit log over HTTP (`api`).

mod api;

pub(crate) use api::routes;
