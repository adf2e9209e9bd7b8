//! What measures feed into the assessment, on both databases: an overdue loan raises a monitoring
//! warning through the screening, out-of-pocket medical costs recorded as health measures feed the
//! screening of high medical spending, and a dropout recorded by an education measure fails the
//! exit assessment's compulsory-education criterion.

use fupin::testing::test_store;
use fupin_core::assessment::*;
use fupin_core::id_number::check_char;
use fupin_core::measures::*;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use time::macros::date;
use time::Date;

fn ctx() -> Ctx {
    Ctx::within("officer", vec![RegionCode::parse("360124000000").unwrap()])
}

fn idn(birth: &str, seq: u32) -> String {
    let body = format!("360124{birth}{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

async fn regions(s: &dyn Store) {
    let rs = [
        ("360000000000", "江西省", ""),
        ("360100000000", "南昌市", "360000000000"),
        ("360124000000", "进贤县", "360100000000"),
        ("360124106000", "罗溪镇", "360124000000"),
        ("360124106204", "塔岗村委会", "360124106000"),
    ];
    let recs = rs
        .iter()
        .enumerate()
        .map(|(i, (c, n, p))| {
            (
                i as u64 + 2,
                RegionRecord {
                    code: c.to_string(),
                    level: None,
                    name: n.to_string(),
                    parent_code: Some(p.to_string()),
                },
            )
        })
        .collect();
    s.import_regions(&Ctx::system("setup"), recs).await.unwrap();
}

/// An exited household of two adults and a child of 12 at school, with an income in 2021 well
/// above the monitoring line.
async fn household(s: &dyn Store, n: u32) -> (HouseholdId, Vec<PersonId>) {
    let m = |name: &str, birth: &str, seq: u32, rel: &str, school: &str| MemberInput {
        name: name.into(),
        id_number: idn(birth, seq),
        relation: rel.into(),
        schooling: Some(school.into()),
        basic_medical_insurance: Some(true),
        ..Default::default()
    };
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: format!("360124106204{n:04}"),
            village_code: "360124106204".into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            living: LivingConditions {
                housing_grade: Some("B".into()),
                safe_drinking_water: Some(true),
                ..Default::default()
            },
            ..Default::default()
        },
        members: vec![
            m("甲", "19700101", n * 10 + 1, "01", "01"),
            m("乙", "19720101", n * 10 + 2, "02", "01"),
            m("丙", "20090101", n * 10 + 3, "03", "03"),
        ],
        initial_status: Some(InitialStatus {
            status: HouseholdStatus::Exited,
            date: date!(2014 - 03 - 01),
            reason: None,
            exit_year: Some(2016),
        }),
    };
    let d = s
        .create_household(&Ctx::system("setup"), new)
        .await
        .unwrap();
    let id = d.household.id;
    for year in [2020, 2021] {
        s.put_income(
            &ctx(),
            id,
            year,
            IncomeInput {
                wage_fen: 6_000_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    s.put_household_year(
        &ctx(),
        id,
        2021,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (id, d.members.iter().map(|m| m.id).collect())
}

fn input(
    h: HouseholdId,
    p: PersonId,
    kind: &str,
    start: Date,
    details: DetailsInput,
) -> MeasureInput {
    MeasureInput {
        household_id: h,
        person_id: Some(p),
        kind: kind.into(),
        start_date: start,
        end_date: None,
        amount_fen: 0,
        provider: None,
        status: MeasureStatus::Active,
        note: None,
        details,
    }
}

async fn flags(s: &dyn Store, h: HouseholdId, year: i32) -> Vec<String> {
    let town = RegionCode::parse("360124106000").unwrap();
    s.screen_region(&ctx(), &town, year).await.unwrap();
    s.early_warnings(&ctx(), &town, year, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|w| w.household_id == h)
        .flat_map(|w| w.flags.into_iter().map(|f| f.reason_code))
        .collect()
}

#[tokio::test]
async fn an_overdue_loan_raises_a_warning() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, members) = household(s, 1).await;
    let (quiet, _) = household(s, 2).await;
    assert!(flags(s, h, 2021).await.is_empty());
    assert!(flags(s, quiet, 2021).await.is_empty());
    // a 12-month microcredit from March 2020, 10,000 of 30,000 yuan repaid: due in March 2021
    let loan = |repaid_fen: i64| MeasureInput {
        amount_fen: 3_000_000,
        ..input(
            h,
            members[0],
            "扶贫小额信贷",
            date!(2020 - 03 - 01),
            DetailsInput::Loan(Loan {
                term_months: 12,
                annual_rate_bp: 435,
                interest_subsidy_fen: 0,
                purpose: "养殖".into(),
                repaid_fen,
            }),
        )
    };
    let m = s.create_measure(&ctx(), loan(1_000_000)).await.unwrap();
    assert_eq!(flags(s, h, 2021).await, ["overdue_loan"]);
    assert!(flags(s, quiet, 2021).await.is_empty());
    // the year before, the loan was not due yet
    assert!(flags(s, h, 2020).await.is_empty());
    let w = s
        .early_warnings(
            &ctx(),
            &RegionCode::parse("360124106204").unwrap(),
            2021,
            &fupin_core::paging::Keyset::all(),
        )
        .await
        .unwrap()
        .items;
    let reason = &w.iter().find(|w| w.household_id == h).unwrap().flags[0].reason;
    assert!(
        reason.contains("甲") && reason.contains("2021-03-01"),
        "{reason}"
    );
    // repaid in full: the warning goes
    s.update_measure(&ctx(), m.id, loan(3_000_000))
        .await
        .unwrap();
    assert!(flags(s, h, 2021).await.is_empty());
    // more repaid than lent is refused, naming the field
    let e = s
        .update_measure(&ctx(), m.id, loan(3_000_001))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("details.repaid_fen"));
}

#[tokio::test]
async fn out_of_pocket_costs_feed_the_medical_spending_screen() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, members) = household(s, 1).await;
    let health = |start: Date, fen: i64| {
        input(
            h,
            members[1],
            "医疗救助",
            start,
            DetailsInput::Health(Health {
                serious_illness: true,
                medical_assistance_fen: 500_000,
                out_of_pocket_fen: fen,
                ..Health::default()
            }),
        )
    };
    // income 60,000 yuan; the share in force is a half: 20,000 yuan of costs is not above it
    s.create_measure(&ctx(), health(date!(2021 - 02 - 01), 2_000_000))
        .await
        .unwrap();
    assert!(flags(s, h, 2021).await.is_empty());
    // costs of another year do not count in this one
    s.create_measure(&ctx(), health(date!(2020 - 02 - 01), 5_000_000))
        .await
        .unwrap();
    assert!(flags(s, h, 2021).await.is_empty());
    s.create_measure(&ctx(), health(date!(2021 - 09 - 01), 1_500_000))
        .await
        .unwrap();
    assert_eq!(flags(s, h, 2021).await, ["rigid_spending"]);
}

