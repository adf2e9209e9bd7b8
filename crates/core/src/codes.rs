//! Code tables (致贫原因, 健康状况, 劳动能力, 与户主关系 …) as versioned reference data.
//!
//! The defaults ship in `data/code-tables.json` (from the shared reference); a deployment may add
//! codes or versions in its database without a code change. Coded input accepts the code or the
//! Chinese label, and is stored as the code.

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default code tables shipped with fupin.
pub const DEFAULT_CODE_TABLES_JSON: &str = include_str!("../data/code-tables.json");

/// One code of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeEntry {
    pub code: String,
    pub label: String,
}

/// One code table as stored: name, version, source and its codes in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeTable {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub source: Option<String>,
    pub codes: Vec<CodeEntry>,
}

/// Names of the tables the registry validates against.
pub mod table {
    pub const HOUSEHOLD_ATTRIBUTE: &str = "household_attribute";
    pub const IDENTIFICATION_STANDARD: &str = "identification_standard";
    pub const POVERTY_CAUSE: &str = "poverty_cause";
    pub const RELATION_TO_HEAD: &str = "relation_to_head";
    pub const ETHNICITY: &str = "ethnicity";
    pub const EDUCATION: &str = "education";
    pub const SCHOOLING: &str = "schooling";
    pub const HEALTH: &str = "health";
    pub const LABOUR_ABILITY: &str = "labour_ability";
    pub const WORK_STATUS: &str = "work_status";
    pub const MEMBER_CHANGE: &str = "member_change";
    pub const HOUSING_SAFETY_GRADE: &str = "housing_safety_grade";
    pub const ROAD_TYPE: &str = "road_type";
    pub const FUEL_TYPE: &str = "fuel_type";
}

/// The code of the head of household in `relation_to_head`.
pub const HEAD_RELATION: &str = "01";

/// All code tables in force, looked up by table name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeBook {
    tables: BTreeMap<String, CodeTable>,
}

impl CodeBook {
    pub fn new(tables: impl IntoIterator<Item = CodeTable>) -> Self {
        Self {
            tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        }
    }

    /// The shipped defaults.
    pub fn defaults() -> Self {
        Self::new(default_tables())
    }

    pub fn tables(&self) -> impl Iterator<Item = &CodeTable> {
        self.tables.values()
    }

    pub fn table(&self, name: &str) -> Option<&CodeTable> {
        self.tables.get(name)
    }

    /// Resolve a code or label of `table` to its code; an unknown value is an error naming the field.
    pub fn resolve(&self, table: &str, field: &str, value: &str) -> DomainResult<String> {
        let label = crate::labels::Label(field);
        let v = value.trim();
        let t = self.tables.get(table).ok_or_else(|| {
            DomainError::invalid(
                field,
                "unknown_code_table",
                format!("代码表 {table} 不存在"),
            )
        })?;
        t.codes
            .iter()
            .find(|c| c.code == v || c.label == v)
            .map(|c| c.code.clone())
            .ok_or_else(|| {
                let shown: String = v.chars().take(30).collect();
                DomainError::invalid(
                    field,
                    "unknown_code",
                    format!("{label} 的取值“{shown}”不在代码表“{table}”中"),
                )
            })
    }

    /// Resolve an optional coded value (`None` and empty stay `None`).
    pub fn resolve_opt(
        &self,
        table: &str,
        field: &str,
        value: &Option<String>,
    ) -> DomainResult<Option<String>> {
        match value.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => self.resolve(table, field, v).map(Some),
        }
    }

    /// The label of a code, or the code itself when unknown.
    pub fn label<'a>(&'a self, table: &str, code: &'a str) -> &'a str {
        self.tables
            .get(table)
            .and_then(|t| t.codes.iter().find(|c| c.code == code))
            .map(|c| c.label.as_str())
            .unwrap_or(code)
    }
}

/// English labels of the shipped codes (`data/code-labels-en.json`), for pages shown in English.
/// Kept apart from the code tables: those are data a deployment extends in its database and
/// exports in Chinese; a translation is a matter of the pages only.
pub const ENGLISH_LABELS_JSON: &str = include_str!("../data/code-labels-en.json");

/// The English label of a shipped code; `None` for a code without one (one a deployment added).
pub fn english_label(table: &str, code: &str) -> Option<&'static str> {
    type Labels = BTreeMap<String, BTreeMap<String, String>>;
    static LABELS: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
    LABELS
        .get_or_init(|| {
            let doc: BTreeMap<String, serde_json::Value> =
                serde_json::from_str(ENGLISH_LABELS_JSON)
                    .expect("shipped English labels are valid");
            doc.into_iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .filter_map(|(k, v)| serde_json::from_value(v).ok().map(|m| (k, m)))
                .collect()
        })
        .get(table)
        .and_then(|t| t.get(code))
        .map(String::as_str)
}

/// The English label of a value the code itself defines (`enums` in `data/code-labels-en.json`:
/// a project's stage, an asset's kind, a problem's status …), by the enum's table name and the
/// value's stable code; `None` for an unknown one.
pub fn english_enum_label(table: &str, code: &str) -> Option<&'static str> {
    type Labels = BTreeMap<String, BTreeMap<String, String>>;
    static LABELS: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
    LABELS
        .get_or_init(|| {
            #[derive(Deserialize)]
            #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
            struct Doc {
                enums: Labels,
            }
            serde_json::from_str::<Doc>(ENGLISH_LABELS_JSON)
                .expect("shipped English labels are valid")
                .enums
        })
        .get(table)
        .and_then(|t| t.get(code))
        .map(String::as_str)
}

