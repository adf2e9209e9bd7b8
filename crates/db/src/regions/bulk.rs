//! The regions' bulk path: the villages an import may write to, which region codes exist, village
//! profiles looked up and written in batches, and the keyset-paged exports of profiles and regions.

use crate::bulk::{map_bulk, SqlBulkSession, IN_CHUNK};
use crate::query::{in_text, Query};
use crate::regions::rows::{
    profile_values, PROFILE_COLS, PROFILE_UPSERT, PROFILE_WRITE, REGION_COLS,
};
use crate::rows::{push_rows, Cols, Record};
use crate::SqlStore;
use fupin_core::audit::AuditRecord;
use fupin_core::regions::{Region, RegionCode, VillageProfile};
use fupin_core::store::{BulkProfile, RegionBulk, StoreResult};
use fupin_core::{Ctx, Scope};
use time::OffsetDateTime;

#[async_trait::async_trait]
impl RegionBulk for SqlBulkSession {
    async fn villages(&mut self) -> StoreResult<Vec<RegionCode>> {
        let mut q = Query::new("SELECT code FROM regions WHERE level = 'village'");
        q.and_in_ranges("code", &self.ctx.scope.ranges(None));
        q.push(" ORDER BY code");
        let rows = self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter()
            .map(|r| Cols::read(r, |c| RegionCode::parse(&c.text()?)))
            .collect()
    }

    async fn known_regions(&mut self, codes: &[RegionCode]) -> StoreResult<Vec<RegionCode>> {
        let mut out = Vec::new();
        let texts: Vec<String> = codes.iter().map(|c| c.as_str().to_string()).collect();
        for chunk in texts.chunks(IN_CHUNK) {
            let mut q = Query::new("SELECT code FROM regions WHERE ");
            let cond = in_text(&mut q, "code", chunk);
            q.push(&cond);
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(Cols::read(&r, |c| RegionCode::parse(&c.text()?))?);
            }
        }
        Ok(out)
    }

    async fn profiles(&mut self, keys: &[(RegionCode, i32)]) -> StoreResult<Vec<VillageProfile>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(IN_CHUNK) {
            let mut q = Query::new(&format!(
                "SELECT {PROFILE_COLS} FROM village_profiles WHERE "
            ));
            let parts: Vec<String> = chunk
                .iter()
                .map(|(v, y)| {
                    let a = q.arg(v.as_str());
                    let b = q.arg(*y);
                    format!("(village_code = {a} AND year = {b})")
                })
                .collect();
            q.push(&parts.join(" OR "));
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(VillageProfile::from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn put_profiles(&mut self, items: Vec<BulkProfile>) -> StoreResult<()> {
        self.require_write()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        for chunk in items.chunks(200) {
            let mut q = Query::new(&format!(
                "INSERT INTO village_profiles ({}) VALUES ",
                PROFILE_WRITE.list()
            ));
            push_rows(
                &mut q,
                chunk.iter().map(|p| profile_values(&p.after, now, &actor)),
            );
            q.push(PROFILE_UPSERT);
            self.tx.execute(&q.sql, &q.args).await.map_err(map_bulk)?;
        }
        let audit = items
            .iter()
            .map(|p| {
                AuditRecord::change(
                    "village_profile.import",
                    "village_profile",
                    format!("{}/{}", p.after.village_code, p.after.year),
                    p.before.as_ref(),
                    Some(&p.after),
                )
                .in_region(&p.after.village_code)
            })
            .collect();
        self.audit_many(audit).await
    }
}

impl SqlStore {
    pub(crate) async fn export_profiles_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: Option<i32>,
        after: Option<(RegionCode, i32)>,
        limit: u32,
    ) -> StoreResult<Vec<VillageProfile>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {PROFILE_COLS} FROM village_profiles WHERE 1 = 1"
        ));
        let from = after.as_ref().map(|(v, _)| (v.as_str(), false));
        q.and_in_ranges("village_code", &ctx.scope.ranges_from(Some(region), from));
        if let Some(y) = year {
            let p = q.arg(y);
            q.push(&format!(" AND year = {p}"));
        }
        if let Some((v, y)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(*y);
            q.push(&format!(" AND (village_code, year) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY village_code, year LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter().map(VillageProfile::from_row).collect()
    }

    pub(crate) async fn export_regions_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<RegionCode>,
        limit: u32,
    ) -> StoreResult<Vec<Region>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!("SELECT {REGION_COLS} FROM regions WHERE 1 = 1"));
        let ranges = match &ctx.scope {
            Scope::All => Some(vec![region.range()]),
            s => s.ranges(Some(region)),
        };
        q.and_in_ranges("code", &ranges);
        if let Some(a) = &after {
            let p = q.arg(a.as_str());
            q.push(&format!(" AND code > {p}"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY code LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter().map(Region::from_row).collect()
    }
}
