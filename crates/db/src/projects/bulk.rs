//! The projects area's part of the import session (`ProjectBulk`): a province's projects, funds,
//! assets and dividends written through the backend's fast path (`Tx::copy_rows`) with their ids
//! reserved at once, the records' keys in the load mapped to those ids by offset. What the rows
//! imply is settled once at the end, set-based over the loaded id ranges: the sums kept on
//! allocations, sources and projects (the tables' CHECKs hold the fund invariants), dividends added
//! to the households' property income (creating the year's income record where there was none, as
//! paying one does), the collective's share added to the villages' collective income, then the
//! registry statistics and the funds figures rebuilt from the rows. Rejected alternative: moving
//! the figures by each record's difference as the single writes do — a province's load touches
//! every household, and one rebuild reads each row once.

use crate::args;
use crate::bulk::{map_bulk, SqlBulkSession};
use crate::rows::{to_json, Cols};
use fupin_core::assessment::Step;
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::projects::{
    AllocationId, AllocationInput, CheckedPayment, FundSource, FundSourceInput, MoneyStep, Project,
    ProjectData, ProjectFunds, ProjectId, ProjectWorkflow, SourceId, Stage,
};
use fupin_core::registry::HouseholdId;
use fupin_core::store::*;
use fupin_core::RegionCode;
use time::OffsetDateTime;

/// The ids reserved for a load: the id of key 1 of each kind, and how many.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FundsIds {
    project0: i64,
    source0: i64,
    allocation0: i64,
    asset0: i64,
    counts: FundsLoadCounts,
}

impl FundsIds {
    fn id(base: i64, n: u64, key: u64, what: &str) -> Result<i64, DomainError> {
        if key == 0 || key > n {
            tracing::error!("{what} key {key} outside the load's 1..={n}");
            return Err(DomainError::internal());
        }
        Ok(base + key as i64 - 1)
    }
    fn project(&self, key: u64) -> Result<i64, DomainError> {
        Self::id(self.project0, self.counts.projects, key, "project")
    }
    fn source(&self, key: u64) -> Result<i64, DomainError> {
        Self::id(self.source0, self.counts.sources, key, "source")
    }
    fn allocation(&self, key: u64) -> Result<i64, DomainError> {
        Self::id(self.allocation0, self.counts.allocations, key, "allocation")
    }
    fn asset(&self, key: u64) -> Result<i64, DomainError> {
        Self::id(self.asset0, self.counts.assets, key, "asset")
    }
    /// The first and last id of a kind's block (an empty block gives an empty range).
    fn range(base: i64, n: u64) -> (i64, i64) {
        (base, base + n as i64 - 1)
    }
}

/// The statement that settles one set of sums: `UPDATE table SET … FROM (grouped) s WHERE …`,
/// accepted by SQLite (3.33 and later) and PostgreSQL alike.
const SETTLE_ALLOCATIONS: &str =
    "UPDATE fund_allocations SET received_fen = s.r, disbursed_fen = s.d FROM \
     (SELECT allocation_id, SUM(CASE WHEN kind = 'receipt' THEN amount_fen ELSE 0 END) AS r, \
      SUM(CASE WHEN kind = 'disbursement' THEN amount_fen ELSE 0 END) AS d \
      FROM fund_movements WHERE allocation_id BETWEEN $1 AND $2 GROUP BY allocation_id) s \
     WHERE fund_allocations.id = s.allocation_id";
const SETTLE_SOURCES: &str = "UPDATE fund_sources SET allocated_fen = fund_sources.allocated_fen + s.a FROM \
     (SELECT source_id, SUM(amount_fen) AS a FROM fund_allocations WHERE id BETWEEN $1 AND $2 GROUP BY source_id) s \
     WHERE fund_sources.id = s.source_id";
