//! Status-change, pairing-end and micro-wish files, on SQLite by default and on PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`, against the demo's registry: the rules of core decide every
//! row, every bad row is reported with its line and nothing is written (or, with `partial`,
//! exactly the good rows), a file imported again changes nothing, and the statistics follow.

use fupin::testing::{test_store, TestDb};
use fupin_core::pairing::{Claimant, WishStatus};
use fupin_core::registry::{HouseholdId, HouseholdStatus};
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, RegionCode};
use fupin_io::{ImportOptions, ImportReport, Kind};
use time::macros::date;

fn ctx() -> Ctx {
    Ctx::system("test:import")
}

/// The demo's registry (regions, 塔岗 and its neighbours, all exited by 2020), without its pairing.
async fn demo_registry() -> TestDb {
    let db = test_store().await;
    fupin::demo::load_demo(db.store.as_ref(), &ctx())
        .await
        .unwrap();
    db
}

async fn import(store: &dyn Store, text: &str, partial: bool) -> ImportReport {
    let opts = ImportOptions {
        partial,
        ..ImportOptions::default()
    };
    let input = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
    fupin_io::import(store, &ctx(), input, &opts, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn lines_and_codes(r: &ImportReport) -> Vec<(u64, &str)> {
    r.issues.iter().map(|i| (i.line, i.code.as_str())).collect()
}

async fn id_of(store: &dyn Store, number: &str) -> HouseholdId {
    store
        .household_by_number(&ctx(), number)
        .await
        .unwrap()
        .household
        .id
}

async fn audit_count(store: &dyn Store, action: &str) -> u64 {
    store
        .audit_log(
            &ctx(),
            AuditFilter {
                action: Some(action.into()),
                per_page: Some(1),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap()
        .total
        .expect("counted on a page reached by number")
}

/// The aggregates agree with a recomputation from the rows, for the township and every year.
async fn stats_consistent(store: &dyn Store) {
    let township = RegionCode::parse("360124106000").unwrap();
    for year in 2014..=2023 {
        assert_eq!(
            store.region_stats(&ctx(), &township, year).await.unwrap(),
            store
                .recompute_region_stats(&ctx(), &township, year)
                .await
                .unwrap(),
            "{year}"
        );
    }
}

const H1: &str = "3601241062040001";
const H2: &str = "3601241062040002";
const H3: &str = "3601241062040003";

#[tokio::test]
async fn status_changes_follow_the_rules_and_the_statistics() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let file = format!(
        "户编码,新状态,变更日期,脱贫年度,变更原因\n\
         {H1},监测对象,2021-06-01,,因病支出骤增\n\
         {H1},风险消除,2022-06-01,,\n\
         3601241062050001,未脱贫,2021-01-01,,\n\
         {H2},返贫,2015-01-01,,\n\
         9999,返贫,2021-01-01,,\n\
         {H3},已脱贫,2017-12-20,2017,\n\
         {H2},监测对象,2021-03-01,2021,\n"
    );
    let monitored_2021 = |s: &fupin_core::reports::RegionStats| {
        s.by_status
            .iter()
            .find(|c| c.code == "monitored")
            .map_or(0, |c| c.households)
    };
    let tagang = RegionCode::parse("360124106204").unwrap();
    let before = store.region_stats(&ctx(), &tagang, 2021).await.unwrap();
    // the demo's own status file is audited the same way
    let audited = audit_count(store, "household.import_status").await;

    // all or nothing: every bad row reported, nothing written
    let r = import(store, &file, false).await;
    assert_eq!(
        r.kind,
        Some(Kind::StatusChanges),
        "detected from the header"
    );
    assert_eq!(
        lines_and_codes(&r),
        [
            (4, "invalid_status_transition"),
            (5, "date_before_last_change"),
            (6, "unknown_household"),
            (8, "exit_year_without_exit"),
        ]
    );
    assert_eq!(r.issues[0].column.as_deref(), Some("新状态"));
    assert_eq!(r.issues[1].column.as_deref(), Some("变更日期"));
    assert!(!r.committed);
    let h1 = store.household_by_number(&ctx(), H1).await.unwrap();
    assert_eq!(h1.household.status, HouseholdStatus::Exited);
    assert_eq!(
        store.region_stats(&ctx(), &tagang, 2021).await.unwrap(),
        before
    );

    // partial: the two changes of H1, one after the other; H3's exit is already recorded
    let r = import(store, &file, true).await;
    assert!(r.committed);
    assert_eq!(
        (r.updated, r.unchanged, r.rejected, r.status_changes),
        (2, 1, 4, 2),
        "{}",
        r.summary()
    );
    let h1 = store.household_by_number(&ctx(), H1).await.unwrap();
    assert_eq!(h1.household.status, HouseholdStatus::RiskEliminated);
    let trail: Vec<_> = h1
        .status_history
        .iter()
        .map(|e| (e.to_status, e.date, e.reason.as_str()))
        .collect();
    assert_eq!(
        trail[trail.len() - 2..],
        [
            (
                HouseholdStatus::Monitored,
                date!(2021 - 06 - 01),
                "因病支出骤增"
            ),
            (
                HouseholdStatus::RiskEliminated,
                date!(2022 - 06 - 01),
                "年度动态调整（导入）"
            ),
        ]
    );
    assert_eq!(
        audit_count(store, "household.import_status").await,
        audited + 2
    );
    let after = store.region_stats(&ctx(), &tagang, 2021).await.unwrap();
    assert_eq!(monitored_2021(&after), monitored_2021(&before) + 1);
    stats_consistent(store).await;

    // again: the changes are in the histories, nothing new
    let r = import(store, &file, true).await;
    assert_eq!((r.updated, r.unchanged, r.status_changes), (0, 3, 0));
    assert_eq!(
        audit_count(store, "household.import_status").await,
        audited + 2
    );
}

#[tokio::test]
async fn pairing_ends_import_and_count_for_the_limits() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let cadres = "帮扶单位,单位级别,干部姓名,联系电话,管理区划代码\n\
                  进贤县人社局,县,甲,13800138001,360124000000\n\
                  进贤县人社局,县,乙,13800138002,360124000000\n\
                  进贤县人社局,县,丙,13800138003,360124000000\n\
                  进贤县人社局,县,丁,13800138004,360124000000\n";
    let r = import(store, cadres, false).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let file = format!(
        "户编码,帮扶单位,帮扶干部,开始日期,结束日期,结束原因\n\
         {H1},进贤县人社局,甲,2016-01-01,2016-12-31,\n\
         {H1},进贤县人社局,乙,2016-06-01,,\n\
         {H1},进贤县人社局,丙,2017-01-01,,\n\
         {H1},进贤县人社局,丁,2017-02-01,,\n\
         {H2},进贤县人社局,甲,2017-01-01,2016-12-31,\n\
         {H2},进贤县人社局,丁,2017-01-01,,调走\n"
    );
    let r = import(store, &file, true).await;
    // 丙 starts the day after 甲's end: two in force, as the limit allows; 丁 would be a third
    assert_eq!(
        lines_and_codes(&r),
        [
            (5, "too_many_cadres"),
            (6, "end_before_start"),
            (7, "reason_without_end"),
        ],
        "{:?}",
        r.issues
    );
    assert_eq!(r.created, 3);
    assert_eq!(r.issues[1].column.as_deref(), Some("结束日期"));
    let h1 = id_of(store, H1).await;
    let p = store
        .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    assert_eq!(p.len(), 3);
    assert_eq!(
        (
            p[0].cadre_name.as_str(),
            p[0].end_date,
            p[0].end_reason.as_deref()
        ),
        ("甲", Some(date!(2016 - 12 - 31)), Some("结对结束（导入）"))
    );
    assert_eq!(
        store
            .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
            .await
            .unwrap()
            .items
            .iter()
            .filter(|p| p.active_on(date!(2017 - 01 - 15)))
            .count(),
        2
    );

    // a later file ends 乙's pairing: the stored pairing is ended, once
    let end = format!(
        "户编码,帮扶单位,帮扶干部,开始日期,结束日期,结束原因\n\
         {H1},进贤县人社局,乙,2016-06-01,2018-05-31,干部调整\n"
    );
    let r = import(store, &end, false).await;
    assert_eq!(
        (r.updated, r.created, r.issues_total),
        (1, 0, 0),
        "{:?}",
        r.issues
    );
    assert_eq!(audit_count(store, "pairing.import_end").await, 1);
    let r = import(store, &end, false).await;
    assert_eq!((r.updated, r.unchanged), (0, 1));
    // an end once recorded is not moved by a file
    let moved = end.replace("2018-05-31", "2018-06-30");
    let r = import(store, &moved, false).await;
    assert_eq!(lines_and_codes(&r), [(2, "pairing_ended")]);
    let p = store
        .household_pairings(&ctx(), h1, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items;
    let yi = p.iter().find(|p| p.cadre_name == "乙").unwrap();
    assert_eq!(
        (yi.end_date, yi.end_reason.as_deref()),
        (Some(date!(2018 - 05 - 31)), Some("干部调整"))
    );
    // with 乙 gone, 丁 may join 丙 after 2018-05-31
    let r = import(
        store,
        &format!("户编码,帮扶单位,帮扶干部,开始日期\n{H1},进贤县人社局,丁,2018-06-01\n"),
        false,
    )
    .await;
    assert_eq!((r.created, r.issues_total), (1, 0), "{:?}", r.issues);
}

#[tokio::test]
async fn wishes_import_step_by_step() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let cadres = "帮扶单位,单位级别,干部姓名,联系电话,管理区划代码\n\
                  进贤县人社局,县,张三,13800138001,360124000000\n\
                  进贤县人社局,县,张三,13800138002,360124000000\n\
                  进贤县人社局,县,李四,13800138003,360124000000\n";
    let r = import(store, cadres, false).await;
    assert!(!r.has_errors(), "{:?}", r.issues);
    let header = "户编码,心愿内容,预估价值(元),提交日期,认领单位,认领干部,认领干部电话,认领日期,实现日期,实际价值(元),取消日期,取消原因";
    let file = format!(
        "{header}\n\
         {H1},希望有个轮椅,800,2018-03-01,进贤县人社局,李四,,2018-03-05,2018-04-01,780,,\n\
         {H2},想要一个书包,120,2018-03-01,进贤县人社局,,,2018-03-02,,,,\n\
         {H3},想要一台电风扇,250,2018-03-01,,,,,,,,\n\
         3601241062040004,想要一副老花镜,60,2018-03-01,进贤县人社局,张三,,2018-03-05,,,,\n\
         3601241062040005,想要一床棉被,300,2018-03-01,不存在的单位,,,2018-03-05,,,,\n\
         3601241062040006,想要一个电饭煲,200,2018-03-01,进贤县人社局,李四,,2018-03-05,2018-03-04,200,,\n\
         {H1},希望有个轮椅,800,2018-03-01,,,,,,,,\n\
         3601241062040007,想要一根拐杖,50,2018-03-01,,,,,2018-04-01,50,,\n\
         3601241062040008,想要一把雨伞,30,2018-03-01,,,,,,,2018-03-09,\n"
    );
    let r = import(store, &file, true).await;
    assert_eq!(r.kind, Some(Kind::Wishes), "detected from the header");
    assert_eq!(
        lines_and_codes(&r),
        [
            (5, "ambiguous_cadre"),
            (6, "unknown_unit"),
            (7, "date_before_previous_step"),
            (8, "duplicate_wish"),
            (9, "required"),
            (10, "required"),
        ],
        "{:?}",
        r.issues
    );
    let columns: Vec<_> = r.issues.iter().map(|i| i.column.as_deref()).collect();
    assert_eq!(
        columns,
        [
            Some("认领干部电话"),
            Some("认领单位"),
            Some("实现日期"),
            Some("心愿内容"),
            Some("认领单位"),
            Some("取消原因"),
        ]
    );
    assert_eq!(r.created, 3);
    let wish = |w: &Vec<fupin_core::pairing::Wish>| w[0].clone();
    let h1 = store
        .household_wishes(
            &ctx(),
            id_of(store, H1).await,
            &fupin_core::paging::Keyset::all(),
        )
        .await
        .unwrap()
        .items;
    let w1 = wish(&h1);
    let li = store
        .list_cadres(&ctx(), None, &fupin_core::paging::Keyset::all())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|c| c.name == "李四")
        .unwrap();
    assert_eq!(
        (
            w1.status,
            w1.claimed_by,
            w1.claimed_on,
            w1.fulfilled_on,
            w1.actual_value_fen,
            w1.estimated_value_fen
        ),
        (
            WishStatus::Fulfilled,
            Some(Claimant::Cadre(li.id)),
            Some(date!(2018 - 03 - 05)),
            Some(date!(2018 - 04 - 01)),
            Some(78_000),
            80_000
        )
    );
    let w2 = wish(
        &store
            .household_wishes(
                &ctx(),
                id_of(store, H2).await,
                &fupin_core::paging::Keyset::all(),
            )
            .await
            .unwrap()
            .items,
    );
    assert!(matches!(w2.claimed_by, Some(Claimant::Unit(_))));
    assert_eq!(w2.status, WishStatus::Claimed);
    assert_eq!(audit_count(store, "wish.import").await, 3);

    // later: the schoolbag is delivered, the fan claimed; the wheelchair row is unchanged
    let later = format!(
        "{header}\n\
         {H1},希望有个轮椅,800,2018-03-01,进贤县人社局,李四,,2018-03-05,2018-04-01,780,,\n\
         {H2},想要一个书包,120,2018-03-01,进贤县人社局,,,2018-03-02,2018-04-20,118.5,,\n\
         {H3},想要一台电风扇,250,2018-03-01,进贤县人社局,张三,13800138002,2018-03-10,,,,\n"
    );
    let r = import(store, &later, false).await;
    assert_eq!(
        (r.created, r.updated, r.unchanged, r.issues_total),
        (0, 2, 1, 0),
        "{:?}",
        r.issues
    );
    let w2 = wish(
        &store
            .household_wishes(
                &ctx(),
                id_of(store, H2).await,
                &fupin_core::paging::Keyset::all(),
            )
            .await
            .unwrap()
            .items,
    );
    assert_eq!(
        (w2.status, w2.actual_value_fen),
        (WishStatus::Fulfilled, Some(11_850))
    );
    assert_eq!(audit_count(store, "wish.import").await, 5);
    let r = import(store, &later, false).await;
    assert_eq!((r.updated, r.unchanged), (0, 3));

    // a file that tells another story of a recorded wish is refused, and nothing changes
    let other =
        format!("{header}\n{H1},希望有个轮椅,800,2018-03-01,进贤县人社局,,,2018-03-05,,,,\n");
    let r = import(store, &other, false).await;
    assert_eq!(lines_and_codes(&r), [(2, "wish_differs")]);
    assert_eq!(
        wish(
            &store
                .household_wishes(
                    &ctx(),
                    id_of(store, H1).await,
                    &fupin_core::paging::Keyset::all()
                )
                .await
                .unwrap()
                .items
        ),
        w1
    );
}

#[tokio::test]
async fn risk_events_and_yearly_verification_import_and_reimport() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let risks = format!(
        "户编码,发生日期,风险类型,风险说明,消除日期\n\
         {H1},2020-05-01,因病,住院治疗,\n\
         {H2},2020-06-01,因自然灾害（洪涝）,,2020-12-01\n\
         {H1},2020-05-01,01,重复,\n\
         {H3},2020-06-01,因穷,,\n\
         {H3},2020-06-01,因残,,2020-05-01\n"
    );
    let r = import(store, &risks, true).await;
    assert_eq!(r.kind, Some(Kind::RiskEvents), "detected from the header");
    assert_eq!(
        lines_and_codes(&r),
        [
            (4, "duplicate_risk_event"),
            (5, "unknown_code"),
            (6, "resolved_before_event")
        ]
    );
    assert_eq!(r.created, 2);
    let h1 = id_of(store, H1).await;
    let e = store.risk_events(&ctx(), h1).await.unwrap();
    assert_eq!(
        (
            e[0].risk_type.as_str(),
            e[0].note.as_deref(),
            e[0].resolved_on
        ),
        ("01", Some("住院治疗"), None)
    );
    let r = import(store, &risks, true).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2));
    // a later file records H1's recovery; H2's resolution may not move
    let later = format!(
        "户编码,发生日期,风险类型,消除日期\n\
         {H1},2020-05-01,因病,2021-01-10\n\
         {H2},2020-06-01,0201,2021-01-10\n"
    );
    let r = import(store, &later, true).await;
    assert_eq!(lines_and_codes(&r), [(3, "risk_resolved")]);
    assert_eq!(r.updated, 1);
    let e = store.risk_events(&ctx(), h1).await.unwrap();
    assert_eq!(
        (e[0].resolved_on, e[0].note.as_deref()),
        (Some(date!(2021 - 01 - 10)), Some("住院治疗"))
    );
    assert_eq!(audit_count(store, "risk_event.import").await, 4);

    // yearly verification: created, unchanged again, a file without a column keeps it
    let years = format!(
        "户编码,年度,不愁吃,不愁穿,医疗支出(元),收入稳定月数\n\
         {H1},2020,是,是,1200.50,\n\
         {H1},2020,是,是,,\n\
         {H2},2020,也许,是,,\n"
    );
    let r = import(store, &years, true).await;
    assert_eq!(
        r.kind,
        Some(Kind::HouseholdYears),
        "detected from the header"
    );
    assert_eq!(
        lines_and_codes(&r),
        [(3, "duplicate_household_year"), (4, "not_a_boolean")],
        "{:?}",
        r.issues
    );
    assert_eq!(r.created, 1);
    let r = import(store, &years, true).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 1));
    let r = import(
        store,
        &format!("户编码,年度,收入稳定月数\n{H1},2020,8\n"),
        false,
    )
    .await;
    assert_eq!((r.updated, r.issues_total), (1, 0));
    // the exit assessment of 2020 reads the facts as imported
    let a = store.exit_assessment(&ctx(), h1, 2020).await.unwrap();
    let food = serde_json::to_value(&a).unwrap().to_string();
    assert!(food.contains("不愁吃：是"), "{food}");
}

