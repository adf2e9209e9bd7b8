//! The offices' assessment pages over HTTP on the demo, on whichever database `TEST_DATABASE_URL`
//! names: a region's procedure cases (the list, paged by cursor like its API, and a case's page with
//! its steps, the exit assessment per criterion and the actions offered), a refused action shown
//! beside its form in Chinese with what was typed, screening on demand from the warnings page, the
//! standards read-only for officers, and unmasking a household's personal data with a reason
//! (audited) for `view_pii` holders only. (`tests/browser/cases.test.mjs` takes a case from the
//! proposal to the county's approval in Chromium.)

mod common;

use common::demo_app;
use common::pages::{client, get, json, sign_in, Session};
use fupin::testing::TestApp;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;

const TAGANG: &str = "360124106204";

/// A form post with the session's CSRF token: (status, Location, body).
async fn post(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let res = common::pages::post(app, s, path, fields).await;
    let status = res.status();
    let location = res
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// The text of the element with `id` (its opening tag to the next closing `</form>` or `</section>`).
fn element<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} on the page"));
    let rest = &page[at..];
    let end = rest
        .find("</form>")
        .or_else(|| rest.find("</section>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test]
async fn the_cases_of_a_region_page_by_page_and_a_case_with_its_assessment() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    // every case of 塔岗, household by household
    let households = json(
        &app,
        &officer,
        &format!("/api/v1/households?region={TAGANG}&per_page=500"),
    )
    .await;
    let mut expected = vec![];
    for h in households["items"].as_array().unwrap() {
        let cases = json(
            &app,
            &officer,
            &format!("/api/v1/households/{}/cases", h["id"]),
        )
        .await;
        for c in cases.as_array().unwrap() {
            expected.push(c["id"].as_i64().unwrap());
        }
    }
    assert!(expected.len() >= 10, "the demo's cases: {expected:?}");
    // the region's list, two at a time, finds each once, in (village, id) order
    let mut seen = vec![];
    let mut after = String::new();
    loop {
        let page = json(
            &app,
            &officer,
            &format!("/api/v1/regions/{TAGANG}/cases?per_page=2{after}"),
        )
        .await;
        for c in page["items"].as_array().unwrap() {
            seen.push(c["id"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    expected.sort();
    assert_eq!(seen, expected);
    // the filters: the exit cases, the open ones
    let exits = json(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/cases?kind=exit&per_page=500"),
    )
    .await;
    let exits = exits["items"].as_array().unwrap();
    assert!(!exits.is_empty() && exits.iter().all(|c| c["kind"] == "exit"));
    let open = json(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/cases?open=true&per_page=500"),
    )
    .await;
    assert!(open["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["finished"] == false));

    // the page lists them, each linked, finished ones green
    let (status, page) = get(&app, &officer, &format!("/cases?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    let first = expected[0];
    assert!(page.contains(&format!("href=\"/cases/{first}\"")), "{page}");
    assert!(page.contains("state state-done"), "{page}");
    let (status, _) = get(&app, &officer, "/cases?region=36012410620").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an 11-digit region code");

    // a finished exit case: its steps, its history, the assessment of its year, no action
    let exit = &exits[0];
    let (status, page) = get(&app, &officer, &format!("/cases/{}", exit["id"])).await;
    assert_eq!(status, StatusCode::OK);
    for step in [
        "村提名",
        "民主评议",
        "村内公示",
        "乡镇审核",
        "县级审定公告",
        "销号",
    ] {
        assert!(page.contains(step), "{step}");
    }
    assert!(page.contains("id=\"assessment\""));
    assert!(page.contains("data-criterion=\"income\""));
    assert!(page.contains("data-criterion=\"housing\""));
    assert!(
        !page.contains("id=\"act\""),
        "a finished case offers no action"
    );
}

#[tokio::test]
async fn a_case_started_on_its_page_and_its_refusals_beside_the_forms() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    // a 塔岗 household exited in 2018 relapses in 2019
    let h = 7;
    let res = client()
        .post(app.url(&format!("/api/v1/households/{h}/status")))
        .header(COOKIE, &officer.cookie)
        .header("x-csrf-token", &officer.csrf)
        .json(&serde_json::json!({"to": "relapsed", "date": "2019-03-01", "reason": "因病返贫"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (_, page) = get(&app, &officer, &format!("/households/{h}")).await;
    assert!(element(&page, "start-case").contains("value=\"exit\""));
    // a date in the future is refused, and said on the household page
    let (status, location, _) = post(
        &app,
        &officer,
        &format!("/households/{h}/cases"),
        &[("kind", "exit"), ("year", "2019"), ("date", "2999-01-01")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&format!("/households/{h}?case_error=")));
    let (_, page) = get(&app, &officer, &location).await;
    assert!(
        element(&page, "start-case").contains("不能晚于今天"),
        "{page}"
    );
    // started
    let (status, location, _) = post(
        &app,
        &officer,
        &format!("/households/{h}/cases"),
        &[("kind", "exit"), ("year", "2019"), ("date", "2019-09-01")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
    let (_, page) = get(&app, &officer, &location).await;
    assert!(page.contains("data-step=\"proposal\""));
    assert!(
        !page.contains("id=\"reject-form\""),
        "nothing to send back yet"
    );
    // a date before the last one: refused beside the completing form, the date kept
    let action = format!("/cases/{id}/actions");
    let (status, _, page) = post(
        &app,
        &officer,
        &action,
        &[("action", "complete"), ("date", "2019-08-01")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = element(&page, "complete-form");
    assert!(form.contains("早于上一次办理日期"), "{form}");
    assert!(form.contains("value=\"2019-08-01\""), "{form}");
    // done on a good date; then a sending back without a reason
    let (status, location, _) = post(
        &app,
        &officer,
        &action,
        &[("action", "complete"), ("date", "2019-09-02")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, format!("/cases/{id}#steps").as_str())
    );
    let (status, _, page) = post(
        &app,
        &officer,
        &action,
        &[
            ("action", "reject"),
            ("date", "2019-09-03"),
            ("reason", " "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = element(&page, "reject-form");
    assert!(form.contains("请填写退回理由"), "{form}");
    assert!(!page.contains("请填写 reason"), "no internal field name");
    // an objection outside the notice is not offered; sent anyway, it is refused
    assert!(!page.contains("id=\"objection-form\""));
    let (status, _, page) = post(
        &app,
        &officer,
        &action,
        &[
            ("action", "record_objection"),
            ("date", "2019-09-03"),
            ("text", "有异议"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("只有在村内公示期间才能登记或处理异议"),
        "{page}"
    );
    // nothing of the refusals was stored
    let case = json(&app, &officer, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["step"], "democratic_appraisal");
    assert_eq!(case["state"]["history"].as_array().unwrap().len(), 2);
    // the township's officer may act; the neighbouring village's may not even see it
    let other = sign_in(&app, "demo-other").await;
    let (status, _) = get(&app, &other, &format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post(
        &app,
        &other,
        &action,
        &[("action", "complete"), ("date", "2019-09-04")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // an auditor reads the case but is offered nothing
    let auditor = sign_in(&app, "demo-auditor").await;
    let (status, page) = get(&app, &auditor, &format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("id=\"act\""));
}

#[tokio::test]
async fn warnings_screened_on_demand_and_the_standards_read_only() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let (status, page) = get(
        &app,
        &officer,
        &format!("/warnings?region={TAGANG}&year=2021"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"screen-form\""));
    let (status, location, _) = post(
        &app,
        &officer,
        "/warnings/screening",
        &[("region", TAGANG), ("year", "2021")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let screened = json(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/warnings?year=2021&per_page=500"),
    )
    .await;
    let n = screened["items"].as_array().unwrap().len();
    assert_eq!(
        location,
        format!("/warnings?region={TAGANG}&year=2021&screened={n}")
    );
    let (_, page) = get(&app, &officer, &location).await;
    assert!(page.contains(&format!("data-count=\"{n}\"")));
    for w in screened["items"].as_array().unwrap() {
        assert!(
            page.contains(&format!("data-household=\"{}\"", w["household_id"])),
            "{w}"
        );
    }
    // an auditor reads the list but is offered no screening
    let auditor = sign_in(&app, "demo-auditor").await;
    let (status, page) = get(
        &app,
        &auditor,
        &format!("/warnings?region={TAGANG}&year=2021"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("id=\"screen-form\""));
    let (status, _, _) = post(
        &app,
        &auditor,
        "/warnings/screening",
        &[("region", TAGANG), ("year", "2021")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // the standards in force for 塔岗: the poverty line of every year, read only
    let (status, page) = get(&app, &officer, &format!("/parameters?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-key=\"poverty_line\""), "{page}");
    assert!(page.contains("3,218.00"), "the 2019 line: {page}");
    assert!(page.contains("本页只读"));
}

#[tokio::test]
async fn personal_data_in_full_with_a_reason_for_view_pii_holders_only() {
    let app = demo_app().await;
    let admin = sign_in(&app, "demo-admin").await;
    let officer = sign_in(&app, "demo-officer").await;
    let h = 1;
    // offered to the holder of view_pii only
    let (_, page) = get(&app, &admin, &format!("/households/{h}")).await;
    assert!(page.contains("id=\"unmask-form\""));
    let (_, page) = get(&app, &officer, &format!("/households/{h}")).await;
    assert!(!page.contains("id=\"unmask-form\""));
    let (status, _, _) = post(
        &app,
        &officer,
        &format!("/households/{h}/unmask"),
        &[("reason", "核对")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // a reason is needed
    let (status, location, _) = post(
        &app,
        &admin,
        &format!("/households/{h}/unmask"),
        &[("reason", "  ")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &admin, &location).await;
    assert!(
        element(&page, "unmask-form").contains("须填写理由"),
        "{page}"
    );
    let audit_before = json(&app, &admin, "/api/v1/audit?action=unmask&per_page=500").await;
    let before = audit_before["items"].as_array().unwrap().len();
    // given: the ID numbers in full, never cached, and an audit record with the reason
    let res = client()
        .post(app.url(&format!("/households/{h}/unmask")))
        .header(COOKIE, &admin.cookie)
        .form(&[("reason", "核对低保申请材料"), ("csrf_token", &admin.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let page = res.text().await.unwrap();
    let full = json(
        &app,
        &admin,
        &format!("/api/v1/households/{h}?unmask=true&reason=核对"),
    )
    .await;
    for m in full["members"].as_array().unwrap() {
        let id = m["id_number"].as_str().unwrap();
        assert!(!id.contains('*') && id.len() == 18, "{id}");
        assert!(page.contains(id), "{id} in full on the page");
    }
    let audit = json(&app, &admin, "/api/v1/audit?action=unmask&per_page=500").await;
    let items = audit["items"].as_array().unwrap();
    // this page's view and the API's read above
    assert_eq!(items.len(), before + 2);
    assert!(items.iter().any(|e| e["after"]
        .as_str()
        .unwrap_or("")
        .contains("核对低保申请材料")
        || e["after"].to_string().contains("核对低保申请材料")));
}
