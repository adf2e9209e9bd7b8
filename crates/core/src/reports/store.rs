//! What the statistics ask of persistence: region figures from the maintained aggregates.

use crate::regions::RegionCode;
use crate::reports::RegionStats;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

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
