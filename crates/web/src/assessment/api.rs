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
        .get("/api/v1/regions/{code}/cases", region_cases)
        .get("/api/v1/regions/{code}/incidence", incidence)
        .get("/api/v1/regions/{code}/warnings", warnings)
        .post("/api/v1/regions/{code}/screening", screening)
        .get("/api/v1/regions/{code}/measures", measures)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    parameters,
    put_parameter,
    put_household_year,
    risk_events,
    record_risk_event,
    resolve_risk_event,
    exit_assessment,
    household_cases,
    start_case,
    case,
    case_action,
    region_cases,
    incidence,
    warnings,
    screening,
    measures
))]
pub(crate) struct Doc;

fn year_param(params: &Params) -> ApiResult<i32> {
    params.required_int::<i32>("year")
}

#[utoipa::path(
    get,
    path = "/api/v1/parameters",
    tag = "assessment",
    operation_id = "listParameters",
    summary = "标准参数 · Standards and parameters",
    responses((status = 200, description = "参数及其来源。 The parameters with their sources.", body = [Parameter]))
)]
async fn parameters(
    caller: Caller,
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<Parameter>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.parameters(&ctx).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/parameters",
    tag = "assessment",
    operation_id = "putParameter",
    summary = "设置参数 · Set a parameter",
    request_body(content = ParameterInput, description = "`{key, region_prefix?, year, value, source, confirmed?}`。 The parameter."),
    responses((status = 200, description = "写入后的参数。 The parameter as stored.", body = Parameter))
)]
async fn put_parameter(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<ParameterInput>,
) -> ApiResult<Json<Parameter>> {
    let ctx = caller.ctx(Policy::ManageStandards)?;
    Ok(Json(app.store.put_parameter(&ctx, p).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/households/{id}/years/{year}",
    tag = "assessment",
    operation_id = "putHouseholdYear",
    summary = "年度核验 · Yearly verification",
    request_body(content = HouseholdYearInput, description = "“两不愁三保障”核验结果。 The verification of the year."),
    responses((status = 204, description = "已写入。 Stored."))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/risk-events",
    tag = "assessment",
    operation_id = "householdRiskEvents",
    summary = "户的风险事件 · A household's risk events",
    responses((status = 200, description = "风险事件。 The events.", body = [RiskEventRecord]))
)]
async fn risk_events(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<RiskEventRecord>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.risk_events(&ctx, HouseholdId(p.id)).await?))
}

/// Cadres record risk events on their households' visits, offices on any in their regions.
#[utoipa::path(
    post,
    path = "/api/v1/households/{id}/risk-events",
    tag = "assessment",
    operation_id = "recordRiskEvent",
    summary = "登记风险事件 · Record a risk event",
    request_body(content = RiskEventInput, description = "`{date, risk_type, note?}`。 The event."),
    responses((status = 201, description = "新事件。 The new event.", body = RiskEventRecord))
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ResolveInput {
    date: Date,
}

#[utoipa::path(
    post,
    path = "/api/v1/risk-events/{id}/resolve",
    tag = "assessment",
    operation_id = "resolveRiskEvent",
    summary = "消除风险 · Resolve a risk event",
    request_body(content = ResolveInput, description = "`{date}`。 When."),
    responses((status = 200, description = "已消除的事件。 The event, resolved.", body = RiskEventRecord))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/exit-assessment",
    tag = "assessment",
    operation_id = "exitAssessment",
    summary = "退出评估 · Exit assessment",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "各项退出标准是否达到。 Whether each exit criterion is met.", body = ExitAssessmentReport))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/households/{id}/cases",
    tag = "assessment",
    operation_id = "householdCases",
    summary = "户的程序案件 · A household's procedure cases",
    responses((status = 200, description = "案件列表。 The cases.", body = [ProcedureCase]))
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StartCase {
    kind: ProcedureKind,
    /// The exit year (for an exit); for monitoring, the year the case belongs to.
    year: i32,
    date: Date,
}

