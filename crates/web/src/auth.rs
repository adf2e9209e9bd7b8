//! Authentication: who sent a request, from an API token (`Authorization: Bearer …`) or a browser
//! session cookie, resolved once per request by a middleware that also enforces CSRF tokens.
//!
//! The middleware never answers 401 itself. It puts an [`Authenticated`] into the request's
//! extensions when the credentials are good, and every handler that needs a user takes a
//! [`Caller`](crate::Caller), whose extractor answers 401 when there is none. A route is therefore
//! protected by its signature, and the route tests call every route without credentials, so a new
//! route cannot become public by accident. CSRF is checked here rather than in the handlers for the
//! same reason: no handler can forget it.
//!
//! Secrets (session ids, API tokens) are 32 random bytes from the operating system; only their
//! SHA-256 digests are stored, so a copy of the database does not let anyone sign in. Rejected
//! alternative: signed cookies holding the user id, which could not be revoked server-side (logout,
//! disabling a user) before they expire.

use crate::error::ApiError;
use crate::form;
use crate::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::User;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// The browser session cookie.
pub const SESSION_COOKIE: &str = "fupin_session";
/// The header a script sends the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a page sends the session's CSRF token in.
pub const CSRF_FIELD: &str = "csrf_token";
/// API tokens start with this, so secret scanners and people can tell what a leaked string is.
const TOKEN_PREFIX: &str = "fupin_";
/// A session's last-seen time is written at most this often: a write per request would make every
/// page view a write transaction, and the idle limit does not need to-the-second precision.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Session lifetimes and login limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// A session unused this long ends (30 minutes: a shared village office computer left alone).
    pub session_idle: Duration,
    /// A session ends this long after sign-in whatever its use (12 hours: one working day).
    pub session_max: Duration,
    /// Mark the session cookie `Secure` always (behind a TLS-terminating proxy that does not send
    /// `X-Forwarded-Proto`); it is marked so anyway when the request says it came over HTTPS.
    pub secure_cookies: bool,
    pub throttle: crate::throttle::ThrottleConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_idle: Duration::minutes(30),
            session_max: Duration::hours(12),
            secure_cookies: false,
            throttle: Default::default(),
        }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session: the digest of its id, and the CSRF token its state-changing requests
    /// must carry.
    Session { id_hash: String, csrf_token: String },
    /// An API token (`Authorization: Bearer …`); no CSRF token needed, as a browser never attaches
    /// it on its own.
    Token,
}

/// A request's verified user, as the middleware leaves it in the request extensions.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub credential: Credential,
}

/// 32 random bytes from the operating system, as 64 lower-case hex digits.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// A new API token.
pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", new_secret())
}

/// The SHA-256 digest of a secret, as stored (lower-case hex).
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compare secrets in time independent of where they first differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The bearer token of an `Authorization` header, if it is one.
fn bearer(v: &HeaderValue) -> Option<&str> {
    let v = v.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 200)
        .then_some(token)
}

/// The session id of the request's cookie, if it has one of the right shape.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the session cookie should be `Secure` for this request.
pub(crate) fn secure(app: &AppState, headers: &HeaderMap) -> bool {
    app.auth.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that starts a session. No `Max-Age`: the cookie ends with the browser,
/// which matters on shared computers; the server ends the session anyway after its time limits.
/// `SameSite=Strict` keeps other sites' pages from sending it at all, and the CSRF token covers
/// browsers that ignore the attribute.
pub(crate) fn session_cookie_value(id: &str, secure: bool) -> HeaderValue {
    let s = format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).expect("hex and ASCII")
}

/// The `Set-Cookie` value that removes the session cookie.
pub(crate) fn clear_cookie_value(secure: bool) -> HeaderValue {
    let s = format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).expect("ASCII")
}

fn csrf_failed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "请求缺少有效的防伪令牌（CSRF），请刷新页面后重试",
    )
}

/// What the credentials of a request came to.
enum Resolved {
    User(Box<Authenticated>),
    /// A session cookie that no longer works (expired, logged out, user disabled): the response
    /// clears it so the browser stops sending it.
    StaleCookie,
    Anonymous,
}

/// The middleware: resolve credentials, check CSRF on state-changing session requests, and leave
/// the user for the `Caller` extractor.
pub(crate) async fn authenticate(
    State(app): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let resolved = match resolve(&app, req.headers()).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut clear_cookie = false;
    match resolved {
        Resolved::User(auth) => {
            // The request span (see `trace`) declares `user`; every log line of the request says
            // who acted.
            tracing::Span::current().record("user", auth.user.username.as_str());
            if let Credential::Session { csrf_token, .. } = &auth.credential {
                if !is_safe(req.method()) && !signs_in(&req) {
                    req = match check_csrf(req, csrf_token).await {
                        Ok(r) => r,
                        Err(e) => return e.into_response(),
                    };
                }
            }
            req.extensions_mut().insert(*auth);
        }
        Resolved::StaleCookie => clear_cookie = true,
        Resolved::Anonymous => {}
    }
    let secure = secure(&app, req.headers());
    let mut res = next.run(req).await;
    if clear_cookie && !res.headers().contains_key(header::SET_COOKIE) {
        res.headers_mut()
            .insert(header::SET_COOKIE, clear_cookie_value(secure));
    }
    res
}

