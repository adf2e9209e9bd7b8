//! The audit log in SQL. A write appends its records, not yet chained, to `audit_pending` inside
//! its own transaction (so a write and its record commit or vanish together) — writers take no
//! lock in common, and a long import holds up no one. The sealer (`seal`) then chains committed
//! records into `audit_log` in the order it finds them committed: each sealed entry's HMAC under
//! the store's audit key covers its content, its position and the previous entry's hash, and the
//! head is signed, as before. Sealing runs as soon as a write that appended a record has committed
//! (on the store's sealing task, one pass at a time however many writes ask), before the log is
//! listed or verified (all of it, in the caller's time), and periodically in a server.
//! Entries are listed by scope and verified link by link; `check_audit` reports how many records
//! were still waiting for the sealer.

mod rows;
pub(crate) mod seal;

use crate::bulk::{map_bulk, SqlBulkSession};
use crate::query::Query;
use crate::rows::{one_i64, Cols, Record};
use crate::sql::{insert_rows, DbResult, Tx};
use crate::{args, SqlStore};
use fupin_core::audit::{
    format_at, AuditAnchor, AuditEntry, AuditKeys, AuditRecord, BrokenLink, ChainReport,
    ChainVerifier, StoredHead,
};
use fupin_core::error::ErrorKind;
use fupin_core::registry::{Page, MAX_PER_PAGE};
use fupin_core::store::{AuditFilter, AuditStore, LastEntry, StoreResult};
use fupin_core::{Ctx, DomainError};
use rows::{pending_values, ENTRY_COLS, HEAD_COLS, LAST_COLS, PENDING_NEW};
use seal::SharedKeys;
use std::sync::Arc;
use time::OffsetDateTime;

/// The chain's head (position and hash of the last entry), locked until the transaction ends
/// (`lock_rows`: the backend's row-lock suffix).
pub(crate) async fn read_head(tx: &mut dyn Tx, lock_rows: &str) -> DbResult<(i64, String)> {
    let head = tx
        .fetch_one(
            &format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock_rows}"),
            &[],
        )
        .await?;
    let mut c = Cols::new(&head);
    let out = (c.i64()?, c.text()?);
    c.done()?;
    Ok(out)
}

/// Store the chain's head after the entries appended, signed with the current key.
pub(crate) async fn write_head(
    tx: &mut dyn Tx,
    keys: &AuditKeys,
    head: &(i64, String),
) -> DbResult<()> {
    let signature = keys.sign_head(head.0, &head.1);
    tx.execute(
        "UPDATE audit_head SET seq = $1, hash = $2, signature = $3 WHERE id = 1",
        &args![head.0, head.1.as_str(), signature.as_str()],
    )
    .await?;
    Ok(())
}

/// The keys in use; an error (logged) while none were given, so that nothing is written that
/// could not be sealed.
pub(crate) fn keys_in_use(keys: &SharedKeys) -> StoreResult<Arc<AuditKeys>> {
    let keys = keys.read().expect("audit keys lock").clone();
    keys.ok_or_else(|| {
        tracing::error!("no audit keys in use: the audit log cannot be written or checked");
        DomainError::new(
            ErrorKind::Internal,
            "audit_key_missing",
            "审计日志密钥未配置，无法写入或校验审计日志",
        )
    })
}

impl SqlStore {
    /// The keys in use (see [`keys_in_use`]).
    pub(crate) fn audit_keys(&self) -> StoreResult<Arc<AuditKeys>> {
        keys_in_use(&self.audit_keys)
    }

    /// Hold off this store's sealing until the guard is dropped, as a long sealing pass does:
    /// writes that commit meanwhile return at once, and their records wait for the next pass.
    /// For tests of the sealer.
    pub async fn hold_sealing(&self) -> seal::SealingHeld {
        self.sealer.hold().await
    }

