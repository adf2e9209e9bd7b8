//! The one error type of the HTTP layer: a status and the JSON body `{code, message, field?}`.
//!
//! `code` is stable English for programs, `message` is Chinese for people, `field` names the input at
//! fault. Domain errors map by kind; extractor failures (body, path, query) are built here too, so a
//! client sees one format whatever went wrong. 5xx causes go to the log and never into the body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_core::{DomainError, ErrorKind};
use serde::Serialize;

/// What every failing request answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    /// Every field at fault, when the input was refused for several at once.
    errors: Vec<fupin_core::FieldProblem>,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

/// The message of every 5xx: the cause is for the log, not for the client.
pub const INTERNAL_MESSAGE: &str = "系统内部错误，请稍后重试或联系管理员";

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [fupin_core::FieldProblem],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            errors: Vec::new(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400: the request itself is malformed (body syntax or types, path, query).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 500 for a failure of the machine. The cause is logged here, once, and replaced by a generic
    /// message: it may name tables, files or hosts a client has no business seeing.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(cause = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            INTERNAL_MESSAGE,
        )
    }

    /// For handlers whose whole input is the query string (lists, searches, statistics): a rule
    /// broken there is a bad request (400), not an unprocessable body (422). Other kinds map as usual.
    pub fn from_query(e: DomainError) -> Self {
        let kind = e.kind;
        let mut api = Self::from(e);
        if kind == ErrorKind::Invalid {
            api.status = StatusCode::BAD_REQUEST;
        }
        api
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
    pub fn code(&self) -> &'static str {
        self.code
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

/// The status a domain error kind answers with.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        // Every code a client can receive is in the catalogue; the source scan of
        // `crates/core/tests/error_catalogue.rs` finds the literal ones, this catches the rest
        // (codes passed through helpers or built at run time) wherever a test or a debug build
        // meets them.
        debug_assert!(
            fupin_core::error_codes::lookup(e.code).is_some(),
            "error code `{}` is not in the catalogue (crates/core/src/error_codes.rs)",
            e.code
        );
        if e.kind == ErrorKind::Internal {
            // Stores already log their causes and send a generic message; log the code as well so
            // the request's span shows which call failed, and still never pass the text through.
            return Self::internal(&format_args!("{}: {}", e.code, e.message));
        }
        Self {
            status: status_of(e.kind),
            code: e.code,
            message: e.message,
            field: e.field,
            errors: e.errors,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
            field: self.field.as_deref(),
            errors: &self.errors,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Keep at most `n` characters of user input that is echoed in a message, so a megabyte of input
/// does not come back in an error (and a long string cannot hide the message).
pub(crate) fn clip(s: &str, n: usize) -> String {
    let mut it = s.chars();
    let head: String = it.by_ref().take(n).collect();
    if it.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::body_json;

    #[test]
    fn kinds_map_to_statuses() {
        let table = [
            (ErrorKind::Invalid, "invalid_value", 422),
            (ErrorKind::NotFound, "not_found", 404),
            (ErrorKind::Conflict, "duplicate_username", 409),
            (ErrorKind::Forbidden, "forbidden", 403),
            (ErrorKind::Unauthenticated, "unauthenticated", 401),
            (ErrorKind::TooMany, "too_many_attempts", 429),
            (ErrorKind::Internal, "internal_error", 500),
        ];
        for (kind, code, status) in table {
            let e = ApiError::from(DomainError::new(kind, code, "消息"));
            assert_eq!(e.status().as_u16(), status, "{kind:?}");
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "error code `no_such_code` is not in the catalogue")]
    fn a_code_missing_from_the_catalogue_fails_in_a_debug_build() {
        let _ = ApiError::from(DomainError::invalid("x", "no_such_code", "无"));
    }

    #[test]
    fn every_catalogued_code_passes_the_check() {
        for entry in fupin_core::error_codes::CATALOGUE {
            let kind = entry.kind.error_kind();
            let e = ApiError::from(DomainError::new(kind, entry.code, "消息"));
            assert_eq!(
                e.code(),
                if kind == ErrorKind::Internal {
                    "internal_error"
                } else {
                    entry.code
                }
            );
        }
    }

    #[tokio::test]
    async fn body_has_code_message_and_field() {
        let e = DomainError::invalid("members[0].name", "too_long", "name 过长");
        let res = ApiError::from(e).into_response();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v = body_json(res).await;
        assert_eq!(
            v,
            serde_json::json!({"code": "too_long", "message": "name 过长", "field": "members[0].name"})
        );
    }

    #[tokio::test]
    async fn field_is_omitted_when_absent() {
        let res =
            ApiError::from(DomainError::conflict("duplicate_username", "重复")).into_response();
        let v = body_json(res).await;
        assert!(v.get("field").is_none(), "{v}");
        assert_eq!(v["code"], "duplicate_username");
    }

    #[tokio::test]
    async fn internal_causes_are_never_shown() {
        let e = DomainError::new(
            ErrorKind::Internal,
            "internal_error",
            "relation \"households\" does not exist",
        );
        let res = ApiError::from(e).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let v = body_json(res).await;
        assert_eq!(v["code"], "internal_error");
        assert_eq!(v["message"], INTERNAL_MESSAGE);
        assert!(!v.to_string().contains("households"));

        let res = ApiError::internal(&"disk /var/lib/fupin full").into_response();
        assert!(!body_json(res).await.to_string().contains("/var/lib"));
    }

    #[test]
    fn query_rules_are_bad_requests() {
        let e = ApiError::from_query(DomainError::invalid("per_page", "out_of_range", "每页"));
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::BAD_REQUEST, "out_of_range")
        );
        assert_eq!(e.field(), Some("per_page"));
        let e = ApiError::from_query(DomainError::not_found("not_found", "无"));
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn clip_keeps_short_and_marks_long() {
        assert_eq!(clip("张三", 5), "张三");
        assert_eq!(clip(&"字".repeat(10), 3), "字字字…");
    }
}
