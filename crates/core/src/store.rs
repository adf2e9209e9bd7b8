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
    HelpingUnitInput, Pairing, PairingId, PairingInput, PairingReport, PhotoRef, TeamMember,
    TeamMemberInput, UnitId, Visit, VisitId, VisitInput, Wish, WishAction, WishId, WishInput,
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

/// Everything a backend provides.
#[async_trait]
pub trait Store:
    RegionStore + RegistryStore + StatsStore + AccountStore + AuditStore + PairingStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}
