//! The workflow shared by the exit, monitoring-identification and risk-elimination procedures: a
//! fixed sequence of steps, one of them a village public notice (公示) with objections, a dated and
//! signed history, and an optional time limit.
//!
//! Each procedure is a [`Workflow`] over its own step enum and its own evidence type (the exit
//! assessment, the monitored kind …). The procedure module decides which evidence a step needs (its
//! "gate"); this module enforces what all of them share:
//! - steps complete only in order, and a finished procedure takes no more actions;
//! - action dates never go backwards;
//! - the notice starts on the day the step before it is completed, lasts at least `notice_days`
//!   (it may end on `start + notice_days` at the earliest) and cannot end while an objection is open;
//! - objections are recorded and resolved only during the notice;
//! - a rejection sends the case back to the first step with a reason; objections of the old round
//!   stay in the history, the new round starts with none and without evidence.
//!
//! The state is a value: `apply` returns a new state or an error and never changes its input, so a
//! store can persist the result in the same transaction as the audit record.

use crate::error::{check_text, check_text_as, opt_text, DomainError, DomainResult};
use crate::regions::Level;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration};

/// The Chinese label of a case action's text field (see [`super::records::CASE_TEXT_LABELS`]).
fn case_label(field: &str) -> &'static str {
    super::records::CASE_TEXT_LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| *l)
        .unwrap_or("内容")
}

/// The steps of one procedure, in order; the last is the terminal state (done).
pub trait Step: Copy + Eq + fmt::Debug + 'static {
    /// Every step in order. The last one is terminal: reaching it finishes the procedure.
    const ORDER: &'static [Self];
    /// The public-notice step.
    const NOTICE: Self;
    fn as_str(self) -> &'static str;
    fn label(self) -> &'static str;
    /// The lowest level of office that takes this step (a village's own steps by the village, 乡镇审核
    /// by the township, 县级审定 by the county). Offices above that level may take it too; an office
    /// below it may not, even for a household of its own village (see [`crate::scope::Ctx::require_office`]).
    fn office(self) -> Level;

    fn position(self) -> usize {
        Self::ORDER
            .iter()
            .position(|s| *s == self)
            .expect("every step is listed in ORDER")
    }
    /// The step after this one, `None` for the terminal step.
    fn next(self) -> Option<Self> {
        Self::ORDER.get(self.position() + 1).copied()
    }
    fn first() -> Self {
        Self::ORDER[0]
    }
    fn is_terminal(self) -> bool {
        self.next().is_none()
    }
}

/// What happened to a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseEventKind))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Started,
    Completed,
    Rejected,
    ObjectionRecorded { id: u32 },
    ObjectionResolved { id: u32 },
}

/// One entry of the history: at `step`, on `date`, `actor` did `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseEvent))]
pub struct Event<S> {
    pub date: Date,
    pub actor: String,
    pub step: S,
    #[serde(flatten)]
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An objection raised during the public notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub id: u32,
    pub raised_on: Date,
    pub recorded_by: String,
    pub text: String,
    pub resolution: Option<Resolution>,
}

impl Objection {
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// How an objection was resolved (verified and answered, or upheld and the case rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolution {
    pub date: Date,
    pub actor: String,
    pub text: String,
}

/// An action on a procedure. `E` is the evidence a step may need (e.g. the exit assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action<E> {
    /// Complete the current step and move to the next.
    Complete {
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        evidence: Option<E>,
    },
    /// Send the case back to the first step.
    Reject { reason: String },
    /// Record an objection to the public notice.
    RecordObjection { text: String },
    /// Resolve an open objection.
    ResolveObjection { id: u32, resolution: String },
}

/// Whether a procedure with a time limit is on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Timeliness {
    /// No time limit applies.
    NoLimit,
    /// Open, `days_left` days until the due date (0 = due today).
    OnTime { due: Date, days_left: i64 },
    /// Open and past the due date: a warning for the offices, not a block (see `monitoring`).
    Overdue { due: Date, days_over: i64 },
    /// Finished on or before the due date.
    FinishedOnTime { due: Date },
    /// Finished after the due date: recorded for supervision.
    FinishedLate { due: Date, days_over: i64 },
}

