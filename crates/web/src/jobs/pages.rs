//! The import and export pages and the page of a job. An upload (CSV or XLSX: households, incomes,
//! village profiles, regions, cadres, pairings, visits, status changes, micro-wishes, verification,
//! risk events, procedure cases) or an export request (a list or region statistics, XLSX or CSV)
//! starts a job (`crate::jobs`, the same jobs as the API's) and the browser goes to `/jobs/{id}`,
//! which shows the progress (rows, rows per second, per cent, time left) and refreshes itself until
//! the job ends, then the summary, the rejected rows and the file to download (the export, or the
//! error file to correct and upload again). Templates with drop-down lists are downloadable. With
//! JavaScript the upload shows its own progress and sends the CSRF token as a header, so the file
//! is streamed to disk whatever its size (up to `jobs::UPLOAD_LIMIT`); without it the form posts as
//! usual, up to the API's body limit. The job page needs no JavaScript (a refresh header).

use super::api::{self as jobs, ExportRequest, JobKind, JobState, JobView};
use crate::routes::Routes;
use crate::ui::forms::{region_input, FormState};
use crate::ui::layout::{render, see_other, Shell};
use crate::ui::{PageError, PageResult, Viewer};
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_io::export::ExportKind;
use fupin_io::{ImportReport, Kind};
use maud::{html, Markup};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/import", form)
        .post_with_limit("/import", run, jobs::UPLOAD_LIMIT)
        .get("/import/templates/{kind}", template)
        .get("/export", export_form)
        .post("/export", export_run)
        .get("/jobs", job_list)
        .get("/jobs/{id}", job_page)
        .get("/jobs/{id}/file", job_file)
}

fn kind_label(v: &Viewer, k: Kind) -> &'static str {
    v.t(k.label(), k.label_en())
}

async fn form(v: Viewer) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    Ok(page(&v, None))
}

fn page(v: &Viewer, failure: Option<(&str, String)>) -> Response {
    let body = html! {
        h1 { (v.t("数据导入", "Import")) }
        @if let Some((what, msg)) = &failure {
            div.alert.error #form-error tabindex="-1" role="alert" { strong { (what) } " " (msg) }
        }
        form.stack #import-form method="post" action="/import" enctype="multipart/form-data" {
            (v.csrf_field())
            div.field {
                label for="f-kind" { (v.t("文件内容", "The file holds")) }
                select #f-kind name="kind" {
                    option value="" { (v.t("自动识别（按表头）", "Detect from the header")) }
                    @for k in Kind::ALL { option value=(k.as_str()) { (kind_label(v, k)) } }
                }
            }
            div.field {
                label for="f-file" { (v.t("文件（CSV 或 XLSX）", "File (CSV or XLSX)")) abbr.req title="必填 / required" { "*" } }
                input #f-file type="file" name="file" required
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                small.hint { (v.t("CSV 可为 UTF-8 或 GBK 编码。导入在后台进行，可离开页面稍后在“我的任务”查看。", "CSV files may be UTF-8 or GBK. The import runs in the background: you may leave and find it under My jobs.")) }
            }
            div.check { input #f-dry type="checkbox" name="dry_run" value="1" checked; label for="f-dry" { (v.t("只检查，不写入（试运行）", "Check only, write nothing (dry run)")) } }
            div.check { input #f-partial type="checkbox" name="partial" value="1"; label for="f-partial" { (v.t("有错误时仍写入正确的记录", "Write the good records even if some are rejected")) } }
            progress #import-progress max="100" value="0" hidden { "0%" }
            output #import-status {}
            div.form-actions { button.primary type="submit" { (v.t("上传并导入", "Upload and import")) } }
        }
        section {
            h2 { (v.t("模板下载", "Templates")) }
            p { (v.t("模板为 XLSX，带代码下拉列表和填写说明。", "XLSX templates with drop-down lists of codes and instructions.")) }
            ul { @for k in Kind::ALL { li { a href=(format!("/import/templates/{}", k.as_str())) download { (kind_label(v, k)) " (.xlsx)" } } } }
        }
        p { a href="/jobs" { (v.t("我的导入导出任务", "My import and export jobs")) } " · " a href="/export" { (v.t("数据导出", "Export")) } }
    };
    let mut shell = Shell::new(v.t("数据导入", "Import"), "/import");
    shell.crumbs = vec![(v.t("数据导入", "Import").to_string(), None)];
    let status = if failure.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(v, shell, body)).into_response()
}

