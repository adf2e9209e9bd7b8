//! The `Store` seam: what the rest of fupin asks of persistence. `db-sqlite` and `db-postgres`
//! implement it; handlers and the CLI hold it as `Arc<dyn Store>`.
//!
//! Every method takes a `Ctx` and filters by its scope. Every write validates its input with the
//! rules in this crate, runs in one transaction, and keeps the statistics aggregates in step.

use crate::accounts::{ApiToken, Grant, NewUser, SessionRecord, User, UserId};
use crate::audit::{AuditEntry, AuditRecord, BrokenLink};
use crate::codes::{CodeBook, CodeTable};
use crate::error::DomainError;
use crate::pairing::{
    Cadre, CadreId, CadreInput, Designation, DesignationInput, EndPairingInput, HelpingUnit,
    HelpingUnitInput, Pairing, PairingId, PairingInput, PairingLimits, PairingReport, PhotoRef,
    TeamMember, TeamMemberInput, UnitId, Visit, VisitData, VisitId, VisitInput, Wish, WishAction,
    WishId, WishInput,
};
use crate::regions::{
    PoorVillage, Region, RegionCode, RegionRecord, RegionWithPath, VillageProfile,
    VillageProfileInput,
};
use crate::registry::{
    Household, HouseholdDetail, HouseholdFilter, HouseholdId, HouseholdInput, IncomeInput,
    IncomeRecord, Member, MemberChangeInput, MemberInput, NewHousehold, Page, PersonId,
    StatusChangeInput,
};
use crate::reports::RegionStats;
use crate::scope::Ctx;
use async_trait::async_trait;
use serde::Serialize;
use std::sync::Arc;

/// Result of a store call. Backend failures come back as `ErrorKind::Internal` with a generic
/// message; their causes are logged by the backend (never with personal data).
pub type StoreResult<T> = Result<T, DomainError>;

/// What a region import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegionImportSummary {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// One rejected row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the source (the header is line 1).
    pub line: u64,
    #[serde(flatten)]
    pub error: DomainError,
}

/// Regions, poor-village flags and village profiles.
#[async_trait]
pub trait RegionStore: Send + Sync {
    /// Insert or update regions (by code). Every record is validated first (structure, and a parent
    /// that exists in the batch or the store); any bad record rejects the whole batch with every
    /// error listed, and nothing is written.
    async fn import_regions(
        &self,
        ctx: &Ctx,
        records: Vec<(u64, RegionRecord)>,
    ) -> Result<RegionImportSummary, Vec<RowError>>;
    /// A region with its full path.
    async fn region(&self, ctx: &Ctx, code: &RegionCode) -> StoreResult<RegionWithPath>;
    /// Children of a region (or the provinces when `None`), ordered by code.
    async fn region_children(
        &self,
        ctx: &Ctx,
        code: Option<&RegionCode>,
    ) -> StoreResult<Vec<Region>>;
    /// Regions whose name contains `name`, each with its full path, optionally within a region.
    async fn search_regions(
        &self,
        ctx: &Ctx,
        name: &str,
        within: Option<&RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<RegionWithPath>>;
    /// Set or clear a village's poor-village designation.
    async fn set_poor_village(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        designation: Option<PoorVillage>,
    ) -> StoreResult<RegionWithPath>;
    /// Record a village's figures for a year (replacing that year's figures).
    async fn put_village_profile(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
        input: VillageProfileInput,
    ) -> StoreResult<VillageProfile>;
    /// All recorded years of a village, oldest first.
    async fn village_profiles(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
    ) -> StoreResult<Vec<VillageProfile>>;
}

/// Households, members, status history and incomes.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// The code tables in force.
    async fn code_book(&self) -> StoreResult<Arc<CodeBook>>;
    /// Add or replace a version of a code table (a deployment's own codes).
    async fn put_code_table(&self, ctx: &Ctx, table: CodeTable) -> StoreResult<()>;
    async fn create_household(&self, ctx: &Ctx, new: NewHousehold) -> StoreResult<HouseholdDetail>;
    async fn update_household(
        &self,
        ctx: &Ctx,
        id: HouseholdId,
        input: HouseholdInput,
    ) -> StoreResult<HouseholdDetail>;
    async fn change_status(
        &self,
        ctx: &Ctx,
        id: HouseholdId,
        change: StatusChangeInput,
    ) -> StoreResult<HouseholdDetail>;
    async fn household(&self, ctx: &Ctx, id: HouseholdId) -> StoreResult<HouseholdDetail>;
    async fn household_by_number(&self, ctx: &Ctx, number: &str) -> StoreResult<HouseholdDetail>;
    async fn list_households(
        &self,
        ctx: &Ctx,
        filter: HouseholdFilter,
    ) -> StoreResult<Page<Household>>;
    async fn add_member(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        member: MemberInput,
    ) -> StoreResult<Member>;
    async fn update_member(
        &self,
        ctx: &Ctx,
        person: PersonId,
        member: MemberInput,
    ) -> StoreResult<Member>;
    async fn record_member_change(
        &self,
        ctx: &Ctx,
        person: PersonId,
        change: MemberChangeInput,
    ) -> StoreResult<Member>;
    async fn put_income(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
        income: IncomeInput,
    ) -> StoreResult<IncomeRecord>;
}

