//! The services report on SQLite and (with TEST_DATABASE_URL) PostgreSQL: figures equal to hand
//! counts, and equal to a full recomputation from the measures after random writes.

mod common;

use common::store::{idn, luoxi_regions};

use fupin::testing::test_store;
use fupin_core::measures::*;
use fupin_core::registry::*;
use fupin_core::store::Store;
use fupin_core::{Ctx, ErrorKind, RegionCode};
use rand::{Rng, SeedableRng};
use time::macros::date;
use time::Date;

const TAGANG: &str = "360124106204";
const SANFANG: &str = "360124106205";
const LUOXI: &str = "360124106000";

fn office() -> Ctx {
    Ctx::within("office", vec![RegionCode::parse("360124000000").unwrap()])
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// Households (with their heads) in 塔岗, 塔岗 and 三房; heads born 1970, 1950, 1980.
async fn fixture(s: &dyn Store) -> Vec<(HouseholdId, PersonId)> {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    let mut out = vec![];
    for (i, (village, birth)) in [
        (TAGANG, "19700501"),
        (TAGANG, "19500101"),
        (SANFANG, "19800101"),
    ]
    .into_iter()
    .enumerate()
    {
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
                id_number: idn(birth, i as u32 * 2 + 1),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        let d = s.create_household(&sys, new).await.unwrap();
        out.push((d.household.id, d.members[0].id));
    }
    out
}

fn base((h, p): (HouseholdId, PersonId), kind: &str, start: Date) -> MeasureInput {
    MeasureInput {
        household_id: h,
        person_id: Some(p),
        kind: kind.into(),
        start_date: start,
        end_date: None,
        amount_fen: 0,
        provider: None,
        status: MeasureStatus::Active,
        note: None,
        details: DetailsInput::General,
    }
}

fn job(
    hp: (HouseholdId, PersonId),
    kind: &str,
    region: &str,
    form: &str,
    wage: i64,
    months: i32,
    start: Date,
) -> MeasureInput {
    MeasureInput {
        details: DetailsInput::Employment(EmploymentInput {
            employer: "用工单位".into(),
            employer_region_code: region.into(),
            employment_form: form.into(),
            months,
            monthly_wage_fen: wage,
        }),
        ..base(hp, kind, start)
    }
}

fn loan(hp: (HouseholdId, PersonId), kind: &str, amount_fen: i64, start: Date) -> MeasureInput {
    MeasureInput {
        amount_fen,
        details: DetailsInput::Loan(Loan {
            term_months: 36,
            annual_rate_bp: 435,
            interest_subsidy_fen: 0,
            purpose: "养殖".into(),
            repaid_fen: 0,
        }),
        ..base(hp, kind, start)
    }
}

fn pension(
    hp: (HouseholdId, PersonId),
    receiving: bool,
    premium: i64,
    start: Date,
) -> MeasureInput {
    MeasureInput {
        details: DetailsInput::Pension(Pension {
            enrolled: true,
            receiving,
            premium_paid_by_government_fen: premium,
        }),
        ..base(hp, "城乡居民养老保险", start)
    }
}

fn training(
    hp: (HouseholdId, PersonId),
    subsidy: i64,
    certificate: bool,
    start: Date,
) -> MeasureInput {
    MeasureInput {
        details: DetailsInput::Training(Training {
            course: "电工".into(),
            training_type: TrainingType::Upgrading,
            hours: 40,
            certificate,
            subsidy_fen: subsidy,
            living_allowance_fen: 0,
        }),
        ..base(hp, "技能培训", start)
    }
}

fn education(hp: (HouseholdId, PersonId), tuition: i64, grant: i64, start: Date) -> MeasureInput {
    MeasureInput {
        details: DetailsInput::Education(Education {
            school: "进贤县职业学校".into(),
            stage: SchoolStage::Vocational,
            tuition_waived_fen: tuition,
            grant_fen: grant,
            yulu_fen: 0,
            dropout: false,
        }),
        ..base(hp, "学生资助", start)
    }
}

const Y2019: (Date, Date) = (date!(2019 - 01 - 01), date!(2019 - 12 - 31));

async fn report(s: &dyn Store, region: &str) -> ServicesReport {
    s.services_report(&office(), &code(region), Y2019.0, Y2019.1)
        .await
        .unwrap()
}

#[tokio::test]
async fn figures_equal_hand_counts() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let hh = fixture(s).await;
    let (h0, h1, h2) = (hh[0], hh[1], hh[2]);
    let o = office();
    let d = |m: u8| Date::from_calendar_date(2019, time::Month::try_from(m).unwrap(), 10).unwrap();
    s.create_measure(
        &o,
        job(
            h0,
            "务工就业",
            "360124000000",
            "扶贫车间",
            300_000,
            10,
            d(3),
        ),
    )
    .await
    .unwrap();
    s.create_measure(
        &o,
        job(h1, "公益性岗位", TAGANG, "公益性岗位", 80_000, 12, d(1)),
    )
    .await
    .unwrap();
    let far = s
        .create_measure(
            &o,
            job(
                h2,
                "务工就业",
                "440300000000",
                "外出务工",
                450_000,
                12,
                d(2),
            ),
        )
        .await
        .unwrap();
    s.create_measure(&o, loan(h0, "扶贫小额信贷", 5_000_000, d(3)))
        .await
        .unwrap();
    let startup = s
        .create_measure(&o, loan(h1, "创业担保贷款", 10_000_000, d(4)))
        .await
        .unwrap();
    s.create_measure(&o, pension(h0, false, 10_000, d(1)))
        .await
        .unwrap();
    s.create_measure(&o, pension(h1, true, 0, d(1)))
        .await
        .unwrap();
    s.create_measure(&o, training(h0, 100_000, true, d(5)))
        .await
        .unwrap();
    s.create_measure(&o, education(h2, 200_000, 150_000, d(9)))
        .await
        .unwrap();
    s.create_measure(&o, base(h1, "公共就业服务", d(6)))
        .await
        .unwrap();
    // outside the period, and cancelled: neither counts
    s.create_measure(
        &o,
        job(
            h0,
            "务工就业",
            "440300000000",
            "外出务工",
            1,
            1,
            date!(2020 - 01 - 01),
        ),
    )
    .await
    .unwrap();
    s.create_measure(
        &o,
        job(
            h0,
            "务工就业",
            "440300000000",
            "外出务工",
            1,
            1,
            date!(2018 - 12 - 31),
        ),
    )
    .await
    .unwrap();
    s.create_measure(
        &o,
        MeasureInput {
            status: MeasureStatus::Cancelled,
            ..base(h0, "公共就业服务", d(6))
        },
    )
    .await
    .unwrap();

    let r = report(s, LUOXI).await;
    let e = r.employment;
    assert_eq!(
        (
            e.in_county.registered,
            e.in_province.registered,
            e.cross_province.registered,
            e.total.registered
        ),
        (2, 0, 1, 3)
    );
    assert_eq!(
        (e.in_workshops, e.on_posts, e.wages_fen),
        (1, 1, 3_000_000 + 960_000 + 5_400_000)
    );
    let l = r.loans;
    assert_eq!(
        (l.microcredit, l.microcredit_fen, l.startup, l.startup_fen),
        (1, 5_000_000, 1, 10_000_000)
    );
    let p = r.pension;
    assert_eq!(
        (
            p.enrolled,
            p.receiving,
            p.paid_by_government,
            p.paid_by_government_fen
        ),
        (2, 1, 1, 10_000)
    );
    let t = r.training;
    assert_eq!(
        (t.trained.registered, t.certificates, t.subsidy_fen),
        (1, 1, 100_000)
    );
    let ed = r.education;
    assert_eq!(
        (
            ed.students,
            ed.tuition_waived_students,
            ed.tuition_waived_fen,
            ed.grants_fen
        ),
        (1, 1, 200_000, 150_000)
    );
    assert_eq!(r.served.registered, 1);
    // 塔岗 alone: no 三房 job, no student
    let t = report(s, TAGANG).await;
    assert_eq!(
        (
            t.employment.in_county.registered,
            t.employment.cross_province.registered,
            t.education.students
        ),
        (2, 0, 0)
    );

    // the Shenzhen job moves into the county, the startup loan is cancelled
    s.update_measure(
        &o,
        far.id,
        job(
            h2,
            "务工就业",
            "360124000000",
            "外出务工",
            450_000,
            12,
            d(2),
        ),
    )
    .await
    .unwrap();
    s.update_measure(
        &o,
        startup.id,
        MeasureInput {
            status: MeasureStatus::Cancelled,
            ..loan(h1, "创业担保贷款", 10_000_000, d(4))
        },
    )
    .await
    .unwrap();
    let r = report(s, LUOXI).await;
    assert_eq!(
        (
            r.employment.in_county.registered,
            r.employment.cross_province.registered
        ),
        (3, 0)
    );
    assert_eq!((r.loans.startup, r.loans.startup_fen), (0, 0));
    // 2020 alone holds the one job outside 2019
    let y2020 = s
        .services_report(
            &o,
            &code(LUOXI),
            date!(2020 - 01 - 01),
            date!(2020 - 12 - 31),
        )
        .await
        .unwrap();
    assert_eq!(y2020.employment.cross_province.registered, 1);

    // whole months only; another village's office sees its own village, not the township
    let e = s
        .services_report(&o, &code(LUOXI), date!(2019 - 01 - 02), Y2019.1)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("period_not_whole_months", Some("from"))
    );
    let sanfang = Ctx::within("sanfang", vec![code(SANFANG)]);
    assert_eq!(
        s.services_report(&sanfang, &code(LUOXI), Y2019.0, Y2019.1)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    let own = s
        .services_report(&sanfang, &code(SANFANG), Y2019.0, Y2019.1)
        .await
        .unwrap();
    assert_eq!(
        (own.employment.in_county.registered, own.education.students),
        (1, 1)
    );
}

