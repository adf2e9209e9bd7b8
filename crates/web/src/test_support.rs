//! Helpers for the unit tests of this crate: a stub store and one-shot requests.
//!
//! The stub answers every store call with `409 stub` (except `ping`, `backend`, `code_book` and the
//! look-ups that authenticate [`STUB_TOKEN`] as an administrator), so tests can tell "the request
//! reached the store" from every error raised before it. `send` and `get` sign in with that token;
//! `send_anon` and `get_anon` do not. Tests of real behaviour run against the real stores in
//! `crates/fupin/tests`.

use crate::AppState;
use async_trait::async_trait;
use axum::body::Body;
use axum::http::{header, Request};
use axum::response::Response;
use axum::Router;
use fupin_core::accounts::{ApiToken, Grant, NewUser, Role, SessionRecord, User, UserId};
use fupin_core::audit::{AuditEntry, AuditRecord, BrokenLink};
use fupin_core::codes::{CodeBook, CodeTable};
use fupin_core::pairing::{
    Cadre, CadreId, CadreInput, Designation, DesignationInput, EndPairingInput, HelpingUnit,
    HelpingUnitInput, Pairing, PairingId, PairingInput, PairingReport, PhotoRef, TeamMember,
    TeamMemberInput, UnitId, Visit, VisitId, VisitInput, Wish, WishAction, WishId, WishInput,
};
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
    AccountStore, AuditFilter, AuditStore, PairingStore, RegionImportSummary, RegionStore,
    RegistryStore, RowError, StatsStore, Store, StoreResult,
};
use fupin_core::{Ctx, DomainError};
use std::sync::Arc;
use tower::ServiceExt;

pub(crate) struct StubStore;

/// The API token the stub accepts, for an administrator of 江西省 (`stub-admin`, user 1).
pub(crate) const STUB_TOKEN: &str = "fupin_stub";

