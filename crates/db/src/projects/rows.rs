//! Projects' and funds' tables as typed rows (see `crate::rows`): projects with their village, their
//! beneficiaries, monthly progress and history, fund sources, allocations and movements — the
//! column lists, decoders and value builders of every write and read of them.

use crate::args;
use crate::rows::{concat, to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use fupin_core::assessment::Step;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;
use fupin_core::store::{ProjectDetail, StoreResult};
use fupin_core::{DomainError, RegionCode};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};

/// Projects with their village.
pub(crate) const PROJECT_FROM: &str = "projects p JOIN regions r ON r.code = p.village_code";

/// The columns of a [`Project`] from [`PROJECT_FROM`].
pub(crate) const PROJECT_COLS: Select<Project> = Select::new();

/// A project as listed, from [`PROJECT_FROM`]; its beneficiaries are read apart (empty here).
impl Record for Project {
    fn columns() -> Columns {
        Columns(&[
            "p.id",
            "p.village_code",
            "p.name",
            "p.category",
            "p.sub_category",
            "p.year",
            "p.planned_start",
            "p.planned_end",
            "p.responsible_unit",
            "p.responsible_person",
            "p.content",
            "p.budget_fen",
            "p.targets",
            "p.participation",
            "p.stage",
            "p.allocated_fen",
            "p.received_fen",
            "p.disbursed_fen",
            "p.progress_percent",
            "p.version",
            "p.updated_by",
            "p.updated_at",
            "r.name",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = ProjectId(c.i64()?);
        let village_code = RegionCode::parse(&c.text()?)?;
        let name = c.text()?;
        let category = Category::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        let data = ProjectData {
            village_code,
            name,
            category,
            sub_category: c.opt_text()?,
            year: c.i32()?,
            planned_start: c.date()?,
            planned_end: c.date()?,
            responsible_unit: c.text()?,
            responsible_person: c.text()?,
            content: c.text()?,
            budget_fen: c.i64()?,
            targets: c.json()?,
            beneficiaries: Vec::new(),
            participation: c.opt_text()?,
        };
        let stage = Stage::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(Project {
            id,
            data,
            category_label: category.label().to_string(),
            stage,
            stage_label: stage.label().to_string(),
            allocated_fen: c.i64()?,
            received_fen: c.i64()?,
            disbursed_fen: c.i64()?,
            progress_percent: c.i32()?,
            version: c.i32()?,
            updated_by: c.text()?,
            updated_at: c.time()?,
            village_name: c.text()?,
        })
    }
}

/// What a project's validated fields fill besides its village, in the order of [`project_data`].
const PROJECT_DATA: Columns = Columns(&[
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
]);

/// The values of [`PROJECT_DATA`].
fn project_data(d: &ProjectData) -> [Value; 12] {
    args![
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
        d.participation.clone()
    ]
}

/// A new project's columns, its id assigned by the database.
static PROJECT_NEW: LazyLock<Columns> = LazyLock::new(|| {
    concat(&[
        Columns(&["village_code"]),
        PROJECT_DATA,
        Columns(&[
            "stage",
            "workflow",
            "version",
            "created_by",
            "created_at",
            "updated_by",
            "updated_at",
        ]),
    ])
});

/// Insert one project (values of [`new_project`]), returning its id.
pub(crate) static INSERT_PROJECT: Sql =
    Sql::new(|| format!("{} RETURNING id", PROJECT_NEW.insert("projects")));

/// A new project's row for [`INSERT_PROJECT`], at version 0 (its first history row makes it 1).
pub(crate) fn new_project(
    d: &ProjectData,
    workflow: &ProjectWorkflow,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut v = Vec::with_capacity(PROJECT_NEW.len());
    v.extend(args![d.village_code.as_str()]);
    v.extend(project_data(d));
    v.extend(args![
        workflow.step().as_str(),
        to_json(workflow),
        0i32,
        actor,
        now,
        actor,
        now
    ]);
    v
}

/// Replace a project's fields (values of [`project_update`]).
pub(crate) static UPDATE_PROJECT: Sql = Sql::new(|| {
    format!(
        "UPDATE projects SET {} WHERE id = ${}",
        PROJECT_DATA.set(1),
        PROJECT_DATA.len() + 1
    )
});

/// The values of [`UPDATE_PROJECT`].
pub(crate) fn project_update(d: &ProjectData, id: ProjectId) -> Vec<Value> {
    let mut v = Vec::with_capacity(PROJECT_DATA.len() + 1);
    v.extend(project_data(d));
    v.extend(args![id.0]);
    v
}

// ---- beneficiaries, progress, history ----

/// The columns of a [`Beneficiary`] from `project_beneficiaries`.
pub(crate) const BENEFICIARY_COLS: Select<Beneficiary> = Select::new();

impl Record for Beneficiary {
    fn columns() -> Columns {
        Columns(&["household_id", "mode"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Beneficiary {
            household_id: HouseholdId(c.i64()?),
            mode: BenefitMode::parse(&c.text()?).ok_or_else(DomainError::internal)?,
        })
    }
}

/// Add a beneficiary to a project (values of [`beneficiary_values`]).
pub(crate) static INSERT_BENEFICIARY: Sql = Sql::new(|| {
    concat(&[Columns(&["project_id"]), Beneficiary::columns()]).insert("project_beneficiaries")
});

/// A row for [`INSERT_BENEFICIARY`].
pub(crate) fn beneficiary_values(id: ProjectId, b: &Beneficiary) -> Vec<Value> {
    Vec::from(args![id.0, b.household_id.0, b.mode.as_str()])
}

/// The columns of a [`Progress`] report from `project_progress`.
pub(crate) const PROGRESS_COLS: Select<Progress> = Select::new();

impl Record for Progress {
    fn columns() -> Columns {
        Columns(&["month", "percent", "spent_fen", "note", "actor"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Progress {
            month: c.date()?,
            percent: c.i32()?,
            spent_fen: c.i64()?,
            note: c.opt_text()?,
            actor: c.text()?,
        })
    }
}

/// Record a monthly progress report (values of [`progress_values`]).
pub(crate) static INSERT_PROGRESS: Sql = Sql::new(|| {
    concat(&[
        Columns(&["project_id"]),
        Progress::columns(),
        Columns(&["recorded_at"]),
    ])
    .insert("project_progress")
});

/// A row for [`INSERT_PROGRESS`].
pub(crate) fn progress_values(id: ProjectId, p: &Progress, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        id.0,
        p.month,
        p.percent,
        p.spent_fen,
        p.note.clone(),
        p.actor.as_str(),
        now
    ])
}

/// The columns of a [`ProjectVersion`] from `project_history`.
pub(crate) const VERSION_COLS: Select<ProjectVersion> = Select::new();

impl Record for ProjectVersion {
    fn columns() -> Columns {
        Columns(&["version", "action", "data", "actor", "recorded_at"])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(ProjectVersion {
            version: c.i32()?,
            action: c.text()?,
            data: c.json()?,
            actor: c.text()?,
            recorded_at: c.time()?,
        })
    }
}

/// Append a version to a project's history (values of [`version_values`]).
pub(crate) static INSERT_VERSION: Sql = Sql::new(|| {
    concat(&[Columns(&["project_id"]), ProjectVersion::columns()]).insert("project_history")
});

/// A history row for [`INSERT_VERSION`]: the project as it is after the change.
pub(crate) fn version_values(
    after: &ProjectDetail,
    action: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        after.project.id.0,
        after.project.version,
        action,
        to_json(after),
        actor,
        now
    ])
}

