//! fupin: wiring of the stores, the web layer and the command line. `main.rs` parses the command
//! and calls one module of `cli`; everything it needs lives here so that tests use the same paths.

pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_accounts;
pub mod testing;

use fupin_core::store::{Store, StoreResult};
use fupin_core::DomainError;
use std::sync::Arc;

/// Open the store the URL names (`sqlite://…`, `postgres://…`), applying migrations.
pub async fn open_store(url: &str) -> StoreResult<Arc<dyn Store>> {
    let u = url.trim();
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        Ok(Arc::new(fupin_db_postgres::open(u).await?))
    } else if u.starts_with("sqlite:") {
        Ok(Arc::new(fupin_db_sqlite::open(u).await?))
    } else {
        Err(DomainError::invalid(
            "database_url",
            "unsupported_database_url",
            "数据库地址须以 sqlite:// 或 postgres:// 开头",
        ))
    }
}
