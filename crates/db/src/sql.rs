//! The seam between the SQL store and a database engine: run a statement with typed parameters,
//! read rows of typed values, begin and commit transactions.
//!
//! The store's SQL is the common subset of SQLite and PostgreSQL (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`, `CAST(SUM(…) AS BIGINT)`), so it is written once; each backend crate maps `Value`s to
//! its driver's types. Rejected alternative: `sqlx::Any`, which cannot carry dates or typed NULLs,
//! and two hand-kept copies of every query, which drift.

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

/// A parameter or column value. NULLs are typed, because PostgreSQL needs a parameter's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    I64(Option<i64>),
    F64(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Date(Option<Date>),
    Time(Option<OffsetDateTime>),
    Bytes(Option<Vec<u8>>),
}

/// Errors a backend reports, classified where the store reacts to them.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique constraint or index was violated; the backend says which key.
    #[error("unique violation on {0}")]
    Unique(UniqueKey),
    /// A foreign key was violated.
    #[error("foreign key violation")]
    ForeignKey,
    /// A value could not be decoded into the requested type.
    #[error("decode: {0}")]
    Decode(String),
    /// Anything else (connection lost, syntax, …).
    #[error("{0}")]
    Other(String),
}

pub type DbResult<T> = Result<T, DbError>;

/// The key of a violated unique constraint or index, as the backend reads it from the engine's
/// report: its table and its columns in order (empty when the engine did not say). The store
/// tells its conflicts apart by it, never by an engine's names or messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UniqueKey {
    pub table: String,
    pub columns: Vec<String>,
}

impl UniqueKey {
    pub fn new(table: &str, columns: &[&str]) -> Self {
        UniqueKey {
            table: table.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }
    /// The key of `table` over exactly `columns`.
    pub fn is(&self, table: &str, columns: &[&str]) -> bool {
        self.table == table
            && self
                .columns
                .iter()
                .map(String::as_str)
                .eq(columns.iter().copied())
    }
}

impl std::fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.table, self.columns.join(", "))
    }
}

/// How a backend without date and timestamp types reads back the text it stores them as (the
/// writing side is the backend's value mapping).
pub trait TextDates: Send + Sync {
    fn date(&self, s: &str) -> Result<Date, String>;
    fn time(&self, s: &str) -> Result<OffsetDateTime, String>;
}

/// A row of values, read by position. A backend that stores dates as text gives its rows the
/// reading of that text ([`Row::with_text_dates`]); otherwise a text value is no date.
#[derive(Clone, Default)]
pub struct Row {
    values: Vec<Value>,
    dates: Option<&'static dyn TextDates>,
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Row").field(&self.values).finish()
    }
}

fn decode_err(i: usize, want: &str, got: &Value) -> DbError {
    DbError::Decode(format!("column {i}: want {want}, got {got:?}"))
}

