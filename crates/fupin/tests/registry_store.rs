//! Contract tests of the store: run on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL=postgres://…` (each test gets a fresh database).

mod common;

use common::store::idn;

use fupin::testing::test_store;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, ErrorKind, RegionCode};
use rand::{Rng, SeedableRng};
use time::macros::date;
use time::Date;

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

fn ctx() -> Ctx {
    Ctx::system("test")
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("360000000000", "province", "江西省", ""),
    ("360100000000", "city", "南昌市", "360000000000"),
    ("360124000000", "county", "进贤县", "360100000000"),
    ("360124106000", "township", "罗溪镇", "360124000000"),
    ("360124106204", "village", "塔岗村委会", "360124106000"),
    ("360124106205", "village", "三房村委会", "360124106000"),
    ("360124107000", "township", "衙前乡", "360124000000"),
    ("360124107201", "village", "塔岗村委会", "360124107000"),
];

async fn with_regions(store: &dyn Store) {
    let recs = REGIONS
        .iter()
        .enumerate()
        .map(|(i, (c, l, n, p))| {
            (
                i as u64 + 2,
                RegionRecord {
                    code: c.to_string(),
                    level: Some(l.to_string()),
                    name: n.to_string(),
                    parent_code: Some(p.to_string()),
                },
            )
        })
        .collect();
    store
        .import_regions(&ctx(), recs)
        .await
        .expect("regions import");
}

fn member(name: &str, id: String, relation: &str) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id,
        relation: relation.into(),
        ..Default::default()
    }
}

fn household(number: &str, village: &str, members: Vec<MemberInput>) -> NewHousehold {
    NewHousehold {
        household: HouseholdInput {
            household_number: hn(number, village),
            village_code: village.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "因病".into(),
            ..Default::default()
        },
        members,
        initial_status: None,
    }
}

async fn total_households(store: &dyn Store) -> u64 {
    store
        .list_households(&ctx(), HouseholdFilter::default())
        .await
        .unwrap()
        .total
        .expect("counted on a page reached by number")
}

#[tokio::test]
async fn migrations_from_empty_and_reopen() {
    let db = test_store().await;
    assert!(db.store.ping().await.is_ok());
    assert_eq!(total_households(db.store.as_ref()).await, 0);
    // the default code tables are seeded
    let codes = db.store.code_book().await.unwrap();
    assert_eq!(codes.resolve("poverty_cause", "c", "因病").unwrap(), "01");
    // opening the same database again applies nothing twice
    let again = fupin::open_store(&db.url).await.expect("reopen");
    assert_eq!(
        again.code_book().await.unwrap().tables().count(),
        codes.tables().count()
    );
}

