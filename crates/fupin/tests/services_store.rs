//! Workshops, posts and service events on SQLite and (with TEST_DATABASE_URL) PostgreSQL: their
//! rules as the store applies them, scope (out of scope answers like unknown), history and audit,
//! and the services report's figures against hand counts and against a recomputation from what was
//! written after random writes.

mod common;

use common::store::luoxi_regions;

use fupin::testing::test_store;
use fupin_core::id_number::check_char;
use fupin_core::measures::*;
use fupin_core::regions::PoorVillage;
use fupin_core::registry::*;
use fupin_core::store::{AuditFilter, EventFilter, Store, WorkplaceFilter};
use fupin_core::{Ctx, ErrorKind, RegionCode};
use rand::{Rng, SeedableRng};
use time::macros::date;
use time::Date;

const TAGANG: &str = "360124106204";
const SANFANG: &str = "360124106205";
const LUOXI: &str = "360124106000";
const JINXIAN: &str = "360124000000";

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn office() -> Ctx {
    Ctx::within("office", vec![code(JINXIAN)])
}

fn tagang_office() -> Ctx {
    Ctx::within("tagang", vec![code(TAGANG)])
}

fn idn(seq: u32) -> String {
    let body = format!("36012419800101{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

/// 罗溪镇 with 塔岗 (a poor village) and 三房; `n` one-person households in each village, their
/// persons returned as (塔岗's, 三房's).
async fn fixture(s: &dyn Store, n: u32) -> (Vec<PersonId>, Vec<PersonId>) {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    s.set_poor_village(
        &sys,
        &code(TAGANG),
        Some(PoorVillage {
            designation: "十三五省级贫困村".into(),
            designated_year: 2015,
            exit_year: None,
        }),
    )
    .await
    .unwrap();
    let (mut a, mut b) = (vec![], vec![]);
    for i in 0..2 * n {
        let village = if i < n { TAGANG } else { SANFANG };
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
                name: format!("劳动力{i}"),
                id_number: idn(i + 1),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        let d = s.create_household(&sys, new).await.unwrap();
        if i < n { &mut a } else { &mut b }.push(d.members[0].id);
    }
    (a, b)
}

fn post(village: &str, capacity: i32, opened: Date) -> WorkplaceInput {
    WorkplaceInput {
        kind: "公益性岗位".into(),
        name: "保洁岗".into(),
        region_code: village.into(),
        work_type: "保洁".into(),
        capacity,
        operator: Some("罗溪镇人民政府".into()),
        opened,
        closed: None,
        note: None,
    }
}

fn workshop(village: &str, capacity: i32, opened: Date, closed: Option<Date>) -> WorkplaceInput {
    WorkplaceInput {
        kind: "扶贫车间".into(),
        name: "来料加工车间".into(),
        work_type: "来料加工".into(),
        closed,
        ..post(village, capacity, opened)
    }
}

fn hire(p: PersonId, from: Date, to: Option<Date>) -> HireInput {
    HireInput {
        person_id: p,
        hire_date: from,
        leave_date: to,
        monthly_wage_fen: 80_000,
    }
}

fn clinic(region: &str, served: i64, medicine_fen: i64, persons: Vec<PersonId>) -> EventInput {
    EventInput {
        kind: "义诊".into(),
        title: "送医下乡".into(),
        region_code: region.into(),
        place: "村委会".into(),
        date: date!(2018 - 06 - 16),
        served_total: served,
        organiser: Some("南昌市人社局".into()),
        medicine_fen,
        leaflets: 0,
        placed_others: Placements::default(),
        person_ids: persons,
        note: None,
    }
}

async fn report(s: &dyn Store, region: &str, from: Date, to: Date) -> ServicesReport {
    s.services_report(&office(), &code(region), from, to)
        .await
        .unwrap()
}

#[tokio::test]
async fn workplaces_hires_and_their_figures() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (tagang, sanfang) = fixture(s, 4).await;
    let ctx = office();
    let p = s
        .create_workplace(&ctx, post(TAGANG, 2, date!(2017 - 03 - 01)))
        .await
        .unwrap();
    assert!(p.in_poor_village, "塔岗 is a designated poor village");
    assert_eq!(
        (p.kind, p.village_name.as_str()),
        (WorkplaceKind::Post, "塔岗村委会")
    );
    let w = s
        .create_workplace(
            &ctx,
            workshop(
                SANFANG,
                30,
                date!(2018 - 01 - 01),
                Some(date!(2018 - 12 - 31)),
            ),
        )
        .await
        .unwrap();
    assert!(!w.in_poor_village);
    // a township is no place for a workplace; an unknown village neither
    let e = s
        .create_workplace(&ctx, post(LUOXI, 1, date!(2017 - 03 - 01)))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("not_a_village", Some("region_code"))
    );
    // labourers from both villages: a post of 塔岗 may employ a labourer of 三房
    s.create_hire(
        &ctx,
        p.id,
        hire(
            tagang[0],
            date!(2017 - 04 - 01),
            Some(date!(2018 - 03 - 31)),
        ),
    )
    .await
    .unwrap();
    s.create_hire(&ctx, p.id, hire(sanfang[0], date!(2018 - 01 - 01), None))
        .await
        .unwrap();
    let e = s
        .create_hire(&ctx, p.id, hire(tagang[1], date!(2018 - 02 - 01), None))
        .await
        .unwrap_err();
    assert_eq!(e.code, "over_capacity");
    let e = s
        .create_hire(&ctx, p.id, hire(sanfang[0], date!(2019 - 01 - 01), None))
        .await
        .unwrap_err();
    assert_eq!((e.code, e.kind), ("duplicate_hire", ErrorKind::Conflict));
    // once the first has left there is room
    let later = s
        .create_hire(&ctx, p.id, hire(tagang[1], date!(2018 - 04 - 01), None))
        .await
        .unwrap();
    // the workshop closes at the end of 2018: its labourers leave by then
    let e = s
        .create_hire(&ctx, w.id, hire(tagang[2], date!(2018 - 05 - 01), None))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("out_of_range", Some("leave_date"))
    );
    for person in tagang.iter().chain(&sanfang).take(3) {
        s.create_hire(
            &ctx,
            w.id,
            hire(*person, date!(2018 - 05 - 01), Some(date!(2018 - 12 - 31))),
        )
        .await
        .unwrap();
    }
    // a hire outside the workshop's period is refused
    let e = s
        .create_hire(&ctx, w.id, hire(sanfang[3], date!(2019 - 02 - 01), None))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("out_of_range", Some("hire_date"))
    );

    // 2018: the post (in a poor village, 2 positions) and the workshop (30), 3 hires on the post
    // during the year and 3 in the workshop
    let r = report(s, LUOXI, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!(
        (
            r.posts.total,
            r.posts.in_poor_villages,
            r.posts.positions,
            r.posts.employed
        ),
        (1, 1, 2, 3)
    );
    assert_eq!(r.posts.employed_in_poor_villages, 3);
    assert_eq!(
        (
            r.workshops.total,
            r.workshops.in_poor_villages,
            r.workshops.positions,
            r.workshops.employed
        ),
        (1, 0, 30, 3)
    );
    // 2017: the post alone, one labourer; 2019: the workshop has closed
    let r = report(s, LUOXI, date!(2017 - 01 - 01), date!(2017 - 12 - 31)).await;
    assert_eq!(
        (r.posts.total, r.posts.employed, r.workshops.total),
        (1, 1, 0)
    );
    let r = report(s, LUOXI, date!(2019 - 01 - 01), date!(2019 - 12 - 31)).await;
    assert_eq!(
        (r.posts.employed, r.workshops.total, r.workshops.employed),
        (2, 0, 0)
    );
    // a village's report holds its own workplaces only
    let r = report(s, SANFANG, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!((r.posts.total, r.workshops.total), (0, 1));

    // a leave date moves the hire's figures
    let mut h = hire(
        tagang[1],
        date!(2018 - 04 - 01),
        Some(date!(2018 - 12 - 31)),
    );
    s.update_hire(&ctx, later.id, h.clone()).await.unwrap();
    let r = report(s, LUOXI, date!(2019 - 01 - 01), date!(2019 - 12 - 31)).await;
    assert_eq!(r.posts.employed, 1);
    h.person_id = tagang[2];
    assert_eq!(
        s.update_hire(&ctx, later.id, h).await.unwrap_err().code,
        "hire_person_fixed"
    );
    // the workshop cannot be shortened below its hires, nor move village
    let e = s
        .update_workplace(
            &ctx,
            w.id,
            workshop(
                SANFANG,
                30,
                date!(2018 - 06 - 01),
                Some(date!(2018 - 12 - 31)),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "hires_outside_period");
    let e = s
        .update_workplace(
            &ctx,
            w.id,
            workshop(TAGANG, 30, date!(2018 - 01 - 01), None),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "workplace_fixed");
    let changed = s
        .update_workplace(
            &ctx,
            w.id,
            workshop(SANFANG, 50, date!(2018 - 01 - 01), None),
        )
        .await
        .unwrap();
    assert_eq!((changed.version, changed.capacity), (2, 50));
    let r = report(s, LUOXI, date!(2019 - 01 - 01), date!(2019 - 12 - 31)).await;
    assert_eq!(
        (
            r.workshops.total,
            r.workshops.positions,
            r.workshops.employed
        ),
        (1, 50, 0)
    );

    // history and audit
    let hist = s.workplace_history(&ctx, p.id).await.unwrap();
    let entries: Vec<_> = hist
        .iter()
        .map(|v| (v.entity.as_str(), v.action.as_str()))
        .collect();
    assert_eq!(entries.iter().filter(|e| e.0 == "workplace").count(), 1);
    assert_eq!(entries.iter().filter(|e| e.0 == "hire").count(), 4);
    let audit = s
        .audit_log(
            &Ctx::system("t"),
            AuditFilter {
                action: Some("hire.update".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);

    // scope: 塔岗's office sees its post and not 三房's workshop (answered as unknown), and on the
    // post only the hires of 塔岗's households
    let t = tagang_office();
    let got = s.workplace(&t, p.id).await.unwrap();
    assert_eq!(got.hires.len(), 2, "三房's labourer is not shown to 塔岗");
    let unknown = s.workplace(&t, WorkplaceId(999_999)).await.unwrap_err();
    let hidden = s.workplace(&t, w.id).await.unwrap_err();
    assert_eq!((hidden.code, hidden.kind), (unknown.code, unknown.kind));
    assert_eq!(hidden.message, unknown.message);
    let list = s
        .workplaces(
            &t,
            &code(TAGANG),
            &WorkplaceFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.iter().map(|w| w.id).collect::<Vec<_>>(), [p.id]);
    // 塔岗's office cannot hire a labourer of 三房, nor register in 三房
    let e = s
        .create_hire(&t, p.id, hire(sanfang[1], date!(2019 - 01 - 01), None))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = s
        .create_workplace(&t, post(SANFANG, 1, date!(2019 - 01 - 01)))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    // pages of the county's list
    let all = s
        .workplaces(
            &ctx,
            &code(JINXIAN),
            &WorkplaceFilter {
                kind: Some(WorkplaceKind::Workshop),
                after: None,
                limit: 100,
            },
        )
        .await
        .unwrap();
    assert_eq!(all.iter().map(|w| w.id).collect::<Vec<_>>(), [w.id]);
}

#[tokio::test]
async fn events_total_and_registered() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (tagang, sanfang) = fixture(s, 3).await;
    let ctx = office();
    let c = s
        .create_event(
            &ctx,
            clinic(TAGANG, 60, 1_600_000, vec![tagang[0], tagang[1]]),
        )
        .await
        .unwrap();
    assert_eq!((c.event.registered, c.persons.len()), (2, 2));
    let fair = EventInput {
        kind: "招聘会".into(),
        title: "春风行动招聘会".into(),
        region_code: JINXIAN.into(),
        place: "县人力资源市场".into(),
        medicine_fen: 0,
        served_total: 500,
        placed_others: Placements {
            in_county: 40,
            in_province: 6,
            cross_province: 2,
        },
        person_ids: vec![tagang[2], sanfang[0]],
        ..clinic(JINXIAN, 0, 0, vec![])
    };
    let f = s.create_event(&ctx, fair.clone()).await.unwrap();
    let leaflets = EventInput {
        kind: "宣传发放".into(),
        title: "春风卡".into(),
        leaflets: 3_000,
        served_total: 800,
        medicine_fen: 0,
        ..clinic(LUOXI, 0, 0, vec![])
    };
    s.create_event(&ctx, leaflets).await.unwrap();
    // a person twice, more persons than served, a person out of reach, an unknown region
    let bad = |e: EventInput| async { s.create_event(&ctx, e).await.unwrap_err() };
    let e = bad(clinic(TAGANG, 1, 0, vec![tagang[0], tagang[1]])).await;
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("served_below_registered", Some("served_total"))
    );
    let e = bad(clinic(TAGANG, 5, 0, vec![tagang[0], tagang[0]])).await;
    assert_eq!(e.code, "repeated_person");
    let e = s
        .create_event(&tagang_office(), clinic(TAGANG, 5, 0, vec![sanfang[0]]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_deref()),
        (ErrorKind::NotFound, Some("person_ids[0]"))
    );
    let e = bad(clinic("360124106299", 5, 0, vec![])).await;
    assert_eq!(e.code, "region_not_found");

    let r = report(s, JINXIAN, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!((r.served.total, r.served.registered), (1_300, 2));
    assert_eq!(r.leaflets, 3_000);
    let h = r.health;
    assert_eq!(
        (
            h.outreach_events,
            h.outreach_served.total,
            h.outreach_served.registered,
            h.medicine_fen
        ),
        (1, 60, 2, 1_600_000)
    );
    let e = r.employment;
    assert_eq!(
        (
            e.in_county.total,
            e.in_province.total,
            e.cross_province.total,
            e.total.total
        ),
        (40, 6, 2, 48)
    );
    assert_eq!(e.total.registered, 0);
    // the county-level fair is not 罗溪镇's; the clinic is
    let r = report(s, LUOXI, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!((r.served.total, r.health.outreach_events), (800, 1));
    // another year holds nothing
    let r = report(s, JINXIAN, date!(2019 - 01 - 01), date!(2019 - 12 - 31)).await;
    assert_eq!((r.served.total, r.health.medicine_fen), (0, 0));

    // a change moves the figures, keeps a version and an audit record
    let changed = s
        .update_event(
            &ctx,
            f.event.id,
            EventInput {
                served_total: 450,
                person_ids: vec![sanfang[0]],
                ..fair.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!((changed.event.version, changed.event.registered), (2, 1));
    let r = report(s, JINXIAN, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!((r.served.total, r.served.registered), (1_250, 1));
    let e = s
        .update_event(
            &ctx,
            f.event.id,
            EventInput {
                region_code: LUOXI.into(),
                ..fair.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "event_region_fixed");
    let hist = s.event_history(&ctx, f.event.id).await.unwrap();
    assert_eq!(hist.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(hist[0].data["served_total"], 500);

    // 塔岗's office: the county's fair is out of reach, answered as unknown; its clinic is seen
    let t = tagang_office();
    let hidden = s.event(&t, f.event.id).await.unwrap_err();
    let unknown = s.event(&t, EventId(999_999)).await.unwrap_err();
    assert_eq!(
        (hidden.code, hidden.message),
        (unknown.code, unknown.message)
    );
    let list = s
        .events(
            &t,
            &code(TAGANG),
            &EventFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.iter().map(|e| e.id).collect::<Vec<_>>(), [c.event.id]);
    let list = s
        .events(
            &ctx,
            &code(JINXIAN),
            &EventFilter {
                kind: Some(EventKind::JobFair),
                from: Some(date!(2018 - 01 - 01)),
                to: Some(date!(2018 - 12 - 31)),
                after: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
}

/// Random workplaces, hires and events, then the report of random periods against a
/// recomputation from what was written.
#[tokio::test]
async fn figures_equal_a_recomputation_after_random_writes() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (tagang, sanfang) = fixture(s, 6).await;
    let persons: Vec<PersonId> = tagang.iter().chain(&sanfang).copied().collect();
    let ctx = office();
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let day = |rng: &mut rand::rngs::StdRng| {
        Date::from_calendar_date(
            rng.gen_range(2016..=2019),
            time::Month::try_from(rng.gen_range(1u8..=12)).unwrap(),
            rng.gen_range(1..=28),
        )
        .unwrap()
    };
    // (kind, poor, capacity, opened, closed), hires (workplace index, hire, leave), events
    let mut places: Vec<(WorkplaceId, WorkplaceKind, bool, i32, Date, Option<Date>)> = vec![];
    let mut hires: Vec<(usize, Date, Option<Date>)> = vec![];
    let mut events: Vec<(EventKind, &str, Date, i64, i64, i64)> = vec![];
    for _ in 0..40 {
        match rng.gen_range(0..4) {
            0 => {
                let village = if rng.gen_bool(0.5) { TAGANG } else { SANFANG };
                let opened = day(&mut rng);
                let closed = rng
                    .gen_bool(0.3)
                    .then(|| opened + time::Duration::days(rng.gen_range(0..700)));
                let cap = rng.gen_range(1..4);
                let input = if rng.gen_bool(0.5) {
                    workshop(village, cap, opened, closed)
                } else {
                    WorkplaceInput {
                        closed,
                        ..post(village, cap, opened)
                    }
                };
                let w = s.create_workplace(&ctx, input).await.unwrap();
                places.push((w.id, w.kind, village == TAGANG, cap, opened, closed));
            }
            1 | 2 if !places.is_empty() => {
                let i = rng.gen_range(0..places.len());
                let from = day(&mut rng);
                let to = rng
                    .gen_bool(0.5)
                    .then(|| from + time::Duration::days(rng.gen_range(0..500)));
                let p = persons[rng.gen_range(0..persons.len())];
                if s.create_hire(&ctx, places[i].0, hire(p, from, to))
                    .await
                    .is_ok()
                {
                    hires.push((i, from, to));
                }
            }
            _ => {
                let kind = EventKind::ALL[rng.gen_range(0..5)];
                let region = [TAGANG, SANFANG, LUOXI][rng.gen_range(0..3)];
                let n = rng.gen_range(0..3);
                let linked: Vec<PersonId> = persons[..n].to_vec();
                let served = rng.gen_range(3..100);
                let medicine = if kind == EventKind::HealthOutreach {
                    rng.gen_range(0..100_000)
                } else {
                    0
                };
                let when = day(&mut rng);
                let e = EventInput {
                    kind: kind.as_str().into(),
                    date: when,
                    ..clinic(region, served, medicine, linked)
                };
                s.create_event(&ctx, e).await.unwrap();
                events.push((kind, region, when, served, n as i64, medicine));
            }
        }
    }
    let overlaps =
        |a: Date, b: Option<Date>, from: Date, to: Date| a <= to && b.is_none_or(|b| b >= from);
    for _ in 0..6 {
        let y = rng.gen_range(2016..=2019);
        let (m1, m2) = (rng.gen_range(1u8..=12), rng.gen_range(1u8..=12));
        let (m1, m2) = (m1.min(m2), m1.max(m2));
        let from = Date::from_calendar_date(y, time::Month::try_from(m1).unwrap(), 1).unwrap();
        let to = time::util::days_in_month(time::Month::try_from(m2).unwrap(), y);
        let to = Date::from_calendar_date(y, time::Month::try_from(m2).unwrap(), to).unwrap();
        let r = report(s, LUOXI, from, to).await;
        // whole months: a period counts from its first month's first day to its last month's end
        for kind in WorkplaceKind::ALL {
            let f = if kind == WorkplaceKind::Workshop {
                r.workshops
            } else {
                r.posts
            };
            let open: Vec<_> = places
                .iter()
                .filter(|p| p.1 == kind && overlaps(month_start(p.4), p.5.map(month_end), from, to))
                .collect();
            assert_eq!(f.total, open.len() as i64, "{kind:?} {from}..{to}");
            assert_eq!(
                f.in_poor_villages,
                open.iter().filter(|p| p.2).count() as i64
            );
            assert_eq!(
                f.positions,
                open.iter().map(|p| i64::from(p.3)).sum::<i64>()
            );
            let employed = hires
                .iter()
                .filter(|h| {
                    places[h.0].1 == kind
                        && overlaps(month_start(h.1), h.2.map(month_end), from, to)
                })
                .count();
            assert_eq!(f.employed, employed as i64, "{kind:?} hires {from}..{to}");
        }
        let in_period: Vec<_> = events.iter().filter(|e| e.2 >= from && e.2 <= to).collect();
        let served: i64 = in_period
            .iter()
            .filter(|e| e.0.is_employment_service())
            .map(|e| e.3)
            .sum();
        assert_eq!(r.served.total, served);
        let medicine: i64 = in_period.iter().map(|e| e.5).sum();
        assert_eq!(r.health.medicine_fen, medicine);
        let n_events: i64 = r.events.iter().map(|e| e.events).sum();
        assert_eq!(n_events, in_period.len() as i64);
    }
}

fn month_start(d: Date) -> Date {
    d.replace_day(1).unwrap()
}

fn month_end(d: Date) -> Date {
    let n = time::util::days_in_month(d.month(), d.year());
    d.replace_day(n).unwrap()
}

#[tokio::test]
async fn a_roster_of_workplaces_registers_all_or_nothing() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let (tagang, sanfang) = fixture(s, 2).await;
    let ctx = office();
    let good = |p: PersonId| {
        (
            post(TAGANG, 1, date!(2018 - 01 - 01)),
            vec![hire(p, date!(2018 - 02 - 01), None)],
        )
    };
    // the third item's second hire overfills its workshop of one position: nothing is kept
    let bad = vec![
        good(tagang[0]),
        good(tagang[1]),
        (
            workshop(SANFANG, 1, date!(2018 - 01 - 01), None),
            vec![
                hire(sanfang[0], date!(2018 - 03 - 01), None),
                hire(sanfang[1], date!(2018 - 04 - 01), None),
            ],
        ),
    ];
    let e = s.register_workplaces(&ctx, bad).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("over_capacity", Some("[2].hires[1].person_id"))
    );
    let all = WorkplaceFilter {
        limit: 100,
        ..Default::default()
    };
    assert!(s
        .workplaces(&ctx, &code(LUOXI), &all)
        .await
        .unwrap()
        .is_empty());
    let r = report(s, LUOXI, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!((r.posts.total, r.workshops.employed), (0, 0));
    let n = s
        .register_workplaces(&ctx, vec![good(tagang[0]), good(sanfang[0])])
        .await
        .unwrap();
    assert_eq!(n, (2, 2));
    let r = report(s, LUOXI, date!(2018 - 01 - 01), date!(2018 - 12 - 31)).await;
    assert_eq!(
        (r.posts.total, r.posts.in_poor_villages, r.posts.employed),
        (2, 2, 2)
    );
    assert_eq!(
        s.workplaces(&ctx, &code(LUOXI), &all).await.unwrap().len(),
        2
    );
}
