//! What every page shares, in one place: the frame of a page and its error page (`layout`), form
//! fields with inline errors (`forms`), number, money and time formatting (`fmt`), the page language
//! (`i18n`) and the static assets (`assets`). The pages themselves live with their area
//! (`registry::pages`, `pairing::pages`, `reports::pages`, `jobs::pages`); this module knows none
//! of them.
//!
//! Pages are handlers like the API's: each takes a [`Viewer`] (the signed-in [`Caller`](crate::Caller)
//! plus the page language), states its policy with `caller.ctx(Policy::…)?` and calls the same
//! `Store` methods, so a page can show nothing the API would not. A request without a session is
//! sent to `/login` instead of answering 401. HTML is built with `maud` (compile-time templates that
//! escape every interpolation); rejected: string formatting as in the sign-in page, which escapes
//! only where someone remembered to, and runtime template files, which fail only when rendered.
//! Chinese first with an English switch, readable and usable without JavaScript (charts excepted),
//! and nothing fetched from outside the binary.

pub(crate) mod assets;
pub(crate) mod fmt;
pub(crate) mod forms;
pub(crate) mod i18n;
pub(crate) mod layout;

pub(crate) use i18n::Lang;
pub(crate) use layout::{PageError, PageResult, Viewer};

use crate::AppState;
use axum::Router;

/// The layers every page gets on top of the API's (authentication, tracing, body limit): the
/// language remembered from `?lang=` and the response headers of HTML pages.
pub(crate) fn layers(pages: Router<AppState>) -> Router<AppState> {
    pages
        .layer(axum::middleware::from_fn(i18n::remember_lang))
        .layer(axum::middleware::from_fn(layout::page_headers))
}
