//! fupin-db: the [`Store`](fupin_core::store::Store) over SQL, written once and run on SQLite or
//! PostgreSQL through the [`sql::Backend`] seam. Each backend crate (`fupin-db-sqlite`,
//! `fupin-db-postgres`) owns its migrations, connection set-up and value mapping, and hands an
//! `Arc<dyn Backend>` to [`SqlStore::new`].
//!
//! One folder per domain area (`regions`, `registry`, `pairing`, `measures`, `assessment`, `reports` (statistics
//! aggregates), `accounts`, `audit`), each with its normal and bulk paths; `bulk` holds the import
//! session they share.

pub mod sql;

mod accounts;
mod assessment;
mod audit;
mod bulk;
mod measures;
mod pairing;
mod projects;
mod query;
mod rectification;
mod regions;
mod registry;
mod reports;
mod rows;
mod together;
mod versioned;

pub use audit::seal::SealingHeld;
use fupin_core::codes::CodeBook;
use fupin_core::error::DomainError;
use fupin_core::store::{Store, StoreResult};
use sql::{Backend, DbError};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, RwLock};

/// The store: a backend plus what is cached from it (code tables, the statistics horizon).
pub struct SqlStore {
    db: Arc<dyn Backend>,
    codes: RwLock<Arc<CodeBook>>,
    /// Parameters (standards) in force, reloaded on change.
    params: RwLock<Arc<Vec<fupin_core::assessment::Parameter>>>,
    /// Last year the (year, village) aggregates are kept for; see `reports`.
    horizon: AtomicI32,
    /// The keys that seal the audit chain (`AuditStore::use_audit_keys`); none until given.
    audit_keys: audit::seal::SharedKeys,
    /// Chains the audit records writes append (see `audit`).
    sealer: Arc<audit::seal::Sealer>,
}

impl SqlStore {
    /// Wrap a migrated backend: seed the default code tables on first start, load them, and bring
    /// the statistics aggregates up to the current year.
    pub async fn new(db: Arc<dyn Backend>) -> StoreResult<SqlStore> {
        let audit_keys: audit::seal::SharedKeys = Arc::new(RwLock::new(None));
        let sealer = Arc::new(audit::seal::Sealer::new(db.clone(), audit_keys.clone()));
        // every write transaction of the store asks for its audit records to be sealed once committed
        let db: Arc<dyn Backend> = Arc::new(audit::seal::SealingBackend {
            inner: db,
            sealer: sealer.clone(),
        });
        let store = SqlStore {
            db,
            codes: RwLock::new(Arc::new(CodeBook::default())),
            params: RwLock::new(Arc::new(Vec::new())),
            horizon: AtomicI32::new(0),
            audit_keys,
            sealer,
        };
        store.seed_code_tables().await?;
        store.reload_codes().await?;
        store.seed_parameters().await?;
        store.seed_quality_rules().await?;
        store.init_horizon().await?;
        Ok(store)
    }

    fn horizon(&self) -> i32 {
        self.horizon.load(Ordering::SeqCst)
    }
}

/// A backend failure is the generic internal error; its cause is logged (never with values).
/// Failures the store reacts to (unique violations) are classified before they get here.
impl From<DbError> for DomainError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "database error");
        DomainError::internal()
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        self.db.name()
    }
    async fn ping(&self) -> StoreResult<()> {
        self.db
            .fetch_all("SELECT 1", &[])
            .await
            .map(|_| ())
            .map_err(DomainError::from)
    }
    async fn schema_status(&self) -> StoreResult<fupin_core::store::SchemaStatus> {
        // the table sqlx's migrator keeps, the same name on both backends
        let rows = self
            .db
            .fetch_all(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
                &[],
            )
            .await?;
        let applied = rows
            .iter()
            .map(rows::one_i64)
            .collect::<StoreResult<Vec<i64>>>()?;
        let shipped = self.db.migration_versions();
        Ok(fupin_core::store::SchemaStatus {
            applied: applied.iter().copied().max().unwrap_or(0),
            expected: shipped.iter().copied().max().unwrap_or(0),
            pending: shipped.iter().filter(|v| !applied.contains(v)).count() as u32,
            unknown: applied.iter().filter(|v| !shipped.contains(v)).count() as u32,
        })
    }
    fn pool_status(&self) -> fupin_core::store::PoolStatus {
        self.db.pool_status()
    }
    async fn reading_together<'a>(
        &'a self,
        work: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>,
    ) -> StoreResult<()> {
        if together::current().is_some() {
            work.await;
            return Ok(());
        }
        let tx = self.db.begin_read().await?;
        together::run(tx, work).await;
        Ok(())
    }
}
