//! Pairing, visits, photos and poverty measures over HTTP with bearer tokens, on the full demo
//! (SQLite, or PostgreSQL with `TEST_DATABASE_URL=postgres://…`).

mod common;

use common::{demo_app, login};
use fupin::demo_pairing::plan;
use fupin::testing::{
    has_exif, jpeg_with_gps, png_declaring, TestApp, HTML_AFTER_PNG_SIGNATURE, TINY_GIF, TINY_PNG,
};
use reqwest::{header, Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use time::macros::date;
use time::{Date, Duration};

const TAGANG: &str = "360124106204";

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> Response {
    let mut req = Client::new()
        .request(method, app.url(uri))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}

/// GET `uri`, expecting 200 and JSON.
async fn get(app: &TestApp, token: &str, uri: &str) -> Value {
    let res = call(app, token, Method::GET, uri, None).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {uri}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// POST a JSON body; the status and the answer.
async fn post(app: &TestApp, token: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let res = call(app, token, Method::POST, uri, Some(body)).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn upload(
    app: &TestApp,
    token: &str,
    uri: &str,
    bytes: &[u8],
    content_type: &str,
) -> (StatusCode, Value) {
    let res = Client::new()
        .post(app.url(uri))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[track_caller]
fn assert_denied(status: StatusCode, what: &str, body: &Value) {
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status} {what}: {body}"
    );
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// 塔岗's households in number order, as demo-officer sees them.
async fn tagang_households(app: &TestApp, officer: &str) -> Vec<Value> {
    let list = get(
        app,
        officer,
        &format!("/api/v1/households?region={TAGANG}&per_page=100"),
    )
    .await;
    let mut items = list["items"].as_array().unwrap().clone();
    items.sort_by_key(|h| h["household_number"].as_str().unwrap().to_string());
    assert_eq!(items.len(), 14);
    items
}

#[tokio::test]
async fn the_pairing_report_of_tagang_reproduces_the_article() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let r = get(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/pairing-report?from=2015-10-01&to=2019-08-30"),
    )
    .await;
    assert_eq!(r["region"]["code"], TAGANG);
    assert_eq!(r["cadres_total"], 48, "{r}");
    assert!(r["visits_person_times"].as_i64().unwrap() >= 330, "{r}");
    assert_eq!(r["wishes_fulfilled"], 13, "{r}");
    assert_eq!(r["money_and_goods_fen"], 12_000_000, "{r}");
    assert_eq!(
        r["condolence_money_fen"].as_i64().unwrap() + r["goods_value_fen"].as_i64().unwrap(),
        12_000_000,
        "{r}"
    );
    assert_eq!(r["below_minimum_count"], 0, "{r}");
    assert_eq!(r["households_without_cadre_count"], 0, "{r}");
    assert_eq!(r["source"], "computed", "{r}");
    // a calendar year is read from the maintained figures, also at the province
    for path in [
        format!("/api/v1/regions/{TAGANG}/pairing-report?year=2018"),
        format!("/api/v1/regions/{TAGANG}/pairing-report?from=2018-01-01&to=2018-12-31"),
    ] {
        let y = get(&app, &officer, &path).await;
        assert_eq!(y["source"], "maintained", "{y}");
        assert!(y["visits_total"].as_i64().unwrap() > 0, "{y}");
        assert_eq!(y["households_without_cadre_count"], 0, "{y}");
    }
    let lists = [
        format!("/api/v1/regions/{TAGANG}/pairing-report/households-without-cadre"),
        format!("/api/v1/regions/{TAGANG}/pairing-report/pairings-below-minimum?year=2018"),
    ];
    for path in &lists {
        let page = get(&app, &officer, path).await;
        assert_eq!(page["items"], json!([]), "{page}");
        assert_eq!(page["next"], Value::Null, "{page}");
    }

    // both dates are required and well-formed
    for q in [
        "from=2015-10-01",
        "to=2019-08-30",
        "from=2015-10&to=2019-08-30",
        "year=2018&from=2018-01-01",
    ] {
        let res = call(
            &app,
            &officer,
            Method::GET,
            &format!("/api/v1/regions/{TAGANG}/pairing-report?{q}"),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{q}");
    }
    // a cadre reads no region's report, nor does an officer of another village
    for who in ["demo-cadre", "demo-other"] {
        let token = login(&app, who).await;
        let res = call(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/regions/{TAGANG}/pairing-report?from=2015-10-01&to=2019-08-30"),
            None,
        )
        .await;
        let status = res.status();
        assert_denied(status, who, &res.json().await.unwrap_or_default());
    }
}

#[tokio::test]
async fn a_cadre_records_visits_and_photos_on_the_paired_household_only() {
    let app = demo_app().await;
    let cadre = login(&app, "demo-cadre").await;
    let officer = login(&app, "demo-officer").await;
    let other = login(&app, "demo-other").await;

    // the household list shows the paired household only
    let mine = get(&app, &cadre, "/api/v1/households?per_page=100").await;
    assert_eq!(mine["total"], 1, "{mine}");
    let paired = &mine["items"][0];
    assert_eq!(paired["village_code"], TAGANG);
    let h = paired["id"].as_i64().unwrap();
    // the cadre demo-cadre acts as
    let me = get(&app, &cadre, "/api/v1/me").await;
    let cadres = get(&app, &cadre, "/api/v1/cadres").await;
    let own = cadres["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == me["id"])
        .expect("demo-cadre's cadre");
    let own = own["id"].as_i64().unwrap();
    let pairings = get(&app, &cadre, &format!("/api/v1/households/{h}/pairings")).await;
    assert!(
        pairings["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["cadre_id"] == own && p["end_date"].is_null()),
        "{pairings}"
    );

    // a visit today on the paired household is recorded
    let today = fupin_core::years::today();
    let visit = |household: i64, date: Date| {
        json!({
            "household_id": household,
            "date": date.to_string(),
            "kind": "走访",
            "cadre_ids": [own],
            "findings": {"income": "务工收入稳定", "housing": "住房安全"},
            "problems": "孩子上学路远",
            "location": {"lat": 28.37, "lon": 116.27},
        })
    };
    let (status, v) = post(&app, &cadre, "/api/v1/visits", visit(h, today)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["household_id"].as_i64(), v["photos"].clone()),
        (Some(h), json!([]))
    );
    assert_eq!(v["recorded_by"], "demo-cadre");
    let visit_id = v["id"].as_i64().unwrap();
    let listed = get(&app, &cadre, &format!("/api/v1/households/{h}/visits")).await;
    assert_eq!(ids(&listed["items"])[0], visit_id, "newest first");

    // on another 塔岗 household: refused, and nothing recorded there
    let households = tagang_households(&app, &officer).await;
    let elsewhere = households
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .find(|id| *id != h)
        .unwrap();
    let visits_before = get(
        &app,
        &officer,
        &format!("/api/v1/households/{elsewhere}/visits"),
    )
    .await;
    let (status, body) = post(&app, &cadre, "/api/v1/visits", visit(elsewhere, today)).await;
    assert_denied(status, "a visit on an unpaired household", &body);
    assert_eq!(
        get(
            &app,
            &officer,
            &format!("/api/v1/households/{elsewhere}/visits")
        )
        .await,
        visits_before
    );

    // tomorrow is not a visit date
    let (status, body) = post(
        &app,
        &cadre,
        "/api/v1/visits",
        visit(h, today + Duration::days(1)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("date_in_future"), Some("date"))
    );

    // a PNG photo is attached, served back as image/png, and to nobody outside 塔岗
    let uri = format!("/api/v1/visits/{visit_id}/photos");
    let (status, p) = upload(&app, &cadre, &uri, TINY_PNG, "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["content_type"], "image/png");
    let photo = p["id"].as_i64().unwrap();
    for token in [&cadre, &officer] {
        let res = call(
            &app,
            token,
            Method::GET,
            &format!("/api/v1/photos/{photo}"),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "image/png");
        assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        // the same picture, encoded again
        let served = res.bytes().await.unwrap();
        assert_eq!(p["size"], served.len());
        assert_eq!(
            image::load_from_memory_with_format(&served, image::ImageFormat::Png)
                .unwrap()
                .to_rgba8(),
            image::load_from_memory(TINY_PNG).unwrap().to_rgba8()
        );
    }
    let res = call(
        &app,
        &other,
        Method::GET,
        &format!("/api/v1/photos/{photo}"),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v = get(&app, &cadre, &format!("/api/v1/visits/{visit_id}")).await;
    assert_eq!(v["photos"][0]["id"], photo, "{v}");
    // the content decides, not the declared type: a GIF is refused even when called a PNG
    for declared in ["image/gif", "image/png"] {
        let (status, body) = upload(&app, &cadre, &uri, TINY_GIF, declared).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "unsupported_photo_type", "{body}");
    }
    // an HTML page behind a PNG signature is refused, whatever it is called; so is an image that
    // declares more pixels than a photo may have
    for (bytes, code) in [
        (HTML_AFTER_PNG_SIGNATURE.to_vec(), "undecodable_photo"),
        (png_declaring(50_000, 50_000), "photo_too_many_pixels"),
    ] {
        let (status, body) = upload(&app, &cadre, &uri, &bytes, "image/png").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            (body["code"].as_str(), body["field"].as_str()),
            (Some(code), Some("photo")),
            "{body}"
        );
        assert!(body["message"].as_str().unwrap().contains("照片"), "{body}");
    }
    // a phone's JPEG comes back without its EXIF (and GPS position)
    let phone = jpeg_with_gps(16, 8);
    let (status, p) = upload(&app, &cadre, &uri, &phone, "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["content_type"], "image/jpeg");
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/photos/{}", p["id"]),
        None,
    )
    .await;
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
    let served = res.bytes().await.unwrap();
    assert!(has_exif(&phone) && !has_exif(&served));
    let img = image::load_from_memory_with_format(&served, image::ImageFormat::Jpeg).unwrap();
    assert_eq!((img.width(), img.height()), (8, 16), "turned upright");
    // a body over the limit is refused with the JSON error shape, like every other refusal
    let big = vec![0u8; fupin_web::BODY_LIMIT + 1];
    let res = Client::new()
        .post(app.url(&uri))
        .bearer_auth(&cadre)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large", "{body}");
    assert!(body["message"].as_str().unwrap().contains("过大"), "{body}");
    // and demo-other cannot add one either
    let (status, body) = upload(&app, &other, &uri, TINY_PNG, "image/png").await;
    assert_denied(status, "demo-other uploads a photo", &body);
    let v = get(&app, &officer, &format!("/api/v1/visits/{visit_id}")).await;
    assert_eq!(v["photos"].as_array().unwrap().len(), 2, "{v}");
}

#[tokio::test]
async fn measures_of_tagang() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let m = get(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/measures?year=2018"),
    )
    .await;
    assert_eq!(
        (m["region"]["code"].as_str(), m["year"].as_i64()),
        (Some(TAGANG), Some(2018))
    );
    assert_eq!(m["persons"], 45, "{m}");
    assert!(m["line_fen"].as_i64().unwrap() > 0, "{m}");
    let share = |v: &Value| v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x));
    for k in ["headcount_ratio", "fgt1", "fgt2", "sen", "gini"] {
        assert!(share(&m[k]), "{k}: {m}");
    }
    assert!(m["watts"].as_f64().is_some_and(|w| w >= 0.0), "{m}");
    assert!(m["gini"].as_f64().unwrap() > 0.0, "incomes differ: {m}");
    // FGT: P2 ≤ P1 ≤ P0
    let (p0, p1, p2) = (
        m["headcount_ratio"].as_f64().unwrap(),
        m["fgt1"].as_f64().unwrap(),
        m["fgt2"].as_f64().unwrap(),
    );
    assert!(p2 <= p1 && p1 <= p0, "{m}");
    let mpi = &m["mpi"];
    for k in ["h", "a", "m0"] {
        assert!(share(&mpi[k]), "mpi.{k}: {mpi}");
    }
    // M0 = H × A
    let (h, a, m0) = (
        mpi["h"].as_f64().unwrap(),
        mpi["a"].as_f64().unwrap(),
        mpi["m0"].as_f64().unwrap(),
    );
    assert!((m0 - h * a).abs() < 1e-9, "{mpi}");
    // a line of one's own
    let low = get(
        &app,
        &officer,
        &format!("/api/v1/regions/{TAGANG}/measures?year=2018&line_fen=1"),
    )
    .await;
    assert_eq!(
        (low["line_fen"].as_i64(), low["headcount_ratio"].as_f64()),
        (Some(1), Some(0.0))
    );
    // the year is required
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/regions/{TAGANG}/measures"),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // and demo-other reads none of it
    let other = login(&app, "demo-other").await;
    let res = call(
        &app,
        &other,
        Method::GET,
        &format!("/api/v1/regions/{TAGANG}/measures?year=2018"),
        None,
    )
    .await;
    let status = res.status();
    assert_denied(status, "demo-other", &res.json().await.unwrap_or_default());
}

#[tokio::test]
async fn who_was_responsible_on_a_day() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let day = date!(2017 - 03 - 01);
    let planned = plan();
    let households = tagang_households(&app, &officer).await;
    let mut rotated = 0;
    for (k, hh) in households.iter().enumerate() {
        let id = hh["id"].as_i64().unwrap();
        let all = get(&app, &officer, &format!("/api/v1/households/{id}/pairings")).await;
        let on = get(
            &app,
            &officer,
            &format!("/api/v1/households/{id}/pairings?on={day}"),
        )
        .await;
        let on = on["items"].as_array().unwrap();
        // as many as the demo's plan has in force that day for this household: one, or two during
        // a handover
        let expected = planned
            .iter()
            .filter(|p| p.household == k && p.start <= day && p.end.is_none_or(|e| e >= day))
            .count();
        assert!(expected >= 1, "household {k}");
        assert_eq!(on.len(), expected, "{}: {on:?}", hh["household_number"]);
        for p in on {
            assert_eq!(p["household_id"], id);
            let start: Date = serde_json::from_value(p["start_date"].clone()).unwrap();
            let end: Option<Date> = serde_json::from_value(p["end_date"].clone()).unwrap();
            assert!(start <= day && end.is_none_or(|e| e >= day), "{p}");
            assert!(all["items"].as_array().unwrap().contains(p));
            assert!(!p["cadre_name"].as_str().unwrap().is_empty());
        }
        if all["items"].as_array().unwrap().len() > on.len() {
            rotated += 1;
        }
    }
    assert!(rotated > 0, "some households changed cadres over the years");
    // the day must be a date
    let id = households[0]["id"].as_i64().unwrap();
    let res = call(
        &app,
        &officer,
        Method::GET,
        &format!("/api/v1/households/{id}/pairings?on=2017-3-1"),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// A visit naming a cadre out of the caller's reach is refused exactly as one naming an id that
/// no cadre has, alone or beside cadres in reach, and leaves nothing behind: no visit, no audit
/// record, the pairing figures as they were. Named with cadres in reach only, it is recorded with
/// all of them, in id order.
#[tokio::test]
async fn a_visit_naming_a_cadre_out_of_reach_answers_as_an_unknown_id_and_writes_nothing() {
    const SANFANG: &str = "360124106205";
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let other = login(&app, "demo-other").await;
    let auditor = login(&app, "demo-auditor").await;
    let listed = get(
        &app,
        &other,
        &format!("/api/v1/households?region={SANFANG}&per_page=1"),
    )
    .await;
    let h = listed["items"][0]["id"].as_i64().expect("a 三房 household");
    // two cadres of 三房's own office, whom demo-other reaches
    let units = get(&app, &other, "/api/v1/units").await;
    let unit = units["items"][0]["id"].as_i64().unwrap();
    let mut own = Vec::new();
    for name in ["三房干部甲", "三房干部乙"] {
        let (status, c) = post(
            &app,
            &other,
            "/api/v1/cadres",
            json!({"name": name, "unit_id": unit}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        own.push(c["id"].as_i64().unwrap());
    }
    // a cadre of the county whom 三房 does not reach, and an id no cadre has
    let reached = ids(&get(&app, &other, "/api/v1/cadres?per_page=500").await["items"]);
    let county = ids(&get(&app, &officer, "/api/v1/cadres?per_page=500").await["items"]);
    assert!(own.iter().all(|c| reached.contains(c)), "{reached:?}");
    let theirs = *county
        .iter()
        .find(|c| !reached.contains(c))
        .expect("a county cadre out of 三房's reach");
    let unknown = 987_654_321;
    assert!(!county.contains(&unknown));

    let today = fupin_core::years::today();
    let visit = |cadres: &[i64]| {
        json!({
            "household_id": h,
            "date": today.to_string(),
            "kind": "走访",
            "cadre_ids": cadres,
            "problems": "看望慰问",
            "condolence_money_fen": 20000,
        })
    };
    let report = format!(
        "/api/v1/regions/{SANFANG}/pairing-report?from={}-01-01&to={today}",
        today.year()
    );
    let visits = format!("/api/v1/households/{h}/visits");
    let audited = "/api/v1/audit?action=visit.create&per_page=1";
    let written = || {
        let (app, officer, auditor) = (&app, &officer, &auditor);
        let (report, visits) = (&report, &visits);
        async move {
            (
                get(app, officer, report).await,
                get(app, officer, visits).await["items"].clone(),
                get(app, auditor, audited).await["total"].clone(),
            )
        }
    };
    let before = written().await;

    let mut answers = Vec::new();
    for cadres in [
        vec![unknown],
        vec![theirs],
        vec![own[0], unknown],
        vec![own[0], theirs],
        vec![theirs, own[0], own[1]],
    ] {
        let (status, body) = post(&app, &other, "/api/v1/visits", visit(&cadres)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{cadres:?}: {body}");
        answers.push((cadres, body));
    }
    let (_, first) = &answers[0];
    assert_eq!(
        (first["code"].as_str(), first["field"].as_str()),
        (Some("cadre_not_found"), Some("cadre_ids")),
        "{first}"
    );
    for (cadres, body) in &answers[1..] {
        assert_eq!(body, first, "{cadres:?} answers as an unknown id");
    }
    assert_eq!(written().await, before, "a refused visit leaves nothing");

    // the cadres in reach, named in any order: recorded with both, in id order
    let (status, v) = post(&app, &other, "/api/v1/visits", visit(&[own[1], own[0]])).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["cadres"],
        json!([[own[0], "三房干部甲"], [own[1], "三房干部乙"]]),
        "{v}"
    );
    let stored = get(&app, &other, &format!("/api/v1/visits/{}", v["id"])).await;
    assert_eq!(stored["cadres"], v["cadres"], "as read back");
    let after = written().await;
    assert_eq!(
        ids(&after.1),
        [v["id"].as_i64().unwrap()],
        "the household's one visit"
    );
    assert_eq!(
        after.2.as_i64(),
        before.2.as_i64().map(|n| n + 1),
        "one visit.create audited"
    );
    assert_ne!(after.0, before.0, "the visit counts in the figures");
}
