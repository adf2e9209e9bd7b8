//! Cadres, pairings and visits through a bulk session: the batched look-ups the importer compares
//! with (cadres by name, households by number, pairings and visits of households), the writes
//! (new rows through `Tx::copy_rows` with reserved ids, one audit record per row, chained in one
//! go), and the keyset-paged export reads of the three lists.

use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use crate::pairing::cadres_shown;
use crate::pairing::rows::{
    self as rows, StoredVisit, CADRE_COLS, CADRE_FROM, PAIRING_COLS, PAIRING_FROM, UNIT_COLS,
    WISH_COLS,
};
use crate::query::{in_text, CadreUse, Query};
use crate::rows::{one_i64, Cols, Record, Select};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::error::DomainError;
use fupin_core::pairing::PairingLimits;
use fupin_core::pairing::{
    Cadre, CadreId, Claimant, HelpingUnit, Pairing, PairingId, UnitId, Visit, VisitData, VisitId,
    Wish,
};
use fupin_core::registry::HouseholdId;
use fupin_core::store::{
    BulkCadre, BulkPairing, BulkPairingEnd, BulkVisit, BulkWish, HouseholdKey, PairingBulk,
    StoreResult,
};
use fupin_core::{Ctx, RegionCode};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

const CADRE_INSERT_COLS: [&str; 7] = [
    "id",
    "name",
    "unit_id",
    "rank",
    "phone",
    "user_id",
    "region_code",
];

const PAIRING_INSERT_COLS: [&str; 9] = [
    "id",
    "household_id",
    "cadre_id",
    "village_code",
    "start_date",
    "end_date",
    "end_reason",
    "created_by",
    "created_at",
];

const WISH_INSERT_COLS: [&str; 15] = [
    "id",
    "household_id",
    "village_code",
    "person_id",
    "text",
    "estimated_value_fen",
    "status",
    "submitted_on",
    "claimed_by_cadre",
    "claimed_by_unit",
    "claimed_on",
    "fulfilled_on",
    "actual_value_fen",
    "cancelled_on",
    "cancel_reason",
];

/// The columns of a stored visit as the import reads it.
const VISIT_DATA_COLS: Select<StoredVisit> = Select::new();

#[async_trait::async_trait]
impl PairingBulk for SqlBulkSession {
    async fn units(&mut self) -> StoreResult<Vec<HelpingUnit>> {
        let rows = self
            .tx
            .fetch_all(
                &format!("SELECT {UNIT_COLS} FROM helping_units ORDER BY id"),
                &[],
            )
            .await
            .map_err(map_bulk)?;
        rows.iter().map(HelpingUnit::from_row).collect()
    }

