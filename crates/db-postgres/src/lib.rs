//! The PostgreSQL backend: its own migrations, a connection pool, and the mapping of store values
//! to PostgreSQL types (DATE, TIMESTAMPTZ, BOOLEAN, BIGINT).

use async_trait::async_trait;
use fupin_core::store::StoreResult;
use fupin_core::DomainError;
use fupin_db::sql::{Backend, DbError, DbResult, Droppable, Row, Tx, UniqueKey, Value};
use fupin_db::SqlStore;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Column, PgPool, Postgres, Row as _, TypeInfo, ValueRef};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connect to `url` (`postgres://…`), apply migrations, and return the store.
pub async fn open(url: &str) -> StoreResult<SqlStore> {
    let backend = PgBackend::connect(url).await?;
    SqlStore::new(Arc::new(backend)).await
}

/// The PostgreSQL engine behind a pool.
///
/// Write transactions of this process are bounded below the pool's size (`WRITERS`): the others
/// wait for a turn without a connection, so that however many writes are queued — behind a lock,
/// or a slow disk — readers always find a connection. Unbounded, a burst of writes took every
/// connection and each page view then waited for the pool. Rejected: one writer at a time, as on
/// SQLite — PostgreSQL commits concurrent writers together, and a long import would stop every
/// other write.
pub struct PgBackend {
    pool: PgPool,
    write_gate: Arc<Semaphore>,
}

/// Connections of the pool.
const POOL_SIZE: u32 = 10;
/// Write transactions at once: half the pool, the other half for readers.
const WRITERS: usize = POOL_SIZE as usize / 2;
/// A pooled connection idle this long is pinged before it is used again (see `connect`).
const PING_IDLE: Duration = Duration::from_secs(10);
/// How long a write waits for a turn, as long as for a connection of the pool.
const WRITE_WAIT: Duration = Duration::from_secs(15);

impl PgBackend {
    /// Connect and migrate.
    pub async fn connect(url: &str) -> StoreResult<PgBackend> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| {
                DomainError::invalid(
                    "database_url",
                    "invalid_database_url",
                    format!("数据库地址无效：{e}"),
                )
            })?
            .application_name("fupin");
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(WRITE_WAIT)
            // sqlx pings a connection (a network round trip) when it goes back to the pool, and
            // drops it if that fails; pinging it again when it is taken out doubled that cost on
            // every statement outside a transaction. Only one that sat idle a while (the server
            // may have closed it meanwhile) is checked again.
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
                tracing::error!(error = %e, "cannot connect to PostgreSQL");
                DomainError::new(
                    fupin_core::ErrorKind::Internal,
                    "database_unavailable",
                    format!("无法连接 PostgreSQL：{e}"),
                )
            })?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            tracing::error!(error = %e, "PostgreSQL migration failed");
            DomainError::new(
                fupin_core::ErrorKind::Internal,
                "migration_failed",
                format!("数据库迁移失败：{e}"),
            )
        })?;
        Ok(PgBackend {
            pool,
            write_gate: Arc::new(Semaphore::new(WRITERS)),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn map_err(e: sqlx::Error) -> DbError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => DbError::Unique(
            d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .map(|p| unique_key(p.table(), p.detail()))
                .unwrap_or_default(),
        ),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => DbError::ForeignKey,
        // the message only: PostgreSQL's detail can quote the offending values (personal data)
        sqlx::Error::Database(d) => DbError::Other(format!(
            "{} ({})",
            d.message(),
            d.code().unwrap_or_default()
        )),
        _ => DbError::Other(e.to_string()),
    }
}

/// The key of a unique violation: the table PostgreSQL reports, and the columns of the detail
/// `Key (a, b)=(…) already exists.` (or `… is duplicated.` when an index is built), read up to the
/// values, which are never kept.
fn unique_key(table: Option<&str>, detail: Option<&str>) -> UniqueKey {
    let columns = detail
        .and_then(|d| d.strip_prefix("Key ("))
        .and_then(|d| d.split_once(")=("))
        .map(|(cols, _values)| cols.split(", ").map(str::to_string).collect())
        .unwrap_or_default();
    UniqueKey {
        table: table.unwrap_or_default().to_string(),
        columns,
    }
}

