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

mod funds;

use crate::query::Query;
use crate::sql::{Row, Tx};
use crate::{args, SqlStore};
use fupin_core::assessment::Step;
use fupin_core::audit::AuditRecord;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;
use fupin_core::store::{ProjectDetail, ProjectStore, StoreResult};
use fupin_core::{Ctx, DomainError, RegionCode};
use time::{Date, OffsetDateTime};

pub(crate) const PROJECT_COLS: &str = "p.id, p.village_code, p.name, p.category, p.sub_category, p.year, p.planned_start, p.planned_end, \
    p.responsible_unit, p.responsible_person, p.content, p.budget_fen, p.targets, p.participation, p.stage, \
    p.allocated_fen, p.received_fen, p.disbursed_fen, p.progress_percent, p.version, p.updated_by, p.updated_at, r.name";
pub(crate) const PROJECT_FROM: &str = "projects p JOIN regions r ON r.code = p.village_code";

pub(crate) fn json_err(_: serde_json::Error) -> DomainError {
    DomainError::internal()
}

fn project_from_row(r: &Row, beneficiaries: Vec<Beneficiary>) -> StoreResult<Project> {
    let category = Category::parse(&r.text(3)?).ok_or_else(DomainError::internal)?;
    let stage = Stage::parse(&r.text(14)?).ok_or_else(DomainError::internal)?;
    Ok(Project {
        id: ProjectId(r.i64(0)?),
        data: ProjectData {
            village_code: RegionCode::parse(&r.text(1)?)?,
            name: r.text(2)?,
            category,
            sub_category: r.opt_text(4)?,
            year: r.i32(5)?,
            planned_start: r.date(6)?,
            planned_end: r.date(7)?,
            responsible_unit: r.text(8)?,
            responsible_person: r.text(9)?,
            content: r.text(10)?,
            budget_fen: r.i64(11)?,
            targets: serde_json::from_str(&r.text(12)?).map_err(json_err)?,
            beneficiaries,
            participation: r.opt_text(13)?,
        },
        category_label: category.label().to_string(),
        village_name: r.text(22)?,
        stage,
        stage_label: stage.label().to_string(),
        allocated_fen: r.i64(15)?,
        received_fen: r.i64(16)?,
        disbursed_fen: r.i64(17)?,
        progress_percent: r.i32(18)?,
        version: r.i32(19)?,
        updated_by: r.text(20)?,
        updated_at: r.time(21)?,
    })
}

pub(crate) fn project_not_found() -> DomainError {
    DomainError::not_found("project_not_found", "该项目不存在或不在您的管辖范围内")
}