#[tokio::test]
async fn region_structure_and_search_with_paths() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let r = s.region(&ctx(), &code("360124106204")).await.unwrap();
    assert_eq!(
        r.full_name,
        "江西省 / 南昌市 / 进贤县 / 罗溪镇 / 塔岗村委会"
    );
    // names repeat: the search returns both 塔岗 with their different paths
    let hits = s.search_regions(&ctx(), "塔岗", None, 20).await.unwrap();
    let paths: Vec<_> = hits.iter().map(|h| h.full_name.as_str()).collect();
    assert_eq!(
        paths,
        [
            "江西省 / 南昌市 / 进贤县 / 罗溪镇 / 塔岗村委会",
            "江西省 / 南昌市 / 进贤县 / 衙前乡 / 塔岗村委会"
        ]
    );
    let within = s
        .search_regions(&ctx(), "塔岗", Some(&code("360124107000")), 20)
        .await
        .unwrap();
    assert_eq!(within.len(), 1);
    let kids = s
        .region_children(&ctx(), Some(&code("360124106000")))
        .await
        .unwrap();
    assert_eq!(kids.len(), 2);

    // a bad file: every bad row reported with its line, nothing written
    let bad = vec![
        (
            2,
            RegionRecord {
                code: "360124106206".into(),
                level: Some("village".into()),
                name: "章岗村委会".into(),
                parent_code: Some("360124106000".into()),
            },
        ),
        (
            3,
            RegionRecord {
                code: "360124106207".into(),
                level: Some("township".into()),
                name: "x".into(),
                parent_code: Some("360124106000".into()),
            },
        ),
        (
            4,
            RegionRecord {
                code: "360124108201".into(),
                level: Some("village".into()),
                name: "y".into(),
                parent_code: Some("360124108000".into()),
            },
        ),
        (
            5,
            RegionRecord {
                code: "3601241062".into(),
                level: None,
                name: "z".into(),
                parent_code: None,
            },
        ),
    ];
    let errs = s.import_regions(&ctx(), bad).await.unwrap_err();
    let got: Vec<_> = errs.iter().map(|e| (e.line, e.error.code)).collect();
    assert_eq!(
        got,
        [
            (3, "level_mismatch"),
            (4, "unknown_parent"),
            (5, "invalid_region_code")
        ]
    );
    assert_eq!(
        s.region(&ctx(), &code("360124106206"))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn one_head_per_household() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let two_heads = household(
        "H1",
        "360124106204",
        vec![
            member("甲", idn("19700101", 11), "户主"),
            member("乙", idn("19720101", 12), "户主"),
        ],
    );
    assert_eq!(
        s.create_household(&ctx(), two_heads)
            .await
            .unwrap_err()
            .code,
        "multiple_heads"
    );
    let no_head = household(
        "H1",
        "360124106204",
        vec![member("乙", idn("19720101", 12), "配偶")],
    );
    assert_eq!(
        s.create_household(&ctx(), no_head).await.unwrap_err().code,
        "no_head"
    );
    assert_eq!(total_households(s).await, 0, "nothing written");

    let h = s
        .create_household(
            &ctx(),
            household(
                "H1",
                "360124106204",
                vec![member("甲", idn("19700101", 11), "户主")],
            ),
        )
        .await
        .unwrap();
    let err = s
        .add_member(
            &ctx(),
            h.household.id,
            member("丙", idn("19750101", 13), "户主"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "multiple_heads");
    let wife = s
        .add_member(
            &ctx(),
            h.household.id,
            member("乙", idn("19720101", 22), "配偶"),
        )
        .await
        .unwrap();
    // demoting the only head leaves none
    let head = h.members[0].id;
    let mut demote = member("甲", idn("19700101", 11), "配偶");
    demote.sex = None;
    assert_eq!(
        s.update_member(&ctx(), head, demote)
            .await
            .unwrap_err()
            .code,
        "no_head"
    );
    // the head leaving must name a new head, who must be an active member of the household
    let leave = MemberChangeInput {
        kind: "死亡".into(),
        date: date!(2020 - 05 - 01),
        reason: Some("病故".into()),
        new_head_person_id: None,
    };
    assert_eq!(
        s.record_member_change(&ctx(), head, leave.clone())
            .await
            .unwrap_err()
            .code,
        "head_must_be_replaced"
    );
    let ok = MemberChangeInput {
        new_head_person_id: Some(wife.id),
        ..leave
    };
    s.record_member_change(&ctx(), head, ok).await.unwrap();
    let d = s.household(&ctx(), h.household.id).await.unwrap();
    let heads: Vec<_> = d
        .members
        .iter()
        .filter(|m| m.active && m.is_head())
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(heads, ["乙"]);
    assert_eq!(d.household.head_name.as_deref(), Some("乙"));
}

#[tokio::test]
async fn duplicate_id_across_households_rejected_and_nothing_written() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let shared = idn("19800315", 31);
    s.create_household(
        &ctx(),
        household(
            "H1",
            "360124106204",
            vec![member("甲", shared.clone(), "户主")],
        ),
    )
    .await
    .unwrap();
    let dup = household(
        "H2",
        "360124106205",
        vec![
            member("丁", idn("19810101", 41), "户主"),
            member("甲", shared.clone(), "之子"),
        ],
    );
    let e = s.create_household(&ctx(), dup).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code, e.field.as_deref()),
        (
            ErrorKind::Conflict,
            "duplicate_id_number",
            Some("members[1].id_number")
        )
    );
    assert!(
        e.message.contains(&hn("H1", "360124106204")),
        "names the other household: {}",
        e.message
    );
    assert!(
        !e.message.contains(&shared),
        "the ID number is masked in the message"
    );
    assert_eq!(total_households(s).await, 1);
    assert!(s
        .household_by_number(&ctx(), &hn("H2", "360124106205"))
        .await
        .is_err());
    let st = s
        .region_stats(&ctx(), &code("360124106205"), 2018)
        .await
        .unwrap();
    assert_eq!((st.households, st.persons), (0, 0), "aggregates untouched");
    // adding the same person to another existing household is rejected too
    let h3 = s
        .create_household(
            &ctx(),
            household(
                "H3",
                "360124106205",
                vec![member("戊", idn("19820101", 51), "户主")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        s.add_member(
            &ctx(),
            h3.household.id,
            member("甲", shared.clone(), "其他")
        )
        .await
        .unwrap_err()
        .code,
        "duplicate_id_number"
    );
    // once the person has left the first household, they may join another
    let h1 = s
        .household_by_number(&ctx(), &hn("H1", "360124106204"))
        .await
        .unwrap();
    let wife = s
        .add_member(
            &ctx(),
            h1.household.id,
            member("己", idn("19820202", 62), "配偶"),
        )
        .await
        .unwrap();
    let moved = MemberChangeInput {
        kind: "其他转出".into(),
        date: date!(2021 - 03 - 01),
        reason: None,
        new_head_person_id: Some(wife.id),
    };
    s.record_member_change(&ctx(), h1.members[0].id, moved)
        .await
        .unwrap();
    let mut joins = member("甲", shared, "其他");
    joins.joined = Some(JoinInput {
        kind: "其他转入".into(),
        date: date!(2021 - 03 - 02),
        reason: None,
    });
    assert!(s.add_member(&ctx(), h3.household.id, joins).await.is_ok());
}

#[tokio::test]
async fn income_arithmetic_and_stats_in_fen() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let h = s
        .create_household(
            &ctx(),
            household(
                "H1",
                "360124106204",
                vec![
                    member("甲", idn("19700101", 11), "户主"),
                    member("乙", idn("19720101", 12), "配偶"),
                    member("丙", idn("20000101", 13), "之子"),
                ],
            ),
        )
        .await
        .unwrap();
    let inc = IncomeInput {
        wage_fen: 1_200_000,
        business_fen: 500_050,
        property_fen: 30_000,
        dividend_fen: Some(20_000),
        transfer_fen: 99_999,
        business_cost_fen: 200_001,
        note: None,
    };
    let r = s
        .put_income(&ctx(), h.household.id, 2018, inc.clone())
        .await
        .unwrap();
    assert_eq!(
        (r.gross_income_fen.get(), r.net_income_fen.get(), r.persons),
        (1_830_049, 1_630_048, 3)
    );
    assert_eq!(r.per_capita_net_income_fen.map(|f| f.get()), Some(543_349));
    let h2 = s
        .create_household(
            &ctx(),
            household(
                "H2",
                "360124106205",
                vec![member("丁", idn("19650101", 21), "户主")],
            ),
        )
        .await
        .unwrap();
    s.put_income(
        &ctx(),
        h2.household.id,
        2018,
        IncomeInput {
            wage_fen: 500_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let town = s
        .region_stats(&ctx(), &code("360124106000"), 2018)
        .await
        .unwrap();
    assert_eq!(
        (town.households, town.persons, town.income_persons),
        (2, 4, 4)
    );
    assert_eq!(town.net_income_fen, 2_130_048);
    assert_eq!(town.per_capita_net_income_fen, Some(532_512)); // 2,130,048 / 4
                                                               // replacing a year's income replaces, not adds
    s.put_income(
        &ctx(),
        h2.household.id,
        2018,
        IncomeInput {
            wage_fen: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        s.region_stats(&ctx(), &code("360124106205"), 2018)
            .await
            .unwrap()
            .net_income_fen,
        100
    );
    // bad amounts change nothing
    let neg = IncomeInput {
        wage_fen: -1,
        ..Default::default()
    };
    assert_eq!(
        s.put_income(&ctx(), h2.household.id, 2018, neg)
            .await
            .unwrap_err()
            .field
            .as_deref(),
        Some("wage_fen")
    );
    let huge = IncomeInput {
        transfer_fen: i64::MAX,
        ..Default::default()
    };
    assert_eq!(
        s.put_income(&ctx(), h2.household.id, 2018, huge)
            .await
            .unwrap_err()
            .code,
        "amount_too_large"
    );
    assert_eq!(
        s.region_stats(&ctx(), &code("360124106205"), 2018)
            .await
            .unwrap()
            .net_income_fen,
        100
    );
}

#[tokio::test]
async fn status_and_member_history() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let mut new = household(
        "H1",
        "360124106204",
        vec![
            member("甲", idn("19700101", 11), "户主"),
            member("乙", idn("19720101", 12), "配偶"),
        ],
    );
    new.initial_status = Some(InitialStatus {
        status: HouseholdStatus::Poor,
        date: date!(2014 - 05 - 01),
        reason: Some("建档立卡".into()),
        exit_year: None,
    });
    let h = s.create_household(&ctx(), new).await.unwrap();
    let id = h.household.id;
    let exit = StatusChangeInput {
        to: HouseholdStatus::Exited,
        date: date!(2018 - 11 - 20),
        reason: "年度脱贫退出".into(),
        exit_year: None,
    };
    let d = s.change_status(&ctx(), id, exit).await.unwrap();
    assert_eq!(
        (d.household.status, d.household.exit_year),
        (HouseholdStatus::Exited, Some(2018))
    );
    // an illegal transition is rejected and leaves the history as it was
    let bad = StatusChangeInput {
        to: HouseholdStatus::Poor,
        date: date!(2019 - 01 - 01),
        reason: "x".into(),
        exit_year: None,
    };
    assert_eq!(
        s.change_status(&ctx(), id, bad).await.unwrap_err().code,
        "invalid_status_transition"
    );
    let early = StatusChangeInput {
        to: HouseholdStatus::Monitored,
        date: date!(2017 - 01 - 01),
        reason: "x".into(),
        exit_year: None,
    };
    assert_eq!(
        s.change_status(&ctx(), id, early).await.unwrap_err().code,
        "date_before_last_change"
    );
    let mon = StatusChangeInput {
        to: HouseholdStatus::Monitored,
        date: date!(2021 - 06 - 01),
        reason: "突发大病".into(),
        exit_year: None,
    };
    let d = s.change_status(&ctx(), id, mon).await.unwrap();
    let hist: Vec<_> = d
        .status_history
        .iter()
        .map(|e| (e.from_status, e.to_status, e.date, e.actor.as_str()))
        .collect();
    assert_eq!(
        hist,
        [
            (None, HouseholdStatus::Poor, date!(2014 - 05 - 01), "test"),
            (
                Some(HouseholdStatus::Poor),
                HouseholdStatus::Exited,
                date!(2018 - 11 - 20),
                "test"
            ),
            (
                Some(HouseholdStatus::Exited),
                HouseholdStatus::Monitored,
                date!(2021 - 06 - 01),
                "test"
            ),
        ]
    );
    assert_eq!(
        d.household.exit_year,
        Some(2018),
        "the exit year stays on record"
    );
    // status counts follow the dates
    let (c0, v) = (ctx(), code("360124106204"));
    let st = |y| s.region_stats(&c0, &v, y);
    let count = |st: &fupin_core::reports::RegionStats, k: &str| {
        st.by_status
            .iter()
            .find(|c| c.code == k)
            .unwrap()
            .households
    };
    assert_eq!(count(&st(2017).await.unwrap(), "poor"), 1);
    assert_eq!(count(&st(2018).await.unwrap(), "exited"), 1);
    assert_eq!(count(&st(2021).await.unwrap(), "monitored"), 1);

    // members: a birth, a death; never deleted, persons per year follow the dates
    let mut baby = member("丁", idn("20190310", 14), "之女");
    baby.joined = Some(JoinInput {
        kind: "新生儿".into(),
        date: date!(2019 - 03 - 10),
        reason: None,
    });
    s.add_member(&ctx(), id, baby).await.unwrap();
    let wife = d.members.iter().find(|m| m.name == "乙").unwrap().id;
    let future = MemberChangeInput {
        kind: "死亡".into(),
        date: fupin_core::years::today().next_day().unwrap(),
        reason: None,
        new_head_person_id: None,
    };
    assert_eq!(
        s.record_member_change(&ctx(), wife, future)
            .await
            .unwrap_err()
            .code,
        "date_in_future"
    );
    let death = MemberChangeInput {
        kind: "死亡".into(),
        date: date!(2020 - 07 - 01),
        reason: Some("病故".into()),
        new_head_person_id: None,
    };
    let m = s
        .record_member_change(&ctx(), wife, death.clone())
        .await
        .unwrap();
    assert!(!m.active);
    assert_eq!(
        s.record_member_change(&ctx(), wife, death)
            .await
            .unwrap_err()
            .code,
        "member_inactive"
    );
    let d = s.household(&ctx(), id).await.unwrap();
    assert_eq!(d.members.len(), 3, "members are never deleted");
    let changes: Vec<_> = d
        .member_changes
        .iter()
        .map(|c| (c.person_name.as_str(), c.kind.as_str(), c.date))
        .collect();
    assert_eq!(
        changes,
        [
            ("丁", "06", date!(2019 - 03 - 10)),
            ("乙", "01", date!(2020 - 07 - 01))
        ]
    );
    assert_eq!(st(2018).await.unwrap().persons, 2);
    assert_eq!(st(2019).await.unwrap().persons, 3);
    assert_eq!(st(2020).await.unwrap().persons, 2);
}

#[tokio::test]
async fn prefix_scoping_of_lists_and_stats() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    s.create_household(
        &ctx(),
        household(
            "A1",
            "360124106204",
            vec![member("甲", idn("19700101", 11), "户主")],
        ),
    )
    .await
    .unwrap();
    s.create_household(
        &ctx(),
        household(
            "B1",
            "360124106205",
            vec![member("乙", idn("19700101", 21), "户主")],
        ),
    )
    .await
    .unwrap();
    s.create_household(
        &ctx(),
        household(
            "C1",
            "360124107201",
            vec![
                member("丙", idn("19700101", 31), "户主"),
                member("丁", idn("19710101", 32), "配偶"),
            ],
        ),
    )
    .await
    .unwrap();
    let list = |region: &str| HouseholdFilter {
        region: Some(region.into()),
        ..Default::default()
    };
    assert_eq!(
        s.list_households(&ctx(), list("360124106000"))
            .await
            .unwrap()
            .total,
        Some(2)
    );
    assert_eq!(
        s.list_households(&ctx(), list("360124000000"))
            .await
            .unwrap()
            .total,
        Some(3)
    );
    assert_eq!(
        s.list_households(&ctx(), list("360124107201"))
            .await
            .unwrap()
            .total,
        Some(1)
    );
    let county = s.region_stats(&ctx(), &code("360124"), 2016).await.unwrap();
    assert_eq!((county.households, county.persons), (3, 4));
    let town = s
        .region_stats(&ctx(), &code("360124106"), 2016)
        .await
        .unwrap();
    assert_eq!((town.households, town.persons), (2, 2));

    // a caller scoped to one village sees only that village, everywhere
    let village = Ctx::within("clerk", vec![code("360124106205")]);
    let page = s
        .list_households(&village, HouseholdFilter::default())
        .await
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|h| h.household_number.as_str())
            .collect::<Vec<_>>(),
        [hn("B1", "360124106205")]
    );
    assert_eq!(
        s.list_households(&village, list("360124000000"))
            .await
            .unwrap()
            .total,
        Some(1)
    );
    let a1 = s
        .household_by_number(&ctx(), &hn("A1", "360124106204"))
        .await
        .unwrap()
        .household
        .id;
    assert_eq!(
        s.household(&village, a1).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.region_stats(&village, &code("360124106000"), 2016)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    let inc = IncomeInput {
        wage_fen: 1,
        ..Default::default()
    };
    assert_eq!(
        s.put_income(&village, a1, 2016, inc)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    let other = household(
        "X1",
        "360124106204",
        vec![member("戊", idn("19700101", 41), "户主")],
    );
    assert_eq!(
        s.create_household(&village, other).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(total_households(s).await, 3);
    // a duplicate ID number from another region is refused without naming that region's household
    let dup = household(
        "B2",
        "360124106205",
        vec![member("甲", idn("19700101", 11), "户主")],
    );
    let e = s.create_household(&village, dup).await.unwrap_err();
    assert_eq!(e.code, "duplicate_id_number");
    // nor that it lies outside the caller's regions
    for word in ["A1", "360124106204", "塔岗", "管辖范围"] {
        assert!(!e.message.contains(word), "{word}: {}", e.message);
    }
    assert!(e.message.contains("另一户"), "{}", e.message);
    assert_eq!(total_households(s).await, 3);

    // a household moved to another village counts there: the pager's totals (kept per village)
    // follow, and equal the rows listed
    let d = s.household(&ctx(), a1).await.unwrap();
    let h = &d.household;
    let input = HouseholdInput {
        household_number: h.household_number.clone(),
        village_code: "360124106205".into(),
        attribute: h.attribute.clone(),
        identification_standard: h.identification_standard.clone(),
        identification_year: h.identification_year,
        main_cause: h.main_cause.clone(),
        ..Default::default()
    };
    s.update_household(&ctx(), a1, input).await.unwrap();
    for (region, want) in [
        ("360124106204", 0),
        ("360124106205", 2),
        ("360124106000", 2),
        ("360124000000", 3),
    ] {
        let page = s.list_households(&ctx(), list(region)).await.unwrap();
        assert_eq!(page.total, Some(want), "{region}");
        assert_eq!(page.items.len() as u64, want, "{region}");
    }
    // and a rebuild of the figures counts the same
    s.rebuild_aggregates(&Ctx::system("system:test"))
        .await
        .unwrap();
    assert_eq!(
        s.list_households(&ctx(), list("360124106205"))
            .await
            .unwrap()
            .total,
        Some(2)
    );
}

#[tokio::test]
async fn masked_by_default() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let id = idn("19700101", 11);
    let mut m = member("甲", id.clone(), "户主");
    m.phone = Some("13800138011".into());
    let mut new = household("H1", "360124106204", vec![m]);
    new.household.bank_account = Some("6217001234567890".into());
    let d = s.create_household(&ctx(), new).await.unwrap();
    assert_eq!(d.members[0].id_number, fupin_core::id_number::mask_id(&id));
    assert_eq!(d.members[0].phone.as_deref(), Some("138****8011"));
    assert_eq!(
        d.household.bank_account.as_deref(),
        Some("************7890")
    );
    let list = s
        .list_households(
            &ctx(),
            HouseholdFilter {
                q: Some(id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        list.total,
        Some(1),
        "search by the full ID number finds the household"
    );
    let unmasked = Ctx {
        unmask: true,
        ..ctx()
    };
    assert_eq!(
        s.household(&unmasked, d.household.id)
            .await
            .unwrap()
            .members[0]
            .id_number,
        id
    );
}

/// The aggregates kept by every write equal a full recomputation, after a random series of writes.
#[tokio::test]
async fn aggregates_equal_recomputation_after_random_writes() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let villages = ["360124106204", "360124106205", "360124107201"];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20190830);
    let mut seq = 100u32;
    let mut households: Vec<HouseholdId> = Vec::new();
    let this_year = fupin_core::years::today().year();
    for step in 0..80 {
        let op = if households.len() < 4 {
            0
        } else {
            rng.gen_range(0..7)
        };
        match op {
            0 => {
                let n = rng.gen_range(1..=4);
                let mut ms = vec![];
                for k in 0..n {
                    seq += 1;
                    ms.push(member(
                        &format!("人{seq}"),
                        idn(&format!("19{}0101", 50 + k * 7), seq),
                        if k == 0 { "户主" } else { "其他" },
                    ));
                }
                let mut h = household(&format!("R{step}"), villages[rng.gen_range(0..3)], ms);
                // identified up to 2020, after some of the incomes recorded for it
                h.household.identification_year = rng.gen_range(2014..=2020);
                h.household.main_cause = ["01", "02", "09"][rng.gen_range(0..3)].into();
                households.push(s.create_household(&ctx(), h).await.unwrap().household.id);
            }
            1 | 2 => {
                let id = households[rng.gen_range(0..households.len())];
                let year = rng.gen_range(2014..=2020);
                let inc = IncomeInput {
                    wage_fen: rng.gen_range(0..3_000_000),
                    business_fen: rng.gen_range(0..1_000_000),
                    property_fen: 0,
                    dividend_fen: None,
                    transfer_fen: rng.gen_range(0..200_000),
                    business_cost_fen: rng.gen_range(0..400_000),
                    note: None,
                };
                s.put_income(&ctx(), id, year, inc).await.unwrap();
            }
            3 => {
                let id = households[rng.gen_range(0..households.len())];
                let d = s.household(&ctx(), id).await.unwrap();
                let next = HouseholdStatus::ALL
                    .into_iter()
                    .filter(|t| d.household.status.can_become(*t) && *t != d.household.status)
                    .collect::<Vec<_>>();
                if next.is_empty() {
                    continue;
                }
                // removals (自然减少) one time in three, to check they leave every figure
                let to = if next.contains(&HouseholdStatus::Removed) && rng.gen_range(0..3) == 0 {
                    HouseholdStatus::Removed
                } else {
                    next[rng.gen_range(0..next.len())]
                };
                let last = d.status_history.last().unwrap().date;
                let date = Date::from_calendar_date(
                    (last.year() + rng.gen_range(0..3)).min(this_year),
                    time::Month::June,
                    1,
                )
                .unwrap()
                .max(last);
                let _ = s
                    .change_status(
                        &ctx(),
                        id,
                        StatusChangeInput {
                            to,
                            date,
                            reason: "随机".into(),
                            exit_year: None,
                        },
                    )
                    .await;
            }
            4 => {
                let id = households[rng.gen_range(0..households.len())];
                seq += 1;
                let mut m = member(&format!("婴{seq}"), idn("20170505", seq), "之孙子");
                m.sex = None;
                m.joined = Some(JoinInput {
                    kind: "06".into(),
                    date: date!(2017 - 05 - 05),
                    reason: None,
                });
                let _ = s.add_member(&ctx(), id, m).await;
            }
            5 => {
                let id = households[rng.gen_range(0..households.len())];
                let d = s.household(&ctx(), id).await.unwrap();
                if let Some(m) = d
                    .members
                    .iter()
                    .find(|m| m.active && !m.is_head() && m.birth_date.year() < 2000)
                {
                    let c = MemberChangeInput {
                        kind: "02".into(),
                        date: Date::from_calendar_date(
                            rng.gen_range(2015..=2020),
                            time::Month::March,
                            3,
                        )
                        .unwrap(),
                        reason: None,
                        new_head_person_id: None,
                    };
                    let _ = s.record_member_change(&ctx(), m.id, c).await;
                }
            }
            _ => {
                // move a household to another village, and change its cause
                let id = households[rng.gen_range(0..households.len())];
                let d = s.household(&ctx(), id).await.unwrap();
                let h = &d.household;
                let input = HouseholdInput {
                    household_number: h.household_number.clone(),
                    village_code: villages[rng.gen_range(0..3)].into(),
                    attribute: h.attribute.clone(),
                    identification_standard: h.identification_standard.clone(),
                    identification_year: h.identification_year,
                    main_cause: ["01", "05", "08"][rng.gen_range(0..3)].into(),
                    ..Default::default()
                };
                s.update_household(&ctx(), id, input).await.unwrap();
            }
        }
    }
    let regions = [
        "000000000000",
        "360000000000",
        "360124000000",
        "360124106000",
        "360124107000",
        "360124106204",
        "360124106205",
        "360124107201",
    ];
    let mut checked_nonzero = 0;
    for r in regions {
        assert_eq!(
            s.region_stats(&ctx(), &code(r), this_year + 1)
                .await
                .unwrap_err()
                .code,
            "year_in_future"
        );
        for year in 2013..=this_year {
            let kept = s.region_stats(&ctx(), &code(r), year).await.unwrap();
            let fresh = s
                .recompute_region_stats(&ctx(), &code(r), year)
                .await
                .unwrap();
            assert_eq!(kept, fresh, "region {r} year {year}");
            if kept.income_households > 0 {
                checked_nonzero += 1;
            }
        }
    }
    assert!(
        checked_nonzero > 10,
        "the random writes produced incomes to compare"
    );
    // the poverty measures equal a recomputation from each household's own record
    let mut details = Vec::new();
    for id in &households {
        details.push(s.household(&ctx(), *id).await.unwrap());
    }
    let mut compared = 0;
    for r in regions {
        for year in 2014..=2020 {
            let m = s
                .measures(&ctx(), &code(r), year, &Default::default())
                .await
                .unwrap();
            let (households, incomes, persons) = measured_from_details(&details, &code(r), year);
            assert_eq!(
                (m.households, m.persons),
                (households, incomes.len() as u64),
                "{r} {year}"
            );
            assert_eq!(m.mpi.persons, persons, "{r} {year}");
            let want = fupin_core::assessment::poverty_measures(
                &incomes,
                fupin_core::Fen::new(m.line_fen),
            );
            let got = m.measures;
            assert_eq!(
                (got.n, got.q, got.line),
                (want.n, want.q, want.line),
                "{r} {year}"
            );
            for (what, a, b) in [
                ("H", got.headcount_ratio, want.headcount_ratio),
                ("P1", got.poverty_gap, want.poverty_gap),
                ("P2", got.severity, want.severity),
                ("Watts", got.watts, want.watts),
                ("I", got.income_gap_ratio, want.income_gap_ratio),
                ("Gini of the poor", got.gini_poor, want.gini_poor),
                ("Sen", got.sen, want.sen),
                ("Gini", got.gini, want.gini),
            ] {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "{r} {year} {what}: {a} vs {b}"
                );
            }
            if want.q > 0 {
                compared += 1;
            }
        }
    }
    assert!(
        compared > 5,
        "the random writes produced poor persons to compare"
    );
    // a rebuild from scratch gives the same figures
    let before = s
        .region_stats(&ctx(), &code("360000000000"), 2018)
        .await
        .unwrap();
    s.rebuild_aggregates(&ctx()).await.unwrap();
    assert_eq!(
        s.region_stats(&ctx(), &code("360000000000"), 2018)
            .await
            .unwrap(),
        before
    );
}

