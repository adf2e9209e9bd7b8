//! Imports and exports as background jobs: `POST /api/v1/imports` takes a file (multipart or the raw
//! bytes), `POST /api/v1/exports` takes what to export; both answer `202 Accepted` at once with a job,
//! whose progress (`GET /api/v1/jobs/{id}`: phase, rows, rows per second, per cent and ETA), summary
//! and file (`GET /api/v1/jobs/{id}/file`: the export, or an import's error file) the caller polls.
//! `DELETE /api/v1/jobs/{id}` cancels a running job (an import's transaction rolls back: nothing is
//! written) or forgets a finished one.
//!
//! The work is `fupin_io::import` / `fupin_io::export::export`, the same code as the `fupin import`
//! and `fupin export` commands, run with the caller's `Ctx` (scope, masking) as it was when the job
//! was started. Uploads are streamed to a file (never held in memory), so a county's or a province's
//! file goes through the web as well as through the command line.
//!
//! Jobs live in this process's memory and their files under the data directory, private to the
//! server's user (`files`): a restart forgets them (a running import rolls back with its
//! transaction) and the next start removes their files. When the server shuts down, running jobs are
//! cancelled ([`Jobs::cancel_all`]) and the server waits for their tasks to end. A user's job files,
//! and all users', are bounded in size ([`JobsConfig`]); a new job is refused with `507
//! job_space_full` when there is no room. Only their owner sees them (another user gets
//! 404). Finished jobs and their files are kept for [`KEEP`]. A user runs at most
//! [`MAX_RUNNING_PER_USER`] jobs at once and the server [`MAX_RUNNING`], so that uploads cannot
//! starve the database of the people at work.

use super::files::{self, JobsConfig, RunDir};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::Json;
use crate::params::Params;
use crate::routes::Routes;
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::accounts::{Policy, UserId};
use fupin_core::Ctx;
use fupin_io::export::{ExportKind, ExportOptions};
use fupin_io::{FileFormat, ImportOptions, ImportReport, Kind, Phase, Progress, TextEncoding};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post_with_limit("/api/v1/imports", start_import, UPLOAD_LIMIT)
        .post("/api/v1/exports", start_export)
        .get("/api/v1/jobs", list)
        .get("/api/v1/jobs/{id}", one)
        .get("/api/v1/jobs/{id}/file", file)
        .delete("/api/v1/jobs/{id}", cancel)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(start_import, start_export, list, one, file, cancel))]
pub(crate) struct Doc;

/// Largest file an import takes over HTTP (a province's households CSV is under 1 GiB).
pub const UPLOAD_LIMIT: usize = 1024 * 1024 * 1024;
/// How long a finished job, its summary and its file are kept.
pub const KEEP: Duration = Duration::from_secs(6 * 3600);
/// Jobs one user may run at once.
pub const MAX_RUNNING_PER_USER: usize = 2;
/// Jobs the server runs at once.
pub const MAX_RUNNING: usize = 4;
/// Finished jobs kept per user (the oldest go first).
const KEEP_PER_USER: usize = 50;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    Import,
    Export,
}

impl JobKind {
    /// The name the JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Import => "import",
            JobKind::Export => "export",
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    /// The name the JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// A job as its owner sees it (the JSON of `GET /api/v1/jobs/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: String,
    pub kind: JobKind,
    pub state: JobState,
    /// The uploaded file's name, or what is exported.
    pub label: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub elapsed_ms: u64,
    pub progress: ProgressView,
    /// An import's summary, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ImportReport>,
    /// Rows an export wrote, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// The export, or an import's error file, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileView>,
    /// Why a job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    /// importing | finishing | error_file | done (imports); exporting | done (exports).
    pub phase: &'static str,
    pub rows: u64,
    /// Rows per second so far.
    pub rows_per_second: u64,
    /// Per cent of the file read (imports; `None` while unknown).
    pub percent: Option<u8>,
    /// Seconds left at the present rate (imports; `None` while unknown).
    pub eta_seconds: Option<u64>,
    /// Problems found so far.
    pub issues: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    pub url: String,
    pub name: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
}

/// What a finished job left.
#[derive(Debug, Clone)]
enum Outcome {
    Import(Box<ImportReport>),
    Export { rows: u64 },
}

#[derive(Debug, Clone, Default)]
struct Live {
    phase: &'static str,
    rows: u64,
    bytes: u64,
    total: u64,
    issues: u64,
}

struct JobInner {
    state: JobState,
    live: Live,
    outcome: Option<Outcome>,
    error: Option<ErrorView>,
    finished: Option<Instant>,
    /// Elapsed time frozen when the job ended.
    elapsed: Option<Duration>,
    /// The file to hand out: (path, download name, bytes).
    file: Option<(PathBuf, String, u64)>,
    abort: Option<tokio::task::AbortHandle>,
    /// The uploaded file's name, or what is exported.
    label: String,
}

