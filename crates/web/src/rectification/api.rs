//! Rectification's JSON API: problems (list, record, read with their trail, take a step),
//! campaigns (list, create, read with progress), the rectification view of a region and its
//! ledger (整改台账, XLSX or CSV), and the data-quality rules (list, run).

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{Json, RawBody};
use crate::params::{IdPath, Params, Path, RegionPath};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::rectification::*;
use fupin_core::registry::HouseholdId;
use fupin_core::years::{parse_date, today};
use serde::Deserialize;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/problems", problems)
        .post("/api/v1/problems", create_problem)
        .get("/api/v1/problems/{id}", problem)
        .post("/api/v1/problems/{id}/steps", problem_step)
        .post(
            "/api/v1/problems/{id}/trail/{seq}/attachments",
            add_attachment,
        )
        .get("/api/v1/problem-attachments/{id}", attachment)
        .get("/api/v1/campaigns", campaigns)
        .post("/api/v1/campaigns", create_campaign)
        .get("/api/v1/campaigns/{id}", campaign)
        .get("/api/v1/regions/{code}/rectification", board)
        .get("/api/v1/regions/{code}/rectification-ledger", ledger)
        .get("/api/v1/quality-rules", quality_rules)
        .post("/api/v1/quality-rules/run", run_checks)
        .post_with_limit(
            "/api/v1/comparisons",
            start_comparison,
            crate::jobs::UPLOAD_LIMIT,
        )
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    problems,
    create_problem,
    problem,
    problem_step,
    add_attachment,
    attachment,
    campaigns,
    create_campaign,
    campaign,
    board,
    ledger,
    quality_rules,
    run_checks,
    start_comparison
))]
pub(crate) struct Doc;

/// The list's filters from the query string.
pub(crate) fn filter(params: &Params) -> ApiResult<ProblemFilter> {
    params.only(&[
        "region",
        "status",
        "campaign",
        "source",
        "responsible_unit",
        "overdue",
        "escalated_to",
        "household",
        "after",
        "per_page",
        "sort",
    ])?;
    Ok(ProblemFilter {
        region: params.region("region")?,
        status: params.choice(
            "status",
            ProblemStatus::parse,
            "open、in_progress、close_requested、closed",
        )?,
        campaign: params.int::<i64>("campaign")?.map(CampaignId),
        source: params.choice(
            "source",
            Source::parse,
            "inspection、audit、patrol、self_check、complaint、rule、comparison",
        )?,
        responsible_unit: params.text("responsible_unit", 100)?,
        overdue: params.flag("overdue")?,
        escalated_to: params.region("escalated_to")?,
        household: params.int::<i64>("household")?.map(HouseholdId),
        after: params.int::<i64>("after")?.map(ProblemId),
        limit: params.int::<u32>("per_page")?.unwrap_or(50).clamp(1, 500),
        descending: params.sort("id")?,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/problems",
    tag = "rectification",
    operation_id = "listProblems",
    summary = "问题清单 · Problems",
    params(
        ("region" = Option<String>, Query, description = "区划代码（含下辖）。 A region and everything below it."),
        ("status" = Option<String>, Query, description = "open（待整改）、in_progress（整改中）、close_requested（待销号）、closed（已销号）。 Status."),
        ("campaign" = Option<i64>, Query, description = "整改行动。 A campaign's id."),
        ("source" = Option<String>, Query, description = "问题来源。 Source (inspection, audit, patrol, self_check, complaint, rule, comparison)."),
        ("responsible_unit" = Option<String>, Query, description = "责任单位。 Responsible unit."),
        ("overdue" = Option<bool>, Query, description = "只看逾期未销号的。 Only overdue problems."),
        ("escalated_to" = Option<String>, Query, description = "上报到该区划督办的。 Escalated to this region."),
        ("household" = Option<i64>, Query, description = "某户的问题。 A household's problems."),
        ("after" = Option<i64>, Query, description = "翻页游标（上一页的 next）。 Cursor: the previous page's `next`."),
        ("per_page" = Option<u32>, Query, description = "每页条数（1–500，默认 50）。 Page size."),
        ("sort" = Option<String>, Query, description = "排序：id（按编号，默认）或 -id（最新在前）。 The order: id (the default) or -id (newest first).")
    ),
    responses((status = 200, description = "问题及下一页游标。 The problems and the next page's cursor.", body = ProblemPage))
)]
async fn problems(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<ProblemPage>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    let f = filter(&params)?;
    Ok(Json(
        app.store
            .problems(&ctx, &f)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/problems",
    tag = "rectification",
    operation_id = "createProblem",
    summary = "登记问题 · Record a problem",
    request_body(content = ProblemInput, description = "`{region_code 或 household_id, source, description, category, severity, responsible_unit, found_on, deadline, …}`。 The problem."),
    responses((status = 201, description = "新问题（待整改）。 The new problem, open.", body = Problem))
)]
async fn create_problem(
    caller: Caller,
    State(app): State<AppState>,
    Json(p): Json<ProblemInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_problem(&ctx, p).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/problems/{id}",
    tag = "rectification",
    operation_id = "getProblem",
    summary = "问题及其整改过程 · A problem with its trail",
    responses((status = 200, description = "问题和每一步（时间、办理人、说明）。 The problem and every step (when, who, note).", body = ProblemDetail))
)]
async fn problem(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<ProblemDetail>> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    Ok(Json(app.store.problem(&ctx, ProblemId(p.id)).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/problems/{id}/steps",
    tag = "rectification",
    operation_id = "problemStep",
    summary = "办理问题：进展、申请销号、核验销号、退回、重新打开 · Take a step on a problem",
    request_body(content = StepInput, description = "`{action: progress | request_close | sign_off | reject | reopen, note?, measures?}`；销号须由申请人以外的人员核验。 The step; sign-off needs someone other than the requester."),
    responses((status = 200, description = "办理后的问题。 The problem after the step.", body = Problem))
)]
async fn problem_step(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
    Json(step): Json<StepInput>,
) -> ApiResult<Json<Problem>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    Ok(Json(
        app.store.problem_step(&ctx, ProblemId(p.id), step).await?,
    ))
}

/// `/api/v1/problems/{id}/trail/{seq}/attachments`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct StepPath {
    id: i64,
    seq: i32,
}

