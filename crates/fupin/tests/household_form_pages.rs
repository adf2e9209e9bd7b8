//! The household's member, income and status forms over HTTP, on whichever database
//! `TEST_DATABASE_URL` names: an office adds a newborn and records a death through the forms — the
//! household's persons and the village's statistics follow each — enters a year's incomes and sees
//! the server's derived figures, changes a status with its reason; every fault of a form is shown at
//! once beside its input with its Chinese label and what was typed kept, and nothing is written; an
//! office of another village and a cadre reach none of it.

mod common;

use common::demo_app;
use common::pages::{beside, get, json, post, sign_in, Session};
use fupin::testing::TestApp;
use fupin_core::id_number::check_char;
use reqwest::header::LOCATION;
use reqwest::StatusCode;

const TAGANG: &str = "360124106204";

/// A checksum-valid ID number of 进贤县 born on `birth` (YYYYMMDD) with sequence `seq`.
fn id_number(birth: &str, seq: u32) -> String {
    let body = format!("360124{birth}{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

async fn persons(app: &TestApp, s: &Session, hh: i64) -> (i64, i64) {
    let d = json(app, s, &format!("/api/v1/households/{hh}")).await;
    let stats = json(
        app,
        s,
        &format!("/api/v1/regions/{TAGANG}/stats?year={}", this_year()),
    )
    .await;
    (
        d["member_count"].as_i64().unwrap(),
        stats["persons"].as_i64().unwrap(),
    )
}

async fn tagang_household(app: &TestApp, s: &Session) -> i64 {
    let v = json(
        app,
        s,
        &format!("/api/v1/households?region={TAGANG}&per_page=1"),
    )
    .await;
    v["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn members_join_and_leave_through_the_forms_and_the_figures_follow() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let hh = tagang_household(&app, &s).await;
    let (count0, village0) = persons(&app, &s, hh).await;

    let (status, page) = get(&app, &s, &format!("/households/{hh}")).await;
    assert_eq!(status, StatusCode::OK);
    for link in [
        "members/new",
        "members/leave",
        "incomes",
        "status",
        "pairing",
    ] {
        assert!(
            page.contains(&format!("href=\"/households/{hh}/{link}\"")),
            "the household page links {link}"
        );
    }

    // three faults at once, each beside its input with its Chinese label; nothing written
    let form = format!("/households/{hh}/members/new");
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("joined.kind", "06"),
            ("joined.date", "2025-13-40"),
            ("name", "新生"),
            ("id_number", "36012420250601123X"),
            ("relation", "99"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("data-errors=\"2\"") || body.contains("data-errors=\"3\""),
        "several faults reported: {body}"
    );
    assert!(
        beside(&body, "f-joined-date").contains("加入日期")
            || beside(&body, "f-joined-date").contains("日期")
    );
    assert!(beside(&body, "f-id_number").contains("身份证号"));
    assert!(!body.contains("joined.date 不是"), "no internal names");
    assert!(body.contains("value=\"新生\""), "what was typed is kept");
    assert_eq!(persons(&app, &s, hh).await, (count0, village0));

    // a newborn joins: the household's persons and the village's statistics go up by one
    let born = id_number("20250601", 123);
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("joined.kind", "06"),
            ("joined.date", "2025-06-02"),
            ("name", "熊新生"),
            ("id_number", &born),
            ("relation", "07"),
            ("health", "01"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[LOCATION],
        format!("/households/{hh}?member=added#members")
    );
    assert_eq!(persons(&app, &s, hh).await, (count0 + 1, village0 + 1));
    let (_, page) = get(&app, &s, &format!("/households/{hh}?member=added")).await;
    assert!(page.contains("熊新生") && page.contains("成员已添加"));

    // the same person again: the store's refusal shown beside the ID number
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("joined.kind", "06"),
            ("joined.date", "2025-06-02"),
            ("name", "熊新生"),
            ("id_number", &born),
            ("relation", "07"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(persons(&app, &s, hh).await, (count0 + 1, village0 + 1));

    // a death: the member leaves, the figures go back
    let d = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    let newborn = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "熊新生")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let leave = format!("/households/{hh}/members/leave");
    let (status, page) = get(&app, &s, &format!("{leave}?person={newborn}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("value=\"{newborn}\" selected")));
    // a date in the future and no kind: both beside their inputs
    let res = post(
        &app,
        &s,
        &leave,
        &[
            ("person_id", &newborn),
            ("kind", ""),
            ("date", "2999-01-01"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-date").contains("日期"), "{body}");
    assert!(body.contains("value=\"2999-01-01\""));
    assert_eq!(persons(&app, &s, hh).await, (count0 + 1, village0 + 1));
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let res = post(
        &app,
        &s,
        &leave,
        &[
            ("person_id", &newborn),
            ("kind", "01"),
            ("date", &today),
            ("reason", "病故"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(persons(&app, &s, hh).await, (count0, village0));
    let d = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    let gone = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "熊新生")
        .unwrap();
    assert_eq!(gone["active"], false);
    assert_eq!(gone["leave_kind"], "01");
}

#[tokio::test]
async fn a_years_incomes_are_entered_with_the_derived_figures_and_a_status_changes_with_its_reason()
{
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let hh = tagang_household(&app, &s).await;
    let year = this_year() - 1;
    let form = format!("/households/{hh}/incomes");
    let (status, page) = get(&app, &s, &format!("{form}?year={year}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"income-form\"") && page.contains("data-persons=\""));
    let persons: i64 = page
        .split("data-persons=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(persons > 0);

    // two amounts that cannot be read and a dividend above the property income: all shown
    let y = year.to_string();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("year", &y),
            ("wage_fen", "一万"),
            ("business_fen", "3000"),
            ("property_fen", "100"),
            ("dividend_fen", "500"),
            ("transfer_fen", "12.345"),
            ("business_cost_fen", "500"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-wage_fen").contains("工资性收入"), "{body}");
    assert!(beside(&body, "f-transfer_fen").contains("转移性收入"));
    assert!(beside(&body, "f-dividend_fen").contains("分红"));
    assert!(body.contains("value=\"一万\""), "what was typed is kept");
    let before = json(&app, &s, &format!("/api/v1/households/{hh}")).await;

    // saved: the server's figures, as the page showed them
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("year", &y),
            ("wage_fen", "12,000"),
            ("business_fen", "3000.50"),
            ("property_fen", "100"),
            ("dividend_fen", ""),
            ("transfer_fen", "1500"),
            ("business_cost_fen", "600.50"),
            ("note", "入户核实"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    assert_ne!(before["incomes"], d["incomes"]);
    let rec = d["incomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == year)
        .unwrap();
    let net = 1_200_000 + 300_050 + 10_000 + 150_000 - 60_050;
    assert_eq!(rec["net_income_fen"], net);
    assert_eq!(rec["persons"], persons);
    let per = rec["per_capita_net_income_fen"].as_i64().unwrap();
    let (_, page) = get(&app, &s, &format!("{form}?year={year}")).await;
    assert!(
        page.contains("value=\"12000.00\""),
        "the stored year is shown"
    );
    let shown = format!("id=\"income-per-capita\">{}", yuan(per));
    assert!(page.contains(&shown), "{shown}");

    // a status change: every fault at once, then saved with its reason
    let status_form = format!("/households/{hh}/status");
    let (status, page) = get(&app, &s, &status_form).await;
    assert_eq!(status, StatusCode::OK);
    let res = post(
        &app,
        &s,
        &status_form,
        &[("to", ""), ("date", "昨天"), ("reason", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-to").contains("新状态"));
    assert!(beside(&body, "f-date").contains("日期"));
    assert!(beside(&body, "f-reason").contains("原因"));
    assert!(body.contains("data-errors=\"3\""));
    let to = page
        .split("name=\"to\"")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(2)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let res = post(
        &app,
        &s,
        &status_form,
        &[("to", &to), ("date", &today), ("reason", "经入户核实")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let d = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    assert_eq!(d["status"], to.as_str());
    assert_eq!(
        d["status_history"].as_array().unwrap().last().unwrap()["reason"],
        "经入户核实"
    );
}

fn yuan(fen: i64) -> String {
    let a = fen.unsigned_abs();
    let int = (a / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{:02}", if fen < 0 { "-" } else { "" }, a % 100)
}

#[tokio::test]
async fn another_village_and_a_cadre_reach_none_of_the_forms() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let hh = tagang_household(&app, &officer).await;
    let before = json(&app, &officer, &format!("/api/v1/households/{hh}")).await;
    let other = sign_in(&app, "demo-other").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let (_, m) = get(&app, &cadre, "/m").await;
    let paired: i64 = m
        .split("data-household=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let born = id_number("20250601", 321);
    let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "members/new",
            vec![
                ("joined.kind", "06"),
                ("joined.date", "2025-06-02"),
                ("name", "某某"),
                ("id_number", &born),
                ("relation", "07"),
            ],
        ),
        (
            "members/leave",
            vec![("person_id", "1"), ("kind", "01"), ("date", &today)],
        ),
        (
            "incomes",
            vec![
                ("year", "2019"),
                ("wage_fen", "1"),
                ("business_fen", "0"),
                ("property_fen", "0"),
                ("transfer_fen", "0"),
                ("business_cost_fen", "0"),
            ],
        ),
        (
            "status",
            vec![("to", "removed"), ("date", &today), ("reason", "x")],
        ),
    ];
    for (who, s, target) in [("demo-other", &other, hh), ("demo-cadre", &cadre, paired)] {
        for (path, fields) in &posts {
            let url = format!("/households/{target}/{path}");
            let (status, _) = get(&app, s, &url).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{who} GET {url}: {status}"
            );
            let res = post(&app, s, &url, fields).await;
            assert!(
                res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
                "{who} POST {url}: {}",
                res.status()
            );
        }
    }
    let after = json(&app, &officer, &format!("/api/v1/households/{hh}")).await;
    assert_eq!(before, after, "nothing changed");
}