/// One job.
pub(crate) struct Job {
    pub id: String,
    pub owner: UserId,
    pub kind: JobKind,
    created_at: OffsetDateTime,
    started: Instant,
    /// Files of this job (upload, result), removed when it is forgotten.
    dir: PathBuf,
    /// Bytes its upload may take: what is left of its owner's and the server's room at its start.
    budget: u64,
    inner: Mutex<JobInner>,
}

impl Job {
    fn lock(&self) -> std::sync::MutexGuard<'_, JobInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn running(&self) -> bool {
        self.lock().state == JobState::Running
    }

    fn progress(&self, p: &Progress) {
        let mut g = self.lock();
        g.live = Live {
            phase: match p.phase {
                Phase::Importing => "importing",
                Phase::Finishing => "finishing",
                Phase::ErrorFile => "error_file",
                Phase::Done => "done",
            },
            rows: p.rows,
            bytes: p.bytes,
            total: p.total,
            issues: p.issues,
        };
    }

    /// Cancel a running job: mark it cancelled and abort its task (dropping its transaction);
    /// whether it was running.
    fn cancel(&self) -> bool {
        let mut g = self.lock();
        if g.state != JobState::Running {
            return false;
        }
        g.state = JobState::Cancelled;
        g.finished = Some(Instant::now());
        g.elapsed = Some(self.started.elapsed());
        // a task not spawned yet is aborted by `set_task` when it is
        if let Some(a) = g.abort.take() {
            a.abort();
        }
        true
    }

    /// Keep the handle of the job's task, or abort it at once if the job was cancelled meanwhile.
    fn set_task(&self, handle: &tokio::task::JoinHandle<()>) {
        let mut g = self.lock();
        if g.state == JobState::Cancelled {
            handle.abort();
        } else {
            g.abort = Some(handle.abort_handle());
        }
    }

    fn export_progress(&self, rows: u64) {
        let mut g = self.lock();
        g.live.phase = "exporting";
        g.live.rows = rows;
    }

    fn finish(&self, outcome: Result<(Outcome, Option<(PathBuf, String)>), ErrorView>) {
        let mut g = self.lock();
        if g.state != JobState::Running {
            return;
        }
        match outcome {
            Ok((o, file)) => {
                g.state = JobState::Done;
                g.live.phase = "done";
                if let Outcome::Export { rows } = &o {
                    g.live.rows = *rows;
                }
                g.outcome = Some(o);
                // measured once here rather than on every poll of the job
                g.file = file.map(|(p, name)| {
                    let bytes = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                    (p, name, bytes)
                });
            }
            Err(e) => {
                g.state = JobState::Failed;
                g.error = Some(e);
            }
        }
        g.finished = Some(Instant::now());
        g.elapsed = Some(self.started.elapsed());
        g.abort = None;
    }

    /// The owner's view of the job.
    pub(crate) fn view(&self) -> JobView {
        let g = self.lock();
        let elapsed = g.elapsed.unwrap_or_else(|| self.started.elapsed());
        let secs = elapsed.as_secs_f64();
        let l = &g.live;
        let rate = if secs > 0.0 {
            (l.rows as f64 / secs) as u64
        } else {
            0
        };
        // CSV: bytes read of the file's size; XLSX: rows of the workbook's rows.
        let (done, total) = if l.bytes > 0 {
            (l.bytes, l.total)
        } else {
            (l.rows, l.total)
        };
        let percent = (total > 0 && g.state == JobState::Running)
            .then(|| (done.min(total) * 100 / total) as u8)
            .or((g.state == JobState::Done).then_some(100));
        let eta = (g.state == JobState::Running && total > 0 && done > 0 && secs > 1.0)
            .then(|| ((total.saturating_sub(done)) as f64 * secs / done as f64) as u64);
        let id = self.id.clone();
        JobView {
            id: id.clone(),
            kind: self.kind,
            state: g.state,
            label: g.label.clone(),
            created_at: self.created_at,
            elapsed_ms: elapsed.as_millis() as u64,
            progress: ProgressView {
                phase: if l.phase.is_empty() {
                    "waiting"
                } else {
                    l.phase
                },
                rows: l.rows,
                rows_per_second: rate,
                percent,
                eta_seconds: eta,
                issues: l.issues,
            },
            report: match &g.outcome {
                Some(Outcome::Import(r)) => {
                    let mut r = (**r).clone();
                    // a path on the server means nothing to the client (and is not shown): the
                    // report names the error file by the address `file` gives it, so that both
                    // tell the same
                    r.error_file = g.file.as_ref().map(|_| format!("/api/v1/jobs/{id}/file"));
                    Some(r)
                }
                _ => None,
            },
            rows: match &g.outcome {
                Some(Outcome::Export { rows }) => Some(*rows),
                _ => None,
            },
            file: g.file.as_ref().map(|(_, name, bytes)| FileView {
                url: format!("/api/v1/jobs/{id}/file"),
                name: name.clone(),
                bytes: *bytes,
            }),
            error: g.error.clone(),
        }
    }
}

