//! The counting (Alkire–Foster) measure end to end: a configuration set through the parameters API,
//! households whose records yield an achievement matrix, and `GET /api/v1/regions/{code}/measures`
//! with `config` and `k` (SQLite, or PostgreSQL with `TEST_DATABASE_URL=postgres://…`).

mod common;

use common::store::idn;

use fupin::testing::{create_user, spawn_app, TestApp};
use fupin_core::accounts::Role;
use fupin_core::regions::RegionRecord;
use fupin_core::Ctx;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

const AF_VILLAGE: &str = "360124106204";
const MISSING_VILLAGE: &str = "360124106205";

const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("360000000000", "province", "江西省", ""),
    ("360100000000", "city", "南昌市", "360000000000"),
    ("360124000000", "county", "进贤县", "360100000000"),
    ("360124106000", "township", "罗溪镇", "360124000000"),
    (AF_VILLAGE, "village", "塔岗村委会", "360124106000"),
    (MISSING_VILLAGE, "village", "三房村委会", "360124106000"),
];

struct App {
    app: TestApp,
    token: String,
}

async fn app() -> App {
    let app = spawn_app().await;
    let recs = REGIONS
        .iter()
        .enumerate()
        .map(|(i, (c, l, n, p))| {
            let rec = RegionRecord {
                code: c.to_string(),
                level: Some(l.to_string()),
                name: n.to_string(),
                parent_code: Some(p.to_string()),
            };
            (i as u64 + 2, rec)
        })
        .collect();
    app.store()
        .import_regions(&Ctx::system("test"), recs)
        .await
        .expect("regions import");
    create_user(
        app.store().as_ref(),
        "af-admin",
        "af-admin-password",
        &[(Role::Admin, "360000000000")],
    )
    .await;
    let res = Client::new()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "af-admin", "password": "af-admin-password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("login body");
    let token = body["token"].as_str().expect("token").to_string();
    App { app, token }
}

