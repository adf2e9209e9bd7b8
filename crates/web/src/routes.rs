//! The route table: [`ROUTES`] lists every (method, path template) the API serves, and [`Routes`]
//! is the only way handlers are registered, recording each registration so a test can hold the two
//! equal.
//!
//! Convention: a module adds its endpoints with `Routes::get/post/put/delete` (never with
//! `Router::route` directly) and the same line goes into `ROUTES`. `tests::table_matches_registrations`
//! fails when a route is registered but not listed, or listed but not registered; `every_listed_route_
//! reaches_a_handler` fails when a listed route is shadowed or answers the router's 404/405; and
//! `other_methods_are_not_allowed` fails when a listed path answers a method that is not listed.
//! Access-control tests iterate over `ROUTES` to check every endpoint's policy.

use crate::AppState;
use axum::handler::Handler;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;

/// Every route of the API: (method, path template as registered with axum).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/api/v1/regions"),
    ("GET", "/api/v1/regions/search"),
    ("GET", "/api/v1/regions/{code}"),
    ("GET", "/api/v1/regions/{code}/children"),
    ("PUT", "/api/v1/regions/{code}/poor-village"),
    ("DELETE", "/api/v1/regions/{code}/poor-village"),
    ("GET", "/api/v1/regions/{code}/profiles"),
    ("PUT", "/api/v1/regions/{code}/profiles/{year}"),
    ("GET", "/api/v1/regions/{code}/stats"),
    ("GET", "/api/v1/code-tables"),
    ("GET", "/api/v1/code-tables/{name}"),
    ("GET", "/api/v1/households"),
    ("POST", "/api/v1/households"),
    ("GET", "/api/v1/households/by-number/{number}"),
    ("GET", "/api/v1/households/{id}"),
    ("PUT", "/api/v1/households/{id}"),
    ("POST", "/api/v1/households/{id}/status"),
    ("POST", "/api/v1/households/{id}/members"),
    ("PUT", "/api/v1/households/{id}/incomes/{year}"),
    ("PUT", "/api/v1/members/{id}"),
    ("POST", "/api/v1/members/{id}/changes"),
];

/// A router under construction that remembers what was registered.
pub(crate) struct Routes {
    router: Router<AppState>,
    registered: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub(crate) fn new() -> Self {
        Self {
            router: Router::new(),
            registered: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        // axum merges method routers registered on the same path, and panics on a duplicate method.
        self.router = self.router.route(path, route);
        self.registered.push((method, path));
        self
    }

    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("GET", path, get(h))
    }
    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.add("POST", path, post(h))
    }
    pub(crate) fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("PUT", path, put(h))
    }
    pub(crate) fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.add("DELETE", path, delete(h))
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<(&'static str, &'static str)>) {
        (self.router, self.registered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{body_json, send, stub_state};
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use std::collections::BTreeSet;

    #[test]
    fn table_matches_registrations() {
        let (_, registered) = crate::routes().into_parts();
        let listed: BTreeSet<_> = ROUTES.iter().copied().collect();
        assert_eq!(listed.len(), ROUTES.len(), "ROUTES lists a route twice");
        let got: BTreeSet<_> = registered.iter().copied().collect();
        let unlisted: Vec<_> = got.difference(&listed).collect();
        let unregistered: Vec<_> = listed.difference(&got).collect();
        assert!(
            unlisted.is_empty(),
            "registered but missing from ROUTES: {unlisted:?}"
        );
        assert!(
            unregistered.is_empty(),
            "in ROUTES but not registered: {unregistered:?}"
        );
    }

    /// A concrete URI for a template, with valid-looking parameters.
    fn concrete(template: &str) -> String {
        template
            .replace("{code}", "360124106204")
            .replace("{id}", "1")
            .replace("{year}", "2018")
            .replace("{name}", "health")
            .replace("{number}", "3601241062040001")
    }

    fn request(method: &str, uri: &str) -> Request<Body> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap()
    }

    #[tokio::test]
    async fn every_listed_route_reaches_a_handler() {
        // The stub store answers every call with 409 `stub`, so a 404 or 405 can only come from the
        // router itself (a listed route that is not served, or is served under another method).
        for (method, template) in ROUTES {
            let uri = concrete(template);
            let res = send(crate::router(stub_state()), request(method, &uri)).await;
            let status = res.status();
            let body = body_json(res).await;
            assert!(
                status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} → {status} {body}"
            );
        }
    }

    #[tokio::test]
    async fn other_methods_are_not_allowed() {
        let paths: BTreeSet<_> = ROUTES.iter().map(|(_, p)| *p).collect();
        for path in paths {
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                if ROUTES.contains(&(method, path)) {
                    continue;
                }
                let uri = concrete(path);
                let res = send(crate::router(stub_state()), request(method, &uri)).await;
                assert_eq!(
                    res.status(),
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {uri}"
                );
                assert_eq!(body_json(res).await["code"], "method_not_allowed");
            }
        }
    }
}
