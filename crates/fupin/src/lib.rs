//! fupin: wiring of the stores, the web layer and the command line. `main.rs` parses the command
//! and calls one module of `cli`; everything it needs lives here so that tests use the same paths.

pub mod audit_keys;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_accounts;
pub mod demo_city;
pub mod demo_pairing;
pub mod demo_projects;
pub mod demo_rectification;
pub mod demo_services;
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

/// Load everything the demo has — registry, accounts, pairing, 塔岗's measures and services,
/// rectification — skipping what is already there;
/// returns one summary line per part.
pub async fn load_demo_all(store: &dyn Store) -> StoreResult<Vec<String>> {
    let ctx = fupin_core::Ctx::system("system:demo");
    let mut lines = vec![demo::load_demo(store, &ctx).await?.to_string()];
    let n = demo_accounts::create_demo_accounts(store, &ctx).await?;
    if n > 0 {
        lines.push(format!(
            "已创建 {n} 个演示账号（密码 {}，仅供演示）",
            demo_accounts::DEMO_PASSWORD
        ));
    }
    let pairing = demo_pairing::load_pairing_demo(store, &ctx).await?;
    lines.push(pairing.to_string());
    let services = demo_services::load_services_demo(store, &ctx).await?;
    lines.push(services.to_string());
    let rectification = demo_rectification::load_rectification_demo(store).await?;
    lines.push(rectification.to_string());
    Ok(lines)
}