/// What the measures of `region` and `year` take from the households' own records, by core's
/// definitions: households in scope with an income record, one per-capita income per member present
/// on 31 December, and every member present of the households in scope.
fn measured_from_details(
    details: &[HouseholdDetail],
    region: &RegionCode,
    year: i32,
) -> (u64, Vec<fupin_core::PerCapita>, u64) {
    let (mut households, mut incomes, mut persons) = (0, Vec::new(), 0);
    for d in details {
        if !region.contains(&d.household.village_code) {
            continue;
        }
        let mut statuses: Vec<_> = d
            .status_history
            .iter()
            .map(|e| (e.date, e.id, e.to_status))
            .collect();
        statuses.sort_by_key(|(d, id, _)| (*d, *id));
        let facts = fupin_core::reports::HouseholdFacts {
            village: d.household.village_code.clone(),
            identification_year: d.household.identification_year,
            main_cause: d.household.main_cause.clone(),
            statuses: statuses.into_iter().map(|(d, _, s)| (d, s)).collect(),
            members: d.members.iter().map(|m| (m.joined_on, m.left_on)).collect(),
            incomes: d
                .incomes
                .iter()
                .map(|i| (i.year, i.gross_income_fen, i.net_income_fen))
                .collect(),
        };
        if !facts.in_scope(year) {
            continue;
        }
        let n = facts.persons_in(year);
        persons += n as u64;
        if let Some(pc) = facts.per_capita_net_income(year) {
            households += 1;
            incomes.extend(std::iter::repeat_n(pc, n as usize));
        }
    }
    (households, incomes, persons)
}

