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

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    catalogue,
    create_measure,
    measure,
    update_measure,
    measure_history,
    household_measures,
    services_report
))]
pub(crate) struct Doc;

/// The catalogue is reference data, bound to no region: every signed-in user reads it.
#[utoipa::path(
    get,
    path = "/api/v1/measure-catalogue",
    tag = "measures",
    operation_id = "measureCatalogue",
    summary = "帮扶措施类别 · The catalogue of measure kinds",
    responses((status = 200, description = "措施大类与类别。 The categories and kinds of measures.", body = Catalogue))
)]
async fn catalogue(caller: Caller) -> ApiResult<Json<&'static Catalogue>> {
    caller.policy_signed_in()?;
    Ok(Json(Catalogue::shipped()))
}

#[utoipa::path(
    post,
    path = "/api/v1/measures",
    tag = "measures",
    operation_id = "createMeasure",
    summary = "登记帮扶措施 · Record an assistance measure",
    request_body(content = MeasureInput, description = "`{household_id, person_id?, kind, start_date, …}`（金额以分为单位）。 The measure (money in fen)."),
    responses((status = 201, description = "新措施。 The new measure.", body = Measure))
)]
async fn create_measure(
    caller: Caller,
    State(app): State<AppState>,
    Json(m): Json<MeasureInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_measure(&ctx, m).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/measures/{id}",
    tag = "measures",
    operation_id = "getMeasure",
    summary = "帮扶措施 · A measure",
    responses((status = 200, description = "措施。 The measure.", body = Measure))
)]
async fn measure(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Measure>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.measure(&ctx, MeasureId(p.id)).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/measures/{id}",
    tag = "measures",
    operation_id = "updateMeasure",
    summary = "修改帮扶措施 · Update a measure",
    request_body(content = MeasureInput, description = "措施内容（同新建）。 The measure, as when recorded."),
    responses((status = 200, description = "修改后的措施（旧版本留在历史中）。 The measure as stored (the old version kept in its history).", body = Measure))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/measures/{id}/history",
    tag = "measures",
    operation_id = "measureHistory",
    summary = "帮扶措施的历史 · A measure's history",
    responses((status = 200, description = "各版本，早的在前。 Its versions, oldest first.", body = [MeasureVersion]))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/measures",
    tag = "measures",
    operation_id = "householdMeasures",
    summary = "户的帮扶措施 · A household's measures",
    responses((status = 200, description = "措施列表。 The measures.", body = [Measure]))
)]
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

/// `?from=YYYY-MM-01&to=YYYY-MM-DD` (whole months); both required. `format=xlsx` (or `csv`) gives
/// the report as a sheet, one line per figure with its registered part.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/services-report",
    tag = "measures",
    operation_id = "servicesReport",
    summary = "帮扶服务报表 · Services report",
    params(
        ("from" = String, Query, description = "起始日，须为月初（YYYY-MM-01）。 First day, the first of a month (YYYY-MM-01)."),
        ("to" = String, Query, description = "截止日，须为月末（YYYY-MM-DD）。 Last day, the end of a month (YYYY-MM-DD)."),
        ("format" = Option<String>, Query, description = "json（默认）、xlsx 或 csv：表格每行一个指标（合计、其中建档立卡、单位）。 `json` (default), `xlsx` or `csv`: a sheet with one line per figure (total, of whom registered, unit).")
    ),
    responses((status = 200, description = "按月汇总的就业（按去向，含扶贫车间和公益岗位）、培训、教育、养老、贷款、医疗及各类措施数。 Monthly totals: employment by destination (workshops and posts among them), training, education, pension, loans, health and every kind's count.", content((ServicesReport = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))))
)]
async fn services_report(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Response> {
    use axum::http::{header, HeaderValue};
    use fupin_io::source::FileFormat;
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["from", "to", "format"])?;
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
    let format = params.choice(
        "format",
        |s| match s.trim() {
            "json" => Some(None),
            other => FileFormat::parse(other).map(Some),
        },
        "json、xlsx、csv",
    )?;
    let report = app
        .store
        .services_report(&ctx, &code, from, to)
        .await
        .map_err(ApiError::from_query)?;
    let Some(format) = format.flatten() else {
        return Ok(Json(report).into_response());
    };
    let region = app
        .store
        .region(&ctx, &code)
        .await
        .map_err(ApiError::from_query)?;
    let internal = |_| ApiError::from(fupin_core::DomainError::internal());
    let dir = tempfile::tempdir().map_err(internal)?;
    let path = dir.path().join("services-report");
    fupin_io::measures::report::write_services_report(&report, &region.region.name, &path, format)
        .map_err(|_| ApiError::from(fupin_core::DomainError::internal()))?;
    let bytes = tokio::fs::read(&path).await.map_err(internal)?;
    let (content_type, ext) = match format {
        FileFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        FileFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"services-report-{}-{from}-{to}.{ext}\"",
        code.as_str()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
