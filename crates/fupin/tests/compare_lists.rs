//! Comparison of departments' lists with the registry through the import framework (数据比对), on
//! SQLite by default and on PostgreSQL with `TEST_DATABASE_URL=postgres://…`, against the demo's
//! registry: a list as offices make it (title rows, GBK, XLSX, full-width digits) flags exactly the
//! registered persons its kind flags, counts the rest (and those registered outside the caller's
//! regions, by line), reports its bad rows one by one and writes nothing in all-or-nothing mode,
//! and a second run records nothing twice. The API route starts the same import as a job.

mod common;

use common::{demo_app, login};
use fupin::testing::{test_store, TestDb};
use fupin_core::rectification::{Category, ProblemFilter, ProblemStatus, Source};
use fupin_core::registry::PersonId;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use fupin_io::{ImportOptions, ImportReport, Kind, TextEncoding};
use serde_json::Value;
use std::collections::BTreeSet;
use time::macros::date;

const TAGANG: &str = "360124106204";

/// 塔岗's members (demo households 0001, 0002, 0012) and one of 三房 (0001).
const WAN_ZHIQIANG: &str = "360124198711200039";
const HU_MEIHUA: &str = "360124197209300080";
const LI_DONGMEI: &str = "360124197412200384";
const LI_WENJIE: &str = "36012420010412007X";
const SANFANG_MEMBER: &str = "360124197006120477";
/// Valid ID numbers of nobody registered.
const STRANGER_1: &str = "110105195001010039";
const STRANGER_2: &str = "11010519491231002X";

fn system() -> Ctx {
    Ctx::system("test:compare")
}

fn tagang_officer() -> Ctx {
    Ctx::within("tagang", vec![RegionCode::parse(TAGANG).unwrap()])
}

async fn demo_registry() -> TestDb {
    let db = test_store().await;
    fupin::demo::load_demo(db.store.as_ref(), &system())
        .await
        .unwrap();
    db
}

async fn compare(
    store: &dyn Store,
    ctx: &Ctx,
    kind: Kind,
    bytes: Vec<u8>,
    partial: bool,
) -> ImportReport {
    let opts = ImportOptions {
        kind: Some(kind),
        partial,
        today: Some(date!(2019 - 07 - 01)),
        list_name: Some("2019年6月名单".into()),
        ..ImportOptions::default()
    };
    fupin_io::import(
        store,
        ctx,
        Box::new(std::io::Cursor::new(bytes)),
        &opts,
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("import failed: {e}"))
}

