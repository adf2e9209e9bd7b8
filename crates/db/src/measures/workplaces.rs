//! Workshops and posts in SQL: the workplaces of a village and the registered labourers they hire,
//! every version in `service_history`, an audit record per write, and their rows of
//! `workplace_stats` (the village and every region above it) brought in step in the same
//! transaction.
//!
//! A workplace belongs to its village: an office of that village's regions records and reads it. A
//! hire also needs the labourer's household within the caller's regions; a workplace's page lists
//! only the hires of households the caller reaches.

use super::rows::*;
use crate::query::Query;
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::versioned::{Statement, Versioned};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::measures::*;
use fupin_core::projects::counted_at;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{EventFilter, ServiceStore, ServiceVersion, StoreResult, WorkplaceFilter};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use serde::Serialize;
use time::{Date, OffsetDateTime};

fn workplace_not_found() -> DomainError {
    DomainError::not_found(
        "workplace_not_found",
        "该扶贫车间或岗位不存在或不在您的管辖范围内",
    )
}

fn hire_not_found() -> DomainError {
    DomainError::not_found("hire_not_found", "该聘用记录不存在或不在您的管辖范围内")
}

impl SqlStore {
    pub(crate) async fn service_versions(
        &self,
        tx: &mut dyn Tx,
        sql_filter: &str,
        args: &[crate::sql::Value],
    ) -> StoreResult<Vec<ServiceVersion>> {
        let rows = tx
            .fetch_all(
                &format!("SELECT {SERVICE_VERSION_COLS} FROM service_history WHERE {sql_filter} ORDER BY recorded_at, id"),
                args,
            )
            .await?;
        rows.iter().map(ServiceVersion::from_row).collect()
    }

    /// Add a workplace's or a hire's figures to the rows of its village and of every region above
    /// it (`sign` 1), or take them away (−1).
    async fn bump_place_stats(
        &self,
        tx: &mut dyn Tx,
        (k, t): (PlaceKey, PlaceTally),
        sign: i64,
    ) -> StoreResult<()> {
        for region in counted_at(&k.village) {
            tx.execute(
            "INSERT INTO workplace_stats (region_code, kind, item, first_month, last_month, n, in_poor, positions) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (region_code, kind, item, first_month, last_month) DO UPDATE SET \
             n = workplace_stats.n + excluded.n, in_poor = workplace_stats.in_poor + excluded.in_poor, \
             positions = workplace_stats.positions + excluded.positions",
            &args![
                region.as_str(),
                k.kind.as_str(),
                k.item,
                k.first_month,
                k.last_month,
                sign * t.n,
                sign * t.in_poor,
                sign * t.positions
            ],
        )
        .await?;
        }
        Ok(())
    }