async fn run(v: Viewer, State(app): State<AppState>, req: Request) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    match jobs::import_job(&v.caller, &app, Vec::new(), req).await {
        Ok(job) => Ok(see_other(&format!("/jobs/{}", job.id))),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => Ok(page(
            &v,
            Some((v.t("无法导入：", "Cannot import:"), e.message().to_string())),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The summary of a finished import.
fn summary(v: &Viewer, r: &ImportReport, file: Option<&jobs::FileView>) -> Markup {
    html! {
        section.import-summary #import-summary aria-live="polite" {
            h2 { (v.t("导入结果", "Result")) }
            p.alert #import-outcome class=(if r.has_errors() { "alert warn" } else { "alert ok" }) {
                @if r.dry_run { (v.t("试运行：只检查，未写入。", "Dry run: checked, nothing written.")) " " }
                @else if r.committed { (v.t("已写入。", "Written.")) " " }
                @else { (v.t("未写入。", "Nothing written.")) " " }
                // nothing written: the counts are what the good records would do, said so
                @if !r.committed {
                    (v.t("校验通过可新增 ", "The records that passed the checks would create ")) (r.created)
                    (v.t("、可更新 ", ", update ")) (r.updated)
                    @if r.has_errors() && !r.dry_run {
                        (v.t("；有错误时不写入任何记录：改正错误文件后再导入，或勾选“有错误时仍写入正确的记录”。",
                             "; nothing is written while any record is rejected: correct the error file and import it again, or tick “Write the good records even if some are rejected”."))
                    } @else { (v.t("。", ".")) }
                }
            }
            dl.grid {
                dt { (v.t("数据行", "Rows")) } dd data-k="rows" { (r.rows) }
                dt { (v.t("记录", "Records")) } dd data-k="records" { (r.records) }
                @if r.committed {
                    dt { (v.t("新增", "Created")) } dd data-k="created" { (r.created) }
                    dt { (v.t("更新", "Updated")) } dd data-k="updated" { (r.updated) }
                } @else {
                    dt { (v.t("可新增（未写入）", "Would create (not written)")) } dd data-k="created" { (r.created) }
                    dt { (v.t("可更新（未写入）", "Would update (not written)")) } dd data-k="updated" { (r.updated) }
                }
                dt { (v.t("未变", "Unchanged")) } dd data-k="unchanged" { (r.unchanged) }
                dt { (v.t("拒绝", "Rejected")) } dd data-k="rejected" { (r.rejected) " (" (r.rejected_rows) " " (v.t("行", "rows")) ")" }
                dt { (v.t("用时", "Time")) } dd { (r.elapsed_ms) " ms" }
            }
            @if let Some(c) = &r.comparison {
                h3 { (v.t("比对结果：", "Comparison: ")) (c.kind_label) }
                dl.grid #comparison {
                    dt { (v.t("比中在册人员（行）", "Rows matching registered persons")) } dd data-k="matched" { (c.matched) }
                    dt { (v.t("未比中（行，只计数）", "Rows matching no one (counted only)")) } dd data-k="unmatched" { (c.unmatched) }
                    dt { (v.t("其中管辖范围外的在册人员", "of which registered outside your regions")) } dd data-k="out_of_scope" { (c.out_of_scope) }
                    dt { (v.t("标记问题（人）", "Problems (persons)")) } dd data-k="problems" { (c.problems) }
                    dt { (v.t("监测预警（人）", "Monitoring warnings (persons)")) } dd data-k="warnings" { (c.warnings) }
                    dt { (v.t("已登记过，不重复（人）", "Already recorded (persons)")) } dd data-k="already_recorded" { (c.already_recorded) }
                }
                p { a href="/problems?source=comparison" { (v.t("查看比对发现的问题", "Problems found by comparison")) } }
            }
            @if !r.ignored_columns.is_empty() {
                p { (v.t("未识别的列（已忽略）：", "Columns not understood (ignored): ")) (r.ignored_columns.join("、")) }
            }
            @if r.header_rows.iter().any(|h| h.line > 1) {
                p data-k="header_rows" {
                    (v.t("表头取自", "Header taken from "))
                    @for (i, h) in r.header_rows.iter().enumerate() {
                        @if i > 0 { "、" }
                        @if let Some(s) = &h.sheet { (s) " " }
                        (v.t("第 ", "row ")) (h.line) (v.t(" 行", ""))
                    }
                    (v.t("；其上的标题行不作为数据。", "; the title rows above it are not data."))
                }
            }
            @if r.skipped_total > 0 {
                p data-k="skipped_rows" {
                    (v.t("跳过的合计行：", "Totals rows skipped: ")) (r.skipped_total) " ("
                    @for (i, s) in r.skipped_rows.iter().take(20).enumerate() {
                        @if i > 0 { "、" }
                        @if let Some(n) = &s.sheet { (n) " " }
                        (s.line) " " (s.text.as_deref().unwrap_or(""))
                    }
                    @if r.skipped_total > 20 { " …" }
                    ")"
                }
            }
            @if let Some(f) = file {
                p { a.button href=(f.url.replace("/api/v1/jobs/", "/jobs/")) download { (v.t("下载错误文件", "Download the error file")) } " "
                    small.muted { (v.t("只含被拒绝的行，加“错误原因”列，改正后可再次导入", "the rejected rows only, with a column of reasons: correct it and import it again")) } }
            }
            @if !r.issues.is_empty() {
                div.table-wrap { table.data {
                    caption { (v.t("问题（前 ", "Problems (first ")) (r.issues.len().min(200)) (v.t(" 条，共 ", " of ")) (r.issues_total) (v.t(" 条）", ")")) }
                    thead { tr { th scope="col" { (v.t("行", "Row")) } th scope="col" { (v.t("列", "Column")) } th scope="col" { (v.t("值", "Value")) } th scope="col" { (v.t("原因", "Reason")) } } }
                    tbody { @for i in r.issues.iter().take(200) { tr {
                        td { @if let Some(s) = &i.sheet { (s) " " } (i.line) }
                        td { (i.column.as_deref().unwrap_or("")) }
                        td.mono { (i.value.as_deref().unwrap_or("")) }
                        td { (i.message) }
                    } } }
                } }
            }
        }
    }
}

