//! The one error type of the domain core: a stable English code, a Chinese message and the field at fault.
//!
//! Every rule in core returns `DomainError`; the web layer maps `kind` to an HTTP status and the other
//! fields to the JSON body `{code, message, field}`. Messages never contain personal data (ID numbers
//! are masked before they are put into a message).

use serde::Serialize;

/// What kind of failure, which decides the HTTP status and the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[error("{code}: {message}")]
pub struct DomainError {
    #[serde(skip)]
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl DomainError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
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
        self
    }
}

/// Shorthand for results of domain rules.
pub type DomainResult<T> = Result<T, DomainError>;

/// Check a required free-text field: trimmed, not empty, at most `max` characters.
pub fn check_text(field: &str, value: &str, max: usize) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(
            field,
            "required",
            format!("{field} 不能为空"),
        ));
    }
    check_optional_text(field, v, max).map(|_| v.to_string())
}

/// Check an optional free-text field: at most `max` characters, no control characters.
pub fn check_optional_text(field: &str, value: &str, max: usize) -> DomainResult<()> {
    let n = value.chars().count();
    if n > max {
        return Err(DomainError::invalid(
            field,
            "too_long",
            format!("{field} 过长：最多 {max} 个字符，实际 {n} 个"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::invalid(
            field,
            "control_character",
            format!("{field} 含有不可见的控制字符"),
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
    fn field_paths_nest() {
        let e = DomainError::invalid("id_number", "bad", "x").under("members[2]");
        assert_eq!(e.field.as_deref(), Some("members[2].id_number"));
    }
}
