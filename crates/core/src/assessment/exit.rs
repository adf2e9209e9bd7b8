//! Household exit (脱贫退出): the assessment against the criteria (income stably above the line and
//! 两不愁三保障 plus safe water) and the exit procedure from village nomination to 销号.
//!
//! Hard rules here (domain.md §3.1, national): the list of criteria, "strictly above the line",
//! compulsory-school age 6–15, C/D houses are unsafe, the order of the procedure steps, and that the
//! county approves only with a passing assessment. The line itself and the notice length are
//! parameters ([`super::standards`]).

use super::procedure::{Action, Step, Workflow};
use super::standards::{days_param, key};
use crate::error::{DomainError, DomainResult};
use crate::money::{Fen, PerCapita};
use crate::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;
use time::Date;

/// Ages of compulsory education (九年义务教育): children from 6 to 15 inclusive at the assessment date.
pub const COMPULSORY_SCHOOL_AGE: RangeInclusive<i32> = 6..=15;

/// The `schooling` code for "not a student" (非在校生).
pub const NOT_A_STUDENT: &str = "01";

/// A criterion of exit or of risk elimination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Per-capita net income strictly above the line.
    Income,
    /// 不愁吃.
    Food,
    /// 不愁穿.
    Clothing,
    /// 义务教育有保障.
    CompulsoryEducation,
    /// 基本医疗有保障 (every member in basic medical insurance).
    MedicalInsurance,
    /// 住房安全有保障.
    Housing,
    /// 饮水安全有保障.
    DrinkingWater,
    /// Income stable above the line for long enough (risk elimination).
    StableIncome,
    /// Every recorded risk resolved (risk elimination).
    RiskResolved,
    /// The household agrees (risk elimination).
    HouseholdConsent,
}

impl Criterion {
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Income => "income",
            Criterion::Food => "food",
            Criterion::Clothing => "clothing",
            Criterion::CompulsoryEducation => "compulsory_education",
            Criterion::MedicalInsurance => "medical_insurance",
            Criterion::Housing => "housing",
            Criterion::DrinkingWater => "drinking_water",
            Criterion::StableIncome => "stable_income",
            Criterion::RiskResolved => "risk_resolved",
            Criterion::HouseholdConsent => "household_consent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Criterion::Income => "收入达标",
            Criterion::Food => "不愁吃",
            Criterion::Clothing => "不愁穿",
            Criterion::CompulsoryEducation => "义务教育有保障",
            Criterion::MedicalInsurance => "基本医疗有保障",
            Criterion::Housing => "住房安全有保障",
            Criterion::DrinkingWater => "饮水安全有保障",
            Criterion::StableIncome => "收入持续稳定",
            Criterion::RiskResolved => "风险已消除",
            Criterion::HouseholdConsent => "农户认可",
        }
    }
}

/// The outcome of one criterion, with the reason in Chinese (also when it passes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionResult {
    pub criterion: Criterion,
    pub passed: bool,
    pub reason: String,
}

impl CriterionResult {
    pub(crate) fn pass(criterion: Criterion, reason: impl Into<String>) -> Self {
        Self {
            criterion,
            passed: true,
            reason: reason.into(),
        }
    }
    pub(crate) fn fail(criterion: Criterion, reason: impl Into<String>) -> Self {
        Self {
            criterion,
            passed: false,
            reason: reason.into(),
        }
    }
}

/// An assessment: every criterion with its outcome; `passed` when all pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub criteria: Vec<CriterionResult>,
    pub passed: bool,
}

/// The household exit assessment.
pub type ExitAssessment = Assessment;

impl Assessment {
    pub fn new(criteria: Vec<CriterionResult>) -> Self {
        let passed = !criteria.is_empty() && criteria.iter().all(|c| c.passed);
        Self { criteria, passed }
    }

    /// The criteria that failed.
    pub fn failed(&self) -> impl Iterator<Item = &CriterionResult> {
        self.criteria.iter().filter(|c| !c.passed)
    }

    /// The outcome of one criterion, if assessed.
    pub fn get(&self, criterion: Criterion) -> Option<&CriterionResult> {
        self.criteria.iter().find(|c| c.criterion == criterion)
    }