/// The problems a comparison of `kind` recorded: (person, status, category, description).
async fn flagged(
    store: &dyn Store,
    kind: &str,
) -> Vec<(PersonId, ProblemStatus, Category, String, Value)> {
    let page = store
        .problems(
            &system(),
            &ProblemFilter {
                source: Some(Source::Comparison),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    page.items
        .into_iter()
        .filter(|p| p.rule_code.as_deref() == Some(&format!("comparison:{kind}")))
        .map(|p| {
            (
                p.person_id.unwrap(),
                p.status,
                p.category,
                p.description,
                p.evidence.unwrap_or(Value::Null),
            )
        })
        .collect()
}

async fn person(store: &dyn Store, id_number: &str) -> PersonId {
    let mut session = store.bulk_session(&system(), false).await.unwrap();
    let found = session
        .persons_by_id_number(&[id_number.to_string()])
        .await
        .unwrap();
    session.finish(Value::Null, false).await.unwrap();
    found[0].person_id
}

#[tokio::test]
async fn death_list_as_offices_make_it_flags_exactly_the_registered_persons() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    // a GBK file with a title row, an unknown column, full-width digits and spaces, a repeated
    // person, two strangers, one of 三房 (outside the officer's regions) and a totals row
    let wan_typed = "３６０１２４ 19871120003９";
    let text = format!(
        "进贤县公安局2019年6月死亡人员名单,,,,\n\
         序号,姓名,公民身份号码,死亡日期,注销原因\n\
         1,万志强,{wan_typed},2019-06-03,死亡\n\
         2,某甲,{STRANGER_1},2019-06-04,死亡\n\
         3,万志强,{WAN_ZHIQIANG},2019-06-03,重复登记\n\
         4,某乙,{STRANGER_2},2019/6/5,死亡\n\
         5,万国华,{SANFANG_MEMBER},2019年6月6日,死亡\n\
         合计,5人,,,\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let r = compare(store, &ctx, Kind::CompareDeaths, gbk.into_owned(), false).await;
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert!(r.committed);
    assert_eq!(r.encoding, Some(TextEncoding::Gb18030));
    assert_eq!(r.ignored_columns, ["序号"]);
    assert_eq!(r.skipped_total, 1, "the totals row");
    let c = r.comparison.clone().expect("compared");
    assert_eq!(
        (c.rows, c.matched, c.unmatched, c.out_of_scope),
        (5, 2, 3, 1)
    );
    assert_eq!(c.out_of_scope_lines, [7], "三房's member, by line");
    assert_eq!(
        (
            c.flagged_persons,
            c.problems,
            c.warnings,
            c.already_recorded
        ),
        (1, 1, 0, 0)
    );
    assert!(r.summary().contains("未比中 3 行"), "{}", r.summary());

    let wan = person(store, WAN_ZHIQIANG).await;
    let found = flagged(store, "deaths").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let (p, status, category, description, evidence) = &found[0];
    assert_eq!(
        (*p, *status, *category),
        (wan, ProblemStatus::Open, Category::DataQuality)
    );
    assert!(description.contains("自然减少"), "{description}");
    assert_eq!(evidence["line"], 3, "the first row naming the person");
    assert_eq!(evidence["list"], "2019年6月名单");
    assert_eq!(evidence["date"], "2019-06-03");
    assert!(!evidence.to_string().contains(WAN_ZHIQIANG), "masked");

    // the same list again: nothing recorded twice
    let again = compare(
        store,
        &ctx,
        Kind::CompareDeaths,
        encoding_rs::GBK.encode(&text).0.into_owned(),
        false,
    )
    .await;
    let c = again.comparison.expect("compared");
    assert_eq!(
        (c.matched, c.already_recorded, c.problems, c.warnings),
        (2, 1, 0, 0)
    );
    assert_eq!(flagged(store, "deaths").await.len(), 1);

    // the county sees 三房's member too: flagged there, 塔岗's not repeated
    let county = Ctx::within("county", vec![RegionCode::parse("360124000000").unwrap()]);
    let r = compare(
        store,
        &county,
        Kind::CompareDeaths,
        encoding_rs::GBK.encode(&text).0.into_owned(),
        false,
    )
    .await;
    let c = r.comparison.expect("compared");
    assert_eq!(
        (
            c.matched,
            c.unmatched,
            c.out_of_scope,
            c.problems,
            c.already_recorded
        ),
        (3, 2, 0, 1, 1)
    );
    let persons: BTreeSet<PersonId> = flagged(store, "deaths")
        .await
        .into_iter()
        .map(|f| f.0)
        .collect();
    let want: BTreeSet<PersonId> = [wan, person(store, SANFANG_MEMBER).await].into();
    assert_eq!(persons, want);
}

#[tokio::test]
async fn a_bad_row_compares_nothing_and_partial_compares_the_good_rows() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    let text = format!(
        "身份证号,姓名,号牌号码,登记日期\n\
         {HU_MEIHUA},胡美华,赣A12345,2018-05-01\n\
         360124197209300081,胡美华,赣A54321,2018-05-01\n\
         {LI_DONGMEI},李冬梅,赣A00001,2018-13-01\n\
         ,无名,赣A00002,2018-05-01\n\
         {STRANGER_1},某甲,京B00001,2018-05-01\n"
    );
    let r = compare(
        store,
        &ctx,
        Kind::CompareVehicles,
        text.clone().into_bytes(),
        false,
    )
    .await;
    let issues: Vec<(u64, &str, Option<&str>)> = r
        .issues
        .iter()
        .map(|i| (i.line, i.code.as_str(), i.column.as_deref()))
        .collect();
    assert_eq!(
        issues,
        [
            (3, "invalid_check_digit", Some("身份证号")),
            (4, "invalid_date", Some("登记日期")),
            (5, "required", Some("身份证号")),
        ]
    );
    assert!(!r.issues[0]
        .value
        .as_deref()
        .unwrap_or("")
        .contains("197209300081"));
    assert!(!r.committed);
    assert_eq!(r.comparison, None, "nothing compared");
    assert!(
        flagged(store, "vehicles").await.is_empty(),
        "nothing written"
    );

    // partial: the good rows only — 胡美华 flagged, the stranger counted
    let r = compare(store, &ctx, Kind::CompareVehicles, text.into_bytes(), true).await;
    assert!(r.committed);
    let c = r.comparison.expect("compared");
    assert_eq!((c.rows, c.matched, c.unmatched, c.problems), (2, 1, 1, 1));
    let found = flagged(store, "vehicles").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, person(store, HU_MEIHUA).await);
    assert_eq!(found[0].2, Category::Identification);
    assert!(found[0].3.contains("赣A12345"), "{}", found[0].3);
}

