//! 塔岗's measures in the demo over HTTP (SQLite, or PostgreSQL with `TEST_DATABASE_URL=postgres://…`):
//! the article's five households on public-welfare posts, two startup loans, five households
//! employed near home and two outreach clinics with 100+ person-times and 30,000+ yuan of
//! medicine, read back through the services report of 塔岗 for the article's period, and the
//! households behind the counts through the posts and the households' measures.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

const TAGANG: &str = "360124106204";

async fn get_json(c: &Client, url: String, token: &str) -> Value {
    let res = c.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn tagang_measures_reproduce_the_article() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let c = Client::new();
    let get = |uri: String| get_json(&c, app.url(&uri), &token);

    let r = get(format!(
        "/api/v1/regions/{TAGANG}/services-report?from=2015-10-01&to=2019-08-31"
    ))
    .await;
    // 公益性就业专岗扶贫5户: five posts in the poor village, each with its labourer …
    let posts = &r["posts"];
    assert_eq!(posts["total"], 5, "{r}");
    assert_eq!(posts["in_poor_villages"], 5);
    assert_eq!(posts["employed"], 5);
    // … who are on the employment list as public-welfare posts; 帮助5户贫困户在家门口实现就业:
    // five more employed in the county, none outside it
    let e = &r["employment"];
    assert_eq!(e["on_posts"], 5);
    assert_eq!(e["in_county"]["registered"], 10);
    assert_eq!(e["in_province"]["registered"], 0);
    assert_eq!(e["cross_province"]["registered"], 0);
    // 落实创业贷款2户
    assert_eq!(r["loans"]["startup"], 2);
    assert_eq!(r["loans"]["startup_fen"], 13_000_000);
    // 送医下乡活动2次，免费义诊100余人次，赠送药品价值3万余元
    let h = &r["health"];
    assert_eq!(h["outreach_events"], 2);
    let served = h["outreach_served"]["total"].as_i64().unwrap();
    assert!((100..110).contains(&served), "{served}");
    assert!(h["outreach_served"]["registered"].as_i64().unwrap() > 0);
    let medicine = h["medicine_fen"].as_i64().unwrap();
    assert!((3_000_000..4_000_000).contains(&medicine), "{medicine}");

    // the households behind the counts: five distinct on the posts …
    let sites = get(format!("/api/v1/regions/{TAGANG}/workplaces?kind=post")).await;
    let mut post_households = BTreeSet::new();
    for w in sites.as_array().unwrap() {
        let d = get(format!("/api/v1/workplaces/{}", w["id"])).await;
        for hire in d["hires"].as_array().unwrap() {
            post_households.insert(hire["household_number"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(post_households.len(), 5);
    // … and, from the households' measures, five others employed near home and two borrowers
    let list = get(format!("/api/v1/households?region={TAGANG}&per_page=100")).await;
    let (mut near_home, mut on_posts, mut borrowers) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for hh in list["items"].as_array().unwrap() {
        let number = hh["household_number"].as_str().unwrap().to_string();
        let measures = get(format!("/api/v1/households/{}/measures", hh["id"])).await;
        for m in measures.as_array().unwrap() {
            match m["kind"].as_str().unwrap() {
                "0301" => {
                    on_posts.insert(number.clone());
                }
                "0201" => {
                    assert_eq!(m["details"]["destination"], "in_county", "{m}");
                    near_home.insert(number.clone());
                }
                "0902" => {
                    assert_eq!(m["details"]["repaid_fen"], m["amount_fen"], "repaid");
                    borrowers.insert(number.clone());
                }
                _ => {}
            }
        }
    }
    assert_eq!(on_posts, post_households);
    assert_eq!(near_home.len(), 5);
    assert!(near_home.is_disjoint(&on_posts));
    assert_eq!(borrowers.len(), 2);

    // the clinics, each with its registered persons
    let events = get(format!(
        "/api/v1/regions/{TAGANG}/events?kind=health_outreach"
    ))
    .await;
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e["registered"].as_i64().unwrap() > 0));
    // no loan of the demo is overdue
    let warnings = get(format!("/api/v1/regions/{TAGANG}/warnings?year=2022")).await;
    assert!(!warnings.to_string().contains("overdue_loan"), "{warnings}");
}