/// Every job of this process.
pub(crate) struct Jobs {
    map: Mutex<HashMap<String, Arc<Job>>>,
    /// This process's folder of job files, made at the first job unless opened at start-up.
    root: OnceLock<RunDir>,
    config: JobsConfig,
    /// Set on shutdown: no job starts any more.
    closed: std::sync::atomic::AtomicBool,
    /// Job tasks not yet ended (aborted ones end at their next await).
    tasks: std::sync::atomic::AtomicUsize,
    ended: tokio::sync::Notify,
}

/// Held by a job's task: counts it as running, and on drop (done, failed or aborted) records how
/// it ended.
struct TaskGuard {
    jobs: Arc<Jobs>,
    job: Arc<Job>,
    metrics: Arc<crate::metrics::Metrics>,
}

impl TaskGuard {
    fn new(jobs: &Arc<Jobs>, job: &Arc<Job>, metrics: &Arc<crate::metrics::Metrics>) -> Self {
        use std::sync::atomic::Ordering;
        jobs.tasks.fetch_add(1, Ordering::SeqCst);
        let kind = crate::metrics::JobLabels {
            kind: job.kind.as_str(),
        };
        metrics.jobs_started.get_or_create(&kind).inc();
        metrics.jobs_running.get_or_create(&kind).inc();
        TaskGuard {
            jobs: Arc::clone(jobs),
            job: Arc::clone(job),
            metrics: Arc::clone(metrics),
        }
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering;
        let (state, rows) = {
            let g = self.job.lock();
            (g.state, g.live.rows)
        };
        let kind = self.job.kind.as_str();
        let m = &self.metrics;
        m.jobs_running
            .get_or_create(&crate::metrics::JobLabels { kind })
            .dec();
        m.jobs_ended
            .get_or_create(&crate::metrics::JobEndLabels {
                kind,
                state: state.as_str(),
            })
            .inc();
        if state == JobState::Done {
            m.job_rows
                .get_or_create(&crate::metrics::JobLabels { kind })
                .inc_by(rows);
        }
        self.jobs.tasks.fetch_sub(1, Ordering::SeqCst);
        self.jobs.ended.notify_waiters();
    }
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new(JobsConfig::default())
    }
}

impl Jobs {
    pub(crate) fn new(config: JobsConfig) -> Jobs {
        Jobs {
            map: Mutex::default(),
            root: OnceLock::new(),
            config,
            closed: Default::default(),
            tasks: Default::default(),
            ended: Default::default(),
        }
    }

