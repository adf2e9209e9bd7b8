//! Writers of one process under load, on SQLite by default and on PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`: write transactions beyond the backend's bound wait for a
//! turn without holding a connection, so that however many are queued, readers find one.

use fupin::testing::test_store;
use fupin_db::sql::{Backend, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Twice as many writers as the pool has connections, each holding its transaction open until
/// released: never do they hold every connection, a reader is served while they wait, and all of
/// them commit once released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writers_never_take_every_connection_and_readers_are_served() {
    let db = test_store().await;
    let backend: Arc<dyn Backend> = Arc::from(db.backend().await);
    let max = backend.pool_status().max as usize;
    // every connection of the pool opened beforehand, as in a server that has been serving
    let mut warm = Vec::new();
    for _ in 0..max {
        warm.push(backend.begin_read().await.unwrap());
    }
    drop(warm);
    let mut tx = backend.begin_write().await.unwrap();
    tx.execute("CREATE TABLE gate_probe (n BIGINT)", &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let release = Arc::new(Semaphore::new(0));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..2 * max)
        .map(|i| {
            let (backend, release) = (backend.clone(), release.clone());
            let (inside, most) = (inside.clone(), most.clone());
            tokio::spawn(async move {
                let mut tx = backend.begin_write().await?;
                tx.execute(
                    "INSERT INTO gate_probe (n) VALUES ($1)",
                    &[Value::from(i as i64)],
                )
                .await?;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                release.acquire().await.expect("open").forget();
                inside.fetch_sub(1, Ordering::SeqCst);
                tx.commit().await
            })
        })
        .collect();
    // the first writers in, the others queued behind them
    while inside.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // a guard against a hang, not a speed target: the pools hand out connections after 15–30 s
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        backend.fetch_all("SELECT COUNT(*) FROM regions", &[]),
    )
    .await;
    assert!(
        matches!(read, Ok(Ok(_))),
        "a read waited behind queued writers"
    );
    let most = most.load(Ordering::SeqCst);
    assert!(
        most >= 1 && most < max,
        "{most} writers at once for {max} connections"
    );
    release.add_permits(2 * max);
    for w in writers {
        w.await.unwrap().unwrap();
    }
    let rows = backend
        .fetch_all("SELECT COUNT(*) FROM gate_probe", &[])
        .await
        .unwrap();
    assert_eq!(rows[0].i64(0).unwrap(), 2 * max as i64);
}