async fn call(app: &App, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new()
        .request(method, app.app.url(path))
        .bearer_auth(&app.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

async fn ok(app: &App, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, body) = call(app, method, path, body).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A one-person household of `village` with the member's fields `member` (merged over a head born
/// in 1970), living conditions `living`, and the 2018 net income `income` (fen) when given.
async fn household(
    app: &App,
    village: &str,
    seq: u32,
    member: Value,
    living: Value,
    income: Option<i64>,
) -> i64 {
    let mut m =
        json!({"name": format!("户主{seq}"), "id_number": idn("19700101", seq), "relation": "01"});
    for (k, v) in member.as_object().unwrap() {
        m[k] = v.clone();
    }
    let body = json!({
        "household": {
            "household_number": format!("{village}{seq:04}"),
            "village_code": village,
            "attribute": "01",
            "identification_standard": "01",
            "identification_year": 2014,
            "main_cause": "因病",
            "living": living,
        },
        "members": [m],
    });
    let h = ok(app, Method::POST, "/api/v1/households", Some(body)).await;
    let id = h["household"]["id"]
        .as_i64()
        .or_else(|| h["id"].as_i64())
        .unwrap_or_else(|| panic!("household id in {h}"));
    if let Some(net) = income {
        ok(
            app,
            Method::PUT,
            &format!("/api/v1/households/{id}/incomes/2018"),
            Some(json!({"wage_fen": net, "business_fen": 0, "property_fen": 0, "transfer_fen": 0, "business_cost_fen": 0})),
        )
        .await;
    }
    id
}

async fn verification(app: &App, id: i64, food: Option<bool>, clothing: Option<bool>) {
    ok(
        app,
        Method::PUT,
        &format!("/api/v1/households/{id}/years/2018"),
        Some(json!({"food_secure": food, "clothing_secure": clothing, "medical_spending_fen": 0, "education_spending_fen": 0, "disaster_spending_fen": 0, "income_stable_months": null})),
    )
    .await;
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("number: {v}"))
}

#[track_caller]
fn close(got: &Value, want: f64, what: &str) {
    let g = f(got);
    assert!((g - want).abs() < 1e-12, "{what}: {g} vs {want}");
}

/// The A&F (2011) configuration: income (cut-off 13.00 yuan, as 1300 fen), years of schooling (文化程度
/// codes standing for 7, 10, 11 and 14 years; cut-off 12), self-rated health (健康状况 codes standing
/// for 5, 4, 1 and 3; cut-off 3) and political freedom (a yes/no field; cut-off 1), weights 1/4.
fn af_config() -> Value {
    let q = json!({"num": 1, "den": 4});
    json!({"counting": {
        "label": "Alkire & Foster (2011) 算例",
        "k": {"num": 1, "den": 2},
        "dimensions": [{"key": "all", "label": "四个维度", "indicators": [
            {"key": "income", "label": "收入", "variable": "per_capita_income", "cutoff": {"value": 1300}, "weight": q},
            {"key": "schooling", "label": "受教育年限", "variable": "education", "cutoff": {"value": 12}, "weight": q,
             "scale": {"02": 7, "03": 10, "04": 11, "05": 14}, "cardinal": true},
            {"key": "health", "label": "自评健康", "variable": "health", "cutoff": {"value": 3}, "weight": q,
             "scale": {"01": 5, "02": 4, "03": 1, "04": 3}, "cardinal": true},
            {"key": "freedom", "label": "政治自由", "variable": "medical_insurance", "cutoff": {"value": 1}, "weight": q}
        ]}]
    }})
}

/// (k as asked, q, H, A, M0, the poor's gaps)
type Case<'a> = (&'a str, u64, f64, f64, f64, Vec<&'a [f64]>);

#[tokio::test]
async fn alkire_foster_2011_example_through_the_parameters_and_the_api() {
    let app = app().await;
    // the configuration, for the village from 2018 on
    let put = json!({
        "key": "mpi.af2011", "region_prefix": AF_VILLAGE, "year": 2018,
        "value": af_config(), "source": "Alkire & Foster (2011), J. Public Econ. 95, §2 算例"
    });
    let p = ok(&app, Method::PUT, "/api/v1/parameters", Some(put)).await;
    assert_eq!(p["key"], "mpi.af2011", "{p}");
    // y = [13.1 14 4 1; 15.2 7 5 0; 12.5 10 1 0; 20 11 3 1] (income in yuan: 1310 fen …)
    // (income fen, education code, health code, political freedom as the yes/no field)
    let matrix = [
        (1310, "05", "02", true),
        (1520, "02", "01", false),
        (1250, "03", "03", false),
        (2000, "04", "04", true),
    ];
    for (i, (inc, edu, health, free)) in matrix.iter().enumerate() {
        household(
            &app,
            AF_VILLAGE,
            i as u32 + 1,
            json!({"education": edu, "health": health, "basic_medical_insurance": free}),
            json!({}),
            Some(*inc),
        )
        .await;
    }
    // c = (0, 2, 4, 1); gaps of the deprived: person 2 schooling 5/12, freedom 1; person 3 income
    // 50/1300 = 1/26, schooling 1/6, health 2/3, freedom 1; person 4 schooling 1/12
    let g2 = [5.0 / 12.0, 1.0];
    let g3 = [1.0 / 26.0, 1.0 / 6.0, 2.0 / 3.0, 1.0];
    let g4 = [1.0 / 12.0];
    let m = |gaps: &[&[f64]], sq: bool| -> f64 {
        gaps.iter()
            .flat_map(|g| g.iter())
            .map(|x| if sq { x * x } else { *x })
            .sum::<f64>()
            / 16.0
    };
    let cases: [Case; 5] = [
        (
            "1/4",
            3,
            3.0 / 4.0,
            7.0 / 12.0,
            7.0 / 16.0,
            vec![&g2, &g3, &g4],
        ),
        ("2/4", 2, 1.0 / 2.0, 3.0 / 4.0, 3.0 / 8.0, vec![&g2, &g3]),
        ("0.5", 2, 1.0 / 2.0, 3.0 / 4.0, 3.0 / 8.0, vec![&g2, &g3]),
        ("3/4", 1, 1.0 / 4.0, 1.0, 1.0 / 4.0, vec![&g3]),
        ("1", 1, 1.0 / 4.0, 1.0, 1.0 / 4.0, vec![&g3]),
    ];
    for (k, q, h, a, m0, gaps) in cases {
        let r = ok(
            &app,
            Method::GET,
            &format!("/api/v1/regions/{AF_VILLAGE}/measures?year=2018&config=af2011&k={k}"),
            None,
        )
        .await;
        let mpi = &r["mpi"];
        assert_eq!(mpi["config"], "af2011", "{mpi}");
        assert_eq!(
            (
                mpi["persons"].as_u64(),
                mpi["complete"].as_u64(),
                mpi["q"].as_u64()
            ),
            (Some(4), Some(4), Some(q)),
            "k={k}: {mpi}"
        );
        close(&mpi["h"], h, &format!("k={k} H"));
        close(&mpi["a"], a, &format!("k={k} A"));
        close(&mpi["m0"], m0, &format!("k={k} M0"));
        close(&mpi["m1"], m(&gaps, false), &format!("k={k} M1"));
        close(&mpi["m2"], m(&gaps, true), &format!("k={k} M2"));
    }
    // the configuration's own k (1/2) when none is asked: the paper's H = 1/2, A = 3/4, M0 = 3/8,
    // censored headcounts (1/4, 1/2, 1/4, 1/2) and contributions (1/6, 1/3, 1/6, 1/3) of M0
    let r = ok(
        &app,
        Method::GET,
        &format!("/api/v1/regions/{AF_VILLAGE}/measures?year=2018&config=af2011"),
        None,
    )
    .await;
    let mpi = &r["mpi"];
    close(&mpi["m0"], 3.0 / 8.0, "M0");
    assert_eq!(
        format!("{:.2} {:.2}", f(&mpi["m1"]), f(&mpi["m2"])),
        "0.21 0.17"
    );
    let ind = mpi["indicators"].as_array().unwrap();
    for (i, (ch, pct)) in [
        (0.25, 100.0 / 6.0),
        (0.5, 100.0 / 3.0),
        (0.25, 100.0 / 6.0),
        (0.5, 100.0 / 3.0),
    ]
    .into_iter()
    .enumerate()
    {
        close(
            &ind[i]["censored_headcount"],
            ch,
            &format!("{} censored", ind[i]["key"]),
        );
        close(
            &ind[i]["contribution_pct"],
            pct,
            &format!("{} contribution", ind[i]["key"]),
        );
        assert_eq!(ind[i]["observed"], 4);
    }
    // the configuration is the village's: the township has only the shipped ones
    let (s, e) = call(
        &app,
        Method::GET,
        "/api/v1/regions/360124106000/measures?year=2018&config=af2011",
        None,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str(), e["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_counting_config"),
            Some("config")
        ),
        "{e}"
    );
    assert!(
        e["message"].as_str().unwrap().contains("basic_needs"),
        "{e}"
    );
    // nor before 2018
    let (s, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/regions/{AF_VILLAGE}/measures?year=2017&config=af2011"),
        None,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_counting_config")),
        "{e}"
    );
    // bad k and bad names answer from the catalogue
    for (q, code, field) in [
        ("k=0", "invalid_cutoff", "k"),
        ("k=5/4", "invalid_cutoff", "k"),
        ("k=abc", "invalid_cutoff", "k"),
        ("config=AF-2011", "invalid_config_name", "config"),
    ] {
        let (s, e) = call(
            &app,
            Method::GET,
            &format!("/api/v1/regions/{AF_VILLAGE}/measures?year=2018&{q}"),
            None,
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code), Some(field)),
            "{q}: {e}"
        );
    }
    // a configuration that breaks a rule is refused and not stored
    let before = ok(&app, Method::GET, "/api/v1/parameters", None).await;
    let mut bad = af_config();
    bad["counting"]["dimensions"][0]["indicators"][0]["weight"] = json!({"num": 1, "den": 2});
    let (s, e) = call(
        &app,
        Method::PUT,
        "/api/v1/parameters",
        Some(json!({"key": "mpi.bad", "region_prefix": AF_VILLAGE, "year": 2018, "value": bad, "source": "测试"})),
    )
    .await;
    assert_eq!(
        (s.as_u16(), e["code"].as_str()),
        (422, Some("weights_not_one")),
        "{e}"
    );
    let mut bad = af_config();
    bad["counting"]["dimensions"][0]["indicators"][1]
        .as_object_mut()
        .unwrap()
        .remove("scale");
    let (s, e) = call(
        &app,
        Method::PUT,
        "/api/v1/parameters",
        Some(json!({"key": "mpi.bad", "region_prefix": AF_VILLAGE, "year": 2018, "value": bad, "source": "测试"})),
    )
    .await;
    assert_eq!(
        (s.as_u16(), e["code"].as_str()),
        (422, Some("scale_required")),
        "{e}"
    );
    assert_eq!(
        ok(&app, Method::GET, "/api/v1/parameters", None).await,
        before
    );
    // the shipped configurations are parameters too
    let keys: Vec<String> = before
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["key"].as_str().map(String::from))
        .collect();
    for k in ["mpi.basic_needs", "mpi.global_mpi", "mpi.af2011"] {
        assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
    }
}