#[utoipa::path(
    post,
    path = "/api/v1/households/{id}/cases",
    tag = "assessment",
    operation_id = "startCase",
    summary = "发起识别或退出程序 · Start a procedure",
    request_body(content = StartCase, description = "`{kind, year, date}`。 The procedure."),
    responses((status = 201, description = "新案件。 The new case.", body = ProcedureCase))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "assessment",
    operation_id = "getCase",
    summary = "程序案件 · A procedure case",
    responses((status = 200, description = "案件及各步骤。 The case and its steps.", body = ProcedureCase))
)]
async fn case(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<ProcedureCase>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.case(&ctx, p.id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/actions",
    tag = "assessment",
    operation_id = "caseAction",
    summary = "程序步骤 · A procedure step",
    request_body(content = CaseActionInput, description = "`{action, date, …}`（评议、公示、审核、审批）。 The step (review, publicity, checks, approval)."),
    responses((status = 200, description = "案件当前状态。 The case as stored.", body = ProcedureCase))
)]
async fn case_action(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(a): Json<CaseActionInput>,
) -> ApiResult<Json<ProcedureCase>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(app.store.case_action(&ctx, p.id, a).await?))
}

/// A region's filter of its cases from the query (`kind`, `open`).
pub(crate) fn case_filter(params: &Params) -> ApiResult<CaseFilter> {
    Ok(CaseFilter {
        kind: params.choice(
            "kind",
            ProcedureKind::parse,
            "exit、identification、elimination",
        )?,
        open: params.flag("open")?,
        descending: params
            .choice(
                "sort",
                |s| match s {
                    "village" => Some(false),
                    "-village" => Some(true),
                    _ => None,
                },
                "village、-village",
            )?
            .unwrap_or(false),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/cases",
    tag = "assessment",
    operation_id = "regionCases",
    summary = "区域的程序案件 · A region's procedure cases",
    params(("kind" = Option<String>, Query, description = "程序：exit、identification、elimination。 The procedure."), ("open" = Option<bool>, Query, description = "为 true 时只列未办结的。 true lists the open cases only."), ("after" = Option<String>, Query, description = "上一页的 next：其后的一页（按村、案件编号）。 The previous page's `next`: the page after it (by village, case id)."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50)."), ("sort" = Option<String>, Query, description = "排序：village（按村、编号，默认）或 -village（倒序）。 The order: village (by village and id, the default) or -village (backwards).")),
    responses((status = 200, description = "`{items, next}`：案件（按村、编号），下一页的 after。 `{items, next}`: the cases by village and id, and the next page's `after`.", body = fupin_core::paging::Listing<ProcedureCase>))
)]
async fn region_cases(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<fupin_core::paging::Listing<ProcedureCase>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["kind", "open", "after", "per_page", "sort"])?;
    let filter = case_filter(&params)?;
    let page = params.keyset()?;
    Ok(Json(
        app.store
            .region_cases(&ctx, &code, filter, &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/incidence",
    tag = "assessment",
    operation_id = "incidence",
    summary = "贫困发生率 · Poverty incidence",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "发生率及其分子分母。 The incidence with its numerator and denominator.", body = IncidenceReport))
)]
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

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/warnings",
    tag = "assessment",
    operation_id = "warnings",
    summary = "监测预警 · Monitoring warnings",
    params(("year" = i32, Query, description = "年度。 The year."), ("after" = Option<String>, Query, description = "上一页的 next：其后的一页（按村、户）。 The previous page's `next`: the page after it (by village, household)."), ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50)."), ("sort" = Option<String>, Query, description = "排序：village（按村、户，默认）或 -village（倒序）。 The order: village (by village and household, the default) or -village (backwards).")),
    responses((status = 200, description = "`{items, next}`：预警户（按村、户），下一页的 after。 `{items, next}`: the households warned about, by village and household, and the next page's `after`.", body = fupin_core::paging::Listing<WarningRow>))
)]
async fn warnings(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<fupin_core::paging::Listing<WarningRow>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["year", "after", "per_page", "sort"])?;
    let year = year_param(&params)?;
    let page = params.keyset()?.backwards(params.sort("village")?);
    Ok(Json(
        app.store
            .early_warnings(&ctx, &code, year, &page)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// Screen every household of the region for the year now and return the refreshed list.
#[utoipa::path(
    post,
    path = "/api/v1/regions/{code}/screening",
    tag = "assessment",
    operation_id = "screening",
    summary = "重新筛查 · Screen again",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "刷新后的预警户。 The refreshed warnings.", body = [WarningRow]))
)]
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

