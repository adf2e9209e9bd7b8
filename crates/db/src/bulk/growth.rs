//! Planner statistics kept current while a bulk load grows its tables. A load reads back what it
//! has written (each batch of incomes reads the stored incomes of its households, a visits file
//! the pairings just loaded…), and the planner chooses how from the statistics it holds: taken on
//! an empty or small table, they make every batch's look-up scan the whole growing table (on
//! PostgreSQL, an incomes import of 5.9M rows fell from 23,000 to 2,000 rows/s). So the session
//! counts the rows it adds to each table and has the backend measure a table again each time it
//! has grown about fourfold since the planner last measured it (`needs_refresh`): a few
//! samplings per table and load, whatever its size.
//!
//! The counting sits in a `Tx` wrapping the session's transaction (`GrowthTx`), so that every
//! table a load appends to — through the fast path or an `INSERT` — is covered without each bulk
//! path having to say so. What "measure again" means, and whether a table needs it at all, is the
//! backend's (`Tx::planned_rows`, `Tx::analyze`). Rejected: a refresh at fixed row intervals
//! (a province's 6M rows would be sampled hundreds of times), and one only at the end of a load
//! (the load itself is what the stale statistics slow down).
//!
//! Some tables are measured only at the end (`defer`): those nothing reads while the load runs —
//! `audit_pending`, which a load only appends to, and the tables a first load fills with their
//! indexes dropped (`plan`), which the load does not look rows up in. Sampling them on the way
//! (four times each for a province's first load) was work for no plan.

use crate::sql::{DbResult, Droppable, Row, Tx, Value};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A table's statistics are first taken again when it reaches this many rows: below it, a scan
/// costs about what the index look-ups would.
pub(crate) const FIRST_REFRESH_ROWS: u64 = 20_000;

/// …and again each time it has grown this many times over since the planner measured it.
pub(crate) const GROWTH_FACTOR: u64 = 4;

/// Whether a table the planner measured at `measured` rows and which now holds about `rows`
/// should be measured again.
pub(crate) fn needs_refresh(measured: u64, rows: u64) -> bool {
    rows >= FIRST_REFRESH_ROWS && rows / GROWTH_FACTOR >= measured
}

/// At the end of a load: whether a table the planner measured at `measured` rows and which now
/// holds about `rows` is measured once more, so that the statistics committed with the load are
/// close to the table (the next import reads it: a visits file the pairings just loaded), rather
/// than up to four times behind until autovacuum comes by.
pub(crate) fn needs_final_refresh(measured: u64, rows: u64) -> bool {
    rows >= FIRST_REFRESH_ROWS && rows.saturating_mul(4) > measured.saturating_mul(5)
}

/// What the session knows of the tables it writes to, shared between its transaction (which
/// counts) and the session (which settles them at the end, `to_settle`).
pub(crate) type Ledger = Arc<Mutex<Book>>;

/// The contents of a [`Ledger`].
#[derive(Debug, Default)]
pub(crate) struct Book {
    tables: HashMap<String, Tracked>,
    /// Tables measured only when the load ends (`defer`).
    deferred: HashSet<String>,
}

/// Measure `table` only when the load ends, not while it grows: nothing reads it during the load.
pub(crate) fn defer(ledger: &Ledger, table: &str) {
    let mut book = ledger.lock().unwrap_or_else(|e| e.into_inner());
    book.deferred.insert(table.to_string());
}

/// Whether a table is measured again now, while the load runs (see `needs_refresh`, `defer`).
pub(crate) fn refresh_during_load(measured: u64, rows: u64, deferred: bool) -> bool {
    !deferred && needs_refresh(measured, rows)
}

/// The tables of `ledger` to measure once more before the load commits (`needs_final_refresh`),
/// deferred ones included.
pub(crate) fn to_settle(ledger: &Ledger) -> Vec<String> {
    let book = ledger.lock().unwrap_or_else(|e| e.into_inner());
    let mut out: Vec<String> = book
        .tables
        .iter()
        .filter(|(_, t)| t.measured.is_some_and(|m| needs_final_refresh(m, t.rows)))
        .map(|(name, _)| name.clone())
        .collect();
    out.sort();
    out
}

/// What the session knows of one table it writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tracked {
    /// Rows the planner's statistics were taken over; `None`: the engine plans the table
    /// without statistics, from defaults that do not go stale (nothing to refresh).
    measured: Option<u64>,
    /// Rows the table holds now, as far as the session knows: the measured rows and those it
    /// added since.
    rows: u64,
}

