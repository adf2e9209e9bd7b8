//! The lifecycle of a project as a workflow (the procedure machinery of the exit and monitoring
//! cases): village proposal → township review → county approval → public notice (公示, at least
//! the parameter `project_notice_days`) → in the library → annual plan → funds allocated →
//! implementation with monthly progress → acceptance (验收) → completion notice (公告) → asset
//! registration. The order, the notice period, dates that never go backwards and the record of who
//! did what come from [`Workflow`]; this module adds the project's own gates (funds before the
//! plan is carried out, full progress before acceptance, an asset before registration ends) and
//! where a rejection may happen (the reviews and the notice, back to the village with a reason).

use crate::assessment::standards::{days_param, default_parameters, key, Parameter};
use crate::assessment::{Action, Step, Workflow};
use crate::error::{DomainError, DomainResult};
use crate::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};
use time::Date;

/// The step a project is at (the one to complete next); `done` once its assets are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 村级申报
    Proposal,
    /// 乡镇审核
    TownshipReview,
    /// 县级审批
    CountyApproval,
    /// 入库公示
    Notice,
    /// 已入库（待纳入年度计划）
    Library,
    /// 已纳入年度计划（待下达资金）
    AnnualPlan,
    /// 资金已下达（待开工）
    Funded,
    /// 实施中（按月报进度）
    Implementation,
    /// 验收
    Acceptance,
    /// 竣工公告
    CompletionNotice,
    /// 资产登记
    AssetRegistration,
    /// 已完成
    Done,
}

impl Step for Stage {
    const ORDER: &'static [Self] = &[
        Stage::Proposal,
        Stage::TownshipReview,
        Stage::CountyApproval,
        Stage::Notice,
        Stage::Library,
        Stage::AnnualPlan,
        Stage::Funded,
        Stage::Implementation,
        Stage::Acceptance,
        Stage::CompletionNotice,
        Stage::AssetRegistration,
        Stage::Done,
    ];
    const NOTICE: Self = Stage::Notice;

    fn as_str(self) -> &'static str {
        match self {
            Stage::Proposal => "proposal",
            Stage::TownshipReview => "township_review",
            Stage::CountyApproval => "county_approval",
            Stage::Notice => "notice",
            Stage::Library => "library",
            Stage::AnnualPlan => "annual_plan",
            Stage::Funded => "funded",
            Stage::Implementation => "implementation",
            Stage::Acceptance => "acceptance",
            Stage::CompletionNotice => "completion_notice",
            Stage::AssetRegistration => "asset_registration",
            Stage::Done => "done",
        }
    }

    fn office(self) -> Level {
        match self {
            Stage::Proposal | Stage::Implementation | Stage::Done => Level::Village,
            Stage::TownshipReview
            | Stage::Acceptance
            | Stage::CompletionNotice
            | Stage::AssetRegistration => Level::Township,
            Stage::CountyApproval
            | Stage::Notice
            | Stage::Library
            | Stage::AnnualPlan
            | Stage::Funded => Level::County,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Stage::Proposal => "村级申报",
            Stage::TownshipReview => "乡镇审核",
            Stage::CountyApproval => "县级审批",
            Stage::Notice => "入库公示",
            Stage::Library => "已入库",
            Stage::AnnualPlan => "纳入年度计划",
            Stage::Funded => "资金已下达",
            Stage::Implementation => "实施中",
            Stage::Acceptance => "验收",
            Stage::CompletionNotice => "竣工公告",
            Stage::AssetRegistration => "资产登记",
            Stage::Done => "已完成",
        }
    }
}

impl Stage {
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ORDER
            .iter()
            .copied()
            .find(|x| x.as_str() == s || x.label() == s)
    }
    /// Whether funds may be allocated to (and received for) a project at this stage: from the
    /// annual plan until acceptance is completed.
    pub fn takes_allocations(self) -> bool {
        self.position() >= Stage::AnnualPlan.position()
            && self.position() <= Stage::Acceptance.position()
    }
    /// Whether money may be paid out: once funds are allocated, until acceptance closes it.
    pub fn takes_disbursements(self) -> bool {
        self.position() >= Stage::Funded.position()
            && self.position() <= Stage::Acceptance.position()
    }
    /// Whether acceptance (验收) has been completed.
    pub fn accepted(self) -> bool {
        self.position() > Stage::Acceptance.position()
    }
    /// Whether the project is in the library (its notice ended).
    pub fn in_library(self) -> bool {
        self.position() >= Stage::Library.position()
    }
}

