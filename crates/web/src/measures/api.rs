//! Assistance measures over HTTP: the measure catalogue, recording and changing a household's
//! measures, a measure with its history, the measures of a household, and the services report of a
//! region.

use crate::caller::Caller;
use crate::error::ApiError;
use crate::error::ApiResult;
use crate::json::Json;
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::measures::*;
use fupin_core::registry::HouseholdId;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/measure-catalogue", catalogue)
        .post("/api/v1/measures", create_measure)
        .get("/api/v1/measures/{id}", measure)
        .put("/api/v1/measures/{id}", update_measure)
        .get("/api/v1/measures/{id}/history", measure_history)
        .get("/api/v1/households/{id}/measures", household_measures)
        .get("/api/v1/regions/{code}/services-report", services_report)
}

/// The catalogue is reference data, bound to no region: every signed-in user reads it.
async fn catalogue(caller: Caller) -> ApiResult<Json<&'static Catalogue>> {
    caller.policy_signed_in()?;
    Ok(Json(Catalogue::shipped()))
}

async fn create_measure(
    caller: Caller,
    State(app): State<AppState>,
    Json(m): Json<MeasureInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_measure(&ctx, m).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn measure(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Measure>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.measure(&ctx, MeasureId(p.id)).await?))
}

async fn update_measure(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(m): Json<MeasureInput>,
) -> ApiResult<Json<Measure>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store.update_measure(&ctx, MeasureId(p.id), m).await?,
    ))
}

async fn measure_history(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<MeasureVersion>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.measure_history(&ctx, MeasureId(p.id)).await?,
    ))
}

async fn household_measures(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<Measure>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store
            .household_measures(&ctx, HouseholdId(p.id))
            .await?,
    ))
}

/// `?from=YYYY-MM-01&to=YYYY-MM-DD` (whole months); both required.
async fn services_report(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<ServicesReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["from", "to"])?;
    let date = |name: &str| -> ApiResult<time::Date> {
        let text = params.text(name, 10)?.ok_or_else(|| {
            ApiError::from_query(fupin_core::DomainError::invalid(
                name,
                "required",
                format!("{name} 不能为空"),
            ))
        })?;
        fupin_core::years::parse_date(name, &text).map_err(ApiError::from_query)
    };
    let (from, to) = (date("from")?, date("to")?);
    Ok(Json(
        app.store
            .services_report(&ctx, &code, from, to)
            .await
            .map_err(ApiError::from_query)?,
    ))
}
