//! Measure records (帮扶措施, 一户一策): what a household or one of its members received, with the
//! fields its kind needs, and the rules for their input.

use crate::assessment::age_on;
use crate::assessment::standards::{count_or_shipped, fen_or_shipped, key, Parameter};
use crate::error::{check_text, opt_text, DomainError, DomainResult, Problems};
use crate::measures::{Catalogue, Destination, EmploymentForm, Form};
use crate::money::Fen;
use crate::regions::RegionCode;
use crate::registry::{HouseholdId, PersonId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct MeasureId(pub i64);

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Entered by an office.
    Entered,
    /// Imported from a department's list.
    Imported,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Entered => "entered",
            Origin::Imported => "imported",
        }
    }
    pub fn parse(s: &str) -> Option<Origin> {
        [Origin::Entered, Origin::Imported]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// Where a measure stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    /// 实施中
    #[default]
    Active,
    /// 已完成 (an end date is required)
    Ended,
    /// 已撤销 (recorded in error or not carried out; kept for the history, left out of reports)
    Cancelled,
}

impl MeasureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureStatus::Active => "active",
            MeasureStatus::Ended => "ended",
            MeasureStatus::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Active => "实施中",
            MeasureStatus::Ended => "已完成",
            MeasureStatus::Cancelled => "已撤销",
        }
    }
    pub fn parse(s: &str) -> Option<MeasureStatus> {
        [
            MeasureStatus::Active,
            MeasureStatus::Ended,
            MeasureStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s || x.label() == s)
    }
}

/// Employment as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmploymentInput {
    pub employer: String,
    /// The employer's region (12 digits; another province may be given by its province code).
    pub employer_region_code: String,
    /// `migrant_work` … or the Chinese label (外出务工 …).
    pub employment_form: String,
    /// Months worked (1–12 a year).
    pub months: i32,
    pub monthly_wage_fen: i64,
}

/// Training (技能培训) as sent and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub course: String,
    /// 岗前 / 技能提升 / 创业
    pub training_type: TrainingType,
    pub hours: i32,
    #[serde(default)]
    pub certificate: bool,
    #[serde(default)]
    pub subsidy_fen: i64,
    #[serde(default)]
    pub living_allowance_fen: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrainingType {
    /// 岗前培训
    PreJob,
    /// 技能提升
    Upgrading,
    /// 创业培训
    Startup,
}

impl TrainingType {
    pub const ALL: [TrainingType; 3] = [
        TrainingType::PreJob,
        TrainingType::Upgrading,
        TrainingType::Startup,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingType::PreJob => "pre_job",
            TrainingType::Upgrading => "upgrading",
            TrainingType::Startup => "startup",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TrainingType::PreJob => "岗前培训",
            TrainingType::Upgrading => "技能提升",
            TrainingType::Startup => "创业培训",
        }
    }
    /// By identifier or Chinese label (岗前 and 创业 without 培训 too).
    pub fn parse(s: &str) -> Option<TrainingType> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.label() == s || t.label().trim_end_matches("培训") == s)
    }
}

impl SchoolStage {
    pub const ALL: [SchoolStage; 6] = [
        SchoolStage::Preschool,
        SchoolStage::Primary,
        SchoolStage::JuniorSecondary,
        SchoolStage::SeniorSecondary,
        SchoolStage::Vocational,
        SchoolStage::Higher,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolStage::Preschool => "preschool",
            SchoolStage::Primary => "primary",
            SchoolStage::JuniorSecondary => "junior_secondary",
            SchoolStage::SeniorSecondary => "senior_secondary",
            SchoolStage::Vocational => "vocational",
            SchoolStage::Higher => "higher",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SchoolStage::Preschool => "学前",
            SchoolStage::Primary => "小学",
            SchoolStage::JuniorSecondary => "初中",
            SchoolStage::SeniorSecondary => "高中",
            SchoolStage::Vocational => "中职",
            SchoolStage::Higher => "高等教育",
        }
    }
    /// By identifier or Chinese label (also 学前教育, 普通高中, 技工学校, 大学, 高职, 本科).
    pub fn parse(s: &str) -> Option<SchoolStage> {
        let s = s.trim();
        let alias = match s {
            "学前教育" | "幼儿园" => Some(SchoolStage::Preschool),
            "普通高中" => Some(SchoolStage::SeniorSecondary),
            "技工学校" | "中职中专" | "中专" => Some(SchoolStage::Vocational),
            "大学" | "高职" | "本科" | "大专" => Some(SchoolStage::Higher),
            _ => None,
        };
        alias.or_else(|| {
            Self::ALL
                .into_iter()
                .find(|t| t.as_str() == s || t.label() == s)
        })
    }
}

