//! The rectification model: problems (问题清单) with their trail of steps, campaigns (整改行动), and
//! the progress figures (found / in progress / signed off / overdue) per region and responsible unit.

use super::workflow::EventAction;
use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::regions::RegionCode;
use crate::registry::{HouseholdId, PersonId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Database id of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ProblemId(pub i64);

/// Database id of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CampaignId(pub i64);

/// Declares a closed set of codes with their Chinese labels, parsed from either.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $code:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $code),* }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label),* }
            }
            /// From the code or the Chinese label.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
            }
        }
    };
}

code_enum!(
    /// Who found the problem.
    Source {
        Inspection = "inspection", "上级督查";
        Audit = "audit", "审计";
        Patrol = "patrol", "巡视巡察";
        SelfCheck = "self_check", "自查";
        Complaint = "complaint", "12317举报";
        Rule = "rule", "数据规则";
        Comparison = "comparison", "数据比对";
    }
);

impl Source {
    /// Sources only the system writes (a rule's run, a comparison), never a person's entry.
    pub fn is_automatic(self) -> bool {
        matches!(self, Source::Rule | Source::Comparison)
    }
}

code_enum!(
    /// What the problem is about.
    Category {
        Identification = "identification", "识别不精准";
        Exit = "exit", "退出不精准";
        Assistance = "assistance", "帮扶不精准";
        Funds = "funds", "资金项目";
        DataQuality = "data_quality", "数据质量";
        Monitoring = "monitoring", "监测预警";
        Conduct = "conduct", "作风问题";
        Other = "other", "其他";
    }
);

code_enum!(
    /// How serious it is.
    Severity {
        Low = "low", "一般";
        Medium = "medium", "较重";
        High = "high", "严重";
    }
);

code_enum!(
    /// Where a problem stands.
    ProblemStatus {
        Open = "open", "待整改";
        InProgress = "in_progress", "整改中";
        CloseRequested = "close_requested", "待销号";
        Closed = "closed", "已销号";
    }
);

/// A problem as stored, with what the reader needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: ProblemId,
    pub region_code: RegionCode,
    pub region_name: String,
    pub household_id: Option<HouseholdId>,
    pub household_number: Option<String>,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    /// A project of the projects area, by id, when the problem concerns one.
    pub project_id: Option<i64>,
    pub campaign_id: Option<CampaignId>,
    pub campaign_name: Option<String>,
    pub source: Source,
    pub source_label: &'static str,
    /// The inspection, audit or list the problem comes from (督查组, 审计报告, the department list).
    pub source_ref: Option<String>,
    /// The data-quality rule that found it.
    pub rule_code: Option<String>,
    /// What a rule or comparison found it on (`household:12:2018`), one problem per subject.
    pub subject_key: Option<String>,
    pub description: String,
    pub category: Category,
    pub category_label: &'static str,
    pub severity: Severity,
    pub severity_label: &'static str,
    pub responsible_unit: String,
    pub responsible_person: Option<String>,
    pub found_on: Date,
    pub deadline: Date,
    /// The measures taken or planned (整改措施).
    pub measures: Option<String>,
    pub status: ProblemStatus,
    pub status_label: &'static str,
    /// Past its deadline and not signed off (as of the day it was read).
    pub overdue: bool,
    /// The evidence a rule or comparison found (the department's row, masked).
    pub evidence: Option<serde_json::Value>,
    pub close_requested_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub close_requested_at: Option<OffsetDateTime>,
    pub closed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// The region above the problem's that an overdue problem was escalated to (督办).
    pub escalated_to: Option<RegionCode>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    pub version: i32,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One step of a problem's trail, dated and attributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemEvent {
    pub seq: i32,
    pub action: EventAction,
    pub action_label: &'static str,
    pub from_status: Option<ProblemStatus>,
    pub to_status: ProblemStatus,
    pub note: Option<String>,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Files attached to the step's note (photos, scanned documents), in upload order.
    pub attachments: Vec<super::AttachmentRef>,
}

/// A problem with its whole trail, oldest step first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemDetail {
    pub problem: Problem,
    pub trail: Vec<ProblemEvent>,
}

/// A problem as entered by a person.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    /// The region the problem belongs to; may be left out when a household is given (its village).
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub household_id: Option<HouseholdId>,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    pub source: String,
    #[serde(default)]
    pub source_ref: Option<String>,
    pub description: String,
    pub category: String,
    pub severity: String,
    pub responsible_unit: String,
    #[serde(default)]
    pub responsible_person: Option<String>,
    pub found_on: Date,
    pub deadline: Date,
    #[serde(default)]
    pub measures: Option<String>,
}

