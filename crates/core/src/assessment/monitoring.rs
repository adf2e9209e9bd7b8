//! Relapse-prevention monitoring (防返贫动态监测): the monitored kinds, early-warning screening of a
//! household, the identification procedure (纳入监测) and the risk-elimination procedure (风险消除)
//! with its criteria.
//!
//! Screening turns recorded facts into warning flags for a cadre to verify; it decides nothing. A flag
//! is raised only on evidence: missing data raises no flag here (it is a data-quality matter reported
//! by the registry checks), so a household is never put forward because a form was left blank.
//!
//! Hard rules: the flag conditions and their strictness (below = strictly below; "falls by more than"
//! and "exceeds" are strict), the procedure steps and that approval needs its evidence. Parameters:
//! the monitoring line, the income-fall and rigid-spending shares, notice days, the identification time
//! limit and the months of stable income before elimination.

use super::exit::{flag, income_above, require_passing, Assessment, Criterion, CriterionResult};
use super::procedure::{Action, Step, Workflow};
use super::ratio::Ratio;
use super::standards::{count_param, days_param, key, ratio_param, resolve, Parameter};
use crate::codes::CodeBook;
use crate::error::DomainResult;
use crate::money::{Fen, PerCapita};
use crate::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};
use time::Date;

/// The code table of risk types (致贫/返贫风险), codes as strings (`01` 因病, `0201` 洪涝 …).
pub const RISK_TYPE_TABLE: &str = "risk_type";
/// The code table of monitored kinds.
pub const MONITORING_KIND_TABLE: &str = "monitoring_kind";

/// The kind of a monitored household (监测对象类别, domain.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MonitoredKind {
    /// 脱贫不稳定户: an exited household at risk of returning to poverty.
    UnstableExited,
    /// 边缘易致贫户: an ordinary household below or near the line, at risk of falling into poverty.
    Marginal,
    /// 突发严重困难户: income above the line, but a sudden event put basic living at serious risk.
    SuddenHardship,
}

impl MonitoredKind {
    pub const ALL: [MonitoredKind; 3] = [
        MonitoredKind::UnstableExited,
        MonitoredKind::Marginal,
        MonitoredKind::SuddenHardship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MonitoredKind::UnstableExited => "unstable_exited",
            MonitoredKind::Marginal => "marginal",
            MonitoredKind::SuddenHardship => "sudden_hardship",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MonitoredKind::UnstableExited => "脱贫不稳定户",
            MonitoredKind::Marginal => "边缘易致贫户",
            MonitoredKind::SuddenHardship => "突发严重困难户",
        }
    }

    /// The code in the shipped `monitoring_kind` table.
    pub fn code(self) -> &'static str {
        match self {
            MonitoredKind::UnstableExited => "1",
            MonitoredKind::Marginal => "2",
            MonitoredKind::SuddenHardship => "3",
        }
    }

    /// Parse the English identifier, the table code or the Chinese label.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.code() == s || k.label() == s)
    }
}

/// Rigid spending of the household over the income window, in fen (合规自付支出).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RigidSpending {
    pub medical: Fen,
    pub education: Fen,
    pub disaster: Fen,
}

impl RigidSpending {
    /// The total, in `i128` so that no input can overflow it.
    pub fn total(&self) -> i128 {
        self.medical.get() as i128 + self.education.get() as i128 + self.disaster.get() as i128
    }
}

/// 三保障 and water, as verified for the household: `Some(false)` fails, `None` is not recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BasicNeeds {
    pub education: Option<bool>,
    pub medical: Option<bool>,
    pub housing: Option<bool>,
    pub water: Option<bool>,
}

/// A risk event recorded for a household (illness, disaster, accident …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskEvent {
    pub date: Date,
    /// A code of the `risk_type` table.
    pub risk_type: String,
}

/// What screening needs about one household for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningInput {
    pub year: i32,
    /// A registered household that has exited (脱贫户); `false` for an ordinary household (一般农户).
    /// Registered households not yet exited are in the poor registry and are not screened.
    pub exited: bool,
    /// Household size, to compare the household's rigid spending with its per-capita income.
    pub persons: u32,
    pub per_capita_net_income: Option<PerCapita>,
    pub last_year_per_capita_net_income: Option<PerCapita>,
    /// The monitoring line in force (see [`key::MONITORING_LINE`]).
    pub monitoring_line: Fen,
    pub rigid_spending: RigidSpending,
    pub needs: BasicNeeds,
    pub risk_events: Vec<RiskEvent>,
    /// Loans of the household past their due date and not repaid in full.
    #[serde(default)]
    pub overdue_loans: Vec<crate::measures::OverdueLoan>,
}

/// The shares screening compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningRules {
    /// Flag when income falls by strictly more than this share of last year's income.
    pub income_fall_share: Ratio,
    /// Flag when rigid spending is strictly more than this share of this year's income.
    pub rigid_spending_share: Ratio,
}

impl ScreeningRules {
    /// The shares in force for the region and year.
    pub fn from_params(params: &[Parameter], region: &RegionCode, year: i32) -> DomainResult<Self> {
        Ok(Self {
            income_fall_share: ratio_param(params, key::INCOME_FALL_SHARE, region, year)?,
            rigid_spending_share: ratio_param(params, key::RIGID_SPENDING_SHARE, region, year)?,
        })
    }
}

