//! Assistance measures in SQL: one row per measure with its form's fields as JSON, every version
//! in `measure_history`, an audit record per write.
//!
//! The services report's aggregates (`report`) are brought in step in the same transaction.
//!
//! Reads reach a measure through its household (an office's regions, or a cadre's pairing today);
//! writes are an office's, on households in its regions.

mod report;

use crate::sql::{Row, Tx};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::measures::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{MeasureStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use time::{Date, OffsetDateTime};

const MEASURE_COLS: &str = "m.id, m.household_id, h.household_number, m.village_code, m.person_id, p.name, m.category, m.kind, \
    m.start_date, m.end_date, m.amount_fen, m.provider, m.origin, m.status, m.note, m.details, m.version, m.updated_by, m.updated_at";
const MEASURE_FROM: &str = "measures m JOIN households h ON h.id = m.household_id LEFT JOIN persons p ON p.id = m.person_id";

fn json_err(_: serde_json::Error) -> DomainError {
    DomainError::internal()
}

fn measure_from_row(r: &Row) -> StoreResult<Measure> {
    let kind = r.text(7)?;
    Ok(Measure {
        id: MeasureId(r.i64(0)?),
        household_id: HouseholdId(r.i64(1)?),
        household_number: r.text(2)?,
        village_code: RegionCode::parse(&r.text(3)?)?,
        person_id: r.opt_i64(4)?.map(PersonId),
        person_name: r.opt_text(5)?,
        category: r.text(6)?,
        kind_label: Catalogue::shipped().label(&kind).to_string(),
        kind,
        start_date: r.date(8)?,
        end_date: r.opt_date(9)?,
        amount_fen: r.i64(10)?,
        provider: r.opt_text(11)?,
        origin: Origin::parse(&r.text(12)?).ok_or_else(DomainError::internal)?,
        status: MeasureStatus::parse(&r.text(13)?).ok_or_else(DomainError::internal)?,
        note: r.opt_text(14)?,
        details: serde_json::from_str(&r.text(15)?).map_err(json_err)?,
        version: r.i32(16)?,
        updated_by: r.text(17)?,
        updated_at: r.time(18)?,
    })
}

fn not_found() -> DomainError {
    DomainError::not_found("measure_not_found", "该帮扶措施不存在或不在您的管辖范围内")
}

fn household_not_found() -> DomainError {
    DomainError::not_found("household_not_found", "该户不存在或不在您的管辖范围内")
        .with_field("household_id")
}

impl SqlStore {
    /// The facts a measure of `household` (for `person`) is checked against, when the caller may
    /// write to the household: an office whose regions hold it.
    async fn measure_facts(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        household: HouseholdId,
        person: Option<PersonId>,
    ) -> StoreResult<(RegionCode, Option<Date>)> {
        let r = tx
            .fetch_optional(
                "SELECT village_code FROM households WHERE id = $1",
                &args![household.0],
            )
            .await?
            .ok_or_else(household_not_found)?;
        let village = RegionCode::parse(&r.text(0)?)?;
        if !ctx.scope.allows(&village) {
            return Err(household_not_found());
        }
        let birth = match person {
            None => None,
            Some(p) => {
                let r = tx
                    .fetch_optional(
                        "SELECT birth_date FROM persons WHERE id = $1 AND household_id = $2",
                        &args![p.0, household.0],
                    )
                    .await?
                    .ok_or_else(|| {
                        DomainError::invalid("person_id", "not_a_member", "该成员不属于此户")
                    })?;
                Some(r.date(0)?)
            }
        };
        Ok((village, birth))
    }

    async fn check_measure(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        m: &MeasureInput,
    ) -> StoreResult<(RegionCode, MeasureData)> {
        let (village, birth_date) = self
            .measure_facts(tx, ctx, m.household_id, m.person_id)
            .await?;
        let params = self.params();
        let facts = MeasureFacts {
            village: village.clone(),
            birth_date,
            params: &params,
            today: today(),
        };
        let data = m.validate(Catalogue::shipped(), &facts)?;
        Ok((village, data))
    }

    async fn load_measure(&self, tx: &mut dyn Tx, id: MeasureId) -> StoreResult<Measure> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {MEASURE_COLS} FROM {MEASURE_FROM} WHERE m.id = $1"),
                &args![id.0],
            )
            .await?
            .ok_or_else(not_found)?;
        measure_from_row(&r)
    }

    /// A measure the caller reaches (through its household).
    async fn visible_measure(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: MeasureId,
    ) -> StoreResult<Measure> {
        let m = self.load_measure(tx, id).await?;
        if !self
            .household_visible(tx, ctx, m.household_id, &m.village_code)
            .await?
        {
            return Err(not_found());
        }
        Ok(m)
    }

    /// Append a version to a measure's history.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn measure_version(
        &self,
        tx: &mut dyn Tx,
        id: MeasureId,
        version: i32,
        action: &str,
        data: &MeasureData,
        origin: Origin,
        actor: &str,
    ) -> StoreResult<()> {
        tx.execute(
            "INSERT INTO measure_history (measure_id, version, action, data, origin, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &args![
                id.0,
                version,
                action,
                serde_json::to_string(data).expect("serialisable"),
                origin.as_str(),
                actor,
                OffsetDateTime::now_utc()
            ],
        )
        .await?;
        Ok(())
    }

    /// Insert a measure (history and audit included) in the caller's transaction.
    pub(crate) async fn insert_measure(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        village: &RegionCode,
        d: &MeasureData,
        origin: Origin,
    ) -> StoreResult<Measure> {
        let now = OffsetDateTime::now_utc();
        let r = tx
            .fetch_one(
                "INSERT INTO measures (household_id, person_id, village_code, category, kind, start_date, end_date, amount_fen, provider, origin, \
                 status, note, details, destination, version, created_by, created_at, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $15, $16) RETURNING id",
                &args![
                    d.household_id.0,
                    d.person_id.map(|p| p.0),
                    village.as_str(),
                    d.category.as_str(),
                    d.kind.as_str(),
                    d.start_date,
                    d.end_date,
                    d.amount_fen,
                    d.provider.clone(),
                    origin.as_str(),
                    d.status.as_str(),
                    d.note.clone(),
                    serde_json::to_string(&d.details).expect("serialisable"),
                    d.details.destination().map(|x| x.as_str()),
                    ctx.actor.as_str(),
                    now
                ],
            )
            .await?;
        let id = MeasureId(r.i64(0)?);
        self.measure_version(tx, id, 1, "create", d, origin, &ctx.actor)
            .await?;
        self.bump_measure_stats(tx, village, d, 1).await?;
        let out = self.load_measure(tx, id).await?;
        self.audit(
            tx,
            ctx,
            AuditRecord::change("measure.create", "measure", id.0, None, Some(&out))
                .in_region(village),
        )
        .await?;
        Ok(out)
    }
}

