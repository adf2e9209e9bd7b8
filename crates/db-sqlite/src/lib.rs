//! The embedded SQLite backend: one file (WAL, foreign keys on), its own migrations, and the mapping
//! of store values to SQLite's storage classes (dates as `YYYY-MM-DD` text, timestamps as RFC 3339
//! text in UTC, booleans as 0/1).

pub mod backup;

use async_trait::async_trait;
use fupin_core::store::StoreResult;
use fupin_core::DomainError;
use fupin_db::sql::{Backend, DbError, DbResult, Droppable, Row, TextDates, Tx, UniqueKey, Value};
use fupin_db::SqlStore;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Column, Row as _, Sqlite, SqlitePool, TypeInfo, ValueRef};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Open (creating if missing) the database at `url` (`sqlite://path`), apply migrations, and return
/// the store.
pub async fn open(url: &str) -> StoreResult<SqlStore> {
    let backend = SqliteBackend::connect(url).await?;
    SqlStore::new(Arc::new(backend)).await
}

/// Versions of the migrations this build ships.
pub fn migration_versions() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

/// The SQLite engine behind a small pool.
///
/// SQLite has one writer at a time. Left to the engine, every connection that wants to write waits
/// in SQLite's busy handler, sleeping in growing steps and holding its pool connection meanwhile, so
/// under load the readers queue behind sleeping writers. The write gate lets one transaction of this
/// process write at a time: the others wait for it without a connection and are woken in turn the
/// moment it commits; the busy handler remains for writers in other processes (`fupin import` beside
/// a server).
pub struct SqliteBackend {
    pool: SqlitePool,
    write_gate: Arc<Semaphore>,
}

/// A pooled connection idle this long is pinged before it is used again (see `connect`).
const PING_IDLE: Duration = Duration::from_secs(10);

/// How long a write waits for the writer before it, as SQLite's own busy timeout.
const WRITE_WAIT: Duration = Duration::from_secs(10);

impl SqliteBackend {
    /// Connect and migrate.
    pub async fn connect(url: &str) -> StoreResult<SqliteBackend> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| {
                DomainError::invalid(
                    "database_url",
                    "invalid_database_url",
                    format!("数据库地址无效：{e}"),
                )
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No memory map of the file (SQLite's default): with one, each transaction that begins
        // after another connection has written unmaps the whole map and faults its pages in
        // again, which is nearly every transaction of a server taking visits. Under the load
        // benchmark (100,000 households, 64 clients) a map of 1 GiB put a quarter of the
        // server's CPU time into munmap and page faults; it made a county's poverty measures read
        // a fifth faster only while nothing else wrote.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // sqlx pings a connection (a round trip to its worker thread) when it goes back to
            // the pool, and drops it if that fails; pinging it again when it is taken out doubled
            // that cost on every statement outside a transaction. Only one that sat idle a while
            // is checked again.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot open SQLite database");
                DomainError::new(
                    fupin_core::ErrorKind::Internal,
                    "database_unavailable",
                    format!("无法打开 SQLite 数据库：{e}"),
                )
            })?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            tracing::error!(error = %e, "SQLite migration failed");
            DomainError::new(
                fupin_core::ErrorKind::Internal,
                "migration_failed",
                format!("数据库迁移失败：{e}"),
            )
        })?;
        Ok(SqliteBackend {
            pool,
            write_gate: Arc::new(Semaphore::new(1)),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn map_err(e: sqlx::Error) -> DbError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            DbError::Unique(unique_key(d.message()))
        }
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => DbError::ForeignKey,
        _ => DbError::Other(e.to_string()),
    }
}

/// The key of a unique violation from SQLite's message, `UNIQUE constraint failed: t.a, t.b` (an
/// index over expressions is named instead, `… failed: index 'name'`: no columns then).
fn unique_key(message: &str) -> UniqueKey {
    let Some(list) = message.strip_prefix("UNIQUE constraint failed: ") else {
        return UniqueKey::default();
    };
    let mut key = UniqueKey::default();
    for part in list.split(", ") {
        let Some((table, column)) = part.split_once('.') else {
            return UniqueKey::default();
        };
        key.table = table.to_string();
        key.columns.push(column.to_string());
    }
    key
}