/// The state of a project's lifecycle.
pub type ProjectWorkflow = Workflow<Stage, ()>;

/// An action on a project's lifecycle.
pub type ProjectAction = Action<()>;

/// What the gates of the lifecycle read from the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleFacts {
    /// Σ allocated to the project (fen).
    pub allocated_fen: i64,
    /// The latest monthly progress (per cent).
    pub progress_percent: i32,
    /// Assets registered from the project.
    pub assets: i64,
}

/// Start a project's lifecycle at the village proposal, with the notice length in force for the
/// village and the project's year.
pub fn start_project(
    params: &[Parameter],
    village: &RegionCode,
    year: i32,
    date: Date,
    actor: &str,
) -> DomainResult<ProjectWorkflow> {
    // a database seeded before the key existed falls back to the shipped default
    let days = days_param(params, key::PROJECT_NOTICE_DAYS, village, year).or_else(|_| {
        days_param(
            &default_parameters(),
            key::PROJECT_NOTICE_DAYS,
            village,
            year,
        )
    })?;
    Workflow::start(date, actor, days, None)
}

/// Apply an action to a project's lifecycle.
pub fn apply_project(
    state: &ProjectWorkflow,
    action: ProjectAction,
    date: Date,
    actor: &str,
    facts: LifecycleFacts,
) -> DomainResult<ProjectWorkflow> {
    if let Action::Reject { .. } = action {
        if !matches!(
            state.step(),
            Stage::TownshipReview | Stage::CountyApproval | Stage::Notice
        ) {
            return Err(DomainError::conflict(
                "reject_not_allowed",
                format!(
                    "只有在乡镇审核、县级审批或入库公示时才能退回（当前：{}）",
                    state.step().label()
                ),
            ));
        }
    }
    state.apply_with(action, date, actor, |step, _| match step {
        Stage::AnnualPlan if facts.allocated_fen <= 0 => Err(DomainError::conflict(
            "no_allocation",
            "项目尚未下达资金，不能进入资金已下达环节",
        )),
        Stage::Implementation if facts.progress_percent < 100 => Err(DomainError::conflict(
            "progress_incomplete",
            format!(
                "实施进度为 {}%，须达到 100% 才能申请验收",
                facts.progress_percent
            ),
        )),
        Stage::AssetRegistration if facts.assets == 0 => Err(DomainError::conflict(
            "no_asset",
            "项目尚未登记形成的资产，不能完成资产登记",
        )),
        _ => Ok(()),
    })
}

/// The days a ledger's project reached the steps where money may move: the annual plan (allocations
/// and receipts from then) and funded (disbursements from then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayedDates {
    pub annual_plan: Option<Date>,
    pub funded: Option<Date>,
}

/// The lifecycle of a project that a ledger records at `stage` (a province loaded at once, a
/// county's ledger moving in): started on `proposed_on` and replayed through the same rules as the
/// pages' actions, each step a few days after the last, the notice its full period, acceptance (验收)
/// completed on `accepted_on` (required from the completion notice on, refused before it). The
/// gates read `facts` (the allocations and assets the ledger brings).
#[allow(clippy::too_many_arguments)]
pub fn replay_project(
    params: &[Parameter],
    village: &RegionCode,
    year: i32,
    proposed_on: Date,
    stage: Stage,
    accepted_on: Option<Date>,
    actor: &str,
    facts: LifecycleFacts,
) -> DomainResult<(ProjectWorkflow, ReplayedDates)> {
    let mut w = start_project(params, village, year, proposed_on, actor)?;
    let nd = i64::from(w.notice_days());
    let days = |d: Date, n: i64| d + time::Duration::days(n);
    match (stage.accepted(), accepted_on) {
        (true, None) => {
            return Err(DomainError::invalid(
                "accepted_on",
                "required",
                format!("{}的项目须填写验收日期", stage.label()),
            ))
        }
        (false, Some(_)) => {
            return Err(DomainError::invalid(
                "accepted_on",
                "not_yet_accepted",
                format!("项目处于{}，尚未验收，不应填写验收日期", stage.label()),
            ))
        }
        _ => {}
    }
    let mut dates = ReplayedDates {
        annual_plan: None,
        funded: None,
    };
    let mut last = proposed_on;
    while w.step().position() < stage.position() {
        let at = match w.step() {
            Stage::Proposal => days(proposed_on, 3),
            Stage::TownshipReview => days(proposed_on, 7),
            Stage::CountyApproval => days(proposed_on, 14),
            Stage::Notice => days(proposed_on, 14 + nd),
            Stage::Library => days(last, 2),
            Stage::AnnualPlan | Stage::Funded => days(last, 3),
            Stage::Implementation => accepted_on.map_or(days(last, 30), |a| days(a, -3)),
            Stage::Acceptance => accepted_on.unwrap_or(last),
            Stage::CompletionNotice => days(last, nd),
            Stage::AssetRegistration | Stage::Done => days(last, 1),
        };
        if at < last {
            return Err(DomainError::invalid(
                "accepted_on",
                "accepted_too_early",
                format!(
                    "验收日期 {} 早于项目资金下达后开工的日期 {last}",
                    accepted_on.map(|a| a.to_string()).unwrap_or_default()
                ),
            ));
        }
        w = apply_project(
            &w,
            Action::Complete {
                note: None,
                evidence: None,
            },
            at,
            actor,
            facts,
        )?;
        last = at;
        match w.step() {
            Stage::AnnualPlan => dates.annual_plan = Some(at),
            Stage::Funded => dates.funded = Some(at),
            _ => {}
        }
    }
    Ok((w, dates))
}

