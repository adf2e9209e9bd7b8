//! Screening many households at once (after a department's list is imported) finds what screening
//! each household alone finds, on both databases: households set up to raise each flag of the
//! screening — income below the monitoring line, a fall in income, rigid spending (recorded by
//! verification, by a health measure, by the medical-cost comparison), each of 三保障 and water, a
//! risk event, overdue loans — and each one's near miss, screened together by the import and then
//! one by one (`screen_region`), give the same early-warning list, flag for flag and reason for
//! reason.

mod common;

use common::store::{idn, luoxi_regions};
use fupin::testing::test_store;
use fupin_core::assessment::*;
use fupin_core::measures::*;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use std::collections::BTreeMap;
use time::macros::date;
use time::Date;

const YEAR: i32 = 2021;

fn ctx() -> Ctx {
    Ctx::within("officer", vec![RegionCode::parse("360124000000").unwrap()])
}

/// The three members of household `n`: two adults and a child of 12 at school, all insured.
fn members(n: u32) -> Vec<MemberInput> {
    let m = |name: &str, birth: &str, seq: u32, rel: &str, school: &str| MemberInput {
        name: name.into(),
        id_number: idn(birth, seq),
        relation: rel.into(),
        schooling: Some(school.into()),
        basic_medical_insurance: Some(true),
        ..Default::default()
    };
    vec![
        m("甲", "19700101", n * 10 + 1, "01", "01"),
        m("乙", "19720101", n * 10 + 2, "02", "01"),
        m("丙", "20090101", n * 10 + 3, "03", "03"),
    ]
}

