//! Regions: the division tree by code, name search with full paths, poor-village designation and
//! village yearly profiles.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{Params, RegionPath, RegionYearPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use fupin_core::accounts::Policy;
use fupin_core::regions::{
    LevelCounts, PoorVillage, Region, RegionWithPath, VillageProfile, VillageProfileInput,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/regions", list)
        .get("/api/v1/regions/search", search)
        .get("/api/v1/regions/{code}", one)
        .get("/api/v1/regions/{code}/children", children)
        .get("/api/v1/regions/{code}/levels", levels)
        .put("/api/v1/regions/{code}/poor-village", set_poor_village)
        .delete("/api/v1/regions/{code}/poor-village", clear_poor_village)
        .get("/api/v1/regions/{code}/profiles", profiles)
        .put("/api/v1/regions/{code}/profiles/{year}", put_profile)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    search,
    one,
    children,
    levels,
    set_poor_village,
    clear_poor_village,
    profiles,
    put_profile
))]
pub(crate) struct Doc;

/// Default and largest number of search results: a name search is for picking a region, and a
/// hundred candidates is already more than anyone reads.
const SEARCH_DEFAULT: u32 = 20;
const SEARCH_MAX: u32 = 100;
/// Longest search text; the longest region names are about forty characters.
const SEARCH_TEXT_MAX: usize = 50;

/// `?parent=CODE` → its children; no parent → the provinces.
#[utoipa::path(
    get,
    path = "/api/v1/regions",
    tag = "regions",
    operation_id = "listRegions",
    summary = "下级区划 · Regions under a parent",
    params(("parent" = Option<String>, Query, description = "上级区划代码；省略时为省级。 The parent's code; without it, the provinces.")),
    responses((status = 200, description = "区划列表。 The regions.", body = [Region]))
)]
async fn list(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<Region>>> {
    // Navigation: the store lists only regions inside the caller's scope or on the way to it.
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["parent"])?;
    let parent = params.region("parent")?;
    let children = app
        .store
        .region_children(&ctx, parent.as_ref())
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(children))
}

/// `?q=NAME&within=CODE&limit=N`.
#[utoipa::path(
    get,
    path = "/api/v1/regions/search",
    tag = "regions",
    operation_id = "searchRegions",
    summary = "按名称搜索区划 · Search regions by name",
    params(("q" = String, Query, description = "名称（的一部分），最长 50 字。 (Part of) the name, up to 50 characters."), ("within" = Option<String>, Query, description = "只在此区划内搜索。 Search only within this region."), ("limit" = Option<u32>, Query, description = "结果数，1–100，默认 20。 Results, 1–100, default 20.")),
    responses((status = 200, description = "匹配的区划及其完整路径。 The matching regions with their full paths.", body = [RegionWithPath]))
)]
async fn search(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<RegionWithPath>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["q", "within", "limit"])?;
    let q = params.required_text("q", SEARCH_TEXT_MAX)?;
    let within = params.region("within")?;
    let limit = params.int::<u32>("limit")?.unwrap_or(SEARCH_DEFAULT);
    if !(1..=SEARCH_MAX).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("查询参数 limit 须在 1 到 {SEARCH_MAX} 之间"),
        )
        .with_field("limit"));
    }
    let found = app
        .store
        .search_regions(&ctx, &q, within.as_ref(), limit)
        .await
        .map_err(ApiError::from_query)?;
    Ok(Json(found))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}",
    tag = "regions",
    operation_id = "getRegion",
    summary = "区划 · A region",
    responses((status = 200, description = "区划及其路径。 The region with its path.", body = RegionWithPath))
)]
async fn one(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<RegionWithPath>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.region(&ctx, &code).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/children",
    tag = "regions",
    operation_id = "regionChildren",
    summary = "下级区划 · Child regions",
    responses((status = 200, description = "直接下级。 The direct children.", body = [Region]))
)]
async fn children(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<Region>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.region_children(&ctx, Some(&code)).await?))
}

