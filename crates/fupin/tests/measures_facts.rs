//! Contract tests of the poverty measures' kept facts (per village and year, valid at the village's
//! version): after each kind of write that feeds the measures, through a form or an import, the
//! measures answered with the kept facts equal a cold pass (the facts emptied first), and differ
//! from the answer before the write where the write must change it. Run on SQLite by default and
//! on PostgreSQL when `TEST_DATABASE_URL=postgres://…`.

mod common;

use common::store::{code, idn, SANFANG, TAGANG};
use fupin::testing::{test_store, TestDb};
use fupin_core::assessment::{HouseholdYearInput, MeasuresQuery};
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::Ctx;
use fupin_io::{ImportOptions, Kind};
use serde_json::Value;
use std::path::Path;
use time::macros::date;

const COUNTY: &str = "360124000000";
const YEAR: i32 = 2018;

fn ctx() -> Ctx {
    Ctx::system("test")
}

/// The answers compared: the county and the two villages, under both shipped configurations (the
/// second reads the members' education, health and insurance and the living conditions).
const REGIONS: [&str; 3] = [COUNTY, TAGANG, SANFANG];
const CONFIGS: [&str; 2] = ["basic_needs", "global_mpi"];

/// Index of an answer in [`answers`].
fn at(region: &str, config: &str) -> usize {
    let r = REGIONS.iter().position(|x| *x == region).unwrap();
    let c = CONFIGS.iter().position(|x| *x == config).unwrap();
    r * CONFIGS.len() + c
}

async fn answers(s: &dyn Store) -> Vec<Value> {
    let mut out = Vec::new();
    for r in REGIONS {
        for c in CONFIGS {
            let q = MeasuresQuery {
                config: Some(c.into()),
                ..Default::default()
            };
            let m = s.measures(&ctx(), &code(r), YEAR, &q).await.unwrap();
            out.push(serde_json::to_value(m).unwrap());
        }
    }
    out
}

/// Kept facts whose version is their village's current one.
async fn current_facts(db: &TestDb) -> i64 {
    db.texts(
        "SELECT CAST(COUNT(*) AS TEXT) FROM village_measure_facts f \
         LEFT JOIN village_versions v ON v.village_code = f.village_code \
         WHERE f.version = COALESCE(v.version, 0)",
    )
    .await[0]
        .parse()
        .unwrap()
}

/// After a write: the answers from the kept facts equal a cold pass's, and differ from `before` at
/// `changed`. Returns the answers.
async fn after_write(db: &TestDb, before: &[Value], what: &str, changed: &[usize]) -> Vec<Value> {
    let s = db.store.as_ref();
    let kept_before = current_facts(db).await;
    let warm = answers(s).await;
    assert!(
        current_facts(db).await >= kept_before,
        "{what}: the pass keeps what it computed"
    );
    db.raw("DELETE FROM village_measure_facts").await;
    let cold = answers(s).await;
    for (i, (w, c)) in warm.iter().zip(&cold).enumerate() {
        assert_eq!(w, c, "{what}: answer {i} from kept facts = cold pass");
    }
    for i in changed {
        assert_ne!(warm[*i], before[*i], "{what}: answer {i} changes");
    }
    warm
}

fn member(name: &str, id: String, relation: &str) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id,
        relation: relation.into(),
        education: Some("03".into()),
        health: Some("01".into()),
        basic_medical_insurance: Some(true),
        ..Default::default()
    }
}