/// A loan (小额信贷 / 创业担保贷款); its amount is the measure's `amount_fen`, its borrower the
/// measure's person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Loan {
    pub term_months: i32,
    /// Yearly rate in hundredths of a percent (435 = 4.35%).
    pub annual_rate_bp: i32,
    #[serde(default)]
    pub interest_subsidy_fen: i64,
    /// What the money is for (生产经营).
    pub purpose: String,
    /// Repaid so far (fen); a loan past its term and not repaid in full is overdue (a monitoring
    /// warning).
    #[serde(default)]
    pub repaid_fen: i64,
}

/// Education support of a student (the measure's person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Education {
    pub school: String,
    pub stage: SchoolStage,
    #[serde(default)]
    pub tuition_waived_fen: i64,
    /// 助学金
    #[serde(default)]
    pub grant_fen: i64,
    /// 雨露计划
    #[serde(default)]
    pub yulu_fen: i64,
    /// 辍学: the exit assessment's education criterion reads it.
    #[serde(default)]
    pub dropout: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SchoolStage {
    Preschool,
    Primary,
    JuniorSecondary,
    SeniorSecondary,
    /// 中职 / 技工学校
    Vocational,
    /// 高职 / 本科 and above
    Higher,
}

/// Health support of a person (the measure's person).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = HealthDetails))]
#[serde(deny_unknown_fields, default)]
pub struct Health {
    /// 家庭医生签约
    pub signed_doctor: bool,
    /// 大病救治
    pub serious_illness: bool,
    /// 医疗救助
    pub medical_assistance_fen: i64,
    /// 个人自付 in the measure's year.
    pub out_of_pocket_fen: i64,
}

/// 低保 / 特困 support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Assistance {
    pub monthly_fen: i64,
    /// Persons covered.
    pub persons: i32,
}

/// Resident pension (城乡居民养老保险) of a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Pension {
    pub enrolled: bool,
    /// Receiving the pension (aged 60 and over).
    pub receiving: bool,
    /// Premium paid by government (代缴), fen.
    pub premium_paid_by_government_fen: i64,
}

/// The fields of a measure's form, as sent by a client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum DetailsInput {
    #[default]
    General,
    Employment(EmploymentInput),
    Training(Training),
    Loan(Loan),
    Education(Education),
    Health(Health),
    Assistance(Assistance),
    Pension(Pension),
}

impl DetailsInput {
    fn form(&self) -> Form {
        match self {
            DetailsInput::General => Form::General,
            DetailsInput::Employment(_) => Form::Employment,
            DetailsInput::Training(_) => Form::Training,
            DetailsInput::Loan(_) => Form::Loan,
            DetailsInput::Education(_) => Form::Education,
            DetailsInput::Health(_) => Form::Health,
            DetailsInput::Assistance(_) => Form::Assistance,
            DetailsInput::Pension(_) => Form::Pension,
        }
    }
}

/// Employment as stored, with its derived destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Employment {
    pub employer: String,
    pub employer_region_code: RegionCode,
    pub employment_form: EmploymentForm,
    pub months: i32,
    pub monthly_wage_fen: i64,
    pub destination: Destination,
}

