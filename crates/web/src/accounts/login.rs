//! Signing in and out: API tokens for programs (`POST /api/v1/login`), session cookies for browsers
//! (`GET`/`POST /login`, `POST /logout`, `GET /api/v1/session` for a page's CSRF token).
//!
//! Both sign-ins share one credential check, which answers the same 401 for an unknown user, a
//! wrong password and a disabled account, and takes the same time for all three (an unknown user's
//! password is checked against a dummy hash), so neither the answer nor its timing tells whether a
//! username exists. Attempts are throttled per account and per client address (see `throttle`), and
//! every attempt is audited with the account tried (an unknown username is not kept: it may be a
//! password typed into the wrong field), never the password.

use crate::accounts::UserView;
use crate::auth::{self, Credential};
use crate::caller::{user_ctx, Caller, ClientAddr};
use crate::error::{clip, ApiError, ApiResult};
use crate::form::Form;
use crate::json::Json;
use crate::routes::Routes;
use crate::ui::assets;
use crate::ui::i18n::{query_lang, Lang, LANG_COOKIE};
use crate::ui::layout::site_name;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use fupin_core::accounts::{verify_password, User};
use fupin_core::audit::AuditRecord;
use maud::{html, DOCTYPE};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::{Duration, Instant};

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/login", api_login)
        .get("/api/v1/session", session)
        .get("/login", login_page)
        .post("/login", form_login)
        .post("/logout", logout)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(api_login, session, login_page, form_login, logout))]
pub(crate) struct Doc;

/// An Argon2id hash (same parameters as `hash_password`) of a password nobody uses, checked when the
/// username does not exist so that the answer takes as long as for a real account. A constant,
/// not computed at start-up: hashing takes as long as checking, and the first unknown-user attempt
/// would otherwise stand out.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZnVwaW4tZHVtbXktc2FsdA$5j52lvm3QlLbqI+f8uA+q6jxHqoJfv+PoCRzf5+rENw";

/// The actor of a failed sign-in to a username that does not exist: not a possible username
/// (usernames are letters, digits and `- _ .`).
const UNKNOWN_ACTOR: &str = "(unknown)";

/// Longest username kept for throttling and the audit log; longer input is no username of ours.
const USERNAME_MAX: usize = 64;

const BAD_CREDENTIALS: &str = "用户名或密码错误";

/// Why a sign-in failed.
enum LoginError {
    /// Unknown user, wrong password or disabled account: one answer for all three.
    Invalid,
    /// Too many failures; try again after this long.
    Throttled(Duration),
    Internal(ApiError),
}

impl From<fupin_core::DomainError> for LoginError {
    fn from(e: fupin_core::DomainError) -> Self {
        LoginError::Internal(e.into())
    }
}

impl LoginError {
    fn into_api(self) -> Response {
        match self {
            LoginError::Invalid => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                BAD_CREDENTIALS,
            )
            .into_response(),
            LoginError::Throttled(wait) => {
                let mut res = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("登录失败次数过多，请 {} 后再试", wait_text(wait)),
                )
                .into_response();
                retry_after(&mut res, wait);
                res
            }
            LoginError::Internal(e) => e.into_response(),
        }
    }
}

/// How long to wait, as a person reads it: seconds for a slowed account, minutes for a lock.
fn wait_text(d: Duration) -> String {
    let secs = d.as_secs().max(1);
    if secs < 60 {
        format!("{secs} 秒")
    } else {
        format!("{} 分钟", secs.div_ceil(60))
    }
}

fn retry_after(res: &mut Response, wait: Duration) {
    let secs = wait.as_secs().max(1);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
}