#[tokio::test]
async fn a_recorded_dropout_fails_the_education_criterion() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, members) = household(s, 1).await;
    let passed = |a: &ExitAssessmentReport| {
        a.assessment
            .get(Criterion::CompulsoryEducation)
            .map(|r| (r.passed, r.reason.clone()))
            .unwrap()
    };
    assert!(passed(&s.exit_assessment(&ctx(), h, 2021).await.unwrap()).0);
    let school = |dropout: bool| {
        input(
            h,
            members[2],
            "学生资助",
            date!(2021 - 03 - 01),
            DetailsInput::Education(Education {
                school: "罗溪中学".into(),
                stage: SchoolStage::Primary,
                tuition_waived_fen: 0,
                grant_fen: 0,
                yulu_fen: 0,
                dropout,
            }),
        )
    };
    let m = s.create_measure(&ctx(), school(false)).await.unwrap();
    assert!(passed(&s.exit_assessment(&ctx(), h, 2021).await.unwrap()).0);
    s.update_measure(&ctx(), m.id, school(true)).await.unwrap();
    let (ok, reason) = passed(&s.exit_assessment(&ctx(), h, 2021).await.unwrap());
    assert!(!ok);
    assert!(reason.contains("丙") && reason.contains("辍学"), "{reason}");
    // the screening sees the failing criterion too
    assert!(flags(s, h, 2021)
        .await
        .contains(&"education_insecure".to_string()));
    // the year before, the record did not exist yet
    assert!(passed(&s.exit_assessment(&ctx(), h, 2020).await.unwrap()).0);
}