#[async_trait::async_trait]
impl MeasureStore for SqlStore {
    async fn create_measure(&self, ctx: &Ctx, m: MeasureInput) -> StoreResult<Measure> {
        let mut tx = self.db.begin_write().await?;
        let (village, d) = self.check_measure(tx.as_mut(), ctx, &m).await?;
        let out = self
            .insert_measure(tx.as_mut(), ctx, &village, &d, Origin::Entered)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_measure(
        &self,
        ctx: &Ctx,
        id: MeasureId,
        m: MeasureInput,
    ) -> StoreResult<Measure> {
        let mut tx = self.db.begin_write().await?;
        let before = self.load_measure(tx.as_mut(), id).await?;
        if !ctx.scope.allows(&before.village_code) {
            return Err(not_found());
        }
        if m.household_id != before.household_id {
            return Err(DomainError::invalid(
                "household_id",
                "household_fixed",
                "帮扶措施所属的户不能更改；请撤销后在另一户重新录入",
            ));
        }
        let (village, d) = self.check_measure(tx.as_mut(), ctx, &m).await?;
        let version = before.version + 1;
        self.bump_measure_stats(tx.as_mut(), &before.village_code, &before.data(), -1)
            .await?;
        self.bump_measure_stats(tx.as_mut(), &village, &d, 1)
            .await?;
        tx.execute(
            "UPDATE measures SET person_id = $1, category = $2, kind = $3, start_date = $4, end_date = $5, amount_fen = $6, provider = $7, \
             status = $8, note = $9, details = $10, destination = $11, version = $12, updated_by = $13, updated_at = $14 WHERE id = $15",
            &args![
                d.person_id.map(|p| p.0),
                d.category.as_str(),
                d.kind.as_str(),
                d.start_date,
                d.end_date,
                d.amount_fen,
                d.provider.clone(),
                d.status.as_str(),
                d.note.clone(),
                serde_json::to_string(&d.details).expect("serialisable"),
                d.details.destination().map(|x| x.as_str()),
                version,
                ctx.actor.as_str(),
                OffsetDateTime::now_utc(),
                id.0
            ],
        )
        .await?;
        self.measure_version(
            tx.as_mut(),
            id,
            version,
            "update",
            &d,
            before.origin,
            &ctx.actor,
        )
        .await?;
        let out = self.load_measure(tx.as_mut(), id).await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("measure.update", "measure", id.0, Some(&before), Some(&out))
                .in_region(&village),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn measure(&self, ctx: &Ctx, id: MeasureId) -> StoreResult<Measure> {
        let mut tx = self.db.begin_read().await?;
        self.visible_measure(tx.as_mut(), ctx, id).await
    }

    async fn household_measures(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<Measure>> {
        let mut tx = self.db.begin_read().await?;
        let r = tx
            .fetch_optional(
                "SELECT village_code FROM households WHERE id = $1",
                &args![household.0],
            )
            .await?
            .ok_or_else(household_not_found)?;
        let village = RegionCode::parse(&r.text(0)?)?;
        if !self
            .household_visible(tx.as_mut(), ctx, household, &village)
            .await?
        {
            return Err(household_not_found());
        }
        let rows = tx
            .fetch_all(
                &format!("SELECT {MEASURE_COLS} FROM {MEASURE_FROM} WHERE m.household_id = $1 ORDER BY m.start_date, m.id"),
                &args![household.0],
            )
            .await?;
        rows.iter().map(measure_from_row).collect()
    }

    async fn measure_history(&self, ctx: &Ctx, id: MeasureId) -> StoreResult<Vec<MeasureVersion>> {
        let mut tx = self.db.begin_read().await?;
        self.visible_measure(tx.as_mut(), ctx, id).await?;
        let rows = tx
            .fetch_all(
                "SELECT version, action, data, origin, actor, recorded_at FROM measure_history WHERE measure_id = $1 ORDER BY version",
                &args![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MeasureVersion {
                    version: r.i32(0)?,
                    action: r.text(1)?,
                    data: serde_json::from_str(&r.text(2)?).map_err(json_err)?,
                    origin: Origin::parse(&r.text(3)?).ok_or_else(DomainError::internal)?,
                    actor: r.text(4)?,
                    recorded_at: r.time(5)?,
                })
            })
            .collect()
    }

    async fn services_report(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> StoreResult<ServicesReport> {
        self.services_report_impl(ctx, region, from, to).await
    }
}