#[tokio::test]
async fn cases_replay_the_procedures_and_change_statuses() {
    let db = demo_registry().await;
    let store = db.store.as_ref();
    let header = "户编码,程序,年度,启动日期,村提名,入户核实,信息比对,民主评议,村委会和驻村工作队核实,户签字认可,村内公示,乡镇审核,县级审定,监测类型,备注";
    let file = format!(
        "{header}\n\
         {H1},监测对象识别,2021,2021-05-01,,2021-05-02,2021-05-05,2021-05-06,,,2021-05-12,2021-05-13,2021-05-15,脱贫不稳定户,因病纳入监测\n\
         {H2},监测对象识别,2021,2021-05-01,,2021-05-02,2021-05-05,,,,,,,,\n\
         3601241062040004,风险消除,2021,2021-05-01,2021-05-02,,,,,,,,,,\n\
         3601241062050001,监测对象识别,2021,2021-05-01,,2021-05-02,2021-05-05,2021-05-06,,,2021-05-08,,,,\n\
         3601241062040005,监测对象识别,2021,2021-05-01,,2021-05-02,2021-05-05,2021-05-06,,,2021-05-12,2021-05-13,2021-05-15,,\n\
         {H3},脱贫退出,2017,2017-10-08,2017-10-10,,,2017-10-12,2017-10-15,2017-10-16,2017-10-26,2017-11-05,2017-12-20,,\n\
         3601241062040006,脱贫退出,2019,2019-10-01,2019-10-10,,,,,,,,,,\n"
    );
    let r = import(store, &file, true).await;
    assert_eq!(r.kind, Some(Kind::Cases), "detected from the header");
    assert_eq!(
        lines_and_codes(&r),
        [
            (4, "status_not_eligible"),
            (5, "notice_too_short"),
            (6, "kind_required"),
            (8, "case_differs"),
        ],
        "{:?}",
        r.issues
    );
    let columns: Vec<_> = r.issues.iter().map(|i| i.column.as_deref()).collect();
    assert_eq!(
        columns,
        [
            Some("程序"),
            Some("村内公示"),
            Some("监测类型"),
            Some("程序")
        ]
    );
    assert_eq!(
        (r.created, r.unchanged, r.status_changes),
        (2, 1, 1),
        "{}",
        r.summary()
    );
    // H1 monitored by the procedure; H2's case open at its third step, its status unchanged
    let h1 = store.household_by_number(&ctx(), H1).await.unwrap();
    assert_eq!(h1.household.status, HouseholdStatus::Monitored);
    let last = h1.status_history.last().unwrap();
    assert_eq!(
        (last.date, last.reason.as_str()),
        (date!(2021 - 05 - 15), "纳入防返贫监测（脱贫不稳定户）")
    );
    let h2 = id_of(store, H2).await;
    let c2 = store.household_cases(&ctx(), h2).await.unwrap();
    let open = c2.iter().find(|c| !c.finished).unwrap();
    assert_eq!(open.step, "democratic_appraisal");
    assert_eq!(
        store.household(&ctx(), h2).await.unwrap().household.status,
        HouseholdStatus::Exited
    );
    stats_consistent(store).await;

    // a later file takes H2's case to its end: the stored steps, then the rest
    let rest = format!(
        "{header}\n\
         {H2},监测对象识别,2021,2021-05-01,,2021-05-02,2021-05-05,2021-05-06,,,2021-05-12,2021-05-13,2021-05-15,突发严重困难户,\n"
    );
    let r = import(store, &rest, false).await;
    assert_eq!(
        (r.updated, r.status_changes, r.issues_total),
        (1, 1, 0),
        "{:?}",
        r.issues
    );
    assert_eq!(
        store.household(&ctx(), h2).await.unwrap().household.status,
        HouseholdStatus::Monitored
    );
    let r = import(store, &rest, false).await;
    assert_eq!((r.updated, r.unchanged), (0, 1));

    // an exit the assessment does not pass is refused at county approval: H4 relapsed in 2020,
    // and nobody verified food and clothing for 2020
    let relapse = "户编码,新状态,变更日期\n3601241062040004,返贫,2020-03-01\n";
    assert_eq!(import(store, relapse, false).await.status_changes, 1);
    let exit = format!(
        "{header}\n\
         3601241062040004,脱贫退出,2020,2020-10-08,2020-10-10,,,2020-10-12,2020-10-15,2020-10-16,2020-10-26,2020-11-05,2020-11-30,,\n"
    );
    let r = import(store, &exit, false).await;
    assert_eq!(lines_and_codes(&r), [(2, "assessment_failed")]);
    assert_eq!(r.issues[0].column.as_deref(), Some("县级审定"));
    let years = "户编码,年度,不愁吃,不愁穿\n3601241062040004,2020,是,是\n";
    assert_eq!(import(store, years, false).await.created, 1);
    let r = import(store, &exit, false).await;
    assert_eq!(
        lines_and_codes(&r),
        [(2, "assessment_failed")],
        "no income of 2020 yet"
    );
    let income = "户编码,年度,工资性收入(元),生产经营性收入(元),财产性收入(元),转移性收入(元),生产经营性支出(元)\n\
                  3601241062040004,2020,0,0,1800,6000,0\n";
    assert_eq!(import(store, income, false).await.created, 1);
    let r = import(store, &exit, false).await;
    assert_eq!(
        (r.created, r.status_changes, r.issues_total),
        (1, 1, 0),
        "{:?}",
        r.issues
    );
    let h4 = store
        .household_by_number(&ctx(), "3601241062040004")
        .await
        .unwrap();
    assert_eq!(
        (h4.household.status, h4.household.exit_year),
        (HouseholdStatus::Exited, Some(2020))
    );
    assert_eq!(audit_count(store, "case.import").await, 16 + 4);
    stats_consistent(store).await;
}
