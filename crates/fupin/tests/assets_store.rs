//! Contract tests of assets, dividends, cooperatives and a household's trace (资金到户), on SQLite
//! and (with TEST_DATABASE_URL) PostgreSQL: an asset only from an accepted project and the
//! lifecycle's last gate; a dividend moving the household's property income, the village's
//! collective income and the region statistics (equal to a full recomputation); a year paid once;
//! the trace summing exactly; scope.

use fupin::testing::test_store;
use fupin_core::assessment::Action;
use fupin_core::id_number::check_char;
use fupin_core::projects::*;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
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
    let regions = [
        ("360000000000", "江西省", ""),
        ("360100000000", "南昌市", "360000000000"),
        (JINXIAN, "进贤县", "360100000000"),
        ("360124106000", "罗溪镇", JINXIAN),
        (TAGANG, "塔岗村委会", "360124106000"),
        (SANFANG, "三房村委会", "360124106000"),
    ];
    let recs = regions
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
    s.import_regions(&sys, recs).await.unwrap();
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

fn asset_input(
    project: Option<ProjectId>,
    village: &str,
    holders: &[(HouseholdId, i64)],
) -> AssetInput {
    serde_json::from_value(json!({
        "project_id": project,
        "village_code": village,
        "name": "村级光伏电站",
        "kind": "光伏电站",
        "value_fen": 50_000_000,
        "owner_kind": "村集体",
        "owner_name": "塔岗村委会",
        "custodian": "塔岗村委会",
        "registered_on": "2016-12-20",
        "shareholders": holders.iter().map(|(h, s)| json!({"household_id": h.0, "shares": s})).collect::<Vec<_>>(),
    }))
    .unwrap()
}

fn income(
    year: i32,
    income: i64,
    collective: i64,
    households: i64,
    minimum: i64,
) -> AssetIncomeInput {
    AssetIncomeInput {
        year,
        income_fen: income,
        collective_fen: collective,
        households_fen: households,
        minimum_fen: minimum,
        paid_on: Date::from_calendar_date(year, time::Month::December, 20).unwrap(),
    }
}

/// A project with money paid to a household, taken through acceptance; returns the project, the
/// households and what was paid to the first one.
async fn accepted_project(s: &dyn Store) -> (ProjectId, Vec<HouseholdId>, i64) {
    let (id, src, hh) = funded_fixture(s, 1_000_000).await;
    let a = s
        .allocate(&office(), alloc(src, id, 600_000))
        .await
        .unwrap();
    s.receive(&office(), a.id, receipt(600_000)).await.unwrap();
    let day = advance(s, id, Stage::Implementation, date!(2016 - 04 - 10)).await;
    s.disburse(&office(), a.id, payment(100_000, "V1", Some(hh[0])))
        .await
        .unwrap();
    s.disburse(&office(), a.id, payment(250_000, "V2", None))
        .await
        .unwrap();
    s.disburse(&office(), a.id, payment(30_000, "V3", Some(hh[0])))
        .await
        .unwrap();
    // no asset before acceptance
    let e = s
        .create_asset(&office(), asset_input(Some(id), TAGANG, &[(hh[0], 1)]))
        .await
        .unwrap_err();
    assert_eq!(e.code, "project_not_accepted");
    s.project_progress(
        &office(),
        id,
        ProgressInput {
            month: date!(2016 - 06 - 01),
            percent: 100,
            spent_fen: 380_000,
            note: None,
        },
    )
    .await
    .unwrap();
    advance(
        s,
        id,
        Stage::AssetRegistration,
        day.max(date!(2016 - 07 - 01)),
    )
    .await;
    (id, hh, 130_000)
}

