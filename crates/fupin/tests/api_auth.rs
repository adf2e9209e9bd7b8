//! Signing in and what follows, end to end over HTTP (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): API tokens and their revocation, browser sessions with CSRF
//! tokens and time limits, login throttling, uniform answers to bad credentials, disabled accounts,
//! user administration, the audit API, and unmasking personal data with a reason.

mod common;

use common::store::idn;

use fupin::testing::{create_user, spawn_app, test_store, TestApp};
use fupin_core::accounts::Role;
use fupin_core::audit::AuditEntry;
use fupin_core::regions::RegionRecord;
use fupin_core::store::{AuditFilter, Store};
use fupin_core::Ctx;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("360000000000", "province", "江西省", ""),
    ("360100000000", "city", "南昌市", "360000000000"),
    ("360124000000", "county", "进贤县", "360100000000"),
    ("360124106000", "township", "罗溪镇", "360124000000"),
    ("360124106204", "village", "塔岗村委会", "360124106000"),
    ("360124106205", "village", "三房村委会", "360124106000"),
];

const PW: &str = "correct-horse-1";

/// A test's short name for a household ("H1", "A2") as a household number of its village: the
/// village's code and a 4-digit serial (the letter picks the thousand, the digits the rest).
fn hn(short: &str, village: &str) -> String {
    if short.len() == 16 && short.bytes().all(|b| b.is_ascii_digit()) {
        return short.to_string();
    }
    let letter = short.bytes().next().map_or(0, |c| u32::from(c) % 10);
    let n: u32 = short
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    assert!(n < 999, "{short}");
    format!("{village}{:04}", letter * 1000 + n + 1)
}

async fn import_regions(store: &dyn Store) {
    let recs = REGIONS
        .iter()
        .enumerate()
        .map(|(i, (c, l, n, p))| {
            let rec = RegionRecord {
                code: c.to_string(),
                level: Some(l.to_string()),
                name: n.to_string(),
                parent_code: Some(p.to_string()),
            };
            (i as u64 + 2, rec)
        })
        .collect();
    store
        .import_regions(&Ctx::system("test"), recs)
        .await
        .expect("regions import");
}

/// The app with the regions above and these users (password [`PW`]):
/// `admin` (admin + view_pii over 江西省), `county-admin` (admin over 进贤县), `officer` (officer of
/// 进贤县), `pii-officer` (officer of 进贤县 with view_pii over 三房 only), `auditor` (auditor of 进贤县).
async fn app() -> TestApp {
    let app = spawn_app().await;
    import_regions(app.store().as_ref()).await;
    let users: &[(&str, &[(Role, &str)])] = &[
        (
            "admin",
            &[
                (Role::Admin, "360000000000"),
                (Role::ViewPii, "360000000000"),
            ],
        ),
        ("county-admin", &[(Role::Admin, "360124000000")]),
        ("officer", &[(Role::Officer, "360124000000")]),
        (
            "pii-officer",
            &[
                (Role::Officer, "360124000000"),
                (Role::ViewPii, "360124106205"),
            ],
        ),
        ("auditor", &[(Role::Auditor, "360124000000")]),
    ];
    for (name, grants) in users {
        create_user(app.store().as_ref(), name, PW, grants).await;
    }
    app
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    text: String,
}

async fn finish(req: reqwest::RequestBuilder) -> Res {
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Res {
        status,
        headers,
        body,
        text,
    }
}

async fn login_res(app: &TestApp, username: &str, password: &str) -> Res {
    finish(
        client()
            .post(app.url("/api/v1/login"))
            .json(&json!({"username": username, "password": password})),
    )
    .await
}

