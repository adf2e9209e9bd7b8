//! Reads taken together: within `Store::reading_together`, every read of the store — each
//! `begin_read` and each statement run outside a transaction — goes to one read-only transaction
//! opened for the work, on one pooled connection. A page that asks the store a dozen questions
//! then begins one transaction instead of a dozen (each a round trip to the connection's worker
//! thread on SQLite, or to the server on PostgreSQL, and each connection taken from and given
//! back to the pool). Writes are not affected: they begin
//! transactions of their own as always. Rejected: a store call per page gathering what the page
//! shows, which would duplicate every area's reads in one place.
//!
//! A statement asked again with the same parameters is answered from its first answer rather than
//! run again: each area checks the caller's reach by reading the household's village, so a
//! household's page read it six times. The work only reads (see `Store::reading_together`),
//! and in one read transaction the answer is the same (SQLite reads one snapshot; PostgreSQL's
//! statements could only have seen more of what committed meanwhile, a page of two moments). A
//! statement that is not a query (`execute`) forgets the answers kept so far.
//!
//! The work is marked by a task-local value, so only the task running it shares the transaction
//! (a task it spawns does not).

use crate::sql::{DbResult, Droppable, Row, Tx, Value};
use async_trait::async_trait;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

type Shared = Arc<Mutex<Work>>;

tokio::task_local! {
    static SHARED: Shared;
}

/// The work's transaction and the answers it gave, by statement and parameters.
struct Work {
    tx: Box<dyn Tx>,
    answers: HashMap<(String, String), Vec<Row>>,
}

impl Work {
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        // the parameters' debug form names each one's type and value
        let key = (sql.to_string(), format!("{args:?}"));
        if let Some(rows) = self.answers.get(&key) {
            return Ok(rows.clone());
        }
        let rows = self.tx.fetch_all(sql, args).await?;
        self.answers.insert(key, rows.clone());
        Ok(rows)
    }

    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        self.answers.clear();
        self.tx.execute(sql, args).await
    }
}

/// Run `work` with `tx` as the transaction of its reads; `tx` ends (rolls back) afterwards.
pub(crate) async fn run<F: Future>(tx: Box<dyn Tx>, work: F) -> F::Output {
    let shared = Work {
        tx,
        answers: HashMap::new(),
    };
    SHARED.scope(Arc::new(Mutex::new(shared)), work).await
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
    let mut work = shared.lock().await;
    Some(work.fetch_all(sql, args).await)
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
        self.0.lock().await.tx.load_droppable(table, among).await
    }
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>> {
        self.0.lock().await.tx.load_droppable_key(table).await
    }
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.0.lock().await.tx.analyze(tables).await
    }
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        self.0.lock().await.tx.planned_rows(table).await
    }
    async fn without_jit(&mut self) -> DbResult<()> {
        self.0.lock().await.tx.without_jit().await
    }
    async fn pause_facts(&mut self, on: bool) -> DbResult<()> {
        self.0.lock().await.tx.pause_facts(on).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A transaction that answers every query with one row of the statement's number, counting
    /// the statements run.
    struct Counting(Arc<AtomicUsize>);

    #[async_trait]
    impl Tx for Counting {
        async fn execute(&mut self, _sql: &str, _args: &[Value]) -> DbResult<u64> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(1)
        }
        async fn fetch_all(&mut self, _sql: &str, _args: &[Value]) -> DbResult<Vec<Row>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) as i64;
            Ok(vec![Row::new(vec![Value::from(n)])])
        }
        async fn commit(self: Box<Self>) -> DbResult<()> {
            Ok(())
        }
        async fn load_droppable(&mut self, _: &str, _: &[&str]) -> DbResult<Vec<Droppable>> {
            Ok(vec![])
        }
        async fn load_droppable_key(&mut self, _: &str) -> DbResult<Option<Droppable>> {
            Ok(None)
        }
        async fn analyze(&mut self, _: &[&str]) -> DbResult<()> {
            Ok(())
        }
        async fn planned_rows(&mut self, _: &str) -> DbResult<Option<u64>> {
            Ok(None)
        }
        async fn pause_facts(&mut self, _: bool) -> DbResult<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_query_asked_again_is_answered_from_its_first_answer_until_a_statement_writes() {
        let run_count = Arc::new(AtomicUsize::new(0));
        let ran = || run_count.load(Ordering::SeqCst);
        let answer = |rows: Vec<Row>| crate::rows::one_i64(&rows[0]).unwrap();
        let q = "SELECT village_code FROM households WHERE id = $1";
        run(Box::new(Counting(run_count.clone())), async {
            let mut a = current().expect("inside the work");
            let mut b = current().unwrap();
            let first = answer(a.fetch_all(q, &[Value::from(7i64)]).await.unwrap());
            // the same statement and parameters, from another reader of the work or outside a
            // transaction: the first answer, not run again
            assert_eq!(
                answer(b.fetch_all(q, &[Value::from(7i64)]).await.unwrap()),
                first
            );
            let outside = fetch_all(q, &[Value::from(7i64)]).await.unwrap().unwrap();
            assert_eq!(answer(outside), first);
            assert_eq!(ran(), 1);
            // other parameters, or the same value of another type, are another question
            a.fetch_all(q, &[Value::from(8i64)]).await.unwrap();
            a.fetch_all(q, &[Value::from("7")]).await.unwrap();
            a.fetch_all("SELECT 1", &[Value::from(7i64)]).await.unwrap();
            assert_eq!(ran(), 4);
            // a statement that is not a query forgets what was answered
            b.execute("CREATE TEMP TABLE t (x INTEGER)", &[])
                .await
                .unwrap();
            let again = answer(a.fetch_all(q, &[Value::from(7i64)]).await.unwrap());
            assert_ne!(again, first);
            assert_eq!(ran(), 6);
        })
        .await;
        // outside the work, nothing is shared
        assert!(current().is_none());
        assert!(fetch_all(q, &[]).await.is_none());
    }
}