fn state_label(v: &Viewer, s: JobState) -> &'static str {
    match s {
        JobState::Running => v.t("进行中", "Running"),
        JobState::Done => v.t("已完成", "Done"),
        JobState::Failed => v.t("失败", "Failed"),
        JobState::Cancelled => v.t("已取消", "Cancelled"),
    }
}

/// The state's badge: done green, failed red, running blue, cancelled grey (a finished job is
/// never shown in the colour of a failure).
fn state_class(s: JobState) -> &'static str {
    match s {
        JobState::Running => "state state-open",
        JobState::Done => "state state-done",
        JobState::Failed => "state state-overdue",
        JobState::Cancelled => "state",
    }
}

fn kind_name(v: &Viewer, k: JobKind) -> &'static str {
    match k {
        JobKind::Import => v.t("导入", "Import"),
        JobKind::Export => v.t("导出", "Export"),
    }
}

fn phase_label(v: &Viewer, p: &str) -> &'static str {
    match p {
        "importing" => v.t("正在读取、检查和写入", "Reading, checking and writing"),
        "finishing" => v.t(
            "正在重建索引和统计、提交",
            "Rebuilding indexes and statistics, committing",
        ),
        "error_file" => v.t("正在生成错误文件", "Writing the error file"),
        "exporting" => v.t("正在导出", "Exporting"),
        "done" => v.t("完成", "Done"),
        _ => v.t("等待开始", "Waiting"),
    }
}

/// `1 h 02 min`, `3 min 05 s`, `12 s`.
fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} 秒"),
        60..3600 => format!("{} 分 {:02} 秒", secs / 60, secs % 60),
        _ => format!("{} 小时 {:02} 分", secs / 3600, secs % 3600 / 60),
    }
}