/// The state of one procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workflow<S, E> {
    step: S,
    started_on: Date,
    notice_days: i32,
    time_limit_days: Option<i32>,
    notice_start: Option<Date>,
    objections: Vec<Objection>,
    next_objection_id: u32,
    // A project's workflow has no evidence (`()`, always null): inlined, as `()` has no schema of
    // its own to refer to, and not nullable again, so that null fits exactly one schema.
    #[cfg_attr(feature = "openapi", schema(inline, nullable = false))]
    evidence: Option<E>,
    history: Vec<Event<S>>,
    finished_on: Option<Date>,
}

/// The longest notice or time limit accepted, in days.
const MAX_DAYS: i32 = 366;

impl<S: Step, E: Clone> Workflow<S, E> {
    /// Start a procedure at its first step.
    pub(crate) fn start(
        date: Date,
        actor: &str,
        notice_days: i32,
        time_limit_days: Option<i32>,
    ) -> DomainResult<Self> {
        let actor = check_text("actor", actor, 100)?;
        if !(1..=MAX_DAYS).contains(&notice_days) {
            return Err(DomainError::invalid(
                "notice_days",
                "out_of_range",
                format!("公示天数须在 1 到 {MAX_DAYS} 天之间"),
            ));
        }
        if let Some(t) = time_limit_days {
            if !(1..=MAX_DAYS).contains(&t) {
                return Err(DomainError::invalid(
                    "time_limit_days",
                    "out_of_range",
                    format!("办理时限须在 1 到 {MAX_DAYS} 天之间"),
                ));
            }
        }
        let first = S::first();
        Ok(Workflow {
            step: first,
            started_on: date,
            notice_days,
            time_limit_days,
            notice_start: None,
            objections: Vec::new(),
            next_objection_id: 1,
            evidence: None,
            history: vec![Event {
                date,
                actor,
                step: first,
                kind: EventKind::Started,
                note: None,
            }],
            finished_on: None,
        })
    }

    /// The step in progress (the terminal step once finished).
    pub fn step(&self) -> S {
        self.step
    }
    pub fn started_on(&self) -> Date {
        self.started_on
    }
    pub fn notice_days(&self) -> i32 {
        self.notice_days
    }
    pub fn time_limit_days(&self) -> Option<i32> {
        self.time_limit_days
    }
    /// The day the current notice started (set while the notice step is in progress or after).
    pub fn notice_start(&self) -> Option<Date> {
        self.notice_start
    }
    /// The earliest day the current notice may end.
    pub fn notice_earliest_end(&self) -> Option<Date> {
        self.notice_start
            .and_then(|s| s.checked_add(Duration::days(self.notice_days.into())))
    }
    /// Objections of the current round.
    pub fn objections(&self) -> &[Objection] {
        &self.objections
    }
    pub fn open_objections(&self) -> usize {
        self.objections.iter().filter(|o| o.is_open()).count()
    }
    /// The latest evidence given in this round (e.g. the assessment the county approved).
    pub fn evidence(&self) -> Option<&E> {
        self.evidence.as_ref()
    }
    pub fn history(&self) -> &[Event<S>] {
        &self.history
    }
    pub fn finished_on(&self) -> Option<Date> {
        self.finished_on
    }
    pub fn is_finished(&self) -> bool {
        self.step.is_terminal()
    }
    /// `started_on + time_limit_days`, when a limit applies.
    pub fn due(&self) -> Option<Date> {
        self.time_limit_days
            .and_then(|d| self.started_on.checked_add(Duration::days(d.into())))
    }

    /// Timeliness against the time limit, as of `today` for an open procedure.
    pub fn timeliness(&self, today: Date) -> Timeliness {
        let Some(due) = self.due() else {
            return Timeliness::NoLimit;
        };
        match self.finished_on {
            Some(f) if f <= due => Timeliness::FinishedOnTime { due },
            Some(f) => Timeliness::FinishedLate {
                due,
                days_over: (f - due).whole_days(),
            },
            None if today <= due => Timeliness::OnTime {
                due,
                days_left: (due - today).whole_days(),
            },
            None => Timeliness::Overdue {
                due,
                days_over: (today - due).whole_days(),
            },
        }
    }

