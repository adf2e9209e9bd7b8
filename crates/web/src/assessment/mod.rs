//! Assessment over HTTP: standards, exit and monitoring procedures, risk events, warnings,
//! incidence and poverty measures (`api`).

mod api;

pub(crate) use api::routes;