    /// One line for people: `未通过：义务教育有保障（…）；住房安全有保障（…）`.
    pub fn summary(&self) -> String {
        if self.passed {
            return "各项标准均已达到".to_string();
        }
        let parts: Vec<String> = self
            .failed()
            .map(|c| format!("{}（{}）", c.criterion.label(), c.reason))
            .collect();
        format!("未通过：{}", parts.join("；"))
    }
}

/// A member as the exit assessment needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitMember {
    /// Shown in reasons so the cadre knows whom a failure concerns (never the ID number).
    pub name: String,
    pub birth_date: Date,
    /// `schooling` code; `01` = 非在校生.
    pub schooling: Option<String>,
    pub out_of_school_reason: Option<String>,
    pub basic_medical_insurance: Option<bool>,
    /// An education measure running in the year records the member as dropped out (辍学).
    #[serde(default)]
    pub dropout: bool,
}

/// What the exit assessment of a household for a year needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitInput {
    /// Ages are taken on this date; a renovation counts if done in this year or before.
    pub assessment_date: Date,
    pub per_capita_net_income: Option<PerCapita>,
    /// The poverty line in force (see [`super::standards::key::POVERTY_LINE`]).
    pub line: Fen,
    pub food_secure: Option<bool>,
    pub clothing_secure: Option<bool>,
    pub members: Vec<ExitMember>,
    /// 危房等级 `A`–`D`.
    pub housing_grade: Option<String>,
    /// 危改年度: the year the house was renovated, if it was.
    pub housing_renovated_year: Option<i32>,
    pub safe_drinking_water: Option<bool>,
}

/// Age in whole years on `on` (a 29 February birthday comes of age on 1 March in common years).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

/// Assess a household for exit. Missing data fails the criterion it belongs to, and the reason says
/// what is missing: an exit is a claim that must be shown, not presumed.
pub fn assess_exit(input: &ExitInput) -> ExitAssessment {
    Assessment::new(vec![
        income_above(
            Criterion::Income,
            input.per_capita_net_income,
            input.line,
            "贫困线",
        ),
        flag(Criterion::Food, input.food_secure, "不愁吃"),
        flag(Criterion::Clothing, input.clothing_secure, "不愁穿"),
        compulsory_education(&input.members, input.assessment_date),
        medical_insurance(&input.members),
        housing(
            input.housing_grade.as_deref(),
            input.housing_renovated_year,
            input.assessment_date.year(),
        ),
        flag(
            Criterion::DrinkingWater,
            input.safe_drinking_water,
            "饮水安全",
        ),
    ])
}

/// Income strictly above `line`. Equal is not above: the policy says 稳定超过, and a household exactly
/// on the line has no margin at all. `line_name` is `贫困线` or `监测线`.
pub(crate) fn income_above(
    criterion: Criterion,
    income: Option<PerCapita>,
    line: Fen,
    line_name: &str,
) -> CriterionResult {
    match income {
        None => CriterionResult::fail(criterion, "缺少人均纯收入记录"),
        Some(y) if y > line => {
            CriterionResult::pass(criterion, format!("人均纯收入 {y}，高于{line_name} {line}"))
        }
        Some(y) if y == line => CriterionResult::fail(
            criterion,
            format!("人均纯收入 {y}，等于{line_name}，须高于{line_name}"),
        ),
        Some(y) => {
            CriterionResult::fail(criterion, format!("人均纯收入 {y}，低于{line_name} {line}"))
        }
    }
}

/// A yes/no indicator: `Some(true)` passes, `Some(false)` fails, `None` is missing.
pub(crate) fn flag(criterion: Criterion, value: Option<bool>, what: &str) -> CriterionResult {
    match value {
        Some(true) => CriterionResult::pass(criterion, format!("{what}：是")),
        Some(false) => CriterionResult::fail(criterion, format!("{what}：否")),
        None => CriterionResult::fail(criterion, format!("未登记“{what}”")),
    }
}

