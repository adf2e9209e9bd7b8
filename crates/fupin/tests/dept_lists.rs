//! Departments' lists by ID number (employment, training, pension, school, medical), on SQLite by
//! default and on PostgreSQL with `TEST_DATABASE_URL=postgres://…`, against the demo's registry:
//! every bad row reported with its column and a Chinese reason (unregistered and out-of-scope ID
//! numbers row by row), nothing written unless every row is good (or, with `partial`, exactly the
//! good rows), a list imported again changes nothing, a changed row is a new version, and the
//! services report counts what was imported.

use fupin::testing::{test_store, TestDb};
use fupin_core::measures::{Destination, Details, Origin};
use fupin_core::registry::HouseholdId;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use fupin_io::{ImportOptions, ImportReport, Kind};
use time::macros::date;

const TAGANG: &str = "360124106204";

fn system() -> Ctx {
    Ctx::system("test:dept")
}

/// An officer of 塔岗 only (三房's households are outside their regions).
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

async fn import(
    store: &dyn Store,
    ctx: &Ctx,
    kind: Option<Kind>,
    text: &str,
    partial: bool,
) -> ImportReport {
    let opts = ImportOptions {
        kind,
        partial,
        ..ImportOptions::default()
    };
    let input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
    fupin_io::import(store, ctx, input, &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn issues(r: &ImportReport) -> Vec<(u64, &str, Option<&str>)> {
    r.issues
        .iter()
        .map(|i| (i.line, i.code.as_str(), i.column.as_deref()))
        .collect()
}

async fn hid(store: &dyn Store, number: &str) -> HouseholdId {
    store
        .household_by_number(&system(), number)
        .await
        .unwrap()
        .household
        .id
}

async fn measures_of(store: &dyn Store, number: &str) -> Vec<fupin_core::measures::Measure> {
    let h = hid(store, number).await;
    store.household_measures(&system(), h).await.unwrap()
}

const EMPLOYMENT_HEADER: &str =
    "身份证号,姓名,就业单位,就业地区划代码,就业形式,就业日期,结束日期,务工月数,月工资(元),提供部门\n";

#[tokio::test]
async fn employment_list_reports_every_bad_row_and_writes_all_or_nothing() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = tagang_officer();
    let good = "360124198711200039,万志强,县工业园电子厂,360124100000,扶贫车间,2019-03-01,,10,2500,县人社局\n\
                ３６０１２４ 20010412007x,李文杰,东莞某电子厂,44,外出务工,2019-02-15,,11,4200.50,县人社局\n";
    let bad = "360124198001010011,张三,某厂,360124100000,外出务工,2019-03-01,,10,2500,\n\
               360124197006120477,万国华,某厂,360124100000,外出务工,2019-03-01,,10,2500,\n\
               360124197006180058,李国强,某厂,360124100000,外出务工,2019-03-01,,10,2500,\n\
               360124197209300080,胡美华,某厂,360124100000,外出务工,2019-03-01,,13,2500,\n\
               360124198711200039,万志强,县工业园电子厂,360124100000,扶贫车间,2019-03-01,,10,2500,\n\
               360124198711200038,万志强,某厂,360124100000,外出务工,2019-03-01,,10,2500,\n\
               360124197412200384,李冬梅,某厂,360100000000,外出务工,2019-03-01,,10,2500,\n";
    let file = format!("{EMPLOYMENT_HEADER}{good}{bad}");
    let before = measures_of(store, "3601241062040001").await.len();

    // all or nothing: every bad row reported on its column, nothing written
    let r = import(store, &ctx, None, &file, false).await;
    assert_eq!(
        r.kind,
        Some(Kind::DeptEmployment),
        "detected from the header"
    );
    assert_eq!(
        issues(&r),
        [
            (4, "unregistered_person", Some("身份证号")),
            (5, "out_of_scope", Some("身份证号")),
            (6, "person_name_mismatch", Some("姓名")),
            (7, "out_of_range", Some("务工月数")),
            (8, "duplicate_list_row", Some("就业日期")),
            (9, "invalid_check_digit", Some("身份证号")),
            (10, "region_too_coarse", Some("就业地区划代码")),
        ]
    );
    // the ID numbers are masked in the report, the reason is Chinese
    let unreg = &r.issues[0];
    assert!(
        unreg.message.contains("不是在册的建档立卡人员"),
        "{}",
        unreg.message
    );
    assert!(!unreg.message.contains("360124198001010011"));
    assert!(!unreg
        .value
        .as_deref()
        .unwrap_or("")
        .contains("198001010011"));
    assert!(r.issues[1].message.contains("不在您的管辖范围内"));
    assert!(!r.committed);
    assert_eq!((r.created, r.rejected), (2, 7));
    assert_eq!(measures_of(store, "3601241062040001").await.len(), before);

    // partial: exactly the good rows
    let r = import(store, &ctx, None, &file, true).await;
    assert!(r.committed);
    assert_eq!((r.created, r.updated, r.rejected), (2, 0, 7));
    let ms = measures_of(store, "3601241062040001").await;
    assert_eq!(ms.len(), before + 1);
    let m = ms.iter().find(|m| m.kind == "0201").unwrap();
    assert_eq!(m.origin, Origin::Imported);
    assert_eq!(m.person_name.as_deref(), Some("万志强"));
    assert_eq!(m.details.destination(), Some(Destination::InCounty));
    assert_eq!(m.provider.as_deref(), Some("县人社局"));
    let ms2 = measures_of(store, "3601241062040002").await;
    let m2 = ms2.iter().find(|m| m.kind == "0201").unwrap();
    assert_eq!(m2.details.destination(), Some(Destination::CrossProvince));
    match &m2.details {
        Details::Employment(e) => assert_eq!((e.months, e.monthly_wage_fen), (11, 420_050)),
        d => panic!("{d:?}"),
    }

    // again: unchanged, nothing new
    let r = import(
        store,
        &ctx,
        None,
        &format!("{EMPLOYMENT_HEADER}{good}"),
        false,
    )
    .await;
    assert!(r.committed && r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2));
    assert_eq!(
        measures_of(store, "3601241062040001").await.len(),
        before + 1
    );

    // a changed wage is a new version of the same measure
    let changed = good.replace(",10,2500,", ",10,2600,");
    let r = import(
        store,
        &ctx,
        None,
        &format!("{EMPLOYMENT_HEADER}{changed}"),
        false,
    )
    .await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));
    let ms = measures_of(store, "3601241062040001").await;
    let m = ms.iter().find(|m| m.kind == "0201").unwrap();
    assert_eq!(m.version, 2);
    let history = store.measure_history(&system(), m.id).await.unwrap();
    assert_eq!(history.len(), 2);

    // the services report counts them by destination
    let report = store
        .services_report(
            &system(),
            &RegionCode::parse(TAGANG).unwrap(),
            date!(2019 - 01 - 01),
            date!(2019 - 12 - 31),
        )
        .await
        .unwrap();
    assert_eq!(report.employment.in_county.registered, 1);
    assert_eq!(report.employment.cross_province.registered, 1);
    assert_eq!(report.employment.in_workshops, 1);
    assert_eq!(report.employment.wages_fen, 260_000 * 10 + 420_050 * 11);
}