/// A checked [`ProblemInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemData {
    pub region_code: Option<RegionCode>,
    pub household_id: Option<HouseholdId>,
    pub person_id: Option<PersonId>,
    pub project_id: Option<i64>,
    pub campaign_id: Option<CampaignId>,
    pub source: Source,
    pub source_ref: Option<String>,
    pub description: String,
    pub category: Category,
    pub severity: Severity,
    pub responsible_unit: String,
    pub responsible_person: Option<String>,
    pub found_on: Date,
    pub deadline: Date,
    pub measures: Option<String>,
}

fn code<T>(field: &str, value: &str, parse: fn(&str) -> Option<T>, all: &str) -> DomainResult<T> {
    parse(value).ok_or_else(|| {
        DomainError::invalid(
            field,
            "unknown_code",
            format!("{field} 的取值“{}”不在代码表“{all}”中", value.trim()),
        )
    })
}

impl ProblemInput {
    /// Check a person's entry of a problem as of `today`.
    pub fn validate(&self, today: Date) -> DomainResult<ProblemData> {
        let region_code = match self.region_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(RegionCode::parse_field("region_code", c)?),
        };
        if region_code.is_none() && self.household_id.is_none() {
            return Err(DomainError::invalid(
                "region_code",
                "required",
                "region_code 不能为空",
            ));
        }
        let source = code("source", &self.source, Source::parse, "问题来源")?;
        if source.is_automatic() {
            return Err(DomainError::invalid(
                "source",
                "automatic_source",
                format!("“{}”的问题由系统生成，不能手工登记", source.label()),
            ));
        }
        let category = code("category", &self.category, Category::parse, "问题类别")?;
        let severity = code("severity", &self.severity, Severity::parse, "严重程度")?;
        if self.found_on > today {
            return Err(DomainError::invalid(
                "found_on",
                "date_in_future",
                format!("found_on 不能晚于今天（{today}）"),
            ));
        }
        if self.deadline < self.found_on {
            return Err(DomainError::invalid(
                "deadline",
                "deadline_before_found",
                "整改期限不能早于发现日期",
            ));
        }
        Ok(ProblemData {
            region_code,
            household_id: self.household_id,
            person_id: self.person_id,
            project_id: self.project_id,
            campaign_id: self.campaign_id,
            source,
            source_ref: opt_text("source_ref", &self.source_ref, 200)?,
            description: check_text("description", &self.description, 2000)?,
            category,
            severity,
            responsible_unit: check_text("responsible_unit", &self.responsible_unit, 100)?,
            responsible_person: opt_text("responsible_person", &self.responsible_person, 50)?,
            found_on: self.found_on,
            deadline: self.deadline,
            measures: opt_text("measures", &self.measures, 2000)?,
        })
    }
}

/// Whether a problem is overdue on `today`: past its deadline and not signed off.
pub fn is_overdue(status: ProblemStatus, deadline: Date, today: Date) -> bool {
    status != ProblemStatus::Closed && deadline < today
}

/// The region an overdue problem of `region` escalates to: the level above (a village's problem to
/// its township, a township's to its county); a province's stays with the province.
pub fn escalation_target(region: &RegionCode) -> RegionCode {
    region.parent().unwrap_or_else(|| region.clone())
}

/// A campaign (整改行动): a named period of rectification over a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub region_code: RegionCode,
    pub region_name: String,
    pub start_date: Date,
    pub end_date: Date,
    pub description: Option<String>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A campaign as entered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    pub region_code: String,
    pub start_date: Date,
    pub end_date: Date,
    #[serde(default)]
    pub description: Option<String>,
}

/// A checked [`CampaignInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignData {
    pub name: String,
    pub region_code: RegionCode,
    pub start_date: Date,
    pub end_date: Date,
    pub description: Option<String>,
}

impl CampaignInput {
    pub fn validate(&self) -> DomainResult<CampaignData> {
        if self.end_date < self.start_date {
            return Err(DomainError::invalid(
                "end_date",
                "end_before_start",
                "结束日期不能早于开始日期",
            ));
        }
        Ok(CampaignData {
            name: check_text("name", &self.name, 100)?,
            region_code: RegionCode::parse_field("region_code", &self.region_code)?,
            start_date: self.start_date,
            end_date: self.end_date,
            description: opt_text("description", &self.description, 2000)?,
        })
    }
}

/// Counts of problems: found (all), in progress (not signed off), signed off, overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProblemProgress))]
pub struct Progress {
    pub found: i64,
    pub in_progress: i64,
    pub closed: i64,
    pub overdue: i64,
}

impl Progress {
    /// Count one problem.
    pub fn add(&mut self, status: ProblemStatus, overdue: bool) {
        self.found += 1;
        if status == ProblemStatus::Closed {
            self.closed += 1;
        } else {
            self.in_progress += 1;
        }
        if overdue {
            self.overdue += 1;
        }
    }

    /// Signed off as a share of found, in per cent with one decimal (0 when none was found).
    pub fn closed_pct(&self) -> f64 {
        if self.found == 0 {
            0.0
        } else {
            ((self.closed * 1000 + self.found / 2) / self.found) as f64 / 10.0
        }
    }
}