    async fn cadres_named(
        &mut self,
        names: &[String],
        units: &[String],
        naming: bool,
    ) -> StoreResult<Vec<Cadre>> {
        // the units' ids first (a few hundred a batch), so that the cadres are read through the
        // index of their units: matched by name against both lists at once, a batch's two
        // thousand names were checked against every cadre of the province (about 500,000) in a
        // scan, once per chunk of names and batch of the file
        let unit_ids: Vec<i64> = if units.is_empty() {
            Vec::new()
        } else {
            let mut ids = Vec::new();
            for chunk in units.chunks(IN_CHUNK) {
                let mut q = Query::new("SELECT id FROM helping_units WHERE ");
                let cond = self.text_in(&mut q, "name", chunk);
                q.push(&cond);
                for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                    ids.push(one_i64(&r)?);
                }
            }
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            ids.sort_unstable();
            ids
        };
        let unit_chunks: Vec<&[i64]> = if units.is_empty() {
            vec![&[]]
        } else {
            unit_ids.chunks(IN_CHUNK).collect()
        };
        let mut out = Vec::new();
        for chunk in names.chunks(IN_CHUNK) {
            for u in &unit_chunks {
                let mut q = Query::new(&format!("SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE "));
                if !u.is_empty() {
                    q.push(&format!("c.unit_id IN ({}) AND ", id_list(u)));
                }
                let cond = self.text_in(&mut q, "c.name", chunk);
                q.push(&cond);
                // only the cadres the caller reaches: one out of reach is not there
                let use_ = if naming {
                    CadreUse::Name { household: None }
                } else {
                    CadreUse::Pair
                };
                q.and_reachable_cadres(&self.ctx, use_);
                q.push(" ORDER BY c.id");
                for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                    out.push(Cadre::from_row(&r)?);
                }
            }
        }
        Ok(out)
    }

    async fn household_keys(&mut self, numbers: &[String]) -> StoreResult<Vec<HouseholdKey>> {
        let mut out = Vec::new();
        for chunk in numbers.chunks(IN_CHUNK) {
            let mut q =
                Query::new("SELECT id, household_number, village_code FROM households WHERE ");
            let cond = self.text_in(&mut q, "household_number", chunk);
            q.push(&cond);
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                out.push(Cols::read(&r, |c| {
                    Ok(HouseholdKey {
                        id: HouseholdId(c.i64()?),
                        household_number: c.text()?,
                        village_code: RegionCode::parse(&c.text()?)?,
                    })
                })?);
            }
        }
        Ok(out)
    }

    async fn pairings_of(
        &mut self,
        households: &[HouseholdId],
        cadres: &[CadreId],
    ) -> StoreResult<Vec<Pairing>> {
        let mut out: BTreeMap<i64, Pairing> = BTreeMap::new();
        let h: Vec<i64> = households.iter().map(|h| h.0).collect();
        let c: Vec<i64> = cadres.iter().map(|c| c.0).collect();
        for (col, ids) in [("p.household_id", &h), ("p.cadre_id", &c)] {
            for chunk in ids.chunks(IN_CHUNK) {
                let sql = format!(
                    "SELECT {PAIRING_COLS} FROM {PAIRING_FROM} WHERE {col} IN ({})",
                    id_list(chunk)
                );
                for r in self.tx.fetch_all(&sql, &[]).await.map_err(map_bulk)? {
                    let p = Pairing::from_row(&r)?;
                    out.insert(p.id.0, p);
                }
            }
        }
        Ok(out.into_values().collect())
    }

    async fn visits_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(VisitId, VisitData)>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = households.iter().map(|h| h.0).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT {VISIT_DATA_COLS} FROM visits v WHERE v.household_id IN ({}) ORDER BY v.id",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            let mut visits = Vec::with_capacity(rows.len());
            for r in &rows {
                let StoredVisit(id, data) = StoredVisit::from_row(r)?;
                visits.push((id, data));
            }
            let vids: Vec<i64> = visits.iter().map(|(id, _)| id.0).collect();
            let index: HashMap<i64, usize> =
                vids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
            for vchunk in vids.chunks(IN_CHUNK) {
                let rows = self
                    .tx
                    .fetch_all(
                        &format!(
                            "SELECT visit_id, cadre_id FROM visit_cadres WHERE visit_id IN ({}) ORDER BY visit_id, cadre_id",
                            id_list(vchunk)
                        ),
                        &[],
                    )
                    .await
                    .map_err(map_bulk)?;
                for r in rows {
                    let (v, cadre) = Cols::read(&r, |c| Ok((c.i64()?, CadreId(c.i64()?))))?;
                    if let Some(i) = index.get(&v) {
                        visits[*i].1.cadre_ids.push(cadre);
                    }
                }
            }
            out.extend(visits);
        }
        Ok(out)
    }

    async fn put_cadres(&mut self, items: Vec<BulkCadre>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let mut audit = Vec::new();
        let units = self.unit_ids(&items, &mut audit).await?;
        let unit_of = |c: &BulkCadre| {
            units.get(&c.unit_name).copied().ok_or_else(|| {
                tracing::error!("bulk cadre without its unit");
                DomainError::internal()
            })
        };
        let new = items.iter().filter(|c| c.before.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx.reserve_ids("cadres", new).await.map_err(map_bulk)?
        } else {
            0
        };
        let mut rows = Vec::with_capacity(new as usize);
        for c in &items {
            let unit_id = unit_of(c)?;
            let mut after = Cadre {
                id: c.before.as_ref().map_or(CadreId(id), |b| b.id),
                name: c.name.clone(),
                unit_id,
                unit_name: c.unit_name.clone(),
                rank: c.rank.clone(),
                phone: c.phone.clone(),
                user_id: c.before.as_ref().and_then(|b| b.user_id),
                region_code: Some(c.region_code.clone()),
            };
            match &c.before {
                None => {
                    rows.push(Vec::from(args![
                        id,
                        c.name.as_str(),
                        unit_id.0,
                        c.rank.clone(),
                        c.phone.clone(),
                        None::<i64>,
                        c.region_code.as_str()
                    ]));
                    id += 1;
                    after.mask();
                    audit.push(
                        AuditRecord::change(
                            "cadre.import",
                            "cadre",
                            after.id.0,
                            None,
                            Some(&after),
                        )
                        .in_region(&c.region_code),
                    );
                }
                Some(before) => {
                    self.tx
                        .execute(
                            "UPDATE cadres SET name = $1, unit_id = $2, rank = $3, phone = $4, region_code = $5 WHERE id = $6",
                            &args![
                                c.name.as_str(),
                                unit_id.0,
                                c.rank.clone(),
                                c.phone.clone(),
                                c.region_code.as_str(),
                                before.id.0
                            ],
                        )
                        .await
                        .map_err(map_bulk)?;
                    self.store
                        .move_cadre_unit(self.tx.as_mut(), before.id.0, before.unit_id.0, unit_id.0)
                        .await?;
                    let mut shown = before.clone();
                    shown.mask();
                    after.mask();
                    audit.push(
                        AuditRecord::change(
                            "cadre.import",
                            "cadre",
                            before.id.0,
                            Some(&shown),
                            Some(&after),
                        )
                        .in_region(&c.region_code),
                    );
                }
            }
        }
        self.tx
            .copy_rows("cadres", &CADRE_INSERT_COLS, rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }

    async fn create_pairings(&mut self, items: Vec<BulkPairing>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        self.touch_pairing(items.iter().map(|p| p.household_id.0));
        let mut id = self
            .tx
            .reserve_ids("pairings", items.len() as u64)
            .await
            .map_err(map_bulk)?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(items.len());
        let mut audit = Vec::with_capacity(items.len());
        for p in &items {
            let (end_date, end_reason) = match &p.end {
                Some((d, r)) => (Some(*d), Some(r.clone())),
                None => (None, None),
            };
            rows.push(Vec::from(args![
                id,
                p.household_id.0,
                p.cadre_id.0,
                p.village.as_str(),
                p.start_date,
                end_date,
                end_reason.clone(),
                actor.as_str(),
                now
            ]));
            audit.push(
                AuditRecord::event(
                    "pairing.import",
                    "pairing",
                    Some(id.to_string()),
                    serde_json::json!({
                        "household_id": p.household_id,
                        "cadre_id": p.cadre_id,
                        "start_date": p.start_date.to_string(),
                        "end_date": end_date.map(|d| d.to_string()),
                        "end_reason": end_reason,
                    }),
                )
                .in_region(&p.village),
            );
            id += 1;
        }
        self.tx
            .copy_rows("pairings", &PAIRING_INSERT_COLS, rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }

    async fn end_pairings(&mut self, items: Vec<BulkPairingEnd>) -> StoreResult<()> {
        self.require_write()?;
        let mut audit = Vec::with_capacity(items.len());
        self.touch_pairing(items.iter().map(|e| e.before.household_id.0));
        for e in items {
            self.tx
                .execute(
                    "UPDATE pairings SET end_date = $1, end_reason = $2 WHERE id = $3",
                    &args![e.end_date, e.reason.as_str(), e.before.id.0],
                )
                .await
                .map_err(map_bulk)?;
            let after = Pairing {
                end_date: Some(e.end_date),
                end_reason: Some(e.reason),
                ..e.before.clone()
            };
            audit.push(
                AuditRecord::change(
                    "pairing.import_end",
                    "pairing",
                    e.before.id.0,
                    Some(&e.before),
                    Some(&after),
                )
                .in_region(&e.before.village_code),
            );
        }
        self.audit_many(audit).await
    }

    async fn wishes_of(&mut self, households: &[HouseholdId]) -> StoreResult<Vec<Wish>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = households.iter().map(|h| h.0).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows = self
                .tx
                .fetch_all(
                    &format!(
                        "SELECT {WISH_COLS} FROM wishes w WHERE w.household_id IN ({}) ORDER BY w.id",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await
                .map_err(map_bulk)?;
            for r in &rows {
                out.push(Wish::from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn put_wishes(&mut self, items: Vec<BulkWish>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        self.touch_pairing(items.iter().map(|w| w.after.household_id.0));
        let new = items.iter().filter(|w| w.before.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx.reserve_ids("wishes", new).await.map_err(map_bulk)?
        } else {
            0
        };
        let claimant = |w: &Wish| match w.claimed_by {
            Some(Claimant::Cadre(c)) => (Some(c.0), None),
            Some(Claimant::Unit(u)) => (None, Some(u.0)),
            None => (None, None),
        };
        let mut rows = Vec::with_capacity(new as usize);
        let mut audit = Vec::with_capacity(items.len());
        for item in items {
            let w = &item.after;
            let (cadre, unit) = claimant(w);
            match &item.before {
                None => {
                    rows.push(Vec::from(args![
                        id,
                        w.household_id.0,
                        item.village.as_str(),
                        w.person_id.map(|p| p.0),
                        w.text.as_str(),
                        w.estimated_value_fen,
                        w.status.as_str(),
                        w.submitted_on,
                        cadre,
                        unit,
                        w.claimed_on,
                        w.fulfilled_on,
                        w.actual_value_fen,
                        w.cancelled_on,
                        w.cancel_reason.clone()
                    ]));
                    let shown = Wish {
                        id: fupin_core::pairing::WishId(id),
                        ..w.clone()
                    };
                    audit.push(
                        AuditRecord::change("wish.import", "wish", id, None, Some(&shown))
                            .in_region(&item.village),
                    );
                    id += 1;
                }
                Some(before) => {
                    self.tx
                        .execute(
                            "UPDATE wishes SET estimated_value_fen = $1, status = $2, claimed_by_cadre = $3, claimed_by_unit = $4, \
                             claimed_on = $5, fulfilled_on = $6, actual_value_fen = $7, cancelled_on = $8, cancel_reason = $9 WHERE id = $10",
                            &args![
                                w.estimated_value_fen,
                                w.status.as_str(),
                                cadre,
                                unit,
                                w.claimed_on,
                                w.fulfilled_on,
                                w.actual_value_fen,
                                w.cancelled_on,
                                w.cancel_reason.clone(),
                                before.id.0
                            ],
                        )
                        .await
                        .map_err(map_bulk)?;
                    audit.push(
                        AuditRecord::change(
                            "wish.import",
                            "wish",
                            before.id.0,
                            Some(before),
                            Some(w),
                        )
                        .in_region(&item.village),
                    );
                }
            }
        }
        self.tx
            .copy_rows("wishes", &WISH_INSERT_COLS, rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }

    async fn put_visits(&mut self, items: Vec<BulkVisit>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        self.touch_pairing(items.iter().flat_map(|v| {
            std::iter::once(v.after.household_id.0)
                .chain(v.before.as_ref().map(|(_, b)| b.household_id.0))
        }));
        let new = items.iter().filter(|v| v.before.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx.reserve_ids("visits", new).await.map_err(map_bulk)?
        } else {
            0
        };
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(new as usize);
        let mut cadre_rows = Vec::new();
        let mut audit = Vec::with_capacity(items.len());
        for v in &items {
            let d = &v.after;
            match &v.before {
                None => {
                    rows.push(rows::new_visit(
                        Some(VisitId(id)),
                        d,
                        &v.village,
                        actor.as_str(),
                        now,
                    ));
                    for c in &d.cadre_ids {
                        cadre_rows.push(Vec::from(args![id, c.0]));
                    }
                    audit.push(
                        AuditRecord::change("visit.import", "visit", id, None, Some(d))
                            .in_region(&v.village),
                    );
                    id += 1;
                }
                Some((vid, before)) => {
                    self.tx
                        .execute(&rows::UPDATE_VISIT, &rows::visit_update(d, *vid))
                        .await
                        .map_err(map_bulk)?;
                    audit.push(
                        AuditRecord::change("visit.import", "visit", vid.0, Some(before), Some(d))
                            .in_region(&v.village),
                    );
                }
            }
        }
        self.tx
            .copy_rows("visits", rows::VISIT_NEW_WITH_ID.names(), rows)
            .await
            .map_err(map_bulk)?;
        self.tx
            .copy_rows("visit_cadres", rows::VISIT_CADRES.names(), cadre_rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }

    async fn pairing_limits(
        &mut self,
        village: &RegionCode,
        year: i32,
    ) -> StoreResult<PairingLimits> {
        Ok(self.store.pairing_limits(village, year))
    }
}

impl SqlBulkSession {
    /// The ids of units by name, creating (and auditing) those that are absent.
    async fn unit_ids(
        &mut self,
        items: &[BulkCadre],
        audit: &mut Vec<AuditRecord>,
    ) -> StoreResult<HashMap<String, UnitId>> {
        let mut wanted: Vec<String> = items.iter().map(|c| c.unit_name.clone()).collect();
        wanted.sort();
        wanted.dedup();
        let mut ids: HashMap<String, UnitId> = HashMap::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let mut q = Query::new("SELECT id, name FROM helping_units WHERE ");
            let cond = in_text(&mut q, "name", chunk);
            q.push(&cond);
            for r in self.tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)? {
                let (id, name) = Cols::read(&r, |c| Ok((UnitId(c.i64()?), c.text()?)))?;
                ids.insert(name, id);
            }
        }
        let now = OffsetDateTime::now_utc();
        for name in wanted {
            if ids.contains_key(&name) {
                continue;
            }
            let Some(level) = items
                .iter()
                .find(|c| c.unit_name == name)
                .and_then(|c| c.unit_level.clone())
            else {
                tracing::error!("bulk cadre of a new unit without a level");
                return Err(DomainError::internal());
            };
            let r = self
                .tx
                .fetch_one(
                    "INSERT INTO helping_units (name, level, created_at) VALUES ($1, $2, $3) RETURNING id",
                    &args![name.as_str(), level.as_str(), now],
                )
                .await
                .map_err(map_bulk)?;
            let unit = HelpingUnit {
                id: UnitId(one_i64(&r)?),
                name: name.clone(),
                level,
                contact_name: None,
                contact_phone: None,
            };
            audit.push(AuditRecord::change(
                "unit.import",
                "helping_unit",
                unit.id.0,
                None,
                Some(&unit),
            ));
            ids.insert(name, unit.id);
        }
        Ok(ids)
    }
}

impl SqlStore {
    pub(crate) async fn export_cadres_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<CadreId>,
        limit: u32,
    ) -> StoreResult<Vec<Cadre>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE 1 = 1"
        ));
        q.and_in_ranges("c.region_code", &ctx.scope.ranges(Some(region)));
        if let Some(a) = after {
            let p = q.arg(a.0);
            q.push(&format!(" AND c.id > {p}"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY c.id LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        cadres_shown(&rows, ctx)
    }

    pub(crate) async fn export_pairings_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, PairingId)>,
        limit: u32,
    ) -> StoreResult<Vec<Pairing>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {PAIRING_COLS} FROM {PAIRING_FROM} WHERE 1 = 1"
        ));
        let from = after.as_ref().map(|(v, _)| (v.as_str(), false));
        q.and_in_ranges("p.village_code", &ctx.scope.ranges_from(Some(region), from));
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(" AND (p.village_code, p.id) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY p.village_code, p.id LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        rows.iter().map(Pairing::from_row).collect()
    }

    pub(crate) async fn export_visits_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, VisitId)>,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {} FROM visits v JOIN households h ON h.id = v.household_id WHERE 1 = 1",
            Visit::columns().list()
        ));
        let from = after.as_ref().map(|(v, _)| (v.as_str(), false));
        q.and_in_ranges("v.village_code", &ctx.scope.ranges_from(Some(region), from));
        if let Some((v, id)) = &after {
            let a = q.arg(v.as_str());
            let b = q.arg(id.0);
            q.push(&format!(" AND (v.village_code, v.id) > ({a}, {b})"));
        }
        let l = q.arg(i64::from(limit.clamp(1, 10_000)));
        q.push(&format!(" ORDER BY v.village_code, v.id LIMIT {l}"));
        let mut tx = self.db.begin_read().await.map_err(map_bulk)?;
        let rows = tx.fetch_all(&q.sql, &q.args).await.map_err(map_bulk)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(Visit::from_row(r)?);
        }
        let ids: Vec<i64> = out.iter().map(|v| v.id.0).collect();
        let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for chunk in ids.chunks(IN_CHUNK) {
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT vc.visit_id, c.id, c.name FROM visit_cadres vc JOIN cadres c ON c.id = vc.cadre_id \
                         WHERE vc.visit_id IN ({}) ORDER BY vc.visit_id, c.id",
                        id_list(chunk)
                    ),
                    &[],
                )
                .await?;
            for r in rows {
                let (v, cadre, name) =
                    Cols::read(&r, |c| Ok((c.i64()?, CadreId(c.i64()?), c.text()?)))?;
                if let Some(i) = index.get(&v) {
                    out[*i].cadres.push((cadre, name));
                }
            }
        }
        Ok(out)
    }
}
