//! Helping units, cadres, work teams, pairings, visits, photos and micro-wishes in SQL.
//!
//! Cadres with the `cadre` role reach the households paired with them today (`Ctx::cadre_user`) and
//! may record visits only on a household paired with them on the visit's date; officers record any
//! visit in their regions.

mod bulk;
mod figures;
mod report;
pub(crate) mod rows;

use crate::query::{CadreUse, Query, PAIRED_WITH_USER};
use crate::rows::{one_i64, one_text, Cols, Record};
use crate::sql::{insert_rows, Row, Tx, Value};
use crate::{args, SqlStore};
pub(crate) use figures::REFRESH_MAX;
use fupin_core::audit::AuditRecord;
use fupin_core::paging::{date_id_cursor, id_cursor, Keyset, Listing};
use fupin_core::pairing::*;
use fupin_core::registry::{HouseholdId, HouseholdStatus};
use fupin_core::store::{PairingStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use rows::*;
use std::collections::{BTreeMap, HashMap};
use time::{Date, OffsetDateTime};

/// Cadres of rows, with phones masked unless the caller may see them.
pub(crate) fn cadres_shown(rows: &[Row], ctx: &Ctx) -> StoreResult<Vec<Cadre>> {
    let mut out = rows
        .iter()
        .map(Cadre::from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    if !ctx.unmask {
        out.iter_mut().for_each(Cadre::mask);
    }
    Ok(out)
}

/// Pairings in (start date, id) order after the page's cursor, a page of them.
fn pairings_page(q: &mut Query, page: &Keyset) -> StoreResult<()> {
    if let Some((d, id)) = page.after_date_id()? {
        let a = q.arg(d);
        let b = q.arg(id);
        q.push(&format!(
            " AND (p.start_date > {a} OR (p.start_date = {a} AND p.id > {b}))"
        ));
    }
    let l = q.arg(page.fetch());
    q.push(&format!(" ORDER BY p.start_date, p.id LIMIT {l}"));
    Ok(())
}

/// The region a new cadre belongs to: the one given (inside the caller's scope), or the caller's only
/// region. A nationwide caller must say which.
fn cadre_region(ctx: &Ctx, given: &Option<String>) -> StoreResult<RegionCode> {
    match given {
        Some(c) => {
            let code = RegionCode::parse_field("region_code", c)?;
            ctx.require(&code, "区划")
                .map_err(|e| e.with_field("region_code"))?;
            Ok(code)
        }
        None => match &ctx.scope {
            fupin_core::Scope::Within(roots) if roots.len() == 1 => Ok(roots[0].clone()),
            _ => Err(DomainError::invalid(
                "region_code",
                "required",
                "请指定帮扶干部所属的区划",
            )),
        },
    }
}

/// Whether the caller may change a cadre: the cadre's region lies within the caller's scope.
fn cadre_in_scope(ctx: &Ctx, c: &Cadre) -> bool {
    match (&ctx.scope, &c.region_code) {
        (fupin_core::Scope::All, _) => true,
        (s, Some(r)) => s.allows(r),
        (_, None) => false,
    }
}

/// An uploaded photo decoded and encoded again (`pairing::prepare_photo`), on a thread for blocking
/// work and before any transaction opens: decoding takes a while and holds no lock.
async fn prepare(bytes: Vec<u8>) -> StoreResult<PreparedPhoto> {
    tokio::task::spawn_blocking(move || prepare_photo("photo", &bytes))
        .await
        .map_err(|_| DomainError::internal())?
}

fn not_found(what: &'static str, msg: &str) -> DomainError {
    DomainError::not_found(what, format!("{msg}不存在或不在您的管辖范围内"))
}

/// The one answer for a cadre id that does not exist or lies outside the caller's reach.
fn cadre_not_found() -> DomainError {
    not_found("cadre_not_found", "该帮扶干部").with_field("cadre_id")
}

/// Only offices (a region scope) manage units, cadres, teams and pairings; a cadre-only caller may not.
fn require_office(ctx: &Ctx) -> StoreResult<()> {
    if ctx.scope == fupin_core::Scope::Within(vec![]) {
        return Err(DomainError::forbidden("帮扶干部只能记录走访和心愿"));
    }
    Ok(())
}

/// What a new visit needs of its household and cadres (see `SqlStore::visit_target`).
struct VisitTarget {
    village: RegionCode,
    number: String,
    /// The cadres present, in id order, with their names.
    cadres: Vec<(CadreId, String)>,
}

/// The backend's row-lock suffix (`Backend::lock_rows`) restricted to the rows of one table of a
/// join, `… OF alias`: PostgreSQL refuses to lock the nullable side of an outer join, and locks
/// only the table named. Empty where the backend locks no rows (SQLite).
fn lock_rows_of(lock: &str, alias: &str) -> String {
    if lock.is_empty() {
        String::new()
    } else {
        format!("{lock} OF {alias}")
    }
}

impl SqlStore {
    /// Whether the caller reaches a household: by region, or as its cadre paired today.
    pub(crate) async fn household_visible(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
        village: &RegionCode,
    ) -> StoreResult<bool> {
        if ctx.scope.allows(village) {
            return Ok(true);
        }
        let Some(user) = ctx.cadre_user else {
            return Ok(false);
        };
        self.paired_with_user(tx, id, user, today()).await
    }

    /// Whether the household is paired on `on` with the cadre acting as `user`.
    async fn paired_with_user(
        &self,
        tx: &mut dyn Tx,
        id: HouseholdId,
        user: i64,
        on: Date,
    ) -> StoreResult<bool> {
        let cond = PAIRED_WITH_USER.replace("{u}", "$2").replace("{d}", "$3");
        let r = tx
            .fetch_optional(
                &format!("SELECT h.id FROM households h WHERE h.id = $1 AND {cond}"),
                &args![id.0, user, on],
            )
            .await?;
        Ok(r.is_some())
    }

    /// The household's village and status, if the caller reaches it.
    async fn visible_household(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<(RegionCode, HouseholdStatus)> {
        let r = tx
            .fetch_optional(
                "SELECT village_code, status FROM households WHERE id = $1",
                &args![id.0],
            )
            .await?
            .ok_or_else(|| not_found("household_not_found", "该户"))?;
        let (village, status) = Cols::read(&r, |c| {
            Ok((
                RegionCode::parse(&c.text()?)?,
                HouseholdStatus::parse(&c.text()?).ok_or_else(DomainError::internal)?,
            ))
        })?;
        if !self.household_visible(tx, ctx, id, &village).await? {
            return Err(not_found("household_not_found", "该户"));
        }
        Ok((village, status))
    }

    /// The household of a new visit and the cadres it names, read in one statement inside the
    /// visit's write transaction, with every check of who may record it: the household is one the
    /// caller reaches (by region, or as its cadre paired today); a caller reaching it only as its
    /// cadre must be paired with it on the visit's date and be among the cadres present; and every
    /// cadre present is one the caller may name (`CadreUse::Name`), a cadre out of reach
    /// answering exactly as an id that does not exist. The household's row is locked (on
    /// PostgreSQL) for the figures the visit adds to (see `add_visit_to_figures`).
    ///
    /// One statement rather than one per check and per cadre: the household joined to the
    /// reachable cadres among those named (one row per cadre found, or one row without a cadre),
    /// with the cadre caller's pairing and own cadre as columns of it.
    async fn visit_target(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        d: &VisitData,
    ) -> StoreResult<VisitTarget> {
        let household_not_found = || not_found("household_not_found", "该户");
        let mut q = Query::new("SELECT h.village_code, h.household_number");
        let h = q.arg(d.household_id.0);
        if let Some(user) = ctx.cadre_user {
            let u = q.arg(user);
            let paired_on = |q: &mut Query, day: Date| {
                let p = q.arg(day);
                PAIRED_WITH_USER.replace("{u}", &u).replace("{d}", &p)
            };
            let paired_today = paired_on(&mut q, today());
            let paired_on_date = paired_on(&mut q, d.date);
            q.push(&format!(
                ", ({paired_today}), ({paired_on_date}), (SELECT id FROM cadres WHERE user_id = {u})"
            ));
        }
        let ids: Vec<String> = d.cadre_ids.iter().map(|c| q.arg(c.0)).collect();
        q.push(&format!(
            ", c.id, c.name FROM households h LEFT JOIN cadres c ON c.id IN ({})",
            ids.join(", ")
        ));
        q.and_reachable_cadres(
            ctx,
            CadreUse::Name {
                household: Some(d.household_id.0),
            },
        );
        q.push(&format!(
            " WHERE h.id = {h} ORDER BY c.id{}",
            lock_rows_of(self.db.lock_rows(), "h")
        ));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        // the household's columns repeat on each row; a cadre's are NULL when none was found
        let mut household = None;
        let mut cadres = Vec::with_capacity(rows.len());
        for r in &rows {
            let (village, number, as_cadre, cadre) = Cols::read(r, |c| {
                let village = c.text()?;
                let number = c.text()?;
                // (paired today, paired on the visit's date, own cadre) of a cadre caller
                let as_cadre = match ctx.cadre_user {
                    Some(_) => Some((c.bool()?, c.bool()?, c.opt_i64()?)),
                    None => None,
                };
                let id = c.opt_i64()?;
                let name = c.opt_text()?;
                Ok((village, number, as_cadre, id.map(CadreId).zip(name)))
            })?;
            cadres.extend(cadre);
            household.get_or_insert((village, number, as_cadre));
        }
        let (village, number, as_cadre) = household.ok_or_else(household_not_found)?;
        let village = RegionCode::parse(&village)?;
        if !ctx.scope.allows(&village) {
            // a cadre (not an office): only on a household paired with them today, for a visit on
            // a date they were paired with it, which they were present at
            let Some((true, on_date, own)) = as_cadre else {
                return Err(household_not_found());
            };
            if !on_date {
                return Err(
                    DomainError::forbidden("您在走访当日未与该户结对，不能记录这次走访")
                        .with_field("date"),
                );
            }
            if !own.is_some_and(|id| d.cadre_ids.contains(&CadreId(id))) {
                return Err(DomainError::invalid(
                    "cadre_ids",
                    "self_not_present",
                    "帮扶干部记录走访时须包括本人",
                ));
            }
        }
        if cadres.len() != d.cadre_ids.len() {
            return Err(cadre_not_found().with_field("cadre_ids"));
        }
        Ok(VisitTarget {
            village,
            number,
            cadres,
        })
    }

    /// A cadre by id, whatever the caller's reach (for re-reading what this call wrote).
    async fn load_cadre(&self, tx: &mut dyn Tx, id: CadreId) -> StoreResult<Cadre> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE c.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(cadre_not_found)?;
        Cadre::from_row(&r)
    }

    /// A cadre the caller may pair, team or name (see `Query::and_reachable_cadres`). A cadre out
    /// of reach answers exactly as an id that does not exist, so that ids cannot be probed.
    async fn reachable_cadre(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: CadreId,
        use_: CadreUse,
    ) -> StoreResult<Cadre> {
        let mut q = Query::new(&format!(
            "SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE c.id = "
        ));
        let p = q.arg(id.0);
        q.push(&p);
        q.and_reachable_cadres(ctx, use_);
        let r = tx
            .fetch_optional(&q.sql, &q.args)
            .await?
            .ok_or_else(cadre_not_found)?;
        Cadre::from_row(&r)
    }

    async fn load_pairing(&self, tx: &mut dyn Tx, id: PairingId) -> StoreResult<Pairing> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {PAIRING_COLS} FROM {PAIRING_FROM} WHERE p.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(|| not_found("pairing_not_found", "该结对"))?;
        Pairing::from_row(&r)
    }

    /// Active pairings of a household and of a cadre on `on`, excluding `except`.
    async fn active_counts(
        &self,
        tx: &mut dyn Tx,
        household: HouseholdId,
        cadre: CadreId,
        on: Date,
    ) -> StoreResult<(i64, i64)> {
        let active = "start_date <= $2 AND (end_date IS NULL OR end_date >= $2)";
        let h = one_i64(
            &tx.fetch_one(
                &format!("SELECT COUNT(*) FROM pairings WHERE household_id = $1 AND {active}"),
                &args![household.0, on],
            )
            .await?,
        )?;
        let c = one_i64(
            &tx.fetch_one(
                &format!("SELECT COUNT(*) FROM pairings WHERE cadre_id = $1 AND {active}"),
                &args![cadre.0, on],
            )
            .await?,
        )?;
        Ok((h, c))
    }

    /// The limits in force for the region and year (parameters; the shipped standards when unset).
    pub(crate) fn pairing_limits(&self, region: &RegionCode, year: i32) -> PairingLimits {
        PairingLimits::in_force(&self.params(), region, year)
    }

    async fn insert_pairing(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        household: HouseholdId,
        village: &RegionCode,
        cadre: CadreId,
        start: Date,
    ) -> StoreResult<Pairing> {
        let (h, c) = self.active_counts(tx, household, cadre, start).await?;
        // the same cadre twice on one household is not a second helper
        let dup = tx
            .fetch_optional(
                "SELECT id FROM pairings WHERE household_id = $1 AND cadre_id = $2 AND start_date <= $3 AND (end_date IS NULL OR end_date >= $3)",
                &args![household.0, cadre.0, start],
            )
            .await?;
        if dup.is_some() {
            return Err(
                DomainError::conflict("already_paired", "该干部已与该户结对")
                    .with_field("cadre_id"),
            );
        }
        self.pairing_limits(village, start.year()).check_new(h, c)?;
        let r = tx
            .fetch_one(
                "INSERT INTO pairings (household_id, cadre_id, village_code, start_date, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &args![household.0, cadre.0, village.as_str(), start, ctx.actor.as_str(), OffsetDateTime::now_utc()],
            )
            .await?;
        let p = self.load_pairing(tx, PairingId(one_i64(&r)?)).await?;
        self.refresh_pairing_figures(tx, &[household.0]).await?;
        self.audit(
            tx,
            ctx,
            AuditRecord::change("pairing.create", "pairing", p.id.0, None, Some(&p))
                .in_region(village),
        )
        .await?;
        Ok(p)
    }

    async fn load_visit(&self, tx: &mut dyn Tx, id: VisitId) -> StoreResult<Visit> {
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {} FROM visits v JOIN households h ON h.id = v.household_id WHERE v.id = $1",
                    Visit::columns().list()
                ),
                &args![id.0],
            )
            .await?
            .ok_or_else(|| not_found("visit_not_found", "该走访记录"))?;
        let mut visit = [Visit::from_row(&r)?];
        self.visit_cadres_and_photos(tx, &mut visit).await?;
        let [visit] = visit;
        Ok(visit)
    }

    /// The cadres and photos of visits read from `visits`, two statements for the lot (one visit
    /// or a page of them) rather than two per visit.
    async fn visit_cadres_and_photos(
        &self,
        tx: &mut dyn Tx,
        visits: &mut [Visit],
    ) -> StoreResult<()> {
        let index: HashMap<i64, usize> = visits
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.0, i))
            .collect();
        let ids: Vec<i64> = visits.iter().map(|v| v.id.0).collect();
        for chunk in ids.chunks(crate::bulk::IN_CHUNK) {
            let list = crate::bulk::id_list(chunk);
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT vc.visit_id, c.id, c.name FROM visit_cadres vc JOIN cadres c ON c.id = vc.cadre_id \
                         WHERE vc.visit_id IN ({list}) ORDER BY vc.visit_id, c.id"
                    ),
                    &[],
                )
                .await?
            {
                let (v, cadre) = Cols::read(&r, |c| Ok((c.i64()?, (CadreId(c.i64()?), c.text()?))))?;
                if let Some(i) = index.get(&v) {
                    visits[*i].cadres.push(cadre);
                }
            }
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT visit_id, {PHOTO_COLS} FROM photos WHERE visit_id IN ({list}) ORDER BY id"
                    ),
                    &[],
                )
                .await?
            {
                let (v, photo) = Cols::read(&r, |c| Ok((c.i64()?, PhotoRef::decode(c)?)))?;
                if let Some(i) = index.get(&v) {
                    visits[*i].photos.push(photo);
                }
            }
        }
        Ok(())
    }

    async fn insert_photo(
        &self,
        tx: &mut dyn Tx,
        household: HouseholdId,
        visit: Option<VisitId>,
        wish: Option<WishId>,
        photo: PreparedPhoto,
    ) -> StoreResult<PhotoRef> {
        let kind = photo.kind;
        let size = photo.bytes.len() as i64;
        let r = tx
            .fetch_one(
                &INSERT_PHOTO,
                &new_photo(
                    household,
                    visit,
                    wish,
                    kind.mime(),
                    photo.bytes,
                    OffsetDateTime::now_utc(),
                ),
            )
            .await?;
        Ok(PhotoRef {
            id: one_i64(&r)?,
            content_type: kind.mime().to_string(),
            size,
        })
    }

    async fn load_wish(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: WishId,
    ) -> StoreResult<(Wish, RegionCode)> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {WISH_COLS} FROM wishes w WHERE w.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(|| not_found("wish_not_found", "该心愿"))?;
        let w = Wish::from_row(&r)?;
        let village = self
            .visible_household(tx, ctx, w.household_id)
            .await
            .map_err(|_| not_found("wish_not_found", "该心愿"))?
            .0;
        Ok((w, village))
    }
}

