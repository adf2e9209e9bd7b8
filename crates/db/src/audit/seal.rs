//! The sealer: chains committed pending audit records into `audit_log`, in the order it finds
//! them committed, one short transaction per batch (see `crate::audit`). The store's backend is
//! wrapped so that every write transaction that appended a record asks for a sealing pass once it
//! has committed; `SqlStore::seal_audit` seals everything, before the log is listed or verified
//! and periodically while the server runs.
//!
//! One sealing transaction at a time in a process (`Sealer::turn`), and the passes writes ask for
//! are run by one task of the store's own (`sealing_task`): a write returns after its own commit,
//! and however many writes commit while a pass runs, they cause one more pass, not one each.
//! Rejected: sealing in the request after each commit, as before — under load every write then
//! began a sealing transaction that waited on the head row (PostgreSQL) or for the writer before it
//! (SQLite) while holding a connection or a turn at writing, so writes cost two transactions each
//! and readers ran out of connections. A try-lock in the request (seal here unless a pass is
//! running) would still make one request in each pass pay for everybody's records.

use super::rows::{chain_pending, PendingRecord, AUDIT_COLS, PENDING_COLS};
use super::{read_head, write_head};
use crate::bulk::id_list;
use crate::rows::Record;
use crate::sql::{insert_rows, Backend, DbResult, Droppable, Row, Tx, Value};
use async_trait::async_trait;
use fupin_core::audit::AuditKeys;
use fupin_core::store::{PoolStatus, StoreResult};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use tokio::sync::{Notify, OwnedMutexGuard};

/// Records per transaction of a requested pass: bounded, so that the writers queued behind a
/// pass (SQLite's one writer) wait for a short transaction even after a large import.
const SEAL_PASS_BATCH: i64 = 500;
/// How long a requested pass waits for more committed writes to seal with (see `sealing_task`).
const SEAL_GATHER: std::time::Duration = std::time::Duration::from_millis(100);
/// Records per transaction when sealing everything.
const SEAL_BATCH: i64 = 5000;

/// The keys in use, shared by the store and its sealer.
pub(crate) type SharedKeys = Arc<RwLock<Option<Arc<AuditKeys>>>>;

/// What committed writes tell the sealing task: that a pass is wanted. Set before the task is
/// woken and cleared by the task once it holds the sealing turn, right before a pass, so that a
/// record committed while a pass runs is sealed by the next one (never left waiting), and any
/// number of them by the same one.
#[derive(Default)]
struct Requests {
    wanted: AtomicBool,
    wake: Notify,
}

/// What seals: the backend itself (not the wrapper, so that sealing does not seal again) and the
/// store's keys.
pub(crate) struct Sealer {
    db: Arc<dyn Backend>,
    keys: SharedKeys,
    /// Held for each sealing transaction: one at a time in this process, waiting here (without a
    /// connection) rather than on the head row.
    turn: Arc<tokio::sync::Mutex<()>>,
    requests: Arc<Requests>,
    /// The task that runs requested passes, started by the first request (on the runtime the
    /// store is used on) and again if that runtime has gone.
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Sealing transactions begun so far.
    passes: AtomicU64,
}

/// Sealing held off while this lives (see `SqlStore::hold_sealing`).
pub struct SealingHeld {
    _turn: OwnedMutexGuard<()>,
}

impl Sealer {
    pub fn new(db: Arc<dyn Backend>, keys: SharedKeys) -> Self {
        Sealer {
            db,
            keys,
            turn: Arc::new(tokio::sync::Mutex::new(())),
            requests: Arc::default(),
            task: Mutex::new(None),
            passes: AtomicU64::new(0),
        }
    }

    /// Sealing transactions begun so far by this store.
    pub fn passes(&self) -> u64 {
        self.passes.load(Ordering::SeqCst)
    }

    /// Take the sealing turn and keep it until the guard is dropped.
    pub async fn hold(&self) -> SealingHeld {
        SealingHeld {
            _turn: self.turn.clone().lock_owned().await,
        }
    }

    /// Seal up to `limit` pending records in one transaction, in this process's turn; how many
    /// were sealed.
    pub async fn seal_batch(&self, limit: i64) -> StoreResult<u64> {
        let _turn = self.turn.lock().await;
        self.seal_batch_in_turn(limit).await
    }