/// A village with missing records: the default configuration (两不愁三保障, seven indicators of
/// weight 1/7, k = 1/3, line of 2018 = 2,995 yuan) on the complete cases only.
#[tokio::test]
async fn missing_records_are_left_out_never_counted_as_deprived() {
    let app = app().await;
    let v = MISSING_VILLAGE;
    let good = json!({"housing_grade": "A", "safe_drinking_water": true});
    let insured = json!({"basic_medical_insurance": true});
    // A: income 1,000 yuan, not 不愁吃, not 不愁穿 → income, food, clothing: 3/7, poor
    let a = household(&app, v, 1, insured.clone(), good.clone(), Some(100_000)).await;
    verification(&app, a, Some(false), Some(false)).await;
    // B: uninsured, housing grade C, unsafe water → 3/7, poor
    let b = household(
        &app,
        v,
        2,
        json!({"basic_medical_insurance": false}),
        json!({"housing_grade": "C", "safe_drinking_water": false}),
        Some(400_000),
    )
    .await;
    verification(&app, b, Some(true), Some(true)).await;
    // C: nothing deprived
    let c = household(&app, v, 3, insured.clone(), good.clone(), Some(400_000)).await;
    verification(&app, c, Some(true), Some(true)).await;
    // D: income below the line, but food and clothing never verified: left out (a rule that counted
    // missing as deprived would make D poor)
    household(&app, v, 4, insured.clone(), good.clone(), Some(100_000)).await;
    // E: no income record and insurance not recorded: left out
    let e = household(&app, v, 5, json!({}), good.clone(), None).await;
    verification(&app, e, Some(true), Some(true)).await;

    let r = ok(
        &app,
        Method::GET,
        &format!("/api/v1/regions/{v}/measures?year=2018"),
        None,
    )
    .await;
    // the income measures: the four households with an income record, A and D poor
    assert_eq!(
        (r["households"].as_u64(), r["persons"].as_u64()),
        (Some(4), Some(4)),
        "{r}"
    );
    close(&r["headcount_ratio"], 0.5, "H (income)");
    let mpi = &r["mpi"];
    assert_eq!(mpi["config"], "basic_needs");
    // complete cases A, B, C: q = 2, H = 2/3, A = 3/7, M0 = 2/7
    assert_eq!(
        (
            mpi["persons"].as_u64(),
            mpi["complete"].as_u64(),
            mpi["q"].as_u64()
        ),
        (Some(5), Some(3), Some(2)),
        "{mpi}"
    );
    close(&mpi["h"], 2.0 / 3.0, "H");
    close(&mpi["a"], 3.0 / 7.0, "A");
    close(&mpi["m0"], 2.0 / 7.0, "M0");
    // M1, M2: A's income gap (2995 − 1000)/2995 and six gaps of 1 (flags), each weighted 1/7, over n = 3
    let g = 199_500.0 / 299_500.0;
    close(&mpi["m1"], (g + 5.0) / 7.0 / 3.0, "M1");
    close(&mpi["m2"], (g * g + 5.0) / 7.0 / 3.0, "M2");
    // per indicator: (key, observed of 5 persons, censored headcount of 3, contribution %)
    let want = [
        ("income", 4, 1.0 / 3.0, 100.0 / 6.0),
        ("food", 4, 1.0 / 3.0, 100.0 / 6.0),
        ("clothing", 4, 1.0 / 3.0, 100.0 / 6.0),
        ("education", 5, 0.0, 0.0),
        ("medical", 4, 1.0 / 3.0, 100.0 / 6.0),
        ("housing", 5, 1.0 / 3.0, 100.0 / 6.0),
        ("water", 5, 1.0 / 3.0, 100.0 / 6.0),
    ];
    let ind = mpi["indicators"].as_array().unwrap();
    assert_eq!(ind.len(), want.len());
    for (i, (key, observed, ch, pct)) in want.into_iter().enumerate() {
        assert_eq!(
            (ind[i]["key"].as_str(), ind[i]["observed"].as_u64()),
            (Some(key), Some(observed)),
            "{}",
            ind[i]
        );
        close(&ind[i]["censored_headcount"], ch, key);
        close(&ind[i]["contribution_pct"], pct, key);
    }
    close(&ind[0]["average_gap"], g, "income gap of the poor");
    // the dimensions' contributions: 一达标 1/6, 两不愁 1/3, 三保障 1/3, 饮水 1/6
    let dims: Vec<f64> = mpi["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| f(&d["contribution_pct"]))
        .collect();
    for (got, want) in dims
        .iter()
        .zip([100.0 / 6.0, 100.0 / 3.0, 100.0 / 3.0, 100.0 / 6.0])
    {
        assert!((got - want).abs() < 1e-9, "{dims:?}");
    }
    assert!(mpi["missing_rule"].as_str().unwrap().contains("完整个案"));

    // the global MPI preset reads the same village; its unobservable indicators are listed
    let r = ok(
        &app,
        Method::GET,
        &format!("/api/v1/regions/{v}/measures?year=2018&config=global_mpi"),
        None,
    )
    .await;
    let g = &r["mpi"];
    assert_eq!(g["config"], "global_mpi");
    assert_eq!(g["unobserved"].as_array().unwrap().len(), 3, "{g}");
    // no household recorded a toilet, electricity, fuel, education or health: nobody is complete
    assert_eq!(
        (
            g["persons"].as_u64(),
            g["complete"].as_u64(),
            g["h"].as_f64()
        ),
        (Some(5), Some(0), Some(0.0)),
        "{g}"
    );
}
