//! `Json<T>`: the JSON body extractor (and response wrapper) whose every rejection is an [`ApiError`].
//!
//! axum's own `Json` answers rejections in plain English text; ours checks the content type (415),
//! reads the body under the router's limit (413), and parses with `serde_path_to_error` so the error
//! names the field at fault (`household.members[0].name`). Syntax errors are `invalid_json`; wrong
//! types, missing and unknown fields are `invalid_body`; both 400. Rules about values (negative
//! amounts, unknown codes…) are the domain's to judge, after parsing, and answer 422.

use crate::error::{clip, ApiError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A JSON request body or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Largest request body accepted (2 MiB); a household with fifty members is a few tens of KiB.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// How much of serde's own (English) detail we pass on: enough for a developer to see the expected
/// type, never a long piece of the input (serde quotes offending strings in full).
const DETAIL_CHARS: usize = 120;

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ));
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        parse(&bytes).map(Json)
    }
}

/// A request body as bytes (photo uploads), read under the router's limit: a body over it answers
/// the JSON error (413 `payload_too_large`) like every other refusal, not axum's plain text.
#[derive(Debug, Clone)]
pub struct RawBody(pub Bytes);

impl<S> FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("请求体过大：最多 {} MiB", BODY_LIMIT / 1024 / 1024),
                )
            } else {
                // A client that hung up or sent a broken chunked body; nothing to explain.
                ApiError::bad_request("invalid_body", "无法读取请求体")
            }
        })?;
        Ok(RawBody(bytes))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `application/json`, with or without parameters, or any `application/…+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parse a JSON document into `T`, mapping every failure to our error format.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(body_error)?;
    // Trailing text after the document (`{…}garbage`) is a syntax error, as `from_slice` would say.
    de.end().map_err(syntax_error)?;
    Ok(value)
}

fn syntax_error(e: serde_json::Error) -> ApiError {
    if e.is_eof() {
        ApiError::bad_request("invalid_json", "请求体不是完整的 JSON")
    } else {
        ApiError::bad_request(
            "invalid_json",
            format!(
                "请求体不是有效的 JSON（第 {} 行第 {} 列）",
                e.line(),
                e.column()
            ),
        )
    }
}

fn body_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if !inner.is_data() {
        return syntax_error(inner);
    }
    let detail = strip_position(&inner.to_string());
    // serde reports a missing or unknown field at its parent; name the field itself.
    let named = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|name| join_path(&path, name))
    };
    let (field, message) = if let Some(f) = named("missing field `") {
        (Some(f.clone()), format!("缺少必填字段 {f}"))
    } else if let Some(f) = named("unknown field `") {
        (Some(f.clone()), format!("不支持的字段 {}", clip(&f, 60)))
    } else {
        let f = (path != ".").then(|| path.clone());
        let what = if detail.starts_with("invalid type") {
            "类型不正确"
        } else {
            "取值不正确"
        };
        let msg = match &f {
            Some(f) => format!("字段 {f} 的{what}"),
            None => format!("请求体的{what}"),
        };
        (f, msg)
    };
    let e = ApiError::bad_request(
        "invalid_body",
        format!("{message}（{}）", clip(&detail, DETAIL_CHARS)),
    );
    match field {
        Some(f) => e.with_field(f),
        None => e,
    }
}

