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

/// A registered person as a department's list names them, by ID number: an active member, in
/// whatever region (the importer reports those outside the caller's regions row by row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPerson {
    /// The full ID number as stored.
    pub id_number: String,
    pub person_id: crate::registry::PersonId,
    pub name: String,
    pub birth_date: time::Date,
    pub household_id: HouseholdId,
    pub village_code: RegionCode,
}

/// A measure to insert (`before` is `None`; its id is assigned on insert, origin `imported`) or to
/// replace (a new version in its history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMeasure {
    pub village: RegionCode,
    pub before: Option<Measure>,
    pub after: crate::measures::MeasureData,
}

/// The measures' part of a bulk import session (department lists by ID number).
#[async_trait]
pub trait MeasureBulk: Send {
    /// The active members among these (normalised, 18-character) ID numbers, in any region.
    async fn persons_by_id_number(&mut self, ids: &[String]) -> StoreResult<Vec<ListedPerson>>;
    /// Every measure of these persons of these kinds that was stored before the session wrote a
    /// measure of its kind. What the session itself wrote is never among them: a list names a
    /// person's record (kind and start date) once, so no later row can find it. A kind of which
    /// nothing was stored is therefore not looked up at all (the session asks once per kind).
    async fn measures_of_persons(
        &mut self,
        persons: &[crate::registry::PersonId],
        kinds: &[&str],
    ) -> StoreResult<Vec<Measure>>;
    /// Insert or replace measures: history, the services report's aggregates and an audit record
    /// per measure, in the session's transaction.
    async fn put_measures(&mut self, items: Vec<BulkMeasure>) -> StoreResult<()>;
}
