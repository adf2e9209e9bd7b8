//! The audit log: every write is recorded with masked personal data, the chain verifies, and a row
//! edited directly in the database is found.

mod common;

use common::store::idn;

use fupin::testing::test_store;
use fupin_core::audit::AuditRecord;
use fupin_core::regions::RegionRecord;
use fupin_core::registry::*;
use fupin_core::store::AuditFilter;
use fupin_core::{Ctx, RegionCode};

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
            household_number: "3601241062040001".into(),
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
        Some(1)
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
        Some(0)
    );
    let county = Ctx::within("auditor-c", vec![RegionCode::parse("360124").unwrap()]);
    assert_eq!(
        s.audit_log(&county, AuditFilter::default())
            .await
            .unwrap()
            .total,
        Some(2),
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
    s.seal_audit().await.unwrap();
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
    db.store.seal_audit().await.unwrap();
    if db.is_postgres() {
        db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
            .await;
    } else {
        db.raw("DROP TRIGGER audit_log_no_delete").await;
    }
    db.raw("DELETE FROM audit_log WHERE seq = 3").await;
    assert_eq!(db.store.verify_audit().await.unwrap().unwrap_err().seq, 3);
}

// ---- keyed chain and anchors: tampering by someone who can write the database ----

use fupin::testing::{test_audit_keys, TestDb};
use fupin_core::audit::{
    chain_hash, format_at, AuditAnchor, AuditEntry, AuditKeys, ChainReport, GENESIS_HASH,
};

/// Remove the append-only guard, as someone with full database access can.
async fn drop_guards(db: &TestDb) {
    if db.is_postgres() {
        db.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
            .await;
    } else {
        db.raw("DROP TRIGGER audit_log_no_update").await;
        db.raw("DROP TRIGGER audit_log_no_delete").await;
    }
}

async fn login_event(db: &TestDb, n: usize) {
    for i in 0..n {
        db.store
            .record_event(
                &Ctx::system("demo-admin"),
                AuditRecord::event("login", "user", Some(i.to_string()), serde_json::json!({})),
            )
            .await
            .unwrap();
    }
}

async fn report(db: &TestDb, anchor: Option<&AuditAnchor>) -> Result<ChainReport, i64> {
    db.store
        .check_audit(anchor)
        .await
        .unwrap()
        .map_err(|b| b.seq)
}

/// `fupin audit anchor`, in process.
async fn anchor(db: &TestDb) -> AuditAnchor {
    let r = report(db, None).await.expect("intact");
    AuditAnchor::seal(
        &test_audit_keys(),
        r.head_seq,
        &r.head_hash,
        r.head_at.as_deref(),
        &format_at(time::OffsetDateTime::now_utc()),
    )
}

/// Every entry, oldest first.
async fn entries(db: &TestDb) -> Vec<AuditEntry> {
    let f = AuditFilter {
        per_page: Some(500),
        ..Default::default()
    };
    let mut v = db
        .store
        .audit_log(&Ctx::system("a"), f)
        .await
        .unwrap()
        .items;
    v.reverse();
    v
}

async fn head_signature(db: &TestDb) -> String {
    db.texts("SELECT signature FROM audit_head").await.remove(0)
}

/// Seven entries; the head's signature when the fourth was the last; an anchor at the sixth.
async fn keyed_log(db: &TestDb) -> (String, AuditAnchor) {
    setup(db).await;
    login_event(db, 1).await;
    db.store.seal_audit().await.unwrap();
    let sig4 = head_signature(db).await;
    login_event(db, 2).await;
    let a = anchor(db).await;
    assert_eq!(a.seq, 6);
    login_event(db, 1).await;
    let r = report(db, Some(&a))
        .await
        .expect("the log holds the anchor's prefix");
    assert_eq!((r.checked, r.legacy, r.anchored), (7, 0, Some(6)));
    assert_eq!(r.keys, [test_audit_keys().current().id()]);
    (sig4, a)
}

#[tokio::test]
async fn entries_are_sealed_with_the_key_and_need_it() {
    let db = test_store().await;
    keyed_log(&db).await;
    let all = entries(&db).await;
    let id = test_audit_keys().current().id().to_string();
    assert!(all.iter().all(|e| e.key_id.as_deref() == Some(id.as_str())));
    // checked with another key, nothing checks out
    db.store
        .use_audit_keys(std::sync::Arc::new(AuditKeys::new([3; 32], 0)));
    assert_eq!(report(&db, None).await.unwrap_err(), 1);
    // a rotated ring checks the old entries and seals new ones with the new key
    let mut rotated = (*test_audit_keys()).clone();
    let new_id = rotated.rotate([4; 32]).id().to_string();
    db.store.use_audit_keys(std::sync::Arc::new(rotated));
    login_event(&db, 1).await;
    let r = report(&db, None).await.unwrap();
    assert_eq!(r.keys, [id, new_id.clone()]);
    assert_eq!(
        entries(&db).await[7].key_id.as_deref(),
        Some(new_id.as_str())
    );
}