#[tokio::test]
async fn medical_costs_warn_from_ten_thousand_yuan_and_dibao_confirms_the_safety_net() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    // XLSX with a title row above the header, the ID numbers as text
    let path = std::env::temp_dir().join(format!("compare-medical-{}.xlsx", std::process::id()));
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .write_string(0, 0, "2019年医保个人自付费用名单")
            .unwrap();
        for (c, h) in ["身份证号", "姓名", "个人自付费用(元)", "结算日期"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        let rows = [
            (LI_DONGMEI, "李冬梅", 12_000.0),
            (HU_MEIHUA, "胡美华", 9_999.99),
            (LI_WENJIE, "李文杰", 10_000.0),
        ];
        for (i, (id, name, amount)) in rows.iter().enumerate() {
            let r = i as u32 + 2;
            sheet.write_string(r, 0, *id).unwrap();
            sheet.write_string(r, 1, *name).unwrap();
            sheet.write_number(r, 2, *amount).unwrap();
            sheet.write_string(r, 3, "2019-05-20").unwrap();
        }
        book.save(&path).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let r = compare(store, &ctx, Kind::CompareMedical, bytes, false).await;
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    let c = r.comparison.expect("compared");
    assert_eq!(
        (c.matched, c.problems, c.warnings, c.flagged_persons),
        (3, 0, 2, 2)
    );
    let persons: BTreeSet<PersonId> = flagged(store, "medical")
        .await
        .into_iter()
        .map(|f| {
            assert_eq!(f.2, Category::Monitoring);
            assert!(f.3.contains("监测排查"), "{}", f.3);
            f.0
        })
        .collect();
    let want: BTreeSet<PersonId> = [
        person(store, LI_DONGMEI).await,
        person(store, LI_WENJIE).await,
    ]
    .into();
    assert_eq!(persons, want, "9,999.99 yuan is below the line");

    let text = format!("身份证号,姓名,保障类别,月保障金额(元)\n{HU_MEIHUA},胡美华,农村低保,450\n");
    let r = compare(store, &ctx, Kind::CompareDibao, text.into_bytes(), false).await;
    let c = r.comparison.expect("compared");
    assert_eq!((c.matched, c.warnings), (1, 1));
    let found = flagged(store, "dibao").await;
    assert!(found[0].3.contains("兜底"), "{}", found[0].3);
    assert_eq!(found[0].4["amount_fen"], 45_000);

    // employment confirms the registry: counted, never flagged
    let text = format!("身份证号,工作单位\n{HU_MEIHUA},县工业园\n");
    let r = compare(
        store,
        &ctx,
        Kind::CompareEmployment,
        text.into_bytes(),
        false,
    )
    .await;
    let c = r.comparison.expect("compared");
    assert_eq!((c.matched, c.problems, c.warnings), (1, 0, 0));
    assert!(flagged(store, "employment").await.is_empty());
}

#[tokio::test]
async fn a_list_longer_than_a_copy_is_compared_whole() {
    // 120,003 rows reach the store in batches and are gathered into copies of 50,000: the
    // registered persons sit at the edges of those copies and in the last, partial one, and one
    // of them is named again on 6,000 more rows, so that the matches are read back over more
    // than one page (5,000) with that person's rows on both sides of a page's end
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    let rows = 120_003u64;
    // data lines are numbered from 2 (the header is line 1)
    let named: [(u64, &str); 4] = [
        (50_001, WAN_ZHIQIANG),
        (50_002, HU_MEIHUA),
        (100_002, LI_DONGMEI),
        (rows + 1, LI_WENJIE),
    ];
    let mut text = String::from("身份证号,姓名,死亡日期\n");
    for line in 2..=rows + 1 {
        let again = (60_000..66_000).contains(&line);
        let id = named
            .iter()
            .find(|(l, _)| *l == line)
            .map_or(if again { WAN_ZHIQIANG } else { STRANGER_1 }, |(_, id)| *id);
        text.push_str(id);
        text.push_str(",某,2019-06-01\n");
    }
    let text_again = text.clone().into_bytes();
    let r = compare(store, &ctx, Kind::CompareDeaths, text.into_bytes(), false).await;
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    let c = r.comparison.expect("compared");
    assert_eq!(
        (
            c.rows,
            c.matched,
            c.unmatched,
            c.problems,
            c.flagged_persons,
            c.already_recorded
        ),
        (rows, 6_004, rows - 6_004, 4, 4, 0),
        "a person's rows on the next page are not counted as recorded before"
    );
    let mut lines: Vec<(PersonId, i64)> = flagged(store, "deaths")
        .await
        .into_iter()
        .map(|f| (f.0, f.4["line"].as_i64().unwrap()))
        .collect();
    lines.sort();
    let mut want = Vec::new();
    for (line, id) in named {
        want.push((person(store, id).await, line as i64));
    }
    want.sort();
    assert_eq!(lines, want, "each person's first row, by line");

    // the same list again records nothing twice
    let again = compare(store, &ctx, Kind::CompareDeaths, text_again, false).await;
    let c = again.comparison.expect("compared");
    assert_eq!((c.matched, c.already_recorded, c.problems), (6_004, 4, 0));
    assert_eq!(flagged(store, "deaths").await.len(), 4);
}

