//! What workplaces (workshops and posts, with their hires) and service events ask of persistence.

use crate::measures::{
    Event, EventDetail, EventId, EventInput, EventKind, Hire, HireId, HireInput, Workplace,
    WorkplaceDetail, WorkplaceId, WorkplaceInput, WorkplaceKind,
};
use crate::regions::RegionCode;
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A page of a region's workplaces, in id order after `after`.
#[derive(Debug, Clone, Default)]
pub struct WorkplaceFilter {
    pub kind: Option<WorkplaceKind>,
    pub after: Option<WorkplaceId>,
    pub limit: u32,
}

/// A page of a region's events (held in the region or below), in id order after `after`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<EventKind>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub after: Option<EventId>,
    pub limit: u32,
}

/// One version of a workplace, a hire or an event, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceVersion {
    /// `workplace`, `hire` or `event`.
    pub entity: String,
    pub entity_id: i64,
    pub version: i32,
    /// `create` or `update`.
    pub action: String,
    pub data: serde_json::Value,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// Workplaces, hires and events. A workplace and an event belong to the region they are in (an
/// office of that region records them; readers of the region see them); a hire also needs the
/// labourer's household within the caller's regions, and an event's linked persons theirs.
#[async_trait]
pub trait ServiceStore: Send + Sync {
    async fn create_workplace(&self, ctx: &Ctx, w: WorkplaceInput) -> StoreResult<Workplace>;
    /// Change a workplace (its kind and village stay).
    async fn update_workplace(
        &self,
        ctx: &Ctx,
        id: WorkplaceId,
        w: WorkplaceInput,
    ) -> StoreResult<Workplace>;
    /// A workplace with its hires (those of households the caller reaches).
    async fn workplace(&self, ctx: &Ctx, id: WorkplaceId) -> StoreResult<WorkplaceDetail>;
    async fn workplaces(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &WorkplaceFilter,
    ) -> StoreResult<Vec<Workplace>>;
    /// Hire a registered labourer.
    async fn create_hire(&self, ctx: &Ctx, at: WorkplaceId, h: HireInput) -> StoreResult<Hire>;
    /// Register workplaces with their hires in one transaction, all or nothing (a region's
    /// roster loaded at once); an error's field is prefixed with the item, as `[3].hires[0].person_id`.
    /// Returns how many workplaces and hires were recorded.
    async fn register_workplaces(
        &self,
        ctx: &Ctx,
        items: Vec<(WorkplaceInput, Vec<HireInput>)>,
    ) -> StoreResult<(u64, u64)>;
    /// Change a hire (its labourer stays), e.g. to record the day they left.
    async fn update_hire(&self, ctx: &Ctx, id: HireId, h: HireInput) -> StoreResult<Hire>;
    /// The versions of a workplace and of its hires.
    async fn workplace_history(
        &self,
        ctx: &Ctx,
        id: WorkplaceId,
    ) -> StoreResult<Vec<ServiceVersion>>;
    async fn create_event(&self, ctx: &Ctx, e: EventInput) -> StoreResult<EventDetail>;
    /// Change an event (its region stays).
    async fn update_event(&self, ctx: &Ctx, id: EventId, e: EventInput)
        -> StoreResult<EventDetail>;
    async fn event(&self, ctx: &Ctx, id: EventId) -> StoreResult<EventDetail>;
    async fn events(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &EventFilter,
    ) -> StoreResult<Vec<Event>>;
    async fn event_history(&self, ctx: &Ctx, id: EventId) -> StoreResult<Vec<ServiceVersion>>;
}