    /// Apply `action` on `date` by `actor`. `gate(step, evidence)` is asked before a step completes and
    /// may refuse it (e.g. county approval without a passing assessment).
    pub(crate) fn apply_with(
        &self,
        action: Action<E>,
        date: Date,
        actor: &str,
        gate: impl FnOnce(S, Option<&E>) -> DomainResult<()>,
    ) -> DomainResult<Self> {
        let actor = check_text("actor", actor, 100)?;
        if self.is_finished() {
            return Err(DomainError::conflict(
                "procedure_finished",
                format!("流程已办结（{}），不能再办理", self.step.label()),
            ));
        }
        let last = self.history.last().map_or(self.started_on, |e| e.date);
        if date < last {
            return Err(DomainError::invalid(
                "date",
                "date_before_previous",
                format!("办理日期 {date} 早于上一次办理日期 {last}"),
            ));
        }
        let mut next = self.clone();
        let step = self.step;
        let (kind, note) = match action {
            Action::Complete { note, evidence } => {
                if step == S::NOTICE {
                    next.check_notice_may_end(date)?;
                }
                gate(step, evidence.as_ref())?;
                let note = opt_text("note", &note, 1000)?;
                let to = step.next().ok_or_else(DomainError::internal)?;
                if to == S::NOTICE {
                    next.notice_start = Some(date);
                    next.objections.clear();
                }
                if to.is_terminal() {
                    next.finished_on = Some(date);
                }
                if evidence.is_some() {
                    next.evidence = evidence;
                }
                next.step = to;
                (EventKind::Completed, note)
            }
            Action::Reject { reason } => {
                if step == S::first() {
                    return Err(DomainError::conflict(
                        "nothing_to_reject",
                        format!("尚在第一步（{}），无可退回", step.label()),
                    ));
                }
                let reason = check_text_as("reason", case_label("reason"), &reason, 500)?;
                next.step = S::first();
                next.notice_start = None;
                next.objections.clear();
                next.evidence = None;
                (EventKind::Rejected, Some(reason))
            }
            Action::RecordObjection { text } => {
                self.check_in_notice()?;
                let text = check_text_as("text", case_label("text"), &text, 1000)?;
                let id = next.next_objection_id;
                next.next_objection_id += 1;
                next.objections.push(Objection {
                    id,
                    raised_on: date,
                    recorded_by: actor.clone(),
                    text: text.clone(),
                    resolution: None,
                });
                (EventKind::ObjectionRecorded { id }, Some(text))
            }
            Action::ResolveObjection { id, resolution } => {
                self.check_in_notice()?;
                let text =
                    check_text_as("resolution", case_label("resolution"), &resolution, 1000)?;
                let o = next
                    .objections
                    .iter_mut()
                    .find(|o| o.id == id)
                    .ok_or_else(|| {
                        DomainError::not_found(
                            "objection_not_found",
                            format!("本轮公示没有编号为 {id} 的异议"),
                        )
                    })?;
                if !o.is_open() {
                    return Err(DomainError::conflict(
                        "objection_already_resolved",
                        format!("异议 {id} 已处理"),
                    ));
                }
                o.resolution = Some(Resolution {
                    date,
                    actor: actor.clone(),
                    text: text.clone(),
                });
                (EventKind::ObjectionResolved { id }, Some(text))
            }
        };
        next.history.push(Event {
            date,
            actor,
            step,
            kind,
            note,
        });
        Ok(next)
    }

    fn check_in_notice(&self) -> DomainResult<()> {
        if self.step != S::NOTICE {
            return Err(DomainError::conflict(
                "not_in_notice",
                format!(
                    "只有在{}期间才能登记或处理异议（当前：{}）",
                    S::NOTICE.label(),
                    self.step.label()
                ),
            ));
        }
        Ok(())
    }

