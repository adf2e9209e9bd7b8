//! Server-rendered pages for people: the progress board (挂图作战), the registry lists and forms, the
//! cadres' phone pages (`/m/…`) and the import page. Chinese first with an English switch, readable
//! and usable without JavaScript (charts excepted), and nothing fetched from outside the binary.
//!
//! Pages are handlers like the API's: each takes a [`Viewer`] (the signed-in [`Caller`] plus the
//! page language), states its policy with `caller.ctx(Policy::…)?` and calls the same `Store`
//! methods, so a page can show nothing the API would not. A request without a session is sent to
//! `/login` instead of answering 401. HTML is built with `maud` (compile-time templates that escape
//! every interpolation); rejected: string formatting as in the sign-in page, which escapes only
//! where someone remembered to, and runtime template files, which fail only when rendered.
//!
//! The routes are listed in [`PAGE_ROUTES`] and registered through the same recording builder as the
//! API (`routes::Routes`), with a test holding the two equal. They are kept out of the API's
//! `ROUTES` table on purpose: that table's tests expect JSON answers and 401s, and pages answer HTML
//! and redirects.

mod assets;
mod board;
mod fmt;
mod forms;
mod geo;
mod households;
mod i18n;
mod import;
mod layout;
mod mobile;
pub(crate) mod multipart;

pub use assets::names as asset_names;

pub(crate) use i18n::Lang;
pub(crate) use layout::{PageError, PageResult, Viewer};

use crate::routes::Routes;
use crate::AppState;
use axum::Router;

/// Every page route: (method, path template).
pub const PAGE_ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/board"),
    ("GET", "/geo/{code}"),
    ("GET", "/households"),
    ("POST", "/households/search"),
    ("GET", "/households/new"),
    ("POST", "/households/new"),
    ("GET", "/households/{id}"),
    ("GET", "/households/{id}/edit"),
    ("POST", "/households/{id}/edit"),
    ("POST", "/wishes/{id}/claim"),
    ("POST", "/wishes/{id}/fulfil"),
    ("GET", "/m"),
    ("GET", "/m/visits"),
    ("GET", "/m/households/{id}/visit"),
    ("POST", "/m/households/{id}/visit"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/import/templates/{kind}"),
    ("GET", "/export"),
    ("POST", "/export"),
    ("GET", "/jobs"),
    ("GET", "/jobs/{id}"),
    ("GET", "/jobs/{id}/file"),
    ("GET", "/assets/{name}"),
];

fn routes() -> Routes {
    let r = Routes::new();
    let r = board::routes(r);
    let r = households::routes(r);
    let r = mobile::routes(r);
    let r = import::routes(r);
    assets::routes(r)
}

/// The pages router, merged into the API router by `crate::router` (so the authentication, tracing
/// and body-limit layers wrap the pages too).
pub(crate) fn router() -> Router<AppState> {
    let (router, _) = routes().into_parts();
    router
        .layer(axum::middleware::from_fn(i18n::remember_lang))
        .layer(axum::middleware::from_fn(layout::page_headers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn page_table_matches_registrations() {
        let (_, registered) = routes().into_parts();
        let listed: BTreeSet<_> = PAGE_ROUTES.iter().copied().collect();
        assert_eq!(
            listed.len(),
            PAGE_ROUTES.len(),
            "PAGE_ROUTES lists a route twice"
        );
        let got: BTreeSet<_> = registered.iter().copied().collect();
        assert_eq!(listed, got);
    }

    #[test]
    fn pages_do_not_collide_with_the_api() {
        for (m, p) in PAGE_ROUTES {
            assert!(
                !crate::ROUTES.contains(&(m, p)),
                "{m} {p} is an API route too"
            );
            assert!(!p.starts_with("/api/"), "{p}");
        }
    }
}
