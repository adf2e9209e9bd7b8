//! Standards, exit and monitoring procedures, risk events, the early-warning list, poverty incidence
//! and poverty measures over HTTP.

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::{IdPath, IdYearPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::assessment::*;
use fupin_core::registry::HouseholdId;
use serde::Deserialize;
use time::Date;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/parameters", parameters)
        .put("/api/v1/parameters", put_parameter)
        .put("/api/v1/households/{id}/years/{year}", put_household_year)
        .get("/api/v1/households/{id}/risk-events", risk_events)
        .post("/api/v1/households/{id}/risk-events", record_risk_event)
        .post("/api/v1/risk-events/{id}/resolve", resolve_risk_event)
        .get("/api/v1/households/{id}/exit-assessment", exit_assessment)
        .get("/api/v1/households/{id}/cases", household_cases)
        .post("/api/v1/households/{id}/cases", start_case)
        .get("/api/v1/cases/{id}", case)
        .post("/api/v1/cases/{id}/actions", case_action)
        .get("/api/v1/regions/{code}/incidence", incidence)
        .get("/api/v1/regions/{code}/warnings", warnings)
        .post("/api/v1/regions/{code}/screening", screening)
        .get("/api/v1/regions/{code}/measures", measures)
}

fn year_param(params: &Params) -> ApiResult<i32> {
    params.required_int::<i32>("year")
}

async fn parameters(
    caller: Caller,
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<Parameter>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.parameters(&ctx).await?))
}

async fn put_parameter(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<ParameterInput>,
) -> ApiResult<Json<Parameter>> {
    let ctx = caller.ctx(Policy::ManageStandards)?;
    Ok(Json(app.store.put_parameter(&ctx, p).await?))
}

async fn put_household_year(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdYearPath>,
    Json(y): Json<HouseholdYearInput>,
) -> ApiResult<StatusCode> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    app.store
        .put_household_year(&ctx, HouseholdId(p.id), p.year, y)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn risk_events(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<RiskEventRecord>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.risk_events(&ctx, HouseholdId(p.id)).await?))
}

/// Cadres record risk events on their households' visits, offices on any in their regions.
async fn record_risk_event(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(e): Json<RiskEventInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteVisits)?;
    Ok((
        StatusCode::CREATED,
        Json(
            app.store
                .record_risk_event(&ctx, HouseholdId(p.id), e)
                .await?,
        ),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveInput {
    date: Date,
}

async fn resolve_risk_event(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(r): Json<ResolveInput>,
) -> ApiResult<Json<RiskEventRecord>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store.resolve_risk_event(&ctx, p.id, r.date).await?,
    ))
}

async fn exit_assessment(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    params: Params,
) -> ApiResult<Json<ExitAssessmentReport>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["year"])?;
    let year = year_param(&params)?;
    Ok(Json(
        app.store
            .exit_assessment(&ctx, HouseholdId(p.id), year)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

async fn household_cases(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<ProcedureCase>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.household_cases(&ctx, HouseholdId(p.id)).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartCase {
    kind: ProcedureKind,
    /// The exit year (for an exit); for monitoring, the year the case belongs to.
    year: i32,
    date: Date,
}

async fn start_case(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(c): Json<StartCase>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let case = app
        .store
        .start_case(&ctx, c.kind, HouseholdId(p.id), c.year, c.date)
        .await?;
    Ok((StatusCode::CREATED, Json(case)).into_response())
}

async fn case(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<ProcedureCase>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.case(&ctx, p.id).await?))
}

async fn case_action(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(a): Json<CaseActionInput>,
) -> ApiResult<Json<ProcedureCase>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.case_action(&ctx, p.id, a).await?))
}

async fn incidence(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<IncidenceReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    let year = year_param(&params)?;
    Ok(Json(
        app.store
            .incidence(&ctx, &code, year)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

async fn warnings(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<WarningRow>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["year"])?;
    let year = year_param(&params)?;
    Ok(Json(
        app.store
            .early_warnings(&ctx, &code, year)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// Screen every household of the region for the year now and return the refreshed list.
async fn screening(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<WarningRow>>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    params.only(&["year"])?;
    let year = year_param(&params)?;
    Ok(Json(
        app.store
            .screen_region(&ctx, &code, year)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// `?year=Y[&line_fen=L]`: H, FGT P1 and P2, Watts, Sen, Gini and the Alkire–Foster index.
async fn measures(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<MeasuresReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year", "line_fen"])?;
    let year = year_param(&params)?;
    let line = params.int::<i64>("line_fen")?;
    Ok(Json(
        app.store
            .measures(&ctx, &code, year, line)
            .await
            .map_err(ApiError::from_query)?,
    ))
}
