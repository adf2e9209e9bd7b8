//! Standards, exit and monitoring procedures, risk events, screening, incidence and poverty measures
//! in SQL. The rules are core's (`fupin_core::assessment`); this module gathers their inputs from
//! the registry, stores procedure states as JSON, and sets household statuses when a procedure ends.

mod bulk;
mod measures;
mod rows;
pub(crate) mod screening;

use crate::query::{status_list, Query};
use crate::rows::{Cols, Record};
use crate::sql::Tx;
use crate::{args, SqlStore};
use fupin_core::assessment::exit::{apply, start_exit_for};
use fupin_core::assessment::monitoring::{start_identification_for, start_risk_elimination_for};
use fupin_core::assessment::standards::{fen_param, key};
use fupin_core::assessment::*;
use fupin_core::audit::AuditRecord;
use fupin_core::registry::{HouseholdId, HouseholdStatus, Member};
use fupin_core::reports::HouseholdFacts;
use fupin_core::store::{AssessmentStore, StoreResult};
use fupin_core::years::today;
use fupin_core::{Ctx, DomainError, Fen, RegionCode, Scope};
use rows::{
    case_update, household_year_values, new_case, new_risk_event, parameter_values, warning_values,
    NewCase, StoredCase, StoredRisk, StoredYear, CASE_COLS, CASE_FROM, INSERT_CASE,
    INSERT_RISK_EVENT, PARAMETER_COLS, PUT_HOUSEHOLD_YEAR, PUT_PARAMETER, PUT_WARNING, RISK_COLS,
    UPDATE_CASE, WARNING_COLS, WARNING_FROM, YEAR_COLS,
};
use std::sync::Arc;
use time::{Date, OffsetDateTime};

fn json_err(e: serde_json::Error) -> DomainError {
    tracing::error!(error = %e, "stored JSON does not parse");
    DomainError::internal()
}

/// One household's inputs for the assessments, gathered once.
struct HouseholdView {
    number: String,
    head: Option<String>,
    village: RegionCode,
    status: HouseholdStatus,
    living: fupin_core::registry::LivingConditions,
    members: Vec<Member>,
    facts: HouseholdFacts,
}

impl HouseholdView {
    fn per_capita(&self, year: i32) -> Option<fupin_core::PerCapita> {
        self.facts.per_capita_net_income(year)
    }
}

/// What screening a household for a year comes to.
enum Screened {
    /// No monitoring line for the year: nothing is screened, the list is left as it is.
    Unscreened,
    /// No flag (or not an exited household): off the list for the year.
    Clear,
    /// On the list with these flags.
    Warn(WarningRow),
}

/// The lines and shares screening compares a household with (see `SqlStore::screening_terms`).
#[derive(Debug, Clone, Copy)]
struct Terms {
    line: Fen,
    rules: ScreeningRules,
    poverty_line: Fen,
}

/// A year's facts with the medical costs out of pocket that a department's list (医保, compared
/// with the registry) gives for the household's members in the year: screening takes the larger of
/// what verification or the health measures recorded and what the list says, as the measures'
/// costs are taken (`YearFacts::with_measures`).
fn with_listed_medical(mut yf: YearFacts, listed: Option<i64>) -> YearFacts {
    if let Some(fen) = listed {
        let medical = yf.spending.medical.get().max(fen);
        yf.spending.medical = Fen::new(medical);
    }
    yf
}

impl SqlStore {
    pub(crate) async fn seed_parameters(&self) -> StoreResult<()> {
        let n = self
            .db
            .fetch_all("SELECT COUNT(*) FROM parameters", &[])
            .await?;
        let n = Cols::read(&n[0], |c| Ok(c.i64()?))?;
        if n == 0 {
            let mut tx = self.db.begin_write().await?;
            for p in default_parameters() {
                self.insert_parameter(tx.as_mut(), &p, "system:defaults")
                    .await?;
            }
            tx.commit().await?;
        }
        self.reload_parameters().await
    }

