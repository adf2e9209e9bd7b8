//! What the assessment workflows record and report: per-year household facts found on verification
//! visits, risk events, procedure cases, incidence, the early-warning list and poverty measures.

use super::counting::CountingMeasures;
use super::exit::Assessment;
use super::exit::ExitStep;
use super::incidence::{Incidence, IncidenceCheck};
use super::measures::PovertyMeasures;
use super::monitoring::MonitoredKind;
use super::monitoring::{EliminationStep, IdentificationStep};
use super::procedure::{Step, Timeliness};
use super::ratio::Ratio;
use crate::codes::CodeBook;
use crate::error::{opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::regions::{Level, RegionCode, RegionRef};
use crate::registry::HouseholdId;
use crate::years::{check_past_date, check_year};
use serde::{Deserialize, Serialize};
use time::Date;

/// Facts of a household for a year, as found by verification: food and clothing, rigid spending
/// (合规自付支出) and how long income has been stable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct HouseholdYearInput {
    pub food_secure: Option<bool>,
    pub clothing_secure: Option<bool>,
    pub medical_spending_fen: i64,
    pub education_spending_fen: i64,
    pub disaster_spending_fen: i64,
    pub income_stable_months: Option<i32>,
}

impl HouseholdYearInput {
    pub fn validate(&self, year: i32, this_year: i32) -> DomainResult<HouseholdYearInput> {
        check_year("year", year, this_year)?;
        Fen::input("medical_spending_fen", self.medical_spending_fen)?;
        Fen::input("education_spending_fen", self.education_spending_fen)?;
        Fen::input("disaster_spending_fen", self.disaster_spending_fen)?;
        if let Some(m) = self.income_stable_months {
            if !(0..=600).contains(&m) {
                return Err(DomainError::invalid(
                    "income_stable_months",
                    "out_of_range",
                    "收入稳定月数须在 0 到 600 之间",
                ));
            }
        }
        Ok(self.clone())
    }
}

/// A risk event to record (illness, disability, disaster, accident, business failure, unstable work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskEventInput {
    pub date: Date,
    /// Code or label of the `risk_type` table.
    pub risk_type: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl RiskEventInput {
    pub fn validate(
        &self,
        codes: &CodeBook,
        today: Date,
    ) -> DomainResult<(Date, String, Option<String>)> {
        let d = check_past_date("date", self.date, today)?;
        let t = codes.resolve("risk_type", "risk_type", &self.risk_type)?;
        Ok((d, t, opt_text("note", &self.note, 500)?))
    }
}

/// A recorded risk event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskEventRecord {
    pub id: i64,
    pub household_id: HouseholdId,
    pub date: Date,
    pub risk_type: String,
    pub risk_label: String,
    pub note: Option<String>,
    pub resolved_on: Option<Date>,
}

/// Which procedure a case follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    /// 脱贫退出
    Exit,
    /// 监测对象识别
    Identification,
    /// 风险消除
    Elimination,
}

impl ProcedureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureKind::Exit => "exit",
            ProcedureKind::Identification => "identification",
            ProcedureKind::Elimination => "elimination",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ProcedureKind::Exit => "脱贫退出",
            ProcedureKind::Identification => "监测对象识别",
            ProcedureKind::Elimination => "风险消除",
        }
    }
    pub fn parse(s: &str) -> Option<ProcedureKind> {
        [
            ProcedureKind::Exit,
            ProcedureKind::Identification,
            ProcedureKind::Elimination,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// The office that takes step `step` (its code, as a case stores it) of this procedure, with the
    /// step's Chinese label; `None` for a code that is not one of its steps.
    pub fn step_office(self, step: &str) -> Option<(Level, &'static str)> {
        fn find<S: Step>(step: &str) -> Option<(Level, &'static str)> {
            S::ORDER
                .iter()
                .find(|s| s.as_str() == step)
                .map(|s| (s.office(), s.label()))
        }
        match self {
            ProcedureKind::Exit => find::<ExitStep>(step),
            ProcedureKind::Identification => find::<IdentificationStep>(step),
            ProcedureKind::Elimination => find::<EliminationStep>(step),
        }
    }
}

/// A procedure case of a household, with its full state (steps, history, objections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureCase {
    pub id: i64,
    pub kind: ProcedureKind,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
    pub year: i32,
    pub step: String,
    pub step_label: String,
    pub finished: bool,
    pub timeliness: Timeliness,
    /// The procedure's state as core's `Workflow` serialises it.
    pub state: serde_json::Value,
}

/// Which of a region's cases a list shows: of one procedure, and only the open ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub kind: Option<ProcedureKind>,
    /// Only cases not yet finished.
    pub open: bool,
    /// Backwards along (village, id): the last village's newest cases first (`sort=-village`).
    pub descending: bool,
}

/// The Chinese labels of a case action's texts: the reason of a rejection, an objection's content
/// and its resolution (the case page labels its inputs with them too).
pub const CASE_TEXT_LABELS: [(&str, &str); 3] = [
    ("reason", "退回理由"),
    ("text", "异议内容"),
    ("resolution", "核实及处理结果"),
];

/// An action on a case as a client sends it: the action, and its date. The store attaches the
/// evidence it computes itself (the exit or risk-elimination assessment); identification takes the
/// monitored kind from the client at county approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseActionInput {
    pub date: Date,
    /// `complete`, `reject`, `record_objection`, `resolve_objection`.
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
    /// Identification only: the kind decided at county approval.
    #[serde(default)]
    pub monitored_kind: Option<MonitoredKind>,
}

