//! Projects, funds and their lifecycle in SQL: one row per project with its workflow as JSON and
//! its money summed (allocated, received, disbursed), its beneficiaries and monthly progress in
//! tables of their own, every version in `project_history` and an audit record per write.
//!
//! The fund invariants (Σ disbursed ≤ Σ received ≤ Σ allocated ≤ the source's amount) are kept by
//! conditional updates of the running sums (`… SET disbursed_fen = disbursed_fen + x WHERE
//! disbursed_fen + x <= received_fen`) in the write's transaction: the row is locked by the update
//! (PostgreSQL re-checks the condition on the row a concurrent writer committed; SQLite writes one
//! transaction at a time), so two payments that together would overspend cannot both succeed. The
//! tables' CHECK constraints say the same and would stop a path that forgot it.
//!
//! Everything is reached through the project's village: in the caller's regions, or not found.
//! Assets, dividends and cooperatives are in `assets` (their rows in `asset_rows`).

mod asset_rows;
mod assets;
mod bulk;
pub(crate) use bulk::FundsIds;
mod funds;
mod report;
mod rows;

use crate::query::Query;
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::versioned::Versioned;
use crate::{args, SqlStore};
use fupin_core::assessment::Step;
use fupin_core::audit::AuditRecord;
use fupin_core::paging::{village_id_cursor, Keyset, Listing};
use fupin_core::projects::*;
use fupin_core::store::{ProjectDetail, ProjectStore, StoreResult};
use fupin_core::{Ctx, DomainError, RegionCode};
use rows::*;
use time::{Date, OffsetDateTime};

pub(crate) fn project_not_found() -> DomainError {
    DomainError::not_found("project_not_found", "该项目不存在或不在您的管辖范围内")
}

impl SqlStore {
    async fn beneficiaries(&self, tx: &mut dyn Tx, id: ProjectId) -> StoreResult<Vec<Beneficiary>> {
        let rows = tx
            .fetch_all(
                &format!("SELECT {BENEFICIARY_COLS} FROM project_beneficiaries WHERE project_id = $1 ORDER BY household_id, mode"),
                &args![id.0],
            )
            .await?;
        rows.iter().map(Beneficiary::from_row).collect()
    }

