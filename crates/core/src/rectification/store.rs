//! What the rectification area asks of persistence: problems and their trail, campaigns, the
//! rectification view of a region, the data-quality rules and their runs, and comparisons with
//! department lists.
//!
//! Everything is scoped by the problem's region: a caller reaches the problems of their regions
//! and below (a cadre none); a problem out of reach answers as one that does not exist.

use crate::rectification::*;
use crate::regions::RegionCode;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;
use time::Date;

#[async_trait]
pub trait RectificationStore: Send + Sync {
    /// Record a problem a person found; its first step (`create`) and audit in one transaction.
    async fn create_problem(&self, ctx: &Ctx, p: ProblemInput) -> StoreResult<Problem>;
    /// A problem with its whole trail.
    async fn problem(&self, ctx: &Ctx, id: ProblemId) -> StoreResult<ProblemDetail>;
    /// Problems in id order, filtered, a page at a time.
    async fn problems(&self, ctx: &Ctx, filter: &ProblemFilter) -> StoreResult<ProblemPage>;
    /// Take a step (progress, close-out request, sign-off, sending back, reopening).
    async fn problem_step(&self, ctx: &Ctx, id: ProblemId, step: StepInput)
        -> StoreResult<Problem>;
    /// Take a step whose note carries files (`(file name, bytes)`, checked by
    /// [`prepare_attachment`]): the step and its files in one transaction, or neither.
    async fn problem_step_with_files(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        step: StepInput,
        files: Vec<(String, Vec<u8>)>,
    ) -> StoreResult<Problem>;
    /// Attach a file to the note of step `seq` (a progress note or a close-out request) of a
    /// problem not yet signed off; only the note's author may. Audited.
    async fn add_problem_attachment(
        &self,
        ctx: &Ctx,
        id: ProblemId,
        seq: i32,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> StoreResult<AttachmentRef>;
    /// A file attached to a problem's trail, with its bytes (scoped like the problem).
    async fn problem_attachment(&self, ctx: &Ctx, id: i64)
        -> StoreResult<(AttachmentRef, Vec<u8>)>;
    async fn create_campaign(&self, ctx: &Ctx, c: CampaignInput) -> StoreResult<Campaign>;
    /// Campaigns whose region overlaps the caller's regions (and `region`, when given).
    async fn campaigns(&self, ctx: &Ctx, region: Option<&RegionCode>)
        -> StoreResult<Vec<Campaign>>;
    /// A campaign with its progress per region and responsible unit (within the caller's regions).
    async fn campaign(&self, ctx: &Ctx, id: CampaignId) -> StoreResult<CampaignDetail>;
    /// The rectification view of a region on `as_of`: per child region and responsible unit.
    async fn rectification_board(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        campaign: Option<CampaignId>,
        as_of: Date,
    ) -> StoreResult<RectificationBoard>;
    /// The data-quality rules as stored.
    async fn quality_rules(&self, ctx: &Ctx) -> StoreResult<Vec<QualityRule>>;
    /// Run every enabled rule over the caller's regions (within `region` when given) on `as_of`,
    /// reconcile the findings with the problems recorded, then escalate overdue problems.
    async fn run_checks(
        &self,
        ctx: &Ctx,
        region: Option<&RegionCode>,
        as_of: Date,
    ) -> StoreResult<CheckRun>;
    /// Compare a department's list with the active registered persons of the caller's regions and
    /// record what the matches flag (once per person and list kind).
    async fn compare_list(
        &self,
        ctx: &Ctx,
        kind: ListKind,
        list_name: &str,
        rows: Vec<DeptRow>,
        on: Date,
    ) -> StoreResult<ComparisonOutcome>;
}

/// The comparison's part of a bulk import session: a department's list is loaded row by row into
/// a scratch table of the session's transaction, then matched with the registry in one set-based
/// pass (a join on the ID number) and what the matches flag recorded, before the session commits.
#[async_trait]
pub trait RectificationBulk: Send {
    /// Add rows of the list (each with its line in the file), creating the scratch table at the
    /// first call.
    async fn compare_load(&mut self, rows: Vec<(u64, DeptRow)>) -> StoreResult<()>;
    /// Match the rows loaded with the active registered persons of the caller's regions, record
    /// what the matches of `kind` flag (once per person and list kind) and drop the scratch table.
    async fn compare_finish(
        &mut self,
        kind: ListKind,
        list_name: &str,
        on: Date,
    ) -> StoreResult<ComparisonOutcome>;
}
