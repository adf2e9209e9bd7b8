//! Comparison with other departments' lists (数据比对): the kinds of list, the row each gives, and
//! what a match of a registered person flags — a problem to rectify or a monitoring warning (监测
//!预警), with the department's row as evidence. A match that a kind does not flag is only counted.

use super::model::{Category, Severity};
use crate::id_number::IdNumber;
use crate::money::Fen;
use serde::{Deserialize, Serialize};
use time::Date;

/// A department's list, by what it says about the persons on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Deaths,
    Dibao,
    Disability,
    Medical,
    Vehicles,
    Enterprises,
    Housing,
    Students,
    Employment,
}

impl ListKind {
    pub const ALL: &'static [ListKind] = &[
        ListKind::Deaths,
        ListKind::Dibao,
        ListKind::Disability,
        ListKind::Medical,
        ListKind::Vehicles,
        ListKind::Enterprises,
        ListKind::Housing,
        ListKind::Students,
        ListKind::Employment,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Deaths => "deaths",
            ListKind::Dibao => "dibao",
            ListKind::Disability => "disability",
            ListKind::Medical => "medical",
            ListKind::Vehicles => "vehicles",
            ListKind::Enterprises => "enterprises",
            ListKind::Housing => "housing",
            ListKind::Students => "students",
            ListKind::Employment => "employment",
        }
    }
    /// The list's name and the department that keeps it.
    pub fn label(self) -> &'static str {
        match self {
            ListKind::Deaths => "死亡人员（公安）",
            ListKind::Dibao => "低保/特困（民政）",
            ListKind::Disability => "残疾人证（残联）",
            ListKind::Medical => "医疗自付费用（医保）",
            ListKind::Vehicles => "车辆登记（车管）",
            ListKind::Enterprises => "企业登记（市场监管）",
            ListKind::Housing => "房产登记（住建）",
            ListKind::Students => "在校学生（教育）",
            ListKind::Employment => "就业参保（人社）",
        }
    }
    pub fn parse(s: &str) -> Option<ListKind> {
        let s = s.trim();
        ListKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// One row of a department's list (never serialised whole: its ID number is personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeptRow {
    pub id_number: IdNumber,
    pub name: Option<String>,
    /// The day the list dates its fact (death, registration, certificate).
    pub date: Option<Date>,
    /// An amount (medical costs out of pocket, a vehicle's or property's value).
    pub amount_fen: Option<i64>,
    /// What the department says (a plate, a company's name, an address).
    pub detail: Option<String>,
}

/// What a match flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ComparisonFlag))]
pub struct Flag {
    /// A problem to rectify; `false`: a monitoring warning.
    pub problem: bool,
    pub category: Category,
    pub severity: Severity,
    pub description: String,
}

/// Medical costs out of pocket from which a match is a monitoring warning (10,000 yuan a year).
pub const MEDICAL_WARNING_FEN: Fen = Fen::from_yuan(10_000);