    /// The figures of workplaces and hires of `region` whose months overlap `first..=last`.
    pub(crate) async fn place_tallies(
        &self,
        region: &RegionCode,
        first: i32,
        last: i32,
    ) -> StoreResult<Vec<(WorkplaceKind, String, PlaceTally)>> {
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT kind, item, {PLACE_SUMS} FROM workplace_stats WHERE region_code = $1 \
                     AND first_month <= $3 AND last_month >= $2 GROUP BY kind, item ORDER BY kind, item"
                ),
                &args![region.as_str(), first, last],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok((
                        WorkplaceKind::parse(&c.text()?).ok_or_else(DomainError::internal)?,
                        c.text()?,
                        PlaceTally::decode(c)?,
                    ))
                })
            })
            .collect()
    }

    /// Check a workplace against its village: it exists, is a village, lies in the caller's
    /// regions; whether it is a designated poor village.
    async fn check_workplace(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        w: &WorkplaceInput,
    ) -> StoreResult<WorkplaceData> {
        let code = RegionCode::parse_field("region_code", &w.region_code)?;
        let r = tx
            .fetch_optional(
                "SELECT level, poor_designation FROM regions WHERE code = $1",
                &args![code.as_str()],
            )
            .await?;
        let Some(r) = r.filter(|_| ctx.scope.allows(&code)) else {
            return Err(DomainError::not_found(
                "region_not_found",
                format!("区划 {} 不存在或不在您的管辖范围内", code.as_str()),
            )
            .with_field("region_code"));
        };
        let (level, designation) = Cols::read(&r, |c| Ok((c.text()?, c.opt_text()?)))?;
        let facts = WorkplaceFacts {
            is_village: level == "village",
            poor_village: designation.is_some(),
            today: today(),
        };
        w.validate(&facts)
    }

    async fn load_workplace(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: WorkplaceId,
    ) -> StoreResult<Workplace> {
        let w = tx
            .fetch_optional(
                &format!("SELECT {WORKPLACE_COLS} FROM {WORKPLACE_FROM} WHERE w.id = $2"),
                &args![today(), id.0],
            )
            .await?
            .map(|r| Workplace::from_row(&r))
            .transpose()?
            .ok_or_else(workplace_not_found)?;
        if !ctx.scope.allows(&w.village_code) {
            return Err(workplace_not_found());
        }
        Ok(w)
    }

    async fn load_hire(
        &self,
        tx: &mut dyn Tx,
        id: HireId,
    ) -> StoreResult<Option<(Hire, RegionCode)>> {
        tx.fetch_optional(
            &format!("SELECT {HIRE_COLS} FROM {HIRE_FROM} WHERE x.id = $1"),
            &args![id.0],
        )
        .await?
        .map(|r| HireRow::from_row(&r).map(|HireRow(h, v)| (h, v)))
        .transpose()
    }

    /// The labourer's household and village, when the person is an active registered member in
    /// the caller's regions (`Ok(None)`: a person of a removed household, or one who left).
    async fn labourer(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        person: PersonId,
    ) -> StoreResult<Option<(HouseholdId, RegionCode)>> {
        let r = tx
            .fetch_optional(
                "SELECT h.id, h.village_code, p.active, h.status FROM persons p JOIN households h ON h.id = p.household_id WHERE p.id = $1",
                &args![person.0],
            )
            .await?;
        let Some(r) = r else {
            return Err(person_not_found());
        };
        let (household, village, active, status) = Cols::read(&r, |c| {
            Ok((
                HouseholdId(c.i64()?),
                RegionCode::parse(&c.text()?)?,
                c.bool()?,
                c.text()?,
            ))
        })?;
        if !ctx.scope.allows(&village) {
            return Err(person_not_found());
        }
        if !active || status == "removed" {
            return Ok(None);
        }
        Ok(Some((household, village)))
    }

    /// Check a hire at `w` (leaving `except` out of the overlapping hires when it is changed).
    async fn check_hire(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        w: &WorkplaceData,
        at: WorkplaceId,
        h: &HireInput,
        except: Option<HireId>,
    ) -> StoreResult<(HireData, HouseholdId, RegionCode)> {
        let labourer = self.labourer(tx, ctx, h.person_id).await?;
        let far = Date::from_calendar_date(9999, time::Month::December, 31).expect("date");
        let rows = tx
            .fetch_all(
                "SELECT person_id, hire_date, leave_date FROM workplace_hires WHERE workplace_id = $1 AND id <> $2 \
                 AND hire_date <= $3 AND (leave_date IS NULL OR leave_date >= $4)",
                &args![
                    at.0,
                    except.map_or(0, |x| x.0),
                    h.leave_date.unwrap_or(far),
                    h.hire_date
                ],
            )
            .await?;
        let overlapping = rows
            .iter()
            .map(|r| Cols::read(r, |c| Ok((PersonId(c.i64()?), c.date()?, c.opt_date()?))))
            .collect::<StoreResult<Vec<_>>>()?;
        let d = h.validate(&HireFacts {
            workplace: w,
            active_member: labourer.is_some(),
            overlapping: &overlapping,
            today: today(),
        })?;
        let (household, village) = labourer.ok_or_else(DomainError::internal)?;
        Ok((d, household, village))
    }

    /// Record a workplace (history, figures and audit included) in the caller's transaction.
    async fn insert_workplace(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        input: &WorkplaceInput,
    ) -> StoreResult<Workplace> {
        let d = self.check_workplace(tx, ctx, input).await?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_WORKPLACE, &new_workplace(&d, &ctx.actor, now))
            .await?;
        let id = WorkplaceId(Cols::read(&r, |c| Ok(c.i64()?))?);
        self.bump_place_stats(tx, d.tally(), 1).await?;
        self.record_version(
            tx,
            ctx,
            id.0,
            |_: &Workplace| service_history("workplace", id.0, 1, "create", &d, &ctx.actor),
            |after| {
                AuditRecord::change("workplace.create", "workplace", id.0, None, Some(after))
                    .in_region(&d.village_code)
            },
        )
        .await
    }

    /// Hire a labourer at `w` (history, figures and audit included) in the caller's transaction.
    async fn insert_hire(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        w: &Workplace,
        h: &HireInput,
    ) -> StoreResult<Hire> {
        let at = w.id;
        let wd = w.data();
        let (d, household, village) = self.check_hire(tx, ctx, &wd, at, h, None).await?;
        let r = tx
            .fetch_one(
                &INSERT_HIRE,
                &new_hire(
                    at,
                    &d,
                    household,
                    &village,
                    &ctx.actor,
                    OffsetDateTime::now_utc(),
                ),
            )
            .await?;
        let id = HireId(Cols::read(&r, |c| Ok(c.i64()?))?);
        self.bump_place_stats(tx, d.tally(&wd), 1).await?;
        self.record_version(
            tx,
            ctx,
            id.0,
            |_: &Hire| service_history("hire", id.0, 1, "create", &d, &ctx.actor),
            |after| {
                AuditRecord::change("hire.create", "hire", id.0, None, Some(after))
                    .in_region(&village)
            },
        )
        .await
    }

    /// The hires of a workplace whose households the caller reaches, newest first.
    async fn hires_of(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: WorkplaceId,
    ) -> StoreResult<Vec<Hire>> {
        let mut q = Query::new(&format!(
            "SELECT {HIRE_COLS} FROM {HIRE_FROM} WHERE x.workplace_id = "
        ));
        let a = q.arg(id.0);
        q.push(&a);
        q.and_in_ranges("x.village_code", &ctx.scope.ranges(None));
        q.push(" ORDER BY x.hire_date DESC, x.id DESC");
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(|r| Ok(HireRow::from_row(r)?.0)).collect()
    }
}

