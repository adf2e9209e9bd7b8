//! What the measures area asks of persistence: measure records of a household and its members,
//! with their history, and the services report.

use crate::measures::{Measure, MeasureId, MeasureInput, MeasureVersion, ServicesReport};
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;

/// Measure records. Reads reach what the caller's household scope reaches (a cadre: the households
/// paired with them); writes are an office's, in its regions.
#[async_trait]
pub trait MeasureStore: Send + Sync {
    /// Record a measure (origin `entered`); history and audit in the same transaction.
    async fn create_measure(&self, ctx: &Ctx, m: MeasureInput) -> StoreResult<Measure>;
    /// Change a measure (its household stays); a new version in its history.
    async fn update_measure(
        &self,
        ctx: &Ctx,
        id: MeasureId,
        m: MeasureInput,
    ) -> StoreResult<Measure>;
    async fn measure(&self, ctx: &Ctx, id: MeasureId) -> StoreResult<Measure>;
    /// Every measure of a household and its members, oldest start first.
    async fn household_measures(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<Measure>>;
    /// The versions of a measure, oldest first.
    async fn measure_history(&self, ctx: &Ctx, id: MeasureId) -> StoreResult<Vec<MeasureVersion>>;
    /// The services report of a region over whole months (`from` the first of a month, `to` the
    /// last day of one), from the aggregates kept with every write.
    async fn services_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: time::Date,
        to: time::Date,
    ) -> StoreResult<ServicesReport>;
}
