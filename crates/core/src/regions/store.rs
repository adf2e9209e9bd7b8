//! What the regions area asks of persistence: regions, poor-village flags and village profiles.

use crate::regions::{
    Division, PoorVillage, Region, RegionCode, RegionRecord, RegionWithPath, VillageProfile,
    VillageProfileInput,
};
use crate::scope::Ctx;
use crate::store::{RowError, StoreResult};
use async_trait::async_trait;
use serde::Serialize;

/// What a region import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionImportSummary {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows of the file by the level they are listed at (a stand-in row at its own level).
    pub levels: crate::regions::LevelCounts,
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
    /// How many regions lie at each level within `code` (everything when `None`) and the caller's
    /// scope, a region counted at every level it stands for (`Region::lowest_level`).
    async fn region_level_counts(
        &self,
        ctx: &Ctx,
        code: Option<&RegionCode>,
    ) -> StoreResult<crate::regions::LevelCounts>;
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
    /// The national division list down to the county (`Division::DEEPEST`), read without a scope:
    /// the children of `parent` (the provinces when `None`), by code; none below a county.
    async fn division_children(&self, parent: Option<&RegionCode>) -> StoreResult<Vec<Division>>;
    /// Divisions down to the county whose name contains `text`, or whose code starts with it when
    /// it is all digits, by code, at most `limit`; read without a scope.
    async fn search_divisions(&self, text: &str, limit: u32) -> StoreResult<Vec<Division>>;
    /// The division of a code at any level, when the list holds it; read without a scope (whether a
    /// code exists is what a form asks before it takes a place outside the caller's regions).
    async fn division(&self, code: &RegionCode) -> StoreResult<Option<Division>>;
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
}

/// A village profile year to insert or replace.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkProfile {
    pub before: Option<VillageProfile>,
    pub after: VillageProfile,
}

/// The regions' part of a bulk import session (see `store::BulkSession`).
#[async_trait]
pub trait RegionBulk: Send {
    /// Villages the caller may write to (all villages for a caller of full scope).
    async fn villages(&mut self) -> StoreResult<Vec<RegionCode>>;
    /// Of these region codes, those that exist.
    async fn known_regions(&mut self, codes: &[RegionCode]) -> StoreResult<Vec<RegionCode>>;
    /// Stored profiles among these (village, year) keys.
    async fn profiles(&mut self, keys: &[(RegionCode, i32)]) -> StoreResult<Vec<VillageProfile>>;
    async fn put_profiles(&mut self, items: Vec<BulkProfile>) -> StoreResult<()>;
}
