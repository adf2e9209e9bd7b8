//! The pages tests' browser-less client: a signed-in session (cookie and CSRF token) of a demo
//! account, GET and form POST with it, and the error shown beside an input.

use fupin::testing::TestApp;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub async fn sign_in(app: &TestApp, username: &str) -> Session {
    let res = client()
        .post(app.url("/login"))
        .form(&[("username", username), ("password", "fupin-demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
    let cookie = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let info: Value = client()
        .get(app.url("/api/v1/session"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Session {
        cookie,
        csrf: info["csrf_token"].as_str().unwrap().to_string(),
    }
}

pub async fn get(app: &TestApp, s: &Session, path: &str) -> (StatusCode, String) {
    let (status, _, body) = get_typed(app, s, path).await;
    (status, body)
}

/// A GET with the answer's content type: (status, content type, body as text).
pub async fn get_typed(app: &TestApp, s: &Session, path: &str) -> (StatusCode, String, String) {
    let res = client()
        .get(app.url(path))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
    (status, ct, body)
}

pub async fn json(app: &TestApp, s: &Session, path: &str) -> Value {
    let (status, body) = get(app, s, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

pub async fn post(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut f: Vec<(&str, &str)> = vec![("csrf_token", s.csrf.as_str())];
    f.extend_from_slice(fields);
    client()
        .post(app.url(path))
        .header(COOKIE, &s.cookie)
        .form(&f)
        .send()
        .await
        .unwrap()
}

/// The message shown beside the input `id` (the `p.field-error` the input names).
pub fn beside(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}-error\""))
        .unwrap_or_else(|| panic!("no error beside {id}"));
    body[at..].split("</p>").next().unwrap().to_string()
}