fn compulsory_education(members: &[ExitMember], on: Date) -> CriterionResult {
    let c = Criterion::CompulsoryEducation;
    if members.is_empty() {
        return CriterionResult::fail(c, "没有家庭成员记录");
    }
    let mut problems = Vec::new();
    for m in members {
        let age = age_on(m.birth_date, on);
        if !COMPULSORY_SCHOOL_AGE.contains(&age) {
            continue;
        }
        // A recorded reason (e.g. severe disability with home teaching, 送教上门) is for people to judge;
        // the rule only catches an unexplained drop-out or a missing schooling record.
        let has_reason = m
            .out_of_school_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        if m.dropout && !has_reason {
            problems.push(format!(
                "{}（{age}岁）学生资助记录为辍学，且未登记失学辍学原因",
                m.name
            ));
            continue;
        }
        match m.schooling.as_deref().map(str::trim) {
            Some(s) if s != NOT_A_STUDENT && !s.is_empty() => {}
            _ if has_reason => {}
            None | Some("") => problems.push(format!("{}（{age}岁）未登记在校生状况", m.name)),
            Some(_) => problems.push(format!(
                "{}（{age}岁）为非在校生且未登记失学辍学原因",
                m.name
            )),
        }
    }
    if problems.is_empty() {
        CriterionResult::pass(c, "义务教育阶段（6–15岁）无失学辍学")
    } else {
        CriterionResult::fail(c, problems.join("；"))
    }
}

fn medical_insurance(members: &[ExitMember]) -> CriterionResult {
    let c = Criterion::MedicalInsurance;
    if members.is_empty() {
        return CriterionResult::fail(c, "没有家庭成员记录");
    }
    let problems: Vec<String> = members
        .iter()
        .filter_map(|m| match m.basic_medical_insurance {
            Some(true) => None,
            Some(false) => Some(format!("{}未参加基本医疗保险", m.name)),
            None => Some(format!("{}未登记是否参加基本医疗保险", m.name)),
        })
        .collect();
    if problems.is_empty() {
        CriterionResult::pass(c, "全部成员参加基本医疗保险")
    } else {
        CriterionResult::fail(c, problems.join("；"))
    }
}

fn housing(grade: Option<&str>, renovated: Option<i32>, year: i32) -> CriterionResult {
    let c = Criterion::Housing;
    // A renovation done by the assessment year makes the house safe even if the recorded grade is
    // the one found before the renovation; a renovation planned for a later year does not count yet.
    if let Some(y) = renovated.filter(|y| *y <= year) {
        return CriterionResult::pass(c, format!("已于{y}年完成危房改造"));
    }
    let grade = grade.map(|g| g.trim().to_ascii_uppercase());
    match grade.as_deref() {
        Some("A") | Some("B") => {
            CriterionResult::pass(c, format!("住房为{}级，安全", grade.unwrap_or_default()))
        }
        Some(g @ ("C" | "D")) => {
            let kind = if g == "C" {
                "局部危房"
            } else {
                "整幢危房"
            };
            let later = renovated
                .map(|y| format!("（危改年度{y}年晚于评估年度）"))
                .unwrap_or_default();
            CriterionResult::fail(c, format!("住房为{g}级{kind}，未完成危房改造{later}"))
        }
        None | Some("") => CriterionResult::fail(c, "未登记危房等级"),
        Some(other) => CriterionResult::fail(c, format!("危房等级“{other}”无效（应为A–D）")),
    }
}

/// Steps of the household exit procedure (domain.md §3.1, national procedure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExitStep {
    /// 村提名.
    Proposal,
    /// 民主评议.
    DemocraticAppraisal,
    /// 村委会和驻村工作队核实.
    Verification,
    /// 户签字认可.
    HouseholdConsent,
    /// 村内公示.
    PublicNotice,
    /// 乡镇审核.
    TownshipReview,
    /// 县级审定公告.
    CountyApproval,
    /// 销号 (terminal).
    Done,
}