/// One line of a progress table: a child region or a responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressLine {
    /// The child region's code, or the responsible unit's name.
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub progress: Progress,
}

/// The rectification view of a region: its totals, per child region, per responsible unit, and the
/// overdue problems escalated to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationBoard {
    pub region_code: RegionCode,
    pub region_name: String,
    pub campaign_id: Option<CampaignId>,
    /// The day overdue is counted on.
    pub as_of: Date,
    pub total: Progress,
    pub by_region: Vec<ProgressLine>,
    pub by_unit: Vec<ProgressLine>,
    /// Overdue problems escalated to this region (督办).
    pub escalated_here: i64,
}

/// A campaign with its progress per region and per responsible unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignDetail {
    pub campaign: Campaign,
    pub board: RectificationBoard,
}

/// Which problems a list shows; everything within the caller's scope by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProblemFilter {
    pub region: Option<RegionCode>,
    pub status: Option<ProblemStatus>,
    pub campaign: Option<CampaignId>,
    pub source: Option<Source>,
    pub responsible_unit: Option<String>,
    /// Only problems overdue today.
    pub overdue: bool,
    /// Only problems escalated to this region.
    pub escalated_to: Option<RegionCode>,
    pub household: Option<HouseholdId>,
    /// Keyset cursor: problems with a larger id (a smaller one when `descending`).
    pub after: Option<ProblemId>,
    pub limit: u32,
    /// Newest first: the id order backwards.
    pub descending: bool,
}

/// A page of problems, in id order, with the cursor of the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemPage {
    pub items: Vec<Problem>,
    pub next: Option<ProblemId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> ProblemInput {
        ProblemInput {
            region_code: Some("360124106204".into()),
            source: "上级督查".into(),
            description: "危房改造未验收".into(),
            category: "assistance".into(),
            severity: "较重".into(),
            responsible_unit: "罗溪镇人民政府".into(),
            found_on: date!(2019 - 03 - 10),
            deadline: date!(2019 - 04 - 30),
            household_id: None,
            person_id: None,
            project_id: None,
            campaign_id: None,
            source_ref: None,
            responsible_person: None,
            measures: None,
        }
    }

    #[test]
    fn codes_parse_from_code_or_label() {
        let d = input().validate(date!(2019 - 05 - 01)).unwrap();
        assert_eq!(d.source, Source::Inspection);
        assert_eq!(d.severity, Severity::Medium);
        assert_eq!(d.category, Category::Assistance);
        let mut i = input();
        i.category = "别的".into();
        let e = i.validate(date!(2019 - 05 - 01)).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("unknown_code", Some("category"))
        );
    }

    #[test]
    fn entries_are_checked() {
        let today = date!(2019 - 05 - 01);
        let mut i = input();
        i.source = "rule".into();
        assert_eq!(i.validate(today).unwrap_err().code, "automatic_source");
        let mut i = input();
        i.deadline = date!(2019 - 03 - 09);
        assert_eq!(i.validate(today).unwrap_err().code, "deadline_before_found");
        let mut i = input();
        i.found_on = date!(2019 - 05 - 02);
        i.deadline = date!(2019 - 06 - 02);
        assert_eq!(i.validate(today).unwrap_err().code, "date_in_future");
        let mut i = input();
        i.region_code = None;
        assert_eq!(i.validate(today).unwrap_err().code, "required");
        i.household_id = Some(HouseholdId(1));
        assert!(i.validate(today).is_ok(), "a household gives the region");
        let mut i = input();
        i.responsible_unit = " ".into();
        assert_eq!(i.validate(today).unwrap_err().code, "required");
    }

    #[test]
    fn overdue_and_escalation() {
        let d = date!(2019 - 04 - 30);
        assert!(
            !is_overdue(ProblemStatus::Open, d, d),
            "due today is not late"
        );
        assert!(is_overdue(
            ProblemStatus::CloseRequested,
            d,
            date!(2019 - 05 - 01)
        ));
        assert!(!is_overdue(ProblemStatus::Closed, d, date!(2019 - 05 - 01)));
        let village = RegionCode::parse("360124106204").unwrap();
        assert_eq!(escalation_target(&village).as_str(), "360124106000");
        let province = RegionCode::parse("360000000000").unwrap();
        assert_eq!(escalation_target(&province), province);
    }

    #[test]
    fn progress_counts() {
        let mut p = Progress::default();
        p.add(ProblemStatus::Open, true);
        p.add(ProblemStatus::Closed, false);
        p.add(ProblemStatus::CloseRequested, false);
        assert_eq!(
            p,
            Progress {
                found: 3,
                in_progress: 2,
                closed: 1,
                overdue: 1
            }
        );
        assert_eq!(p.closed_pct(), 33.3);
    }
}