/// Check a username and password, throttled and audited. `method` says which sign-in (`token`,
/// `session`) for the audit record.
async fn sign_in(
    app: &AppState,
    username: &str,
    password: &str,
    client: Option<String>,
    method: &str,
) -> Result<User, LoginError> {
    // The store looks usernames up trimmed and in lower case; count attempts the same way.
    let account = clip(&username.trim().to_ascii_lowercase(), USERNAME_MAX);
    let address = client.clone().unwrap_or_else(|| "unknown".into());
    if let Err(wait) = app.throttle.begin(&account, &address, Instant::now()) {
        // Not audited: a flood of refused attempts would otherwise flood the log it is meant to
        // protect. The failures that set the lock were audited.
        tracing::warn!("sign-in refused: too many failures");
        return Err(LoginError::Throttled(wait));
    }
    let found = app.store.user_credentials(&account).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, DUMMY_HASH.to_string()),
    };
    // Argon2 takes tens of milliseconds of CPU by design; off the async workers.
    let pw = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .unwrap_or(false);
    // An unknown username may well be a password typed into the wrong field: it is kept neither
    // as the actor nor in the record, which says only that no such account exists (the client's
    // address still shows who keeps trying).
    let ctx = user_ctx(
        if user.is_some() {
            &account
        } else {
            UNKNOWN_ACTOR
        },
        client,
    );
    let region = user.as_ref().and_then(|u| u.covering_region());
    let with_region = |rec: AuditRecord| match &region {
        Some(r) => rec.in_region(r),
        None => rec,
    };
    match user {
        Some(u) if matches && !u.disabled => {
            app.throttle.succeeded(&account, &address, Instant::now());
            let rec = AuditRecord::event(
                "login",
                "user",
                Some(u.id.0.to_string()),
                json!({ "method": method }),
            );
            app.store.record_event(&ctx, with_region(rec)).await?;
            Ok(u)
        }
        u => {
            let detail = match &u {
                Some(_) => json!({ "username": account, "method": method }),
                None => json!({ "unknown_user": true, "method": method }),
            };
            let rec = AuditRecord::event(
                "login.failed",
                "user",
                u.map(|u| u.id.0.to_string()),
                detail,
            );
            app.store.record_event(&ctx, with_region(rec)).await?;
            Err(LoginError::Invalid)
        }
    }
}

/// `POST /api/v1/login` body. No `Debug`: it holds a password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TokenIssued {
    /// Shown once; only its digest is stored.
    token: String,
    user: UserView,
}

/// Answers carrying secrets must not be kept by browsers or proxies.
fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `{username, password}` → `{token, user}`: a new API token for programs.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    tag = "accounts",
    operation_id = "login",
    summary = "登录并取得 API 令牌 · Sign in for an API token",
    request_body(content = Credentials, description = "`{username, password}`。 The credentials."),
    responses((status = 200, description = "`{token, user}`：新的 API 令牌（只显示这一次）和用户。 `{token, user}`: a new API token (shown this once) and the user.", body = TokenIssued), (status = 401, description = "用户名或密码错误（code: invalid_credentials）。 Wrong username or password.", body = crate::openapi::ErrorDoc), (status = 429, description = "失败次数过多（code: too_many_attempts），见 Retry-After。 Too many failures; see Retry-After.", body = crate::openapi::ErrorDoc))
)]
async fn api_login(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(c): Json<Credentials>,
) -> Response {
    let user = match sign_in(&app, &c.username, &c.password, client.clone(), "token").await {
        Ok(u) => u,
        Err(e) => return e.into_api(),
    };
    let token = auth::new_api_token();
    let now = time::OffsetDateTime::now_utc();
    let name = format!(
        "api login {:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let ctx = user_ctx(&user.username, client);
    if let Err(e) = app
        .store
        .create_token(&ctx, user.id, &name, &auth::digest(&token))
        .await
    {
        return ApiError::from(e).into_response();
    }
    no_store(
        Json(TokenIssued {
            token,
            user: UserView::of(&user),
        })
        .into_response(),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
struct SessionInfo {
    csrf_token: String,
    user: UserView,
}

/// The CSRF token of the browser session, for the page's scripts to send as `X-CSRF-Token`.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "accounts",
    operation_id = "session",
    summary = "当前浏览器会话 · The browser session",
    responses((status = 200, description = "`{csrf_token, user}`：页面脚本须以 X-CSRF-Token 头发送此令牌。 `{csrf_token, user}`: page scripts send the token as X-CSRF-Token.", body = SessionInfo), (status = 404, description = "使用的是 API 令牌而非会话（code: session_not_found）。 The request used an API token, not a session.", body = crate::openapi::ErrorDoc))
)]
async fn session(caller: Caller) -> ApiResult<Response> {
    caller.policy_signed_in()?;
    match &caller.credential {
        Credential::Session { csrf_token, .. } => Ok(no_store(
            Json(SessionInfo {
                csrf_token: csrf_token.clone(),
                user: UserView::of(&caller.user),
            })
            .into_response(),
        )),
        Credential::Token => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "session_not_found",
            "当前请求不是浏览器会话（使用的是 API 令牌）",
        )),
    }
}

