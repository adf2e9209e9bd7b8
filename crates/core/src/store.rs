//! The `Store` seam: what the rest of fupin asks of persistence. `db-sqlite` and `db-postgres`
//! implement it; handlers and the CLI hold it as `Arc<dyn Store>`.
//!
//! Every method takes a `Ctx` and filters by its scope. Every write validates its input with the
//! rules in this crate, runs in one transaction, and keeps the statistics aggregates in step.
//!
//! Each area declares what it asks of persistence in its own `store.rs` (`regions::store`,
//! `registry::store` …); this module composes them into [`Store`] and re-exports every area trait,
//! so `fupin_core::store::RegistryStore` names the same trait as `fupin_core::registry::store::…`.

use crate::error::DomainError;
use crate::pairing::{
    Cadre, CadreId, HelpingUnit, Pairing, PairingId, PairingLimits, Visit, VisitData, VisitId,
};
use crate::regions::{Region, RegionCode, VillageProfile};
use crate::registry::HouseholdId;
use crate::scope::Ctx;
use async_trait::async_trait;
use serde::Serialize;

pub use crate::accounts::store::*;
pub use crate::assessment::store::*;
pub use crate::audit::store::*;
pub use crate::pairing::store::*;
pub use crate::regions::store::*;
pub use crate::registry::store::*;
pub use crate::reports::store::*;

/// Result of a store call. Backend failures come back as `ErrorKind::Internal` with a generic
/// message; their causes are logged by the backend (never with personal data).
pub type StoreResult<T> = Result<T, DomainError>;

/// One rejected row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line of the source (the header is line 1).
    pub line: u64,
    #[serde(flatten)]
    pub error: DomainError,
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