impl Row {
    /// A row of an engine with types of its own for dates and timestamps.
    pub fn new(values: Vec<Value>) -> Self {
        Row {
            values,
            dates: None,
        }
    }
    /// A row of an engine that stores dates and timestamps as text, read back by `dates`.
    pub fn with_text_dates(values: Vec<Value>, dates: &'static dyn TextDates) -> Self {
        Row {
            values,
            dates: Some(dates),
        }
    }
    /// The number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    pub fn values(&self) -> &[Value] {
        &self.values
    }
    fn get(&self, i: usize) -> DbResult<&Value> {
        self.values
            .get(i)
            .ok_or_else(|| DbError::Decode(format!("no column {i}")))
    }
    pub fn opt_i64(&self, i: usize) -> DbResult<Option<i64>> {
        match self.get(i)? {
            Value::I64(v) => Ok(*v),
            Value::Bool(b) => Ok(b.map(i64::from)),
            Value::Text(None) | Value::Date(None) | Value::Time(None) | Value::F64(None) => {
                Ok(None)
            }
            v => Err(decode_err(i, "integer", v)),
        }
    }
    pub fn i64(&self, i: usize) -> DbResult<i64> {
        self.opt_i64(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i}: unexpected NULL")))
    }
    pub fn opt_i32(&self, i: usize) -> DbResult<Option<i32>> {
        self.opt_i64(i)?
            .map(|v| {
                i32::try_from(v).map_err(|_| DbError::Decode(format!("column {i}: {v} out of i32")))
            })
            .transpose()
    }
    pub fn i32(&self, i: usize) -> DbResult<i32> {
        self.opt_i32(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i}: unexpected NULL")))
    }
    pub fn opt_f64(&self, i: usize) -> DbResult<Option<f64>> {
        match self.get(i)? {
            Value::F64(v) => Ok(*v),
            Value::I64(v) => Ok(v.map(|x| x as f64)),
            Value::Text(None) => Ok(None),
            v => Err(decode_err(i, "float", v)),
        }
    }
    pub fn opt_text(&self, i: usize) -> DbResult<Option<String>> {
        match self.get(i)? {
            Value::Text(v) => Ok(v.clone()),
            Value::I64(None)
            | Value::Bool(None)
            | Value::Date(None)
            | Value::Time(None)
            | Value::F64(None) => Ok(None),
            v => Err(decode_err(i, "text", v)),
        }
    }
    pub fn text(&self, i: usize) -> DbResult<String> {
        self.opt_text(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i}: unexpected NULL")))
    }
    pub fn opt_bool(&self, i: usize) -> DbResult<Option<bool>> {
        match self.get(i)? {
            Value::Bool(v) => Ok(*v),
            Value::I64(v) => Ok(v.map(|x| x != 0)),
            Value::Text(None) => Ok(None),
            v => Err(decode_err(i, "bool", v)),
        }
    }
    pub fn opt_bytes(&self, i: usize) -> DbResult<Option<Vec<u8>>> {
        match self.get(i)? {
            Value::Bytes(None) | Value::Text(None) => Ok(None),
            _ => self.bytes(i).map(Some),
        }
    }
    pub fn bytes(&self, i: usize) -> DbResult<Vec<u8>> {
        match self.get(i)? {
            Value::Bytes(Some(b)) => Ok(b.clone()),
            Value::Text(Some(s)) => Ok(s.clone().into_bytes()),
            v => Err(decode_err(i, "bytes", v)),
        }
    }
    pub fn bool(&self, i: usize) -> DbResult<bool> {
        self.opt_bool(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i}: unexpected NULL")))
    }
    /// A date: a date value, or text where the backend stores dates as text.
    pub fn opt_date(&self, i: usize) -> DbResult<Option<Date>> {
        match (self.get(i)?, self.dates) {
            (Value::Date(v), _) => Ok(*v),
            (Value::Text(None) | Value::I64(None), _) => Ok(None),
            (Value::Text(Some(s)), Some(dates)) => dates
                .date(s)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("column {i}: date {s:?}: {e}"))),
            (v, _) => Err(decode_err(i, "date", v)),
        }
    }
    pub fn date(&self, i: usize) -> DbResult<Date> {
        self.opt_date(i)?
            .ok_or_else(|| DbError::Decode(format!("column {i}: unexpected NULL")))
    }
    /// A nullable timestamp.
    pub fn opt_time(&self, i: usize) -> DbResult<Option<OffsetDateTime>> {
        match self.get(i)? {
            Value::Time(None)
            | Value::Text(None)
            | Value::I64(None)
            | Value::Date(None)
            | Value::F64(None)
            | Value::Bool(None) => Ok(None),
            _ => self.time(i).map(Some),
        }
    }
    /// A timestamp: a timestamp value, or text where the backend stores timestamps as text.
    pub fn time(&self, i: usize) -> DbResult<OffsetDateTime> {
        match (self.get(i)?, self.dates) {
            (Value::Time(Some(t)), _) => Ok(*t),
            (Value::Text(Some(s)), Some(dates)) => dates
                .time(s)
                .map_err(|e| DbError::Decode(format!("column {i}: timestamp {s:?}: {e}"))),
            (v, _) => Err(decode_err(i, "timestamp", v)),
        }
    }
}

/// An open transaction. Dropped without `commit`, it rolls back.
#[async_trait]
pub trait Tx: Send {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64>;
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>>;
    async fn commit(self: Box<Self>) -> DbResult<()>;