/// The file is the raw request body, its name in `name`; checked by content (JPEG or PNG photos,
/// stored as a visit's photo is; PDF documents as sent), not by the name or the declared type.
#[utoipa::path(
    post,
    path = "/api/v1/problems/{id}/trail/{seq}/attachments",
    tag = "rectification",
    operation_id = "addProblemAttachment",
    summary = "为整改进展附加文件 · Attach a file to a progress note",
    params(
        ("seq" = i32, Path, description = "整改过程中的步骤序号（整改进展或申请销号，须为本人填写）。 The step of the trail (a progress note or close-out request the caller wrote)."),
        ("name" = Option<String>, Query, description = "文件名（按内容补全扩展名）。 The file's name (its extension is set from the content).")
    ),
    request_body(content(("image/jpeg"), ("image/png"), ("application/pdf")), description = "文件原始字节，最多 2,000,000 字节：JPEG、PNG 照片（按走访照片的规则检查并重新编码）或 PDF 文件；每条进展最多 10 个；已销号的问题不能再附加（problem_closed）。 The file's bytes, at most 2,000,000: a JPEG or PNG photo (checked and encoded again as a visit's photo is) or a PDF; at most 10 per note; none once the problem is signed off (problem_closed)."),
    responses((status = 201, description = "附件记录。 The attachment.", body = fupin_core::rectification::AttachmentRef))
)]
async fn add_attachment(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<StepPath>,
    params: Params,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    params.only(&["name"])?;
    let name = params.text("name", 200)?.unwrap_or_default();
    let a = app
        .store
        .add_problem_attachment(&ctx, ProblemId(p.id), p.seq, &name, body.to_vec())
        .await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/problem-attachments/{id}",
    tag = "rectification",
    operation_id = "getProblemAttachment",
    summary = "整改附件 · A file of a problem's trail",
    responses((status = 200, description = "文件字节：照片可直接显示，PDF 作为下载。 The file: photos shown inline, PDFs as a download.", content(("image/jpeg"), ("image/png"), ("application/pdf"))))
)]
async fn attachment(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    let (a, bytes) = app.store.problem_attachment(&ctx, p.id).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let disposition = crate::jobs::content_disposition(&a.file_name);
    let disposition = if shown_inline(&a.content_type) {
        disposition.replacen("attachment", "inline", 1)
    } else {
        disposition
    };
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // evidence about households is personal: never cached by a shared proxy, never sniffed
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(res)
}

