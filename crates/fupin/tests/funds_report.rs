//! Contract tests of the funds report (资金报表) on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
//! hand-counted figures of a small county — funds by source, projects by category and stage, the
//! disbursement rate, overdue projects, assets with their income, dividends per household — at
//! village, township and county level; after a long run of random writes (many refused) the kept
//! figures equal a recomputation from the rows at every level and for several periods, and a
//! rebuild gives them back unchanged; scope.

mod common;

use common::store::{code, idn, luoxi_regions, JINXIAN, LUOXI, SANFANG, TAGANG};
use fupin::testing::test_store;
use fupin_core::assessment::Action;
use fupin_core::projects::*;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::Ctx;
use serde_json::json;
use time::macros::date;
use time::{Date, Duration};

fn office() -> Ctx {
    Ctx::within("county-office", vec![code(JINXIAN)])
}

fn year(y: i32) -> (Date, Date) {
    (
        Date::from_calendar_date(y, time::Month::January, 1).unwrap(),
        Date::from_calendar_date(y, time::Month::December, 31).unwrap(),
    )
}

/// The regions of 罗溪镇 with 塔岗 and 三房, one household in each; returns the households.
async fn fixture(s: &dyn Store) -> Vec<HouseholdId> {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    let mut out = vec![];
    for (i, village) in [TAGANG, SANFANG].into_iter().enumerate() {
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
                id_number: idn("19700501", i as u32 * 2 + 1),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        out.push(s.create_household(&sys, new).await.unwrap().household.id);
    }
    out
}

fn project_input(
    village: &str,
    category: &str,
    year: i32,
    budget_fen: i64,
    end: Date,
) -> ProjectInput {
    serde_json::from_value(json!({
        "village_code": village, "name": format!("{category}项目"), "category": category,
        "year": year, "planned_start": "2016-01-01", "planned_end": end,
        "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
        "content": "建设内容", "budget_fen": budget_fen,
        "targets": [{"indicator": "完成率", "value": "100%"}],
        "proposed_on": "2016-01-01",
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

fn source(region: &str, year: i32, kind: &str, fen: i64, date: Date) -> FundSourceInput {
    FundSourceInput {
        region_code: region.into(),
        year,
        kind: kind.into(),
        name: format!("{year}年{kind}"),
        document: None,
        amount_fen: fen,
        date,
    }
}

fn alloc(source: SourceId, project: ProjectId, fen: i64, date: Date) -> AllocationInput {
    AllocationInput {
        source_id: source,
        project_id: project,
        amount_fen: fen,
        date,
        document: None,
    }
}

fn receipt(fen: i64, date: Date) -> ReceiptInput {
    ReceiptInput {
        amount_fen: fen,
        date,
        note: None,
    }
}

fn payment(fen: i64, date: Date, household: Option<HouseholdId>) -> DisbursementInput {
    DisbursementInput {
        payee: "进贤县路桥公司".into(),
        household_id: household,
        amount_fen: fen,
        date,
        voucher: format!("V{fen}"),
        attachment: None,
    }
}

fn asset_input(project: ProjectId, village: &str, holders: &[(HouseholdId, i64)]) -> AssetInput {
    serde_json::from_value(json!({
        "project_id": project.0, "village_code": village, "name": "村级光伏电站",
        "kind": "光伏电站", "value_fen": 500_000, "owner_kind": "村集体",
        "owner_name": "村委会", "custodian": "村委会", "registered_on": "2016-12-20",
        "shareholders": holders.iter().map(|(h, s)| json!({"household_id": h.0, "shares": s})).collect::<Vec<_>>(),
    }))
    .unwrap()
}

fn income(year: i32, income: i64, collective: i64, households: i64) -> AssetIncomeInput {
    AssetIncomeInput {
        year,
        income_fen: income,
        collective_fen: collective,
        households_fen: households,
        minimum_fen: 0,
        paid_on: Date::from_calendar_date(year, time::Month::December, 20).unwrap(),
    }
}

fn line<'a>(lines: &'a [ProjectLine], key: &str) -> &'a ProjectLine {
    lines.iter().find(|l| l.key == key).unwrap()
}

fn source_line<'a>(lines: &'a [SourceLine], key: &str) -> &'a SourceLine {
    lines.iter().find(|l| l.kind == key).unwrap()
}

