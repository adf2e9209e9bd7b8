//! Helpers for the unit tests of this crate: a stub store and one-shot requests.
//!
//! The stub answers every store call with `409 stub` (except `ping`, `backend` and `code_book`),
//! so tests can tell "the request reached the store" from every error raised before it. Tests of
//! real behaviour run against the real stores in `crates/fupin/tests`.

use crate::AppState;
use async_trait::async_trait;
use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use axum::Router;
use fupin_core::accounts::{ApiToken, Grant, NewUser, SessionRecord, User, UserId};
use fupin_core::audit::{AuditEntry, AuditRecord, BrokenLink};
use fupin_core::codes::{CodeBook, CodeTable};
use fupin_core::regions::{
    PoorVillage, Region, RegionCode, RegionRecord, RegionWithPath, VillageProfile,
    VillageProfileInput,
};
use fupin_core::registry::{
    Household, HouseholdDetail, HouseholdFilter, HouseholdId, HouseholdInput, IncomeInput,
    IncomeRecord, Member, MemberChangeInput, MemberInput, NewHousehold, Page, PersonId,
    StatusChangeInput,
};
use fupin_core::reports::RegionStats;
use fupin_core::store::{
    AccountStore, AuditFilter, AuditStore, RegionImportSummary, RegionStore, RegistryStore,
    RowError, StatsStore, Store, StoreResult,
};
use fupin_core::{Ctx, DomainError};
use std::sync::Arc;
use tower::ServiceExt;

pub(crate) struct StubStore;

fn stub<T>() -> StoreResult<T> {
    Err(DomainError::conflict("stub", "stub store"))
}

#[async_trait]
impl RegionStore for StubStore {
    async fn import_regions(
        &self,
        _: &Ctx,
        _: Vec<(u64, RegionRecord)>,
    ) -> Result<RegionImportSummary, Vec<RowError>> {
        Err(vec![])
    }
    async fn region(&self, _: &Ctx, _: &RegionCode) -> StoreResult<RegionWithPath> {
        stub()
    }
    async fn region_children(&self, _: &Ctx, _: Option<&RegionCode>) -> StoreResult<Vec<Region>> {
        stub()
    }
    async fn search_regions(
        &self,
        _: &Ctx,
        _: &str,
        _: Option<&RegionCode>,
        _: u32,
    ) -> StoreResult<Vec<RegionWithPath>> {
        stub()
    }
    async fn set_poor_village(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<PoorVillage>,
    ) -> StoreResult<RegionWithPath> {
        stub()
    }
    async fn put_village_profile(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
        _: VillageProfileInput,
    ) -> StoreResult<VillageProfile> {
        stub()
    }
    async fn village_profiles(&self, _: &Ctx, _: &RegionCode) -> StoreResult<Vec<VillageProfile>> {
        stub()
    }
}

#[async_trait]
impl RegistryStore for StubStore {
    async fn code_book(&self) -> StoreResult<Arc<CodeBook>> {
        Ok(Arc::new(CodeBook::defaults()))
    }
    async fn put_code_table(&self, _: &Ctx, _: CodeTable) -> StoreResult<()> {
        stub()
    }
    async fn create_household(&self, _: &Ctx, _: NewHousehold) -> StoreResult<HouseholdDetail> {
        stub()
    }
    async fn update_household(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: HouseholdInput,
    ) -> StoreResult<HouseholdDetail> {
        stub()
    }
    async fn change_status(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: StatusChangeInput,
    ) -> StoreResult<HouseholdDetail> {
        stub()
    }
    async fn household(&self, _: &Ctx, _: HouseholdId) -> StoreResult<HouseholdDetail> {
        stub()
    }
    async fn household_by_number(&self, _: &Ctx, _: &str) -> StoreResult<HouseholdDetail> {
        stub()
    }
    async fn list_households(&self, _: &Ctx, f: HouseholdFilter) -> StoreResult<Page<Household>> {
        // Run the domain's own checks, as a real store does, so query errors can be tested here.
        f.validate(&CodeBook::defaults())?;
        stub()
    }
    async fn add_member(&self, _: &Ctx, _: HouseholdId, _: MemberInput) -> StoreResult<Member> {
        stub()
    }
    async fn update_member(&self, _: &Ctx, _: PersonId, _: MemberInput) -> StoreResult<Member> {
        stub()
    }
    async fn record_member_change(
        &self,
        _: &Ctx,
        _: PersonId,
        _: MemberChangeInput,
    ) -> StoreResult<Member> {
        stub()
    }
    async fn put_income(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: i32,
        _: IncomeInput,
    ) -> StoreResult<IncomeRecord> {
        stub()
    }
}