#[tokio::test]
async fn training_pension_school_and_medical_lists() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = system();
    let cases: [(Kind, String); 4] = [
        (
            Kind::DeptTraining,
            "身份证号,姓名,培训项目,培训类型,培训开始日期,培训结束日期,培训学时,是否取得证书,培训补贴(元),生活补贴(元),培训机构\n\
             360124199212260234,万磊,电工,技能提升,2019-04-01,2019-04-20,120,是,1500,300,县职校\n\
             360124199702080412,胡晓东,电工,进修,2019-04-01,,120,是,1500,300,县职校\n"
                .into(),
        ),
        (
            Kind::DeptPension,
            "身份证号,姓名,参保日期,是否领取养老金,政府代缴金额(元),经办机构\n\
             360124193601250067,刘桂英,2019-01-01,是,100,县社保局\n\
             360124196408020028,熊春兰,2019-01-01,否,-5,县社保局\n"
                .into(),
        ),
        (
            Kind::DeptSchool,
            "身份证号,姓名,学校,学段,资助开始日期,免学费(元),助学金(元),雨露计划补助(元),是否辍学\n\
             360124200506300241,李欣怡,县职业中专,中职,2019-09-01,2000,1000,1500,否\n\
             360124200911180271,李俊杰,罗溪小学,大班,2019-09-01,,,,否\n"
                .into(),
        ),
        (
            Kind::DeptMedical,
            "身份证号,姓名,结算日期,是否签约家庭医生,是否大病救治,医疗救助金额(元),个人自付(元)\n\
             360124196203140018,万建华,2019-05-10,是,是,8000,12000\n\
             360124196203140018,万建华,2019-05-11,是,是,8000,\n"
                .into(),
        ),
    ];
    for (kind, file) in &cases {
        // detected from the header, and the same when chosen
        let r = import(store, &ctx, None, file, false).await;
        assert_eq!(r.kind, Some(*kind));
        assert_eq!(r.issues.len(), 1, "{kind:?}: {:?}", r.issues);
        assert_eq!(r.issues[0].line, 3, "{kind:?}");
        assert!(!r.committed);
        let r = import(store, &ctx, Some(*kind), file, true).await;
        assert_eq!((r.created, r.rejected), (1, 1), "{kind:?}");
        let r = import(store, &ctx, Some(*kind), file, true).await;
        assert_eq!((r.created, r.unchanged, r.rejected), (0, 1, 1), "{kind:?}");
    }
    let report = store
        .services_report(
            &ctx,
            &RegionCode::parse(TAGANG).unwrap(),
            date!(2019 - 01 - 01),
            date!(2019 - 12 - 31),
        )
        .await
        .unwrap();
    assert_eq!(report.training.trained.registered, 1);
    assert_eq!(report.training.subsidy_fen, 150_000);
    assert_eq!(report.pension.enrolled, 1);
    assert_eq!(report.pension.receiving, 1);
    assert_eq!(report.pension.paid_by_government_fen, 10_000);
    assert_eq!(report.education.tuition_waived_students, 1);
    assert_eq!(report.education.grants_fen, 250_000);
    assert_eq!(report.health.out_of_pocket_fen, 1_200_000);
    assert_eq!(report.health.medical_assistance_fen, 800_000);
    let ms = measures_of(store, "3601241062040001").await;
    let med = ms.iter().find(|m| m.kind == "0503").unwrap();
    assert_eq!(med.person_name.as_deref(), Some("万建华"));
}

