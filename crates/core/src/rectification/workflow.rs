//! The close-out order of a problem (整改 → 申请销号 → 核验销号, or back with a reason) and the
//! four-eyes rule: the person who asks for a problem to be signed off may not sign it off.
//!
//! Steps people take are [`StepInput`]s; steps the system takes (creation, escalation, a rule's
//! automatic close and reopen) are recorded with the same [`EventAction`]s.

use super::model::ProblemStatus;
use crate::error::{DomainError, DomainResult};
use crate::offices::OfficeAct;
use serde::{Deserialize, Serialize};

/// What a step of the trail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    Create,
    Progress,
    RequestClose,
    SignOff,
    Reject,
    Reopen,
    Escalate,
    AutoClose,
    AutoReopen,
}

impl EventAction {
    pub const ALL: &'static [EventAction] = &[
        EventAction::Create,
        EventAction::Progress,
        EventAction::RequestClose,
        EventAction::SignOff,
        EventAction::Reject,
        EventAction::Reopen,
        EventAction::Escalate,
        EventAction::AutoClose,
        EventAction::AutoReopen,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Create => "create",
            EventAction::Progress => "progress",
            EventAction::RequestClose => "request_close",
            EventAction::SignOff => "sign_off",
            EventAction::Reject => "reject",
            EventAction::Reopen => "reopen",
            EventAction::Escalate => "escalate",
            EventAction::AutoClose => "auto_close",
            EventAction::AutoReopen => "auto_reopen",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EventAction::Create => "登记问题",
            EventAction::Progress => "整改进展",
            EventAction::RequestClose => "申请销号",
            EventAction::SignOff => "核验销号",
            EventAction::Reject => "核验退回",
            EventAction::Reopen => "重新打开",
            EventAction::Escalate => "逾期上报督办",
            EventAction::AutoClose => "数据已纠正，自动销号",
            EventAction::AutoReopen => "问题复现，自动重开",
        }
    }
    pub fn parse(s: &str) -> Option<EventAction> {
        EventAction::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// A step a person takes on a problem.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `progress`, `request_close`, `sign_off`, `reject` or `reopen`.
    pub action: String,
    /// What was done (progress, close-out request), the verification's remark, or the reason for
    /// sending back or reopening.
    #[serde(default)]
    pub note: Option<String>,
    /// The measures as they now stand (replaces the problem's measures when given).
    #[serde(default)]
    pub measures: Option<String>,
}

/// A checked step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: EventAction,
    pub note: Option<String>,
    pub measures: Option<String>,
}

impl StepInput {
    pub fn validate(&self) -> DomainResult<Step> {
        let action = match EventAction::parse(self.action.trim()) {
            Some(
                a @ (EventAction::Progress
                | EventAction::RequestClose
                | EventAction::SignOff
                | EventAction::Reject
                | EventAction::Reopen),
            ) => a,
            _ => {
                return Err(DomainError::invalid(
                    "action",
                    "unknown_action",
                    format!("未知的操作：{}", self.action.trim()),
                ))
            }
        };
        let note = crate::error::opt_text("note", &self.note, 2000)?;
        let measures = crate::error::opt_text("measures", &self.measures, 2000)?;
        let needs_note = matches!(
            action,
            EventAction::Progress
                | EventAction::RequestClose
                | EventAction::Reject
                | EventAction::Reopen
        );
        if needs_note && note.is_none() {
            let what = match action {
                EventAction::Progress => "整改进展",
                EventAction::RequestClose => "整改情况",
                _ => "原因",
            };
            return Err(DomainError::invalid(
                "note",
                "note_required",
                format!("{}须填写{what}", action.label()),
            ));
        }
        Ok(Step {
            action,
            note,
            measures,
        })
    }
}

/// The status a person's step leads to from `status`, or why it may not be taken. `actor` takes
/// the step; `requester` asked for the close-out pending (if any). Sign-off needs someone else
/// than the requester (four-eyes).
pub fn next_status(
    status: ProblemStatus,
    action: EventAction,
    actor: &str,
    requester: Option<&str>,
) -> DomainResult<ProblemStatus> {
    use EventAction as A;
    use ProblemStatus as S;
    let to = match (status, action) {
        (S::Open | S::InProgress, A::Progress) => S::InProgress,
        (S::Open | S::InProgress, A::RequestClose) => S::CloseRequested,
        (S::CloseRequested, A::SignOff) => {
            if requester == Some(actor) {
                return Err(DomainError::conflict(
                    "same_verifier",
                    "销号须由申请人以外的人员核验：您不能核验自己提出的销号申请",
                ));
            }
            S::Closed
        }
        (S::CloseRequested, A::Reject) => S::InProgress,
        (S::Closed, A::Reopen) => S::InProgress,
        _ => {
            return Err(DomainError::conflict(
                "invalid_problem_step",
                format!("问题当前为“{}”，不能{}", status.label(), action.label()),
            ))
        }
    };
    Ok(to)
}

