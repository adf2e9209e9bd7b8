//! Assets, dividends and cooperatives over HTTP: registering an asset (from an accepted project),
//! reading assets of a region or a project, paying a year's income (the collective's share and the
//! dividends), cooperatives and enterprises with their members and leased land, and what reached a
//! household (资金到户).

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::projects::*;
use fupin_core::registry::HouseholdId;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/assets", create_asset)
        .get("/api/v1/assets/{id}", asset)
        .post("/api/v1/assets/{id}/incomes", pay_asset_income)
        .post(
            "/api/v1/assets/{id}/incomes/{year}/reversal",
            reverse_asset_income,
        )
        .get("/api/v1/projects/{id}/assets", project_assets)
        .get("/api/v1/regions/{code}/assets", region_assets)
        .post("/api/v1/cooperatives", create_cooperative)
        .get("/api/v1/cooperatives/{id}", cooperative)
        .get("/api/v1/regions/{code}/cooperatives", region_cooperatives)
        .get("/api/v1/households/{id}/funds-trace", funds_trace)
        .post("/api/v1/notices", record_notice)
        .get("/api/v1/projects/{id}/notices", project_notices)
        .get("/api/v1/assets/{id}/notices", asset_notices)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_asset,
    asset,
    pay_asset_income,
    reverse_asset_income,
    project_assets,
    region_assets,
    create_cooperative,
    cooperative,
    region_cooperatives,
    funds_trace,
    record_notice,
    project_notices,
    asset_notices
))]
pub(crate) struct Doc;