impl Step for ExitStep {
    const ORDER: &'static [Self] = &[
        ExitStep::Proposal,
        ExitStep::DemocraticAppraisal,
        ExitStep::Verification,
        ExitStep::HouseholdConsent,
        ExitStep::PublicNotice,
        ExitStep::TownshipReview,
        ExitStep::CountyApproval,
        ExitStep::Done,
    ];
    const NOTICE: Self = ExitStep::PublicNotice;

    fn as_str(self) -> &'static str {
        match self {
            ExitStep::Proposal => "proposal",
            ExitStep::DemocraticAppraisal => "democratic_appraisal",
            ExitStep::Verification => "verification",
            ExitStep::HouseholdConsent => "household_consent",
            ExitStep::PublicNotice => "public_notice",
            ExitStep::TownshipReview => "township_review",
            ExitStep::CountyApproval => "county_approval",
            ExitStep::Done => "done",
        }
    }

    fn office(self) -> Level {
        match self {
            ExitStep::TownshipReview => Level::Township,
            ExitStep::CountyApproval => Level::County,
            _ => Level::Village,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ExitStep::Proposal => "村提名",
            ExitStep::DemocraticAppraisal => "民主评议",
            ExitStep::Verification => "村委会和驻村工作队核实",
            ExitStep::HouseholdConsent => "户签字认可",
            ExitStep::PublicNotice => "村内公示",
            ExitStep::TownshipReview => "乡镇审核",
            ExitStep::CountyApproval => "县级审定公告",
            ExitStep::Done => "销号",
        }
    }
}

/// The state of a household's exit procedure; its evidence is the exit assessment.
pub type ExitProcedure = Workflow<ExitStep, ExitAssessment>;

/// An action on an exit procedure (`Complete` carries the assessment as evidence).
pub type ExitAction = Action<ExitAssessment>;

/// The step after `step`; `None` after 销号.
pub fn next_step(step: ExitStep) -> Option<ExitStep> {
    step.next()
}

/// Start an exit procedure at 村提名 with a notice of `notice_days` days.
pub fn start_exit(date: Date, actor: &str, notice_days: i32) -> DomainResult<ExitProcedure> {
    Workflow::start(date, actor, notice_days, None)
}

/// Start an exit procedure with the notice length in force for the region and year.
pub fn start_exit_for(
    params: &[super::standards::Parameter],
    region: &RegionCode,
    year: i32,
    date: Date,
    actor: &str,
) -> DomainResult<ExitProcedure> {
    let days = days_param(params, key::PUBLIC_NOTICE_DAYS, region, year)?;
    start_exit(date, actor, days)
}

/// Apply an action. County approval needs the household's assessment, and it must pass; any
/// assessment given with another step must pass too (completing a step on a failing assessment
/// would record a check that did not happen).
pub fn apply(
    state: &ExitProcedure,
    action: ExitAction,
    date: Date,
    actor: &str,
) -> DomainResult<ExitProcedure> {
    state.apply_with(action, date, actor, |step, assessment| {
        require_passing(step == ExitStep::CountyApproval, assessment, "退出评估")
    })
}