    /// The jobs of a server: their folder under the configured directory made now, so that a bad
    /// directory stops the start and leftovers of a previous run go at once.
    pub(crate) fn open(config: JobsConfig) -> std::io::Result<Jobs> {
        let jobs = Jobs::new(config);
        if let Some(dir) = &jobs.config.dir {
            let _ = jobs.root.set(RunDir::open(dir)?);
        }
        Ok(jobs)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Job>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn root(&self) -> ApiResult<&FsPath> {
        if self.root.get().is_none() {
            let dir = match &self.config.dir {
                Some(d) => RunDir::open(d),
                None => RunDir::temporary(),
            }
            .map_err(|e| ApiError::internal(&e))?;
            let _ = self.root.set(dir);
        }
        Ok(self.root.get().expect("set above").path())
    }

    /// Bytes the files of `owner`'s jobs and of all jobs take now.
    fn usage(map: &HashMap<String, Arc<Job>>, owner: UserId) -> (u64, u64) {
        let mut mine = 0;
        let mut all = 0;
        for j in map.values() {
            let b = files::disk_bytes(&j.dir);
            all += b;
            if j.owner == owner {
                mine += b;
            }
        }
        (mine, all)
    }

    /// A job of `owner`, or 404 (someone else's job is not confirmed to exist).
    pub(crate) fn get(&self, owner: UserId, id: &str) -> ApiResult<Arc<Job>> {
        self.sweep();
        self.lock()
            .get(id)
            .filter(|j| j.owner == owner)
            .cloned()
            .ok_or_else(job_not_found)
    }

    /// `owner`'s jobs, newest first.
    pub(crate) fn of(&self, owner: UserId) -> Vec<Arc<Job>> {
        self.sweep();
        let mut v: Vec<Arc<Job>> = self
            .lock()
            .values()
            .filter(|j| j.owner == owner)
            .cloned()
            .collect();
        v.sort_by_key(|j| std::cmp::Reverse(j.started));
        v
    }

    /// Register a new job, within the limits on running jobs.
    fn create(&self, owner: UserId, kind: JobKind, label: String) -> ApiResult<Arc<Job>> {
        if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "服务正在停止，请稍后再试",
            ));
        }
        self.sweep();
        let root = self.root()?.to_path_buf();
        let mut map = self.lock();
        let running: Vec<&Arc<Job>> = map.values().filter(|j| j.running()).collect();
        if running.iter().filter(|j| j.owner == owner).count() >= MAX_RUNNING_PER_USER {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_jobs",
                format!("您已有 {MAX_RUNNING_PER_USER} 个导入或导出任务在运行，请等其完成后再试"),
            ));
        }
        if running.len() >= MAX_RUNNING {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "server_busy",
                "服务器上的导入导出任务已满，请稍后再试",
            ));
        }
        // room on disk: a user's files, and everyone's, stay under their bounds
        let (mine, all) = Self::usage(&map, owner);
        let c = &self.config;
        if mine >= c.max_bytes_per_user {
            return Err(space_full(format!(
                "您的导入导出任务文件已占用 {}，达到每人 {} 的上限；请在“我的任务”中删除不再需要的任务后再试",
                shown(mine),
                shown(c.max_bytes_per_user)
            )));
        }
        if all >= c.max_bytes_total {
            return Err(space_full(format!(
                "服务器上导入导出任务的文件已达 {} 的上限，请稍后再试或联系管理员",
                shown(c.max_bytes_total)
            )));
        }
        let budget = (c.max_bytes_per_user - mine).min(c.max_bytes_total - all);
        let id = crate::auth::new_secret()[..24].to_string();
        let dir = root.join(&id);
        files::private_dir(&dir).map_err(|e| ApiError::internal(&e))?;
        let job = Arc::new(Job {
            id: id.clone(),
            owner,
            kind,
            created_at: OffsetDateTime::now_utc(),
            started: Instant::now(),
            dir,
            budget,
            inner: Mutex::new(JobInner {
                state: JobState::Running,
                live: Live::default(),
                outcome: None,
                error: None,
                finished: None,
                elapsed: None,
                file: None,
                abort: None,
                label,
            }),
        });
        map.insert(id, Arc::clone(&job));
        Ok(job)
    }

    /// Forget a job and remove its files.
    fn remove(&self, id: &str) {
        if let Some(j) = self.lock().remove(id) {
            let _ = std::fs::remove_dir_all(&j.dir);
        }
    }

    /// Refuse new jobs and cancel the running ones (their tasks are aborted: an import's
    /// transaction rolls back, so nothing of it is written); `why` goes to the log. Returns how
    /// many were cancelled.
    pub(crate) fn cancel_all(&self, why: &str) -> usize {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let jobs: Vec<Arc<Job>> = self.lock().values().cloned().collect();
        let mut n = 0;
        for job in jobs {
            if job.cancel() {
                tracing::info!(job = %job.id, kind = job.kind.as_str(), why, "job cancelled");
                n += 1;
            }
        }
        n
    }

    /// Wait until every job task has ended, for at most `limit`; whether they all did.
    pub(crate) async fn wait_idle(&self, limit: Duration) -> bool {
        use std::sync::atomic::Ordering;
        let idle = async {
            loop {
                let ended = self.ended.notified();
                if self.tasks.load(Ordering::SeqCst) == 0 {
                    return;
                }
                ended.await;
            }
        };
        tokio::time::timeout(limit, idle).await.is_ok()
    }

    /// Forget finished jobs older than [`KEEP`], and each user's beyond [`KEEP_PER_USER`].
    fn sweep(&self) {
        let now = Instant::now();
        let mut gone = Vec::new();
        {
            let map = self.lock();
            let mut per_user: HashMap<UserId, Vec<(Instant, String)>> = HashMap::new();
            for j in map.values() {
                let g = j.lock();
                if let Some(at) = g.finished {
                    if now.duration_since(at) > KEEP {
                        gone.push(j.id.clone());
                    } else {
                        per_user
                            .entry(j.owner)
                            .or_default()
                            .push((j.started, j.id.clone()));
                    }
                }
            }
            for (_, mut v) in per_user {
                if v.len() > KEEP_PER_USER {
                    v.sort();
                    let extra = v.len() - KEEP_PER_USER;
                    gone.extend(v.into_iter().take(extra).map(|(_, id)| id));
                }
            }
        }
        for id in gone {
            self.remove(&id);
        }
    }

    /// Start an import of the file at `path` (already in the job's folder).
    pub(crate) fn spawn_import(
        self: &Arc<Self>,
        app: &AppState,
        job: Arc<Job>,
        ctx: Ctx,
        path: PathBuf,
        mut opts: ImportOptions,
    ) {
        let ext = match opts.format {
            Some(FileFormat::Xlsx) => "xlsx",
            _ => "csv",
        };
        let error_path = job.dir.join(format!("errors.{ext}"));
        opts.error_file = Some(error_path.clone());
        let store = Arc::clone(&app.store);
        let j = Arc::clone(&job);
        let guard = TaskGuard::new(self, &job, &app.metrics);
        let handle = tokio::spawn(async move {
            let _guard = guard;
            let outcome = match std::fs::File::open(&path) {
                Err(e) => Err(ErrorView {
                    code: "upload_lost".into(),
                    message: format!("上传的文件读取失败：{e}"),
                }),
                Ok(f) => {
                    let input: Box<dyn fupin_io::ReadSeek> = Box::new(std::io::BufReader::new(f));
                    let pj = Arc::clone(&j);
                    let report = fupin_io::import(store.as_ref(), &ctx, input, &opts, &move |p| {
                        pj.progress(p)
                    })
                    .await;
                    match report {
                        Ok(r) => {
                            let file = r.error_file.as_ref().map(|_| {
                                (
                                    error_path.clone(),
                                    format!("导入错误-{}.{ext}", stem(&j.lock().label)),
                                )
                            });
                            Ok((Outcome::Import(Box::new(r)), file))
                        }
                        Err(e) => Err(import_error(&e)),
                    }
                }
            };
            // the upload is not needed once read; an error file stays
            let _ = std::fs::remove_file(&path);
            j.finish(outcome);
        });
        job.set_task(&handle);
    }

    /// Start an export into the job's folder.
    fn spawn_export(
        self: &Arc<Self>,
        app: &AppState,
        job: Arc<Job>,
        ctx: Ctx,
        opts: ExportOptions,
        name: String,
    ) {
        let out = job.dir.join(&name);
        let store = Arc::clone(&app.store);
        let j = Arc::clone(&job);
        let guard = TaskGuard::new(self, &job, &app.metrics);
        let handle = tokio::spawn(async move {
            let _guard = guard;
            let pj = Arc::clone(&j);
            let r = fupin_io::export::export(store.as_ref(), &ctx, &opts, &out, &move |n| {
                pj.export_progress(n)
            })
            .await;
            j.finish(match r {
                Ok(rows) => Ok((Outcome::Export { rows }, Some((out, name)))),
                Err(e) => Err(export_error(&e)),
            });
        });
        job.set_task(&handle);
    }
}

