//! The bulk import session in SQL (`BulkSession`): one transaction that every area's bulk path
//! writes through — `registry::bulk` (households, members, incomes), `regions::bulk` (village
//! profiles), `pairing::bulk` (cadres, pairings, visits) — with the statistics totals
//! (`reports::bulk`), its audit records (appended for the sealer, `audit`), the index plan of a large load
//! (`plan`), and the planner statistics of the tables it grows (`growth`).
//!
//! An import is one write transaction. New rows go in through the backend's fast path
//! (`Tx::copy_rows`: `COPY` on PostgreSQL, multi-row prepared `INSERT`s on SQLite) with ids reserved
//! in blocks, so nothing is read back row by row. The statistics aggregates are not touched per
//! household: each write adds its contribution (or, for changed households, the difference of the
//! facts before and after, read in batches) to one in-memory `Aggregates`, which is added to the
//! aggregate tables when it grows large and at the end — the same arithmetic as `apply_delta`, once
//! per (village, year) instead of once per household. Rejected alternative: rebuilding the affected
//! counties from the registry rows after the load, which reads back every row just written.
//!
//! The measures' version triggers (migration 0029) are paused for the session's transaction
//! (`Tx::pause_facts`): every write path of the session notes the villages whose measure facts it
//! changes (`facts_villages`, or `facts_households` where only the household is at hand), and
//! `finish` bumps each of them once, set-based, and resumes the triggers before the commit.
//! A failed or interrupted import rolls the pause back with everything else. Rejected: the
//! triggers at work during a load (on PostgreSQL a province households import took 782 s instead
//! of about 111 s with statement triggers over COPY's transition tables; on SQLite +9 to +24 % CPU).
//!
//! On PostgreSQL each `COPY` is applied in the background (see the backend's `PgTx`) while the next
//! rows are prepared, and the statistics of a batch are folded into the totals on a blocking
//! thread beside the next batch, so the server and the import work side by side.

mod growth;
mod plan;

use crate::query::Query;
use crate::reports::totals;
use crate::sql::{insert_rows_then, Droppable, Tx, Value};
use crate::SqlStore;
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::reports::{Aggregates, HouseholdFacts};
use fupin_core::store::{BulkSession, BulkStore, StoreResult};
use fupin_core::Ctx;
use std::sync::atomic::AtomicI32;
use std::sync::{Arc, RwLock};

/// Rows per `IN (…)` list.
pub(crate) const IN_CHUNK: usize = 500;

/// `IN` list of integer ids, written inline (integers cannot inject anything).
pub(crate) fn id_list(ids: &[i64]) -> String {
    let v: Vec<String> = ids.iter().map(i64::to_string).collect();
    v.join(", ")
}

