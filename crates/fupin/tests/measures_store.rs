//! Contract tests of assistance measures, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
//! validation per kind through the store, the derived destination, history and audit, scope.

mod common;

use common::store::{idn, luoxi_regions};

use fupin::testing::test_store;
use fupin_core::accounts::{Grant, NewUser, Policy, Role};
use fupin_core::measures::*;
use fupin_core::pairing::{CadreInput, HelpingUnitInput, PairingInput};
use fupin_core::registry::*;
use fupin_core::store::{AuditFilter, Store};
use fupin_core::{Ctx, ErrorKind, RegionCode};
use time::macros::date;
use time::Date;

const TAGANG: &str = "360124106204";
const SANFANG: &str = "360124106205";

fn office() -> Ctx {
    Ctx::within("office", vec![RegionCode::parse("360124000000").unwrap()])
}

fn sanfang_office() -> Ctx {
    Ctx::within("sanfang", vec![RegionCode::parse(SANFANG).unwrap()])
}

struct Fixture {
    /// Households of 塔岗 (two) and 三房 (one).
    households: Vec<HouseholdId>,
    /// The heads: born 1970, 1950, 1980.
    heads: Vec<PersonId>,
}

async fn fixture(s: &dyn Store) -> Fixture {
    let sys = Ctx::system("setup");
    luoxi_regions(s).await;
    let mut households = vec![];
    let mut heads = vec![];
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
        households.push(d.household.id);
        heads.push(d.members[0].id);
    }
    Fixture { households, heads }
}

fn loan(h: HouseholdId, p: PersonId, amount_fen: i64, term: i32) -> MeasureInput {
    MeasureInput {
        household_id: h,
        person_id: Some(p),
        kind: "扶贫小额信贷".into(),
        start_date: date!(2018 - 03 - 01),
        end_date: None,
        amount_fen,
        provider: Some("进贤农商银行".into()),
        status: MeasureStatus::Active,
        note: None,
        details: DetailsInput::Loan(Loan {
            term_months: term,
            annual_rate_bp: 435,
            interest_subsidy_fen: 0,
            purpose: "养殖".into(),
            repaid_fen: 0,
        }),
    }
}

fn job(h: HouseholdId, p: PersonId, region: &str, form: &str, start: Date) -> MeasureInput {
    MeasureInput {
        household_id: h,
        person_id: Some(p),
        kind: "务工就业".into(),
        start_date: start,
        end_date: None,
        amount_fen: 0,
        provider: Some("进贤县人社局".into()),
        status: MeasureStatus::Active,
        note: None,
        details: DetailsInput::Employment(EmploymentInput {
            employer: "某服装厂".into(),
            employer_region_code: region.into(),
            employment_form: form.into(),
            months: 10,
            monthly_wage_fen: 300_000,
        }),
    }
}

async fn count(s: &dyn Store, h: HouseholdId) -> usize {
    s.household_measures(&Ctx::system("t"), h)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn rules_per_kind_refuse_and_leave_nothing() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (h, young, old) = (f.households[0], f.heads[0], f.heads[1]);
    let audit_before = s.verify_audit().await.unwrap().unwrap();

    let refused =
        |e: fupin_core::DomainError| (e.kind, e.code, e.field.unwrap_or_default(), e.message);
    // over the microcredit limit, too long, a borrower of 70 (born 1950, loan in 2021)
    let (kind, code, field, msg) = refused(
        s.create_measure(&office(), loan(h, young, 5_000_001, 36))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (kind, code, field.as_str()),
        (ErrorKind::Invalid, "over_limit", "amount_fen")
    );
    assert!(
        msg.contains("扶贫小额信贷") && msg.contains("50000.00"),
        "{msg}"
    );
    let (_, code, field, _) = refused(
        s.create_measure(&office(), loan(h, young, 1_000_000, 48))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code, field.as_str()),
        ("over_limit", "details.term_months")
    );
    let old_loan = MeasureInput {
        household_id: f.households[1],
        start_date: date!(2021 - 03 - 01),
        ..loan(f.households[1], old, 1_000_000, 12)
    };
    let (_, code, field, msg) = refused(s.create_measure(&office(), old_loan).await.unwrap_err());
    assert_eq!((code, field.as_str()), ("borrower_age", "person_id"));
    assert!(msg.contains("71 周岁"), "{msg}");
    // a member of another household is not a borrower of this one
    let (_, code, field, _) = refused(
        s.create_measure(&office(), loan(h, f.heads[2], 1_000_000, 12))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, field.as_str()), ("not_a_member", "person_id"));
    // end before start, negative amounts, overflowing amounts
    let backwards = MeasureInput {
        end_date: Some(date!(2018 - 01 - 01)),
        ..loan(h, young, 1_000_000, 12)
    };
    assert_eq!(
        s.create_measure(&office(), backwards)
            .await
            .unwrap_err()
            .code,
        "end_before_start"
    );
    let mut negative = job(h, young, "360124000000", "扶贫车间", date!(2019 - 01 - 01));
    if let DetailsInput::Employment(e) = &mut negative.details {
        e.monthly_wage_fen = -1;
    }
    let e = s.create_measure(&office(), negative).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("negative_amount", Some("details.monthly_wage_fen"))
    );
    let huge = MeasureInput {
        amount_fen: i64::MAX,
        ..loan(h, young, 0, 12)
    };
    let e = s.create_measure(&office(), huge).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("amount_too_large", Some("amount_fen"))
    );
    // nothing was written, not even an audit record
    assert_eq!(count(s, h).await, 0);
    assert_eq!(count(s, f.households[1]).await, 0);
    assert_eq!(s.verify_audit().await.unwrap(), Ok(audit_before));

    // within the limits it is recorded
    let ok = s
        .create_measure(&office(), loan(h, young, 5_000_000, 36))
        .await
        .unwrap();
    assert_eq!(
        (
            ok.category.as_str(),
            ok.kind.as_str(),
            ok.kind_label.as_str()
        ),
        ("09", "0901", "扶贫小额信贷")
    );
    assert_eq!(
        (ok.origin, ok.version, ok.person_name.as_deref()),
        (Origin::Entered, 1, Some("户主0"))
    );
}