fn arguments(args: &[Value]) -> PgArguments {
    use sqlx::Arguments;
    let mut a = PgArguments::default();
    for v in args {
        let r = match v {
            Value::I64(x) => a.add(*x),
            Value::F64(x) => a.add(*x),
            Value::Text(x) => a.add(x.clone()),
            Value::Bool(x) => a.add(*x),
            Value::Bytes(x) => a.add(x.clone()),
            Value::Date(x) => a.add(*x),
            Value::Time(x) => a.add(*x),
        };
        r.expect("binding a plain value cannot fail");
    }
    a
}

fn decode(row: &PgRow) -> DbResult<Row> {
    let mut out = Vec::with_capacity(row.columns().len());
    for c in row.columns() {
        let i = c.ordinal();
        let raw = row.try_get_raw(i).map_err(map_err)?;
        if raw.is_null() {
            out.push(Value::Text(None));
            continue;
        }
        out.push(match c.type_info().name() {
            "INT8" => Value::I64(Some(row.try_get::<i64, _>(i).map_err(map_err)?)),
            "INT4" => Value::I64(Some(i64::from(row.try_get::<i32, _>(i).map_err(map_err)?))),
            "INT2" => Value::I64(Some(i64::from(row.try_get::<i16, _>(i).map_err(map_err)?))),
            "FLOAT8" => Value::F64(Some(row.try_get::<f64, _>(i).map_err(map_err)?)),
            "FLOAT4" => Value::F64(Some(f64::from(row.try_get::<f32, _>(i).map_err(map_err)?))),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                Value::Text(Some(row.try_get::<String, _>(i).map_err(map_err)?))
            }
            "BOOL" => Value::Bool(Some(row.try_get::<bool, _>(i).map_err(map_err)?)),
            "BYTEA" => Value::Bytes(Some(row.try_get::<Vec<u8>, _>(i).map_err(map_err)?)),
            "DATE" => Value::Date(Some(row.try_get::<time::Date, _>(i).map_err(map_err)?)),
            "TIMESTAMPTZ" => Value::Time(Some(
                row.try_get::<time::OffsetDateTime, _>(i).map_err(map_err)?,
            )),
            other => {
                return Err(DbError::Decode(format!(
                    "column {i}: unsupported PostgreSQL type {other}"
                )))
            }
        });
    }
    Ok(Row::new(out))
}

type PgTransaction = sqlx::Transaction<'static, Postgres>;

/// A transaction on one connection. A bulk `COPY` is sent and applied by a task of its own, which
/// holds the transaction until the server has taken every row: the caller goes on preparing the
/// next rows meanwhile (on a province's load, the server and the import then work side by side
/// instead of in turn). The next call waits for it, and returns the copy's error if it failed.
struct PgTx {
    tx: Option<PgTransaction>,
    copying: Option<tokio::task::JoinHandle<(PgTransaction, DbResult<u64>)>>,
    /// A writing transaction holds its turn (see `PgBackend`) until committed or dropped.
    _gate: Option<OwnedSemaphorePermit>,
}

impl PgTx {
    fn new(tx: PgTransaction, gate: Option<OwnedSemaphorePermit>) -> PgTx {
        PgTx {
            tx: Some(tx),
            copying: None,
            _gate: gate,
        }
    }

    /// The transaction, once a copy under way has finished.
    async fn conn(&mut self) -> DbResult<&mut PgTransaction> {
        if let Some(copying) = self.copying.take() {
            let (tx, result) = copying
                .await
                .map_err(|e| DbError::Other(format!("copy task failed: {e}")))?;
            self.tx = Some(tx);
            result?;
        }
        self.tx
            .as_mut()
            .ok_or_else(|| DbError::Other("the transaction was lost with a failed copy".into()))
    }
}

/// Rows in `COPY` text format, in pieces of about a megabyte.
fn copy_text(table: &str, columns: &[&str], rows: &[Vec<Value>]) -> DbResult<Vec<Vec<u8>>> {
    let mut pieces = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    for row in rows {
        if row.len() != columns.len() {
            return Err(DbError::Other(format!(
                "copy into {table}: row has {} values for {} columns",
                row.len(),
                columns.len()
            )));
        }
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push(b'\t');
            }
            copy_value(&mut buf, v);
        }
        buf.push(b'\n');
        if buf.len() >= 1 << 20 {
            pieces.push(std::mem::replace(&mut buf, Vec::with_capacity(1 << 20)));
        }
    }
    if !buf.is_empty() {
        pieces.push(buf);
    }
    Ok(pieces)
}