/// One import transaction over SQL.
pub(crate) struct SqlBulkSession {
    /// A view of the store sharing its backend, so that the session owns what it uses.
    pub(crate) store: SqlStore,
    pub(crate) ctx: Ctx,
    pub(crate) tx: Box<dyn Tx>,
    pub(crate) write: bool,
    /// Aggregate differences not yet added to the tables.
    pub(crate) agg: Aggregates,
    /// Households created since the last fold, not yet counted in the totals.
    pub(crate) new_facts: Vec<HouseholdFacts>,
    /// The differences of the batches so far, rolled up (see `totals`).
    pub(crate) totals: totals::Totals,
    /// The totals while a batch is folded into them beside the writing of the next one.
    pub(crate) folding: Option<tokio::task::JoinHandle<totals::Totals>>,
    /// Indexes and constraints dropped by `plan`, built again in `finish`.
    pub(crate) dropped: Vec<Droppable>,
    pub(crate) bulk_settings: bool,
    /// Households whose pairing figures are refreshed in `finish` (see `pairing::figures`).
    pub(crate) pairing_touched: std::collections::BTreeSet<i64>,
    /// Villages that lost a household to another village or gained one from another: their
    /// counts in `village_households` are taken again in `finish`.
    pub(crate) recount_villages: std::collections::BTreeSet<String>,
    /// Households created per village: added to the villages' counts in `finish` (villages also
    /// in `recount_villages` are counted again instead).
    pub(crate) added_households: std::collections::BTreeMap<String, i64>,
    /// Set when more households were touched than are refreshed one by one: rebuild them all.
    pub(crate) pairing_rebuild: bool,
    /// A department's list is being loaded for a comparison (its scratch table exists).
    pub(crate) comparing: bool,
    /// Rows of that list loaded so far.
    pub(crate) compared_rows: u64,
    /// Rows of that list received but not yet copied: gathered into large copies (see
    /// `rectification::comparison`).
    pub(crate) compare_pending: Vec<(u64, fupin_core::rectification::DeptRow)>,
    /// Households (and years) whose screening for monitoring is redone in `finish`: those whose
    /// measures the import wrote.
    pub(crate) screen: crate::assessment::screening::ScreenSet,
    /// The ids reserved for a load of projects and funds (see `projects::bulk`).
    pub(crate) funds: Option<crate::projects::FundsIds>,
    /// Changes to the services figures of regions above villages, written in `finish` (see
    /// `measures::bulk`).
    pub(crate) services_above:
        std::collections::BTreeMap<crate::measures::StatKey, fupin_core::measures::Tally>,
    /// Whether the measures table held a measure of a kind when the session first looked up
    /// measures of that kind (see `measures::bulk`).
    pub(crate) measure_kinds: std::collections::HashMap<String, bool>,
    /// The scratch table of the session's changes to `measure_stats` exists (see
    /// `measures::bulk`).
    pub(crate) stats_staged: bool,
    /// The tables this session grew, as its transaction counted them (see `growth`).
    grown: growth::Ledger,
    /// Villages whose measure facts the session's writes changed: their versions are bumped once
    /// in `finish` (the version triggers are paused meanwhile).
    pub(crate) facts_villages: std::collections::BTreeSet<String>,
    /// Households whose measure facts the session's writes changed, where the writer did not have
    /// their village at hand: their villages are bumped in `finish` too.
    pub(crate) facts_households: Vec<i64>,
}

impl SqlBulkSession {
    /// Keep `table` out of the statistics upkeep while the load runs (see `growth::defer`): a
    /// scratch table nothing looks rows up in until the load measures it once itself.
    pub(crate) fn defer_statistics(&self, table: &str) {
        growth::defer(&self.grown, table);
    }

    pub(crate) fn require_write(&self) -> StoreResult<()> {
        if self.write {
            Ok(())
        } else {
            tracing::error!("write through a read-only bulk session");
            Err(DomainError::internal())
        }
    }

    /// Facts of households by id, read in batches.
    pub(crate) async fn facts_of(
        &mut self,
        ids: &[i64],
    ) -> StoreResult<Vec<(i64, HouseholdFacts)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let cond = format!("h.id IN ({})", id_list(chunk));
            out.extend(self.store.facts_where(self.tx.as_mut(), &cond, &[]).await?);
        }
        Ok(out)
    }

    /// The condition that `col` is one of `values`, in the backend's form for a batch of text keys
    /// (household numbers, ID numbers): `Backend::text_in`.
    pub(crate) fn text_in(&self, q: &mut Query, col: &str, values: &[String]) -> String {
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        self.store.db.text_in(col, &values, &mut |v| q.arg(v))
    }

    /// Note `n` households created in `village` (see `added_households`).
    pub(crate) fn add_to_village(&mut self, village: &str, n: i64) {
        match self.added_households.get_mut(village) {
            Some(count) => *count += n,
            None => {
                self.added_households.insert(village.to_string(), n);
            }
        }
    }

    /// Note households whose pairings, visits, wishes, status or village changed.
    pub(crate) fn touch_pairing(&mut self, ids: impl IntoIterator<Item = i64>) {
        if self.pairing_rebuild {
            return;
        }
        self.pairing_touched.extend(ids);
        if self.pairing_touched.len() > crate::pairing::REFRESH_MAX {
            self.pairing_rebuild = true;
            self.pairing_touched.clear();
        }
    }

    /// Note a village whose measure facts this session changed (see `facts_villages`).
    pub(crate) fn facts_changed(&mut self, village: &str) {
        if !self.facts_villages.contains(village) {
            self.facts_villages.insert(village.to_string());
        }
    }

    /// Bump the version of every village the session changed, once each, in code order (the
    /// order every writer locks versions in), and resume the version triggers: the first thing
    /// `finish` does, so that whatever it writes afterwards is seen by them as any write is.
    async fn bump_facts_versions(&mut self) -> StoreResult<()> {
        let mut villages = std::mem::take(&mut self.facts_villages);
        let mut households = std::mem::take(&mut self.facts_households);
        households.sort_unstable();
        households.dedup();
        for chunk in households.chunks(IN_CHUNK) {
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT DISTINCT village_code FROM households WHERE id IN ({})",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            for r in &rows {
                villages.insert(crate::rows::Cols::read(r, |c| Ok(c.text()?))?);
            }
        }
        self.tx.pause_facts(false).await.map_err(map_bulk)?;
        let rows = villages
            .into_iter()
            .map(|v| vec![Value::from(v), Value::from(1_i64)])
            .collect();
        insert_rows_then(
            self.tx.as_mut(),
            "village_versions",
            &["village_code", "version"],
            rows,
            " ON CONFLICT (village_code) DO UPDATE SET version = village_versions.version + 1",
        )
        .await
        .map_err(map_bulk)?;
        Ok(())
    }

    pub(crate) fn add_facts(&mut self, facts: &[(i64, HouseholdFacts)], sign: i64) {
        let horizon = self.store.horizon();
        for (_, f) in facts {
            self.agg.add_household(f, horizon, sign);
        }
    }
}