    async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }
    async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> DbResult<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or_else(|| DbError::Other("expected one row, got none".into()))
    }

    // ---- bulk loading (used by `bulk`); the defaults are plain SQL that works on both engines ----

    /// Append rows to `table` as fast as the engine allows. The default is multi-row `INSERT`s of as
    /// many rows as the parameter limit allows (SQLite); PostgreSQL overrides it with `COPY`.
    async fn copy_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> DbResult<u64> {
        insert_rows(self, table, columns, rows).await
    }

    /// Reserve `n` consecutive values of `table.id` for explicit ids, in a write transaction. The
    /// default reads `MAX(id)`, which is safe where the transaction holds the only write lock
    /// (SQLite); PostgreSQL overrides it to advance the identity sequence under a table lock.
    async fn reserve_ids(&mut self, table: &str, n: u64) -> DbResult<i64> {
        let _ = n;
        let r = self
            .fetch_one(
                &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
                &[],
            )
            .await?;
        r.i64(0)
    }

    /// What a bulk load into `table` may drop and build again before it commits. Always its
    /// secondary indexes; where the engine can drop constraints inside a transaction, also its
    /// unique constraints that no foreign key relies on, and its foreign keys that point into
    /// `among` (tables the load locks anyway: a key into any other table would lock that table
    /// too). Primary keys stay.
    async fn load_droppable(&mut self, table: &str, among: &[&str]) -> DbResult<Vec<Droppable>>;

    /// The primary key of `table`, where the engine can drop it inside a transaction and no
    /// foreign key refers to it: for a table of figures that a first load fills from empty in the
    /// key's order, its index built once at the end instead of entry by entry. `None` elsewhere.
    async fn load_droppable_key(&mut self, table: &str) -> DbResult<Option<Droppable>>;

    /// Refresh the planner's statistics of tables after a large load, by sampling where the engine
    /// can.
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()>;

    /// The rows the planner's statistics of `table` were taken over, as it plans this
    /// transaction's statements; `None` when the engine plans the table from defaults that do not
    /// go stale as it grows, so that `analyze` would not be needed for it (see `bulk::growth`).
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>>;

    /// Pause (`on`) or resume (`!on`) the triggers that bump `village_versions` (migration 0029),
    /// for this transaction only: a bulk session pauses them for its writes and bumps the villages
    /// it touched itself, once, before it commits (see `bulk`). SQLite inserts a row into
    /// `facts_pause` and deletes it (one writer: no other transaction writes meanwhile, and a
    /// rollback takes the row away); PostgreSQL sets `fupin.facts_paused` with `SET LOCAL`, which
    /// no other transaction sees and which ends with the transaction.
    async fn pause_facts(&mut self, on: bool) -> DbResult<()>;

    /// Session settings for a large load (`on`) and back (`!on`): SQLite enlarges the page cache of
    /// the connection; PostgreSQL gives index builds more memory. Default: nothing.
    async fn bulk_settings(&mut self, on: bool) -> DbResult<()> {
        let _ = on;
        Ok(())
    }

    /// Plan the rest of the transaction's statements without JIT compilation, where the engine
    /// has it (PostgreSQL): for a statement whose cost is one large join of simple keys, the
    /// compilation costs more than it saves. Default: nothing.
    async fn without_jit(&mut self) -> DbResult<()> {
        Ok(())
    }
}

/// An index or constraint that a bulk load drops, and builds again before it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Droppable {
    pub name: String,
    /// The statement that drops it.
    pub drop: String,
    /// The statement that builds it again.
    pub create: String,
    /// A foreign key: built after the indexes, and checked against every row when it is.
    pub foreign_key: bool,
}

/// Largest number of parameters in one statement: SQLite's default limit (32766) is the lower one.
pub const MAX_PARAMS: usize = 32_766;

/// Multi-row `INSERT … VALUES (…), (…)` in chunks that fit the parameter limit; full chunks share
/// one statement text, so the driver prepares it once.
pub async fn insert_rows<T: Tx + ?Sized>(
    tx: &mut T,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> DbResult<u64> {
    insert_rows_then(tx, table, columns, rows, "").await
}

/// [`insert_rows`] with `tail` after each statement's rows (an `ON CONFLICT …` clause), the rows
/// going in the order given (a caller that locks rows in an order keeps it).
pub async fn insert_rows_then<T: Tx + ?Sized>(
    tx: &mut T,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> DbResult<u64> {
    if rows.is_empty() || columns.is_empty() {
        return Ok(0);
    }
    let per = (MAX_PARAMS / columns.len()).clamp(1, 1000);
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let mut sql = String::with_capacity(head.len() + chunk.len() * columns.len() * 8);
        sql.push_str(&head);
        let mut args = Vec::with_capacity(chunk.len() * columns.len());
        for (i, row) in chunk.into_iter().enumerate() {
            if row.len() != columns.len() {
                return Err(DbError::Other(format!(
                    "insert into {table}: row has {} values for {} columns",
                    row.len(),
                    columns.len()
                )));
            }
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&(args.len() + j + 1).to_string());
            }
            sql.push(')');
            args.extend(row);
        }
        sql.push_str(tail);
        n += tx.execute(&sql, &args).await?;
    }
    Ok(n)
}