/// Parse the shipped defaults.
pub fn default_tables() -> Vec<CodeTable> {
    parse_tables(DEFAULT_CODE_TABLES_JSON).expect("shipped code tables are valid")
}

/// Parse a code-tables document: `{ name: {version, source, codes: [{code, label}]}, "_about": … }`.
pub fn parse_tables(json: &str) -> Result<Vec<CodeTable>, serde_json::Error> {
    #[derive(Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    struct Raw {
        version: String,
        #[serde(default)]
        source: Option<String>,
        codes: Vec<CodeEntry>,
    }
    let doc: BTreeMap<String, serde_json::Value> = serde_json::from_str(json)?;
    let mut out = Vec::new();
    for (name, v) in doc {
        if name.starts_with('_') {
            continue;
        }
        let raw: Raw = serde_json::from_value(v)?;
        out.push(CodeTable {
            name,
            version: raw.version,
            source: raw.source,
            codes: raw.codes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped code has its English label (a page in English never falls back to Chinese
    /// for the shipped tables), and the labels name no code that does not exist.
    #[test]
    fn every_shipped_code_has_an_english_label() {
        let b = CodeBook::defaults();
        for t in b.tables() {
            for c in &t.codes {
                assert!(
                    english_label(&t.name, &c.code).is_some_and(|l| !l.is_empty()),
                    "{} {} ({})",
                    t.name,
                    c.code,
                    c.label
                );
            }
        }
        let doc: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(ENGLISH_LABELS_JSON).unwrap();
        for (table, codes) in doc
            .iter()
            // (the measure catalogue's kinds are checked against the catalogue, in its module)
            .filter(|(k, _)| {
                !k.starts_with('_') && *k != "enums" && *k != crate::measures::ENGLISH_KIND_LABELS
            })
        {
            for code in codes.as_object().unwrap().keys() {
                assert_ne!(
                    b.label(table, code),
                    code,
                    "{table} {code} is not a shipped code"
                );
            }
        }
        assert_eq!(english_label(table::POVERTY_CAUSE, "01"), Some("Illness"));
        assert_eq!(english_label(table::POVERTY_CAUSE, "77"), None);
    }

    /// Every value of the enums shown on pages has its English label, and the labels name no
    /// value that does not exist.
    #[test]
    fn every_enum_value_has_an_english_label() {
        use crate::assessment::{
            EliminationStep, ExitStep, IdentificationStep, MonitoredKind, Step,
        };
        use crate::projects::{
            AssetKind, BenefitMode, Category, NoticeKind, OwnerKind, SourceKind, Stage,
        };
        use crate::rectification as r;
        fn steps<S: Step>() -> Vec<&'static str> {
            S::ORDER.iter().map(|s| s.as_str()).collect()
        }
        let tables: Vec<(&str, Vec<&str>)> = vec![
            (
                "sex",
                vec![
                    crate::id_number::Sex::Male.as_str(),
                    crate::id_number::Sex::Female.as_str(),
                ],
            ),
            ("project_stage", steps::<Stage>()),
            (
                "project_category",
                Category::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "benefit_mode",
                BenefitMode::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "source_kind",
                SourceKind::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "asset_kind",
                AssetKind::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "owner_kind",
                OwnerKind::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "notice_kind",
                NoticeKind::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            ("exit_step", steps::<ExitStep>()),
            ("identification_step", steps::<IdentificationStep>()),
            ("elimination_step", steps::<EliminationStep>()),
            (
                "monitored_kind",
                MonitoredKind::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "problem_source",
                r::Source::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "problem_category",
                r::Category::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "problem_severity",
                r::Severity::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "problem_status",
                r::ProblemStatus::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "problem_action",
                r::EventAction::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "workplace_kind",
                crate::measures::WorkplaceKind::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
            (
                "service_event_kind",
                crate::measures::EventKind::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
            (
                "warning_reason",
                crate::assessment::monitoring::flag_code::ALL.to_vec(),
            ),
        ];
        let doc: serde_json::Value = serde_json::from_str(ENGLISH_LABELS_JSON).unwrap();
        let enums = doc["enums"].as_object().unwrap();
        assert_eq!(enums.len(), tables.len(), "a table without its enum here");
        for (table, codes) in &tables {
            for code in codes {
                assert!(
                    english_enum_label(table, code).is_some_and(|l| !l.is_empty()),
                    "{table} {code}"
                );
            }
            let listed = enums[*table].as_object().unwrap();
            assert_eq!(listed.len(), codes.len(), "{table}: a label of no value");
        }
        assert_eq!(english_enum_label("sex", "female"), Some("Female"));
        assert_eq!(english_enum_label("project_stage", "nothing"), None);
    }

    #[test]
    fn defaults_load_and_resolve() {
        let b = CodeBook::defaults();
        assert_eq!(
            b.resolve(table::POVERTY_CAUSE, "main_cause", "因病")
                .unwrap(),
            "01"
        );
        assert_eq!(
            b.resolve(table::POVERTY_CAUSE, "main_cause", "09").unwrap(),
            "09"
        );
        let e = b
            .resolve(table::POVERTY_CAUSE, "main_cause", "因懒")
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("unknown_code", Some("main_cause"))
        );
        assert_eq!(b.label(table::HEALTH, "03"), "患有大病");
        assert_eq!(b.table(table::ETHNICITY).unwrap().codes.len(), 56);
        assert_eq!(
            b.resolve(table::RELATION_TO_HEAD, "relation", "户主")
                .unwrap(),
            HEAD_RELATION
        );
        assert_eq!(
            b.resolve_opt(table::HEALTH, "health", &Some(" ".into()))
                .unwrap(),
            None
        );
    }
}