async fn job_page(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    v.caller.policy_signed_in()?;
    let job = app.jobs.get(v.caller.user.id, &id)?;
    let j = job.view();
    let running = j.state == JobState::Running;
    let p = &j.progress;
    let body = html! {
        h1 { (kind_name(&v, j.kind)) "：" (j.label) }
        p #job-state data-state=(j.state.as_str()) {
            span class=(state_class(j.state)) { (state_label(&v, j.state)) }
            @if running { " " (phase_label(&v, p.phase)) }
        }
        @if running {
            @if let Some(pc) = p.percent {
                progress #job-progress max="100" value=(pc) { (pc) "%" }
            } @else {
                progress #job-progress {}
            }
        }
        dl.grid #job-progress-figures {
            dt { (v.t("已处理行数", "Rows")) } dd data-k="rows" { (p.rows) }
            dt { (v.t("速度", "Rate")) } dd { (p.rows_per_second) (v.t(" 行/秒", " rows/s")) }
            @if let Some(pc) = p.percent { dt { (v.t("进度", "Progress")) } dd { (pc) "%" } }
            @if let Some(eta) = p.eta_seconds { dt { (v.t("预计剩余", "Time left")) } dd { (duration(eta)) } }
            dt { (v.t("已用时间", "Elapsed")) } dd { (duration(j.elapsed_ms / 1000)) }
            @if p.issues > 0 { dt { (v.t("发现问题", "Problems found")) } dd { (p.issues) } }
        }
        @if running {
            p.muted { (v.t("本页每 2 秒自动刷新。可以离开本页，任务在后台继续。", "This page refreshes every 2 seconds. You may leave: the job goes on.")) }
        }
        @if let Some(e) = &j.error {
            div.alert.error role="alert" { strong { (v.t("任务失败：", "The job failed: ")) } (e.message) }
        }
        @if let Some(r) = &j.report { (summary(&v, r, j.file.as_ref())) }
        @if j.kind == JobKind::Export {
            @if let Some(f) = &j.file {
                p.alert.ok {
                    (v.t("已导出 ", "Exported ")) (j.rows.unwrap_or(0)) (v.t(" 行。", " rows. "))
                    a.button.primary href=(format!("/jobs/{}/file", j.id)) download { (v.t("下载 ", "Download ")) (f.name) }
                }
            }
        }
        p #job-links { (job_links(&v, true)) }
    };
    let mut shell = Shell::new(format!("{} {}", kind_name(&v, j.kind), j.label), "/jobs");
    shell.crumbs = vec![
        (
            v.t("我的任务", "My jobs").to_string(),
            Some("/jobs".to_string()),
        ),
        (j.label.clone(), None),
    ];
    let mut res = render(&v, shell, body);
    if running {
        res.headers_mut()
            .insert(header::REFRESH, HeaderValue::from_static("2"));
    }
    Ok(res)
}

/// Links to one's jobs (when `jobs`), the import and the export form, each only for a user it opens
/// for (the import writes the registry; the export reads what the user may read): an auditor is
/// offered the export alone.
fn job_links(v: &Viewer, jobs: bool) -> Markup {
    let links: Vec<(&str, &str)> = [
        (jobs, "/jobs", v.t("我的任务", "My jobs")),
        (
            v.may(Policy::WriteRegistry),
            "/import",
            v.t("数据导入", "Import"),
        ),
        (
            v.may(Policy::ReadStats),
            "/export",
            v.t("数据导出", "Export"),
        ),
    ]
    .into_iter()
    .filter(|l| l.0)
    .map(|l| (l.1, l.2))
    .collect();
    html! {
        @for (i, (href, text)) in links.iter().enumerate() {
            @if i > 0 { " · " }
            a href=(href) { (text) }
        }
    }
}

async fn job_list(v: Viewer, State(app): State<AppState>) -> PageResult {
    v.caller.policy_signed_in()?;
    let jobs: Vec<JobView> = app
        .jobs
        .of(v.caller.user.id)
        .iter()
        .map(|j| j.view())
        .collect();
    let body = html! {
        h1 { (v.t("我的导入导出任务", "My import and export jobs")) }
        @if jobs.is_empty() {
            p.muted { (v.t("暂无任务。完成的任务保留 6 小时。", "No jobs. Finished jobs are kept for 6 hours.")) }
        } @else {
            div.table-wrap { table.data {
                thead { tr {
                    th scope="col" { (v.t("类型", "Kind")) }
                    th scope="col" { (v.t("文件或内容", "File or content")) }
                    th scope="col" { (v.t("状态", "State")) }
                    th scope="col" { (v.t("行数", "Rows")) }
                    th scope="col" { (v.t("开始时间", "Started")) }
                } }
                tbody { @for j in &jobs { tr {
                    td { (kind_name(&v, j.kind)) }
                    td { a href=(format!("/jobs/{}", j.id)) { (j.label) } }
                    td { (state_label(&v, j.state)) }
                    td.num { (j.progress.rows) }
                    td { (crate::ui::fmt::china_time(j.created_at)) }
                } } }
            } }
        }
        p #job-links { (job_links(&v, false)) }
    };
    let mut shell = Shell::new(v.t("我的任务", "My jobs"), "/jobs");
    shell.crumbs = vec![(v.t("我的任务", "My jobs").to_string(), None)];
    Ok(render(&v, shell, body))
}

async fn job_file(v: Viewer, State(app): State<AppState>, Path(id): Path<String>) -> PageResult {
    v.caller.policy_signed_in()?;
    let job = app.jobs.get(v.caller.user.id, &id)?;
    Ok(jobs::file_response(&job).await?)
}

