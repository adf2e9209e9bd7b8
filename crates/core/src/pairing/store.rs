//! What the pairing area asks of persistence: helping units, cadres, work teams, pairings, visits
//! and micro-wishes, and the rows a bulk import of cadres, pairings and visits writes.

use crate::paging::{Keyset, Listing};
use crate::pairing::{
    BelowMinimumLine, Cadre, CadreId, CadreInput, Designation, DesignationInput, EndPairingInput,
    HelpingUnit, HelpingUnitInput, HouseholdCompliance, HouseholdRef, Pairing, PairingFigures,
    PairingId, PairingInput, PairingLimits, PairingReport, PhotoRef, TeamMember, TeamMemberInput,
    UnitId, Visit, VisitData, VisitId, VisitInput, Wish, WishAction, WishId, WishInput,
};
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

/// Helping units, cadres, work teams, pairings, visits and micro-wishes.
#[async_trait]
pub trait PairingStore: Send + Sync {
    async fn create_unit(&self, ctx: &Ctx, unit: HelpingUnitInput) -> StoreResult<HelpingUnit>;
    /// Helping units in id order, a page after `page.after` (an id).
    async fn list_units(&self, ctx: &Ctx, page: &Keyset) -> StoreResult<Listing<HelpingUnit>>;
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
    /// Cadres the caller may pair or name, in id order, a page after `page.after` (an id).
    async fn list_cadres(
        &self,
        ctx: &Ctx,
        unit: Option<UnitId>,
        page: &Keyset,
    ) -> StoreResult<Listing<Cadre>>;
    /// The cadre whose record is linked to the user account `user`, if the caller may name it (one
    /// of [`list_cadres`](Self::list_cadres)): what a page asks to know whether the signed-in user
    /// records visits as a cadre, in one look-up by the account rather than a walk of the list.
    async fn cadre_of_user(&self, ctx: &Ctx, user: i64) -> StoreResult<Option<Cadre>>;
    /// The cadres of [`list_cadres`](Self::list_cadres) whose name starts with `name` (the whole
    /// name or its first characters), in id order: choosing one among more than a drop-down holds.
    async fn find_cadres(
        &self,
        ctx: &Ctx,
        name: &str,
        page: &Keyset,
    ) -> StoreResult<Listing<Cadre>>;
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
    /// Pairings of a household, oldest first (start date, id; the cursor `DATE_ID`).
    async fn household_pairings(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Pairing>>;
    /// Pairings of a cadre, oldest first (start date, id; the cursor `DATE_ID`).
    async fn cadre_pairings(
        &self,
        ctx: &Ctx,
        cadre: CadreId,
        page: &Keyset,
    ) -> StoreResult<Listing<Pairing>>;
    async fn record_visit(&self, ctx: &Ctx, v: VisitInput) -> StoreResult<Visit>;
    async fn visit(&self, ctx: &Ctx, id: VisitId) -> StoreResult<Visit>;
    /// Visits of a household, newest first (date, id; the cursor `DATE_ID`).
    async fn household_visits(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Visit>>;
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
    /// Micro-wishes of a household, oldest first (submitted on, id; the cursor `DATE_ID`).
    async fn household_wishes(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Wish>>;
    /// The visits a cadre owed and made on each household paired with them (and visible to the
    /// caller) from `from` to `to`, against the visit minimum of each household's village.
    async fn cadre_compliance(
        &self,
        ctx: &Ctx,
        cadre: CadreId,
        from: time::Date,
        to: time::Date,
    ) -> StoreResult<Vec<HouseholdCompliance>>;
    /// Compliance and totals of a region over a period.
    async fn pairing_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: time::Date,
        to: time::Date,
    ) -> StoreResult<PairingReport>;
    /// The pairing report of a calendar year from the maintained figures only (no per-cadre
    /// details), at any level: what the progress board shows.
    async fn pairing_year_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<PairingReport>;
    /// The helping units whose cadres had a pairing in the region in a calendar year (each once),
    /// from the maintained per-cadre figures.
    async fn pairing_units(&self, ctx: &Ctx, region: &RegionCode, year: i32) -> StoreResult<i64>;
    /// The helping units of [`PairingStore::pairing_units`] recomputed from the rows (for checks):
    /// the units of the cadres with a pairing-year in the region and year.
    async fn recompute_pairing_units(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<i64>;
    /// The maintained pairing figures of a region and calendar year recomputed from the rows (for
    /// checks): the year's figures, its distinct cadres, and the households without a cadre now.
    async fn recompute_pairing_figures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<(PairingFigures, i64, i64)>;
    /// The maintained pairing figures of a region and calendar year, as stored.
    async fn pairing_figures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<(PairingFigures, i64, i64)>;
    /// Rebuild every maintained pairing figure from the rows (nationwide administrators).
    async fn rebuild_pairing_figures(&self, ctx: &Ctx) -> StoreResult<()>;
    /// Households of a region whose status needs a cadre and that have no open pairing, after
    /// `after` = (village, household) in that order (backwards when `descending`).
    async fn households_without_cadre(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<HouseholdRef>>;
    /// Pairings of a region below the visit minimum in a calendar year, after `after` =
    /// (village, pairing) in that order (backwards when `descending`).
    async fn pairings_below_minimum(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        after: Option<(RegionCode, PairingId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<BelowMinimumLine>>;
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
    /// Last day and reason, for a pairing the file records as ended.
    pub end: Option<(time::Date, String)>,
}

/// The end of a stored pairing, as a file records it (checked against its start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPairingEnd {
    pub before: Pairing,
    pub end_date: time::Date,
    pub reason: String,
}

/// A wish to insert (`before` is `None`; its id is assigned on insert) or to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkWish {
    pub village: RegionCode,
    pub before: Option<Wish>,
    pub after: Wish,
}

/// A visit to insert, or to replace (`before`: id and fields as stored; photos and location stay).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkVisit {
    pub village: RegionCode,
    pub before: Option<(VisitId, VisitData)>,
    pub after: VisitData,
}

/// The pairing area's part of a bulk import session: cadres, pairings and visits (see
/// `store::BulkSession`).
#[async_trait]
pub trait PairingBulk: Send {
    /// Every helping unit (a short list: units are organisations, not people).
    async fn units(&mut self) -> StoreResult<Vec<HelpingUnit>>;
    /// Cadres with one of these names that the caller reaches (unmasked, for matching), limited to
    /// the units of these names unless `units` is empty: the cadres of their regions' offices and
    /// designated units, and when `naming` (visits, claims) also those paired with a household of
    /// their regions. A cadre out of reach is not returned, as if it did not exist.
    async fn cadres_named(
        &mut self,
        names: &[String],
        units: &[String],
        naming: bool,
    ) -> StoreResult<Vec<Cadre>>;
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
    /// Create or update cadres, creating their helping units first where absent (audited).
    async fn put_cadres(&mut self, items: Vec<BulkCadre>) -> StoreResult<()>;
    /// Insert pairings (audited).
    async fn create_pairings(&mut self, items: Vec<BulkPairing>) -> StoreResult<()>;
    /// End stored pairings (audited).
    async fn end_pairings(&mut self, items: Vec<BulkPairingEnd>) -> StoreResult<()>;
    /// Insert or replace visits with their cadres (audited).
    async fn put_visits(&mut self, items: Vec<BulkVisit>) -> StoreResult<()>;
    /// Every wish of these households.
    async fn wishes_of(&mut self, households: &[HouseholdId]) -> StoreResult<Vec<Wish>>;
    /// Insert or replace wishes (audited).
    async fn put_wishes(&mut self, items: Vec<BulkWish>) -> StoreResult<()>;
}