/// What a match of a registered, active person on a list of `kind` flags, if anything.
pub fn flag(kind: ListKind, row: &DeptRow, person_name: &str) -> Option<Flag> {
    let on = |d: Option<Date>| d.map(|d| format!("（{d}）")).unwrap_or_default();
    let detail = row
        .detail
        .as_deref()
        .map(|d| format!("：{d}"))
        .unwrap_or_default();
    let (problem, category, severity, description) = match kind {
        ListKind::Deaths => (
            true,
            Category::DataQuality,
            Severity::High,
            format!(
                "{person_name}在公安死亡人员名单中{}，仍为在册成员：建议办理自然减少",
                on(row.date)
            ),
        ),
        ListKind::Vehicles => (
            true,
            Category::Identification,
            Severity::Medium,
            format!("{person_name}名下登记有车辆{detail}：核查识别准确性"),
        ),
        ListKind::Enterprises => (
            true,
            Category::Identification,
            Severity::Medium,
            format!("{person_name}登记有企业{detail}：核查识别准确性"),
        ),
        ListKind::Housing => (
            true,
            Category::Identification,
            Severity::Medium,
            format!("{person_name}名下有房产登记{detail}：核查识别准确性"),
        ),
        ListKind::Medical => {
            let amount = row.amount_fen?;
            if amount < MEDICAL_WARNING_FEN.get() {
                return None;
            }
            (
                false,
                Category::Monitoring,
                Severity::Medium,
                format!(
                    "{person_name}医疗自付费用 {} 元：开展防返贫监测排查",
                    Fen::new(amount).yuan_string()
                ),
            )
        }
        ListKind::Dibao => (
            false,
            Category::Monitoring,
            Severity::Low,
            format!("{person_name}在低保/特困名单中{detail}：确认兜底保障措施已落实"),
        ),
        ListKind::Disability => (
            false,
            Category::Monitoring,
            Severity::Low,
            format!("{person_name}持有残疾人证{detail}：核对健康状况与残疾人两项补贴"),
        ),
        ListKind::Students => (
            false,
            Category::Monitoring,
            Severity::Low,
            format!("{person_name}为在校学生{detail}：确认教育资助已落实"),
        ),
        // employment confirms what the registry says; it is counted, not flagged
        ListKind::Employment => return None,
    };
    Some(Flag {
        problem,
        category,
        severity,
        description,
    })
}

/// Lines of out-of-scope rows kept in a comparison's outcome.
pub const OUT_OF_SCOPE_LINES_KEPT: usize = 100;

/// What a comparison did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparisonOutcome {
    pub kind: String,
    pub kind_label: String,
    /// Rows read from the list (valid ID numbers).
    pub rows: u64,
    /// Rows whose ID number matches an active registered person in the caller's regions.
    pub matched: u64,
    /// Rows that match no one there (summarised, not flagged).
    pub unmatched: u64,
    /// Of the unmatched rows, those whose ID number is an active registered person outside the
    /// caller's regions (counted, never named: another region's registry is not the caller's).
    pub out_of_scope: u64,
    /// The lines of the first of those rows (up to [`OUT_OF_SCOPE_LINES_KEPT`]).
    pub out_of_scope_lines: Vec<u64>,
    /// Persons whose matches the list's kind flags, one problem or warning each.
    pub flagged_persons: u64,
    /// Matches flagged as problems.
    pub problems: u64,
    /// Matches flagged as monitoring warnings.
    pub warnings: u64,
    /// Flags already recorded by an earlier comparison (not repeated).
    pub already_recorded: u64,
    /// Of the problems and warnings, those signed off earlier and opened again by this list.
    pub reopened: u64,
    /// Households screened again for monitoring because the list's flags feed screening (medical
    /// costs out of pocket), and of them those on the early-warning list afterwards.
    pub screened_households: u64,
    pub early_warnings: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(amount: Option<i64>) -> DeptRow {
        DeptRow {
            id_number: IdNumber::parse("11010519491231002X").unwrap(),
            name: None,
            date: None,
            amount_fen: amount,
            detail: None,
        }
    }

    #[test]
    fn flags_by_kind() {
        let death = flag(ListKind::Deaths, &row(None), "张三").unwrap();
        assert!(death.problem && death.severity == Severity::High);
        assert!(death.description.contains("自然减少"));
        assert!(!flag(ListKind::Dibao, &row(None), "张三").unwrap().problem);
        assert_eq!(flag(ListKind::Employment, &row(None), "张三"), None);
        // medical costs: a warning from 10,000 yuan, nothing below
        assert_eq!(flag(ListKind::Medical, &row(Some(999_999)), "张三"), None);
        assert!(
            !flag(ListKind::Medical, &row(Some(1_000_000)), "张三")
                .unwrap()
                .problem
        );
        assert_eq!(ListKind::parse("死亡人员（公安）"), Some(ListKind::Deaths));
        assert_eq!(ListKind::parse("vehicles"), Some(ListKind::Vehicles));
    }
}
