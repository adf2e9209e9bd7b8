//! The statistics of a bulk load: each batch's aggregate differences folded into the running
//! totals (`totals`), and the totals added to the aggregate tables when they grow large and at the
//! end of the load.

use crate::args;
use crate::bulk::{map_bulk, SqlBulkSession};
use crate::reports::facts::{figure_values, stat_columns};
use crate::reports::totals;
use crate::rows::one_i64;
use crate::sql::Value;
use fupin_core::error::DomainError;
use fupin_core::store::StoreResult;

/// Aggregate entries ((village, year) rows and their causes) kept in `totals::Totals` before they
/// are added to the tables: about 150 MB, which holds a province (Jiangxi: 2.9 million), so that a
/// province's load writes the tables once.
const AGG_FLUSH: usize = 3_500_000;
/// Rows per call of the fast path when the totals are written.
const AGG_COPY_CHUNK: usize = 20_000;

impl SqlBulkSession {
    /// The totals, once the fold under way (if any) has finished.
    async fn settle_totals(&mut self) -> StoreResult<()> {
        if let Some(folding) = self.folding.take() {
            self.totals = folding.await.map_err(|e| {
                tracing::error!(error = %e, "bulk load: folding the statistics failed");
                DomainError::internal()
            })?;
        }
        Ok(())
    }

