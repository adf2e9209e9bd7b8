//! The audit log's tables as typed rows (see `crate::rows`): records waiting for the sealer
//! (`audit_pending`, appended by single writes and bulk imports alike), `audit_log` entries and the
//! chain's head — their column lists, decoders and value builders, and the chaining of pending
//! records into entries.

use crate::args;
use crate::rows::{Cols, Columns, Record, Select};
use crate::sql::Value;
use fupin_core::audit::{chain_hash, AuditEntry, AuditKeys, AuditRecord, StoredHead};
use fupin_core::store::{LastEntry, StoreResult};
use fupin_core::RegionCode;

/// The columns of an `audit_log` entry, in the order of [`entry_values`].
pub(crate) const AUDIT_COLS: Columns = Columns(&[
    "seq",
    "region_code",
    "at",
    "actor",
    "client",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
    "key_id",
]);

/// The columns of an [`AuditEntry`] where a `format!` string wants them.
pub(crate) const ENTRY_COLS: Select<AuditEntry> = Select::new();

impl Record for AuditEntry {
    fn columns() -> Columns {
        AUDIT_COLS
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(AuditEntry {
            seq: c.i64()?,
            region: c.opt_text()?,
            at: c.text()?,
            actor: c.text()?,
            client: c.opt_text()?,
            action: c.text()?,
            entity: c.text()?,
            entity_id: c.opt_text()?,
            before: c.opt_text()?,
            after: c.opt_text()?,
            prev_hash: c.text()?,
            hash: c.text()?,
            key_id: c.opt_text()?,
        })
    }
}

/// An entry's values in the order of [`AUDIT_COLS`].
pub(crate) fn entry_values(e: AuditEntry) -> Vec<Value> {
    Vec::from(args![
        e.seq,
        e.region,
        e.at,
        e.actor,
        e.client,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after,
        e.prev_hash,
        e.hash,
        e.key_id
    ])
}

/// The stored head (`audit_head`) as the verifier checks it.
impl Record for StoredHead {
    fn columns() -> Columns {
        Columns(&["seq", "hash", "signature"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(StoredHead {
            seq: c.i64()?,
            hash: c.text()?,
            signature: c.opt_text()?,
        })
    }
}

/// The columns of a [`StoredHead`].
pub(crate) const HEAD_COLS: Select<StoredHead> = Select::new();

/// The head with its last entry's time and key (`audit_head h LEFT JOIN audit_log l`).
impl Record for LastEntry {
    fn columns() -> Columns {
        Columns(&["h.seq", "h.hash", "l.at", "l.key_id"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(LastEntry {
            seq: c.i64()?,
            hash: c.text()?,
            at: c.opt_text()?,
            key_id: c.opt_text()?,
        })
    }
}

/// The columns of a [`LastEntry`].
pub(crate) const LAST_COLS: Select<LastEntry> = Select::new();

// ---- pending records ----

/// A record appended by a write and not yet sealed (`audit_pending`): its order of arrival, and
/// what its entry will hold besides the chain.
pub(crate) struct PendingRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub client: Option<String>,
    pub record: AuditRecord,
}

/// The columns of a [`PendingRecord`].
pub(crate) const PENDING_COLS: Select<PendingRecord> = Select::new();

/// A pending record's columns as a write appends it (its id assigned by the database), in the
/// order of [`pending_values`].
pub(crate) const PENDING_NEW: Columns = Columns(&[
    "region_code",
    "at",
    "actor",
    "client",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
]);

impl Record for PendingRecord {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "region_code",
            "at",
            "actor",
            "client",
            "action",
            "entity",
            "entity_id",
            "before_json",
            "after_json",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = c.i64()?;
        let region = c.opt_text()?.map(|r| RegionCode::parse(&r)).transpose()?;
        Ok(PendingRecord {
            id,
            at: c.text()?,
            actor: c.text()?,
            client: c.opt_text()?,
            record: AuditRecord {
                region,
                action: c.text()?,
                entity: c.text()?,
                entity_id: c.opt_text()?,
                before: c.opt_text()?,
                after: c.opt_text()?,
            },
        })
    }
}

/// A record's row as a write appends it ([`PENDING_NEW`]).
pub(crate) fn pending_values(
    at: &str,
    actor: &str,
    client: Option<&str>,
    r: AuditRecord,
) -> Vec<Value> {
    Vec::from(args![
        r.region.as_ref().map(|c| c.as_str()),
        at,
        actor,
        client,
        r.action,
        r.entity,
        r.entity_id,
        r.before,
        r.after
    ])
}

/// The `audit_log` rows of pending records, sealed with the current key of `keys` and chained in
/// the given order after `head`, which moves on to the last of them. One HMAC per row, no query.
pub(crate) fn chain_pending(
    keys: &AuditKeys,
    head: &mut (i64, String),
    pending: Vec<PendingRecord>,
) -> Vec<Vec<Value>> {
    let (seq, prev) = head;
    let key = keys.current();
    let mut rows = Vec::with_capacity(pending.len());
    for p in pending {
        *seq += 1;
        let hash = chain_hash(
            Some(key),
            prev,
            *seq,
            &p.at,
            &p.actor,
            p.client.as_deref(),
            &p.record,
        );
        let r = p.record;
        rows.push(entry_values(AuditEntry {
            seq: *seq,
            region: r.region.map(|c| c.as_str().to_string()),
            at: p.at,
            actor: p.actor,
            client: p.client,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            prev_hash: std::mem::replace(prev, hash.clone()),
            hash,
            key_id: Some(key.id().to_string()),
        }));
    }
    rows
}