#[tokio::test]
async fn hand_counted_figures_at_every_level() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let o = office();
    let s1 = s
        .create_fund_source(
            &o,
            source(
                JINXIAN,
                2016,
                "统筹整合涉农资金",
                1_000_000,
                date!(2016 - 03 - 01),
            ),
        )
        .await
        .unwrap();
    s.create_fund_source(
        &o,
        source(LUOXI, 2017, "中央财政资金", 500_000, date!(2017 - 01 - 10)),
    )
    .await
    .unwrap();
    // P1: 塔岗's road, paid and accepted, became a solar plant paying 2017's dividends
    let p1 = s
        .create_project(
            &o,
            project_input(TAGANG, "基础设施", 2016, 600_000, date!(2016 - 10 - 31)),
        )
        .await
        .unwrap()
        .project
        .id;
    advance(s, p1, Stage::AnnualPlan, date!(2016 - 03 - 01)).await;
    let a1 = s
        .allocate(&o, alloc(s1.id, p1, 600_000, date!(2016 - 04 - 01)))
        .await
        .unwrap();
    s.receive(&o, a1.id, receipt(600_000, date!(2016 - 04 - 05)))
        .await
        .unwrap();
    advance(s, p1, Stage::Implementation, date!(2016 - 04 - 10)).await;
    s.disburse(
        &o,
        a1.id,
        payment(100_000, date!(2016 - 05 - 01), Some(hh[0])),
    )
    .await
    .unwrap();
    s.disburse(&o, a1.id, payment(250_000, date!(2016 - 05 - 02), None))
        .await
        .unwrap();
    // more than received: refused, nothing counted
    assert!(s
        .disburse(&o, a1.id, payment(250_001, date!(2016 - 05 - 03), None))
        .await
        .is_err());
    s.project_progress(
        &o,
        p1,
        ProgressInput {
            month: date!(2016 - 06 - 01),
            percent: 100,
            spent_fen: 350_000,
            note: None,
        },
    )
    .await
    .unwrap();
    advance(s, p1, Stage::AssetRegistration, date!(2016 - 07 - 01)).await;
    let asset = s
        .create_asset(&o, asset_input(p1, TAGANG, &[(hh[0], 3), (hh[1], 1)]))
        .await
        .unwrap();
    advance(s, p1, Stage::Done, date!(2016 - 12 - 21)).await;
    s.pay_asset_income(&o, asset.id, income(2017, 10_000, 6_000, 4_000))
        .await
        .unwrap();
    // P2: 三房's industry, funded in 2016, money arriving in 2017, past its end and not accepted
    let p2 = s
        .create_project(
            &o,
            project_input(SANFANG, "产业", 2016, 300_000, date!(2016 - 06 - 30)),
        )
        .await
        .unwrap()
        .project
        .id;
    advance(s, p2, Stage::AnnualPlan, date!(2016 - 03 - 01)).await;
    let a2 = s
        .allocate(&o, alloc(s1.id, p2, 200_000, date!(2016 - 06 - 01)))
        .await
        .unwrap();
    s.receive(&o, a2.id, receipt(100_000, date!(2017 - 02 - 01)))
        .await
        .unwrap();
    // P3: 三房's collective economy of 2017, still a proposal, ending in 2030
    s.create_project(
        &o,
        project_input(SANFANG, "集体经济", 2017, 400_000, date!(2030 - 12 - 31)),
    )
    .await
    .unwrap();

    // the county, 2016
    let (from, to) = year(2016);
    let r = s.funds_report(&o, &code(JINXIAN), from, to).await.unwrap();
    let ia = source_line(&r.by_source, "integrated_agriculture");
    assert_eq!(
        (
            ia.sources,
            ia.amount_fen,
            ia.allocated_fen,
            ia.received_fen,
            ia.disbursed_fen
        ),
        (1, 1_000_000, 800_000, 600_000, 350_000)
    );
    assert_eq!(ia.disbursement_rate, Some(43.8));
    assert_eq!(source_line(&r.by_source, "central").amount_fen, 0);
    assert_eq!(r.sources_total.amount_fen, 1_000_000);
    let infra = line(&r.by_category, "infrastructure");
    assert_eq!(
        (
            infra.projects,
            infra.budget_fen,
            infra.allocated_fen,
            infra.received_fen,
            infra.disbursed_fen
        ),
        (1, 600_000, 600_000, 600_000, 350_000)
    );
    assert_eq!(infra.disbursement_rate, Some(58.3));
    let industry = line(&r.by_category, "industry");
    assert_eq!(
        (
            industry.projects,
            industry.allocated_fen,
            industry.received_fen
        ),
        (1, 200_000, 100_000)
    );
    assert_eq!(r.projects_total.projects, 2);
    assert_eq!(r.projects_total.budget_fen, 900_000);
    assert_eq!(r.disbursement_rate, Some(43.8));
    assert_eq!(line(&r.by_stage, "done").projects, 1);
    assert_eq!(line(&r.by_stage, "annual_plan").projects, 1);
    assert_eq!(line(&r.by_stage, "proposal").projects, 0);
    assert_eq!(r.overdue_projects, 1);
    assert_eq!(r.overdue.len(), 1);
    assert_eq!(r.overdue[0].id, p2);
    assert_eq!(r.assets_total.assets, 1);
    assert_eq!(r.assets_total.value_fen, 500_000);
    assert_eq!(r.assets_total.income_fen, 0);
    assert!(r.dividends.is_empty());

    // the county, 2016–2017
    let r = s
        .funds_report(&o, &code(JINXIAN), year(2016).0, year(2017).1)
        .await
        .unwrap();
    assert_eq!(
        (r.sources_total.sources, r.sources_total.amount_fen),
        (2, 1_500_000)
    );
    assert_eq!(r.sources_total.received_fen, 700_000);
    assert_eq!(source_line(&r.by_source, "central").amount_fen, 500_000);
    assert_eq!(r.projects_total.projects, 3);
    assert_eq!(r.projects_total.budget_fen, 1_300_000);
    assert_eq!(line(&r.by_stage, "proposal").projects, 1);
    assert_eq!(r.overdue_projects, 1);
    let solar = r.assets.iter().find(|a| a.kind == "solar_plant").unwrap();
    assert_eq!(
        (
            solar.incomes,
            solar.income_fen,
            solar.collective_fen,
            solar.households_fen
        ),
        (1, 10_000, 6_000, 4_000)
    );
    assert_eq!(r.dividends.len(), 1);
    let d = &r.dividends[0];
    assert_eq!(
        (
            d.year,
            d.households,
            d.payments,
            d.amount_fen,
            d.per_household_fen
        ),
        (2017, 2, 2, 4_000, Some(2_000))
    );

    // 三房: the county's source is not its own, the flows into its project are; its household's
    // dividend from 塔岗's plant counts where the household lives
    let r = s
        .funds_report(&o, &code(SANFANG), year(2016).0, year(2017).1)
        .await
        .unwrap();
    let ia = source_line(&r.by_source, "integrated_agriculture");
    assert_eq!(
        (ia.sources, ia.amount_fen, ia.allocated_fen, ia.received_fen),
        (0, 0, 200_000, 100_000)
    );
    assert_eq!(r.projects_total.projects, 2);
    assert_eq!(r.assets_total.assets, 0);
    assert_eq!(r.dividends[0].households, 1);
    assert_eq!(r.dividends[0].amount_fen, 1_000);
    // 罗溪镇 in 2017: its own central source, 三房's receipt
    let (from, to) = year(2017);
    let r = s.funds_report(&o, &code(LUOXI), from, to).await.unwrap();
    assert_eq!(source_line(&r.by_source, "central").amount_fen, 500_000);
    assert_eq!(r.sources_total.received_fen, 100_000);
    assert_eq!(r.sources_total.allocated_fen, 0);
    assert_eq!(r.projects_total.projects, 1);

    // the same from the rows
    for c in [TAGANG, SANFANG, LUOXI, JINXIAN] {
        for (f, t) in [(2016, 2016), (2016, 2017), (2017, 2019)] {
            let (from, to) = (year(f).0, year(t).1);
            assert_eq!(
                s.funds_report(&o, &code(c), from, to).await.unwrap(),
                s.recompute_funds_report(&o, &code(c), from, to)
                    .await
                    .unwrap(),
                "{c} {f}-{t}"
            );
        }
    }

    // periods are whole years
    let e = s
        .funds_report(&o, &code(JINXIAN), date!(2016 - 02 - 01), year(2016).1)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("period_not_whole_years", Some("from"))
    );
    // another village's officer sees nothing of 塔岗, nor the township or county
    let other = Ctx::within("sanfang", vec![code(SANFANG)]);
    for c in [TAGANG, LUOXI, JINXIAN] {
        assert!(s.funds_report(&other, &code(c), from, to).await.is_err());
    }
    let mine = s
        .funds_report(&other, &code(SANFANG), from, to)
        .await
        .unwrap();
    assert_eq!(mine.projects_total.projects, 1);
    assert!(mine
        .overdue
        .iter()
        .all(|p| p.village_code.as_str() == SANFANG));
}

