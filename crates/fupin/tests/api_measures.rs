//! Assistance measures over HTTP on the full demo (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): a refused loan names its field in Chinese, an employment's
//! destination comes back derived, the household lists its measures with their history.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const TAGANG: &str = "360124106204";

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn record_and_read_measures() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let c = Client::new();
    let get = |uri: String| c.get(app.url(&uri)).bearer_auth(&token);
    let (_, list) = send(get(format!(
        "/api/v1/households?region={TAGANG}&per_page=1"
    )))
    .await;
    let h = list["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = send(get(format!("/api/v1/households/{h}"))).await;
    let person = detail["members"][0]["id"].as_i64().unwrap();

    // a microcredit loan of 60,000 yuan is refused, naming the field, in Chinese
    let loan = json!({
        "household_id": h, "person_id": person, "kind": "扶贫小额信贷", "start_date": "2018-03-01",
        "amount_fen": 6_000_000, "provider": "进贤农商银行",
        "details": {"form": "loan", "term_months": 36, "annual_rate_bp": 435, "purpose": "养殖"},
    });
    let (status, body) = send(
        c.post(app.url("/api/v1/measures"))
            .bearer_auth(&token)
            .json(&loan),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("over_limit"), Some("amount_fen"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("扶贫小额信贷金额不能超过"),
        "{body}"
    );
    // a number past i64 is a 4xx, not a crash
    let overflowing = r#"{"household_id": 1, "kind": "危房改造", "start_date": "2019-01-01", "amount_fen": 99999999999999999999}"#;
    let (status, _) = send(
        c.post(app.url("/api/v1/measures"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(overflowing),
    )
    .await;
    assert!(status.is_client_error(), "{status}");

    // a job in Shenzhen comes back as 跨省, without being told
    let job = json!({
        "household_id": h, "person_id": person, "kind": "务工就业", "start_date": "2019-02-01",
        "details": {"form": "employment", "employer": "深圳某电子厂", "employer_region_code": "440300000000",
                    "employment_form": "外出务工", "months": 10, "monthly_wage_fen": 450_000},
    });
    let (status, m) = send(
        c.post(app.url("/api/v1/measures"))
            .bearer_auth(&token)
            .json(&job),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["details"]["destination"], "cross_province");
    assert_eq!(m["origin"], "entered");
    let id = m["id"].as_i64().unwrap();

    // moved to the county: 县内, version 2, both versions in the history
    let mut moved = job.clone();
    moved["details"]["employer_region_code"] = json!("360124000000");
    let (status, m) = send(
        c.put(app.url(&format!("/api/v1/measures/{id}")))
            .bearer_auth(&token)
            .json(&moved),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (m["details"]["destination"].as_str(), m["version"].as_i64()),
        (Some("in_county"), Some(2))
    );
    let (_, history) = send(get(format!("/api/v1/measures/{id}/history"))).await;
    let dests: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["data"]["details"]["destination"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(dests, ["cross_province", "in_county"]);
    let (_, all) = send(get(format!("/api/v1/households/{h}/measures"))).await;
    assert!(
        all.as_array().unwrap().iter().any(|x| x["id"] == id),
        "{all}"
    );
    // the services report of 2019 counts the job in the county, from the aggregates
    let (status, r) = send(get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-01&to=2019-12-31"
    )))
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["employment"]["in_county"]["registered"], 1, "{r}");
    assert_eq!(r["employment"]["cross_province"]["registered"], 0, "{r}");
    // the same report as a sheet: a workbook, or CSV lines with the registered part
    let res = get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-01&to=2019-12-31&format=xlsx"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("services-report-360124106204-2019-01-01-2019-12-31.xlsx"));
    assert_eq!(&res.bytes().await.unwrap()[..2], b"PK", "an XLSX workbook");
    let (status, csv) = send(get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-01&to=2019-12-31&format=csv"
    )))
    .await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap().to_string();
    assert!(csv.contains("塔岗"), "{csv}");
    assert!(csv.contains("务工就业,县内就业,1,1,人"), "{csv}");
    let (status, r) = send(get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-01&to=2019-12-31&format=pdf"
    )))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    let (status, r) = send(get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-05&to=2019-12-31"
    )))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(
        (r["code"].as_str(), r["field"].as_str()),
        (Some("period_not_whole_months"), Some("from"))
    );
    let (status, _) = send(get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2019-01-01"
    )))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, cat) = send(get("/api/v1/measure-catalogue".into())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cat["categories"].as_array().unwrap().len(), 13);
}