    async fn insert_parameter(
        &self,
        tx: &mut dyn Tx,
        p: &Parameter,
        actor: &str,
    ) -> StoreResult<()> {
        tx.execute(
            &PUT_PARAMETER,
            &parameter_values(p, actor, OffsetDateTime::now_utc()),
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn reload_parameters(&self) -> StoreResult<()> {
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT {PARAMETER_COLS} FROM parameters ORDER BY key, region_prefix, year"
                ),
                &[],
            )
            .await?;
        let out = rows
            .iter()
            .map(Parameter::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        *self.params.write().expect("params lock") = Arc::new(out);
        Ok(())
    }

    pub(crate) fn params(&self) -> Arc<Vec<Parameter>> {
        self.params.read().expect("params lock").clone()
    }

    async fn household_view(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
    ) -> StoreResult<HouseholdView> {
        let d = self.detail_masked(tx, ctx, id).await?;
        let facts = self
            .facts(tx, id)
            .await?
            .ok_or_else(DomainError::internal)?;
        Ok(HouseholdView {
            number: d.household.household_number.clone(),
            head: d.household.head_name.clone(),
            village: d.household.village_code.clone(),
            status: d.household.status,
            living: d.household.living.clone(),
            members: d.members,
            facts,
        })
    }

    async fn year_facts(
        &self,
        tx: &mut dyn Tx,
        id: HouseholdId,
        year: i32,
    ) -> StoreResult<YearFacts> {
        let r = tx
            .fetch_optional(
                &format!(
                    "SELECT {YEAR_COLS} FROM household_years WHERE household_id = $1 AND year = $2"
                ),
                &args![id.0, year],
            )
            .await?;
        let facts = match r {
            Some(r) => StoredYear::from_row(&r)?.facts(),
            None => YearFacts::default(),
        };
        let signals = self.measure_signals_of(tx, id, year).await?;
        let listed = self.listed_medical(tx, id.0).await?;
        Ok(with_listed_medical(
            facts.with_measures(signals),
            listed.get(&(id.0, year)).copied(),
        ))
    }

    fn exit_input(&self, v: &HouseholdView, y: &YearFacts, year: i32, line: Fen) -> ExitInput {
        fupin_core::assessment::exit_input(
            &v.members,
            &v.living,
            v.per_capita(year),
            y,
            year,
            line,
            today(),
        )
    }

    async fn risk_events_of(
        &self,
        tx: &mut dyn Tx,
        id: HouseholdId,
    ) -> StoreResult<Vec<RiskEventRecord>> {
        let codes = self.codes();
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {RISK_COLS} FROM risk_events WHERE household_id = $1 ORDER BY date, id"
                ),
                &args![id.0],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(StoredRisk::from_row(r)?.labelled(&codes)))
            .collect()
    }

    /// Screen one household for a year and store the result on the early-warning list.
    pub(crate) async fn rescreen(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: HouseholdId,
        year: i32,
    ) -> StoreResult<Option<WarningRow>> {
        let v = self.household_view(tx, ctx, id).await?;
        let outcome = if v.status.is_exited() {
            let yf = self.year_facts(tx, id, year).await?;
            let events = self.risk_events_of(tx, id).await?;
            self.screened(id, &v, &yf, &events, year)?
        } else {
            Screened::Clear
        };
        match outcome {
            Screened::Unscreened => Ok(None),
            Screened::Clear => {
                tx.execute(
                    "DELETE FROM early_warnings WHERE household_id = $1 AND year = $2",
                    &args![id.0, year],
                )
                .await?;
                Ok(None)
            }
            Screened::Warn(row) => {
                tx.execute(
                    &PUT_WARNING,
                    &warning_values(&row, OffsetDateTime::now_utc()),
                )
                .await?;
                Ok(Some(row))
            }
        }
    }

    /// What screening a household of `village` compares with in `year`: `None` before monitoring
    /// began there (no monitoring line for the year: nothing to screen against). The same for
    /// every household of the village and year, so a pass over many households looks it up once
    /// per pair (`screening`).
    fn screening_terms(&self, village: &RegionCode, year: i32) -> StoreResult<Option<Terms>> {
        let params = self.params();
        let line = match fen_param(&params, key::MONITORING_LINE, village, year) {
            Ok(l) => l,
            Err(e) if e.code == "parameter_not_set" => return Ok(None),
            Err(e) => return Err(e),
        };
        let rules = ScreeningRules::from_params(&params, village, year)?;
        let poverty_line = fen_param(&params, key::POVERTY_LINE, village, year).unwrap_or(line);
        Ok(Some(Terms {
            line,
            rules,
            poverty_line,
        }))
    }

    /// What screening finds for an exited household in a year, from its inputs gathered (one by
    /// one in [`Self::rescreen`], set-based in `screening`): nothing to screen against (no
    /// monitoring line for the year), no flag, or a warning.
    fn screened(
        &self,
        id: HouseholdId,
        v: &HouseholdView,
        yf: &YearFacts,
        events: &[RiskEventRecord],
        year: i32,
    ) -> StoreResult<Screened> {
        match self.screening_terms(&v.village, year)? {
            None => Ok(Screened::Unscreened),
            Some(t) => Ok(self.screened_with(&t, &self.codes(), id, v, yf, events, year)),
        }
    }

    /// [`Self::screened`] with the year's terms for the household's village at hand.
    #[allow(clippy::too_many_arguments)]
    fn screened_with(
        &self,
        t: &Terms,
        codes: &fupin_core::codes::CodeBook,
        id: HouseholdId,
        v: &HouseholdView,
        yf: &YearFacts,
        events: &[RiskEventRecord],
        year: i32,
    ) -> Screened {
        let assessment = assess_exit(&self.exit_input(v, yf, year, t.poverty_line));
        let input = ScreeningInput {
            year,
            exited: v.status.is_exited(),
            persons: u32::try_from(v.facts.persons_in(year)).unwrap_or(0),
            per_capita_net_income: v.per_capita(year),
            last_year_per_capita_net_income: v.per_capita(year - 1),
            monitoring_line: t.line,
            rigid_spending: yf.spending,
            needs: basic_needs(&assessment),
            overdue_loans: yf.measures.overdue_loans.clone(),
            risk_events: events
                .iter()
                .filter(|e| e.resolved_on.is_none())
                .map(|e| RiskEvent {
                    date: e.date,
                    risk_type: e.risk_type.clone(),
                })
                .collect(),
        };
        let flags = screen(&input, &t.rules, codes);
        if flags.is_empty() {
            return Screened::Clear;
        }
        Screened::Warn(WarningRow {
            household_id: id,
            household_number: v.number.clone(),
            head_name: v.head.clone(),
            village_code: v.village.as_str().to_string(),
            year,
            flags: flags
                .iter()
                .map(|f| WarningFlag {
                    reason_code: f.reason_code.to_string(),
                    reason: f.reason.clone(),
                })
                .collect(),
            suggested_kind: flags[0].suggested_kind,
        })
    }

    async fn load_case(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        id: i64,
    ) -> StoreResult<(ProcedureCase, serde_json::Value)> {
        let r = tx
            .fetch_optional(
                &format!("SELECT {CASE_COLS} FROM {CASE_FROM} WHERE c.id = $1"),
                &args![id],
            )
            .await?
            .ok_or_else(|| {
                DomainError::not_found("case_not_found", "该办理事项不存在或不在您的管辖范围内")
            })?;
        let stored = StoredCase::from_row(&r)?;
        // a cadre reads the cases of the household paired with them (case_action checks the region)
        if !self
            .household_visible(tx, ctx, stored.household_id, &stored.village)
            .await?
        {
            return Err(DomainError::not_found(
                "case_not_found",
                "该办理事项不存在或不在您的管辖范围内",
            ));
        }
        let case = stored.view()?;
        Ok((case, stored.state))
    }

    async fn save_case(
        &self,
        tx: &mut dyn Tx,
        id: i64,
        step: &str,
        finished: bool,
        state: &serde_json::Value,
    ) -> StoreResult<()> {
        tx.execute(
            UPDATE_CASE,
            &case_update(step, finished, state, OffsetDateTime::now_utc(), id),
        )
        .await?;
        Ok(())
    }
}