/// A household's figures without the region, to compare two villages.
fn without_region(v: impl serde::Serialize) -> serde_json::Value {
    let mut v = serde_json::to_value(v).unwrap();
    v.as_object_mut().unwrap().remove("region");
    v
}

/// One definition of the households in scope for a year: a household removed (自然减少) is out from
/// the year of its removal, and a household identified later is out of the years before, through
/// the statistics (incomes and per-capita income included), the poverty measures and the
/// incidence. 三房 holds one household; 衙前's 塔岗 the same one, a household removed in 2019 and
/// one identified in 2020, both with incomes recorded for every year: in the years where they are
/// out, the two villages answer alike.
#[tokio::test]
async fn removed_and_later_identified_households_count_nowhere_out_of_scope() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let (alone, mixed) = ("360124106205", "360124107201");
    let mut seq = 300;
    let mut make = |number: &str, village: &str, identified: i32| {
        seq += 2;
        let mut h = household(
            number,
            village,
            vec![
                member("甲", idn("19700101", seq), "户主"),
                member("乙", idn("19720101", seq + 1), "配偶"),
            ],
        );
        h.household.identification_year = identified;
        h
    };
    let income = |wage_fen| IncomeInput {
        wage_fen,
        business_fen: 0,
        property_fen: 0,
        dividend_fen: None,
        transfer_fen: 0,
        business_cost_fen: 0,
        note: None,
    };
    // the same household in both villages: 2,000 yuan a person in 2018, 5,000 from 2019
    for (n, v) in [("S1", alone), ("Y1", mixed)] {
        let id = s
            .create_household(&ctx(), make(n, v, 2014))
            .await
            .unwrap()
            .household
            .id;
        s.put_income(&ctx(), id, 2018, income(400_000))
            .await
            .unwrap();
        for y in [2019, 2020] {
            s.put_income(&ctx(), id, y, income(1_000_000))
                .await
                .unwrap();
        }
    }
    // removed in 2019, poor (1,000 yuan a person) every year
    let removed = s
        .create_household(&ctx(), make("Y2", mixed, 2014))
        .await
        .unwrap()
        .household
        .id;
    // identified in 2020, poor, with incomes recorded back to 2018
    let late = s
        .create_household(&ctx(), make("Y3", mixed, 2020))
        .await
        .unwrap()
        .household
        .id;
    for id in [removed, late] {
        for y in 2018..=2020 {
            s.put_income(&ctx(), id, y, income(200_000)).await.unwrap();
        }
    }
    s.change_status(
        &ctx(),
        removed,
        StatusChangeInput {
            to: HouseholdStatus::Removed,
            date: date!(2019 - 06 - 01),
            reason: "自然减少".into(),
            exit_year: None,
        },
    )
    .await
    .unwrap();
    for v in [alone, mixed] {
        let p = fupin_core::regions::VillageProfileInput {
            collective_income_fen: None,
            rural_population: Some(500),
            note: None,
        };
        s.put_village_profile(&ctx(), &code(v), 2019, p)
            .await
            .unwrap();
    }
    // 2019: the removed household is out, the late one not yet in
    let st = |v: &'static str, y| async move { s.region_stats(&ctx(), &code(v), y).await.unwrap() };
    assert_eq!(
        without_region(st(mixed, 2019).await),
        without_region(st(alone, 2019).await)
    );
    let m = |v: &'static str, y| async move {
        s.measures(&ctx(), &code(v), y, &Default::default())
            .await
            .unwrap()
    };
    assert_eq!(
        without_region(m(mixed, 2019).await),
        without_region(m(alone, 2019).await)
    );
    let inc = |v: &'static str| async move { s.incidence(&ctx(), &code(v), 2019).await.unwrap() };
    assert_eq!(
        without_region(inc(mixed).await),
        without_region(inc(alone).await)
    );
    // the statistics export too (its rows without the region's code and name)
    let export = |v: &'static str| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stats.csv");
        let opts = fupin_io::export::ExportOptions {
            kind: fupin_io::export::ExportKind::Stats,
            region: code(v),
            year: Some(2019),
            format: fupin_io::FileFormat::Csv,
            reason: None,
        };
        fupin_io::export::export(s, &ctx(), &opts, &path, &|_| {})
            .await
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        text.lines()
            .map(|l| l.split(',').skip(2).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    };
    let (a, b) = (export(mixed).await, export(alone).await);
    assert!(a.len() >= 2, "{a:?}");
    assert_eq!(a, b);
    // 2018: the removed household counts, the late one does not, its income neither
    let s18 = st(mixed, 2018).await;
    assert_eq!(
        (
            s18.households,
            s18.persons,
            s18.income_households,
            s18.income_persons
        ),
        (2, 4, 2, 4),
        "{s18:?}"
    );
    assert_eq!(s18.net_income_fen, 400_000 + 200_000);
    let m18 = m(mixed, 2018).await;
    assert_eq!((m18.households, m18.persons), (2, 4));
    // line 2018 (2,995 yuan): the removed household's two persons are poor, not the late one's
    assert_eq!(m18.measures.q, 4);
    // 2020: the late household is in, the removed one still out
    let s20 = st(mixed, 2020).await;
    assert_eq!((s20.households, s20.income_households), (2, 2), "{s20:?}");
    // the kept figures are the recomputed ones
    for y in 2018..=2020 {
        for v in [alone, mixed, "000000000000"] {
            let kept = st(v, y).await;
            let fresh = s.recompute_region_stats(&ctx(), &code(v), y).await.unwrap();
            assert_eq!(kept, fresh, "{v} {y}");
        }
    }
}