    /// Sealing transactions this store has begun (a pass of the sealing task is one per batch;
    /// `seal_audit` one per batch too), for tests of the sealer.
    pub fn sealing_passes(&self) -> u64 {
        self.sealer.passes()
    }

    /// Seal every committed record, when keys are in use (none are: nothing was written that
    /// needs them, and a process checking its keys against the log has not chosen them yet).
    async fn seal_if_keyed(&self) -> StoreResult<u64> {
        if self.audit_keys.read().expect("audit keys lock").is_none() {
            return Ok(0);
        }
        self.sealer.seal_all().await
    }

    /// Append a record inside the caller's write transaction, for the sealer to chain once the
    /// transaction has committed.
    pub(crate) async fn audit(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        rec: AuditRecord,
    ) -> StoreResult<()> {
        self.audit_keys()?;
        let at = format_at(OffsetDateTime::now_utc());
        let row = pending_values(&at, &ctx.actor, ctx.client.as_deref(), rec);
        insert_rows(tx, "audit_pending", PENDING_NEW.names(), vec![row]).await?;
        Ok(())
    }
}

impl SqlStore {
    /// Append audit records in one go (the backend's fast path), for the sealer to chain after
    /// the transaction has committed.
    pub(crate) async fn audit_batch(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        records: Vec<AuditRecord>,
    ) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.audit_keys()?;
        let at = format_at(OffsetDateTime::now_utc());
        let (actor, client) = (ctx.actor.as_str(), ctx.client.as_deref());
        let rows = records
            .into_iter()
            .map(|r| pending_values(&at, actor, client, r))
            .collect();
        tx.copy_rows("audit_pending", PENDING_NEW.names(), rows)
            .await
            .map_err(map_bulk)?;
        Ok(())
    }
}

impl SqlBulkSession {
    /// Append audit records in one go, for the sealer to chain after the import has committed.
    pub(crate) async fn audit_many(&mut self, records: Vec<AuditRecord>) -> StoreResult<()> {
        self.store
            .audit_batch(self.tx.as_mut(), &self.ctx, records)
            .await
    }
}

#[async_trait::async_trait]
impl AuditStore for SqlStore {
    async fn record_event(&self, ctx: &Ctx, record: AuditRecord) -> StoreResult<()> {
        let mut tx = self.db.begin_write().await?;
        self.audit(tx.as_mut(), ctx, record).await?;
        Ok(tx.commit().await?)
    }