/// Household `n`, exited in 2016, safe house and water, a wage income of `income` yuan in the
/// year before and `income_now` in the year, food and clothing secure; `tweak` changes it first.
async fn household(
    s: &dyn Store,
    n: u32,
    income_before: i64,
    income_now: i64,
    tweak: impl FnOnce(&mut NewHousehold),
) -> (HouseholdId, Vec<PersonId>) {
    let mut new = NewHousehold {
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
        members: members(n),
        initial_status: Some(InitialStatus {
            status: HouseholdStatus::Exited,
            date: date!(2014 - 03 - 01),
            reason: None,
            exit_year: Some(2016),
        }),
    };
    tweak(&mut new);
    let d = s
        .create_household(&Ctx::system("setup"), new)
        .await
        .unwrap();
    let id = d.household.id;
    for (year, fen) in [(YEAR - 1, income_before), (YEAR, income_now)] {
        s.put_income(
            &ctx(),
            id,
            year,
            IncomeInput {
                wage_fen: fen,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    year_facts(s, id, 0).await;
    (id, d.members.iter().map(|m| m.id).collect())
}

/// Verification's record of the year: food and clothing secure, medical costs of `medical_fen`.
async fn year_facts(s: &dyn Store, h: HouseholdId, medical_fen: i64) {
    s.put_household_year(
        &ctx(),
        h,
        YEAR,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            medical_spending_fen: medical_fen,
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

fn measure(
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

/// A 12-month microcredit of 30,000 yuan from `start`, `repaid_fen` repaid.
fn loan(h: HouseholdId, p: PersonId, start: Date, repaid_fen: i64) -> MeasureInput {
    MeasureInput {
        amount_fen: 3_000_000,
        ..measure(
            h,
            p,
            "扶贫小额信贷",
            start,
            DetailsInput::Loan(Loan {
                term_months: 12,
                annual_rate_bp: 435,
                interest_subsidy_fen: 0,
                purpose: "养殖".into(),
                repaid_fen,
            }),
        )
    }
}

fn health(h: HouseholdId, p: PersonId, start: Date, out_of_pocket_fen: i64) -> MeasureInput {
    measure(
        h,
        p,
        "医疗救助",
        start,
        DetailsInput::Health(Health {
            serious_illness: true,
            medical_assistance_fen: 100_000,
            out_of_pocket_fen,
            ..Health::default()
        }),
    )
}

fn school(h: HouseholdId, p: PersonId, start: Date, end: Option<Date>) -> MeasureInput {
    MeasureInput {
        end_date: end,
        ..measure(
            h,
            p,
            "学生资助",
            start,
            DetailsInput::Education(Education {
                school: "罗溪中学".into(),
                stage: SchoolStage::Primary,
                tuition_waived_fen: 0,
                grant_fen: 0,
                yulu_fen: 0,
                dropout: true,
            }),
        )
    }
}

async fn risk(s: &dyn Store, h: HouseholdId, on: Date, resolved: Option<Date>) {
    let e = s
        .record_risk_event(
            &ctx(),
            h,
            RiskEventInput {
                date: on,
                risk_type: "01".into(),
                note: None,
            },
        )
        .await
        .unwrap();
    if let Some(d) = resolved {
        s.resolve_risk_event(&ctx(), e.id, d).await.unwrap();
    }
}

/// An early-warning list: household → (flags as code and reason, suggested kind).
type Warned = BTreeMap<HouseholdId, (Vec<(String, String)>, MonitoredKind)>;

/// The early-warning list of the village for a year as stored.
async fn stored(s: &dyn Store, year: i32) -> Warned {
    let village = RegionCode::parse("360124106204").unwrap();
    s.early_warnings(&ctx(), &village, year, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|w| {
            (
                w.household_id,
                (
                    w.flags
                        .into_iter()
                        .map(|f| (f.reason_code, f.reason))
                        .collect(),
                    w.suggested_kind,
                ),
            )
        })
        .collect()
}

fn codes_of(list: &Warned, h: HouseholdId) -> Vec<&str> {
    list.get(&h)
        .map(|(f, _)| f.iter().map(|(c, _)| c.as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn screening_many_households_finds_what_screening_each_finds() {
    let db = test_store().await;
    let s = db.store.as_ref();
    luoxi_regions(s).await;
    let ok = 6_000_000; // 60,000 yuan: 20,000 a person, well above the monitoring line of 6,000
                        // (label, household, the flags screening must find in the year)
    let mut cases: Vec<(&str, HouseholdId, Vec<&str>)> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };

    let (h, _) = household(s, next(), ok, ok, |_| {}).await;
    cases.push(("nothing wrong", h, vec![]));
    // 5,999 yuan a person is below the line of 6,000; 6,000 is not
    let (h, _) = household(s, next(), 1_799_700, 1_799_700, |_| {}).await;
    cases.push(("below the line", h, vec!["below_monitoring_line"]));
    let (h, _) = household(s, next(), 1_800_000, 1_800_000, |_| {}).await;
    cases.push(("on the line", h, vec![]));
    // a fall of more than 3/10 of last year's 20,000 a person; exactly 3/10 is not more
    let (h, _) = household(s, next(), ok, 4_199_997, |_| {}).await;
    cases.push(("income fall", h, vec!["income_fall"]));
    let (h, _) = household(s, next(), ok, 4_200_000, |_| {}).await;
    cases.push(("income fall of the share", h, vec![]));
    // rigid spending above half the household's income of 60,000 yuan; exactly half is not
    let (h, _) = household(s, next(), ok, ok, |_| {}).await;
    year_facts(s, h, 3_000_001).await;
    cases.push(("verified medical costs", h, vec!["rigid_spending"]));
    let (h, _) = household(s, next(), ok, ok, |_| {}).await;
    year_facts(s, h, 3_000_000).await;
    cases.push(("verified costs of half", h, vec![]));
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(&ctx(), health(h, p[1], date!(2021 - 02 - 01), 3_000_001))
        .await
        .unwrap();
    cases.push(("costs of a health measure", h, vec!["rigid_spending"]));
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(&ctx(), health(h, p[1], date!(2021 - 02 - 01), 3_000_000))
        .await
        .unwrap();
    // costs of another year do not count in this one
    s.create_measure(&ctx(), health(h, p[0], date!(2020 - 02 - 01), 5_000_000))
        .await
        .unwrap();
    cases.push(("health measure costs of half", h, vec![]));
    let compared_high = household(s, next(), ok, ok, |_| {}).await;
    cases.push((
        "costs the comparison found",
        compared_high.0,
        vec!["rigid_spending"],
    ));
    let compared_half = household(s, next(), ok, ok, |_| {}).await;
    cases.push(("compared costs of half", compared_half.0, vec![]));
    // 三保障 and water
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.members[2].schooling = Some(fupin_core::assessment::exit::NOT_A_STUDENT.into());
    })
    .await;
    cases.push(("child out of school", h, vec!["education_insecure"]));
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.members[2].schooling = Some(fupin_core::assessment::exit::NOT_A_STUDENT.into());
        h.members[2].out_of_school_reason = Some("送教上门".into());
    })
    .await;
    cases.push(("child out of school with a reason", h, vec![]));
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(&ctx(), school(h, p[2], date!(2021 - 03 - 01), None))
        .await
        .unwrap();
    cases.push(("dropout recorded", h, vec!["education_insecure"]));
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(
        &ctx(),
        school(h, p[2], date!(2019 - 03 - 01), Some(date!(2020 - 07 - 01))),
    )
    .await
    .unwrap();
    cases.push(("dropout of years before", h, vec![]));
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.members[1].basic_medical_insurance = Some(false);
    })
    .await;
    cases.push(("member uninsured", h, vec!["medical_insecure"]));
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.household.living.housing_grade = Some("C".into());
    })
    .await;
    cases.push(("unsafe house", h, vec!["housing_insecure"]));
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.household.living.housing_grade = Some("C".into());
        h.household.living.housing_renovated_year = Some(YEAR);
    })
    .await;
    cases.push(("house renovated in the year", h, vec![]));
    let (h, _) = household(s, next(), ok, ok, |h| {
        h.household.living.safe_drinking_water = Some(false);
    })
    .await;
    cases.push(("unsafe water", h, vec!["water_insecure"]));
    // risk events: one of the year unresolved; resolved, or of the year before
    let (h, _) = household(s, next(), ok, ok, |_| {}).await;
    risk(s, h, date!(2021 - 05 - 01), None).await;
    cases.push(("risk in the year", h, vec!["risk_event"]));
    let (h, _) = household(s, next(), ok, ok, |_| {}).await;
    risk(s, h, date!(2021 - 05 - 01), Some(date!(2021 - 08 - 01))).await;
    risk(s, h, date!(2020 - 05 - 01), None).await;
    cases.push(("risks resolved or of another year", h, vec![]));
    // loans: two overdue (entered later-starting first, so that their order is the ids'); one
    // repaid, one not due by the end of the year
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(&ctx(), loan(h, p[1], date!(2020 - 06 - 01), 0))
        .await
        .unwrap();
    s.create_measure(&ctx(), loan(h, p[0], date!(2020 - 03 - 01), 1_000_000))
        .await
        .unwrap();
    cases.push(("two loans overdue", h, vec!["overdue_loan", "overdue_loan"]));
    let (h, p) = household(s, next(), ok, ok, |_| {}).await;
    s.create_measure(&ctx(), loan(h, p[1], date!(2020 - 03 - 01), 3_000_000))
        .await
        .unwrap();
    s.create_measure(&ctx(), loan(h, p[0], date!(2021 - 01 - 01), 0))
        .await
        .unwrap();
    cases.push(("loans repaid or not due", h, vec![]));
    // several at once, in the screening's order
    let (h, _) = household(s, next(), ok, 1_500_000, |h| {
        h.household.living.safe_drinking_water = Some(false);
        h.members[0].basic_medical_insurance = None;
    })
    .await;
    risk(s, h, date!(2021 - 02 - 01), None).await;
    cases.push((
        "several",
        h,
        vec![
            "below_monitoring_line",
            "income_fall",
            "medical_insecure",
            "water_insecure",
            "risk_event",
        ],
    ));
    // a household still poor is not screened, whatever its income
    let (h, _) = household(s, next(), 100_000, 100_000, |h| {
        h.initial_status = Some(InitialStatus {
            status: HouseholdStatus::Poor,
            date: date!(2014 - 03 - 01),
            reason: None,
            exit_year: None,
        });
    })
    .await;
    cases.push(("not exited", h, vec![]));
    let households = n;

    // 医保's comparison: 30,000.01 yuan out of pocket for members of one household, 30,000 for
    // another's
    let row = |id: String, fen: i64| fupin_core::rectification::DeptRow {
        id_number: fupin_core::id_number::IdNumber::parse(&id).unwrap(),
        name: None,
        date: Some(date!(2021 - 06 - 30)),
        amount_fen: Some(fen),
        detail: None,
    };
    let hi = cases.iter().position(|c| c.1 == compared_high.0).unwrap() as u32 + 1;
    let half = cases.iter().position(|c| c.1 == compared_half.0).unwrap() as u32 + 1;
    s.compare_list(
        &ctx(),
        fupin_core::rectification::ListKind::Medical,
        "2021年医保自付名单",
        vec![
            row(idn("19700101", hi * 10 + 1), 2_000_001),
            row(idn("19720101", hi * 10 + 2), 1_000_000),
            row(idn("19700101", half * 10 + 1), 3_000_000),
        ],
        date!(2021 - 07 - 15),
    )
    .await
    .unwrap();

    // a medical list names a member of every household, with nothing paid out of pocket in the
    // year and in the current one (health measures, which screening reads for the year they start
    // in, that change no figure): every household is screened again together for both years
    let this_year = fupin_core::years::today().year();
    let mut file = String::from("身份证号,姓名,结算日期,个人自付(元)\n");
    for k in 1..=households {
        for on in [format!("{YEAR}-01-01"), format!("{this_year}-01-01")] {
            file.push_str(&format!("{},乙,{on},0\n", idn("19720101", k * 10 + 2)));
        }
    }
    let r = fupin_io::import(
        s,
        &ctx(),
        Box::new(std::io::Cursor::new(file.into_bytes())),
        &fupin_io::ImportOptions {
            kind: Some(fupin_io::Kind::DeptMedical),
            ..Default::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    assert!(r.committed, "{:?}", r.issues);
    assert_eq!(r.created, 2 * u64::from(households), "{r:?}");

    for year in [YEAR, this_year] {
        let together = stored(s, year).await;
        if year == YEAR {
            for (label, h, want) in &cases {
                assert_eq!(&codes_of(&together, *h), want, "{label}");
            }
        }
        // one by one, from scratch: the same list, flag for flag
        let town = RegionCode::parse("360124106000").unwrap();
        let alone = s.screen_region(&ctx(), &town, year).await.unwrap();
        let alone: BTreeMap<_, _> = alone
            .into_iter()
            .map(|w| {
                (
                    w.household_id,
                    (
                        w.flags
                            .into_iter()
                            .map(|f| (f.reason_code, f.reason))
                            .collect::<Vec<_>>(),
                        w.suggested_kind,
                    ),
                )
            })
            .collect();
        assert_eq!(together, alone, "{year}");
        assert_eq!(stored(s, year).await, together, "{year}");
    }
}