#[tokio::test]
async fn household_pages_by_cursor_and_search_by_name_prefix_and_id_number() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let villages = ["360124106204", "360124106205", "360124107201"];
    let names = ["王建华", "王建国", "李小明", "王芳", "张伟", "李明"];
    for i in 0..13u32 {
        let name = names[i as usize % names.len()];
        s.create_household(
            &ctx(),
            household(
                &format!("N{:02}", 13 - i),
                villages[i as usize % villages.len()],
                vec![member(name, idn("19750101", i + 1), "户主")],
            ),
        )
        .await
        .unwrap();
    }
    let filter = |after: Option<String>| HouseholdFilter {
        region: Some("360124000000".into()),
        per_page: Some(4),
        after,
        ..Default::default()
    };
    // page after page by cursor: every household once, in (village, number) order, and the last
    // page says there is no next
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..10 {
        let page = s
            .list_households(&ctx(), filter(after.clone()))
            .await
            .unwrap();
        // counted on the first page, not after a cursor
        assert_eq!(page.total, after.as_ref().map_or(Some(13), |_| None));
        seen.extend(
            page.items
                .iter()
                .map(|h| (h.village_code.to_string(), h.household_number.clone())),
        );
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "in list order, without repeats");
    assert_eq!(seen.len(), 13);
    // the same order as page numbers give
    let by_number = s
        .list_households(
            &ctx(),
            HouseholdFilter {
                page: Some(2),
                ..filter(None)
            },
        )
        .await
        .unwrap();
    let numbers: Vec<_> = by_number
        .items
        .iter()
        .map(|h| (h.village_code.to_string(), h.household_number.clone()))
        .collect();
    assert_eq!(numbers, seen[4..8]);
    // a bad cursor, and a page too deep for page numbers, are refused
    let err = s
        .list_households(&ctx(), filter(Some("nonsense".into())))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        ("invalid_cursor", Some("after"))
    );
    let err = s
        .list_households(
            &ctx(),
            HouseholdFilter {
                page: Some(3000),
                ..filter(None)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "page_too_deep");
    // a name from its start, or whole; not from its middle
    let search = |q: &str| HouseholdFilter {
        q: Some(q.into()),
        per_page: Some(50),
        ..Default::default()
    };
    let heads = |p: &fupin_core::registry::Page<Household>| {
        let mut v: Vec<String> = p.items.iter().filter_map(|h| h.head_name.clone()).collect();
        v.sort();
        v
    };
    let wang = s.list_households(&ctx(), search("王建")).await.unwrap();
    assert_eq!(
        heads(&wang),
        ["王建华", "王建华", "王建华", "王建国", "王建国"]
    );
    let li = s.list_households(&ctx(), search("李明")).await.unwrap();
    assert_eq!(heads(&li), ["李明", "李明"]);
    assert_eq!(
        s.list_households(&ctx(), search("建华"))
            .await
            .unwrap()
            .total,
        Some(0)
    );
    // a household number exactly, and a member's full ID number
    assert_eq!(
        s.list_households(&ctx(), search(&hn("N05", "360124107201")))
            .await
            .unwrap()
            .total,
        Some(1)
    );
    let by_id = s
        .list_households(&ctx(), search(&idn("19750101", 3)))
        .await
        .unwrap();
    assert_eq!(heads(&by_id), ["李小明"]);
}