#[async_trait::async_trait]
impl BulkSession for SqlBulkSession {
    async fn plan(&mut self, new_rows: u64) -> StoreResult<()> {
        self.plan_indexes(new_rows).await
    }

    async fn finish(
        mut self: Box<Self>,
        summary: serde_json::Value,
        commit: bool,
    ) -> StoreResult<()> {
        if !commit || !self.write {
            if self.bulk_settings {
                let _ = self.tx.bulk_settings(false).await;
            }
            // dropping the transaction rolls it back
            return Ok(());
        }
        let result = self.finish_write(summary).await;
        if result.is_err() && self.bulk_settings {
            let _ = self.tx.bulk_settings(false).await;
        }
        result?;
        let SqlBulkSession { tx, .. } = *self;
        tx.commit().await.map_err(map_bulk)
    }
}

impl SqlBulkSession {
    async fn finish_write(&mut self, summary: serde_json::Value) -> StoreResult<()> {
        self.bump_facts_versions().await?;
        let large = !self.dropped.is_empty();
        self.rebuild_dropped().await?;
        let recount = std::mem::take(&mut self.recount_villages);
        let added: Vec<(String, i64)> = std::mem::take(&mut self.added_households)
            .into_iter()
            .filter(|(v, _)| !recount.contains(v))
            .collect();
        if !added.is_empty() {
            self.store
                .add_village_households(self.tx.as_mut(), &added)
                .await?;
        }
        if !recount.is_empty() {
            let villages: Vec<String> = recount.into_iter().collect();
            self.store
                .recount_villages(self.tx.as_mut(), &villages)
                .await?;
        }
        self.flush_aggregates(true).await?;
        self.flush_services_figures().await?;
        if self.pairing_rebuild {
            self.store
                .rebuild_pairing_figures_in(self.tx.as_mut())
                .await?;
        } else if !self.pairing_touched.is_empty() {
            let ids: Vec<i64> = std::mem::take(&mut self.pairing_touched)
                .into_iter()
                .collect();
            self.store
                .refresh_pairing_figures(self.tx.as_mut(), &ids)
                .await?;
        }
        if !self.screen.is_empty() {
            let set = std::mem::take(&mut self.screen);
            let done = self
                .store
                .rescreen_households(self.tx.as_mut(), &set)
                .await?;
            tracing::info!(
                screened = done.screened,
                warned = done.warned,
                "households screened again after the import"
            );
        }
        // planner statistics for the tables that grew since they were last measured (see
        // `growth`), and after a large load for those it rebuilt
        let mut tables = growth::to_settle(&self.grown);
        if large {
            tables.extend(
                [
                    "households",
                    "persons",
                    "status_history",
                    "village_year_stats",
                    "village_year_causes",
                    "pairing_years",
                    "household_pairing_years",
                    "pairing_year_stats",
                    "pairing_year_cadres",
                ]
                .map(String::from),
            );
            tables.sort();
            tables.dedup();
        }
        if !tables.is_empty() {
            let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
            self.tx.analyze(&tables).await.map_err(map_bulk)?;
        }
        let rec = AuditRecord::event("import", "import", None, summary);
        self.store.audit(self.tx.as_mut(), &self.ctx, rec).await?;
        if self.bulk_settings {
            self.tx.bulk_settings(false).await.map_err(map_bulk)?;
            self.bulk_settings = false;
        }
        Ok(())
    }
}