fn stem(label: &str) -> String {
    let s = FsPath::new(label)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("文件");
    s.chars().take(60).collect()
}

fn job_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "job_not_found",
        "任务不存在或已过期（完成的任务保留 6 小时）",
    )
}

fn import_error(e: &fupin_io::ImportError) -> ErrorView {
    use fupin_io::ImportError as E;
    let code = match e {
        E::Source(_) => "unreadable_file",
        E::Header(_) => "bad_header",
        E::Store(d) => d.code,
        E::Io(_) => "io_error",
    };
    if matches!(e, E::Io(_))
        || matches!(e, E::Store(d) if d.kind == fupin_core::ErrorKind::Internal)
    {
        tracing::error!(error = %e, "import job failed");
    }
    ErrorView {
        code: code.to_string(),
        message: e.to_string(),
    }
}

fn export_error(e: &fupin_io::export::ExportError) -> ErrorView {
    use fupin_io::export::ExportError as E;
    let code = match e {
        E::Store(d) => d.code,
        E::Io(_) => "io_error",
        E::Xlsx(_) => "xlsx_error",
    };
    if !matches!(e, E::Store(d) if d.kind != fupin_core::ErrorKind::Internal) {
        tracing::error!(error = %e, "export job failed");
    }
    ErrorView {
        code: code.to_string(),
        message: e.to_string(),
    }
}

/// Import options from (name, value) pairs of the query string or the form's fields.
pub(crate) fn import_options(p: &Params) -> ApiResult<ImportOptions> {
    p.only(&["kind", "dry_run", "partial", "encoding", "format"])?;
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let kind = p.choice("kind", Kind::parse, &kinds.join("、"))?;
    let encoding = p.choice("encoding", TextEncoding::parse, "utf-8、gbk 或 gb18030")?;
    let format = p.choice("format", FileFormat::parse, "csv 或 xlsx")?;
    Ok(ImportOptions {
        kind,
        format,
        encoding,
        dry_run: p.flag("dry_run")?,
        partial: p.flag("partial")?,
        ..Default::default()
    })
}

/// No room left for job files: 507, with what to do.
fn space_full(message: String) -> ApiError {
    ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "job_space_full", message)
}

/// A size for people: KiB below a MiB, MiB below a GiB, else GiB with one decimal.
fn shown(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 20 => format!("{} KiB", b.div_ceil(1 << 10)),
        b if b < 1 << 30 => format!("{} MiB", b.div_ceil(1 << 20)),
        b => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!(
            "文件过大：网页导入最多 {} MiB，更大的文件请在服务器上用命令行导入",
            UPLOAD_LIMIT / 1024 / 1024
        ),
    )
    .with_field("file")
}

/// Where uploaded bytes go, with the size limit and the first bytes kept.
struct Upload {
    file: tokio::fs::File,
    bytes: u64,
    head: Vec<u8>,
    /// Room left on disk for this job's files.
    budget: u64,
}