/// Stable codes of screening flags.
pub mod flag_code {
    pub const BELOW_MONITORING_LINE: &str = "below_monitoring_line";
    pub const INCOME_FALL: &str = "income_fall";
    pub const RIGID_SPENDING: &str = "rigid_spending";
    pub const EDUCATION_INSECURE: &str = "education_insecure";
    pub const MEDICAL_INSECURE: &str = "medical_insecure";
    pub const HOUSING_INSECURE: &str = "housing_insecure";
    pub const WATER_INSECURE: &str = "water_insecure";
    pub const RISK_EVENT: &str = "risk_event";
    pub const OVERDUE_LOAN: &str = "overdue_loan";
    /// Every reason, in the order screening raises them.
    pub const ALL: &[&str] = &[
        BELOW_MONITORING_LINE,
        INCOME_FALL,
        RIGID_SPENDING,
        EDUCATION_INSECURE,
        MEDICAL_INSECURE,
        HOUSING_INSECURE,
        WATER_INSECURE,
        RISK_EVENT,
        OVERDUE_LOAN,
    ];
}

/// A warning for a cadre to verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MonitoringFlag))]
pub struct Flag {
    pub reason_code: &'static str,
    pub reason: String,
    pub suggested_kind: MonitoredKind,
}

/// The kind a household would be monitored as: an exited household is 脱贫不稳定户; an ordinary one
/// is 边缘易致贫户 when its income is known to be below the line, else 突发严重困难户 (the flag
/// itself is then the sudden hardship).
pub fn suggested_kind(exited: bool, income: Option<PerCapita>, line: Fen) -> MonitoredKind {
    if exited {
        MonitoredKind::UnstableExited
    } else if income.is_some_and(|y| y < line) {
        MonitoredKind::Marginal
    } else {
        MonitoredKind::SuddenHardship
    }
}

/// Screen one household. Flags, in this order: income below the monitoring line; income down year on
/// year by more than the share; rigid spending above the share of income; each failing 三保障/water
/// indicator; each risk event dated in the year; each loan overdue. Nothing else raises a flag.
pub fn screen(input: &ScreeningInput, rules: &ScreeningRules, codes: &CodeBook) -> Vec<Flag> {
    let kind = suggested_kind(
        input.exited,
        input.per_capita_net_income,
        input.monitoring_line,
    );
    let mut flags = Vec::new();
    let mut push = |code: &'static str, reason: String| {
        flags.push(Flag {
            reason_code: code,
            reason,
            suggested_kind: kind,
        })
    };
    let line = input.monitoring_line;
    if let Some(y) = input.per_capita_net_income {
        if y < line {
            push(
                flag_code::BELOW_MONITORING_LINE,
                format!("人均纯收入 {y}，低于监测线 {line}"),
            );
        }
    }
    if let (Some(now), Some(last)) = (
        input.per_capita_net_income,
        input.last_year_per_capita_net_income,
    ) {
        // A fall is a share of last year's income, so it needs a positive base; it compares
        // the amounts shown (rounded), not a line.
        let (now, last) = (now.rounded(), last.rounded());
        let fall = last.get() as i128 - now.get() as i128;
        if last.get() > 0 && fall > 0 && exceeds(rules.income_fall_share, fall, last.get() as i128)
        {
            let pct = Ratio::new(last.get() - now.get(), last.get())
                .map(|r| r.percent_string(1))
                .unwrap_or_default();
            push(
                flag_code::INCOME_FALL,
                format!(
                    "人均纯收入由 {last} 降至 {now}，同比下降 {pct}，超过 {}",
                    rules.income_fall_share.percent_string(1)
                ),
            );
        }
    }
    if let Some(y) = input.per_capita_net_income {
        let spent = input.rigid_spending.total();
        // the household's own net income when the per-capita figure is of the same members
        let income = if y.persons() == input.persons as i64 {
            y.total().get() as i128
        } else {
            y.rounded().get() as i128 * input.persons as i128
        };
        // No household size, no household income to compare with: no flag rather than a guess.
        if input.persons > 0 && spent > 0 && exceeds(rules.rigid_spending_share, spent, income) {
            push(
                flag_code::RIGID_SPENDING,
                format!(
                    "医疗、教育、灾害等刚性支出 {} 元，超过家庭纯收入（{} 元）的 {}",
                    yuan(spent),
                    yuan(income),
                    rules.rigid_spending_share.percent_string(1)
                ),
            );
        }
    }
    for (value, code, what) in [
        (
            input.needs.education,
            flag_code::EDUCATION_INSECURE,
            "义务教育保障",
        ),
        (
            input.needs.medical,
            flag_code::MEDICAL_INSECURE,
            "基本医疗保障",
        ),
        (
            input.needs.housing,
            flag_code::HOUSING_INSECURE,
            "住房安全保障",
        ),
        (input.needs.water, flag_code::WATER_INSECURE, "饮水安全保障"),
    ] {
        if value == Some(false) {
            push(code, format!("{what}存在问题"));
        }
    }
    for e in input
        .risk_events
        .iter()
        .filter(|e| e.date.year() == input.year)
    {
        let label = codes.label(RISK_TYPE_TABLE, e.risk_type.trim());
        push(
            flag_code::RISK_EVENT,
            format!("{} 发生风险：{label}", e.date),
        );
    }
    for l in &input.overdue_loans {
        push(
            flag_code::OVERDUE_LOAN,
            format!(
                "{}{}{} 元已于 {} 到期，尚未还清（已还 {} 元）",
                l.borrower
                    .as_deref()
                    .map(|b| format!("{b}的"))
                    .unwrap_or_default(),
                l.kind_label,
                yuan(i128::from(l.amount_fen)),
                l.due,
                yuan(i128::from(l.repaid_fen)),
            ),
        );
    }
    flags
}