fn stub_admin() -> User {
    User {
        id: UserId(1),
        username: "stub-admin".into(),
        display_name: "测试管理员".into(),
        unit: None,
        phone: None,
        disabled: false,
        grants: vec![Grant {
            role: Role::Admin,
            region: RegionCode::parse("360000000000").unwrap(),
        }],
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        home_region: None,
    }
}

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
    async fn region_level_counts(
        &self,
        _: &Ctx,
        _: Option<&RegionCode>,
    ) -> StoreResult<fupin_core::regions::LevelCounts> {
        stub()
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
    async fn export_profiles(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<i32>,
        _: Option<(RegionCode, i32)>,
        _: u32,
    ) -> StoreResult<Vec<VillageProfile>> {
        stub()
    }
    async fn export_regions(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<RegionCode>,
        _: u32,
    ) -> StoreResult<Vec<Region>> {
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
    async fn export_households(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<(RegionCode, HouseholdId)>,
        _: u32,
    ) -> StoreResult<Vec<fupin_core::store::ExportHousehold>> {
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
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        Ok((id == UserId(1)).then(stub_admin))
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
        Ok(None)
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
    async fn token_user(&self, hash: &str) -> StoreResult<Option<UserId>> {
        Ok((hash == crate::auth::digest(STUB_TOKEN)).then_some(UserId(1)))
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
impl PairingStore for StubStore {
    async fn create_unit(&self, _: &Ctx, _: HelpingUnitInput) -> StoreResult<HelpingUnit> {
        stub()
    }
    async fn list_units(&self, _: &Ctx) -> StoreResult<Vec<HelpingUnit>> {
        stub()
    }
    async fn add_designation(
        &self,
        _: &Ctx,
        _: UnitId,
        _: DesignationInput,
    ) -> StoreResult<Designation> {
        stub()
    }
    async fn designations(&self, _: &Ctx, _: &RegionCode) -> StoreResult<Vec<Designation>> {
        stub()
    }
    async fn create_cadre(&self, _: &Ctx, _: CadreInput) -> StoreResult<Cadre> {
        stub()
    }
    async fn update_cadre(&self, _: &Ctx, _: CadreId, _: CadreInput) -> StoreResult<Cadre> {
        stub()
    }
    async fn list_cadres(&self, _: &Ctx, _: Option<UnitId>) -> StoreResult<Vec<Cadre>> {
        stub()
    }
    async fn add_team_member(&self, _: &Ctx, _: TeamMemberInput) -> StoreResult<TeamMember> {
        stub()
    }
    async fn team_members(&self, _: &Ctx, _: &RegionCode) -> StoreResult<Vec<TeamMember>> {
        stub()
    }
    async fn create_pairing(&self, _: &Ctx, _: PairingInput) -> StoreResult<Pairing> {
        stub()
    }
    async fn end_pairing(
        &self,
        _: &Ctx,
        _: PairingId,
        _: EndPairingInput,
    ) -> StoreResult<(Pairing, Option<Pairing>)> {
        stub()
    }
    async fn household_pairings(&self, _: &Ctx, _: HouseholdId) -> StoreResult<Vec<Pairing>> {
        stub()
    }
    async fn cadre_pairings(&self, _: &Ctx, _: CadreId) -> StoreResult<Vec<Pairing>> {
        stub()
    }
    async fn record_visit(&self, _: &Ctx, _: VisitInput) -> StoreResult<Visit> {
        stub()
    }
    async fn visit(&self, _: &Ctx, _: VisitId) -> StoreResult<Visit> {
        stub()
    }
    async fn household_visits(&self, _: &Ctx, _: HouseholdId) -> StoreResult<Vec<Visit>> {
        stub()
    }
    async fn add_visit_photo(&self, _: &Ctx, _: VisitId, _: Vec<u8>) -> StoreResult<PhotoRef> {
        stub()
    }
    async fn photo(&self, _: &Ctx, _: i64) -> StoreResult<(String, Vec<u8>)> {
        stub()
    }
    async fn create_wish(&self, _: &Ctx, _: WishInput) -> StoreResult<Wish> {
        stub()
    }
    async fn wish_action(&self, _: &Ctx, _: WishId, _: WishAction) -> StoreResult<Wish> {
        stub()
    }
    async fn add_wish_evidence(&self, _: &Ctx, _: WishId, _: Vec<u8>) -> StoreResult<PhotoRef> {
        stub()
    }
    async fn household_wishes(&self, _: &Ctx, _: HouseholdId) -> StoreResult<Vec<Wish>> {
        stub()
    }
    async fn pairing_report(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: time::Date,
        _: time::Date,
    ) -> StoreResult<PairingReport> {
        stub()
    }
    async fn export_cadres(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<CadreId>,
        _: u32,
    ) -> StoreResult<Vec<Cadre>> {
        stub()
    }
    async fn export_pairings(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<(RegionCode, PairingId)>,
        _: u32,
    ) -> StoreResult<Vec<Pairing>> {
        stub()
    }
    async fn export_visits(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: Option<(RegionCode, VisitId)>,
        _: u32,
    ) -> StoreResult<Vec<Visit>> {
        stub()
    }
    async fn cadre_compliance(
        &self,
        _: &Ctx,
        _: CadreId,
        _: time::Date,
        _: time::Date,
    ) -> StoreResult<Vec<fupin_core::pairing::HouseholdCompliance>> {
        stub()
    }
}

#[async_trait]
impl fupin_core::store::AssessmentStore for StubStore {
    async fn parameters(&self, _: &Ctx) -> StoreResult<Vec<fupin_core::assessment::Parameter>> {
        stub()
    }
    async fn put_parameter(
        &self,
        _: &Ctx,
        _: fupin_core::assessment::ParameterInput,
    ) -> StoreResult<fupin_core::assessment::Parameter> {
        stub()
    }
    async fn put_household_year(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: i32,
        _: fupin_core::assessment::HouseholdYearInput,
    ) -> StoreResult<()> {
        stub()
    }
    async fn record_risk_event(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: fupin_core::assessment::RiskEventInput,
    ) -> StoreResult<fupin_core::assessment::RiskEventRecord> {
        stub()
    }
    async fn risk_events(
        &self,
        _: &Ctx,
        _: HouseholdId,
    ) -> StoreResult<Vec<fupin_core::assessment::RiskEventRecord>> {
        stub()
    }
    async fn resolve_risk_event(
        &self,
        _: &Ctx,
        _: i64,
        _: time::Date,
    ) -> StoreResult<fupin_core::assessment::RiskEventRecord> {
        stub()
    }
    async fn exit_assessment(
        &self,
        _: &Ctx,
        _: HouseholdId,
        _: i32,
    ) -> StoreResult<fupin_core::assessment::ExitAssessmentReport> {
        stub()
    }
    async fn start_case(
        &self,
        _: &Ctx,
        _: fupin_core::assessment::ProcedureKind,
        _: HouseholdId,
        _: i32,
        _: time::Date,
    ) -> StoreResult<fupin_core::assessment::ProcedureCase> {
        stub()
    }
    async fn case_action(
        &self,
        _: &Ctx,
        _: i64,
        _: fupin_core::assessment::CaseActionInput,
    ) -> StoreResult<fupin_core::assessment::ProcedureCase> {
        stub()
    }
    async fn case(&self, _: &Ctx, _: i64) -> StoreResult<fupin_core::assessment::ProcedureCase> {
        stub()
    }
    async fn household_cases(
        &self,
        _: &Ctx,
        _: HouseholdId,
    ) -> StoreResult<Vec<fupin_core::assessment::ProcedureCase>> {
        stub()
    }
    async fn incidence(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
    ) -> StoreResult<fupin_core::assessment::IncidenceReport> {
        stub()
    }
    async fn screen_region(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
    ) -> StoreResult<Vec<fupin_core::assessment::WarningRow>> {
        stub()
    }
    async fn early_warnings(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
    ) -> StoreResult<Vec<fupin_core::assessment::WarningRow>> {
        stub()
    }
    async fn measures(
        &self,
        _: &Ctx,
        _: &RegionCode,
        _: i32,
        _: Option<i64>,
    ) -> StoreResult<fupin_core::assessment::MeasuresReport> {
        stub()
    }
}

#[async_trait]
impl fupin_core::store::BulkStore for StubStore {
    async fn bulk_session(
        &self,
        _: &Ctx,
        _: bool,
    ) -> StoreResult<Box<dyn fupin_core::store::BulkSession>> {
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
    async fn schema_status(&self) -> StoreResult<fupin_core::store::SchemaStatus> {
        Ok(fupin_core::store::SchemaStatus {
            applied: 1,
            expected: 1,
            pending: 0,
            unknown: 0,
        })
    }
    fn pool_status(&self) -> fupin_core::store::PoolStatus {
        fupin_core::store::PoolStatus::default()
    }
}

pub(crate) fn stub_state() -> AppState {
    AppState::new(Arc::new(StubStore))
}

/// Send as `stub-admin` (unless the request brings credentials of its own).
pub(crate) async fn send(app: Router, mut req: Request<Body>) -> Response {
    let h = req.headers_mut();
    if !h.contains_key(header::AUTHORIZATION) && !h.contains_key(header::COOKIE) {
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {STUB_TOKEN}").parse().unwrap(),
        );
    }
    send_anon(app, req).await
}

/// Send without signing in.
pub(crate) async fn send_anon(app: Router, req: Request<Body>) -> Response {
    app.oneshot(req).await.expect("infallible")
}

pub(crate) async fn get(app: Router, uri: &str) -> Response {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn get_anon(app: Router, uri: &str) -> Response {
    send_anon(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn body_json(res: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}
