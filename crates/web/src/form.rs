//! `Form`: an HTML form body (`application/x-www-form-urlencoded`) as name/value pairs, with every
//! rejection an [`ApiError`], like the JSON extractor.
//!
//! Pairs rather than a struct: the browser forms are small, the CSRF middleware needs to read one
//! field of any form without knowing its shape, and a missing field is then the handler's to
//! explain in the page it renders.

use crate::error::ApiError;
use crate::json::BODY_LIMIT;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};

/// The fields of a form post, in order.
#[derive(Clone, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Never prints values: a form may carry a password.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_form(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为表单（Content-Type: application/x-www-form-urlencoded）",
            ));
        }
        let bytes = read_body(req.into_body()).await?;
        parse(&bytes).map(Form)
    }
}

/// `application/x-www-form-urlencoded`, with or without parameters.
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|e| {
            e.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Read a body of at most [`BODY_LIMIT`] bytes.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|e| {
        let too_large = e
            .into_inner()
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some();
        if too_large {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("请求体过大：最多 {} MiB", BODY_LIMIT / 1024 / 1024),
            )
        } else {
            ApiError::bad_request("invalid_body", "无法读取请求体")
        }
    })
}

/// Parse an urlencoded body.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes(bytes)
        .map_err(|_| ApiError::bad_request("invalid_form", "表单格式不正确"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_debug() {
        let f = Form(parse(b"username=zhang&password=s%C3%A9cret&csrf_token=abc").unwrap());
        assert_eq!(f.get("password"), Some("sécret"));
        assert_eq!(f.get("nothing"), None);
        let dbg = format!("{f:?}");
        assert!(dbg.contains("password") && !dbg.contains("cret"), "{dbg}");
    }

    #[test]
    fn content_type() {
        let mut h = HeaderMap::new();
        assert!(!is_form(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert!(is_form(&h));
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_form(&h));
    }
}