/// Signing in (again, with a session cookie still in the browser) acts on no session's authority
/// — it proves its own with a password and replaces the session — so it needs no CSRF token; the
/// login form of a browser that still holds a session would otherwise be refused. Signing out does
/// act on the session and is not exempt.
fn signs_in(req: &Request) -> bool {
    req.extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| matches!(p.as_str(), "/login" | "/api/v1/login"))
}

/// Methods that change nothing (and so need no CSRF token).
fn is_safe(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

async fn resolve(app: &AppState, headers: &HeaderMap) -> Result<Resolved, ApiError> {
    // A request with an Authorization header is judged by it alone: a bad token does not fall back
    // to a cookie, so a script's mistake shows as a 401 instead of acting as whoever uses the browser.
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let Some(token) = bearer(v) else {
            return Ok(Resolved::Anonymous);
        };
        return Ok(match live(app.store.token_user(&digest(token)).await?) {
            Some(user) => Resolved::User(Box::new(Authenticated {
                user,
                credential: Credential::Token,
            })),
            None => Resolved::Anonymous,
        });
    }
    let Some(id) = session_cookie(headers) else {
        return Ok(Resolved::Anonymous);
    };
    let id_hash = digest(id);
    let Some((s, user)) = app.store.session(&id_hash).await? else {
        return Ok(Resolved::StaleCookie);
    };
    let now = OffsetDateTime::now_utc();
    if now - s.created_at > app.auth.session_max || now - s.last_seen_at > app.auth.session_idle {
        app.store.delete_session(&id_hash).await?;
        return Ok(Resolved::StaleCookie);
    }
    if user.disabled {
        return Ok(Resolved::StaleCookie);
    }
    if now - s.last_seen_at > TOUCH_EVERY {
        app.store.touch_session(&id_hash).await?;
    }
    Ok(Resolved::User(Box::new(Authenticated {
        user,
        credential: Credential::Session {
            id_hash,
            csrf_token: s.csrf_token,
        },
    })))
}

/// The user of a token, as the store loads it afresh with its grants on every request (in the same
/// statement as the token, as it does a session's) so that disabling an account or changing its
/// grants takes effect at once; `None` when it is gone or disabled.
fn live(user: Option<User>) -> Option<User> {
    user.filter(|u| !u.disabled)
}

/// The session's CSRF token must come in the `X-CSRF-Token` header (scripts) or, for an HTML form
/// post, in its `csrf_token` field; the form body is read here and handed on unchanged.
async fn check_csrf(req: Request, expected: &str) -> Result<Request, ApiError> {
    if let Some(v) = req.headers().get(CSRF_HEADER) {
        return match v.to_str() {
            Ok(v) if same_secret(v.trim(), expected) => Ok(req),
            _ => Err(csrf_failed()),
        };
    }
    // A page's form with a file (a visit's photo, an import) is multipart; its token is a field too.
    if let Some(boundary) = crate::multipart::boundary(req.headers()) {
        let (parts, body) = req.into_parts();
        let bytes = form::read_body(body).await?;
        let token = crate::multipart::field(&bytes, &boundary, CSRF_FIELD);
        if !token.is_some_and(|t| same_secret(&t, expected)) {
            return Err(csrf_failed());
        }
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    if !form::is_form(req.headers()) {
        return Err(csrf_failed());
    }
    let (parts, body) = req.into_parts();
    let bytes = form::read_body(body).await?;
    let fields = form::parse(&bytes)?;
    let ok = fields
        .iter()
        .any(|(n, v)| n == CSRF_FIELD && same_secret(v, expected));
    if !ok {
        return Err(csrf_failed());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hex_and_stored_as_digests() {
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, new_secret());
        let t = new_api_token();
        assert!(t.starts_with("fupin_") && t.len() == 70);
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secret_comparison() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn bearer_tokens() {
        let v = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(bearer(&v("Bearer fupin_x")), Some("fupin_x"));
        assert_eq!(bearer(&v("bearer  fupin_x ")), Some("fupin_x"));
        assert_eq!(bearer(&v("Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer(&v("Bearer ")), None);
        assert_eq!(bearer(&v(&format!("Bearer {}", "x".repeat(201)))), None);
    }

    #[test]
    fn session_cookies() {
        let id = new_secret();
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; {SESSION_COOKIE}={id}; b=2")).unwrap(),
        );
        assert_eq!(session_cookie(&h), Some(id.as_str()));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("fupin_session=../../etc"),
        );
        assert_eq!(session_cookie(&h), None, "only the shape we issue");
        let c = session_cookie_value(&id, true);
        let c = c.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!session_cookie_value(&id, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
        assert!(clear_cookie_value(false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }
}
