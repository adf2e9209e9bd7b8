//! What the projects area asks of persistence: the project library with its lifecycle and
//! progress, fund sources, allocations, receipts and disbursements.

use crate::projects::*;
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;
use time::Date;

/// A project with its lifecycle (the workflow's state, history included).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    pub workflow: ProjectWorkflow,
    pub progress: Vec<Progress>,
}

/// Projects, reached by their village: reads and writes within the caller's regions (an office's).
#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// Enter a village's proposal; its lifecycle starts on the day proposed. History and audit in
    /// the same transaction.
    async fn create_project(&self, ctx: &Ctx, p: ProjectInput) -> StoreResult<ProjectDetail>;
    /// Change a project while it is a proposal (new or sent back); its village stays.
    async fn update_project(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        p: ProjectInput,
    ) -> StoreResult<ProjectDetail>;
    async fn project(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<ProjectDetail>;
    /// The projects of a region (and below), by year, category, stage or overdue, village then id,
    /// a page after `page.after` (`VILLAGE_ID`).
    async fn projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: ProjectFilter,
        page: &crate::paging::Keyset,
    ) -> StoreResult<crate::paging::Listing<Project>>;
    /// Apply a lifecycle action on `date`.
    async fn project_action(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        action: ProjectAction,
        date: Date,
    ) -> StoreResult<ProjectDetail>;
    /// Report a month's progress during implementation.
    async fn project_progress(
        &self,
        ctx: &Ctx,
        id: ProjectId,
        p: ProgressInput,
    ) -> StoreResult<ProjectDetail>;
    /// The versions of a project, oldest first.
    async fn project_history(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<Vec<ProjectVersion>>;
    /// Projects of a region past their planned end on `on` and not yet accepted (验收): what the
    /// rectification rules read.
    async fn overdue_projects(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        on: Date,
    ) -> StoreResult<Vec<Project>>;

    /// Record a fund source of a region.
    async fn create_fund_source(&self, ctx: &Ctx, s: FundSourceInput) -> StoreResult<FundSource>;
    /// The fund sources held by a region and the regions below it, in the caller's scope.
    async fn fund_sources(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
    ) -> StoreResult<Vec<FundSource>>;
    /// Allocate part of a source to a project; refused beyond the source's amount.
    async fn allocate(&self, ctx: &Ctx, a: AllocationInput) -> StoreResult<Allocation>;
    /// Record money of an allocation arriving; refused beyond the allocation.
    async fn receive(
        &self,
        ctx: &Ctx,
        allocation: AllocationId,
        r: ReceiptInput,
    ) -> StoreResult<Allocation>;
    /// Pay out of an allocation; refused beyond what was received, and outside the project's
    /// funded stages.
    async fn disburse(
        &self,
        ctx: &Ctx,
        allocation: AllocationId,
        d: DisbursementInput,
    ) -> StoreResult<Allocation>;
    /// A project's allocations, receipts and disbursements.
    async fn project_funds(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<ProjectFunds>;
    /// The funds report of a region for whole years (`from` a 1 January, `to` a 31 December),
    /// from the figures kept with every write; overdue as of today.
    async fn funds_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport>;
    /// The same report computed from the rows of sources, allocations, movements, projects,
    /// assets, incomes and dividends: what the kept figures are checked against.
    async fn recompute_funds_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<FundsReport>;
}

/// Assets, their income and dividends, cooperatives and enterprises, and what reached a household
/// (资金到户); reached through the village of the asset, cooperative or household.
#[async_trait]
pub trait AssetStore: Send + Sync {
    /// Register an asset; one coming from a project needs the project accepted (验收) and in the
    /// same village. The shareholders are households the caller reaches.
    async fn create_asset(&self, ctx: &Ctx, a: AssetInput) -> StoreResult<Asset>;
    async fn asset(&self, ctx: &Ctx, id: AssetId) -> StoreResult<Asset>;
    /// The assets of a region (and below), village then id.
    async fn assets(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Asset>>;
    /// The assets registered from a project.
    async fn project_assets(&self, ctx: &Ctx, project: ProjectId) -> StoreResult<Vec<Asset>>;
    /// Record a year's income of an asset and pay it: the collective's share added to the
    /// village's collective income of the year, each dividend to the household's property income
    /// (and its dividend part), with the region statistics, in one transaction. Once per year.
    async fn pay_asset_income(
        &self,
        ctx: &Ctx,
        id: AssetId,
        income: AssetIncomeInput,
    ) -> StoreResult<Asset>;
    /// Take back a year's paid income of an asset (recorded in error): each dividend out of the
    /// household's property income, the collective's share out of the village's collective
    /// income, the year's rows removed, the statistics and funds figures moved back exactly, in
    /// one transaction audited with the reason. The year may then be paid again.
    async fn reverse_asset_income(
        &self,
        ctx: &Ctx,
        id: AssetId,
        year: i32,
        reason: String,
    ) -> StoreResult<Asset>;
    async fn create_cooperative(&self, ctx: &Ctx, c: CooperativeInput) -> StoreResult<Cooperative>;
    async fn cooperative(&self, ctx: &Ctx, id: CooperativeId) -> StoreResult<Cooperative>;
    async fn cooperatives(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Cooperative>>;
    /// Every yuan that reached a household: disbursements with it as payee and dividends, with
    /// their projects and assets, oldest first, and the totals.
    async fn household_trace(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<HouseholdTrace>;
    /// Record that a notice was posted (from, to, where); the period lasts at least the notice
    /// days in force for the subject's village. A dividend notice names a year the asset paid.
    async fn record_notice(&self, ctx: &Ctx, n: NoticeInput) -> StoreResult<Notice>;
    /// The library and completion notices posted for a project.
    async fn project_notices(&self, ctx: &Ctx, id: ProjectId) -> StoreResult<Vec<Notice>>;
    /// The dividend notices posted for an asset.
    async fn asset_notices(&self, ctx: &Ctx, id: AssetId) -> StoreResult<Vec<Notice>>;
}

// ---- Bulk load -----------------------------------------------------------------------------------
// A province's projects, funds, assets and dividends loaded at once (a generated province, or the
// ledgers of a county moving in): rows checked by core's rules and by the loader against each
// other, written through the import session's fast path with ids reserved in blocks, and what the
// rows imply (the sums kept on sources, allocations and projects, the households' property income,
// the villages' collective income, the statistics and the funds figures) brought in step once at the
// end, set-based. Records refer to each other by their key in the load (1, 2, …), which the session
// maps to the ids it reserved.

/// How many records of each kind a load brings: their keys are 1..=n.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FundsLoadCounts {
    pub projects: u64,
    pub sources: u64,
    pub allocations: u64,
    pub assets: u64,
}

/// A project of a load: its checked data and its lifecycle replayed to the stage the ledger gives.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkProject {
    pub key: u64,
    pub data: ProjectData,
    pub workflow: ProjectWorkflow,
    /// The day acceptance (验收) was completed, when it was.
    pub accepted_on: Option<Date>,
}

/// A fund source of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkFundSource {
    pub key: u64,
    pub data: FundSourceData,
}

/// An allocation of a load: source and project by their keys; `village` the project's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkAllocation {
    pub key: u64,
    pub source: u64,
    pub project: u64,
    pub village: RegionCode,
    pub payment: CheckedPayment,
}

