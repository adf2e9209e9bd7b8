//! Contract tests of projects and funds, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: the
//! lifecycle's order and notice period, rejection, progress, history and audit; every fund
//! invariant, two concurrent disbursements that together would overspend; scope.

mod common;

use common::store::luoxi_regions;

use fupin::testing::test_store;
use fupin_core::assessment::{Action, Step};
use fupin_core::id_number::check_char;
use fupin_core::projects::*;
use fupin_core::registry::*;
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, ErrorKind, RegionCode};
use serde_json::json;
use time::macros::date;
use time::{Date, Duration};

const TAGANG: &str = "360124106204";
const SANFANG: &str = "360124106205";
const JINXIAN: &str = "360124000000";

fn office() -> Ctx {
    Ctx::within("county-office", vec![RegionCode::parse(JINXIAN).unwrap()])
}

fn sanfang_office() -> Ctx {
    Ctx::within("sanfang", vec![RegionCode::parse(SANFANG).unwrap()])
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// The regions of 罗溪镇 with 塔岗 and 三房, one household in each; returns the households.
async fn fixture(s: &dyn Store) -> Vec<HouseholdId> {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    let mut out = vec![];
    for (i, village) in [TAGANG, SANFANG].into_iter().enumerate() {
        let body = format!("36012419700501{:03}", i * 2 + 1);
        let new = NewHousehold {
            household: HouseholdInput {
                household_number: format!("{village}{:04}", i + 1),
                village_code: village.into(),
                attribute: "01".into(),
                identification_standard: "01".into(),
                identification_year: 2014,
                main_cause: "01".into(),
                ..Default::default()
            },
            members: vec![MemberInput {
                name: format!("户主{i}"),
                id_number: format!("{body}{}", check_char(body.as_bytes()) as char),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        out.push(s.create_household(&sys, new).await.unwrap().household.id);
    }
    out
}

fn project_input(village: &str, h: HouseholdId) -> ProjectInput {
    serde_json::from_value(json!({
        "village_code": village, "name": "村组道路硬化", "category": "基础设施",
        "sub_category": "道路", "year": 2016,
        "planned_start": "2016-03-01", "planned_end": "2016-10-31",
        "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
        "content": "硬化村组道路 3 公里", "budget_fen": 60_000_000,
        "targets": [{"indicator": "硬化道路", "value": "3 公里"}],
        "beneficiaries": [{"household_id": h.0, "mode": "公共服务"}],
        "participation": "2016-02-20 村民代表大会议定",
        "proposed_on": "2016-03-01",
    }))
    .unwrap()
}

fn complete() -> ProjectAction {
    Action::Complete {
        note: None,
        evidence: None,
    }
}

/// Complete steps until the project reaches `until`, from `day` on (the notice lasts its days);
/// returns the day after the last step.
async fn advance(s: &dyn Store, id: ProjectId, until: Stage, mut day: Date) -> Date {
    loop {
        let d = s.project(&office(), id).await.unwrap();
        if d.project.stage == until {
            return day;
        }
        if d.project.stage == Stage::Notice {
            day = day.max(d.workflow.notice_earliest_end().unwrap());
        }
        s.project_action(&office(), id, complete(), day)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", d.project.stage));
        day += Duration::days(1);
    }
}

#[tokio::test]
async fn lifecycle_in_order_with_the_notice_period_history_and_audit() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    // no targets, no entry; nothing is stored
    let mut bad = project_input(TAGANG, hh[0]);
    bad.targets.clear();
    let e = s.create_project(&office(), bad).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("targets_required", Some("targets"))
    );
    assert!(s
        .projects(
            &office(),
            &code(JINXIAN),
            ProjectFilter::default(),
            &fupin_core::paging::Keyset::all()
        )
        .await
        .unwrap()
        .items
        .is_empty());

    let p = s
        .create_project(&office(), project_input(TAGANG, hh[0]))
        .await
        .unwrap();
    let id = p.project.id;
    assert_eq!(p.project.stage, Stage::Proposal);
    assert_eq!(
        p.project.data.beneficiaries[0].mode,
        BenefitMode::PublicService
    );
    assert_eq!(p.workflow.notice_days(), 10);
    // a step cannot be skipped: only the current one completes, and the order is the workflow's
    let d0 = date!(2016 - 03 - 01);
    let after_review = advance(s, id, Stage::CountyApproval, d0).await;
    // rejected at county approval: back to the village with the reason
    let back = s
        .project_action(
            &office(),
            id,
            Action::Reject {
                reason: "选址需调整".into(),
            },
            after_review,
        )
        .await
        .unwrap();
    assert_eq!(back.project.stage, Stage::Proposal);
    let last = back.workflow.history().last().unwrap();
    assert_eq!(last.note.as_deref(), Some("选址需调整"));
    // the proposal may be changed now, and not once it moved on
    let mut changed = project_input(TAGANG, hh[0]);
    changed.name = "村组道路硬化（调整选址）".into();
    s.update_project(&office(), id, changed.clone())
        .await
        .unwrap();
    let day = advance(s, id, Stage::Notice, after_review).await;
    let e = s.update_project(&office(), id, changed).await.unwrap_err();
    assert_eq!(e.code, "project_locked");
    // the notice lasts ten days: the ninth is refused, the project unchanged
    let d = s.project(&office(), id).await.unwrap();
    let start = d.workflow.notice_start().unwrap();
    let e = s
        .project_action(&office(), id, complete(), start + Duration::days(9))
        .await
        .unwrap_err();
    assert_eq!(e.code, "notice_too_short");
    assert_eq!(s.project(&office(), id).await.unwrap(), d);
    let day = advance(s, id, Stage::Library, day).await;
    // dates never go back
    let e = s
        .project_action(&office(), id, complete(), date!(2016 - 01 - 01))
        .await
        .unwrap_err();
    assert_eq!(e.code, "date_before_previous");
    // funds are needed before the plan is carried out
    let day = advance(s, id, Stage::AnnualPlan, day).await;
    let e = s
        .project_action(&office(), id, complete(), day)
        .await
        .unwrap_err();
    assert_eq!(e.code, "no_allocation");

    // every write is in the history and the audit log, in 塔岗
    let history = s.project_history(&office(), id).await.unwrap();
    let versions: Vec<_> = history.iter().map(|v| v.version).collect();
    assert_eq!(versions, (1..=history.len() as i32).collect::<Vec<_>>());
    assert_eq!(history[0].action, "create");
    assert!(history.iter().any(|v| v.action == "update"));
    let log = s
        .audit_log(
            &Ctx::system("t"),
            AuditFilter {
                per_page: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let audited = log
        .items
        .iter()
        .filter(|e| e.entity == "project" && e.entity_id.as_deref() == Some(&id.0.to_string()))
        .count();
    assert_eq!(audited, history.len());
}

/// A project taken to the annual plan, with a source of `source_fen` at the county.
async fn funded_fixture(s: &dyn Store, source_fen: i64) -> (ProjectId, SourceId, Vec<HouseholdId>) {
    let hh = fixture(s).await;
    let p = s
        .create_project(&office(), project_input(TAGANG, hh[0]))
        .await
        .unwrap();
    let id = p.project.id;
    advance(s, id, Stage::AnnualPlan, date!(2016 - 03 - 01)).await;
    let src = s
        .create_fund_source(
            &office(),
            FundSourceInput {
                region_code: JINXIAN.into(),
                year: 2016,
                kind: "统筹整合涉农资金".into(),
                name: "2016年统筹整合涉农资金".into(),
                document: Some("进财农〔2016〕12号".into()),
                amount_fen: source_fen,
                date: date!(2016 - 03 - 01),
            },
        )
        .await
        .unwrap();
    (id, src.id, hh)
}

fn alloc(source: SourceId, project: ProjectId, fen: i64) -> AllocationInput {
    AllocationInput {
        source_id: source,
        project_id: project,
        amount_fen: fen,
        date: date!(2016 - 04 - 01),
        document: None,
    }
}

fn receipt(fen: i64) -> ReceiptInput {
    ReceiptInput {
        amount_fen: fen,
        date: date!(2016 - 04 - 05),
        note: None,
    }
}

fn payment(fen: i64, voucher: &str, household: Option<HouseholdId>) -> DisbursementInput {
    DisbursementInput {
        payee: "进贤县路桥公司".into(),
        household_id: household,
        amount_fen: fen,
        date: date!(2016 - 05 - 01),
        voucher: voucher.into(),
        attachment: Some("发票 No.001".into()),
    }
}

#[tokio::test]
async fn every_fund_invariant_holds_and_totals_reconcile() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (id, src, hh) = funded_fixture(s, 1_000_000).await;
    // allocated ≤ the source's amount
    let a = s
        .allocate(&office(), alloc(src, id, 600_000))
        .await
        .unwrap();
    let e = s
        .allocate(&office(), alloc(src, id, 400_001))
        .await
        .unwrap_err();
    assert_eq!((e.code, e.kind), ("exceeds_source", ErrorKind::Conflict));
    // received ≤ allocated
    let e = s
        .receive(&office(), a.id, receipt(600_001))
        .await
        .unwrap_err();
    assert_eq!(e.code, "exceeds_allocation");
    s.receive(&office(), a.id, receipt(500_000)).await.unwrap();
    // no disbursement before the funds are allocated (the project is still in the annual plan)
    let e = s
        .disburse(&office(), a.id, payment(1, "V0", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "disbursement_not_allowed");
    let day = advance(s, id, Stage::Implementation, date!(2016 - 04 - 10)).await;
    // disbursed ≤ received
    let e = s
        .disburse(&office(), a.id, payment(500_001, "V1", None))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("exceeds_received", Some("amount_fen"))
    );
    s.disburse(&office(), a.id, payment(300_000, "V2", None))
        .await
        .unwrap();
    s.disburse(&office(), a.id, payment(150_000, "V3", Some(hh[0])))
        .await
        .unwrap();
    // a second allocation from the same source, to the rest of its amount
    let b = s
        .allocate(&office(), alloc(src, id, 400_000))
        .await
        .unwrap();
    s.receive(&office(), b.id, receipt(400_000)).await.unwrap();
    s.disburse(&office(), b.id, payment(400_000, "V4", None))
        .await
        .unwrap();
    // the totals reconcile: source → allocations → receipts → disbursements → project
    let funds = s.project_funds(&office(), id).await.unwrap();
    let sum = |kind: &str| -> i64 {
        funds
            .movements
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.amount_fen)
            .sum()
    };
    let allocated: i64 = funds.allocations.iter().map(|a| a.amount_fen).sum();
    assert_eq!(
        (funds.allocated_fen, funds.received_fen, funds.disbursed_fen),
        (allocated, sum("receipt"), sum("disbursement"))
    );
    assert_eq!(
        (funds.allocated_fen, funds.received_fen, funds.disbursed_fen),
        (1_000_000, 900_000, 850_000)
    );
    for a in &funds.allocations {
        let d: i64 = funds
            .movements
            .iter()
            .filter(|m| m.allocation_id == a.id && m.kind == "disbursement")
            .map(|m| m.amount_fen)
            .sum();
        assert_eq!(d, a.disbursed_fen);
        assert!(a.disbursed_fen <= a.received_fen && a.received_fen <= a.amount_fen);
    }
    let sources = s
        .fund_sources(&office(), &code(JINXIAN), Some(2016))
        .await
        .unwrap();
    assert_eq!(sources[0].allocated_fen, allocated);
    // the project's progress, then acceptance closes it: no more payments
    for (m, pct) in [(date!(2016 - 05 - 01), 60), (date!(2016 - 06 - 01), 100)] {
        s.project_progress(
            &office(),
            id,
            ProgressInput {
                month: m,
                percent: pct,
                spent_fen: 0,
                note: None,
            },
        )
        .await
        .unwrap();
    }
    advance(s, id, Stage::CompletionNotice, day).await;
    let e = s
        .disburse(&office(), a.id, payment(10_000, "V5", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "disbursement_not_allowed");
    let e = s.allocate(&office(), alloc(src, id, 1)).await.unwrap_err();
    assert!(["allocation_not_allowed", "exceeds_source"].contains(&e.code));
    assert_eq!(
        s.project_funds(&office(), id).await.unwrap().disbursed_fen,
        850_000
    );
}

#[tokio::test]
async fn two_concurrent_disbursements_cannot_overspend() {
    let db = test_store().await;
    let s = db.store.clone();
    let (id, src, _) = funded_fixture(s.as_ref(), 1_000_000).await;
    let a = s
        .allocate(&office(), alloc(src, id, 1_000_000))
        .await
        .unwrap();
    s.receive(&office(), a.id, receipt(1_000_000))
        .await
        .unwrap();
    advance(s.as_ref(), id, Stage::Implementation, date!(2016 - 04 - 10)).await;
    for round in 0..3 {
        // each round: what is left, paid twice at once at 60 % each
        let left = {
            let f = s.project_funds(&office(), id).await.unwrap();
            f.received_fen - f.disbursed_fen
        };
        let each = left * 6 / 10;
        let (s1, s2) = (s.clone(), s.clone());
        let one = tokio::spawn(async move {
            s1.disburse(&office(), a.id, payment(each, &format!("A{round}"), None))
                .await
        });
        let two = tokio::spawn(async move {
            s2.disburse(&office(), a.id, payment(each, &format!("B{round}"), None))
                .await
        });
        let results = [one.await.unwrap(), two.await.unwrap()];
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(refused.code, "exceeds_received");
        let f = s.project_funds(&office(), id).await.unwrap();
        assert_eq!(f.disbursed_fen, 1_000_000 - left + each);
        assert_eq!(
            f.movements
                .iter()
                .filter(|m| m.kind == "disbursement")
                .count(),
            round + 1
        );
    }
}

#[tokio::test]
async fn another_village_sees_none_of_it() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (id, src, hh) = funded_fixture(s, 1_000_000).await;
    let a = s
        .allocate(&office(), alloc(src, id, 100_000))
        .await
        .unwrap();
    let other = sanfang_office();
    assert_eq!(
        s.project(&other, id).await.unwrap_err().code,
        "project_not_found"
    );
    assert_eq!(
        s.project_history(&other, id).await.unwrap_err().code,
        "project_not_found"
    );
    assert_eq!(
        s.project_funds(&other, id).await.unwrap_err().code,
        "project_not_found"
    );
    for region in [TAGANG, "360124106000", JINXIAN] {
        let e = s
            .projects(
                &other,
                &code(region),
                ProjectFilter::default(),
                &fupin_core::paging::Keyset::all(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "not_found");
        let e = s
            .fund_sources(&other, &code(region), None)
            .await
            .unwrap_err();
        assert_eq!(e.code, "not_found");
    }
    assert!(s
        .projects(
            &other,
            &code(SANFANG),
            ProjectFilter::default(),
            &fupin_core::paging::Keyset::all()
        )
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(s
        .fund_sources(&other, &code(SANFANG), None)
        .await
        .unwrap()
        .is_empty());
    let before = s.project_funds(&office(), id).await.unwrap();
    let e = s
        .project_action(&other, id, complete(), date!(2016 - 05 - 01))
        .await
        .unwrap_err();
    assert_eq!(e.code, "project_not_found");
    let e = s.allocate(&other, alloc(src, id, 1)).await.unwrap_err();
    assert_eq!(e.code, "source_not_found");
    let e = s.receive(&other, a.id, receipt(1)).await.unwrap_err();
    assert_eq!(e.code, "allocation_not_found");
    let e = s
        .disburse(&other, a.id, payment(1, "X", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "allocation_not_found");
    assert_eq!(s.project_funds(&office(), id).await.unwrap(), before);
    // nor may it propose a project in 塔岗, or name 塔岗's households in its own
    let e = s
        .create_project(&other, project_input(TAGANG, hh[1]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("not_found", Some("village_code"))
    );
    let e = s
        .create_project(&other, project_input(SANFANG, hh[0]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("household_not_found", Some("beneficiaries[0].household_id"))
    );
}

#[tokio::test]
async fn overdue_projects_are_those_past_their_end_without_acceptance() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let early = s
        .create_project(&office(), project_input(TAGANG, hh[0]))
        .await
        .unwrap();
    let mut later = project_input(TAGANG, hh[0]);
    later.planned_end = date!(2017 - 06 - 30);
    let later = s.create_project(&office(), later).await.unwrap();
    let ids = |v: Vec<Project>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
    let on = date!(2017 - 01 - 01);
    assert_eq!(
        ids(s
            .overdue_projects(&office(), &code(JINXIAN), on)
            .await
            .unwrap()),
        [early.project.id]
    );
    assert_eq!(
        ids(s
            .overdue_projects(&office(), &code(JINXIAN), date!(2017 - 07 - 01))
            .await
            .unwrap()),
        [early.project.id, later.project.id]
    );
    assert!(s
        .overdue_projects(&sanfang_office(), &code(TAGANG), on)
        .await
        .is_err());
    // the stage filter and the steps' labels
    let in_proposal = s
        .projects(
            &office(),
            &code(TAGANG),
            ProjectFilter {
                stage: Some(Stage::Proposal),
                ..Default::default()
            },
            &fupin_core::paging::Keyset::all(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(in_proposal.len(), 2);
    assert_eq!(in_proposal[0].stage_label, Stage::Proposal.label());
}
