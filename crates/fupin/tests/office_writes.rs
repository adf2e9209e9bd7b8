//! Writes that belong to an office (`fupin_core::offices`), on SQLite and (with TEST_DATABASE_URL)
//! PostgreSQL: for each, an office below the write's is refused with 403 `step_for_higher_office`
//! and nothing changes, and the write's own office succeeds. 进贤县's office is the county, 罗溪镇's
//! the township, 塔岗's the village.

mod common;

use common::store::{idn, luoxi_regions, JINXIAN, LUOXI, TAGANG};

use fupin::testing::test_store;
use fupin_core::assessment::Action;
use fupin_core::projects::*;
use fupin_core::rectification::*;
use fupin_core::registry::*;
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, DomainError, ErrorKind, RegionCode};
use serde_json::json;
use time::macros::date;
use time::{Date, Duration};

fn at(actor: &str, code: &str) -> Ctx {
    Ctx::within(actor, vec![RegionCode::parse(code).unwrap()])
}

fn county() -> Ctx {
    at("county-office", JINXIAN)
}

fn township() -> Ctx {
    at("township-office", LUOXI)
}

fn village() -> Ctx {
    at("village-office", TAGANG)
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// The refusal every lower office gets, naming the write and the office it belongs to.
fn assert_higher(e: DomainError, what: &str, office: &str) {
    assert_eq!(e.code, "step_for_higher_office", "{e:?}");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(
        e.message.contains(what) && e.message.contains(office),
        "{}",
        e.message
    );
}

/// How many audit records there are (a refused write leaves none).
async fn audited(s: &dyn Store) -> usize {
    s.audit_log(
        &Ctx::system("t"),
        AuditFilter {
            per_page: Some(500),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .len()
}

/// 罗溪镇 with 塔岗 and one household in it.
async fn fixture(s: &dyn Store) -> HouseholdId {
    luoxi_regions(s).await;
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: format!("{TAGANG}0001"),
            village_code: TAGANG.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            ..Default::default()
        },
        members: vec![MemberInput {
            name: "户主".into(),
            id_number: idn("19700501", 1),
            relation: "01".into(),
            ..Default::default()
        }],
        initial_status: None,
    };
    s.create_household(&Ctx::system("setup"), new)
        .await
        .unwrap()
        .household
        .id
}

fn project_input(h: HouseholdId) -> ProjectInput {
    serde_json::from_value(json!({
        "village_code": TAGANG, "name": "村组道路硬化", "category": "基础设施",
        "year": 2016, "planned_start": "2016-03-01", "planned_end": "2016-10-31",
        "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
        "content": "硬化村组道路 3 公里", "budget_fen": 60_000_000,
        "targets": [{"indicator": "硬化道路", "value": "3 公里"}],
        "beneficiaries": [{"household_id": h.0, "mode": "公共服务"}],
        "proposed_on": "2016-03-01",
    }))
    .unwrap()
}

/// A project of 塔岗 taken by the county to `until`.
async fn project_at(s: &dyn Store, h: HouseholdId, until: Stage) -> ProjectId {
    let id = s
        .create_project(&county(), project_input(h))
        .await
        .unwrap()
        .project
        .id;
    let mut day = date!(2016 - 03 - 01);
    loop {
        let d = s.project(&county(), id).await.unwrap();
        if d.project.stage == until {
            return id;
        }
        if d.project.stage == Stage::Notice {
            day = day.max(d.workflow.notice_earliest_end().unwrap());
        }
        s.project_action(
            &county(),
            id,
            Action::Complete {
                note: None,
                evidence: None,
            },
            day,
        )
        .await
        .unwrap_or_else(|e| panic!("{:?}: {e}", d.project.stage));
        day += Duration::days(1);
    }
}

fn source_input(region: &str) -> FundSourceInput {
    FundSourceInput {
        region_code: region.into(),
        year: 2016,
        kind: "统筹整合涉农资金".into(),
        name: "2016年统筹整合涉农资金".into(),
        document: None,
        amount_fen: 1_000_000,
        date: date!(2016 - 03 - 01),
    }
}

#[tokio::test]
async fn a_fund_source_is_registered_by_the_county() {
    let db = test_store().await;
    let s = db.store.as_ref();
    fixture(s).await;
    let before = audited(s).await;
    for (ctx, region) in [
        (village(), TAGANG),
        (township(), LUOXI),
        (township(), TAGANG),
    ] {
        let e = s
            .create_fund_source(&ctx, source_input(region))
            .await
            .unwrap_err();
        assert_higher(e, "登记资金来源", "县级");
    }
    assert!(s
        .fund_sources(&Ctx::system("t"), &code(JINXIAN), None)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(audited(s).await, before, "nothing recorded");
    let src = s
        .create_fund_source(&county(), source_input(TAGANG))
        .await
        .unwrap();
    assert_eq!(src.data.region_code.as_str(), TAGANG);
}

#[tokio::test]
async fn allocating_is_the_countys_receipts_and_payments_the_townships() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let h = fixture(s).await;
    let id = project_at(s, h, Stage::AnnualPlan).await;
    // a source of the township's (registered by the county), so that the township reaches it
    let src = s
        .create_fund_source(&county(), source_input(LUOXI))
        .await
        .unwrap();
    let alloc = AllocationInput {
        source_id: src.id,
        project_id: id,
        amount_fen: 600_000,
        date: date!(2016 - 04 - 01),
        document: None,
    };
    let before = audited(s).await;
    // the township sees the project and the source but may not fund it
    let e = s.allocate(&township(), alloc.clone()).await.unwrap_err();
    assert_higher(e, "资金下达", "县级");
    let p = s.project(&county(), id).await.unwrap().project;
    assert_eq!(p.allocated_fen, 0);
    let left = s
        .fund_sources(&county(), &code(JINXIAN), None)
        .await
        .unwrap();
    assert_eq!(left[0].allocated_fen, 0);
    assert_eq!(audited(s).await, before);
    let a = s.allocate(&county(), alloc).await.unwrap();

    // receipts and payments: the township's, not the village's
    let receipt = ReceiptInput {
        amount_fen: 600_000,
        date: date!(2016 - 04 - 05),
        note: None,
    };
    let before = audited(s).await;
    let e = s
        .receive(&village(), a.id, receipt.clone())
        .await
        .unwrap_err();
    assert_higher(e, "资金到账", "乡级");
    assert_eq!(
        s.project_funds(&county(), id).await.unwrap().received_fen,
        0
    );
    assert_eq!(audited(s).await, before);
    let got = s.receive(&township(), a.id, receipt).await.unwrap();
    assert_eq!(got.received_fen, 600_000);

    // paying needs the annual plan completed by the county
    let pay = DisbursementInput {
        payee: "进贤县路桥公司".into(),
        household_id: None,
        amount_fen: 100_000,
        date: date!(2016 - 05 - 01),
        voucher: "记-001".into(),
        attachment: None,
    };
    s.project_action(
        &county(),
        id,
        Action::Complete {
            note: None,
            evidence: None,
        },
        date!(2016 - 04 - 10),
    )
    .await
    .unwrap();
    assert_eq!(
        s.project(&county(), id).await.unwrap().project.stage,
        Stage::Funded
    );
    let before = audited(s).await;
    let e = s.disburse(&village(), a.id, pay.clone()).await.unwrap_err();
    assert_higher(e, "资金拨付", "乡级");
    let f = s.project_funds(&county(), id).await.unwrap();
    assert_eq!((f.disbursed_fen, f.movements.len()), (0, 1));
    assert_eq!(audited(s).await, before);
    let paid = s.disburse(&township(), a.id, pay).await.unwrap();
    assert_eq!(paid.disbursed_fen, 100_000);
}

fn asset_input(h: HouseholdId) -> AssetInput {
    serde_json::from_value(json!({
        "village_code": TAGANG, "name": "村级光伏电站", "kind": "光伏电站",
        "value_fen": 50_000_000, "owner_kind": "村集体", "owner_name": "塔岗村委会",
        "custodian": "塔岗村委会", "registered_on": "2016-12-20",
        "shareholders": [{"household_id": h.0, "shares": 1}],
    }))
    .unwrap()
}

fn income(year: i32) -> AssetIncomeInput {
    AssetIncomeInput {
        year,
        income_fen: 100_000,
        collective_fen: 40_000,
        households_fen: 60_000,
        minimum_fen: 0,
        paid_on: Date::from_calendar_date(year, time::Month::December, 20).unwrap(),
    }
}

#[tokio::test]
async fn assets_and_their_dividends_are_the_townships() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let h = fixture(s).await;
    let before = audited(s).await;
    let e = s
        .create_asset(&village(), asset_input(h))
        .await
        .unwrap_err();
    assert_higher(e, "资产登记", "乡级");
    assert!(s.assets(&county(), &code(TAGANG)).await.unwrap().is_empty());
    assert_eq!(audited(s).await, before);
    let a = s.create_asset(&township(), asset_input(h)).await.unwrap();

    // a year's income paid out as dividends: the township's
    let before = audited(s).await;
    let e = s
        .pay_asset_income(&village(), a.id, income(2017))
        .await
        .unwrap_err();
    assert_higher(e, "资产收益分配", "乡级");
    assert!(s.asset(&county(), a.id).await.unwrap().incomes.is_empty());
    assert_eq!(audited(s).await, before);
    let paid = s
        .pay_asset_income(&township(), a.id, income(2017))
        .await
        .unwrap();
    assert_eq!(paid.incomes.len(), 1);

    // and so is taking one back
    let e = s
        .reverse_asset_income(&village(), a.id, 2017, "录入错误".into())
        .await
        .unwrap_err();
    assert_higher(e, "资产收益分配", "乡级");
    assert_eq!(s.asset(&county(), a.id).await.unwrap().incomes.len(), 1);
    let back = s
        .reverse_asset_income(&township(), a.id, 2017, "录入错误".into())
        .await
        .unwrap();
    assert!(back.incomes.is_empty());
}

