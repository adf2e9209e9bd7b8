//! The index plan of a large load: a load into a small registry drops the secondary indexes of the
//! tables it fills and builds them again before commit (a sorted build instead of millions of random
//! B-tree inserts). On PostgreSQL it also drops their unique constraints and the foreign keys between
//! them (a foreign key is a trigger run per row); the constraints check the whole table again when
//! they are added back, so a conflict still rolls everything back. Foreign keys into other tables
//! (regions) stay: dropping them would lock those tables too. When a table already holds rows, the
//! indexes that the import's look-ups use stay as well. On PostgreSQL this holds an exclusive lock
//! on the loaded tables until commit, which is why it is only done when the load is larger than
//! what is already there, and never on the table every write appends to (`audit_pending`). What
//! may be dropped is the backend's to say (`Tx::load_droppable`).

use super::{map_bulk, SqlBulkSession};
use crate::rows::one_i64;
use fupin_core::store::StoreResult;

/// Below this many new person rows, indexes stay in place.
const INDEX_PLAN_MIN_ROWS: u64 = 50_000;

/// A table whose indexes a large load drops and builds again at the end.
struct IndexPlan {
    table: &'static str,
    /// Share of the new person rows this table receives (households ≈ persons ÷ 3).
    divisor: u64,
    /// What the import's look-ups of stored rows use (by household number, ID number, household):
    /// kept when the table already holds rows, or every look-up would scan it.
    lookups: &'static [&'static str],
}

const INDEX_PLANS: [IndexPlan; 3] = [
    IndexPlan {
        table: "persons",
        divisor: 1,
        lookups: &["persons_active_id_number", "persons_household"],
    },
    IndexPlan {
        table: "households",
        divisor: 3,
        lookups: &["households_household_number_key"],
    },
    IndexPlan {
        table: "status_history",
        divisor: 3,
        lookups: &["status_history_household"],
    },
];

impl SqlBulkSession {
    pub(super) async fn plan_indexes(&mut self, new_rows: u64) -> StoreResult<()> {
        if !self.write || new_rows < INDEX_PLAN_MIN_ROWS || !self.dropped.is_empty() {
            return Ok(());
        }
        // the tables this load will outgrow
        let mut planned = Vec::new();
        for p in &INDEX_PLANS {
            let existing = self
                .tx
                .fetch_one(&format!("SELECT COUNT(*) FROM {}", p.table), &[])
                .await
                .map_err(map_bulk)
                .and_then(|r| one_i64(&r))? as u64;
            if new_rows / p.divisor > existing {
                planned.push((p, existing));
            }
        }
        let among: Vec<&str> = planned.iter().map(|(p, _)| p.table).collect();
        for (p, existing) in planned {
            if existing == 0 {
                // filled from empty with its indexes dropped: the load looks nothing up in it, so
                // its statistics are taken when the indexes are back, at the end
                super::growth::defer(&self.grown, p.table);
            }
            let droppable = self
                .tx
                .load_droppable(p.table, &among)
                .await
                .map_err(map_bulk)?;
            for d in droppable {
                if existing > 0 && p.lookups.contains(&d.name.as_str()) {
                    continue;
                }
                self.tx.execute(&d.drop, &[]).await.map_err(map_bulk)?;
                self.dropped.push(d);
            }
        }
        if !self.dropped.is_empty() {
            tracing::info!(
                dropped = self.dropped.len(),
                "bulk load: indexes and constraints dropped until commit"
            );
        }
        Ok(())
    }

    /// Build again what `plan_indexes` dropped: indexes and unique constraints first, since a
    /// foreign key may rely on one.
    pub(super) async fn rebuild_dropped(&mut self) -> StoreResult<()> {
        let mut dropped = std::mem::take(&mut self.dropped);
        dropped.sort_by_key(|d| d.foreign_key);
        for d in dropped {
            tracing::info!(name = d.name.as_str(), "bulk load: building again");
            self.tx.execute(&d.create, &[]).await.map_err(map_bulk)?;
        }
        Ok(())
    }
}
