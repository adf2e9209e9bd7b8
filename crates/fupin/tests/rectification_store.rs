//! Contract tests of rectification, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: the close-out
//! order and the four-eyes rule, the trail and the audit, overdue escalation to the level above,
//! scope, the data-quality rules (each on its fixture and its near-miss, reruns, automatic close and
//! reopen) and comparison with a department list.

mod common;

use common::store::{idn, luoxi_regions};

use fupin::testing::{test_store, TestDb};
use fupin_core::id_number::IdNumber;
use fupin_core::pairing::{CadreInput, HelpingUnitInput, PairingInput, VisitInput};
use fupin_core::rectification::*;
use fupin_core::registry::*;
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, RegionCode};
use time::macros::date;
use time::Date;

const TAGANG: &str = "360124106204";
const SANFANG: &str = "360124106205";
const LUOXI: &str = "360124106000";
const JINXIAN: &str = "360124000000";

/// A test's short name for a household ("H1", "A2") as a household number of its village: the
/// village's code and a 4-digit serial (the letter picks the thousand, the digits the rest).
fn hn(short: &str, village: &str) -> String {
    if short.len() == 16 && short.bytes().all(|b| b.is_ascii_digit()) {
        return short.to_string();
    }
    let letter = short.bytes().next().map_or(0, |c| u32::from(c) % 10);
    let n: u32 = short
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    assert!(n < 999, "{short}");
    format!("{village}{:04}", letter * 1000 + n + 1)
}

fn within(actor: &str, code: &str) -> Ctx {
    Ctx::within(actor, vec![RegionCode::parse(code).unwrap()])
}

async fn regions(s: &dyn Store) {
    luoxi_regions(s).await;
}

/// A one-person household in `village` whose head was born on `birth`, with an income for 2018
/// of `net_2018` fen when given.
async fn household(
    s: &dyn Store,
    number: &str,
    village: &str,
    birth: &str,
    seq: u32,
    net_2018: Option<i64>,
) -> (HouseholdId, PersonId) {
    let sys = Ctx::system("setup");
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: hn(number, village),
            village_code: village.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            ..Default::default()
        },
        members: vec![MemberInput {
            name: format!("户主{number}"),
            id_number: idn(birth, seq),
            relation: "01".into(),
            ..Default::default()
        }],
        initial_status: None,
    };
    let d = s.create_household(&sys, new).await.unwrap();
    if let Some(net) = net_2018 {
        let income = IncomeInput {
            wage_fen: net,
            ..Default::default()
        };
        s.put_income(&sys, d.household.id, 2018, income)
            .await
            .unwrap();
    }
    (d.household.id, d.members[0].id)
}

