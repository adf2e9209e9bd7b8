//! `fupin backup FILE` and `fupin restore FILE`: a consistent copy of an SQLite database taken while
//! the server runs, and its restore with the server stopped. PostgreSQL has its own tools for both
//! (`pg_dump`, `pg_restore`); the commands say how to use them instead of wrapping them.

use crate::config::redact_url;
use std::path::Path;
use std::process::ExitCode;

fn is_postgres(url: &str) -> bool {
    let u = url.trim();
    u.starts_with("postgres://") || u.starts_with("postgresql://")
}

fn postgres_advice(url: &str, restore: bool) -> ExitCode {
    let url = redact_url(url);
    if restore {
        eprintln!(
            "错误 [use_pg_restore] PostgreSQL 数据库请用 pg_restore 恢复（先停止 fupin serve）：\n  \
             pg_restore --clean --if-exists --no-owner -d '{url}' FILE.dump"
        );
    } else {
        eprintln!(
            "错误 [use_pg_dump] PostgreSQL 数据库请用 pg_dump 备份（服务运行时即可，得到一致的快照）：\n  \
             pg_dump --format=custom --file FILE.dump '{url}'"
        );
    }
    ExitCode::from(2)
}

/// Back up the database at `url` into the new file `file`.
pub async fn backup(url: &str, file: &Path) -> ExitCode {
    if is_postgres(url) {
        return postgres_advice(url, false);
    }
    match fupin_db_sqlite::backup::backup(url, file).await {
        Ok(s) => {
            println!(
                "已备份到 {}（{:.1} MiB，数据库迁移版本 {}）",
                s.path.display(),
                s.bytes as f64 / 1048576.0,
                s.migration
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}

/// Restore the database at `url` from the backup `file`, then open it (applying newer migrations).
pub async fn restore(url: &str, file: &Path) -> ExitCode {
    if is_postgres(url) {
        return postgres_advice(url, true);
    }
    let known = fupin_db_sqlite::migration_versions();
    let s = match fupin_db_sqlite::backup::restore(url, file, &known).await {
        Ok(s) => s,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    // opening the store applies the migrations of this release to an older backup
    let store = match crate::open_store(url).await {
        Ok(store) => store,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    let now = match store.schema_status().await {
        Ok(st) => st.applied,
        Err(e) => {
            super::report(&e);
            return ExitCode::FAILURE;
        }
    };
    println!(
        "已从 {} 恢复到 {}（备份的迁移版本 {}，现为 {}）",
        file.display(),
        s.path.display(),
        s.migration,
        now
    );
    if let Some(old) = s.kept {
        println!("原数据库文件保存为 {}", old.display());
    }
    ExitCode::SUCCESS
}