/// The early warnings of 罗溪镇 for a year as stored, without screening the region again.
async fn stored_flags(s: &dyn Store, h: HouseholdId, year: i32) -> Vec<String> {
    let town = RegionCode::parse("360124106000").unwrap();
    s.early_warnings(&ctx(), &town, year, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|w| w.household_id == h)
        .flat_map(|w| w.flags.into_iter().map(|f| f.reason_code))
        .collect()
}

#[tokio::test]
async fn a_department_list_rescreens_the_households_it_touches() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (a, _) = household(s, 1).await;
    let (b, _) = household(s, 2).await;
    let (c, _) = household(s, 3).await;
    for h in [a, b, c] {
        assert!(stored_flags(s, h, 2021).await.is_empty());
    }
    // 医保's list: 40,000 yuan out of pocket for a member of `a` (above half of its 60,000 yuan
    // income), 20,000 for one of `b` (not above), nothing for `c`
    let file = format!(
        "身份证号,姓名,结算日期,是否签约家庭医生,是否大病救治,医疗救助金额(元),个人自付(元)\n\
         {},乙,2021-03-10,是,是,5000,40000\n\
         {},甲,2021-04-02,是,否,,20000\n",
        idn("19720101", 12),
        idn("19700101", 21),
    );
    let opts = fupin_io::ImportOptions {
        kind: Some(fupin_io::Kind::DeptMedical),
        ..Default::default()
    };
    let r = fupin_io::import(
        s,
        &ctx(),
        Box::new(std::io::Cursor::new(file.clone().into_bytes())),
        &opts,
        &|_| {},
    )
    .await
    .unwrap();
    assert!(r.committed, "{:?}", r.issues);
    assert_eq!(r.created, 2);
    // on the early-warning list at once, as if the measure had been entered by hand
    assert_eq!(stored_flags(s, a, 2021).await, ["rigid_spending"]);
    assert!(stored_flags(s, b, 2021).await.is_empty());
    // the same as screening the region from scratch
    assert_eq!(flags(s, a, 2021).await, ["rigid_spending"]);
    assert!(flags(s, b, 2021).await.is_empty());
    assert!(flags(s, c, 2021).await.is_empty());

    // the list corrected to 1,000 yuan takes the household off the list again
    let file = file.replace(",40000\n", ",1000\n");
    let r = fupin_io::import(
        s,
        &ctx(),
        Box::new(std::io::Cursor::new(file.into_bytes())),
        &opts,
        &|_| {},
    )
    .await
    .unwrap();
    assert!(r.committed, "{:?}", r.issues);
    assert_eq!(r.updated, 1, "{r:?}");
    assert!(stored_flags(s, a, 2021).await.is_empty());
}

#[tokio::test]
async fn medical_costs_found_by_comparison_feed_the_screening() {
    use fupin_core::rectification::{DeptRow, ListKind};
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (a, _) = household(s, 1).await;
    let (b, _) = household(s, 2).await;
    let row = |id: String, fen: i64| DeptRow {
        id_number: fupin_core::id_number::IdNumber::parse(&id).unwrap(),
        name: None,
        date: Some(date!(2021 - 06 - 30)),
        amount_fen: Some(fen),
        detail: None,
    };
    // a's members are listed with 18,000 + 16,000 yuan (together above half of 60,000), b's with
    // 12,000 (flagged for a look, not above the share)
    let out = s
        .compare_list(
            &ctx(),
            ListKind::Medical,
            "2021年医保自付名单",
            vec![
                row(idn("19700101", 11), 1_800_000),
                row(idn("19720101", 12), 1_600_000),
                row(idn("19700101", 21), 1_200_000),
            ],
            date!(2021 - 07 - 15),
        )
        .await
        .unwrap();
    assert_eq!((out.matched, out.warnings), (3, 3), "{out:?}");
    assert_eq!(
        (out.screened_households, out.early_warnings),
        (2, 1),
        "{out:?}"
    );
    assert_eq!(stored_flags(s, a, 2021).await, ["rigid_spending"]);
    assert!(stored_flags(s, b, 2021).await.is_empty());
    // screening the region again reads the same costs from the comparison's flags
    assert_eq!(flags(s, a, 2021).await, ["rigid_spending"]);
    assert!(flags(s, b, 2021).await.is_empty());
    // another year's screening does not count them
    assert!(flags(s, a, 2020).await.is_empty());
}
