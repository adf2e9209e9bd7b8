//! Rectification over HTTP on the full demo (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): the demo's campaigns and problems in every state, the
//! township officer's close-out request, the four-eyes refusal, the county officer's sign-off, the
//! rectification view of 罗溪镇, the pages, and 三房's officer seeing none of 塔岗's problems.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const TAGANG: &str = "360124106204";
const LUOXI: &str = "360124106000";

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
async fn the_demo_campaigns_close_out_with_four_eyes() {
    let app = demo_app().await;
    let township = login(&app, "demo-township").await;
    let county = login(&app, "demo-officer").await;
    let other = login(&app, "demo-other").await;
    let c = Client::new();

    // the two campaigns of 罗溪镇, a dozen problems in every state, one from the death list and
    // the rules' findings in 塔岗
    let (status, campaigns) =
        send(c.get(app.url("/api/v1/campaigns")).bearer_auth(&township)).await;
    assert_eq!(status, StatusCode::OK, "{campaigns}");
    let names: Vec<_> = campaigns
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2019年春季整改", "2019年夏季提升"]);
    let (_, all) = send(
        c.get(app.url(&format!("/api/v1/problems?region={LUOXI}&per_page=500")))
            .bearer_auth(&township),
    )
    .await;
    let items = all["items"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| items.iter().filter(|p| f(p)).count();
    for s in ["open", "in_progress", "close_requested", "closed"] {
        assert!(count(&|p| p["status"] == s) > 0, "no problem {s}");
    }
    assert_eq!(count(&|p| p["source"] == "comparison"), 1);
    assert!(count(&|p| p["source"] == "rule") >= 1);
    assert!(count(&|p| p["campaign_id"].is_number()) == 12);
    assert!(count(&|p| !p["escalated_to"].is_null()) >= 1);
    // times are RFC 3339 like every other time in the API, the optional ones too when set
    let rfc3339 = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap_or_default(),
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok()
    };
    for p in items {
        for k in ["created_at", "updated_at"] {
            assert!(rfc3339(&p[k]), "{k}: {}", p[k]);
        }
        for k in ["close_requested_at", "closed_at", "escalated_at"] {
            assert!(p[k].is_null() || rfc3339(&p[k]), "{k}: {}", p[k]);
        }
    }
    assert!(count(&|p| rfc3339(&p["closed_at"])) > 0);
    for c in campaigns.as_array().unwrap() {
        assert!(rfc3339(&c["created_at"]), "{c}");
    }

    // an overdue item of 塔岗: progress, close-out request, refused self sign-off, county sign-off
    let item = items
        .iter()
        .find(|p| p["description"] == "饮水安全：自来水未入户")
        .unwrap();
    assert_eq!(item["overdue"], true);
    let id = item["id"].as_i64().unwrap();
    let step = |token: &str, body: Value| {
        c.post(app.url(&format!("/api/v1/problems/{id}/steps")))
            .bearer_auth(token)
            .json(&body)
    };
    let (status, body) = send(step(&township, json!({"action": "request_close"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("note_required"), Some("note"))
    );
    let (status, _) = send(step(
        &township,
        json!({"action": "progress", "note": "管网已铺设"}),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = send(step(
        &township,
        json!({"action": "request_close", "note": "已通水"}),
    ))
    .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (StatusCode::OK, Some("close_requested"))
    );
    let (status, body) = send(step(&township, json!({"action": "sign_off"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "same_verifier");
    // the problem's page: verification is the county's, so the township (the requester) sees
    // whose step it is and may only withdraw its request; the county sees the sign-off form
    let session = common::pages::sign_in(&app, "demo-township").await;
    let (_, page) = common::pages::get(&app, &session, &format!("/problems/{id}")).await;
    assert!(
        page.contains("id=\"step-office\"") && page.contains("由县级及以上部门办理"),
        "{page}"
    );
    assert!(!page.contains("data-action=\"sign_off\""));
    assert!(
        page.contains("data-action=\"reject\""),
        "the requester may withdraw"
    );
    let session = common::pages::sign_in(&app, "demo-officer").await;
    let (_, page) = common::pages::get(&app, &session, &format!("/problems/{id}")).await;
    assert!(page.contains("data-action=\"sign_off\"") && !page.contains("id=\"step-office\""));
    // 三房's officer: not found, and nothing changes
    let (status, _) = send(step(&other, json!({"action": "sign_off"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, p) = send(step(
        &county,
        json!({"action": "sign_off", "note": "核验属实"}),
    ))
    .await;
    assert_eq!(
        (status, p["status"].as_str()),
        (StatusCode::OK, Some("closed"))
    );
    assert_eq!(p["closed_by"], "demo-officer");
    let (_, d) = send(
        c.get(app.url(&format!("/api/v1/problems/{id}")))
            .bearer_auth(&county),
    )
    .await;
    let trail: Vec<_> = d["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(trail.first(), Some(&("create", "demo-township")));
    assert_eq!(
        &trail[trail.len() - 3..],
        [
            ("progress", "demo-township"),
            ("request_close", "demo-township"),
            ("sign_off", "demo-officer")
        ]
    );

    // the rectification view of 罗溪镇: 塔岗 a line of it, the totals the list's
    let (status, board) = send(
        c.get(app.url(&format!("/api/v1/regions/{LUOXI}/rectification")))
            .bearer_auth(&township),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(
        board["total"]["found"].as_u64().unwrap() as usize,
        items.len()
    );
    let lines = board["by_region"].as_array().unwrap();
    let tagang = lines.iter().find(|l| l["key"] == TAGANG).unwrap();
    assert!(tagang["found"].as_i64().unwrap() >= 6);
    let found: i64 = lines.iter().map(|l| l["found"].as_i64().unwrap()).sum();
    assert_eq!(found, board["total"]["found"].as_i64().unwrap());
    assert!(board["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["key"] == "罗溪镇人民政府"));

    // the ledger: a header and one row per problem, signed-off ones with their date and verifier
    let res = c
        .get(app.url(&format!(
            "/api/v1/regions/{LUOXI}/rectification-ledger?format=csv"
        )))
        .bearer_auth(&township)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let lines: Vec<_> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("序号,问题编号,整改行动,问题来源"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), items.len() + 1);
    let signed = lines.iter().find(|l| l.contains("自来水未入户")).unwrap();
    assert!(
        signed.contains("已销号") && signed.ends_with("demo-officer"),
        "{signed}"
    );
    let res = c
        .get(app.url(&format!("/api/v1/regions/{LUOXI}/rectification-ledger")))
        .bearer_auth(&township)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(&res.bytes().await.unwrap()[..2], b"PK", "an XLSX workbook");

    // 三房's officer sees none of 塔岗's problems
    let (status, page) = send(
        c.get(app.url("/api/v1/problems?per_page=500"))
            .bearer_auth(&other),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["region_code"]
            .as_str()
            .unwrap()
            .starts_with("360124106205")));
    let (status, _) = send(
        c.get(app.url(&format!("/api/v1/regions/{TAGANG}/rectification")))
            .bearer_auth(&other),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // the pages: the view, the list and the item with its trail
    for (path, marker) in [
        (format!("/rectification?region={LUOXI}"), "按责任单位"),
        (
            format!("/problems?region={TAGANG}&overdue=true"),
            "逾期未销号的问题",
        ),
        (format!("/problems/{id}"), "整改过程"),
    ] {
        let res = c
            .get(app.url(&path))
            .bearer_auth(&township)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(marker), "{path}: {marker}");
    }
}