impl Upload {
    async fn create(path: &FsPath, budget: u64) -> ApiResult<Upload> {
        Ok(Upload {
            file: files::private_file_options()
                .open(path)
                .await
                .map_err(|e| ApiError::internal(&e))?,
            bytes: 0,
            head: Vec::new(),
            budget,
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.bytes += chunk.len() as u64;
        if self.bytes > UPLOAD_LIMIT as u64 {
            return Err(too_large());
        }
        if self.bytes > self.budget {
            return Err(space_full(format!(
                "文件超出剩余空间：您的导入导出任务文件还可使用 {}；请删除不再需要的任务，或在服务器上用命令行导入",
                shown(self.budget)
            ))
            .with_field("file"));
        }
        if self.head.len() < 8 {
            self.head
                .extend_from_slice(&chunk[..chunk.len().min(8 - self.head.len())]);
        }
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| ApiError::internal(&e))
    }

    async fn finish(mut self) -> ApiResult<(u64, Vec<u8>)> {
        self.file
            .flush()
            .await
            .map_err(|e| ApiError::internal(&e))?;
        Ok((self.bytes, self.head))
    }
}

/// A multipart stream that broke: over the size limit, or malformed.
fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        upload_broken()
    }
}

fn upload_broken() -> ApiError {
    ApiError::bad_request("upload_failed", "上传中断或格式不正确，请重新上传").with_field("file")
}

fn no_file() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "file_required",
        "未选择文件，或文件为空",
    )
    .with_field("file")
}

/// The uploaded file saved into the job's folder: (path, name as uploaded, options).
async fn receive(
    job: &Job,
    query: Vec<(String, String)>,
    req: Request,
) -> ApiResult<(PathBuf, String, ImportOptions)> {
    let path = job.dir.join("upload");
    let is_multipart = crate::multipart::boundary(req.headers()).is_some();
    let mut pairs = query;
    let mut name = String::new();
    let mut saved = None;
    let content_type = content_type(req.headers());
    if is_multipart {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|_| upload_broken())?;
        while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
            let fname = field.name().unwrap_or("").to_string();
            if fname == "file" {
                if saved.is_some() {
                    return Err(ApiError::bad_request("one_file", "一次只能导入一个文件")
                        .with_field("file"));
                }
                name = field.file_name().unwrap_or("").to_string();
                let mut up = Upload::create(&path, job.budget).await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    up.write(&chunk).await?;
                }
                saved = Some(up.finish().await?);
            } else if fname != crate::auth::CSRF_FIELD {
                let text = field.text().await.map_err(|_| upload_broken())?;
                // a checkbox that is not ticked is absent; an empty select means "detect"
                if !text.trim().is_empty() {
                    pairs.push((fname, text));
                }
            }
        }
    } else {
        let mut up = Upload::create(&path, job.budget).await?;
        let mut body = req.into_body().into_data_stream();
        use futures_util::StreamExt;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                let too = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<http_body_util::LengthLimitError>())
                    .is_some()
                    || e.to_string().contains("length limit");
                if too {
                    too_large()
                } else {
                    upload_broken()
                }
            })?;
            up.write(&chunk).await?;
        }
        saved = Some(up.finish().await?);
    }
    let (bytes, head) = saved.ok_or_else(no_file)?;
    if bytes == 0 {
        return Err(no_file());
    }
    let mut opts = import_options(&Params::from_pairs(pairs))?;
    if opts.format.is_none() {
        opts.format = Some(
            FileFormat::from_path(FsPath::new(&name))
                .or(content_type)
                .unwrap_or_else(|| FileFormat::sniff(&head)),
        );
    }
    if name.is_empty() {
        name = format!("上传文件.{}", opts.format.map_or("csv", |f| f.extension()));
    }
    Ok((path, name, opts))
}

fn content_type(h: &HeaderMap) -> Option<FileFormat> {
    let ct = h.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let ct = ct.split(';').next()?.trim().to_ascii_lowercase();
    match ct.as_str() {
        "text/csv" => Some(FileFormat::Csv),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Some(FileFormat::Xlsx)
        }
        _ => None,
    }
}

/// Start an import job from an upload; the job is owned by the caller. Shared by the API and the
/// import page.
pub(crate) async fn import_job(
    caller: &Caller,
    app: &AppState,
    query: Vec<(String, String)>,
    req: Request,
) -> ApiResult<Arc<Job>> {
    let ctx = caller.ctx(Policy::WriteRegistry)?;
    // the options in the query are checked before the upload is read
    if !query.is_empty() {
        import_options(&Params::from_pairs(query.clone()))?;
    }
    let job = app
        .jobs
        .create(caller.user.id, JobKind::Import, String::new())?;
    // until the import starts, a failed or abandoned upload takes its job with it
    let pending = Pending {
        jobs: &app.jobs,
        id: Some(job.id.clone()),
    };
    let (path, name, mut opts) = receive(&job, query, req).await?;
    pending.disarm();
    // a compared list is recorded under the name it was uploaded with
    opts.list_name = Some(name.clone());
    job.lock().label = name;
    app.jobs
        .spawn_import(app, Arc::clone(&job), ctx, path, opts);
    Ok(job)
}