/// Villages outside 罗溪镇 at every level of difference: another township of 进贤县, another county
/// of 南昌市, another city of 江西省, another province, and a township of a city without counties
/// (东莞市, whose township's parent is the city). Returns the codes of every region above them too.
const ELSEWHERE: [(&str, &str, &str); 14] = [
    ("360124100000", "民和镇", "360124000000"),
    ("360124100201", "民和村委会", "360124100000"),
    ("360121000000", "南昌县", "360100000000"),
    ("360121100000", "莲塘镇", "360121000000"),
    ("360121100201", "莲塘村委会", "360121100000"),
    ("360400000000", "九江市", "360000000000"),
    ("360402000000", "濂溪区", "360400000000"),
    ("360402100000", "十里街道", "360402000000"),
    ("360402100201", "十里村委会", "360402100000"),
    ("440000000000", "广东省", ""),
    ("441900000000", "东莞市", "440000000000"),
    ("441900003000", "东城街道", "441900000000"),
    ("441900003201", "东城村委会", "441900003000"),
    ("440300000000", "深圳市", "440000000000"),
];

/// One household (with its head) in each village of [`ELSEWHERE`].
async fn households_elsewhere(s: &dyn Store) -> Vec<(HouseholdId, PersonId)> {
    let sys = Ctx::system("setup");
    let recs = ELSEWHERE
        .iter()
        .enumerate()
        .map(|(i, (c, n, p))| {
            (
                i as u64 + 2,
                fupin_core::regions::RegionRecord {
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
    for (i, (village, _, _)) in ELSEWHERE
        .iter()
        .filter(|(c, _, _)| code(c).level() == fupin_core::regions::Level::Village)
        .enumerate()
    {
        let new = NewHousehold {
            household: HouseholdInput {
                household_number: format!("{village}{:04}", i + 1),
                village_code: village.to_string(),
                attribute: "01".into(),
                identification_standard: "01".into(),
                identification_year: 2014,
                main_cause: "01".into(),
                ..Default::default()
            },
            members: vec![MemberInput {
                name: format!("户主外{i}"),
                id_number: idn("19750101", i as u32 * 2 + 21),
                relation: "01".into(),
                ..Default::default()
            }],
            initial_status: None,
        };
        let d = s.create_household(&sys, new).await.unwrap();
        out.push((d.household.id, d.members[0].id));
    }
    out
}

/// The report from the measures as they are, summed in the test.
async fn recomputed(
    s: &dyn Store,
    hh: &[(HouseholdId, PersonId)],
    region: &str,
    from: Date,
    to: Date,
) -> ServicesReport {
    let (first, last) = check_report_period(from, to).unwrap();
    let region = code(region);
    let mut sums: std::collections::BTreeMap<(String, String), Tally> = Default::default();
    for (h, _) in hh {
        for m in s.household_measures(&Ctx::system("t"), *h).await.unwrap() {
            let Some((k, t)) = m.data().tally(&m.village_code) else {
                continue;
            };
            if region.contains(&k.village) && (first..=last).contains(&k.month) {
                sums.entry((k.kind, k.destination)).or_default().add(&t, 1);
            }
        }
    }
    let rows: Vec<_> = sums
        .into_iter()
        .filter(|(_, t)| !t.is_zero())
        .map(|((k, d), t)| (k, d, t))
        .collect();
    ServicesReport::from_tallies(region, from, to, &rows)
}

#[tokio::test]
async fn figures_equal_a_full_recomputation_after_random_writes() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let mut hh = fixture(s).await;
    hh.extend(households_elsewhere(s).await);
    // writes anywhere; the reports read by the whole country's scope
    let o = Ctx::system("office");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let regions = [
        "360124000000",
        "360121000000",
        "440300000000",
        TAGANG,
        SANFANG,
    ];
    let random = |rng: &mut rand_chacha::ChaCha8Rng| {
        let hp = hh[rng.gen_range(0..hh.len())];
        let start = date!(2018 - 11 - 01) + time::Duration::days(rng.gen_range(0..500));
        let mut m = match rng.gen_range(0..7) {
            0 => job(
                hp,
                "务工就业",
                regions[rng.gen_range(0..regions.len())],
                ["外出务工", "扶贫车间", "灵活就业"][rng.gen_range(0..3)],
                rng.gen_range(0..600_000),
                rng.gen_range(1..13),
                start,
            ),
            1 => job(
                hp,
                "公益性岗位",
                TAGANG,
                "公益性岗位",
                rng.gen_range(0..100_000),
                rng.gen_range(1..13),
                start,
            ),
            2 => loan(hp, "创业担保贷款", rng.gen_range(1..20_000_000), start),
            3 => pension(hp, rng.gen_bool(0.5), rng.gen_range(0..2) * 10_000, start),
            4 => training(hp, rng.gen_range(0..200_000), rng.gen_bool(0.5), start),
            5 => education(
                hp,
                rng.gen_range(0..300_000),
                rng.gen_range(0..200_000),
                start,
            ),
            _ => MeasureInput {
                amount_fen: rng.gen_range(0..1_000_000),
                ..base(hp, "公共就业服务", start)
            },
        };
        if rng.gen_bool(0.15) {
            m.status = MeasureStatus::Cancelled;
        }
        m
    };
    let mut ids: Vec<(MeasureId, HouseholdId)> = vec![];
    for _ in 0..160 {
        if ids.is_empty() || rng.gen_bool(0.6) {
            let m = random(&mut rng);
            let out = s.create_measure(&o, m).await.unwrap();
            ids.push((out.id, out.household_id));
        } else {
            let (id, h) = ids[rng.gen_range(0..ids.len())];
            // any new content on the same household: kind, dates, destination and status move
            let mut m = random(&mut rng);
            while m.household_id != h {
                m = random(&mut rng);
            }
            s.update_measure(&o, id, m).await.unwrap();
        }
    }
    // every level: each village, township, county, city and province holding a household, the
    // regions beside them, and the nation
    let mut every: Vec<RegionCode> = vec![RegionCode::nation()];
    for (h, _) in &hh {
        let d = s.household(&Ctx::system("t"), *h).await.unwrap();
        let v = d.household.village_code.clone();
        every.extend(v.ancestors());
        every.push(v);
    }
    every.extend(ELSEWHERE.iter().map(|(c, _, _)| code(c)));
    every.sort();
    every.dedup();
    assert!(every.len() >= 20, "{every:?}");
    let mut compared = std::collections::BTreeSet::new();
    for region in every.iter().map(|c| c.as_str()) {
        for (from, to) in [
            (date!(2019 - 01 - 01), date!(2019 - 12 - 31)),
            (date!(2018 - 11 - 01), date!(2020 - 03 - 31)),
            (date!(2019 - 06 - 01), date!(2019 - 06 - 30)),
        ] {
            let stored = s
                .services_report(&o, &code(region), from, to)
                .await
                .unwrap();
            assert_eq!(
                stored,
                recomputed(s, &hh, region, from, to).await,
                "{region} {from}–{to}"
            );
            if stored.by_kind.iter().any(|k| k.measures > 0) {
                compared.insert(code(region).level());
            }
        }
    }
    // figures were compared at every level, not only empty reports
    assert_eq!(compared.len(), 6, "{compared:?}");
    // and the whole period is not empty: the comparison compared something
    let all = s
        .services_report(
            &o,
            &code(LUOXI),
            date!(2018 - 11 - 01),
            date!(2020 - 03 - 31),
        )
        .await
        .unwrap();
    assert!(
        all.by_kind.iter().map(|k| k.measures).sum::<i64>() > 20,
        "{all:?}"
    );
}
