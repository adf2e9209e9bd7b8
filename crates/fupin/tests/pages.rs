//! The server-rendered pages over HTTP, on whichever database `TEST_DATABASE_URL` names: every page
//! and every asset fetched as a signed-in user refers to nothing outside the server; the board shows
//! the seed figures; pages are scoped like the API; forms need the CSRF token and show the domain's
//! validation message beside its field. (The browser tests in `tests/browser/` drive the same pages
//! in Chromium.)

mod common;

use common::demo_app;
use common::pages::{client, get_typed as get, sign_in, Session};
use fupin::testing::{TestApp, HTML_AFTER_PNG_SIGNATURE};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

const TAGANG: &str = "360124106204";

/// References a page or asset would make to another host: `src=`, `href=`, `action=`, `srcset=`,
/// `url(` and `@import` followed by `http:`, `https:` or a protocol-relative `//`; and any `//cdn`.
fn external_refs(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    for key in [
        "src=", "href=", "action=", "srcset=", "url(", "@import", "fetch(",
    ] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(key) {
            let start = from + i + key.len();
            let rest = lower[start..].trim_start_matches([' ', '"', '\'', '\\']);
            if rest.starts_with("http:") || rest.starts_with("https:") || rest.starts_with("//") {
                let end = (start + 60).min(text.len());
                let snippet: String = text[from + i..]
                    .chars()
                    .take(end.saturating_sub(from + i).min(80))
                    .collect();
                found.push(snippet);
            }
            from = start;
        }
    }
    if let Some(i) = lower.find("//cdn") {
        found.push(lower[i..(i + 40).min(lower.len())].to_string());
    }
    found
}

