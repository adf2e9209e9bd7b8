//! Household-year facts, risk events and procedure cases through a bulk session: the batched
//! look-ups the importers compare with (by household), and the writes — new rows through
//! `Tx::copy_rows` with reserved ids, changed ones updated in place — each with one audit record,
//! chained in one go. A finished case's status change is written by the registry's part of the
//! session, as any imported status change.

use super::{case_view, json_err};
use crate::args;
use crate::bulk::{id_list, map_bulk, SqlBulkSession, IN_CHUNK};
use fupin_core::assessment::{
    HouseholdYearInput, Parameter, ProcedureCase, ProcedureKind, RiskEventRecord,
};
use fupin_core::audit::AuditRecord;
use fupin_core::registry::HouseholdId;
use fupin_core::store::{AssessmentBulk, BulkCase, BulkHouseholdYear, BulkRiskEvent, StoreResult};
use fupin_core::{DomainError, RegionCode};
use time::OffsetDateTime;

const RISK_INSERT_COLS: [&str; 9] = [
    "id",
    "household_id",
    "village_code",
    "date",
    "risk_type",
    "note",
    "resolved_on",
    "recorded_by",
    "recorded_at",
];

const CASE_INSERT_COLS: [&str; 10] = [
    "id",
    "kind",
    "household_id",
    "village_code",
    "year",
    "step",
    "finished",
    "state",
    "created_at",
    "updated_at",
];

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
                "SELECT household_id, year, food_secure, clothing_secure, medical_spending_fen, education_spending_fen, \
                 disaster_spending_fen, income_stable_months FROM household_years WHERE household_id IN ({}) ORDER BY household_id, year",
                households,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    HouseholdId(r.i64(0)?),
                    r.i32(1)?,
                    HouseholdYearInput {
                        food_secure: r.opt_bool(2)?,
                        clothing_secure: r.opt_bool(3)?,
                        medical_spending_fen: r.i64(4)?,
                        education_spending_fen: r.i64(5)?,
                        disaster_spending_fen: r.i64(6)?,
                        income_stable_months: r.opt_i32(7)?,
                    },
                ))
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
                "SELECT id, household_id, date, risk_type, note, resolved_on FROM risk_events \
                 WHERE household_id IN ({}) ORDER BY household_id, date, id",
                households,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let t = r.text(3)?;
                Ok(RiskEventRecord {
                    id: r.i64(0)?,
                    household_id: HouseholdId(r.i64(1)?),
                    date: r.date(2)?,
                    risk_label: codes.label("risk_type", &t).to_string(),
                    risk_type: t,
                    note: r.opt_text(4)?,
                    resolved_on: r.opt_date(5)?,
                })
            })
            .collect()
    }

    async fn cases_of(&mut self, households: &[HouseholdId]) -> StoreResult<Vec<ProcedureCase>> {
        let rows = self
            .rows_of(
                "SELECT c.id, c.kind, c.household_id, h.household_number, c.village_code, c.year, c.state \
                 FROM procedures c JOIN households h ON h.id = c.household_id WHERE c.household_id IN ({}) ORDER BY c.id",
                households,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let kind = ProcedureKind::parse(&r.text(1)?).ok_or_else(DomainError::internal)?;
                let state: serde_json::Value =
                    serde_json::from_str(&r.text(6)?).map_err(json_err)?;
                case_view(
                    r.i64(0)?,
                    kind,
                    HouseholdId(r.i64(2)?),
                    r.text(3)?,
                    RegionCode::parse(&r.text(4)?)?,
                    r.i32(5)?,
                    &state,
                )
            })
            .collect()
    }

    async fn put_household_years(&mut self, items: Vec<BulkHouseholdYear>) -> StoreResult<()> {
        self.require_write()?;
        let now = OffsetDateTime::now_utc();
        let actor = self.ctx.actor.clone();
        let mut audit = Vec::with_capacity(items.len());
        for it in items {
            let y = &it.after;
            // one statement for both cases: the key is (household, year)
            self.tx
                .execute(
                    "INSERT INTO household_years (household_id, year, food_secure, clothing_secure, medical_spending_fen, education_spending_fen, \
                     disaster_spending_fen, income_stable_months, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (household_id, year) DO UPDATE SET food_secure = excluded.food_secure, clothing_secure = excluded.clothing_secure, \
                     medical_spending_fen = excluded.medical_spending_fen, education_spending_fen = excluded.education_spending_fen, \
                     disaster_spending_fen = excluded.disaster_spending_fen, income_stable_months = excluded.income_stable_months, \
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    &args![
                        it.household_id.0,
                        it.year,
                        y.food_secure,
                        y.clothing_secure,
                        y.medical_spending_fen,
                        y.education_spending_fen,
                        y.disaster_spending_fen,
                        y.income_stable_months,
                        actor.as_str(),
                        now
                    ],
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
                    rows.push(Vec::from(args![
                        id,
                        e.household_id.0,
                        it.village.as_str(),
                        e.date,
                        e.risk_type.as_str(),
                        e.note.clone(),
                        e.resolved_on,
                        actor.as_str(),
                        now
                    ]));
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
                            "UPDATE risk_events SET resolved_on = $1, note = $2 WHERE id = $3",
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
            .copy_rows("risk_events", &RISK_INSERT_COLS, rows)
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
            let state = c.state.to_string();
            let case_id = match c.id {
                None => {
                    rows.push(Vec::from(args![
                        id,
                        c.kind.as_str(),
                        c.household_id.0,
                        c.village.as_str(),
                        c.year,
                        c.step.as_str(),
                        c.finished,
                        state,
                        now,
                        now
                    ]));
                    id += 1;
                    id - 1
                }
                Some(existing) => {
                    self.tx
                        .execute(
                            "UPDATE procedures SET step = $1, finished = $2, state = $3, updated_at = $4 WHERE id = $5",
                            &args![c.step.as_str(), c.finished, state, now, existing],
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
            .copy_rows("procedures", &CASE_INSERT_COLS, rows)
            .await
            .map_err(map_bulk)?;
        self.audit_many(audit).await
    }
}