/// Dates as `YYYY-MM-DD` text, timestamps as RFC 3339 text in UTC (see `arguments`).
struct SqliteDates;

impl TextDates for SqliteDates {
    fn date(&self, s: &str) -> Result<time::Date, String> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, fmt).map_err(|e| e.to_string())
    }
    fn time(&self, s: &str) -> Result<time::OffsetDateTime, String> {
        time::OffsetDateTime::parse(s, &Rfc3339).map_err(|e| e.to_string())
    }
}

/// Statements with more parameters than this have `$1 … $n` rewritten to anonymous `?`.
const ANONYMOUS_FROM: usize = 64;

/// `$1, $2, … $n` (each once, in order, outside quotes) rewritten to `?`, when a statement has many
/// parameters. SQLite looks a numbered parameter up by name when binding, a linear walk per
/// parameter, so a statement of n numbered parameters costs O(n²) to bind (a 25,000-value multi-row
/// INSERT spent 90 % of a bulk load there); anonymous parameters bind by position in O(n). Any
/// other pattern (a parameter used twice, out of order) is left as written.
fn anonymous_placeholders(sql: &str, n: usize) -> Option<String> {
    if n <= ANONYMOUS_FROM {
        return None;
    }
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut next = 1usize;
    let mut i = 0;
    let mut last = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'$' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j > start {
                    let k: usize = sql[start..j].parse().ok()?;
                    if k != next {
                        return None;
                    }
                    next += 1;
                    out.push_str(&sql[last..i]);
                    out.push('?');
                    last = j;
                    i = j;
                    continue;
                }
            }
            None => {}
        }
        i += 1;
    }
    if next - 1 != n {
        return None;
    }
    out.push_str(&sql[last..]);
    Some(out)
}

/// Arguments from owned values, moving strings instead of copying them (bulk loads).
fn arguments_owned(args: Vec<Value>) -> SqliteArguments<'static> {
    use sqlx::Arguments;
    let mut a = SqliteArguments::default();
    for v in args {
        let r = match v {
            Value::Text(x) => a.add(x),
            Value::Bytes(x) => a.add(x),
            other => match other {
                Value::I64(x) => a.add(x),
                Value::F64(x) => a.add(x),
                Value::Bool(x) => a.add(x),
                Value::Date(x) => a.add(x.map(|d| d.to_string())),
                Value::Time(x) => a.add(x.map(|t| {
                    t.to_offset(time::UtcOffset::UTC)
                        .format(&Rfc3339)
                        .expect("formattable")
                })),
                Value::Text(_) | Value::Bytes(_) => unreachable!("moved above"),
            },
        };
        r.expect("binding a plain value cannot fail");
    }
    a
}

fn arguments(args: &[Value]) -> SqliteArguments<'static> {
    use sqlx::Arguments;
    let mut a = SqliteArguments::default();
    for v in args {
        let r = match v {
            Value::I64(x) => a.add(*x),
            Value::F64(x) => a.add(*x),
            Value::Text(x) => a.add(x.clone()),
            Value::Bool(x) => a.add(*x),
            Value::Bytes(x) => a.add(x.clone()),
            Value::Date(x) => a.add(x.map(|d| d.to_string())),
            Value::Time(x) => a.add(x.map(|t| {
                t.to_offset(time::UtcOffset::UTC)
                    .format(&Rfc3339)
                    .expect("formattable")
            })),
        };
        r.expect("binding a plain value cannot fail");
    }
    a
}

