//! The route table: [`Routes`] is the only way handlers are registered, and records each
//! registration; [`api_routes`] is that record for the API.
//!
//! Convention: a module adds its endpoints with `Routes::get/post/put/delete` (never with
//! `Router::route` directly) and describes each in the OpenAPI description: a `#[utoipa::path(…)]`
//! attribute on the handler and its name in the area's `Doc` (see the `openapi` module, whose test
//! `every_registered_route_is_described` fails when a registered route is not described, or a
//! described one not registered). `every_listed_route_reaches_a_handler` fails when a route is
//! shadowed or answers the router's 404/405, and `other_methods_are_not_allowed` when a path answers
//! a method it does not register. Access-control tests take their route list from the served
//! description (`/api/v1/openapi.json`): a new route also needs an entry in the table of
//! `crates/fupin/tests/access.rs` (which fails until it has one), and
//! `only_public_routes_answer_without_credentials` checks that nothing outside [`PUBLIC_ROUTES`]
//! answers a caller who has not signed in.
//!
//! The pages' routes are listed in [`PAGE_ROUTES`] and registered through the same builder, with a
//! test holding the two equal. They are kept out of the API's table on purpose: its tests expect
//! JSON answers and 401s, and pages answer HTML and redirects.

use crate::AppState;
use axum::handler::Handler;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use std::sync::OnceLock;

/// Every route of the API as registered: (method, path template as given to axum), in the order of
/// registration. The OpenAPI description (the `openapi` module) lists exactly these routes.
pub fn api_routes() -> &'static [(&'static str, &'static str)] {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| crate::routes().into_parts().1)
}

/// The routes that answer without signing in: the liveness and readiness probes, the API's
/// description, and signing in and out. Every other route of [`api_routes`] answers 401 without valid credentials (`tests::
/// only_public_routes_answer_without_credentials` holds the two lists to that; `/metrics` also
/// answers clients from the addresses it is configured to allow).
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/login"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
];