/// `part > share × whole` in `i128` (inputs here can be products of two `i64`s).
fn exceeds(share: Ratio, part: i128, whole: i128) -> bool {
    part.saturating_mul(share.den() as i128) > whole.saturating_mul(share.num() as i128)
}

fn yuan(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Steps of the identification procedure (domain.md §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentificationStep {
    /// 入户核实 (with the household's application and 承诺授权书).
    HouseholdVerification,
    /// 信息比对 by county departments.
    DataComparison,
    /// 民主评议.
    DemocraticAppraisal,
    /// 村内公示.
    PublicNotice,
    /// 乡镇审核.
    TownshipReview,
    /// 县级审定.
    CountyApproval,
    /// 纳入监测 (terminal: announced and marked in the national system).
    Monitored,
}

impl Step for IdentificationStep {
    const ORDER: &'static [Self] = &[
        IdentificationStep::HouseholdVerification,
        IdentificationStep::DataComparison,
        IdentificationStep::DemocraticAppraisal,
        IdentificationStep::PublicNotice,
        IdentificationStep::TownshipReview,
        IdentificationStep::CountyApproval,
        IdentificationStep::Monitored,
    ];
    const NOTICE: Self = IdentificationStep::PublicNotice;

    fn as_str(self) -> &'static str {
        match self {
            IdentificationStep::HouseholdVerification => "household_verification",
            IdentificationStep::DataComparison => "data_comparison",
            IdentificationStep::DemocraticAppraisal => "democratic_appraisal",
            IdentificationStep::PublicNotice => "public_notice",
            IdentificationStep::TownshipReview => "township_review",
            IdentificationStep::CountyApproval => "county_approval",
            IdentificationStep::Monitored => "monitored",
        }
    }

    fn office(self) -> Level {
        match self {
            IdentificationStep::TownshipReview => Level::Township,
            IdentificationStep::DataComparison | IdentificationStep::CountyApproval => {
                Level::County
            }
            _ => Level::Village,
        }
    }

    fn label(self) -> &'static str {
        match self {
            IdentificationStep::HouseholdVerification => "入户核实",
            IdentificationStep::DataComparison => "信息比对",
            IdentificationStep::DemocraticAppraisal => "民主评议",
            IdentificationStep::PublicNotice => "村内公示",
            IdentificationStep::TownshipReview => "乡镇审核",
            IdentificationStep::CountyApproval => "县级审定",
            IdentificationStep::Monitored => "纳入监测",
        }
    }
}

/// The identification procedure; its evidence is the kind the household is monitored as.
pub type IdentificationProcedure = Workflow<IdentificationStep, MonitoredKind>;
/// An action on an identification procedure (`Complete` may carry the kind).
pub type IdentificationAction = Action<MonitoredKind>;

/// The step after `step`; `None` once monitored.
pub fn next_identification_step(step: IdentificationStep) -> Option<IdentificationStep> {
    step.next()
}

/// Start identification on the day the risk was found or the household applied. The time limit, if
/// any, runs from that day to county approval.
pub fn start_identification(
    date: Date,
    actor: &str,
    notice_days: i32,
    time_limit_days: Option<i32>,
) -> DomainResult<IdentificationProcedure> {
    Workflow::start(date, actor, notice_days, time_limit_days)
}

/// Start identification with the notice length and time limit in force for the region and year; a
/// year with no time limit set (before 2022 in the defaults) has none.
pub fn start_identification_for(
    params: &[Parameter],
    region: &RegionCode,
    date: Date,
    actor: &str,
) -> DomainResult<IdentificationProcedure> {
    let year = date.year();
    let notice = days_param(params, key::MONITORING_NOTICE_DAYS, region, year)?;
    let limit = match resolve(params, key::MONITORING_IDENTIFICATION_DAYS, region, year) {
        None => None,
        Some(_) => Some(days_param(
            params,
            key::MONITORING_IDENTIFICATION_DAYS,
            region,
            year,
        )?),
    };
    start_identification(date, actor, notice, limit)
}

