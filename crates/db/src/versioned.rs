//! The tail of every versioned write, written once: after a write has changed a row (its fields
//! and its next version), the record is read back in the write's transaction, its version is
//! appended to the area's history and the change is audited — in this order, so that the history
//! row and the audit record can hold the record as it now is.
//!
//! Measures, workplaces and hires, service events, projects and problems keep versions this way.
//! No caller hands in the version it expects (there is no `If-Match` in the API): a write reads
//! the row it changes in its own transaction and sets the next version from it.

use crate::sql::{Tx, Value};
use crate::SqlStore;
use fupin_core::audit::AuditRecord;
use fupin_core::store::StoreResult;
use fupin_core::Ctx;

/// A record kept with versions: how a write reads it back.
#[async_trait::async_trait]
pub(crate) trait Versioned: Sized + Send + Sync {
    /// The record `id` as the write left it, in the write's transaction.
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> StoreResult<Self>;
}

/// A statement and its values: a history row's `INSERT`.
pub(crate) type Statement<'a> = (&'a str, Vec<Value>);

impl SqlStore {
    /// Finish a versioned write of record `id` whose row the caller has just changed: read it back,
    /// append `history(&after)` and audit `audit(&after)`; returns the record after.
    pub(crate) async fn record_version<'h, T: Versioned>(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: i64,
        history: impl FnOnce(&T) -> Statement<'h> + Send,
        audit: impl FnOnce(&T) -> AuditRecord + Send,
    ) -> StoreResult<T> {
        let after = T::reload(self, tx, ctx, id).await?;
        let (sql, values) = history(&after);
        tx.execute(sql, &values).await?;
        self.audit(tx, ctx, audit(&after)).await?;
        Ok(after)
    }
}