/// Region statistics from the maintained aggregates.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Statistics of a region (and everything below it) for a year, from the aggregates.
    async fn region_stats(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<RegionStats>;
    /// The same figures recomputed from the registry rows (slow; for checks and tests).
    async fn recompute_region_stats(
        &self,
        ctx: &Ctx,
        code: &RegionCode,
        year: i32,
    ) -> StoreResult<RegionStats>;
    /// Drop and rebuild all aggregates from the registry rows.
    async fn rebuild_aggregates(&self, ctx: &Ctx) -> StoreResult<()>;
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// From this UTC date (inclusive), `YYYY-MM-DD`.
    pub from: Option<time::Date>,
    /// To this UTC date (inclusive).
    pub to: Option<time::Date>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Accounts, grants, sessions and API tokens.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Create an account (audited). Usernames are unique.
    async fn create_user(&self, ctx: &Ctx, user: NewUser) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The account and its password hash, for logging in.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    /// Users holding a grant inside the caller's scope.
    async fn list_users(&self, ctx: &Ctx) -> StoreResult<Vec<User>>;
    async fn set_password(&self, ctx: &Ctx, id: UserId, password_hash: String) -> StoreResult<()>;
    /// Disable or enable an account; disabling ends its sessions and revokes its tokens.
    async fn set_disabled(&self, ctx: &Ctx, id: UserId, disabled: bool) -> StoreResult<()>;
    async fn grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User>;
    async fn revoke_grant(&self, ctx: &Ctx, id: UserId, grant: Grant) -> StoreResult<User>;

    async fn create_session(
        &self,
        user: UserId,
        id_hash: &str,
        csrf_token: &str,
    ) -> StoreResult<()>;
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id_hash: &str) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    async fn create_token(
        &self,
        ctx: &Ctx,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> StoreResult<ApiToken>;
    /// The user of a live (not revoked) token, marking it used.
    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<UserId>>;
    async fn list_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_token(&self, ctx: &Ctx, user: UserId, token_id: i64) -> StoreResult<()>;
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Append an event in a transaction of its own (logins, failed logins, unmasked reads …).
    async fn record_event(&self, ctx: &Ctx, record: AuditRecord) -> StoreResult<()>;
    /// Entries in the caller's scope, newest first.
    async fn audit_log(&self, ctx: &Ctx, filter: AuditFilter) -> StoreResult<Page<AuditEntry>>;
    /// Walk the whole chain: the number of entries when intact, or the first broken one.
    async fn verify_audit(&self) -> StoreResult<Result<u64, BrokenLink>>;
}

