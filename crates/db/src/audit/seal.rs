//! The sealer: chains committed pending audit records into `audit_log`, in the order it finds
//! them committed, one short transaction per batch (see `crate::audit`). The store's backend is
//! wrapped so that every write transaction that appended a record seals one batch right after it
//! commits; `SqlStore::seal_audit` seals everything, before the log is listed or verified and
//! periodically while the server runs.

use super::rows::{chain_pending, PendingRecord, AUDIT_COLS, PENDING_COLS};
use super::{read_head, write_head};
use crate::bulk::id_list;
use crate::rows::Record;
use crate::sql::{insert_rows, Backend, DbResult, Droppable, Row, Tx, Value};
use async_trait::async_trait;
use fupin_core::audit::AuditKeys;
use fupin_core::store::{PoolStatus, StoreResult};
use std::sync::{Arc, RwLock};

/// Records a write's transaction seals after it commits: enough for its own, bounded so that a
/// write after a large import does not pay for sealing the import.
const SEAL_AFTER_COMMIT: i64 = 500;
/// Records per transaction when sealing everything.
const SEAL_BATCH: i64 = 5000;

/// The keys in use, shared by the store and its sealer.
pub(crate) type SharedKeys = Arc<RwLock<Option<Arc<AuditKeys>>>>;

/// What seals: the backend itself (not the wrapper, so that sealing does not seal again) and the
/// store's keys.
pub(crate) struct Sealer {
    db: Arc<dyn Backend>,
    keys: SharedKeys,
}

impl Sealer {
    pub fn new(db: Arc<dyn Backend>, keys: SharedKeys) -> Self {
        Sealer { db, keys }
    }

    /// Seal up to `limit` pending records in one transaction; how many were sealed.
    pub async fn seal_batch(&self, limit: i64) -> StoreResult<u64> {
        let keys = super::keys_in_use(&self.keys)?;
        let mut tx = self.db.begin_write().await?;
        // the head's lock makes sealers take turns; writers never take it
        let mut head = read_head(tx.as_mut(), self.db.lock_rows()).await?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {PENDING_COLS} FROM audit_pending ORDER BY id LIMIT $1"),
                &[Value::from(limit)],
            )
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let pending = rows
            .iter()
            .map(PendingRecord::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
        let n = pending.len() as u64;
        let entries = chain_pending(&keys, &mut head, pending);
        insert_rows(tx.as_mut(), "audit_log", AUDIT_COLS.names(), entries).await?;
        // by id, never by range: a record with a lower id may commit after this batch
        for chunk in ids.chunks(crate::bulk::IN_CHUNK) {
            tx.execute(
                &format!("DELETE FROM audit_pending WHERE id IN ({})", id_list(chunk)),
                &[],
            )
            .await?;
        }
        write_head(tx.as_mut(), &keys, &head).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Seal every record committed so far; how many were sealed.
    pub async fn seal_all(&self) -> StoreResult<u64> {
        let mut total = 0;
        loop {
            let n = self.seal_batch(SEAL_BATCH).await?;
            total += n;
            if n < SEAL_BATCH as u64 {
                return Ok(total);
            }
        }
    }

    /// After a write committed: seal its record (and a few before it). A failure here loses
    /// nothing — the record stays pending for the next sealing — so it is logged, not returned.
    async fn after_commit(&self) {
        if let Err(e) = self.seal_batch(SEAL_AFTER_COMMIT).await {
            tracing::warn!(
                code = e.code,
                "audit records left pending for the next sealing"
            );
        }
    }
}

/// The store's backend: the engine's, with write transactions that seal after they commit.
pub(crate) struct SealingBackend {
    pub inner: Arc<dyn Backend>,
    pub sealer: Arc<Sealer>,
}

#[async_trait]
impl Backend for SealingBackend {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    async fn begin_write(&self) -> DbResult<Box<dyn Tx>> {
        Ok(Box::new(SealingTx {
            inner: self.inner.begin_write().await?,
            sealer: Arc::clone(&self.sealer),
            appended: false,
        }))
    }
    async fn begin_read(&self) -> DbResult<Box<dyn Tx>> {
        self.inner.begin_read().await
    }
    async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        self.inner.fetch_all(sql, args).await
    }
    fn lock_rows(&self) -> &'static str {
        self.inner.lock_rows()
    }
    fn text_agg(&self) -> &'static str {
        self.inner.text_agg()
    }
    fn year_of(&self, col: &str) -> String {
        self.inner.year_of(col)
    }
    fn text_in(&self, col: &str, values: &[&str], arg: &mut dyn FnMut(Value) -> String) -> String {
        self.inner.text_in(col, values, arg)
    }
    fn migration_versions(&self) -> Vec<i64> {
        self.inner.migration_versions()
    }
    fn pool_status(&self) -> PoolStatus {
        self.inner.pool_status()
    }
}

/// A write transaction that notes whether it appended audit records, and seals after commit.
struct SealingTx {
    inner: Box<dyn Tx>,
    sealer: Arc<Sealer>,
    appended: bool,
}

/// Whether a statement appends to the pending records (`audit` writes them with `insert_rows`).
fn appends(sql: &str) -> bool {
    sql.starts_with("INSERT INTO audit_pending ")
}

#[async_trait]
impl Tx for SealingTx {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        self.appended |= appends(sql);
        self.inner.execute(sql, args).await
    }
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        self.inner.fetch_all(sql, args).await
    }
    async fn commit(self: Box<Self>) -> DbResult<()> {
        let SealingTx {
            inner,
            sealer,
            appended,
        } = *self;
        inner.commit().await?;
        if appended {
            sealer.after_commit().await;
        }
        Ok(())
    }
    async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        self.inner.fetch_optional(sql, args).await
    }
    async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> DbResult<Row> {
        self.inner.fetch_one(sql, args).await
    }
    async fn copy_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> DbResult<u64> {
        self.appended |= table == "audit_pending";
        self.inner.copy_rows(table, columns, rows).await
    }
    async fn reserve_ids(&mut self, table: &str, n: u64) -> DbResult<i64> {
        self.inner.reserve_ids(table, n).await
    }
    async fn load_droppable(&mut self, table: &str, among: &[&str]) -> DbResult<Vec<Droppable>> {
        self.inner.load_droppable(table, among).await
    }
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.inner.analyze(tables).await
    }
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        self.inner.planned_rows(table).await
    }
    async fn bulk_settings(&mut self, on: bool) -> DbResult<()> {
        self.inner.bulk_settings(on).await
    }
}