fn household_input(number: &str, village: &str) -> HouseholdInput {
    HouseholdInput {
        household_number: number.into(),
        village_code: village.into(),
        attribute: "01".into(),
        identification_standard: "01".into(),
        identification_year: 2014,
        main_cause: "01".into(),
        living: LivingConditions {
            sanitary_toilet: Some(true),
            safe_drinking_water: Some(true),
            electricity_living: Some(true),
            fuel_type: Some("04".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn income(wage_fen: i64) -> IncomeInput {
    IncomeInput {
        wage_fen,
        business_fen: 0,
        property_fen: 0,
        dividend_fen: None,
        transfer_fen: 0,
        business_cost_fen: 0,
        note: None,
    }
}

async fn import_file(s: &dyn Store, path: &Path, kind: Option<Kind>) {
    let f = std::fs::File::open(path).unwrap();
    let opts = ImportOptions {
        kind,
        ..Default::default()
    };
    let r = fupin_io::import(s, &ctx(), Box::new(f), &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"));
    assert!(
        !r.has_errors(),
        "{path:?}: {:?}",
        &r.issues[..r.issues.len().min(5)]
    );
}

/// A generated county imported file by file, then every form write that feeds the measures, one at
/// a time: each time the kept facts give the cold pass's answer.
#[tokio::test]
async fn kept_measure_facts_follow_every_write() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let regions =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/division_jinxian_360124_2023.csv");
    import_file(s, &regions, Some(Kind::Regions)).await;
    let dir = tempfile::tempdir().unwrap();
    let gen = fupin_io::gen::generate(
        std::fs::File::open(&regions).unwrap(),
        dir.path(),
        &fupin_io::gen::GenOptions {
            households: 200,
            seed: 7,
            income_years: (2017, 2019),
            as_of: 2019,
            ..Default::default()
        },
    )
    .unwrap();

    // imports: the households first, then each other file
    let mut before = answers(s).await;
    for f in &gen.files {
        import_file(s, &f.path, None).await;
        let changed: Vec<usize> = match f.kind {
            Kind::Households | Kind::Incomes => vec![at(COUNTY, "basic_needs")],
            _ => vec![],
        };
        before = after_write(&db, &before, &format!("import {:?}", f.kind), &changed).await;
        assert!(current_facts(&db).await > 0, "facts kept");
    }

    // the annual update: the year's incomes imported again, every wage halved
    let incomes = gen
        .files
        .iter()
        .find(|f| f.kind == Kind::Incomes)
        .expect("incomes generated");
    let text = std::fs::read_to_string(&incomes.path).unwrap();
    let mut lines = text.lines();
    let mut again = format!("{}\n", lines.next().unwrap());
    for l in lines {
        let mut cols: Vec<String> = l.split(',').map(str::to_string).collect();
        if cols[1] == YEAR.to_string() {
            // money in fen: half the wage, down to whole yuan
            let wage = fupin_core::Fen::parse_yuan("wage", &cols[2]).unwrap().get();
            cols[2] = fupin_core::Fen::from_yuan(wage / 2 / 100).yuan_string();
        }
        again.push_str(&cols.join(","));
        again.push('\n');
    }
    let path = dir.path().join("incomes-again.csv");
    std::fs::write(&path, again).unwrap();
    import_file(s, &path, Some(Kind::Incomes)).await;
    before = after_write(
        &db,
        &before,
        "incomes imported again",
        &[at(COUNTY, "basic_needs")],
    )
    .await;

    // a household of two in 塔岗, one of one in 三房, with incomes
    let created = s
        .create_household(
            &ctx(),
            NewHousehold {
                household: household_input("3601241062049001", TAGANG),
                members: vec![
                    member("甲", idn("19700101", 901), "户主"),
                    member("乙", idn("20090601", 902), "之子"),
                ],
                initial_status: None,
            },
        )
        .await
        .unwrap();
    let h = created.household.id;
    let (head, child) = (created.members[0].id, created.members[1].id);
    s.put_income(&ctx(), h, YEAR, income(300_000))
        .await
        .unwrap();
    let other = s
        .create_household(
            &ctx(),
            NewHousehold {
                household: household_input("3601241062059001", SANFANG),
                members: vec![member("丙", idn("19600101", 903), "户主")],
                initial_status: None,
            },
        )
        .await
        .unwrap()
        .household
        .id;
    s.put_income(&ctx(), other, YEAR, income(900_000))
        .await
        .unwrap();
    let all = |r: &str| CONFIGS.iter().map(|c| at(r, c)).collect::<Vec<_>>();
    let both = |r: &str, c: &str| vec![at(COUNTY, c), at(r, c)];
    before = after_write(
        &db,
        &before,
        "households created",
        &[all(TAGANG), all(SANFANG)].concat(),
    )
    .await;

    // an income changed
    s.put_income(&ctx(), h, YEAR, income(100_000))
        .await
        .unwrap();
    before = after_write(&db, &before, "income put", &both(TAGANG, "basic_needs")).await;

    // the year's food security
    s.put_household_year(
        &ctx(),
        h,
        YEAR,
        HouseholdYearInput {
            food_secure: Some(false),
            clothing_secure: Some(true),
            medical_spending_fen: 0,
            education_spending_fen: 0,
            disaster_spending_fen: 0,
            income_stable_months: None,
        },
    )
    .await
    .unwrap();
    before = after_write(&db, &before, "household year", &both(TAGANG, "basic_needs")).await;

    // living conditions (a fact no longer recorded: the indicator's observed persons change)
    let mut input = household_input("3601241062049001", TAGANG);
    input.living.sanitary_toilet = None;
    input.living.fuel_type = Some("01".into());
    s.update_household(&ctx(), h, input.clone()).await.unwrap();
    before = after_write(
        &db,
        &before,
        "living conditions",
        &both(TAGANG, "global_mpi"),
    )
    .await;

    // a member's indicator fields: health, education, insurance
    let mut m = member("甲", idn("19700101", 901), "户主");
    m.health = None;
    m.education = Some("01".into());
    m.basic_medical_insurance = Some(false);
    s.update_member(&ctx(), head, m).await.unwrap();
    before = after_write(&db, &before, "member edited", &both(TAGANG, "global_mpi")).await;

    // a member added in the year
    let mut baby = member("丁", idn("20180303", 904), "之女");
    baby.joined = Some(JoinInput {
        kind: "06".into(),
        date: date!(2018 - 03 - 03),
        reason: None,
    });
    s.add_member(&ctx(), h, baby).await.unwrap();
    before = after_write(&db, &before, "member added", &all(TAGANG)).await;

    // a member who left in the year
    s.record_member_change(
        &ctx(),
        child,
        MemberChangeInput {
            kind: "02".into(),
            date: date!(2018 - 09 - 01),
            reason: None,
            new_head_person_id: None,
        },
    )
    .await
    .unwrap();
    before = after_write(&db, &before, "member left", &all(TAGANG)).await;

    // the household moved to the other village: both villages change, the county not
    input.village_code = SANFANG.into();
    s.update_household(&ctx(), h, input).await.unwrap();
    before = after_write(
        &db,
        &before,
        "household moved",
        &[all(TAGANG), all(SANFANG)].concat(),
    )
    .await;
    // the county's answer is the same households' (unchanged but for the region's order of reading)

    // a status change: removed in the year
    s.change_status(
        &ctx(),
        other,
        StatusChangeInput {
            to: HouseholdStatus::Removed,
            date: date!(2018 - 06 - 01),
            reason: "自然减少".into(),
            exit_year: None,
        },
    )
    .await
    .unwrap();
    after_write(&db, &before, "status change", &all(SANFANG)).await;
}

/// Facts kept at a version older than the village's current one (a pass that read the rows before
/// a write committed and stored what it computed afterwards) are not used.
#[tokio::test]
async fn facts_of_an_older_version_are_not_used() {
    let db = test_store().await;
    let s = db.store.as_ref();
    common::store::luoxi_regions(s).await;
    let h = s
        .create_household(
            &ctx(),
            NewHousehold {
                household: household_input("3601241062049001", TAGANG),
                members: vec![member("甲", idn("19700101", 911), "户主")],
                initial_status: None,
            },
        )
        .await
        .unwrap()
        .household
        .id;
    s.put_income(&ctx(), h, YEAR, income(200_000))
        .await
        .unwrap();
    let q = MeasuresQuery::default();
    let first = s.measures(&ctx(), &code(TAGANG), YEAR, &q).await.unwrap();
    assert!(current_facts(&db).await > 0, "facts kept");
    // the kept row as a pass that read the rows before the next write would store it afterwards
    db.raw("CREATE TABLE saved_facts AS SELECT * FROM village_measure_facts")
        .await;
    s.put_income(&ctx(), h, YEAR, income(900_000))
        .await
        .unwrap();
    let second = s.measures(&ctx(), &code(TAGANG), YEAR, &q).await.unwrap();
    assert_ne!(
        first.measures.q, second.measures.q,
        "the new income is read"
    );
    db.raw("DELETE FROM village_measure_facts").await;
    db.raw("INSERT INTO village_measure_facts SELECT * FROM saved_facts")
        .await;
    let third = s.measures(&ctx(), &code(TAGANG), YEAR, &q).await.unwrap();
    assert_eq!(
        serde_json::to_value(&second).unwrap(),
        serde_json::to_value(&third).unwrap(),
        "the facts of the older version are computed again, not read"
    );
}

const HOUSEHOLDS_HEADER: &str = "户编码,村代码,贫困户属性,识别标准,识别年度,主要致贫原因,其他致贫原因,联系电话,状态,状态日期,脱贫年度,姓名,身份证号,性别,与户主关系,健康状况,劳动能力";
const INCOMES_HEADER: &str = "户编码,年度,工资性收入(元),生产经营性收入(元),财产性收入(元),转移性收入(元),生产经营性支出(元)";

/// A village's version (0 before its first bump).
async fn version(db: &TestDb, village: &str) -> i64 {
    db.texts(&format!(
        "SELECT CAST(COALESCE((SELECT version FROM village_versions WHERE village_code = '{village}'), 0) AS TEXT)"
    ))
    .await[0]
        .parse()
        .unwrap()
}

/// Import `text` as a file of `kind`; the report.
async fn import_text(s: &dyn Store, text: &str, kind: Kind) -> fupin_io::ImportReport {
    let opts = ImportOptions {
        kind: Some(kind),
        ..Default::default()
    };
    fupin_io::import(
        s,
        &ctx(),
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        &opts,
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("import failed: {e}"))
}

/// The measures of 塔岗 and 三房 for the year, from the kept facts, checked against a cold pass.
async fn village_measures(db: &TestDb) -> Vec<fupin_core::assessment::MeasuresReport> {
    let s = db.store.as_ref();
    let q = MeasuresQuery::default();
    let mut warm = Vec::new();
    for v in [TAGANG, SANFANG] {
        warm.push(s.measures(&ctx(), &code(v), YEAR, &q).await.unwrap());
    }
    let saved = "CREATE TABLE saved_facts AS SELECT * FROM village_measure_facts";
    db.raw(saved).await;
    db.raw("DELETE FROM village_measure_facts").await;
    for (v, w) in [TAGANG, SANFANG].iter().zip(&warm) {
        let cold = s.measures(&ctx(), &code(v), YEAR, &q).await.unwrap();
        assert_eq!(
            serde_json::to_value(w).unwrap(),
            serde_json::to_value(&cold).unwrap(),
            "{v}: the kept facts give the cold pass's answer"
        );
    }
    db.raw("DELETE FROM village_measure_facts").await;
    db.raw("INSERT INTO village_measure_facts SELECT * FROM saved_facts")
        .await;
    db.raw("DROP TABLE saved_facts").await;
    warm
}

/// One household of one person in each village, with an income of the year, measured once so
/// that their facts are kept.
async fn two_villages_measured(db: &TestDb) -> Vec<fupin_core::assessment::MeasuresReport> {
    let s = db.store.as_ref();
    common::store::luoxi_regions(s).await;
    for (i, v) in [TAGANG, SANFANG].into_iter().enumerate() {
        let h = s
            .create_household(
                &ctx(),
                NewHousehold {
                    household: household_input(&format!("{v}9001"), v),
                    members: vec![member("甲", idn("19700101", 920 + i as u32), "户主")],
                    initial_status: None,
                },
            )
            .await
            .unwrap()
            .household
            .id;
        s.put_income(&ctx(), h, YEAR, income(200_000))
            .await
            .unwrap();
    }
    let m = village_measures(db).await;
    assert!(current_facts(db).await >= 2, "facts kept");
    m
}

/// A bulk import runs with the version triggers paused and bumps each village it wrote into once,
/// before it commits: households imported into 塔岗 whose facts were kept are counted by the next
/// pass, 三房 (untouched) keeps its version and its kept facts, and writes after the import bump
/// again as before.
#[tokio::test]
async fn a_bulk_import_bumps_each_village_it_touched_once() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let before = two_villages_measured(&db).await;
    let (t0, s0) = (version(&db, TAGANG).await, version(&db, SANFANG).await);

    let households = [
        format!("H9101,{TAGANG},一般贫困户,国家标准,2014,因病,,,未脱贫,,,万甲,{},男,户主,健康,普通劳动力", idn("19650304", 931)),
        format!("H9101,,,,,,,,,,,李乙,{},女,配偶,健康,普通劳动力", idn("19670512", 932)),
        format!("H9102,{TAGANG},一般贫困户,国家标准,2015,缺资金,,,未脱贫,,,张丙,{},男,户主,健康,普通劳动力", idn("19500101", 933)),
    ];
    let text = format!("{HOUSEHOLDS_HEADER}\n{}\n", households.join("\n"));
    let r = import_text(s, &text, Kind::Households).await;
    assert!(r.committed && !r.has_errors(), "{:?}", r.issues);
    assert_eq!(version(&db, TAGANG).await, t0 + 1, "塔岗 bumped once");
    assert_eq!(version(&db, SANFANG).await, s0, "三房 untouched");

    let incomes =
        format!("{INCOMES_HEADER}\nH9101,{YEAR},1000,0,0,0,0\nH9102,{YEAR},500000,0,0,0,0\n");
    let r = import_text(s, &incomes, Kind::Incomes).await;
    assert!(r.committed && !r.has_errors(), "{:?}", r.issues);
    assert_eq!(version(&db, TAGANG).await, t0 + 2, "塔岗 bumped once more");
    assert_eq!(version(&db, SANFANG).await, s0, "三房 still untouched");

    let after = village_measures(&db).await;
    assert_eq!(
        after[0].persons,
        before[0].persons + 3,
        "塔岗's new persons counted"
    );
    assert_eq!(after[0].households, before[0].households + 2);
    assert_ne!(
        after[0].measures.q, before[0].measures.q,
        "the poor person counted"
    );
    assert_eq!(
        serde_json::to_value(&after[1]).unwrap(),
        serde_json::to_value(&before[1]).unwrap(),
        "三房 as before"
    );

    // the triggers work again after the import: a form write bumps its village
    let h = s
        .create_household(
            &ctx(),
            NewHousehold {
                household: household_input("3601241062059002", SANFANG),
                members: vec![member("丁", idn("19800101", 934), "户主")],
                initial_status: None,
            },
        )
        .await
        .unwrap()
        .household
        .id;
    assert!(
        version(&db, SANFANG).await > s0,
        "a form write after an import bumps"
    );
    let s1 = version(&db, SANFANG).await;
    s.put_income(&ctx(), h, YEAR, income(100)).await.unwrap();
    assert!(version(&db, SANFANG).await > s1);
    let last = village_measures(&db).await;
    assert_eq!(
        last[1].persons,
        before[1].persons + 1,
        "三房's new person counted"
    );
}

/// An import that fails, and a bulk session dropped half way, leave no pause behind: nothing of
/// them is committed (on SQLite no row in `facts_pause`), and the next write bumps its village and
/// is read by the next pass.
#[tokio::test]
async fn a_failed_import_leaves_no_pause_behind() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let before = two_villages_measured(&db).await;
    let t0 = version(&db, TAGANG).await;

    // a good household and one whose ID number is wrong: nothing is written
    let text = format!(
        "{HOUSEHOLDS_HEADER}\nH9201,{TAGANG},一般贫困户,国家标准,2014,因病,,,未脱贫,,,万甲,{},男,户主,健康,普通劳动力\nH9202,{TAGANG},一般贫困户,国家标准,2014,因病,,,未脱贫,,,万乙,360124196503049999,男,户主,健康,普通劳动力\n",
        idn("19650304", 941)
    );
    let r = import_text(s, &text, Kind::Households).await;
    assert!(r.has_errors() && !r.committed, "the file is refused");

    // a write session opened (the triggers paused for it), then dropped without finishing
    drop(s.bulk_session(&ctx(), true).await.unwrap());
    assert_eq!(version(&db, TAGANG).await, t0, "nothing committed");
    if !db.is_postgres() {
        assert_eq!(
            db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM facts_pause")
                .await,
            vec!["0".to_string()],
            "no pause row"
        );
    }

    // the next form writes bump and are read
    let h = s
        .create_household(
            &ctx(),
            NewHousehold {
                household: household_input("3601241062049003", TAGANG),
                members: vec![member("戊", idn("19800101", 942), "户主")],
                initial_status: None,
            },
        )
        .await
        .unwrap()
        .household
        .id;
    s.put_income(&ctx(), h, YEAR, income(100)).await.unwrap();
    assert!(version(&db, TAGANG).await > t0, "the form writes bump");
    let after = village_measures(&db).await;
    assert_eq!(
        after[0].persons,
        before[0].persons + 1,
        "the new person counted"
    );
}
