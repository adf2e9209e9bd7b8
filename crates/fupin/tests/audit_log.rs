//! The audit log: every write is recorded with masked personal data, the chain verifies, and a row
//! edited directly in the database is found.

use fupin::testing::test_store;
use fupin_core::audit::AuditRecord;
use fupin_core::id_number::check_char;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::AuditFilter;
use fupin_core::{Ctx, RegionCode};

fn idn(birth: &str, seq: u32) -> String {
    let body = format!("360124{birth}{seq:03}");
    let c = check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

async fn setup(db: &fupin::testing::TestDb) -> HouseholdId {
    let s = db.store.as_ref();
    let ctx = Ctx {
        client: Some("10.0.0.9".into()),
        ..Ctx::system("officer-a")
    };
    let regions = [
        ("360000000000", "江西省", ""),
        ("360100000000", "南昌市", "360000000000"),
        ("360124000000", "进贤县", "360100000000"),
        ("360124106000", "罗溪镇", "360124000000"),
        ("360124106204", "塔岗村委会", "360124106000"),
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
    s.import_regions(&ctx, recs).await.unwrap();
    let mut m = MemberInput {
        name: "甲".into(),
        id_number: idn("19700101", 11),
        relation: "户主".into(),
        ..Default::default()
    };
    m.phone = Some("13800138011".into());
    let new = NewHousehold {
        household: HouseholdInput {
            household_number: "H1".into(),
            village_code: "360124106204".into(),
            attribute: "01".into(),
            identification_standard: "01".into(),
            identification_year: 2014,
            main_cause: "01".into(),
            bank_account: Some("6217001234567890".into()),
            ..Default::default()
        },
        members: vec![m],
        initial_status: None,
    };
    let h = s.create_household(&ctx, new).await.unwrap();
    s.put_income(
        &ctx,
        h.household.id,
        2018,
        IncomeInput {
            wage_fen: 100_000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    h.household.id
}

#[tokio::test]
async fn writes_are_recorded_masked_and_the_chain_verifies() {
    let db = test_store().await;
    let id = setup(&db).await;
    let s = db.store.as_ref();
    let log = s
        .audit_log(&Ctx::system("auditor"), AuditFilter::default())
        .await
        .unwrap();
    let actions: Vec<_> = log.items.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["region.import", "household.create", "income.put"]);
    let create = &log.items[1];
    assert_eq!(
        (create.actor.as_str(), create.client.as_deref()),
        ("officer-a", Some("10.0.0.9"))
    );
    assert_eq!(create.entity_id.as_deref(), Some(id.0.to_string().as_str()));
    assert_eq!(create.region.as_deref(), Some("360124106204"));
    let after = create.after.as_deref().unwrap();
    assert!(
        !after.contains(&idn("19700101", 11)),
        "ID number masked in the log"
    );
    assert!(
        !after.contains("13800138011") && !after.contains("6217001234567890"),
        "phone and bank account masked"
    );
    assert!(after.contains("3601**********"));
    assert_eq!(s.verify_audit().await.unwrap(), Ok(3));

    // filters and scope
    let f = AuditFilter {
        action: Some("income.put".into()),
        ..Default::default()
    };
    assert_eq!(
        s.audit_log(&Ctx::system("auditor"), f).await.unwrap().total,
        1
    );
    let other = Ctx::within(
        "auditor-b",
        vec![RegionCode::parse("360124106205").unwrap()],
    );
    assert_eq!(
        s.audit_log(&other, AuditFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
    let county = Ctx::within("auditor-c", vec![RegionCode::parse("360124").unwrap()]);
    assert_eq!(
        s.audit_log(&county, AuditFilter::default())
            .await
            .unwrap()
            .total,
        2,
        "the region-less import is for nationwide auditors"
    );

    // events are chained too
    s.record_event(
        &Ctx::system("demo-admin"),
        AuditRecord::event("login", "user", Some("1".into()), serde_json::json!({})),
    )
    .await
    .unwrap();
    assert_eq!(s.verify_audit().await.unwrap(), Ok(4));
}

#[tokio::test]
async fn the_log_is_append_only_and_tampering_is_found() {
    let db = test_store().await;
    setup(&db).await;
    let s = db.store.as_ref();
    assert!(
        db.try_raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .await
            .is_err(),
        "updates are refused"
    );
    assert!(
        db.try_raw("DELETE FROM audit_log WHERE seq = 3")
            .await
            .is_err(),
        "deletes are refused"
    );
    // someone with database access removes the guard and edits a row
    if db.is_postgres() {
        db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
            .await;
    } else {
        db.raw("DROP TRIGGER audit_log_no_update").await;
    }
    db.raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .await;
    let broken = s.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 2);

    // a write whose transaction fails leaves no audit record
    let before = s
        .audit_log(&Ctx::system("a"), AuditFilter::default())
        .await
        .unwrap()
        .total;
    let bad = IncomeInput {
        wage_fen: -5,
        ..Default::default()
    };
    assert!(s
        .put_income(&Ctx::system("a"), HouseholdId(1), 2018, bad)
        .await
        .is_err());
    assert_eq!(
        s.audit_log(&Ctx::system("a"), AuditFilter::default())
            .await
            .unwrap()
            .total,
        before
    );
}

#[tokio::test]
async fn a_deleted_tail_is_found() {
    let db = test_store().await;
    setup(&db).await;
    if db.is_postgres() {
        db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
            .await;
    } else {
        db.raw("DROP TRIGGER audit_log_no_delete").await;
    }
    db.raw("DELETE FROM audit_log WHERE seq = 3").await;
    assert_eq!(db.store.verify_audit().await.unwrap().unwrap_err().seq, 3);
}