#[test]
fn the_scanner_finds_external_references() {
    assert!(!external_refs(r#"<script src="https://cdn.example/x.js">"#).is_empty());
    assert!(!external_refs(r#"<img src='//host/x.png'>"#).is_empty());
    assert!(!external_refs("a{background:url( http://x/y.png)}").is_empty());
    assert!(external_refs(
        r#"<a href="/households?x=1"> <svg xmlns="http://www.w3.org/2000/svg">"#
    )
    .is_empty());
}

/// The first household on a cadre's `/m` page.
fn paired_household(page: &str) -> i64 {
    page.split("data-household=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("a paired household")
}

async fn tagang_household(app: &TestApp, s: &Session) -> i64 {
    let (status, _, body) = get(
        app,
        s,
        &format!("/api/v1/households?region={TAGANG}&per_page=1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["items"][0]["id"].as_i64().unwrap()
}

/// Every GET page the pages tests reach, with the path of a real thing of the demo for each
/// template (`None` where the demo holds none of it, answered 404): (template, path).
async fn page_paths(
    app: &TestApp,
    officer: &Session,
    cadre: &Session,
) -> Vec<(&'static str, Option<i64>, String)> {
    let hh = tagang_household(app, officer).await;
    let (_, _, m) = get(app, cadre, "/m").await;
    let paired = paired_household(&m);
    // 塔岗's first workplace and event (their pages answer 404 when the demo holds none)
    let first_id = |path: &'static str| {
        let (app, officer) = (app, officer);
        async move {
            let (_, _, body) = get(app, officer, path).await;
            let list: serde_json::Value = serde_json::from_str(&body).unwrap();
            // a plain array, or a page of a keyset list
            list.get("items")
                .unwrap_or(&list)
                .as_array()
                .unwrap()
                .first()
                .map(|w| w["id"].as_i64().unwrap())
        }
    };
    let workplace = first_id("/api/v1/regions/360124106204/workplaces").await;
    let event = first_id("/api/v1/regions/360124106204/events").await;
    let project = first_id("/api/v1/regions/360124106204/projects").await;
    let unit = first_id("/api/v1/units").await;
    let cadre_id = first_id("/api/v1/cadres").await;
    // an asset that paid dividends (the peony park's shares)
    let dividend_asset = {
        let (_, _, body) = get(app, officer, "/api/v1/regions/360124106204/assets").await;
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        list.as_array().unwrap().iter().find_map(|a| {
            a["incomes"]
                .as_array()?
                .iter()
                .any(|i| !i["dividends"].as_array().unwrap().is_empty())
                .then(|| a["id"].as_i64().unwrap())
        })
    };
    // a frozen summary of 塔岗 (made through its page's form)
    // an active member of `hh`, for the member's own form
    let person = {
        let (_, _, body) = get(app, officer, &format!("/api/v1/households/{hh}")).await;
        let d: serde_json::Value = serde_json::from_str(&body).unwrap();
        d["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["active"] == true)
            .unwrap()["id"]
            .to_string()
    };
    let snapshot = Some(freeze_summary(app, officer, "2015-10-01", "2019-08-30").await);
    // one of 塔岗's procedure cases
    let case = {
        let (_, _, body) = get(
            app,
            officer,
            "/api/v1/regions/360124106204/cases?per_page=1",
        )
        .await;
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        list["items"][0]["id"].as_i64()
    };
    // a problem of 罗溪镇 waiting for verification (its page offers the most steps)
    let problem = {
        let (_, _, body) = get(
            app,
            officer,
            "/api/v1/problems?region=360124106000&status=close_requested&per_page=1",
        )
        .await;
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        list["items"][0]["id"].as_i64()
    };
    let mut out = Vec::new();
    for (method, template) in fupin_web::PAGE_ROUTES {
        if *method != "GET" || template.contains("{name}") {
            continue;
        }
        let id = if template.starts_with("/m") {
            Some(paired)
        } else if template.starts_with("/workplaces/") {
            workplace
        } else if template.starts_with("/events/") {
            event
        } else if template.starts_with("/projects/") {
            project
        } else if template.starts_with("/units/") {
            unit
        } else if template.starts_with("/cadres/") {
            cadre_id
        } else if template.starts_with("/dividend-notices/") {
            dividend_asset
        } else if template.starts_with("/snapshots/") {
            snapshot
        } else if template.starts_with("/cases/") {
            case
        } else if template.starts_with("/problems/") {
            problem
        } else {
            Some(hh)
        };
        let path = template
            .replace("{id}", &id.unwrap_or(0).to_string())
            .replace("{code}", "360124106000")
            .replace("{kind}", "households")
            .replace("{person}", &person)
            .replace("{token}", "no-such-token");
        out.push((*template, id, path));
    }
    out
}

#[tokio::test]
async fn every_page_and_asset_stays_on_the_server() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let auditor = sign_in(&app, "demo-auditor").await;
    let mut checked = 0;
    let mut assets = std::collections::BTreeSet::new();
    for (template, id, path) in page_paths(&app, &officer, &cadre).await {
        // the phone pages are the cadre's (an office has no pairings of its own)
        let s = if template.starts_with("/m") {
            &cadre
        } else if template.starts_with("/audit") {
            &auditor
        } else {
            &officer
        };
        let (status, ct, body) = get(&app, s, &path).await;
        let expected = match template {
            // no boundaries configured in this test, and no such job
            "/geo/{code}" | "/jobs/{id}" | "/jobs/{id}/file" => StatusCode::NOT_FOUND,
            _ if id.is_none() => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        assert_eq!(status, expected, "GET {path}");
        if ct.starts_with("text/html") {
            let refs = external_refs(&body);
            assert!(refs.is_empty(), "{path} refers outside: {refs:?}");
            for part in body.split("\"/assets/").skip(1) {
                assets.insert(part.split(['"', '?']).next().unwrap().to_string());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "pages checked: {checked}");
    for name in fupin_web::asset_names() {
        assert!(assets.contains(name), "{name} is not linked from any page");
    }
    for name in &assets {
        let (status, ct, body) = get(&app, &officer, &format!("/assets/{name}")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(!ct.is_empty(), "{name} has a content type");
        let refs = external_refs(&body);
        assert!(refs.is_empty(), "asset {name} refers outside: {refs:?}");
    }
    // the sign-in page too
    let (_, _, login) = get(&app, &officer, "/login").await;
    assert!(external_refs(&login).is_empty());
}

/// The value of attribute `name` in the tag `tag` (as the pages write them: `name="value"`).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    tag[at..].split('"').next()
}

/// The opening tags of the `<form method="post">`s of `html` that lack the hidden CSRF field
/// carrying `token`, and the opening tags of all of them.
fn forms_without_csrf(html: &str, token: &str) -> (Vec<String>, Vec<String>) {
    let mut missing = Vec::new();
    let mut forms = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find("<form") {
        let start = from + i;
        let tag_end = start + html[start..].find('>').expect("a whole tag");
        let tag = &html[start..=tag_end];
        let close = html[tag_end..]
            .find("</form>")
            .map_or(html.len(), |j| tag_end + j);
        from = close;
        if !attr(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            continue;
        }
        forms.push(tag.to_string());
        let inner = &html[tag_end..close];
        let carries = inner.split("<input").skip(1).any(|rest| {
            let input = rest.split('>').next().unwrap_or("");
            attr(input, "type") == Some("hidden")
                && attr(input, "name") == Some("csrf_token")
                && attr(input, "value") == Some(token)
        });
        if !carries {
            missing.push(tag.to_string());
        }
    }
    (missing, forms)
}

#[test]
fn the_form_scanner_finds_a_post_form_without_the_token() {
    let good = r#"<form method="post" action="/a"><input type="hidden" name="csrf_token" value="t1"><button>x</button></form>"#;
    let bare = r#"<form class="step" method="post" action="/b"><input name="note"></form>"#;
    let stale = r#"<form method="post" action="/c"><input type="hidden" name="csrf_token" value="old"></form>"#;
    let search = r#"<form method="get" action="/households"><input name="q"></form>"#;
    assert_eq!(forms_without_csrf(good, "t1").0, Vec::<String>::new());
    let (missing, all) = forms_without_csrf(&format!("{good}{bare}{search}{stale}"), "t1");
    assert_eq!(all.len(), 3, "the get form is not counted");
    assert_eq!(missing.len(), 2);
    assert!(missing[0].contains("/b") && missing[1].contains("/c"));
}

/// Every form that posts carries the session's CSRF field, on every page the pages tests reach,
/// as every demo role sees it (each role sees other forms: the county's fund forms, the
/// township's payments, the cadre's visit, the auditor's and admin's). Three forms once shipped
/// without it and failed in a browser with `csrf_failed`.
#[tokio::test]
async fn every_post_form_on_every_page_carries_the_csrf_field() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let paths = page_paths(&app, &officer, &cadre).await;
    let mut forms_seen = 0;
    let mut actions = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    for (user, _, _, _) in fupin::demo_accounts::DEMO_ACCOUNTS {
        let s = sign_in(&app, user).await;
        for lang in ["", "lang=en"] {
            for (_, _, path) in &paths {
                let path = match (lang, path.contains('?')) {
                    ("", _) => path.clone(),
                    (l, true) => format!("{path}&{l}"),
                    (l, false) => format!("{path}?{l}"),
                };
                let (_, ct, body) = get(&app, &s, &path).await;
                if !ct.starts_with("text/html") {
                    continue;
                }
                let (bad, all) = forms_without_csrf(&body, &s.csrf);
                forms_seen += all.len();
                for tag in &all {
                    if let Some(a) = attr(tag, "action") {
                        actions.insert(a.split('?').next().unwrap().to_string());
                    }
                }
                missing.extend(bad.into_iter().map(|t| format!("{user} {path}: {t}")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "post forms without the CSRF field:\n{}",
        missing.join("\n")
    );
    // not vacuous: the fund, asset, step, pairing, visit and service forms were among them
    assert!(forms_seen >= 100, "post forms checked: {forms_seen}");
    assert!(actions.len() >= 20, "distinct form actions: {actions:?}");
}

/// The Chinese labels of the values the code defines (stages, kinds, statuses …): what a page in
/// English must not show as a text of its own.
fn enum_labels() -> Vec<&'static str> {
    use fupin_core::assessment::{
        EliminationStep, ExitStep, IdentificationStep, MonitoredKind, Step,
    };
    use fupin_core::id_number::Sex;
    use fupin_core::projects::{AssetKind, Category, NoticeKind, OwnerKind, SourceKind, Stage};
    use fupin_core::rectification as r;
    fn steps<S: Step>() -> Vec<&'static str> {
        S::ORDER.iter().map(|s| s.label()).collect()
    }
    let mut out = vec![Sex::Male.label(), Sex::Female.label()];
    out.extend(steps::<Stage>());
    out.extend(steps::<ExitStep>());
    out.extend(steps::<IdentificationStep>());
    out.extend(steps::<EliminationStep>());
    out.extend(Category::ALL.iter().map(|c| c.label()));
    out.extend(SourceKind::ALL.iter().map(|c| c.label()));
    out.extend(AssetKind::ALL.iter().map(|c| c.label()));
    out.extend(OwnerKind::ALL.iter().map(|c| c.label()));
    out.extend(NoticeKind::ALL.iter().map(|c| c.label()));
    out.extend(MonitoredKind::ALL.iter().map(|c| c.label()));
    out.extend(r::Source::ALL.iter().map(|c| c.label()));
    out.extend(r::Category::ALL.iter().map(|c| c.label()));
    out.extend(r::Severity::ALL.iter().map(|c| c.label()));
    out.extend(r::ProblemStatus::ALL.iter().map(|c| c.label()));
    out.extend(r::EventAction::ALL.iter().map(|c| c.label()));
    out.extend(
        fupin_core::measures::EventKind::ALL
            .iter()
            .map(|c| c.label()),
    );
    out
}

/// The measure catalogue's kinds, alone (the household page's measures) and with their category
/// (the measure form's choice of kind): the catalogue is data, its English labels kept beside the
/// code tables'.
fn measure_kind_labels() -> Vec<String> {
    let c = fupin_core::measures::Catalogue::shipped();
    c.categories
        .iter()
        .flat_map(|cat| {
            cat.kinds
                .iter()
                .flat_map(move |k| [k.label.clone(), format!("{} · {}", cat.label, k.label)])
        })
        .collect()
}

/// The labels of the project page's funds and asset forms, and the headings of the printed
/// notices (入库公示, 竣工公告, 资产收益分配公示), as a page in Chinese shows them.
const FUNDS_AND_NOTICE_LABELS: &[&str] = &[
    // funds forms
    "所属区划",
    "资金性质",
    "资金名称",
    "下达金额",
    "下达日期",
    "下达文号",
    "到账金额",
    "到账日期",
    "收款人",
    "支付金额",
    "支付日期",
    "凭证号",
    "资产名称",
    "资产类别",
    "资产价值",
    "所有者类型",
    "管护人",
    "收益年度",
    "村集体分成",
    "农户分红总额",
    "每户保底（元）",
    "发放日期",
    "请选择",
    "元，最多两位小数",
    // notices
    "项目名称",
    "建设地点",
    "建设内容",
    "绩效目标",
    "受益户数",
    "计划投资",
    "计划工期",
    "已支付资金",
    "验收日期",
    "户编号",
    "股份",
    "分红（元）",
    "资产收益分配公示",
];

/// Every page the pages tests reach, in English: no value the code defines (a project's stage,
/// an asset's kind, sex, a problem's status and source, a procedure's step, a warning's suggested
/// kind …), no kind of the measure catalogue, no label of the funds forms and no heading of the
/// printed notices (公告公示, which follow the page's language) is shown in Chinese.
#[tokio::test]
async fn pages_in_english_show_the_codes_values_in_english() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let mut labels: Vec<String> = enum_labels().into_iter().map(String::from).collect();
    labels.extend(measure_kind_labels());
    labels.extend(FUNDS_AND_NOTICE_LABELS.iter().map(|l| l.to_string()));
    let mut checked = 0;
    let mut found = Vec::new();
    // the pages that show the catalogue's kinds, the funds forms and the notices: each must be
    // among those walked, or the test would pass on their absence
    let mut seen = std::collections::BTreeSet::new();
    for (template, _, path) in page_paths(&app, &officer, &cadre).await {
        let s = if template.starts_with("/m") {
            &cadre
        } else {
            &officer
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        let (_, ct, body) = get(&app, s, &format!("{path}{sep}lang=en")).await;
        if !ct.starts_with("text/html") {
            continue;
        }
        checked += 1;
        // (the page, and what shows that it holds what is checked)
        for (page, holds) in [
            ("/households/{id}/measure", "id=\"measure-form\""),
            ("/projects/{id}", "id=\"source-form\""),
            ("/projects/{id}/notice", "id=\"notice-project\""),
            ("/dividend-notices/{id}", "id=\"dividends\""),
        ] {
            if template == page && body.contains(holds) {
                seen.insert(template);
            }
        }
        for zh in &labels {
            if body.contains(&format!(">{zh}<")) || body.contains(&format!(">{zh} <")) {
                found.push(format!("{path}: {zh}"));
            }
        }
    }
    assert_eq!(seen.len(), 4, "pages walked in English: {seen:?}");
    // the warnings of 罗溪镇 (their suggested kinds) and a project list
    for path in [
        "/warnings?region=360124106000&year=2019",
        "/projects?region=360124106204",
        "/problems?region=360124106000",
    ] {
        let (_, _, body) = get(&app, &officer, &format!("{path}&lang=en")).await;
        checked += 1;
        for zh in &labels {
            if body.contains(&format!(">{zh}<")) {
                found.push(format!("{path}: {zh}"));
            }
        }
    }
    assert!(checked >= 20, "pages checked: {checked}");
    assert!(
        found.is_empty(),
        "Chinese labels on English pages:\n{}",
        found.join("\n")
    );
}

#[tokio::test]
async fn pages_need_a_session_and_are_scoped() {
    let app = demo_app().await;
    for path in ["/", "/board", "/households", "/m", "/import"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()[LOCATION], "/login", "{path}");
    }
    let officer = sign_in(&app, "demo-officer").await;
    let hh = tagang_household(&app, &officer).await;
    let other = sign_in(&app, "demo-other").await;
    let (status, ct, body) = get(&app, &other, &format!("/households/{hh}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        ct.starts_with("text/html") && body.contains("未找到"),
        "{body}"
    );
    let (status, _, _) = get(&app, &other, &format!("/board?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another village's board");
    // the cadre starts on the phone pages and reaches the paired household only
    let cadre = sign_in(&app, "demo-cadre").await;
    let res = client()
        .get(app.url("/"))
        .header(COOKIE, &cadre.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[LOCATION], "/m");
    let (status, _, body) = get(&app, &cadre, "/m").await;
    assert_eq!(status, StatusCode::OK);
    let paired = paired_household(&body);
    let (status, _, _) = get(&app, &cadre, &format!("/households/{paired}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, list) = get(&app, &cadre, "/households").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("共 1 户"),
        "a cadre's list holds the paired household only"
    );
}

/// A page whose store call fails shows the error page (500, with the request id that the log line
/// of the cause carries, and never the cause itself) instead of an empty list or a missing section.
/// The failure is a real one: a table the call reads is renamed away under the running server, and
/// the page is whole again once the table is back.
#[tokio::test]
async fn a_failing_store_call_shows_the_error_page() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let hh = tagang_household(&app, &officer).await;
    let (_, _, m) = get(&app, &cadre, "/m").await;
    let paired = paired_household(&m);
    // (table taken away, [(who, page that reads it)])
    let cases: Vec<(&str, Vec<(&Session, String)>)> = vec![
        (
            "visits",
            vec![
                // the household page's visits section, the phone page
                (&officer, format!("/households/{hh}")),
                (&cadre, "/m".to_string()),
            ],
        ),
        // the board's pairing tiles and visit compliance read the maintained figures only
        (
            "pairing_year_stats",
            vec![(&officer, format!("/board?region={TAGANG}"))],
        ),
        (
            "pairings",
            vec![
                (&officer, format!("/households/{hh}")),
                (&cadre, format!("/m/households/{paired}/visit")),
            ],
        ),
        // the household page's measures section
        ("measures", vec![(&officer, format!("/households/{hh}"))]),
        // the household list's village filter
        ("regions", vec![(&officer, "/households".to_string())]),
    ];
    for (table, pages) in cases {
        for (who, path) in &pages {
            let (status, _, _) = get(&app, who, path).await;
            assert_eq!(status, StatusCode::OK, "{path} before {table} goes");
        }
        app.db
            .raw(&format!("ALTER TABLE {table} RENAME TO {table}_away"))
            .await;
        for (who, path) in &pages {
            let res = client()
                .get(app.url(path))
                .header(COOKIE, &who.cookie)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
            let body = res.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{path} without {table}: {body}"
            );
            assert!(ct.starts_with("text/html"), "{path}: {ct}");
            assert!(body.contains("系统内部错误"), "{path}: {body}");
            assert!(
                !id.is_empty() && body.contains(&format!("<code>{id}</code>")),
                "{path} shows its request id {id}: {body}"
            );
            assert!(
                !body.contains(&format!("{table}_away")) && !body.contains(" table"),
                "{path} shows no cause: {body}"
            );
        }
        app.db
            .raw(&format!("ALTER TABLE {table}_away RENAME TO {table}"))
            .await;
        for (who, path) in &pages {
            let (status, _, _) = get(&app, who, path).await;
            assert_eq!(status, StatusCode::OK, "{path} once {table} is back");
        }
    }
}

#[tokio::test]
async fn the_household_page_lists_its_measures() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    // 万金根's household: none of the demo's measures is his
    let (_, _, body) = get(
        &app,
        &officer,
        &format!("/api/v1/households?region={TAGANG}&q={TAGANG}0004"),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hh = v["items"][0]["id"].as_i64().unwrap();
    let (_, _, page) = get(&app, &officer, &format!("/households/{hh}")).await;
    assert!(
        page.contains("id=\"measures\"") && page.contains("暂无帮扶措施"),
        "{page}"
    );
    let input: fupin_core::measures::MeasureInput = serde_json::from_value(serde_json::json!({
        "household_id": hh, "kind": "公益性岗位", "start_date": "2018-03-01", "provider": "进贤县人社局",
        "details": {"form": "employment", "employer": "罗溪镇人民政府", "employer_region_code": "360124106000",
                    "employment_form": "公益性岗位", "months": 12, "monthly_wage_fen": 50000},
    }))
    .unwrap();
    let m = app
        .store()
        .create_measure(&fupin_core::Ctx::system("test"), input)
        .await
        .unwrap();
    let (status, _, page) = get(&app, &officer, &format!("/households/{hh}")).await;
    assert_eq!(status, StatusCode::OK);
    let row = page
        .split(&format!("data-measure=\"{}\"", m.id.0))
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .expect("the measure's row");
    for text in [
        "公益性岗位",
        "罗溪镇人民政府",
        "县内",
        "500.00",
        "进贤县人社局",
        "实施中",
        "全户",
    ] {
        assert!(row.contains(text), "{text} in {row}");
    }
}

#[tokio::test]
async fn the_board_shows_the_seed_figures() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let (status, _, body) = get(
        &app,
        &s,
        &format!("/board?region={TAGANG}&year=2018&compare=2016"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tile = |key: &str| -> String {
        let at = body
            .find(&format!("data-tile=\"{key}\""))
            .unwrap_or_else(|| panic!("tile {key}"));
        let rest = &body[at..];
        let v = &rest[rest.find("class=\"value").unwrap()..];
        v[v.find('>').unwrap() + 1..v.find('<').unwrap()].to_string()
    };
    assert_eq!(tile("households"), "14");
    assert_eq!(tile("persons"), "45");
    assert_eq!(tile("income"), "7,467.00");
    assert!(body.contains("data-growth=\"+34.3%\""));
    assert_eq!(tile("collective"), "7.00", "70,000 yuan as 万元");
    assert!(body.contains("十三五省级贫困村"));
    // the county's board lists its townships, each a link one level down
    let (_, _, county) = get(&app, &s, "/board?region=360124000000&year=2018").await;
    assert!(county.contains("href=\"/board?region=360124106000&amp;year=2018"));
    // English
    let res = client()
        .get(app.url("/board?lang=en"))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap();
    assert!(res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("lang=en"));
    let body = res.text().await.unwrap();
    assert!(body.contains("Progress board") && body.contains("lang=\"en\""));
}

#[tokio::test]
async fn forms_need_the_csrf_token_and_show_errors_beside_fields() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    // codes as the code tables have them
    let codes: serde_json::Value = client()
        .get(app.url("/api/v1/code-tables/household_attribute"))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attribute = codes["codes"][0]["code"].as_str().unwrap().to_string();
    let std: serde_json::Value = client()
        .get(app.url("/api/v1/code-tables/identification_standard"))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let standard = std["codes"][0]["code"].as_str().unwrap().to_string();
    let form = |csrf: &str, id_number: &str| {
        vec![
            ("csrf_token".to_string(), csrf.to_string()),
            ("household_number".into(), format!("{TAGANG}0099")),
            ("village_code".into(), TAGANG.into()),
            ("attribute".into(), attribute.clone()),
            ("identification_standard".into(), standard.clone()),
            ("identification_year".into(), "2018".into()),
            ("main_cause".into(), "01".into()),
            ("members[0].name".into(), "测试户主".into()),
            ("members[0].id_number".into(), id_number.into()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        client()
            .post(app.url("/households/new"))
            .header(COOKIE, &s.cookie)
            .form(&fields)
            .send()
    };
    let res = post(form("wrong-token", "360124198001010011"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = post(form(&s.csrf, "360124198001010012")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    // the message sits under the ID-number input, which is marked invalid
    let input = body
        .find("name=\"members[0].id_number\"")
        .expect("the input");
    let err = body
        .find("id=\"f-members-0--id_number-error\"")
        .expect("the message");
    assert!(err > input, "message after its input");
    let tag_end = input + body[input..].find('>').unwrap();
    assert!(body[input..tag_end].contains("aria-invalid=\"true\""));
    assert!(
        body.contains("value=\"测试户主\""),
        "what was typed is kept"
    );

    // a valid ID number: created, then shown masked
    let res = post(form(&s.csrf, &valid_id("36012419800101001")))
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (status, _, page) = get(&app, &s, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("测试户主") && page.contains("3601**********"));
    assert!(!page.contains(&valid_id("36012419800101001")), "masked");
}

#[tokio::test]
async fn a_household_form_shows_every_fault_beside_its_field_with_its_label() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    let fields = vec![
        ("csrf_token", s.csrf.as_str()),
        ("household_number", "36012410620"),
        ("village_code", TAGANG),
        ("attribute", "01"),
        ("identification_standard", "01"),
        ("identification_year", "2099"),
        ("main_cause", "01"),
        ("members[0].name", "三错户主"),
        ("members[0].id_number", "360124198001010012"),
    ];
    let res = client()
        .post(app.url("/households/new"))
        .header(COOKIE, &s.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("data-errors=\"3\""), "three faults listed");
    // each message beside its input, in words a person reads
    for (input, label) in [
        ("household_number", "户编码"),
        ("identification_year", "识别年度"),
        ("members[0].id_number", "身份证号"),
    ] {
        let id = format!("f-{}", input.replace(['[', ']', '.'], "-"));
        let at = body
            .find(&format!("name=\"{input}\""))
            .unwrap_or_else(|| panic!("input {input}"));
        let err_at = body
            .find(&format!("id=\"{id}-error\""))
            .unwrap_or_else(|| panic!("message of {input}"));
        assert!(err_at > at, "{input}: message after its input");
        let open = err_at + body[err_at..].find('>').unwrap() + 1;
        let msg = &body[open..open + body[open..].find("</p>").unwrap()];
        assert!(msg.contains(label), "{input}: {msg}");
        assert!(
            !msg.contains("identification_year") && !msg.contains("_fen"),
            "{msg}"
        );
    }
    assert!(
        body.contains("12 位区划代码加 4 位序号"),
        "the rule is stated"
    );
    // what was typed is kept
    assert!(body.contains("value=\"36012410620\""));
    assert!(body.contains("value=\"三错户主\""));
    assert!(body.contains("value=\"2099\""));
    // nothing was written
    let (_, _, list) = get(&app, &s, "/households?q=三错户主").await;
    assert!(!list.contains("三错户主</a>"), "not created");

    // a year that is not a number is listed with the others
    let mut typed = fields.clone();
    typed[5] = ("identification_year", "二〇一八");
    let body = client()
        .post(app.url("/households/new"))
        .header(COOKIE, &s.cookie)
        .form(&typed)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("data-errors=\"3\""), "{body}");
    assert!(body.contains("识别年度 须为四位年份"));

    // renumbering on the edit form needs its box ticked, and is then recorded
    let id = tagang_household(&app, &s).await;
    let (_, _, edit) = get(&app, &s, &format!("/households/{id}/edit")).await;
    assert!(edit.contains("name=\"confirm_renumber\""));
    let d: serde_json::Value = client()
        .get(app.url(&format!("/api/v1/households/{id}")))
        .header(COOKIE, &s.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = d["household_number"].as_str().unwrap().to_string();
    let new_number = format!("{TAGANG}0777");
    let year = d["identification_year"].to_string();
    let edit_fields = |confirm: bool| {
        let mut f = vec![
            ("csrf_token", s.csrf.clone()),
            ("household_number", new_number.clone()),
            ("village_code", TAGANG.to_string()),
            ("attribute", d["attribute"].as_str().unwrap().to_string()),
            (
                "identification_standard",
                d["identification_standard"].as_str().unwrap().to_string(),
            ),
            ("identification_year", year.clone()),
            ("main_cause", d["main_cause"].as_str().unwrap().to_string()),
        ];
        if confirm {
            f.push(("confirm_renumber", "1".to_string()));
        }
        f
    };
    let res = client()
        .post(app.url(&format!("/households/{id}/edit")))
        .header(COOKIE, &s.cookie)
        .form(&edit_fields(false))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    let err_at = body
        .find("id=\"f-household_number-error\"")
        .expect("the message beside the number");
    assert!(body[err_at..].starts_with(&format!(
        "id=\"f-household_number-error\">户编码将由 {old} 改为 {new_number}"
    )));
    let res = client()
        .post(app.url(&format!("/households/{id}/edit")))
        .header(COOKIE, &s.cookie)
        .form(&edit_fields(true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let log: serde_json::Value = client()
        .get(app.url("/api/v1/audit?action=household.renumber"))
        .header(COOKIE, &sign_in(&app, "demo-admin").await.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().expect("the log");
    assert_eq!(items.len(), 1, "{log}");
    assert!(items[0]["after"].as_str().unwrap().contains(&new_number));
}

#[tokio::test]
async fn my_households_is_in_the_menu_of_cadres_only_and_unknown_pages_are_html() {
    let app = demo_app().await;
    let nav = |page: &str| {
        let start = page.find("<nav").expect("a menu");
        page[start..start + page[start..].find("</nav>").unwrap()].to_string()
    };
    let officer = sign_in(&app, "demo-officer").await;
    let (_, _, page) = get(&app, &officer, "/households").await;
    assert!(
        !nav(&page).contains("我的帮扶"),
        "an office has no households of its own"
    );
    let cadre = sign_in(&app, "demo-cadre").await;
    let (_, _, page) = get(&app, &cadre, "/m").await;
    assert!(nav(&page).contains("href=\"/m\""), "a cadre's own page");
    assert!(nav(&page).contains("我的帮扶"));
    // an unknown page: the site's 404 in HTML; under /api, JSON
    let (status, ct, body) = get(&app, &officer, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(body.contains("未找到 · Not found (404)") && body.contains("返回首页"));
    let (status, ct, body) = get(&app, &officer, "/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert!(body.contains("\"code\":\"not_found\""));
}

#[tokio::test]
async fn the_board_shows_income_coverage_and_opens_on_the_latest_complete_year() {
    let app = demo_app().await;
    let s = sign_in(&app, "demo-officer").await;
    // 塔岗村: incomes of all 14 households for 2015–2019, of one household for 2020–2022
    let (status, _, page) = get(&app, &s, &format!("/board?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<option value=\"2019\" selected"),
        "opens on 2019"
    );
    assert!(page.contains("data-coverage=\"14/14\""));
    assert!(page.contains("14/14 户有收入记录"));
    assert!(page.contains("2022（收入记录不全）"));
    assert!(!page.contains("2019（收入记录不全）"));
    let (_, _, page) = get(
        &app,
        &s,
        &format!("/board?region={TAGANG}&year=2022&compare=2019"),
    )
    .await;
    assert!(page.contains("data-partial=\"true\""));
    assert!(page.contains("1/14 户有收入记录"));
    assert!(
        !page.contains("data-growth="),
        "no growth against a complete year"
    );
    assert!(page.contains("不计增幅"));
    // complete years still compare
    let (_, _, page) = get(
        &app,
        &s,
        &format!("/board?region={TAGANG}&year=2018&compare=2016"),
    )
    .await;
    assert!(page.contains("data-growth=\"+34.3%\""));
    // the township: villages without households folded away below the table
    let (_, _, page) = get(&app, &s, "/board?region=360124106000&year=2018").await;
    let folded = page
        .split("id=\"empty-children\" data-count=\"")
        .nth(1)
        .expect("folded");
    let n: usize = folded[..folded.find('"').unwrap()].parse().unwrap();
    assert!(n > 0);
    assert!(page.contains(&format!("{n} 个村无建档立卡户")));
}

#[tokio::test]
async fn auditors_read_and_filter_the_audit_log_and_admins_verify_it() {
    let app = demo_app().await;
    let auditor = sign_in(&app, "demo-auditor").await;
    let (status, _, page) = get(&app, &auditor, "/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"audit-log\""));
    assert!(page.contains("href=\"/audit\""), "in the menu");
    let total = |page: &str| -> u64 {
        let t = page.split("data-total=\"").nth(1).expect("a total");
        t[..t.find('"').unwrap()].parse().unwrap()
    };
    let all = total(&page);
    assert!(all > 0);
    // filtered by record kind: every row is of that kind, fewer than all
    let (_, _, page) = get(&app, &auditor, "/audit?entity=household").await;
    let households = total(&page);
    assert!(households > 0 && households < all, "{households} of {all}");
    assert!(page.contains("value=\"household\""), "the filter is kept");
    let rows = page.matches("<tr data-seq=").count() as u64;
    assert_eq!(rows, households.min(50));
    // by actor and date: none from the future
    let (_, _, page) = get(&app, &auditor, "/audit?actor=nobody-at-all").await;
    assert_eq!(total(&page), 0);
    let (_, _, page) = get(&app, &auditor, "/audit?from=2999-01-01").await;
    assert_eq!(total(&page), 0);
    let (status, _, _) = get(&app, &auditor, "/audit?from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // the verify button is the administrators'
    assert!(!page.contains("id=\"audit-verify\""));
    let res = client()
        .post(app.url("/audit/verify"))
        .header(COOKIE, &auditor.cookie)
        .form(&[("csrf_token", auditor.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let admin = sign_in(&app, "demo-admin").await;
    let (_, _, page) = get(&app, &admin, "/audit").await;
    assert!(page.contains("id=\"audit-verify\""));
    let res = client()
        .post(app.url("/audit/verify"))
        .header(COOKIE, &admin.cookie)
        .form(&[("csrf_token", admin.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-intact=\"true\""), "{page}");
    // an office does not read the log
    let officer = sign_in(&app, "demo-officer").await;
    let (status, _, _) = get(&app, &officer, "/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// An ID number with its check digit (GB 11643).
fn valid_id(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first17}{}", C[(sum % 11) as usize])
}

/// The smallest valid PNG: one white pixel.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xff, 0xff, 0x3f,
    0x00, 0x05, 0xfe, 0x02, 0xfe, 0xdc, 0xcc, 0x59, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A `multipart/form-data` body as a browser without JavaScript sends it.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----fupinTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_cadre_records_a_visit_with_a_photo_without_javascript() {
    let app = demo_app().await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let (_, _, m) = get(&app, &cadre, "/m").await;
    let hh = paired_household(&m);
    let done = |page: &str| -> i64 {
        let at = page.find("data-done=\"").unwrap() + 11;
        page[at..page[at..].find('"').unwrap() + at]
            .parse()
            .unwrap()
    };
    let before = done(&m);
    let today = fupin_core::years::today().to_string();
    let url = app.url(&format!("/m/households/{hh}/visit"));
    let send = |fields: Vec<(&'static str, String)>, file: Option<&'static [u8]>| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ct, body) = multipart(&f, file.map(|b| ("photo", b)));
        client()
            .post(&url)
            .header(COOKIE, &cadre.cookie)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let fields = |csrf: &str, date: &str, money: &str| {
        vec![
            ("csrf_token", csrf.to_string()),
            ("date", date.to_string()),
            ("kind", "01".to_string()),
            ("problems", "无 JavaScript 的走访".to_string()),
            ("condolence_money_fen", money.to_string()),
        ]
    };
    // the token travels in the multipart body; a wrong one is refused
    let res = send(fields("bad", &today, "100"), Some(PIXEL_PNG))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // a bad amount: the form again, the message beside the money field, no visit written
    let res = send(fields(&cadre.csrf, &today, "一百"), Some(PIXEL_PNG))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("id=\"f-condolence_money_fen-error\""),
        "{page}"
    );
    // not an image, or only the start of one: refused before anything is written, the reason
    // beside the photo field
    for (file, reason) in [
        (&b"not an image"[..], "照片只能是 JPEG 或 PNG 格式"),
        (HTML_AFTER_PNG_SIGNATURE, "照片无法读取"),
    ] {
        let res = send(fields(&cadre.csrf, &today, "100"), Some(file))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains(&format!("<p class=\"field-error\">{reason}")),
            "{page}"
        );
    }
    // good: recorded with its photo, shown on the household page, counted
    let res = send(fields(&cadre.csrf, &today, "100"), Some(PIXEL_PNG))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!("/households/{hh}?visit=recorded")),
        "{to}"
    );
    let (_, _, page) = get(&app, &cadre, &to).await;
    assert!(page.contains("无 JavaScript 的走访"));
    let photo = page
        .split("src=\"/api/v1/photos/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the photo is shown")
        .to_string();
    let res = client()
        .get(app.url(&format!("/api/v1/photos/{photo}")))
        .header(COOKIE, &cadre.cookie)
        .send()
        .await
        .unwrap();
    // the same picture, encoded again
    let served = res.bytes().await.unwrap();
    assert_eq!(
        image::load_from_memory(&served).unwrap().to_rgba8(),
        image::load_from_memory(PIXEL_PNG).unwrap().to_rgba8()
    );
    let (_, _, m) = get(&app, &cadre, "/m").await;
    assert_eq!(done(&m), before + 1, "one visit more, the refused ones not");
}

/// Freeze 塔岗's summary of a period through the summary page's form: the new snapshot's id.
async fn freeze_summary(app: &TestApp, s: &Session, from: &str, to: &str) -> i64 {
    let res = client()
        .post(app.url("/summary/snapshots"))
        .header(COOKIE, &s.cookie)
        .form(&[
            ("csrf_token", s.csrf.as_str()),
            ("region", TAGANG),
            ("from", from),
            ("to", to),
            ("unit", "南昌市人力资源和社会保障局"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "frozen");
    let to = res.headers()[LOCATION].to_str().unwrap().to_string();
    to.strip_prefix("/snapshots/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("to the snapshot: {to}"))
}

#[tokio::test]
async fn the_summary_pages_write_freeze_list_and_compare() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    // the board links to the region's summary, the form is there
    let (_, _, board) = get(&app, &officer, &format!("/board?region={TAGANG}")).await;
    assert!(
        board.contains(&format!("href=\"/summary?region={TAGANG}\"")),
        "a link from the board"
    );
    let (status, _, form) = get(&app, &officer, &format!("/summary?region={TAGANG}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("id=\"summary-form\"") && form.contains("南昌市人力资源和社会保障局"),
        "the unit to choose: {form}"
    );
    assert!(
        !form.contains("summary-doc"),
        "no document before a period is given"
    );
    // the standard tables of a year, each button the table's route; the funds table downloads
    assert!(form.contains("id=\"tables-form\""), "the tables' form");
    for t in ["registry", "pairing", "measures", "funds"] {
        assert!(
            form.contains(&format!(
                "formaction=\"/api/v1/regions/{TAGANG}/tables/{t}\" data-table=\"{t}\""
            )),
            "a button for the {t} table"
        );
    }
    let res = client()
        .get(app.url(&format!("/api/v1/regions/{TAGANG}/tables/funds?year=2017")))
        .header(COOKIE, &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(&res.bytes().await.unwrap()[..2], b"PK", "an XLSX package");
    // the summary of the article's period by its helping unit: the document and its downloads
    let unit = "南昌市人力资源和社会保障局";
    let q = format!(
        "region={TAGANG}&from=2015-10-01&to=2019-08-30&unit={}",
        form_urlencoded(unit)
    );
    let (status, _, page) = get(&app, &officer, &format!("/summary?{q}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"summary-doc\""), "the document");
    for figure in ["5,558", "7,467", "34.3%"] {
        assert!(page.contains(figure), "{figure} in the document");
    }
    for format in ["html", "docx", "md"] {
        let href = page
            .split(&format!("data-format=\"{format}\""))
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .and_then(|h| h.split('"').next())
            .unwrap()
            .replace("&amp;", "&");
        assert!(
            href.starts_with(&format!("/api/v1/regions/{TAGANG}/summary?")),
            "{href}"
        );
        let res = client()
            .get(app.url(&href))
            .header(COOKIE, &officer.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{href}");
        let body = res.bytes().await.unwrap();
        if format == "docx" {
            assert_eq!(&body[..2], b"PK", "a DOCX package");
        } else {
            assert!(String::from_utf8_lossy(&body).contains("7,467"), "{href}");
        }
    }
    // the issuing unit's summary names the unit; an unknown unit is said so, not left out silently
    assert!(page.contains(unit), "the unit in the document");
    let (status, _, unknown) = get(
        &app,
        &officer,
        &format!(
            "/summary?region={TAGANG}&from=2015-10-01&to=2019-08-30&unit={}",
            form_urlencoded("南昌市人社局")
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        unknown.contains("id=\"summary-error\"") && unknown.contains("该帮扶单位不存在"),
        "{unknown}"
    );
    // a bad period is shown on the page, beside the form
    let (status, _, bad) = get(
        &app,
        &officer,
        &format!("/summary?region={TAGANG}&from=2019-08-30&to=2015-10-01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        bad.contains("id=\"summary-error\"") && bad.contains("结束日期不能早于开始日期"),
        "{bad}"
    );

    // frozen: nothing changed yet, listed
    let id = freeze_summary(&app, &officer, "2015-10-01", "2019-08-30").await;
    let (status, _, snap) = get(&app, &officer, &format!("/snapshots/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(snap.contains("id=\"no-changes\""), "nothing changed yet");
    assert!(snap.contains("id=\"snapshot-doc\""));
    let (_, _, list) = get(&app, &officer, &format!("/snapshots?region={TAGANG}")).await;
    assert!(
        list.contains(&format!("href=\"/snapshots/{id}\"")),
        "listed"
    );

    // a later write: the snapshot keeps its figure and lists the change
    let token = common::login(&app, "demo-officer").await;
    let res = client()
        .put(app.url(&format!("/api/v1/regions/{TAGANG}/profiles/2018")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"collective_income_fen": 8_000_000, "rural_population": 1296}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let (_, _, snap) = get(&app, &officer, &format!("/snapshots/{id}")).await;
    let changes = snap
        .split("id=\"changes-table\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the changes listed");
    assert!(changes.contains("collective_income_last_fen"), "{changes}");
    assert!(
        changes.contains("70,000") && changes.contains("80,000"),
        "{changes}"
    );
    assert_eq!(changes.matches("<tr data-key").count(), 1, "{changes}");

    // another village's officer reaches neither the summary nor the snapshot
    let other = sign_in(&app, "demo-other").await;
    for path in [format!("/summary?{q}"), format!("/snapshots/{id}")] {
        let (status, _, _) = get(&app, &other, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, _, theirs) = get(&app, &other, "/snapshots").await;
    assert!(
        !theirs.contains(&format!("/snapshots/{id}")),
        "not in their list"
    );
}

/// A query value, percent-encoded.
fn form_urlencoded(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The links of a page to other pages of the server (`href="/…"`, unescaped, without a fragment),
/// leaving out the static assets and the API's files (photos).
fn page_links(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .filter(|h| !h.is_empty() && !h.starts_with("/assets/") && !h.starts_with("/api/"))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The links of `page` that answer `s` with 403 or 404: a dead end for the one who follows them.
async fn dead_links(app: &TestApp, s: &Session, page: &str) -> Vec<String> {
    let mut dead = Vec::new();
    for link in page_links(page) {
        let (status, _, _) = get(app, s, &link).await;
        if status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND {
            dead.push(format!("{status} {link}"));
        }
    }
    dead
}

/// The households paired with the cadre of session `s`, from its `/m` page.
async fn paired_households(app: &TestApp, s: &Session) -> Vec<i64> {
    let (_, _, m) = get(app, s, "/m").await;
    let mut ids: Vec<i64> = m
        .split("data-household=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();
    ids.sort();
    ids.dedup();
    assert!(!ids.is_empty(), "demo-cadre has paired households");
    ids
}

#[tokio::test]
async fn a_cadres_household_page_links_only_to_pages_the_cadre_can_open() {
    let app = demo_app().await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let officer = sign_in(&app, "demo-officer").await;
    let mut projects_named = 0;
    for h in paired_households(&app, &cadre).await {
        let path = format!("/households/{h}");
        let (status, _, page) = get(&app, &cadre, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let dead = dead_links(&app, &cadre, &page).await;
        assert!(dead.is_empty(), "{path} as demo-cadre links to {dead:?}");
        // the funds that reached the household name their project, as text for the cadre…
        let funds = |page: &str| -> String {
            let at = page.find("id=\"funds-trace\"").expect("the funds section");
            page[at..].split("</section>").next().unwrap().to_string()
        };
        let (_, _, office_page) = get(&app, &officer, &path).await;
        let (office_funds, page) = (funds(&office_page), funds(&page));
        let linked: Vec<&str> = office_funds
            .split("href=\"/projects/")
            .skip(1)
            .filter_map(|s| s.split("</a>").next()?.split('>').nth(1))
            .collect();
        for name in &linked {
            assert!(page.contains(name), "{path}: {name} named for the cadre");
            projects_named += 1;
        }
        assert!(!page.contains("href=\"/projects/"), "{path}");
    }
    // …and as a link for the village's officer, who may open the project
    assert!(
        projects_named > 0,
        "the demo pays a paired household through a project"
    );
}

#[tokio::test]
async fn a_cadres_case_page_links_only_to_pages_the_cadre_can_open() {
    let app = demo_app().await;
    let cadre = sign_in(&app, "demo-cadre").await;
    let officer = sign_in(&app, "demo-officer").await;
    let mut cases = Vec::new();
    for h in paired_households(&app, &cadre).await {
        let (_, _, page) = get(&app, &cadre, &format!("/households/{h}")).await;
        cases.extend(
            page_links(&page)
                .into_iter()
                .filter(|l| l.starts_with("/cases/") && !l.contains("/actions")),
        );
    }
    assert!(
        !cases.is_empty(),
        "a paired household has a case in the demo"
    );
    for path in &cases {
        let (status, _, page) = get(&app, &cadre, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let dead = dead_links(&app, &cadre, &page).await;
        assert!(dead.is_empty(), "{path} as demo-cadre links to {dead:?}");
        // the village's list of cases is the offices': text in the breadcrumb, no button
        assert!(!page.contains("href=\"/cases?region="), "{path}");
        assert!(page.contains("办理事项"), "{path}: the breadcrumb's step");
        let (_, _, office_page) = get(&app, &officer, path).await;
        assert!(
            office_page.contains("href=\"/cases?region=") && office_page.contains("本村办理事项"),
            "{path}: the officer's page links to the village's cases"
        );
    }
}

#[tokio::test]
async fn the_jobs_page_offers_the_import_only_to_those_who_may_import() {
    let app = demo_app().await;
    let auditor = sign_in(&app, "demo-auditor").await;
    let (status, _, page) = get(&app, &auditor, "/jobs").await;
    assert_eq!(status, StatusCode::OK);
    let dead = dead_links(&app, &auditor, &page).await;
    assert!(dead.is_empty(), "/jobs as demo-auditor links to {dead:?}");
    assert!(!page.contains("href=\"/import\""));
    assert!(page.contains("href=\"/export\""), "an auditor may export");
    let admin = sign_in(&app, "demo-admin").await;
    let (_, _, page) = get(&app, &admin, "/jobs").await;
    assert!(page.contains("href=\"/import\"") && page.contains("href=\"/export\""));
}

#[tokio::test]
async fn the_standards_page_names_every_parameter_in_chinese() {
    let app = demo_app().await;
    let officer = sign_in(&app, "demo-officer").await;
    let (status, _, page) = get(&app, &officer, "/parameters").await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "贫困线（元/人·年）",
        "防返贫监测线（元/人·年）",
        "每名帮扶干部结对户数上限",
    ] {
        assert!(page.contains(name), "{name}");
    }
    // every row by its name: no key is shown to an office that cannot set it
    let rows = page.matches("<tr data-key=").count();
    assert!(rows > 10, "{rows}");
    for p in fupin_core::assessment::default_parameters() {
        assert!(
            !page.contains(&format!("<code>{}</code>", p.key)),
            "{} shown as a code",
            p.key
        );
    }
    assert!(!page.contains("PUT /api/v1/parameters"));
    // an administrator sees each key in small type, for the API
    let admin = sign_in(&app, "demo-admin").await;
    let (_, _, page) = get(&app, &admin, "/parameters").await;
    assert!(page.contains("贫困线（元/人·年）"));
    assert!(page.contains("<small class=\"muted\"><code>poverty_line</code></small>"));
    assert!(!page.contains("PUT /api/v1/parameters"));
}

#[tokio::test]
async fn the_audit_log_names_every_action_of_the_demo_in_chinese() {
    use fupin_core::audit::action_name;
    let app = demo_app().await;
    let admin = sign_in(&app, "demo-admin").await;
    // an unmasked read, and a sign-in (above), in the log
    let h = tagang_household(&app, &admin).await;
    let (status, _, _) = get(
        &app,
        &admin,
        &format!("/api/v1/households/{h}?unmask=true&reason=%E6%A0%B8%E6%9F%A5"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.store().seal_audit().await.unwrap();
    // every action the demo's log holds, read from the store
    let mut actions = std::collections::BTreeSet::new();
    let mut after = None;
    loop {
        let page = app
            .store()
            .audit_log(
                &fupin_core::Ctx::system("test"),
                fupin_core::store::AuditFilter {
                    per_page: Some(500),
                    after,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        actions.extend(page.items.iter().map(|e| e.action.clone()));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    for a in ["login", "unmask", "problem.escalate"] {
        assert!(actions.contains(a), "{a} in the demo's log: {actions:?}");
    }
    let unnamed: Vec<&String> = actions
        .iter()
        .filter(|a| action_name(a).is_none())
        .collect();
    assert!(unnamed.is_empty(), "actions without a name: {unnamed:?}");
    // the page shows the name, and the code in small type for the filter
    let auditor = sign_in(&app, "demo-auditor").await;
    for a in &actions {
        let (status, _, page) = get(&app, &auditor, &format!("/audit?action={a}")).await;
        assert_eq!(status, StatusCode::OK);
        if !page.contains(&format!("data-action=\"{a}\"")) {
            continue; // outside the county auditor's regions
        }
        let name = action_name(a).unwrap();
        assert!(page.contains(name), "{a}: {name}");
        assert!(page.contains(&format!("<small class=\"muted\"><code>{a}</code></small>")));
        // the record's fields by label, not its JSON
        assert!(!page.contains("<pre>{"), "{a}: JSON shown as stored");
    }
    let (_, _, page) = get(&app, &auditor, "/audit?action=login").await;
    assert!(page.contains("登录"));
    // the kind of record by its name too, the code beside it
    let (_, _, page) = get(&app, &admin, "/audit?entity=household").await;
    assert!(
        page.contains("农户 <small class=\"muted\"><code>household</code></small>"),
        "{page}"
    );
    let (_, _, page) = get(&app, &admin, "/audit?action=unmask").await;
    assert!(
        page.contains("查看完整个人信息") && page.contains("<dt>原因</dt>"),
        "{page}"
    );
}
