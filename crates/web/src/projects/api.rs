//! Projects and funds over HTTP: entering, changing and reading projects of the library, their
//! lifecycle actions, monthly progress and history; a region's projects; fund sources, their
//! allocation to projects, receipts and disbursements, and a project's money.

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
use fupin_core::store::ProjectDetail;
use fupin_core::DomainError;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/projects", create_project)
        .get("/api/v1/projects/{id}", project)
        .put("/api/v1/projects/{id}", update_project)
        .get("/api/v1/projects/{id}/history", project_history)
        .post("/api/v1/projects/{id}/actions", project_action)
        .post("/api/v1/projects/{id}/progress", project_progress)
        .get("/api/v1/projects/{id}/funds", project_funds)
        .get("/api/v1/regions/{code}/projects", region_projects)
        .post("/api/v1/fund-sources", create_fund_source)
        .get("/api/v1/regions/{code}/fund-sources", region_fund_sources)
        .post("/api/v1/allocations", allocate)
        .post("/api/v1/allocations/{id}/receipts", receive)
        .post("/api/v1/allocations/{id}/disbursements", disburse)
        .get("/api/v1/regions/{code}/funds-report", funds_report)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_project,
    project,
    update_project,
    project_history,
    project_action,
    project_progress,
    project_funds,
    region_projects,
    create_fund_source,
    region_fund_sources,
    allocate,
    receive,
    disburse,
    funds_report
))]
pub(crate) struct Doc;

#[utoipa::path(
    post,
    path = "/api/v1/projects",
    tag = "projects",
    operation_id = "createProject",
    summary = "申报项目 · Propose a project",
    request_body(content = ProjectInput, description = "`{village_code, name, category, year, planned_start, planned_end, responsible_unit, responsible_person, content, budget_fen, targets, beneficiaries?, participation?, proposed_on?}`；绩效目标必填。 The project; performance targets are required."),
    responses((status = 201, description = "新项目及其流程（村级申报）。 The new project at the village proposal.", body = ProjectDetail))
)]
async fn create_project(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<ProjectInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_project(&ctx, p).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}",
    tag = "projects",
    operation_id = "getProject",
    summary = "项目 · A project",
    responses((status = 200, description = "项目、流程及月度进度。 The project with its lifecycle and monthly progress.", body = ProjectDetail))
)]
async fn project(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<ProjectDetail>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.project(&ctx, ProjectId(p.id)).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/projects/{id}",
    tag = "projects",
    operation_id = "updateProject",
    summary = "修改项目 · Change a project",
    request_body(content = ProjectInput, description = "项目内容（同申报）；仅村级申报或退回后可改。 The project as when proposed; only while a proposal."),
    responses((status = 200, description = "修改后的项目。 The project as stored.", body = ProjectDetail))
)]
async fn update_project(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(input): Json<ProjectInput>,
) -> ApiResult<Json<ProjectDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .update_project(&ctx, ProjectId(p.id), input)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/history",
    tag = "projects",
    operation_id = "projectHistory",
    summary = "项目的历史 · A project's history",
    responses((status = 200, description = "各版本，早的在前。 Its versions, oldest first.", body = [ProjectVersion]))
)]
async fn project_history(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<Vec<ProjectVersion>>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(
        app.store.project_history(&ctx, ProjectId(p.id)).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/projects/{id}/actions",
    tag = "projects",
    operation_id = "projectAction",
    summary = "项目流程步骤 · A lifecycle step",
    request_body(content = ProjectActionInput, description = "`{date, action: complete | reject | record_objection | resolve_objection, note?, reason?, text?, objection_id?, resolution?}`"),
    responses((status = 200, description = "项目及其流程。 The project with its lifecycle.", body = ProjectDetail))
)]
async fn project_action(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(a): Json<ProjectActionInput>,
) -> ApiResult<Json<ProjectDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let action = a.to_action()?;
    Ok(Json(
        app.store
            .project_action(&ctx, ProjectId(p.id), action, a.date)
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/projects/{id}/progress",
    tag = "projects",
    operation_id = "projectProgress",
    summary = "报送月度进度 · Report a month's progress",
    request_body(content = ProgressInput, description = "`{month: YYYY-MM-01, percent, spent_fen?, note?}`"),
    responses((status = 200, description = "项目及其进度。 The project with its progress.", body = ProjectDetail))
)]
async fn project_progress(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(input): Json<ProgressInput>,
) -> ApiResult<Json<ProjectDetail>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store
            .project_progress(&ctx, ProjectId(p.id), input)
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/projects/{id}/funds",
    tag = "projects",
    operation_id = "projectFunds",
    summary = "项目资金 · A project's funds",
    responses((status = 200, description = "下达、到账与支付明细及合计（分）。 Allocations, receipts and disbursements with their sums (fen).", body = ProjectFunds))
)]
async fn project_funds(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<ProjectFunds>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.project_funds(&ctx, ProjectId(p.id)).await?))
}