/// Shared gate: an assessment, if given, must pass; when `required`, it must be given.
pub(crate) fn require_passing(
    required: bool,
    assessment: Option<&Assessment>,
    what: &str,
) -> DomainResult<()> {
    match assessment {
        None if required => Err(DomainError::invalid(
            "evidence",
            "assessment_required",
            format!("审定须附{what}结果"),
        )),
        Some(a) if !a.passed => Err(DomainError::conflict(
            "assessment_failed",
            format!("{what}未通过，不能办理：{}", a.summary()),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::procedure::{EventKind, Timeliness};
    use crate::assessment::standards::default_parameters;
    use time::macros::date;

    const ON: Date = date!(2018 - 11 - 15);

    fn member(name: &str, birth: Date, schooling: Option<&str>) -> ExitMember {
        ExitMember {
            name: name.into(),
            birth_date: birth,
            schooling: schooling.map(String::from),
            out_of_school_reason: None,
            basic_medical_insurance: Some(true),
            dropout: false,
        }
    }

    /// A household that passes everything: 2018 line 2995 yuan, income 4100 yuan.
    fn good() -> ExitInput {
        ExitInput {
            assessment_date: ON,
            per_capita_net_income: Some(Fen::from_yuan(4100).into()),
            line: Fen::from_yuan(2995),
            food_secure: Some(true),
            clothing_secure: Some(true),
            members: vec![
                member("户主甲", date!(1970 - 05 - 01), Some("01")),
                member("子乙", date!(2008 - 03 - 01), Some("04")),
            ],
            housing_grade: Some("B".into()),
            housing_renovated_year: None,
            safe_drinking_water: Some(true),
        }
    }

    fn failed_of(a: &ExitAssessment) -> Vec<Criterion> {
        a.failed().map(|c| c.criterion).collect()
    }

    #[test]
    fn ages() {
        // (birth, on, age)
        let cases = [
            (date!(2008 - 11 - 15), ON, 10),
            (date!(2008 - 11 - 16), ON, 9),
            (date!(2004 - 02 - 29), date!(2019 - 02 - 28), 14),
            (date!(2004 - 02 - 29), date!(2019 - 03 - 01), 15),
            (date!(2004 - 02 - 29), date!(2020 - 02 - 29), 16),
        ];
        for (birth, on, age) in cases {
            assert_eq!(age_on(birth, on), age, "{birth} on {on}");
        }
    }

    #[test]
    fn a_good_household_passes() {
        let a = assess_exit(&good());
        assert!(a.passed, "{}", a.summary());
        assert_eq!(a.criteria.len(), 7);
        assert_eq!(a.summary(), "各项标准均已达到");
    }

    #[test]
    fn criteria_table() {
        type Edit = fn(&mut ExitInput);
        // (what, edit, failing criteria, fragment of the reason)
        let cases: Vec<(&str, Edit, Vec<Criterion>, &str)> = vec![
            (
                "income on the line",
                |i| i.per_capita_net_income = Some(Fen::from_yuan(2995).into()),
                vec![Criterion::Income],
                "等于贫困线",
            ),
            (
                "income one fen above",
                |i| i.per_capita_net_income = Some(Fen::new(299_501).into()),
                vec![],
                "",
            ),
            (
                // 898 501 fen over 3 persons is 299 500.33 fen: above the line, though it
                // rounds to the line
                "income a third of a fen above",
                |i| i.per_capita_net_income = PerCapita::new(Fen::new(898_501), 3),
                vec![],
                "",
            ),
            (
                // 898 499 fen over 3 persons is 299 499.67 fen: below, though it rounds to the line
                "income a third of a fen below",
                |i| i.per_capita_net_income = PerCapita::new(Fen::new(898_499), 3),
                vec![Criterion::Income],
                "低于贫困线",
            ),
            (
                "income on the line over 3 persons",
                |i| i.per_capita_net_income = PerCapita::new(Fen::new(898_500), 3),
                vec![Criterion::Income],
                "等于贫困线",
            ),
            (
                "income below",
                |i| i.per_capita_net_income = Some(Fen::from_yuan(2000).into()),
                vec![Criterion::Income],
                "低于贫困线",
            ),
            (
                "income missing",
                |i| i.per_capita_net_income = None,
                vec![Criterion::Income],
                "缺少人均纯收入",
            ),
            (
                "food no",
                |i| i.food_secure = Some(false),
                vec![Criterion::Food],
                "不愁吃：否",
            ),
            (
                "clothing missing",
                |i| i.clothing_secure = None,
                vec![Criterion::Clothing],
                "未登记“不愁穿”",
            ),
            (
                "child out of school",
                |i| i.members[1].schooling = Some("01".into()),
                vec![Criterion::CompulsoryEducation],
                "子乙（10岁）为非在校生",
            ),
            (
                "child schooling missing",
                |i| i.members[1].schooling = None,
                vec![Criterion::CompulsoryEducation],
                "未登记在校生状况",
            ),
            (
                "out of school with a reason",
                |i| {
                    i.members[1].schooling = Some("01".into());
                    i.members[1].out_of_school_reason = Some("重度残疾，送教上门".into());
                },
                vec![],
                "",
            ),
            (
                "blank reason is no reason",
                |i| {
                    i.members[1].schooling = Some("01".into());
                    i.members[1].out_of_school_reason = Some("  ".into());
                },
                vec![Criterion::CompulsoryEducation],
                "非在校生",
            ),
            (
                "16-year-old not a student",
                |i| i.members[1].birth_date = date!(2002 - 11 - 15),
                vec![],
                "",
            ),
            (
                "5-year-old without schooling",
                |i| {
                    i.members[1].birth_date = date!(2013 - 01 - 01);
                    i.members[1].schooling = None;
                },
                vec![],
                "",
            ),
            (
                "6-year-old without schooling",
                |i| {
                    i.members[1].birth_date = date!(2012 - 11 - 15);
                    i.members[1].schooling = None;
                },
                vec![Criterion::CompulsoryEducation],
                "（6岁）",
            ),
            (
                "preschool counts as in school",
                |i| i.members[1].schooling = Some("02".into()),
                vec![],
                "",
            ),
            (
                "not insured",
                |i| i.members[0].basic_medical_insurance = Some(false),
                vec![Criterion::MedicalInsurance],
                "户主甲未参加",
            ),
            (
                "insurance missing",
                |i| i.members[1].basic_medical_insurance = None,
                vec![Criterion::MedicalInsurance],
                "子乙未登记",
            ),
            (
                "grade A",
                |i| i.housing_grade = Some("a".into()),
                vec![],
                "",
            ),
            (
                "grade C",
                |i| i.housing_grade = Some("C".into()),
                vec![Criterion::Housing],
                "C级局部危房",
            ),
            (
                "grade D renovated",
                |i| {
                    i.housing_grade = Some("D".into());
                    i.housing_renovated_year = Some(2017);
                },
                vec![],
                "",
            ),
            (
                "grade D renovated in the year",
                |i| {
                    i.housing_grade = Some("D".into());
                    i.housing_renovated_year = Some(2018);
                },
                vec![],
                "",
            ),
            (
                "grade D renovation next year",
                |i| {
                    i.housing_grade = Some("D".into());
                    i.housing_renovated_year = Some(2019);
                },
                vec![Criterion::Housing],
                "晚于评估年度",
            ),
            (
                "grade missing",
                |i| i.housing_grade = None,
                vec![Criterion::Housing],
                "未登记危房等级",
            ),
            (
                "grade missing but renovated",
                |i| {
                    i.housing_grade = None;
                    i.housing_renovated_year = Some(2016);
                },
                vec![],
                "",
            ),
            (
                "grade invalid",
                |i| i.housing_grade = Some("E".into()),
                vec![Criterion::Housing],
                "无效",
            ),
            (
                "water unsafe",
                |i| i.safe_drinking_water = Some(false),
                vec![Criterion::DrinkingWater],
                "饮水安全：否",
            ),
            (
                "no members",
                |i| i.members.clear(),
                vec![Criterion::CompulsoryEducation, Criterion::MedicalInsurance],
                "没有家庭成员",
            ),
        ];
        for (what, edit, want, fragment) in cases {
            let mut input = good();
            edit(&mut input);
            let a = assess_exit(&input);
            assert_eq!(failed_of(&a), want, "{what}");
            assert_eq!(a.passed, want.is_empty(), "{what}");
            if !fragment.is_empty() {
                assert!(a.summary().contains(fragment), "{what}: {}", a.summary());
            }
        }
    }

    fn complete(assessment: Option<ExitAssessment>) -> ExitAction {
        Action::Complete {
            note: None,
            evidence: assessment,
        }
    }

    /// Walk a fresh procedure (notice 7 days) to the notice: five steps on 1–5 November.
    fn at_notice() -> ExitProcedure {
        let mut p = start_exit(date!(2018 - 11 - 01), "村支书", 7).unwrap();
        for day in 1..=4 {
            let d = Date::from_calendar_date(2018, time::Month::November, day).unwrap();
            p = apply(&p, complete(None), d, "村支书").unwrap();
        }
        assert_eq!(p.step(), ExitStep::PublicNotice);
        p
    }

    #[test]
    fn steps_in_order() {
        let mut s = ExitStep::Proposal;
        let mut seen = vec![s];
        while let Some(n) = next_step(s) {
            seen.push(n);
            s = n;
        }
        assert_eq!(seen, ExitStep::ORDER);
        assert_eq!(next_step(ExitStep::Done), None);
        assert_eq!(ExitStep::Verification.label(), "村委会和驻村工作队核实");
    }

    #[test]
    fn full_procedure_to_done() {
        let p = at_notice();
        assert_eq!(p.notice_start(), Some(date!(2018 - 11 - 04)));
        assert_eq!(p.notice_earliest_end(), Some(date!(2018 - 11 - 11)));
        let p = apply(&p, complete(None), date!(2018 - 11 - 11), "村支书").unwrap();
        let p = apply(&p, complete(None), date!(2018 - 11 - 12), "乡镇扶贫办").unwrap();
        assert_eq!(p.step(), ExitStep::CountyApproval);
        let a = assess_exit(&good());
        let p = apply(
            &p,
            complete(Some(a.clone())),
            date!(2018 - 11 - 15),
            "县扶贫办",
        )
        .unwrap();
        assert_eq!(p.step(), ExitStep::Done);
        assert!(p.is_finished());
        assert_eq!(p.finished_on(), Some(date!(2018 - 11 - 15)));
        assert_eq!(p.evidence(), Some(&a));
        assert_eq!(p.history().len(), 1 + 7);
        assert_eq!(p.timeliness(date!(2019 - 01 - 01)), Timeliness::NoLimit);
        let e = apply(&p, complete(None), date!(2018 - 11 - 16), "县扶贫办").unwrap_err();
        assert_eq!(e.code, "procedure_finished");
    }

    /// A too long or empty text of a case action is named by its label on the case (异议内容,
    /// 核实及处理结果, 退回理由), not by another form's label for the same field name.
    #[test]
    fn case_texts_are_named_by_their_labels() {
        let notice = at_notice();
        let long = "长".repeat(1001);
        let e = apply(
            &notice,
            Action::RecordObjection { text: long.clone() },
            date!(2018 - 11 - 06),
            "村民代表",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("text"));
        assert!(e.message.starts_with("异议内容 过长"), "{}", e.message);
        let e = apply(
            &notice,
            Action::Reject { reason: " ".into() },
            date!(2018 - 11 - 06),
            "乡镇",
        )
        .unwrap_err();
        assert_eq!(e.message, "退回理由 不能为空");
        let with_objection = apply(
            &notice,
            Action::RecordObjection {
                text: "有异议".into(),
            },
            date!(2018 - 11 - 06),
            "村民代表",
        )
        .unwrap();
        let e = apply(
            &with_objection,
            Action::ResolveObjection {
                id: 1,
                resolution: long,
            },
            date!(2018 - 11 - 07),
            "驻村工作队",
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("核实及处理结果 过长"),
            "{}",
            e.message
        );
    }

    #[test]
    fn procedure_rules_table() {
        let notice = at_notice();
        let mut with_objection = apply(
            &notice,
            Action::RecordObjection {
                text: "群众反映该户有车辆".into(),
            },
            date!(2018 - 11 - 06),
            "村民代表",
        )
        .unwrap();
        assert_eq!(with_objection.open_objections(), 1);
        let resolved = apply(
            &with_objection,
            Action::ResolveObjection {
                id: 1,
                resolution: "经核实车辆为借用，异议不成立".into(),
            },
            date!(2018 - 11 - 08),
            "驻村工作队",
        )
        .unwrap();
        let township = apply(&resolved, complete(None), date!(2018 - 11 - 11), "村支书").unwrap();
        let county = apply(&township, complete(None), date!(2018 - 11 - 12), "乡镇").unwrap();
        let mut failing = good();
        failing.safe_drinking_water = Some(false);
        let failing = assess_exit(&failing);
        let fresh = start_exit(ON, "a", 7).unwrap();

        // (what, state, action, date, expected error code)
        let cases: Vec<(&str, &ExitProcedure, ExitAction, Date, &str)> = vec![
            (
                "notice one day short",
                &notice,
                complete(None),
                date!(2018 - 11 - 10),
                "notice_too_short",
            ),
            (
                "open objection blocks",
                &with_objection,
                complete(None),
                date!(2018 - 11 - 20),
                "open_objections",
            ),
            (
                "objection outside notice",
                &township,
                Action::RecordObjection { text: "x".into() },
                date!(2018 - 11 - 12),
                "not_in_notice",
            ),
            (
                "resolve unknown objection",
                &resolved,
                Action::ResolveObjection {
                    id: 9,
                    resolution: "x".into(),
                },
                date!(2018 - 11 - 09),
                "objection_not_found",
            ),
            (
                "resolve twice",
                &resolved,
                Action::ResolveObjection {
                    id: 1,
                    resolution: "x".into(),
                },
                date!(2018 - 11 - 09),
                "objection_already_resolved",
            ),
            (
                "approval without assessment",
                &county,
                complete(None),
                date!(2018 - 11 - 13),
                "assessment_required",
            ),
            (
                "approval with failing assessment",
                &county,
                complete(Some(failing.clone())),
                date!(2018 - 11 - 13),
                "assessment_failed",
            ),
            (
                "failing assessment at another step",
                &township,
                complete(Some(failing)),
                date!(2018 - 11 - 13),
                "assessment_failed",
            ),
            (
                "date before previous action",
                &county,
                complete(Some(assess_exit(&good()))),
                date!(2018 - 11 - 11),
                "date_before_previous",
            ),
            (
                "reject at the first step",
                &fresh,
                Action::Reject { reason: "x".into() },
                ON,
                "nothing_to_reject",
            ),
            (
                "reject without reason",
                &county,
                Action::Reject { reason: " ".into() },
                date!(2018 - 11 - 13),
                "required",
            ),
        ];
        for (what, state, action, date, code) in cases {
            let e = apply(state, action, date, "县扶贫办").unwrap_err();
            assert_eq!(e.code, code, "{what}: {}", e.message);
        }
        // a blank actor is refused on every action
        let e = apply(&notice, complete(None), date!(2018 - 11 - 20), " ").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("actor"));
        // the failed attempts left the states untouched
        with_objection = apply(
            &with_objection,
            Action::ResolveObjection {
                id: 1,
                resolution: "已核实".into(),
            },
            date!(2018 - 11 - 07),
            "驻村工作队",
        )
        .unwrap();
        assert_eq!(with_objection.open_objections(), 0);
    }

    #[test]
    fn reject_goes_back_to_proposal() {
        let p = at_notice();
        let p = apply(
            &p,
            Action::RecordObjection {
                text: "收入不实".into(),
            },
            date!(2018 - 11 - 05),
            "村民",
        )
        .unwrap();
        let p = apply(
            &p,
            Action::Reject {
                reason: "异议成立：收入未达标".into(),
            },
            date!(2018 - 11 - 06),
            "村支书",
        )
        .unwrap();
        assert_eq!(p.step(), ExitStep::Proposal);
        assert_eq!(p.notice_start(), None);
        assert!(p.objections().is_empty());
        assert!(!p.is_finished());
        let last = p.history().last().unwrap();
        assert_eq!(last.kind, EventKind::Rejected);
        assert_eq!(last.step, ExitStep::PublicNotice);
        assert_eq!(last.note.as_deref(), Some("异议成立：收入未达标"));
        // The objection stays in the history; a new round gives objections fresh ids.
        assert!(p
            .history()
            .iter()
            .any(|e| e.kind == EventKind::ObjectionRecorded { id: 1 }));
    }

    #[test]
    fn notice_days_from_parameters() {
        let d = default_parameters();
        let v = RegionCode::parse("360124106204").unwrap();
        let p = start_exit_for(&d, &v, 2018, ON, "村支书").unwrap();
        assert_eq!(p.notice_days(), 7);
        assert_eq!(
            start_exit_for(&d, &v, 2010, ON, "村支书").unwrap_err().code,
            "parameter_not_set"
        );
    }
}