#[utoipa::path(
    get,
    path = "/api/v1/campaigns",
    tag = "rectification",
    operation_id = "listCampaigns",
    summary = "整改行动 · Campaigns",
    params(("region" = Option<String>, Query, description = "与该区划相关的。 Those overlapping this region.")),
    responses((status = 200, description = "整改行动列表。 The campaigns.", body = [Campaign]))
)]
async fn campaigns(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
) -> ApiResult<Json<Vec<Campaign>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["region"])?;
    let region = params.region("region")?;
    Ok(Json(app.store.campaigns(&ctx, region.as_ref()).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/campaigns",
    tag = "rectification",
    operation_id = "createCampaign",
    summary = "新建整改行动 · Create a campaign",
    request_body(content = CampaignInput, description = "`{name, region_code, start_date, end_date, description?}`。 The campaign."),
    responses((status = 201, description = "新整改行动。 The new campaign.", body = Campaign))
)]
async fn create_campaign(
    caller: Caller,
    State(app): State<AppState>,
    Json(c): Json<CampaignInput>,
) -> ApiResult<Response> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let out = app.store.create_campaign(&ctx, c).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{id}",
    tag = "rectification",
    operation_id = "getCampaign",
    summary = "整改行动及其进度 · A campaign with its progress",
    responses((status = 200, description = "按下级区划和责任单位统计的发现、整改中、已销号、逾期数。 Found, in progress, signed off and overdue per child region and responsible unit.", body = CampaignDetail))
)]
async fn campaign(
    caller: Caller,
    State(app): State<AppState>,
    Path(p): Path<IdPath>,
) -> ApiResult<Json<CampaignDetail>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.campaign(&ctx, CampaignId(p.id)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/rectification",
    tag = "rectification",
    operation_id = "rectificationBoard",
    summary = "整改挂图：按下级区划和责任单位 · The rectification view of a region",
    params(
        ("campaign" = Option<i64>, Query, description = "只统计某一整改行动。 One campaign only."),
        ("as_of" = Option<String>, Query, description = "按该日计算逾期（默认今天）。 The day overdue is counted on (today by default).")
    ),
    responses((status = 200, description = "合计、各下级区划、各责任单位的发现、整改中、已销号、逾期数，及上报本级督办的问题数。 Totals, per child region and per unit, and the problems escalated to this region.", body = RectificationBoard))
)]
async fn board(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<RectificationBoard>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["campaign", "as_of"])?;
    let campaign = params.int::<i64>("campaign")?.map(CampaignId);
    let as_of = match params.text("as_of", 10)? {
        Some(t) => parse_date("as_of", &t).map_err(ApiError::from_query)?,
        None => today(),
    };
    Ok(Json(
        app.store
            .rectification_board(&ctx, &code, campaign, as_of)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/rectification-ledger",
    tag = "rectification",
    operation_id = "rectificationLedger",
    summary = "整改台账 · The rectification ledger",
    params(
        ("campaign" = Option<i64>, Query, description = "只导出某一整改行动的问题。 One campaign only."),
        ("format" = Option<String>, Query, description = "xlsx（默认）或 csv。 `xlsx` (default) or `csv`.")
    ),
    responses((status = 200, description = "每个问题一行：来源、内容、措施、责任单位和责任人、时限、状态、销号日期。 One row per problem: source, content, measures, responsible, deadline, status, sign-off.", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))))
)]
async fn ledger(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Response> {
    use axum::http::{header, HeaderValue};
    use fupin_io::source::FileFormat;
    let ctx = caller.ctx(Policy::ReadRegistry)?;
    params.only(&["campaign", "format"])?;
    let campaign = params.int::<i64>("campaign")?.map(CampaignId);
    let format = params
        .choice("format", FileFormat::parse, "xlsx、csv")?
        .unwrap_or(FileFormat::Xlsx);
    if !ctx.scope.allows(&code) {
        return Err(ApiError::from_query(fupin_core::DomainError::not_found(
            "region_not_found",
            format!("区划 {} 不存在或不在您的管辖范围内", code.as_str()),
        )));
    }
    let internal = |_| ApiError::from(fupin_core::DomainError::internal());
    let dir = tempfile::tempdir().map_err(internal)?;
    let path = dir.path().join("ledger");
    fupin_io::rectification::ledger::write_ledger(
        app.store.as_ref(),
        &ctx,
        &code,
        campaign,
        &path,
        format,
    )
    .await
    .map_err(|e| match e {
        fupin_io::export::ExportError::Store(e) => ApiError::from_query(e),
        _ => ApiError::from(fupin_core::DomainError::internal()),
    })?;
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
        "attachment; filename=\"rectification-ledger-{}.{ext}\"",
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

/// The rules are reference data, bound to no region: every signed-in user reads them.
#[utoipa::path(
    get,
    path = "/api/v1/quality-rules",
    tag = "rectification",
    operation_id = "qualityRules",
    summary = "数据质量规则 · Data-quality rules",
    responses((status = 200, description = "规则（代码、说明、严重程度、参数、是否启用）。 The rules: code, description, severity, parameters, enabled.", body = [QualityRule]))
)]
async fn quality_rules(
    caller: Caller,
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<QualityRule>>> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    Ok(Json(app.store.quality_rules(&ctx).await?))
}

