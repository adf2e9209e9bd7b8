//! A project of the library (项目库): what it is, where, when, who answers for it, its performance
//! targets (no target, no entry), the households it should benefit and how, and the record of
//! public participation; the rules for its input.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::projects::Stage;
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ProjectId(pub i64);

/// Category of a project (项目类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProjectCategory))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 基础设施
    Infrastructure,
    /// 产业
    Industry,
    /// 集体经济
    CollectiveEconomy,
    /// 就业
    Employment,
    /// 教育
    Education,
    /// 健康
    Health,
    /// 住房
    Housing,
    /// 其他
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Infrastructure,
        Category::Industry,
        Category::CollectiveEconomy,
        Category::Employment,
        Category::Education,
        Category::Health,
        Category::Housing,
        Category::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Infrastructure => "infrastructure",
            Category::Industry => "industry",
            Category::CollectiveEconomy => "collective_economy",
            Category::Employment => "employment",
            Category::Education => "education",
            Category::Health => "health",
            Category::Housing => "housing",
            Category::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Category::Infrastructure => "基础设施",
            Category::Industry => "产业",
            Category::CollectiveEconomy => "集体经济",
            Category::Employment => "就业",
            Category::Education => "教育",
            Category::Health => "健康",
            Category::Housing => "住房",
            Category::Other => "其他",
        }
    }
    /// The code or the Chinese label.
    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// How a household benefits from a project (带贫机制).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BenefitMode {
    /// 分红
    Dividend,
    /// 务工
    Employment,
    /// 土地流转
    LandTransfer,
    /// 带动生产
    Production,
    /// 公共服务
    PublicService,
}

impl BenefitMode {
    pub const ALL: [BenefitMode; 5] = [
        BenefitMode::Dividend,
        BenefitMode::Employment,
        BenefitMode::LandTransfer,
        BenefitMode::Production,
        BenefitMode::PublicService,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BenefitMode::Dividend => "dividend",
            BenefitMode::Employment => "employment",
            BenefitMode::LandTransfer => "land_transfer",
            BenefitMode::Production => "production",
            BenefitMode::PublicService => "public_service",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            BenefitMode::Dividend => "分红",
            BenefitMode::Employment => "务工",
            BenefitMode::LandTransfer => "土地流转",
            BenefitMode::Production => "带动生产",
            BenefitMode::PublicService => "公共服务",
        }
    }
    pub fn parse(s: &str) -> Option<BenefitMode> {
        let s = s.trim();
        BenefitMode::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// A performance target (绩效目标): an indicator and the value aimed at, e.g. 「受益贫困户 14 户」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub indicator: String,
    pub value: String,
}

/// A household the project should benefit, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryInput {
    pub household_id: HouseholdId,
    /// `dividend` … or the Chinese label (分红 …).
    pub mode: String,
}

/// A beneficiary as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Beneficiary {
    pub household_id: HouseholdId,
    pub mode: BenefitMode,
}

/// A project as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// The village where it is carried out (12 digits).
    pub village_code: String,
    pub name: String,
    /// `infrastructure` … or the Chinese label (基础设施 …).
    pub category: String,
    #[serde(default)]
    pub sub_category: Option<String>,
    /// The year of the library (and of the annual plan it is meant for).
    pub year: i32,
    pub planned_start: Date,
    pub planned_end: Date,
    pub responsible_unit: String,
    pub responsible_person: String,
    pub content: String,
    /// Planned investment, fen.
    pub budget_fen: i64,
    /// Required: a project without performance targets does not enter the library.
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub beneficiaries: Vec<BeneficiaryInput>,
    /// The public-participation record (村民代表大会, 议事 …).
    #[serde(default)]
    pub participation: Option<String>,
    /// The day the village proposed it (today when left out); its lifecycle starts then.
    #[serde(default)]
    pub proposed_on: Option<Date>,
}

/// A checked project, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectData {
    pub village_code: RegionCode,
    pub name: String,
    pub category: Category,
    pub sub_category: Option<String>,
    pub year: i32,
    pub planned_start: Date,
    pub planned_end: Date,
    pub responsible_unit: String,
    pub responsible_person: String,
    pub content: String,
    pub budget_fen: i64,
    pub targets: Vec<Target>,
    pub beneficiaries: Vec<Beneficiary>,
    pub participation: Option<String>,
}