    async fn audit_log(&self, ctx: &Ctx, f: AuditFilter) -> StoreResult<Page<AuditEntry>> {
        let per_page = f.per_page.unwrap_or(50);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(DomainError::invalid(
                "per_page",
                "out_of_range",
                format!("每页条数须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        // what has committed is listed, sealed
        self.seal_if_keyed().await?;
        let page = f.page.unwrap_or(1).max(1);
        let offset = u64::from(page - 1) * u64::from(per_page);
        if f.after.is_some() && page > 1 {
            return Err(DomainError::invalid(
                "page",
                "out_of_range",
                "给出 after 时不能再给页码",
            ));
        }
        if offset > fupin_core::registry::MAX_OFFSET {
            return Err(DomainError::invalid(
                "page",
                "page_too_deep",
                format!(
                    "按页码最多翻过 {} 条；更后面的页请用上一页给出的 next 作为 after",
                    fupin_core::registry::MAX_OFFSET
                ),
            ));
        }
        let mut w = Query::new(" WHERE 1 = 1");
        match &ctx.scope {
            fupin_core::Scope::All => {}
            // records of no region are visible to nationwide auditors only
            s => {
                w.push(" AND region_code IS NOT NULL");
                w.and_in_ranges("region_code", &s.ranges(None));
            }
        }
        for (col, v) in [
            ("actor", &f.actor),
            ("action", &f.action),
            ("entity", &f.entity),
            ("entity_id", &f.entity_id),
        ] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let p = w.arg(v);
                w.push(&format!(" AND {col} = {p}"));
            }
        }
        if let Some(d) = f.from {
            let p = w.arg(format!("{d}T00:00:00"));
            w.push(&format!(" AND at >= {p}"));
        }
        if let Some(d) = f.to {
            let p = w.arg(format!("{d}T99"));
            w.push(&format!(" AND at < {p}"));
        }
        let mut tx = self.db.begin_read().await?;
        // the count only for pages reached by number; a page after a cursor reads its rows alone
        let total = match f.after {
            Some(_) => None,
            None => Some(one_i64(
                &tx.fetch_one(&format!("SELECT COUNT(*) FROM audit_log{}", w.sql), &w.args)
                    .await?,
            )? as u64),
        };
        let mut q = Query {
            sql: format!("SELECT {ENTRY_COLS} FROM audit_log{}", w.sql),
            args: w.args,
        };
        // keyset: the entries before the cursor, newest first, along the primary key
        if let Some(after) = f.after {
            let a = q.arg(after);
            q.push(&format!(" AND seq < {a}"));
        }
        let l = q.arg(i64::from(per_page));
        let o = q.arg(offset as i64);
        q.push(&format!(" ORDER BY seq DESC LIMIT {l} OFFSET {o}"));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let items: Vec<AuditEntry> = rows
            .iter()
            .map(AuditEntry::from_row)
            .collect::<StoreResult<_>>()?;
        let next = (items.len() == per_page as usize)
            .then(|| items.last())
            .flatten()
            .map(|e| e.seq.to_string());
        Ok(Page { items, total, next })
    }

    fn use_audit_keys(&self, keys: Arc<AuditKeys>) {
        *self.audit_keys.write().expect("audit keys lock") = Some(keys);
    }

    async fn seal_audit(&self) -> StoreResult<u64> {
        self.seal_if_keyed().await
    }

    async fn last_audit_entry(&self) -> StoreResult<LastEntry> {
        self.seal_if_keyed().await?;
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT {LAST_COLS} FROM audit_head h \
                     LEFT JOIN audit_log l ON l.seq = h.seq WHERE h.id = 1"
                ),
                &[],
            )
            .await?;
        let r = rows.first().ok_or_else(|| {
            tracing::error!("audit_head has no row");
            DomainError::internal()
        })?;
        LastEntry::from_row(r)
    }

    async fn check_audit(
        &self,
        anchor: Option<&AuditAnchor>,
    ) -> StoreResult<Result<ChainReport, BrokenLink>> {
        let keys = self.audit_keys()?;
        self.sealer.seal_all().await?;
        let mut ver = match ChainVerifier::new(keys, anchor.cloned()) {
            Ok(v) => v,
            Err(b) => return Ok(Err(b)),
        };
        let mut after = 0i64;
        loop {
            // in pages, so that memory stays bounded however long the log
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "SELECT {ENTRY_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"
                    ),
                    &args![after],
                )
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = AuditEntry::from_row(r)?;
                if let Err(b) = ver.check(&e) {
                    return Ok(Err(b));
                }
                after = e.seq;
            }
        }
        // the head must point at the last row, signed: a deleted tail shows here
        let head = self
            .db
            .fetch_all(
                &format!("SELECT {HEAD_COLS} FROM audit_head WHERE id = 1"),
                &[],
            )
            .await?;
        let head = head.first().map(StoredHead::from_row).transpose()?;
        let mut report = match ver.finish(head.as_ref()) {
            Ok(r) => r,
            Err(b) => return Ok(Err(b)),
        };
        // committed while the walk ran: sealed by the next sealing
        let pending = self
            .db
            .fetch_all("SELECT COUNT(*) FROM audit_pending", &[])
            .await?;
        report.pending = match pending.first() {
            Some(r) => Cols::read(r, |c| Ok(c.i64()?))? as u64,
            None => 0,
        };
        Ok(Ok(report))
    }
}
