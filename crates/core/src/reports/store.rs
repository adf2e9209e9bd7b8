//! What the statistics ask of persistence: region figures from the maintained aggregates.

use crate::regions::RegionCode;
use crate::reports::summary::{Snapshot, SnapshotInfo, Summary};
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

    /// Freeze a work summary of a region in the caller's scope (audited).
    async fn save_snapshot(
        &self,
        ctx: &Ctx,
        summary: &Summary,
        unit: Option<&str>,
    ) -> StoreResult<Snapshot>;
    /// A frozen summary, if its region is in the caller's scope.
    async fn snapshot(&self, ctx: &Ctx, id: i64) -> StoreResult<Snapshot>;
    /// The frozen summaries of a region and the regions below it, newest first.
    async fn snapshots(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<SnapshotInfo>>;
}