async fn copy_in(tx: &mut PgTransaction, sql: &str, pieces: Vec<Vec<u8>>) -> DbResult<u64> {
    let mut copy = tx.copy_in_raw(sql).await.map_err(map_err)?;
    for piece in pieces {
        if let Err(e) = copy.send(piece).await {
            let _ = copy.abort("send failed").await;
            return Err(map_err(e));
        }
    }
    copy.finish().await.map_err(map_err)
}

#[async_trait]
impl Tx for PgTx {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let r = sqlx::query_with(sql, arguments(args))
            .execute(&mut **self.conn().await?)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected())
    }
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        let rows = sqlx::query_with(sql, arguments(args))
            .fetch_all(&mut **self.conn().await?)
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
    async fn commit(mut self: Box<Self>) -> DbResult<()> {
        self.conn().await?;
        match self.tx.take() {
            Some(tx) => tx.commit().await.map_err(map_err),
            None => Err(DbError::Other("no transaction to commit".into())),
        }
    }

    /// `COPY … FROM STDIN` in text format on the transaction's connection. The rows are encoded
    /// here, then sent and applied in the background (see `PgTx`): the count returned is the
    /// rows handed over, and an error of the copy comes from the next call.
    async fn copy_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> DbResult<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let pieces = copy_text(table, columns, &rows)?;
        let n = rows.len() as u64;
        drop(rows);
        let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        self.conn().await?;
        let Some(mut tx) = self.tx.take() else {
            return Err(DbError::Other("no transaction to copy into".into()));
        };
        self.copying = Some(tokio::spawn(async move {
            let result = copy_in(&mut tx, &sql, pieces).await;
            (tx, result)
        }));
        Ok(n)
    }

    /// Lock the table against other writers (readers go on) and advance its identity sequence past
    /// the reserved block, so that neither a concurrent insert nor a later one can take these ids.
    async fn reserve_ids(&mut self, table: &str, n: u64) -> DbResult<i64> {
        self.execute(&format!("LOCK TABLE {table} IN EXCLUSIVE MODE"), &[])
            .await?;
        let seq = format!("pg_get_serial_sequence('{table}', 'id')");
        let r = self
            .fetch_one(
                &format!(
                    "SELECT GREATEST(nextval({seq}), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))"
                ),
                &[],
            )
            .await?;
        let start = r.i64(0)?;
        let last = start + n.max(1) as i64 - 1;
        self.execute(
            &format!("SELECT setval({seq}, $1)"),
            &[Value::I64(Some(last))],
        )
        .await?;
        Ok(start)
    }

    /// Indexes that back no constraint; unique constraints that no foreign key relies on; foreign
    /// keys into `among`. Primary keys stay.
    async fn load_droppable(&mut self, table: &str, among: &[&str]) -> DbResult<Vec<Droppable>> {
        let rows = self
            .fetch_all(
                "SELECT i.indexname, 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef, '' \
                 FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = $1 \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.conrelid = to_regclass($1)) \
                 UNION ALL \
                 SELECT c.conname, 'ALTER TABLE ' || quote_ident($1) || ' DROP CONSTRAINT ' || quote_ident(c.conname), \
                 'ALTER TABLE ' || quote_ident($1) || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), \
                 CASE WHEN c.contype = 'f' THEN (SELECT r.relname FROM pg_class r WHERE r.oid = c.confrelid) ELSE '' END \
                 FROM pg_constraint c WHERE c.conrelid = to_regclass($1) AND (c.contype = 'f' OR (c.contype = 'u' \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))) \
                 ORDER BY 1",
                &[Value::Text(Some(table.to_string()))],
            )
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let target = r.text(3)?;
            let foreign_key = !target.is_empty();
            if foreign_key && !among.contains(&target.as_str()) {
                continue;
            }
            out.push(Droppable {
                name: r.text(0)?,
                drop: r.text(1)?,
                create: r.text(2)?,
                foreign_key,
            });
        }
        Ok(out)
    }

    /// The primary key constraint, unless a foreign key refers to the table (dropping the key
    /// would need the foreign key dropped too).
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>> {
        let r = self
            .fetch_optional(
                "SELECT c.conname, 'ALTER TABLE ' || quote_ident($1) || ' DROP CONSTRAINT ' || quote_ident(c.conname), \
                 'ALTER TABLE ' || quote_ident($1) || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid) \
                 FROM pg_constraint c WHERE c.conrelid = to_regclass($1) AND c.contype = 'p' \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)",
                &[Value::Text(Some(table.to_string()))],
            )
            .await?;
        r.map(|r| {
            Ok(Droppable {
                name: r.text(0)?,
                drop: r.text(1)?,
                create: r.text(2)?,
                foreign_key: false,
            })
        })
        .transpose()
    }

    /// `ANALYZE` samples on PostgreSQL; one statement for all the tables.
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.execute(&format!("ANALYZE {}", tables.join(", ")), &[])
            .await?;
        Ok(())
    }

    /// `pg_class.reltuples`, which `ANALYZE` sets in this transaction (-1, never measured, counts
    /// as 0: the planner's defaults for a table without statistics are what a growing table
    /// makes wrong — a join with a batch of households scanned the whole of `incomes`).
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        let r = self
            .fetch_optional(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1)",
                &[Value::Text(Some(table.to_string()))],
            )
            .await?;
        Ok(Some(match r {
            Some(r) => r.i64(0)?.max(0) as u64,
            None => 0,
        }))
    }

    /// `SET LOCAL jit = off`: the comparison's join of a 5-million-row list spent about 0.5 s
    /// compiling expressions that each row evaluates once.
    async fn without_jit(&mut self) -> DbResult<()> {
        self.execute("SET LOCAL jit = off", &[]).await?;
        Ok(())
    }

    /// More memory for the index builds at the end of a large load, and for the sorts and hash
    /// tables of its set-based passes (the pairing figures' millions of per-cadre rows summed
    /// and sorted at once), this transaction only.
    async fn bulk_settings(&mut self, on: bool) -> DbResult<()> {
        if on {
            self.execute("SET LOCAL maintenance_work_mem = '256MB'", &[])
                .await?;
            self.execute("SET LOCAL work_mem = '64MB'", &[]).await?;
        }
        Ok(())
    }

    /// `fupin.facts_paused` for this transaction only (`set_config(…, true)` is `SET LOCAL`): the
    /// version triggers' `WHEN` reads it. No other transaction sees it, so writes from forms meanwhile
    /// still bump their villages; it ends with the transaction, committed or not, and never stays on
    /// a pooled connection.
    async fn pause_facts(&mut self, on: bool) -> DbResult<()> {
        let value = if on { "on" } else { "off" };
        self.execute(
            "SELECT set_config('fupin.facts_paused', $1, true)",
            &[Value::from(value)],
        )
        .await?;
        Ok(())
    }
}

