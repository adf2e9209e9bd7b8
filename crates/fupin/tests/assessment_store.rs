//! Contract tests of exit procedures, monitoring, incidence and measures (both databases).

mod common;

use common::store::idn;

use fupin::testing::test_store;
use fupin_core::assessment::*;
use fupin_core::regions::{RegionRecord, VillageProfileInput};
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, ErrorKind, RegionCode};
use time::macros::date;
use time::Date;

fn ctx() -> Ctx {
    Ctx::within("officer", vec![RegionCode::parse("360124000000").unwrap()])
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

/// A household of two adults (insured) and a 10-year-old at school, safe house and water.
async fn household(s: &dyn Store, n: u32, status: HouseholdStatus) -> HouseholdId {
    let m = |name: &str, birth: &str, seq: u32, rel: &str, school: Option<&str>| MemberInput {
        name: name.into(),
        id_number: idn(birth, seq),
        relation: rel.into(),
        schooling: school.map(str::to_string),
        basic_medical_insurance: Some(true),
        ..Default::default()
    };
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: format!("360124106204{:04}", n + 1),
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
            m("甲", "19700101", n * 10 + 1, "01", Some("01")),
            m("乙", "19720101", n * 10 + 2, "02", Some("01")),
            m("丙", "20080101", n * 10 + 3, "03", Some("03")),
        ],
        initial_status: Some(InitialStatus {
            status,
            date: date!(2014 - 03 - 01),
            reason: None,
            exit_year: (status == HouseholdStatus::Exited).then_some(2016),
        }),
    };
    s.create_household(&Ctx::system("setup"), new)
        .await
        .unwrap()
        .household
        .id
}