/// The fields of a measure's form, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Details {
    General,
    Employment(Employment),
    Training(Training),
    Loan(Loan),
    Education(Education),
    Health(Health),
    Assistance(Assistance),
    Pension(Pension),
}

impl Details {
    pub fn form(&self) -> Form {
        match self {
            Details::General => Form::General,
            Details::Employment(_) => Form::Employment,
            Details::Training(_) => Form::Training,
            Details::Loan(_) => Form::Loan,
            Details::Education(_) => Form::Education,
            Details::Health(_) => Form::Health,
            Details::Assistance(_) => Form::Assistance,
            Details::Pension(_) => Form::Pension,
        }
    }
    /// The employment's destination, for employment measures.
    pub fn destination(&self) -> Option<Destination> {
        match self {
            Details::Employment(e) => Some(e.destination),
            _ => None,
        }
    }
}

/// A measure as sent by a client. The household cannot change once recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureInput {
    pub household_id: HouseholdId,
    /// The member it is for; `None` for the household as a whole. Loans, education, health and
    /// pension are a person's.
    #[serde(default)]
    pub person_id: Option<PersonId>,
    /// Code or label of a kind of the catalogue.
    pub kind: String,
    pub start_date: Date,
    #[serde(default)]
    pub end_date: Option<Date>,
    /// The measure's amount: a loan's principal, a subsidy, a grant (fen).
    #[serde(default)]
    pub amount_fen: i64,
    /// The department or helping unit that provides it.
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub status: MeasureStatus,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub details: DetailsInput,
}

/// What the store looks up before a measure is checked: the household's village, the person's
/// birth date (when a person is named), the standards, today.
#[derive(Debug, Clone)]
pub struct MeasureFacts<'a> {
    pub village: RegionCode,
    pub birth_date: Option<Date>,
    pub params: &'a [Parameter],
    pub today: Date,
}

/// A measure, validated (what is stored, without ids and bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureData {
    pub household_id: HouseholdId,
    pub person_id: Option<PersonId>,
    pub category: String,
    pub kind: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub amount_fen: i64,
    pub provider: Option<String>,
    pub status: MeasureStatus,
    pub note: Option<String>,
    pub details: Details,
}

/// The limits of 扶贫小额信贷, parameters by region and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MicrocreditLimits {
    pub max_amount: Fen,
    pub max_months: i64,
    pub min_age: i64,
    pub max_age: i64,
}

impl MicrocreditLimits {
    /// The limits in force (the shipped standards where none is set).
    pub fn in_force(params: &[Parameter], region: &RegionCode, year: i32) -> MicrocreditLimits {
        MicrocreditLimits {
            max_amount: fen_or_shipped(params, key::MICROCREDIT_MAX_AMOUNT, region, year),
            max_months: count_or_shipped(params, key::MICROCREDIT_MAX_MONTHS, region, year),
            min_age: count_or_shipped(params, key::MICROCREDIT_MIN_AGE, region, year),
            max_age: count_or_shipped(params, key::MICROCREDIT_MAX_AGE, region, year),
        }
    }
}

fn amount(field: &str, fen: i64) -> DomainResult<i64> {
    Fen::input(field, fen).map(Fen::get)
}

fn range(field: &str, v: i32, lo: i32, hi: i32, what: &str) -> DomainResult<i32> {
    if v < lo || v > hi {
        return Err(DomainError::invalid(
            field,
            "out_of_range",
            format!("{field}（{what}）须在 {lo} 到 {hi} 之间"),
        ));
    }
    Ok(v)
}

fn need_person(person: Option<PersonId>, what: &str) -> DomainResult<()> {
    if person.is_none() {
        return Err(DomainError::invalid(
            "person_id",
            "person_required",
            format!("{what}须指定享受的家庭成员"),
        ));
    }
    Ok(())
}

