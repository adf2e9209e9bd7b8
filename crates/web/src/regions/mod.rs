//! Regions over HTTP: the division tree, name search, poor villages and village profiles (`api`).

mod api;

pub(crate) use api::routes;