/// The most targets and beneficiaries one project takes.
pub const MAX_TARGETS: usize = 50;
pub const MAX_BENEFICIARIES: usize = 10_000;

impl ProjectInput {
    /// Check the input. The village's existence and the beneficiaries' households are the store's.
    pub fn validate(&self) -> DomainResult<ProjectData> {
        let village_code = RegionCode::parse_field("village_code", &self.village_code)?;
        if !village_code.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                format!("{} 不是村级区划代码", village_code.as_str()),
            ));
        }
        let name = check_text("name", &self.name, 200)?;
        let category = Category::parse(&self.category).ok_or_else(|| {
            DomainError::invalid(
                "category",
                "unknown_project_category",
                format!(
                    "category 的取值“{}”不是项目类别（基础设施、产业、集体经济、就业、教育、健康、住房、其他）",
                    self.category
                ),
            )
        })?;
        let sub_category = opt_text("sub_category", &self.sub_category, 100)?;
        if !(2000..=2100).contains(&self.year) {
            return Err(DomainError::invalid(
                "year",
                "invalid_year",
                format!("year 不是有效年度：{}", self.year),
            ));
        }
        if self.planned_end < self.planned_start {
            return Err(DomainError::invalid(
                "planned_end",
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
        let responsible_unit = check_text("responsible_unit", &self.responsible_unit, 200)?;
        let responsible_person = check_text("responsible_person", &self.responsible_person, 100)?;
        let content = check_text("content", &self.content, 4000)?;
        let budget_fen = Fen::input("budget_fen", self.budget_fen)?.get();
        if self.targets.is_empty() {
            return Err(DomainError::invalid(
                "targets",
                "targets_required",
                "项目须填写绩效目标：没有绩效目标的项目不能入库",
            ));
        }
        if self.targets.len() > MAX_TARGETS {
            return Err(DomainError::invalid(
                "targets",
                "too_many_targets",
                format!("绩效目标最多 {MAX_TARGETS} 项"),
            ));
        }
        let targets = self
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(Target {
                    indicator: check_text(&format!("targets[{i}].indicator"), &t.indicator, 200)?,
                    value: check_text(&format!("targets[{i}].value"), &t.value, 200)?,
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        if self.beneficiaries.len() > MAX_BENEFICIARIES {
            return Err(DomainError::invalid(
                "beneficiaries",
                "too_many_beneficiaries",
                format!("受益户最多 {MAX_BENEFICIARIES} 条"),
            ));
        }
        let mut beneficiaries = Vec::with_capacity(self.beneficiaries.len());
        for (i, b) in self.beneficiaries.iter().enumerate() {
            let field = format!("beneficiaries[{i}].mode");
            let mode = BenefitMode::parse(&b.mode).ok_or_else(|| {
                DomainError::invalid(
                    field.clone(),
                    "unknown_benefit_mode",
                    format!(
                        "{field} 的取值“{}”不是带贫方式（分红、务工、土地流转、带动生产、公共服务）",
                        b.mode
                    ),
                )
            })?;
            let b = Beneficiary {
                household_id: b.household_id,
                mode,
            };
            if beneficiaries.contains(&b) {
                return Err(DomainError::invalid(
                    format!("beneficiaries[{i}]"),
                    "repeated_beneficiary",
                    format!("受益户 {} 的“{}”重复填写", b.household_id.0, mode.label()),
                ));
            }
            beneficiaries.push(b);
        }
        Ok(ProjectData {
            village_code,
            name,
            category,
            sub_category,
            year: self.year,
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            responsible_unit,
            responsible_person,
            content,
            budget_fen,
            targets,
            beneficiaries,
            participation: opt_text("participation", &self.participation, 4000)?,
        })
    }
}

impl ProjectData {
    /// The fields (by name) in which `other` says something else than `self`: what a ledger's
    /// row of a stored project would change. Beneficiaries compare as a set.
    pub fn differences(&self, other: &ProjectData) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut differ = |same: bool, field: &'static str| {
            if !same {
                out.push(field);
            }
        };
        differ(self.village_code == other.village_code, "village_code");
        differ(self.name == other.name, "name");
        differ(self.category == other.category, "category");
        differ(self.sub_category == other.sub_category, "sub_category");
        differ(self.year == other.year, "year");
        differ(self.planned_start == other.planned_start, "planned_start");
        differ(self.planned_end == other.planned_end, "planned_end");
        differ(
            self.responsible_unit == other.responsible_unit,
            "responsible_unit",
        );
        differ(
            self.responsible_person == other.responsible_person,
            "responsible_person",
        );
        differ(self.content == other.content, "content");
        differ(self.budget_fen == other.budget_fen, "budget_fen");
        differ(self.targets == other.targets, "targets");
        let set = |b: &[Beneficiary]| {
            let mut v: Vec<(i64, BenefitMode)> =
                b.iter().map(|x| (x.household_id.0, x.mode)).collect();
            v.sort();
            v
        };
        differ(
            set(&self.beneficiaries) == set(&other.beneficiaries),
            "beneficiaries",
        );
        differ(self.participation == other.participation, "participation");
        out
    }
}

/// A project as stored, with where it stands and its money so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    #[serde(flatten)]
    pub data: ProjectData,
    pub category_label: String,
    pub village_name: String,
    pub stage: Stage,
    pub stage_label: String,
    /// Σ allocated to it, Σ received, Σ disbursed (fen).
    pub allocated_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    /// The latest monthly progress, in per cent.
    pub progress_percent: i32,
    pub version: i32,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One version of a project in its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectVersion {
    pub version: i32,
    /// `create`, `update`, `step`, `progress` …
    pub action: String,
    pub data: serde_json::Value,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// Filters of a region's project list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectFilter {
    pub year: Option<i32>,
    pub category: Option<Category>,
    pub stage: Option<Stage>,
    /// Only projects past their planned end and not yet accepted (as of this day).
    pub overdue_on: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input() -> serde_json::Value {
        json!({
            "village_code": "360124106204", "name": "村组道路硬化", "category": "基础设施",
            "year": 2016, "planned_start": "2016-03-01", "planned_end": "2016-10-31",
            "responsible_unit": "罗溪镇人民政府", "responsible_person": "王主任",
            "content": "硬化村组道路 3 公里", "budget_fen": 60_000_000,
            "targets": [{"indicator": "硬化道路", "value": "3 公里"}],
            "beneficiaries": [{"household_id": 1, "mode": "公共服务"}],
        })
    }

    fn check(v: serde_json::Value) -> DomainResult<ProjectData> {
        serde_json::from_value::<ProjectInput>(v)
            .unwrap()
            .validate()
    }

    #[test]
    fn a_valid_project() {
        let d = check(input()).unwrap();
        assert_eq!(d.category, Category::Infrastructure);
        assert_eq!(d.beneficiaries[0].mode, BenefitMode::PublicService);
        assert_eq!(d.budget_fen, 60_000_000);
    }

    #[test]
    fn input_rules_table() {
        // (field to change, value, code, field of the error)
        let cases = [
            ("targets", json!([]), "targets_required", "targets"),
            (
                "category",
                json!("修路"),
                "unknown_project_category",
                "category",
            ),
            (
                "village_code",
                json!("360124106000"),
                "not_a_village",
                "village_code",
            ),
            (
                "planned_end",
                json!("2016-01-01"),
                "end_before_start",
                "planned_end",
            ),
            ("budget_fen", json!(-1), "negative_amount", "budget_fen"),
            ("name", json!("  "), "required", "name"),
            (
                "beneficiaries",
                json!([{"household_id": 1, "mode": "捐赠"}]),
                "unknown_benefit_mode",
                "beneficiaries[0].mode",
            ),
            (
                "beneficiaries",
                json!([{"household_id": 1, "mode": "分红"}, {"household_id": 1, "mode": "dividend"}]),
                "repeated_beneficiary",
                "beneficiaries[1]",
            ),
            (
                "targets",
                json!([{"indicator": "受益户", "value": " "}]),
                "required",
                "targets[0].value",
            ),
        ];
        for (key, value, code, field) in cases {
            let mut v = input();
            v[key] = value;
            let e = check(v).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{key}");
        }
    }

    #[test]
    fn labels_and_codes_parse_alike() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.label()), Some(c));
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for m in BenefitMode::ALL {
            assert_eq!(BenefitMode::parse(m.label()), Some(m));
        }
    }
}