impl MeasureInput {
    /// Check a measure against the catalogue and the facts the store looked up. Every rule whose
    /// field can be checked on its own is checked, and all that fail are reported at once (the
    /// first is the error, `errors` lists them all); only an unknown kind, or details of another
    /// form than the kind's, stop the checks early.
    pub fn validate(&self, cat: &Catalogue, f: &MeasureFacts) -> DomainResult<MeasureData> {
        let (category, kind) = cat.kind("kind", &self.kind)?;
        let mut p = Problems::new();
        if self.start_date.year() < 2000 || self.start_date > f.today + time::Duration::days(366) {
            p.push(DomainError::invalid(
                "start_date",
                "date_out_of_range",
                "开始日期须在2000年之后，且不超过今后一年",
            ));
        }
        if let Some(e) = self.end_date {
            if e < self.start_date {
                p.push(DomainError::invalid(
                    "end_date",
                    "end_before_start",
                    "结束日期不能早于开始日期",
                ));
            }
        }
        if self.status == MeasureStatus::Ended && self.end_date.is_none() {
            p.push(DomainError::invalid(
                "end_date",
                "required",
                "已完成的措施须填写结束日期",
            ));
        }
        let amount_fen = p
            .check(amount("amount_fen", self.amount_fen))
            .unwrap_or_default();
        let provider = p
            .check(opt_text("provider", &self.provider, 100))
            .unwrap_or_default();
        let note = p
            .check(opt_text("note", &self.note, 1000))
            .unwrap_or_default();
        if self.details.form() != kind.form {
            p.push(DomainError::invalid(
                "details",
                "wrong_form",
                format!(
                    "“{}”类措施须填写 {} 信息，而不是 {}",
                    kind.label,
                    kind.form.as_str(),
                    self.details.form().as_str()
                ),
            ));
            p.finish()?;
            return Err(DomainError::internal());
        }
        let details = match &self.details {
            DetailsInput::General => Some(Details::General),
            DetailsInput::Employment(e) => {
                let form = EmploymentForm::parse(&e.employment_form);
                if form.is_none() {
                    p.push(DomainError::invalid(
                        "details.employment_form",
                        "unknown_code",
                        "details.employment_form 须为 外出务工 / 扶贫车间 / 公益性岗位 / 自主创业 / 灵活就业 之一",
                    ));
                }
                if let (Some(fixed), Some(form)) = (kind.employment_form, form) {
                    if fixed != form {
                        p.push(DomainError::invalid(
                            "details.employment_form",
                            "wrong_employment_form",
                            format!("“{}”的就业形式须为{}", kind.label, fixed.label()),
                        ));
                    }
                }
                let destination = p
                    .check(RegionCode::parse_field(
                        "details.employer_region_code",
                        &e.employer_region_code,
                    ))
                    .and_then(|region| {
                        p.check(Destination::derive(
                            "details.employer_region_code",
                            &region,
                            &f.village,
                        ))
                        .map(|d| (region, d))
                    });
                let employer = p.check(check_text("details.employer", &e.employer, 100));
                let months = p.check(range("details.months", e.months, 1, 12, "每年务工月数"));
                let wage = p.check(amount("details.monthly_wage_fen", e.monthly_wage_fen));
                match (form, destination, employer, months, wage) {
                    (
                        Some(employment_form),
                        Some((employer_region_code, destination)),
                        Some(employer),
                        Some(months),
                        Some(monthly_wage_fen),
                    ) => Some(Details::Employment(Employment {
                        employer,
                        employer_region_code,
                        employment_form,
                        months,
                        monthly_wage_fen,
                        destination,
                    })),
                    _ => None,
                }
            }
            DetailsInput::Training(t) => Some(Details::Training(Training {
                course: p
                    .check(check_text("details.course", &t.course, 100))
                    .unwrap_or_default(),
                training_type: t.training_type,
                hours: p
                    .check(range("details.hours", t.hours, 1, 2000, "培训学时"))
                    .unwrap_or_default(),
                certificate: t.certificate,
                subsidy_fen: p
                    .check(amount("details.subsidy_fen", t.subsidy_fen))
                    .unwrap_or_default(),
                living_allowance_fen: p
                    .check(amount(
                        "details.living_allowance_fen",
                        t.living_allowance_fen,
                    ))
                    .unwrap_or_default(),
            })),
            DetailsInput::Loan(l) => {
                p.check(need_person(self.person_id, "贷款"));
                if self.amount_fen == 0 {
                    p.push(DomainError::invalid(
                        "amount_fen",
                        "required",
                        "贷款须填写金额",
                    ));
                }
                let term = p.check(range(
                    "details.term_months",
                    l.term_months,
                    1,
                    360,
                    "贷款期限（月）",
                ));
                if kind.microcredit {
                    let lim =
                        MicrocreditLimits::in_force(f.params, &f.village, self.start_date.year());
                    if amount_fen > lim.max_amount.get() {
                        p.push(DomainError::invalid(
                            "amount_fen",
                            "over_limit",
                            format!(
                                "扶贫小额信贷金额不能超过 {} 元",
                                lim.max_amount.yuan_string()
                            ),
                        ));
                    }
                    if term.is_some_and(|t| i64::from(t) > lim.max_months) {
                        p.push(DomainError::invalid(
                            "details.term_months",
                            "over_limit",
                            format!("扶贫小额信贷期限不能超过 {} 个月", lim.max_months),
                        ));
                    }
                    if self.person_id.is_some() {
                        let birth = f.birth_date.ok_or_else(DomainError::internal)?;
                        let age = i64::from(age_on(birth, self.start_date));
                        if age < lim.min_age || age > lim.max_age {
                            p.push(DomainError::invalid(
                                "person_id",
                                "borrower_age",
                                format!(
                                    "扶贫小额信贷借款人年龄须在 {} 到 {} 周岁之间（放款时 {age} 周岁）",
                                    lim.min_age, lim.max_age
                                ),
                            ));
                        }
                    }
                }
                let repaid_fen = p.check(amount("details.repaid_fen", l.repaid_fen));
                if repaid_fen.is_some_and(|r| r > amount_fen) && self.amount_fen >= 0 {
                    p.push(DomainError::invalid(
                        "details.repaid_fen",
                        "over_limit",
                        "已还金额不能超过贷款金额",
                    ));
                }
                Some(Details::Loan(Loan {
                    repaid_fen: repaid_fen.unwrap_or_default(),
                    term_months: term.unwrap_or_default(),
                    annual_rate_bp: p
                        .check(range(
                            "details.annual_rate_bp",
                            l.annual_rate_bp,
                            0,
                            10_000,
                            "年利率（万分之一）",
                        ))
                        .unwrap_or_default(),
                    interest_subsidy_fen: p
                        .check(amount(
                            "details.interest_subsidy_fen",
                            l.interest_subsidy_fen,
                        ))
                        .unwrap_or_default(),
                    purpose: p
                        .check(check_text("details.purpose", &l.purpose, 200))
                        .unwrap_or_default(),
                }))
            }
            DetailsInput::Education(e) => {
                p.check(need_person(self.person_id, "教育资助"));
                Some(Details::Education(Education {
                    school: p
                        .check(check_text("details.school", &e.school, 100))
                        .unwrap_or_default(),
                    stage: e.stage,
                    tuition_waived_fen: p
                        .check(amount("details.tuition_waived_fen", e.tuition_waived_fen))
                        .unwrap_or_default(),
                    grant_fen: p
                        .check(amount("details.grant_fen", e.grant_fen))
                        .unwrap_or_default(),
                    yulu_fen: p
                        .check(amount("details.yulu_fen", e.yulu_fen))
                        .unwrap_or_default(),
                    dropout: e.dropout,
                }))
            }
            DetailsInput::Health(h) => {
                p.check(need_person(self.person_id, "健康帮扶"));
                Some(Details::Health(Health {
                    signed_doctor: h.signed_doctor,
                    serious_illness: h.serious_illness,
                    medical_assistance_fen: p
                        .check(amount(
                            "details.medical_assistance_fen",
                            h.medical_assistance_fen,
                        ))
                        .unwrap_or_default(),
                    out_of_pocket_fen: p
                        .check(amount("details.out_of_pocket_fen", h.out_of_pocket_fen))
                        .unwrap_or_default(),
                }))
            }
            DetailsInput::Assistance(a) => Some(Details::Assistance(Assistance {
                monthly_fen: p
                    .check(amount("details.monthly_fen", a.monthly_fen))
                    .unwrap_or_default(),
                persons: p
                    .check(range("details.persons", a.persons, 1, 50, "保障人数"))
                    .unwrap_or_default(),
            })),
            DetailsInput::Pension(x) => {
                p.check(need_person(self.person_id, "养老保险"));
                Some(Details::Pension(Pension {
                    enrolled: x.enrolled || x.receiving,
                    receiving: x.receiving,
                    premium_paid_by_government_fen: p
                        .check(amount(
                            "details.premium_paid_by_government_fen",
                            x.premium_paid_by_government_fen,
                        ))
                        .unwrap_or_default(),
                }))
            }
        };
        p.finish()?;
        Ok(MeasureData {
            household_id: self.household_id,
            person_id: self.person_id,
            category: category.code.clone(),
            kind: kind.code.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            amount_fen,
            provider,
            status: self.status,
            note,
            details: details.ok_or_else(DomainError::internal)?,
        })
    }
}