/// Every database error of a bulk session. A unique violation (a concurrent writer, or data
/// changed since the checks) stops the import and rolls it back, saying why; it may surface at any
/// statement after the write that caused it (PostgreSQL applies copies in the background), which
/// is why the whole session maps its errors here.
pub(crate) fn map_bulk(e: crate::sql::DbError) -> DomainError {
    match &e {
        crate::sql::DbError::Unique(k) if k.is("persons", &["id_number"]) => DomainError::conflict(
            "duplicate_id_number",
            "导入时发现身份证号与另一户的在册成员重复（数据在检查后被他人修改），已全部撤销",
        ),
        crate::sql::DbError::Unique(k) if k.is("households", &["household_number"]) => {
            DomainError::conflict(
                "duplicate_household_number",
                "导入时发现户编码已存在（数据在检查后被他人修改），已全部撤销",
            )
        }
        crate::sql::DbError::Unique(_) => DomainError::conflict(
            "import_conflict",
            "导入时与已有数据冲突（数据在检查后被他人修改），已全部撤销",
        ),
        _ => DomainError::from(e),
    }
}

impl SqlStore {
    /// A second handle on the same backend, owning copies of the cached state.
    fn bulk_handle(&self) -> SqlStore {
        SqlStore {
            db: Arc::clone(&self.db),
            codes: RwLock::new(self.codes()),
            params: RwLock::new(self.params()),
            horizon: AtomicI32::new(self.horizon()),
            audit_keys: Arc::clone(&self.audit_keys),
            sealer: Arc::clone(&self.sealer),
        }
    }
}

#[async_trait::async_trait]
impl BulkStore for SqlStore {
    async fn bulk_session(&self, ctx: &Ctx, write: bool) -> StoreResult<Box<dyn BulkSession>> {
        let store = self.bulk_handle();
        let mut tx = if write {
            self.db.begin_write().await
        } else {
            self.db.begin_read().await
        }
        .map_err(map_bulk)?;
        let mut bulk_settings = false;
        let grown = growth::Ledger::default();
        // a load only appends to the audit records: nothing reads them before it commits
        growth::defer(&grown, "audit_pending");
        if write {
            tx = Box::new(growth::GrowthTx::new(tx, grown.clone()));
            store.extend_horizon_if_needed(tx.as_mut()).await?;
            tx.bulk_settings(true).await.map_err(map_bulk)?;
            bulk_settings = true;
            tx.pause_facts(true).await.map_err(map_bulk)?;
        }
        Ok(Box::new(SqlBulkSession {
            store,
            ctx: ctx.clone(),
            tx,
            write,
            agg: Aggregates::default(),
            new_facts: Vec::new(),
            totals: totals::Totals::default(),
            folding: None,
            dropped: Vec::new(),
            bulk_settings,
            pairing_touched: Default::default(),
            recount_villages: Default::default(),
            added_households: Default::default(),
            pairing_rebuild: false,
            comparing: false,
            compared_rows: 0,
            compare_pending: Vec::new(),
            screen: Default::default(),
            funds: None,
            services_above: Default::default(),
            measure_kinds: Default::default(),
            stats_staged: false,
            grown,
            facts_villages: Default::default(),
            facts_households: Vec::new(),
        }))
    }
}