fn export_kind_label(v: &Viewer, k: ExportKind) -> &'static str {
    v.t(k.label(), k.label_en())
}

async fn export_form(v: Viewer, params: crate::params::Params) -> PageResult {
    v.caller.ctx(Policy::ReadStats)?;
    let region = params
        .get("region")
        .map(str::to_string)
        .or_else(|| {
            v.caller
                .principal
                .regions_for(Policy::ReadStats)
                .and_then(|r| r.first().map(|c| c.as_str().to_string()))
        })
        .unwrap_or_default();
    let kind = params.get("kind").unwrap_or("households").to_string();
    Ok(export_page(&v, &region, &kind, params.get("year"), None))
}

fn export_page(
    v: &Viewer,
    region: &str,
    kind: &str,
    year: Option<&str>,
    failure: Option<String>,
) -> Response {
    let this_year = fupin_core::years::today().year();
    let body = html! {
        h1 { (v.t("数据导出", "Export")) }
        @if let Some(msg) = &failure {
            div.alert.error #form-error tabindex="-1" role="alert" { strong { (v.t("无法导出：", "Cannot export:")) } " " (msg) }
        }
        form.stack #export-form method="post" action="/export" {
            (v.csrf_field())
            div.field {
                label for="e-kind" { (v.t("导出内容", "What to export")) }
                select #e-kind name="kind" {
                    @for k in ExportKind::ALL {
                        option value=(k.as_str()) selected[k.as_str() == kind] { (export_kind_label(v, k)) }
                    }
                }
            }
            (region_input(v.lang, &FormState::with_values(vec![("region".into(), region.to_string())]), "region", v.t("区划", "Region"), true, true))
            div.field {
                label for="e-year" { (v.t("年度", "Year")) }
                input #e-year name="year" type="number" min="2013" max=(this_year) value=(year.unwrap_or(""));
                small.hint { (v.t("收入、村情、走访记录只导出该年；区域统计须填写；其他内容不按年度，导出当前数据。", "Incomes, profiles and visits: that year only; statistics: required; the other kinds hold today's data whatever the year.")) }
            }
            div.field {
                label for="e-format" { (v.t("格式", "Format")) }
                select #e-format name="format" { option value="xlsx" { "Excel (XLSX)" } option value="csv" { "CSV (UTF-8)" } }
            }
            p.hint { (v.t("身份证号、电话、银行账号按脱敏方式导出。", "ID numbers, phones and bank accounts are exported masked.")) }
            div.form-actions { button.primary type="submit" { (v.t("开始导出", "Export")) } }
        }
        p { a href="/jobs" { (v.t("我的导入导出任务", "My import and export jobs")) } }
    };
    let mut shell = Shell::new(v.t("数据导出", "Export"), "/export");
    shell.crumbs = vec![(v.t("数据导出", "Export").to_string(), None)];
    let status = if failure.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(v, shell, body)).into_response()
}

async fn export_run(
    v: Viewer,
    State(app): State<AppState>,
    form: axum::extract::Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |n: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let region = get("region").unwrap_or_default();
    let kind = get("kind").unwrap_or_default();
    let year_text = get("year");
    let year = match year_text.as_deref().map(str::parse::<i32>) {
        None => None,
        Some(Ok(y)) => Some(y),
        Some(Err(_)) => {
            return Ok(export_page(
                &v,
                &region,
                &kind,
                year_text.as_deref(),
                Some(v.t("年度须为数字", "The year must be a number").to_string()),
            ));
        }
    };
    let req = ExportRequest {
        kind: kind.clone(),
        region: region.clone(),
        year,
        format: get("format"),
        unmask: false,
        reason: None,
    };
    match jobs::export_job(&v.caller, &app, req).await {
        Ok(job) => Ok(see_other(&format!("/jobs/{}", job.id))),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            Ok(export_page(
                &v,
                &region,
                &kind,
                year_text.as_deref(),
                Some(e.message().to_string()),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn template(v: Viewer, State(app): State<AppState>, Path(kind): Path<String>) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    let kind = Kind::parse(kind.trim_end_matches(".xlsx")).ok_or_else(PageError::not_found)?;
    let codes = app.store.code_book().await?;
    let bytes = fupin_io::template::template_bytes(kind, &codes)
        .map_err(|e| PageError::from(crate::ApiError::internal(&e)))?;
    Ok(download(
        bytes,
        XLSX,
        &format!("fupin-{}-template.xlsx", kind.as_str()),
    ))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn download(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