fn manual(household: Option<HouseholdId>, region: Option<&str>, deadline: Date) -> ProblemInput {
    ProblemInput {
        region_code: region.map(String::from),
        household_id: household,
        person_id: None,
        project_id: None,
        campaign_id: None,
        source: "上级督查".into(),
        source_ref: Some("省督查组2019年第3号".into()),
        description: "危房改造未验收即拨付补助".into(),
        category: "assistance".into(),
        severity: "medium".into(),
        responsible_unit: "罗溪镇人民政府".into(),
        responsible_person: Some("李四".into()),
        found_on: date!(2019 - 03 - 01),
        deadline,
        measures: Some("组织验收".into()),
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
async fn close_out_order_four_eyes_and_trail() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, _) = household(s, "H1", TAGANG, "19700501", 1, Some(1_000_000)).await;
    let township = within("township-officer", LUOXI);
    let county = within("county-officer", JINXIAN);
    let p = s
        .create_problem(&township, manual(Some(h), None, date!(2099 - 12 - 31)))
        .await
        .unwrap();
    assert_eq!(p.region_code.as_str(), TAGANG, "the household's village");
    assert_eq!((p.status, p.version), (ProblemStatus::Open, 1));

    // signing off what nobody asked to close is out of order
    let e = s
        .problem_step(&county, p.id, step("sign_off", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "invalid_problem_step");
    let p1 = s
        .problem_step(&township, p.id, step("progress", Some("已组织验收")))
        .await
        .unwrap();
    assert_eq!(p1.status, ProblemStatus::InProgress);
    let p2 = s
        .problem_step(
            &township,
            p.id,
            step("request_close", Some("验收合格，补助已按规定拨付")),
        )
        .await
        .unwrap();
    assert_eq!(p2.status, ProblemStatus::CloseRequested);
    assert_eq!(p2.close_requested_by.as_deref(), Some("township-officer"));
    // four eyes: the requester cannot sign off, and nothing changes
    let e = s
        .problem_step(&township, p.id, step("sign_off", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "same_verifier");
    let same = s.problem(&county, p.id).await.unwrap().problem;
    assert_eq!(
        (same.status, same.version),
        (ProblemStatus::CloseRequested, 3)
    );
    // a second person of the region signs it off
    let closed = s
        .problem_step(&county, p.id, step("sign_off", Some("核验属实")))
        .await
        .unwrap();
    assert_eq!(closed.status, ProblemStatus::Closed);
    assert_eq!(closed.closed_by.as_deref(), Some("county-officer"));
    assert!(closed.closed_at.is_some());
    // reopening needs a reason
    let e = s
        .problem_step(&county, p.id, step("reopen", None))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("note_required", Some("note"))
    );
    let reopened = s
        .problem_step(&county, p.id, step("reopen", Some("回访发现仍未入住")))
        .await
        .unwrap();
    assert_eq!(reopened.status, ProblemStatus::InProgress);
    assert_eq!(reopened.closed_by, None);

    // the trail: every step, dated and attributed, in order
    let d = s.problem(&township, p.id).await.unwrap();
    let trail: Vec<_> = d
        .trail
        .iter()
        .map(|e| (e.seq, e.action, e.to_status, e.actor.as_str()))
        .collect();
    assert_eq!(
        trail,
        vec![
            (
                1,
                EventAction::Create,
                ProblemStatus::Open,
                "township-officer"
            ),
            (
                2,
                EventAction::Progress,
                ProblemStatus::InProgress,
                "township-officer"
            ),
            (
                3,
                EventAction::RequestClose,
                ProblemStatus::CloseRequested,
                "township-officer"
            ),
            (
                4,
                EventAction::SignOff,
                ProblemStatus::Closed,
                "county-officer"
            ),
            (
                5,
                EventAction::Reopen,
                ProblemStatus::InProgress,
                "county-officer"
            ),
        ]
    );
    assert_eq!(d.trail[4].note.as_deref(), Some("回访发现仍未入住"));
    assert!(d.trail.windows(2).all(|w| w[0].at <= w[1].at));
    // and audited, in 塔岗
    let log = s
        .audit_log(
            &Ctx::system("t"),
            AuditFilter {
                entity: Some("problem".into()),
                per_page: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut actions: Vec<_> = log
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.region.as_deref()))
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            ("problem.create", Some(TAGANG)),
            ("problem.progress", Some(TAGANG)),
            ("problem.reopen", Some(TAGANG)),
            ("problem.request_close", Some(TAGANG)),
            ("problem.sign_off", Some(TAGANG)),
        ]
    );
}