#[tokio::test]
async fn an_asset_comes_from_an_accepted_project_and_closes_its_lifecycle() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (id, hh, _) = accepted_project(s).await;
    // the last step wants an asset
    let e = s
        .project_action(&office(), id, complete(), date!(2016 - 12 - 21))
        .await
        .unwrap_err();
    assert_eq!(e.code, "no_asset");
    // an asset in another village than the project's is refused
    let e = s
        .create_asset(&office(), asset_input(Some(id), SANFANG, &[]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("asset_village_mismatch", Some("village_code"))
    );
    // registering an asset is the township's or above: 三房's own office is refused
    let e = s
        .create_asset(&sanfang_office(), asset_input(None, SANFANG, &[]))
        .await
        .unwrap_err();
    assert_eq!(e.code, "step_for_higher_office");
    // a shareholder the caller cannot reach (here: none such) is refused, nothing stored
    let township = Ctx::within("luoxi", vec![RegionCode::parse("360124106000").unwrap()]);
    let e = s
        .create_asset(
            &township,
            asset_input(None, SANFANG, &[(HouseholdId(hh[1].0 + 1_000_000), 1)]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("household_not_found", Some("shareholders[0].household_id"))
    );
    let a = s
        .create_asset(
            &office(),
            asset_input(Some(id), TAGANG, &[(hh[0], 3), (hh[1], 1)]),
        )
        .await
        .unwrap();
    assert_eq!(a.data.kind, AssetKind::SolarPlant);
    assert_eq!(a.project_name.as_deref(), Some("村组道路硬化"));
    assert_eq!(a.data.shareholders.len(), 2);
    let d = s
        .project_action(&office(), id, complete(), date!(2016 - 12 - 21))
        .await
        .unwrap();
    assert_eq!(d.project.stage, Stage::Done);
    assert_eq!(
        s.project_assets(&office(), id).await.unwrap(),
        vec![a.clone()]
    );
    assert_eq!(
        s.assets(&office(), &code(JINXIAN)).await.unwrap(),
        vec![a.clone()]
    );
    // another village's office sees none of it
    let other = sanfang_office();
    assert_eq!(
        s.asset(&other, a.id).await.unwrap_err().code,
        "asset_not_found"
    );
    assert!(s.assets(&other, &code(SANFANG)).await.unwrap().is_empty());
    assert_eq!(
        s.project_assets(&other, id).await.unwrap_err().code,
        "project_not_found"
    );
    assert_eq!(
        s.pay_asset_income(&other, a.id, income(2017, 1_000, 0, 1_000, 0))
            .await
            .unwrap_err()
            .code,
        "asset_not_found"
    );
    assert_eq!(
        s.household_trace(&other, hh[0]).await.unwrap_err().code,
        "household_not_found"
    );
    // audited
    let log = s
        .audit_log(
            &Ctx::system("t"),
            fupin_core::store::AuditFilter {
                per_page: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        log.items.iter().any(|e| e.action == "asset.create"),
        "asset.create audited"
    );
}

#[tokio::test]
async fn a_dividend_moves_property_income_collective_income_and_statistics() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let sys = Ctx::system("t");
    // 塔岗's household has an income for 2018 already, 三房's has none
    s.put_income(
        &office(),
        hh[0],
        2018,
        IncomeInput {
            wage_fen: 1_000_000,
            business_fen: 200_000,
            property_fen: 10_000,
            dividend_fen: None,
            transfer_fen: 50_000,
            business_cost_fen: 100_000,
            note: None,
        },
    )
    .await
    .unwrap();
    let a = s
        .create_asset(
            &office(),
            asset_input(None, TAGANG, &[(hh[0], 2), (hh[1], 1)]),
        )
        .await
        .unwrap();
    let regions = [TAGANG, SANFANG, "360124106000", JINXIAN];
    let mut before = vec![];
    for r in regions {
        before.push(s.region_stats(&sys, &code(r), 2018).await.unwrap());
    }
    // more than the income: refused, nothing changed
    let e = s
        .pay_asset_income(
            &office(),
            a.id,
            income(2018, 100_000, 40_000, 60_000, 25_000),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "distribution_exceeds_income");
    for (r, b) in regions.iter().zip(&before) {
        assert_eq!(&s.region_stats(&sys, &code(r), 2018).await.unwrap(), b);
    }
    // 60,000 fen by shares 2:1 is 40,000 and 20,000; the guaranteed 25,000 raises the second
    let paid = s
        .pay_asset_income(
            &office(),
            a.id,
            income(2018, 120_000, 40_000, 60_000, 25_000),
        )
        .await
        .unwrap();
    let year = &paid.incomes[0];
    assert_eq!((year.year, year.collective_fen), (2018, 40_000));
    assert_eq!(
        year.dividends
            .iter()
            .map(|d| (d.household_id, d.amount_fen))
            .collect::<Vec<_>>(),
        vec![(hh[0], 40_000), (hh[1], 25_000)]
    );
    let inc = |h: HouseholdId| async move {
        s.household(&office(), h)
            .await
            .unwrap()
            .incomes
            .into_iter()
            .find(|i| i.year == 2018)
            .unwrap()
    };
    let i0 = inc(hh[0]).await;
    assert_eq!(i0.components.property_fen.get(), 50_000);
    assert_eq!(i0.components.dividend_fen.map(|d| d.get()), Some(40_000));
    assert_eq!(i0.components.wage_fen.get(), 1_000_000);
    let i1 = inc(hh[1]).await;
    assert_eq!(i1.components.property_fen.get(), 25_000);
    assert_eq!(i1.gross_income_fen.get(), 25_000);
    // the statistics moved with it and equal a full recomputation at every level
    for (r, b) in regions.iter().zip(&before) {
        let st = s.region_stats(&sys, &code(r), 2018).await.unwrap();
        assert_eq!(
            st,
            s.recompute_region_stats(&sys, &code(r), 2018)
                .await
                .unwrap(),
            "{r}"
        );
        let moved = match *r {
            TAGANG => 40_000,
            SANFANG => 25_000,
            _ => 65_000,
        };
        assert_eq!(st.net_income_fen - b.net_income_fen, moved, "{r}");
        assert_eq!(st.gross_income_fen - b.gross_income_fen, moved, "{r}");
        let collective = if *r == SANFANG { 0 } else { 40_000 };
        assert_eq!(
            st.collective_income_fen.unwrap_or(0) - b.collective_income_fen.unwrap_or(0),
            collective,
            "{r}"
        );
    }
    assert_eq!(
        s.region_stats(&sys, &code(SANFANG), 2018)
            .await
            .unwrap()
            .income_households,
        1
    );
    // a year is paid once
    let e = s
        .pay_asset_income(&office(), a.id, income(2018, 120_000, 40_000, 60_000, 0))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("asset_income_exists", Some("year"))
    );
    assert_eq!(inc(hh[0]).await.components.property_fen.get(), 50_000);
    // another year adds to it; the trace lists both dividends
    s.pay_asset_income(&office(), a.id, income(2017, 3_000, 0, 3_000, 0))
        .await
        .unwrap();
    let t = s.household_trace(&office(), hh[0]).await.unwrap();
    assert_eq!(
        t.items
            .iter()
            .map(|i| (i.year, i.amount_fen))
            .collect::<Vec<_>>(),
        vec![(2017, 2_000), (2018, 40_000)]
    );
    assert_eq!((t.dividend_fen, t.total_fen), (42_000, 42_000));
    for r in regions {
        assert_eq!(
            s.region_stats(&sys, &code(r), 2017).await.unwrap(),
            s.recompute_region_stats(&sys, &code(r), 2017)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn a_households_trace_sums_every_yuan_that_reached_it() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (id, hh, paid) = accepted_project(s).await;
    let a = s
        .create_asset(
            &office(),
            asset_input(Some(id), TAGANG, &[(hh[0], 3), (hh[1], 1)]),
        )
        .await
        .unwrap();
    s.pay_asset_income(&office(), a.id, income(2017, 10_001, 2_000, 8_001, 0))
        .await
        .unwrap();
    s.pay_asset_income(&office(), a.id, income(2018, 20_000, 0, 12_000, 4_000))
        .await
        .unwrap();
    let t = s.household_trace(&office(), hh[0]).await.unwrap();
    // 8,001 by 3:1 is 6,001 and 2,000; 12,000 is 9,000 and 3,000 (raised to 4,000)
    assert_eq!(t.disbursed_fen, paid);
    assert_eq!(t.dividend_fen, 6_001 + 9_000);
    assert_eq!(t.total_fen, paid + 15_001);
    assert_eq!(
        t.items.iter().map(|i| i.amount_fen).sum::<i64>(),
        t.total_fen
    );
    assert_eq!(
        t.items
            .iter()
            .map(|i| (i.kind.as_str(), i.amount_fen))
            .collect::<Vec<_>>(),
        vec![
            ("disbursement", 100_000),
            ("disbursement", 30_000),
            ("dividend", 6_001),
            ("dividend", 9_000)
        ]
    );
    assert!(t.items.iter().all(|i| i.project_id == Some(id)));
    assert_eq!(t.items[0].voucher.as_deref(), Some("V1"));
    assert_eq!(t.items[2].asset_id, Some(a.id));
    let t1 = s.household_trace(&office(), hh[1]).await.unwrap();
    assert_eq!((t1.disbursed_fen, t1.dividend_fen), (0, 2_000 + 4_000));
}

#[tokio::test]
async fn cooperatives_with_members_and_leased_land() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let input: CooperativeInput = serde_json::from_value(json!({
        "village_code": TAGANG, "name": "塔岗果蔬种植专业合作社", "kind": "合作社",
        "leader": "李某", "founded_on": "2016-03-01", "base_centimu": 5000,
        "members": [{"household_id": hh[0].0, "shares": 2, "joined_on": "2016-03-01"}],
        "leases": [{"household_id": hh[0].0, "area_centimu": 250, "rent_fen_per_year": 100000, "from": "2016-03-01"}],
    }))
    .unwrap();
    let c = s
        .create_cooperative(&office(), input.clone())
        .await
        .unwrap();
    assert_eq!((c.total_shares, c.leased_centimu), (2, 250));
    assert_eq!(s.cooperative(&office(), c.id).await.unwrap(), c);
    assert_eq!(
        s.cooperatives(&office(), &code(JINXIAN)).await.unwrap(),
        vec![c.clone()]
    );
    let other = sanfang_office();
    assert_eq!(
        s.cooperative(&other, c.id).await.unwrap_err().code,
        "cooperative_not_found"
    );
    assert!(s
        .cooperatives(&other, &code(SANFANG))
        .await
        .unwrap()
        .is_empty());
    let mut bad = input;
    bad.village_code = SANFANG.into();
    bad.members.clear();
    bad.leases[0].household_id = hh[0];
    let e = s.create_cooperative(&other, bad).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("household_not_found", Some("leases[0].household_id"))
    );
    assert_eq!(
        s.cooperatives(&office(), &code(JINXIAN))
            .await
            .unwrap()
            .len(),
        1
    );
}