#[tokio::test]
async fn household_numbers_follow_the_rule_and_renumbering_is_confirmed_and_audited() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    // 11 digits, as once saved: refused, with the rule, and nothing written
    let mut bad = household(
        "H1",
        "360124106204",
        vec![member("甲", idn("19700101", 11), "户主")],
    );
    bad.household.household_number = "36012410620".into();
    let e = s.create_household(&ctx(), bad.clone()).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code, e.field.as_deref()),
        (
            ErrorKind::Invalid,
            "invalid_household_number",
            Some("household.household_number")
        )
    );
    assert!(e.message.contains("3601241062040001"), "{}", e.message);
    // another village's code is refused too
    bad.household.household_number = "3601241062050001".into();
    assert_eq!(
        s.create_household(&ctx(), bad.clone())
            .await
            .unwrap_err()
            .code,
        "invalid_household_number"
    );
    assert!(s.household_by_number(&ctx(), "36012410620").await.is_err());

    bad.household.household_number = "3601241062040007".into();
    let d = s.create_household(&ctx(), bad).await.unwrap();
    let id = d.household.id;
    let input = |number: &str, confirm: bool| HouseholdInput {
        household_number: number.into(),
        village_code: "360124106204".into(),
        attribute: "01".into(),
        identification_standard: "01".into(),
        identification_year: 2014,
        main_cause: "01".into(),
        confirm_renumber: confirm,
        ..Default::default()
    };
    // an edit that keeps the number needs no confirmation
    s.update_household(&ctx(), id, input("3601241062040007", false))
        .await
        .unwrap();
    // a renumbering without confirmation: refused, the number unchanged
    let e = s
        .update_household(&ctx(), id, input("3601241062040008", false))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("renumber_unconfirmed", Some("household_number"))
    );
    // confirmed but against the rule: refused
    assert_eq!(
        s.update_household(&ctx(), id, input("360124106204008", true))
            .await
            .unwrap_err()
            .code,
        "invalid_household_number"
    );
    assert_eq!(
        s.household(&ctx(), id)
            .await
            .unwrap()
            .household
            .household_number,
        "3601241062040007"
    );
    // confirmed: changed, and recorded as a renumbering of its own
    s.update_household(&ctx(), id, input("3601241062040008", true))
        .await
        .unwrap();
    assert_eq!(
        s.household(&ctx(), id)
            .await
            .unwrap()
            .household
            .household_number,
        "3601241062040008"
    );
    let log = s
        .audit_log(
            &Ctx::system("test"),
            fupin_core::store::AuditFilter {
                action: Some("household.renumber".into()),
                per_page: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1, "one renumbering recorded");
    let r = &log.items[0];
    assert_eq!(r.entity_id.as_deref(), Some(id.0.to_string().as_str()));
    assert!(r.before.as_deref().unwrap().contains("3601241062040007"));
    assert!(r.after.as_deref().unwrap().contains("3601241062040008"));
}