/// The sign-in form.
#[utoipa::path(
    get,
    path = "/login",
    tag = "accounts",
    operation_id = "loginPage",
    summary = "登录页 · Sign-in page",
    responses((status = 200, description = "登录表单（HTML）。 The sign-in form (HTML).", body = String, content_type = "text/html"))
)]
async fn login_page(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let chosen = query.as_deref().and_then(query_lang);
    let lang = Lang::of(query.as_deref(), &headers);
    let mut res = page(lang, StatusCode::OK, None, "");
    // a language chosen here holds on the pages after signing in
    if let Some(l) = chosen {
        let v = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            l.code()
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A form post of `username` and `password`: on success a new session cookie and 303 to `/`; on
/// failure the form again with the reason.
#[utoipa::path(
    post,
    path = "/login",
    tag = "accounts",
    operation_id = "formLogin",
    summary = "表单登录 · Sign in with the form",
    request_body(content_type = "application/x-www-form-urlencoded", description = "`username`、`password` 表单字段。 The `username` and `password` form fields."),
    responses((status = 303, description = "成功：设置会话 Cookie 并转到 /。 Signed in: the session cookie is set, redirect to /."), (status = 401, description = "用户名或密码错误，重新显示表单（HTML）。 Wrong credentials: the form again (HTML).", body = String, content_type = "text/html"), (status = 429, description = "失败次数过多（HTML），见 Retry-After。 Too many failures (HTML); see Retry-After.", body = String, content_type = "text/html"))
)]
async fn form_login(
    State(app): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Form,
) -> Response {
    let username = form.get("username").unwrap_or("");
    let password = form.get("password").unwrap_or("");
    let lang = form
        .get("lang")
        .and_then(Lang::parse)
        .unwrap_or_else(|| Lang::of(None, &headers));
    let user = match sign_in(&app, username, password, client, "session").await {
        Ok(u) => u,
        Err(LoginError::Invalid) => {
            return page(
                lang,
                StatusCode::UNAUTHORIZED,
                Some(bad_credentials(lang)),
                username,
            )
        }
        Err(LoginError::Throttled(wait)) => {
            let msg = match lang {
                Lang::Zh => format!("登录失败次数过多，请 {} 后再试", wait_text(wait)),
                Lang::En => format!(
                    "Too many failed attempts; try again in {} s",
                    wait.as_secs().max(1)
                ),
            };
            let mut res = page(lang, StatusCode::TOO_MANY_REQUESTS, Some(&msg), username);
            retry_after(&mut res, wait);
            return res;
        }
        Err(LoginError::Internal(e)) => return e.into_response(),
    };
    // A session the browser still holds ends here: a new sign-in always gets a new id, so an id
    // planted in the browser beforehand (session fixation) is worth nothing.
    if let Some(old) = auth::session_cookie(&headers) {
        if let Err(e) = app.store.delete_session(&auth::digest(old)).await {
            return ApiError::from(e).into_response();
        }
    }
    let id = auth::new_secret();
    let csrf = auth::new_secret();
    if let Err(e) = app
        .store
        .create_session(user.id, &auth::digest(&id), &csrf)
        .await
    {
        return ApiError::from(e).into_response();
    }
    let mut res = see_other("/");
    res.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie_value(&id, auth::secure(&app, &headers)),
    );
    res
}

/// End the browser session (the middleware has checked its CSRF token), clear the cookie and go to
/// the sign-in form. Without a session there is nothing to end: the cookie is cleared all the same.
/// An API token is not touched (revoke it with `DELETE /api/v1/tokens/{id}`).
#[utoipa::path(
    post,
    path = "/logout",
    tag = "accounts",
    operation_id = "logout",
    summary = "退出登录 · Sign out",
    responses((status = 303, description = "结束浏览器会话、清除 Cookie 并转到 /login；API 令牌不受影响。 Ends the browser session, clears the cookie and redirects to /login; API tokens are not touched."))
)]
async fn logout(
    State(app): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(c) = &caller {
        if let Credential::Session { id_hash, .. } = &c.credential {
            app.store.delete_session(id_hash).await?;
            let rec =
                AuditRecord::event("logout", "user", Some(c.user.id.0.to_string()), json!({}));
            let rec = match c.user.covering_region() {
                Some(r) => rec.in_region(&r),
                None => rec,
            };
            app.store.record_event(&c.own_ctx(), rec).await?;
        }
    }
    let mut res = see_other("/login");
    res.headers_mut().insert(
        header::SET_COOKIE,
        auth::clear_cookie_value(auth::secure(&app, &headers)),
    );
    Ok(res)
}