#[tokio::test]
async fn a_signed_off_flag_comes_back_when_the_list_names_the_person_again() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    let text = format!("身份证号,企业名称\n{LI_DONGMEI},某某商贸有限公司\n");
    compare(
        store,
        &ctx,
        Kind::CompareEnterprises,
        text.clone().into_bytes(),
        false,
    )
    .await;
    let found = store
        .problems(
            &system(),
            &ProblemFilter {
                source: Some(Source::Comparison),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = found.items[0].id;
    // closed through the four eyes
    let step = |action: &str| -> fupin_core::rectification::StepInput {
        serde_json::from_value(serde_json::json!({"action": action, "note": "已核实"})).unwrap()
    };
    store
        .problem_step(&ctx, id, step("request_close"))
        .await
        .unwrap();
    let county = Ctx::within("county", vec![RegionCode::parse("360124000000").unwrap()]);
    store
        .problem_step(&county, id, step("sign_off"))
        .await
        .unwrap();
    let r = compare(
        store,
        &ctx,
        Kind::CompareEnterprises,
        text.into_bytes(),
        false,
    )
    .await;
    let c = r.comparison.expect("compared");
    assert_eq!((c.problems, c.reopened, c.already_recorded), (1, 1, 0));
    let found = flagged(store, "enterprises").await;
    assert_eq!(found.len(), 1, "reopened, not repeated");
    assert_eq!(found[0].1, ProblemStatus::Open);
}

/// Poll a job until it is no longer running.
async fn finished(app: &fupin::testing::TestApp, token: &str, location: &str) -> Value {
    for _ in 0..200 {
        let job: Value = reqwest::Client::new()
            .get(app.url(location))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if job["state"] != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the job did not finish");
}

#[tokio::test]
async fn the_api_compares_an_uploaded_list_within_the_callers_regions() {
    let app = demo_app().await;
    let officer = login(&app, "demo-officer").await;
    let other = login(&app, "demo-other").await;
    let list = format!(
        "身份证号,姓名,死亡日期\n{WAN_ZHIQIANG},万志强,2019-06-03\n{STRANGER_1},某甲,2019-06-04\n"
    );
    let post = |token: String, query: &str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/comparisons{query}")))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(list.clone())
            .send()
    };
    // the list type is required and must be one of the nine
    let r = post(officer.clone(), "").await.unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("missing_parameter"), Some("list"))
    );
    let r = post(officer.clone(), "?list=cars").await.unwrap();
    assert_eq!(r.status(), 400);
    let r = post(officer.clone(), "?list=deaths&kind=households")
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "the list type decides the kind");

    // 三房's officer: 塔岗's member is outside their regions — counted, nothing recorded
    let r = post(other.clone(), "?list=deaths").await.unwrap();
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job = finished(&app, &other, &location).await;
    assert_eq!(job["state"], "done", "{job}");
    let c = &job["report"]["comparison"];
    assert_eq!(
        (c["matched"].as_u64(), c["out_of_scope"].as_u64()),
        (Some(0), Some(1)),
        "{job}"
    );
    assert_eq!(c["problems"], 0);
    assert!(!job.to_string().contains(WAN_ZHIQIANG));
    let seen: Value = reqwest::Client::new()
        .get(app.url("/api/v1/problems?source=comparison"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let before = seen["items"].as_array().unwrap().len();

    // 塔岗's officer: flagged
    let r = post(officer.clone(), "?list=deaths").await.unwrap();
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job = finished(&app, &officer, &location).await;
    let c = &job["report"]["comparison"];
    assert_eq!(
        (
            c["matched"].as_u64(),
            c["unmatched"].as_u64(),
            c["problems"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{job}"
    );
    let seen: Value = reqwest::Client::new()
        .get(app.url("/api/v1/problems?source=comparison"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["items"].as_array().unwrap().len(), before + 1);
    // and 三房's officer sees none of it
    let theirs: Value = reqwest::Client::new()
        .get(app.url("/api/v1/problems?source=comparison"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!theirs.to_string().contains("万志强"), "{theirs}");
}