/// A measure as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    pub id: MeasureId,
    pub household_id: HouseholdId,
    pub household_number: String,
    pub village_code: RegionCode,
    pub person_id: Option<PersonId>,
    /// The member's name, when the measure is a person's.
    pub person_name: Option<String>,
    pub category: String,
    pub kind: String,
    pub kind_label: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub amount_fen: i64,
    pub provider: Option<String>,
    pub origin: Origin,
    pub status: MeasureStatus,
    pub note: Option<String>,
    pub details: Details,
    /// 1 when recorded, one more with every change.
    pub version: i32,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Measure {
    /// The measure's validated fields, as its history keeps them.
    pub fn data(&self) -> MeasureData {
        MeasureData {
            household_id: self.household_id,
            person_id: self.person_id,
            category: self.category.clone(),
            kind: self.kind.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            amount_fen: self.amount_fen,
            provider: self.provider.clone(),
            status: self.status,
            note: self.note.clone(),
            details: self.details.clone(),
        }
    }
}

/// One version of a measure in its history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureVersion {
    pub version: i32,
    /// `create` or `update`.
    pub action: String,
    pub data: MeasureData,
    pub origin: Origin,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::default_parameters;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    fn facts(params: &[Parameter], birth: Option<Date>) -> MeasureFacts<'_> {
        MeasureFacts {
            village: RegionCode::parse("360124106204").unwrap(),
            birth_date: birth,
            params,
            today: TODAY,
        }
    }

    fn loan(amount_fen: i64, term: i32) -> MeasureInput {
        MeasureInput {
            household_id: HouseholdId(1),
            person_id: Some(PersonId(2)),
            kind: "扶贫小额信贷".into(),
            start_date: date!(2018 - 03 - 01),
            end_date: None,
            amount_fen,
            provider: Some("进贤农商银行".into()),
            status: MeasureStatus::Active,
            note: None,
            details: DetailsInput::Loan(Loan {
                term_months: term,
                annual_rate_bp: 435,
                interest_subsidy_fen: 0,
                purpose: "养殖".into(),
                repaid_fen: 0,
            }),
        }
    }

    fn err(input: &MeasureInput, f: &MeasureFacts) -> (&'static str, String, String) {
        let e = input.validate(Catalogue::shipped(), f).unwrap_err();
        (e.code, e.field.unwrap_or_default(), e.message)
    }

    #[test]
    fn microcredit_limits_from_the_standards() {
        let params = default_parameters();
        let f = facts(&params, Some(date!(1970 - 05 - 01)));
        let ok = loan(5_000_000, 36)
            .validate(Catalogue::shipped(), &f)
            .unwrap();
        assert_eq!((ok.category.as_str(), ok.kind.as_str()), ("09", "0901"));
        let (code, field, msg) = err(&loan(5_000_001, 36), &f);
        assert_eq!((code, field.as_str()), ("over_limit", "amount_fen"));
        assert!(msg.contains("50000.00 元"), "{msg}");
        let (code, field, _) = err(&loan(1_000_000, 37), &f);
        assert_eq!(
            (code, field.as_str()),
            ("over_limit", "details.term_months")
        );
        // a borrower of 70 (and of 17) is refused, naming the borrower
        for birth in [date!(1948 - 01 - 01), date!(2001 - 03 - 02)] {
            let (code, field, msg) = err(&loan(1_000_000, 12), &facts(&params, Some(birth)));
            assert_eq!(
                (code, field.as_str()),
                ("borrower_age", "person_id"),
                "{msg}"
            );
            assert!(msg.contains("18 到 65"), "{msg}");
        }
        // a province that raised the limit
        let mut raised = params.clone();
        raised.push(Parameter {
            key: key::MICROCREDIT_MAX_AMOUNT.into(),
            region_prefix: Some(RegionCode::parse("36").unwrap()),
            year: 2017,
            value: crate::assessment::ParamValue::Fen(Fen::from_yuan(80_000)),
            source: "测试".into(),
            confirmed: true,
        });
        assert!(loan(8_000_000, 36)
            .validate(
                Catalogue::shipped(),
                &facts(&raised, Some(date!(1970 - 05 - 01)))
            )
            .is_ok());
        // a startup loan is not held to the microcredit limits, but still needs its borrower
        let startup = MeasureInput {
            kind: "创业担保贷款".into(),
            ..loan(10_000_000, 36)
        };
        assert!(startup.validate(Catalogue::shipped(), &f).is_ok());
        let nobody = MeasureInput {
            person_id: None,
            ..startup
        };
        assert_eq!(err(&nobody, &f).0, "person_required");
    }

    #[test]
    fn every_fault_at_once() {
        let params = default_parameters();
        // a borrower of 70, over the amount and over the term, ending before it starts
        let f = facts(&params, Some(date!(1948 - 01 - 01)));
        let bad = MeasureInput {
            end_date: Some(date!(2018 - 02 - 01)),
            ..loan(6_000_000, 48)
        };
        let e = bad.validate(Catalogue::shipped(), &f).unwrap_err();
        let all: Vec<(&str, &str)> = e
            .errors
            .iter()
            .map(|p| (p.field.as_str(), p.code))
            .collect();
        assert_eq!(
            all,
            [
                ("end_date", "end_before_start"),
                ("amount_fen", "over_limit"),
                ("details.term_months", "over_limit"),
                ("person_id", "borrower_age"),
            ]
        );
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("end_before_start", Some("end_date"))
        );
        assert!(e.errors.iter().all(|p| !p.message.is_empty()));
        // one fault is one error, with no list
        let one = MeasureInput {
            end_date: None,
            ..bad
        }
        .validate(
            Catalogue::shipped(),
            &facts(&params, Some(date!(1970 - 05 - 01))),
        );
        let e = one.unwrap_err();
        assert!(e.errors.len() == 2 && e.code == "over_limit", "{e:?}");
        let single = loan(6_000_000, 12)
            .validate(
                Catalogue::shipped(),
                &facts(&params, Some(date!(1970 - 05 - 01))),
            )
            .unwrap_err();
        assert!(single.errors.is_empty());
        assert_eq!(single.field.as_deref(), Some("amount_fen"));
    }

    #[test]
    fn dates_and_amounts() {
        let params = default_parameters();
        let f = facts(&params, Some(date!(1970 - 05 - 01)));
        let backwards = MeasureInput {
            end_date: Some(date!(2018 - 02 - 28)),
            ..loan(100, 12)
        };
        assert_eq!(err(&backwards, &f).0, "end_before_start");
        let ended = MeasureInput {
            status: MeasureStatus::Ended,
            ..loan(100, 12)
        };
        assert_eq!(err(&ended, &f).1, "end_date");
        assert_eq!(err(&loan(-1, 12), &f).0, "negative_amount");
        let general = |amount_fen| MeasureInput {
            kind: "危房改造".into(),
            amount_fen,
            details: DetailsInput::General,
            person_id: None,
            ..loan(0, 1)
        };
        let (code, field, _) = err(&general(crate::money::MAX_INPUT_FEN + 1), &f);
        assert_eq!((code, field.as_str()), ("amount_too_large", "amount_fen"));
        assert_eq!(err(&general(i64::MAX), &f).0, "amount_too_large");
        assert!(general(1_500_000)
            .validate(Catalogue::shipped(), &f)
            .is_ok());
        // the form must be the kind's
        let wrong = MeasureInput {
            details: DetailsInput::General,
            ..loan(100, 12)
        };
        assert_eq!(err(&wrong, &f).0, "wrong_form");
    }

    #[test]
    fn employment_derives_its_destination() {
        let params = default_parameters();
        let f = facts(&params, None);
        let job = |region: &str, form: &str, kind: &str| MeasureInput {
            household_id: HouseholdId(1),
            person_id: Some(PersonId(2)),
            kind: kind.into(),
            start_date: date!(2019 - 01 - 01),
            end_date: None,
            amount_fen: 0,
            provider: None,
            status: MeasureStatus::Active,
            note: None,
            details: DetailsInput::Employment(EmploymentInput {
                employer: "某电子厂".into(),
                employer_region_code: region.into(),
                employment_form: form.into(),
                months: 10,
                monthly_wage_fen: 350_000,
            }),
        };
        let dest = |m: MeasureInput| {
            m.validate(Catalogue::shipped(), &f)
                .unwrap()
                .details
                .destination()
        };
        assert_eq!(
            dest(job("360124100000", "扶贫车间", "务工就业")),
            Some(Destination::InCounty)
        );
        assert_eq!(
            dest(job("360700000000", "外出务工", "务工就业")),
            Some(Destination::InProvince)
        );
        assert_eq!(
            dest(job("44", "外出务工", "务工就业")),
            Some(Destination::CrossProvince)
        );
        assert_eq!(
            err(&job("360100000000", "外出务工", "务工就业"), &f).0,
            "region_too_coarse"
        );
        // a public-welfare post is one form only
        let (code, field, _) = err(&job("360124106204", "外出务工", "公益性岗位"), &f);
        assert_eq!(
            (code, field.as_str()),
            ("wrong_employment_form", "details.employment_form")
        );
        assert!(job("360124106204", "公益性岗位", "公益性岗位")
            .validate(Catalogue::shipped(), &f)
            .is_ok());
        let months = MeasureInput {
            details: DetailsInput::Employment(EmploymentInput {
                employer: "厂".into(),
                employer_region_code: "360124000000".into(),
                employment_form: "灵活就业".into(),
                months: 13,
                monthly_wage_fen: 1,
            }),
            ..job("", "", "务工就业")
        };
        let (code, field, msg) = err(&months, &f);
        assert_eq!((code, field.as_str()), ("out_of_range", "details.months"));
        assert!(msg.contains("1 到 12"), "{msg}");
    }
}