/// A receipt or disbursement of a load, on the allocation of that key; `village` the project's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMovement {
    pub allocation: u64,
    pub project: u64,
    pub village: RegionCode,
    pub disbursement: bool,
    pub payment: CheckedPayment,
}

/// An asset of a load (its shareholders come with its dividends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkAsset {
    pub key: u64,
    /// The project it came from, by key.
    pub project: Option<u64>,
    pub data: AssetData,
}

/// A year's income of an asset of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkAssetIncome {
    pub asset: u64,
    pub village: RegionCode,
    pub income: AssetIncomeInput,
}

/// A dividend of a load: the household a shareholder of the asset with these shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDividend {
    pub asset: u64,
    pub year: i32,
    pub household_id: HouseholdId,
    /// The household's village.
    pub village: RegionCode,
    pub shares: i64,
    pub amount_fen: i64,
    pub paid_on: Date,
    /// The household's first dividend from the asset in the load: its shareholding (with these
    /// shares) is written with it.
    pub first_of_holder: bool,
}

/// A household as a load refers to it: by its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRef {
    pub household_number: String,
    pub id: HouseholdId,
    pub village: RegionCode,
}

/// What settling a load brought in step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundsSettled {
    /// Household-years whose property income took dividends.
    pub incomes: u64,
    /// Village-years whose collective income took assets' incomes.
    pub profiles: u64,
}

