//! Online backup and offline restore of an SQLite database file.
//!
//! A backup is `VACUUM INTO` a new file: one read transaction, so it is a consistent snapshot of the
//! last commit while the server goes on reading and writing (WAL readers do not block writers), and
//! the copy is compact. It is written beside its destination and renamed into place once synced,
//! so a backup file that exists is whole. (SQLite's page-by-page backup API was rejected: sqlx does
//! not expose it, and it restarts whenever another connection writes, which under steady writes
//! may never finish.)
//!
//! A restore replaces the database file with a checked copy of the backup, and only while no
//! process has the database open: the server keeps caches (code tables, sessions) that a file
//! changed under it would contradict. The file replaced is kept beside it as `…before-restore`.

use fupin_core::store::StoreResult;
use fupin_core::{DomainError, ErrorKind};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// What a backup or a restore handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The file written.
    pub path: PathBuf,
    pub bytes: u64,
    /// Latest migration of the copied database.
    pub migration: i64,
    /// Where a restore kept the database file it replaced.
    pub kept: Option<PathBuf>,
}

fn failed(code: &'static str, message: String) -> DomainError {
    DomainError::new(ErrorKind::Internal, code, message)
}

fn invalid(code: &'static str, message: String) -> DomainError {
    DomainError::invalid("file", code, message)
}

/// The database file a `sqlite://…` URL names.
pub fn database_path(url: &str) -> StoreResult<PathBuf> {
    let opts = SqliteConnectOptions::from_str(url).map_err(|e| {
        DomainError::invalid(
            "database_url",
            "invalid_database_url",
            format!("数据库地址无效：{e}"),
        )
    })?;
    let path = opts.get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path == Path::new(":memory:") {
        return Err(DomainError::invalid(
            "database_url",
            "invalid_database_url",
            "备份和恢复需要数据库文件，内存数据库无法备份",
        ));
    }
    Ok(path)
}

async fn connect(path: &Path, create: bool) -> StoreResult<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .busy_timeout(Duration::from_secs(10))
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| {
            failed(
                "database_unavailable",
                format!("无法打开 SQLite 数据库 {}：{e}", path.display()),
            )
        })
}

/// Latest migration recorded in a database (0 when it has none).
async fn latest_migration(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(conn)
        .await
        .map(|v| v.unwrap_or(0))
}

fn sync_dir(path: &Path) {
    // a rename is durable once its directory is; not every platform can open a directory
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copy the database at `url` into the new file `to`, while it is in use.
pub async fn backup(url: &str, to: &Path) -> StoreResult<BackupSummary> {
    let db = database_path(url)?;
    if !db.exists() {
        return Err(invalid(
            "database_missing",
            format!("数据库文件 {} 不存在", db.display()),
        ));
    }
    if to.exists() {
        return Err(invalid(
            "backup_exists",
            format!("备份文件 {} 已存在，请换一个文件名", to.display()),
        ));
    }
    let partial = side_file(to, ".partial");
    let _ = std::fs::remove_file(&partial);
    let mut conn = connect(&db, false).await?;
    let migration = latest_migration(&mut conn).await.unwrap_or(0);
    let target = partial
        .to_str()
        .ok_or_else(|| invalid("invalid_path", "备份文件路径须为 UTF-8".into()))?;
    if let Err(e) = sqlx::query("VACUUM INTO ?1")
        .bind(target)
        .execute(&mut conn)
        .await
    {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(
            "backup_failed",
            format!("备份失败（{}）：{e}", to.display()),
        ));
    }
    let _ = conn.close().await;
    let io = |e: std::io::Error| failed("backup_failed", format!("备份文件写入失败：{e}"));
    let f = std::fs::File::open(&partial).map_err(io)?;
    f.sync_all().map_err(io)?;
    let bytes = f.metadata().map_err(io)?.len();
    drop(f);
    std::fs::rename(&partial, to).map_err(io)?;
    sync_dir(to);
    Ok(BackupSummary {
        path: to.to_path_buf(),
        bytes,
        migration,
        kept: None,
    })
}

/// Replace the database at `url` with the backup `from`, after checking the backup (integrity, a
/// fupin schema no newer than this build's `known` migrations) and that no process uses the
/// database. Migrations newer than the backup are applied when the store is next opened.
pub async fn restore(url: &str, from: &Path, known: &[i64]) -> StoreResult<BackupSummary> {
    let db = database_path(url)?;
    if !from.is_file() {
        return Err(invalid(
            "backup_missing",
            format!("备份文件 {} 不存在", from.display()),
        ));
    }
    // checked as a copy beside the database, so the swap below is a rename on one file system
    let staged = side_file(&db, ".restoring");
    let _ = std::fs::remove_file(&staged);
    let io = |e: std::io::Error| failed("restore_failed", format!("恢复失败：{e}"));
    std::fs::copy(from, &staged).map_err(io)?;
    let checked = check_backup(&staged, known).await;
    let migration = match checked {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    let mut kept = None;
    if db.exists() {
        if let Err(e) = release(&db).await {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
        let old = side_file(&db, ".before-restore");
        std::fs::rename(&db, &old).map_err(io)?;
        kept = Some(old);
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(side_file(&db, suffix));
    }
    std::fs::rename(&staged, &db).map_err(io)?;
    sync_dir(&db);
    let bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        path: db,
        bytes,
        migration,
        kept,
    })
}

/// The backup is a whole SQLite database of fupin, not from a newer release: its latest migration.
async fn check_backup(path: &Path, known: &[i64]) -> StoreResult<i64> {
    let not_ours = |detail: String| {
        invalid(
            "invalid_backup",
            format!("不是有效的 fupin 备份文件：{detail}"),
        )
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    if integrity != "ok" {
        return Err(not_ours(format!("完整性检查未通过（{integrity}）")));
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .map_err(|_| not_ours("没有 fupin 的数据库结构".into()))?;
    if let Some(v) = applied.iter().find(|v| !known.contains(v)) {
        return Err(invalid(
            "backup_too_new",
            format!("备份来自更新版本的 fupin（数据库迁移 {v}），请用该版本或更新的版本恢复"),
        ));
    }
    // one file, no write-ahead log beside it, before it is renamed into place
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut conn)
        .await
        .map_err(|e| not_ours(e.to_string()))?;
    let _ = conn.close().await;
    Ok(applied.last().copied().unwrap_or(0))
}

/// Checkpoint the database's write-ahead log into its file and leave it unopened; refuses when
/// another connection has it open (leaving WAL mode needs the only connection).
async fn release(db: &Path) -> StoreResult<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(Duration::from_millis(500))
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| {
            failed(
                "database_unavailable",
                format!("无法打开数据库 {}：{e}", db.display()),
            )
        })?;
    let r = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    match r {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => Ok(()),
        _ => Err(DomainError::new(
            ErrorKind::Conflict,
            "database_in_use",
            format!(
                "数据库 {} 正在被使用（fupin serve 是否仍在运行？），请先停止服务再恢复",
                db.display()
            ),
        )),
    }
}
