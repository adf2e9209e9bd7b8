//! The bulk load's fast path, `Tx::copy_rows`, on SQLite by default and on PostgreSQL with
//! `TEST_DATABASE_URL=postgres://…`. On PostgreSQL the rows are applied in the background while
//! the caller goes on: what it reads next must include them, and a copy that fails must fail the
//! transaction at the latest at the next call, leaving nothing behind.

use fupin::testing::test_store;
use fupin_db::sql::{DbError, Value};

fn row(id: i64, name: &str) -> Vec<Value> {
    vec![Value::from(id), Value::from(name)]
}

#[tokio::test]
async fn copied_rows_are_seen_by_the_next_statement_in_order() {
    let db = test_store().await;
    db.raw("CREATE TABLE copy_probe (id BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .await;
    let backend = db.backend().await;
    let mut tx = backend.begin_write().await.unwrap();
    let cols = ["id", "name"];
    let n = tx
        .copy_rows("copy_probe", &cols, vec![row(1, "甲"), row(2, "乙\t二")])
        .await
        .unwrap();
    assert_eq!(n, 2);
    tx.copy_rows(
        "copy_probe",
        &cols,
        (3..=2000).map(|i| row(i, "丙")).collect(),
    )
    .await
    .unwrap();
    let r = tx
        .fetch_one("SELECT COUNT(*), MAX(id) FROM copy_probe", &[])
        .await
        .unwrap();
    assert_eq!((r.i64(0).unwrap(), r.i64(1).unwrap()), (2000, 2000));
    let r = tx
        .fetch_one("SELECT name FROM copy_probe WHERE id = 2", &[])
        .await
        .unwrap();
    assert_eq!(
        r.text(0).unwrap(),
        "乙\t二",
        "separators survive the text format"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM copy_probe")
            .await,
        vec!["2000"]
    );
}

#[tokio::test]
async fn a_failed_copy_fails_the_transaction_and_keeps_nothing() {
    let db = test_store().await;
    db.raw("CREATE TABLE copy_probe (id BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .await;
    let backend = db.backend().await;
    let mut tx = backend.begin_write().await.unwrap();
    let cols = ["id", "name"];
    tx.copy_rows("copy_probe", &cols, vec![row(1, "甲")])
        .await
        .unwrap();
    // a repeated key: the error comes from this call, or from the next one at the latest
    let copied = tx
        .copy_rows("copy_probe", &cols, vec![row(2, "乙"), row(2, "丙")])
        .await;
    let err = match copied {
        Err(e) => e,
        Ok(_) => tx
            .execute("UPDATE copy_probe SET name = name", &[])
            .await
            .expect_err("the failed copy shows at the next call"),
    };
    assert!(
        matches!(&err, DbError::Unique(k) if k.is("copy_probe", &["id"])),
        "{err:?}"
    );
    drop(tx);
    // rows of the wrong width are refused before anything is sent
    let mut tx = backend.begin_write().await.unwrap();
    let e = tx
        .copy_rows("copy_probe", &cols, vec![vec![Value::from(9i64)]])
        .await;
    assert!(e.is_err());
    drop(tx);
    assert_eq!(
        db.texts("SELECT CAST(COUNT(*) AS TEXT) FROM copy_probe")
            .await,
        vec!["0"]
    );
}

/// The backend names the key of a violated unique index by its table and columns, whether a row
/// breaks a (partial) index or an index is built over rows that break it.
#[tokio::test]
async fn unique_violations_name_their_table_and_columns() {
    let db = test_store().await;
    db.raw("CREATE TABLE key_probe (id BIGINT PRIMARY KEY, code TEXT NOT NULL, part BIGINT NOT NULL, live BOOLEAN NOT NULL)")
        .await;
    db.raw("CREATE UNIQUE INDEX key_probe_live_code ON key_probe (code, part) WHERE live")
        .await;
    let backend = db.backend().await;
    let mut tx = backend.begin_write().await.unwrap();
    let insert = "INSERT INTO key_probe (id, code, part, live) VALUES ($1, $2, $3, $4)";
    tx.execute(insert, &[1i64.into(), "a".into(), 1i64.into(), true.into()])
        .await
        .unwrap();
    tx.execute(
        insert,
        &[2i64.into(), "a".into(), 1i64.into(), false.into()],
    )
    .await
    .unwrap();
    let err = tx
        .execute(insert, &[3i64.into(), "a".into(), 1i64.into(), true.into()])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DbError::Unique(k) if k.is("key_probe", &["code", "part"])),
        "{err:?}"
    );
    drop(tx);
    db.raw("INSERT INTO key_probe (id, code, part, live) VALUES (1, 'b', 1, FALSE), (2, 'b', 1, FALSE)")
        .await;
    let mut tx = backend.begin_write().await.unwrap();
    let err = tx
        .execute(
            "CREATE UNIQUE INDEX key_probe_code ON key_probe (code)",
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DbError::Unique(k) if k.is("key_probe", &["code"])),
        "{err:?}"
    );
}
