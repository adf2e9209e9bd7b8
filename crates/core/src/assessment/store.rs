//! What assessment asks of persistence: standards, exit and monitoring procedures, the
//! early-warning list, incidence and poverty measures.

use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

/// Standards, exit and monitoring procedures, the early-warning list, incidence and poverty measures.
#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// Every parameter row (the shipped defaults and the deployment's own).
    async fn parameters(&self, ctx: &Ctx) -> StoreResult<Vec<crate::assessment::Parameter>>;
    /// Add or replace a parameter row (audited). Nationwide rows need nationwide scope.
    async fn put_parameter(
        &self,
        ctx: &Ctx,
        p: crate::assessment::ParameterInput,
    ) -> StoreResult<crate::assessment::Parameter>;
    /// Record what verification found for a household and year; the household is screened again.
    async fn put_household_year(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
        input: crate::assessment::HouseholdYearInput,
    ) -> StoreResult<()>;
    /// Record a risk event; the household is screened again.
    async fn record_risk_event(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        e: crate::assessment::RiskEventInput,
    ) -> StoreResult<crate::assessment::RiskEventRecord>;
    async fn risk_events(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<crate::assessment::RiskEventRecord>>;
    /// Mark a risk event resolved on a date.
    async fn resolve_risk_event(
        &self,
        ctx: &Ctx,
        id: i64,
        on: time::Date,
    ) -> StoreResult<crate::assessment::RiskEventRecord>;
    /// The exit assessment of a household for a year, from the registry.
    async fn exit_assessment(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
    ) -> StoreResult<crate::assessment::ExitAssessmentReport>;
    /// Open a procedure case (exit for `year`; identification or elimination from `date`).
    async fn start_case(
        &self,
        ctx: &Ctx,
        kind: crate::assessment::ProcedureKind,
        household: HouseholdId,
        year: i32,
        date: time::Date,
    ) -> StoreResult<crate::assessment::ProcedureCase>;
    /// Apply an action; finishing sets the household's status (exited, monitored, risk eliminated).
    async fn case_action(
        &self,
        ctx: &Ctx,
        id: i64,
        action: crate::assessment::CaseActionInput,
    ) -> StoreResult<crate::assessment::ProcedureCase>;
    async fn case(&self, ctx: &Ctx, id: i64) -> StoreResult<crate::assessment::ProcedureCase>;
    async fn household_cases(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<crate::assessment::ProcedureCase>>;
    /// A region's cases (those of its villages' households) in (village, id) order, a page after
    /// `page.after` (`VILLAGE_ID`).
    async fn region_cases(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: crate::assessment::CaseFilter,
        page: &crate::paging::Keyset,
    ) -> StoreResult<crate::paging::Listing<crate::assessment::ProcedureCase>>;
    /// Poverty incidence of a region for a year against its exit threshold.
    async fn incidence(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<crate::assessment::IncidenceReport>;
    /// Screen every household of a region for a year now, refresh the list and return it.
    async fn screen_region(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<Vec<crate::assessment::WarningRow>>;
    /// The early-warning list as kept by the writes, in (village, household id) order, a page
    /// after `page.after` (`VILLAGE_ID`).
    async fn early_warnings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        page: &crate::paging::Keyset,
    ) -> StoreResult<crate::paging::Listing<crate::assessment::WarningRow>>;
    /// Poverty measures of a region for a year, at the standard line or the query's, with the
    /// query's counting configuration and k.
    async fn measures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        query: &crate::assessment::MeasuresQuery,
    ) -> StoreResult<crate::assessment::MeasuresReport>;
}

/// A household-year of verification facts to insert (`before` is `None`) or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkHouseholdYear {
    pub village: RegionCode,
    pub household_id: HouseholdId,
    pub year: i32,
    pub before: Option<crate::assessment::HouseholdYearInput>,
    pub after: crate::assessment::HouseholdYearInput,
}

/// A risk event to insert (`before` is `None`; the id of `after` is assigned on insert), or a
/// stored one whose resolution date a file records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRiskEvent {
    pub village: RegionCode,
    pub before: Option<crate::assessment::RiskEventRecord>,
    pub after: crate::assessment::RiskEventRecord,
}

/// A procedure case to insert (`id` is `None`) or to replace, with its state as core's workflow
/// left it (the status change of a finished case goes through the registry's part of the session).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkCase {
    pub id: Option<i64>,
    pub village: RegionCode,
    pub household_id: HouseholdId,
    pub kind: crate::assessment::ProcedureKind,
    pub year: i32,
    /// The step reached (its English name) and whether that is the end.
    pub step: String,
    pub finished: bool,
    pub state: serde_json::Value,
}

/// The assessment's part of a bulk import session (see `store::BulkSession`): what imports of
/// household-year facts, risk events and procedure cases compare with, and their writes (audited,
/// one record each).
#[async_trait]
pub trait AssessmentBulk: Send {
    /// Every parameter row in force (as the store resolves them).
    async fn assessment_parameters(&mut self) -> StoreResult<Vec<crate::assessment::Parameter>>;
    /// The verification facts of these households, every year: (household, year, facts).
    async fn household_years_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(HouseholdId, i32, crate::assessment::HouseholdYearInput)>>;
    /// Every risk event of these households.
    async fn risk_events_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<crate::assessment::RiskEventRecord>>;
    /// Every procedure case of these households, with its state.
    async fn cases_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<crate::assessment::ProcedureCase>>;
    async fn put_household_years(&mut self, items: Vec<BulkHouseholdYear>) -> StoreResult<()>;
    async fn put_risk_events(&mut self, items: Vec<BulkRiskEvent>) -> StoreResult<()>;
    async fn put_cases(&mut self, items: Vec<BulkCase>) -> StoreResult<()>;
}
