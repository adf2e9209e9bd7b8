//! The national division list for choosing a place anywhere in the country — an employer's region
//! in another province, say — where the region routes (`api`) show only the caller's regions and
//! the way to them.
//!
//! Every signed-in user reads it, whatever their grants and regions: it is the statistics bureau's
//! published list (统计用区划代码), served as code, name, level and path (`Division`) down to the
//! county and nothing else — no designation, no figure, no household. Below the county lie the
//! villages the registry is kept by; their names stay behind the region routes' scope. (Rejected:
//! widening `/api/v1/regions` for everyone, which would have made every other answer of that route
//! — designations included — unscoped as well.)

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{Params, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use fupin_core::regions::Division;
use fupin_core::DomainError;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/divisions", list)
        .get("/api/v1/divisions/search", search)
        .get("/api/v1/divisions/{code}", one)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, search, one))]
pub(crate) struct Doc;

/// Default and largest number of search results, as for the region search.
const SEARCH_DEFAULT: u32 = 20;
const SEARCH_MAX: u32 = 100;
/// Longest search text.
const SEARCH_TEXT_MAX: usize = 50;

/// `?parent=CODE` → its divisions down to the county; no parent → the provinces.
#[utoipa::path(
    get,
    path = "/api/v1/divisions",
    tag = "regions",
    operation_id = "listDivisions",
    summary = "全国区划（至县级）· The national division list, to the county",
    description = "全国统计用区划代码的公开名录，任何已登录用户可读，不限管辖范围：只有代码、名称、级别和路径，不含任何登记数据；只到县级。 The published national division list, readable by every signed-in user whatever their regions: code, name, level and path only, no registry data; down to the county.",
    params(("parent" = Option<String>, Query, description = "上级区划代码；省略时为省级；县级及以下没有下级。 The parent's code; without it, the provinces; a county and below have none.")),
    responses((status = 200, description = "区划列表。 The divisions.", body = [Division]))
)]
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<Division>>> {
    // public to the signed-in: the published list, nothing of the registry (see the module)
    caller.policy_signed_in()?;
    params.only(&["parent"])?;
    let parent = params.region("parent")?;
    Ok(Json(app.store.division_children(parent.as_ref()).await?))
}

/// `?q=NAME_OR_CODE&limit=N`.
#[utoipa::path(
    get,
    path = "/api/v1/divisions/search",
    tag = "regions",
    operation_id = "searchDivisions",
    summary = "按名称或代码查找全国区划（至县级）· Search the national list by name or code",
    params(("q" = String, Query, description = "名称（的一部分），或代码的前几位，最长 50 字。 (Part of) the name, or a code's first digits; up to 50 characters."), ("limit" = Option<u32>, Query, description = "结果数，1–100，默认 20。 Results, 1–100, default 20.")),
    responses((status = 200, description = "匹配的区划及其路径。 The matching divisions with their paths.", body = [Division]))
)]
async fn search(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<Division>>> {
    caller.policy_signed_in()?;
    params.only(&["q", "limit"])?;
    let q = params.required_text("q", SEARCH_TEXT_MAX)?;
    let limit = params.int::<u32>("limit")?.unwrap_or(SEARCH_DEFAULT);
    if !(1..=SEARCH_MAX).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("查询参数 limit 须在 1 到 {SEARCH_MAX} 之间"),
        )
        .with_field("limit"));
    }
    Ok(Json(app.store.search_divisions(&q, limit).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/divisions/{code}",
    tag = "regions",
    operation_id = "getDivision",
    summary = "全国区划（至县级）· A division, to the county",
    responses((status = 200, description = "区划及其路径。 The division with its path.", body = Division))
)]
async fn one(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Division>> {
    caller.policy_signed_in()?;
    match app.store.division(&code).await? {
        Some(d) if d.level <= Division::DEEPEST => Ok(Json(d)),
        _ => Err(DomainError::not_found(
            "region_not_found",
            format!("区划 {code} 不在全国区划名录（至县级）中"),
        )
        .into()),
    }
}
