//! The standard tables by child region (pairing, measures, funds) read back with the XLSX reader:
//! merged headers present, the 合计 row equal to the sum of the child regions' rows, and every row
//! equal to the answer of the API the table names for that region (on SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

mod common;

use calamine::{Reader, Xlsx};
use common::{demo_app, login};
use fupin::testing::TestApp;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const TAGANG: &str = "360124106204";
const LUOXI: &str = "360124106000";

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let res = get(app, token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

/// A table as read back: its merged ranges and its cells as text.
struct Sheet {
    merged: Vec<String>,
    cells: Vec<Vec<String>>,
}

impl Sheet {
    fn text(&self, r: usize, c: usize) -> &str {
        self.cells
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", |s| s.as_str())
    }
    fn number(&self, r: usize, c: usize) -> f64 {
        let t = self.text(r, c);
        if t.is_empty() {
            return 0.0;
        }
        t.parse()
            .unwrap_or_else(|_| panic!("({r}, {c}) not a number: {t}"))
    }
    /// The body's rows: the 合计 row (4), then the child regions' rows up to the first empty row.
    fn body(&self) -> std::ops::Range<usize> {
        let end = (4..self.cells.len())
            .find(|r| self.text(*r, 0).is_empty())
            .unwrap_or(self.cells.len());
        4..end
    }
    fn width(&self) -> usize {
        self.cells.get(3).map_or(0, |r| r.len())
    }
}

async fn table(app: &TestApp, token: &str, path: &str, sheet: &str) -> Sheet {
    let res = get(app, token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let merged = wb
        .merge_cells_by_sheet_name(sheet)
        .unwrap()
        .iter()
        .map(|d| format!("{:?}-{:?}", d.start, d.end))
        .collect();
    let range = wb.worksheet_range(sheet).unwrap();
    let cells = (0..range.height() as u32)
        .map(|r| {
            (0..range.width() as u32)
                .map(|c| {
                    range
                        .get_value((r, c))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Sheet { merged, cells }
}

/// The 合计 row equals the sum of the child regions' rows in `columns` (all but `distinct`, whose
/// total counts each unit or cadre once and is at most the sum).
fn total_is_the_sum(s: &Sheet, distinct: &[usize]) {
    let body = s.body();
    assert!(body.len() > 2, "a total and child regions: {:?}", s.cells);
    assert_eq!(s.text(4, 1), "合计");
    for c in 2..s.width() {
        let sum: f64 = (body.start + 1..body.end).map(|r| s.number(r, c)).sum();
        let total = s.number(4, c);
        if distinct.contains(&c) {
            assert!(
                total <= sum + 1e-9,
                "column {c} ({}): total {total} > Σ {sum}",
                s.text(3, c)
            );
        } else {
            assert!(
                (total - sum).abs() < 1e-6,
                "column {c} ({}): total {total} ≠ Σ rows {sum}",
                s.text(3, c)
            );
        }
    }
}

/// A household's id by its number.
async fn household_id(app: &TestApp, token: &str, number: &str) -> i64 {
    get_json(
        app,
        token,
        &format!("/api/v1/households/by-number/{number}"),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_pairing_table_totals_its_rows_and_each_row_is_the_regions_pairing_report() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let s = table(
        &app,
        &token,
        &format!("/api/v1/regions/{LUOXI}/tables/pairing?year=2018"),
        "结对帮扶",
    )
    .await;
    assert!(
        s.merged.iter().any(|m| m.starts_with("(0, 0)-(0, ")),
        "title across the columns: {:?}",
        s.merged
    );
    for m in [
        "(2, 0)-(3, 0)",
        "(2, 1)-(3, 1)",
        "(2, 2)-(3, 2)",
        "(2, 6)-(2, 8)",
    ] {
        assert!(s.merged.contains(&m.to_string()), "{m}: {:?}", s.merged);
    }
    assert!(s.text(0, 0).contains("2018年结对帮扶情况统计表"));
    assert_eq!(s.text(2, 6), "结对（对·年）");
    assert_eq!(s.text(3, 7), "走访达标");
    total_is_the_sum(&s, &[2, 3]);

    // every row is the region's report of the year, field by field in the table's order
    let fields: [(&str, f64); 16] = [
        ("units_total", 1.0),
        ("cadres_total", 1.0),
        ("households_paired", 1.0),
        ("households_without_cadre_count", 1.0),
        ("pairings_total", 1.0),
        ("", 1.0), // pairings meeting the minimum: pairings_total − below_minimum_count
        ("below_minimum_count", 1.0),
        ("visits_total", 1.0),
        ("visits_person_times", 1.0),
        ("visits_required", 1.0),
        ("visits_done", 1.0),
        ("condolence_money_fen", 100.0),
        ("goods_value_fen", 100.0),
        ("wishes_submitted", 1.0),
        ("wishes_fulfilled", 1.0),
        ("wishes_value_fen", 100.0),
    ];
    let mut tagang = None;
    for r in s.body() {
        let code = s.text(r, 0).to_string();
        let p = get_json(
            &app,
            &token,
            &format!("/api/v1/regions/{code}/pairing-report?year=2018"),
        )
        .await;
        for (i, (field, per)) in fields.iter().enumerate() {
            let want = if field.is_empty() {
                p["pairings_total"].as_i64().unwrap() - p["below_minimum_count"].as_i64().unwrap()
            } else {
                p[field].as_i64().unwrap_or_else(|| panic!("{field}: {p}"))
            } as f64
                / per;
            assert_eq!(s.number(r, 2 + i), want, "{code} {field}");
        }
        if code == TAGANG {
            tagang = Some(r);
        }
    }
    // 塔岗: the helping unit, its cadres and the 14 paired households carry the township's figures
    let r = tagang.expect("a row for 塔岗");
    assert_eq!(s.number(r, 2), 1.0, "南昌市人社局");
    assert_eq!(s.number(r, 4), 14.0, "14 paired households");
    assert!(s.number(r, 3) > 0.0 && s.number(r, 9) > 0.0);
    for c in 2..s.width() {
        assert_eq!(s.number(r, c), s.number(4, c), "only 塔岗 is paired");
    }
    // a year is required, and a village's table is its own total alone
    let res = get(
        &app,
        &token,
        &format!("/api/v1/regions/{LUOXI}/tables/pairing"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["code"].as_str(), v["field"].as_str()),
        (Some("missing_parameter"), Some("year"))
    );
    let village = table(
        &app,
        &token,
        &format!("/api/v1/regions/{TAGANG}/tables/pairing?year=2018"),
        "结对帮扶",
    )
    .await;
    assert_eq!(village.body().len(), 1);
    assert_eq!(village.number(4, 4), 14.0);
}

#[tokio::test]
async fn the_measures_table_totals_its_rows_and_each_row_is_the_regions_services_report() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;
    let c = Client::new();
    let h1 = household_id(&app, &token, "3601241062040001").await;
    let h2 = household_id(&app, &token, "3601241062040002").await;
    // 2016: before the demo's own measures of 塔岗 (2017–2018)
    let measures = [
        (h1, "种植业扶持", "2016-03-10", 100_000),
        (h2, "种植业扶持", "2016-05-01", 50_000),
        (h2, "危房改造", "2016-07-15", 2_000_000),
        // another year: not in 2016's table
        (h1, "临时救助", "2015-11-20", 30_000),
    ];
    for (h, kind, start, amount) in measures {
        let res = c
            .post(app.url("/api/v1/measures"))
            .bearer_auth(&token)
            .json(&json!({"household_id": h, "kind": kind, "start_date": start, "amount_fen": amount}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    let s = table(
        &app,
        &token,
        &format!("/api/v1/regions/{LUOXI}/tables/measures?year=2016"),
        "帮扶措施",
    )
    .await;
    assert!(s.text(0, 0).contains("2016年帮扶措施落实情况统计表"));
    for m in [
        "(2, 0)-(3, 0)",
        "(2, 2)-(2, 3)",
        "(2, 4)-(2, 5)",
        "(2, 6)-(2, 7)",
    ] {
        assert!(s.merged.contains(&m.to_string()), "{m}: {:?}", s.merged);
    }
    // the categories with measures in 2016, in catalogue order, and no other
    assert_eq!(
        (s.text(2, 2), s.text(2, 4), s.text(2, 6), s.text(2, 8)),
        ("合计", "产业帮扶", "住房保障", "惠及人员（人次）")
    );
    assert_eq!(s.text(3, 4), "措施（项）");
    total_is_the_sum(&s, &[]);
    assert_eq!((s.number(4, 2), s.number(4, 3)), (3.0, 21_500.0));

    for r in s.body() {
        let code = s.text(r, 0).to_string();
        let p = get_json(
            &app,
            &token,
            &format!("/api/v1/regions/{code}/services-report?from=2016-01-01&to=2016-12-31"),
        )
        .await;
        let kinds = p["by_kind"].as_array().unwrap();
        let of = |prefix: &str| -> (f64, f64) {
            kinds
                .iter()
                .filter(|k| prefix.is_empty() || k["kind"].as_str().unwrap().starts_with(prefix))
                .fold((0.0, 0.0), |(m, a), k| {
                    (
                        m + k["measures"].as_f64().unwrap(),
                        a + k["amount_fen"].as_f64().unwrap() / 100.0,
                    )
                })
        };
        for (col, prefix) in [(2, ""), (4, "01"), (6, "06")] {
            assert_eq!(
                (s.number(r, col), s.number(r, col + 1)),
                of(prefix),
                "{code} {prefix}"
            );
        }
        let persons = [
            &p["employment"]["total"]["registered"],
            &p["employment"]["on_posts"],
            &p["employment"]["in_workshops"],
            &p["training"]["trained"]["registered"],
            &p["education"]["students"],
            &p["pension"]["enrolled"],
            &p["loans"]["microcredit"],
            &p["loans"]["startup"],
        ];
        for (i, v) in persons.iter().enumerate() {
            assert_eq!(
                s.number(r, 8 + i),
                v.as_f64().unwrap(),
                "{code} persons {i}"
            );
        }
    }
}

const JINXIAN: &str = "360124000000";

/// The column headers of a table: (group, label) per column from the third; a column whose header
/// spans both rows has an empty group.
fn headers(s: &Sheet) -> Vec<(String, String)> {
    let mut group = String::new();
    (2..s.width())
        .map(|c| {
            let (top, below) = (s.text(2, c), s.text(3, c));
            if below.is_empty() {
                group.clear();
                return (String::new(), top.to_string());
            }
            if !top.is_empty() {
                group = top.to_string();
            }
            (group.clone(), below.to_string())
        })
        .collect()
}

/// A column of the funds table by its group and label.
fn column(h: &[(String, String)], group: &str, label: &str) -> usize {
    2 + h
        .iter()
        .position(|(g, l)| g == group && l == label)
        .unwrap_or_else(|| panic!("no column {group} / {label}: {h:?}"))
}

/// The funds-report line of `list` labelled `label`.
fn line<'a>(r: &'a Value, list: &str, label: &str) -> &'a Value {
    r[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {list}: {r}"))
}

/// What the funds report `r` of `year` answers for the column (group, label): a number (yuan for
/// money) or null.
fn funds_answer(r: &Value, year: i64, group: &str, label: &str) -> Value {
    let yuan = |v: &Value| json!(v.as_f64().unwrap() / 100.0);
    let dividend = r["dividends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["year"] == year)
        .cloned()
        .unwrap_or(json!({"households": 0, "amount_fen": 0, "per_household_fen": null}));
    let categories: Vec<&str> = r["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    match (group, label) {
        ("资金来源（元）", "合计") => yuan(&r["sources_total"]["amount_fen"]),
        ("资金来源（元）", l) => yuan(&line(r, "by_source", l)["amount_fen"]),
        ("资金拨付（按办理日期）", "已下达（元）") => {
            yuan(&r["sources_total"]["allocated_fen"])
        }
        ("资金拨付（按办理日期）", "已到账（元）") => {
            yuan(&r["sources_total"]["received_fen"])
        }
        ("资金拨付（按办理日期）", "已支付（元）") => {
            yuan(&r["sources_total"]["disbursed_fen"])
        }
        ("资金拨付（按办理日期）", "支付进度（%）") => {
            r["sources_total"]["disbursement_rate"].clone()
        }
        ("当年项目", "项目（个）") => r["projects_total"]["projects"].clone(),
        ("当年项目", "计划投资（元）") => yuan(&r["projects_total"]["budget_fen"]),
        ("当年项目", "已下达（元）") => yuan(&r["projects_total"]["allocated_fen"]),
        ("当年项目", "已支付（元）") => yuan(&r["projects_total"]["disbursed_fen"]),
        ("当年项目", "支付进度（%）") => r["disbursement_rate"].clone(),
        (c, "项目（个）") if categories.contains(&c) => {
            line(r, "by_category", c)["projects"].clone()
        }
        (c, "计划投资（元）") if categories.contains(&c) => {
            yuan(&line(r, "by_category", c)["budget_fen"])
        }
        ("项目进度（个）", "逾期未验收") => r["overdue_projects"].clone(),
        ("项目进度（个）", l) => line(r, "by_stage", l)["projects"].clone(),
        ("资产（年末）", "资产（个）") => r["assets_total"]["assets"].clone(),
        ("资产（年末）", "价值（元）") => yuan(&r["assets_total"]["value_fen"]),
        ("资产收益（当年，元）", "收益") => yuan(&r["assets_total"]["income_fen"]),
        ("资产收益（当年，元）", "村集体") => {
            yuan(&r["assets_total"]["collective_fen"])
        }
        ("资产收益（当年，元）", "农户") => yuan(&r["assets_total"]["households_fen"]),
        ("分红（当年）", "分红户数（户）") => dividend["households"].clone(),
        ("分红（当年）", "分红金额（元）") => yuan(&dividend["amount_fen"]),
        ("分红（当年）", "户均（元）") => match dividend["per_household_fen"].as_f64() {
            Some(_) => yuan(&dividend["per_household_fen"]),
            None => Value::Null,
        },
        _ => panic!("a column the test does not know: {group} / {label}"),
    }
}

/// The funds table of `region` for `year`, every row checked against its region's funds report
/// column by column; the table and its headers.
async fn funds_table(
    app: &TestApp,
    token: &str,
    region: &str,
    year: i64,
) -> (Sheet, Vec<(String, String)>) {
    let s = table(
        app,
        token,
        &format!("/api/v1/regions/{region}/tables/funds?year={year}"),
        "项目资金",
    )
    .await;
    assert!(
        s.text(0, 0)
            .contains(&format!("{year}年扶贫项目资金情况统计表")),
        "{}",
        s.text(0, 0)
    );
    let h = headers(&s);
    assert!(
        h.iter().all(|(g, _)| !g.is_empty()),
        "every column in a group: {h:?}"
    );
    for r in s.body() {
        let code = s.text(r, 0).to_string();
        let report = get_json(
            app,
            token,
            &format!("/api/v1/regions/{code}/funds-report?from={year}&to={year}"),
        )
        .await;
        for (i, (g, l)) in h.iter().enumerate() {
            match funds_answer(&report, year, g, l).as_f64() {
                Some(want) => assert!(
                    (s.number(r, 2 + i) - want).abs() < 1e-9,
                    "{code} {g}/{l}: {} ≠ {want}",
                    s.text(r, 2 + i)
                ),
                None => assert_eq!(s.text(r, 2 + i), "", "{code} {g}/{l}: blank"),
            }
        }
    }
    (s, h)
}

/// The row of a region in a table.
fn row_of(s: &Sheet, code: &str) -> usize {
    s.body()
        .find(|r| s.text(*r, 0) == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}

#[tokio::test]
async fn the_funds_table_is_each_regions_funds_report_with_the_demos_figures() {
    let app = demo_app().await;
    let token = login(&app, "demo-officer").await;

    // 2017 in 罗溪镇: 塔岗's five projects of the year, its two sources held by the village
    let (s, h) = funds_table(&app, &token, LUOXI, 2017).await;
    for m in ["(0, 0)-(0, ", "(2, 0)-(3, 0)", "(2, 1)-(3, 1)"] {
        assert!(
            s.merged.iter().any(|x| x.starts_with(m)),
            "{m}: {:?}",
            s.merged
        );
    }
    let src = column(&h, "资金来源（元）", "合计");
    let merged_sources = format!("(2, {src})-(2, {})", src + 2);
    assert!(
        s.merged.contains(&merged_sources),
        "资金来源 over 合计 and the two kinds: {:?}",
        s.merged
    );
    // the categories with projects in 2017 and no other; housing's projects are of 2016
    let groups: Vec<&str> = h.iter().map(|(g, _)| g.as_str()).collect();
    assert!(
        groups.contains(&"基础设施") && groups.contains(&"产业") && groups.contains(&"集体经济")
    );
    assert!(
        !groups.contains(&"住房") && !groups.contains(&"教育"),
        "{groups:?}"
    );
    // rates and means are not sums; everything else in a township's table is
    let not_summed: Vec<usize> = [
        ("资金拨付（按办理日期）", "支付进度（%）"),
        ("当年项目", "支付进度（%）"),
        ("分红（当年）", "户均（元）"),
    ]
    .iter()
    .map(|(g, l)| column(&h, g, l))
    .collect();
    let tagang = row_of(&s, TAGANG);
    let hand: [(&str, &str, f64); 24] = [
        ("资金来源（元）", "合计", 300_000.0),
        ("资金来源（元）", "帮扶单位资金", 200_000.0),
        ("资金来源（元）", "社会捐赠", 100_000.0),
        ("资金拨付（按办理日期）", "已下达（元）", 1_200_000.0),
        ("资金拨付（按办理日期）", "已到账（元）", 1_200_000.0),
        ("资金拨付（按办理日期）", "已支付（元）", 1_200_000.0),
        ("资金拨付（按办理日期）", "支付进度（%）", 100.0),
        ("当年项目", "项目（个）", 5.0),
        ("当年项目", "计划投资（元）", 1_200_000.0),
        ("当年项目", "已下达（元）", 1_200_000.0),
        ("当年项目", "已支付（元）", 1_200_000.0),
        ("当年项目", "支付进度（%）", 100.0),
        ("基础设施", "项目（个）", 2.0),
        ("基础设施", "计划投资（元）", 540_000.0),
        ("产业", "项目（个）", 1.0),
        ("产业", "计划投资（元）", 260_000.0),
        ("集体经济", "项目（个）", 2.0),
        ("集体经济", "计划投资（元）", 400_000.0),
        ("项目进度（个）", "逾期未验收", 0.0),
        // the photovoltaic plant, the mountain pond and the peony park's shares paid for 2017
        ("资产收益（当年，元）", "收益", 42_200.0),
        ("资产收益（当年，元）", "村集体", 38_000.0),
        ("资产收益（当年，元）", "农户", 4_200.0),
        // 300 yuan to each of the 14 households
        ("分红（当年）", "分红户数（户）", 14.0),
        ("分红（当年）", "户均（元）", 300.0),
    ];
    for (g, l, want) in hand {
        let c = column(&h, g, l);
        assert_eq!(s.number(tagang, c), want, "塔岗 {g}/{l}");
        assert_eq!(
            s.number(4, c),
            want,
            "罗溪镇 {g}/{l}: only 塔岗 has projects"
        );
    }
    assert_eq!(
        s.number(tagang, column(&h, "分红（当年）", "分红金额（元）")),
        4_200.0
    );
    let stages: f64 = h
        .iter()
        .enumerate()
        .filter(|(_, (g, l))| g == "项目进度（个）" && l != "逾期未验收")
        .map(|(i, _)| s.number(tagang, 2 + i))
        .sum();
    assert_eq!(stages, 5.0, "each of the five projects at one stage");
    total_is_the_sum(&s, &not_summed);

    // 2017 in 进贤县: the county holds the integrated funds (900,000 yuan), counted at the county
    // only, so its total is 罗溪镇's 300,000 and those
    let (c, ch) = funds_table(&app, &token, JINXIAN, 2017).await;
    let luoxi = row_of(&c, LUOXI);
    let amount = column(&ch, "资金来源（元）", "合计");
    let integrated = column(&ch, "资金来源（元）", "统筹整合涉农资金");
    assert_eq!(
        (c.number(4, amount), c.number(luoxi, amount)),
        (1_200_000.0, 300_000.0)
    );
    assert_eq!(
        (c.number(4, integrated), c.number(luoxi, integrated)),
        (900_000.0, 0.0)
    );
    for (g, l, want) in [
        ("当年项目", "项目（个）", 5.0),
        ("当年项目", "计划投资（元）", 1_200_000.0),
        ("资金拨付（按办理日期）", "已支付（元）", 1_200_000.0),
        ("分红（当年）", "分红户数（户）", 14.0),
    ] {
        let col = column(&ch, g, l);
        assert_eq!(
            (c.number(4, col), c.number(luoxi, col)),
            (want, want),
            "{g}/{l}"
        );
    }

    // 2018: no projects of the year, the assets at its end and their income (the collective's
    // 70,000 yuan of the article), 600 yuan of dividends to each of the 14 households
    let (y, yh) = funds_table(&app, &token, LUOXI, 2018).await;
    let tagang = row_of(&y, TAGANG);
    assert!(
        !yh.iter().any(|(g, _)| g == "基础设施"),
        "no category without projects: {yh:?}"
    );
    for (g, l, want) in [
        ("当年项目", "项目（个）", 0.0),
        ("资产（年末）", "资产（个）", 10.0),
        ("资产（年末）", "价值（元）", 2_900_000.0),
        ("资产收益（当年，元）", "收益", 78_400.0),
        ("资产收益（当年，元）", "村集体", 70_000.0),
        ("资产收益（当年，元）", "农户", 8_400.0),
        ("分红（当年）", "分红户数（户）", 14.0),
        ("分红（当年）", "分红金额（元）", 8_400.0),
        ("分红（当年）", "户均（元）", 600.0),
    ] {
        assert_eq!(
            y.number(tagang, column(&yh, g, l)),
            want,
            "塔岗 2018 {g}/{l}"
        );
    }
    assert_eq!(
        y.text(tagang, column(&yh, "当年项目", "支付进度（%）")),
        "",
        "no rate without money"
    );

    // a village's table is its own total alone; the year is required
    let (v, _) = funds_table(&app, &token, TAGANG, 2017).await;
    assert_eq!(v.body().len(), 1);
    let res = get(
        &app,
        &token,
        &format!("/api/v1/regions/{LUOXI}/tables/funds"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["code"].as_str(), v["field"].as_str()),
        (Some("missing_parameter"), Some("year"))
    );
}
