//! The work summary (帮扶工作总结) of 塔岗 written from the demo: every figure of the article in its
//! text (HTML and DOCX), every figure equal to the answer of the query the appendix names, sections
//! without data left out.

mod common;

use common::{demo_app, login};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const TAGANG: &str = "360124106204";

async fn get(app: &fupin::testing::TestApp, token: &str, path: &str) -> reqwest::Response {
    Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &fupin::testing::TestApp, token: &str, path: &str) -> Value {
    let res = get(app, token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

/// The value the appendix's `field` names in an API answer: a path of names, `list[x]` the item of
/// `list` whose `code` (a region's statistics) or `key` (a funds report's lines) is `x`.
fn resolve(answer: &Value, field: &str) -> Option<f64> {
    let mut v = answer;
    for part in field.split('.') {
        if let Some((name, code)) = part.strip_suffix(']').and_then(|p| p.split_once('[')) {
            v = v[name]
                .as_array()?
                .iter()
                .find(|x| x["code"].as_str() == Some(code) || x["key"].as_str() == Some(code))?;
        } else {
            v = &v[part];
        }
    }
    v.as_f64()
}

/// The digits of a text with the separators taken out, so `1,760,000` is found as `1760000`.
fn plain(text: &str) -> String {
    text.replace(',', "")
}

#[tokio::test]
async fn the_summary_of_tagang_reproduces_the_article_and_every_figure_its_query() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let q = format!("/api/v1/regions/{TAGANG}/summary?from=2015-10-01&to=2019-08-30");
    let s = get_json(&app, &token, &q).await;

    // every figure equals the answer of its query
    let figures = s["figures"].as_array().unwrap();
    assert!(figures.len() >= 10, "{s}");
    for f in figures {
        let query = f["query"].as_str().unwrap();
        let path = query.strip_prefix("GET ").unwrap();
        let answer = get_json(&app, &token, path).await;
        // a keyset list answers its rows under `items`
        let answer = answer.get("items").cloned().unwrap_or(answer);
        let got = resolve(&answer, f["field"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{f}: field not in {answer}"));
        let value = f["value"].as_i64().unwrap() as f64;
        let expect = if f["unit"] == "permille_tenth" {
            value / 10.0
        } else {
            value
        };
        assert_eq!(got, expect, "{f}");
    }
    let value = |key: &str| {
        figures
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("no figure {key}: {s}"))["value"]
            .as_i64()
            .unwrap()
    };
    assert_eq!((value("households"), value("persons")), (14, 45));
    assert_eq!(value("cadres"), 48);
    assert!(value("visits_person_times") >= 330);
    assert_eq!(value("wishes_fulfilled"), 13);
    assert_eq!(value("money_and_goods_fen"), 12_000_000);
    assert_eq!(value("per_capita_first_fen"), 555_800);
    assert_eq!(value("per_capita_last_fen"), 746_700);
    assert_eq!(value("per_capita_growth"), 343);
    assert!(value("collective_income_first_fen") < 500_000);
    assert_eq!(value("collective_income_last_fen"), 7_000_000);
    assert_eq!(value("projects_budget_fen"), 260_000_000);
    assert_eq!(value("projects_infrastructure_fen"), 176_000_000);
    assert_eq!(value("projects_collective_economy_fen"), 40_000_000);
    // eight projects of 2015–2019, every yuan of them paid
    assert_eq!(value("projects"), 8);
    assert_eq!(value("projects_disbursed_fen"), 260_000_000);
    let budget = figures
        .iter()
        .find(|f| f["key"] == "projects_budget_fen")
        .unwrap();
    assert_eq!(
        (budget["query"].as_str(), budget["field"].as_str()),
        (
            Some("GET /api/v1/regions/360124106204/funds-report?from=2015&to=2019"),
            Some("projects_total.budget_fen")
        ),
        "the projects' figures come from the funds report"
    );

    // the article's figures in the HTML and in the DOCX
    let html = get(&app, &token, &format!("{q}&format=html")).await;
    assert_eq!(html.status(), StatusCode::OK);
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = html.text().await.unwrap();
    let docx = get(&app, &token, &format!("{q}&format=docx")).await;
    assert_eq!(docx.status(), StatusCode::OK);
    let docx = docx.bytes().await.unwrap();
    let docx_text = fupin_io::summary::docx_text(&docx).unwrap().join("\n");
    let article = [
        "14 户 45 人",
        "48 名干部",
        "332 人次",
        "13 个",
        "12 万元",
        "120000 元",
        "5558 元",
        "7467 元",
        "34.3%",
        "4800 元（不足 5000 元）",
        "70000 元（7 万元）",
        "约 260 万元",
        "176 万元",
        "40 万元",
    ];
    for (what, text) in [("html", plain(&html)), ("docx", plain(&docx_text))] {
        for figure in article {
            assert!(text.contains(figure), "{what} lacks {figure}");
        }
        assert!(
            text.contains("南昌市人力资源和社会保障局自2015年10月起定点帮扶"),
            "{what}: the helping unit"
        );
        assert!(text.contains("附表：数据来源"), "{what}: the appendix");
    }
    // a page number field in the DOCX's footer and a picture per chart
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.to_vec())).unwrap();
    let mut footer = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("word/footer") {
            std::io::Read::read_to_string(&mut f, &mut footer).unwrap();
        }
    }
    assert!(footer.contains("PAGE"), "{footer}");
    assert!(html.contains("<svg"), "charts in the HTML");

    // a village without pairing, projects or rectification: those sections are left out
    let other = get_json(
        &app,
        &token,
        "/api/v1/regions/360124106205/summary?from=2015-10-01&to=2019-08-30",
    )
    .await;
    let keys: Vec<&str> = other["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(!keys.contains(&"pairing"), "{keys:?}");
    assert!(!keys.contains(&"projects"), "{keys:?}");
    assert!(keys.contains(&"next"), "{keys:?}");
}