/// The office a person's step needs beyond the region check: verifying (核验销号), sending a
/// request back and reopening a signed-off problem are the county's ([`OfficeAct::SignOffProblem`]);
/// the requester may still withdraw (send back) their own request, and progress and close-out
/// requests are any office's of the region.
pub fn office_for(action: EventAction, actor: &str, requester: Option<&str>) -> Option<OfficeAct> {
    match action {
        EventAction::SignOff | EventAction::Reopen => Some(OfficeAct::SignOffProblem),
        EventAction::Reject if requester != Some(actor) => Some(OfficeAct::SignOffProblem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventAction as A;
    use ProblemStatus as S;

    #[test]
    fn the_close_out_order() {
        // table: from, action, allowed to
        let table = [
            (S::Open, A::Progress, Some(S::InProgress)),
            (S::Open, A::RequestClose, Some(S::CloseRequested)),
            (S::Open, A::SignOff, None),
            (S::Open, A::Reopen, None),
            (S::InProgress, A::Progress, Some(S::InProgress)),
            (S::InProgress, A::RequestClose, Some(S::CloseRequested)),
            (S::InProgress, A::SignOff, None),
            (S::InProgress, A::Reject, None),
            (S::CloseRequested, A::Progress, None),
            (S::CloseRequested, A::RequestClose, None),
            (S::CloseRequested, A::SignOff, Some(S::Closed)),
            (S::CloseRequested, A::Reject, Some(S::InProgress)),
            (S::Closed, A::Progress, None),
            (S::Closed, A::SignOff, None),
            (S::Closed, A::Reopen, Some(S::InProgress)),
        ];
        for (from, action, to) in table {
            let got = next_status(from, action, "county", Some("township"));
            match to {
                Some(to) => assert_eq!(got.unwrap(), to, "{from:?} {action:?}"),
                None => assert_eq!(
                    got.unwrap_err().code,
                    "invalid_problem_step",
                    "{from:?} {action:?}"
                ),
            }
        }
    }

    #[test]
    fn verifying_is_the_countys_but_a_requester_may_withdraw() {
        let sign = Some(OfficeAct::SignOffProblem);
        assert_eq!(office_for(A::SignOff, "county", Some("township")), sign);
        assert_eq!(office_for(A::Reopen, "county", None), sign);
        assert_eq!(office_for(A::Reject, "county", Some("township")), sign);
        assert_eq!(office_for(A::Reject, "township", Some("township")), None);
        assert_eq!(office_for(A::Progress, "village", None), None);
        assert_eq!(office_for(A::RequestClose, "village", None), None);
    }

    #[test]
    fn four_eyes() {
        let e =
            next_status(S::CloseRequested, A::SignOff, "township", Some("township")).unwrap_err();
        assert_eq!(e.code, "same_verifier");
        assert!(next_status(S::CloseRequested, A::SignOff, "county", Some("township")).is_ok());
        // the requester may withdraw (send back) their own request
        assert!(next_status(S::CloseRequested, A::Reject, "township", Some("township")).is_ok());
    }

    #[test]
    fn steps_need_their_note() {
        let s = |action: &str, note: Option<&str>| StepInput {
            action: action.into(),
            note: note.map(String::from),
            measures: None,
        };
        assert_eq!(
            s("reopen", None).validate().unwrap_err().code,
            "note_required"
        );
        assert_eq!(
            s("request_close", Some(" ")).validate().unwrap_err().code,
            "note_required"
        );
        assert!(s("sign_off", None).validate().is_ok());
        assert_eq!(
            s("escalate", None).validate().unwrap_err().code,
            "unknown_action"
        );
        assert_eq!(
            s("reject", Some("照片不清")).validate().unwrap().action,
            A::Reject
        );
    }
}