#[tokio::test]
async fn entries_are_checked_and_leave_nothing() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, _) = household(s, "H1", TAGANG, "19700501", 1, None).await;
    let (other, _) = household(s, "H2", SANFANG, "19700501", 2, None).await;
    let township = within("township-officer", LUOXI);
    // a household outside the region named
    let mut i = manual(Some(other), Some(TAGANG), date!(2099 - 12 - 31));
    let e = s.create_problem(&township, i.clone()).await.unwrap_err();
    assert_eq!(e.code, "household_outside_region");
    i.household_id = Some(h);
    i.deadline = date!(2019 - 02 - 01);
    let e = s.create_problem(&township, i).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("deadline_before_found", Some("deadline"))
    );
    let page = s
        .problems(
            &township,
            &ProblemFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.items.is_empty());
    // a campaign of 三房 does not take a problem of 塔岗
    let c = s
        .create_campaign(
            &township,
            CampaignInput {
                name: "春季整改".into(),
                region_code: SANFANG.into(),
                start_date: date!(2019 - 03 - 01),
                end_date: date!(2019 - 05 - 31),
                description: None,
            },
        )
        .await
        .unwrap();
    let mut i = manual(Some(h), None, date!(2099 - 12 - 31));
    i.campaign_id = Some(c.id);
    assert_eq!(
        s.create_problem(&township, i).await.unwrap_err().code,
        "outside_campaign"
    );
}

#[tokio::test]
async fn overdue_problems_escalate_to_the_level_above() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, _) = household(s, "H1", TAGANG, "19700501", 1, Some(1_000_000)).await;
    let village = within("tagang-officer", TAGANG);
    let township = within("township-officer", LUOXI);
    let late = s
        .create_problem(&village, manual(Some(h), None, date!(2019 - 04 - 30)))
        .await
        .unwrap();
    // near-miss: due on the day of the run
    let due_today = s
        .create_problem(&village, manual(Some(h), None, date!(2019 - 05 - 01)))
        .await
        .unwrap();
    // a township's own problem escalates to the county
    let township_own = s
        .create_problem(&township, manual(None, Some(LUOXI), date!(2019 - 04 - 01)))
        .await
        .unwrap();
    assert!(late.overdue && due_today.overdue, "both are late today");

    let run = s
        .run_checks(&township, None, date!(2019 - 05 - 01))
        .await
        .unwrap();
    assert_eq!(run.escalated, 2);
    let late = s.problem(&township, late.id).await.unwrap();
    assert_eq!(
        late.problem.escalated_to.as_ref().map(|c| c.as_str()),
        Some(LUOXI)
    );
    let last = late.trail.last().unwrap();
    assert_eq!(
        (last.action, last.actor.as_str()),
        (EventAction::Escalate, "township-officer")
    );
    assert_eq!(
        late.problem.status,
        ProblemStatus::Open,
        "escalation keeps the status"
    );
    let own = s.problem(&township, township_own.id).await.unwrap().problem;
    assert_eq!(own.escalated_to.as_ref().map(|c| c.as_str()), Some(JINXIAN));
    assert_eq!(
        s.problem(&township, due_today.id)
            .await
            .unwrap()
            .problem
            .escalated_to,
        None
    );
    // the township's 督办 list holds the village's late problem
    let escalated = s
        .problems(
            &township,
            &ProblemFilter {
                escalated_to: Some(RegionCode::parse(LUOXI).unwrap()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        escalated.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![late.problem.id]
    );
    let board = s
        .rectification_board(
            &township,
            &RegionCode::parse(LUOXI).unwrap(),
            None,
            date!(2019 - 05 - 01),
        )
        .await
        .unwrap();
    assert_eq!(board.escalated_here, 1);
    assert_eq!(board.total.found, 3);
    assert_eq!(
        board.total.overdue, 2,
        "due today is not overdue on the day"
    );
    let tagang_line = board.by_region.iter().find(|l| l.key == TAGANG).unwrap();
    assert_eq!(
        (tagang_line.progress.found, tagang_line.progress.overdue),
        (2, 1)
    );
    // a second run escalates nothing again
    let again = s
        .run_checks(&township, None, date!(2019 - 05 - 01))
        .await
        .unwrap();
    assert_eq!(again.escalated, 0);
}

#[tokio::test]
async fn another_village_sees_none_of_it() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, _) = household(s, "H1", TAGANG, "19700501", 1, Some(1_000_000)).await;
    let township = within("township-officer", LUOXI);
    let sanfang = within("sanfang-officer", SANFANG);
    let campaign = s
        .create_campaign(
            &township,
            CampaignInput {
                name: "塔岗春季整改".into(),
                region_code: TAGANG.into(),
                start_date: date!(2019 - 03 - 01),
                end_date: date!(2019 - 05 - 31),
                description: None,
            },
        )
        .await
        .unwrap();
    let mut i = manual(Some(h), None, date!(2019 - 04 - 30));
    i.campaign_id = Some(campaign.id);
    let p = s.create_problem(&township, i).await.unwrap();

    assert_eq!(
        s.problem(&sanfang, p.id).await.unwrap_err().code,
        "problem_not_found"
    );
    let e = s
        .problem_step(&sanfang, p.id, step("progress", Some("x")))
        .await
        .unwrap_err();
    assert_eq!(e.code, "problem_not_found");
    let page = s
        .problems(
            &sanfang,
            &ProblemFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let e = s
        .rectification_board(
            &sanfang,
            &RegionCode::parse(TAGANG).unwrap(),
            None,
            date!(2019 - 05 - 01),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "region_not_found");
    assert!(s.campaigns(&sanfang, None).await.unwrap().is_empty());
    assert_eq!(
        s.campaign(&sanfang, campaign.id).await.unwrap_err().code,
        "campaign_not_found"
    );
    let e = s
        .create_problem(&sanfang, manual(Some(h), None, date!(2099 - 12 - 31)))
        .await
        .unwrap_err();
    assert_eq!(e.code, "household_not_found");
    // 三房's own board is empty, and its checks touch nothing of 塔岗
    let board = s
        .rectification_board(
            &sanfang,
            &RegionCode::parse(SANFANG).unwrap(),
            None,
            date!(2019 - 05 - 01),
        )
        .await
        .unwrap();
    assert_eq!(board.total.found, 0);
    let run = s
        .run_checks(&sanfang, None, date!(2019 - 05 - 01))
        .await
        .unwrap();
    assert_eq!(run.escalated, 0);
    assert!(run.rules.iter().all(|r| r.findings == 0), "{run:?}");
    let after = s.problem(&township, p.id).await.unwrap();
    assert_eq!(after.problem.escalated_to, None);
    assert_eq!(after.trail.len(), 1);
    // the campaign's progress
    let d = s.campaign(&township, campaign.id).await.unwrap();
    assert_eq!(d.board.total.found, 1);
}