#[tokio::test]
async fn a_deleted_tail_with_the_head_moved_back_fails() {
    let db = test_store().await;
    let (sig4, a) = keyed_log(&db).await;
    let h4 = entries(&db).await[3].hash.clone();
    drop_guards(&db).await;
    db.raw("DELETE FROM audit_log WHERE seq > 4").await;
    db.raw(&format!(
        "UPDATE audit_head SET seq = 4, hash = '{h4}', signature = NULL"
    ))
    .await;
    // the head is not signed with the key
    assert_eq!(report(&db, None).await.unwrap_err(), 5);
    db.raw(&format!(
        "UPDATE audit_head SET signature = '{}:{}'",
        test_audit_keys().current().id(),
        "0".repeat(64)
    ))
    .await;
    assert_eq!(report(&db, None).await.unwrap_err(), 5);
    // a head signature saved when the fourth entry was the last passes the key; the anchor
    // finds the missing tail
    db.raw(&format!("UPDATE audit_head SET signature = '{sig4}'"))
        .await;
    assert_eq!(report(&db, None).await.unwrap().checked, 4);
    assert_eq!(report(&db, Some(&a)).await.unwrap_err(), 5);
}

#[tokio::test]
async fn an_emptied_log_fails_against_the_anchor() {
    let db = test_store().await;
    let (_, a) = keyed_log(&db).await;
    drop_guards(&db).await;
    db.raw("DELETE FROM audit_log").await;
    db.raw(&format!(
        "UPDATE audit_head SET seq = 0, hash = '{GENESIS_HASH}', signature = NULL"
    ))
    .await;
    // an empty log keyed from the start looks like a new one to the key alone: the anchor
    // is what finds it
    assert_eq!(report(&db, None).await.unwrap().checked, 0);
    assert_eq!(report(&db, Some(&a)).await.unwrap_err(), 1);
}

/// Edit the third entry and recompute every hash from there with `key` (`None`: plain SHA-256),
/// keeping the key ids the entries claim; the head follows.
async fn rewrite_from_third(db: &TestDb, key: Option<&fupin_core::audit::AuditKey>) {
    let mut all = entries(db).await;
    drop_guards(db).await;
    all[2].actor = "mallory".into();
    for i in 2..all.len() {
        let prev = all[i - 1].hash.clone();
        let e = &mut all[i];
        e.prev_hash = prev;
        let rec = AuditRecord {
            region: e.region.as_deref().map(|c| RegionCode::parse(c).unwrap()),
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        };
        e.hash = chain_hash(
            key,
            &e.prev_hash,
            e.seq,
            &e.at,
            &e.actor,
            e.client.as_deref(),
            &rec,
        );
        db.raw(&format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
            e.actor, e.prev_hash, e.hash, e.seq
        ))
        .await;
    }
    let last = all.last().unwrap();
    let sig = match key {
        Some(_) => format!("'{}'", test_audit_keys().sign_head(last.seq, &last.hash)),
        None => "NULL".into(),
    };
    db.raw(&format!(
        "UPDATE audit_head SET seq = {}, hash = '{}', signature = {sig}",
        last.seq, last.hash
    ))
    .await;
}

#[tokio::test]
async fn an_edited_row_rehashed_from_there_fails() {
    // without the key: plain hashes, or a key of the attacker's own
    let theirs = AuditKeys::new([9; 32], 0);
    for key in [None, Some(theirs.current())] {
        let db = test_store().await;
        let (_, a) = keyed_log(&db).await;
        rewrite_from_third(&db, key).await;
        assert_eq!(report(&db, None).await.unwrap_err(), 3);
        assert_eq!(report(&db, Some(&a)).await.unwrap_err(), 3);
    }
    // with the key (and the database), the log checks out; only an anchor taken before finds it
    let db = test_store().await;
    let (_, a) = keyed_log(&db).await;
    let keys = test_audit_keys();
    rewrite_from_third(&db, Some(keys.current())).await;
    assert_eq!(report(&db, None).await.unwrap().checked, 7);
    assert_eq!(report(&db, Some(&a)).await.unwrap_err(), 6);
}

#[tokio::test]
async fn writes_without_keys_are_refused() {
    let db = test_store().await;
    let bare = fupin::open_store(&db.url).await.unwrap();
    let err = bare
        .record_event(
            &Ctx::system("a"),
            AuditRecord::event("login", "user", None, serde_json::json!({})),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "audit_key_missing");
    assert_eq!(
        report(&db, None).await.unwrap().checked,
        0,
        "nothing written"
    );
}

// ---- writes append, the sealer chains ----

use fupin_core::regions::VillageProfile;
use fupin_core::store::BulkProfile;

