//! fupin-web: the HTTP API and the pages of fupin, an axum router over one `Arc<dyn Store>`.
//!
//! One folder per domain area (`regions`, `registry`, `pairing`, `measures`, `rectification`, `assessment`, `reports`, `accounts`,
//! `audit`, `jobs`) holds its API handlers (`api.rs`) and its pages (`pages.rs`)
//! together; handlers extract, state their policy, call the store and render. What every area
//! shares sits beside them: who is calling is settled once per request by the `auth` middleware
//! (API token or session cookie, with CSRF checks) and handed to handlers as a [`Caller`];
//! everything a client can get wrong answers in one error format (`error`), whether it is caught by
//! an extractor (`json`, `form`, `params`, `multipart`) or by the domain; the pages' frame, forms,
//! formatting, language and assets are in `ui`. Routes are registered in [`api_routes`] and
//! [`PAGE_ROUTES`] (see `routes` for the convention) and composed below, one line per area; the
//! API's OpenAPI description is built from the handlers' attributes (`openapi`).

// The areas.
mod accounts;
mod assessment;
mod audit;
mod jobs;
mod measures;
mod pairing;
mod projects;
mod rectification;
mod regions;
mod registry;
mod reports;

// What the areas share.
mod auth;
mod caller;
mod error;
mod form;
mod health;
mod json;
mod metrics;
mod multipart;
mod openapi;
mod params;
mod refusals;
mod routes;
mod throttle;
mod trace;
mod ui;

#[cfg(test)]
mod test_support;

pub use accounts::UserView;
pub use auth::{
    digest, AuthConfig, Authenticated, Credential, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE,
};
pub use caller::{unauthenticated, Caller, ClientAddr};
pub use error::{ApiError, ApiResult};
pub use jobs::JobsConfig;
pub use json::{Json, BODY_LIMIT};
pub use metrics::MetricsAllow;
pub use openapi::described_routes;
pub use routes::{api_routes, PAGE_ROUTES, PUBLIC_ROUTES};
pub use throttle::ThrottleConfig;
pub use trace::REQUEST_ID;
pub use ui::assets::names as asset_names;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use fupin_core::store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What every handler shares: the store (SQLite or PostgreSQL, chosen at start-up), the
/// authentication settings and the login throttle of this process.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub auth: Arc<AuthConfig>,
    throttle: Arc<throttle::Throttle>,
    /// The rate limit of `access.refused` audit records.
    refusals: Arc<refusals::Refusals>,
    /// Import and export jobs of this process.
    pub(crate) jobs: Arc<jobs::Jobs>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    /// Who may read `/metrics` without signing in.
    pub(crate) metrics_allow: Arc<MetricsAllow>,
    /// Set when shutdown begins: `/readyz` answers 503 and no job starts.
    shutting_down: Arc<AtomicBool>,
}

impl AppState {
    /// The state with the default session lifetimes and login limits.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_auth(store, AuthConfig::default())
    }

    /// Keep job files under `config.dir` (created 0700, leftovers of dead processes removed now)
    /// within its size bounds.
    pub fn with_jobs(mut self, config: JobsConfig) -> std::io::Result<Self> {
        self.jobs = Arc::new(jobs::Jobs::open(config)?);
        Ok(self)
    }

    pub fn with_auth(store: Arc<dyn Store>, auth: AuthConfig) -> Self {
        Self {
            store,
            throttle: Arc::new(throttle::Throttle::new(auth.throttle.clone())),
            refusals: Arc::default(),
            jobs: Arc::default(),
            metrics: Arc::default(),
            metrics_allow: Arc::default(),
            shutting_down: Arc::default(),
            auth: Arc::new(auth),
        }
    }

    /// Let clients from these addresses read `/metrics` without signing in.
    pub fn with_metrics_allow(mut self, allow: MetricsAllow) -> Self {
        self.metrics_allow = Arc::new(allow);
        self
    }

    pub(crate) fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Shutdown begins: not ready any more, no new jobs, running jobs cancelled (their
    /// transactions roll back); returns how many were cancelled.
    fn begin_shutdown(&self) -> usize {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.jobs.cancel_all("shutdown")
    }
}

/// How long [`serve`] waits for requests in flight after shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Every route, registered through the recording builder.
pub(crate) fn routes() -> routes::Routes {
    let r = routes::Routes::new();
    let r = health::routes(r);
    let r = metrics::routes(r);
    let r = openapi::routes(r);
    let r = regions::routes(r);
    let r = reports::routes(r);
    let r = registry::routes(r);
    let r = accounts::login_routes(r);
    let r = accounts::routes(r);
    let r = audit::routes(r);
    let r = pairing::routes(r);
    let r = measures::routes(r);
    let r = projects::routes(r);
    let r = rectification::routes(r);
    let r = jobs::routes(r);
    assessment::routes(r)
}

/// The API's OpenAPI 3.1 description: every area's routes, assembled by `openapi` (which adds what
/// every operation shares). A new area adds its `doc()` here.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    openapi::assemble([
        health::Doc::openapi(),
        metrics::Doc::openapi(),
        accounts::doc(),
        regions::doc(),
        registry::doc(),
        pairing::doc(),
        measures::doc(),
        projects::doc(),
        rectification::doc(),
        assessment::doc(),
        reports::doc(),
        audit::doc(),
        jobs::doc(),
    ])
}

