//! What the audit log asks of persistence: append, list by scope, verify the chain.

use crate::audit::{AuditEntry, AuditRecord, BrokenLink};
use crate::registry::Page;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
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
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Append an event in a transaction of its own (logins, failed logins, unmasked reads …).
    async fn record_event(&self, ctx: &Ctx, record: AuditRecord) -> StoreResult<()>;
    /// Entries in the caller's scope, newest first.
    async fn audit_log(&self, ctx: &Ctx, filter: AuditFilter) -> StoreResult<Page<AuditEntry>>;
    /// Walk the whole chain: the number of entries when intact, or the first broken one.
    async fn verify_audit(&self) -> StoreResult<Result<u64, BrokenLink>>;
}
