//! Reads taken together: within `Store::reading_together`, every read of the store — each
//! `begin_read` and each statement run outside a transaction — goes to one read-only transaction
//! opened for the work, on one pooled connection. A page that asks the store a dozen questions
//! then begins one transaction instead of a dozen (each a round trip to the connection's worker
//! thread on SQLite, or to the server on PostgreSQL, and each connection taken from and given
//! back to the pool). Writes are not affected: they begin
//! transactions of their own as always. Rejected: a store call per page gathering what the page
//! shows, which would duplicate every area's reads in one place.
//!
//! The work is marked by a task-local value, so only the task running it shares the transaction
//! (a task it spawns does not).

use crate::sql::{DbResult, Droppable, Row, Tx, Value};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

type Shared = Arc<Mutex<Box<dyn Tx>>>;

tokio::task_local! {
    static SHARED: Shared;
}

/// Run `work` with `tx` as the transaction of its reads; `tx` ends (rolls back) afterwards.
pub(crate) async fn run<F: Future>(tx: Box<dyn Tx>, work: F) -> F::Output {
    SHARED.scope(Arc::new(Mutex::new(tx)), work).await
}

/// The transaction the current work reads in, if it runs within [`run`].
pub(crate) fn current() -> Option<Box<dyn Tx>> {
    SHARED
        .try_with(|s| Box::new(SharedTx(Arc::clone(s))) as Box<dyn Tx>)
        .ok()
}

/// Run one read statement in the current work's transaction, if there is one.
pub(crate) async fn fetch_all(sql: &str, args: &[Value]) -> Option<DbResult<Vec<Row>>> {
    let shared = SHARED.try_with(Arc::clone).ok()?;
    let mut tx = shared.lock().await;
    Some(tx.fetch_all(sql, args).await)
}

/// A handle on the work's transaction, given to each reader that begins one: its statements run
/// in the shared transaction, and its commit leaves it open for the next reader.
struct SharedTx(Shared);

#[async_trait]
impl Tx for SharedTx {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        self.0.lock().await.execute(sql, args).await
    }
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        self.0.lock().await.fetch_all(sql, args).await
    }
    async fn commit(self: Box<Self>) -> DbResult<()> {
        Ok(())
    }
    async fn load_droppable(&mut self, table: &str, among: &[&str]) -> DbResult<Vec<Droppable>> {
        self.0.lock().await.load_droppable(table, among).await
    }
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>> {
        self.0.lock().await.load_droppable_key(table).await
    }
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.0.lock().await.analyze(tables).await
    }
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        self.0.lock().await.planned_rows(table).await
    }
    async fn without_jit(&mut self) -> DbResult<()> {
        self.0.lock().await.without_jit().await
    }
}