#[tokio::test]
async fn employment_destination_is_derived_and_kept_in_step() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (h, p) = (f.households[0], f.heads[0]);
    let d = date!(2019 - 02 - 01);
    let mut seen = vec![];
    for region in ["360124106205", "360121000000", "440300000000"] {
        let m = s
            .create_measure(&office(), job(h, p, region, "外出务工", d))
            .await
            .unwrap();
        seen.push(m.details.destination());
    }
    assert_eq!(
        seen,
        [
            Some(Destination::InCounty),
            Some(Destination::InProvince),
            Some(Destination::CrossProvince)
        ]
    );
    // the province alone cannot tell county from province
    let e = s
        .create_measure(&office(), job(h, p, "360000000000", "外出务工", d))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("region_too_coarse", Some("details.employer_region_code"))
    );
    // a destination typed in by the client is not a field at all
    let body = |extra: serde_json::Value| {
        let mut details = serde_json::json!({"form": "employment", "employer": "厂",
            "employer_region_code": "360124000000", "employment_form": "外出务工", "months": 3,
            "monthly_wage_fen": 1});
        details
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value::<MeasureInput>(serde_json::json!({
            "household_id": h.0, "person_id": p.0, "kind": "务工就业", "start_date": "2019-02-01",
            "details": details,
        }))
    };
    assert!(body(serde_json::json!({})).is_ok());
    assert!(body(serde_json::json!({"destination": "cross_province"})).is_err());

    // moving the employer moves the destination, in the row the reports read too
    let all = s.household_measures(&office(), h).await.unwrap();
    let first = all[0].id;
    let moved = s
        .update_measure(&office(), first, job(h, p, "330100000000", "外出务工", d))
        .await
        .unwrap();
    assert_eq!(
        (moved.details.destination(), moved.version),
        (Some(Destination::CrossProvince), 2)
    );
    let stored = db_destination(&db, first.0).await;
    assert_eq!(stored, "cross_province");
}

async fn db_destination(db: &fupin::testing::TestDb, id: i64) -> String {
    db.texts(&format!("SELECT destination FROM measures WHERE id = {id}"))
        .await
        .remove(0)
}

