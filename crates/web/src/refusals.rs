//! Refused calls in the audit log: a signed-in caller answered 403 or 404 on a route leaves an
//! `access.refused` record (method, route template, status) under the caller's region, so that
//! someone probing other regions' ids shows up in the log of their own region.
//!
//! A region-scoped store answers "not found" for what lies outside the caller's regions and for
//! what does not exist alike (that is the point), so both are recorded. Recording is rate-limited
//! per account: a few records per window, and the next record after a quiet spell says how many
//! refusals were left out, so a flood of probes costs the log a handful of rows instead of one row
//! each (which a prober could use to fill the disk or bury other entries).

use crate::auth::Authenticated;
use crate::caller::{client_addr, user_ctx};
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use fupin_core::audit::AuditRecord;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Records per account per window.
const PER_WINDOW: u32 = 5;
const WINDOW: Duration = Duration::from_secs(10 * 60);

/// The refusals of one account in the current window.
#[derive(Debug, Clone, Copy)]
struct Count {
    since: Instant,
    recorded: u32,
    /// Refusals not recorded since the last record.
    left_out: u64,
}

/// The rate limit of refusal records, in memory (a restart starts the counts afresh).
#[derive(Debug, Default)]
pub(crate) struct Refusals {
    counts: Mutex<HashMap<String, Count>>,
}

impl Refusals {
    /// Whether to record a refusal of `account` now: `Some(n)` with the number of refusals left
    /// out before it, or `None` when the account has used up this window's records.
    fn admit(&self, account: &str, now: Instant) -> Option<u64> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > 10_000 {
            counts.retain(|_, c| now.duration_since(c.since) < WINDOW);
        }
        let c = counts.entry(account.to_string()).or_insert(Count {
            since: now,
            recorded: 0,
            left_out: 0,
        });
        if now.duration_since(c.since) >= WINDOW {
            c.since = now;
            c.recorded = 0;
        }
        if c.recorded >= PER_WINDOW {
            c.left_out += 1;
            return None;
        }
        c.recorded += 1;
        Some(std::mem::take(&mut c.left_out))
    }
}

/// Middleware (added with `Router::layer`, so it runs on matched routes and knows the template;
/// inside authentication, so it sees the caller): record refused calls of signed-in callers,
/// rate-limited. A failure to record is logged and does not change the answer.
pub(crate) async fn audit_refusals(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let caller = req
        .extensions()
        .get::<Authenticated>()
        .map(|a| a.user.clone());
    let client = client_addr(req.extensions());
    let method = req.method().to_string();
    // the route, not the path: the ids and codes asked for are the caller's own words, and may
    // name what lies outside their regions (or be an ID number typed into a path)
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let res = next.run(req).await;
    let status = res.status();
    let (Some(user), Some(route)) = (caller, route) else {
        return res;
    };
    if status != StatusCode::FORBIDDEN && status != StatusCode::NOT_FOUND {
        return res;
    }
    let Some(left_out) = app.refusals.admit(&user.username, Instant::now()) else {
        return res;
    };
    let mut rec = AuditRecord::event(
        "access.refused",
        "request",
        None,
        serde_json::json!({
            "method": method,
            "route": route,
            "status": status.as_u16(),
            "left_out": left_out,
        }),
    );
    if let Some(r) = user.covering_region() {
        rec = rec.in_region(&r);
    }
    let ctx = user_ctx(&user.username, client);
    if let Err(e) = app.store.record_event(&ctx, rec).await {
        tracing::error!(error = %e, "recording a refused call failed");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_records_a_window_then_the_count_of_those_left_out() {
        let r = Refusals::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(r.admit("a", t0), Some(0));
        }
        for _ in 0..7 {
            assert_eq!(r.admit("a", t0), None);
        }
        assert_eq!(r.admit("b", t0), Some(0), "per account");
        let later = t0 + WINDOW;
        assert_eq!(r.admit("a", later), Some(7));
        assert_eq!(r.admit("a", later), Some(0));
    }
}
