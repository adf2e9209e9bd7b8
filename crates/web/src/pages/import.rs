//! The import page: upload a CSV or XLSX file (households, incomes, village profiles or regions),
//! check it or import it with `fupin_io::import` (the same library the `fupin import` command
//! uses), and read the summary, the rejected rows and the error file to correct and upload again;
//! templates with drop-down lists are downloadable.
//!
//! The import runs while the request waits. With JavaScript the page shows the upload's progress
//! (and sends the CSRF token as a header, so files up to [`IMPORT_LIMIT`] go through); without it
//! the form posts as usual, up to the API's body limit. Rejected for now: a job queue with progress
//! polling, which a province-size import would want (the CLI remains the tool for those).

use super::layout::{render, Shell};
use super::mobile::read_post;
use super::{PageError, PageResult, Viewer};
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::{Policy, UserId};
use fupin_io::{FileFormat, ImportOptions, ImportReport, Kind};
use maud::html;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub(super) fn routes(r: Routes) -> Routes {
    r.get("/import", form)
        .post("/import", run)
        .get("/import/templates/{kind}", template)
        .get("/import/errors/{token}", error_file)
}

/// Largest upload through the page (with JavaScript; see the module docs).
pub(crate) const IMPORT_LIMIT: usize = 32 * 1024 * 1024;
/// How long an error file stays downloadable.
const ERROR_FILE_TTL: Duration = Duration::from_secs(3600);

/// Error files of recent imports: token → (who may fetch it, where, when).
type ErrorFiles = Mutex<HashMap<String, (UserId, PathBuf, Instant)>>;

fn error_files() -> &'static ErrorFiles {
    static M: OnceLock<ErrorFiles> = OnceLock::new();
    M.get_or_init(Default::default)
}

fn kind_label(v: &Viewer, k: Kind) -> &'static str {
    match k {
        Kind::Households => v.t("农户及家庭成员", "Households and members"),
        Kind::Incomes => v.t("家庭年度收入", "Yearly incomes"),
        Kind::Profiles => v.t("村情（集体经济等）", "Village profiles"),
        Kind::Regions => v.t("行政区划", "Regions"),
    }
}

async fn form(v: Viewer) -> PageResult {
    v.caller.ctx(Policy::WriteRegistry)?;
    Ok(page(&v, None, None))
}