#[tokio::test]
async fn a_form_with_several_faults_is_refused_with_all_of_them() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let mut new = household(
        "H1",
        "360124106204",
        vec![member("甲", "110101197001011234".into(), "户主")],
    );
    new.household.household_number = "36012410620".into();
    new.household.identification_year = 2099;
    let e = s.create_household(&ctx(), new).await.unwrap_err();
    let problems = e.problems();
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "household.household_number",
            "household.identification_year",
            "members[0].id_number"
        ]
    );
    assert!(problems[1].1.starts_with("识别年度"), "{}", problems[1].1);
    assert!(problems[2].1.contains("身份证号"), "{}", problems[2].1);
    assert_eq!(
        s.list_households(&ctx(), HouseholdFilter::default())
            .await
            .unwrap()
            .total,
        Some(0)
    );
}

/// Reads taken together (`Store::reading_together`) answer what they answer alone, one within
/// another too; a write inside still commits on its own, and an error of a read inside is that
/// read's, not the end of the others.
#[tokio::test]
async fn reads_taken_together_answer_as_alone() {
    let db = test_store().await;
    let s = db.store.as_ref();
    with_regions(s).await;
    let d = s
        .create_household(
            &ctx(),
            household(
                "H1",
                "360124106204",
                vec![member("甲", idn("19700101", 11), "户主")],
            ),
        )
        .await
        .unwrap();
    let id = d.household.id;
    let alone = (
        s.household(&ctx(), id).await.unwrap(),
        s.list_households(&ctx(), HouseholdFilter::default())
            .await
            .unwrap()
            .items,
        s.region(&ctx(), &code("360124106204")).await.unwrap(),
    );
    let mut seen = None;
    let mut written = None;
    let (seen_out, written_out) = (&mut seen, &mut written);
    s.reading_together(Box::pin(async move {
        let detail = s.household(&ctx(), id).await.unwrap();
        let missing = s.household(&ctx(), HouseholdId(id.0 + 1000)).await;
        assert_eq!(missing.map(|_| ()).unwrap_err().kind, ErrorKind::NotFound);
        let mut inner = None;
        let inner_out = &mut inner;
        s.reading_together(Box::pin(async move {
            *inner_out = Some(
                s.list_households(&ctx(), HouseholdFilter::default())
                    .await
                    .unwrap()
                    .items,
            );
        }))
        .await
        .unwrap();
        let region = s.region(&ctx(), &code("360124106204")).await.unwrap();
        *seen_out = Some((detail, inner.unwrap(), region));
        *written_out = Some(
            s.create_household(
                &ctx(),
                household(
                    "H2",
                    "360124106204",
                    vec![member("乙", idn("19700101", 12), "户主")],
                ),
            )
            .await
            .unwrap(),
        );
    }))
    .await
    .unwrap();
    let (h, list, r) = seen.unwrap();
    assert_eq!(h, alone.0);
    assert_eq!(list, alone.1);
    assert_eq!(r, alone.2);
    let written = written.unwrap().household.id;
    assert_eq!(
        s.household(&ctx(), written).await.unwrap().household.id,
        written,
        "the write inside committed"
    );
    assert_eq!(total_households(s).await, 2);
}
