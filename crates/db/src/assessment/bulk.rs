//! Household-year facts, risk events and procedure cases through a bulk session: the batched
//! look-ups the importers compare with (by household), and the writes — new rows through
//! `Tx::copy_rows` with reserved ids, changed ones updated in place — each with one audit record,
//! chained in one go. A finished case's status change is written by the registry's part of the
//! session, as any imported status change.

use super::rows::{
    case_update, household_year_values, new_case, new_risk_event, NewCase, StoredCase, StoredRisk,
    StoredYear, CASE_COLS, CASE_FROM, CASE_NEW_WITH_ID, PUT_HOUSEHOLD_YEAR, RESOLVE_RISK_EVENT,
    RISK_COLS, RISK_NEW_WITH_ID, UPDATE_CASE, YEAR_COLS,
};
use crate::args;
use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use crate::rows::Record;
use fupin_core::assessment::{HouseholdYearInput, Parameter, ProcedureCase, RiskEventRecord};
use fupin_core::audit::AuditRecord;
use fupin_core::registry::HouseholdId;
use fupin_core::store::{AssessmentBulk, BulkCase, BulkHouseholdYear, BulkRiskEvent, StoreResult};
use time::OffsetDateTime;

impl SqlBulkSession {
    /// Rows of `sql` (with `{}` for the id list) for these households, chunk by chunk.
    async fn rows_of(
        &mut self,
        sql: &str,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<crate::sql::Row>> {
        let ids: Vec<i64> = households.iter().map(|h| h.0).collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            out.extend(
                self.tx
                    .fetch_all(&sql.replace("{}", &id_list(chunk)), &[])
                    .await
                    .map_err(map_bulk)?,
            );
        }
        Ok(out)
    }
}

#[async_trait::async_trait]
impl AssessmentBulk for SqlBulkSession {
    async fn assessment_parameters(&mut self) -> StoreResult<Vec<Parameter>> {
        Ok(self.store.params().as_ref().clone())
    }

    async fn household_years_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<(HouseholdId, i32, HouseholdYearInput)>> {
        let rows = self
            .rows_of(
                &format!(
                    "SELECT {YEAR_COLS} FROM household_years WHERE household_id IN ({{}}) ORDER BY household_id, year"
                ),
                households,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let StoredYear(h, y, facts) = StoredYear::from_row(r)?;
                Ok((h, y, facts))
            })
            .collect()
    }

    async fn risk_events_of(
        &mut self,
        households: &[HouseholdId],
    ) -> StoreResult<Vec<RiskEventRecord>> {
        let codes = self.store.codes();
        let rows = self
            .rows_of(
                &format!(
                    "SELECT {RISK_COLS} FROM risk_events WHERE household_id IN ({{}}) ORDER BY household_id, date, id"
                ),
                households,
            )
            .await?;
        rows.iter()
            .map(|r| Ok(StoredRisk::from_row(r)?.labelled(&codes)))
            .collect()
    }

    async fn cases_of(&mut self, households: &[HouseholdId]) -> StoreResult<Vec<ProcedureCase>> {
        let rows = self
            .rows_of(
                &format!(
                    "SELECT {CASE_COLS} FROM {CASE_FROM} WHERE c.household_id IN ({{}}) ORDER BY c.id"
                ),
                households,
            )
            .await?;
        rows.iter()
            .map(|r| StoredCase::from_row(r)?.view())
            .collect()
    }

    async fn put_household_years(&mut self, items: Vec<BulkHouseholdYear>) -> StoreResult<()> {
        self.require_write()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut audit = Vec::with_capacity(items.len());
        self.facts_households
            .extend(items.iter().map(|it| it.household_id.0));
        for it in items {
            let y = &it.after;
            // one statement for both cases: the key is (household, year)
            self.tx
                .execute(
                    &PUT_HOUSEHOLD_YEAR,
                    &household_year_values(it.household_id, it.year, y, &actor, now),
                )
                .await
                .map_err(map_bulk)?;
            audit.push(
                AuditRecord::change(
                    "household_year.import",
                    "household_year",
                    format!("{}/{}", it.household_id.0, it.year),
                    it.before.as_ref(),
                    Some(&it.after),
                )
                .in_region(&it.village),
            );
        }
        self.audit_many(audit).await
    }

    async fn put_risk_events(&mut self, items: Vec<BulkRiskEvent>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let new = items.iter().filter(|e| e.before.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx
                .reserve_ids("risk_events", new)
                .await
                .map_err(map_bulk)?
        } else {
            0
        };
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut rows = Vec::with_capacity(new as usize);
        let mut audit = Vec::with_capacity(items.len());
        for it in items {
            let e = &it.after;
            match &it.before {
                None => {
                    rows.push(new_risk_event(Some(id), e, &it.village, &actor, now));
                    let shown = RiskEventRecord { id, ..e.clone() };
                    audit.push(
                        AuditRecord::change(
                            "risk_event.import",
                            "risk_event",
                            id,
                            None,
                            Some(&shown),
                        )
                        .in_region(&it.village),
                    );
                    id += 1;
                }
                Some(before) => {
                    self.tx
                        .execute(
                            RESOLVE_RISK_EVENT,
                            &args![e.resolved_on, e.note.clone(), before.id],
                        )
                        .await
                        .map_err(map_bulk)?;
                    audit.push(
                        AuditRecord::change(
                            "risk_event.import",
                            "risk_event",
                            before.id,
                            Some(before),
                            Some(e),
                        )
                        .in_region(&it.village),
                    );
                }
            }
        }
        self.tx
            .copy_rows("risk_events", RISK_NEW_WITH_ID.names(), rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }

    async fn put_cases(&mut self, items: Vec<BulkCase>) -> StoreResult<()> {
        self.require_write()?;
        if items.is_empty() {
            return Ok(());
        }
        let new = items.iter().filter(|c| c.id.is_none()).count() as u64;
        let mut id = if new > 0 {
            self.tx
                .reserve_ids("procedures", new)
                .await
                .map_err(map_bulk)?
        } else {
            0
        };
        let now = OffsetDateTime::now_utc();
        let mut rows = Vec::with_capacity(new as usize);
        let mut audit = Vec::with_capacity(items.len());
        for c in items {
            let case_id = match c.id {
                None => {
                    let new = NewCase {
                        kind: c.kind,
                        household_id: c.household_id,
                        village: &c.village,
                        year: c.year,
                        step: &c.step,
                        finished: c.finished,
                        state: &c.state,
                    };
                    rows.push(new_case(Some(id), &new, now));
                    id += 1;
                    id - 1
                }
                Some(existing) => {
                    self.tx
                        .execute(
                            UPDATE_CASE,
                            &case_update(&c.step, c.finished, &c.state, now, existing),
                        )
                        .await
                        .map_err(map_bulk)?;
                    existing
                }
            };
            audit.push(
                AuditRecord::event(
                    "case.import",
                    "procedure",
                    Some(case_id.to_string()),
                    serde_json::json!({
                        "kind": c.kind.as_str(),
                        "household": c.household_id.0,
                        "year": c.year,
                        "step": c.step,
                        "finished": c.finished,
                    }),
                )
                .in_region(&c.village),
            );
        }
        self.tx
            .copy_rows("procedures", CASE_NEW_WITH_ID.names(), rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }
}
