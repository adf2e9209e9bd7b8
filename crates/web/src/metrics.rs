//! Prometheus metrics at `GET /metrics`: requests by route, method and status, their latency, the
//! database pool, and import and export jobs with the rows they handled.
//!
//! Labels are the *matched route* (`/api/v1/households/{id}`), never the raw path, so that a series
//! cannot name a household and their number stays bounded. Only admins, or clients from the
//! addresses the server was started with (`--metrics-allow`, e.g. the Prometheus host), may read
//! them: figures of a whole server are for its operators.

use crate::caller::{Caller, ClientAddr};
use crate::error::{ApiError, ApiResult};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::net::IpAddr;
use std::time::Instant;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/metrics", metrics)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(metrics))]
pub(crate) struct Doc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct JobLabels {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct JobEndLabels {
    pub kind: &'static str,
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 16 s, doubling
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The metrics of one server.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool: Family<PoolLabels, Gauge>,
    pub(crate) jobs_started: Family<JobLabels, Counter>,
    pub(crate) jobs_ended: Family<JobEndLabels, Counter>,
    pub(crate) jobs_running: Family<JobLabels, Gauge>,
    pub(crate) job_rows: Family<JobLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("fupin");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, matched route and status",
            requests.clone(),
        );
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (until its head is sent), by method and matched route",
            latency.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections: open, idle, max",
            pool.clone(),
        );
        let jobs_started = Family::<JobLabels, Counter>::default();
        registry.register(
            "jobs_started",
            "Import and export jobs started",
            jobs_started.clone(),
        );
        let jobs_ended = Family::<JobEndLabels, Counter>::default();
        registry.register(
            "jobs_ended",
            "Import and export jobs ended, by state (done, failed, cancelled)",
            jobs_ended.clone(),
        );
        let jobs_running = Family::<JobLabels, Gauge>::default();
        registry.register(
            "jobs_running",
            "Import and export jobs running now",
            jobs_running.clone(),
        );
        let job_rows = Family::<JobLabels, Counter>::default();
        registry.register(
            "job_rows",
            "Rows read by finished imports and written by finished exports",
            job_rows.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            pool,
            jobs_started,
            jobs_ended,
            jobs_running,
            job_rows,
        }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// The OpenMetrics text of every metric, the pool's read now.
    fn render(&self, pool: fupin_core::store::PoolStatus) -> String {
        for (state, v) in [("open", pool.open), ("idle", pool.idle), ("max", pool.max)] {
            self.pool
                .get_or_create(&PoolLabels { state })
                .set(i64::from(v));
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Middleware counting each request under its matched route (added with `Router::layer`, which
/// runs after routing, so the route is known; unmatched paths count as `(unmatched)`).
pub(crate) async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    app.metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// Addresses allowed to read the metrics without signing in: single addresses or CIDR blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsAllow(Vec<(IpAddr, u8)>);

impl MetricsAllow {
    /// Parse `10.0.0.5, 192.168.1.0/24, ::1`; an error names the item that is not an address.
    pub fn parse(list: &str) -> Result<MetricsAllow, String> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("不是 IP 地址或网段：{item}"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("网段前缀长度无效：{item}"))?,
            };
            out.push((ip, bits));
        }
        Ok(MetricsAllow(out))
    }

    /// Whether `ip` lies in one of the blocks.
    pub fn allows(&self, ip: IpAddr) -> bool {
        // an IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), *bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), *bits),
            _ => false,
        })
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a[full] & mask == b[full] & mask
}

/// From an allowed address, or as an admin (of any region): the figures of the whole server.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    operation_id = "metrics",
    summary = "运行指标（Prometheus） · Metrics (Prometheus)",
    responses((status = 200, description = "OpenMetrics 文本：按路由和状态的请求数、延迟直方图、数据库连接池、导入导出任务和行数。仅管理员或配置允许的地址可读。 OpenMetrics text: requests by route and status, latency histograms, the database pool, import/export jobs and rows. Admins or allowed addresses only.", body = String, content_type = "application/openmetrics-text"))
)]
async fn metrics(
    State(app): State<AppState>,
    caller: Option<Caller>,
    ClientAddr(client): ClientAddr,
) -> ApiResult<Response> {
    let from_allowed = client
        .and_then(|a| a.parse::<IpAddr>().ok())
        .is_some_and(|ip| app.metrics_allow.allows(ip));
    if !from_allowed {
        match caller {
            None => return Err(crate::caller::unauthenticated()),
            // the operators of the server: whoever manages users somewhere
            Some(c) => {
                c.ctx(Policy::ManageUsers).map_err(|_| {
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "forbidden",
                        "只有管理员可以查看运行指标",
                    )
                })?;
            }
        }
    }
    let body = app.metrics.render(app.store.pool_status());
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_matches_addresses_and_blocks() {
        let a = MetricsAllow::parse("10.0.0.5, 192.168.1.0/24,::1").unwrap();
        for ok in ["10.0.0.5", "192.168.1.77", "::1", "::ffff:192.168.1.3"] {
            assert!(a.allows(ok.parse().unwrap()), "{ok}");
        }
        for no in ["10.0.0.6", "192.168.2.1", "127.0.0.1", "::2"] {
            assert!(!a.allows(no.parse().unwrap()), "{no}");
        }
        let odd = MetricsAllow::parse("172.16.0.0/12").unwrap();
        assert!(odd.allows("172.31.255.1".parse().unwrap()));
        assert!(!odd.allows("172.32.0.1".parse().unwrap()));
        assert!(MetricsAllow::parse("").unwrap() == MetricsAllow::default());
        assert!(MetricsAllow::parse("10.0.0.0/33").is_err());
        assert!(MetricsAllow::parse("prometheus.local").is_err());
    }

    #[test]
    fn requests_are_counted_by_route_and_status() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/households/{id}", 200, 0.003);
        m.observe("GET", "/api/v1/households/{id}", 200, 0.005);
        m.observe("GET", "/api/v1/households/{id}", 404, 0.001);
        let text = m.render(fupin_core::store::PoolStatus {
            open: 3,
            idle: 2,
            max: 8,
        });
        assert!(
            text.contains(r#"fupin_http_requests_total{method="GET",route="/api/v1/households/{id}",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"status="404"} 1"#), "{text}");
        assert!(
            text.contains(r#"fupin_http_request_duration_seconds_count{method="GET",route="/api/v1/households/{id}"} 3"#),
            "{text}"
        );
        // 0.003 and 0.001 fall under the 4 ms bucket, 0.005 does not
        assert!(
            text.contains(r#"fupin_http_request_duration_seconds_bucket{le="0.004",method="GET",route="/api/v1/households/{id}"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"fupin_db_pool_connections{state="idle"} 2"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