/// Every page route: (method, path template).
pub const PAGE_ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/board"),
    ("GET", "/geo/{code}"),
    ("GET", "/summary"),
    ("POST", "/summary/snapshots"),
    ("GET", "/snapshots"),
    ("GET", "/snapshots/{id}"),
    ("GET", "/households"),
    ("POST", "/households/search"),
    ("GET", "/households/new"),
    ("POST", "/households/new"),
    ("GET", "/households/{id}"),
    ("GET", "/households/{id}/edit"),
    ("POST", "/households/{id}/edit"),
    ("GET", "/households/{id}/members/new"),
    ("POST", "/households/{id}/members/new"),
    ("GET", "/households/{id}/members/leave"),
    ("POST", "/households/{id}/members/leave"),
    ("GET", "/households/{id}/members/{person}/edit"),
    ("POST", "/households/{id}/members/{person}/edit"),
    ("GET", "/households/{id}/incomes"),
    ("POST", "/households/{id}/incomes"),
    ("GET", "/households/{id}/status"),
    ("POST", "/households/{id}/status"),
    ("GET", "/households/{id}/measure"),
    ("POST", "/households/{id}/measure"),
    ("POST", "/wishes/{id}/claim"),
    ("POST", "/wishes/{id}/fulfil"),
    ("GET", "/pairing"),
    ("GET", "/households/{id}/pairing"),
    ("POST", "/households/{id}/pairing"),
    ("GET", "/cadres/{id}"),
    ("GET", "/units"),
    ("GET", "/units/{id}"),
    ("GET", "/workplaces"),
    ("GET", "/workplaces/{id}"),
    ("GET", "/workplaces/new"),
    ("POST", "/workplaces/new"),
    ("GET", "/workplaces/{id}/hire"),
    ("POST", "/workplaces/{id}/hire"),
    ("GET", "/events"),
    ("GET", "/events/{id}"),
    ("GET", "/events/new"),
    ("POST", "/events/new"),
    ("GET", "/m"),
    ("GET", "/m/visits"),
    ("GET", "/m/households/{id}/visit"),
    ("POST", "/m/households/{id}/visit"),
    ("GET", "/m/households/{id}/wish"),
    ("POST", "/m/households/{id}/wish"),
    ("GET", "/rectification"),
    ("GET", "/problems"),
    ("GET", "/problems/{id}"),
    ("POST", "/problems/{id}/steps"),
    ("GET", "/projects"),
    ("GET", "/projects/{id}"),
    ("POST", "/projects/{id}/actions"),
    ("POST", "/projects/{id}/fund-sources"),
    ("POST", "/projects/{id}/allocations"),
    ("POST", "/projects/{id}/receipts"),
    ("POST", "/projects/{id}/disbursements"),
    ("POST", "/projects/{id}/assets"),
    ("POST", "/projects/{id}/asset-incomes"),
    ("GET", "/projects/{id}/notice"),
    ("GET", "/dividend-notices/{id}"),
    ("POST", "/notices"),
    ("GET", "/cases"),
    ("GET", "/cases/{id}"),
    ("POST", "/cases/{id}/actions"),
    ("POST", "/households/{id}/cases"),
    ("GET", "/warnings"),
    ("POST", "/warnings/screening"),
    ("GET", "/parameters"),
    ("POST", "/households/{id}/unmask"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/import/templates/{kind}"),
    ("GET", "/export"),
    ("POST", "/export"),
    ("GET", "/jobs"),
    ("GET", "/jobs/{id}"),
    ("GET", "/jobs/{id}/file"),
    ("GET", "/audit"),
    ("POST", "/audit/verify"),
    ("GET", "/docs/api"),
    ("GET", "/assets/{name}"),
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
    /// A POST route whose body may be up to `limit` bytes (uploads), instead of the API's limit.
    pub(crate) fn post_with_limit<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        h: H,
        limit: usize,
    ) -> Self {
        self.add(
            "POST",
            path,
            post(h).layer(axum::extract::DefaultBodyLimit::max(limit)),
        )
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
    use crate::test_support::{body_json, send, send_anon, test_db};
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use std::collections::BTreeSet;

    #[test]
    fn page_table_matches_registrations() {
        let (_, registered) = crate::page_routes().into_parts();
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
                !api_routes().contains(&(m, p)),
                "{m} {p} is an API route too"
            );
            assert!(!p.starts_with("/api/"), "{p}");
        }
    }

    /// A concrete URI for a template, with valid-looking parameters. Ids name nothing, so that no
    /// request changes the test database (a `DELETE /api/v1/tokens/1` would revoke the caller's token).
    fn concrete(template: &str) -> String {
        template
            .replace("{code}", "360124106204")
            .replace("{id}", "999999")
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
        // The router's own 404 (`not_found`, "请求的地址不存在") or a 405 means a listed route that
        // is not served, or is served under another method; what handlers and the store answer for
        // things that do not exist says which thing (`household_not_found`, "区划不存在…").
        let db = test_db().await;
        for (method, template) in api_routes() {
            let uri = concrete(template);
            let res = send(db.router(), request(method, &uri)).await;
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            assert!(
                !(status == StatusCode::NOT_FOUND && body["message"] == "请求的地址不存在")
                    && status != StatusCode::METHOD_NOT_ALLOWED
                    && status != StatusCode::UNAUTHORIZED,
                "{method} {uri} → {status} {body}"
            );
        }
    }

    #[tokio::test]
    async fn only_public_routes_answer_without_credentials() {
        for p in PUBLIC_ROUTES {
            assert!(
                api_routes().contains(p),
                "public route not registered: {p:?}"
            );
        }
        let bad_token = || {
            let mut r = request("GET", "/");
            r.headers_mut().insert(
                header::AUTHORIZATION,
                "Bearer fupin_not-a-token".parse().unwrap(),
            );
            r.headers().clone()
        };
        let db = test_db().await;
        for (method, template) in api_routes() {
            let uri = concrete(template);
            for creds in [None, Some(bad_token())] {
                let mut req = request(method, &uri);
                if let Some(h) = &creds {
                    req.headers_mut().extend(h.clone());
                }
                let res = send_anon(db.router(), req).await;
                let status = res.status();
                if PUBLIC_ROUTES.contains(&(*method, *template)) {
                    assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {uri}");
                    continue;
                }
                let body = body_json(res).await;
                assert_eq!(
                    (status, body["code"].as_str()),
                    (StatusCode::UNAUTHORIZED, Some("unauthenticated")),
                    "{method} {uri} {body}"
                );
                assert_eq!(body["message"], "请先登录");
            }
        }
    }

    #[tokio::test]
    async fn other_methods_are_not_allowed() {
        let paths: BTreeSet<_> = api_routes().iter().map(|(_, p)| *p).collect();
        let db = test_db().await;
        for path in paths {
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                if api_routes().contains(&(method, path)) {
                    continue;
                }
                let uri = concrete(path);
                let res = send(db.router(), request(method, &uri)).await;
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
