//! `Json<T>`: the JSON body extractor (and response wrapper) whose every rejection is an [`ApiError`].
//!
//! axum's own `Json` answers rejections in plain English text; ours checks the content type (415),
//! reads the body under the router's limit (413), and parses with `serde_path_to_error` so the error
//! names the field at fault (`household.members[0].name`). Syntax errors are `invalid_json`; wrong
//! types, missing and unknown fields are `invalid_body`; both 400. A date that is no real day
//! (`invalid_date`) and a value outside an enumeration (`invalid_value`) answer 422, as the domain's
//! rules about values (negative amounts, unknown codes…) do after parsing. Every message is Chinese:
//! serde's English wording is read to choose the message, never shown.

use crate::error::{clip, ApiError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_path_to_error::Segment;

/// A JSON request body or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// Largest request body accepted (2 MiB); a household with fifty members is a few tens of KiB.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// How much of a Chinese message of our own types (a custom deserialiser's refusal) is passed on;
/// serde's English detail is never passed on.
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
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| body_error(bytes, e))?;
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

/// A document that parsed as JSON but does not fit the type: said in Chinese, from the shape of
/// serde's message (its wording is stable: `missing field`, `unknown variant`, `invalid type`…),
/// never with serde's English. A date that is no real `YYYY-MM-DD` day is `invalid_date` and a
/// value outside an enumeration `invalid_value`, both 422 like the domain's `unknown_code`: the
/// body was well-formed and the value is what is wrong. Other mismatches are `invalid_body`, 400.
fn body_error(bytes: &[u8], e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let segments: Vec<Segment> = e.path().iter().cloned().collect();
    let path = e.path().to_string();
    let inner = e.into_inner();
    if !inner.is_data() {
        // serde_json refuses a value of the wrong shape for an enumeration (`"to": 3`) as if the
        // JSON were broken; a document that parses is well-formed, and the value is what is wrong
        if inner.is_syntax() && serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
            let e = ApiError::bad_request(
                "invalid_body",
                match path.as_str() {
                    "." => "请求体的类型不正确".to_string(),
                    p => format!("字段 {p} 的类型不正确"),
                },
            );
            return if path == "." { e } else { e.with_field(path) };
        }
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
    if let Some(f) = named("missing field `") {
        return ApiError::bad_request("invalid_body", format!("缺少必填字段 {f}")).with_field(f);
    }
    if let Some(f) = named("unknown field `") {
        let message = format!("不支持的字段 {}", clip(&f, 60));
        return ApiError::bad_request("invalid_body", message).with_field(f);
    }
    if let Some(f) = named("duplicate field `") {
        let message = format!("字段 {} 出现了不止一次", clip(&f, 60));
        return ApiError::bad_request("invalid_body", message).with_field(f);
    }
    let field = (path != ".").then(|| path.clone());
    let subject = match &field {
        Some(f) => format!("字段 {f} 的"),
        None => "请求体的".to_string(),
    };
    let with_field = |e: ApiError| match &field {
        Some(f) => e.with_field(f.clone()),
        None => e,
    };
    if let Some((variant, allowed)) = unknown_variant(&detail) {
        let label = fupin_core::labels::field_label(&path);
        let mut message = format!(
            "{label} 的值无效：取值“{}”不在允许范围内",
            clip(&variant, 40)
        );
        if !allowed.is_empty() {
            message.push_str(&format!("（可选：{}）", allowed.join("、")));
        }
        return with_field(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            message,
        ));
    }
    let given = || value_at(bytes, &segments);
    if is_date_error(&detail, given().as_ref()) {
        let label = fupin_core::labels::field_label(&path);
        let shown = match given() {
            Some(serde_json::Value::String(s)) => clip(&s, 40),
            Some(v) => clip(&v.to_string(), 40),
            None => String::new(),
        };
        return with_field(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            format!("{label} 不是有效日期（格式 YYYY-MM-DD）：{shown}"),
        ));
    }
    let message = if let Some(expected) = detail.strip_prefix("invalid type: ") {
        match expected_in_chinese(expected) {
            Some(want) => format!("{subject}类型不正确，应为{want}"),
            None => format!("{subject}类型不正确"),
        }
    } else if let Some(expected) = detail.strip_prefix("invalid value: ") {
        match expected_in_chinese(expected) {
            Some("整数") => format!("{subject}数值超出允许的范围"),
            Some(want) => format!("{subject}取值不正确，应为{want}"),
            None => format!("{subject}取值不正确"),
        }
    } else if detail.starts_with("invalid length ") {
        format!("{subject}元素个数不正确")
    } else if has_chinese(&detail) {
        // A message of our own types (a region code, a ratio) is already written for people.
        format!("{subject}取值不正确：{}", clip(&detail, DETAIL_CHARS))
    } else {
        format!("{subject}取值不正确")
    };
    with_field(ApiError::bad_request("invalid_body", message))
}