/// `?year=Y[&line_fen=L][&config=NAME][&k=K]`: H, FGT P1 and P2, Watts, Sen, Gini and the
/// counting (Alkire–Foster) measure of a configuration kept as the parameter `mpi.NAME`.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/measures",
    tag = "assessment",
    operation_id = "measures",
    summary = "贫困测度 · Poverty measures",
    description = "一维测度（H、FGT、Watts、Sen、Gini）与多维贫困（Alkire–Foster）测度。多维测度的维度、指标、剥夺临界值、权重和 k 是参数 `mpi.<配置名>`（按地区和年度，同其他标准参数，经 PUT /api/v1/parameters 设置）；内置 `basic_needs`（两不愁三保障，默认）和 `global_mpi`（全球MPI结构）。缺失值不计为被剥夺：只对全部指标均有记录的人（完整个案）计算，各指标报告有记录的人数（observed）。M1、M2 仅在全部指标为基数指标时给出。\n\nOne-dimensional measures and the counting (Alkire–Foster) measure. Its dimensions, indicators, cut-offs, weights and k are the parameter `mpi.<name>` (by region and year like every standard, set with PUT /api/v1/parameters); shipped: `basic_needs` (两不愁三保障, the default) and `global_mpi` (the global MPI's structure). Missing values never count as deprivations: the measure is computed on the persons observed in every indicator (complete cases), and each indicator reports how many persons it was observed for. M1 and M2 only when every indicator is cardinal.",
    params(
        ("year" = i32, Query, description = "年度。 The year."),
        ("line_fen" = Option<i64>, Query, description = "贫困线（分/人/年）；省略时用当年标准。 The poverty line (fen per person-year); the year's standard when absent."),
        ("config" = Option<String>, Query, description = "多维测度配置名（参数 mpi.<名>），默认 basic_needs。 The counting configuration (parameter mpi.<name>), default basic_needs."),
        ("k" = Option<String>, Query, description = "贫困临界值 k（如 1/3 或 0.5），默认用配置中的 k。 The poverty cut-off k (e.g. 1/3 or 0.5); the configuration's by default.")
    ),
    responses((status = 200, description = "H、FGT P1/P2、Watts、Sen、Gini 与 Alkire–Foster 测度（H、A、M0、M1、M2、各指标截断贫困率与贡献率）。 H, FGT P1/P2, Watts, Sen, Gini and the Alkire–Foster measure (H, A, M0, M1, M2, censored headcount ratios and contributions per indicator).", body = MeasuresReport))
)]
async fn measures(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<MeasuresReport>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year", "line_fen", "config", "k"])?;
    let year = year_param(&params)?;
    let query = MeasuresQuery {
        line_fen: params.int::<i64>("line_fen")?,
        config: params.text("config", 50)?,
        k: params
            .text("k", 30)?
            .map(|k| counting::parse_k("k", &k))
            .transpose()
            .map_err(ApiError::from_query)?,
    };
    Ok(Json(
        app.store
            .measures(&ctx, &code, year, &query)
            .await
            .map_err(ApiError::from_query)?,
    ))
}