fn page(v: &Viewer, report: Option<&ImportReport>, failure: Option<(&str, String)>) -> Response {
    let body = html! {
        h1 { (v.t("数据导入", "Import")) }
        @if let Some((what, msg)) = &failure {
            div.alert.error role="alert" { strong { (what) } " " (msg) }
        }
        @if let Some(r) = report { (summary(v, r)) }
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
                small.hint { (v.t("CSV 可为 UTF-8 或 GBK 编码。", "CSV files may be UTF-8 or GBK.")) }
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
        section {
            h2 { (v.t("大文件请用命令行", "Large files: the command line")) }
            p { (v.t("全县、全省规模的文件请在服务器上用命令行导入，可显示进度并写出错误文件：", "Import county- or province-size files on the server with the command line, which shows progress and writes an error file:")) }
            pre { code { "fupin import 农户.xlsx --dry-run\nfupin import 农户.xlsx\nfupin import 收入.csv --kind incomes --partial\nfupin template households --out 农户模板.xlsx" } }
        }
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

fn summary(v: &Viewer, r: &ImportReport) -> maud::Markup {
    let token = r
        .error_file
        .as_ref()
        .map(|p| register_error_file(v, PathBuf::from(p)));
    html! {
        section.import-summary #import-summary aria-live="polite" {
            h2 { (v.t("导入结果", "Result")) }
            p.alert class=(if r.has_errors() { "alert warn" } else { "alert ok" }) {
                @if r.dry_run { (v.t("试运行：只检查，未写入。", "Dry run: checked, nothing written.")) " " }
                @else if r.committed { (v.t("已写入。", "Written.")) " " }
                @else { (v.t("未写入。", "Nothing written.")) " " }
            }
            dl.grid {
                dt { (v.t("数据行", "Rows")) } dd data-k="rows" { (r.rows) }
                dt { (v.t("记录", "Records")) } dd data-k="records" { (r.records) }
                dt { (v.t("新增", "Created")) } dd data-k="created" { (r.created) }
                dt { (v.t("更新", "Updated")) } dd data-k="updated" { (r.updated) }
                dt { (v.t("未变", "Unchanged")) } dd data-k="unchanged" { (r.unchanged) }
                dt { (v.t("拒绝", "Rejected")) } dd data-k="rejected" { (r.rejected) " (" (r.rejected_rows) " " (v.t("行", "rows")) ")" }
                dt { (v.t("用时", "Time")) } dd { (r.elapsed_ms) " ms" }
            }
            @if !r.ignored_columns.is_empty() {
                p { (v.t("未识别的列（已忽略）：", "Columns not understood (ignored): ")) (r.ignored_columns.join("、")) }
            }
            @if let Some(t) = &token {
                p { a.button href=(format!("/import/errors/{t}")) download { (v.t("下载错误文件", "Download the error file")) } " "
                    small.muted { (v.t("改正后可再次导入", "correct it and import it again")) } }
            }
            @if !r.issues.is_empty() {
                div.table-wrap { table.data {
                    caption { (v.t("问题（前 ", "Problems (first ")) (r.issues.len()) (v.t(" 条，共 ", " of ")) (r.issues_total) (v.t(" 条）", ")")) }
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

fn register_error_file(v: &Viewer, path: PathBuf) -> String {
    let token = crate::auth::new_secret();
    let mut m = error_files().lock().expect("error files lock");
    let now = Instant::now();
    m.retain(|_, (_, p, at)| {
        let keep = now.duration_since(*at) < ERROR_FILE_TTL;
        if !keep {
            let _ = std::fs::remove_file(p);
        }
        keep
    });
    m.insert(token.clone(), (v.caller.user.id, path, now));
    token
}

async fn run(v: Viewer, State(app): State<AppState>, req: Request) -> PageResult {
    let ctx = v.caller.ctx(Policy::WriteRegistry)?;
    let (fields, file) = match read_post(req, "file").await {
        Ok(r) => r,
        Err(e) => {
            return Ok(page(
                &v,
                None,
                Some((v.t("上传失败：", "Upload failed:"), e.message)),
            ))
        }
    };
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim());
    let Some((name, bytes)) = file else {
        return Ok(page(
            &v,
            None,
            Some((v.t("未选择文件。", "No file chosen."), String::new())),
        ));
    };
    let format = FileFormat::from_path(std::path::Path::new(&name));
    let ext = match format.unwrap_or_else(|| FileFormat::sniff(&bytes)) {
        FileFormat::Xlsx => "xlsx",
        FileFormat::Csv => "csv",
    };
    let dir = std::env::temp_dir().join("fupin-import-errors");
    std::fs::create_dir_all(&dir).map_err(|e| PageError::from(crate::ApiError::internal(&e)))?;
    let error_path = dir.join(format!("{}.{ext}", crate::auth::new_secret()));
    let opts = ImportOptions {
        kind: get("kind").and_then(Kind::parse),
        format,
        dry_run: get("dry_run").is_some(),
        partial: get("partial").is_some(),
        error_file: Some(error_path),
        ..Default::default()
    };
    let input: Box<dyn fupin_io::ReadSeek> = Box::new(std::io::Cursor::new(bytes));
    let report = fupin_io::import(app.store.as_ref(), &ctx, input, &opts, &|_| {}).await;
    Ok(match report {
        Ok(r) => page(&v, Some(&r), None),
        Err(e) => page(
            &v,
            None,
            Some((v.t("无法导入：", "Cannot import:"), e.to_string())),
        ),
    })
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

async fn error_file(v: Viewer, Path(token): Path<String>) -> PageResult {
    let entry = error_files()
        .lock()
        .expect("error files lock")
        .get(&token)
        .cloned();
    let Some((owner, path, _)) = entry.filter(|(owner, _, _)| *owner == v.caller.user.id) else {
        return Err(PageError::not_found());
    };
    let _ = owner;
    let bytes = std::fs::read(&path).map_err(|_| PageError::not_found())?;
    let (ct, name) = if path.extension().is_some_and(|e| e == "xlsx") {
        (XLSX, "fupin-import-errors.xlsx")
    } else {
        ("text/csv; charset=utf-8", "fupin-import-errors.csv")
    };
    Ok(download(bytes, ct, name))
}
