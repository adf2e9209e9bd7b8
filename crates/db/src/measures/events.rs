//! Service events in SQL: an event of a region with the registered persons linked to it, every
//! version in `service_history`, an audit record per write, and its rows of `event_stats` (the
//! region holding it and every region above it) brought in step in the same transaction.
//!
//! An event belongs to the region where it was held: an office of that region records and reads it.
//! Every linked person must be an active registered member of a household in the caller's regions;
//! an event's page names only the persons of households the caller reaches (its count of
//! registered persons is the event's own).

use super::rows::*;
use super::workplaces::service_history;
use crate::query::Query;
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::versioned::Versioned;
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::measures::*;
use fupin_core::projects::counted_at;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{EventFilter, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use time::OffsetDateTime;

fn event_not_found() -> DomainError {
    DomainError::not_found("event_not_found", "该服务活动不存在或不在您的管辖范围内")
}

#[async_trait::async_trait]
impl Versioned for EventDetail {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, ctx: &Ctx, id: i64) -> StoreResult<Self> {
        store.event_detail(tx, ctx, EventId(id)).await
    }
}

impl SqlStore {
    /// Add an event's figures to the rows of the region holding it and of every region above it
    /// (`sign` 1), or take them away (−1).
    async fn bump_event_stats(&self, tx: &mut dyn Tx, d: &EventData, sign: i64) -> StoreResult<()> {
        let ((region, month, kind), t) = d.tally();
        let mut s = EventTally::default();
        s.add(&t, sign);
        for region in counted_at(&region) {
            tx.execute(
            "INSERT INTO event_stats (region_code, month, kind, events, served, registered, medicine_fen, leaflets, \
             placed_in_county, placed_in_province, placed_cross_province) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (region_code, month, kind) DO UPDATE SET events = event_stats.events + excluded.events, \
             served = event_stats.served + excluded.served, registered = event_stats.registered + excluded.registered, \
             medicine_fen = event_stats.medicine_fen + excluded.medicine_fen, leaflets = event_stats.leaflets + excluded.leaflets, \
             placed_in_county = event_stats.placed_in_county + excluded.placed_in_county, \
             placed_in_province = event_stats.placed_in_province + excluded.placed_in_province, \
             placed_cross_province = event_stats.placed_cross_province + excluded.placed_cross_province",
            &args![
                region.as_str(),
                month,
                kind.as_str(),
                s.events,
                s.served,
                s.registered,
                s.medicine_fen,
                s.leaflets,
                s.placed.in_county,
                s.placed.in_province,
                s.placed.cross_province
            ],
        )
        .await?;
        }
        Ok(())
    }