async fn login(app: &TestApp, username: &str) -> String {
    let res = login_res(app, username, PW).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["token"].as_str().unwrap().to_string()
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Res {
    let mut req = client().request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    finish(req).await
}

async fn get(app: &TestApp, token: &str, path: &str) -> Res {
    call(app, token, Method::GET, path, None).await
}

#[track_caller]
fn assert_code(res: &Res, status: u16, code: &str) {
    assert_eq!(
        (res.status.as_u16(), res.body["code"].as_str()),
        (status, Some(code)),
        "{}",
        res.text
    );
}

/// The whole audit log, oldest first.
async fn audit(store: &Arc<dyn Store>) -> Vec<AuditEntry> {
    let mut items = store
        .audit_log(
            &Ctx::system("test"),
            AuditFilter {
                per_page: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    items.reverse();
    items
}

fn household(number: &str, village: &str, head_id: &str) -> Value {
    json!({
        "household": {
            "household_number": hn(number, village),
            "village_code": village,
            "attribute": "01",
            "identification_standard": "01",
            "identification_year": 2014,
            "main_cause": "因病",
            "phone": "13812345678",
            "bank_name": "农商银行",
            "bank_account": "6217001234567890123",
        },
        "members": [{"name": "张三", "id_number": head_id, "relation": "户主", "phone": "13912345678"}],
    })
}

#[tokio::test]
async fn tokens_sign_in_list_and_revoke() {
    let app = app().await;
    let res = login_res(&app, "Officer ", PW).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.headers["cache-control"], "no-store");
    let token = res.body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("fupin_") && token.len() == 70, "{token}");
    assert_eq!(res.body["user"]["username"], "officer");
    assert_eq!(
        res.body["user"]["grants"],
        json!([{"role": "officer", "region": "360124000000"}])
    );
    assert!(res.body["user"]["display_name"].is_string());

    let me = get(&app, &token, "/api/v1/me").await;
    assert_eq!(me.body["username"], "officer");
    let tokens = get(&app, &token, "/api/v1/tokens").await;
    let list = tokens.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0]["name"].as_str().unwrap().starts_with("api login "));
    assert!(!tokens.text.contains(&token[6..]), "the secret is not kept");
    let id = list[0]["id"].as_i64().unwrap();

    // a second token; revoking one leaves the other working
    let other = login(&app, "officer").await;
    let res = call(
        &app,
        &other,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_code(
        &get(&app, &token, "/api/v1/me").await,
        401,
        "unauthenticated",
    );
    assert_eq!(get(&app, &other, "/api/v1/me").await.status, StatusCode::OK);
    let again = call(
        &app,
        &other,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
    )
    .await;
    assert_code(&again, 404, "token_not_found");
    // someone else's token is "not found" too
    let admin = login(&app, "admin").await;
    let admin_tokens = get(&app, &admin, "/api/v1/tokens").await;
    let admin_token_id = admin_tokens.body[0]["id"].as_i64().unwrap();
    let res = call(
        &app,
        &other,
        Method::DELETE,
        &format!("/api/v1/tokens/{admin_token_id}"),
        None,
    )
    .await;
    assert_code(&res, 404, "token_not_found");
    assert_eq!(get(&app, &admin, "/api/v1/me").await.status, StatusCode::OK);

    // a token caller has no browser session
    assert_code(
        &get(&app, &other, "/api/v1/session").await,
        404,
        "session_not_found",
    );
    let log = audit(app.store()).await;
    let logins: Vec<_> = log.iter().filter(|e| e.action == "login").collect();
    assert_eq!(logins.len(), 3);
    assert_eq!(logins[0].actor, "officer");
    assert_eq!(logins[0].client.as_deref(), Some("127.0.0.1"));
    assert_eq!(logins[0].region.as_deref(), Some("360124000000"));
    assert!(log.iter().any(|e| e.action == "token.revoke"));
}