/// An import session that has appended a record and not committed yet.
async fn open_import(db: &TestDb) -> Box<dyn fupin_core::store::BulkSession> {
    let mut session = db
        .store
        .bulk_session(&Ctx::system("importer"), true)
        .await
        .unwrap();
    let village = RegionCode::parse("360124106204").unwrap();
    let profile = VillageProfile {
        village_code: village,
        year: 2018,
        collective_income_fen: Some(fupin_core::Fen::new(500_000)),
        rural_population: Some(1200),
        note: None,
    };
    session
        .put_profiles(vec![BulkProfile {
            before: None,
            after: profile,
        }])
        .await
        .unwrap();
    session
}

#[tokio::test]
async fn a_write_during_an_import_does_not_wait_for_it_and_the_chain_follows_commit_order() {
    let db = test_store().await;
    setup(&db).await;
    let session = open_import(&db).await;
    let event = AuditRecord::event("login", "user", Some("7".into()), serde_json::json!({}));
    if db.is_postgres() {
        // the import holds its transaction open: the write commits beside it, not after it
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            db.store.record_event(&Ctx::system("cadre"), event),
        )
        .await
        .expect("a write does not wait for an open import")
        .unwrap();
        // sealed before the import commits (the write asked for it; this waits for it)
        db.store.seal_audit().await.unwrap();
        session.finish(serde_json::json!({}), true).await.unwrap();
    } else {
        // one writer at a time: the import commits first
        session.finish(serde_json::json!({}), true).await.unwrap();
        db.store
            .record_event(&Ctx::system("cadre"), event)
            .await
            .unwrap();
    }
    let r = report(&db, None).await.expect("intact");
    assert_eq!((r.checked, r.pending), (6, 0));
    let actions: Vec<String> = entries(&db).await.into_iter().map(|e| e.action).collect();
    let tail: Vec<&str> = actions[3..].iter().map(String::as_str).collect();
    if db.is_postgres() {
        assert_eq!(tail, ["login", "village_profile.import", "import"]);
    } else {
        assert_eq!(tail, ["village_profile.import", "import", "login"]);
    }
}

#[tokio::test]
async fn records_left_unsealed_are_sealed_before_the_log_is_verified_or_listed() {
    let db = test_store().await;
    setup(&db).await;
    db.store.seal_audit().await.unwrap();
    // as after a crash between a write's commit and its sealing
    db.raw(
        "INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json) \
         VALUES ('360124106204', '2026-12-05T01:02:03.000000Z', 'officer-a', NULL, 'income.put', 'income', '1/2019', NULL, '{}')",
    )
    .await;
    assert_eq!(
        db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM audit_pending")
            .await,
        ["1"]
    );
    let r = report(&db, None).await.expect("intact");
    assert_eq!((r.checked, r.pending), (4, 0));
    assert_eq!(
        db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM audit_pending")
            .await,
        ["0"]
    );
    let last = entries(&db).await.pop().unwrap();
    assert_eq!(
        (last.seq, last.action.as_str(), last.entity_id.as_deref()),
        (4, "income.put", Some("1/2019"))
    );
    // listed as soon as it exists
    db.raw(
        "INSERT INTO audit_pending (region_code, at, actor, client, action, entity, entity_id, before_json, after_json) \
         VALUES (NULL, '2026-12-05T01:02:04.000000Z', 'admin', NULL, 'login', 'user', '1', NULL, '{}')",
    )
    .await;
    assert_eq!(entries(&db).await.len(), 5);
    assert_eq!(report(&db, None).await.unwrap().checked, 5);
}

/// Writes that commit while a sealing pass runs return at once and cause one more pass between
/// them, not one each: no write waits for the sealer, and no two sealing transactions of a
/// process wait on each other (on PostgreSQL they queued on the head row, each holding a pooled
/// connection). Their records are sealed right after, without being asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_a_sealing_pass_return_at_once_and_are_sealed_by_one_more_pass() {
    use fupin_core::store::AuditStore as _;
    let db = test_store().await;
    let store = std::sync::Arc::new(
        fupin_db::SqlStore::new(std::sync::Arc::from(db.backend().await))
            .await
            .unwrap(),
    );
    store.use_audit_keys(test_audit_keys());
    // a pass in progress, as the writes see it
    let held = store.hold_sealing().await;
    let writes: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record_event(
                        &Ctx::system("cadre"),
                        AuditRecord::event(
                            "login",
                            "user",
                            Some(i.to_string()),
                            serde_json::json!({}),
                        ),
                    )
                    .await
            })
        })
        .collect();
    // a guard against a hang, not a speed target
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        for w in writes {
            w.await.unwrap().unwrap();
        }
    })
    .await
    .expect("writes wait for the sealing pass");
    assert_eq!(store.sealing_passes(), 0);
    assert_eq!(
        db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM audit_pending")
            .await,
        ["32"]
    );
    drop(held);
    // sealed by the pass they asked for (polled, with a guard against a hang)
    let waited = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while db
            .texts("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log")
            .await
            != ["32"]
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the records were not sealed");
    assert_eq!(store.sealing_passes(), 1, "one sealing transaction for all");
    let r = store.check_audit(None).await.unwrap().expect("intact");
    assert_eq!((r.checked, r.pending), (32, 0));
}