impl CaseActionInput {
    /// The core action, with `evidence` attached to `complete`.
    pub fn to_action<E>(&self, evidence: Option<E>) -> DomainResult<super::procedure::Action<E>> {
        use super::procedure::Action;
        // each text named by its Chinese label (as the case page labels its input), never by the
        // field's name: `text` is an objection's content here, not a wish's
        let need = |v: &Option<String>, field: &str, label: &str| -> DomainResult<String> {
            v.clone()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| DomainError::invalid(field, "required", format!("请填写{label}")))
        };
        Ok(match self.action.as_str() {
            "complete" => Action::Complete {
                note: self.note.clone(),
                evidence,
            },
            "reject" => Action::Reject {
                reason: need(&self.reason, "reason", CASE_TEXT_LABELS[0].1)?,
            },
            "record_objection" => Action::RecordObjection {
                text: need(&self.text, "text", CASE_TEXT_LABELS[1].1)?,
            },
            "resolve_objection" => Action::ResolveObjection {
                id: self.objection_id.ok_or_else(|| {
                    DomainError::invalid("objection_id", "required", "请指定要处理的异议")
                })?,
                resolution: need(&self.resolution, "resolution", CASE_TEXT_LABELS[2].1)?,
            },
            other => {
                let shown: String = other.chars().take(30).collect();
                return Err(DomainError::invalid(
                    "action",
                    "unknown_action",
                    format!("未知的操作：{shown}"),
                ));
            }
        })
    }
}

/// Poverty incidence of a region for a year against the exit threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidenceReport {
    pub region: RegionRef,
    pub year: i32,
    pub poor_persons: i64,
    pub rural_population: Option<i64>,
    pub incidence: Incidence,
    pub threshold: Ratio,
    pub check: IncidenceCheck,
}

/// A flag on the early-warning list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningFlag {
    pub reason_code: String,
    pub reason: String,
}

/// A household on the early-warning list, with the reason for each flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningRow {
    pub household_id: HouseholdId,
    pub household_number: String,
    pub head_name: Option<String>,
    pub village_code: String,
    pub year: i32,
    pub flags: Vec<WarningFlag>,
    pub suggested_kind: MonitoredKind,
}

/// Poverty measures of a region for a year and line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasuresReport {
    pub region: RegionRef,
    pub year: i32,
    pub line_fen: i64,
    /// Where the line comes from: `parameter` (the standards) or `request` (`line_fen` given).
    pub line_source: String,
    /// Persons measured: members of the scope's households with an income record for the year.
    pub persons: u64,
    pub households: u64,
    pub headcount_ratio: f64,
    pub fgt1: f64,
    pub fgt2: f64,
    pub watts: f64,
    pub sen: f64,
    pub gini: f64,
    pub measures: PovertyMeasures,
    /// The counting (Alkire–Foster) measure of the configuration asked for.
    pub mpi: CountingMeasures,
}

/// What a measures request may choose: its own line, a named counting configuration and k.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeasuresQuery {
    pub line_fen: Option<i64>,
    /// A counting configuration (`mpi.<name>` parameter); the default is `basic_needs`.
    pub config: Option<String>,
    /// Replaces the configuration's k.
    pub k: Option<Ratio>,
}

impl MeasuresQuery {
    /// At the line `line_fen`, with the default configuration.
    pub fn line(line_fen: i64) -> MeasuresQuery {
        MeasuresQuery {
            line_fen: Some(line_fen),
            ..Default::default()
        }
    }
}

/// The exit assessment of a household for a year, with the line used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitAssessmentReport {
    pub household_id: HouseholdId,
    pub year: i32,
    pub line_fen: i64,
    pub assessment: Assessment,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_names_its_office() {
        let exit = ProcedureKind::Exit;
        assert_eq!(
            exit.step_office("proposal"),
            Some((Level::Village, "村提名"))
        );
        assert_eq!(
            exit.step_office("public_notice").map(|o| o.0),
            Some(Level::Village)
        );
        assert_eq!(
            exit.step_office("township_review").map(|o| o.0),
            Some(Level::Township)
        );
        assert_eq!(
            exit.step_office("county_approval").map(|o| o.0),
            Some(Level::County)
        );
        let id = ProcedureKind::Identification;
        assert_eq!(
            id.step_office("data_comparison").map(|o| o.0),
            Some(Level::County)
        );
        assert_eq!(
            id.step_office("household_verification").map(|o| o.0),
            Some(Level::Village)
        );
        let el = ProcedureKind::Elimination;
        assert_eq!(
            el.step_office("township_review").map(|o| o.0),
            Some(Level::Township)
        );
        assert_eq!(
            el.step_office("county_approval").map(|o| o.0),
            Some(Level::County)
        );
        assert_eq!(exit.step_office("no_such_step"), None);
        assert_eq!(
            exit.step_office("data_comparison"),
            None,
            "a step of another procedure"
        );
    }

    /// A case action's missing text is named by its Chinese label on the case, never by the
    /// field's name (`reason`) nor by another form's label (`text` is a wish's content elsewhere).
    #[test]
    fn missing_texts_are_named_in_chinese() {
        let input = |action: &str| CaseActionInput {
            date: time::macros::date!(2019 - 09 - 03),
            action: action.into(),
            note: None,
            reason: Some(" ".into()),
            text: None,
            objection_id: Some(1),
            resolution: None,
            monitored_kind: None,
        };
        for (action, field, message) in [
            ("reject", "reason", "请填写退回理由"),
            ("record_objection", "text", "请填写异议内容"),
            ("resolve_objection", "resolution", "请填写核实及处理结果"),
        ] {
            let e = input(action).to_action::<()>(None).unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.message.as_str()),
                (Some(field), message)
            );
        }
    }
}