/// The table a statement appends to, if it is an `INSERT`.
fn inserted_table(sql: &str) -> Option<&str> {
    let rest = sql.trim_start().strip_prefix("INSERT INTO ")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The table a statement drops (a scratch table of the load): no longer one to measure.
fn dropped_table(sql: &str) -> Option<&str> {
    let rest = sql.trim_start().strip_prefix("DROP TABLE ")?;
    let rest = rest.strip_prefix("IF EXISTS ").unwrap_or(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The session's transaction, counting the rows it appends to each table and refreshing the
/// planner's statistics of a table when its growth warrants it (see the module's comment).
pub(crate) struct GrowthTx {
    inner: Box<dyn Tx>,
    tables: Ledger,
}

impl GrowthTx {
    pub(crate) fn new(inner: Box<dyn Tx>, tables: Ledger) -> Self {
        GrowthTx { inner, tables }
    }

    /// What is known of `table`, and whether it is deferred.
    fn tracked(&self, table: &str) -> (Option<Tracked>, bool) {
        let book = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        (
            book.tables.get(table).copied(),
            book.deferred.contains(table),
        )
    }

    fn track(&self, table: &str, t: Tracked) {
        let mut book = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        book.tables.insert(table.to_string(), t);
    }

    /// Note `added` rows appended to `table`; measure it again if that warrants it.
    async fn grown(&mut self, table: &str, added: u64) -> DbResult<()> {
        if added == 0 {
            return Ok(());
        }
        let (known, deferred) = self.tracked(table);
        let t = match known {
            Some(t) => t,
            None => {
                // what the planner knew before this session's rows (read after them: the
                // statistics are not taken by a write)
                let measured = self.inner.planned_rows(table).await?;
                Tracked {
                    measured,
                    rows: measured.unwrap_or(0),
                }
            }
        };
        let mut t = Tracked {
            rows: t.rows.saturating_add(added),
            ..t
        };
        if let Some(measured) = t.measured {
            if refresh_during_load(measured, t.rows, deferred) {
                self.inner.analyze(&[table]).await?;
                // what the planner counts now (from a sample on PostgreSQL): more than the
                // session knew when the table held rows the planner had not measured before
                let now = self.inner.planned_rows(table).await?;
                tracing::debug!(table, rows = t.rows, measured = ?now, "statistics taken again");
                let rows = now.unwrap_or(0).max(t.rows);
                t = Tracked {
                    measured: Some(rows),
                    rows,
                };
            }
        }
        self.track(table, t);
        Ok(())
    }
}

#[async_trait]
impl Tx for GrowthTx {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let n = self.inner.execute(sql, args).await?;
        if let Some(t) = inserted_table(sql) {
            self.grown(t, n).await?;
        } else if let Some(t) = dropped_table(sql) {
            let mut book = self.tables.lock().unwrap_or_else(|e| e.into_inner());
            book.tables.remove(t);
        }
        Ok(n)
    }
    async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        let rows = self.inner.fetch_all(sql, args).await?;
        // `INSERT … RETURNING`
        if let Some(t) = inserted_table(sql) {
            self.grown(t, rows.len() as u64).await?;
        }
        Ok(rows)
    }
    async fn commit(self: Box<Self>) -> DbResult<()> {
        self.inner.commit().await
    }
    async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        let row = self.inner.fetch_optional(sql, args).await?;
        if let Some(t) = inserted_table(sql) {
            self.grown(t, u64::from(row.is_some())).await?;
        }
        Ok(row)
    }
    async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> DbResult<Row> {
        let row = self.inner.fetch_one(sql, args).await?;
        if let Some(t) = inserted_table(sql) {
            self.grown(t, 1).await?;
        }
        Ok(row)
    }
    async fn copy_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> DbResult<u64> {
        let n = self.inner.copy_rows(table, columns, rows).await?;
        self.grown(table, n).await?;
        Ok(n)
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
    async fn planned_rows(&mut self, table: &str) -> DbResult<Option<u64>> {
        self.inner.planned_rows(table).await
    }
    async fn analyze(&mut self, tables: &[&str]) -> DbResult<()> {
        self.inner.analyze(tables).await?;
        // measured now, whoever asked
        let mut book = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        for t in tables {
            if let Some(t) = book.tables.get_mut(*t) {
                if t.measured.is_some() {
                    t.measured = Some(t.rows);
                }
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_refresh_at_twenty_thousand_rows_then_every_fourfold() {
        // (measured, rows now, refresh?)
        let cases = [
            (0, 0, false),
            (0, 19_999, false),
            (0, 20_000, true),
            (0, 5_000_000, true),
            // a small table measured: not before the first threshold
            (3_000, 12_000, false),
            (3_000, 20_000, true),
            (20_000, 79_999, false),
            (20_000, 80_000, true),
            (80_000, 319_999, false),
            (80_000, 320_000, true),
            // a large table measured before the load: a small load changes nothing
            (6_000_000, 6_020_000, false),
            (6_000_000, 24_000_000, true),
            (u64::MAX, u64::MAX, false),
        ];
        for (measured, rows, want) in cases {
            assert_eq!(
                needs_refresh(measured, rows),
                want,
                "measured {measured}, rows {rows}"
            );
        }
    }

    #[test]
    fn a_load_into_an_empty_table_is_measured_a_few_times() {
        // the refreshes of 5.9M rows added 5,000 at a time to an empty table
        let mut measured = 0;
        let mut at = Vec::new();
        let mut rows = 0;
        while rows < 5_900_000 {
            rows += 5_000;
            if needs_refresh(measured, rows) {
                at.push(rows);
                measured = rows;
            }
        }
        assert_eq!(at, vec![20_000, 80_000, 320_000, 1_280_000, 5_120_000]);
    }

    #[test]
    fn the_end_of_a_load_measures_what_grew_a_quarter_since() {
        let cases = [
            (0, 19_999, false),
            (0, 20_000, true),
            (80_000, 100_000, false),
            (80_000, 100_001, true),
            (80_000, 264_021, true),
            (320_000, 320_000, false),
            (6_000_000, 6_020_000, false),
        ];
        for (measured, rows, want) in cases {
            assert_eq!(
                needs_final_refresh(measured, rows),
                want,
                "measured {measured}, rows {rows}"
            );
        }
        let ledger: Ledger = Default::default();
        {
            let mut book = ledger.lock().unwrap();
            let t = &mut book.tables;
            let tracked = |measured, rows| Tracked { measured, rows };
            t.insert("pairings".into(), tracked(Some(80_000), 264_021));
            t.insert("incomes".into(), tracked(Some(320_000), 330_000));
            t.insert("visits".into(), tracked(None, 893_733));
            t.insert("cadres".into(), tracked(Some(20_000), 66_125));
        }
        assert_eq!(to_settle(&ledger), vec!["cadres", "pairings"]);
    }

    #[test]
    fn a_deferred_table_is_measured_at_the_end_only() {
        // a first load of 1.5M households appending 1,000 at a time: audit_pending, deferred,
        // is never measured on the way, and settled once at the end
        let ledger: Ledger = Default::default();
        defer(&ledger, "audit_pending");
        let deferred = ledger.lock().unwrap().deferred.contains("audit_pending");
        // the samplings of 1.5M rows appended 1,000 at a time
        let samplings = |deferred: bool| {
            let (mut measured, mut rows, mut n) = (0, 0, 0);
            while rows < 1_500_000 {
                rows += 1_000;
                if refresh_during_load(measured, rows, deferred) {
                    n += 1;
                    measured = rows;
                }
            }
            n
        };
        assert_eq!(samplings(deferred), 0);
        // the same table not deferred: measured four times on the way
        assert_eq!(samplings(false), 4);
        ledger.lock().unwrap().tables.insert(
            "audit_pending".into(),
            Tracked {
                measured: Some(0),
                rows: 1_500_000,
            },
        );
        assert_eq!(to_settle(&ledger), vec!["audit_pending"]);
    }

    #[test]
    fn the_table_an_insert_appends_to() {
        assert_eq!(
            inserted_table("INSERT INTO incomes (household_id, year) VALUES ($1, $2)"),
            Some("incomes")
        );
        assert_eq!(
            inserted_table("  INSERT INTO village_year_stats(village_code) SELECT 1"),
            Some("village_year_stats")
        );
        assert_eq!(inserted_table("UPDATE incomes SET note = NULL"), None);
        assert_eq!(inserted_table("SELECT 1 FROM incomes"), None);
        assert_eq!(inserted_table("INSERT INTO "), None);
        assert_eq!(
            dropped_table("DROP TABLE IF EXISTS comparison_list"),
            Some("comparison_list")
        );
        assert_eq!(
            dropped_table("DROP TABLE comparison_hits"),
            Some("comparison_hits")
        );
        assert_eq!(dropped_table("DROP INDEX persons_name"), None);
    }
}