/// A version of a workplace, a hire or an event for `service_history`.
pub(crate) fn service_history<T: Serialize>(
    entity: &str,
    id: i64,
    version: i32,
    action: &str,
    data: &T,
    actor: &str,
) -> Statement<'static> {
    let v = ServiceVersion {
        entity: entity.to_string(),
        entity_id: id,
        version,
        action: action.to_string(),
        data: serde_json::to_value(data).expect("serialisable"),
        actor: actor.to_string(),
        recorded_at: OffsetDateTime::now_utc(),
    };
    (INSERT_SERVICE_VERSION.as_str(), service_version_values(&v))
}

#[async_trait::async_trait]
impl Versioned for Workplace {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> StoreResult<Self> {
        store.load_workplace(tx, ctx, WorkplaceId(id)).await
    }
}

#[async_trait::async_trait]
impl Versioned for Hire {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, _: &Ctx, id: i64) -> StoreResult<Self> {
        let (hire, _) = store
            .load_hire(tx, HireId(id))
            .await?
            .ok_or_else(DomainError::internal)?;
        Ok(hire)
    }
}

#[async_trait::async_trait]
impl ServiceStore for SqlStore {
    async fn create_workplace(&self, ctx: &Ctx, input: WorkplaceInput) -> StoreResult<Workplace> {
        let mut tx = self.db.begin_write().await?;
        let out = self.insert_workplace(tx.as_mut(), ctx, &input).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_workplace(
        &self,
        ctx: &Ctx,
        id: WorkplaceId,
        input: WorkplaceInput,
    ) -> StoreResult<Workplace> {
        let mut tx = self.db.begin_write().await?;
        let before = self.load_workplace(tx.as_mut(), ctx, id).await?;
        let mut d = self.check_workplace(tx.as_mut(), ctx, &input).await?;
        if d.kind != before.kind || d.village_code != before.village_code {
            return Err(DomainError::invalid(
                "region_code",
                "workplace_fixed",
                "扶贫车间或岗位的类别和所在村不能更改；请关闭后重新登记",
            ));
        }
        // the designation it was recorded with stays, so that the figures do not move under it
        d.in_poor_village = before.in_poor_village;
        let row = tx
            .fetch_one(
                "SELECT MIN(hire_date), MAX(COALESCE(leave_date, $2)), COUNT(*) FROM workplace_hires WHERE workplace_id = $1",
                &args![id.0, Date::from_calendar_date(9999, time::Month::December, 31).expect("date")],
            )
            .await?;
        let (first, last, n) = Cols::read(&row, |c| Ok((c.opt_date()?, c.opt_date()?, c.i64()?)))?;
        if let (true, Some(first), Some(last)) = (n > 0, first, last) {
            if d.opened > first || d.closed.is_some_and(|c| c < last) {
                return Err(DomainError::invalid(
                    "opened",
                    "hires_outside_period",
                    "开设期须包含所有聘用人员的在岗期间",
                ));
            }
        }
        let hired_now = before.employed_now;
        if i64::from(d.capacity) < hired_now {
            return Err(DomainError::invalid(
                "capacity",
                "over_capacity",
                format!("现有在岗人员 {hired_now} 人，岗位数不能少于此数"),
            ));
        }
        let version = before.version + 1;
        self.bump_place_stats(tx.as_mut(), before.data().tally(), -1)
            .await?;
        self.bump_place_stats(tx.as_mut(), d.tally(), 1).await?;
        tx.execute(
            &UPDATE_WORKPLACE,
            &workplace_update(&d, version, &ctx.actor, OffsetDateTime::now_utc(), id),
        )
        .await?;
        let out = self
            .record_version(
                tx.as_mut(),
                ctx,
                id.0,
                |_: &Workplace| {
                    service_history("workplace", id.0, version, "update", &d, &ctx.actor)
                },
                |after| {
                    AuditRecord::change(
                        "workplace.update",
                        "workplace",
                        id.0,
                        Some(&before),
                        Some(after),
                    )
                    .in_region(&d.village_code)
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn workplace(&self, ctx: &Ctx, id: WorkplaceId) -> StoreResult<WorkplaceDetail> {
        let mut tx = self.db.begin_read().await?;
        let workplace = self.load_workplace(tx.as_mut(), ctx, id).await?;
        let hires = self.hires_of(tx.as_mut(), ctx, id).await?;
        Ok(WorkplaceDetail { workplace, hires })
    }

    async fn workplaces(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &WorkplaceFilter,
    ) -> StoreResult<Vec<Workplace>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new("");
        let t = q.arg(today());
        q.push(&format!(
            "SELECT {} FROM {WORKPLACE_FROM} WHERE 1 = 1",
            WORKPLACE_COLS.to_string().replace("$1", &t)
        ));
        q.and_in_ranges("w.village_code", &ctx.scope.ranges(Some(region)));
        if let Some(k) = filter.kind {
            let a = q.arg(k.as_str());
            q.push(&format!(" AND w.kind = {a}"));
        }
        if let Some(after) = filter.after {
            let a = q.arg(after.0);
            q.push(&format!(" AND w.id > {a}"));
        }
        let lim = q.arg(i64::from(filter.limit.clamp(1, 1000)));
        q.push(&format!(" ORDER BY w.id LIMIT {lim}"));
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(Workplace::from_row).collect()
    }

    async fn create_hire(&self, ctx: &Ctx, at: WorkplaceId, h: HireInput) -> StoreResult<Hire> {
        let mut tx = self.db.begin_write().await?;
        let w = self.load_workplace(tx.as_mut(), ctx, at).await?;
        let out = self.insert_hire(tx.as_mut(), ctx, &w, &h).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn register_workplaces(
        &self,
        ctx: &Ctx,
        items: Vec<(WorkplaceInput, Vec<HireInput>)>,
    ) -> StoreResult<(u64, u64)> {
        let mut tx = self.db.begin_write().await?;
        let (mut places, mut hires) = (0, 0);
        for (i, (w, hs)) in items.iter().enumerate() {
            let at = |e: DomainError, sub: &str| {
                let f = e.field.clone().unwrap_or_default();
                e.with_field(format!("[{i}]{sub}.{f}"))
            };
            let place = self
                .insert_workplace(tx.as_mut(), ctx, w)
                .await
                .map_err(|e| at(e, ""))?;
            places += 1;
            for (j, h) in hs.iter().enumerate() {
                self.insert_hire(tx.as_mut(), ctx, &place, h)
                    .await
                    .map_err(|e| at(e, &format!(".hires[{j}]")))?;
                hires += 1;
            }
        }
        tx.commit().await?;
        Ok((places, hires))
    }

    async fn update_hire(&self, ctx: &Ctx, id: HireId, h: HireInput) -> StoreResult<Hire> {
        let mut tx = self.db.begin_write().await?;
        let (before, village) = self
            .load_hire(tx.as_mut(), id)
            .await?
            .filter(|(_, v)| ctx.scope.allows(v))
            .ok_or_else(hire_not_found)?;
        let w = self
            .load_workplace(tx.as_mut(), ctx, before.workplace_id)
            .await
            .map_err(|_| hire_not_found())?;
        if h.person_id != before.person_id {
            return Err(DomainError::invalid(
                "person_id",
                "hire_person_fixed",
                "聘用记录的人员不能更改；请结束后为另一人新建聘用记录",
            ));
        }
        let wd = w.data();
        let (d, _, _) = self
            .check_hire(tx.as_mut(), ctx, &wd, w.id, &h, Some(id))
            .await?;
        let old = HireData {
            person_id: before.person_id,
            hire_date: before.hire_date,
            leave_date: before.leave_date,
            monthly_wage_fen: before.monthly_wage_fen,
        };
        let version = before.version + 1;
        self.bump_place_stats(tx.as_mut(), old.tally(&wd), -1)
            .await?;
        self.bump_place_stats(tx.as_mut(), d.tally(&wd), 1).await?;
        tx.execute(
            &UPDATE_HIRE,
            &hire_update(&d, version, &ctx.actor, OffsetDateTime::now_utc(), id),
        )
        .await?;
        let out = self
            .record_version(
                tx.as_mut(),
                ctx,
                id.0,
                |_: &Hire| service_history("hire", id.0, version, "update", &d, &ctx.actor),
                |after| {
                    AuditRecord::change("hire.update", "hire", id.0, Some(&before), Some(after))
                        .in_region(&village)
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn workplace_history(
        &self,
        ctx: &Ctx,
        id: WorkplaceId,
    ) -> StoreResult<Vec<ServiceVersion>> {
        let mut tx = self.db.begin_read().await?;
        self.load_workplace(tx.as_mut(), ctx, id).await?;
        let hires: Vec<i64> = self
            .hires_of(tx.as_mut(), ctx, id)
            .await?
            .iter()
            .map(|h| h.id.0)
            .collect();
        let mut out = self
            .service_versions(
                tx.as_mut(),
                "entity = 'workplace' AND entity_id = $1",
                &args![id.0],
            )
            .await?;
        for h in hires {
            out.extend(
                self.service_versions(tx.as_mut(), "entity = 'hire' AND entity_id = $1", &args![h])
                    .await?,
            );
        }
        out.sort_by_key(|v| v.recorded_at);
        Ok(out)
    }

    async fn create_event(&self, ctx: &Ctx, e: EventInput) -> StoreResult<EventDetail> {
        self.create_event_impl(ctx, e).await
    }

    async fn update_event(
        &self,
        ctx: &Ctx,
        id: EventId,
        e: EventInput,
    ) -> StoreResult<EventDetail> {
        self.update_event_impl(ctx, id, e).await
    }

    async fn event(&self, ctx: &Ctx, id: EventId) -> StoreResult<EventDetail> {
        let mut tx = self.db.begin_read().await?;
        self.event_detail(tx.as_mut(), ctx, id).await
    }

    async fn events(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: &EventFilter,
    ) -> StoreResult<Vec<Event>> {
        self.events_impl(ctx, region, filter).await
    }

    async fn event_history(&self, ctx: &Ctx, id: EventId) -> StoreResult<Vec<ServiceVersion>> {
        let mut tx = self.db.begin_read().await?;
        self.event_detail(tx.as_mut(), ctx, id).await?;
        self.service_versions(
            tx.as_mut(),
            "entity = 'event' AND entity_id = $1",
            &args![id.0],
        )
        .await
    }
}

fn person_not_found() -> DomainError {
    DomainError::not_found("member_not_found", "该人员不存在或不在您的管辖范围内")
        .with_field("person_id")
}