/// Helping units, cadres, work teams, pairings, visits and micro-wishes.
#[async_trait]
pub trait PairingStore: Send + Sync {
    async fn create_unit(&self, ctx: &Ctx, unit: HelpingUnitInput) -> StoreResult<HelpingUnit>;
    async fn list_units(&self, ctx: &Ctx) -> StoreResult<Vec<HelpingUnit>>;
    async fn add_designation(
        &self,
        ctx: &Ctx,
        unit: UnitId,
        d: DesignationInput,
    ) -> StoreResult<Designation>;
    /// Designations of villages in a region.
    async fn designations(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Designation>>;
    async fn create_cadre(&self, ctx: &Ctx, cadre: CadreInput) -> StoreResult<Cadre>;
    async fn update_cadre(&self, ctx: &Ctx, id: CadreId, cadre: CadreInput) -> StoreResult<Cadre>;
    async fn list_cadres(&self, ctx: &Ctx, unit: Option<UnitId>) -> StoreResult<Vec<Cadre>>;
    async fn add_team_member(&self, ctx: &Ctx, m: TeamMemberInput) -> StoreResult<TeamMember>;
    /// Work-team terms of villages in a region, with warnings checked by the report.
    async fn team_members(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<TeamMember>>;
    /// Pair a cadre with a household (limits checked as of the start date).
    async fn create_pairing(&self, ctx: &Ctx, p: PairingInput) -> StoreResult<Pairing>;
    /// End a pairing, optionally starting a replacement the next day; returns (ended, new).
    async fn end_pairing(
        &self,
        ctx: &Ctx,
        id: PairingId,
        end: EndPairingInput,
    ) -> StoreResult<(Pairing, Option<Pairing>)>;
    /// All pairings of a household, oldest first.
    async fn household_pairings(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<Pairing>>;
    /// Pairings of a cadre, oldest first.
    async fn cadre_pairings(&self, ctx: &Ctx, cadre: CadreId) -> StoreResult<Vec<Pairing>>;
    async fn record_visit(&self, ctx: &Ctx, v: VisitInput) -> StoreResult<Visit>;
    async fn visit(&self, ctx: &Ctx, id: VisitId) -> StoreResult<Visit>;
    async fn household_visits(&self, ctx: &Ctx, household: HouseholdId) -> StoreResult<Vec<Visit>>;
    /// Attach a photo (JPEG/PNG checked by content) to a visit.
    async fn add_visit_photo(
        &self,
        ctx: &Ctx,
        visit: VisitId,
        bytes: Vec<u8>,
    ) -> StoreResult<PhotoRef>;
    /// A photo's content type and bytes, if the caller may see its household.
    async fn photo(&self, ctx: &Ctx, id: i64) -> StoreResult<(String, Vec<u8>)>;
    async fn create_wish(&self, ctx: &Ctx, w: WishInput) -> StoreResult<Wish>;
    async fn wish_action(&self, ctx: &Ctx, id: WishId, action: WishAction) -> StoreResult<Wish>;
    async fn add_wish_evidence(
        &self,
        ctx: &Ctx,
        id: WishId,
        bytes: Vec<u8>,
    ) -> StoreResult<PhotoRef>;
    async fn household_wishes(&self, ctx: &Ctx, household: HouseholdId) -> StoreResult<Vec<Wish>>;
    /// Compliance and totals of a region over a period.
    async fn pairing_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: time::Date,
        to: time::Date,
    ) -> StoreResult<PairingReport>;
}

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
    /// The early-warning list as kept by the writes.
    async fn early_warnings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<Vec<crate::assessment::WarningRow>>;
    /// Poverty measures of a region for a year, at the standard line or `line_fen`.
    async fn measures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        line_fen: Option<i64>,
    ) -> StoreResult<crate::assessment::MeasuresReport>;
}

/// Everything a backend provides.
#[async_trait]
pub trait Store:
    RegionStore
    + RegistryStore
    + StatsStore
    + AccountStore
    + AuditStore
    + PairingStore
    + AssessmentStore
    + BulkStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

// ---- Bulk import and export ----------------------------------------------------------------------
// Appended for `fupin-io`: an import is driven by the io crate (parse, validate with core's rules,
// compare with what is stored) and written through one `BulkSession`, a single transaction that
// uses the backend's fast path. Export reads in keyset pages so that memory stays bounded.

