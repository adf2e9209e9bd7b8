//! Projects and funds over HTTP on the full demo (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): a project without targets is refused naming the field, a
//! county officer takes a project through its lifecycle with its money, `demo-other` sees none of
//! it.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const TAGANG: &str = "360124106204";
const JINXIAN: &str = "360124000000";

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn project(h: i64) -> Value {
    json!({
        "village_code": TAGANG, "name": "塔岗村安全饮水工程", "category": "基础设施",
        "sub_category": "饮水", "year": 2017,
        "planned_start": "2017-03-01", "planned_end": "2017-09-30",
        "responsible_unit": "进贤县水利局", "responsible_person": "李工",
        "content": "铺设供水管网", "budget_fen": 20_000_000,
        "targets": [{"indicator": "受益户数", "value": "全村"}],
        "beneficiaries": [{"household_id": h, "mode": "公共服务"}],
        "participation": "村民代表大会表决通过", "proposed_on": "2017-01-05",
    })
}

#[tokio::test]
async fn a_project_through_its_lifecycle_with_its_money() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let c = Client::new();
    let get = |uri: String| c.get(app.url(&uri)).bearer_auth(&token);
    let post = |uri: String, body: Value| c.post(app.url(&uri)).bearer_auth(&token).json(&body);
    let (_, list) = send(get(format!(
        "/api/v1/households?region={TAGANG}&per_page=1"
    )))
    .await;
    let h = list["items"][0]["id"].as_i64().unwrap();

    let mut bad = project(h);
    bad["targets"] = json!([]);
    let (status, body) = send(post("/api/v1/projects".into(), bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("targets_required"), Some("targets"))
    );
    assert!(body["message"].as_str().unwrap().contains("绩效目标"));

    let (status, p) = send(post("/api/v1/projects".into(), project(h))).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["stage"], "proposal");
    assert_eq!(p["stage_label"], "村级申报");
    let step = |date: &str| json!({"date": date, "action": "complete"});
    for d in ["2017-01-10", "2017-01-20"] {
        let (status, body) = send(post(format!("/api/v1/projects/{id}/actions"), step(d))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // county approval on 2017-02-01 starts a ten-day notice
    let (_, p) = send(post(
        format!("/api/v1/projects/{id}/actions"),
        step("2017-02-01"),
    ))
    .await;
    assert_eq!(p["stage"], "notice");
    let (status, body) = send(post(
        format!("/api/v1/projects/{id}/actions"),
        step("2017-02-10"),
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("notice_too_short"))
    );
    for d in ["2017-02-11", "2017-02-15"] {
        let (status, body) = send(post(format!("/api/v1/projects/{id}/actions"), step(d))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        send(get(format!("/api/v1/projects/{id}"))).await.1["stage"],
        "annual_plan"
    );
    let (status, src) = send(post(
        "/api/v1/fund-sources".into(),
        json!({"region_code": JINXIAN, "year": 2017, "kind": "county", "name": "2017年县级财政扶贫资金",
               "amount_fen": 50_000_000, "date": "2017-02-01"}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{src}");
    let (status, a) = send(post(
        "/api/v1/allocations".into(),
        json!({"source_id": src["id"], "project_id": id, "amount_fen": 20_000_000, "date": "2017-02-20"}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let aid = a["id"].as_i64().unwrap();
    let (status, body) = send(post(
        format!("/api/v1/allocations/{aid}/receipts"),
        json!({"amount_fen": 20_000_001, "date": "2017-02-25"}),
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("exceeds_allocation"))
    );
    let (status, _) = send(post(
        format!("/api/v1/allocations/{aid}/receipts"),
        json!({"amount_fen": 20_000_000, "date": "2017-02-25"}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED);
    for d in ["2017-02-26", "2017-03-01"] {
        let (status, body) = send(post(format!("/api/v1/projects/{id}/actions"), step(d))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = send(post(
        format!("/api/v1/allocations/{aid}/disbursements"),
        json!({"payee": "进贤县某水务公司", "amount_fen": 12_000_000, "date": "2017-04-01", "voucher": "记-2017-041"}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, funds) = send(get(format!("/api/v1/projects/{id}/funds"))).await;
    assert_eq!(
        (
            funds["allocated_fen"].as_i64(),
            funds["received_fen"].as_i64(),
            funds["disbursed_fen"].as_i64()
        ),
        (Some(20_000_000), Some(20_000_000), Some(12_000_000))
    );
    let (status, list) = send(get(format!(
        "/api/v1/regions/{JINXIAN}/projects?year=2017&category=基础设施"
    )))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id));

    // 三房's officer sees none of it
    let other = login(&app, "demo-other").await;
    let (status, _) = send(
        c.get(app.url(&format!("/api/v1/projects/{id}")))
            .bearer_auth(&other),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The township (`demo-township`, 罗溪镇) may propose and review 塔岗's project but not approve it for
/// the county: 403 `step_for_higher_office`, the project stays at county approval until the county's
/// officer takes the step.
#[tokio::test]
async fn the_township_cannot_take_the_countys_approval() {
    let app = demo_app().await;
    let county = login(&app, "demo-officer").await;
    let township = login(&app, "demo-township").await;
    let c = Client::new();
    let (_, list) = send(
        c.get(app.url(&format!("/api/v1/households?region={TAGANG}&per_page=1")))
            .bearer_auth(&township),
    )
    .await;
    let h = list["items"][0]["id"].as_i64().unwrap();
    let (status, p) = send(
        c.post(app.url("/api/v1/projects"))
            .bearer_auth(&township)
            .json(&project(h)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let act = |token: &str, date: &str| {
        c.post(app.url(&format!("/api/v1/projects/{id}/actions")))
            .bearer_auth(token)
            .json(&json!({"date": date, "action": "complete"}))
    };
    for d in ["2017-01-10", "2017-01-20"] {
        let (status, body) = send(act(&township, d)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = send(act(&township, "2017-02-01")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "step_for_higher_office");
    assert!(
        body["message"].as_str().unwrap().contains("县级审批"),
        "{body}"
    );
    let (status, body) = send(
        c.post(app.url(&format!("/api/v1/projects/{id}/actions")))
            .bearer_auth(&township)
            .json(&json!({"date": "2017-02-01", "action": "reject", "reason": "材料不全"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("step_for_higher_office"))
    );
    let (_, p) = send(
        c.get(app.url(&format!("/api/v1/projects/{id}")))
            .bearer_auth(&township),
    )
    .await;
    assert_eq!(
        p["stage"], "county_approval",
        "the refusals changed nothing"
    );
    // the project's page tells the township whose step it is instead of offering it
    let session = common::pages::sign_in(&app, "demo-township").await;
    let (status, page) = common::pages::get(&app, &session, &format!("/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"step-office\"") && page.contains("县级及以上"),
        "{page}"
    );
    assert!(!page.contains("id=\"step-form\"") && !page.contains("id=\"reject-form\""));
    // nor a fund source (the county's): the same kind of note instead of the form
    assert!(
        page.contains("id=\"funds-office\"") && page.contains("「登记资金来源」由县级及以上"),
        "{page}"
    );
    assert!(!page.contains("id=\"source-form\""));
    let county_session = common::pages::sign_in(&app, "demo-officer").await;
    let (_, page) = common::pages::get(&app, &county_session, &format!("/projects/{id}")).await;
    assert!(page.contains("id=\"step-form\"") && !page.contains("id=\"step-office\""));
    assert!(page.contains("id=\"source-form\"") && !page.contains("id=\"funds-office\""));
    let (status, p) = send(act(&county, "2017-02-01")).await;
    assert_eq!(
        (status, p["stage"].as_str()),
        (StatusCode::OK, Some("notice")),
        "{p}"
    );
}