#[async_trait]
impl StatsStore for StubStore {
    async fn region_stats(&self, _: &Ctx, _: &RegionCode, _: i32) -> StoreResult<RegionStats> {
        stub()
    }
    async fn recompute_region_stats(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
    ) -> StoreResult<RegionStats> {
        stub()
    }
    async fn rebuild_aggregates(&self, _: &Ctx) -> StoreResult<()> {
        stub()
    }
}

#[async_trait]
impl AccountStore for StubStore {
    async fn create_user(&self, _: &Ctx, _: NewUser) -> StoreResult<User> {
        stub()
    }
    async fn user(&self, _: UserId) -> StoreResult<Option<User>> {
        stub()
    }
    async fn user_credentials(&self, _: &str) -> StoreResult<Option<(User, String)>> {
        stub()
    }
    async fn list_users(&self, _: &Ctx) -> StoreResult<Vec<User>> {
        stub()
    }
    async fn set_password(&self, _: &Ctx, _: UserId, _: String) -> StoreResult<()> {
        stub()
    }
    async fn set_disabled(&self, _: &Ctx, _: UserId, _: bool) -> StoreResult<()> {
        stub()
    }
    async fn grant(&self, _: &Ctx, _: UserId, _: Grant) -> StoreResult<User> {
        stub()
    }
    async fn revoke_grant(&self, _: &Ctx, _: UserId, _: Grant) -> StoreResult<User> {
        stub()
    }
    async fn create_session(&self, _: UserId, _: &str, _: &str) -> StoreResult<()> {
        stub()
    }
    async fn session(&self, _: &str) -> StoreResult<Option<SessionRecord>> {
        stub()
    }
    async fn touch_session(&self, _: &str) -> StoreResult<()> {
        stub()
    }
    async fn delete_session(&self, _: &str) -> StoreResult<()> {
        stub()
    }
    async fn create_token(&self, _: &Ctx, _: UserId, _: &str, _: &str) -> StoreResult<ApiToken> {
        stub()
    }
    async fn token_user(&self, _: &str) -> StoreResult<Option<UserId>> {
        stub()
    }
    async fn list_tokens(&self, _: UserId) -> StoreResult<Vec<ApiToken>> {
        stub()
    }
    async fn revoke_token(&self, _: &Ctx, _: UserId, _: i64) -> StoreResult<()> {
        stub()
    }
}

#[async_trait]
impl AuditStore for StubStore {
    async fn record_event(&self, _: &Ctx, _: AuditRecord) -> StoreResult<()> {
        stub()
    }
    async fn audit_log(&self, _: &Ctx, _: AuditFilter) -> StoreResult<Page<AuditEntry>> {
        stub()
    }
    async fn verify_audit(&self) -> StoreResult<Result<u64, BrokenLink>> {
        stub()
    }
}

#[async_trait]
impl Store for StubStore {
    fn backend(&self) -> &'static str {
        "stub"
    }
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}

pub(crate) fn stub_state() -> AppState {
    AppState::new(Arc::new(StubStore))
}

pub(crate) async fn send(app: Router, req: Request<Body>) -> Response {
    app.oneshot(req).await.expect("infallible")
}

pub(crate) async fn get(app: Router, uri: &str) -> Response {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn body_json(res: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}