#[tokio::test]
async fn bad_periods_and_formats_are_refused_with_the_field() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    for (query, code, field) in [
        ("from=2019-01-01", "missing_parameter", "to"),
        ("from=2019-02-30&to=2019-03-01", "invalid_date", "from"),
        ("from=2019-03-01&to=2019-01-01", "end_before_start", "to"),
        ("from=1990-01-01&to=2019-01-01", "period_too_long", "from"),
        (
            "from=2019-01-01&to=2019-12-31&format=pdf",
            "invalid_parameter",
            "format",
        ),
    ] {
        let res = get(
            &app,
            &token,
            &format!("/api/v1/regions/{TAGANG}/summary?{query}"),
        )
        .await;
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(
            (v["code"].as_str(), v["field"].as_str()),
            (Some(code), Some(field)),
            "{query}: {v}"
        );
    }
}

#[tokio::test]
async fn a_snapshot_shows_the_figures_as_sent_and_what_changed_since() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let res = Client::new()
        .post(app.url(&format!("/api/v1/regions/{TAGANG}/summary/snapshots")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"from": "2015-10-01", "to": "2019-08-30"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let snap: Value = res.json().await.unwrap();
    let id = snap["id"].as_i64().unwrap();
    // nothing changed yet
    let v = get_json(&app, &token, &format!("/api/v1/snapshots/{id}")).await;
    assert_eq!(v["changes"], serde_json::json!([]), "{v}");

    // a later write: 2018's collective income corrected
    let res = Client::new()
        .put(app.url(&format!("/api/v1/regions/{TAGANG}/profiles/2018")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"collective_income_fen": 8_000_000, "rural_population": 1296}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    let v = get_json(&app, &token, &format!("/api/v1/snapshots/{id}")).await;
    let figure = |key: &str| {
        v["snapshot"]["summary"]["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap()["value"]
            .as_i64()
    };
    assert_eq!(
        figure("collective_income_last_fen"),
        Some(7_000_000),
        "as sent"
    );
    assert_eq!(
        v["changes"],
        serde_json::json!([{
            "key": "collective_income_last_fen",
            "label": "2018 年村集体经济收入（元）",
            "then": 7_000_000, "now": 8_000_000,
            "then_text": "70,000", "now_text": "80,000"
        }]),
        "{v}"
    );
    // the frozen document is the old one
    let md = get(&app, &token, &format!("/api/v1/snapshots/{id}?format=md")).await;
    let md = md.text().await.unwrap();
    assert!(md.contains("2018 年的 70,000 元"), "{md}");
    assert!(!md.contains("80,000"), "{md}");
    // listed under the village and the county, newest first
    for region in [TAGANG, "360124000000"] {
        let list = get_json(
            &app,
            &token,
            &format!("/api/v1/regions/{region}/summary/snapshots"),
        )
        .await;
        assert_eq!(list[0]["id"].as_i64(), Some(id), "{region}: {list}");
    }
    // an unknown snapshot
    let res = get(&app, &token, "/api/v1/snapshots/999999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "snapshot_not_found");
}

#[tokio::test]
async fn the_registry_table_has_merged_headers_a_total_and_a_row_per_village() {
    use calamine::{Reader, Xlsx};
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let township = "360124106000";
    let res = get(
        &app,
        &token,
        &format!("/api/v1/regions/{township}/tables/registry?year=2018"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let merged: Vec<String> = wb
        .merge_cells_by_sheet_name("建档立卡统计")
        .unwrap()
        .iter()
        .map(|d| format!("{:?}-{:?}", d.start, d.end))
        .collect();
    assert!(
        merged.iter().any(|m| m.starts_with("(0, 0)-(0, ")),
        "the title across the columns: {merged:?}"
    );
    assert!(
        merged.contains(&"(2, 0)-(3, 0)".to_string()),
        "区划代码 over two header rows: {merged:?}"
    );
    let sheet = wb.worksheet_range("建档立卡统计").unwrap();
    let text = |r: u32, c: u32| {
        sheet
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert!(
        text(0, 0).contains("2018年建档立卡贫困人口统计表"),
        "{}",
        text(0, 0)
    );
    assert_eq!(text(2, 4), "按脱贫状态");
    // the total, equal to the township's statistics
    let stats = get_json(
        &app,
        &token,
        &format!("/api/v1/regions/{township}/stats?year=2018"),
    )
    .await;
    assert_eq!(text(4, 1), "合计");
    assert_eq!(text(4, 2), stats["households"].to_string());
    assert_eq!(text(4, 3), stats["persons"].to_string());
    // 塔岗's row
    let row = (5..sheet.height() as u32)
        .find(|&r| text(r, 0) == TAGANG)
        .expect("a row for 塔岗");
    assert_eq!(
        (text(row, 2), text(row, 3)),
        ("14".to_string(), "45".to_string())
    );
    let last = sheet.width() as u32 - 1;
    assert_eq!(
        text(row, last),
        "17.2",
        "growth 2017 → 2018: 6,370.31 → 7,467"
    );
    assert_eq!(text(row, last - 2), "7467");
}