    /// A project the caller reaches, with its workflow; locked for update when `lock`.
    pub(crate) async fn load_project(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: ProjectId,
        lock: bool,
    ) -> StoreResult<(Project, ProjectWorkflow)> {
        let lock = if lock { self.db.lock_rows() } else { "" };
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {PROJECT_COLS}, p.workflow FROM {PROJECT_FROM} WHERE p.id = $1{lock}"
                ),
                &args![id.0],
            )
            .await?
            .ok_or_else(project_not_found)?;
        let (mut p, w): (Project, ProjectWorkflow) =
            Cols::read(&r, |c| Ok((Project::decode(c)?, c.json()?)))?;
        if !ctx.scope.allows(&p.data.village_code) {
            return Err(project_not_found());
        }
        p.data.beneficiaries = self.beneficiaries(tx, id).await?;
        Ok((p, w))
    }

    async fn project_detail(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: ProjectId,
    ) -> StoreResult<ProjectDetail> {
        let (project, workflow) = self.load_project(tx, ctx, id, false).await?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {PROGRESS_COLS} FROM project_progress WHERE project_id = $1 ORDER BY month"),
                &args![id.0],
            )
            .await?;
        let progress = rows
            .iter()
            .map(Progress::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(ProjectDetail {
            project,
            workflow,
            progress,
        })
    }

    /// The village exists and the caller's regions hold it; the beneficiaries are households the
    /// caller reaches.
    async fn check_project(&self, tx: &mut dyn Tx, ctx: &Ctx, d: &ProjectData) -> StoreResult<()> {
        ctx.require(&d.village_code, "村")
            .map_err(|e| e.with_field("village_code"))?;
        let known = tx
            .fetch_optional(
                "SELECT 1 FROM regions WHERE code = $1 AND level = 'village'",
                &args![d.village_code.as_str()],
            )
            .await?;
        if known.is_none() {
            return Err(DomainError::invalid(
                "village_code",
                "unknown_village",
                format!(
                    "村代码 {} 不是系统中的村级区划，请先导入区划",
                    d.village_code.as_str()
                ),
            ));
        }
        for (i, b) in d.beneficiaries.iter().enumerate() {
            let r = tx
                .fetch_optional(
                    "SELECT village_code FROM households WHERE id = $1",
                    &args![b.household_id.0],
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
                .with_field(format!("beneficiaries[{i}].household_id")));
            }
        }
        Ok(())
    }

    async fn write_beneficiaries(
        &self,
        tx: &mut dyn Tx,
        id: ProjectId,
        d: &ProjectData,
    ) -> StoreResult<()> {
        tx.execute(
            "DELETE FROM project_beneficiaries WHERE project_id = $1",
            &args![id.0],
        )
        .await?;
        for b in &d.beneficiaries {
            tx.execute(&INSERT_BENEFICIARY, &beneficiary_values(id, b))
                .await?;
        }
        Ok(())
    }

    /// Append a version to a project's history, bump its version and audit the change.
    pub(crate) async fn project_changed(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: ProjectId,
        action: &str,
        before: Option<&ProjectDetail>,
    ) -> StoreResult<ProjectDetail> {
        let now = OffsetDateTime::now_utc();
        tx.execute(
            "UPDATE projects SET version = version + 1, updated_by = $1, updated_at = $2 WHERE id = $3",
            &args![ctx.actor.as_str(), now, id.0],
        )
        .await?;
        self.record_version(
            tx,
            ctx,
            id.0,
            |after: &ProjectDetail| {
                (
                    INSERT_VERSION.as_str(),
                    version_values(after, action, &ctx.actor, now),
                )
            },
            |after| {
                AuditRecord::change(
                    &format!("project.{action}"),
                    "project",
                    id.0,
                    before,
                    Some(after),
                )
                .in_region(&after.project.data.village_code)
            },
        )
        .await
    }

    /// Enter a checked project with its lifecycle in `tx` (a proposal's single write, or a ledger's
    /// project replayed to its stage): the village and beneficiaries checked, the row, its
    /// beneficiaries, its figures, its first version and the audit record.
    pub(crate) async fn create_project_in(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        d: &ProjectData,
        workflow: &ProjectWorkflow,
        action: &str,
    ) -> StoreResult<ProjectDetail> {
        self.check_project(tx, ctx, d).await?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_PROJECT, &new_project(d, workflow, &ctx.actor, now))
            .await?;
        let id = ProjectId(Cols::read(&r, |c| Ok(c.i64()?))?);
        self.write_beneficiaries(tx, id, d).await?;
        self.refigure_project(tx, id, None, FundsDelta::default())
            .await?;
        self.project_changed(tx, ctx, id, action, None).await
    }

    async fn lifecycle_facts(&self, tx: &mut dyn Tx, p: &Project) -> StoreResult<LifecycleFacts> {
        Ok(LifecycleFacts {
            allocated_fen: p.allocated_fen,
            progress_percent: p.progress_percent,
            assets: self.asset_count(tx, p.id).await?,
        })
    }

    async fn list_projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &ProjectFilter,
        page: &Keyset,
    ) -> StoreResult<Listing<Project>> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let mut q = Query::new(&format!(
            "SELECT {PROJECT_COLS} FROM {PROJECT_FROM} WHERE 1 = 1"
        ));
        q.and_in_ranges("p.village_code", &Some(vec![region.range()]));
        q.and_in_ranges("p.village_code", &ctx.scope.ranges(Some(region)));
        if let Some(y) = filter.year {
            let a = q.arg(y);
            q.push(&format!(" AND p.year = {a}"));
        }
        if let Some(c) = filter.category {
            let a = q.arg(c.as_str());
            q.push(&format!(" AND p.category = {a}"));
        }
        if let Some(s) = filter.stage {
            let a = q.arg(s.as_str());
            q.push(&format!(" AND p.stage = {a}"));
        }
        if let Some(on) = filter.overdue_on {
            let a = q.arg(on);
            q.push(&format!(
                " AND p.planned_end < {a} AND p.accepted_on IS NULL"
            ));
        }
        // keyset along the index (village_code, id), forwards or backwards
        let (cmp, dir) = page.order();
        if let Some((v, id)) = page.after_village_id()? {
            let a = q.arg(v.as_str());
            let b = q.arg(id);
            q.push(&format!(
                " AND (p.village_code {cmp} {a} OR (p.village_code = {a} AND p.id {cmp} {b}))"
            ));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(
            " ORDER BY p.village_code{dir}, p.id{dir} LIMIT {l}"
        ));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows.iter().take(page.limit as usize) {
            let mut p = Project::from_row(r)?;
            p.data.beneficiaries = self.beneficiaries(tx.as_mut(), p.id).await?;
            out.push(p);
        }
        let next = if rows.len() > page.limit as usize {
            out.last()
                .map(|p| village_id_cursor(&p.data.village_code, p.id.0))
        } else {
            None
        };
        Ok(Listing { items: out, next })
    }
}