/// `serde_json` appends " at line L column C" to data errors; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// The path of field `name` under `path`. serde_path_to_error stops at the parent for a missing
/// field but has already stepped into an unknown one, so the name may be there already.
fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else if path == name || path.ends_with(&format!(".{name}")) {
        path.to_string()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{body_json, send};
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use axum::Router;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        name: String,
        amount_fen: i64,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        title: String,
        items: Vec<Inner>,
    }

    fn app() -> Router {
        Router::new()
            .route("/", post(|Json(o): Json<Outer>| async move { Json(o) }))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
    }

    async fn post_json(
        body: impl Into<axum::body::Body>,
        ct: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut req = Request::post("/");
        if let Some(ct) = ct {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let res = send(app(), req.body(body.into()).unwrap()).await;
        (res.status().as_u16(), body_json(res).await)
    }

    async fn post_ok(body: &str) -> (u16, serde_json::Value) {
        post_json(body.to_string(), Some("application/json")).await
    }

    #[tokio::test]
    async fn valid_body_passes() {
        let (s, v) = post_ok(r#"{"title":"t","items":[{"name":"a","amount_fen":5}]}"#).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["items"][0]["amount_fen"], 5);
        let (s, _) = post_json(
            r#"{"title":"t","items":[]}"#,
            Some("application/json; charset=utf-8"),
        )
        .await;
        assert_eq!(s, 200);
    }

    #[tokio::test]
    async fn malformed_json_is_invalid_json() {
        for body in [
            r#"{"title": "t", "#,
            r#"{"title" "t"}"#,
            "",
            r#"{"title":"t","items":[]} x"#,
        ] {
            let (s, v) = post_ok(body).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (400, Some("invalid_json")),
                "{body:?}: {v}"
            );
            assert!(v["message"].as_str().unwrap().contains("JSON"));
        }
    }

    #[tokio::test]
    async fn wrong_type_names_the_field() {
        let (s, v) = post_ok(r#"{"title":"t","items":[{"name":"a","amount_fen":"5"}]}"#).await;
        assert_eq!(s, 400);
        assert_eq!(v["code"], "invalid_body");
        assert_eq!(v["field"], "items[0].amount_fen");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .starts_with("字段 items[0].amount_fen 的类型不正确"));
    }

    #[tokio::test]
    async fn overflowing_numbers_are_rejected_before_the_domain() {
        for n in ["1e20", "9223372036854775808", "5.5"] {
            let body = format!(r#"{{"title":"t","items":[{{"name":"a","amount_fen":{n}}}]}}"#);
            let (s, v) = post_ok(&body).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (400, Some("invalid_body")),
                "{n}: {v}"
            );
            assert_eq!(v["field"], "items[0].amount_fen");
        }
    }

    #[tokio::test]
    async fn missing_and_unknown_fields_are_named() {
        let (s, v) = post_ok(r#"{"title":"t","items":[{"name":"a"}]}"#).await;
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_body")));
        assert_eq!(v["field"], "items[0].amount_fen");
        assert!(v["message"].as_str().unwrap().starts_with("缺少必填字段"));

        let (s, v) = post_ok(r#"{"title":"t","items":[],"colour":1}"#).await;
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_body")));
        assert_eq!(v["field"], "colour");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .starts_with("不支持的字段 colour"));

        let (s, v) = post_ok(r#"{"title":"t","items":[{"name":"a","amount_fen":1,"x":2}]}"#).await;
        assert_eq!((s, v["field"].as_str()), (400, Some("items[0].x")), "{v}");

        let (s, v) = post_ok(r#""just a string""#).await;
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_body")));
        assert!(v.get("field").is_none());
    }

    #[tokio::test]
    async fn long_input_is_not_echoed() {
        let long = "户".repeat(10_000);
        let body = format!(r#"{{"title":"t","items":[{{"name":"a","amount_fen":"{long}"}}]}}"#);
        let (s, v) = post_ok(&body).await;
        assert_eq!(s, 400);
        assert!(v["message"].as_str().unwrap().chars().count() < 200, "{v}");
    }

    #[tokio::test]
    async fn content_type_must_be_json() {
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let (s, v) = post_json(r#"{"title":"t","items":[]}"#, ct).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (415, Some("unsupported_media_type")),
                "{ct:?}"
            );
        }
        let (s, _) = post_json(
            r#"{"title":"t","items":[]}"#,
            Some("application/problem+json"),
        )
        .await;
        assert_eq!(s, 200);
    }

    #[tokio::test]
    async fn oversized_body_is_413() {
        // Without a Content-Length the limit holds on the bytes read…
        let big = format!(r#"{{"title":"{}","items":[]}}"#, "x".repeat(BODY_LIMIT));
        let (s, v) = post_ok(&big).await;
        assert_eq!((s, v["code"].as_str()), (413, Some("payload_too_large")));
        // …and with one, the header alone is enough to refuse.
        let req = Request::post("/")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, big.len())
            .body(axum::body::Body::from(big))
            .unwrap();
        let res = send(app(), req).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body_json(res).await["code"], "payload_too_large");
    }
}
