//! The pairing report's maintained figures against a full recomputation from the rows, after
//! random writes of pairings (created, ended, replaced), visits, wishes, status changes (removal
//! among them) and moves to another village, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use fupin::testing::test_store;
use fupin_core::id_number::check_char;
use fupin_core::pairing::*;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, RegionCode};
use time::macros::date;
use time::{Date, Duration};

const VILLAGES: [&str; 4] = [
    "360124106204",
    "360124106205",
    "360124107201",
    "360123100201",
];

fn office() -> Ctx {
    Ctx::within("office", vec![RegionCode::parse("360000000000").unwrap()])
}

fn idn(seq: u32) -> String {
    let body = format!("36012419700101{seq:03}");
    format!("{body}{}", check_char(body.as_bytes()) as char)
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

async fn regions(s: &dyn Store) {
    let list = [
        ("360000000000", "江西省", ""),
        ("360100000000", "南昌市", "360000000000"),
        ("360123000000", "安义县", "360100000000"),
        ("360123100000", "龙津镇", "360123000000"),
        ("360123100201", "某村", "360123100000"),
        ("360124000000", "进贤县", "360100000000"),
        ("360124106000", "罗溪镇", "360124000000"),
        ("360124106204", "塔岗村委会", "360124106000"),
        ("360124106205", "三房村委会", "360124106000"),
        ("360124107000", "某镇", "360124000000"),
        ("360124107201", "某某村", "360124107000"),
    ];
    let recs = list
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

/// Every region of the fixture, villages to province.
fn all_regions() -> Vec<RegionCode> {
    [
        "360000000000",
        "360100000000",
        "360123000000",
        "360123100000",
        "360124000000",
        "360124106000",
        "360124107000",
    ]
    .iter()
    .chain(VILLAGES.iter())
    .map(|c| RegionCode::parse(c).unwrap())
    .collect()
}

/// Household `i` of the fixture: its head alone, in the `i`-th village (round the villages).
async fn household(s: &dyn Store, i: u32) -> HouseholdId {
    let village = VILLAGES[i as usize % VILLAGES.len()];
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: format!("{village}{:04}", i + 1),
            village_code: village.into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2015,
            main_cause: "01".into(),
            ..Default::default()
        },
        members: vec![MemberInput {
            name: format!("户主{i}"),
            id_number: idn(i * 2 + 1),
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

/// A city helping unit and `n` of its cadres.
async fn cadres_of_a_unit(s: &dyn Store, n: usize) -> Vec<CadreId> {
    cadres_of_unit(s, "南昌市人社局", n).await.1
}

/// The city helping unit `name` and `n` of its cadres (named `{name}干部{i}`).
async fn cadres_of_unit(s: &dyn Store, name: &str, n: usize) -> (UnitId, Vec<CadreId>) {
    let unit = s
        .create_unit(
            &office(),
            HelpingUnitInput {
                name: name.into(),
                level: "市".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap()
        .id;
    let mut cadres = Vec::new();
    for i in 0..n {
        let c = CadreInput {
            name: format!("{name}干部{i}"),
            unit_id: unit,
            rank: None,
            phone: None,
            user_id: None,
            region_code: Some("360100000000".into()),
        };
        cadres.push(s.create_cadre(&office(), c).await.unwrap().id);
    }
    (unit, cadres)
}

/// The maintained figures equal the recomputation for every region and year, and the lists hold
/// as many lines as the counts say.
async fn check(s: &dyn Store, when: &str) {
    let ctx = office();
    for r in all_regions() {
        for year in 2016..=fupin_core::years::today().year() {
            let kept = s.pairing_figures(&ctx, &r, year).await.unwrap();
            let again = s.recompute_pairing_figures(&ctx, &r, year).await.unwrap();
            assert_eq!(kept, again, "{when}: region {} year {year}", r.as_str());
            assert_eq!(
                s.pairing_units(&ctx, &r, year).await.unwrap(),
                s.recompute_pairing_units(&ctx, &r, year).await.unwrap(),
                "{when}: helping units of region {} year {year}",
                r.as_str()
            );
            if year == 2018 {
                let mut below = 0;
                let mut after = None;
                loop {
                    let page = s
                        .pairings_below_minimum(&ctx, &r, year, after, false, 2)
                        .await
                        .unwrap();
                    below += page.len() as i64;
                    match page.last() {
                        Some(l) if page.len() == 2 => {
                            after = Some((
                                RegionCode::parse(&l.village_code).unwrap(),
                                l.year.pairing_id,
                            ))
                        }
                        _ => break,
                    }
                }
                assert_eq!(below, kept.0.pairings_below, "{when}: {}", r.as_str());
            }
        }
        let without = s
            .households_without_cadre(&ctx, &r, None, false, 1000)
            .await
            .unwrap();
        let kept = s.pairing_figures(&ctx, &r, 2018).await.unwrap();
        assert_eq!(without.len() as i64, kept.2, "{when}: {}", r.as_str());
    }
}

#[tokio::test]
async fn maintained_pairing_figures_equal_a_full_recomputation_after_random_writes() {
    let t = test_store().await;
    let s = t.store.as_ref();
    regions(s).await;
    let sys = Ctx::system("setup");
    let mut households = Vec::new();
    for i in 0..12u32 {
        households.push(household(s, i).await);
    }
    // cadres of two helping units
    let (first_unit, mut cadres) = cadres_of_unit(s, "南昌市人社局", 3).await;
    let second = cadres_of_unit(s, "南昌市民政局", 2).await.1;
    cadres.extend(second.iter().copied());
    check(s, "households only").await;

    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut wishes: Vec<WishId> = Vec::new();
    let day0 = date!(2017 - 01 - 01);
    let mut status_day: Date = date!(2019 - 01 - 01);
    let (mut ok, mut refused) = (0, 0);
    for step in 0..90 {
        let h = households[rng.below(households.len() as u64) as usize];
        let c = cadres[rng.below(cadres.len() as u64) as usize];
        let day = day0 + Duration::days(rng.below(3 * 365) as i64);
        let kind = rng.below(10);
        let result = match kind {
            0..=2 => s
                .create_pairing(
                    &office(),
                    PairingInput {
                        household_id: h,
                        cadre_id: c,
                        start_date: day,
                    },
                )
                .await
                .map(|_| ()),
            3 => {
                let open: Vec<Pairing> = s
                    .household_pairings(&office(), h, &fupin_core::paging::Keyset::all())
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .filter(|p| p.end_date.is_none())
                    .collect();
                match open.first() {
                    Some(p) => s
                        .end_pairing(
                            &office(),
                            p.id,
                            EndPairingInput {
                                end_date: (p.start_date + Duration::days(200))
                                    .min(date!(2020 - 06 - 30)),
                                reason: "调整".into(),
                                replacement_cadre_id: (rng.below(2) == 0).then_some(c),
                            },
                        )
                        .await
                        .map(|_| ()),
                    None => Ok(()),
                }
            }
            4..=6 => {
                let mut present = vec![c];
                if rng.below(3) == 0 {
                    present.push(cadres[rng.below(cadres.len() as u64) as usize]);
                    present.dedup();
                }
                s.record_visit(
                    &office(),
                    VisitInput {
                        household_id: h,
                        date: day,
                        kind: "走访".into(),
                        cadre_ids: present,
                        findings: VisitFindings::default(),
                        problems: None,
                        actions: Some("了解生产生活情况".into()),
                        follow_up: None,
                        condolence_money_fen: rng.below(5) as i64 * 10_000,
                        goods: vec![],
                        location: None,
                        with_photo: false,
                    },
                )
                .await
                .map(|_| ())
            }
            7 => {
                if wishes.is_empty() || rng.below(2) == 0 {
                    s.create_wish(
                        &office(),
                        WishInput {
                            household_id: h,
                            person_id: None,
                            text: "想要一台电视".into(),
                            estimated_value_fen: 50_000,
                            submitted_on: day,
                        },
                    )
                    .await
                    .map(|w| wishes.push(w.id))
                } else {
                    let w = wishes[rng.below(wishes.len() as u64) as usize];
                    let action = if rng.below(2) == 0 {
                        WishAction::Fulfil {
                            date: day + Duration::days(30),
                            actual_value_fen: 40_000,
                        }
                    } else {
                        WishAction::Claim {
                            by: Claimant::Cadre(c),
                            date: day,
                        }
                    };
                    s.wish_action(&office(), w, action).await.map(|_| ())
                }
            }
            8 => {
                status_day += Duration::days(10);
                let to = [
                    HouseholdStatus::Exited,
                    HouseholdStatus::Removed,
                    HouseholdStatus::Monitored,
                    HouseholdStatus::Relapsed,
                ][rng.below(4) as usize];
                s.change_status(
                    &sys,
                    h,
                    StatusChangeInput {
                        to,
                        date: status_day,
                        reason: "核查".into(),
                        exit_year: None,
                    },
                )
                .await
                .map(|_| ())
            }
            _ => {
                // a move to another village
                let d = s.household(&sys, h).await.unwrap().household;
                let village = VILLAGES[rng.below(VILLAGES.len() as u64) as usize];
                let input = HouseholdInput {
                    household_number: d.household_number.clone(),
                    village_code: village.into(),
                    attribute: d.attribute.clone(),
                    identification_standard: d.identification_standard.clone(),
                    identification_year: d.identification_year,
                    main_cause: d.main_cause.clone(),
                    ..Default::default()
                };
                s.update_household(&sys, h, input).await.map(|_| ())
            }
        };
        match result {
            Ok(()) => ok += 1,
            Err(_) => refused += 1,
        }
        if step % 15 == 14 {
            check(s, &format!("after step {step}")).await;
        }
    }
    assert!(
        ok > 50,
        "most writes go through ({ok} done, {refused} refused)"
    );
    check(s, "after the writes").await;
    // the totals are not all zero: the check compared real figures
    let province = RegionCode::parse("360000000000").unwrap();
    let years_paired: Vec<i32> = {
        let mut v = Vec::new();
        for y in 2017..=2019 {
            if s.pairing_units(&office(), &province, y).await.unwrap() == 2 {
                v.push(y);
            }
        }
        v
    };
    assert!(!years_paired.is_empty(), "both units counted in some year");
    // every cadre of the second unit moves to the first: each year counts one unit less
    for (i, c) in second.iter().enumerate() {
        let input = CadreInput {
            name: format!("南昌市民政局干部{i}"),
            unit_id: first_unit,
            rank: None,
            phone: None,
            user_id: None,
            region_code: Some("360100000000".into()),
        };
        s.update_cadre(&office(), *c, input).await.unwrap();
    }
    check(s, "after cadres changed units").await;
    for y in years_paired {
        assert_eq!(
            s.pairing_units(&office(), &province, y).await.unwrap(),
            1,
            "{y}"
        );
    }
    let before = s.pairing_figures(&office(), &province, 2018).await.unwrap();
    let (f, cadres_2018, _) = before;
    assert!(f.pairings > 0 && f.visits > 0 && cadres_2018 > 0, "{f:?}");
    // a rebuild from the rows changes nothing
    s.rebuild_pairing_figures(&Ctx::system("system:test"))
        .await
        .unwrap();
    check(s, "after a rebuild").await;
    assert_eq!(
        s.pairing_figures(&office(), &province, 2018).await.unwrap(),
        before
    );
}

/// Visits to one household written at the same time (several writers at once on PostgreSQL) all
/// go through, and the figures they maintain equal the recomputation: each refresh of the
/// household's figures reads what the one before it committed.
#[tokio::test]
async fn concurrent_visits_to_one_household_keep_the_figures() {
    let t = test_store().await;
    let s = t.store.as_ref();
    regions(s).await;
    let h = household(s, 0).await;
    let cadre = cadres_of_a_unit(s, 1).await[0];
    s.create_pairing(
        &office(),
        PairingInput {
            household_id: h,
            cadre_id: cadre,
            start_date: date!(2017 - 01 - 01),
        },
    )
    .await
    .unwrap();
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..16i64 {
        let store = t.store.clone();
        writers.spawn(async move {
            store
                .record_visit(
                    &office(),
                    VisitInput {
                        household_id: h,
                        // the first visits of two years at once: their pairing-years are new
                        date: date!(2018 - 03 - 01) + Duration::days(i * 40),
                        kind: "走访".into(),
                        cadre_ids: vec![cadre],
                        findings: VisitFindings::default(),
                        problems: None,
                        actions: Some("了解生产生活情况".into()),
                        follow_up: None,
                        condolence_money_fen: 0,
                        goods: vec![],
                        location: None,
                        with_photo: false,
                    },
                )
                .await
        });
    }
    let mut done = 0;
    while let Some(r) = writers.join_next().await {
        r.unwrap()
            .expect("a visit written beside others goes through");
        done += 1;
    }
    assert_eq!(done, 16);
    check(s, "after concurrent visits").await;
    let village = RegionCode::parse(VILLAGES[0]).unwrap();
    let (f2018, _, _) = s.pairing_figures(&office(), &village, 2018).await.unwrap();
    let (f2019, _, _) = s.pairing_figures(&office(), &village, 2019).await.unwrap();
    assert_eq!(f2018.visits + f2019.visits, 16, "{f2018:?} {f2019:?}");
}
