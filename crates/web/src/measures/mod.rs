//! Assistance measures over HTTP: the catalogue of kinds, and the measures of a household and its
//! members with their history (`api`).

mod api;

pub(crate) use api::routes;
