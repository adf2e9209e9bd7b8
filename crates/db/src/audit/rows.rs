//! The audit log's tables as typed rows (see `crate::rows`): `audit_log` entries, the chain's
//! head — their column lists, decoders and the entry's value builder, for single writes, bulk
//! imports, listings and verification alike.

use crate::args;
use crate::rows::{Cols, Columns, Record, Select};
use crate::sql::Value;
use fupin_core::audit::{AuditEntry, StoredHead};
use fupin_core::store::{LastEntry, StoreResult};

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