/// A small deterministic generator (no dependency needed for a test's choices).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn kept_figures_equal_a_recomputation_after_random_writes() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let o = office();
    let mut rng = Lcg(17);
    let mut day = date!(2016 - 01 - 10);
    let mut projects: Vec<(ProjectId, &str)> = Vec::new();
    let mut sources: Vec<SourceId> = Vec::new();
    let mut allocations: Vec<(AllocationId, ProjectId)> = Vec::new();
    let mut assets: Vec<AssetId> = Vec::new();
    let categories = ["基础设施", "产业", "集体经济", "就业", "教育", "住房"];
    let kinds = ["中央财政资金", "省级财政资金", "县级财政资金", "社会捐赠"];
    let villages = [TAGANG, SANFANG];
    let mut refused = 0;
    let mut done: Vec<ProjectId> = Vec::new();
    for _ in 0..400 {
        // half the lifecycle steps and allocations go to the oldest project not done, so that
        // some reach their assets and dividends
        let focus = projects.iter().map(|(p, _)| *p).find(|p| !done.contains(p));
        day += Duration::days(1 + rng.next(6) as i64);
        let ok = match rng.next(10) {
            0 | 1 => {
                let v = villages[rng.next(2) as usize];
                let end = day + Duration::days(rng.next(900) as i64 - 200);
                let p = project_input(
                    v,
                    categories[rng.next(6) as usize],
                    2016 + rng.next(3) as i32,
                    1_000 * (1 + rng.next(500) as i64),
                    end.max(date!(2016 - 01 - 01)),
                );
                match s.create_project(&o, p).await {
                    Ok(d) => {
                        projects.push((d.project.id, v));
                        true
                    }
                    Err(_) => false,
                }
            }
            2 => {
                let region = [JINXIAN, LUOXI, TAGANG][rng.next(3) as usize];
                let src = source(
                    region,
                    day.year(),
                    kinds[rng.next(4) as usize],
                    10_000 * (1 + rng.next(100) as i64),
                    day,
                );
                match s.create_fund_source(&o, src).await {
                    Ok(x) => {
                        sources.push(x.id);
                        true
                    }
                    Err(_) => false,
                }
            }
            3 | 4 if !projects.is_empty() => {
                // one lifecycle step (the notice waits its days)
                let (mut id, _) = projects[rng.next(projects.len() as u64) as usize];
                if rng.next(2) == 0 {
                    id = focus.unwrap_or(id);
                }
                let d = s.project(&o, id).await.unwrap();
                if d.project.stage == Stage::Done {
                    done.push(id);
                }
                if d.project.stage == Stage::Notice {
                    day = day.max(d.workflow.notice_earliest_end().unwrap());
                }
                if d.project.stage == Stage::Proposal && rng.next(3) == 0 {
                    // a change while a proposal
                    let p = project_input(
                        d.project.data.village_code.as_str(),
                        categories[rng.next(6) as usize],
                        2016 + rng.next(3) as i32,
                        1_000 * (1 + rng.next(500) as i64),
                        day + Duration::days(rng.next(400) as i64),
                    );
                    s.update_project(&o, id, p).await.is_ok()
                } else if d.project.stage == Stage::AssetRegistration {
                    match s
                        .create_asset(
                            &o,
                            asset_input(
                                id,
                                d.project.data.village_code.as_str(),
                                &[(hh[0], 1 + rng.next(3) as i64), (hh[1], 1)],
                            ),
                        )
                        .await
                    {
                        Ok(a) => {
                            assets.push(a.id);
                            s.project_action(&o, id, complete(), day).await.is_ok()
                        }
                        Err(_) => false,
                    }
                } else if d.project.stage == Stage::Implementation && d.progress.is_empty() {
                    s.project_progress(
                        &o,
                        id,
                        ProgressInput {
                            month: Date::from_calendar_date(day.year(), day.month(), 1).unwrap(),
                            percent: 100,
                            spent_fen: 0,
                            note: None,
                        },
                    )
                    .await
                    .is_ok()
                } else {
                    s.project_action(&o, id, complete(), day).await.is_ok()
                }
            }
            5 if !sources.is_empty() && !projects.is_empty() => {
                let src = sources[rng.next(sources.len() as u64) as usize];
                let (mut p, _) = projects[rng.next(projects.len() as u64) as usize];
                if rng.next(2) == 0 {
                    p = focus.unwrap_or(p);
                }
                match s
                    .allocate(&o, alloc(src, p, 1_000 * (1 + rng.next(300) as i64), day))
                    .await
                {
                    Ok(a) => {
                        allocations.push((a.id, p));
                        true
                    }
                    Err(_) => false,
                }
            }
            6 | 7 if !allocations.is_empty() => {
                let mine = allocations.iter().find(|(_, p)| Some(*p) == focus);
                let (a, _) = match mine {
                    Some(x) if rng.next(3) > 0 => *x,
                    _ => allocations[rng.next(allocations.len() as u64) as usize],
                };
                s.receive(&o, a, receipt(1_000 * (1 + rng.next(300) as i64), day))
                    .await
                    .is_ok()
            }
            8 if !allocations.is_empty() => {
                let mine = allocations.iter().find(|(_, p)| Some(*p) == focus);
                let (a, _) = match mine {
                    Some(x) if rng.next(3) > 0 => *x,
                    _ => allocations[rng.next(allocations.len() as u64) as usize],
                };
                let h = (rng.next(2) == 0).then(|| hh[rng.next(2) as usize]);
                s.disburse(&o, a, payment(1_000 * (1 + rng.next(30) as i64), day, h))
                    .await
                    .is_ok()
            }
            9 if !assets.is_empty() => {
                let a = assets[rng.next(assets.len() as u64) as usize];
                let y = 2016 + rng.next(4) as i32;
                let total = 100 * (1 + rng.next(1_000) as i64);
                let collective = total * rng.next(3) as i64 / 4;
                s.pay_asset_income(&o, a, income(y, total, collective, total - collective))
                    .await
                    .is_ok()
            }
            _ => false,
        };
        if !ok {
            refused += 1;
        }
    }
    assert!(projects.len() > 20, "{} projects", projects.len());
    assert!(
        !allocations.is_empty() && !assets.is_empty(),
        "{} allocations, {} assets",
        allocations.len(),
        assets.len()
    );
    assert!(refused > 0, "some writes refused");
    let sys = Ctx::system("check");
    let regions = [
        TAGANG,
        SANFANG,
        LUOXI,
        JINXIAN,
        "360100000000",
        "360000000000",
        "000000000000",
    ];
    let periods = [(2016, 2016), (2016, 2019), (2017, 2018), (2015, 2034)];
    let mut kept = Vec::new();
    for c in regions {
        for (f, t) in periods {
            let (from, to) = (year(f).0, year(t).1);
            let k = s.funds_report(&sys, &code(c), from, to).await.unwrap();
            let fresh = s
                .recompute_funds_report(&sys, &code(c), from, to)
                .await
                .unwrap();
            assert_eq!(k, fresh, "{c} {f}-{t}");
            kept.push(k);
        }
    }
    // something was counted at every level
    let whole = &kept[kept.len() - 1];
    assert!(whole.projects_total.projects as usize == projects.len());
    assert!(whole.sources_total.disbursed_fen > 0);
    assert!(!whole.dividends.is_empty());
    // a rebuild from the rows gives the same figures
    s.rebuild_aggregates(&sys).await.unwrap();
    let mut i = 0;
    for c in regions {
        for (f, t) in periods {
            let (from, to) = (year(f).0, year(t).1);
            assert_eq!(
                s.funds_report(&sys, &code(c), from, to).await.unwrap(),
                kept[i],
                "rebuilt {c} {f}-{t}"
            );
            i += 1;
        }
    }
}

