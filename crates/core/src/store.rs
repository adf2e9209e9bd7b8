//! The `Store` seam: what the rest of fupin asks of persistence. `db-sqlite` and `db-postgres`
//! implement it; handlers and the CLI hold it as `Arc<dyn Store>`.
//!
//! Every method takes a `Ctx` and filters by its scope. Every write validates its input with the
//! rules in this crate, runs in one transaction, and keeps the statistics aggregates in step.
//!
//! Each area declares what it asks of persistence in its own `store.rs` (`regions::store`,
//! `registry::store` …); this module composes them into [`Store`] and re-exports every area trait,
//! so `fupin_core::store::RegistryStore` names the same trait as `fupin_core::registry::store::…`.

use crate::error::DomainError;
use crate::scope::Ctx;
use async_trait::async_trait;
use serde::Serialize;

pub use crate::accounts::store::*;
pub use crate::assessment::store::*;
pub use crate::audit::store::*;
pub use crate::measures::services_store::*;
pub use crate::measures::store::*;
pub use crate::pairing::store::*;
pub use crate::projects::store::*;
pub use crate::rectification::store::*;
pub use crate::regions::store::*;
pub use crate::registry::store::*;
pub use crate::reports::store::*;

/// Result of a store call. Backend failures come back as `ErrorKind::Internal` with a generic
/// message; their causes are logged by the backend (never with personal data).
pub type StoreResult<T> = Result<T, DomainError>;

/// One rejected row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based line of the source (the header is line 1).
    pub line: u64,
    #[serde(flatten)]
    pub error: DomainError,
}

/// Everything a backend provides.
#[async_trait]
pub trait Store:
    RegionStore
    + RegistryStore
    + StatsStore
    + AccountStore
    + AuditStore
    + PairingStore
    + AssessmentStore
    + MeasureStore
    + ProjectStore
    + AssetStore
    + ServiceStore
    + RectificationStore
    + BulkStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// The migrations applied to the database against those this build ships (readiness).
    async fn schema_status(&self) -> StoreResult<SchemaStatus>;
    /// Connections of the pool, for metrics.
    fn pool_status(&self) -> PoolStatus;
    /// Run `work` with all its reads of this store in one read-only transaction, on one
    /// connection: for a handler that only reads but asks many questions (a household's page).
    /// Writes inside begin their own transactions as always, and the reads after them would not
    /// see them on every backend: work that writes does not belong in here.
    async fn reading_together<'a>(
        &'a self,
        work: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>,
    ) -> StoreResult<()>;
}

/// Migrations of the database compared with the build's: current when every shipped migration is
/// applied and none unknown to this build is (a newer release migrated the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaStatus {
    /// Latest migration version applied to the database (0 when none).
    pub applied: i64,
    /// Latest migration version this build ships.
    pub expected: i64,
    /// Shipped migrations not applied yet.
    pub pending: u32,
    /// Applied migrations this build does not know.
    pub unknown: u32,
}

impl SchemaStatus {
    pub fn current(&self) -> bool {
        self.pending == 0 && self.unknown == 0
    }
}

/// Connections of the store's pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolStatus {
    /// Connections open now.
    pub open: u32,
    /// Of those, not in use.
    pub idle: u32,
    /// Most the pool opens.
    pub max: u32,
}

// ---- Bulk import ---------------------------------------------------------------------------------
// An import is driven by the io crate (parse, validate with core's rules, compare with what is
// stored) and written through one `BulkSession`, a single transaction that uses the backend's fast
// path. Each area declares its part of the session beside its store trait (`RegionBulk`,
// `RegistryBulk`, `PairingBulk`); exports read through the areas' store traits in keyset pages.

/// One transaction of a bulk import. Reads see the registry as of the session (and the session's
/// own writes); writes are applied at once with the backend's fast path; `finish` brings the
/// statistics aggregates in step, appends the summary audit record and commits, or rolls back.
/// Dropped without `finish`, it rolls back.
#[async_trait]
pub trait BulkSession:
    RegionBulk
    + RegistryBulk
    + PairingBulk
    + AssessmentBulk
    + MeasureBulk
    + crate::rectification::store::RectificationBulk
    + crate::projects::store::ProjectBulk
    + Send
{
    /// Prepare for about `new_rows` new person rows: a large load into a small registry drops the
    /// secondary indexes it would otherwise update row by row, and rebuilds them in `finish`.
    async fn plan(&mut self, new_rows: u64) -> StoreResult<()>;
    /// Commit (with `summary` recorded as the import's audit event), or roll back when `commit`
    /// is false.
    async fn finish(self: Box<Self>, summary: serde_json::Value, commit: bool) -> StoreResult<()>;
}

/// Bulk import sessions.
#[async_trait]
pub trait BulkStore: Send + Sync {
    /// Open an import session: a write transaction, or a read-only one for a dry run.
    async fn bulk_session(&self, ctx: &Ctx, write: bool) -> StoreResult<Box<dyn BulkSession>>;
}
