//! Typed rows: each table's column lists, row decoders and value builders are written once, in
//! its area's `rows.rs`, and used by the normal path (one record per statement) and the bulk path
//! (`Tx::copy_rows`, batched look-ups) alike.
//!
//! The mechanism is small and hand-written:
//! - [`Columns`] names columns once and writes the SQL that lists them: a `SELECT` list (with a
//!   table alias), an `INSERT` column list with its placeholders, an `UPDATE … SET` list;
//! - a decoder reads a row through a [`Cols`] cursor in the order of its column list, so no decoder
//!   names a position, and [`Cols::read`] fails when a query selected columns the decoder left
//!   unread;
//! - a value builder returns a record's values in the order of its column list.
//!
//! Rejected: `sqlx::FromRow` (it would bind the shared store to one driver's row type, where the
//! backend seam hands over plain values); `sea-query` (a builder for SQL that is already written
//! once for both engines: it would not remove a column list, a decoder or a value builder); a
//! derive macro (a procedural-macro crate for a dozen tables whose decoders convert most columns
//! anyway: codes, JSON, ids, money).

use crate::sql::{DbError, DbResult, Row, Value};
use fupin_core::error::DomainError;
use fupin_core::store::StoreResult;
use time::{Date, OffsetDateTime};

/// A list of column names, written once per table and record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns(pub &'static [&'static str]);

impl Columns {
    pub fn names(&self) -> &'static [&'static str] {
        self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// `a, b, c`
    pub fn list(&self) -> String {
        self.0.join(", ")
    }
    /// `h.a, h.b, h.c`
    pub fn list_of(&self, alias: &str) -> String {
        let v: Vec<String> = self.0.iter().map(|c| format!("{alias}.{c}")).collect();
        v.join(", ")
    }
    /// `$first, $first+1, …`, one per column.
    pub fn placeholders(&self, first: usize) -> String {
        let v: Vec<String> = (0..self.0.len())
            .map(|i| format!("${}", first + i))
            .collect();
        v.join(", ")
    }
    /// `a = $first, b = $first+1, …`
    pub fn set(&self, first: usize) -> String {
        let v: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", first + i))
            .collect();
        v.join(", ")
    }
    /// `INSERT INTO table (a, b) VALUES ($1, $2)`
    pub fn insert(&self, table: &str) -> String {
        format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            self.list(),
            self.placeholders(1)
        )
    }
}

/// Several lists of columns, one after the other (a record's key, its data, its bookkeeping).
pub(crate) fn concat(parts: &[Columns]) -> Columns {
    let v: Vec<&'static str> = parts.iter().flat_map(|p| p.0.iter().copied()).collect();
    Columns(Vec::leak(v))
}

/// Append rows of values to a multi-row statement: `($1, $2), ($3, $4)`, numbered after the
/// query's parameters so far.
pub(crate) fn push_rows(q: &mut crate::query::Query, rows: impl IntoIterator<Item = Vec<Value>>) {
    let tuples: Vec<String> = rows
        .into_iter()
        .map(|row| {
            let ph: Vec<String> = row.into_iter().map(|v| q.arg(v)).collect();
            format!("({})", ph.join(", "))
        })
        .collect();
    q.push(&tuples.join(", "));
}

/// SQL text built once from column lists, on first use.
pub(crate) type Sql = std::sync::LazyLock<String>;

/// A record's column list where a `format!` string wants it: `const COLS: Select<T> =
/// Select::new();`, then `"SELECT {COLS} FROM …"`.
pub(crate) struct Select<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Select<T> {
    pub const fn new() -> Self {
        Select(std::marker::PhantomData)
    }
}

impl<T: Record> std::fmt::Display for Select<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&T::columns().list())
    }
}

/// A record read from the columns of a table (or of a join): its decoder and the columns it reads.
pub(crate) trait Record: Sized {
    /// The columns `decode` reads, in order.
    fn columns() -> Columns;
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self>;

    /// Decode a whole row, which must hold exactly the record's columns.
    fn from_row(row: &Row) -> StoreResult<Self> {
        Cols::read(row, Self::decode)
    }
}

/// A cursor over a row's columns: each getter reads the next column.
pub(crate) struct Cols<'a> {
    row: &'a Row,
    at: usize,
}

macro_rules! getters {
    ($($name:ident -> $t:ty),* $(,)?) => {
        $(
            pub fn $name(&mut self) -> DbResult<$t> {
                let i = self.at;
                self.at += 1;
                self.row.$name(i)
            }
        )*
    };
}

impl<'a> Cols<'a> {
    pub fn new(row: &'a Row) -> Self {
        Cols { row, at: 0 }
    }