#[async_trait::async_trait]
impl Versioned for ProjectDetail {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> StoreResult<Self> {
        store.project_detail(tx, ctx, ProjectId(id)).await
    }
}

#[async_trait::async_trait]
impl ProjectStore for SqlStore {
    async fn create_project(&self, ctx: &Ctx, p: ProjectInput) -> StoreResult<ProjectDetail> {
        let d = p.validate()?;
        let date = p.proposed_on.unwrap_or_else(fupin_core::years::today);
        let params = self.params();
        let workflow = start_project(&params, &d.village_code, d.year, date, &ctx.actor)?;
        let mut tx = self.db.begin_write().await?;
        let out = self
            .create_project_in(tx.as_mut(), ctx, &d, &workflow, "create")
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_project(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        p: ProjectInput,
    ) -> StoreResult<ProjectDetail> {
        let d = p.validate()?;
        let mut tx = self.db.begin_write().await?;
        let before = self.project_detail(tx.as_mut(), ctx, id).await?;
        if d.village_code != before.project.data.village_code {
            return Err(DomainError::invalid(
                "village_code",
                "village_fixed",
                "项目所在村不能更改；请在另一村重新申报",
            ));
        }
        if before.project.stage != Stage::Proposal {
            return Err(DomainError::conflict(
                "project_locked",
                format!(
                    "只有村级申报（含退回）的项目才能修改（当前：{}）",
                    before.project.stage.label()
                ),
            ));
        }
        self.check_project(tx.as_mut(), ctx, &d).await?;
        let figures = self.project_figures(tx.as_mut(), id).await?;
        tx.execute(&UPDATE_PROJECT, &project_update(&d, id)).await?;
        self.refigure_project(tx.as_mut(), id, Some(&figures), FundsDelta::default())
            .await?;
        self.write_beneficiaries(tx.as_mut(), id, &d).await?;
        let out = self
            .project_changed(tx.as_mut(), ctx, id, "update", Some(&before))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<ProjectDetail> {
        let mut tx = self.db.begin_read().await?;
        self.project_detail(tx.as_mut(), ctx, id).await
    }

    async fn projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: ProjectFilter,
        page: &Keyset,
    ) -> StoreResult<Listing<Project>> {
        self.list_projects(ctx, region, &filter, page).await
    }

    async fn project_action(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        action: ProjectAction,
        date: Date,
    ) -> StoreResult<ProjectDetail> {
        let mut tx = self.db.begin_write().await?;
        let (project, workflow) = self.load_project(tx.as_mut(), ctx, id, true).await?;
        // each stage belongs to an office: a village's officer proposes, the township reviews, the
        // county approves and plans; an office below the stage's may not take it
        let stage = workflow.step();
        ctx.require_office(&project.data.village_code, stage.office(), stage.label())?;
        let before = self.project_detail(tx.as_mut(), ctx, id).await?;
        let facts = self.lifecycle_facts(tx.as_mut(), &before.project).await?;
        let next = apply_project(&workflow, action, date, &ctx.actor, facts)?;
        let figures = self.project_figures(tx.as_mut(), id).await?;
        let accepted_on = if next.step().accepted() && !workflow.step().accepted() {
            Some(date)
        } else {
            None
        };
        tx.execute(
            "UPDATE projects SET stage = $1, workflow = $2, accepted_on = COALESCE($3, accepted_on) WHERE id = $4",
            &args![
                next.step().as_str(),
                serde_json::to_string(&next).expect("serialisable"),
                accepted_on,
                id.0
            ],
        )
        .await?;
        self.refigure_project(tx.as_mut(), id, Some(&figures), FundsDelta::default())
            .await?;
        let out = self
            .project_changed(tx.as_mut(), ctx, id, "step", Some(&before))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project_progress(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        p: ProgressInput,
    ) -> StoreResult<ProjectDetail> {
        let mut tx = self.db.begin_write().await?;
        self.load_project(tx.as_mut(), ctx, id, true).await?;
        let before = self.project_detail(tx.as_mut(), ctx, id).await?;
        let last = before.progress.last().map(|l| (l.month, l.percent));
        p.validate(before.project.stage, last)?;
        let report = Progress {
            month: p.month,
            percent: p.percent,
            spent_fen: p.spent_fen,
            note: fupin_core::error::opt_text("note", &p.note, 1000)?,
            actor: ctx.actor.clone(),
        };
        tx.execute(
            &INSERT_PROGRESS,
            &progress_values(id, &report, OffsetDateTime::now_utc()),
        )
        .await?;
        tx.execute(
            "UPDATE projects SET progress_percent = $1 WHERE id = $2",
            &args![p.percent, id.0],
        )
        .await?;
        let out = self
            .project_changed(tx.as_mut(), ctx, id, "progress", Some(&before))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn project_history(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<Vec<ProjectVersion>> {
        let mut tx = self.db.begin_read().await?;
        self.load_project(tx.as_mut(), ctx, id, false).await?;
        let rows = tx
            .fetch_all(
                &format!("SELECT {VERSION_COLS} FROM project_history WHERE project_id = $1 ORDER BY version"),
                &args![id.0],
            )
            .await?;
        rows.iter().map(ProjectVersion::from_row).collect()
    }

    async fn overdue_projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        on: Date,
    ) -> StoreResult<Vec<Project>> {
        let filter = ProjectFilter {
            overdue_on: Some(on),
            ..Default::default()
        };
        Ok(self
            .list_projects(ctx, region, &filter, &Keyset::all())
            .await?
            .items)
    }

    async fn create_fund_source(&self, ctx: &Ctx, s: FundSourceInput) -> StoreResult<FundSource> {
        self.create_fund_source_impl(ctx, s).await
    }

    async fn fund_sources(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
    ) -> StoreResult<Vec<FundSource>> {
        self.fund_sources_impl(ctx, region, year).await
    }

    async fn allocate(&self, ctx: &Ctx, a: AllocationInput) -> StoreResult<Allocation> {
        self.allocate_impl(ctx, a).await
    }

    async fn receive(
        &self,
        ctx: &Ctx,
        allocation: AllocationId,
        r: ReceiptInput,
    ) -> StoreResult<Allocation> {
        self.move_money(ctx, allocation, MoneyStep::Receipt, r.validate()?)
            .await
    }

    async fn disburse(
        &self,
        ctx: &Ctx,
        allocation: AllocationId,
        d: DisbursementInput,
    ) -> StoreResult<Allocation> {
        self.move_money(ctx, allocation, MoneyStep::Disbursement, d.validate()?)
            .await
    }

    async fn project_funds(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<ProjectFunds> {
        self.project_funds_impl(ctx, id).await
    }

    async fn funds_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport> {
        self.funds_report_impl(ctx, region, from, to).await
    }

    async fn recompute_funds_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport> {
        self.recompute_funds_report_impl(ctx, region, from, to)
            .await
    }
}
