//! The one error type of the domain core: a stable English code, a Chinese message and the field at fault.
//!
//! Every rule in core returns `DomainError`; the web layer maps `kind` to an HTTP status and the other
//! fields to the JSON body `{code, message, field}`. Messages never contain personal data (ID numbers
//! are masked before they are put into a message).

use serde::Serialize;

/// What kind of failure, which decides the HTTP status and the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input breaks a rule (422/400).
    Invalid,
    /// The thing asked for does not exist, or is outside the caller's scope (404).
    NotFound,
    /// The input conflicts with data already stored (409).
    Conflict,
    /// The caller may not do this (403).
    Forbidden,
    /// The caller is not logged in (401).
    Unauthenticated,
    /// Too many attempts (429).
    TooMany,
    /// A failure of the machine, not of the input (500). The message is generic; causes go to the log.
    Internal,
}

/// A domain error: `code` is stable English (for programs), `message` is Chinese (for people).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{code}: {message}")]
pub struct DomainError {
    #[serde(skip)]
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault when a form was refused for more than one (the first is the error
    /// itself); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field's problem, in the list of a form refused for several at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// The problems of a whole form, gathered so that a person sees all of them at once instead of
/// correcting one field per attempt. Rules keep returning their first error; a validation that
/// checks independent fields runs each through [`Problems::check`] and ends with
/// [`Problems::finish`].
#[derive(Debug, Default)]
pub struct Problems(Vec<DomainError>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }
    /// The value when the rule passed; otherwise the error is kept and `None` returned.
    pub fn check<T>(&mut self, r: DomainResult<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
    /// Keep an error (an error that already lists several is kept as its list).
    pub fn push(&mut self, e: DomainError) {
        if e.errors.is_empty() {
            self.0.push(e);
        } else {
            let kind = e.kind;
            for p in e.errors {
                self.0.push(DomainError {
                    kind,
                    code: p.code,
                    message: p.message,
                    field: Some(p.field),
                    errors: Vec::new(),
                });
            }
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok` when nothing failed; else the first error, listing every one when there are several.
    pub fn finish(self) -> DomainResult<()> {
        let mut all = self.0.into_iter();
        let Some(mut first) = all.next() else {
            return Ok(());
        };
        let rest: Vec<DomainError> = all.collect();
        if !rest.is_empty() {
            first.errors = std::iter::once(&first)
                .chain(rest.iter())
                .map(|e| FieldProblem {
                    field: e.field.clone().unwrap_or_default(),
                    code: e.code,
                    message: e.message.clone(),
                })
                .collect();
        }
        Err(first)
    }
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
            errors: Vec::new(),
        }
    }
    /// An error whose kind is the one the catalogue gives `code` (see [`crate::error_codes`]).
    /// A code missing from the catalogue is a bug the catalogue's test reports; here it counts as
    /// internal, so the message is not shown as if it were the user's fault.
    pub fn coded(code: &'static str, message: impl Into<String>) -> Self {
        let kind =
            crate::error_codes::lookup(code).map_or(ErrorKind::Internal, |e| e.kind.error_kind());
        Self::new(kind, code, message)
    }
    /// Invalid input in one field.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            code,
            message: message.into(),
            field: Some(field.into()),
            errors: Vec::new(),
        }
    }
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }
    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal_error",
            "系统内部错误，请稍后重试或联系管理员",
        )
    }
    /// Set or replace the field, e.g. to prefix a nested path (`members[2].id_number`).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    /// Prefix the field path with a parent, keeping the inner path.
    pub fn under(mut self, parent: &str) -> Self {
        self.field = Some(match self.field.take() {
            Some(f) => format!("{parent}.{f}"),
            None => parent.to_string(),
        });
        for p in &mut self.errors {
            p.field = format!("{parent}.{}", p.field);
        }
        self
    }
    /// The fields at fault with their messages: the list when there are several, else the one.
    pub fn problems(&self) -> Vec<(&str, &str)> {
        if self.errors.is_empty() {
            self.field
                .as_deref()
                .map(|f| vec![(f, self.message.as_str())])
                .unwrap_or_default()
        } else {
            self.errors
                .iter()
                .map(|p| (p.field.as_str(), p.message.as_str()))
                .collect()
        }
    }
}

/// Shorthand for results of domain rules.
pub type DomainResult<T> = Result<T, DomainError>;

/// Check a required free-text field: trimmed, not empty, at most `max` characters.
pub fn check_text(field: &str, value: &str, max: usize) -> DomainResult<String> {
    text_rule(field, &crate::labels::Label(field), value, max)
}

/// [`check_text`] for a field whose general label does not fit where it is asked for (`text` is a
/// wish's content on a wish and an objection's on a case): the messages say `label`.
pub fn check_text_as(field: &str, label: &str, value: &str, max: usize) -> DomainResult<String> {
    text_rule(field, &label, value, max)
}

/// Check an optional free-text field: at most `max` characters, no control characters.
pub fn check_optional_text(field: &str, value: &str, max: usize) -> DomainResult<()> {
    optional_text_rule(field, &crate::labels::Label(field), value, max)
}

/// [`check_optional_text`] with the label the messages say.
pub fn check_optional_text_as(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> DomainResult<()> {
    optional_text_rule(field, &label, value, max)
}

/// The rule of [`check_text`]. The label is written out only into a message: these rules run on
/// every text cell of an import and almost never fail, and working out a field's label (a look-up
/// and a string or two) for each of them cost an import of a province whole seconds.
fn text_rule(
    field: &str,
    label: &dyn std::fmt::Display,
    value: &str,
    max: usize,
) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(
            field,
            "required",
            format!("{label} 不能为空"),
        ));
    }
    optional_text_rule(field, label, v, max).map(|_| v.to_string())
}

/// The rule of [`check_optional_text`] (the label written out only into a message).
fn optional_text_rule(
    field: &str,
    label: &dyn std::fmt::Display,
    value: &str,
    max: usize,
) -> DomainResult<()> {
    let n = value.chars().count();
    if n > max {
        return Err(DomainError::invalid(
            field,
            "too_long",
            format!("{label} 过长：最多 {max} 个字符，实际 {n} 个"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::invalid(
            field,
            "control_character",
            format!("{label} 含有不可见的控制字符"),
        ));
    }
    Ok(())
}

/// Normalise an optional text: trimmed, empty becomes `None`, length checked.
pub fn opt_text(field: &str, value: &Option<String>, max: usize) -> DomainResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => check_optional_text(field, v, max).map(|_| Some(v.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(check_text("name", "  张三 ", 10).unwrap(), "张三");
        assert_eq!(check_text("name", "  ", 10).unwrap_err().code, "required");
        let e = check_text("name", &"字".repeat(11), 10).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("too_long", Some("name")));
        assert_eq!(
            check_text("name", "a\u{0}b", 10).unwrap_err().code,
            "control_character"
        );
        assert_eq!(opt_text("x", &Some(" ".into()), 3).unwrap(), None);
    }

    #[test]
    fn coded_takes_the_catalogues_kind() {
        let e = DomainError::coded("duplicate_id_number", "x");
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(DomainError::coded("required", "x").kind, ErrorKind::Invalid);
        assert_eq!(
            DomainError::coded("not_in_the_catalogue", "x").kind,
            ErrorKind::Internal
        );
    }

    #[test]
    fn problems_list_every_field() {
        let mut p = Problems::new();
        assert_eq!(p.check(Ok::<_, DomainError>(3)), Some(3));
        assert!(p.is_empty());
        let _ = p.check(check_text("name", " ", 10));
        let _ = p.check(crate::years::check_year("identification_year", 1990, 2026));
        let e = p.finish().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "姓名 不能为空");
        let fields: Vec<&str> = e.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["name", "identification_year"]);
        assert_eq!(e.problems()[1].1, "识别年度 不能早于 2000 年");
        let nested = e.under("household");
        assert_eq!(nested.errors[1].field, "household.identification_year");
        assert!(Problems::new().finish().is_ok());
    }

    #[test]
    fn field_paths_nest() {
        let e = DomainError::invalid("id_number", "bad", "x").under("members[2]");
        assert_eq!(e.field.as_deref(), Some("members[2].id_number"));
    }
}
