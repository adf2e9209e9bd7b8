//! `Caller`: the signed-in user of a request, and the policy check every handler states.
//!
//! Taking a `Caller` is what makes a route require sign-in: its extractor answers 401 when the
//! authentication middleware (see `auth`) found no valid credentials. Each handler then names the
//! one policy it needs in an explicit call at its top (`caller.ctx(Policy::WriteRegistry)?`), which
//! answers 403 when no grant of the user permits it and otherwise gives the `Ctx` whose scope the
//! store filters by, so a reviewer reads each endpoint's rule in one line and a forgotten or wrong
//! policy still cannot reach outside the user's regions.

use crate::auth::{Authenticated, Credential};
use crate::error::{ApiError, ApiResult};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, StatusCode};
use fupin_core::accounts::{Policy, Principal, User};
use fupin_core::{Ctx, Scope};
use std::convert::Infallible;
use std::net::SocketAddr;

/// The acting user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account as loaded for this request (enabled, with its current grants).
    pub user: User,
    pub principal: Principal,
    /// The client's address, for the audit log.
    pub client: Option<String>,
    pub credential: Credential,
}

/// The 401 of every route that needs a signed-in user.
pub fn unauthenticated() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
}

impl Caller {
    fn from_parts(parts: &Parts) -> Option<Caller> {
        let auth = parts.extensions.get::<Authenticated>()?.clone();
        Some(Caller {
            principal: auth.user.principal(),
            user: auth.user,
            client: client_addr(&parts.extensions),
            credential: auth.credential,
        })
    }

    /// The store context for `policy`: 403 when no grant of the user permits it, else the regions
    /// where it does.
    pub fn ctx(&self, policy: Policy) -> ApiResult<Ctx> {
        Ok(self.principal.ctx(policy, self.client.clone())?)
    }

    /// The policy of routes open to every signed-in user whatever their grants: they read nothing
    /// bound to a region (code tables, one's own account and tokens).
    pub fn policy_signed_in(&self) -> ApiResult<()> {
        Ok(())
    }

    /// The context for acting on one's own account (tokens, signing out): the user as actor and no
    /// region in reach.
    pub fn own_ctx(&self) -> Ctx {
        user_ctx(&self.user.username, self.client.clone())
    }
}

/// A context that names `actor` and reaches no region: for events about an account (sign-in, own
/// tokens) rather than about registry data.
pub(crate) fn user_ctx(actor: &str, client: Option<String>) -> Ctx {
    Ctx {
        actor: actor.to_string(),
        scope: Scope::Within(vec![]),
        unmask: false,
        cadre_user: None,
        client,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Caller::from_parts(parts).ok_or_else(unauthenticated)
    }
}

/// `Option<Caller>`, for the few routes that behave differently when signed in (signing out).
impl<S: Send + Sync> OptionalFromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(Caller::from_parts(parts))
    }
}

/// The client's IP address (without the port), when the server was started with connection info.
/// The peer address, not `X-Forwarded-For`: that header is the client's to write, and the login
/// throttle keys on this address.
pub(crate) fn client_addr(ext: &Extensions) -> Option<String> {
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The client address as an extractor, for the routes without a `Caller` (signing in).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(&parts.extensions)))
    }
}