/// Apply an action. County approval needs the monitored kind.
///
/// Exceeding the time limit does not block any step: refusing to identify a household at risk
/// because the offices were slow would punish the household. Lateness shows in
/// [`Workflow::timeliness`] (a warning while open, `finished_late` once done) for supervision.
pub fn apply_identification(
    state: &IdentificationProcedure,
    action: IdentificationAction,
    date: Date,
    actor: &str,
) -> DomainResult<IdentificationProcedure> {
    state.apply_with(action, date, actor, |step, kind| {
        if step == IdentificationStep::CountyApproval && kind.is_none() {
            return Err(crate::error::DomainError::invalid(
                "evidence",
                "kind_required",
                "县级审定须确定监测对象类别（脱贫不稳定户、边缘易致贫户或突发严重困难户）",
            ));
        }
        Ok(())
    })
}

/// A recorded risk of a monitored household and whether it is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskStatus {
    /// A code of the `risk_type` table.
    pub risk_type: String,
    /// `Some(true)`: stably removed or disappeared naturally.
    pub resolved: Option<bool>,
}

/// What the risk-elimination assessment needs (domain.md §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EliminationInput {
    pub per_capita_net_income: Option<PerCapita>,
    /// The monitoring line in force for the current year.
    pub monitoring_line: Fen,
    /// Months the household's income has been stable, as found by household verification.
    pub income_stable_months: Option<u32>,
    pub risks: Vec<RiskStatus>,
    pub needs: BasicNeeds,
    pub household_consent: Option<bool>,
}

/// The risk-elimination assessment.
pub type RiskEliminationAssessment = Assessment;

/// Assess risk elimination: income strictly above the monitoring line, stable for at least
/// `min_stable_months`, every recorded risk resolved, 三保障 and water secure, and the household's
/// consent. Missing data fails the criterion, as in the exit assessment.
pub fn assess_risk_elimination(
    input: &EliminationInput,
    min_stable_months: u32,
    codes: &CodeBook,
) -> RiskEliminationAssessment {
    let stable = match input.income_stable_months {
        None => CriterionResult::fail(Criterion::StableIncome, "未登记收入稳定月数"),
        Some(m) if m >= min_stable_months => CriterionResult::pass(
            Criterion::StableIncome,
            format!("收入已稳定 {m} 个月（要求至少 {min_stable_months} 个月）"),
        ),
        Some(m) => CriterionResult::fail(
            Criterion::StableIncome,
            format!("收入仅稳定 {m} 个月，要求至少 {min_stable_months} 个月"),
        ),
    };
    let risks = if input.risks.is_empty() {
        CriterionResult::fail(Criterion::RiskResolved, "未登记风险类型")
    } else {
        let open: Vec<String> = input
            .risks
            .iter()
            .filter(|r| r.resolved != Some(true))
            .map(|r| {
                let label = codes.label(RISK_TYPE_TABLE, r.risk_type.trim());
                match r.resolved {
                    None => format!("{label}（未登记是否消除）"),
                    _ => format!("{label}（未消除）"),
                }
            })
            .collect();
        if open.is_empty() {
            CriterionResult::pass(Criterion::RiskResolved, "登记的风险均已消除")
        } else {
            CriterionResult::fail(
                Criterion::RiskResolved,
                format!("风险未消除：{}", open.join("、")),
            )
        }
    };
    Assessment::new(vec![
        income_above(
            Criterion::Income,
            input.per_capita_net_income,
            input.monitoring_line,
            "监测线",
        ),
        stable,
        risks,
        flag(
            Criterion::CompulsoryEducation,
            input.needs.education,
            "义务教育有保障",
        ),
        flag(
            Criterion::MedicalInsurance,
            input.needs.medical,
            "基本医疗有保障",
        ),
        flag(Criterion::Housing, input.needs.housing, "住房安全有保障"),
        flag(
            Criterion::DrinkingWater,
            input.needs.water,
            "饮水安全有保障",
        ),
        flag(
            Criterion::HouseholdConsent,
            input.household_consent,
            "农户认可风险消除",
        ),
    ])
}

/// The months of stable income in force for the region and year.
pub fn stable_months_for(
    params: &[Parameter],
    region: &RegionCode,
    year: i32,
) -> DomainResult<u32> {
    let m = count_param(params, key::RISK_ELIMINATION_STABLE_MONTHS, region, year)?;
    // Validated on input to 1..=10000, so it fits.
    Ok(u32::try_from(m).unwrap_or(u32::MAX))
}

/// Steps of the risk-elimination procedure (domain.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EliminationStep {
    /// 村提名.
    VillageProposal,
    /// 入户核实.
    HouseholdVerification,
    /// 民主评议.
    DemocraticAppraisal,
    /// 村内公示.
    PublicNotice,
    /// 乡镇审核.
    TownshipReview,
    /// 县级审定公告.
    CountyApproval,
    /// 风险消除 (terminal: marked in the national system).
    Eliminated,
}

