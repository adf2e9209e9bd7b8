//! What the audit log asks of persistence: append, list by scope, verify the chain.

use crate::audit::{AuditAnchor, AuditEntry, AuditKeys, AuditRecord, BrokenLink, ChainReport};
use crate::registry::Page;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;
use std::sync::Arc;

/// The last entry of the log, read without walking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEntry {
    /// 0 when the log is empty.
    pub seq: i64,
    pub hash: String,
    pub at: Option<String>,
    /// The key it is sealed with (none: written before keying, or the log is empty).
    pub key_id: Option<String>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// From this UTC date (inclusive), `YYYY-MM-DD`.
    pub from: Option<time::Date>,
    /// To this UTC date (inclusive).
    pub to: Option<time::Date>,
    /// Page number (newest first), for the first pages only; further pages by `after`.
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// The previous page's `next` (a sequence number): the entries before it, newest first.
    pub after: Option<i64>,
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Append an event in a transaction of its own (logins, failed logins, unmasked reads …).
    async fn record_event(&self, ctx: &Ctx, record: AuditRecord) -> StoreResult<()>;
    /// Entries in the caller's scope, newest first.
    async fn audit_log(&self, ctx: &Ctx, filter: AuditFilter) -> StoreResult<Page<AuditEntry>>;
    /// Seal new entries with the current key of `keys`, and check entries with all of them.
    /// Until this is called, writes that need an audit record fail.
    fn use_audit_keys(&self, keys: Arc<AuditKeys>);
    /// Chain every record that writes have appended and committed so far into the log; how many
    /// were chained. Stores that chain as they write have nothing to do.
    async fn seal_audit(&self) -> StoreResult<u64> {
        Ok(0)
    }
    /// The log's last entry (as the head row names it), for setting up keys and anchors.
    async fn last_audit_entry(&self) -> StoreResult<LastEntry>;
    /// Walk the whole chain with the keys in use, and against `anchor` when given: what was
    /// checked when intact, or the first broken entry.
    async fn check_audit(
        &self,
        anchor: Option<&AuditAnchor>,
    ) -> StoreResult<Result<ChainReport, BrokenLink>>;
    /// Walk the whole chain: the number of entries when intact, or the first broken one.
    async fn verify_audit(&self) -> StoreResult<Result<u64, BrokenLink>> {
        Ok(self.check_audit(None).await?.map(|r| r.checked))
    }
}
