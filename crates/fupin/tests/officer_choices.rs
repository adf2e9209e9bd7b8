//! How an office chooses on its pages, over HTTP on whichever database `TEST_DATABASE_URL` names:
//! a member's fields edited with every fault beside its input (Chinese labels, what was typed kept,
//! nothing written until all is right); a cadre found by name when the office reaches more cadres
//! than a drop-down holds; the household and case lists sorted backwards along their index, by the
//! page and by the API, with the cursor pages joining up; the region asked for by a picker instead
//! of a typed code; and a page in English naming code-table values, chart legends and its title in
//! English.

mod common;

use common::demo_app;
use common::pages::{beside, get, json, post, sign_in, Session};
use fupin::testing::TestApp;
use fupin_core::codes::{english_label, table};
use fupin_core::pairing::{CadreInput, UnitId};
use fupin_core::Ctx;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::Value;

const TAGANG: &str = "360124106204";

async fn tagang_household(app: &TestApp, s: &Session) -> Value {
    let v = json(
        app,
        s,
        &format!("/api/v1/households?region={TAGANG}&per_page=1"),
    )
    .await;
    let id = v["items"][0]["id"].as_i64().unwrap();
    json(app, s, &format!("/api/v1/households/{id}")).await
}

/// Every page of a keyset list of the API, following `next`.
async fn all_pages(app: &TestApp, s: &Session, path: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let url = match &after {
            Some(a) => format!("{path}&after={a}"),
            None => path.to_string(),
        };
        let page = json(app, s, &url).await;
        for it in page["items"].as_array().unwrap() {
            out.push(it[key].to_string().trim_matches('"').to_string());
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => return out,
        }
    }
}

