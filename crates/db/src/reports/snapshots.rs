//! Frozen work summaries (`report_snapshots`): stored whole as JSON with their region and period,
//! read back unchanged, listed by region within the caller's scope.

use crate::query::Query;
use crate::rows::{to_json, Cols, Columns, Record, Select, Sql};
use crate::sql::Value;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::regions::RegionCode;
use fupin_core::reports::summary::{Snapshot, SnapshotInfo, Summary};
use fupin_core::store::StoreResult;
use fupin_core::{Ctx, DomainError};
use time::OffsetDateTime;

/// The kind of report a snapshot holds (the work summary is the only one so far).
const KIND: &str = "summary";

/// The columns written for a new snapshot.
const NEW: Columns = Columns(&[
    "region_code",
    "kind",
    "from_date",
    "to_date",
    "unit",
    "title",
    "body",
    "made_by",
    "made_at",
]);

static INSERT: Sql = Sql::new(|| format!("{} RETURNING id", NEW.insert("report_snapshots")));

impl Record for Snapshot {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "region_code",
            "from_date",
            "to_date",
            "unit",
            "made_by",
            "made_at",
            "body",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(Snapshot {
            id: c.i64()?,
            region_code: RegionCode::parse(&c.text()?).map_err(|_| DomainError::internal())?,
            from: c.date()?,
            to: c.date()?,
            unit: c.opt_text()?,
            made_by: c.text()?,
            made_at: c.time()?,
            summary: c.json()?,
        })
    }
}

impl Record for SnapshotInfo {
    fn columns() -> Columns {
        Columns(&[
            "id",
            "region_code",
            "from_date",
            "to_date",
            "unit",
            "title",
            "made_by",
            "made_at",
        ])
    }
    fn decode(c: &mut Cols<'_>) -> StoreResult<Self> {
        Ok(SnapshotInfo {
            id: c.i64()?,
            region_code: RegionCode::parse(&c.text()?).map_err(|_| DomainError::internal())?,
            from: c.date()?,
            to: c.date()?,
            unit: c.opt_text()?,
            title: c.text()?,
            made_by: c.text()?,
            made_at: c.time()?,
        })
    }
}

const SNAPSHOT_COLS: Select<Snapshot> = Select::new();
const INFO_COLS: Select<SnapshotInfo> = Select::new();

fn not_found() -> DomainError {
    DomainError::not_found("snapshot_not_found", "报告快照不存在或不在您的管辖范围内")
}

impl SqlStore {
    pub(crate) async fn save_snapshot_impl(
        &self,
        ctx: &Ctx,
        summary: &Summary,
        unit: Option<&str>,
    ) -> StoreResult<Snapshot> {
        let region = &summary.region.code;
        ctx.require(region, "区划")?;
        let now = OffsetDateTime::now_utc();
        let values: Vec<Value> = Vec::from(args![
            region.as_str(),
            KIND,
            summary.from,
            summary.to,
            unit.map(str::to_string),
            summary.title.as_str(),
            to_json(summary),
            ctx.actor.as_str(),
            now
        ]);
        let mut tx = self.db.begin_write().await?;
        let row = tx.fetch_one(&INSERT, &values).await?;
        let id = crate::rows::one_i64(&row)?;
        let out = Snapshot {
            id,
            region_code: region.clone(),
            from: summary.from,
            to: summary.to,
            unit: unit.map(str::to_string),
            made_by: ctx.actor.clone(),
            made_at: now,
            summary: summary.clone(),
        };
        let info = serde_json::json!({
            "title": summary.title,
            "from": summary.from,
            "to": summary.to,
            "unit": unit,
            "figures": summary.figures.len(),
        });
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("snapshot.create", "report_snapshot", id, None, Some(&info))
                .in_region(region),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    pub(crate) async fn snapshot_impl(&self, ctx: &Ctx, id: i64) -> StoreResult<Snapshot> {
        let row = self
            .db
            .fetch_all(
                &format!("SELECT {SNAPSHOT_COLS} FROM report_snapshots WHERE id = $1"),
                &args![id],
            )
            .await?;
        let s = match row.first() {
            Some(r) => Snapshot::from_row(r)?,
            None => return Err(not_found()),
        };
        if !ctx.scope.allows(&s.region_code) {
            return Err(not_found());
        }
        Ok(s)
    }

    pub(crate) async fn snapshots_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
    ) -> StoreResult<Vec<SnapshotInfo>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {INFO_COLS} FROM report_snapshots WHERE 1 = 1"
        ));
        let (lo, hi) = region.range();
        let (a, b) = (q.arg(lo), q.arg(hi));
        q.push(&format!(" AND region_code BETWEEN {a} AND {b}"));
        q.and_in_ranges("region_code", &ctx.scope.ranges(Some(region)));
        q.push(" ORDER BY id DESC LIMIT 500");
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(SnapshotInfo::from_row).collect()
    }
}
