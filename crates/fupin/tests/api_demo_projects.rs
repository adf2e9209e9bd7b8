//! The demo's projects, assets and dividends over HTTP (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`): the seed's figures — eight projects of 2.6 million yuan, 1.76
//! million of them infrastructure and 400,000 collective economy; the peony park paying dividends to
//! all 14 registered households; collective income under 5,000 yuan in 2015 and 70,000 in 2018
//! derived from the assets' incomes; the registry's 5,558 and 7,467 yuan per capita (2016, 2018)
//! with the dividends included — and a household's trace summing exactly.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const TAGANG: &str = "360124106204";

async fn get_json(c: &Client, url: String, token: &str) -> Value {
    let res = c.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_demo_projects_reproduce_the_article() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let c = Client::new();
    let get = |uri: String| get_json(&c, app.url(&uri), &token);

    let projects = get(format!("/api/v1/regions/{TAGANG}/projects")).await;
    assert_eq!(projects["next"], serde_json::Value::Null, "one page");
    let projects = projects["items"].as_array().unwrap();
    let budget = |cat: Option<&str>| -> i64 {
        projects
            .iter()
            .filter(|p| cat.is_none_or(|c| p["category"] == c))
            .map(|p| p["budget_fen"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(projects.len(), 8);
    assert_eq!(budget(None), 260_000_000);
    assert_eq!(budget(Some("infrastructure")), 176_000_000);
    assert_eq!(budget(Some("collective_economy")), 40_000_000);
    assert!(projects.iter().all(|p| p["stage"] == "done"));
    assert_eq!(
        projects
            .iter()
            .map(|p| p["disbursed_fen"].as_i64().unwrap())
            .sum::<i64>(),
        260_000_000
    );

    let assets = get(format!("/api/v1/regions/{TAGANG}/assets")).await;
    let assets = assets.as_array().unwrap();
    assert!(assets.iter().any(|a| a["kind"] == "solar_plant"));
    let peony = assets
        .iter()
        .find(|a| a["name"].as_str().unwrap().contains("牡丹园"))
        .unwrap();
    let y2018 = peony["incomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["year"] == 2018)
        .unwrap();
    let dividends = y2018["dividends"].as_array().unwrap();
    assert_eq!(dividends.len(), 14);
    assert!(dividends.iter().all(|d| d["amount_fen"] == 60_000));
    let coops = get(format!("/api/v1/regions/{TAGANG}/cooperatives")).await;
    let coops = coops.as_array().unwrap();
    assert!(coops
        .iter()
        .any(|c| c["kind"] == "cooperative" && c["base_centimu"] == 5_000));
    assert!(coops.iter().any(|c| c["kind"] == "enterprise"
        && c["investment_fen"] == 3_000_000_000_i64
        && c["base_centimu"] == 40_000));

    // the registry's figures with the dividends in them; collective income from the assets
    let stats = |y: i32| get(format!("/api/v1/regions/{TAGANG}/stats?year={y}"));
    let s15 = stats(2015).await;
    let s16 = stats(2016).await;
    let s18 = stats(2018).await;
    assert!(s15["collective_income_fen"].as_i64().unwrap() < 500_000);
    assert_eq!(s18["collective_income_fen"], 7_000_000);
    assert_eq!(s16["per_capita_net_income_fen"], 555_800);
    assert_eq!(s18["per_capita_net_income_fen"], 746_700);

    // a household's trace: the payments to it and its dividends, summing exactly
    let h = dividends[0]["household_id"].as_i64().unwrap();
    let t = get(format!("/api/v1/households/{h}/funds-trace")).await;
    let items = t["items"].as_array().unwrap();
    let sum: i64 = items
        .iter()
        .map(|i| i["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(t["total_fen"].as_i64().unwrap(), sum);
    assert_eq!(
        t["dividend_fen"].as_i64().unwrap(),
        30_000 + 60_000 + 100_000
    );
    // the household production subsidy of 3,000 yuan reached every household
    assert!(items
        .iter()
        .any(|i| i["kind"] == "disbursement" && i["amount_fen"] == 300_000));
    let household = get(format!("/api/v1/households/{h}")).await;
    let i18 = household["incomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["year"] == 2018)
        .unwrap()
        .clone();
    assert_eq!(i18["dividend_fen"], 60_000);

    // another village's officer sees none of it
    let other = login(&app, "demo-other").await;
    let res = c
        .get(app.url(&format!("/api/v1/households/{h}/funds-trace")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert!(matches!(
        res.status(),
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
    ));
}

#[tokio::test]
async fn a_cadre_sees_what_reached_the_paired_household_only() {
    let app = demo_app().await;
    let c = Client::new();
    let cadre = login(&app, "demo-cadre").await;
    // the households paired with the cadre today
    let mine = get_json(&c, app.url("/api/v1/households?per_page=100"), &cadre).await;
    let mine: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert!(!mine.is_empty());
    let h = mine[0];
    // the trace of a paired household, as its village's officer sees it
    let officer = login(&app, "demo-officer").await;
    let url = app.url(&format!("/api/v1/households/{h}/funds-trace"));
    let t = get_json(&c, url.clone(), &cadre).await;
    assert_eq!(t, get_json(&c, url, &officer).await);
    assert!(t["dividend_fen"].as_i64().unwrap() > 0, "{t}");
    // the household page (the phone's) shows the section, not 无法读取
    let s = common::pages::sign_in(&app, "demo-cadre").await;
    let (status, body) = common::pages::get(&app, &s, &format!("/households/{h}")).await;
    assert_eq!(status, StatusCode::OK);
    let section = &body[body.find("id=\"funds-trace\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("id=\"trace\""), "{section}");
    assert!(!section.contains("无法读取"), "{section}");
    // another 塔岗 household, not paired with the cadre: none of it
    let all = get_json(
        &c,
        app.url(&format!("/api/v1/households?region={TAGANG}&per_page=100")),
        &officer,
    )
    .await;
    let other = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .find(|id| !mine.contains(id))
        .unwrap();
    let res = c
        .get(app.url(&format!("/api/v1/households/{other}/funds-trace")))
        .bearer_auth(&cadre)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