/// A household as stored, handed to an importer for comparison. Personal data is in full: the
/// importer compares ID numbers and never shows them (error messages mask them).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHousehold {
    pub household: Household,
    /// Every member ever recorded, active or not.
    pub members: Vec<Member>,
    /// Date of the latest status change.
    pub last_status_date: Option<time::Date>,
    pub incomes: Vec<IncomeRecord>,
}

/// A validated household to create, with its members and initial status history.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkNewHousehold {
    pub data: crate::registry::HouseholdData,
    pub members: Vec<crate::registry::MemberData>,
    /// Status history, oldest first (`from` of the first entry is `None`); the last is current.
    pub history: Vec<crate::registry::StatusChange>,
}

/// Changes to an existing household, each already validated against its stored state.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkHouseholdUpdate {
    /// The household as stored before the change.
    pub before: Household,
    /// New household fields, when any changed.
    pub data: Option<crate::registry::HouseholdData>,
    /// A status change through the transition rules.
    pub status: Option<crate::registry::StatusChange>,
    /// Members to add (with their join, when given).
    pub new_members: Vec<crate::registry::MemberData>,
    /// Members whose fields changed: (as stored, new fields).
    pub changed_members: Vec<(Member, crate::registry::MemberData)>,
}

/// An income year to insert or replace.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkIncome {
    pub village: RegionCode,
    pub before: Option<IncomeRecord>,
    pub after: IncomeRecord,
}

/// A village profile year to insert or replace.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkProfile {
    pub before: Option<VillageProfile>,
    pub after: VillageProfile,
}

/// Households for an export page: household, every member, income years.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportHousehold {
    pub household: Household,
    pub members: Vec<Member>,
    pub incomes: Vec<IncomeRecord>,
}

/// A household found by its number, for the importers of pairings and visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdKey {
    pub id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
}

/// A cadre to create or update, already validated and matched against what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkCadre {
    /// The cadre as stored (unmasked) when it exists; its user link is kept.
    pub before: Option<Cadre>,
    /// The helping unit by name; created with `unit_level` when there is none of that name.
    pub unit_name: String,
    /// Code of `helping_unit_level`, for a unit to create.
    pub unit_level: Option<String>,
    pub name: String,
    pub rank: Option<String>,
    pub phone: Option<String>,
    /// The region of the office that manages the cadre.
    pub region_code: RegionCode,
}

/// A new household–cadre pairing, its limits already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPairing {
    pub household_id: HouseholdId,
    pub village: RegionCode,
    pub cadre_id: CadreId,
    pub start_date: time::Date,
}

/// A visit to insert, or to replace (`before`: id and fields as stored; photos and location stay).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkVisit {
    pub village: RegionCode,
    pub before: Option<(VisitId, VisitData)>,
    pub after: VisitData,
}

/// One transaction of a bulk import. Reads see the registry as of the session (and the session's
/// own writes); writes are applied at once with the backend's fast path; `finish` brings the
/// statistics aggregates in step, appends the summary audit record and commits, or rolls back.
/// Dropped without `finish`, it rolls back.
#[async_trait]
pub trait BulkSession: Send {
    /// Villages the caller may write to (all villages for a caller of full scope).
    async fn villages(&mut self) -> StoreResult<Vec<RegionCode>>;
    /// Number of households and of active persons in the whole registry.
    async fn registry_size(&mut self) -> StoreResult<(u64, u64)>;
    /// The stored households among these numbers (outside the caller's scope too: the importer
    /// reports those as out of scope, not as new).
    async fn households_by_number(
        &mut self,
        numbers: &[String],
    ) -> StoreResult<Vec<StoredHousehold>>;
    /// Of these ID numbers, those that are active members, with their household's number.
    async fn active_id_numbers(&mut self, ids: &[String]) -> StoreResult<Vec<(String, String)>>;
    /// Stored profiles among these (village, year) keys.
    async fn profiles(&mut self, keys: &[(RegionCode, i32)]) -> StoreResult<Vec<VillageProfile>>;
    /// Prepare for about `new_rows` new person rows: a large load into a small registry drops the
    /// secondary indexes it would otherwise update row by row, and rebuilds them in `finish`.
    async fn plan(&mut self, new_rows: u64) -> StoreResult<()>;
    async fn create_households(&mut self, items: Vec<BulkNewHousehold>) -> StoreResult<()>;
    async fn update_households(&mut self, items: Vec<BulkHouseholdUpdate>) -> StoreResult<()>;
    async fn put_incomes(&mut self, items: Vec<BulkIncome>) -> StoreResult<()>;
    async fn put_profiles(&mut self, items: Vec<BulkProfile>) -> StoreResult<()>;