/// A household's incomes without their time stamps.
async fn incomes_of(s: &dyn Store, h: HouseholdId) -> Vec<(i32, String)> {
    s.household(&Ctx::system("t"), h)
        .await
        .unwrap()
        .incomes
        .iter()
        .map(|i| {
            (
                i.year,
                format!(
                    "{:?} {:?} {:?} {:?}",
                    i.components, i.gross_income_fen, i.net_income_fen, i.note
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_paid_year_taken_back_leaves_every_figure_as_before() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let o = office();
    let sys = Ctx::system("t");
    // 塔岗's household has an income of 2017 already; 三房's has none
    s.put_income(
        &o,
        hh[0],
        2017,
        IncomeInput {
            wage_fen: 1_000_000,
            business_fen: 0,
            property_fen: 5_000,
            dividend_fen: None,
            transfer_fen: 0,
            business_cost_fen: 0,
            note: None,
        },
    )
    .await
    .unwrap();
    let src = s
        .create_fund_source(
            &o,
            source(
                JINXIAN,
                2016,
                "县级财政资金",
                1_000_000,
                date!(2016 - 03 - 01),
            ),
        )
        .await
        .unwrap();
    let p = s
        .create_project(
            &o,
            project_input(TAGANG, "产业", 2016, 600_000, date!(2016 - 10 - 31)),
        )
        .await
        .unwrap()
        .project
        .id;
    advance(s, p, Stage::AnnualPlan, date!(2016 - 03 - 01)).await;
    s.allocate(&o, alloc(src.id, p, 600_000, date!(2016 - 04 - 01)))
        .await
        .unwrap();
    advance(s, p, Stage::Implementation, date!(2016 - 04 - 10)).await;
    s.project_progress(
        &o,
        p,
        ProgressInput {
            month: date!(2016 - 06 - 01),
            percent: 100,
            spent_fen: 0,
            note: None,
        },
    )
    .await
    .unwrap();
    advance(s, p, Stage::AssetRegistration, date!(2016 - 07 - 01)).await;
    let accepted = s
        .project(&o, p)
        .await
        .unwrap()
        .workflow
        .history()
        .iter()
        .find(|e| e.step == Stage::Acceptance)
        .map(|e| e.date)
        .unwrap();
    let asset = s
        .create_asset(&o, asset_input(p, TAGANG, &[(hh[0], 1), (hh[1], 1)]))
        .await
        .unwrap();
    // a payment dated before the project's acceptance is refused, nothing stored
    let mut early = income(2016, 10_000, 2_000, 8_000);
    early.paid_on = accepted - Duration::days(1);
    let e = s.pay_asset_income(&o, asset.id, early).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("paid_before_acceptance", Some("paid_on"))
    );
    let mut before_year = income(2017, 10_000, 2_000, 8_000);
    before_year.paid_on = date!(2016 - 12 - 31);
    assert_eq!(
        s.pay_asset_income(&o, asset.id, before_year)
            .await
            .unwrap_err()
            .code,
        "paid_before_year"
    );

    let regions = [TAGANG, SANFANG, LUOXI, JINXIAN];
    fn same(a: &[String], b: &[String], what: &str) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert_eq!(x, y, "{what}: part {i}");
        }
    }
    let snapshot = || async {
        let mut v = Vec::new();
        for r in regions {
            v.push(format!(
                "{:?}",
                s.region_stats(&sys, &code(r), 2017).await.unwrap()
            ));
            v.push(format!(
                "{:?}",
                s.funds_report(&sys, &code(r), year(2017).0, year(2017).1)
                    .await
                    .unwrap()
            ));
        }
        v.push(format!(
            "{:?}",
            s.village_profiles(&sys, &code(TAGANG))
                .await
                .unwrap()
                .iter()
                .map(|p| (p.year, p.collective_income_fen))
                .collect::<Vec<_>>()
        ));
        v.push(format!("{:?}", incomes_of(s, hh[0]).await));
        v.push(format!("{:?}", incomes_of(s, hh[1]).await));
        v
    };
    let before = snapshot().await;
    s.pay_asset_income(&o, asset.id, income(2017, 10_000, 2_000, 8_000))
        .await
        .unwrap();
    let paid = snapshot().await;
    assert_ne!(paid, before);
    // 三房's household had no income record of 2017: the dividend made one
    assert_eq!(incomes_of(s, hh[1]).await.len(), 1);
    // a reason is required; another village's officer cannot
    let e = s
        .reverse_asset_income(&o, asset.id, 2017, " ".into())
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    let other = Ctx::within("sanfang", vec![code(SANFANG)]);
    assert_eq!(
        s.reverse_asset_income(&other, asset.id, 2017, "误发".into())
            .await
            .unwrap_err()
            .code,
        "asset_not_found"
    );
    same(&snapshot().await, &paid, "refused");
    // taken back: everything as before the payment, and equal to a recomputation
    let after = s
        .reverse_asset_income(&o, asset.id, 2017, "重复发放，收回".into())
        .await
        .unwrap();
    assert!(after.incomes.is_empty());
    same(&snapshot().await, &before, "taken back");
    assert!(incomes_of(s, hh[1]).await.is_empty());
    for r in regions {
        assert_eq!(
            s.region_stats(&sys, &code(r), 2017).await.unwrap(),
            s.recompute_region_stats(&sys, &code(r), 2017)
                .await
                .unwrap(),
            "{r}"
        );
        assert_eq!(
            s.funds_report(&sys, &code(r), year(2017).0, year(2017).1)
                .await
                .unwrap(),
            s.recompute_funds_report(&sys, &code(r), year(2017).0, year(2017).1)
                .await
                .unwrap(),
            "{r}"
        );
    }
    assert_eq!(s.household_trace(&o, hh[1]).await.unwrap().dividend_fen, 0);
    // not twice; audited with the reason
    assert_eq!(
        s.reverse_asset_income(&o, asset.id, 2017, "再次".into())
            .await
            .unwrap_err()
            .code,
        "asset_income_not_found"
    );
    let log = s
        .audit_log(
            &sys,
            fupin_core::store::AuditFilter {
                per_page: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(log.items.iter().any(|e| e.action == "asset.income_reverse"
        && e.after.as_deref().unwrap_or("").contains("重复发放")));
    // the year may be paid again
    s.pay_asset_income(&o, asset.id, income(2017, 10_000, 2_000, 8_000))
        .await
        .unwrap();
    same(&snapshot().await, &paid, "paid again");
}