fn see_other(to: &'static str) -> Response {
    no_store((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// The sign-in page: the form in the site's style and the chosen language (`?lang=`, the `lang`
/// cookie, or the form's own `lang` field after a failed attempt), with the language switch; no
/// scripts.
fn page(lang: Lang, status: StatusCode, error: Option<&str>, username: &str) -> Response {
    let t = |zh: &'static str, en: &'static str| lang.t(zh, en);
    let site = site_name(lang);
    let (other, other_label) = match lang {
        Lang::Zh => (Lang::En, "English"),
        Lang::En => (Lang::Zh, "中文"),
    };
    let body = html! {
        (DOCTYPE)
        html lang=(lang.html()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("登录", "Sign in")) " · " (site) }
                link rel="icon" href=(assets::url("icon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(assets::url("app.css"));
            }
            body.login-page data-lang=(lang.code()) {
                header.top {
                    div.bar {
                        span.brand { img.logo src=(assets::url("icon.svg")) alt="" width="28" height="28"; span { (site) } }
                        div.who { a.lang #lang-switch href=(format!("/login?lang={}", other.code())) hreflang=(other.html()) { (other_label) } }
                    }
                }
                main #main .narrow {
                    form.stack.login-form method="post" action="/login" {
                        h1 { (t("登录", "Sign in")) }
                        @if let Some(e) = error {
                            p.alert.error #login-error role="alert" { (e) }
                        }
                        input type="hidden" name="lang" value=(lang.code());
                        div.field {
                            label for="username" { (t("用户名", "Username")) }
                            input #username name="username" autocomplete="username" required value=(clip(username, USERNAME_MAX));
                        }
                        div.field {
                            label for="password" { (t("密码", "Password")) }
                            input #password name="password" type="password" autocomplete="current-password" required;
                        }
                        div.form-actions { button.primary type="submit" { (t("登录", "Sign in")) } }
                    }
                }
                footer.foot { p { (t("扶贫信息系统 · 个人信息已脱敏显示", "fupin · personal data shown masked")) } }
            }
        }
    };
    let mut res = (status, Html(body.into_string())).into_response();
    let h = res.headers_mut();
    // The page needs nothing but the site's style sheet and icon; framing it is refused
    // (clickjacking).
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// What a failed sign-in says, in the page's language.
fn bad_credentials(lang: Lang) -> &'static str {
    lang.t(BAD_CREDENTIALS, "Wrong username or password")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{get_anon, send_anon, test_db};
    use axum::body::Body;
    use axum::http::Request;
    use fupin_core::accounts::hash_password;

    #[test]
    fn dummy_hash_has_the_parameters_of_real_ones() {
        let real = hash_password("x", &[1; 16]);
        let params = |h: &str| h.rsplitn(3, '$').nth(2).unwrap().to_string();
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert!(verify_password(
            "fupin-dummy-password-never-valid",
            DUMMY_HASH
        ));
        assert!(!verify_password("", DUMMY_HASH));
    }

    async fn text(res: Response) -> String {
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn what_was_typed_is_escaped() {
        let res = page(
            Lang::Zh,
            StatusCode::UNAUTHORIZED,
            Some("x"),
            r#"<a href="x">'&'</a>"#,
        );
        let body = text(res).await;
        assert!(
            body.contains("value=\"&lt;a href=&quot;x&quot;&gt;'&amp;'&lt;/a&gt;\""),
            "{body}"
        );
    }

    /// The sign-in page follows the language switch: `?lang=en` shows it in English and remembers
    /// the choice for the pages after it; a failed attempt answers in the language of its form.
    #[tokio::test]
    async fn the_login_page_follows_the_language_switch() {
        let db = test_db().await;
        let res = get_anon(db.router(), "/login?lang=en").await;
        assert!(res.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("lang=en;"));
        let body = text(res).await;
        assert!(body.contains("<html lang=\"en\">"), "{body}");
        assert!(
            body.contains("<title>Sign in · Poverty Alleviation Registry</title>"),
            "{body}"
        );
        assert!(body.contains(">Username<") && body.contains("href=\"/login?lang=zh\""));
        assert!(body.contains("name=\"lang\" value=\"en\""));
        let zh = text(get_anon(db.router(), "/login").await).await;
        assert!(zh.contains("<title>登录 · 扶贫信息系统</title>") && zh.contains(">用户名<"));
        assert!(
            zh.contains("/assets/") && zh.contains("stylesheet"),
            "styled like the site"
        );
        let page = |l| page(l, StatusCode::UNAUTHORIZED, Some(bad_credentials(l)), "u");
        assert!(text(page(Lang::En))
            .await
            .contains("Wrong username or password"));
        assert!(text(page(Lang::Zh)).await.contains("用户名或密码错误"));
    }

    #[tokio::test]
    async fn the_login_page_is_public_html() {
        let res = get_anon(test_db().await.router(), "/login").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("name=\"password\"") && body.contains("登录"));
    }

    #[tokio::test]
    async fn logout_without_a_session_just_clears_the_cookie() {
        let req = Request::post("/logout").body(Body::empty()).unwrap();
        let res = send_anon(test_db().await.router(), req).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/login");
        let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("fupin_session=;") && cookie.contains("Max-Age=0"));
    }
}