    /// Decode `row` with `f`, which must read every column the row has.
    pub fn read<T>(
        row: &'a Row,
        f: impl FnOnce(&mut Cols<'a>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut c = Cols::new(row);
        let out = f(&mut c)?;
        c.done()?;
        Ok(out)
    }

    /// Fail unless every column of the row was read.
    pub fn done(&self) -> DbResult<()> {
        if self.at == self.row.len() {
            Ok(())
        } else {
            Err(DbError::Decode(format!(
                "row has {} columns, the decoder read {}",
                self.row.len(),
                self.at
            )))
        }
    }

    /// The next column, an integer, without reading past it: whether a `LEFT JOIN`'s other
    /// side is there before its record is decoded.
    pub fn peek_opt_i64(&self) -> DbResult<Option<i64>> {
        self.row.opt_i64(self.at)
    }

    getters! {
        i64 -> i64,
        opt_i64 -> Option<i64>,
        i32 -> i32,
        opt_i32 -> Option<i32>,
        opt_f64 -> Option<f64>,
        text -> String,
        opt_text -> Option<String>,
        bool -> bool,
        opt_bool -> Option<bool>,
        date -> Date,
        opt_date -> Option<Date>,
        time -> OffsetDateTime,
        opt_time -> Option<OffsetDateTime>,
        bytes -> Vec<u8>,
        opt_bytes -> Option<Vec<u8>>,
    }

    /// A JSON column.
    pub fn json<T: serde::de::DeserializeOwned>(&mut self) -> StoreResult<T> {
        serde_json::from_str(&self.text()?).map_err(json_err)
    }

    /// A nullable JSON column.
    pub fn opt_json<T: serde::de::DeserializeOwned>(&mut self) -> StoreResult<Option<T>> {
        self.opt_text()?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(json_err)
    }
}

fn json_err(e: serde_json::Error) -> DomainError {
    tracing::error!(error = %e, "stored JSON does not parse");
    DomainError::internal()
}

/// The one integer of a row of one column: an id `RETURNING id` gave back, a count.
pub(crate) fn one_i64(row: &Row) -> StoreResult<i64> {
    Cols::read(row, |c| Ok(c.i64()?))
}

/// The one text of a row of one column.
pub(crate) fn one_text(row: &Row) -> StoreResult<String> {
    Cols::read(row, |c| Ok(c.text()?))
}

/// A value as JSON text, for a JSON column.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_lists_follow_the_columns() {
        let c = Columns(&["a", "b", "c"]);
        assert_eq!(c.list(), "a, b, c");
        assert_eq!(c.list_of("t"), "t.a, t.b, t.c");
        assert_eq!(c.placeholders(3), "$3, $4, $5");
        assert_eq!(c.set(2), "a = $2, b = $3, c = $4");
        assert_eq!(c.insert("t"), "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
        let both = concat(&[Columns(&["id"]), c]);
        assert_eq!(both.names(), &["id", "a", "b", "c"]);
    }

    #[test]
    fn a_decoder_reads_in_order_and_every_column() {
        let row = Row::new(vec![Value::I64(Some(7)), Value::Text(Some("x".into()))]);
        let (n, s) = Cols::read(&row, |c| Ok((c.i64()?, c.text()?))).unwrap();
        assert_eq!((n, s.as_str()), (7, "x"));
        assert!(
            Cols::read(&row, |c| Ok(c.i64()?)).is_err(),
            "a column left unread"
        );
        assert!(Cols::read(&row, |c| Ok((c.i64()?, c.text()?, c.text()?))).is_err());
    }

    /// No store code reads a row by position (`r.text(3)`): every read goes through a [`Cols`]
    /// cursor, a [`Record`]'s decoder or `one_i64`/`one_text`, so a column list is written once
    /// and a decoder cannot drift from it. Only `sql.rs` (the row's own getters) and this module
    /// (the cursor) take a position.
    #[test]
    fn no_positional_row_getters() {
        const GETTERS: [&str; 14] = [
            "i64", "opt_i64", "i32", "opt_i32", "opt_f64", "text", "opt_text", "bool", "opt_bool",
            "bytes", "date", "opt_date", "time", "opt_time",
        ];
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).expect("source folder") {
                let path = e.expect("entry").path();
                if path.is_dir() {
                    scan(&path, found);
                    continue;
                }
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let top = path.parent().and_then(|p| p.file_name()) == Some("src".as_ref());
                if !name.ends_with(".rs") || (top && (name == "sql.rs" || name == "rows.rs")) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source file");
                for (n, line) in text.lines().enumerate() {
                    for g in GETTERS {
                        let call = format!(".{g}(");
                        let mut rest = line;
                        while let Some(at) = rest.find(&call) {
                            let after = &rest[at + call.len()..];
                            let arg = after.split(')').next().unwrap_or("");
                            // a position: a number or a plain index expression, not a string,
                            // a reference or a path
                            if !arg.trim().is_empty()
                                && arg
                                    .chars()
                                    .all(|c| c.is_ascii_alphanumeric() || " _+-".contains(c))
                            {
                                found.push(format!(
                                    "{}:{}: {}",
                                    path.display(),
                                    n + 1,
                                    line.trim()
                                ));
                            }
                            rest = after;
                        }
                    }
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        scan(&src, &mut found);
        assert!(
            found.is_empty(),
            "rows read by position; decode them through `Cols` or a `Record` instead:\n{}",
            found.join("\n")
        );
    }
}
