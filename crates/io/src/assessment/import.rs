//! The writer side of verification, risk-event and case files.
//!
//! Natural keys (a file imported again changes nothing):
//! - verification: household + year (the row's columns replace the stored ones; columns the file
//!   does not have keep theirs);
//! - risk event: household + date + risk type (a later file may add the resolution; a recorded
//!   resolution is not moved);
//! - case: household + procedure + year. A case is replayed through core's workflow from its start
//!   (or from where the stored case stands, when the file goes further), one completed step at a
//!   time, with the evidence the store itself attaches at county approval (the exit or
//!   risk-elimination assessment from the household's stored facts, the monitored kind from the
//!   row), so an imported case passes the same gates as one worked on the case pages. A finished
//!   case changes the household's status as the procedure does — unless the history already holds
//!   that change on that day (the record of an exit the registry already has), in which case it is
//!   recorded as it was.

use super::rows::{CaseCells, CaseRow, RiskCells, RiskRow, YearRow};
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::records::issue_at;
use crate::rows::RowAt;
use fupin_core::assessment::exit::{apply, start_exit_for};
use fupin_core::assessment::monitoring::{
    stable_months_for, start_identification_for, start_risk_elimination_for,
};
use fupin_core::assessment::standards::{fen_param, key};
use fupin_core::assessment::{
    apply_identification, apply_risk_elimination, assess_exit, assess_risk_elimination,
    elimination_input, exit_input, Action, EventKind, HouseholdYearInput, Parameter, ProcedureCase,
    ProcedureKind, RiskEventRecord, RiskStatus, Step, Workflow, YearFacts,
};
use fupin_core::registry::{HouseholdId, HouseholdStatus};
use fupin_core::store::{
    BulkCase, BulkHouseholdUpdate, BulkHouseholdYear, BulkRiskEvent, StoredHousehold,
};
use fupin_core::{DomainError, Fen};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use time::Date;

