//! The offices' pairing pages over HTTP, on whichever database `TEST_DATABASE_URL` names: the
//! region's households without a cadre (paged by cursor), a household's cadre replaced and a
//! pairing ended through the forms (every fault beside its input, nothing written), a new pairing
//! refused beyond the cadre's limit, a cadre's load against the limit, the helping units with their
//! cadres and work teams; an office of another village and a cadre reach none of it.

mod common;

use common::demo_app;
use common::pages::{beside, get, json, post, sign_in, Session};
use fupin::testing::TestApp;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::Value;

const TAGANG: &str = "360124106204";

async fn tagang_pairings(app: &TestApp, s: &Session) -> Vec<Value> {
    let mut out = Vec::new();
    let list = json(
        app,
        s,
        &format!("/api/v1/households?region={TAGANG}&per_page=100"),
    )
    .await;
    for h in list["items"].as_array().unwrap() {
        let id = h["id"].as_i64().unwrap();
        let p = json(app, s, &format!("/api/v1/households/{id}/pairings")).await;
        out.extend(p["items"].as_array().unwrap().iter().cloned());
    }
    out
}

/// A cadre the officer may pair who has no pairing in force.
async fn free_cadre(app: &TestApp, s: &Session, not: i64) -> i64 {
    let cadres = json(app, s, "/api/v1/cadres?per_page=500").await;
    for c in cadres["items"].as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        if id == not {
            continue;
        }
        let p = json(app, s, &format!("/api/v1/cadres/{id}/pairings")).await;
        if p["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["end_date"].is_null())
        {
            return id;
        }
    }
    panic!("no free cadre")
}