fn decode(row: &SqliteRow) -> DbResult<Row> {
    let mut out = Vec::with_capacity(row.columns().len());
    for c in row.columns() {
        let i = c.ordinal();
        let raw = row.try_get_raw(i).map_err(map_err)?;
        if raw.is_null() {
            out.push(Value::Text(None));
            continue;
        }
        out.push(match raw.type_info().name() {
            "INTEGER" | "BOOLEAN" => Value::I64(Some(row.try_get::<i64, _>(i).map_err(map_err)?)),
            "REAL" => Value::F64(Some(row.try_get::<f64, _>(i).map_err(map_err)?)),
            "BLOB" => Value::Bytes(Some(row.try_get::<Vec<u8>, _>(i).map_err(map_err)?)),
            "TEXT" | "DATE" | "DATETIME" | "TIME" => {
                Value::Text(Some(row.try_get::<String, _>(i).map_err(map_err)?))
            }
            other => {
                return Err(DbError::Decode(format!(
                    "column {i}: unsupported SQLite type {other}"
                )))
            }
        });
    }
    Ok(Row::with_text_dates(out, &SqliteDates))
}

struct SqliteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
    /// A writing transaction holds the write gate until it is committed or dropped.
    _gate: Option<OwnedSemaphorePermit>,
}