/// What a run of the checks is asked for.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RunInput {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    as_of: Option<time::Date>,
}

#[utoipa::path(
    post,
    path = "/api/v1/quality-rules/run",
    tag = "rectification",
    operation_id = "runQualityRules",
    summary = "运行数据质量规则并上报逾期问题 · Run the data-quality rules and escalate overdue problems",
    request_body(content = RunInput, description = "`{region?, as_of?}`：在您的管辖范围内（或其中某区划）按某日运行。 Within your regions (or one of them), as of a day (today by default)."),
    responses((status = 200, description = "各规则发现、新增、重开、自动销号的数目，及上报督办数。 Per rule: findings, created, reopened, closed; and escalations.", body = CheckRun))
)]
async fn run_checks(
    caller: Caller,
    State(app): State<AppState>,
    Json(input): Json<RunInput>,
) -> ApiResult<Json<CheckRun>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let region = input
        .region
        .as_deref()
        .map(|c| fupin_core::RegionCode::parse_field("region", c))
        .transpose()?;
    let as_of = input.as_of.unwrap_or_else(today);
    Ok(Json(
        app.store.run_checks(&ctx, region.as_ref(), as_of).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/comparisons",
    tag = "rectification",
    operation_id = "startComparison",
    summary = "比对部门名单 · Compare a department's list",
    params(
        ("list" = String, Query, description = "名单类型：deaths（死亡人员）、dibao（低保/特困）、disability（残疾人证）、medical（医疗自付费用）、vehicles（车辆）、enterprises（企业）、housing（房产）、students（在校学生）、employment（就业参保）。 The list's type."),
        ("format" = Option<String>, Query, description = "csv 或 xlsx。 csv or xlsx."),
        ("encoding" = Option<String>, Query, description = "utf-8、gbk 或 gb18030。 The text encoding."),
        ("dry_run" = Option<bool>, Query, description = "只检查名单，不比对。 Check the file only."),
        ("partial" = Option<bool>, Query, description = "跳过有错的行，比对其余。 Skip faulty rows, compare the rest.")
    ),
    request_body(content_type = "multipart/form-data", description = "`file` 字段为名单文件（按身份证号，XLSX 或 CSV，可有标题行，GBK 亦可）。 The list in the `file` field."),
    responses((status = 202, description = "比对任务已开始，地址见 Location；完成后任务的 summary.comparison 为比中、未比中（含管辖范围外）与标记的人数。 The job started; when done its summary's `comparison` has the counts.", body = crate::jobs::JobView))
)]
async fn start_comparison(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    req: axum::extract::Request,
) -> ApiResult<Response> {
    caller.ctx(Policy::WriteRegistry)?;
    params.only(&["list", "format", "encoding", "dry_run", "partial"])?;
    let names: Vec<&str> = ListKind::ALL.iter().map(|k| k.as_str()).collect();
    let list = params
        .choice("list", ListKind::parse, &names.join("、"))?
        .ok_or_else(|| {
            ApiError::bad_request("missing_parameter", "缺少查询参数 list（名单类型）")
                .with_field("list")
        })?;
    let kind = fupin_io::Kind::COMPARE_LISTS
        .into_iter()
        .find(|k| k.compare_list() == Some(list))
        .ok_or_else(|| ApiError::internal(&"no import kind for a list type"))?;
    let mut pairs: Vec<(String, String)> = params
        .into_pairs()
        .into_iter()
        .filter(|(n, _)| n != "list")
        .collect();
    pairs.push(("kind".into(), kind.as_str().into()));
    let job = crate::jobs::import_job(&caller, &app, pairs, req).await?;
    Ok(crate::jobs::accepted(&job))
}
