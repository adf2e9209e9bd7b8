//! Region statistics for a year from the maintained aggregates, optionally compared with another year.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{Params, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use fupin_core::accounts::Policy;
use fupin_core::reports::RegionStats;
use fupin_core::ErrorKind;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/regions/{code}/stats", stats)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(stats))]
pub(crate) struct Doc;

/// `?year=Y[&compare=Y0]`. `year` is required rather than defaulting to this year: figures for an
/// unfinished year are partial, and a report should say which year it is about.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/stats",
    tag = "reports",
    operation_id = "regionStats",
    summary = "区划统计 · Region statistics",
    params(("year" = i32, Query, description = "年度。 The year."), ("compare" = Option<i32>, Query, description = "对比年度。 A year to compare with.")),
    responses((status = 200, description = "户数、人数、收入等统计。 Households, people, incomes and more.", body = Object))
)]
async fn stats(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<RegionStats>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year", "compare"])?;
    let year: i32 = params.required_int("year")?;
    let compare: Option<i32> = params.int("compare")?;
    let mut stats = app
        .store
        .region_stats(&ctx, &code, year)
        .await
        .map_err(ApiError::from_query)?;
    if let Some(y0) = compare {
        let other = app.store.region_stats(&ctx, &code, y0).await.map_err(|e| {
            // The store names the year it checked `year`; here that year came from `compare`.
            let e = if e.kind == ErrorKind::Invalid {
                e.with_field("compare")
            } else {
                e
            };
            ApiError::from_query(e)
        })?;
        stats.compare_with(&other);
    }
    Ok(Json(stats))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{body_json, get, test_db, TestDb};

    async fn call(db: &TestDb, uri: &str) -> (u16, serde_json::Value) {
        let res = get(db.router(), uri).await;
        (res.status().as_u16(), body_json(res).await)
    }

    #[tokio::test]
    async fn year_is_required_and_checked() {
        let cases = [
            (
                "/api/v1/regions/360124106204/stats",
                "missing_parameter",
                "year",
            ),
            (
                "/api/v1/regions/360124106204/stats?year=二〇一八",
                "invalid_parameter",
                "year",
            ),
            (
                "/api/v1/regions/360124106204/stats?year=2018&compare=x",
                "invalid_parameter",
                "compare",
            ),
            (
                "/api/v1/regions/360124106204/stats?year=2018&from=2016",
                "unknown_parameter",
                "from",
            ),
            (
                "/api/v1/regions/36012/stats?year=2018",
                "invalid_region_code",
                "code",
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
        // Well-formed: the store answers (for a village without households yet)
        let (s, v) = call(
            &db,
            "/api/v1/regions/360124106204/stats?year=2018&compare=2016",
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            (&v["region"]["code"], &v["year"], &v["households"]),
            (
                &serde_json::json!("360124106204"),
                &serde_json::json!(2018),
                &serde_json::json!(0)
            ),
            "{v}"
        );
    }
}