#[utoipa::path(
    post,
    path = "/api/v1/assets",
    tag = "projects",
    operation_id = "createAsset",
    summary = "登记扶贫资产 · Register an asset",
    request_body(content = AssetInput, description = "`{project_id?, village_code, name, kind, value_fen, owner_kind, owner_name, custodian, registered_on, shareholders?: [{household_id, shares}], note?}`；来自项目的须已验收。 From a project only once it is accepted."),
    responses((status = 201, description = "资产。 The asset.", body = Asset))
)]
async fn create_asset(
    caller: Caller,
    State(app): State<AppState>,
    Json(a): Json<AssetInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_asset(&ctx, a).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/assets/{id}",
    tag = "projects",
    operation_id = "getAsset",
    summary = "资产 · An asset",
    responses((status = 200, description = "资产、持股户、各年收益及分红。 The asset with its shareholders, yearly income and dividends.", body = Asset))
)]
async fn asset(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Asset>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.asset(&ctx, AssetId(p.id)).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/assets/{id}/incomes",
    tag = "projects",
    operation_id = "payAssetIncome",
    summary = "资产收益分配 · Pay a year's asset income",
    request_body(content = AssetIncomeInput, description = "`{year, income_fen, collective_fen, households_fen, minimum_fen?, paid_on}`：集体分成计入村集体经济收入，分红按股计入各户财产性收入。 The collective's share goes to the village's collective income, the dividends by shares to the households' property income."),
    responses((status = 201, description = "资产及其各年收益。 The asset with its yearly incomes.", body = Asset))
)]
async fn pay_asset_income(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(i): Json<AssetIncomeInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.pay_asset_income(&ctx, AssetId(p.id), i).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Why a paid year is taken back.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Reversal {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/assets/{id}/incomes/{year}/reversal",
    tag = "projects",
    operation_id = "reverseAssetIncome",
    summary = "撤销已分配的资产收益 · Take back a paid year of an asset",
    request_body(content = Reversal, description = "`{reason}`：撤销原因（必填，记入审计）。 Why (required, audited)."),
    responses((status = 200, description = "撤销后的资产：各户分红退出财产性收入、集体分成退出村集体经济收入，统计随之恢复；该年度可重新分配。 The asset after: the dividends out of the households' property income, the collective's share out of the village's collective income, the statistics back; the year may be paid again.", body = Asset))
)]
async fn reverse_asset_income(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<crate::params::IdYearPath>,
    Json(r): Json<Reversal>,
) -> ApiResult<Json<Asset>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .reverse_asset_income(&ctx, AssetId(p.id), p.year, r.reason)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/assets",
    tag = "projects",
    operation_id = "projectAssets",
    summary = "项目形成的资产 · A project's assets",
    responses((status = 200, description = "资产列表。 The assets.", body = [Asset]))
)]
async fn project_assets(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Asset>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.project_assets(&ctx, ProjectId(p.id)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/assets",
    tag = "projects",
    operation_id = "regionAssets",
    summary = "区划的扶贫资产 · A region's assets",
    responses((status = 200, description = "该区划及下辖区划的资产（按村、编号）。 The assets in the region and below, by village then id.", body = [Asset]))
)]
async fn region_assets(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<Asset>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&[])?;
    Ok(Json(
        app.store
            .assets(&ctx, &code)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/cooperatives",
    tag = "projects",
    operation_id = "createCooperative",
    summary = "登记合作社或企业 · Register a cooperative or enterprise",
    request_body(content = CooperativeInput, description = "`{village_code, name, kind: cooperative | enterprise, leader, founded_on, base_centimu?, investment_fen?, members?: [{household_id, shares, joined_on}], leases?: [{household_id, area_centimu, rent_fen_per_year, from, to?}], note?}`；面积以百分之一亩计。 Areas in hundredths of a mu."),
    responses((status = 201, description = "合作社或企业。 The cooperative or enterprise.", body = Cooperative))
)]
async fn create_cooperative(
    caller: Caller,
    State(app): State<AppState>,
    Json(c): Json<CooperativeInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_cooperative(&ctx, c).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/cooperatives/{id}",
    tag = "projects",
    operation_id = "getCooperative",
    summary = "合作社或企业 · A cooperative or enterprise",
    responses((status = 200, description = "成员户、股份及流转土地。 Its member households, shares and leased land.", body = Cooperative))
)]
async fn cooperative(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Cooperative>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.cooperative(&ctx, CooperativeId(p.id)).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/cooperatives",
    tag = "projects",
    operation_id = "regionCooperatives",
    summary = "区划的合作社和企业 · A region's cooperatives and enterprises",
    responses((status = 200, description = "列表（按村、编号）。 The list, by village then id.", body = [Cooperative]))
)]
async fn region_cooperatives(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<Cooperative>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&[])?;
    Ok(Json(
        app.store
            .cooperatives(&ctx, &code)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/funds-trace",
    tag = "projects",
    operation_id = "householdFundsTrace",
    summary = "资金到户 · What reached a household",
    responses((status = 200, description = "到户的每笔资金（以该户为收款人的支付、分红）及其项目、资产，早的在前，并合计。 Every payment to the household and every dividend, with its project and asset, oldest first, and the totals.", body = HouseholdTrace))
)]
async fn funds_trace(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<HouseholdTrace>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.household_trace(&ctx, HouseholdId(p.id)).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/notices",
    tag = "projects",
    operation_id = "recordNotice",
    summary = "记录公告公示的张贴 · Record a notice as posted",
    request_body(content = NoticeInput, description = "`{kind: library | completion | dividend, subject_id, year?, posted_from, posted_to, places}`：项目（入库、竣工）或资产（分红，须有年度）；公示期不少于公示天数参数。 A project's (library, completion) or an asset's (dividend, with the year); at least the notice days."),
    responses((status = 201, description = "张贴记录。 The posting.", body = Notice))
)]
async fn record_notice(
    caller: Caller,
    State(app): State<AppState>,
    Json(n): Json<NoticeInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.record_notice(&ctx, n).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/notices",
    tag = "projects",
    operation_id = "projectNotices",
    summary = "项目的公告公示记录 · A project's notices",
    responses((status = 200, description = "入库公示、竣工公告的张贴记录。 Its library and completion notices as posted.", body = [Notice]))
)]
async fn project_notices(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Notice>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.project_notices(&ctx, ProjectId(p.id)).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/assets/{id}/notices",
    tag = "projects",
    operation_id = "assetNotices",
    summary = "资产收益分配公示记录 · An asset's dividend notices",
    responses((status = 200, description = "各年收益分配公示的张贴记录。 Its dividend notices as posted.", body = [Notice]))
)]
async fn asset_notices(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Notice>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.asset_notices(&ctx, AssetId(p.id)).await?))
}