/// Every page route, registered through the same recording builder (listed in [`PAGE_ROUTES`]).
pub(crate) fn page_routes() -> routes::Routes {
    let r = routes::Routes::new();
    let r = reports::page_routes(r);
    let r = registry::page_routes(r);
    let r = pairing::page_routes(r);
    let r = measures::page_routes(r);
    let r = rectification::page_routes(r);
    let r = assessment::page_routes(r);
    let r = projects::page_routes(r);
    let r = jobs::page_routes(r);
    let r = audit::page_routes(r);
    let r = openapi::page_routes(r);
    ui::assets::routes(r)
}

/// The whole API: routes, JSON 404/405, body limit, authentication, request ids and logging.
///
/// Serve it with connection info (as [`serve`] does) so that the audit log and the login throttle
/// know the client's address; without it they record none.
pub fn router(state: AppState) -> Router {
    let (router, _) = routes().into_parts();
    let (pages, _) = page_routes().into_parts();
    let router = router.merge(ui::layers(pages));
    // The 405 fallback is set after the routes because axum applies it to the routes present; the
    // layers come last so they wrap the fallbacks too (a 404 also gets a request id and a log line).
    // Authentication is inside the tracing layer, so the request's span can record the user; the
    // audit of refused calls inside authentication, so it knows who was refused.
    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refusals::audit_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(no_store));
    trace::layer(router).with_state(state)
}

/// Middleware: a response that does not say how it may be cached (the assets do) is
/// `Cache-Control: no-store`. API answers and pages carry personal data, and so may their errors
/// and redirects; nothing of them may stay in a browser's or a proxy's cache.
async fn no_store(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .entry(axum::http::header::CACHE_CONTROL)
        .or_insert(axum::http::HeaderValue::from_static("no-store"));
    res
}

/// Serve the API on `listener` until `shutdown` completes, then shut down gracefully with
/// [`SHUTDOWN_GRACE`] (see [`serve_with_grace`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_grace(listener, state, shutdown, SHUTDOWN_GRACE).await
}

/// Serve the API on `listener` until `shutdown` completes. Then: stop accepting connections, answer
/// `/readyz` with 503, cancel the running import and export jobs (each ends as cancelled, its
/// transaction rolled back), let the requests in flight finish for up to `grace`, and return once
/// the jobs' tasks have ended. Requests still running after `grace` are dropped (logged).
pub async fn serve_with_grace(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, backend = state.store.backend(), "listening");
    }
    let (began_tx, mut began) = tokio::sync::watch::channel(false);
    let on_signal = {
        let state = state.clone();
        async move {
            shutdown.await;
            let cancelled = state.begin_shutdown();
            tracing::info!(
                cancelled_jobs = cancelled,
                grace_seconds = grace.as_secs(),
                "shutting down: no new connections, finishing requests in flight"
            );
            let _ = began_tx.send(true);
        }
    };
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(on_signal);
    let deadline = async move {
        if began.wait_for(|b| *b).await.is_err() {
            // the server ended on its own (an I/O error) before any signal
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        r = server => r?,
        () = deadline => tracing::warn!(
            grace_seconds = grace.as_secs(),
            "requests still in flight after the grace period were dropped"
        ),
    }
    // aborted jobs end at their next await: wait for their transactions to be dropped
    if !state.jobs.wait_idle(Duration::from_secs(10)).await {
        tracing::warn!("import or export jobs still ending after 10 s");
    }
    tracing::info!("stopped");
    Ok(())
}

/// An unknown address: JSON under `/api` (a program asked), the site's own HTML page elsewhere (a
/// person followed a link or typed an address).
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let p = uri.path();
    if p == "/api" || p.starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "请求的地址不存在").into_response()
    } else {
        ui::PageError::new(
            StatusCode::NOT_FOUND,
            "页面不存在：地址有误，或页面已经移动。",
        )
        .into_response()
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该地址不支持此请求方法",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{body_json, get, send, test_db};
    use axum::body::Body;
    use axum::http::{header, Request};

    #[tokio::test]
    async fn unknown_pages_are_the_sites_html_404() {
        let db = test_db().await;
        let res = get(db.router(), "/nothing/here").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.headers().contains_key(REQUEST_ID));
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("未找到 · Not found (404)"), "{html}");
        assert!(html.contains("页面不存在"), "{html}");
        assert!(html.contains("app.css"), "in the site's style: {html}");
    }

    #[tokio::test]
    async fn unknown_routes_are_json_404() {
        let db = test_db().await;
        for uri in [
            "/api/nothing",
            "/api/v1/nothing",
            "/api/v1/households/1/nothing",
        ] {
            let res = get(db.router(), uri).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
            assert!(res.headers().contains_key(REQUEST_ID));
            let v = body_json(res).await;
            assert_eq!(v["code"], "not_found");
            assert_eq!(v["message"], "请求的地址不存在");
        }
    }

    #[tokio::test]
    async fn wrong_method_is_json_405_with_allow() {
        let req = Request::patch("/api/v1/households")
            .body(Body::empty())
            .unwrap();
        let res = send(test_db().await.router(), req).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        let allow = res
            .headers()
            .get(header::ALLOW)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(body_json(res).await["code"], "method_not_allowed");
        let allow = allow.expect("Allow header");
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    }

    #[tokio::test]
    async fn serve_stops_on_shutdown() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let db = test_db().await;
        let backend = db.store().backend();
        let server = tokio::spawn(serve(listener, db.state.clone(), async {
            let _ = rx.await;
        }));
        // A raw HTTP/1.1 request, to need no client library.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.contains(&format!(r#""backend":"{backend}""#)), "{out}");
        tx.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