/// Subjects each rule found on the last run, by rule.
fn found(run: &CheckRun, code: &str) -> u64 {
    run.rules.iter().find(|r| r.code == code).unwrap().findings
}

async fn open_subjects(s: &dyn Store, rule: &str) -> Vec<(String, ProblemStatus)> {
    let page = s
        .problems(
            &Ctx::system("t"),
            &ProblemFilter {
                source: Some(Source::Rule),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut v: Vec<_> = page
        .items
        .into_iter()
        .filter(|p| p.rule_code.as_deref() == Some(rule))
        .map(|p| (p.subject_key.unwrap(), p.status))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

struct RuleWorld {
    db: TestDb,
    /// Fires / near-miss households and persons, by rule.
    no_income: (HouseholdId, HouseholdId),
    below_line: (HouseholdId, HouseholdId),
    too_old: (PersonId, PersonId),
    unborn: (PersonId, PersonId),
    headless: (HouseholdId, PersonId),
    /// Short of visits (3 of 4), never visited, and visited four times.
    pairings: (i64, i64, i64),
}

const AS_OF: Date = date!(2019 - 12 - 31);

async fn rule_world() -> RuleWorld {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let sys = Ctx::system("setup");
    // 600,000 fen a person is the monitoring line the shipped standards give 2018 (the latest)
    let (no_income, _) = household(s, "N1", TAGANG, "19700101", 1, None).await;
    let (with_income, _) = household(s, "N2", TAGANG, "19700101", 2, Some(2_000_000)).await;
    let (below, _) = household(s, "E1", TAGANG, "19700101", 3, Some(599_999)).await;
    let (at_line, _) = household(s, "E2", TAGANG, "19700101", 4, Some(600_000)).await;
    for h in [below, at_line] {
        db.raw(&format!(
            "UPDATE households SET status = 'exited', exit_year = 2018 WHERE id = {}",
            h.0
        ))
        .await;
    }
    let (_, old) = household(s, "A1", TAGANG, "19181231", 5, Some(2_000_000)).await;
    let (_, hundred) = household(s, "A2", TAGANG, "19190101", 6, Some(2_000_000)).await;
    let (_, unborn) = household(s, "A3", TAGANG, "20200101", 7, Some(2_000_000)).await;
    let (_, newborn) = household(s, "A4", TAGANG, "20191231", 8, Some(2_000_000)).await;
    let (headless, head) = household(s, "B1", TAGANG, "19700101", 9, Some(2_000_000)).await;
    db.raw(&format!(
        "UPDATE persons SET relation = '02' WHERE id = {}",
        head.0
    ))
    .await;
    // two cadres: one paired with two households and visiting one of them three times in 2019,
    // the other paired with one and visiting four times
    let unit = s
        .create_unit(
            &sys,
            HelpingUnitInput {
                name: "县农业农村局".into(),
                level: "县".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap();
    let cadre = |name: &str, phone: &str| CadreInput {
        name: name.into(),
        unit_id: unit.id,
        rank: None,
        phone: Some(phone.into()),
        user_id: None,
        region_code: Some(TAGANG.into()),
    };
    let busy = s
        .create_cadre(&sys, cadre("王五", "13912340001"))
        .await
        .unwrap();
    let diligent = s
        .create_cadre(&sys, cadre("赵六", "13912340002"))
        .await
        .unwrap();
    let pair = |h: HouseholdId, c| PairingInput {
        household_id: h,
        cadre_id: c,
        start_date: date!(2016 - 01 - 01),
    };
    let short = s
        .create_pairing(&sys, pair(with_income, busy.id))
        .await
        .unwrap();
    let idle = s
        .create_pairing(&sys, pair(no_income, busy.id))
        .await
        .unwrap();
    let full = s
        .create_pairing(&sys, pair(at_line, diligent.id))
        .await
        .unwrap();
    let visit = |h: HouseholdId, c, d: Date| VisitInput {
        household_id: h,
        date: d,
        kind: "走访".into(),
        cadre_ids: vec![c],
        findings: Default::default(),
        problems: None,
        actions: Some("了解生产生活情况".into()),
        follow_up: None,
        condolence_money_fen: 0,
        goods: vec![],
        location: None,
        with_photo: false,
    };
    for m in 1..=4u8 {
        let d = Date::from_calendar_date(2019, time::Month::try_from(m * 2).unwrap(), 10).unwrap();
        if m < 4 {
            s.record_visit(&sys, visit(with_income, busy.id, d))
                .await
                .unwrap();
        }
        s.record_visit(&sys, visit(at_line, diligent.id, d))
            .await
            .unwrap();
    }
    // a visit of 2018 does not count for 2019
    s.record_visit(&sys, visit(with_income, busy.id, date!(2018 - 12 - 30)))
        .await
        .unwrap();
    // the cadre limit is the rule's own parameter here: one household
    db.raw("UPDATE quality_rules SET params = '{\"limit\": 1, \"deadline_days\": 30}' WHERE code = 'cadre_over_limit'")
        .await;
    RuleWorld {
        db,
        no_income: (no_income, with_income),
        below_line: (below, at_line),
        too_old: (old, hundred),
        unborn: (unborn, newborn),
        headless: (headless, head),
        pairings: (short.id.0, idle.id.0, full.id.0),
    }
}

#[tokio::test]
async fn each_rule_fires_on_its_fixture_and_not_on_its_near_miss() {
    let w = rule_world().await;
    let s = w.db.store.as_ref();
    let township = within("township-officer", LUOXI);
    let run = s.run_checks(&township, None, AS_OF).await.unwrap();
    let subjects = |rule: &'static str| async move { open_subjects(s, rule).await };
    let open = |v: Vec<String>| {
        v.into_iter()
            .map(|k| (k, ProblemStatus::Open))
            .collect::<Vec<_>>()
    };

    assert_eq!(
        subjects(code::NO_INCOME_LAST_YEAR).await,
        open(vec![format!("household:{}:2018", w.no_income.0 .0)]),
        "not {:?}",
        w.no_income.1
    );
    assert_eq!(
        subjects(code::EXITED_BELOW_MONITORING_LINE).await,
        open(vec![format!("household:{}:2018", w.below_line.0 .0)]),
        "not {:?}",
        w.below_line.1
    );
    let mut persons = vec![
        format!("person:{}", w.too_old.0 .0),
        format!("person:{}", w.unborn.0 .0),
    ];
    persons.sort();
    assert_eq!(subjects(code::MEMBER_AGE_IMPLAUSIBLE).await, open(persons));
    let _ = (w.too_old.1, w.unborn.1);
    assert_eq!(
        subjects(code::HOUSEHOLD_WITHOUT_HEAD).await,
        open(vec![format!("household:{}", w.headless.0 .0)])
    );
    assert_eq!(
        subjects(code::VISITS_BELOW_MINIMUM).await,
        open(vec![
            format!("pairing:{}:2019", w.pairings.0),
            format!("pairing:{}:2019", w.pairings.1)
        ]),
        "not pairing {}",
        w.pairings.2
    );
    assert_eq!(subjects(code::CADRE_OVER_LIMIT).await.len(), 1);
    assert_eq!(found(&run, code::CADRE_OVER_LIMIT), 1);
    let total: u64 = run.rules.iter().map(|r| r.created).sum();
    assert_eq!(total, 8);

    // a rule's problem carries its rule, subject, evidence and the village as responsible
    let page = s
        .problems(
            &township,
            &ProblemFilter {
                source: Some(Source::Rule),
                household: Some(w.below_line.0),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = &page.items[0];
    assert_eq!(p.responsible_unit, "塔岗村委会");
    assert_eq!(p.deadline, date!(2020 - 01 - 15));
    assert_eq!(p.evidence.as_ref().unwrap()["net_fen"], 599_999);
    assert!(p.description.contains("低于监测线"), "{}", p.description);

    // a second run on the same data: nothing new, nothing closed
    let again = s.run_checks(&township, None, AS_OF).await.unwrap();
    assert!(
        again
            .rules
            .iter()
            .all(|r| r.created == 0 && r.closed == 0 && r.reopened == 0),
        "{again:?}"
    );
    let all = s
        .problems(
            &Ctx::system("t"),
            &ProblemFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 8);
}

#[tokio::test]
async fn fixed_data_closes_a_finding_and_broken_again_reopens_it() {
    let w = rule_world().await;
    let s = w.db.store.as_ref();
    let township = within("township-officer", LUOXI);
    s.run_checks(&township, None, AS_OF).await.unwrap();
    // the head is a head again, and the missing income is entered
    w.db.raw(&format!(
        "UPDATE persons SET relation = '01' WHERE id = {}",
        w.headless.1 .0
    ))
    .await;
    s.put_income(
        &Ctx::system("office"),
        w.no_income.0,
        2018,
        IncomeInput {
            wage_fen: 1_000_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let run = s.run_checks(&township, None, AS_OF).await.unwrap();
    let closed: u64 = run.rules.iter().map(|r| r.closed).sum();
    assert_eq!(closed, 2, "{run:?}");
    let headless = open_subjects(s, code::HOUSEHOLD_WITHOUT_HEAD).await;
    assert_eq!(
        headless,
        vec![(
            format!("household:{}", w.headless.0 .0),
            ProblemStatus::Closed
        )]
    );
    // broken again: the same problem comes back, reopened, with its trail
    w.db.raw(&format!(
        "UPDATE persons SET relation = '02' WHERE id = {}",
        w.headless.1 .0
    ))
    .await;
    let run = s.run_checks(&township, None, AS_OF).await.unwrap();
    let r = run
        .rules
        .iter()
        .find(|r| r.code == code::HOUSEHOLD_WITHOUT_HEAD)
        .unwrap();
    assert_eq!((r.created, r.reopened), (0, 1));
    let page = s
        .problems(
            &township,
            &ProblemFilter {
                household: Some(w.headless.0),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let d = s.problem(&township, page.items[0].id).await.unwrap();
    assert_eq!(d.problem.status, ProblemStatus::Open);
    assert_eq!(
        d.trail.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![
            EventAction::Create,
            EventAction::AutoClose,
            EventAction::AutoReopen
        ]
    );
    // a rule's problem also closes through the four eyes like any other
    let id = d.problem.id;
    s.problem_step(&township, id, step("request_close", Some("已补录户主")))
        .await
        .unwrap();
    let e = s
        .problem_step(&township, id, step("sign_off", None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "same_verifier");
}

#[tokio::test]
async fn comparison_flags_exactly_the_matched_persons() {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (_, dead) = household(s, "D1", TAGANG, "19400101", 1, Some(2_000_000)).await;
    let (_, alive) = household(s, "D2", TAGANG, "19400101", 2, Some(2_000_000)).await;
    let (_, elsewhere) = household(s, "D3", SANFANG, "19400101", 3, Some(2_000_000)).await;
    let _ = alive;
    let row = |id: String| DeptRow {
        id_number: IdNumber::parse(&id).unwrap(),
        name: Some("某某".into()),
        date: Some(date!(2019 - 06 - 01)),
        amount_fen: None,
        detail: None,
    };
    let list = vec![
        row(idn("19400101", 1)),
        // not in the registry
        row(idn("19500101", 77)),
        row(idn("19500101", 78)),
        // in 三房: outside a 塔岗 officer's regions, so unmatched for them
        row(idn("19400101", 3)),
    ];
    let tagang = within("tagang-officer", TAGANG);
    let out = s
        .compare_list(
            &tagang,
            ListKind::Deaths,
            "2019年6月公安死亡名单",
            list.clone(),
            date!(2019 - 07 - 01),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            out.rows,
            out.matched,
            out.unmatched,
            out.problems,
            out.warnings
        ),
        (4, 1, 3, 1, 0)
    );
    let page = s
        .problems(
            &Ctx::system("t"),
            &ProblemFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let p = &page.items[0];
    assert_eq!((p.person_id, p.source), (Some(dead), Source::Comparison));
    assert!(p.description.contains("自然减少"), "{}", p.description);
    let evidence = p.evidence.as_ref().unwrap();
    assert_eq!(evidence["list"], "2019年6月公安死亡名单");
    assert!(
        !evidence.to_string().contains(&idn("19400101", 1)),
        "the ID number is masked"
    );
    // the same list again records nothing twice
    let again = s
        .compare_list(
            &tagang,
            ListKind::Deaths,
            "2019年6月公安死亡名单",
            list,
            date!(2019 - 07 - 01),
        )
        .await
        .unwrap();
    assert_eq!(
        (again.matched, again.already_recorded, again.problems),
        (1, 1, 0)
    );
    // a list kind that only counts: employment matches, flags nothing
    let jobs = s
        .compare_list(
            &tagang,
            ListKind::Employment,
            "就业名单",
            vec![row(idn("19400101", 2))],
            date!(2019 - 07 - 01),
        )
        .await
        .unwrap();
    assert_eq!((jobs.matched, jobs.problems, jobs.warnings), (1, 0, 0));
    let _ = elsewhere;
}

/// A project of 塔岗 planned to end on `end`.
fn project(h: HouseholdId, name: &str, end: &str) -> fupin_core::projects::ProjectInput {
    serde_json::from_value(serde_json::json!({
        "village_code": TAGANG, "name": name, "category": "基础设施",
        "sub_category": "道路", "year": 2019,
        "planned_start": "2019-03-01", "planned_end": end,
        "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
        "content": "硬化村组道路 3 公里", "budget_fen": 60_000_000,
        "targets": [{"indicator": "硬化道路", "value": "3 公里"}],
        "beneficiaries": [{"household_id": h.0, "mode": "公共服务"}],
        "participation": "2019-02-20 村民代表大会议定",
        "proposed_on": "2019-03-01",
    }))
    .unwrap()
}

#[tokio::test]
async fn the_project_rule_fires_on_a_project_past_its_end_without_acceptance_and_not_on_its_near_misses(
) {
    let db = test_store().await;
    let s = db.store.as_ref();
    regions(s).await;
    let (h, _) = household(s, "P1", TAGANG, "19700101", 1, Some(2_000_000)).await;
    let sys = Ctx::system("setup");
    let sys = &sys;
    let create = |name: &'static str, end: &'static str| async move {
        s.create_project(sys, project(h, name, end))
            .await
            .unwrap()
            .project
            .id
    };
    // past its planned end, not accepted: fires
    let late = create("村组道路硬化", "2019-10-31").await;
    // ends on the day of the run: not past it yet
    let due = create("安全饮水", "2019-12-31").await;
    // past its end but accepted
    let accepted = create("光伏电站", "2019-06-30").await;
    db.raw(&format!(
        "UPDATE projects SET accepted_on = '2019-06-28' WHERE id = {}",
        accepted.0
    ))
    .await;
    let township = within("township-officer", LUOXI);
    let run = s.run_checks(&township, None, AS_OF).await.unwrap();
    assert_eq!(found(&run, code::PROJECT_OVERDUE), 1);
    assert_eq!(
        open_subjects(s, code::PROJECT_OVERDUE).await,
        [(format!("project:{}", late.0), ProblemStatus::Open)],
        "not {due:?} nor {accepted:?}"
    );
    let page = s
        .problems(
            &township,
            &ProblemFilter {
                source: Some(Source::Rule),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = page
        .items
        .iter()
        .find(|p| p.rule_code.as_deref() == Some(code::PROJECT_OVERDUE))
        .unwrap();
    assert_eq!(p.project_id, Some(late.0));
    assert_eq!(p.category, Category::Funds);
    assert!(p.description.contains("村组道路硬化"), "{}", p.description);
    assert!(p.description.contains("2019-10-31"), "{}", p.description);

    // the next day the second is late too; the first, accepted meanwhile, is closed
    db.raw(&format!(
        "UPDATE projects SET accepted_on = '2020-01-01' WHERE id = {}",
        late.0
    ))
    .await;
    let run = s
        .run_checks(&township, None, date!(2020 - 01 - 02))
        .await
        .unwrap();
    let o = run
        .rules
        .iter()
        .find(|r| r.code == code::PROJECT_OVERDUE)
        .unwrap();
    assert_eq!((o.findings, o.created, o.closed), (1, 1, 1));
    assert_eq!(
        open_subjects(s, code::PROJECT_OVERDUE).await,
        [
            (format!("project:{}", late.0), ProblemStatus::Closed),
            (format!("project:{}", due.0), ProblemStatus::Open)
        ]
    );
    // another village's officer neither runs it over 塔岗 nor sees it
    let sanfang = within("sanfang-officer", SANFANG);
    let theirs = s
        .run_checks(&sanfang, None, date!(2020 - 01 - 02))
        .await
        .unwrap();
    assert_eq!(found(&theirs, code::PROJECT_OVERDUE), 0);
    let seen = s
        .problems(
            &sanfang,
            &ProblemFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(seen.items.iter().all(|p| p.project_id.is_none()));
}
