//! Region statistics for a year from the maintained aggregates, optionally compared with another
//! year; the work summary (帮扶工作总结) of a region and period as JSON, Markdown, HTML or DOCX.

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
        .get("/api/v1/regions/{code}/summary", summary)
        .post("/api/v1/regions/{code}/summary/snapshots", create_snapshot)
        .get("/api/v1/regions/{code}/summary/snapshots", region_snapshots)
        .get("/api/v1/snapshots/{id}", snapshot)
        .get("/api/v1/regions/{code}/tables/registry", registry_table)
        .get("/api/v1/regions/{code}/tables/pairing", pairing_table)
        .get("/api/v1/regions/{code}/tables/measures", measures_table)
        .get("/api/v1/regions/{code}/tables/funds", funds_table)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    stats,
    summary,
    create_snapshot,
    region_snapshots,
    snapshot,
    registry_table,
    pairing_table,
    measures_table,
    funds_table
))]
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
    responses((status = 200, description = "户数、人数、收入等统计。 Households, people, incomes and more.", body = RegionStats))
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

/// `?from=DATE&to=DATE[&unit=NAME][&format=json|md|html|docx]`.
#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/summary",
    tag = "reports",
    operation_id = "regionSummary",
    summary = "帮扶工作总结 · Work summary",
    description = "由数据写成的工作总结：概况、结对帮扶和走访、帮扶措施、项目资金、集体经济、收入和脱贫、问题整改；没有数据的部分不出现；附表列出每个数字及其查询。 \
                   The work summary written from the data, each section only when its data exists, with an appendix of every figure and the query that answers it.",
    params(
        ("from" = String, Query, description = "起始日（YYYY-MM-DD）。 First day."),
        ("to" = String, Query, description = "截止日（YYYY-MM-DD）。 Last day."),
        ("unit" = Option<String>, Query, description = "帮扶单位名称（只写该单位的定点帮扶）。 One helping unit's name."),
        ("format" = Option<String>, Query, description = "json（默认）、md、html 或 docx。 `json` (default), `md`, `html` or `docx`.")
    ),
    responses((status = 200, description = "总结。 The summary.", content(("application/json"), ("text/markdown"), ("text/html"), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"))))
)]
async fn summary(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<axum::response::Response> {
    use fupin_io::summary::{self as doc, SummaryFormat};
    let ctx = caller.ctx(doc::POLICY)?;
    params.only(&["from", "to", "unit", "format"])?;
    let date = |name: &str| -> ApiResult<time::Date> {
        let t = params.required_text(name, 10)?;
        fupin_core::years::parse_date(name, &t).map_err(ApiError::from_query)
    };
    let (from, to) = (date("from")?, date("to")?);
    let unit = params.text("unit", 100)?;
    let format = params
        .choice("format", SummaryFormat::parse, "json、md、html、docx")?
        .unwrap_or(SummaryFormat::Json);
    let s = doc::summary(
        app.store.as_ref(),
        &ctx,
        &code,
        from,
        to,
        unit.as_deref(),
        fupin_core::years::today(),
    )
    .await
    .map_err(ApiError::from_query)?;
    document(s, format, &code, from, to)
}

/// A summary in the format asked for, with its content type (and file name for downloads).
fn document(
    s: fupin_core::reports::summary::Summary,
    format: fupin_io::summary::SummaryFormat,
    code: &fupin_core::RegionCode,
    from: time::Date,
    to: time::Date,
) -> ApiResult<axum::response::Response> {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    use fupin_io::summary::{self as doc, SummaryFormat};
    let body: Vec<u8> = match format {
        SummaryFormat::Json => return Ok(Json(s).into_response()),
        SummaryFormat::Markdown => s.to_markdown().into_bytes(),
        SummaryFormat::Html => doc::to_html(&s).into_bytes(),
        SummaryFormat::Docx => {
            doc::to_docx(&s).map_err(|_| ApiError::from(fupin_core::DomainError::internal()))?
        }
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if format == SummaryFormat::Docx || format == SummaryFormat::Markdown {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"summary-{}-{from}-{to}.{}\"",
            code.as_str(),
            format.extension()
        )) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(res)
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/tables/registry",
    tag = "reports",
    operation_id = "registryTable",
    summary = "建档立卡统计表 · The registry statistics table",
    description = "按下级区划的年度统计表（XLSX，合并表头）：户数、人数、按脱贫状态、按主要致贫原因、有收入记录户数、人均纯收入及较上年增幅；首行为合计。 \
                   The yearly table by child region (XLSX with merged headers), the region's total first.",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "统计表。 The table.", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
async fn registry_table(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<axum::response::Response> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    let year: i32 = params.required_int("year")?;
    let bytes = fupin_io::summary::registry_table(app.store.as_ref(), &ctx, &code, year)
        .await
        .map_err(ApiError::from_query)?;
    Ok(xlsx(bytes, &format!("registry-{}-{year}", code.as_str())))
}

/// An XLSX answer to download as `name`.xlsx.
fn xlsx(bytes: Vec<u8>, name: &str) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.xlsx\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/tables/pairing",
    tag = "reports",
    operation_id = "pairingTable",
    summary = "结对帮扶情况统计表 · The pairing table",
    description = "按下级区划的自然年结对帮扶统计表（XLSX，合并表头）：帮扶单位、帮扶干部、结对户数、无帮扶干部户数、结对及走访达标、走访次数和人次、慰问、微心愿；首行为合计。每行等于该区划 pairing-report?year= 的回答。 \
                   The pairing table by child region for a calendar year (XLSX with merged headers), from the maintained figures; each row is the region's pairing report of the year.",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "统计表。 The table.", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
async fn pairing_table(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<axum::response::Response> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    let year: i32 = params.required_int("year")?;
    let bytes = fupin_io::summary::pairing_table(app.store.as_ref(), &ctx, &code, year)
        .await
        .map_err(ApiError::from_query)?;
    Ok(xlsx(bytes, &format!("pairing-{}-{year}", code.as_str())))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/tables/measures",
    tag = "reports",
    operation_id = "measuresTable",
    summary = "帮扶措施落实情况统计表 · The measures table",
    description = "按下级区划的自然年帮扶措施统计表（XLSX，合并表头）：措施项数和金额（合计及按类别）、惠及人次；首行为合计。每行等于该区划 services-report?from=Y-01-01&to=Y-12-31 的回答。 \
                   The measures table by child region for a calendar year (XLSX with merged headers), from the maintained services aggregates.",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "统计表。 The table.", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
async fn measures_table(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<axum::response::Response> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    let year: i32 = params.required_int("year")?;
    let bytes = fupin_io::summary::measures_table(app.store.as_ref(), &ctx, &code, year)
        .await
        .map_err(ApiError::from_query)?;
    Ok(xlsx(bytes, &format!("measures-{}-{year}", code.as_str())))
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/tables/funds",
    tag = "reports",
    operation_id = "fundsTable",
    summary = "扶贫项目资金情况统计表 · The funds table",
    description = "按下级区划的年度项目资金统计表（XLSX，合并表头）：资金来源、当年下达到账支付及支付进度、当年项目（按类别、按阶段及逾期未验收）、年末资产及当年收益、当年分红户数金额户均；首行为合计。每行等于该区划 funds-report?from=Y&to=Y 的回答，由随每次写入维护的资金汇总得出。 \
                   The funds table by child region for a year (XLSX with merged headers), the region's total first; each row is the region's funds report of the year, from the figures kept with every write.",
    params(("year" = i32, Query, description = "年度。 The year.")),
    responses((status = 200, description = "统计表。 The table.", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
async fn funds_table(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<axum::response::Response> {
    let ctx = caller.ctx(Policy::ReadStats)?;
    params.only(&["year"])?;
    let year: i32 = params.required_int("year")?;
    let bytes = fupin_io::summary::funds_table(app.store.as_ref(), &ctx, &code, year)
        .await
        .map_err(ApiError::from_query)?;
    Ok(xlsx(bytes, &format!("funds-{}-{year}", code.as_str())))
}

/// The body of a new snapshot: the summary's period (and unit) to write and freeze now.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SnapshotRequest {
    from: String,
    to: String,
    #[serde(default)]
    unit: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/regions/{code}/summary/snapshots",
    tag = "reports",
    operation_id = "createSummarySnapshot",
    summary = "冻结工作总结 · Freeze a work summary",
    description = "按当前数据写成总结并原样保存（上报的版本），以后可原样查看并与当时以后的变化对比。 \
                   Write the summary from today's data and keep it as it is (the version sent upward).",
    request_body(content = SnapshotRequest, description = "`{from, to, unit?}`（YYYY-MM-DD）。 The period and optionally the helping unit."),
    responses((status = 201, description = "快照：编号、时间、制作人和总结。 The snapshot.", body = fupin_core::reports::summary::Snapshot))
)]
async fn create_snapshot(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    Json(req): Json<SnapshotRequest>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    let from = fupin_core::years::parse_date("from", &req.from)?;
    let to = fupin_core::years::parse_date("to", &req.to)?;
    let unit = req
        .unit
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    let s = fupin_io::summary::summary(
        app.store.as_ref(),
        &ctx,
        &code,
        from,
        to,
        unit.as_deref(),
        fupin_core::years::today(),
    )
    .await?;
    let out = app.store.save_snapshot(&ctx, &s, unit.as_deref()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/regions/{code}/summary/snapshots",
    tag = "reports",
    operation_id = "listSummarySnapshots",
    summary = "工作总结快照 · Frozen work summaries",
    responses((status = 200, description = "本区划及下辖的快照，新的在前（不含正文）。 Snapshots of the region and below, newest first.", body = [fupin_core::reports::summary::SnapshotInfo]))
)]
async fn region_snapshots(
    caller: Caller,
    State(app): State<AppState>,
    RegionPath(code): RegionPath,
    params: Params,
) -> ApiResult<Json<Vec<fupin_core::reports::summary::SnapshotInfo>>> {
    let ctx = caller.ctx(fupin_io::summary::POLICY)?;
    params.only(&[])?;
    Ok(Json(
        app.store
            .snapshots(&ctx, &code)
            .await
            .map_err(ApiError::from_query)?,
    ))
}

/// A snapshot as frozen and what changed since.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct SnapshotView {
    snapshot: fupin_core::reports::summary::Snapshot,
    /// Figures that differ from today's summary of the same region, period and unit.
    changes: Vec<fupin_core::reports::summary::FigureChange>,
}

#[utoipa::path(
    get,
    path = "/api/v1/snapshots/{id}",
    tag = "reports",
    operation_id = "getSummarySnapshot",
    summary = "查看快照 · A frozen work summary",
    params(("format" = Option<String>, Query, description = "json（默认：快照及此后变化的数字）、md、html 或 docx（原样的总结）。 `json` (default: the snapshot and the figures changed since), or the frozen document.")),
    responses((status = 200, description = "快照及变化。 The snapshot and what changed.", body = SnapshotView))
)]
async fn snapshot(
    caller: Caller,
    State(app): State<AppState>,
    crate::params::Path(p): crate::params::Path<crate::params::IdPath>,
    params: Params,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use fupin_io::summary::SummaryFormat;
    let ctx = caller.ctx(fupin_io::summary::POLICY)?;
    params.only(&["format"])?;
    let format = params
        .choice("format", SummaryFormat::parse, "json、md、html、docx")?
        .unwrap_or(SummaryFormat::Json);
    let snap = app.store.snapshot(&ctx, p.id).await?;
    if format != SummaryFormat::Json {
        let (code, from, to) = (snap.region_code.clone(), snap.from, snap.to);
        return document(snap.summary, format, &code, from, to);
    }
    let now = fupin_io::summary::summary(
        app.store.as_ref(),
        &ctx,
        &snap.region_code,
        snap.from,
        snap.to,
        snap.unit.as_deref(),
        fupin_core::years::today(),
    )
    .await?;
    let changes = fupin_core::reports::summary::changes(&snap.summary, &now);
    Ok(Json(SnapshotView {
        snapshot: snap,
        changes,
    })
    .into_response())
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