/// `unknown variant `x`, expected one of `a`, `b``: the value given and the values allowed.
fn unknown_variant(detail: &str) -> Option<(String, Vec<String>)> {
    let rest = detail.strip_prefix("unknown variant `")?;
    let (variant, rest) = rest.split_once('`')?;
    let allowed = match rest.strip_prefix(", expected ") {
        // serde writes "`a`", "`a` or `b`", or "one of `a`, `b`, `c`"
        Some(list) => list
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    Some((variant.to_string(), allowed))
}

/// Whether serde's `detail` is `time`'s refusal of a date: the value at the field is a string that
/// the date format refuses with the same words, or the field expected a `Date` and got another
/// type. Asked of the value rather than guessed from the words, which other types could share.
fn is_date_error(detail: &str, given: Option<&serde_json::Value>) -> bool {
    if detail.starts_with("invalid type: ") && detail.ends_with("expected a `Date`") {
        return true;
    }
    let Some(serde_json::Value::String(s)) = given else {
        return false;
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).is_err_and(|e| e.to_string() == detail)
}

/// What serde says it expected, in Chinese, for the kinds of value a body holds.
fn expected_in_chinese(detail: &str) -> Option<&'static str> {
    let expected = detail.rsplit_once(", expected ")?.1;
    let word = expected.trim();
    Some(match word {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" | "an integer" | "integer" => "整数",
        "f32" | "f64" | "a number" => "数字",
        "a string" | "a borrowed string" | "a character" | "a string or bytes" => "字符串",
        "a boolean" => "true 或 false",
        "a sequence" | "a tuple" => "数组",
        "a map" => "对象",
        w if w.starts_with("struct ") || w.starts_with("a map") => "对象",
        w if w.starts_with("an array") || w.starts_with("a sequence") => "数组",
        "a `Date`" => "YYYY-MM-DD 格式的日期",
        _ => return None,
    })
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The JSON value a path points at (read again from the body; only a refused body pays for it).
fn value_at(bytes: &[u8], path: &[Segment]) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    for s in path {
        v = match s {
            Segment::Seq { index } => v.get_mut(*index)?.take(),
            Segment::Map { key } => v.get_mut(key.as_str())?.take(),
            // an externally tagged enum's variant is the key of its object
            Segment::Enum { variant } => v.get_mut(variant.as_str())?.take(),
            Segment::Unknown => return None,
        };
    }
    Some(v)
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

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
        DarkBlue,
    }

    #[derive(Debug, Deserialize, Serialize)]
    struct Dated {
        date: time::Date,
        colour: Colour,
        #[serde(default)]
        later: Vec<Option<time::Date>>,
        #[serde(default)]
        count: u32,
    }

    async fn post_dated(body: &str) -> (u16, serde_json::Value) {
        let app = Router::new().route("/", post(|Json(d): Json<Dated>| async move { Json(d) }));
        let req = Request::post("/")
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let res = send(app, req).await;
        (res.status().as_u16(), body_json(res).await)
    }

    /// Not one of serde's or time's English words reaches the message.
    fn no_english(v: &serde_json::Value) {
        let m = v["message"].as_str().unwrap();
        for w in [
            "expected",
            "invalid",
            "variant",
            "range",
            "literal",
            "component",
            "type:",
        ] {
            assert!(!m.contains(w), "{w} in {m}");
        }
    }

    #[tokio::test]
    async fn impossible_dates_are_invalid_date_in_chinese() {
        let (s, v) = post_dated(r#"{"date":"2019-01-31","colour":"dark_blue"}"#).await;
        assert_eq!(s, 200, "{v}");
        for (body, field, shown) in [
            (
                r#"{"date":"2019-02-30","colour":"red"}"#,
                "date",
                "2019-02-30",
            ),
            (
                r#"{"date":"2019/06/01","colour":"red"}"#,
                "date",
                "2019/06/01",
            ),
            (r#"{"date":"","colour":"red"}"#, "date", "："),
            (r#"{"date":20190601,"colour":"red"}"#, "date", "20190601"),
            (
                r#"{"date":"2019-01-01","colour":"red","later":[null,"2019-13-01"]}"#,
                "later[1]",
                "2019-13-01",
            ),
        ] {
            let (s, v) = post_dated(body).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (422, Some("invalid_date")),
                "{body}: {v}"
            );
            assert_eq!(v["field"], field, "{v}");
            let m = v["message"].as_str().unwrap();
            assert!(m.contains("不是有效日期（格式 YYYY-MM-DD）"), "{m}");
            assert!(m.contains(shown), "{m}");
            no_english(&v);
        }
    }

    #[tokio::test]
    async fn values_outside_an_enumeration_list_what_is_allowed() {
        let (s, v) = post_dated(r#"{"date":"2019-01-01","colour":"nonsense"}"#).await;
        assert_eq!((s, v["code"].as_str()), (422, Some("invalid_value")), "{v}");
        assert_eq!(v["field"], "colour");
        assert_eq!(
            v["message"],
            "colour 的值无效：取值“nonsense”不在允许范围内（可选：red、dark_blue）"
        );
        no_english(&v);
    }

    #[tokio::test]
    async fn other_mismatches_are_said_in_chinese() {
        for (body, field, says) in [
            (
                r#"{"date":"2019-01-01","colour":"red","count":-1}"#,
                "count",
                "字段 count 的数值超出允许的范围",
            ),
            (
                r#"{"date":"2019-01-01","colour":"red","count":"5"}"#,
                "count",
                "字段 count 的类型不正确，应为整数",
            ),
            (
                r#"{"date":"2019-01-01","colour":"red","later":{}}"#,
                "later",
                "字段 later 的类型不正确，应为数组",
            ),
            (
                r#"{"date":"2019-01-01","colour":3}"#,
                "colour",
                "字段 colour 的",
            ),
        ] {
            let (s, v) = post_dated(body).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (400, Some("invalid_body")),
                "{body}: {v}"
            );
            assert_eq!(v["field"], field, "{v}");
            assert!(v["message"].as_str().unwrap().starts_with(says), "{v}");
            no_english(&v);
        }
        let (s, v) =
            post_dated(r#"{"date":"2019-01-01","date":"2019-01-02","colour":"red"}"#).await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (400, Some("invalid_body"), Some("date")),
            "{v}"
        );
        no_english(&v);
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