/// Removes a job that was created but not started (the upload failed, or the client went away).
struct Pending<'a> {
    jobs: &'a Jobs,
    id: Option<String>,
}

impl Pending<'_> {
    fn disarm(mut self) {
        self.id = None;
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.jobs.remove(&id);
        }
    }
}

pub(crate) fn accepted(job: &Job) -> Response {
    let location = format!("/api/v1/jobs/{}", job.id);
    let mut res = (StatusCode::ACCEPTED, Json(job.view())).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "jobs",
    operation_id = "startImport",
    summary = "开始导入 · Start an import",
    params(("kind" = Option<String>, Query, description = "导入类型（households、incomes、regions 等）。 What the file holds (households, incomes, regions …)."), ("format" = Option<String>, Query, description = "csv 或 xlsx。 csv or xlsx."), ("encoding" = Option<String>, Query, description = "utf-8、gbk 或 gb18030。 The text encoding."), ("dry_run" = Option<bool>, Query, description = "只检查不写入。 Check only, write nothing."), ("partial" = Option<bool>, Query, description = "跳过有错的行，写入其余。 Skip faulty rows, write the rest.")),
    request_body(content_type = "multipart/form-data", description = "`file` 字段为文件；选项也可作为表单字段。 The file in the `file` field; options may be form fields too."),
    responses((status = 202, description = "任务已开始，地址见 Location。 The job started; its address in Location.", body = JobView))
)]
async fn start_import(
    caller: Caller,
    State(app): State<AppState>,
    params: Params,
    req: Request,
) -> ApiResult<Response> {
    let job = import_job(&caller, &app, params.into_pairs(), req).await?;
    Ok(accepted(&job))
}

/// The body of `POST /api/v1/exports`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// households | incomes | profiles | regions | stats (and the other import kinds).
    pub kind: String,
    /// The region to export (12 digits, or its 2/4/6/9-digit prefix).
    pub region: String,
    /// Incomes, profiles and visits: that year only; statistics: required; the other kinds ignore
    /// it (and their job's label and file name carry no year).
    #[serde(default)]
    pub year: Option<i32>,
    /// xlsx (default) or csv.
    #[serde(default)]
    pub format: Option<String>,
    /// Personal data in full (needs the view_pii right over the whole region, and a reason).
    #[serde(default)]
    pub unmask: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Start an export job; the job is owned by the caller. Shared by the API and the export page.
pub(crate) async fn export_job(
    caller: &Caller,
    app: &AppState,
    req: ExportRequest,
) -> ApiResult<Arc<Job>> {
    let kind = ExportKind::parse(&req.kind).ok_or_else(|| {
        let all: Vec<&str> = ExportKind::ALL.iter().map(|k| k.as_str()).collect();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_kind",
            format!("导出内容须为 {} 之一", all.join("、")),
        )
        .with_field("kind")
    })?;
    let policy = match kind {
        ExportKind::Profiles | ExportKind::Regions | ExportKind::Stats => Policy::ReadStats,
        _ => Policy::ReadRegistry,
    };
    let mut ctx = caller.ctx(policy)?;
    let region = crate::params::region_code("region", req.region.trim())?;
    let format = match req.format.as_deref().map(str::trim) {
        None | Some("") => FileFormat::Xlsx,
        Some(f) => FileFormat::parse(f).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_format",
                "格式须为 xlsx 或 csv",
            )
            .with_field("format")
        })?,
    };
    if kind == ExportKind::Stats && req.year.is_none() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "year_required",
            "导出统计须指定年度",
        )
        .with_field("year"));
    }
    if let Some(y) = req.year {
        fupin_core::years::check_year("year", y, fupin_core::years::today().year())?;
    }
    // the region must exist and lie within the caller's reach (404 otherwise)
    let r = app.store.region(&ctx, &region).await?;
    let mut reason = None;
    if req.unmask {
        let may = caller
            .principal
            .regions_for(Policy::Unmask)
            .is_some_and(|rs| rs.iter().any(|r| r.contains(&region)));
        if !may {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "no_unmask_right",
                "您没有查看该区域完整个人信息的权限",
            ));
        }
        reason = Some(crate::registry::unmask_reason(req.reason.as_deref())?.to_string());
        ctx.unmask = true;
    }
    let what = kind.label();
    // the year names the file only when the export follows it (incomes, profiles, visits,
    // statistics): a households export of "2018" holds today's households
    let label = match req.year.filter(|_| kind.uses_year()) {
        Some(y) => format!("{}{y}年{what}", r.region.name),
        None => format!("{}{what}", r.region.name),
    };
    let name = format!("{label}.{}", format.extension());
    let job = app.jobs.create(caller.user.id, JobKind::Export, label)?;
    let opts = ExportOptions {
        kind,
        region,
        year: req.year,
        format,
        reason,
    };
    app.jobs
        .spawn_export(app, Arc::clone(&job), ctx, opts, name);
    Ok(job)
}