impl Step for EliminationStep {
    const ORDER: &'static [Self] = &[
        EliminationStep::VillageProposal,
        EliminationStep::HouseholdVerification,
        EliminationStep::DemocraticAppraisal,
        EliminationStep::PublicNotice,
        EliminationStep::TownshipReview,
        EliminationStep::CountyApproval,
        EliminationStep::Eliminated,
    ];
    const NOTICE: Self = EliminationStep::PublicNotice;

    fn as_str(self) -> &'static str {
        match self {
            EliminationStep::VillageProposal => "village_proposal",
            EliminationStep::HouseholdVerification => "household_verification",
            EliminationStep::DemocraticAppraisal => "democratic_appraisal",
            EliminationStep::PublicNotice => "public_notice",
            EliminationStep::TownshipReview => "township_review",
            EliminationStep::CountyApproval => "county_approval",
            EliminationStep::Eliminated => "eliminated",
        }
    }

    fn office(self) -> Level {
        match self {
            EliminationStep::TownshipReview => Level::Township,
            EliminationStep::CountyApproval => Level::County,
            _ => Level::Village,
        }
    }

    fn label(self) -> &'static str {
        match self {
            EliminationStep::VillageProposal => "村提名",
            EliminationStep::HouseholdVerification => "入户核实",
            EliminationStep::DemocraticAppraisal => "民主评议",
            EliminationStep::PublicNotice => "村内公示",
            EliminationStep::TownshipReview => "乡镇审核",
            EliminationStep::CountyApproval => "县级审定公告",
            EliminationStep::Eliminated => "风险消除",
        }
    }
}

/// The risk-elimination procedure; its evidence is the elimination assessment.
pub type RiskEliminationProcedure = Workflow<EliminationStep, RiskEliminationAssessment>;
/// An action on a risk-elimination procedure.
pub type RiskEliminationAction = Action<RiskEliminationAssessment>;

/// The step after `step`; `None` once eliminated.
pub fn next_elimination_step(step: EliminationStep) -> Option<EliminationStep> {
    step.next()
}

/// Start a risk-elimination procedure at 村提名.
pub fn start_risk_elimination(
    date: Date,
    actor: &str,
    notice_days: i32,
) -> DomainResult<RiskEliminationProcedure> {
    Workflow::start(date, actor, notice_days, None)
}

/// Start risk elimination with the notice length in force for the region and year.
pub fn start_risk_elimination_for(
    params: &[Parameter],
    region: &RegionCode,
    date: Date,
    actor: &str,
) -> DomainResult<RiskEliminationProcedure> {
    let notice = days_param(params, key::MONITORING_NOTICE_DAYS, region, date.year())?;
    start_risk_elimination(date, actor, notice)
}