#[tokio::test]
async fn the_bad_rows_reasons_name_the_field() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let file = "身份证号,姓名,培训项目,培训类型,培训开始日期,培训学时\n\
                360124199212260234,万磊,电工,进修,2019-04-01,120\n\
                360124199212260234,万磊,电工,岗前,2019-04-01,0\n\
                360124199212260234,万磊,,岗前,2019-05-01,10\n";
    let r = import(store, &system(), Some(Kind::DeptTraining), file, false).await;
    assert_eq!(
        issues(&r),
        [
            (2, "unknown_training_type", Some("培训类型")),
            (3, "out_of_range", Some("培训学时")),
            (4, "required", Some("培训项目")),
        ]
    );
    for i in &r.issues {
        assert!(
            i.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}",
            i.message
        );
    }
}

/// A list split into batches of one row counts in the services report as it does in one batch, at
/// the village and every level above it (the figures of the batches are gathered and added when
/// the import commits); a record it wrote is found again batch by batch, unchanged or changed.
#[tokio::test]
async fn a_list_in_batches_of_one_row_counts_once_at_every_level() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let ctx = system();
    let regions = [TAGANG, "360124000000", "360000000000"];
    let training = |ctx: Ctx, region: &'static str| async move {
        store
            .services_report(
                &ctx,
                &RegionCode::parse(region).unwrap(),
                date!(2019 - 01 - 01),
                date!(2019 - 12 - 31),
            )
            .await
            .unwrap()
            .training
    };
    let mut before = Vec::new();
    for r in regions {
        before.push(training(system(), r).await);
    }
    let header = "身份证号,姓名,培训项目,培训类型,培训开始日期,培训结束日期,培训学时,是否取得证书,培训补贴(元),生活补贴(元),培训机构\n";
    let list = |second: &str| {
        format!(
            "{header}360124199212260234,万磊,电工,技能提升,2019-04-01,2019-04-20,120,是,1500,300,县职校\n\
             360124199702080412,胡晓东,焊工,岗前,2019-06-03,2019-06-10,40,否,{second},,县职校\n"
        )
    };
    let in_rows = |text: String| async move {
        let opts = ImportOptions {
            kind: Some(Kind::DeptTraining),
            batch: 1,
            ..ImportOptions::default()
        };
        let input = Box::new(std::io::Cursor::new(text.into_bytes()));
        fupin_io::import(store, &system(), input, &opts, &|_| {})
            .await
            .unwrap()
    };
    let r = in_rows(list("800")).await;
    assert_eq!((r.created, r.rejected), (2, 0), "{:?}", r.issues);
    let r = in_rows(list("800")).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2));
    let r = in_rows(list("900")).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));
    for (r, b) in regions.iter().zip(&before) {
        let t = training(ctx.clone(), r).await;
        assert_eq!(t.trained.registered, b.trained.registered + 2, "{r}");
        assert_eq!(t.certificates, b.certificates + 1, "{r}");
        assert_eq!(t.subsidy_fen, b.subsidy_fen + 150_000 + 90_000, "{r}");
        assert_eq!(
            t.living_allowance_fen,
            b.living_allowance_fen + 30_000,
            "{r}"
        );
    }
}