/// Why a case row is refused: the column at fault (a step's, when a step fails) and the reason.
type StepError = (Option<&'static str>, DomainError);

/// The days of the completed steps of a workflow's current round (after its last rejection).
fn completed<S: Step, E: Clone>(w: &Workflow<S, E>) -> Vec<Date> {
    let mut out = Vec::new();
    for e in w.history() {
        match e.kind {
            EventKind::Completed => out.push(e.date),
            EventKind::Rejected => out.clear(),
            _ => {}
        }
    }
    out
}

/// Complete `steps[from..]` on `w`, asking `evidence` for the evidence of each step; the failing
/// step's index with the error otherwise. The row's note goes with its last step.
fn replay<S: Step, E: Clone>(
    mut w: Workflow<S, E>,
    steps: &[Date],
    from: usize,
    note: &Option<String>,
    actor: &str,
    apply: impl Fn(&Workflow<S, E>, Action<E>, Date, &str) -> Result<Workflow<S, E>, DomainError>,
    mut evidence: impl FnMut(S, Date) -> Result<Option<E>, DomainError>,
) -> Result<Workflow<S, E>, (usize, DomainError)> {
    for (i, d) in steps.iter().enumerate().skip(from) {
        let ev = evidence(w.step(), *d).map_err(|e| (i, e))?;
        let action = Action::Complete {
            note: if i + 1 == steps.len() {
                note.clone()
            } else {
                None
            },
            evidence: ev,
        };
        w = apply(&w, action, *d, actor).map_err(|e| (i, e))?;
    }
    Ok(w)
}

impl Writer<'_> {
    async fn stored_households(
        &mut self,
        numbers: Vec<String>,
    ) -> Result<HashMap<String, StoredHousehold>, ImportError> {
        let mut numbers = numbers;
        numbers.sort();
        numbers.dedup();
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self
            .session
            .households_by_number(&numbers)
            .await?
            .into_iter()
            .map(|s| (s.household.household_number.clone(), s))
            .collect())
    }

    pub(crate) async fn parameters(&mut self) -> Result<Arc<Vec<Parameter>>, ImportError> {
        if let Some(p) = &self.assessment_params {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(self.session.assessment_parameters().await?);
        self.assessment_params = Some(Arc::clone(&p));
        Ok(p)
    }

    // ---- yearly verification --------------------------------------------------------------------

    pub(crate) async fn household_years(&mut self, rows: Vec<YearRow>) -> Result<(), ImportError> {
        let keys = self
            .households_of(
                rows.iter()
                    .filter_map(|r| r.parsed.as_ref().ok().map(|y| y.number.clone()))
                    .collect(),
            )
            .await?;
        let ids: Vec<HouseholdId> = keys.values().map(|h| h.id).collect();
        let stored: HashMap<(HouseholdId, i32), HouseholdYearInput> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.session
                .household_years_of(&ids)
                .await?
                .into_iter()
                .map(|(h, y, f)| ((h, y), f))
                .collect()
        };
        let this_year = self.today.year();
        let mut items = Vec::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let outcome = r.parsed.and_then(|y| {
                let fail = |e: DomainError| issue_at(&at, Kind::HouseholdYears, &r.cells, e);
                let h = self.household_of(&keys, &y.number).map_err(fail)?;
                let before = stored.get(&(h.id, y.year)).cloned();
                let after = y.over(before.as_ref(), this_year).map_err(fail)?;
                Ok((h.clone(), y.year, before, after))
            });
            match outcome {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok((_, _, Some(b), a)) if b == a => self.report.unchanged += 1,
                Ok((h, year, before, after)) => {
                    if before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(BulkHouseholdYear {
                            village: h.village_code,
                            household_id: h.id,
                            year,
                            before,
                            after,
                        });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_household_years(items).await?;
        }
        Ok(())
    }

    // ---- risk events ----------------------------------------------------------------------------

    pub(crate) async fn risk_events(&mut self, rows: Vec<RiskRow>) -> Result<(), ImportError> {
        let keys = self
            .households_of(
                rows.iter()
                    .filter_map(|r| r.parsed.as_ref().ok().map(|c| c.number.clone()))
                    .collect(),
            )
            .await?;
        let ids: Vec<HouseholdId> = keys.values().map(|h| h.id).collect();
        let stored: HashMap<(HouseholdId, Date, String), RiskEventRecord> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.session
                .risk_events_of(&ids)
                .await?
                .into_iter()
                .map(|e| ((e.household_id, e.date, e.risk_type.clone()), e))
                .collect()
        };
        let mut items = Vec::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let outcome = r.parsed.and_then(|c: RiskCells| {
                let fail = |e: DomainError| issue_at(&at, Kind::RiskEvents, &r.cells, e);
                let h = self.household_of(&keys, &c.number).map_err(fail)?;
                let before = stored.get(&(h.id, c.date, c.risk_type.clone())).cloned();
                let label = self.codes.label("risk_type", &c.risk_type).to_string();
                let after = match &before {
                    None => RiskEventRecord {
                        id: 0,
                        household_id: h.id,
                        date: c.date,
                        risk_type: c.risk_type.clone(),
                        risk_label: label,
                        note: c.note.clone(),
                        resolved_on: c.resolved_on,
                    },
                    Some(b) => {
                        // a resolution once recorded stays; a blank one in the file leaves it
                        let resolved_on = match (b.resolved_on, c.resolved_on) {
                            (Some(x), Some(y)) if x != y => {
                                return Err(fail(DomainError::invalid(
                                    "resolved_on",
                                    "risk_resolved",
                                    format!("该风险已于 {x} 消除，不能改动消除日期"),
                                )))
                            }
                            (x, y) => x.or(y),
                        };
                        RiskEventRecord {
                            note: c.note.clone().or_else(|| b.note.clone()),
                            resolved_on,
                            ..b.clone()
                        }
                    }
                };
                Ok((h.village_code.clone(), before, after))
            });
            match outcome {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok((_, Some(b), a)) if b == a => self.report.unchanged += 1,
                Ok((village, before, after)) => {
                    if before.is_some() {
                        self.report.updated += 1;
                    } else {
                        self.report.created += 1;
                    }
                    if self.writing {
                        items.push(BulkRiskEvent {
                            village,
                            before,
                            after,
                        });
                    }
                }
            }
        }
        if self.writing {
            self.session.put_risk_events(items).await?;
        }
        Ok(())
    }

    // ---- cases ----------------------------------------------------------------------------------

    pub(crate) async fn cases(&mut self, rows: Vec<CaseRow>) -> Result<(), ImportError> {
        let params = self.parameters().await?;
        let stored = self
            .stored_households(
                rows.iter()
                    .filter_map(|r| r.parsed.as_ref().ok().map(|c| c.number.clone()))
                    .collect(),
            )
            .await?;
        let ids: Vec<HouseholdId> = stored.values().map(|s| s.household.id).collect();
        let (history, cases, years, risks) = if ids.is_empty() {
            Default::default()
        } else {
            let history: HashSet<(HouseholdId, HouseholdStatus, Date)> = self
                .session
                .status_changes_of(&ids)
                .await?
                .into_iter()
                .collect();
            let mut cases: HashMap<HouseholdId, Vec<ProcedureCase>> = HashMap::new();
            for c in self.session.cases_of(&ids).await? {
                cases.entry(c.household_id).or_default().push(c);
            }
            let years: HashMap<(HouseholdId, i32), HouseholdYearInput> = self
                .session
                .household_years_of(&ids)
                .await?
                .into_iter()
                .map(|(h, y, f)| ((h, y), f))
                .collect();
            let mut risks: HashMap<HouseholdId, Vec<RiskStatus>> = HashMap::new();
            for e in self.session.risk_events_of(&ids).await? {
                risks.entry(e.household_id).or_default().push(RiskStatus {
                    risk_type: e.risk_type,
                    resolved: Some(e.resolved_on.is_some()),
                });
            }
            (history, cases, years, risks)
        };
        let mut items = Vec::new();
        // one household update per call: a household changed twice in a batch goes in two rounds
        let mut rounds: Vec<Vec<BulkHouseholdUpdate>> = Vec::new();
        let mut round_of: HashMap<HouseholdId, usize> = HashMap::new();
        for r in rows {
            let Some((mapping, sheet)) = self.start_row(r.sheet) else {
                continue;
            };
            let at = RowAt {
                sheet: sheet.as_deref(),
                line: r.line,
                mapping: &mapping,
            };
            let c = match r.parsed {
                Ok(c) => c,
                Err(i) => {
                    self.reject(r.sheet, &[r.line], vec![i])?;
                    continue;
                }
            };
            let fail = |e: DomainError| issue_at(&at, Kind::Cases, &r.cells, e);
            let Some(s) = stored.get(&c.number) else {
                let e =
                    crate::rows::no_such_household(&self.ctx.scope, "household_number", &c.number);
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            };
            let h = &s.household;
            if !self.ctx.scope.allows(&h.village_code) {
                let e = crate::rows::household_out_of_scope("household_number", &c.number);
                self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                continue;
            }
            let (status, last, exit_year) = match self.statuses.get(&h.id) {
                Some(x) => *x,
                None => (
                    h.status,
                    s.last_status_date.unwrap_or(h.status_date),
                    h.exit_year,
                ),
            };
            let facts = s.facts();
            let year_facts = |y: i32| {
                let f = years.get(&(h.id, y)).cloned().unwrap_or_default();
                YearFacts {
                    food: f.food_secure,
                    clothing: f.clothing_secure,
                    spending: fupin_core::assessment::RigidSpending {
                        medical: Fen::new(f.medical_spending_fen),
                        education: Fen::new(f.education_spending_fen),
                        disaster: Fen::new(f.disaster_spending_fen),
                    },
                    stable_months: f.income_stable_months,
                    measures: Default::default(),
                }
            };
            let exit_assessment = |y: i32, line: Fen| {
                assess_exit(&exit_input(
                    &s.members,
                    &h.living,
                    facts.per_capita_net_income(y),
                    &year_facts(y),
                    y,
                    line,
                    self.today,
                ))
            };
            let existing = cases
                .get(&h.id)
                .and_then(|v| v.iter().find(|x| x.kind == c.kind && x.year == c.year));
            let target = c.kind.target();
            // the record of a change the history already has (an exit the registry holds)
            let historic = c.finishes()
                && c.steps
                    .last()
                    .is_some_and(|d| history.contains(&(h.id, target, *d)));
            let outcome = self.plan_case(
                &c,
                existing,
                cases.get(&h.id).map(Vec::as_slice).unwrap_or_default(),
                h.id,
                status,
                historic,
                &params,
                h.village_code.clone(),
                &|step_year, line| exit_assessment(step_year, line),
                &|y| {
                    let line = fen_param(&params, key::MONITORING_LINE, &h.village_code, y)?;
                    let poverty =
                        fen_param(&params, key::POVERTY_LINE, &h.village_code, y).unwrap_or(line);
                    let exit = exit_assessment(y, poverty);
                    let input = elimination_input(
                        facts.per_capita_net_income(y),
                        facts.per_capita_net_income(y - 1),
                        line,
                        &year_facts(y),
                        risks.get(&h.id).cloned().unwrap_or_default(),
                        &exit,
                    );
                    let months = stable_months_for(&params, &h.village_code, y)?;
                    Ok(assess_risk_elimination(&input, months, &self.codes))
                },
            );
            let (case, finished_now) = match outcome {
                Ok(Some(x)) => x,
                Ok(None) => {
                    self.report.unchanged += 1;
                    continue;
                }
                Err((key, e)) => {
                    let e = match key {
                        Some(k) => e.with_field(k),
                        None => e,
                    };
                    self.reject(r.sheet, &[r.line], vec![fail(e)])?;
                    continue;
                }
            };
            // a case that ends now changes the household's status, as the procedure does
            let change = if finished_now && !historic {
                let d = *c.steps.last().expect("a finished case has steps");
                let change = c.kind.finishing_change(d, c.year, c.monitored).validate(
                    status,
                    Some(last),
                    self.today,
                );
                match change {
                    Ok(ch) => Some(ch),
                    Err(e) => {
                        self.reject(
                            r.sheet,
                            &[r.line],
                            vec![fail(e.with_field("step_county_approval"))],
                        )?;
                        continue;
                    }
                }
            } else {
                None
            };
            if existing.is_some() {
                self.report.updated += 1;
            } else {
                self.report.created += 1;
            }
            if let Some(ch) = &change {
                self.report.status_changes += 1;
                self.statuses
                    .insert(h.id, (ch.to, ch.date, ch.exit_year.or(exit_year)));
            }
            if self.writing {
                if let Some(ch) = change {
                    let before = fupin_core::registry::Household {
                        status,
                        status_date: last,
                        exit_year,
                        ..h.clone()
                    };
                    let round = round_of.entry(h.id).or_insert(0);
                    if rounds.len() <= *round {
                        rounds.push(Vec::new());
                    }
                    rounds[*round].push(BulkHouseholdUpdate {
                        before,
                        data: None,
                        status: Some(ch),
                        new_members: Vec::new(),
                        changed_members: Vec::new(),
                    });
                    *round += 1;
                }
                items.push(case);
            }
        }
        if self.writing {
            self.session.put_cases(items).await?;
            for items in rounds {
                self.session.update_households(items).await?;
            }
        }
        Ok(())
    }

    /// What a case row does: `None` when the stored case already reads so, the case to write and
    /// whether it finishes with this row, or the column (step) and reason that reject it.
    #[allow(clippy::too_many_arguments)]
    fn plan_case(
        &self,
        c: &CaseCells,
        existing: Option<&ProcedureCase>,
        all: &[ProcedureCase],
        household: HouseholdId,
        status: HouseholdStatus,
        historic: bool,
        params: &[Parameter],
        village: fupin_core::RegionCode,
        exit_assessment: &dyn Fn(i32, Fen) -> fupin_core::assessment::Assessment,
        elimination: &dyn Fn(i32) -> Result<fupin_core::assessment::Assessment, DomainError>,
    ) -> Result<Option<(BulkCase, bool)>, StepError> {
        let columns = super::rows::step_columns(c.kind);
        let at_step = |i: usize| Some(columns[i.min(columns.len() - 1)]);
        let actor = self.ctx.actor.as_str();
        if existing.is_none() {
            if let Some(open) = all.iter().find(|x| x.kind == c.kind && !x.finished) {
                return Err((
                    Some("procedure"),
                    DomainError::conflict(
                        "case_open",
                        format!("该户已有未办结的{}事项（{} 年）", c.kind.label(), open.year),
                    ),
                ));
            }
            if !historic && !c.kind.may_start(status) {
                return Err((
                    Some("procedure"),
                    DomainError::invalid(
                        "kind",
                        "status_not_eligible",
                        format!(
                            "该户当前状态为“{}”，不能办理{}",
                            status.label(),
                            c.kind.label()
                        ),
                    ),
                ));
            }
        }
        // the stored round must be where the file's steps begin
        macro_rules! resume {
            ($ty:ty) => {{
                let w: $ty = match existing {
                    Some(x) => serde_json::from_value(x.state.clone())
                        .map_err(|_| (None, DomainError::internal()))?,
                    None => return Err((None, DomainError::internal())),
                };
                let done = completed(&w);
                if w.started_on() != c.started || !c.steps.starts_with(&done) {
                    return Err((
                        None,
                        DomainError::invalid(
                            "procedure",
                            "case_differs",
                            format!(
                                "该户 {} 年的{}已登记（{} 启动，已办结 {} 个环节），与本行不一致",
                                c.year,
                                c.kind.label(),
                                w.started_on(),
                                done.len()
                            ),
                        ),
                    ));
                }
                (w, done.len())
            }};
        }
        let was_finished = existing.is_some_and(|x| x.finished);
        let (state, step, finished) = match c.kind {
            ProcedureKind::Exit => {
                let (w, from) = match existing {
                    Some(_) => resume!(fupin_core::assessment::ExitProcedure),
                    None => (
                        start_exit_for(params, &village, c.year, c.started, actor)
                            .map_err(|e| (Some("started_on"), e))?,
                        0,
                    ),
                };
                if existing.is_some() && from == c.steps.len() {
                    return Ok(None);
                }
                let w = replay(w, &c.steps, from, &c.note, actor, apply, |step, _| {
                    if step == fupin_core::assessment::ExitStep::CountyApproval {
                        let line = fen_param(params, key::POVERTY_LINE, &village, c.year)?;
                        Ok(Some(exit_assessment(c.year, line)))
                    } else {
                        Ok(None)
                    }
                })
                .map_err(|(i, e)| (at_step(i), e))?;
                (
                    serde_json::to_value(&w).map_err(|_| (None, DomainError::internal()))?,
                    w.step().as_str(),
                    w.is_finished(),
                )
            }
            ProcedureKind::Identification => {
                let (w, from) = match existing {
                    Some(_) => resume!(fupin_core::assessment::IdentificationProcedure),
                    None => (
                        start_identification_for(params, &village, c.started, actor)
                            .map_err(|e| (Some("started_on"), e))?,
                        0,
                    ),
                };
                if existing.is_some() && from == c.steps.len() {
                    return Ok(None);
                }
                let w = replay(
                    w,
                    &c.steps,
                    from,
                    &c.note,
                    actor,
                    apply_identification,
                    |step, _| {
                        Ok(
                            (step == fupin_core::assessment::IdentificationStep::CountyApproval)
                                .then_some(c.monitored)
                                .flatten(),
                        )
                    },
                )
                .map_err(|(i, e)| {
                    if e.code == "kind_required" {
                        (Some("monitored_kind"), e)
                    } else {
                        (at_step(i), e)
                    }
                })?;
                (
                    serde_json::to_value(&w).map_err(|_| (None, DomainError::internal()))?,
                    w.step().as_str(),
                    w.is_finished(),
                )
            }
            ProcedureKind::Elimination => {
                let (w, from) = match existing {
                    Some(_) => resume!(fupin_core::assessment::RiskEliminationProcedure),
                    None => (
                        start_risk_elimination_for(params, &village, c.started, actor)
                            .map_err(|e| (Some("started_on"), e))?,
                        0,
                    ),
                };
                if existing.is_some() && from == c.steps.len() {
                    return Ok(None);
                }
                let w = replay(
                    w,
                    &c.steps,
                    from,
                    &c.note,
                    actor,
                    apply_risk_elimination,
                    |step, d| {
                        if step == fupin_core::assessment::EliminationStep::CountyApproval {
                            elimination(d.year()).map(Some)
                        } else {
                            Ok(None)
                        }
                    },
                )
                .map_err(|(i, e)| (at_step(i), e))?;
                (
                    serde_json::to_value(&w).map_err(|_| (None, DomainError::internal()))?,
                    w.step().as_str(),
                    w.is_finished(),
                )
            }
        };
        Ok(Some((
            BulkCase {
                id: existing.map(|x| x.id),
                village,
                household_id: household,
                kind: c.kind,
                year: c.year,
                step: step.to_string(),
                finished,
                state,
            },
            finished && !was_finished,
        )))
    }
}