fn query_error(e: DomainError) -> ApiError {
    ApiError::from_query(e)
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/projects",
    tag = "projects",
    operation_id = "regionProjects",
    summary = "区划的项目库 · A region's projects",
    params(
        ("year" = Option<i32>, Query, description = "项目年度。 The project's year."),
        ("category" = Option<String>, Query, description = "项目类别（代码或中文）。 The category (code or Chinese label)."),
        ("stage" = Option<String>, Query, description = "流程环节。 The lifecycle stage."),
        ("overdue_on" = Option<String>, Query, description = "只列出到该日已过计划完成日期而未验收的项目。 Only projects past their planned end on this day and not accepted."),
        ("after" = Option<String>, Query, description = "上一页的 next：其后的一页。 The previous page's `next`: the page after it."),
        ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Items per page (1–500, default 50)."),
        ("sort" = Option<String>, Query, description = "排序：village（按村、编号，默认）或 -village（倒序）。 The order: village (by village and id, the default) or -village (backwards).")
    ),
    responses((status = 200, description = "`{items, next}`：项目（按村、编号），下一页的 after。 `{items, next}`: the projects, by village then id, and the next page's `after`.", body = fupin_core::paging::Listing<Project>))
)]
async fn region_projects(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<fupin_core::paging::Listing<Project>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&[
        "year",
        "category",
        "stage",
        "overdue_on",
        "after",
        "per_page",
        "sort",
    ])?;
    let page = params.keyset()?.backwards(params.sort("village")?);
    let category = match params.text("category", 20)? {
        None => None,
        Some(c) => Some(Category::parse(&c).ok_or_else(|| {
            query_error(DomainError::invalid(
                "category",
                "unknown_project_category",
                format!("category 的取值“{c}”不是项目类别（基础设施、产业、集体经济、就业、教育、健康、住房、其他）"),
            ))
        })?),
    };
    let stage = match params.text("stage", 40)? {
        None => None,
        Some(s) => Some(Stage::parse(&s).ok_or_else(|| {
            query_error(DomainError::invalid(
                "stage",
                "unknown_stage",
                format!("stage 的取值“{s}”不是项目流程环节"),
            ))
        })?),
    };
    let overdue_on = match params.text("overdue_on", 10)? {
        None => None,
        Some(t) => Some(fupin_core::years::parse_date("overdue_on", &t).map_err(query_error)?),
    };
    let filter = ProjectFilter {
        year: params.int("year")?,
        category,
        stage,
        overdue_on,
    };
    Ok(Json(
        app.store
            .projects(&ctx, &code, filter, &page)
            .await
            .map_err(query_error)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/fund-sources",
    tag = "projects",
    operation_id = "createFundSource",
    summary = "登记资金来源 · Record a fund source",
    request_body(content = FundSourceInput, description = "`{region_code, year, kind, name, document?, amount_fen, date}`"),
    responses((status = 201, description = "资金来源。 The fund source.", body = FundSource))
)]
async fn create_fund_source(
    caller: Caller,
    State(app): State<AppState>,
    Json(s): Json<FundSourceInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_fund_source(&ctx, s).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/fund-sources",
    tag = "projects",
    operation_id = "regionFundSources",
    summary = "区划的资金来源 · A region's fund sources",
    params(("year" = Option<i32>, Query, description = "年度。 The year.")),
    responses((status = 200, description = "该区划及下辖区划的资金来源及已下达金额。 The sources held in the region and below, with what was allocated.", body = [FundSource]))
)]
async fn region_fund_sources(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<FundSource>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    Ok(Json(
        app.store
            .fund_sources(&ctx, &code, params.int("year")?)
            .await
            .map_err(query_error)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/allocations",
    tag = "projects",
    operation_id = "allocate",
    summary = "下达资金 · Allocate funds to a project",
    request_body(content = AllocationInput, description = "`{source_id, project_id, amount_fen, date, document?}`；不得超过来源余额。 Not beyond what is left of the source."),
    responses((status = 201, description = "下达记录。 The allocation.", body = Allocation))
)]
async fn allocate(
    caller: Caller,
    State(app): State<AppState>,
    Json(a): Json<AllocationInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.allocate(&ctx, a).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/allocations/{id}/receipts",
    tag = "projects",
    operation_id = "receiveFunds",
    summary = "登记资金到账 · Record money received",
    request_body(content = ReceiptInput, description = "`{amount_fen, date, note?}`；不得超过下达金额。 Not beyond the allocation."),
    responses((status = 201, description = "下达记录及其合计。 The allocation with its sums.", body = Allocation))
)]
async fn receive(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(r): Json<ReceiptInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.receive(&ctx, AllocationId(p.id), r).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/allocations/{id}/disbursements",
    tag = "projects",
    operation_id = "disburseFunds",
    summary = "登记资金支付 · Record a disbursement",
    request_body(content = DisbursementInput, description = "`{payee, household_id?, amount_fen, date, voucher, attachment?}`；不得超过已到账金额，验收后不得支付。 Not beyond what was received, nor after acceptance."),
    responses((status = 201, description = "下达记录及其合计。 The allocation with its sums.", body = Allocation))
)]
async fn disburse(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(d): Json<DisbursementInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.disburse(&ctx, AllocationId(p.id), d).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A `from`/`to` query value: a date (`YYYY-MM-DD`) or a year (`YYYY`: 1 January for `from`,
/// 31 December for `to`).
fn period_end(params: &Params, name: &str) -> ApiResult<time::Date> {
    let text = params.text(name, 10)?.ok_or_else(|| {
        ApiError::from_query(DomainError::invalid(
            name,
            "required",
            format!("{name} 不能为空"),
        ))
    })?;
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = text.parse().unwrap_or(0);
        let d = if name == "from" {
            time::Date::from_calendar_date(y, time::Month::January, 1)
        } else {
            time::Date::from_calendar_date(y, time::Month::December, 31)
        };
        return d.map_err(|_| {
            ApiError::from_query(DomainError::invalid(
                name,
                "invalid_year",
                format!("{name} 不是有效年度：{text}"),
            ))
        });
    }
    fupin_core::years::parse_date(name, &text).map_err(ApiError::from_query)
}

/// `?from=YYYY-01-01&to=YYYY-12-31` (whole years; `from=2016&to=2019` says the same). `format=xlsx`
/// or `csv` gives the report as a sheet.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/funds-report",
    tag = "projects",
    operation_id = "fundsReport",
    summary = "项目资金报表 · Funds report",
    params(
        ("from" = String, Query, description = "起始日，须为1月1日（YYYY-01-01），或年度 YYYY。 First day, a 1 January (YYYY-01-01), or a year."),
        ("to" = String, Query, description = "截止日，须为12月31日（YYYY-12-31），或年度 YYYY。 Last day, a 31 December, or a year."),
        ("format" = Option<String>, Query, description = "json（默认）、xlsx（标题行、合并表头，按部分分块）或 csv（每行一个指标）。 `json` (default), `xlsx` (title row, merged headers, one block per part) or `csv` (one figure a line).")
    ),
    responses((status = 200, description = "资金按来源（来源按年度；下达、到账、支付按办理日期）、期间年度项目按类别和阶段（计划投资、已下达、已到账、已支付、支付进度）、逾期未验收项目（个数及最早的20个）、资产（期末存量）及期间收益、各年分红户数与户均；由随每次写入维护的汇总得出。 Funds by source, the period's projects by category and stage, the overdue ones, assets and their income, dividends per household by year; from figures kept with every write.", content((FundsReport = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))))
)]
async fn funds_report(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Response> {
    use axum::http::{header, HeaderValue};
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["from", "to", "format"])?;
    let (from, to) = (period_end(&params, "from")?, period_end(&params, "to")?);
    let format = params.choice(
        "format",
        |s| match s.trim() {
            "json" => Some(None),
            "xlsx" => Some(Some("xlsx")),
            "csv" => Some(Some("csv")),
            _ => None,
        },
        "json、xlsx、csv",
    )?;
    let report = app
        .store
        .funds_report(&ctx, &code, from, to)
        .await
        .map_err(ApiError::from_query)?;
    let Some(ext) = format.flatten() else {
        return Ok(Json(report).into_response());
    };
    let region = app
        .store
        .region(&ctx, &code)
        .await
        .map_err(ApiError::from_query)?;
    let name = &region.region.name;
    let (bytes, content_type) = if ext == "xlsx" {
        (
            fupin_io::projects::report::funds_report_xlsx(&report, name)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    } else {
        (
            fupin_io::projects::report::funds_report_csv(&report, name),
            "text/csv; charset=utf-8",
        )
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"funds-report-{}-{}-{}.{ext}\"",
        code.as_str(),
        report.from_year,
        report.to_year
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