#[tokio::test]
async fn an_office_replaces_a_cadre_ends_a_pairing_and_pairs_again() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let (status, page) = get(&app, &s, "/pairing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"without-cadre\"") && page.contains("href=\"/units\""));
    let pairings = tagang_pairings(&app, &s).await;
    let p = pairings
        .iter()
        .find(|p| p["end_date"].is_null())
        .expect("a pairing in force");
    let (hh, pid, old) = (
        p["household_id"].as_i64().unwrap(),
        p["id"].as_i64().unwrap(),
        p["cadre_id"].as_i64().unwrap(),
    );
    let form = format!("/households/{hh}/pairing");
    let (status, page) = get(&app, &s, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("id=\"pairing-{pid}\"")));
    let before = json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await;

    // nobody chosen, no date, no reason: all three beside their inputs, nothing written
    let pid_s = pid.to_string();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("action", "replace"),
            ("pairing", &pid_s),
            ("replacement_cadre_id", ""),
            ("end_date", ""),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-replacement_cadre_id").contains("帮扶干部"));
    assert!(beside(&body, "f-end_date").contains("结束日期"));
    assert!(beside(&body, "f-reason").contains("原因"));
    assert!(body.contains("data-errors=\"3\""));
    assert_eq!(
        before,
        json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await
    );

    // replaced: the old pairing ends, the new cadre's starts the next day
    let new = free_cadre(&app, &s, old).await;
    let new_s = new.to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("action", "replace"),
            ("pairing", &pid_s),
            ("replacement_cadre_id", &new_s),
            ("end_date", &today.to_string()),
            ("reason", "工作调动"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[LOCATION],
        format!("/households/{hh}?pairing=replaced#pairings")
    );
    let after = json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await;
    let items = after["items"].as_array().unwrap();
    let ended = items.iter().find(|x| x["id"] == pid).unwrap();
    assert_eq!(ended["end_date"], today.to_string());
    assert_eq!(ended["end_reason"], "工作调动");
    let next = today.next_day().unwrap().to_string();
    let replacement = items
        .iter()
        .find(|x| x["cadre_id"] == new && x["end_date"].is_null())
        .expect("the new pairing");
    assert_eq!(replacement["start_date"], next);
    let (_, page) = get(&app, &s, &format!("/households/{hh}?pairing=replaced")).await;
    assert!(page.contains("帮扶干部已更换"));

    // the cadre's page shows the load against the limit
    let (status, page) = get(&app, &s, &format!("/cadres/{new}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"cadre-load\""));
    assert!(page.contains(&format!("href=\"/households/{hh}\"")));

    // ended: the household is among those without a cadre (when its status needs one)
    let rid = replacement["id"].as_i64().unwrap().to_string();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("action", "end"),
            ("pairing", &rid),
            ("end_date", &next),
            ("reason", "退休"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await;
    let ended = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(rid.as_str()))
        .unwrap()
        .clone();
    assert_eq!(ended["end_reason"], "退休");

    // a cadre at the limit is refused beside the cadre
    let limit = {
        let (_, page) = get(&app, &s, &format!("/cadres/{new}")).await;
        page.split("data-limit=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    assert!(limit >= 1);
    let res = post(
        &app,
        &s,
        &form,
        &[("action", "pair"), ("cadre_id", ""), ("start_date", "昨天")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-cadre_id").contains("帮扶干部"));
    assert!(beside(&body, "f-start_date").contains("开始日期"));
    assert!(body.contains("value=\"昨天\""), "what was typed is kept");
    // pair again with the cadre it had
    let old_s = old.to_string();
    let start = today.next_day().unwrap().next_day().unwrap().to_string();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("action", "pair"),
            ("cadre_id", &old_s),
            ("start_date", &start),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "pair again");
    let after = json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await;
    assert!(after["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["cadre_id"] == old && x["start_date"] == start));
}

#[tokio::test]
async fn households_without_a_cadre_are_listed_page_by_page() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    // 塔岗's households have exited (they need no cadre): two become monitored, then every
    // pairing in force ends yesterday, and the monitored households are listed
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = today.previous_day().unwrap().to_string();
    let today = today.to_string();
    let list = json(
        &app,
        &s,
        &format!("/api/v1/households?region={TAGANG}&per_page=100"),
    )
    .await;
    let mut monitored: Vec<i64> = Vec::new();
    for h in list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["status"] == "exited")
        .take(2)
    {
        let id = h["id"].as_i64().unwrap();
        let res = post(
            &app,
            &s,
            &format!("/households/{id}/status"),
            &[
                ("to", "monitored"),
                ("date", &today),
                ("reason", "收入骤减"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        monitored.push(id);
    }
    assert_eq!(monitored.len(), 2);
    for p in tagang_pairings(&app, &s).await {
        if p["end_date"].is_null() && p["start_date"].as_str().unwrap() <= yesterday.as_str() {
            let id = p["id"].as_i64().unwrap();
            let hh = p["household_id"].as_i64().unwrap();
            let res = post(
                &app,
                &s,
                &format!("/households/{hh}/pairing"),
                &[
                    ("action", "end"),
                    ("pairing", &id.to_string()),
                    ("end_date", &yesterday),
                    ("reason", "换届"),
                ],
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    }
    let api = json(
        &app,
        &s,
        &format!("/api/v1/regions/{TAGANG}/pairing-report/households-without-cadre?per_page=1000"),
    )
    .await;
    let expected: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_i64().unwrap())
        .collect();
    for m in &monitored {
        assert!(expected.contains(m), "{m} is without a cadre");
    }
    // the page lists 50 at a time; 塔岗's are all on the first page, each once
    let (status, page) = get(&app, &s, &format!("/pairing?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<i64> = page
        .split("<tr data-household=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(listed, expected);
    assert!(page.contains("id=\"tile-without\"><span class=\"tile-label\">"));
    // a cursor past the last row: an empty page that says so
    let last = api["items"].as_array().unwrap().last().unwrap();
    let cursor = format!(
        "{}-{}",
        last["village_code"].as_str().unwrap(),
        last["household_id"]
    );
    let (status, page) = get(
        &app,
        &s,
        &format!("/pairing?region={TAGANG}&after={cursor}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<tr data-household=\""));
    assert!(page.contains("每户都有帮扶干部"));
}

#[tokio::test]
async fn units_show_their_cadres_and_work_teams() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let (status, page) = get(&app, &s, "/units").await;
    assert_eq!(status, StatusCode::OK);
    let units = json(&app, &s, "/api/v1/units").await;
    let unit = units["items"][0]["id"].as_i64().unwrap();
    assert!(page.contains(&format!("href=\"/units/{unit}\"")));
    let (status, page) = get(&app, &s, &format!("/units/{unit}")).await;
    assert_eq!(status, StatusCode::OK);
    let cadres = json(
        &app,
        &s,
        &format!("/api/v1/cadres?unit={unit}&per_page=500"),
    )
    .await;
    for c in cadres["items"].as_array().unwrap() {
        assert!(
            page.contains(&format!("href=\"/cadres/{}\"", c["id"])),
            "{}",
            c["name"]
        );
    }
    let team = json(&app, &s, &format!("/api/v1/regions/{TAGANG}/team")).await;
    if let Some(sec) = team
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "first_secretary" && t["end_date"].is_null())
    {
        let (_, units_page) = get(&app, &s, "/units").await;
        assert!(units_page.contains(sec["cadre_name"].as_str().unwrap()));
    }
    let (status, _) = get(&app, &s, "/units/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_village_and_a_cadre_reach_no_pairing_page() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let pairings = tagang_pairings(&app, &officer).await;
    let p = pairings.iter().find(|p| p["end_date"].is_null()).unwrap();
    let (hh, pid, cadre_id) = (
        p["household_id"].as_i64().unwrap(),
        p["id"].as_i64().unwrap(),
        p["cadre_id"].as_i64().unwrap(),
    );
    let before = tagang_pairings(&app, &officer).await;
    let other = sign_in(&app, "demo-other").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let pid_s = pid.to_string();
    let cadre_s = cadre_id.to_string();
    for (who, s) in [("demo-other", &other), ("demo-cadre", &cadre)] {
        for url in [
            format!("/households/{hh}/pairing"),
            format!("/cadres/{cadre_id}"),
        ] {
            let (status, body) = get(&app, s, &url).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{who} GET {url}: {status}"
            );
            assert!(!body.contains("塔岗"), "{who} {url}");
        }
        for fields in [
            vec![
                ("action", "end"),
                ("pairing", pid_s.as_str()),
                ("end_date", today.as_str()),
                ("reason", "x"),
            ],
            vec![
                ("action", "pair"),
                ("cadre_id", cadre_s.as_str()),
                ("start_date", today.as_str()),
            ],
        ] {
            let res = post(&app, s, &format!("/households/{hh}/pairing"), &fields).await;
            assert!(
                res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
                "{who} POST: {}",
                res.status()
            );
        }
        // the region overview of 塔岗
        let (status, _) = get(&app, s, &format!("/pairing?region={TAGANG}")).await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{who} /pairing: {status}"
        );
    }
    assert_eq!(before, tagang_pairings(&app, &officer).await);
}

#[tokio::test]
async fn a_cadre_submits_claims_and_fulfils_a_wish_from_the_phone() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-cadre").await;
    let (status, m) = get(&app, &s, "/m").await;
    assert_eq!(status, StatusCode::OK);
    assert!(m.contains("id=\"open-wishes\""));
    let hh: i64 = m
        .split("data-household=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let form = format!("/m/households/{hh}/wish");
    assert!(m.contains(&format!("href=\"{form}\"")));
    let (status, _) = get(&app, &s, &form).await;
    assert_eq!(status, StatusCode::OK);
    let before = json(&app, &s, &format!("/api/v1/households/{hh}/wishes")).await;
    // no text, an amount that is none, a date that is none: all three beside their inputs
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("text", ""),
            ("estimated_value_fen", "三百"),
            ("submitted_on", "今天"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(beside(&body, "f-text").contains("心愿内容"));
    assert!(beside(&body, "f-estimated_value_fen").contains("估计价值"));
    assert!(beside(&body, "f-submitted_on").contains("提出日期"));
    assert!(body.contains("value=\"三百\""));
    assert_eq!(
        before,
        json(&app, &s, &format!("/api/v1/households/{hh}/wishes")).await
    );
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let res = post(
        &app,
        &s,
        &form,
        &[
            ("text", "希望有一辆电动三轮车"),
            ("estimated_value_fen", "3000"),
            ("submitted_on", &today),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    let wish = to.split("#wish-").nth(1).unwrap().to_string();
    // the phone page shows it as a card with its claim button
    let (_, m) = get(&app, &s, "/m?wish=1").await;
    let card = m
        .split(&format!("id=\"wish-{wish}\""))
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap()
        .to_string();
    assert!(card.contains("希望有一辆电动三轮车") && card.contains("data-status=\"submitted\""));
    assert!(card.contains(&format!("action=\"/wishes/{wish}/claim\"")));
    let res = post(&app, &s, &format!("/wishes/{wish}/claim"), &[("from", "m")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()[LOCATION].to_str().unwrap().starts_with("/m"));
    // a wrong amount stays on the phone page, beside the amount, as typed
    let res = post(
        &app,
        &s,
        &format!("/wishes/{wish}/fulfil"),
        &[("from", "m"), ("actual_value_fen", "三千")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(back.starts_with("/m?"), "{back}");
    let (_, m) = get(&app, &s, &back).await;
    assert!(m.contains(&format!("id=\"mv-{wish}-error\"")));
    assert!(m.contains("value=\"三千\""));
    let res = post(
        &app,
        &s,
        &format!("/wishes/{wish}/fulfil"),
        &[("from", "m"), ("actual_value_fen", "2800")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let wishes = json(&app, &s, &format!("/api/v1/households/{hh}/wishes")).await;
    let w = wishes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(wish.as_str()))
        .unwrap()
        .clone();
    assert_eq!(w["status"], "fulfilled");
    assert_eq!(w["actual_value_fen"], 280_000);
    // fulfilled wishes leave the phone page's open list
    let (_, m) = get(&app, &s, "/m").await;
    assert!(!m.contains(&format!("id=\"wish-{wish}\"")));
    // an office of another village reaches neither the form nor the household
    let other = sign_in(&app, "demo-other").await;
    let (status, _) = get(&app, &other, &form).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
}
