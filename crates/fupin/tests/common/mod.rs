//! Helpers shared by the test files (`mod common;`): the API tests' demo app and sign-in, and the
//! store tests' set-up (`store`), the import tests' spreadsheets (`sheets`). Each test file uses a part of them.
#![allow(dead_code)]

pub mod pages;
pub mod sheets;
pub mod store;

use fupin::demo_accounts::DEMO_PASSWORD;
use fupin::testing::{spawn_app, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// The app with the whole demo loaded: registry, accounts, pairing and assessment.
pub async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    fupin::load_demo_all(app.store().as_ref())
        .await
        .expect("load the demo");
    app
}

/// An API token of a demo account.
pub async fn login(app: &TestApp, username: &str) -> String {
    let res = Client::new()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": username, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "login {username}");
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}
