//! The catalogue of assistance measures as data: categories (the code table `measure_category`)
//! and their kinds, each kind saying which form its record takes. Shipped in
//! `data/measure-catalogue.json`; a kind's code starts with its category's code.

use crate::error::{DomainError, DomainResult};
use crate::measures::EmploymentForm;
use serde::{Deserialize, Serialize};

/// The shipped catalogue.
pub const DEFAULT_CATALOGUE_JSON: &str = include_str!("../../data/measure-catalogue.json");

/// The table of the kinds' English labels in `data/code-labels-en.json`.
pub const ENGLISH_KIND_LABELS: &str = "measure_kind";

/// Which fields a kind's record carries (besides the dates, amount and provider every measure has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Nothing more: a description and the amount.
    General,
    /// Employment: employer, its region, form, months, monthly wage (destination derived).
    Employment,
    /// Training: course, hours, certificate, subsidy and living allowance.
    Training,
    /// A loan: term, rate, interest subsidy, use; the amount is the measure's.
    Loan,
    /// Education: school, stage, tuition waived, grants, 雨露计划 subsidy, dropout.
    Education,
    /// Health: family doctor, serious-illness treatment, medical assistance, out-of-pocket costs.
    Health,
    /// 低保 / 特困: the monthly amount.
    Assistance,
    /// Resident pension: enrolled, receiving, premium paid by government.
    Pension,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::General => "general",
            Form::Employment => "employment",
            Form::Training => "training",
            Form::Loan => "loan",
            Form::Education => "education",
            Form::Health => "health",
            Form::Assistance => "assistance",
            Form::Pension => "pension",
        }
    }
}

/// One kind of measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MeasureKind))]
pub struct Kind {
    pub code: String,
    pub label: String,
    pub form: Form,
    /// For employment kinds that are one form only (公益性岗位, 生态护林员).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_form: Option<EmploymentForm>,
    /// The limits of 扶贫小额信贷 apply (amount, term, borrower's age).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub microcredit: bool,
}

/// A category with its kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MeasureCategory))]
pub struct Category {
    pub code: String,
    pub label: String,
    pub kinds: Vec<Kind>,
}

/// The catalogue: a version, its source, and the categories in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub version: String,
    pub source: String,
    pub categories: Vec<Category>,
}

static DEFAULT: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(|| {
    Catalogue::parse(DEFAULT_CATALOGUE_JSON).expect("the shipped catalogue is valid")
});

impl Catalogue {
    /// The shipped catalogue.
    pub fn shipped() -> &'static Catalogue {
        &DEFAULT
    }

    /// Parse and check a catalogue: codes unique, each kind's code under its category's.
    pub fn parse(json: &str) -> Result<Catalogue, String> {
        let c: Catalogue = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for cat in &c.categories {
            if !seen.insert(cat.code.clone()) {
                return Err(format!("category {} twice", cat.code));
            }
            for k in &cat.kinds {
                if !k.code.starts_with(&cat.code) || !seen.insert(k.code.clone()) {
                    return Err(format!("kind {} misplaced or twice", k.code));
                }
                if k.employment_form.is_some() && k.form != Form::Employment {
                    return Err(format!(
                        "kind {}: employment_form on a non-employment kind",
                        k.code
                    ));
                }
            }
        }
        Ok(c)
    }

    /// The kind of a code or label, with its category; unknown is an error naming the field.
    pub fn kind(&self, field: &str, value: &str) -> DomainResult<(&Category, &Kind)> {
        let v = value.trim();
        self.categories
            .iter()
            .flat_map(|c| c.kinds.iter().map(move |k| (c, k)))
            .find(|(_, k)| k.code == v || k.label == v)
            .ok_or_else(|| {
                let shown: String = v.chars().take(30).collect();
                DomainError::invalid(
                    field,
                    "unknown_measure_kind",
                    format!("{field} 的取值“{shown}”不是已知的帮扶措施类型"),
                )
            })
    }

    /// The English label of a kind's code, for pages shown in English (`measure_kind` in
    /// `data/code-labels-en.json`: the catalogue is data without an English column, as the code
    /// tables are); `None` for a kind without one (one a deployment added).
    pub fn english_label(&self, code: &str) -> Option<&'static str> {
        crate::codes::english_label(ENGLISH_KIND_LABELS, code)
    }

    /// The label of a kind's code (the code itself when unknown).
    pub fn label<'a>(&'a self, code: &'a str) -> &'a str {
        self.kind("kind", code)
            .map_or(code, |(_, k)| k.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_follows_the_category_table() {
        let c = Catalogue::shipped();
        let book = crate::codes::CodeBook::defaults();
        let table = book.table("measure_category").unwrap();
        let cats: Vec<_> = c.categories.iter().map(|c| c.code.as_str()).collect();
        let codes: Vec<_> = table.codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(cats, codes);
        let (cat, k) = c.kind("kind", "扶贫小额信贷").unwrap();
        assert_eq!(
            (cat.code.as_str(), k.form, k.microcredit),
            ("09", Form::Loan, true)
        );
        assert_eq!(
            c.kind("kind", "0301").unwrap().1.employment_form,
            Some(EmploymentForm::PublicWelfarePost)
        );
        assert_eq!(
            c.kind("kind", "喝茶").unwrap_err().code,
            "unknown_measure_kind"
        );
        assert_eq!(c.label("0201"), "务工就业");
    }

    /// Every kind of the shipped catalogue has its English label, and the labels name no kind that
    /// does not exist.
    #[test]
    fn every_kind_has_an_english_label() {
        let c = Catalogue::shipped();
        let mut kinds = 0;
        for k in c.categories.iter().flat_map(|cat| &cat.kinds) {
            kinds += 1;
            let en = c.english_label(&k.code);
            assert!(
                en.is_some_and(|l| !l.is_empty() && l.is_ascii()),
                "{} {}: {en:?}",
                k.code,
                k.label
            );
        }
        let doc: serde_json::Value =
            serde_json::from_str(crate::codes::ENGLISH_LABELS_JSON).unwrap();
        let listed = doc[ENGLISH_KIND_LABELS].as_object().unwrap();
        for code in listed.keys() {
            assert!(c.kind("kind", code).is_ok(), "{code} is no kind");
        }
        assert_eq!(listed.len(), kinds);
        assert_eq!(c.english_label("0201"), Some("Migrant and local work"));
        assert_eq!(c.english_label("0299"), None);
    }

    #[test]
    fn misplaced_kinds_are_refused() {
        let bad = r#"{"version":"1","source":"t","categories":[{"code":"01","label":"a","kinds":[{"code":"0201","label":"b","form":"general"}]}]}"#;
        assert!(Catalogue::parse(bad).is_err());
    }
}