// ---- funds ----

/// The columns of a [`FundSource`] from `fund_sources`.
pub(crate) const SOURCE_COLS: Select<FundSource> = Select::new();

/// A fund source's columns after its id.
const SOURCE_NEW: Columns = Columns(&[
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
]);

impl Record for FundSource {
    fn columns() -> Columns {
        static C: LazyLock<Columns> = LazyLock::new(|| concat(&[Columns(&["id"]), SOURCE_NEW]));
        *C
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        let id = SourceId(c.i64()?);
        let region_code = RegionCode::parse(&c.text()?)?;
        let year = c.i32()?;
        let kind = SourceKind::parse(&c.text()?).ok_or_else(DomainError::internal)?;
        Ok(FundSource {
            id,
            data: FundSourceData {
                region_code,
                year,
                kind,
                name: c.text()?,
                document: c.opt_text()?,
                amount_fen: c.i64()?,
                date: c.date()?,
            },
            kind_label: kind.label().to_string(),
            allocated_fen: c.i64()?,
            created_by: c.text()?,
            created_at: c.time()?,
        })
    }
}

/// Insert one fund source (values of [`new_source`]), returning its id.
pub(crate) static INSERT_SOURCE: Sql =
    Sql::new(|| format!("{} RETURNING id", SOURCE_NEW.insert("fund_sources")));

/// A new fund source's row for [`INSERT_SOURCE`], nothing allocated yet.
pub(crate) fn new_source(d: &FundSourceData, actor: &str, now: OffsetDateTime) -> Vec<Value> {
    Vec::from(args![
        d.region_code.as_str(),
        d.year,
        d.kind.as_str(),
        d.name.as_str(),
        d.document.clone(),
        d.amount_fen,
        d.date,
        0i64,
        actor,
        now
    ])
}