#[tokio::test]
async fn a_members_fields_are_edited_with_every_fault_beside_its_input() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let d = tagang_household(&app, &s).await;
    let hh = d["id"].as_i64().unwrap();
    let m = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["relation"] != "01" && m["active"] == true)
        .expect("a member besides the head")
        .clone();
    let pid = m["id"].as_i64().unwrap();
    let edit = format!("/households/{hh}/members/{pid}/edit");

    let (status, page) = get(&app, &s, &format!("/households/{hh}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"{edit}\"")),
        "the member links its form"
    );
    let (status, page) = get(&app, &s, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("value=\"{}\"", m["name"].as_str().unwrap())));
    assert!(
        page.contains(m["id_number"].as_str().unwrap()),
        "the ID number shown masked"
    );
    assert!(
        !page.contains("name=\"id_number\" type=\"text\" value=\"3"),
        "no ID number in an input"
    );

    // four faults at once, each beside its input with its Chinese label; nothing written
    let res = post(
        &app,
        &s,
        &edit,
        &[
            ("name", " "),
            ("id_number", "3601241"),
            ("relation", ""),
            ("health", "77"),
            ("work_months", "13"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("data-errors=\"5\""), "{body}");
    assert!(beside(&body, "f-name").contains("姓名"));
    assert!(beside(&body, "f-id_number").contains("身份证号"));
    assert!(beside(&body, "f-relation").contains("与户主关系"));
    assert!(beside(&body, "f-health").contains("健康状况"));
    assert!(beside(&body, "f-work_months").contains("务工时间"));
    for internal in ["work_months 须", "relation 的", "health 的"] {
        assert!(!body.contains(internal), "no internal name: {internal}");
    }
    assert!(body.contains("value=\"3601241\"") && body.contains("value=\"13\""));
    let after = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    assert_eq!(after["members"], d["members"], "nothing written");

    // right: saved, the ID number and phone kept as stored
    let res = post(
        &app,
        &s,
        &edit,
        &[
            ("name", "熊改名"),
            ("id_number", ""),
            ("relation", m["relation"].as_str().unwrap()),
            ("health", "02"),
            ("education", "03"),
            ("work_status", "04"),
            ("work_months", "6"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[LOCATION],
        format!("/households/{hh}?member=edited#members")
    );
    let after = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    let saved = after["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == pid)
        .unwrap();
    assert_eq!(saved["name"], "熊改名");
    assert_eq!(
        (&saved["health"], &saved["education"], &saved["work_months"]),
        (&Value::from("02"), &Value::from("03"), &Value::from(6))
    );
    assert_eq!(saved["id_number"], m["id_number"]);
    assert_eq!(saved["phone"], m["phone"]);
    assert_eq!(saved["birth_date"], m["birth_date"]);
    let (_, page) = get(&app, &s, &format!("/households/{hh}?member=edited")).await;
    assert!(page.contains("熊改名") && page.contains("成员信息已保存"));

    // another village's office and a cadre reach neither the form nor the member
    let other = sign_in(&app, "demo-other").await;
    let (status, _) = get(&app, &other, &edit).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = post(&app, &other, &edit, &[("name", "x"), ("relation", "03")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let cadre = sign_in(&app, "demo-cadre").await;
    let (status, _) = get(&app, &cadre, &edit).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
    let after2 = json(&app, &s, &format!("/api/v1/households/{hh}")).await;
    assert_eq!(after2["members"], after["members"]);
}

#[tokio::test]
async fn a_cadre_beyond_the_drop_down_is_found_by_name_and_paired() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let units = json(&app, &s, "/api/v1/units").await;
    let unit = UnitId(units["items"][0]["id"].as_i64().unwrap());
    let sys = Ctx::system("test");
    let reached = json(&app, &s, "/api/v1/cadres?per_page=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    for i in 0..(501 - reached.min(501)) {
        app.store()
            .create_cadre(
                &sys,
                CadreInput {
                    name: format!("县直干部{i:03}"),
                    unit_id: unit,
                    rank: None,
                    phone: None,
                    user_id: None,
                    region_code: Some("360124000000".into()),
                },
            )
            .await
            .unwrap();
    }
    let last = app
        .store()
        .create_cadre(
            &sys,
            CadreInput {
                name: "欧阳明".into(),
                unit_id: unit,
                rank: None,
                phone: None,
                user_id: None,
                region_code: Some("360124000000".into()),
            },
        )
        .await
        .unwrap();

    // the API finds by the name's start, within the caller's reach
    let found = json(&app, &s, "/api/v1/cadres?q=%E6%AC%A7%E9%98%B3").await;
    let names: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["欧阳明"]);
    let (status, body) = get(&app, &s, &format!("/api/v1/cadres?q=a&unit={}", unit.0)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let other = sign_in(&app, "demo-other").await;
    let none = json(&app, &other, "/api/v1/cadres?q=%E6%AC%A7%E9%98%B3").await;
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "outside its reach"
    );

    // the pairing page offers the search; its drop-downs hold the first 500 only
    let d = tagang_household(&app, &s).await;
    let hh = d["id"].as_i64().unwrap();
    let page_path = format!("/households/{hh}/pairing");
    let (status, page) = get(&app, &s, &page_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"cadre-search\""),
        "the search is offered"
    );
    assert!(!page.contains("欧阳明"), "beyond the first 500");
    let (status, page) = get(&app, &s, &format!("{page_path}?cadre_q=%E6%AC%A7%E9%98%B3")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("<option value=\"{}\">欧阳明", last.id.0)),
        "{page}"
    );
    assert!(page.contains("找到 1 名"));

    // paired with the cadre found
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let id = last.id.0.to_string();
    let res = post(
        &app,
        &s,
        &page_path,
        &[
            ("action", "pair"),
            ("cadre_id", &id),
            ("start_date", &today),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pairings = json(&app, &s, &format!("/api/v1/households/{hh}/pairings")).await;
    assert!(pairings["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["cadre_id"] == last.id.0));
}

#[tokio::test]
async fn lists_sort_backwards_along_their_index_and_page_by_cursor() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let base = format!("/api/v1/households?region={TAGANG}&per_page=4");
    let up = all_pages(&app, &s, &base, "household_number").await;
    let down = all_pages(
        &app,
        &s,
        &format!("{base}&sort=-number"),
        "household_number",
    )
    .await;
    assert_eq!(up.len(), 14);
    let mut reversed = up.clone();
    reversed.reverse();
    assert_eq!(down, reversed, "the cursor pages join up backwards");
    let mut sorted = up.clone();
    sorted.sort();
    assert_eq!(up, sorted);
    let (status, body) = get(&app, &s, &format!("{base}&sort=head_name")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("invalid_sort"), "{body}");

    // the page: the header says the order and links the other one; the filters keep it
    let (status, page) = get(
        &app,
        &s,
        &format!("/households?region={TAGANG}&sort=-number"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aria-sort=\"descending\""));
    let first = page.find(&down[0]).expect("the last number first");
    let second = page.find(&down[1]).expect("then the one before");
    assert!(first < second);
    assert!(page.contains("name=\"sort\" value=\"-number\""));
    let (_, page) = get(&app, &s, &format!("/households?region={TAGANG}")).await;
    assert!(page.contains("aria-sort=\"ascending\""));
    assert!(
        page.contains("sort=-number"),
        "the header links the other order"
    );

    // the region's cases, backwards along (village, id)
    let cases = format!("/api/v1/regions/{TAGANG}/cases?per_page=2");
    let up = all_pages(&app, &s, &cases, "id").await;
    let down = all_pages(&app, &s, &format!("{cases}&sort=-village"), "id").await;
    assert!(up.len() >= 2, "{up:?}");
    let mut reversed = up.clone();
    reversed.reverse();
    assert_eq!(down, reversed);
    let (status, _) = get(&app, &s, &format!("{cases}&sort=year")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, page) = get(&app, &s, &format!("/cases?region={TAGANG}&sort=-village")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aria-sort=\"descending\""));
    let a = page.find(&format!("data-case=\"{}\"", down[0])).unwrap();
    let b = page.find(&format!("data-case=\"{}\"", down[1])).unwrap();
    assert!(a < b);
}

/// Every page of a list by its cursor (`next` a string or a number): the values of `key`.
async fn walk_pages(app: &TestApp, s: &Session, path: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let url = match &after {
            Some(a) => format!("{path}&after={a}"),
            None => path.to_string(),
        };
        let page = json(app, s, &url).await;
        for it in page["items"].as_array().unwrap() {
            let v = key.split('.').fold(it, |v, k| &v[k]);
            out.push(v.to_string().trim_matches('"').to_string());
        }
        match &page["next"] {
            Value::Null => return out,
            n => after = Some(n.to_string().trim_matches('"').to_string()),
        }
        assert!(out.len() < 10_000, "{path}: the walk ends");
    }
}

/// Problems (by number), projects and warnings (by village), and the pairing lists (by village)
/// sort backwards along their index: the API's `sort=-…` gives the same rows reversed with the
/// cursor pages joining up, another order is `invalid_sort`, and the pages' headers say the order
/// (`aria-sort`) and link the other one.
#[tokio::test]
async fn problems_projects_warnings_and_pairing_lists_sort_backwards() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    const LUOXI: &str = "360124106000";
    for (path, key, sort) in [
        (format!("/api/v1/problems?region={LUOXI}&per_page=3"), "id", "id"),
        (
            format!("/api/v1/regions/{TAGANG}/projects?per_page=3"),
            "id",
            "village",
        ),
        (
            format!("/api/v1/regions/{LUOXI}/warnings?year=2021&per_page=1"),
            "household_id",
            "village",
        ),
        (
            "/api/v1/regions/360124000000/pairing-report/pairings-below-minimum?year=2019&per_page=4".to_string(),
            "year.pairing_id",
            "village",
        ),
        (
            format!("/api/v1/regions/{LUOXI}/pairing-report/households-without-cadre?per_page=4"),
            "household_id",
            "village",
        ),
    ] {
        let up = walk_pages(&app, &s, &path, key).await;
        let down = walk_pages(&app, &s, &format!("{path}&sort=-{sort}"), key).await;
        let mut reversed = up.clone();
        reversed.reverse();
        assert_eq!(down, reversed, "{path}: backwards is the list reversed");
        assert_eq!(walk_pages(&app, &s, &format!("{path}&sort={sort}"), key).await, up);
        let (status, body) = get(&app, &s, &format!("{path}&sort=name")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.contains("invalid_sort"), "{path}: {body}");
    }
    let problems = walk_pages(
        &app,
        &s,
        &format!("/api/v1/problems?region={LUOXI}&per_page=500"),
        "id",
    )
    .await;
    assert!(problems.len() >= 10, "{problems:?}");

    // the pages: descending on request, the header linking back; the filters kept
    for (page_path, key, first) in [
        (
            format!("/problems?region={LUOXI}&sort=-id"),
            "id",
            problems[problems.len() - 1].clone(),
        ),
        (
            format!("/problems?region={LUOXI}"),
            "id",
            problems[0].clone(),
        ),
        (
            format!("/projects?region={TAGANG}&sort=-village"),
            "village",
            String::new(),
        ),
        (
            format!("/warnings?region={LUOXI}&year=2021&sort=-village"),
            "village",
            String::new(),
        ),
        (
            format!("/pairing?region={LUOXI}&sort=-village"),
            "village",
            String::new(),
        ),
    ] {
        let (status, page) = get(&app, &s, &page_path).await;
        assert_eq!(status, StatusCode::OK, "{page_path}");
        let descending = page_path.contains("sort=-");
        let want = if descending {
            "descending"
        } else {
            "ascending"
        };
        assert!(
            page.contains(&format!("aria-sort=\"{want}\""))
                && page.contains(&format!("id=\"sort-{key}\"")),
            "{page_path}"
        );
        // the header's link gives the other order, keeping the region
        let link = page
            .split(&format!("id=\"sort-{key}\" href=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("{page_path}: the header's link"));
        assert_eq!(
            link.contains(&format!("sort=-{key}")),
            !descending,
            "{page_path}: {link}"
        );
        assert!(link.contains("region="), "{page_path}: {link}");
        if !first.is_empty() {
            let rows: Vec<&str> = page
                .split("data-problem=\"")
                .skip(1)
                .map(|r| r.split('"').next().unwrap())
                .collect();
            assert!(rows.len() >= 2, "{page_path}");
            assert_eq!(rows[0], first, "{page_path}: the first row");
        }
    }
    // the projects' page lists 塔岗's projects backwards by (village, id): the last id first
    let projects = walk_pages(
        &app,
        &s,
        &format!("/api/v1/regions/{TAGANG}/projects?per_page=500"),
        "id",
    )
    .await;
    let (_, page) = get(
        &app,
        &s,
        &format!("/projects?region={TAGANG}&sort=-village"),
    )
    .await;
    let at = |id: &str| page.find(&format!("data-project=\"{id}\"")).unwrap();
    assert!(at(&projects[projects.len() - 1]) < at(&projects[0]));
    let (status, body) = get(&app, &s, &format!("/projects?region={TAGANG}&sort=budget")).await;
    assert!(
        status.is_client_error(),
        "a page refuses another order: {status}"
    );
    assert!(
        body.contains("排序 sort 须为以下之一：village、-village"),
        "{body}"
    );
}

#[tokio::test]
async fn region_inputs_are_pickers_fed_a_level_at_a_time() {
    let app = demo_app().await;
    let admin = sign_in(&app, "demo-admin").await;
    for path in [
        "/households",
        "/cases",
        "/warnings",
        "/export",
        "/board",
        "/workplaces/new",
    ] {
        let (status, page) = get(&app, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains("data-region-picker"),
            "{path} offers the picker"
        );
    }
    // what the picker reads: the children of one region at a time, within the caller's reach
    let provinces = json(&app, &admin, "/api/v1/regions").await;
    assert!(provinces
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["level"] == "province"));
    let villages = json(&app, &admin, "/api/v1/regions?parent=360124106000").await;
    assert!(villages
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == TAGANG));
    let other = sign_in(&app, "demo-other").await;
    let reach = json(&app, &other, "/api/v1/regions?parent=360124106000").await;
    let codes: Vec<&str> = reach
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["360124106205"], "only its own village");
}

#[tokio::test]
async fn a_page_in_english_names_codes_legends_and_its_title_in_english() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let d = tagang_household(&app, &s).await;
    let hh = d["id"].as_i64().unwrap();
    let cause = d["main_cause"].as_str().unwrap();
    let (_, zh) = get(&app, &s, &format!("/households/{hh}")).await;
    assert!(zh.contains(" · 扶贫信息系统</title>"));
    let (status, en) = get(&app, &s, &format!("/households/{hh}?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        en.contains(" · Poverty Alleviation Registry</title>"),
        "{en}"
    );
    assert!(en.contains(english_label(table::POVERTY_CAUSE, cause).unwrap()));
    let head = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["relation"] == "01")
        .unwrap();
    assert!(
        head["relation"] == "01" && en.contains(">Head<"),
        "relation in English"
    );
    let (_, list) = get(&app, &s, &format!("/households?region={TAGANG}&lang=en")).await;
    assert!(list.contains(english_label(table::POVERTY_CAUSE, cause).unwrap()));
    assert!(list.contains(&format!(
        "01 {}",
        english_label(table::POVERTY_CAUSE, "01").unwrap()
    )));

    // the board's legends: the causes' names in the chart data
    let (_, board) = get(&app, &s, &format!("/board?region={TAGANG}&lang=en")).await;
    assert!(board.contains(" · Poverty Alleviation Registry</title>"));
    let start = board.find("id=\"board-data\">").unwrap() + "id=\"board-data\">".len();
    let end = start + board[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&board[start..end]).unwrap();
    let causes = data["causes"].as_array().unwrap();
    assert!(!causes.is_empty());
    for c in causes {
        let name = c["name"].as_str().unwrap();
        assert!(name.is_ascii(), "legend in English: {name}");
    }
    for st in data["statuses"].as_array().unwrap() {
        assert!(st["name"].as_str().unwrap().is_ascii());
    }
    let (_, board_zh) = get(&app, &s, &format!("/board?region={TAGANG}&lang=zh")).await;
    assert!(
        board_zh.contains("因病") || board_zh.contains("缺"),
        "Chinese again"
    );
}