/// A `text[]` literal of `values`: each element quoted, `"` and `\\` escaped by a backslash.
fn text_array(values: &[&str]) -> String {
    let mut s = String::with_capacity(values.iter().map(|v| v.len() + 3).sum::<usize>() + 2);
    s.push('{');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('"');
        for c in v.chars() {
            if c == '"' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
    }
    s.push('}');
    s
}

/// One value in `COPY` text format: `\N` for NULL, backslash escapes for the separators.
fn copy_value(buf: &mut Vec<u8>, v: &Value) {
    use std::io::Write;
    match v {
        Value::I64(None)
        | Value::F64(None)
        | Value::Text(None)
        | Value::Bool(None)
        | Value::Date(None)
        | Value::Time(None)
        | Value::Bytes(None) => buf.extend_from_slice(b"\\N"),
        Value::I64(Some(x)) => {
            let _ = write!(buf, "{x}");
        }
        Value::F64(Some(x)) => {
            if x.is_nan() {
                buf.extend_from_slice(b"NaN");
            } else if x.is_infinite() {
                buf.extend_from_slice(if *x > 0.0 { b"Infinity" } else { b"-Infinity" });
            } else {
                let _ = write!(buf, "{x}");
            }
        }
        Value::Bool(Some(b)) => buf.push(if *b { b't' } else { b'f' }),
        Value::Date(Some(d)) => {
            let _ = write!(buf, "{d}");
        }
        Value::Time(Some(t)) => {
            let s = t
                .to_offset(time::UtcOffset::UTC)
                .format(&time::format_description::well_known::Rfc3339)
                .expect("formattable");
            buf.extend_from_slice(s.as_bytes());
        }
        Value::Text(Some(s)) => {
            for &b in s.as_bytes() {
                match b {
                    b'\\' => buf.extend_from_slice(b"\\\\"),
                    b'\t' => buf.extend_from_slice(b"\\t"),
                    b'\n' => buf.extend_from_slice(b"\\n"),
                    b'\r' => buf.extend_from_slice(b"\\r"),
                    _ => buf.push(b),
                }
            }
        }
        Value::Bytes(Some(bytes)) => {
            buf.extend_from_slice(b"\\\\x");
            for b in bytes {
                let _ = write!(buf, "{b:02x}");
            }
        }
    }
}