#[async_trait]
impl Tx for SqliteTx {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let rewritten = anonymous_placeholders(sql, args.len());
        let sql = rewritten.as_deref().unwrap_or(sql);
        let r = sqlx::query_with(sql, arguments(args))
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected())
    }
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        let rewritten = anonymous_placeholders(sql, args.len());
        let sql = rewritten.as_deref().unwrap_or(sql);
        let rows = sqlx::query_with(sql, arguments(args))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
    async fn commit(self: Box<Self>) -> DbResult<()> {
        self.tx.commit().await.map_err(map_err)
    }

    /// Multi-row `INSERT`s with anonymous `?` parameters (bound by position, see
    /// `anonymous_placeholders`), the statement text built once per chunk size and the values moved
    /// into the arguments rather than copied.
    async fn copy_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> DbResult<u64> {
        if rows.is_empty() || columns.is_empty() {
            return Ok(0);
        }
        let per = (fupin_db::sql::MAX_PARAMS / columns.len()).clamp(1, 500);
        let one = format!("({})", vec!["?"; columns.len()].join(", "));
        let sql_for = |k: usize| {
            let mut s = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
            s.push_str(&vec![one.as_str(); k].join(", "));
            s
        };
        let full = sql_for(per);
        let mut n = 0;
        let mut it = rows.into_iter().peekable();
        while it.peek().is_some() {
            let chunk: Vec<Vec<Value>> = it.by_ref().take(per).collect();
            let mut args = Vec::with_capacity(chunk.len() * columns.len());
            for row in chunk.iter() {
                if row.len() != columns.len() {
                    return Err(DbError::Other(format!(
                        "insert into {table}: row has {} values for {} columns",
                        row.len(),
                        columns.len()
                    )));
                }
            }
            let k = chunk.len();
            chunk.into_iter().for_each(|r| args.extend(r));
            let short;
            let sql = if k == per {
                full.as_str()
            } else {
                short = sql_for(k);
                short.as_str()
            };
            let r = sqlx::query_with(sql, arguments_owned(args))
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?;
            n += r.rows_affected();
        }
        Ok(n)
    }

    /// Secondary indexes only: SQLite cannot drop a table's constraints.
    async fn load_droppable(&mut self, table: &str, among: &[&str]) -> DbResult<Vec<Droppable>> {
        let _ = among;
        let rows = self
            .fetch_all(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL ORDER BY name",
                &[Value::Text(Some(table.to_string()))],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let name = r.text(0)?;
                Ok(Droppable {
                    drop: format!("DROP INDEX {name}"),
                    create: r.text(1)?,
                    foreign_key: false,
                    name,
                })
            })
            .collect()
    }

    /// None: a SQLite table's primary key is part of its definition.
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>> {
        let _ = table;
        Ok(None)
    }

    /// Sampling (`analysis_limit`), so that it takes a moment, not a scan of every index.
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.execute("PRAGMA analysis_limit = 1000", &[]).await?;
        for t in tables {
            self.execute(&format!("ANALYZE {t}"), &[]).await?;
        }
        Ok(())
    }

    /// The row count `ANALYZE` left in `sqlite_stat1` (the first number of the table's rows
    /// there). `None` when it left none: without statistics SQLite assumes a large table and
    /// selective indexes, which is what a load's batched look-ups want however much it grows; a
    /// table measured small, by contrast, is planned as small (a scan rather than 500 index
    /// look-ups) until it is measured again.
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        let has_stats = self
            .fetch_optional(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
                &[],
            )
            .await?
            .is_some();
        if !has_stats {
            return Ok(None);
        }
        let rows = self
            .fetch_all(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = $1",
                &[Value::Text(Some(table.to_string()))],
            )
            .await?;
        let mut out = None;
        for r in &rows {
            let stat = r.opt_text(0)?.unwrap_or_default();
            if let Some(n) = stat.split(' ').next().and_then(|n| n.parse::<u64>().ok()) {
                out = Some(out.unwrap_or(0).max(n));
            }
        }
        Ok(out)
    }

    /// A page cache of 64 MiB while a large load runs (index pages stay in memory instead of
    /// being read back through the OS for every row); the default 2 MiB again afterwards. A
    /// province's load took no longer than with 128 MiB, and peaked about 60 MB lower.
    async fn bulk_settings(&mut self, on: bool) -> DbResult<()> {
        let pages = if on { -65_536 } else { -2_000 };
        self.execute(&format!("PRAGMA cache_size = {pages}"), &[])
            .await?;
        Ok(())
    }

    /// A row in `facts_pause` while paused: the version triggers' `WHEN` reads it. The one writer
    /// holds the database, so no other write runs while it is there; readers never see it (it is
    /// deleted before the commit, or rolled back with the rest).
    async fn pause_facts(&mut self, on: bool) -> DbResult<()> {
        let sql = if on {
            "INSERT INTO facts_pause (paused) VALUES (1)"
        } else {
            "DELETE FROM facts_pause"
        };
        self.execute(sql, &[]).await?;
        Ok(())
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    async fn begin_write(&self) -> DbResult<Box<dyn Tx>> {
        // this process's writers one at a time, waiting without a connection (see `SqliteBackend`)
        let gate = tokio::time::timeout(WRITE_WAIT, self.write_gate.clone().acquire_owned())
            .await
            .map_err(|_| {
                DbError::Other("database is locked: waited 10 s for the writer before".into())
            })?
            .map_err(|e| DbError::Other(e.to_string()))?;
        // take the write lock at once: a deferred transaction that later writes can fail with
        // SQLITE_BUSY when another connection committed in between, whatever the busy timeout
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)?;
        Ok(Box::new(SqliteTx {
            tx,
            _gate: Some(gate),
        }))
    }
    async fn begin_read(&self) -> DbResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx { tx, _gate: None }))
    }
    async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        let rows = sqlx::query_with(sql, arguments(args))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
    fn lock_rows(&self) -> &'static str {
        ""
    }
    fn text_agg(&self) -> &'static str {
        "group_concat"
    }
    fn year_of(&self, col: &str) -> String {
        format!("CAST(substr({col}, 1, 4) AS INTEGER)")
    }
    /// `col IN ($1, …, $n)`: SQLite looks each value up in the index (no generic plan to go
    /// wrong), and has no array type.
    fn text_in(&self, col: &str, values: &[&str], arg: &mut dyn FnMut(Value) -> String) -> String {
        let ph: Vec<String> = values.iter().map(|v| arg(Value::from(*v))).collect();
        format!("{col} IN ({})", ph.join(", "))
    }
    fn id_table(&self, name: &str, column: &str) -> String {
        format!("CREATE TEMP TABLE {name} ({column} INTEGER PRIMARY KEY)")
    }
    /// `json_each` (built into SQLite): the array parsed once in C, each element a row of the
    /// virtual table that drives the joins after it.
    fn text_elements(&self, param: &str) -> Option<String> {
        Some(format!("json_each({param}) j"))
    }
    fn migration_versions(&self) -> Vec<i64> {
        migration_versions()
    }
    fn pool_status(&self) -> fupin_core::store::PoolStatus {
        fupin_core::store::PoolStatus {
            open: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::anonymous_placeholders as anon;
    use super::{unique_key, SqliteDates};
    use fupin_db::sql::{TextDates, UniqueKey};

    /// Writers queued at the write gate are let through one after another as each commits (none
    /// is lost or refused), and a reader is served while they wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writers_go_through_in_turn_while_readers_are_served() {
        use fupin_db::sql::Backend;
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("gate.db").display());
        let db = Arc::new(super::SqliteBackend::connect(&url).await.unwrap());
        // every connection of the pool opened beforehand, as in a server that has been serving
        let mut warm = Vec::new();
        for _ in 0..8 {
            warm.push(db.begin_read().await.unwrap());
        }
        drop(warm);
        let mut first = db.begin_write().await.unwrap();
        first
            .execute("CREATE TABLE gate_probe (n INTEGER)", &[])
            .await
            .unwrap();
        let writers: Vec<_> = (0..16)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut tx = db.begin_write().await?;
                    tx.execute(
                        "INSERT INTO gate_probe (n) VALUES ($1)",
                        &[fupin_db::sql::Value::from(i as i64)],
                    )
                    .await?;
                    tx.commit().await
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // a guard against a hang, not a speed target: the pool hands out connections after 30 s
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            db.fetch_all("SELECT COUNT(*) FROM regions", &[]),
        )
        .await;
        assert!(
            matches!(read, Ok(Ok(_))),
            "a read waited behind queued writers"
        );
        first.commit().await.unwrap();
        for w in writers {
            w.await.unwrap().unwrap();
        }
        let rows = db
            .fetch_all("SELECT COUNT(*) FROM gate_probe", &[])
            .await
            .unwrap();
        assert_eq!(rows[0].i64(0).unwrap(), 16);
    }

    #[test]
    fn unique_violations_name_their_key() {
        let k = unique_key("UNIQUE constraint failed: persons.id_number");
        assert!(k.is("persons", &["id_number"]), "{k:?}");
        let k = unique_key("UNIQUE constraint failed: incomes.household_id, incomes.year");
        assert!(k.is("incomes", &["household_id", "year"]), "{k:?}");
        assert_eq!(
            unique_key("UNIQUE constraint failed: index 'by_lower_name'"),
            UniqueKey::default()
        );
    }

    #[test]
    fn dates_read_back_as_written() {
        let d = SqliteDates.date("2020-02-29").unwrap();
        assert_eq!(d, time::macros::date!(2020 - 02 - 29));
        assert!(SqliteDates.date("2020-02-30").is_err());
        let t = SqliteDates.time("2020-01-02T03:04:05.5Z").unwrap();
        assert_eq!(t, time::macros::datetime!(2020-01-02 03:04:05.5 UTC));
    }

    #[test]
    fn numbered_parameters_become_anonymous_only_when_safe() {
        let many: Vec<String> = (1..=70).map(|i| format!("${i}")).collect();
        let sql = format!("INSERT INTO t VALUES ({})", many.join(", "));
        let out = anon(&sql, 70).unwrap();
        assert_eq!(out.matches('?').count(), 70);
        assert!(!out.contains('$'));
        assert_eq!(anon(&sql, 69), None, "count must match");
        assert_eq!(anon("SELECT $1", 1), None, "few parameters stay numbered");
        let reused = format!("{sql} ON CONFLICT DO UPDATE SET a = $1");
        assert_eq!(anon(&reused, 70), None);
        let quoted = format!("{} WHERE x = '$5'", sql);
        assert_eq!(anon(&quoted, 70).unwrap().matches('?').count(), 70);
    }
}
