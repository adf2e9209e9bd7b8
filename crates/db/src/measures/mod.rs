//! Assistance measures in SQL: one row per measure with its form's fields as JSON, every version
//! in `measure_history`, an audit record per write.
//!
//! The services report's aggregates (`report`) are brought in step in the same transaction.
//!
//! Reads reach a measure through its household (an office's regions, or a cadre's pairing today);
//! writes are an office's, on households in its regions.

mod bulk;
mod events;
mod report;
pub(crate) mod rows;
mod workplaces;

pub(crate) use report::StatKey;

use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::versioned::{Statement, Versioned};
use crate::{args, SqlStore};
use fupin_core::audit::AuditRecord;
use fupin_core::measures::*;
use fupin_core::registry::{HouseholdId, PersonId};
use fupin_core::store::{MeasureStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, RegionCode};
use time::{Date, OffsetDateTime};

use rows::{
    measure_update, new_measure, version_values, INSERT_MEASURE, INSERT_VERSION, MEASURE_COLS,
    MEASURE_FROM, UPDATE_MEASURE, VERSION_COLS,
};

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
        let village = Cols::read(&r, |c| RegionCode::parse(&c.text()?))?;
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
                Some(Cols::read(&r, |c| Ok(c.date()?))?)
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
        Measure::from_row(&r)
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

    /// What the measures of a household tell the assessment about `year` (see core's
    /// `measure_signals`), judged at the end of the year or today, whichever is earlier.
    pub(crate) async fn measure_signals_of(
        &self,
        tx: &mut dyn Tx,
        household: HouseholdId,
        year: i32,
    ) -> StoreResult<MeasureSignals> {
        let rows = tx
            .fetch_all(
                // in the order of their ids, as the screening of many households reads them (the
                // order of two overdue loans is the order of their flags)
                &format!(
                    "SELECT {MEASURE_COLS} FROM {MEASURE_FROM} WHERE m.household_id = $1 ORDER BY m.id"
                ),
                &args![household.0],
            )
            .await?;
        let measures = rows
            .iter()
            .map(|r| Measure::from_row(r).map(|m| (m.data(), m.person_name)))
            .collect::<StoreResult<Vec<_>>>()?;
        let as_of = fupin_core::years::year_end(year).min(today());
        Ok(measure_signals(&measures, year, as_of))
    }

    /// Screen the household of a measure again for the years the write can change (core's
    /// `screening_years` of the measure before and after it: the year a health measure starts in;
    /// that and the current year for a loan or a dropout mark; none for any other measure), so
    /// that the early-warning list follows the write (an overdue loan, medical costs).
    async fn rescreen_for(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        after: &MeasureData,
        before: Option<&MeasureData>,
    ) -> StoreResult<()> {
        let this_year = today().year();
        let mut todo = std::collections::BTreeSet::new();
        for m in std::iter::once(after).chain(before) {
            for year in screening_years(m, this_year) {
                todo.insert((m.household_id.0, year));
            }
        }
        for (household, year) in todo {
            self.rescreen(tx, ctx, HouseholdId(household), year).await?;
        }
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
                &INSERT_MEASURE,
                &new_measure(d, village, origin, &ctx.actor, now),
            )
            .await?;
        let id = MeasureId(Cols::read(&r, |c| Ok(c.i64()?))?);
        self.bump_measure_stats(tx, village, d, 1).await?;
        self.record_version(
            tx,
            ctx,
            id.0,
            |_: &Measure| measure_history(id, 1, "create", d, origin, &ctx.actor),
            |after| {
                AuditRecord::change("measure.create", "measure", id.0, None, Some(after))
                    .in_region(village)
            },
        )
        .await
    }
}

/// A version of a measure for its history.
fn measure_history(
    id: MeasureId,
    version: i32,
    action: &str,
    data: &MeasureData,
    origin: Origin,
    actor: &str,
) -> Statement<'static> {
    let v = MeasureVersion {
        version,
        action: action.to_string(),
        data: data.clone(),
        origin,
        actor: actor.to_string(),
        recorded_at: OffsetDateTime::now_utc(),
    };
    (INSERT_VERSION.as_str(), version_values(id, &v))
}

#[async_trait::async_trait]
impl Versioned for Measure {
    async fn reload(store: &SqlStore, tx: &mut dyn Tx, _: &Ctx, id: i64) -> StoreResult<Self> {
        store.load_measure(tx, MeasureId(id)).await
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
        self.rescreen_for(tx.as_mut(), ctx, &d, None).await?;
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
            &UPDATE_MEASURE,
            &measure_update(&d, version, &ctx.actor, OffsetDateTime::now_utc(), id),
        )
        .await?;
        let out = self
            .record_version(
                tx.as_mut(),
                ctx,
                id.0,
                |_: &Measure| measure_history(id, version, "update", &d, before.origin, &ctx.actor),
                |after| {
                    AuditRecord::change(
                        "measure.update",
                        "measure",
                        id.0,
                        Some(&before),
                        Some(after),
                    )
                    .in_region(&village)
                },
            )
            .await?;
        self.rescreen_for(tx.as_mut(), ctx, &d, Some(&before.data()))
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
        let village = Cols::read(&r, |c| RegionCode::parse(&c.text()?))?;
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
        rows.iter().map(Measure::from_row).collect()
    }

    async fn measure_history(&self, ctx: &Ctx, id: MeasureId) -> StoreResult<Vec<MeasureVersion>> {
        let mut tx = self.db.begin_read().await?;
        self.visible_measure(tx.as_mut(), ctx, id).await?;
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {VERSION_COLS} FROM measure_history WHERE measure_id = $1 ORDER BY version"
                ),
                &args![id.0],
            )
            .await?;
        rows.iter().map(MeasureVersion::from_row).collect()
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