impl SqlStore {
    async fn beneficiaries(&self, tx: &mut dyn Tx, id: ProjectId) -> StoreResult<Vec<Beneficiary>> {
        let rows = tx
            .fetch_all(
                "SELECT household_id, mode FROM project_beneficiaries WHERE project_id = $1 ORDER BY household_id, mode",
                &args![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Beneficiary {
                    household_id: HouseholdId(r.i64(0)?),
                    mode: BenefitMode::parse(&r.text(1)?).ok_or_else(DomainError::internal)?,
                })
            })
            .collect()
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
        let village = RegionCode::parse(&r.text(1)?)?;
        if !ctx.scope.allows(&village) {
            return Err(project_not_found());
        }
        let b = self.beneficiaries(tx, id).await?;
        let p = project_from_row(&r, b)?;
        let w: ProjectWorkflow = serde_json::from_str(&r.text(23)?).map_err(json_err)?;
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
                "SELECT month, percent, spent_fen, note, actor FROM project_progress WHERE project_id = $1 ORDER BY month",
                &args![id.0],
            )
            .await?;
        let progress = rows
            .iter()
            .map(|r| {
                Ok(Progress {
                    month: r.date(0)?,
                    percent: r.i32(1)?,
                    spent_fen: r.i64(2)?,
                    note: r.opt_text(3)?,
                    actor: r.text(4)?,
                })
            })
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
                Some(r) => ctx.scope.allows(&RegionCode::parse(&r.text(0)?)?),
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
            tx.execute(
                "INSERT INTO project_beneficiaries (project_id, household_id, mode) VALUES ($1, $2, $3)",
                &args![id.0, b.household_id.0, b.mode.as_str()],
            )
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
        let after = self.project_detail(tx, ctx, id).await?;
        tx.execute(
            "INSERT INTO project_history (project_id, version, action, data, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &args![
                id.0,
                after.project.version,
                action,
                serde_json::to_string(&after).expect("serialisable"),
                ctx.actor.as_str(),
                now
            ],
        )
        .await?;
        self.audit(
            tx,
            ctx,
            AuditRecord::change(
                &format!("project.{action}"),
                "project",
                id.0,
                before,
                Some(&after),
            )
            .in_region(&after.project.data.village_code),
        )
        .await?;
        Ok(after)
    }

    async fn lifecycle_facts(&self, tx: &mut dyn Tx, p: &Project) -> StoreResult<LifecycleFacts> {
        let _ = tx;
        Ok(LifecycleFacts {
            allocated_fen: p.allocated_fen,
            progress_percent: p.progress_percent,
            assets: 0,
        })
    }

    async fn list_projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &ProjectFilter,
    ) -> StoreResult<Vec<Project>> {
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
        q.push(" ORDER BY p.village_code, p.id");
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = ProjectId(r.i64(0)?);
            let b = self.beneficiaries(tx.as_mut(), id).await?;
            out.push(project_from_row(r, b)?);
        }
        Ok(out)
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
        self.check_project(tx.as_mut(), ctx, &d).await?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                "INSERT INTO projects (village_code, name, category, sub_category, year, planned_start, planned_end, responsible_unit, \
                 responsible_person, content, budget_fen, targets, participation, stage, workflow, version, created_by, created_at, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $16, $17) RETURNING id",
                &args![
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
                    serde_json::to_string(&d.targets).expect("serialisable"),
                    d.participation.clone(),
                    workflow.step().as_str(),
                    serde_json::to_string(&workflow).expect("serialisable"),
                    ctx.actor.as_str(),
                    now
                ],
            )
            .await?;
        let id = ProjectId(r.i64(0)?);
        self.write_beneficiaries(tx.as_mut(), id, &d).await?;
        let out = self
            .project_changed(tx.as_mut(), ctx, id, "create", None)
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
        tx.execute(
            "UPDATE projects SET name = $1, category = $2, sub_category = $3, year = $4, planned_start = $5, planned_end = $6, \
             responsible_unit = $7, responsible_person = $8, content = $9, budget_fen = $10, targets = $11, participation = $12 WHERE id = $13",
            &args![
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
                serde_json::to_string(&d.targets).expect("serialisable"),
                d.participation.clone(),
                id.0
            ],
        )
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
    ) -> StoreResult<Vec<Project>> {
        self.list_projects(ctx, region, &filter).await
    }

    async fn project_action(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        action: ProjectAction,
        date: Date,
    ) -> StoreResult<ProjectDetail> {
        let mut tx = self.db.begin_write().await?;
        let (_, workflow) = self.load_project(tx.as_mut(), ctx, id, true).await?;
        let before = self.project_detail(tx.as_mut(), ctx, id).await?;
        let facts = self.lifecycle_facts(tx.as_mut(), &before.project).await?;
        let next = apply_project(&workflow, action, date, &ctx.actor, facts)?;
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
        tx.execute(
            "INSERT INTO project_progress (project_id, month, percent, spent_fen, note, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &args![
                id.0,
                p.month,
                p.percent,
                p.spent_fen,
                fupin_core::error::opt_text("note", &p.note, 1000)?,
                ctx.actor.as_str(),
                OffsetDateTime::now_utc()
            ],
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
                "SELECT version, action, data, actor, recorded_at FROM project_history WHERE project_id = $1 ORDER BY version",
                &args![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ProjectVersion {
                    version: r.i32(0)?,
                    action: r.text(1)?,
                    data: serde_json::from_str(&r.text(2)?).map_err(json_err)?,
                    actor: r.text(3)?,
                    recorded_at: r.time(4)?,
                })
            })
            .collect()
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
        self.list_projects(ctx, region, &filter).await
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
}