    /// The events' figures of `region` over the months `first..=last`, by kind.
    pub(crate) async fn event_tallies(
        &self,
        region: &RegionCode,
        first: i32,
        last: i32,
    ) -> StoreResult<Vec<(EventKind, EventTally)>> {
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT kind, {EVENT_SUMS} FROM event_stats WHERE region_code = $1 \
                     AND month BETWEEN $2 AND $3 GROUP BY kind ORDER BY kind"
                ),
                &args![region.as_str(), first, last],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Cols::read(r, |c| {
                    Ok((
                        EventKind::parse(&c.text()?).ok_or_else(DomainError::internal)?,
                        EventTally::decode(c)?,
                    ))
                })
            })
            .collect()
    }

    /// Check an event: its region exists and lies in the caller's regions; every linked person is
    /// an active registered member in them. Returns the persons' households and villages.
    async fn check_event(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        e: &EventInput,
    ) -> StoreResult<(EventData, Vec<(HouseholdId, RegionCode)>)> {
        let d = e.validate(today())?;
        let known = tx
            .fetch_optional(
                "SELECT code FROM regions WHERE code = $1",
                &args![d.region_code.as_str()],
            )
            .await?;
        if known.is_none() || !ctx.scope.allows(&d.region_code) {
            return Err(DomainError::not_found(
                "region_not_found",
                format!("区划 {} 不存在或不在您的管辖范围内", d.region_code.as_str()),
            )
            .with_field("region_code"));
        }
        let mut persons = Vec::with_capacity(d.person_ids.len());
        for chunk in d.person_ids.chunks(500) {
            let mut q = Query::new(
                "SELECT p.id, h.id, h.village_code, p.active, h.status FROM persons p JOIN households h ON h.id = p.household_id WHERE p.id IN (",
            );
            let marks: Vec<String> = chunk.iter().map(|p| q.arg(p.0)).collect();
            q.push(&marks.join(", "));
            q.push(")");
            let rows = tx.fetch_all(&q.sql, &q.args).await?;
            let mut found = std::collections::HashMap::new();
            for r in &rows {
                let (person, found_at) = Cols::read(r, |c| {
                    Ok((
                        c.i64()?,
                        (
                            HouseholdId(c.i64()?),
                            RegionCode::parse(&c.text()?)?,
                            c.bool()? && c.text()? != "removed",
                        ),
                    ))
                })?;
                found.insert(person, found_at);
            }
            for p in chunk {
                let i = persons.len();
                let field = format!("person_ids[{i}]");
                match found.remove(&p.0) {
                    Some((h, v, active)) if ctx.scope.allows(&v) => {
                        if !active {
                            return Err(DomainError::invalid(
                                field,
                                "member_inactive",
                                "该成员不是在册的建档立卡人员",
                            ));
                        }
                        persons.push((h, v));
                    }
                    _ => {
                        return Err(DomainError::not_found(
                            "member_not_found",
                            "该人员不存在或不在您的管辖范围内",
                        )
                        .with_field(field))
                    }
                }
            }
        }
        Ok((d, persons))
    }

    async fn link_persons(
        &self,
        tx: &mut dyn Tx,
        id: EventId,
        d: &EventData,
        persons: &[(HouseholdId, RegionCode)],
    ) -> StoreResult<()> {
        tx.execute(
            "DELETE FROM event_persons WHERE event_id = $1",
            &args![id.0],
        )
        .await?;
        let rows: Vec<_> = d.person_ids.iter().zip(persons).collect();
        for chunk in rows.chunks(200) {
            let mut q = Query::new(
                "INSERT INTO event_persons (event_id, person_id, household_id, village_code) VALUES ",
            );
            let values: Vec<String> = chunk
                .iter()
                .map(|(p, (h, v))| {
                    let a = q.arg(id.0);
                    let b = q.arg(p.0);
                    let c = q.arg(h.0);
                    let e = q.arg(v.as_str());
                    format!("({a}, {b}, {c}, {e})")
                })
                .collect();
            q.push(&values.join(", "));
            tx.execute(&q.sql, &q.args).await?;
        }
        Ok(())
    }

    async fn load_event(&self, tx: &mut dyn Tx, ctx: &Ctx, id: EventId) -> StoreResult<Event> {
        let e = tx
            .fetch_optional(
                &format!("SELECT {EVENT_COLS} FROM {EVENT_FROM} WHERE e.id = $1"),
                &args![id.0],
            )
            .await?
            .map(|r| Event::from_row(&r))
            .transpose()?
            .ok_or_else(event_not_found)?;
        if !ctx.scope.allows(&e.region_code) {
            return Err(event_not_found());
        }
        Ok(e)
    }

    /// An event with the persons the caller reaches.
    pub(crate) async fn event_detail(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: EventId,
    ) -> StoreResult<EventDetail> {
        let event = self.load_event(tx, ctx, id).await?;
        let mut q = Query::new(&format!(
            "SELECT {EVENT_PERSON_COLS} FROM event_persons x \
             JOIN persons p ON p.id = x.person_id JOIN households h ON h.id = x.household_id WHERE x.event_id = "
        ));
        let a = q.arg(id.0);
        q.push(&a);
        q.and_in_ranges("x.village_code", &ctx.scope.ranges(None));
        q.push(" ORDER BY h.household_number, x.person_id");
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        let persons = rows
            .iter()
            .map(EventPerson::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(EventDetail { event, persons })
    }

    pub(crate) async fn create_event_impl(
        &self,
        ctx: &Ctx,
        e: EventInput,
    ) -> StoreResult<EventDetail> {
        let mut tx = self.db.begin_write().await?;
        let (d, persons) = self.check_event(tx.as_mut(), ctx, &e).await?;
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(&INSERT_EVENT, &new_event(&d, &ctx.actor, now))
            .await?;
        let id = EventId(Cols::read(&r, |c| Ok(c.i64()?))?);
        self.link_persons(tx.as_mut(), id, &d, &persons).await?;
        self.bump_event_stats(tx.as_mut(), &d, 1).await?;
        let out = self
            .record_version(
                tx.as_mut(),
                ctx,
                id.0,
                |_: &EventDetail| service_history("event", id.0, 1, "create", &d, &ctx.actor),
                |after| {
                    AuditRecord::change("event.create", "event", id.0, None, Some(&after.event))
                        .in_region(&d.region_code)
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    pub(crate) async fn update_event_impl(
        &self,
        ctx: &Ctx,
        id: EventId,
        e: EventInput,
    ) -> StoreResult<EventDetail> {
        let mut tx = self.db.begin_write().await?;
        let before = self.load_event(tx.as_mut(), ctx, id).await?;
        let old_persons: Vec<PersonId> = tx
            .fetch_all(
                "SELECT person_id FROM event_persons WHERE event_id = $1 ORDER BY person_id",
                &args![id.0],
            )
            .await?
            .iter()
            .map(|r| Cols::read(r, |c| Ok(PersonId(c.i64()?))))
            .collect::<StoreResult<_>>()?;
        let (d, persons) = self.check_event(tx.as_mut(), ctx, &e).await?;
        if d.region_code != before.region_code {
            return Err(DomainError::invalid(
                "region_code",
                "event_region_fixed",
                "服务活动的举办地区划不能更改；请在该区划重新登记",
            ));
        }
        let old = EventData {
            kind: before.kind,
            title: before.title.clone(),
            region_code: before.region_code.clone(),
            place: before.place.clone(),
            date: before.date,
            served_total: before.served_total,
            organiser: before.organiser.clone(),
            medicine_fen: before.medicine_fen,
            leaflets: before.leaflets,
            placed_others: before.placed_others,
            person_ids: old_persons,
            note: before.note.clone(),
        };
        let version = before.version + 1;
        self.bump_event_stats(tx.as_mut(), &old, -1).await?;
        self.bump_event_stats(tx.as_mut(), &d, 1).await?;
        tx.execute(
            &UPDATE_EVENT,
            &event_update(&d, version, &ctx.actor, OffsetDateTime::now_utc(), id),
        )
        .await?;
        self.link_persons(tx.as_mut(), id, &d, &persons).await?;
        let out = self
            .record_version(
                tx.as_mut(),
                ctx,
                id.0,
                |_: &EventDetail| service_history("event", id.0, version, "update", &d, &ctx.actor),
                |after| {
                    AuditRecord::change(
                        "event.update",
                        "event",
                        id.0,
                        Some(&before),
                        Some(&after.event),
                    )
                    .in_region(&d.region_code)
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    pub(crate) async fn events_impl(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        f: &EventFilter,
    ) -> StoreResult<Vec<Event>> {
        ctx.require(region, "区划")?;
        let mut q = Query::new(&format!(
            "SELECT {EVENT_COLS} FROM {EVENT_FROM} WHERE 1 = 1"
        ));
        q.and_in_ranges("e.region_code", &ctx.scope.ranges(Some(region)));
        if let Some(k) = f.kind {
            let a = q.arg(k.as_str());
            q.push(&format!(" AND e.kind = {a}"));
        }
        if let Some(from) = f.from {
            let a = q.arg(from);
            q.push(&format!(" AND e.date >= {a}"));
        }
        if let Some(to) = f.to {
            let a = q.arg(to);
            q.push(&format!(" AND e.date <= {a}"));
        }
        if let Some(after) = f.after {
            let a = q.arg(after.0);
            q.push(&format!(" AND e.id > {a}"));
        }
        let lim = q.arg(i64::from(f.limit.clamp(1, 1000)));
        q.push(&format!(" ORDER BY e.id LIMIT {lim}"));
        let mut tx = self.db.begin_read().await?;
        let rows = tx.fetch_all(&q.sql, &q.args).await?;
        rows.iter().map(Event::from_row).collect()
    }
}