#[async_trait::async_trait]
impl PairingStore for SqlStore {
    async fn create_unit(&self, ctx: &Ctx, unit: HelpingUnitInput) -> StoreResult<HelpingUnit> {
        require_office(ctx)?;
        let u = unit.validate(&self.codes())?;
        let mut tx = self.db.begin_write().await?;
        if tx
            .fetch_optional(
                "SELECT id FROM helping_units WHERE name = $1",
                &args![u.name.as_str()],
            )
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "duplicate_unit",
                format!("帮扶单位“{}”已存在", u.name),
            )
            .with_field("name"));
        }
        let r = tx
            .fetch_one(&INSERT_UNIT, &new_unit(&u, OffsetDateTime::now_utc()))
            .await?;
        let mut out = HelpingUnit {
            id: UnitId(one_i64(&r)?),
            name: u.name,
            level: u.level,
            contact_name: u.contact_name,
            contact_phone: u.contact_phone,
        };
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("unit.create", "helping_unit", out.id.0, None, Some(&out)),
        )
        .await?;
        tx.commit().await?;
        if !ctx.unmask {
            out.contact_phone = out
                .contact_phone
                .as_deref()
                .map(fupin_core::id_number::mask_phone);
        }
        Ok(out)
    }

    async fn list_units(&self, ctx: &Ctx, page: &Keyset) -> StoreResult<Listing<HelpingUnit>> {
        let mut q = Query::new(&format!(
            "SELECT {UNIT_COLS} FROM helping_units WHERE 1 = 1"
        ));
        if let Some(after) = page.after_id()? {
            let a = q.arg(after);
            q.push(&format!(" AND id > {a}"));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(" ORDER BY id LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        let units = rows
            .iter()
            .map(|r| {
                let mut u = HelpingUnit::from_row(r)?;
                if !ctx.unmask {
                    u.contact_phone = u
                        .contact_phone
                        .as_deref()
                        .map(fupin_core::id_number::mask_phone);
                }
                Ok(u)
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing::from_rows(units, page, |u| id_cursor(u.id.0)))
    }

    async fn add_designation(
        &self,
        ctx: &Ctx,
        unit: UnitId,
        d: DesignationInput,
    ) -> StoreResult<Designation> {
        let (village, start, end) = d.validate(today())?;
        ctx.require(&village, "区划")
            .map_err(|e| e.with_field("village_code"))?;
        let mut tx = self.db.begin_write().await?;
        let name = one_text(
            &tx.fetch_optional(
                "SELECT name FROM helping_units WHERE id = $1",
                &args![unit.0],
            )
            .await?
            .ok_or_else(|| not_found("unit_not_found", "该帮扶单位"))?,
        )?;
        self.region_ref(tx.as_mut(), &village).await?;
        let r = tx
            .fetch_one(
                &INSERT_DESIGNATION,
                &new_designation(unit, &village, start, end),
            )
            .await?;
        let out = Designation {
            id: DesignationId(one_i64(&r)?),
            unit_id: unit,
            unit_name: name,
            village_code: village.clone(),
            start_date: start,
            end_date: end,
        };
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change(
                "designation.create",
                "designation",
                out.id.0,
                None,
                Some(&out),
            )
            .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn designations(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<Designation>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT {DESIGNATION_COLS} FROM {DESIGNATION_FROM} \
                     WHERE d.village_code BETWEEN $1 AND $2 ORDER BY d.village_code, d.start_date"
                ),
                &args![lo, hi],
            )
            .await?;
        rows.iter().map(Designation::from_row).collect()
    }

    async fn create_cadre(&self, ctx: &Ctx, cadre: CadreInput) -> StoreResult<Cadre> {
        require_office(ctx)?;
        let c = cadre.validate()?;
        let region = cadre_region(ctx, &c.region_code)?;
        let mut tx = self.db.begin_write().await?;
        if tx
            .fetch_optional(
                "SELECT id FROM helping_units WHERE id = $1",
                &args![c.unit_id.0],
            )
            .await?
            .is_none()
        {
            return Err(DomainError::invalid(
                "unit_id",
                "unknown_unit",
                "帮扶单位不存在",
            ));
        }
        if let Some(u) = c.user_id {
            // only an account the caller manages may act as a cadre of theirs
            self.managed_user(tx.as_mut(), ctx, fupin_core::accounts::UserId(u))
                .await
                .map_err(|_| {
                    DomainError::not_found("user_not_found", "关联的用户不存在或不在您的管辖范围内")
                        .with_field("user_id")
                })?;
        }
        if let Some(u) = c.user_id {
            if tx
                .fetch_optional("SELECT id FROM users WHERE id = $1", &args![u])
                .await?
                .is_none()
            {
                return Err(DomainError::invalid(
                    "user_id",
                    "unknown_user",
                    "关联的用户不存在",
                ));
            }
            if tx
                .fetch_optional("SELECT id FROM cadres WHERE user_id = $1", &args![u])
                .await?
                .is_some()
            {
                return Err(DomainError::conflict(
                    "user_already_linked",
                    "该用户已关联另一名帮扶干部",
                )
                .with_field("user_id"));
            }
        }
        let r = tx
            .fetch_one(
                "INSERT INTO cadres (name, unit_id, rank, phone, user_id, region_code) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &args![c.name.as_str(), c.unit_id.0, c.rank.clone(), c.phone.clone(), c.user_id, region.as_str()],
            )
            .await?;
        let mut out = self.load_cadre(tx.as_mut(), CadreId(one_i64(&r)?)).await?;
        let mut shown = out.clone();
        shown.mask();
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("cadre.create", "cadre", out.id.0, None, Some(&shown)),
        )
        .await?;
        tx.commit().await?;
        if !ctx.unmask {
            out.mask();
        }
        Ok(out)
    }

    async fn update_cadre(&self, ctx: &Ctx, id: CadreId, cadre: CadreInput) -> StoreResult<Cadre> {
        require_office(ctx)?;
        let c = cadre.validate()?;
        let mut tx = self.db.begin_write().await?;
        let mut before = self
            .load_cadre(tx.as_mut(), id)
            .await
            .map_err(|_| not_found("cadre_not_found", "该帮扶干部"))?;
        if !cadre_in_scope(ctx, &before) {
            return Err(not_found("cadre_not_found", "该帮扶干部"));
        }
        let region = match &c.region_code {
            Some(_) => cadre_region(ctx, &c.region_code)?,
            None => before
                .region_code
                .clone()
                .ok_or_else(DomainError::internal)?,
        };
        if let Some(u) = c.user_id.filter(|u| Some(*u) != before.user_id) {
            self.managed_user(tx.as_mut(), ctx, fupin_core::accounts::UserId(u))
                .await
                .map_err(|_| {
                    DomainError::not_found("user_not_found", "关联的用户不存在或不在您的管辖范围内")
                        .with_field("user_id")
                })?;
        }
        if let Some(u) = c.user_id {
            let other = tx
                .fetch_optional(
                    "SELECT id FROM cadres WHERE user_id = $1 AND id <> $2",
                    &args![u, id.0],
                )
                .await?;
            if other.is_some() {
                return Err(DomainError::conflict(
                    "user_already_linked",
                    "该用户已关联另一名帮扶干部",
                )
                .with_field("user_id"));
            }
        }
        tx.execute(
            "UPDATE cadres SET name = $1, unit_id = $2, rank = $3, phone = $4, user_id = $5, region_code = $6 WHERE id = $7",
            &args![c.name.as_str(), c.unit_id.0, c.rank.clone(), c.phone.clone(), c.user_id, region.as_str(), id.0],
        )
        .await?;
        self.move_cadre_unit(tx.as_mut(), id.0, before.unit_id.0, c.unit_id.0)
            .await?;
        let mut out = self.load_cadre(tx.as_mut(), id).await?;
        let mut shown = out.clone();
        shown.mask();
        before.mask();
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("cadre.update", "cadre", id.0, Some(&before), Some(&shown)),
        )
        .await?;
        tx.commit().await?;
        if !ctx.unmask {
            out.mask();
        }
        Ok(out)
    }

    async fn list_cadres(
        &self,
        ctx: &Ctx,
        unit: Option<UnitId>,
        page: &Keyset,
    ) -> StoreResult<Listing<Cadre>> {
        let mut q = Query::new(&format!(
            "SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE 1 = 1"
        ));
        if let Some(u) = unit {
            let p = q.arg(u.0);
            q.push(&format!(" AND c.unit_id = {p}"));
        }
        // the cadres the caller may pair or name: of their regions' offices and designated units,
        // and a cadre user's own record
        q.and_reachable_cadres(ctx, CadreUse::Name { household: None });
        // keyset: the cadres after the cursor along the primary key
        if let Some(after) = page.after_id()? {
            let a = q.arg(after);
            q.push(&format!(" AND c.id > {a}"));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(" ORDER BY c.id LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        Ok(Listing::from_rows(cadres_shown(&rows, ctx)?, page, |c| {
            id_cursor(c.id.0)
        }))
    }

    async fn cadre_of_user(&self, ctx: &Ctx, user: i64) -> StoreResult<Option<Cadre>> {
        let mut q = Query::new(&format!("SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE "));
        let u = q.arg(user);
        q.push(&format!("c.user_id = {u}"));
        q.and_reachable_cadres(ctx, CadreUse::Name { household: None });
        q.push(" ORDER BY c.id LIMIT 1");
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        Ok(cadres_shown(&rows, ctx)?.into_iter().next())
    }

    async fn find_cadres(
        &self,
        ctx: &Ctx,
        name: &str,
        page: &Keyset,
    ) -> StoreResult<Listing<Cadre>> {
        let name = fupin_core::error::check_text("q", name, 50)?;
        let mut q = Query::new(&format!("SELECT {CADRE_COLS} FROM {CADRE_FROM} WHERE "));
        // a name from its start: a range of names, not a pattern (no LIKE escaping, no collation
        // differences between the two databases)
        let lo = q.arg(name.as_str());
        let hi = q.arg(crate::registry::prefix_end(&name));
        q.push(&format!("c.name >= {lo} AND c.name < {hi}"));
        q.and_reachable_cadres(ctx, CadreUse::Name { household: None });
        if let Some(after) = page.after_id()? {
            let a = q.arg(after);
            q.push(&format!(" AND c.id > {a}"));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(" ORDER BY c.id LIMIT {l}"));
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        Ok(Listing::from_rows(cadres_shown(&rows, ctx)?, page, |c| {
            id_cursor(c.id.0)
        }))
    }

    async fn add_team_member(&self, ctx: &Ctx, m: TeamMemberInput) -> StoreResult<TeamMember> {
        let village = m.validate(today())?;
        ctx.require(&village, "区划")
            .map_err(|e| e.with_field("village_code"))?;
        let mut tx = self.db.begin_write().await?;
        let cadre = self
            .reachable_cadre(tx.as_mut(), ctx, m.cadre_id, CadreUse::Pair)
            .await?;
        self.region_ref(tx.as_mut(), &village).await?;
        let r = tx
            .fetch_one(&INSERT_TEAM_MEMBER, &new_team_member(&m, &village))
            .await?;
        let out = TeamMember {
            id: TeamMemberId(one_i64(&r)?),
            cadre_id: cadre.id,
            cadre_name: cadre.name,
            unit_name: cadre.unit_name,
            village_code: village.clone(),
            role: m.role,
            start_date: m.start_date,
            end_date: m.end_date,
        };
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("team.add", "team_member", out.id.0, None, Some(&out))
                .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn team_members(&self, ctx: &Ctx, region: &RegionCode) -> StoreResult<Vec<TeamMember>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT {TEAM_COLS} FROM {TEAM_FROM} \
                     WHERE t.village_code BETWEEN $1 AND $2 ORDER BY t.village_code, t.start_date, t.id"
                ),
                &args![lo, hi],
            )
            .await?;
        rows.iter().map(TeamMember::from_row).collect()
    }

    async fn create_pairing(&self, ctx: &Ctx, p: PairingInput) -> StoreResult<Pairing> {
        require_office(ctx)?;
        check_pairing_start(p.start_date, today())?;
        let mut tx = self.db.begin_write().await?;
        let (village, _) = self
            .visible_household(tx.as_mut(), ctx, p.household_id)
            .await?;
        if !ctx.scope.allows(&village) {
            return Err(not_found("household_not_found", "该户"));
        }
        self.reachable_cadre(tx.as_mut(), ctx, p.cadre_id, CadreUse::Pair)
            .await?;
        let out = self
            .insert_pairing(
                tx.as_mut(),
                ctx,
                p.household_id,
                &village,
                p.cadre_id,
                p.start_date,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn end_pairing(
        &self,
        ctx: &Ctx,
        id: PairingId,
        end: EndPairingInput,
    ) -> StoreResult<(Pairing, Option<Pairing>)> {
        require_office(ctx)?;
        let reason = fupin_core::error::check_text("reason", &end.reason, 200)?;
        let mut tx = self.db.begin_write().await?;
        let old = self.load_pairing(tx.as_mut(), id).await?;
        if !ctx.scope.allows(&old.village_code) {
            return Err(not_found("pairing_not_found", "该结对"));
        }
        if old.end_date.is_some() {
            return Err(DomainError::invalid(
                "end_date",
                "pairing_ended",
                "该结对已经结束",
            ));
        }
        fupin_core::pairing::check_pairing_end(old.start_date, end.end_date, &reason, today())?;
        tx.execute(
            "UPDATE pairings SET end_date = $1, end_reason = $2 WHERE id = $3",
            &args![end.end_date, reason.as_str(), id.0],
        )
        .await?;
        self.refresh_pairing_figures(tx.as_mut(), &[old.household_id.0])
            .await?;
        let ended = self.load_pairing(tx.as_mut(), id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("pairing.end", "pairing", id.0, Some(&old), Some(&ended))
                .in_region(&old.village_code),
        )
        .await?;
        let new = match end.replacement_cadre_id {
            Some(c) => {
                self.reachable_cadre(tx.as_mut(), ctx, c, CadreUse::Pair)
                    .await
                    .map_err(|e| e.with_field("replacement_cadre_id"))?;
                let start = end.end_date.next_day().ok_or_else(DomainError::internal)?;
                Some(
                    self.insert_pairing(
                        tx.as_mut(),
                        ctx,
                        old.household_id,
                        &old.village_code,
                        c,
                        start,
                    )
                    .await?,
                )
            }
            None => None,
        };
        tx.commit().await?;
        Ok((ended, new))
    }

    async fn household_pairings(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Pairing>> {
        let mut tx = self.db.begin_read().await?;
        self.visible_household(tx.as_mut(), ctx, household).await?;
        let mut q = Query::new(&format!(
            "SELECT {PAIRING_COLS} FROM {PAIRING_FROM} WHERE p.household_id = "
        ));
        let h = q.arg(household.0);
        q.push(&h);
        pairings_page(&mut q, page)?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let items = rows
            .iter()
            .map(Pairing::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing::from_rows(items, page, |p| {
            date_id_cursor(p.start_date, p.id.0)
        }))
    }

    async fn cadre_pairings(
        &self,
        ctx: &Ctx,
        cadre: CadreId,
        page: &Keyset,
    ) -> StoreResult<Listing<Pairing>> {
        let mut q = Query::new(&format!(
            "SELECT {PAIRING_COLS} FROM {PAIRING_FROM} WHERE p.cadre_id = "
        ));
        let p = q.arg(cadre.0);
        q.push(&p);
        q.and_visible_households(ctx, None, today());
        pairings_page(&mut q, page)?;
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        let items = rows
            .iter()
            .map(Pairing::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing::from_rows(items, page, |p| {
            date_id_cursor(p.start_date, p.id.0)
        }))
    }

    async fn record_visit(&self, ctx: &Ctx, v: VisitInput) -> StoreResult<Visit> {
        let d = v.validate(&self.codes(), today())?;
        let mut tx = self.db.begin_write().await?;
        let VisitTarget {
            village,
            number,
            cadres,
        } = self.visit_target(tx.as_mut(), ctx, &d).await?;
        let mut values = rows::new_visit(
            None,
            &d,
            &village,
            ctx.actor.as_str(),
            OffsetDateTime::now_utc(),
        );
        values.push(number.as_str().into());
        // the new visit as stored, without reading it back: its cadres are those found above (in
        // id order, as a visit's are read), and it has no photos yet
        let r = tx.fetch_one(&rows::INSERT_VISIT_RETURNING, &values).await?;
        let out = Visit {
            cadres,
            ..Visit::from_row(&r)?
        };
        let id = out.id;
        let present = d
            .cadre_ids
            .iter()
            .map(|c| vec![Value::from(id.0), Value::from(c.0)])
            .collect();
        insert_rows(
            tx.as_mut(),
            "visit_cadres",
            &["visit_id", "cadre_id"],
            present,
        )
        .await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("visit.create", "visit", id.0, None, Some(&out))
                .in_region(&village),
        )
        .await?;
        // the figures last: their sums of the province, city and county are rows every visit
        // updates, each held (on PostgreSQL) from its update to the commit, so nothing else of
        // the visit is done while they are held
        self.add_visit_to_figures(tx.as_mut(), &out).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn visit(&self, ctx: &Ctx, id: VisitId) -> StoreResult<Visit> {
        let mut tx = self.db.begin_read().await?;
        let v = self.load_visit(tx.as_mut(), id).await?;
        self.visible_household(tx.as_mut(), ctx, v.household_id)
            .await
            .map_err(|_| not_found("visit_not_found", "该走访记录"))?;
        Ok(v)
    }

    async fn household_visits(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Visit>> {
        let mut tx = self.db.begin_read().await?;
        self.visible_household(tx.as_mut(), ctx, household).await?;
        // newest first: the page after a cursor is the visits before it in (date, id)
        let mut q = Query::new(&format!(
            "SELECT {} FROM visits v JOIN households h ON h.id = v.household_id WHERE v.household_id = ",
            Visit::columns().list()
        ));
        let h = q.arg(household.0);
        q.push(&h);
        if let Some((d, id)) = page.after_date_id()? {
            let a = q.arg(d);
            let b = q.arg(id);
            q.push(&format!(
                " AND (v.date < {a} OR (v.date = {a} AND v.id < {b}))"
            ));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(" ORDER BY v.date DESC, v.id DESC LIMIT {l}"));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let more = rows.len() > page.limit as usize;
        let mut out = rows
            .iter()
            .take(page.limit as usize)
            .map(Visit::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.visit_cadres_and_photos(tx.as_mut(), &mut out).await?;
        let next = if more {
            out.last().map(|v| date_id_cursor(v.date, v.id.0))
        } else {
            None
        };
        Ok(Listing { items: out, next })
    }

    async fn add_visit_photo(
        &self,
        ctx: &Ctx,
        visit: VisitId,
        bytes: Vec<u8>,
    ) -> StoreResult<PhotoRef> {
        let photo = prepare(bytes).await?;
        let mut tx = self.db.begin_write().await?;
        let v = self.load_visit(tx.as_mut(), visit).await?;
        let (village, _) = self
            .visible_household(tx.as_mut(), ctx, v.household_id)
            .await
            .map_err(|_| not_found("visit_not_found", "该走访记录"))?;
        if v.photos.len() >= 10 {
            return Err(DomainError::invalid(
                "photo",
                "too_many_photos",
                "每次走访最多 10 张照片",
            ));
        }
        let p = self
            .insert_photo(tx.as_mut(), v.household_id, Some(visit), None, photo)
            .await?;
        let rec = AuditRecord::event(
            "visit.photo",
            "visit",
            Some(visit.0.to_string()),
            serde_json::json!({ "photo": p.id, "size": p.size, "type": p.content_type }),
        );
        self.audit(tx.as_mut(), ctx, rec.in_region(&village))
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    async fn photo(&self, ctx: &Ctx, id: i64) -> StoreResult<(String, Vec<u8>)> {
        let mut tx = self.db.begin_read().await?;
        let r = tx
            .fetch_optional(
                "SELECT household_id, content_type, data FROM photos WHERE id = $1",
                &args![id],
            )
            .await?
            .ok_or_else(|| not_found("photo_not_found", "该照片"))?;
        let (household, content_type, data) =
            Cols::read(&r, |c| Ok((HouseholdId(c.i64()?), c.text()?, c.bytes()?)))?;
        self.visible_household(tx.as_mut(), ctx, household)
            .await
            .map_err(|_| not_found("photo_not_found", "该照片"))?;
        Ok((content_type, data))
    }

    async fn create_wish(&self, ctx: &Ctx, w: WishInput) -> StoreResult<Wish> {
        let w = w.validate(today())?;
        let mut tx = self.db.begin_write().await?;
        let (village, _) = self
            .visible_household(tx.as_mut(), ctx, w.household_id)
            .await?;
        if let Some(p) = w.person_id {
            let ok = tx
                .fetch_optional(
                    "SELECT id FROM persons WHERE id = $1 AND household_id = $2",
                    &args![p.0, w.household_id.0],
                )
                .await?;
            if ok.is_none() {
                return Err(DomainError::invalid(
                    "person_id",
                    "not_a_member",
                    "该成员不属于此户",
                ));
            }
        }
        let r = tx
            .fetch_one(
                "INSERT INTO wishes (household_id, village_code, person_id, text, estimated_value_fen, status, submitted_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &args![w.household_id.0, village.as_str(), w.person_id.map(|p| p.0), w.text.as_str(), w.estimated_value_fen, WishStatus::Submitted.as_str(), w.submitted_on],
            )
            .await?;
        self.refresh_pairing_figures(tx.as_mut(), &[w.household_id.0])
            .await?;
        let (out, _) = self
            .load_wish(tx.as_mut(), ctx, WishId(one_i64(&r)?))
            .await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("wish.create", "wish", out.id.0, None, Some(&out))
                .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn wish_action(&self, ctx: &Ctx, id: WishId, action: WishAction) -> StoreResult<Wish> {
        let mut tx = self.db.begin_write().await?;
        let (w, village) = self.load_wish(tx.as_mut(), ctx, id).await?;
        if let WishAction::Claim { by, .. } = &action {
            match by {
                Claimant::Cadre(c) => {
                    self.reachable_cadre(
                        tx.as_mut(),
                        ctx,
                        *c,
                        CadreUse::Name {
                            household: Some(w.household_id.0),
                        },
                    )
                    .await
                    .map_err(|e| e.with_field("by"))?;
                }
                Claimant::Unit(u) => {
                    if tx
                        .fetch_optional("SELECT id FROM helping_units WHERE id = $1", &args![u.0])
                        .await?
                        .is_none()
                    {
                        return Err(DomainError::invalid("by", "unknown_unit", "帮扶单位不存在"));
                    }
                }
            }
        }
        let n = w.apply(&action, today())?;
        let (cadre, unit) = match n.claimed_by {
            Some(Claimant::Cadre(c)) => (Some(c.0), None),
            Some(Claimant::Unit(u)) => (None, Some(u.0)),
            None => (None, None),
        };
        tx.execute(
            "UPDATE wishes SET status = $1, claimed_by_cadre = $2, claimed_by_unit = $3, claimed_on = $4, fulfilled_on = $5, actual_value_fen = $6, \
             cancelled_on = $7, cancel_reason = $8 WHERE id = $9",
            &args![n.status.as_str(), cadre, unit, n.claimed_on, n.fulfilled_on, n.actual_value_fen, n.cancelled_on, n.cancel_reason.clone(), id.0],
        )
        .await?;
        self.refresh_pairing_figures(tx.as_mut(), &[w.household_id.0])
            .await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("wish.update", "wish", id.0, Some(&w), Some(&n))
                .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn add_wish_evidence(
        &self,
        ctx: &Ctx,
        id: WishId,
        bytes: Vec<u8>,
    ) -> StoreResult<PhotoRef> {
        let photo = prepare(bytes).await?;
        let mut tx = self.db.begin_write().await?;
        let (w, village) = self.load_wish(tx.as_mut(), ctx, id).await?;
        let p = self
            .insert_photo(tx.as_mut(), w.household_id, None, Some(id), photo)
            .await?;
        let rec = AuditRecord::event(
            "wish.evidence",
            "wish",
            Some(id.0.to_string()),
            serde_json::json!({ "photo": p.id, "size": p.size }),
        );
        self.audit(tx.as_mut(), ctx, rec.in_region(&village))
            .await?;
        tx.commit().await?;
        Ok(p)
    }

    async fn household_wishes(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        page: &Keyset,
    ) -> StoreResult<Listing<Wish>> {
        let mut tx = self.db.begin_read().await?;
        self.visible_household(tx.as_mut(), ctx, household).await?;
        let mut q = Query::new(&format!(
            "SELECT {WISH_COLS} FROM wishes w WHERE w.household_id = "
        ));
        let h = q.arg(household.0);
        q.push(&h);
        if let Some((d, id)) = page.after_date_id()? {
            let a = q.arg(d);
            let b = q.arg(id);
            q.push(&format!(
                " AND (w.submitted_on > {a} OR (w.submitted_on = {a} AND w.id > {b}))"
            ));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(" ORDER BY w.submitted_on, w.id LIMIT {l}"));
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let items = rows
            .iter()
            .map(Wish::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing::from_rows(items, page, |w| {
            date_id_cursor(w.submitted_on, w.id.0)
        }))
    }

    async fn cadre_compliance(
        &self,
        ctx: &Ctx,
        cadre: CadreId,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<HouseholdCompliance>> {
        let mut q = Query::new(&format!(
            "SELECT {SPAN_COLS} FROM pairings p JOIN households h ON h.id = p.household_id WHERE p.cadre_id = "
        ));
        let c = q.arg(cadre.0);
        let t = q.arg(to);
        let f = q.arg(from);
        q.push(&format!(
            "{c} AND p.start_date <= {t} AND (p.end_date IS NULL OR p.end_date >= {f})"
        ));
        q.and_visible_households(ctx, None, today());
        q.push(" ORDER BY p.household_id, p.start_date, p.id");
        let mut tx = self.db.begin_read().await?;
        let mut spans: BTreeMap<HouseholdId, (RegionCode, Vec<PairingSpan>)> = BTreeMap::new();
        for r in tx.fetch_all(&q.sql, &q.args).await? {
            let SpanRow(span, village) = SpanRow::from_row(&r)?;
            spans
                .entry(span.household_id)
                .or_insert((village, Vec::new()))
                .1
                .push(span);
        }
        // the visits with the cadre present, on those households, in the period
        let ids: Vec<i64> = spans.keys().map(|h| h.0).collect();
        let mut visits: BTreeMap<HouseholdId, Vec<VisitFact>> = BTreeMap::new();
        for chunk in ids.chunks(crate::bulk::IN_CHUNK) {
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT v.household_id, v.date FROM visits v JOIN visit_cadres vc ON vc.visit_id = v.id \
                         WHERE vc.cadre_id = $1 AND v.date BETWEEN $2 AND $3 AND v.household_id IN ({})",
                        crate::bulk::id_list(chunk)
                    ),
                    &args![cadre.0, from, to],
                )
                .await?;
            for r in rows {
                let (household_id, date) =
                    Cols::read(&r, |c| Ok((HouseholdId(c.i64()?), c.date()?)))?;
                visits.entry(household_id).or_default().push(VisitFact {
                    household_id,
                    date,
                    cadre_ids: vec![cadre],
                    money_fen: 0,
                    goods_fen: 0,
                });
            }
        }
        let params = self.params();
        let mut years = Vec::new();
        for (household, (village, spans)) in &spans {
            let facts = visits.remove(household).unwrap_or_default();
            years.extend(pairing_years(spans, &facts, from, to, |y| {
                visit_minimum(&params, village, y)
            }));
        }
        Ok(household_compliance(&years))
    }

    async fn pairing_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<PairingReport> {
        self.pairing_report_impl(ctx, region, from, to).await
    }

    async fn pairing_year_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<PairingReport> {
        let from = Date::from_calendar_date(year, time::Month::January, 1)
            .map_err(|_| DomainError::invalid("year", "invalid_year", "年度无效"))?;
        let to = Date::from_calendar_date(year, time::Month::December, 31)
            .map_err(|_| DomainError::invalid("year", "invalid_year", "年度无效"))?;
        self.pairing_report_with(ctx, region, from, to, false).await
    }

    async fn pairing_units(&self, ctx: &Ctx, region: &RegionCode, year: i32) -> StoreResult<i64> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        self.read_pairing_units(tx.as_mut(), region, year).await
    }

    async fn recompute_pairing_units(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<i64> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let facts = self.region_pairing_facts(tx.as_mut(), region).await?;
        let params = self.params();
        let cadres: Vec<i64> =
            fupin_core::pairing::year_cadres(&facts, year, self.horizon(), |v, y| {
                visit_minimum(&params, v, y)
            })
            .into_iter()
            .map(|c| c.0)
            .collect();
        let mut units = std::collections::BTreeSet::new();
        for chunk in cadres.chunks(crate::bulk::IN_CHUNK) {
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT unit_id FROM cadres WHERE id IN ({})",
                        crate::bulk::id_list(chunk)
                    ),
                    &[],
                )
                .await?
            {
                units.insert(one_i64(&r)?);
            }
        }
        Ok(units.len() as i64)
    }

    async fn recompute_pairing_figures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<(PairingFigures, i64, i64)> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        let facts = self.region_pairing_facts(tx.as_mut(), region).await?;
        let params = self.params();
        Ok(recompute(&facts, year, self.horizon(), |v, y| {
            visit_minimum(&params, v, y)
        }))
    }

    async fn pairing_figures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<(PairingFigures, i64, i64)> {
        ctx.require(region, "区划")?;
        let mut tx = self.db.begin_read().await?;
        self.read_pairing_figures(tx.as_mut(), region, year).await
    }

    async fn rebuild_pairing_figures(&self, ctx: &Ctx) -> StoreResult<()> {
        if ctx.scope != fupin_core::Scope::All {
            return Err(DomainError::forbidden("只有全国范围的管理员可以重建统计"));
        }
        let mut tx = self.db.begin_write().await?;
        self.rebuild_pairing_figures_in(tx.as_mut()).await?;
        let rec = AuditRecord::event(
            "pairing_figures.rebuild",
            "aggregates",
            None,
            serde_json::json!({}),
        );
        self.audit(tx.as_mut(), ctx, rec).await?;
        Ok(tx.commit().await?)
    }

    async fn households_without_cadre(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, HouseholdId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<HouseholdRef>> {
        self.households_without_cadre_impl(ctx, region, after, descending, limit)
            .await
    }

    async fn pairings_below_minimum(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        after: Option<(RegionCode, PairingId)>,
        descending: bool,
        limit: u32,
    ) -> StoreResult<Vec<BelowMinimumLine>> {
        self.pairings_below_minimum_impl(ctx, region, year, after, descending, limit)
            .await
    }

    async fn export_cadres(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<CadreId>,
        limit: u32,
    ) -> StoreResult<Vec<Cadre>> {
        self.export_cadres_impl(ctx, region, after, limit).await
    }

    async fn export_pairings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, PairingId)>,
        limit: u32,
    ) -> StoreResult<Vec<Pairing>> {
        self.export_pairings_impl(ctx, region, after, limit).await
    }

    async fn export_visits(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        after: Option<(RegionCode, VisitId)>,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        self.export_visits_impl(ctx, region, after, limit).await
    }
}