/// Apply an action. County approval needs a passing elimination assessment; one given with any other
/// step must pass too.
pub fn apply_risk_elimination(
    state: &RiskEliminationProcedure,
    action: RiskEliminationAction,
    date: Date,
    actor: &str,
) -> DomainResult<RiskEliminationProcedure> {
    state.apply_with(action, date, actor, |step, a| {
        require_passing(step == EliminationStep::CountyApproval, a, "风险消除评估")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::procedure::Timeliness;
    use crate::assessment::standards::default_parameters;
    use time::macros::date;
    use MonitoredKind::*;

    fn rules() -> ScreeningRules {
        ScreeningRules {
            income_fall_share: Ratio::new(3, 10).unwrap(),
            rigid_spending_share: Ratio::new(1, 2).unwrap(),
        }
    }

    /// An ordinary household of 4, comfortably above the 6000-yuan line, no spending, no events.
    fn quiet() -> ScreeningInput {
        ScreeningInput {
            year: 2022,
            exited: false,
            persons: 4,
            per_capita_net_income: Some(Fen::from_yuan(9000).into()),
            last_year_per_capita_net_income: Some(Fen::from_yuan(9000).into()),
            monitoring_line: Fen::from_yuan(6000),
            rigid_spending: RigidSpending::default(),
            needs: BasicNeeds {
                education: Some(true),
                medical: Some(true),
                housing: Some(true),
                water: Some(true),
            },
            risk_events: vec![],
            overdue_loans: vec![],
        }
    }

    fn codes_of(flags: &[Flag]) -> Vec<&'static str> {
        flags.iter().map(|f| f.reason_code).collect()
    }

    #[test]
    fn kinds_parse() {
        for k in MonitoredKind::ALL {
            assert_eq!(MonitoredKind::parse(k.as_str()), Some(k));
            assert_eq!(MonitoredKind::parse(k.code()), Some(k));
            assert_eq!(MonitoredKind::parse(k.label()), Some(k));
        }
        // the codes agree with the shipped code table
        let b = CodeBook::defaults();
        for k in MonitoredKind::ALL {
            assert_eq!(b.label(MONITORING_KIND_TABLE, k.code()), k.label());
        }
        assert_eq!(MonitoredKind::parse("贫困户"), None);
    }

    #[test]
    fn screening_table() {
        use flag_code::*;
        type Edit = fn(&mut ScreeningInput);
        // (what, edit, expected flag codes, expected kind of every flag)
        let cases: Vec<(&str, Edit, Vec<&str>, MonitoredKind)> = vec![
            ("quiet household", |_| {}, vec![], SuddenHardship),
            (
                "income below line",
                |i| {
                    i.per_capita_net_income = Some(Fen::from_yuan(5999).into());
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(6200).into());
                },
                vec![BELOW_MONITORING_LINE],
                Marginal,
            ),
            (
                "income on the line is not below",
                |i| {
                    i.per_capita_net_income = Some(Fen::from_yuan(6000).into());
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(6000).into());
                },
                vec![],
                SuddenHardship,
            ),
            (
                "exited below line",
                |i| {
                    i.exited = true;
                    i.per_capita_net_income = Some(Fen::from_yuan(5000).into());
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(5000).into());
                },
                vec![BELOW_MONITORING_LINE],
                UnstableExited,
            ),
            // 10000 → 7000 is exactly 30%: not more than the share
            (
                "fall of exactly 30%",
                |i| {
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(10000).into());
                    i.per_capita_net_income = Some(Fen::from_yuan(7000).into());
                },
                vec![],
                SuddenHardship,
            ),
            (
                "fall of 30% and one fen",
                |i| {
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(10000).into());
                    i.per_capita_net_income = Some(Fen::new(699_999).into());
                },
                vec![INCOME_FALL],
                SuddenHardship,
            ),
            (
                "fall into the range",
                |i| {
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(9000).into());
                    i.per_capita_net_income = Some(Fen::from_yuan(5000).into());
                },
                vec![BELOW_MONITORING_LINE, INCOME_FALL],
                Marginal,
            ),
            (
                "rise is no fall",
                |i| i.last_year_per_capita_net_income = Some(Fen::from_yuan(5000).into()),
                vec![],
                SuddenHardship,
            ),
            (
                "no last year",
                |i| i.last_year_per_capita_net_income = None,
                vec![],
                SuddenHardship,
            ),
            (
                "last year zero",
                |i| {
                    i.last_year_per_capita_net_income = Some(Fen::ZERO.into());
                    i.per_capita_net_income = Some(Fen::from_yuan(7000).into());
                },
                vec![],
                SuddenHardship,
            ),
            (
                "negative income after a positive year",
                |i| {
                    i.last_year_per_capita_net_income = Some(Fen::from_yuan(7000).into());
                    i.per_capita_net_income = Some(Fen::from_yuan(-100).into());
                },
                vec![BELOW_MONITORING_LINE, INCOME_FALL],
                Marginal,
            ),
            // 4 × 9000 = 36000 household income; half is 18000
            (
                "rigid spending exactly half",
                |i| {
                    i.rigid_spending.medical = Fen::from_yuan(10000);
                    i.rigid_spending.education = Fen::from_yuan(8000);
                },
                vec![],
                SuddenHardship,
            ),
            (
                "rigid spending over half",
                |i| {
                    i.rigid_spending.medical = Fen::from_yuan(10000);
                    i.rigid_spending.education = Fen::from_yuan(6000);
                    i.rigid_spending.disaster = Fen::new(200_001);
                },
                vec![RIGID_SPENDING],
                SuddenHardship,
            ),
            (
                "rigid spending without household size",
                |i| {
                    i.persons = 0;
                    i.rigid_spending.medical = Fen::from_yuan(100000);
                },
                vec![],
                SuddenHardship,
            ),
            (
                "no spending, negative income",
                |i| {
                    i.per_capita_net_income = Some(Fen::from_yuan(-1).into());
                    i.last_year_per_capita_net_income = None;
                },
                vec![BELOW_MONITORING_LINE],
                Marginal,
            ),
            (
                "income unknown: no income flags",
                |i| {
                    i.per_capita_net_income = None;
                    i.rigid_spending.medical = Fen::from_yuan(100000);
                },
                vec![],
                SuddenHardship,
            ),
            (
                "indicators failing",
                |i| {
                    i.needs.education = Some(false);
                    i.needs.water = Some(false);
                },
                vec![EDUCATION_INSECURE, WATER_INSECURE],
                SuddenHardship,
            ),
            (
                "indicators missing raise nothing",
                |i| i.needs = BasicNeeds::default(),
                vec![],
                SuddenHardship,
            ),
            (
                "medical and housing",
                |i| {
                    i.needs.medical = Some(false);
                    i.needs.housing = Some(false);
                },
                vec![MEDICAL_INSECURE, HOUSING_INSECURE],
                SuddenHardship,
            ),
            (
                "risk events in and out of the year",
                |i| {
                    i.risk_events = vec![
                        RiskEvent {
                            date: date!(2021 - 12 - 31),
                            risk_type: "01".into(),
                        },
                        RiskEvent {
                            date: date!(2022 - 07 - 10),
                            risk_type: "0201".into(),
                        },
                        RiskEvent {
                            date: date!(2023 - 01 - 01),
                            risk_type: "05".into(),
                        },
                    ];
                },
                vec![RISK_EVENT],
                SuddenHardship,
            ),
            (
                "everything at once, exited",
                |i| {
                    i.exited = true;
                    i.per_capita_net_income = Some(Fen::from_yuan(3000).into());
                    i.rigid_spending.medical = Fen::from_yuan(20000);
                    i.needs.housing = Some(false);
                    i.risk_events = vec![RiskEvent {
                        date: date!(2022 - 02 - 01),
                        risk_type: "01".into(),
                    }];
                },
                vec![
                    BELOW_MONITORING_LINE,
                    INCOME_FALL,
                    RIGID_SPENDING,
                    HOUSING_INSECURE,
                    RISK_EVENT,
                ],
                UnstableExited,
            ),
        ];
        let codes = CodeBook::defaults();
        for (what, edit, want, kind) in cases {
            let mut input = quiet();
            edit(&mut input);
            let flags = screen(&input, &rules(), &codes);
            assert_eq!(codes_of(&flags), want, "{what}");
            assert!(
                flags.iter().all(|f| f.suggested_kind == kind),
                "{what}: {flags:?}"
            );
            assert!(flags.iter().all(|f| !f.reason.is_empty()), "{what}");
        }
    }

    #[test]
    fn flag_reasons_read_well() {
        let mut i = quiet();
        i.last_year_per_capita_net_income = Some(Fen::from_yuan(10000).into());
        i.per_capita_net_income = Some(Fen::from_yuan(5000).into());
        i.risk_events = vec![RiskEvent {
            date: date!(2022 - 07 - 10),
            risk_type: "0201".into(),
        }];
        let f = screen(&i, &rules(), &CodeBook::defaults());
        let reasons: Vec<&str> = f.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "人均纯收入 5000.00 元，低于监测线 6000.00 元",
                "人均纯收入由 10000.00 元 降至 5000.00 元，同比下降 50.0%，超过 30.0%",
                "2022-07-10 发生风险：因自然灾害（洪涝）",
            ]
        );
    }

    #[test]
    fn rules_from_parameters() {
        let d = default_parameters();
        let v = RegionCode::parse("360124106204").unwrap();
        assert_eq!(ScreeningRules::from_params(&d, &v, 2022).unwrap(), rules());
        assert_eq!(
            ScreeningRules::from_params(&d, &v, 2019).unwrap_err().code,
            "parameter_not_set"
        );
        assert_eq!(stable_months_for(&d, &v, 2022).unwrap(), 6);
    }

    fn done_with<S: Step, E: Clone>(
        mut p: Workflow<S, E>,
        apply: impl Fn(&Workflow<S, E>, Action<E>, Date, &str) -> DomainResult<Workflow<S, E>>,
        until: S,
        mut day: Date,
    ) -> (Workflow<S, E>, Date) {
        while p.step() != until {
            let wait = if p.step() == S::NOTICE {
                p.notice_days()
            } else {
                1
            };
            day = day.checked_add(time::Duration::days(wait.into())).unwrap();
            p = apply(
                &p,
                Action::Complete {
                    note: None,
                    evidence: None,
                },
                day,
                "乡村振兴专干",
            )
            .unwrap();
        }
        (p, day)
    }

    #[test]
    fn identification_within_the_time_limit() {
        let d = default_parameters();
        let v = RegionCode::parse("360124106204").unwrap();
        let start = date!(2022 - 03 - 01);
        let p = start_identification_for(&d, &v, start, "驻村工作队").unwrap();
        assert_eq!((p.notice_days(), p.time_limit_days()), (5, Some(15)));
        // verification, comparison, appraisal on 2, 3, 4 March; notice 4–9 March; township 10 March
        let (p, day) = done_with(
            p,
            apply_identification,
            IdentificationStep::CountyApproval,
            start,
        );
        assert_eq!(day, date!(2022 - 03 - 10));
        let e = apply_identification(
            &p,
            Action::Complete {
                note: None,
                evidence: None,
            },
            date!(2022 - 03 - 12),
            "县乡村振兴局",
        )
        .unwrap_err();
        assert_eq!(e.code, "kind_required");
        let p = apply_identification(
            &p,
            Action::Complete {
                note: Some("因病".into()),
                evidence: Some(SuddenHardship),
            },
            date!(2022 - 03 - 12),
            "县乡村振兴局",
        )
        .unwrap();
        assert_eq!(p.step(), IdentificationStep::Monitored);
        assert_eq!(p.evidence(), Some(&SuddenHardship));
        assert_eq!(
            p.timeliness(date!(2022 - 12 - 31)),
            Timeliness::FinishedOnTime {
                due: date!(2022 - 03 - 16)
            }
        );
    }

    #[test]
    fn identification_late_is_warned_not_blocked() {
        let p = start_identification(date!(2022 - 03 - 01), "驻村工作队", 5, Some(15)).unwrap();
        let (p, _) = done_with(
            p,
            apply_identification,
            IdentificationStep::CountyApproval,
            date!(2022 - 03 - 10),
        );
        let due = date!(2022 - 03 - 16);
        assert_eq!(
            p.timeliness(date!(2022 - 03 - 20)),
            Timeliness::Overdue { due, days_over: 4 }
        );
        let p = apply_identification(
            &p,
            Action::Complete {
                note: None,
                evidence: Some(Marginal),
            },
            date!(2022 - 03 - 20),
            "县乡村振兴局",
        )
        .unwrap();
        assert_eq!(
            p.timeliness(date!(2022 - 12 - 31)),
            Timeliness::FinishedLate { due, days_over: 4 }
        );
        // a notice one day short of five days is refused
        let p = start_identification(date!(2022 - 03 - 01), "a", 5, None).unwrap();
        let (p, day) = done_with(
            p,
            apply_identification,
            IdentificationStep::PublicNotice,
            date!(2022 - 03 - 01),
        );
        let short = day.checked_add(time::Duration::days(4)).unwrap();
        let e = apply_identification(
            &p,
            Action::Complete {
                note: None,
                evidence: None,
            },
            short,
            "a",
        )
        .unwrap_err();
        assert_eq!(e.code, "notice_too_short");
        // 2021: no time limit in the defaults
        let d = default_parameters();
        let v = RegionCode::parse("360124106204").unwrap();
        let p = start_identification_for(&d, &v, date!(2021 - 06 - 01), "a").unwrap();
        assert_eq!(p.time_limit_days(), None);
    }

    fn eliminable() -> EliminationInput {
        EliminationInput {
            per_capita_net_income: Some(Fen::from_yuan(7200).into()),
            monitoring_line: Fen::from_yuan(6000),
            income_stable_months: Some(8),
            risks: vec![RiskStatus {
                risk_type: "01".into(),
                resolved: Some(true),
            }],
            needs: BasicNeeds {
                education: Some(true),
                medical: Some(true),
                housing: Some(true),
                water: Some(true),
            },
            household_consent: Some(true),
        }
    }

    #[test]
    fn elimination_criteria_table() {
        type Edit = fn(&mut EliminationInput);
        let cases: Vec<(&str, Edit, Vec<Criterion>)> = vec![
            ("all met", |_| {}, vec![]),
            (
                "income on the monitoring line",
                |i| i.per_capita_net_income = Some(Fen::from_yuan(6000).into()),
                vec![Criterion::Income],
            ),
            (
                "income missing",
                |i| i.per_capita_net_income = None,
                vec![Criterion::Income],
            ),
            (
                "stable exactly six months",
                |i| i.income_stable_months = Some(6),
                vec![],
            ),
            (
                "stable five months",
                |i| i.income_stable_months = Some(5),
                vec![Criterion::StableIncome],
            ),
            (
                "stability unknown",
                |i| i.income_stable_months = None,
                vec![Criterion::StableIncome],
            ),
            (
                "a risk open",
                |i| {
                    i.risks.push(RiskStatus {
                        risk_type: "05".into(),
                        resolved: Some(false),
                    })
                },
                vec![Criterion::RiskResolved],
            ),
            (
                "a risk unknown",
                |i| i.risks[0].resolved = None,
                vec![Criterion::RiskResolved],
            ),
            (
                "no risks recorded",
                |i| i.risks.clear(),
                vec![Criterion::RiskResolved],
            ),
            (
                "housing unsafe",
                |i| i.needs.housing = Some(false),
                vec![Criterion::Housing],
            ),
            (
                "water unknown",
                |i| i.needs.water = None,
                vec![Criterion::DrinkingWater],
            ),
            (
                "no consent",
                |i| i.household_consent = Some(false),
                vec![Criterion::HouseholdConsent],
            ),
        ];
        let codes = CodeBook::defaults();
        for (what, edit, want) in cases {
            let mut i = eliminable();
            edit(&mut i);
            let a = assess_risk_elimination(&i, 6, &codes);
            let failed: Vec<Criterion> = a.failed().map(|c| c.criterion).collect();
            assert_eq!(failed, want, "{what}: {}", a.summary());
            assert_eq!(a.passed, want.is_empty(), "{what}");
        }
        let mut i = eliminable();
        i.risks.push(RiskStatus {
            risk_type: "05".into(),
            resolved: Some(false),
        });
        let a = assess_risk_elimination(&i, 6, &codes);
        assert!(
            a.summary().contains("因意外事故（未消除）"),
            "{}",
            a.summary()
        );
    }

    #[test]
    fn elimination_procedure() {
        let d = default_parameters();
        let v = RegionCode::parse("360124106204").unwrap();
        let start = date!(2023 - 05 - 01);
        let p = start_risk_elimination_for(&d, &v, start, "村支书").unwrap();
        assert_eq!(p.notice_days(), 5);
        let (p, day) = done_with(
            p,
            apply_risk_elimination,
            EliminationStep::CountyApproval,
            start,
        );
        let codes = CodeBook::defaults();
        let mut failing = eliminable();
        failing.household_consent = None;
        let failing = assess_risk_elimination(&failing, 6, &codes);
        let complete = |a: Option<RiskEliminationAssessment>| Action::Complete {
            note: None,
            evidence: a,
        };
        assert_eq!(
            apply_risk_elimination(&p, complete(None), day, "县")
                .unwrap_err()
                .code,
            "assessment_required"
        );
        assert_eq!(
            apply_risk_elimination(&p, complete(Some(failing)), day, "县")
                .unwrap_err()
                .code,
            "assessment_failed"
        );
        let ok = assess_risk_elimination(&eliminable(), 6, &codes);
        let p = apply_risk_elimination(&p, complete(Some(ok)), day, "县").unwrap();
        assert_eq!(p.step(), EliminationStep::Eliminated);
        assert_eq!(next_elimination_step(EliminationStep::Eliminated), None);
        assert_eq!(
            next_identification_step(IdentificationStep::PublicNotice),
            Some(IdentificationStep::TownshipReview)
        );
    }
}