fn problem_input(h: HouseholdId) -> ProblemInput {
    ProblemInput {
        region_code: None,
        household_id: Some(h),
        person_id: None,
        project_id: None,
        campaign_id: None,
        source: "上级督查".into(),
        source_ref: None,
        description: "危房改造未验收即拨付补助".into(),
        category: "assistance".into(),
        severity: "medium".into(),
        responsible_unit: "罗溪镇人民政府".into(),
        responsible_person: None,
        found_on: date!(2019 - 03 - 01),
        deadline: date!(2099 - 12 - 31),
        measures: None,
    }
}

fn step(action: &str, note: Option<&str>) -> StepInput {
    StepInput {
        action: action.into(),
        note: note.map(String::from),
        measures: None,
    }
}

#[tokio::test]
async fn a_problem_is_signed_off_sent_back_and_reopened_by_the_county() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let h = fixture(s).await;
    let p = s
        .create_problem(&village(), problem_input(h))
        .await
        .unwrap();
    s.problem_step(&village(), p.id, step("request_close", Some("已验收")))
        .await
        .unwrap();
    // another officer of the township (not the requester) may not verify, nor send it back
    for (action, label) in [("sign_off", "核验销号"), ("reject", "核验退回")] {
        let e = s
            .problem_step(&township(), p.id, step(action, Some("核验")))
            .await
            .unwrap_err();
        assert_higher(e, label, "县级");
    }
    let same = s.problem(&county(), p.id).await.unwrap();
    assert_eq!(
        (same.problem.status, same.problem.version, same.trail.len()),
        (ProblemStatus::CloseRequested, 2, 2),
        "nothing changed"
    );
    // the requester may still withdraw their own request
    let back = s
        .problem_step(&village(), p.id, step("reject", Some("材料不全，撤回")))
        .await
        .unwrap();
    assert_eq!(back.status, ProblemStatus::InProgress);
    s.problem_step(&village(), p.id, step("request_close", Some("已补材料")))
        .await
        .unwrap();
    let closed = s
        .problem_step(&county(), p.id, step("sign_off", Some("核验属实")))
        .await
        .unwrap();
    assert_eq!(closed.status, ProblemStatus::Closed);
    // reopening a signed-off problem is the county's too
    let e = s
        .problem_step(&township(), p.id, step("reopen", Some("回访未入住")))
        .await
        .unwrap_err();
    assert_higher(e, "重新打开", "县级");
    assert_eq!(
        s.problem(&county(), p.id).await.unwrap().problem.status,
        ProblemStatus::Closed
    );
    let reopened = s
        .problem_step(&county(), p.id, step("reopen", Some("回访未入住")))
        .await
        .unwrap();
    assert_eq!(reopened.status, ProblemStatus::InProgress);
}

fn campaign(region: &str) -> CampaignInput {
    CampaignInput {
        name: "2019年春季整改".into(),
        region_code: region.into(),
        start_date: date!(2019 - 03 - 01),
        end_date: date!(2019 - 05 - 31),
        description: None,
    }
}

#[tokio::test]
async fn a_campaign_is_created_by_the_township_or_above() {
    let db = test_store().await;
    let s = db.store.as_ref();
    fixture(s).await;
    let before = audited(s).await;
    let e = s
        .create_campaign(&village(), campaign(TAGANG))
        .await
        .unwrap_err();
    assert_higher(e, "发起整改行动", "乡级");
    assert!(s
        .campaigns(&Ctx::system("t"), None)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(audited(s).await, before);
    // the township for its villages or itself, the county for its townships
    s.create_campaign(&township(), campaign(TAGANG))
        .await
        .unwrap();
    s.create_campaign(&township(), campaign(LUOXI))
        .await
        .unwrap();
    s.create_campaign(&county(), campaign(LUOXI)).await.unwrap();
    assert_eq!(s.campaigns(&county(), None).await.unwrap().len(), 3);
}