/// The client view of a stored case: step, label and timeliness read from the typed workflow.
pub(crate) fn case_view(
    id: i64,
    kind: ProcedureKind,
    household: HouseholdId,
    number: String,
    village: RegionCode,
    year: i32,
    state: &serde_json::Value,
) -> StoreResult<ProcedureCase> {
    fn view<S: Step + serde::de::DeserializeOwned, E: Clone + serde::de::DeserializeOwned>(
        state: &serde_json::Value,
    ) -> StoreResult<(String, String, bool, Timeliness)> {
        let w: Workflow<S, E> = serde_json::from_value(state.clone()).map_err(json_err)?;
        Ok((
            w.step().as_str().to_string(),
            w.step().label().to_string(),
            w.is_finished(),
            w.timeliness(today()),
        ))
    }
    let (step, step_label, finished, timeliness) = match kind {
        ProcedureKind::Exit => view::<ExitStep, ExitAssessment>(state)?,
        ProcedureKind::Identification => view::<IdentificationStep, MonitoredKind>(state)?,
        ProcedureKind::Elimination => view::<EliminationStep, RiskEliminationAssessment>(state)?,
    };
    Ok(ProcedureCase {
        id,
        kind,
        household_id: household,
        household_number: number,
        village_code: village,
        year,
        step,
        step_label,
        finished,
        timeliness,
        state: state.clone(),
    })
}