    /// Fold the batch's differences into the totals; write the totals to the aggregate tables when
    /// they grow large, and at the end (`force`). Between writes, the fold runs on a blocking
    /// thread while the next batch is read and written (it is a good part of a load's work).
    pub(crate) async fn flush_aggregates(&mut self, force: bool) -> StoreResult<()> {
        self.settle_totals().await?;
        let batch = std::mem::take(&mut self.agg);
        let facts = std::mem::take(&mut self.new_facts);
        let horizon = self.store.horizon();
        let fold = move |totals: &mut totals::Totals| {
            totals.add(&batch);
            for f in &facts {
                totals.add_household(f, horizon);
            }
        };
        if !force && self.totals.len() < AGG_FLUSH {
            let mut totals = std::mem::take(&mut self.totals);
            self.folding = Some(tokio::task::spawn_blocking(move || {
                fold(&mut totals);
                totals
            }));
            return Ok(());
        }
        fold(&mut self.totals);
        if self.totals.is_empty() {
            return Ok(());
        }
        let entries = self.totals.len();
        let rows = self.totals.drain();
        if entries < 2_000 {
            let agg = totals::Totals::to_aggregates(&rows, &self.totals);
            return self.store.add_aggregate_rows(self.tx.as_mut(), &agg).await;
        }
        // many rows: added with the fast path, in the order of the tables' keys. Into empty tables
        // (a first load) they go straight in; otherwise into scratch tables first, then added in
        // one statement each (row-by-row upserts of 20 columns cost minutes at province scale).
        let cols = stat_columns();
        let mut copy_cols = vec!["year", "village_code"];
        copy_cols.extend(cols.iter().copied());
        let cause_cols = ["year", "village_code", "cause", "households", "persons"];
        let tx = self.tx.as_mut();
        let filled = tx
            .fetch_one(
                "SELECT COUNT(*) FROM (SELECT 1 FROM village_year_stats UNION ALL SELECT 1 FROM village_year_causes LIMIT 1) t",
                &[],
            )
            .await
            .map_err(map_bulk)
            .and_then(|r| one_i64(&r))?
            > 0;
        let (stats_table, causes_table) = if filled {
            tx.execute(
                &format!(
                    "CREATE TEMP TABLE bulk_year_stats (year INTEGER NOT NULL, village_code TEXT NOT NULL, {})",
                    cols.iter()
                        .map(|c| format!("{c} BIGINT NOT NULL"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &[],
            )
            .await
            .map_err(map_bulk)?;
            tx.execute(
                "CREATE TEMP TABLE bulk_year_causes (year INTEGER NOT NULL, village_code TEXT NOT NULL, cause TEXT NOT NULL, \
                 households BIGINT NOT NULL, persons BIGINT NOT NULL)",
                &[],
            )
            .await
            .map_err(map_bulk)?;
            ("bulk_year_stats", "bulk_year_causes")
        } else {
            ("village_year_stats", "village_year_causes")
        };
        // into empty tables, their primary keys (where the engine can drop them:
        // `Tx::load_droppable_key`) built once the rows are in, not entry by entry: a province's
        // 2.9 million causes took 6–9 s to go in on PostgreSQL with the key in place
        let mut keys = Vec::new();
        if !filled {
            for table in [stats_table, causes_table] {
                if let Some(key) = tx.load_droppable_key(table).await.map_err(map_bulk)? {
                    tx.execute(&key.drop, &[]).await.map_err(map_bulk)?;
                    keys.push(key);
                }
            }
        }
        for chunk in rows.chunks(AGG_COPY_CHUNK) {
            let mut stats: Vec<Vec<Value>> = Vec::with_capacity(chunk.len());
            let mut causes: Vec<Vec<Value>> = Vec::new();
            for ((year, code), row) in chunk {
                let code = totals::code_text(*code);
                if !row.figures.is_zero() {
                    let mut v = vec![Value::from(*year), Value::from(code.as_str())];
                    v.extend(figure_values(&row.figures).into_iter().map(Value::from));
                    stats.push(v);
                }
                let mut named: Vec<(&str, &fupin_core::reports::CauseFigures)> = row
                    .causes
                    .iter()
                    .filter(|(_, c)| *c != fupin_core::reports::CauseFigures::default())
                    .map(|(id, c)| (self.totals.cause_name(*id), c))
                    .collect();
                named.sort_unstable_by_key(|(name, _)| *name);
                for (name, c) in named {
                    causes.push(Vec::from(args![
                        *year,
                        code.as_str(),
                        name,
                        c.households,
                        c.persons
                    ]));
                }
            }
            tx.copy_rows(stats_table, &copy_cols, stats)
                .await
                .map_err(map_bulk)?;
            tx.copy_rows(causes_table, &cause_cols, causes)
                .await
                .map_err(map_bulk)?;
        }
        drop(rows);
        for key in keys {
            tracing::info!(name = key.name.as_str(), "bulk load: building again");
            tx.execute(&key.create, &[]).await.map_err(map_bulk)?;
        }
        if !filled {
            return Ok(());
        }
        let sets: Vec<String> = cols
            .iter()
            .map(|c| format!("{c} = village_year_stats.{c} + excluded.{c}"))
            .collect();
        // `WHERE TRUE` keeps SQLite from reading ON CONFLICT as part of the SELECT's join; in the
        // order of the key, each row's index entry is next to the last one's
        tx.execute(
            &format!(
                "INSERT INTO village_year_stats ({all}) SELECT {all} FROM bulk_year_stats WHERE TRUE \
                 ORDER BY year, village_code ON CONFLICT (year, village_code) DO UPDATE SET {sets}",
                all = copy_cols.join(", "),
                sets = sets.join(", ")
            ),
            &[],
        )
        .await
        .map_err(map_bulk)?;
        tx.execute(
            "INSERT INTO village_year_causes (year, village_code, cause, households, persons) \
             SELECT year, village_code, cause, households, persons FROM bulk_year_causes WHERE TRUE \
             ORDER BY year, village_code, cause \
             ON CONFLICT (year, village_code, cause) DO UPDATE SET households = village_year_causes.households + excluded.households, \
             persons = village_year_causes.persons + excluded.persons",
            &[],
        )
        .await
        .map_err(map_bulk)?;
        tx.execute("DROP TABLE bulk_year_stats", &[])
            .await
            .map_err(map_bulk)?;
        tx.execute("DROP TABLE bulk_year_causes", &[])
            .await
            .map_err(map_bulk)?;
        Ok(())
    }
}