#[utoipa::path(
    post,
    path = "/api/v1/exports",
    tag = "jobs",
    operation_id = "startExport",
    summary = "开始导出 · Start an export",
    request_body(content = ExportRequest, description = "`{kind, region, year?, format?, unmask?, reason?}`。 What to export."),
    responses((status = 202, description = "任务已开始，地址见 Location。 The job started; its address in Location.", body = JobView))
)]
async fn start_export(
    caller: Caller,
    State(app): State<AppState>,
    Json(req): Json<ExportRequest>,
) -> ApiResult<Response> {
    let job = export_job(&caller, &app, req).await?;
    Ok(accepted(&job))
}

#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "jobs",
    operation_id = "listJobs",
    summary = "我的任务 · My jobs",
    responses((status = 200, description = "`{items}`。 The jobs.", body = JobList))
)]
async fn list(caller: Caller, State(app): State<AppState>) -> ApiResult<Response> {
    caller.policy_signed_in()?;
    let jobs: Vec<JobView> = app
        .jobs
        .of(caller.user.id)
        .iter()
        .map(|j| j.view())
        .collect();
    Ok(Json(JobList { items: jobs }).into_response())
}

/// The caller's jobs (the JSON of `GET /api/v1/jobs`).
#[derive(Serialize, utoipa::ToSchema)]
struct JobList {
    /// 本人的任务，最新的在前。 The caller's jobs, newest first.
    items: Vec<JobView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    tag = "jobs",
    operation_id = "getJob",
    summary = "任务 · A job",
    params(("id" = String, Path, description = "任务编号。 The job's id.")),
    responses((status = 200, description = "任务状态、进度与结果。 The job's state, progress and outcome.", body = JobView))
)]
async fn one(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.policy_signed_in()?;
    let job = app.jobs.get(caller.user.id, &id)?;
    let mut res = Json(job.view()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The job's file, streamed from disk.
pub(crate) async fn file_response(job: &Job) -> ApiResult<Response> {
    let Some((path, name, _)) = job.lock().file.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_file",
            if job.running() {
                "任务尚未完成"
            } else {
                "该任务没有文件（导入没有错误时不生成错误文件）"
            },
        ));
    };
    let f = tokio::fs::File::open(&path)
        .await
        .map_err(|_| job_not_found())?;
    let len = f.metadata().await.map(|m| m.len()).ok();
    let body = Body::from_stream(chunks(f));
    let mut res = body.into_response();
    let h = res.headers_mut();
    let ct = if path.extension().is_some_and(|e| e == "xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// The file in chunks of 64 KiB.
fn chunks(
    f: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<axum::body::Bytes>> + Send {
    use tokio::io::AsyncReadExt;
    futures_util::stream::try_unfold(f, |mut f| async move {
        let mut buf = vec![0u8; 64 * 1024];
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((axum::body::Bytes::from(buf), f)))
    })
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987), so that Chinese file
/// names arrive intact.
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/file",
    tag = "jobs",
    operation_id = "jobFile",
    summary = "任务文件 · A job's file",
    params(("id" = String, Path, description = "任务编号。 The job's id.")),
    responses((status = 200, description = "导出文件或错误行文件。 The export, or the rejected rows.", content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
async fn file(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.policy_signed_in()?;
    let job = app.jobs.get(caller.user.id, &id)?;
    file_response(&job).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/jobs/{id}",
    tag = "jobs",
    operation_id = "cancelJob",
    summary = "取消或删除任务 · Cancel or remove a job",
    params(("id" = String, Path, description = "任务编号。 The job's id.")),
    responses((status = 200, description = "运行中的任务已取消。 The running job, cancelled.", body = JobView), (status = 204, description = "已结束的任务已删除。 The finished job, removed."))
)]
async fn cancel(
    caller: Caller,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.policy_signed_in()?;
    let job = app.jobs.get(caller.user.id, &id)?;
    if job.cancel() {
        // a running import's transaction is dropped with its task: nothing is written
        Ok(Json(job.view()).into_response())
    } else {
        app.jobs.remove(&job.id);
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn sizes_read_well() {
        assert_eq!(shown(1), "1 KiB");
        assert_eq!(shown(4096), "4 KiB");
        assert_eq!(shown(2 << 20), "2 MiB");
        assert_eq!(shown((2 << 20) + 1), "3 MiB");
        assert_eq!(shown(8 << 30), "8.0 GiB");
    }
}
