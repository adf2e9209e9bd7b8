//! Fund sources, allocations, receipts and disbursements in SQL. The running sums on
//! `fund_sources` (allocated) and `fund_allocations` (received, disbursed) are moved by conditional
//! updates that fail when the invariant would break, in the same transaction as the movement's row,
//! the project's sums and the audit record.

use super::rows::*;
use crate::query::Query;
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::offices::OfficeAct;
use fupin_core::projects::*;
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, DomainError, RegionCode};
use time::OffsetDateTime;

fn source_not_found() -> DomainError {
    DomainError::not_found("source_not_found", "该资金来源不存在或不在您的管辖范围内")
        .with_field("source_id")
}

fn allocation_not_found() -> DomainError {
    DomainError::not_found(
        "allocation_not_found",
        "该资金下达记录不存在或不在您的管辖范围内",
    )
}

impl SqlStore {
    async fn load_source(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: SourceId,
    ) -> StoreResult<FundSource> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {SOURCE_COLS} FROM fund_sources WHERE id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(source_not_found)?;
        let s = FundSource::from_row(&r)?;
        if !ctx.scope.allows(&s.data.region_code) {
            return Err(source_not_found());
        }
        Ok(s)
    }

    pub(crate) async fn load_allocation(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: AllocationId,
    ) -> StoreResult<Allocation> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {ALLOCATION_COLS} FROM {ALLOCATION_FROM} WHERE a.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(allocation_not_found)?;
        let a = Allocation::from_row(&r)?;
        if !ctx.scope.allows(&a.village_code) {
            return Err(allocation_not_found());
        }
        Ok(a)
    }

    pub(crate) async fn create_fund_source_impl(
        &self,
        ctx: &Ctx,
        s: FundSourceInput,
    ) -> StoreResult<FundSource> {
        let mut tx = self.db.begin_write().await?;
        let out = self.create_fund_source_in(tx.as_mut(), ctx, s).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a fund source in `tx` (the single write's and a ledger's): checks, row, figures and
    /// audit.
    pub(crate) async fn create_fund_source_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        s: FundSourceInput,
    ) -> StoreResult<FundSource> {
        let d = s.validate()?;
        ctx.require(&d.region_code, "区划")
            .map_err(|e| e.with_field("region_code"))?;
        ctx.require_act(&d.region_code, OfficeAct::RegisterFundSource)?;
        let known = tx
            .fetch_optional(
                "SELECT 1 FROM regions WHERE code = $1",
                &args![d.region_code.as_str()],
            )
            .await?;
        if known.is_none() {
            return Err(DomainError::invalid(
                "region_code",
                "unknown_region",
                format!("区划 {} 不存在，请先导入区划", d.region_code.as_str()),
            ));
        }
        let r = tx
            .fetch_one(
                &INSERT_SOURCE,
                &new_source(&d, &ctx.actor, OffsetDateTime::now_utc()),
            )
            .await?;
        let out = self
            .load_source(&mut *tx, ctx, SourceId(Cols::read(&r, |c| Ok(c.i64()?))?))
            .await?;
        let mut figures = FundsDelta::default();
        figures.add(
            &out.data.region_code,
            FundsKey::new(out.data.year, dim::SOURCE, out.data.kind.as_str()),
            FundsTally::new(1, out.data.amount_fen, 0, 0, 0),
            1,
        );
        self.apply_funds_delta(&mut *tx, &figures).await?;
        self.audit(
            &mut *tx,
            ctx,
            AuditRecord::change(
                "fund_source.create",
                "fund_source",
                out.id.0,
                None,
                Some(&out),
            )
            .in_region(&out.data.region_code),
        )
        .await?;
        Ok(out)
    }

    pub(crate) async fn fund_sources_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
    ) -> StoreResult<Vec<FundSource>> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let mut q = Query::new(&format!(
            "SELECT {SOURCE_COLS} FROM fund_sources WHERE 1 = 1"
        ));
        q.and_in_ranges("region_code", &Some(vec![region.range()]));
        q.and_in_ranges("region_code", &ctx.scope.ranges(Some(region)));
        if let Some(y) = year {
            let a = q.arg(y);
            q.push(&format!(" AND year = {a}"));
        }
        q.push(" ORDER BY region_code, year, id");
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(FundSource::from_row).collect()
    }

    pub(crate) async fn allocate_impl(
        &self,
        ctx: &Ctx,
        a: AllocationInput,
    ) -> StoreResult<Allocation> {
        let mut tx = self.db.begin_write().await?;
        let out = self.allocate_in(tx.as_mut(), ctx, a).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Allocate in `tx` (the single write's and a ledger's).
    pub(crate) async fn allocate_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        a: AllocationInput,
    ) -> StoreResult<Allocation> {
        let c = a.validate()?;
        let source = self.load_source(&mut *tx, ctx, a.source_id).await?;
        let (project, _) = self
            .load_project(&mut *tx, ctx, a.project_id, true)
            .await
            .map_err(|e| e.with_field("project_id"))?;
        // the county's 资金下达: an office below the county sees the project but may not fund it
        ctx.require_act(&project.data.village_code, OfficeAct::Allocate)?;
        if !source.data.region_code.contains(&project.data.village_code) {
            return Err(DomainError::invalid(
                "project_id",
                "project_outside_source",
                format!(
                    "项目所在村 {} 不在资金来源所属区划 {} 之内",
                    project.data.village_code.as_str(),
                    source.data.region_code.as_str()
                ),
            ));
        }
        check_stage_for(MoneyStep::Allocation, project.stage)?;
        if c.date < source.data.date {
            return Err(DomainError::invalid(
                "date",
                "date_before_previous",
                format!(
                    "办理日期 {} 早于上一次办理日期 {}",
                    c.date, source.data.date
                ),
            ));
        }
        let n = tx
            .execute(
                "UPDATE fund_sources SET allocated_fen = allocated_fen + $1 WHERE id = $2 AND allocated_fen + $1 <= amount_fen",
                &args![c.amount_fen, source.id.0],
            )
            .await?;
        if n == 0 {
            let left = self.load_source(&mut *tx, ctx, source.id).await?;
            return Err(exceeds(
                MoneyStep::Allocation,
                left.data.amount_fen - left.allocated_fen,
                c.amount_fen,
            ));
        }
        let r = tx
            .fetch_one(
                &INSERT_ALLOCATION,
                &new_allocation(
                    source.id,
                    &project,
                    c.amount_fen,
                    c.date,
                    c.text.clone(),
                    &ctx.actor,
                    OffsetDateTime::now_utc(),
                ),
            )
            .await?;
        let figures = self.project_figures(&mut *tx, project.id).await?;
        tx.execute(
            "UPDATE projects SET allocated_fen = allocated_fen + $1 WHERE id = $2",
            &args![c.amount_fen, project.id.0],
        )
        .await?;
        let mut flow = FundsDelta::default();
        flow.add(
            &project.data.village_code,
            FundsKey::new(c.date.year(), dim::SOURCE, source.data.kind.as_str()),
            source_flow(MoneyStep::Allocation, c.amount_fen),
            1,
        );
        self.refigure_project(&mut *tx, project.id, Some(&figures), flow)
            .await?;
        let out = self
            .load_allocation(
                &mut *tx,
                ctx,
                AllocationId(Cols::read(&r, |c| Ok(c.i64()?))?),
            )
            .await?;
        self.audit(
            &mut *tx,
            ctx,
            AuditRecord::change(
                "fund.allocate",
                "fund_allocation",
                out.id.0,
                None,
                Some(&out),
            )
            .in_region(&out.village_code),
        )
        .await?;
        Ok(out)
    }

    /// A receipt or a disbursement of an allocation.
    pub(crate) async fn move_money(
        &self,
        ctx: &Ctx,
        id: AllocationId,
        what: MoneyStep,
        c: CheckedPayment,
    ) -> StoreResult<Allocation> {
        let mut tx = self.db.begin_write().await?;
        let out = self.move_money_in(tx.as_mut(), ctx, id, what, c).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// A receipt or a disbursement in `tx` (the single write's and a ledger's).
    pub(crate) async fn move_money_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: AllocationId,
        what: MoneyStep,
        c: CheckedPayment,
    ) -> StoreResult<Allocation> {
        let before = self.load_allocation(&mut *tx, ctx, id).await?;
        // paid through the township's finance office (村级报账制): a village's officer may not
        let act = match what {
            MoneyStep::Receipt => OfficeAct::Receive,
            _ => OfficeAct::Disburse,
        };
        ctx.require_act(&before.village_code, act)?;
        let (project, _) = self
            .load_project(&mut *tx, ctx, before.project_id, false)
            .await?;
        check_stage_for(what, project.stage)?;
        if c.date < before.date {
            return Err(DomainError::invalid(
                "date",
                "date_before_previous",
                format!("办理日期 {} 早于上一次办理日期 {}", c.date, before.date),
            ));
        }
        if let Some(h) = c.household_id {
            let r = tx
                .fetch_optional(
                    "SELECT village_code FROM households WHERE id = $1",
                    &args![h.0],
                )
                .await?;
            let ok = match r {
                Some(r) => ctx
                    .scope
                    .allows(&Cols::read(&r, |c| RegionCode::parse(&c.text()?))?),
                None => false,
            };
            if !ok {
                return Err(DomainError::not_found(
                    "household_not_found",
                    "该户不存在或不在您的管辖范围内",
                )
                .with_field("household_id"));
            }
        }
        let (sql, project_col, kind) = match what {
            MoneyStep::Receipt => (
                "UPDATE fund_allocations SET received_fen = received_fen + $1 WHERE id = $2 AND received_fen + $1 <= amount_fen",
                "received_fen",
                "receipt",
            ),
            MoneyStep::Disbursement => (
                "UPDATE fund_allocations SET disbursed_fen = disbursed_fen + $1 WHERE id = $2 AND disbursed_fen + $1 <= received_fen",
                "disbursed_fen",
                "disbursement",
            ),
            MoneyStep::Allocation => return Err(DomainError::internal()),
        };
        let n = tx.execute(sql, &args![c.amount_fen, id.0]).await?;
        if n == 0 {
            let now = self.load_allocation(&mut *tx, ctx, id).await?;
            let left = match what {
                MoneyStep::Receipt => now.amount_fen - now.received_fen,
                _ => now.received_fen - now.disbursed_fen,
            };
            return Err(exceeds(what, left, c.amount_fen));
        }
        let figures = self.project_figures(&mut *tx, project.id).await?;
        tx.execute(
            &format!("UPDATE projects SET {project_col} = {project_col} + $1 WHERE id = $2"),
            &args![c.amount_fen, project.id.0],
        )
        .await?;
        let mut flow = FundsDelta::default();
        flow.add(
            &project.data.village_code,
            FundsKey::new(c.date.year(), dim::SOURCE, before.source_kind.as_str()),
            source_flow(what, c.amount_fen),
            1,
        );
        self.refigure_project(&mut *tx, project.id, Some(&figures), flow)
            .await?;
        let movement = tx
            .fetch_one(
                &INSERT_MOVEMENT,
                &new_movement(
                    id,
                    &project,
                    kind,
                    &c,
                    &ctx.actor,
                    OffsetDateTime::now_utc(),
                ),
            )
            .await?;
        let movement = Cols::read(&movement, |c| Ok(c.i64()?))?;
        let out = self.load_allocation(&mut *tx, ctx, id).await?;
        self.audit(
            &mut *tx,
            ctx,
            AuditRecord::event(
                &format!("fund.{kind}"),
                "fund_allocation",
                Some(id.0.to_string()),
                serde_json::json!({"movement": movement, "movement_kind": kind, "payment": c, "allocation": out}),
            )
            .in_region(&out.village_code),
        )
        .await?;
        Ok(out)
    }

    pub(crate) async fn project_funds_impl(
        &self,
        ctx: &Ctx,
        id: ProjectId,
    ) -> StoreResult<ProjectFunds> {
        let mut tx = self.db.begin_read().await?;
        self.project_funds_in(tx.as_mut(), ctx, id).await
    }

    /// A project's allocations and movements as `tx` sees them.
    pub(crate) async fn project_funds_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: ProjectId,
    ) -> StoreResult<ProjectFunds> {
        let (project, _) = self.load_project(&mut *tx, ctx, id, false).await?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {ALLOCATION_COLS} FROM {ALLOCATION_FROM} WHERE a.project_id = $1 ORDER BY a.date, a.id"),
                &args![id.0],
            )
            .await?;
        let allocations = rows
            .iter()
            .map(Allocation::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {MOVEMENT_COLS} FROM fund_movements WHERE project_id = $1 ORDER BY date, id"),
                &args![id.0],
            )
            .await?;
        let movements = rows
            .iter()
            .map(Movement::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(ProjectFunds {
            project_id: id,
            allocations,
            movements,
            allocated_fen: project.allocated_fen,
            received_fen: project.received_fen,
            disbursed_fen: project.disbursed_fen,
        })
    }
}