#[tokio::test]
async fn bad_credentials_all_look_the_same() {
    let app = app().await;
    let disabled = create_user(
        app.store().as_ref(),
        "gone",
        PW,
        &[(Role::Officer, "360124106204")],
    )
    .await;
    app.store()
        .set_disabled(&Ctx::system("test"), disabled.id, true)
        .await
        .unwrap();
    let mut bodies = vec![];
    for (user, pw) in [
        ("nobody", PW),
        ("officer", "wrong-password"),
        ("gone", PW),
        ("", ""),
    ] {
        let res = login_res(&app, user, pw).await;
        assert_code(&res, 401, "invalid_credentials");
        assert_eq!(res.body["message"], "用户名或密码错误");
        bodies.push(res.text);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");

    // a password typed into the username field
    let res = login_res(&app, "Typed-In-The-Wrong-Field-7", PW).await;
    assert_code(&res, 401, "invalid_credentials");

    // each failure is audited with the account tried, never the password, and an unknown
    // username (perhaps a password) not at all
    let failed: Vec<_> = audit(app.store())
        .await
        .into_iter()
        .filter(|e| e.action == "login.failed")
        .collect();
    assert_eq!(failed.len(), 5);
    assert_eq!(failed[0].actor, "(unknown)");
    assert_eq!(failed[0].entity_id, None);
    assert!(failed[0].after.as_deref().unwrap().contains("unknown_user"));
    assert_eq!(failed[1].actor, "officer");
    assert!(failed[1].entity_id.is_some(), "a known account");
    assert!(failed[1].after.as_deref().unwrap().contains("officer"));
    assert_eq!(failed[4].actor, "(unknown)");
    for e in &failed {
        let text = format!("{e:?}").to_lowercase();
        assert!(
            !text.contains(&PW.to_lowercase())
                && !text.contains("wrong-password")
                && !text.contains("nobody")
                && !text.contains("typed-in-the-wrong-field"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_their_token() {
    let app = app().await;
    let token = login(&app, "officer").await;
    let admin = login(&app, "county-admin").await;
    let users = get(&app, &admin, "/api/v1/users").await;
    let officer_id = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "officer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{officer_id}/disable"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_code(
        &get(&app, &token, "/api/v1/me").await,
        401,
        "unauthenticated",
    );
    assert_code(
        &get(&app, &token, "/api/v1/households").await,
        401,
        "unauthenticated",
    );
    assert_code(
        &login_res(&app, "officer", PW).await,
        401,
        "invalid_credentials",
    );

    let res = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{officer_id}/enable"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_code(
        &get(&app, &token, "/api/v1/me").await,
        401,
        "unauthenticated",
    );
    let fresh = login(&app, "officer").await;
    assert_eq!(get(&app, &fresh, "/api/v1/me").await.status, StatusCode::OK);
}

/// A sign-in from the loopback address `from` (127.0.0.x: every one of them reaches the server).
async fn login_from(app: &TestApp, from: &str, username: &str, password: &str) -> Res {
    let c = Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    finish(
        c.post(app.url("/api/v1/login"))
            .json(&json!({"username": username, "password": password})),
    )
    .await
}

#[tokio::test]
async fn repeated_failures_lock_the_pair_slow_the_account_and_lock_the_address() {
    let app = app().await;
    // the officer works from 127.0.0.3
    let res = login_from(&app, "127.0.0.3", "officer", PW).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for _ in 0..5 {
        assert_code(
            &login_from(&app, "127.0.0.1", "officer", "wrong-password").await,
            401,
            "invalid_credentials",
        );
    }
    // that address is locked out of the account: even the right password is refused, with the
    // time to wait
    let res = login_from(&app, "127.0.0.1", "officer", PW).await;
    assert_code(&res, 429, "too_many_attempts");
    let wait: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&wait), "{wait}");
    // the browser form is locked as well
    let res = finish(
        client()
            .post(app.url("/login"))
            .form(&[("username", "officer"), ("password", PW)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text.contains("登录失败次数过多"), "{}", res.text);
    // the owner is not locked out: from the address they sign in from, at once…
    let res = login_from(&app, "127.0.0.3", "officer", PW).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // …and from a new address the account is only slowed (seconds, not a quarter of an hour)
    // (its failures were forgotten when it signed in; a guesser spread over five addresses)
    for i in 4..9 {
        assert_code(
            &login_from(&app, &format!("127.0.0.{i}"), "officer", "wrong-password").await,
            401,
            "invalid_credentials",
        );
    }
    let res = login_from(&app, "127.0.0.2", "officer", PW).await;
    assert_code(&res, 429, "too_many_attempts");
    let wait: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert!(
        res.body["message"].as_str().unwrap().contains("秒"),
        "{}",
        res.text
    );
    // another account from the locked address is not locked…
    login(&app, "auditor").await;
    // …until the address has failed 20 times in all (5 above, 15 here)
    for i in 0..15 {
        assert_code(
            &login_res(&app, &format!("guess{i}"), "x").await,
            401,
            "invalid_credentials",
        );
    }
    assert_code(
        &login_res(&app, "auditor", PW).await,
        429,
        "too_many_attempts",
    );
    // refused attempts are not audited one by one; the failures are
    let log = audit(app.store()).await;
    assert_eq!(
        log.iter().filter(|e| e.action == "login.failed").count(),
        25
    );
}

/// The cookie a `Set-Cookie` header sets, as `name=value`.
fn cookie_of(res: &Res) -> String {
    let sc = res.headers[SET_COOKIE].to_str().unwrap();
    sc.split(';').next().unwrap().to_string()
}

async fn browser_login(app: &TestApp, username: &str) -> (Res, String) {
    let res = finish(
        client()
            .post(app.url("/login"))
            .form(&[("username", username), ("password", PW)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    let cookie = cookie_of(&res);
    (res, cookie)
}

async fn with_cookie(
    app: &TestApp,
    cookie: &str,
    method: Method,
    path: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Res {
    let mut req = client()
        .request(method, app.url(path))
        .header(COOKIE, cookie);
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    finish(req).await
}

#[tokio::test]
async fn browser_sessions_need_csrf_tokens_for_changes() {
    let app = app().await;
    let page = finish(client().get(app.url("/login"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<form") && page.text.contains("用户名"));
    let bad = finish(
        client()
            .post(app.url("/login"))
            .form(&[("username", "admin"), ("password", "nope")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.text.contains("用户名或密码错误"));
    assert!(!bad.headers.contains_key(SET_COOKIE));

    let (res, cookie) = browser_login(&app, "admin").await;
    assert_eq!(res.headers["location"], "/");
    let sc = res.headers[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("fupin_session=") && cookie.len() == 14 + 64,
        "{sc}"
    );
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(sc.contains(part), "{sc}");
    }
    assert!(!sc.contains("Secure"), "plain HTTP: {sc}");
    // behind a TLS proxy the cookie is Secure
    let tls = finish(
        client()
            .post(app.url("/login"))
            .header("x-forwarded-proto", "https")
            .form(&[("username", "admin"), ("password", PW)]),
    )
    .await;
    assert!(tls.headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));

    let me = with_cookie(&app, &cookie, Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(me.body["username"], "admin", "{}", me.text);
    // signing in again from a browser that holds a session needs no CSRF token, and replaces the
    // old session
    let again = finish(
        client()
            .post(app.url("/login"))
            .header(COOKIE, &cookie)
            .form(&[("username", "admin"), ("password", PW)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text);
    let me = with_cookie(&app, &cookie, Method::GET, "/api/v1/me", None, None).await;
    assert_code(&me, 401, "unauthenticated");
    let cookie = cookie_of(&again);
    let session = with_cookie(&app, &cookie, Method::GET, "/api/v1/session", None, None).await;
    let csrf = session.body["csrf_token"].as_str().unwrap().to_string();
    assert_eq!(csrf.len(), 64);
    assert_eq!(session.body["user"]["username"], "admin");

    // a JSON change without the header, or with a wrong one, is refused and changes nothing
    let path = "/api/v1/regions/360124106204/profiles/2018";
    let profile = json!({"collective_income_fen": 7_000_000, "rural_population": 1200});
    for token in [None, Some("0".repeat(64).as_str())] {
        let res = with_cookie(
            &app,
            &cookie,
            Method::PUT,
            path,
            token,
            Some(profile.clone()),
        )
        .await;
        assert_code(&res, 403, "csrf_failed");
    }
    let profiles = with_cookie(
        &app,
        &cookie,
        Method::GET,
        "/api/v1/regions/360124106204/profiles",
        None,
        None,
    )
    .await;
    assert_eq!(profiles.body, json!([]), "nothing written");
    let res = with_cookie(&app, &cookie, Method::PUT, path, Some(&csrf), Some(profile)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // a bearer token needs no CSRF token
    let token = login(&app, "admin").await;
    let res = call(
        &app,
        &token,
        Method::PUT,
        path,
        Some(json!({"collective_income_fen": 1})),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // signing out: a form post without the token is refused, and the session lives on…
    let res = finish(
        client()
            .post(app.url("/logout"))
            .header(COOKIE, &cookie)
            .form(&[("x", "y")]),
    )
    .await;
    assert_code(&res, 403, "csrf_failed");
    let res = finish(
        client()
            .post(app.url("/logout"))
            .header(COOKIE, &cookie)
            .form(&[("csrf_token", "f".repeat(64))]),
    )
    .await;
    assert_code(&res, 403, "csrf_failed");
    let me = with_cookie(&app, &cookie, Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(me.status, StatusCode::OK);
    // …and with it the session ends and the cookie is cleared
    let res = finish(
        client()
            .post(app.url("/logout"))
            .header(COOKIE, &cookie)
            .form(&[("csrf_token", csrf.as_str())]),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
    assert_eq!(res.headers["location"], "/login");
    assert!(res.headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let me = with_cookie(&app, &cookie, Method::GET, "/api/v1/me", None, None).await;
    assert_code(&me, 401, "unauthenticated");
    assert!(
        me.headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"),
        "a dead cookie is cleared"
    );
    let log = audit(app.store()).await;
    let logout = log
        .iter()
        .find(|e| e.action == "logout")
        .expect("logout audited");
    assert_eq!(logout.actor, "admin");
    assert!(log
        .iter()
        .any(|e| e.action == "login" && e.after.as_deref().unwrap().contains("session")));
}

#[tokio::test]
async fn sessions_end_after_their_time_limits() {
    // A server of our own, with limits short enough to wait for.
    let db = test_store().await;
    import_regions(db.store.as_ref()).await;
    create_user(
        db.store.as_ref(),
        "officer",
        PW,
        &[(Role::Officer, "360124000000")],
    )
    .await;
    let auth = fupin_web::AuthConfig {
        session_idle: time::Duration::milliseconds(1500),
        session_max: time::Duration::seconds(3),
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = fupin_web::AppState::with_auth(db.store.clone(), auth);
    let server = tokio::spawn(fupin_web::serve(listener, state, async {
        let _ = rx.await;
    }));
    let sign_in = || async {
        let res = finish(
            client()
                .post(format!("{base}/login"))
                .form(&[("username", "officer"), ("password", PW)]),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        cookie_of(&res)
    };
    let me = |cookie: String| {
        let url = format!("{base}/api/v1/me");
        async move {
            finish(client().get(url).header(COOKIE, cookie))
                .await
                .status
        }
    };
    // idle: unused for longer than the idle limit
    let cookie = sign_in().await;
    assert_eq!(me(cookie.clone()).await, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    assert_eq!(me(cookie).await, StatusCode::UNAUTHORIZED);
    // absolute: in use all along, but older than the absolute limit (the idle limit is measured from
    // the last recorded use, recorded at most once a minute, so keep the calls inside it)
    let cookie = sign_in().await;
    let start = std::time::Instant::now();
    let mut last = StatusCode::OK;
    while start.elapsed() < std::time::Duration::from_millis(3300) {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        last = me(cookie.clone()).await;
        if last != StatusCode::OK {
            break;
        }
    }
    assert_eq!(last, StatusCode::UNAUTHORIZED);
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn users_are_administered_within_the_admins_regions() {
    let app = app().await;
    let admin = login(&app, "county-admin").await;
    let officer = login(&app, "officer").await;
    assert_code(
        &get(&app, &officer, "/api/v1/users").await,
        403,
        "forbidden",
    );

    let res = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(
            json!({"username": "Xiao-Li", "display_name": "小李", "phone": "13800001111",
                    "password": "first-password"}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["username"], "xiao-li");
    assert!(
        !res.text.contains("13800001111"),
        "phone masked: {}",
        res.text
    );
    assert!(!res.text.contains("first-password") && !res.text.contains("argon"));
    let id = res.body["id"].as_i64().unwrap();
    let res = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/users",
        Some(json!({"username": "weak", "display_name": "弱", "password": "12345678"})),
    )
    .await;
    assert_code(&res, 422, "password_too_weak");

    let grants = format!("/api/v1/users/{id}/grants");
    let res = call(
        &app,
        &admin,
        Method::POST,
        &grants,
        Some(json!({"role": "officer", "region": "360124106204"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["grants"][0]["role"], "officer");
    for (body, why) in [
        (
            json!({"role": "view_pii", "region": "360124106204"}),
            "a right the admin lacks",
        ),
        (
            json!({"role": "officer", "region": "360000000000"}),
            "above the admin's region",
        ),
    ] {
        let res = call(&app, &admin, Method::POST, &grants, Some(body)).await;
        assert_eq!(
            (res.status.as_u16(), res.body["code"].as_str()),
            (403, Some("forbidden")),
            "{why}: {}",
            res.text
        );
    }
    let token = login_res(&app, "xiao-li", "first-password").await;
    assert_eq!(token.status, StatusCode::OK);
    let list = get(&app, &admin, "/api/v1/users").await;
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"xiao-li"), "{names:?}");
    assert!(
        !names.contains(&"admin"),
        "the province admin is beyond: {names:?}"
    );

    // a new password: the old one stops working
    let res = call(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/v1/users/{id}/password"),
        Some(json!({"password": "second-password"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    assert_code(
        &login_res(&app, "xiao-li", "first-password").await,
        401,
        "invalid_credentials",
    );
    assert_eq!(
        login_res(&app, "xiao-li", "second-password").await.status,
        StatusCode::OK
    );

    let res = call(
        &app,
        &admin,
        Method::DELETE,
        &grants,
        Some(json!({"role": "officer", "region": "360124106204"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["grants"], json!([]));

    // an admin cannot lock themselves out
    let me = get(&app, &admin, "/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap();
    let res = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{me}/disable"),
        None,
    )
    .await;
    assert_code(&res, 422, "cannot_disable_self");
    // the province admin is beyond a county admin
    let everyone = get(&app, &login(&app, "admin").await, "/api/v1/users").await;
    let top = everyone.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{top}/disable"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
}

/// A village admin manages only accounts whose every grant lies in their village: the user who is
/// an officer of 三房 and also acts in 塔岗 (with `view_pii`) cannot be taken over from 三房, and
/// 三房's list shows that user with the 三房 grant only. A fresh account belongs to the region of
/// the admin who created it.
#[tokio::test]
async fn an_account_acting_next_door_cannot_be_taken_over() {
    const TAGANG: &str = "360124106204";
    const SANFANG: &str = "360124106205";
    let app = app().await;
    let s = app.store().as_ref();
    create_user(s, "sanfang-admin", PW, &[(Role::Admin, SANFANG)]).await;
    create_user(s, "tagang-admin", PW, &[(Role::Admin, TAGANG)]).await;
    let shared = create_user(
        s,
        "shared",
        PW,
        &[
            (Role::Officer, SANFANG),
            (Role::Officer, TAGANG),
            (Role::ViewPii, TAGANG),
        ],
    )
    .await;
    let id = shared.id.0;
    let sanfang = login(&app, "sanfang-admin").await;
    let tries: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::PUT,
            format!("/api/v1/users/{id}/password"),
            Some(json!({"password": "taken-over-1"})),
        ),
        (Method::POST, format!("/api/v1/users/{id}/disable"), None),
        (Method::POST, format!("/api/v1/users/{id}/enable"), None),
        (
            Method::POST,
            format!("/api/v1/users/{id}/grants"),
            Some(json!({"role": "viewer", "region": SANFANG})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/users/{id}/grants"),
            Some(json!({"role": "officer", "region": SANFANG})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/users/{id}/grants"),
            Some(json!({"role": "officer", "region": TAGANG})),
        ),
    ];
    let missing = call(
        &app,
        &sanfang,
        Method::POST,
        "/api/v1/users/999999/disable",
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for (method, path, body) in tries {
        let res = call(&app, &sanfang, method.clone(), &path, body).await;
        assert!(
            res.status == StatusCode::NOT_FOUND || res.status == StatusCode::FORBIDDEN,
            "{method} {path}: {} {}",
            res.status,
            res.text
        );
        if res.status == StatusCode::NOT_FOUND {
            assert_eq!(
                res.body, missing.body,
                "the same answer as for no such user"
            );
        }
    }
    // nothing changed: the old password works, the grants are all there
    let (u, _) = s.user_credentials("shared").await.unwrap().unwrap();
    assert_eq!((u.grants, u.disabled), (shared.grants.clone(), false));
    login(&app, "shared").await;

    // 三房's list shows the user with the 三房 grant only
    let list = get(&app, &sanfang, "/api/v1/users").await;
    assert_eq!(list.status, StatusCode::OK);
    let row = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "shared")
        .expect("listed")
        .clone();
    assert_eq!(
        row["grants"],
        json!([{"role": "officer", "region": SANFANG}])
    );
    assert!(!list.text.contains(TAGANG), "{}", list.text);

    // the township admin covers every grant and may reset the password
    create_user(s, "township-admin", PW, &[(Role::Admin, "360124106000")]).await;
    let township = login(&app, "township-admin").await;
    let res = call(
        &app,
        &township,
        Method::PUT,
        &format!("/api/v1/users/{id}/password"),
        Some(json!({"password": "reset-by-township"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);

    // a fresh account of 塔岗's admin is not 三房's to claim, nor to see
    let tagang = login(&app, "tagang-admin").await;
    let res = call(
        &app,
        &tagang,
        Method::POST,
        "/api/v1/users",
        Some(json!({"username": "fresh", "display_name": "新账号", "password": "fresh-password"})),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["home_region"], TAGANG);
    let fresh = res.body["id"].as_i64().unwrap();
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/users/{fresh}/grants"),
            Some(json!({"role": "officer", "region": SANFANG})),
        ),
        (
            Method::PUT,
            format!("/api/v1/users/{fresh}/password"),
            Some(json!({"password": "taken-over-2"})),
        ),
    ] {
        let res = call(&app, &sanfang, method, &path, body).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text);
    }
    let list = get(&app, &sanfang, "/api/v1/users").await;
    assert!(!list.text.contains("\"fresh\""), "{}", list.text);
    let res = call(
        &app,
        &tagang,
        Method::POST,
        &format!("/api/v1/users/{fresh}/grants"),
        Some(json!({"role": "officer", "region": TAGANG})),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // nor may an admin place a new account in another region
    let res = call(
        &app,
        &sanfang,
        Method::POST,
        "/api/v1/users",
        Some(
            json!({"username": "planted", "display_name": "外", "password": "planted-password",
                    "region": TAGANG}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    assert!(s.user_credentials("planted").await.unwrap().is_none());
}

#[tokio::test]
async fn auditors_read_the_audit_log() {
    let app = app().await;
    let officer = login(&app, "officer").await;
    let h = call(
        &app,
        &officer,
        Method::POST,
        "/api/v1/households",
        Some(household("H1", "360124106204", &idn("19700101", 11))),
    )
    .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    assert_code(
        &get(&app, &officer, "/api/v1/audit").await,
        403,
        "forbidden",
    );
    let auditor = login(&app, "auditor").await;
    let res = get(&app, &auditor, "/api/v1/audit?action=household.create").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["total"], 1);
    let e = &res.body["items"][0];
    assert_eq!(
        (e["actor"].as_str(), e["region"].as_str()),
        (Some("officer"), Some("360124106204"))
    );
    let res = get(
        &app,
        &auditor,
        "/api/v1/audit?actor=officer&per_page=2&page=1",
    )
    .await;
    assert!(res.body["total"].as_u64().unwrap() >= 2, "{}", res.text);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    // the auditor cannot write
    let res = call(
        &app,
        &auditor,
        Method::POST,
        "/api/v1/households",
        Some(household("H2", "360124106204", &idn("19700101", 21))),
    )
    .await;
    assert_code(&res, 403, "forbidden");
}

#[tokio::test]
async fn unmasking_needs_the_right_and_a_reason_and_is_audited() {
    let app = app().await;
    let officer = login(&app, "officer").await;
    let head = idn("19700101", 11);
    let h = call(
        &app,
        &officer,
        Method::POST,
        "/api/v1/households",
        Some(household("H1", "360124106204", &head)),
    )
    .await;
    assert_eq!(h.status, StatusCode::CREATED, "{}", h.text);
    let id = h.body["id"].as_i64().unwrap();
    let path = format!("/api/v1/households/{id}");
    for secret in [
        head.as_str(),
        "13812345678",
        "6217001234567890123",
        "13912345678",
    ] {
        assert!(!h.text.contains(secret), "{secret} in the create answer");
    }

    let admin = login(&app, "admin").await;
    let masked = get(&app, &admin, &path).await;
    assert!(!masked.text.contains(&head), "masked by default");
    assert_code(
        &get(&app, &admin, &format!("{path}?unmask=true")).await,
        422,
        "reason_required",
    );
    assert_code(
        &get(&app, &admin, &format!("{path}?unmask=true&reason=%20%20")).await,
        422,
        "reason_required",
    );
    let long = "字".repeat(201);
    assert_code(
        &get(&app, &admin, &format!("{path}?unmask=true&reason={long}")).await,
        422,
        "reason_required",
    );
    assert_code(
        &get(&app, &admin, &format!("{path}?unmask=yes&reason=x")).await,
        400,
        "invalid_parameter",
    );
    // no view_pii at all; view_pii elsewhere only
    assert_code(
        &get(&app, &officer, &format!("{path}?unmask=true&reason=x")).await,
        403,
        "no_unmask_right",
    );
    let pii_elsewhere = login(&app, "pii-officer").await;
    assert_code(
        &get(
            &app,
            &pii_elsewhere,
            &format!("{path}?unmask=true&reason=x"),
        )
        .await,
        403,
        "no_unmask_right",
    );
    let none = audit(app.store()).await;
    assert!(
        !none.iter().any(|e| e.action == "unmask"),
        "refusals show nothing, log nothing"
    );

    let reason = "核对低保申请材料";
    let full = get(&app, &admin, &format!("{path}?unmask=true&reason={reason}")).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.text);
    assert_eq!(full.headers["cache-control"], "no-store");
    assert_eq!(full.body["members"][0]["id_number"], head.as_str());
    assert_eq!(full.body["bank_account"], "6217001234567890123");
    assert_eq!(full.body["phone"], "13812345678");

    let log = audit(app.store()).await;
    let unmask: Vec<_> = log.iter().filter(|e| e.action == "unmask").collect();
    assert_eq!(unmask.len(), 1);
    let e = unmask[0];
    assert_eq!(e.actor, "admin");
    assert_eq!(e.entity, "household");
    assert_eq!(e.entity_id.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(e.region.as_deref(), Some("360124106204"));
    assert_eq!(e.client.as_deref(), Some("127.0.0.1"));
    let details: Value = serde_json::from_str(e.after.as_deref().unwrap()).unwrap();
    assert_eq!(details, json!({"reason": reason}));
    // the county auditor sees the unmasked read in the log
    let auditor = login(&app, "auditor").await;
    let res = get(&app, &auditor, "/api/v1/audit?action=unmask").await;
    assert_eq!(res.body["total"], 1, "{}", res.text);
    assert!(app.store().verify_audit().await.unwrap().is_ok());
}

/// The grants of the caller as an API token and a browser session of theirs each see them now
/// (the two must agree), as `(role, region)`.
async fn seen_grants(app: &TestApp, token: &str, cookie: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for req in [
        client().get(app.url("/api/v1/me")).bearer_auth(token),
        client().get(app.url("/api/v1/me")).header(COOKIE, cookie),
    ] {
        let res = finish(req).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let grants: Vec<(String, String)> = res.body["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["role"].as_str().unwrap().to_string(),
                    g["region"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        seen.push(grants);
    }
    assert_eq!(seen[0], seen[1], "token and session see the same grants");
    seen.remove(0)
}

/// The grants a request acts with are read with the request itself: grants given or taken away —
/// here by another writer on the same database, as the command line is — count on the very next
/// request, through an API token and a browser session alike, and an account left without grants
/// still signs in (and may do nothing bound to a region).
#[tokio::test]
async fn grant_changes_count_on_the_next_request() {
    use fupin_core::accounts::{Grant, UserId};
    use fupin_core::RegionCode;
    let app = app().await;
    let token = login(&app, "officer").await;
    let (_, cookie) = browser_login(&app, "officer").await;
    let g = |r: &str, c: &str| (r.to_string(), c.to_string());
    assert_eq!(
        seen_grants(&app, &token, &cookie).await,
        vec![g("officer", "360124000000")]
    );
    let id = UserId(
        get(&app, &token, "/api/v1/me").await.body["id"]
            .as_i64()
            .unwrap(),
    );
    let cli = Ctx::system("system:cli");
    let grant = |role: Role, code: &str| Grant {
        role,
        region: RegionCode::parse(code).unwrap(),
    };
    for (role, code) in [
        (Role::ViewPii, "360124106204"),
        (Role::Auditor, "360124000000"),
    ] {
        app.store()
            .grant(&cli, id, grant(role, code))
            .await
            .unwrap();
    }
    assert_eq!(
        seen_grants(&app, &token, &cookie).await,
        vec![
            g("auditor", "360124000000"),
            g("officer", "360124000000"),
            g("view_pii", "360124106204"),
        ],
        "every grant, in the order of the users' listing"
    );
    assert_eq!(
        get(&app, &token, "/api/v1/households").await.status,
        StatusCode::OK
    );
    for (role, code) in [
        (Role::Auditor, "360124000000"),
        (Role::ViewPii, "360124106204"),
        (Role::Officer, "360124000000"),
    ] {
        app.store()
            .revoke_grant(&cli, id, grant(role, code))
            .await
            .unwrap();
    }
    assert_eq!(
        seen_grants(&app, &token, &cookie).await,
        vec![],
        "signed in, without grants"
    );
    assert_code(
        &get(&app, &token, "/api/v1/households").await,
        403,
        "forbidden",
    );
}