/// How many regions of each level lie at or below the region (one listed at several levels, like
/// 东莞市 at city and county level, counts at each).
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/levels",
    tag = "regions",
    operation_id = "regionLevels",
    summary = "各级区划数 · Regions per level",
    responses((status = 200, description = "该区划及其下各级的区划数。 How many regions of each level lie at or below it.", body = LevelCounts))
)]
async fn levels(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<LevelCounts>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(
        app.store.region_level_counts(&ctx, Some(&code)).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/regions/{code}/poor-village",
    tag = "regions",
    operation_id = "setPoorVillage",
    summary = "认定贫困村 · Designate a poor village",
    request_body(content = PoorVillage, description = "`{designation, designated_year, exit_year?}`。 The designation."),
    responses((status = 200, description = "区划及其路径。 The region with its path.", body = RegionWithPath))
)]
async fn set_poor_village(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    Json(designation): Json<PoorVillage>,
) -> ApiResult<Json<RegionWithPath>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let region = app
        .store
        .set_poor_village(&ctx, &code, Some(designation))
        .await?;
    Ok(Json(region))
}

#[utoipa::path(
    delete,
    path = "/api/v1/regions/{code}/poor-village",
    tag = "regions",
    operation_id = "clearPoorVillage",
    summary = "取消贫困村认定 · Clear the designation",
    responses((status = 200, description = "区划及其路径。 The region with its path.", body = RegionWithPath))
)]
async fn clear_poor_village(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<RegionWithPath>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.set_poor_village(&ctx, &code, None).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/profiles",
    tag = "regions",
    operation_id = "villageProfiles",
    summary = "村年度概况 · Village yearly profiles",
    responses((status = 200, description = "各年度概况。 The profiles by year.", body = [VillageProfile]))
)]
async fn profiles(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
) -> ApiResult<Json<Vec<VillageProfile>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.village_profiles(&ctx, &code).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/regions/{code}/profiles/{year}",
    tag = "regions",
    operation_id = "putVillageProfile",
    summary = "写入村年度概况 · Write a village profile",
    request_body(content = VillageProfileInput, description = "`{collective_income_fen?, rural_population?, note?}`。 The profile; money in fen."),
    responses((status = 200, description = "写入后的概况。 The profile as stored.", body = VillageProfile))
)]
async fn put_profile(
    caller: Caller,
    State(app): State<AppState>,
    p: RegionYearPath,
    Json(input): Json<VillageProfileInput>,
) -> ApiResult<Json<VillageProfile>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let profile = app
        .store
        .put_village_profile(&ctx, &p.code, p.year, input)
        .await?;
    Ok(Json(profile))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{body_json, get, send, test_db, TestDb};
    use axum::body::Body;
    use axum::http::{header, Request};

    async fn call(db: &TestDb, uri: &str) -> (u16, serde_json::Value) {
        let res = get(db.router(), uri).await;
        (res.status().as_u16(), body_json(res).await)
    }

    #[tokio::test]
    async fn search_parameters() {
        let cases = [
            ("/api/v1/regions/search", "missing_parameter", "q"),
            (
                "/api/v1/regions/search?q=%E5%A1%94&limit=0",
                "invalid_parameter",
                "limit",
            ),
            (
                "/api/v1/regions/search?q=%E5%A1%94&limit=101",
                "invalid_parameter",
                "limit",
            ),
            (
                "/api/v1/regions/search?q=%E5%A1%94&within=360",
                "invalid_region_code",
                "within",
            ),
            (
                "/api/v1/regions?parent=abc",
                "invalid_region_code",
                "parent",
            ),
        ];
        let db = test_db().await;
        for (uri, code, field) in cases {
            let (s, v) = call(&db, uri).await;
            assert_eq!(
                (s, v["code"].as_str(), v["field"].as_str()),
                (400, Some(code), Some(field)),
                "{uri}: {v}"
            );
        }
        // well-formed: the store answers
        let (s, v) = call(&db, "/api/v1/regions/search?q=%E5%A1%94&limit=100").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v[0]["code"], crate::test_support::VILLAGE, "{v}");
        let (s, v) = call(&db, "/api/v1/regions").await;
        assert_eq!(
            (s, &v[0]["name"]),
            (200, &serde_json::json!("江西省")),
            "{v}"
        );
    }

    #[tokio::test]
    async fn a_bad_code_is_reported_before_the_body() {
        let req = Request::put("/api/v1/regions/12345/poor-village")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("not json"))
            .unwrap();
        let v = body_json(send(test_db().await.router(), req).await).await;
        assert_eq!(v["code"], "invalid_region_code");
    }
}
