//! What the registry area asks of persistence: households, members, status history and incomes,
//! and the rows a bulk import compares with and writes.

use crate::codes::{CodeBook, CodeTable};
use crate::regions::RegionCode;
use crate::registry::{
    Household, HouseholdDetail, HouseholdFilter, HouseholdId, HouseholdInput, IncomeInput,
    IncomeRecord, Member, MemberChangeInput, MemberInput, NewHousehold, Page, PersonId,
    StatusChangeInput,
};
use crate::scope::Ctx;
use crate::store::StoreResult;
use async_trait::async_trait;
use std::sync::Arc;

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
    /// Households of a region (and below) after `after` = (village code, id) in that order, with
    /// members and incomes; masked unless `ctx.unmask`.
    async fn export_households(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        limit: u32,
    ) -> StoreResult<Vec<ExportHousehold>>;
}

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

impl StoredHousehold {
    /// What the statistics and the assessments read of the household (its status history aside):
    /// members with their presence, and its incomes.
    pub fn facts(&self) -> crate::reports::HouseholdFacts {
        crate::reports::HouseholdFacts {
            village: self.household.village_code.clone(),
            identification_year: self.household.identification_year,
            main_cause: self.household.main_cause.clone(),
            statuses: Vec::new(),
            members: self
                .members
                .iter()
                .map(|m| (m.joined_on, m.left_on))
                .collect(),
            incomes: self
                .incomes
                .iter()
                .map(|i| (i.year, i.gross_income_fen, i.net_income_fen))
                .collect(),
        }
    }
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

/// Households for an export page: household, every member, income years.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportHousehold {
    pub household: Household,
    pub members: Vec<Member>,
    pub incomes: Vec<IncomeRecord>,
}

/// The registry's part of a bulk import session (see `store::BulkSession`).
#[async_trait]
pub trait RegistryBulk: Send {
    /// Number of households and of active persons in the whole registry.
    async fn registry_size(&mut self) -> StoreResult<(u64, u64)>;
    /// The stored households among these numbers (outside the caller's scope too: the importer
    /// reports those as out of scope, not as new).
    async fn households_by_number(
        &mut self,
        numbers: &[String],
    ) -> StoreResult<Vec<StoredHousehold>>;
    /// Of these ID numbers, those that are active members, with their household's number when
    /// that household lies in the caller's scope (`None`: a household they may not be told of).
    async fn active_id_numbers(
        &mut self,
        ids: &[String],
    ) -> StoreResult<Vec<(String, Option<String>)>>;
    /// The status history of these households as (household, status, date) entries, oldest first.
    async fn status_changes_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(HouseholdId, crate::registry::HouseholdStatus, time::Date)>>;
    async fn create_households(&mut self, items: Vec<BulkNewHousehold>) -> StoreResult<()>;
    async fn update_households(&mut self, items: Vec<BulkHouseholdUpdate>) -> StoreResult<()>;
    async fn put_incomes(&mut self, items: Vec<BulkIncome>) -> StoreResult<()>;
}