/// The projects area's part of a bulk import session.
#[async_trait]
pub trait ProjectBulk: Send {
    /// Households by number, among those given (any region: the loader checks the scope).
    async fn household_refs(&mut self, numbers: &[String]) -> StoreResult<Vec<HouseholdRef>>;
    /// Reserve the ids of a load's records (keys 1..=n of each kind).
    async fn reserve_funds(&mut self, counts: FundsLoadCounts) -> StoreResult<()>;
    async fn put_projects(&mut self, items: Vec<BulkProject>) -> StoreResult<()>;
    async fn put_fund_sources(&mut self, items: Vec<BulkFundSource>) -> StoreResult<()>;
    async fn put_allocations(&mut self, items: Vec<BulkAllocation>) -> StoreResult<()>;
    async fn put_movements(&mut self, items: Vec<BulkMovement>) -> StoreResult<()>;
    async fn put_assets(&mut self, items: Vec<BulkAsset>) -> StoreResult<()>;
    async fn put_asset_incomes(&mut self, items: Vec<BulkAssetIncome>) -> StoreResult<()>;
    /// Dividends, and their households as the asset's shareholders.
    async fn put_dividends(&mut self, items: Vec<BulkDividend>) -> StoreResult<()>;
    // ---- offices' ledgers (项目库台账, 资金台账): each record through the single write's checks,
    // rows, figures, history and audit, in the session's transaction ----

    /// Stored projects of these villages with these names (any year), with their beneficiaries.
    async fn projects_named(&mut self, keys: &[(RegionCode, String)]) -> StoreResult<Vec<Project>>;
    /// Enter a ledger's project with its lifecycle (replayed to the ledger's stage).
    async fn ledger_project(
        &mut self,
        d: ProjectData,
        workflow: ProjectWorkflow,
    ) -> StoreResult<ProjectId>;
    /// Stored fund sources with these document numbers (文号), any region.
    async fn sources_by_document(&mut self, documents: &[String]) -> StoreResult<Vec<FundSource>>;
    /// Record a ledger's fund source.
    async fn ledger_source(&mut self, s: FundSourceInput) -> StoreResult<SourceId>;
    /// A project's allocations, receipts and disbursements as the session sees them.
    async fn ledger_project_funds(&mut self, id: ProjectId) -> StoreResult<ProjectFunds>;
    /// Allocate as a ledger's row says.
    async fn ledger_allocate(&mut self, a: AllocationInput) -> StoreResult<AllocationId>;
    /// A ledger's receipt or disbursement of an allocation.
    async fn ledger_move(
        &mut self,
        allocation: AllocationId,
        what: MoneyStep,
        payment: CheckedPayment,
    ) -> StoreResult<()>;

    /// Bring in step what the loaded rows imply: the sums on sources, allocations and projects
    /// (the fund invariants checked by the tables), dividends into the households' property income
    /// and the collective's share into the villages' collective income, then the registry
    /// statistics and the funds figures rebuilt; one audit record of the load.
    async fn settle_funds(&mut self) -> StoreResult<FundsSettled>;
}