/// A lifecycle action as a client sends it: `{date, action, note?, reason?, text?, objection_id?,
/// resolution?}` with `action` one of `complete`, `reject`, `record_objection`, `resolve_objection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectActionInput {
    pub date: Date,
    pub action: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub objection_id: Option<u32>,
    #[serde(default)]
    pub resolution: Option<String>,
}

impl ProjectActionInput {
    /// The workflow's action; a missing part answers `required` on its field.
    pub fn to_action(&self) -> DomainResult<ProjectAction> {
        let need = |field: &str, v: &Option<String>| {
            v.clone()
                .ok_or_else(|| DomainError::invalid(field, "required", format!("{field} 不能为空")))
        };
        Ok(match self.action.as_str() {
            "complete" => Action::Complete {
                note: self.note.clone(),
                evidence: None,
            },
            "reject" => Action::Reject {
                reason: need("reason", &self.reason)?,
            },
            "record_objection" => Action::RecordObjection {
                text: need("text", &self.text)?,
            },
            "resolve_objection" => Action::ResolveObjection {
                id: self.objection_id.ok_or_else(|| {
                    DomainError::invalid("objection_id", "required", "objection_id 不能为空")
                })?,
                resolution: need("resolution", &self.resolution)?,
            },
            other => {
                return Err(DomainError::invalid(
                    "action",
                    "unknown_action",
                    format!("未知的操作：{other}"),
                ))
            }
        })
    }
}

/// A month's progress report during implementation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// The first day of the month reported on.
    pub month: Date,
    /// Work done, in per cent (0–100, never falling).
    pub percent: i32,
    /// Σ spent up to the month (fen) as the unit reports it.
    #[serde(default)]
    pub spent_fen: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// A progress report as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProjectProgress))]
pub struct Progress {
    pub month: Date,
    pub percent: i32,
    pub spent_fen: i64,
    pub note: Option<String>,
    pub actor: String,
}