#[async_trait]
impl Backend for PgBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }
    async fn begin_write(&self) -> DbResult<Box<dyn Tx>> {
        // a turn first, then a connection (see `PgBackend`)
        let gate = tokio::time::timeout(WRITE_WAIT, self.write_gate.clone().acquire_owned())
            .await
            .map_err(|_| DbError::Other("waited 15 s for a turn to write".into()))?
            .map_err(|e| DbError::Other(e.to_string()))?;
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PgTx::new(tx, Some(gate))))
    }
    async fn begin_read(&self) -> DbResult<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN READ ONLY")
            .await
            .map_err(map_err)?;
        Ok(Box::new(PgTx::new(tx, None)))
    }
    async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        let rows = sqlx::query_with(sql, arguments(args))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
    fn lock_rows(&self) -> &'static str {
        " FOR NO KEY UPDATE"
    }
    fn text_agg(&self) -> &'static str {
        "string_agg"
    }
    fn year_of(&self, col: &str) -> String {
        format!("CAST(EXTRACT(YEAR FROM {col}) AS INTEGER)")
    }
    /// `col = ANY($n::text[])`, the values as one array literal: one statement text and one
    /// parameter whatever their number. With 500 parameters (`IN ($1, …, $500)`) each statement
    /// was planned for its values, and the ID-number look-up of an import took 1–3 s.
    fn text_in(&self, col: &str, values: &[&str], arg: &mut dyn FnMut(Value) -> String) -> String {
        format!(
            "{col} = ANY({}::text[])",
            arg(Value::Text(Some(text_array(values))))
        )
    }
    fn id_table(&self, name: &str, column: &str) -> String {
        format!("CREATE TEMP TABLE {name} ({column} BIGINT PRIMARY KEY) ON COMMIT DROP")
    }
    /// None: a batch looked up element by element is an index probe per element, where `COPY`
    /// into a scratch table and one hash join over the whole list are cheaper here.
    fn text_elements(&self, _param: &str) -> Option<String> {
        None
    }
    fn migration_versions(&self) -> Vec<i64> {
        MIGRATOR.iter().map(|m| m.version).collect()
    }
    fn pool_status(&self) -> fupin_core::store::PoolStatus {
        fupin_core::store::PoolStatus {
            open: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }
}

/// Create a fresh, uniquely named database on the server of `base_url` and return its URL: each
/// test gets its own database, so tests run in parallel without seeing each other's rows.
pub async fn create_scratch_database(base_url: &str, prefix: &str) -> Result<String, String> {
    use sqlx::Connection;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("{prefix}{}_{n}_{nanos}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(base_url)
        .await
        .map_err(|e| format!("cannot connect to {base_url}: {e}"))?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let mut url = url_without_db(base_url);
    url.push('/');
    url.push_str(&name);
    Ok(url)
}

fn url_without_db(base: &str) -> String {
    let (main, _query) = base.split_once('?').unwrap_or((base, ""));
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    match main[scheme_end..].find('/') {
        Some(i) => main[..scheme_end + i].to_string(),
        None => main.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unique_violations_name_their_key() {
        let k = super::unique_key(
            Some("persons"),
            Some("Key (id_number)=(11010519491231002X) already exists."),
        );
        assert!(k.is("persons", &["id_number"]), "{k:?}");
        let k = super::unique_key(
            Some("incomes"),
            Some("Key (household_id, year)=(1, 2020) is duplicated."),
        );
        assert!(k.is("incomes", &["household_id", "year"]), "{k:?}");
        let k = super::unique_key(Some("persons"), None);
        assert!(k.columns.is_empty());
    }

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::url_without_db("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432"
        );
        assert_eq!(
            super::url_without_db("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h"
        );
        assert_eq!(super::url_without_db("postgres://u@h"), "postgres://u@h");
    }

    #[test]
    fn text_arrays_quote_and_escape_every_element() {
        assert_eq!(super::text_array(&[]), "{}");
        assert_eq!(
            super::text_array(&["360124199001011234", "HN-2019,01", ""]),
            r#"{"360124199001011234","HN-2019,01",""}"#
        );
        assert_eq!(
            super::text_array(&[r#"a"b"#, r"c\d", "{e}", "NULL"]),
            r#"{"a\"b","c\\d","{e}","NULL"}"#
        );
    }
}