    /// `seal_batch`, the turn already held.
    async fn seal_batch_in_turn(&self, limit: i64) -> StoreResult<u64> {
        let keys = super::keys_in_use(&self.keys)?;
        self.passes.fetch_add(1, Ordering::SeqCst);
        let mut tx = self.db.begin_write().await?;
        // the head's lock makes sealers of different processes take turns; writers never take it
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

    /// After a write that appended records committed: ask the sealing task for a pass, starting
    /// the task if need be. Returns at once.
    fn after_commit(self: &Arc<Self>) {
        self.requests.wanted.store(true, Ordering::SeqCst);
        {
            let mut task = self.task.lock().expect("sealing task lock");
            if task.as_ref().is_none_or(|t| t.is_finished()) {
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => {
                        *task = Some(rt.spawn(sealing_task(
                            Arc::downgrade(self),
                            Arc::clone(&self.requests),
                        )))
                    }
                    // no runtime to run it on (not the case of sqlx's backends): the records
                    // wait for the next sealing
                    Err(_) => return,
                }
            }
        }
        self.requests.wake.notify_one();
    }

    /// The passes asked for: while one is wanted, seal the oldest committed records, one bounded
    /// batch a pass (a large import's records are left for `seal_all` — the server's timer, a
    /// listing or a verification — rather than chained while the import still writes: what the
    /// import pays stays what it paid when every commit sealed one batch itself). A failure loses
    /// nothing — the records stay pending for the next sealing — so it is logged, not returned.
    async fn run_requested(&self) {
        loop {
            let _turn = self.turn.lock().await;
            if !self.requests.wanted.swap(false, Ordering::SeqCst) {
                return;
            }
            if let Err(e) = self.seal_batch_in_turn(SEAL_PASS_BATCH).await {
                tracing::warn!(
                    code = e.code,
                    "audit records left pending for the next sealing"
                );
                return;
            }
        }
    }
}

impl Drop for Sealer {
    /// The store is gone: so is its sealing task.
    fn drop(&mut self) {
        if let Some(t) = self.task.get_mut().map(Option::take).ok().flatten() {
            t.abort();
        }
    }
}

/// The store's sealing task: a pass each time one is wanted, until the store is dropped. It holds
/// the sealer only while a pass runs, so that dropping the store closes its pool.
async fn sealing_task(sealer: Weak<Sealer>, requests: Arc<Requests>) {
    loop {
        requests.wake.notified().await;
        // the writes of the next moment join this pass: under load a pass began on nearly every
        // commit, and each took the one writer's turn (SQLite) or the head row (PostgreSQL) from
        // the writes themselves; readers of the log seal everything first anyway
        tokio::time::sleep(SEAL_GATHER).await;
        let Some(sealer) = sealer.upgrade() else {
            return;
        };
        sealer.run_requested().await;
    }
}

/// The store's backend: the engine's, with write transactions that ask for sealing once committed,
/// and reads that go to the work's shared transaction within `Store::reading_together`.
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
    /// The transaction of the reads taken together, within `Store::reading_together`.
    async fn begin_read(&self) -> DbResult<Box<dyn Tx>> {
        match crate::together::current() {
            Some(tx) => Ok(tx),
            None => self.inner.begin_read().await,
        }
    }
    async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        match crate::together::fetch_all(sql, args).await {
            Some(rows) => rows,
            None => self.inner.fetch_all(sql, args).await,
        }
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
    fn id_table(&self, name: &str, column: &str) -> String {
        self.inner.id_table(name, column)
    }
    fn text_elements(&self, param: &str) -> Option<String> {
        self.inner.text_elements(param)
    }
    fn migration_versions(&self) -> Vec<i64> {
        self.inner.migration_versions()
    }
    fn pool_status(&self) -> PoolStatus {
        self.inner.pool_status()
    }
}

/// A write transaction that notes whether it appended audit records, and asks for a sealing pass
/// once committed.
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
            sealer.after_commit();
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
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>> {
        self.inner.load_droppable_key(table).await
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
    async fn without_jit(&mut self) -> DbResult<()> {
        self.inner.without_jit().await
    }
    async fn pause_facts(&mut self, on: bool) -> DbResult<()> {
        self.inner.pause_facts(on).await
    }
}