impl ProgressInput {
    /// Check a report against the stage and the previous report (`last`: month and percent).
    pub fn validate(&self, stage: Stage, last: Option<(Date, i32)>) -> DomainResult<()> {
        if stage != Stage::Implementation {
            return Err(DomainError::conflict(
                "not_in_implementation",
                format!("只有实施中的项目才能报进度（当前：{}）", stage.label()),
            ));
        }
        if self.month.day() != 1 {
            return Err(DomainError::invalid(
                "month",
                "not_first_of_month",
                "month 须为月初（YYYY-MM-01）",
            ));
        }
        if !(0..=100).contains(&self.percent) {
            return Err(DomainError::invalid(
                "percent",
                "out_of_range",
                "percent 须在 0 到 100 之间",
            ));
        }
        crate::money::Fen::input("spent_fen", self.spent_fen)?;
        crate::error::opt_text("note", &self.note, 1000)?;
        if let Some((month, percent)) = last {
            if self.month <= month {
                return Err(DomainError::invalid(
                    "month",
                    "date_before_previous",
                    format!("办理日期 {} 早于上一次办理日期 {month}", self.month),
                ));
            }
            if self.percent < percent {
                return Err(DomainError::invalid(
                    "percent",
                    "progress_fell",
                    format!("进度不能低于上月的 {percent}%"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::standards::default_parameters as shipped;
    use time::macros::date;
    use time::Duration;

    fn complete() -> ProjectAction {
        Action::Complete {
            note: None,
            evidence: None,
        }
    }

    fn village() -> RegionCode {
        RegionCode::parse("360124106204").unwrap()
    }

    #[test]
    fn the_whole_lifecycle_in_order_with_its_gates() {
        let d0 = date!(2016 - 03 - 01);
        let mut w = start_project(&shipped(), &village(), 2016, d0, "村").unwrap();
        assert_eq!(w.notice_days(), 10);
        let mut facts = LifecycleFacts::default();
        let mut day = d0;
        while !w.is_finished() {
            let step = w.step();
            if step == Stage::Notice {
                // one day short of the notice is refused
                let short = w.notice_earliest_end().unwrap() - Duration::days(1);
                let e = apply_project(&w, complete(), short, "县", facts).unwrap_err();
                assert_eq!(e.code, "notice_too_short");
                day = w.notice_earliest_end().unwrap();
            }
            let gated = match step {
                Stage::AnnualPlan => Some("no_allocation"),
                Stage::Implementation => Some("progress_incomplete"),
                Stage::AssetRegistration => Some("no_asset"),
                _ => None,
            };
            if let Some(code) = gated {
                let e = apply_project(&w, complete(), day, "县", facts).unwrap_err();
                assert_eq!(e.code, code, "{step:?}");
                match step {
                    Stage::AnnualPlan => facts.allocated_fen = 1,
                    Stage::Implementation => facts.progress_percent = 100,
                    _ => facts.assets = 1,
                }
            }
            w = apply_project(&w, complete(), day, "县", facts).unwrap();
            day += Duration::days(1);
        }
        assert_eq!(w.step(), Stage::Done);
        assert_eq!(w.history().len(), Stage::ORDER.len());
    }

    #[test]
    fn rejection_only_in_review_and_back_to_the_village() {
        let d0 = date!(2016 - 03 - 01);
        let f = LifecycleFacts::default();
        let w = start_project(&shipped(), &village(), 2016, d0, "村").unwrap();
        let reject = || Action::Reject {
            reason: "选址不合理".into(),
        };
        assert_eq!(
            apply_project(&w, reject(), d0, "镇", f).unwrap_err().code,
            "reject_not_allowed"
        );
        let w = apply_project(&w, complete(), d0, "村", f).unwrap();
        let back = apply_project(&w, reject(), d0, "镇", f).unwrap();
        assert_eq!(back.step(), Stage::Proposal);
        // in the library, rejection is no longer possible
        let mut w = w;
        for _ in 0..2 {
            w = apply_project(&w, complete(), d0, "县", f).unwrap();
        }
        let w = apply_project(&w, complete(), d0 + Duration::days(10), "县", f).unwrap();
        assert_eq!(w.step(), Stage::Library);
        assert_eq!(
            apply_project(&w, reject(), d0 + Duration::days(10), "县", f)
                .unwrap_err()
                .code,
            "reject_not_allowed"
        );
    }

    #[test]
    fn money_follows_the_stage() {
        let takes: Vec<_> = Stage::ORDER
            .iter()
            .filter(|s| s.takes_disbursements())
            .collect();
        assert_eq!(
            takes,
            [&Stage::Funded, &Stage::Implementation, &Stage::Acceptance]
        );
        assert!(!Stage::Library.takes_allocations());
        assert!(Stage::AnnualPlan.takes_allocations());
        assert!(!Stage::CompletionNotice.takes_allocations());
    }

    #[test]
    fn progress_rules() {
        let ok = ProgressInput {
            month: date!(2016 - 05 - 01),
            percent: 40,
            spent_fen: 100,
            note: None,
        };
        assert!(ok.validate(Stage::Implementation, None).is_ok());
        let cases = [
            (Stage::Funded, None, ok.clone(), "not_in_implementation"),
            (
                Stage::Implementation,
                Some((date!(2016 - 05 - 01), 10)),
                ok.clone(),
                "date_before_previous",
            ),
            (
                Stage::Implementation,
                Some((date!(2016 - 04 - 01), 50)),
                ok.clone(),
                "progress_fell",
            ),
            (
                Stage::Implementation,
                None,
                ProgressInput {
                    month: date!(2016 - 05 - 02),
                    ..ok.clone()
                },
                "not_first_of_month",
            ),
            (
                Stage::Implementation,
                None,
                ProgressInput {
                    percent: 101,
                    ..ok.clone()
                },
                "out_of_range",
            ),
        ];
        for (stage, last, input, code) in cases {
            assert_eq!(input.validate(stage, last).unwrap_err().code, code);
        }
    }
}
