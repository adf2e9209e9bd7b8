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
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(stats, summary))]
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
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
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
