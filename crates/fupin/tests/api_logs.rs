//! No personal data and no secrets in the logs: a whole flow — signing in with a password (API and
//! browser), creating a household with ID numbers, phones and a bank account, reading it unmasked,
//! searching by ID number, a failed sign-in — with every log line of the process captured at the
//! most verbose level, then searched for each of those values.
//!
//! One test in this binary: the capturing subscriber is the process-wide default (a thread-local one
//! misses lines logged on the server's worker threads).

mod common;

use common::store::idn;

use fupin::testing::{create_user, spawn_app};
use fupin_core::accounts::Role;
use fupin_core::regions::RegionRecord;
use fupin_core::Ctx;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Mutex;

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_personal_data_or_secrets() {
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_writer(|| LogWriter)
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .finish(),
    )
    .expect("no other subscriber");

    let app = spawn_app().await;
    let recs = [
        ("360000000000", "province", "江西省", ""),
        ("360100000000", "city", "南昌市", "360000000000"),
        ("360124000000", "county", "进贤县", "360100000000"),
        ("360124106000", "township", "罗溪镇", "360124000000"),
        ("360124106204", "village", "塔岗村委会", "360124106000"),
    ]
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
    app.store()
        .import_regions(&Ctx::system("test"), recs)
        .await
        .unwrap();
    let password = "Zhang-San-Password-42";
    let wrong = "Wrong-Guess-Password-7";
    create_user(
        app.store().as_ref(),
        "pii-admin",
        password,
        &[
            (Role::Admin, "360000000000"),
            (Role::ViewPii, "360000000000"),
        ],
    )
    .await;
    let c = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // a failed and a successful sign-in, by API and by form
    let res = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "pii-admin", "password": wrong}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "pii-admin", "password": password}))
        .send()
        .await
        .unwrap();
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = c
        .post(app.url("/login"))
        .form(&[("username", "pii-admin"), ("password", password)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let session: Value = c
        .get(app.url("/api/v1/session"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_string();

    // a household with personal data, through the session (with its CSRF token)
    let head = idn("19700101", 11);
    let spouse = idn("19720101", 22);
    let (phone, member_phone, bank) = ("13812345678", "13987654321", "6217001234567890123");
    let res = c
        .post(app.url("/api/v1/households"))
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "household": {
                "household_number": "3601241062040001", "village_code": "360124106204", "attribute": "01",
                "identification_standard": "01", "identification_year": 2014, "main_cause": "因病",
                "phone": phone, "bank_name": "农商银行", "bank_account": bank,
            },
            "members": [
                {"name": "张三", "id_number": head, "relation": "户主", "phone": member_phone},
                {"name": "李四", "id_number": spouse, "relation": "配偶"},
            ],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // read unmasked, search by ID number (exact and not found), a duplicate (which names it)
    let full = c
        .get(app.url(&format!(
            "/api/v1/households/{id}?unmask=true&reason=%E6%A0%B8%E6%9F%A5"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(full.contains(&head) && full.contains(bank), "unmasked");
    for q in [head.as_str(), spouse.as_str(), &idn("19800101", 33)] {
        let res = c
            .get(app.url(&format!("/api/v1/households?q={q}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = c
        .post(app.url("/api/v1/households"))
        .bearer_auth(&token)
        .json(&json!({
            "household": {
                "household_number": "3601241062040002", "village_code": "360124106204", "attribute": "01",
                "identification_standard": "01", "identification_year": 2014, "main_cause": "因病",
            },
            "members": [{"name": "王五", "id_number": head, "relation": "户主"}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // an invalid ID number, echoed nowhere
    let bad_id = format!("{}0", &head[..17]);
    let res = c
        .post(app.url(&format!("/api/v1/households/{id}/members")))
        .bearer_auth(&token)
        .json(&json!({"name": "赵六", "id_number": bad_id, "relation": "之子"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());

    let log = String::from_utf8_lossy(&LOG.lock().unwrap()).to_string();
    assert!(
        log.contains("finished") && log.contains("pii-admin"),
        "the capture works: {log}"
    );
    let session_id = cookie.trim_start_matches("fupin_session=");
    for (what, secret) in [
        ("password", password),
        ("wrong password", wrong),
        ("head's ID number", head.as_str()),
        ("spouse's ID number", spouse.as_str()),
        ("searched ID number", &idn("19800101", 33)),
        ("invalid ID number", &bad_id),
        ("household phone", phone),
        ("member phone", member_phone),
        ("bank account", bank),
        ("API token", &token),
        ("session id", session_id),
        ("CSRF token", &csrf),
    ] {
        assert!(!log.contains(secret), "{what} in the logs");
    }
}