    // ---- cadres, pairings and visits ----

    /// Every helping unit (a short list: units are organisations, not people).
    async fn units(&mut self) -> StoreResult<Vec<HelpingUnit>>;
    /// Cadres with one of these names, in any region (unmasked, for matching), limited to the
    /// units of these names unless `units` is empty.
    async fn cadres_named(&mut self, names: &[String], units: &[String])
        -> StoreResult<Vec<Cadre>>;
    /// The stored households among these numbers (outside the caller's scope too).
    async fn household_keys(&mut self, numbers: &[String]) -> StoreResult<Vec<HouseholdKey>>;
    /// Every pairing, ended or not, of these households or of these cadres.
    async fn pairings_of(
        &mut self,
        households: &[HouseholdId],
        cadres: &[CadreId],
    ) -> StoreResult<Vec<Pairing>>;
    /// Every visit of these households, with the cadres present.
    async fn visits_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(VisitId, VisitData)>>;
    /// The pairing limits in force for a village and year (parameters; defaults when unset).
    async fn pairing_limits(
        &mut self,
        village: &RegionCode,
        year: i32,
    ) -> StoreResult<PairingLimits>;
    /// Of these region codes, those that exist.
    async fn known_regions(&mut self, codes: &[RegionCode]) -> StoreResult<Vec<RegionCode>>;
    /// Create or update cadres, creating their helping units first where absent (audited).
    async fn put_cadres(&mut self, items: Vec<BulkCadre>) -> StoreResult<()>;
    /// Insert pairings (audited).
    async fn create_pairings(&mut self, items: Vec<BulkPairing>) -> StoreResult<()>;
    /// Insert or replace visits with their cadres (audited).
    async fn put_visits(&mut self, items: Vec<BulkVisit>) -> StoreResult<()>;
    /// Commit (with `summary` recorded as the import's audit event), or roll back when `commit`
    /// is false.
    async fn finish(self: Box<Self>, summary: serde_json::Value, commit: bool) -> StoreResult<()>;
}

/// Bulk import sessions and keyset-paged export reads.
#[async_trait]
pub trait BulkStore: Send + Sync {
    /// Open an import session: a write transaction, or a read-only one for a dry run.
    async fn bulk_session(&self, ctx: &Ctx, write: bool) -> StoreResult<Box<dyn BulkSession>>;
    /// Households of a region (and below) after `after` = (village code, id) in that order, with
    /// members and incomes; masked unless `ctx.unmask`.
    async fn export_households(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        limit: u32,
    ) -> StoreResult<Vec<ExportHousehold>>;
    /// Village profiles of a region (optionally one year) after `after` = (village, year).
    async fn export_profiles(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
        after: Option<(RegionCode, i32)>,
        limit: u32,
    ) -> StoreResult<Vec<VillageProfile>>;
    /// Regions of a region's subtree (itself included) after `after`, in code order.
    async fn export_regions(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<Region>>;
    /// Cadres managed within a region (and the caller's scope) after `after`, in id order; phones
    /// masked unless `ctx.unmask`.
    async fn export_cadres(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<CadreId>,
        limit: u32,
    ) -> StoreResult<Vec<Cadre>>;
    /// Pairings (ended ones too) of the households of a region after `after` = (village, id).
    async fn export_pairings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, PairingId)>,
        limit: u32,
    ) -> StoreResult<Vec<Pairing>>;
    /// Visits to the households of a region after `after` = (village, id), with the cadres present
    /// (photos are not listed).
    async fn export_visits(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, VisitId)>,
        limit: u32,
    ) -> StoreResult<Vec<Visit>>;
}