/// Allocations with their source and project.
pub(crate) const ALLOCATION_FROM: &str =
    "fund_allocations a JOIN fund_sources s ON s.id = a.source_id JOIN projects p ON p.id = a.project_id";

/// The columns of an [`Allocation`] from [`ALLOCATION_FROM`].
pub(crate) const ALLOCATION_COLS: Select<Allocation> = Select::new();

impl Record for Allocation {
    fn columns() -> Columns {
        Columns(&[
            "a.id",
            "a.source_id",
            "s.name",
            "s.kind",
            "a.project_id",
            "p.name",
            "a.village_code",
            "a.amount_fen",
            "a.received_fen",
            "a.disbursed_fen",
            "a.date",
            "a.document",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Allocation {
            id: AllocationId(c.i64()?),
            source_id: SourceId(c.i64()?),
            source_name: c.text()?,
            source_kind: SourceKind::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            project_id: ProjectId(c.i64()?),
            project_name: c.text()?,
            village_code: RegionCode::parse(&c.text()?)?,
            amount_fen: c.i64()?,
            received_fen: c.i64()?,
            disbursed_fen: c.i64()?,
            date: c.date()?,
            document: c.opt_text()?,
        })
    }
}

/// Insert one allocation (values of [`new_allocation`]), returning its id.
pub(crate) static INSERT_ALLOCATION: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
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
        ])
        .insert("fund_allocations")
    )
});

/// A new allocation's row for [`INSERT_ALLOCATION`], nothing received or disbursed yet.
pub(crate) fn new_allocation(
    source: SourceId,
    project: &Project,
    amount_fen: i64,
    date: Date,
    document: Option<String>,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        source.0,
        project.id.0,
        project.data.village_code.as_str(),
        amount_fen,
        0i64,
        0i64,
        date,
        document,
        actor,
        now
    ])
}

/// The columns of a [`Movement`] from `fund_movements`.
pub(crate) const MOVEMENT_COLS: Select<Movement> = Select::new();

impl Record for Movement {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "allocation_id",
            "kind",
            "amount_fen",
            "date",
            "payee",
            "household_id",
            "voucher",
            "text",
            "actor",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Movement {
            id: c.i64()?,
            allocation_id: AllocationId(c.i64()?),
            kind: c.text()?,
            amount_fen: c.i64()?,
            date: c.date()?,
            payee: c.opt_text()?,
            household_id: c.opt_i64()?.map(HouseholdId),
            voucher: c.opt_text()?,
            text: c.opt_text()?,
            actor: c.text()?,
        })
    }
}

/// Insert one receipt or disbursement (values of [`new_movement`]), returning its id.
pub(crate) static INSERT_MOVEMENT: Sql = Sql::new(|| {
    format!(
        "{} RETURNING id",
        Columns(&[
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
        ])
        .insert("fund_movements")
    )
});

/// A movement's row for [`INSERT_MOVEMENT`].
pub(crate) fn new_movement(
    allocation: AllocationId,
    project: &Project,
    kind: &str,
    c: &CheckedPayment,
    actor: &str,
    now: OffsetDateTime,
) -> Vec<Value> {
    Vec::from(args![
        allocation.0,
        project.id.0,
        project.data.village_code.as_str(),
        kind,
        c.amount_fen,
        c.date,
        c.payee.clone(),
        c.household_id.map(|h| h.0),
        c.voucher.clone(),
        c.text.clone(),
        actor,
        now
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_statements_list_their_columns() {
        assert_eq!(
            INSERT_PROJECT.as_str(),
            "INSERT INTO projects (village_code, name, category, sub_category, year, planned_start, planned_end, \
             responsible_unit, responsible_person, content, budget_fen, targets, participation, stage, workflow, \
             version, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id"
        );
        assert_eq!(
            UPDATE_PROJECT.as_str(),
            "UPDATE projects SET name = $1, category = $2, sub_category = $3, year = $4, planned_start = $5, \
             planned_end = $6, responsible_unit = $7, responsible_person = $8, content = $9, budget_fen = $10, \
             targets = $11, participation = $12 WHERE id = $13"
        );
        assert_eq!(
            INSERT_SOURCE.as_str(),
            "INSERT INTO fund_sources (region_code, year, kind, name, document, amount_fen, date, allocated_fen, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        );
        assert_eq!(
            INSERT_PROGRESS.as_str(),
            "INSERT INTO project_progress (project_id, month, percent, spent_fen, note, actor, recorded_at) VALUES \
             ($1, $2, $3, $4, $5, $6, $7)"
        );
    }
}