/// The household's `year` on record: a wage income of `wage_fen` (the other sources nil) and food and
/// clothing secure, so that the exit assessment turns on the income alone.
async fn secure_year(s: &dyn Store, h: HouseholdId, year: i32, wage_fen: i64) {
    s.put_income(
        &ctx(),
        h,
        year,
        IncomeInput {
            wage_fen,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.put_household_year(
        &ctx(),
        h,
        year,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

fn act(date: Date, action: &str) -> CaseActionInput {
    CaseActionInput {
        date,
        action: action.into(),
        note: None,
        reason: None,
        text: None,
        objection_id: None,
        resolution: None,
        monitored_kind: None,
    }
}

#[tokio::test]
async fn exit_procedure_in_order_with_objection_and_assessment() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let h = household(s, 1, HouseholdStatus::Poor).await;
    // 2018 income: 3 persons, net 1,200,000 fen → 400,000 per person, above the 2018 line (2,995 yuan)
    s.put_income(
        &ctx(),
        h,
        2018,
        IncomeInput {
            wage_fen: 1_200_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // food and clothing not yet recorded → assessment fails on those two only
    let a = s.exit_assessment(&ctx(), h, 2018).await.unwrap().assessment;
    let failed: Vec<_> = a.failed().map(|c| c.criterion).collect();
    assert_eq!(failed, [Criterion::Food, Criterion::Clothing]);
    s.put_household_year(
        &ctx(),
        h,
        2018,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        s.exit_assessment(&ctx(), h, 2018)
            .await
            .unwrap()
            .assessment
            .passed
    );

    let case = s
        .start_case(&ctx(), ProcedureKind::Exit, h, 2018, date!(2018 - 10 - 08))
        .await
        .unwrap();
    assert_eq!(
        s.start_case(&ctx(), ProcedureKind::Exit, h, 2018, date!(2018 - 10 - 08))
            .await
            .unwrap_err()
            .code,
        "case_open"
    );
    // steps only in order: an objection is refused before the notice
    let early = s
        .case_action(
            &ctx(),
            case.id,
            CaseActionInput {
                text: Some("x".into()),
                ..act(date!(2018 - 10 - 09), "record_objection")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(early.code, "not_in_notice");
    for d in [
        date!(2018 - 10 - 10),
        date!(2018 - 10 - 12),
        date!(2018 - 10 - 15),
        date!(2018 - 10 - 16),
    ] {
        s.case_action(&ctx(), case.id, act(d, "complete"))
            .await
            .unwrap();
    }
    let c = s.case(&ctx(), case.id).await.unwrap();
    assert_eq!(c.step, "public_notice");
    let obj = s
        .case_action(
            &ctx(),
            case.id,
            CaseActionInput {
                text: Some("收入核算有误".into()),
                ..act(date!(2018 - 10 - 18), "record_objection")
            },
        )
        .await
        .unwrap();
    assert_eq!(obj.step, "public_notice");
    // an open objection blocks the end of the notice, even after N days
    let blocked = s
        .case_action(&ctx(), case.id, act(date!(2018 - 10 - 30), "complete"))
        .await
        .unwrap_err();
    assert_eq!(blocked.code, "open_objections");
    s.case_action(
        &ctx(),
        case.id,
        CaseActionInput {
            objection_id: Some(1),
            resolution: Some("经核实收入无误".into()),
            ..act(date!(2018 - 10 - 25), "resolve_objection")
        },
    )
    .await
    .unwrap();
    s.case_action(&ctx(), case.id, act(date!(2018 - 10 - 30), "complete"))
        .await
        .unwrap(); // notice done
    s.case_action(&ctx(), case.id, act(date!(2018 - 11 - 05), "complete"))
        .await
        .unwrap(); // township
    assert_eq!(
        s.household(&ctx(), h).await.unwrap().household.status,
        HouseholdStatus::Poor,
        "not yet approved"
    );
    let done = s
        .case_action(&ctx(), case.id, act(date!(2018 - 11 - 20), "complete"))
        .await
        .unwrap(); // county approval
    assert!(done.finished);
    let d = s.household(&ctx(), h).await.unwrap();
    assert_eq!(
        (d.household.status, d.household.exit_year),
        (HouseholdStatus::Exited, Some(2018))
    );
    assert_eq!(d.status_history.last().unwrap().date, date!(2018 - 11 - 20));
}

#[tokio::test]
async fn a_failing_assessment_blocks_approval_and_rejection_goes_back() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let h = household(s, 2, HouseholdStatus::Poor).await;
    // income on record but below the 2016 line of 2,952 yuan per person
    secure_year(s, h, 2016, 600_000).await;
    let case = s
        .start_case(&ctx(), ProcedureKind::Exit, h, 2016, date!(2016 - 10 - 01))
        .await
        .unwrap();
    let days = [
        date!(2016 - 10 - 02),
        date!(2016 - 10 - 03),
        date!(2016 - 10 - 04),
        date!(2016 - 10 - 05),
        date!(2016 - 10 - 15),
        date!(2016 - 10 - 20),
    ];
    for d in days {
        s.case_action(&ctx(), case.id, act(d, "complete"))
            .await
            .unwrap();
    }
    let e = s
        .case_action(&ctx(), case.id, act(date!(2016 - 11 - 01), "complete"))
        .await
        .unwrap_err();
    assert_eq!(e.code, "assessment_failed");
    assert!(e.message.contains("贫困线"), "{}", e.message);
    let back = s
        .case_action(
            &ctx(),
            case.id,
            CaseActionInput {
                reason: Some("收入未稳定超过贫困线".into()),
                ..act(date!(2016 - 11 - 02), "reject")
            },
        )
        .await
        .unwrap();
    assert_eq!(back.step, "proposal");
    assert_eq!(
        s.household(&ctx(), h).await.unwrap().household.status,
        HouseholdStatus::Poor
    );
}

#[tokio::test]
async fn screening_identification_and_risk_elimination() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let h = household(s, 3, HouseholdStatus::Exited).await;
    let steady = household(s, 4, HouseholdStatus::Exited).await;
    for (id, w2020, w2021) in [(h, 3_000_000, 2_400_000), (steady, 3_000_000, 3_100_000)] {
        s.put_income(
            &ctx(),
            id,
            2020,
            IncomeInput {
                wage_fen: w2020,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        s.put_income(
            &ctx(),
            id,
            2021,
            IncomeInput {
                wage_fen: w2021,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let town = RegionCode::parse("360124106000").unwrap();
    // 2021: per-capita 800,000 vs 1,000,000 the year before: down 20%, not more than 30% → no flag
    assert!(s
        .screen_region(&ctx(), &town, 2021)
        .await
        .unwrap()
        .is_empty());
    // a major illness recorded by a cadre flags exactly that household, with the reason
    s.record_risk_event(
        &ctx(),
        h,
        RiskEventInput {
            date: date!(2021 - 04 - 10),
            risk_type: "因病".into(),
            note: Some("户主突发重病住院".into()),
        },
    )
    .await
    .unwrap();
    let list = s
        .early_warnings(&ctx(), &town, 2021, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].household_id, h);
    let codes: Vec<_> = list[0]
        .flags
        .iter()
        .map(|f| f.reason_code.as_str())
        .collect();
    assert_eq!(codes, ["risk_event"]);
    // large medical spending adds its own flag
    s.put_household_year(
        &ctx(),
        h,
        2021,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            medical_spending_fen: 1_500_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let codes: Vec<_> = s
        .early_warnings(&ctx(), &town, 2021, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items[0]
        .flags
        .iter()
        .map(|f| f.reason_code.clone())
        .collect();
    assert_eq!(codes, ["rigid_spending", "risk_event"]);

    // identification → monitored (突发严重困难户)
    let case = s
        .start_case(
            &ctx(),
            ProcedureKind::Identification,
            h,
            2021,
            date!(2021 - 04 - 12),
        )
        .await
        .unwrap();
    let steps = [
        date!(2021 - 04 - 13),
        date!(2021 - 04 - 14),
        date!(2021 - 04 - 15),
        date!(2021 - 04 - 20),
        date!(2021 - 04 - 21),
    ];
    for d in steps {
        s.case_action(&ctx(), case.id, act(d, "complete"))
            .await
            .unwrap();
    }
    let no_kind = s
        .case_action(&ctx(), case.id, act(date!(2021 - 04 - 22), "complete"))
        .await
        .unwrap_err();
    assert_eq!(no_kind.code, "kind_required");
    let ok = CaseActionInput {
        monitored_kind: Some(MonitoredKind::SuddenHardship),
        ..act(date!(2021 - 04 - 22), "complete")
    };
    assert!(s.case_action(&ctx(), case.id, ok).await.unwrap().finished);
    assert_eq!(
        s.household(&ctx(), h).await.unwrap().household.status,
        HouseholdStatus::Monitored
    );

    // risk elimination: refused while the risk is open, granted once resolved and income stable
    let el = s
        .start_case(
            &ctx(),
            ProcedureKind::Elimination,
            h,
            2022,
            date!(2022 - 09 - 01),
        )
        .await
        .unwrap();
    let steps = [
        date!(2022 - 09 - 02),
        date!(2022 - 09 - 03),
        date!(2022 - 09 - 04),
        date!(2022 - 09 - 10),
        date!(2022 - 09 - 12),
    ];
    for d in steps {
        s.case_action(&ctx(), el.id, act(d, "complete"))
            .await
            .unwrap();
    }
    s.put_income(
        &ctx(),
        h,
        2022,
        IncomeInput {
            wage_fen: 3_000_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.put_household_year(
        &ctx(),
        h,
        2022,
        HouseholdYearInput {
            food_secure: Some(true),
            clothing_secure: Some(true),
            income_stable_months: Some(8),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let open = s
        .case_action(&ctx(), el.id, act(date!(2022 - 09 - 20), "complete"))
        .await
        .unwrap_err();
    assert_eq!(open.code, "assessment_failed");
    let ev = s.risk_events(&ctx(), h).await.unwrap()[0].id;
    s.resolve_risk_event(&ctx(), ev, date!(2022 - 08 - 01))
        .await
        .unwrap();
    assert!(
        s.case_action(&ctx(), el.id, act(date!(2022 - 09 - 20), "complete"))
            .await
            .unwrap()
            .finished
    );
    let d = s.household(&ctx(), h).await.unwrap();
    let trail: Vec<_> = d.status_history.iter().map(|e| e.to_status).collect();
    assert_eq!(
        trail,
        [
            HouseholdStatus::Exited,
            HouseholdStatus::Monitored,
            HouseholdStatus::RiskEliminated
        ]
    );
}

#[tokio::test]
async fn incidence_and_measures() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let village = RegionCode::parse("360124106204").unwrap();
    let a = household(s, 5, HouseholdStatus::Poor).await;
    let b = household(s, 6, HouseholdStatus::Poor).await;
    // 2018 line 2,995 yuan: a at exactly the line (not poor), b at 1,000 yuan per person
    s.put_income(
        &ctx(),
        a,
        2018,
        IncomeInput {
            wage_fen: 299_500 * 3,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.put_income(
        &ctx(),
        b,
        2018,
        IncomeInput {
            wage_fen: 100_000 * 3,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let m = s
        .measures(&ctx(), &village, 2018, &Default::default())
        .await
        .unwrap();
    assert_eq!((m.persons, m.households, m.line_fen), (6, 2, 299_500));
    assert!((m.headcount_ratio - 0.5).abs() < 1e-9);
    // P1 = (1/6)·3·(299,500 − 100,000)/299,500
    let gap = (299_500.0 - 100_000.0) / 299_500.0;
    assert!((m.fgt1 - gap / 2.0).abs() < 1e-9);
    assert!((m.fgt2 - gap * gap / 2.0).abs() < 1e-9);
    // with a line below every income, nobody is poor and nothing divides by zero
    let none = s
        .measures(&ctx(), &village, 2018, &MeasuresQuery::line(50_000))
        .await
        .unwrap();
    assert_eq!(
        (none.headcount_ratio, none.fgt1, none.sen, none.watts),
        (0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!(
        s.measures(&ctx(), &village, 2018, &MeasuresQuery::line(0))
            .await
            .unwrap_err()
            .code,
        "out_of_range"
    );

    // incidence: 6 poor persons of 300 rural → 2% is not below 2%; of 400 → 1.5% passes
    s.put_village_profile(
        &ctx(),
        &village,
        2018,
        VillageProfileInput {
            collective_income_fen: None,
            rural_population: Some(300),
            note: None,
        },
    )
    .await
    .unwrap();
    let i = s.incidence(&ctx(), &village, 2018).await.unwrap();
    assert_eq!((i.poor_persons, i.check.passed), (6, false));
    s.put_village_profile(
        &ctx(),
        &village,
        2018,
        VillageProfileInput {
            collective_income_fen: None,
            rural_population: Some(400),
            note: None,
        },
    )
    .await
    .unwrap();
    assert!(
        s.incidence(&ctx(), &village, 2018)
            .await
            .unwrap()
            .check
            .passed
    );
    // no rural population recorded: not computable, no division by zero
    assert!(
        !s.incidence(&ctx(), &village, 2017)
            .await
            .unwrap()
            .check
            .passed
    );
}

#[tokio::test]
async fn parameters_are_data() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let line = |p: &[Parameter]| {
        resolve(
            p,
            "poverty_line",
            &RegionCode::parse("360124106204").unwrap(),
            2016,
        )
        .map(|p| p.value.clone())
    };
    assert_eq!(
        line(&s.parameters(&ctx()).await.unwrap()),
        Some(ParamValue::Fen(fupin_core::Fen::from_yuan(2952)))
    );
    // a province sets its own line: the most specific region wins
    let input = ParameterInput {
        key: "poverty_line".into(),
        region_prefix: Some("36".into()),
        year: 2016,
        value: ParamValue::Fen(fupin_core::Fen::from_yuan(3100)),
        source: "省定标准（测试）".into(),
        confirmed: true,
    };
    assert_eq!(
        s.put_parameter(&ctx(), input.clone())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound,
        "outside the county scope"
    );
    s.put_parameter(&Ctx::system("admin"), input).await.unwrap();
    assert_eq!(
        line(&s.parameters(&ctx()).await.unwrap()),
        Some(ParamValue::Fen(fupin_core::Fen::from_yuan(3100)))
    );
    let national = ParameterInput {
        key: "poverty_line".into(),
        region_prefix: None,
        year: 2016,
        value: ParamValue::Fen(fupin_core::Fen::from_yuan(1)),
        source: "x".into(),
        confirmed: false,
    };
    assert_eq!(
        s.put_parameter(&ctx(), national).await.unwrap_err().kind,
        ErrorKind::Forbidden
    );
}

/// Each step belongs to an office: the village's officer takes the village's steps, the township
/// reviews, the county approves. An officer whose regions lie below the step's office is refused
/// (`step_for_higher_office`, forbidden) and the case stays where it was; an office above may take a
/// lower step.
#[tokio::test]
async fn each_office_takes_only_its_own_steps() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let h = household(s, 5, HouseholdStatus::Poor).await;
    // an income above the 2018 line, food and clothing secure: the exit assessment passes
    secure_year(s, h, 2018, 1_200_000).await;
    let village = Ctx::within("village", vec![RegionCode::parse("360124106204").unwrap()]);
    let township = Ctx::within("township", vec![RegionCode::parse("360124106000").unwrap()]);
    // holding the village and another township does not make the village's officer a township office
    let mixed = Ctx::within(
        "mixed",
        vec![
            RegionCode::parse("360124106204").unwrap(),
            RegionCode::parse("360124105000").unwrap(),
        ],
    );
    let case = s
        .start_case(
            &village,
            ProcedureKind::Exit,
            h,
            2018,
            date!(2018 - 10 - 08),
        )
        .await
        .unwrap();
    // the village's own steps up to the end of the notice: 提名 … 公示
    for d in [
        date!(2018 - 10 - 10),
        date!(2018 - 10 - 12),
        date!(2018 - 10 - 15),
        date!(2018 - 10 - 16),
        date!(2018 - 10 - 30),
    ] {
        s.case_action(&village, case.id, act(d, "complete"))
            .await
            .unwrap();
    }
    assert_eq!(
        s.case(&village, case.id).await.unwrap().step,
        "township_review"
    );
    let refused = |who: &'static str| {
        move |e: fupin_core::DomainError| {
            assert_eq!(
                (e.kind, e.code),
                (ErrorKind::Forbidden, "step_for_higher_office"),
                "{who}: {e:?}"
            );
            assert!(
                e.message.contains("乡镇审核") || e.message.contains("县级审定公告"),
                "{}",
                e.message
            );
        }
    };
    for who in [&village, &mixed] {
        refused("complete")(
            s.case_action(who, case.id, act(date!(2018 - 11 - 05), "complete"))
                .await
                .unwrap_err(),
        );
        refused("reject")(
            s.case_action(
                who,
                case.id,
                CaseActionInput {
                    reason: Some("退回重新评议".into()),
                    ..act(date!(2018 - 11 - 05), "reject")
                },
            )
            .await
            .unwrap_err(),
        );
    }
    let c = s.case(&ctx(), case.id).await.unwrap();
    assert_eq!((c.step.as_str(), c.finished), ("township_review", false));
    s.case_action(&township, case.id, act(date!(2018 - 11 - 05), "complete"))
        .await
        .unwrap();
    for who in [&village, &township] {
        refused("approval")(
            s.case_action(who, case.id, act(date!(2018 - 11 - 20), "complete"))
                .await
                .unwrap_err(),
        );
    }
    assert_eq!(
        s.household(&ctx(), h).await.unwrap().household.status,
        HouseholdStatus::Poor,
        "refused approvals changed nothing"
    );
    let done = s
        .case_action(&ctx(), case.id, act(date!(2018 - 11 - 20), "complete"))
        .await
        .unwrap();
    assert!(done.finished, "the county approves");
    assert_eq!(
        s.household(&ctx(), h).await.unwrap().household.status,
        HouseholdStatus::Exited
    );
}