#[async_trait::async_trait]
impl AssessmentStore for SqlStore {
    async fn parameters(&self, _ctx: &Ctx) -> StoreResult<Vec<Parameter>> {
        Ok(self.params().as_ref().clone())
    }

    async fn put_parameter(&self, ctx: &Ctx, input: ParameterInput) -> StoreResult<Parameter> {
        let p = input.validate(today().year())?;
        match &p.region_prefix {
            None if ctx.scope != Scope::All => {
                return Err(DomainError::forbidden(
                    "只有全国范围的管理员可以修改全国参数",
                ))
            }
            Some(r) => ctx
                .require(r, "区划")
                .map_err(|e| e.with_field("region_prefix"))?,
            None => {}
        }
        let before = self
            .params()
            .iter()
            .find(|o| o.key == p.key && o.region_prefix == p.region_prefix && o.year == p.year)
            .cloned();
        let mut tx = self.db.begin_write().await?;
        self.insert_parameter(tx.as_mut(), &p, &ctx.actor).await?;
        let minimum = p.key == fupin_core::assessment::standards::key::VISIT_MINIMUM;
        if minimum {
            // the pairing figures are rebuilt under the new minimum below; until then (or after a
            // crash in between) the next start rebuilds them
            self.forget_pairing_figures(tx.as_mut()).await?;
        }
        let id = format!(
            "{}/{}/{}",
            p.key,
            p.region_prefix
                .as_ref()
                .map(|r| r.as_str())
                .unwrap_or("全国"),
            p.year
        );
        let mut rec =
            AuditRecord::change("parameter.put", "parameter", id, before.as_ref(), Some(&p));
        if let Some(r) = &p.region_prefix {
            rec = rec.in_region(r);
        }
        self.audit(tx.as_mut(), ctx, rec).await?;
        tx.commit().await?;
        self.reload_parameters().await?;
        if minimum {
            let mut tx = self.db.begin_write().await?;
            self.build_pairing_figures_if_needed(tx.as_mut()).await?;
            tx.commit().await?;
        }
        Ok(p)
    }

