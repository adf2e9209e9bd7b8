//! `Caller`: who is making the request, as the `Ctx` every store call takes, and the policy checks.
//!
//! For now every request acts as the system actor `api` with full scope: authentication arrives in a
//! later change and plugs in here only (the extractor resolves the session into a user's `Ctx`; the
//! `policy_*` methods check that user's rights). Every handler takes a `Caller`, passes `&caller.ctx`
//! to the store and names its policy in one explicit call, so that change touches no handler and a
//! reviewer can read each endpoint's rule at its top. The store filters by `ctx.scope` again, so a
//! forgotten policy call cannot leak another region's data.

use crate::error::ApiResult;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fupin_core::Ctx;
use std::convert::Infallible;

/// The acting user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub ctx: Ctx,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    // Infallible today; with authentication this becomes `ApiError` (401 for a bad session).
    type Rejection = Infallible;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::system("api");
        // The request span (see `trace`) declares `user`; fill it so every log line says who acted.
        tracing::Span::current().record("user", ctx.actor.as_str());
        Ok(Caller { ctx })
    }
}

/// The policies handlers state. Each returns `Ok` for now; each will check the caller's role then.
impl Caller {
    /// Open to anyone, signed in or not (liveness probes).
    pub fn policy_public(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Read regions, their paths, poor-village flags and village profiles.
    pub fn policy_read_regions(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Change poor-village designations and village profiles.
    pub fn policy_manage_regions(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Read the code tables in force.
    pub fn policy_read_codes(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Read households, members, histories and incomes (masked personal data).
    pub fn policy_read_registry(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Create and change households, members, statuses and incomes.
    pub fn policy_write_registry(&self) -> ApiResult<()> {
        Ok(())
    }
    /// Read region statistics.
    pub fn policy_read_stats(&self) -> ApiResult<()> {
        Ok(())
    }
}