const SETTLE_PROJECTS: &str = "UPDATE projects SET allocated_fen = projects.allocated_fen + s.a, \
     received_fen = projects.received_fen + s.r, disbursed_fen = projects.disbursed_fen + s.d FROM \
     (SELECT project_id, SUM(amount_fen) AS a, SUM(received_fen) AS r, SUM(disbursed_fen) AS d \
      FROM fund_allocations WHERE id BETWEEN $1 AND $2 GROUP BY project_id) s \
     WHERE projects.id = s.project_id";

impl SqlBulkSession {
    fn funds_ids(&self) -> Result<FundsIds, DomainError> {
        self.funds.ok_or_else(|| {
            tracing::error!("funds written before their ids were reserved");
            DomainError::internal()
        })
    }
}

#[async_trait::async_trait]
impl ProjectBulk for SqlBulkSession {
    async fn household_refs(&mut self, numbers: &[String]) -> StoreResult<Vec<HouseholdRef>> {
        let mut out = Vec::with_capacity(numbers.len());
        for chunk in numbers.chunks(crate::bulk::IN_CHUNK) {
            let mut q = crate::query::Query::new(
                "SELECT household_number, id, village_code FROM households WHERE ",
            );
            let cond = self.text_in(&mut q, "household_number", chunk);
            q.push(&cond);
            for r in &self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(Cols::read(r, |c| {
                    Ok(HouseholdRef {
                        household_number: c.text()?,
                        id: HouseholdId(c.i64()?),
                        village: RegionCode::parse(&c.text()?)?,
                    })
                })?);
            }
        }
        Ok(out)
    }

    async fn reserve_funds(&mut self, counts: FundsLoadCounts) -> StoreResult<()> {
        self.require_write()?;
        let mut first = [1i64; 4];
        let blocks = [
            ("projects", counts.projects),
            ("fund_sources", counts.sources),
            ("fund_allocations", counts.allocations),
            ("assets", counts.assets),
        ];
        for (i, (table, n)) in blocks.into_iter().enumerate() {
            if n > 0 {
                first[i] = self.tx.reserve_ids(table, n).await.map_err(map_bulk)?;
            }
        }
        let [project0, source0, allocation0, asset0] = first;
        self.funds = Some(FundsIds {
            project0,
            source0,
            allocation0,
            asset0,
            counts,
        });
        Ok(())
    }

    async fn put_projects(&mut self, items: Vec<BulkProject>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for p in &items {
            let d = &p.data;
            let stage = p.workflow.step();
            let progress = if stage.position() > Stage::Implementation.position() {
                100i32
            } else {
                0
            };
            rows.push(Vec::from(args![
                ids.project(p.key)?,
                d.village_code.as_str(),
                d.name.as_str(),
                d.category.as_str(),
                d.sub_category.clone(),
                d.year,
                d.planned_start,
                d.planned_end,
                d.responsible_unit.as_str(),
                d.responsible_person.as_str(),
                d.content.as_str(),
                d.budget_fen,
                to_json(&d.targets),
                d.participation.clone(),
                stage.as_str(),
                to_json(&p.workflow),
                p.accepted_on,
                progress,
                0i32,
                actor.as_str(),
                now,
                actor.as_str(),
                now
            ]));
        }
        self.tx
            .copy_rows(
                "projects",
                &[
                    "id",
                    "village_code",
                    "name",
                    "category",
                    "sub_category",
                    "year",
                    "planned_start",
                    "planned_end",
                    "responsible_unit",
                    "responsible_person",
                    "content",
                    "budget_fen",
                    "targets",
                    "participation",
                    "stage",
                    "workflow",
                    "accepted_on",
                    "progress_percent",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_by",
                    "updated_at",
                ],
                rows,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_fund_sources(&mut self, items: Vec<BulkFundSource>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for s in &items {
            let d = &s.data;
            rows.push(Vec::from(args![
                ids.source(s.key)?,
                d.region_code.as_str(),
                d.year,
                d.kind.as_str(),
                d.name.as_str(),
                d.document.clone(),
                d.amount_fen,
                d.date,
                0i64,
                actor.as_str(),
                now
            ]));
        }
        self.tx
            .copy_rows(
                "fund_sources",
                &[
                    "id",
                    "region_code",
                    "year",
                    "kind",
                    "name",
                    "document",
                    "amount_fen",
                    "date",
                    "allocated_fen",
                    "created_by",
                    "created_at",
                ],
                rows,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_allocations(&mut self, items: Vec<BulkAllocation>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for a in &items {
            rows.push(Vec::from(args![
                ids.allocation(a.key)?,
                ids.source(a.source)?,
                ids.project(a.project)?,
                a.village.as_str(),
                a.payment.amount_fen,
                0i64,
                0i64,
                a.payment.date,
                a.payment.text.clone(),
                actor.as_str(),
                now
            ]));
        }
        self.tx
            .copy_rows(
                "fund_allocations",
                &[
                    "id",
                    "source_id",
                    "project_id",
                    "village_code",
                    "amount_fen",
                    "received_fen",
                    "disbursed_fen",
                    "date",
                    "document",
                    "created_by",
                    "created_at",
                ],
                rows,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_movements(&mut self, items: Vec<BulkMovement>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for m in &items {
            let c = &m.payment;
            rows.push(Vec::from(args![
                ids.allocation(m.allocation)?,
                ids.project(m.project)?,
                m.village.as_str(),
                if m.disbursement {
                    "disbursement"
                } else {
                    "receipt"
                },
                c.amount_fen,
                c.date,
                c.payee.clone(),
                c.household_id.map(|h| h.0),
                c.voucher.clone(),
                c.text.clone(),
                actor.as_str(),
                now
            ]));
        }
        self.tx
            .copy_rows(
                "fund_movements",
                &[
                    "allocation_id",
                    "project_id",
                    "village_code",
                    "kind",
                    "amount_fen",
                    "date",
                    "payee",
                    "household_id",
                    "voucher",
                    "text",
                    "actor",
                    "recorded_at",
                ],
                rows,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_assets(&mut self, items: Vec<BulkAsset>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for a in &items {
            let d = &a.data;
            let project = a.project.map(|p| ids.project(p)).transpose()?;
            rows.push(Vec::from(args![
                ids.asset(a.key)?,
                project,
                d.village_code.as_str(),
                d.name.as_str(),
                d.kind.as_str(),
                d.value_fen,
                d.owner_kind.as_str(),
                d.owner_name.as_str(),
                d.custodian.as_str(),
                d.registered_on,
                d.note.clone(),
                actor.as_str(),
                now
            ]));
        }
        let mut cols = vec!["id"];
        cols.extend_from_slice(super::asset_rows::ASSET_WRITE.names());
        self.tx
            .copy_rows("assets", &cols, rows)
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_asset_incomes(&mut self, items: Vec<BulkAssetIncome>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        for i in &items {
            let x = &i.income;
            rows.push(Vec::from(args![
                ids.asset(i.asset)?,
                x.year,
                i.village.as_str(),
                x.income_fen,
                x.collective_fen,
                x.households_fen,
                x.minimum_fen,
                x.paid_on,
                actor.as_str(),
                now
            ]));
        }
        self.tx
            .copy_rows(
                "asset_incomes",
                super::asset_rows::INCOME_WRITE.names(),
                rows,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn put_dividends(&mut self, items: Vec<BulkDividend>) -> StoreResult<()> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let mut rows = Vec::with_capacity(items.len());
        let mut holders = Vec::with_capacity(items.len());
        for d in &items {
            let asset = ids.asset(d.asset)?;
            rows.push(Vec::from(args![
                asset,
                d.year,
                d.household_id.0,
                d.village.as_str(),
                d.shares,
                d.amount_fen,
                d.paid_on,
                0i64
            ]));
            // a shareholder once per asset, whatever the years paid
            if d.first_of_holder {
                holders.push(Vec::from(args![asset, d.household_id.0, d.shares]));
            }
        }
        self.tx
            .copy_rows("dividends", super::asset_rows::DIVIDEND_WRITE.names(), rows)
            .await
            .map_err(map_bulk)?;
        self.tx
            .copy_rows(
                "asset_shareholders",
                &["asset_id", "household_id", "shares"],
                holders,
            )
            .await
            .map_err(map_bulk)?;
        Ok(())
    }

    async fn projects_named(&mut self, keys: &[(RegionCode, String)]) -> StoreResult<Vec<Project>> {
        let mut out = Vec::new();
        for (village, name) in keys {
            let rows = self
                .tx
                .fetch_all(
                    "SELECT p.id FROM projects p WHERE p.village_code = $1 AND p.name = $2 ORDER BY p.year, p.id",
                    &args![village.as_str(), name.as_str()],
                )
                .await
                .map_err(map_bulk)?;
            for r in &rows {
                let id = ProjectId(Cols::read(r, |c| Ok(c.i64()?))?);
                let (p, _) = self
                    .store
                    .load_project(self.tx.as_mut(), &self.ctx, id, false)
                    .await?;
                out.push(p);
            }
        }
        Ok(out)
    }

    async fn ledger_project(
        &mut self,
        d: ProjectData,
        workflow: ProjectWorkflow,
    ) -> StoreResult<ProjectId> {
        self.require_write()?;
        let p = self
            .store
            .create_project_in(self.tx.as_mut(), &self.ctx, &d, &workflow, "import")
            .await?;
        Ok(p.project.id)
    }

    async fn sources_by_document(&mut self, documents: &[String]) -> StoreResult<Vec<FundSource>> {
        let mut out = Vec::new();
        for chunk in documents.chunks(crate::bulk::IN_CHUNK) {
            let mut q = crate::query::Query::new(&format!(
                "SELECT {} FROM fund_sources WHERE document IN (",
                super::rows::SOURCE_COLS
            ));
            let ph: Vec<String> = chunk.iter().map(|d| q.arg(d.as_str())).collect();
            q.push(&ph.join(", ")).push(") ORDER BY id");
            for r in &self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(<FundSource as crate::rows::Record>::from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn ledger_source(&mut self, s: FundSourceInput) -> StoreResult<SourceId> {
        self.require_write()?;
        let out = self
            .store
            .create_fund_source_in(self.tx.as_mut(), &self.ctx, s)
            .await?;
        Ok(out.id)
    }

    async fn ledger_project_funds(&mut self, id: ProjectId) -> StoreResult<ProjectFunds> {
        self.store
            .project_funds_in(self.tx.as_mut(), &self.ctx, id)
            .await
    }

    async fn ledger_allocate(&mut self, a: AllocationInput) -> StoreResult<AllocationId> {
        self.require_write()?;
        let out = self
            .store
            .allocate_in(self.tx.as_mut(), &self.ctx, a)
            .await?;
        Ok(out.id)
    }

    async fn ledger_move(
        &mut self,
        allocation: AllocationId,
        what: MoneyStep,
        payment: CheckedPayment,
    ) -> StoreResult<()> {
        self.require_write()?;
        self.store
            .move_money_in(self.tx.as_mut(), &self.ctx, allocation, what, payment)
            .await?;
        Ok(())
    }

    async fn settle_funds(&mut self) -> StoreResult<FundsSettled> {
        self.require_write()?;
        let ids = self.funds_ids()?;
        let c = ids.counts;
        let (a0, a1) = FundsIds::range(ids.allocation0, c.allocations);
        let (s0, s1) = FundsIds::range(ids.asset0, c.assets);
        let tx = self.tx.as_mut();
        tx.execute(SETTLE_ALLOCATIONS, &args![a0, a1])
            .await
            .map_err(map_bulk)?;
        tx.execute(SETTLE_SOURCES, &args![a0, a1])
            .await
            .map_err(map_bulk)?;
        tx.execute(SETTLE_PROJECTS, &args![a0, a1])
            .await
            .map_err(map_bulk)?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        // dividends into the households' property income of their year
        tx.execute(
            "UPDATE dividends SET created_income = 1 WHERE asset_id BETWEEN $1 AND $2 AND amount_fen > 0 \
             AND NOT EXISTS (SELECT 1 FROM incomes i WHERE i.household_id = dividends.household_id AND i.year = dividends.year)",
            &args![s0, s1],
        )
        .await
        .map_err(map_bulk)?;
        tx.execute(
            "INSERT INTO incomes (household_id, year, wage_fen, business_fen, property_fen, dividend_fen, \
             transfer_fen, business_cost_fen, note, updated_at, updated_by) \
             SELECT household_id, year, 0, 0, 0, 0, 0, 0, NULL, $3, $4 FROM dividends \
             WHERE asset_id BETWEEN $1 AND $2 AND created_income = 1 GROUP BY household_id, year",
            &args![s0, s1, now, actor.as_str()],
        )
        .await
        .map_err(map_bulk)?;
        let incomes = tx
            .execute(
                "UPDATE incomes SET property_fen = incomes.property_fen + s.amount, \
                 dividend_fen = COALESCE(incomes.dividend_fen, 0) + s.amount, updated_at = $3, updated_by = $4 FROM \
                 (SELECT household_id, year, SUM(amount_fen) AS amount FROM dividends \
                  WHERE asset_id BETWEEN $1 AND $2 AND amount_fen > 0 GROUP BY household_id, year) s \
                 WHERE incomes.household_id = s.household_id AND incomes.year = s.year",
                &args![s0, s1, now, actor.as_str()],
            )
            .await
            .map_err(map_bulk)?;
        // the villages whose households' incomes the dividends changed (see `bulk`: the version
        // triggers are paused)
        let villages = tx
            .fetch_all(
                "SELECT DISTINCT h.village_code FROM dividends d JOIN households h ON h.id = d.household_id \
                 WHERE d.asset_id BETWEEN $1 AND $2 AND d.amount_fen > 0",
                &args![s0, s1],
            )
            .await
            .map_err(map_bulk)?;
        // the collective's share into the villages' collective income of the year
        let profiles = tx
            .execute(
                "INSERT INTO village_profiles (village_code, year, collective_income_fen, updated_at, updated_by) \
                 SELECT v, y, amount, $3, $4 FROM (SELECT village_code AS v, year AS y, SUM(collective_fen) AS amount \
                   FROM asset_incomes WHERE asset_id BETWEEN $1 AND $2 AND collective_fen > 0 GROUP BY village_code, year) s \
                 WHERE true ON CONFLICT (village_code, year) DO UPDATE SET \
                 collective_income_fen = COALESCE(village_profiles.collective_income_fen, 0) + excluded.collective_income_fen, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                &args![s0, s1, now, actor.as_str()],
            )
            .await
            .map_err(map_bulk)?;
        for r in &villages {
            let v: String = crate::rows::Cols::read(r, |c| Ok(c.text()?))?;
            self.facts_changed(&v);
        }
        if incomes > 0 {
            self.store.rebuild_in(self.tx.as_mut()).await?;
        }
        self.store
            .rebuild_funds_figures_in(self.tx.as_mut())
            .await?;
        self.tx
            .analyze(&[
                "projects",
                "fund_sources",
                "fund_allocations",
                "fund_movements",
                "assets",
                "asset_shareholders",
                "asset_incomes",
                "dividends",
                "incomes",
                "funds_stats",
            ])
            .await
            .map_err(map_bulk)?;
        let settled = FundsSettled { incomes, profiles };
        let rec = AuditRecord::event(
            "funds.import",
            "import",
            None,
            serde_json::json!({
                "projects": c.projects,
                "sources": c.sources,
                "allocations": c.allocations,
                "assets": c.assets,
                "incomes": incomes,
                "profiles": profiles,
            }),
        );
        self.store.audit(self.tx.as_mut(), &self.ctx, rec).await?;
        Ok(settled)
    }
}