#[tokio::test]
async fn history_audit_and_scope() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let (h, p) = (f.households[0], f.heads[0]);
    let m = s
        .create_measure(
            &office(),
            job(h, p, "360124000000", "扶贫车间", date!(2019 - 03 - 01)),
        )
        .await
        .unwrap();
    let ended = MeasureInput {
        end_date: Some(date!(2019 - 12 - 31)),
        status: MeasureStatus::Ended,
        ..job(h, p, "360124000000", "扶贫车间", date!(2019 - 03 - 01))
    };
    let after = s.update_measure(&office(), m.id, ended).await.unwrap();
    assert_eq!(
        (after.status, after.version, after.end_date),
        (MeasureStatus::Ended, 2, Some(date!(2019 - 12 - 31)))
    );
    let history = s.measure_history(&office(), m.id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.action.as_str(), v.data.status))
            .collect::<Vec<_>>(),
        [
            (1, "create", MeasureStatus::Active),
            (2, "update", MeasureStatus::Ended)
        ]
    );
    assert_eq!(history[0].actor, "office");
    // both writes are in the audit log, in 塔岗
    let log = s
        .audit_log(
            &Ctx::system("t"),
            AuditFilter {
                per_page: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ours: Vec<_> = log
        .items
        .iter()
        .filter(|e| e.entity == "measure")
        .map(|e| (e.action.as_str(), e.region.as_deref()))
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert!(
        ours.contains(&("measure.create", Some(TAGANG)))
            && ours.contains(&("measure.update", Some(TAGANG)))
    );
    // the household cannot change
    let elsewhere = MeasureInput {
        household_id: f.households[1],
        ..job(
            f.households[1],
            f.heads[1],
            "360124000000",
            "扶贫车间",
            date!(2019 - 03 - 01),
        )
    };
    assert_eq!(
        s.update_measure(&office(), m.id, elsewhere)
            .await
            .unwrap_err()
            .code,
        "household_fixed"
    );

    // another village's office neither sees nor writes 塔岗's measures
    let other = sanfang_office();
    assert_eq!(
        s.measure(&other, m.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.measure_history(&other, m.id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.household_measures(&other, h).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.create_measure(
            &other,
            job(h, p, "360124000000", "扶贫车间", date!(2020 - 01 - 01))
        )
        .await
        .unwrap_err()
        .kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.update_measure(
            &other,
            m.id,
            job(h, p, "360124000000", "扶贫车间", date!(2020 - 01 - 01))
        )
        .await
        .unwrap_err()
        .kind,
        ErrorKind::NotFound
    );
    assert_eq!(s.measure(&office(), m.id).await.unwrap().version, 2);
}

#[tokio::test]
async fn a_cadre_sees_measures_of_paired_households_only() {
    let db = test_store().await;
    let s = db.store.as_ref();
    let f = fixture(s).await;
    let sys = Ctx::system("setup");
    let user = s
        .create_user(
            &sys,
            NewUser {
                username: "cadre0".into(),
                display_name: "干部0".into(),
                unit: None,
                phone: None,
                password_hash: "x".into(),
                home_region: None,
            },
        )
        .await
        .unwrap();
    let user = s
        .grant(
            &sys,
            user.id,
            Grant {
                role: Role::Cadre,
                region: RegionCode::parse(TAGANG).unwrap(),
            },
        )
        .await
        .unwrap();
    let unit = s
        .create_unit(
            &office(),
            HelpingUnitInput {
                name: "南昌市人社局".into(),
                level: "市".into(),
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap();
    let cadre = s
        .create_cadre(
            &office(),
            CadreInput {
                name: "干部0".into(),
                unit_id: unit.id,
                rank: None,
                phone: None,
                user_id: Some(user.id.0),
                region_code: None,
            },
        )
        .await
        .unwrap();
    s.create_pairing(
        &office(),
        PairingInput {
            household_id: f.households[0],
            cadre_id: cadre.id,
            start_date: date!(2016 - 01 - 01),
        },
    )
    .await
    .unwrap();
    let mut ids = vec![];
    for i in 0..2 {
        let m = s
            .create_measure(
                &office(),
                job(
                    f.households[i],
                    f.heads[i],
                    "360124000000",
                    "扶贫车间",
                    date!(2019 - 03 - 01),
                ),
            )
            .await
            .unwrap();
        ids.push(m.id);
    }
    let ctx = user.principal().ctx(Policy::ReadRegistry, None).unwrap();
    assert_eq!(
        s.household_measures(&ctx, f.households[0])
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s.measure(&ctx, ids[0]).await.is_ok());
    assert_eq!(s.measure_history(&ctx, ids[0]).await.unwrap().len(), 1);
    assert_eq!(
        s.household_measures(&ctx, f.households[1])
            .await
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.measure(&ctx, ids[1]).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        s.measure_history(&ctx, ids[1]).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    // reading is not writing: even on the paired household a cadre records no measure
    let ctx = Ctx {
        cadre_user: Some(user.id.0),
        ..Ctx::within("cadre0", vec![])
    };
    assert_eq!(
        s.create_measure(
            &ctx,
            job(
                f.households[0],
                f.heads[0],
                "360124000000",
                "扶贫车间",
                date!(2020 - 01 - 01)
            )
        )
        .await
        .unwrap_err()
        .kind,
        ErrorKind::NotFound
    );
}