    fn check_notice_may_end(&self, date: Date) -> DomainResult<()> {
        let open = self.open_objections();
        if open > 0 {
            return Err(DomainError::conflict(
                "open_objections",
                format!("公示期间还有 {open} 条异议未处理，不能结束公示"),
            ));
        }
        let start = self.notice_start.ok_or_else(DomainError::internal)?;
        let earliest = self
            .notice_earliest_end()
            .ok_or_else(DomainError::internal)?;
        if date < earliest {
            return Err(DomainError::conflict(
                "notice_too_short",
                format!(
                    "公示须满 {} 天：{start} 开始，最早 {earliest} 结束",
                    self.notice_days
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A three-step toy procedure: draft → notice → done.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    enum Toy {
        Draft,
        Notice,
        Done,
    }

    impl Step for Toy {
        const ORDER: &'static [Self] = &[Toy::Draft, Toy::Notice, Toy::Done];
        const NOTICE: Self = Toy::Notice;
        fn as_str(self) -> &'static str {
            match self {
                Toy::Draft => "draft",
                Toy::Notice => "notice",
                Toy::Done => "done",
            }
        }
        fn label(self) -> &'static str {
            match self {
                Toy::Draft => "起草",
                Toy::Notice => "公示",
                Toy::Done => "完成",
            }
        }
        fn office(self) -> Level {
            Level::Village
        }
    }

    type W = Workflow<Toy, bool>;

    fn ok(_: Toy, _: Option<&bool>) -> DomainResult<()> {
        Ok(())
    }

    fn complete() -> Action<bool> {
        Action::Complete {
            note: None,
            evidence: None,
        }
    }

    #[test]
    fn start_checks_inputs() {
        assert!(W::start(date!(2020 - 01 - 01), "a", 5, Some(15)).is_ok());
        // (actor, notice days, limit, error field)
        let cases = [
            (" ", 5, None, "actor"),
            ("a", 0, None, "notice_days"),
            ("a", 367, None, "notice_days"),
            ("a", 5, Some(0), "time_limit_days"),
        ];
        for (actor, n, limit, field) in cases {
            let e = W::start(date!(2020 - 01 - 01), actor, n, limit).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field));
        }
    }

    #[test]
    fn timeliness_table() {
        let d0 = date!(2022 - 03 - 01);
        let w = W::start(d0, "a", 1, Some(15)).unwrap();
        assert_eq!(w.due(), Some(date!(2022 - 03 - 16)));
        let due = date!(2022 - 03 - 16);
        assert_eq!(
            w.timeliness(date!(2022 - 03 - 10)),
            Timeliness::OnTime { due, days_left: 6 }
        );
        assert_eq!(w.timeliness(due), Timeliness::OnTime { due, days_left: 0 });
        assert_eq!(
            w.timeliness(date!(2022 - 03 - 18)),
            Timeliness::Overdue { due, days_over: 2 }
        );
        let w = w
            .apply_with(complete(), date!(2022 - 03 - 02), "a", ok)
            .unwrap();
        let late = w
            .apply_with(complete(), date!(2022 - 03 - 20), "a", ok)
            .unwrap();
        assert_eq!(
            late.timeliness(date!(2023 - 01 - 01)),
            Timeliness::FinishedLate { due, days_over: 4 }
        );
        let on_time = w
            .apply_with(complete(), date!(2022 - 03 - 03), "a", ok)
            .unwrap();
        assert_eq!(
            on_time.timeliness(date!(2023 - 01 - 01)),
            Timeliness::FinishedOnTime { due }
        );
        let none = W::start(d0, "a", 1, None).unwrap();
        assert_eq!(none.timeliness(d0), Timeliness::NoLimit);
    }

    #[test]
    fn gate_refusal_leaves_state_unchanged() {
        let w = W::start(date!(2020 - 01 - 01), "a", 3, None).unwrap();
        let refuse = |_: Toy, _: Option<&bool>| Err(DomainError::conflict("refused", "不允许"));
        let e = w
            .apply_with(complete(), date!(2020 - 01 - 02), "a", refuse)
            .unwrap_err();
        assert_eq!(e.code, "refused");
        assert_eq!(w.step(), Toy::Draft);
        assert_eq!(w.history().len(), 1);
    }

    #[test]
    fn serde_round_trip() {
        let w = W::start(date!(2020 - 01 - 01), "a", 3, None).unwrap();
        let w = w
            .apply_with(complete(), date!(2020 - 01 - 02), "a", ok)
            .unwrap();
        let w = w
            .apply_with(
                Action::RecordObjection {
                    text: "收入不实".into(),
                },
                date!(2020 - 01 - 03),
                "b",
                ok,
            )
            .unwrap();
        let json = serde_json::to_string(&w).unwrap();
        let back: W = serde_json::from_str(&json).unwrap();
        assert_eq!(back, w);
        let a: Action<bool> =
            serde_json::from_str(r#"{"action":"resolve_objection","id":1,"resolution":"已核实"}"#)
                .unwrap();
        assert_eq!(
            a,
            Action::ResolveObjection {
                id: 1,
                resolution: "已核实".into()
            }
        );
    }
}