/// A database engine behind a connection pool.
#[async_trait]
pub trait Backend: Send + Sync {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// Begin a transaction that will write (SQLite takes the write lock at once: `BEGIN IMMEDIATE`).
    async fn begin_write(&self) -> DbResult<Box<dyn Tx>>;
    /// Begin a read-only transaction (one consistent snapshot for several queries).
    async fn begin_read(&self) -> DbResult<Box<dyn Tx>>;
    /// Run one read query outside a transaction.
    async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>>;
    /// The suffix that locks the selected rows until commit, so that writers of the same rows take
    /// turns: ` FOR NO KEY UPDATE` on PostgreSQL (the lock an update that keeps the key takes: it
    /// waits for another such lock but not for the key-share locks that inserts referencing the row
    /// hold, so a transaction that already inserted a child row — a visit of the household — does
    /// not deadlock with another doing the same); empty on SQLite, where a write transaction
    /// already holds the only write lock.
    fn lock_rows(&self) -> &'static str;
    /// The aggregate that joins text values with a separator, `NAME(value, separator)`:
    /// `group_concat` on SQLite, `string_agg` on PostgreSQL.
    fn text_agg(&self) -> &'static str;
    /// The year of a date column as an integer expression: the text's first four characters on
    /// SQLite, `EXTRACT(YEAR …)` on PostgreSQL.
    fn year_of(&self, col: &str) -> String;
    /// The condition that `col` is one of `values` (text), its parameters added through `arg`
    /// (which returns each one's placeholder): `col IN ($1, …, $n)` on SQLite; one array
    /// parameter on PostgreSQL, `col = ANY($1::text[])`.
    fn text_in(&self, col: &str, values: &[&str], arg: &mut dyn FnMut(Value) -> String) -> String;
    /// The statement creating an empty scratch table `name (column)` of integer ids, keyed by the
    /// id, seen by this connection only: on SQLite `INTEGER PRIMARY KEY`, so that the id is the
    /// row's own key (one B-tree, no separate index; `BIGINT PRIMARY KEY` would add one); on
    /// PostgreSQL `BIGINT PRIMARY KEY … ON COMMIT DROP`, gone with the transaction whatever
    /// happens. Either way the table goes on rollback (DDL is transactional on both); callers drop
    /// it before they commit, as SQLite keeps it until the connection closes.
    fn id_table(&self, name: &str, column: &str) -> String;
    /// The rows of one text parameter `param` holding a JSON array of texts, as a table
    /// `j (key, value)` (the element's position from 0, the element), for looking a batch's values
    /// up in one statement: `json_each` on SQLite. `None` on PostgreSQL, which copies a batch
    /// into a scratch table and joins it instead (see `rectification::comparison`).
    fn text_elements(&self, param: &str) -> Option<String>;
    /// Versions of the migrations this build ships for the backend, in order.
    fn migration_versions(&self) -> Vec<i64>;
    /// Connections of the pool.
    fn pool_status(&self) -> fupin_core::store::PoolStatus;
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(Some(v))
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I64(Some(i64::from(v)))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::I64(Some(i64::from(v)))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::I64(v)
    }
}
impl From<Option<i32>> for Value {
    fn from(v: Option<i32>) -> Self {
        Value::I64(v.map(i64::from))
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Value::F64(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Some(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(Some(v))
    }
}
impl From<Option<bool>> for Value {
    fn from(v: Option<bool>) -> Self {
        Value::Bool(v)
    }
}
impl From<Date> for Value {
    fn from(v: Date) -> Self {
        Value::Date(Some(v))
    }
}
impl From<Option<Date>> for Value {
    fn from(v: Option<Date>) -> Self {
        Value::Date(v)
    }
}
impl From<OffsetDateTime> for Value {
    fn from(v: OffsetDateTime) -> Self {
        Value::Time(Some(v))
    }
}

/// Build a parameter array: `&args![a, b, c]` where a slice of values is wanted.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { [$($crate::sql::Value::from($v)),*] };
}