    async fn put_household_year(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
        input: HouseholdYearInput,
    ) -> StoreResult<()> {
        let y = input.validate(year, today().year())?;
        let mut tx = self.db.begin_write().await?;
        let v = self.household_view(tx.as_mut(), ctx, household).await?;
        if !ctx.scope.allows(&v.village) {
            return Err(DomainError::not_found(
                "household_not_found",
                "该户不存在或不在您的管辖范围内",
            ));
        }
        tx.execute(
            &PUT_HOUSEHOLD_YEAR,
            &household_year_values(household, year, &y, &ctx.actor, OffsetDateTime::now_utc()),
        )
        .await?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change(
                "household_year.put",
                "household_year",
                format!("{}/{year}", household.0),
                None,
                Some(&y),
            )
            .in_region(&v.village),
        )
        .await?;
        self.rescreen(tx.as_mut(), ctx, household, year).await?;
        Ok(tx.commit().await?)
    }

    async fn record_risk_event(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        e: RiskEventInput,
    ) -> StoreResult<RiskEventRecord> {
        let (date, risk_type, note) = e.validate(&self.codes(), today())?;
        let mut tx = self.db.begin_write().await?;
        let v = self.household_view(tx.as_mut(), ctx, household).await?;
        let r = tx
            .fetch_one(
                &INSERT_RISK_EVENT,
                &new_risk_event(
                    None,
                    &RiskEventRecord {
                        id: 0,
                        household_id: household,
                        date,
                        risk_type,
                        risk_label: String::new(),
                        note,
                        resolved_on: None,
                    },
                    &v.village,
                    &ctx.actor,
                    OffsetDateTime::now_utc(),
                ),
            )
            .await?;
        let id = Cols::read(&r, |c| Ok(c.i64()?))?;
        let rec = self
            .risk_events_of(tx.as_mut(), household)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(DomainError::internal)?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("risk_event.create", "risk_event", id, None, Some(&rec))
                .in_region(&v.village),
        )
        .await?;
        self.rescreen(tx.as_mut(), ctx, household, date.year())
            .await?;
        tx.commit().await?;
        Ok(rec)
    }

    async fn risk_events(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<RiskEventRecord>> {
        let mut tx = self.db.begin_read().await?;
        self.household_view(tx.as_mut(), ctx, household).await?;
        self.risk_events_of(tx.as_mut(), household).await
    }

    async fn resolve_risk_event(
        &self,
        ctx: &Ctx,
        id: i64,
        on: Date,
    ) -> StoreResult<RiskEventRecord> {
        fupin_core::years::check_past_date("date", on, today())?;
        let mut tx = self.db.begin_write().await?;
        let r = tx
            .fetch_optional(
                &format!("SELECT {RISK_COLS} FROM risk_events WHERE id = $1"),
                &args![id],
            )
            .await?
            .ok_or_else(|| DomainError::not_found("risk_event_not_found", "该风险记录不存在"))?;
        let stored = StoredRisk::from_row(&r)?.labelled(&self.codes());
        let household = stored.household_id;
        let v = self
            .household_view(tx.as_mut(), ctx, household)
            .await
            .map_err(|_| DomainError::not_found("risk_event_not_found", "该风险记录不存在"))?;
        if on < stored.date {
            return Err(DomainError::invalid(
                "date",
                "resolved_before_event",
                "消除日期不能早于风险发生日期",
            ));
        }
        tx.execute(
            "UPDATE risk_events SET resolved_on = $1 WHERE id = $2",
            &args![on, id],
        )
        .await?;
        let rec = self
            .risk_events_of(tx.as_mut(), household)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(DomainError::internal)?;
        self.audit(
            tx.as_mut(),
            ctx,
            AuditRecord::change("risk_event.resolve", "risk_event", id, None, Some(&rec))
                .in_region(&v.village),
        )
        .await?;
        self.rescreen(tx.as_mut(), ctx, household, on.year())
            .await?;
        tx.commit().await?;
        Ok(rec)
    }

    async fn exit_assessment(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
        year: i32,
    ) -> StoreResult<ExitAssessmentReport> {
        fupin_core::years::check_year("year", year, today().year())?;
        let mut tx = self.db.begin_read().await?;
        let v = self.household_view(tx.as_mut(), ctx, household).await?;
        let line = fen_param(&self.params(), key::POVERTY_LINE, &v.village, year)?;
        let yf = self.year_facts(tx.as_mut(), household, year).await?;
        Ok(ExitAssessmentReport {
            household_id: household,
            year,
            line_fen: line.get(),
            assessment: assess_exit(&self.exit_input(&v, &yf, year, line)),
        })
    }

    async fn start_case(
        &self,
        ctx: &Ctx,
        kind: ProcedureKind,
        household: HouseholdId,
        year: i32,
        date: Date,
    ) -> StoreResult<ProcedureCase> {
        fupin_core::years::check_past_date("date", date, today())?;
        fupin_core::years::check_year("year", year, today().year())?;
        let mut tx = self.db.begin_write().await?;
        let v = self.household_view(tx.as_mut(), ctx, household).await?;
        if !ctx.scope.allows(&v.village) {
            return Err(DomainError::not_found(
                "household_not_found",
                "该户不存在或不在您的管辖范围内",
            ));
        }
        let open = tx
            .fetch_optional(
                "SELECT id FROM procedures WHERE household_id = $1 AND kind = $2 AND NOT finished",
                &args![household.0, kind.as_str()],
            )
            .await?;
        if open.is_some() {
            return Err(DomainError::conflict(
                "case_open",
                format!("该户已有未办结的{}事项", kind.label()),
            ));
        }
        let params = self.params();
        let wrong = |what: &str| {
            Err(DomainError::invalid(
                "kind",
                "status_not_eligible",
                format!("该户当前状态为“{}”，不能办理{what}", v.status.label()),
            ))
        };
        let (state, step) = match kind {
            _ if !kind.may_start(v.status) => return wrong(kind.label()),
            ProcedureKind::Exit => {
                let w = start_exit_for(&params, &v.village, year, date, &ctx.actor)?;
                (
                    serde_json::to_value(&w).map_err(json_err)?,
                    w.step().as_str(),
                )
            }
            ProcedureKind::Identification => {
                let w = start_identification_for(&params, &v.village, date, &ctx.actor)?;
                (
                    serde_json::to_value(&w).map_err(json_err)?,
                    w.step().as_str(),
                )
            }
            ProcedureKind::Elimination => {
                let w = start_risk_elimination_for(&params, &v.village, date, &ctx.actor)?;
                (
                    serde_json::to_value(&w).map_err(json_err)?,
                    w.step().as_str(),
                )
            }
        };
        let now = OffsetDateTime::now_utc();
        let new = NewCase {
            kind,
            household_id: household,
            village: &v.village,
            year,
            step,
            finished: false,
            state: &state,
        };
        let r = tx
            .fetch_one(&INSERT_CASE, &new_case(None, &new, now))
            .await?;
        let id = Cols::read(&r, |c| Ok(c.i64()?))?;
        let (case, _) = self.load_case(tx.as_mut(), ctx, id).await?;
        self.audit(tx.as_mut(), ctx, AuditRecord::event("case.start", "procedure", Some(id.to_string()), serde_json::json!({ "kind": kind.as_str(), "household": household.0, "year": year })).in_region(&v.village))
            .await?;
        tx.commit().await?;
        Ok(case)
    }

    async fn case_action(
        &self,
        ctx: &Ctx,
        id: i64,
        input: CaseActionInput,
    ) -> StoreResult<ProcedureCase> {
        let mut tx = self.db.begin_write().await?;
        let (case, state) = self.load_case(tx.as_mut(), ctx, id).await?;
        // procedures are the offices' work: a cadre may read a case but not act on it
        if !ctx.scope.allows(&case.village_code) {
            return Err(DomainError::not_found(
                "case_not_found",
                "该办理事项不存在或不在您的管辖范围内",
            ));
        }
        if case.finished {
            return Err(DomainError::invalid(
                "action",
                "case_finished",
                "该事项已办结",
            ));
        }
        // each step belongs to an office: a village's officer may not take the township's review or
        // the county's approval of a household in that village
        let (office, step_label) = case
            .kind
            .step_office(&case.step)
            .ok_or_else(DomainError::internal)?;
        ctx.require_office(&case.village_code, office, step_label)?;
        let date = input.date;
        fupin_core::years::check_past_date("date", date, today())?;
        let params = self.params();
        let v = self
            .household_view(tx.as_mut(), ctx, case.household_id)
            .await?;
        let (new_state, step, finished, status_change) = match case.kind {
            ProcedureKind::Exit => {
                let w: ExitProcedure = serde_json::from_value(state).map_err(json_err)?;
                // the store attaches the assessment itself when the county approves: it cannot be forged
                let evidence = if w.step() == ExitStep::CountyApproval && input.action == "complete"
                {
                    let line = fen_param(&params, key::POVERTY_LINE, &v.village, case.year)?;
                    let yf = self
                        .year_facts(tx.as_mut(), case.household_id, case.year)
                        .await?;
                    Some(assess_exit(&self.exit_input(&v, &yf, case.year, line)))
                } else {
                    None
                };
                let n = apply(&w, input.to_action(evidence)?, date, &ctx.actor)?;
                let change = n
                    .is_finished()
                    .then(|| ProcedureKind::Exit.finishing_change(date, case.year, None));
                (
                    serde_json::to_value(&n).map_err(json_err)?,
                    n.step().as_str(),
                    n.is_finished(),
                    change,
                )
            }
            ProcedureKind::Identification => {
                let w: IdentificationProcedure = serde_json::from_value(state).map_err(json_err)?;
                let n = apply_identification(
                    &w,
                    input.to_action(input.monitored_kind)?,
                    date,
                    &ctx.actor,
                )?;
                let change = n.is_finished().then(|| {
                    ProcedureKind::Identification.finishing_change(
                        date,
                        case.year,
                        n.evidence().copied(),
                    )
                });
                (
                    serde_json::to_value(&n).map_err(json_err)?,
                    n.step().as_str(),
                    n.is_finished(),
                    change,
                )
            }
            ProcedureKind::Elimination => {
                let w: RiskEliminationProcedure =
                    serde_json::from_value(state).map_err(json_err)?;
                let evidence =
                    if w.step() == EliminationStep::CountyApproval && input.action == "complete" {
                        let year = date.year();
                        let line = fen_param(&params, key::MONITORING_LINE, &v.village, year)?;
                        let yf = self
                            .year_facts(tx.as_mut(), case.household_id, year)
                            .await?;
                        let poverty_line =
                            fen_param(&params, key::POVERTY_LINE, &v.village, year).unwrap_or(line);
                        let exit = assess_exit(&self.exit_input(&v, &yf, year, poverty_line));
                        let risks = self
                            .risk_events_of(tx.as_mut(), case.household_id)
                            .await?
                            .into_iter()
                            .map(|e| RiskStatus {
                                risk_type: e.risk_type,
                                resolved: Some(e.resolved_on.is_some()),
                            })
                            .collect();
                        let input = elimination_input(
                            v.per_capita(year),
                            v.per_capita(year - 1),
                            line,
                            &yf,
                            risks,
                            &exit,
                        );
                        let months = fupin_core::assessment::monitoring::stable_months_for(
                            &params, &v.village, year,
                        )?;
                        Some(assess_risk_elimination(&input, months, &self.codes()))
                    } else {
                        None
                    };
                let n = apply_risk_elimination(&w, input.to_action(evidence)?, date, &ctx.actor)?;
                let change = n
                    .is_finished()
                    .then(|| ProcedureKind::Elimination.finishing_change(date, case.year, None));
                (
                    serde_json::to_value(&n).map_err(json_err)?,
                    n.step().as_str(),
                    n.is_finished(),
                    change,
                )
            }
        };
        self.save_case(tx.as_mut(), id, step, finished, &new_state)
            .await?;
        if let Some(c) = status_change {
            self.change_status_in(tx.as_mut(), ctx, case.household_id, c)
                .await?;
            self.rescreen(tx.as_mut(), ctx, case.household_id, date.year())
                .await?;
        }
        let rec = AuditRecord::event(
            "case.action",
            "procedure",
            Some(id.to_string()),
            serde_json::json!({ "kind": case.kind.as_str(), "action": input.action, "from_step": case.step, "to_step": step, "date": date.to_string() }),
        );
        self.audit(tx.as_mut(), ctx, rec.in_region(&case.village_code))
            .await?;
        let (out, _) = self.load_case(tx.as_mut(), ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn case(&self, ctx: &Ctx, id: i64) -> StoreResult<ProcedureCase> {
        let mut tx = self.db.begin_read().await?;
        Ok(self.load_case(tx.as_mut(), ctx, id).await?.0)
    }

    async fn household_cases(
        &self,
        ctx: &Ctx,
        household: HouseholdId,
    ) -> StoreResult<Vec<ProcedureCase>> {
        let mut tx = self.db.begin_read().await?;
        // the cases of a household the caller reaches (its detail is not needed for that)
        self.household_in_reach(tx.as_mut(), ctx, household).await?;
        let ids = tx
            .fetch_all(
                "SELECT id FROM procedures WHERE household_id = $1 ORDER BY id",
                &args![household.0],
            )
            .await?;
        let mut out = Vec::new();
        for r in ids {
            let id = Cols::read(&r, |c| Ok(c.i64()?))?;
            out.push(self.load_case(tx.as_mut(), ctx, id).await?.0);
        }
        Ok(out)
    }

    async fn region_cases(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        filter: CaseFilter,
        page: &fupin_core::paging::Keyset,
    ) -> StoreResult<fupin_core::paging::Listing<ProcedureCase>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let mut q = Query::new(&format!(
            "SELECT {CASE_COLS} FROM {CASE_FROM} WHERE c.village_code BETWEEN "
        ));
        let a = q.arg(lo);
        let b = q.arg(hi);
        q.push(&format!("{a} AND {b}"));
        if let Some(k) = filter.kind {
            let k = q.arg(k.as_str());
            q.push(&format!(" AND c.kind = {k}"));
        }
        if filter.open {
            q.push(" AND NOT c.finished");
        }
        // keyset along the index (village_code, …): a village's cases are few, sorted by id;
        // forwards or backwards
        let (cmp, dir) = if filter.descending {
            ("<", " DESC")
        } else {
            (">", "")
        };
        if let Some((v, id)) = page.after_village_id()? {
            let a = q.arg(v.as_str());
            let b = q.arg(id);
            q.push(&format!(
                " AND (c.village_code {cmp} {a} OR (c.village_code = {a} AND c.id {cmp} {b}))"
            ));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(
            " ORDER BY c.village_code{dir}, c.id{dir} LIMIT {l}"
        ));
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        let items = rows
            .iter()
            .map(|r| StoredCase::from_row(r)?.view())
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(fupin_core::paging::Listing::from_rows(items, page, |c| {
            fupin_core::paging::village_id_cursor(&c.village_code, c.id)
        }))
    }

    async fn incidence(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<IncidenceReport> {
        let stats = fupin_core::store::StatsStore::region_stats(self, ctx, region, year).await?;
        let (_, poor) = stats.registered_poor();
        let threshold =
            fupin_core::assessment::incidence::exit_threshold(&self.params(), region, year)?;
        let inc = fupin_core::assessment::incidence::incidence(poor, stats.rural_population);
        Ok(IncidenceReport {
            region: stats.region,
            year,
            poor_persons: poor,
            rural_population: stats.rural_population,
            check: fupin_core::assessment::incidence::check_incidence(inc.clone(), threshold),
            incidence: inc,
            threshold,
        })
    }

    async fn screen_region(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
    ) -> StoreResult<Vec<WarningRow>> {
        ctx.require(region, "区划")?;
        fupin_core::years::check_year("year", year, today().year())?;
        let (lo, hi) = region.range();
        let mut tx = self.db.begin_write().await?;
        let ids = tx
            .fetch_all(
                &format!(
                    "SELECT id FROM households WHERE village_code BETWEEN $1 AND $2 AND status IN ({}) ORDER BY village_code, household_number",
                    status_list(HouseholdStatus::is_exited)
                ),
                &args![lo, hi],
            )
            .await?;
        let mut out = Vec::new();
        for r in ids {
            let id = HouseholdId(Cols::read(&r, |c| Ok(c.i64()?))?);
            if let Some(w) = self.rescreen(tx.as_mut(), ctx, id, year).await? {
                out.push(w);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn early_warnings(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        page: &fupin_core::paging::Keyset,
    ) -> StoreResult<fupin_core::paging::Listing<WarningRow>> {
        ctx.require(region, "区划")?;
        let (lo, hi) = region.range();
        let mut q = Query::new(&format!(
            "SELECT {WARNING_COLS} FROM {WARNING_FROM} WHERE w.year = "
        ));
        let y = q.arg(year);
        q.push(&y);
        let a = q.arg(lo);
        let b = q.arg(hi);
        q.push(&format!(" AND w.village_code BETWEEN {a} AND {b}"));
        // keyset along the index (year, village_code, household_id), forwards or backwards
        let (cmp, dir) = page.order();
        if let Some((v, id)) = page.after_village_id()? {
            let a = q.arg(v.as_str());
            let b = q.arg(id);
            q.push(&format!(
                " AND (w.village_code {cmp} {a} OR (w.village_code = {a} AND w.household_id {cmp} {b}))"
            ));
        }
        let l = q.arg(page.fetch());
        q.push(&format!(
            " ORDER BY w.village_code{dir}, w.household_id{dir} LIMIT {l}"
        ));
        let rows = self.db.fetch_all(&q.sql, &q.args).await?;
        let items = rows
            .iter()
            .map(WarningRow::from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(fupin_core::paging::Listing::from_rows(items, page, |w| {
            format!("{}_{}", w.village_code, w.household_id.0)
        }))
    }

    async fn measures(
        &self,
        ctx: &Ctx,
        region: &RegionCode,
        year: i32,
        query: &MeasuresQuery,
    ) -> StoreResult<MeasuresReport> {
        self.measures_pass(ctx, region, year, query).await
    }
}
