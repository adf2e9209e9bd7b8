//! Path and query parameters: extractors whose failures are 400s in our error format.
//!
//! Path parameters are deserialized into small named structs (not tuples) so a failure can name the
//! parameter (`id`, `year`). Query strings are read by [`Params`], a typed accessor over the pairs,
//! rather than by `serde_urlencoded` into structs: each handler states which parameters it takes,
//! each failure names its parameter in Chinese, an empty value counts as absent (`?parent=`), and a
//! repeated or unknown parameter is refused instead of silently ignored (`?regoin=…` would otherwise
//! list the whole country).

use crate::error::{clip, ApiError, ApiResult};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use fupin_core::RegionCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::str::FromStr;

/// Path parameters; rejections become `400 invalid_path` naming the parameter.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(path_rejection)
    }
}

fn path_rejection(r: PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind as K;
    let PathRejection::FailedToDeserializePathParams(e) = r else {
        // No parameters at all on a route that expects some: a wiring mistake of ours.
        return ApiError::internal(&r.body_text());
    };
    let (key, expected) = match e.kind() {
        K::ParseErrorAtKey {
            key, expected_type, ..
        } => (Some(key.clone()), *expected_type),
        K::ParseErrorAtIndex { expected_type, .. } | K::ParseError { expected_type, .. } => {
            (None, *expected_type)
        }
        K::InvalidUtf8InPathParam { key } => (Some(key.clone()), "UTF-8"),
        K::DeserializeError { key, .. } => (Some(key.clone()), ""),
        // Wrong number of parameters or an unsupported type: the route and its struct disagree.
        _ => return ApiError::internal(&e.body_text()),
    };
    let what = match expected {
        "i64" | "i32" | "u32" | "u64" => "整数",
        _ => "有效值",
    };
    let msg = match &key {
        Some(k) => format!("路径参数 {k} 须为{what}"),
        None => format!("路径参数须为{what}"),
    };
    let err = ApiError::bad_request("invalid_path", msg);
    match key {
        Some(k) => err.with_field(k),
        None => err,
    }
}

/// `/…/{id}`.
#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: i64,
}

/// `/…/{id}/…/{year}`.
#[derive(Debug, Deserialize)]
pub struct IdYearPath {
    pub id: i64,
    pub year: i32,
}

#[derive(Debug, Deserialize)]
struct CodeRaw {
    code: String,
}

#[derive(Debug, Deserialize)]
struct CodeYearRaw {
    code: String,
    year: i32,
}

/// `/regions/{code}`, the code checked in the extractor (`400 invalid_region_code`) so that a bad
/// code is reported before anything about the body.
#[derive(Debug, Clone)]
pub struct RegionPath(pub RegionCode);

impl<S: Send + Sync> FromRequestParts<S> for RegionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<CodeRaw>::from_request_parts(parts, state).await?;
        region_code("code", &raw.code).map(RegionPath)
    }
}

/// `/regions/{code}/…/{year}`.
#[derive(Debug, Clone)]
pub struct RegionYearPath {
    pub code: RegionCode,
    pub year: i32,
}

impl<S: Send + Sync> FromRequestParts<S> for RegionYearPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<CodeYearRaw>::from_request_parts(parts, state).await?;
        Ok(RegionYearPath {
            code: region_code("code", &raw.code)?,
            year: raw.year,
        })
    }
}

/// `/…/{name}`.
#[derive(Debug, Deserialize)]
pub struct NamePath {
    pub name: String,
}

/// `/…/{number}`.
#[derive(Debug, Deserialize)]
pub struct NumberPath {
    pub number: String,
}

/// A region code from a URL path or query: the 12 digits, or the significant prefix a person types
/// (`36`, `3601`, `360124`, `360124106`), structurally valid; answers always carry the 12-digit
/// form. Failures are `400 invalid_region_code` naming `field`.
pub fn region_code(field: &str, text: &str) -> ApiResult<RegionCode> {
    checked_region_code("路径参数", field, text)
}

fn checked_region_code(place: &str, field: &str, text: &str) -> ApiResult<RegionCode> {
    let bad = |msg: String| ApiError::bad_request("invalid_region_code", msg).with_field(field);
    if !matches!(text.len(), 2 | 4 | 6 | 9 | 12) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "{place} {field} 须为12位数字的区划代码（或其2、4、6、9位前缀）：{}",
            clip(text, 20)
        )));
    }
    RegionCode::parse_field(field, text).map_err(|e| bad(format!("{place} {field}：{}", e.message)))
}

/// The query string of a request as name/value pairs.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|_| ApiError::bad_request("invalid_query", "查询字符串格式不正确"))
    }
}

impl Params {
    /// Parameters from (name, value) pairs read elsewhere (a form's fields).
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// The (name, value) pairs as given.
    pub(crate) fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// Refuse parameters other than `allowed`, and any parameter given twice.
    pub fn only(&self, allowed: &[&str]) -> ApiResult<&Self> {
        for (i, (name, _)) in self.0.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!(
                        "不支持的查询参数 {}（可用：{}）",
                        clip(name, 30),
                        allowed.join("、")
                    ),
                )
                .with_field(clip(name, 30)));
            }
            if self.0[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::bad_request(
                    "duplicate_parameter",
                    format!("查询参数 {name} 重复"),
                )
                .with_field(name.clone()));
            }
        }
        Ok(self)
    }

    /// The raw value; empty counts as absent.
    fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    /// A free-text parameter of at most `max` characters, trimmed.
    pub fn text(&self, name: &str, max: usize) -> ApiResult<Option<String>> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if v.trim().chars().count() > max => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("查询参数 {name} 过长：最多 {max} 个字符"),
            )
            .with_field(name)),
            Some(v) => Ok(Some(v.trim().to_string())),
        }
    }

    /// An integer parameter.
    pub fn int<T: FromStr>(&self, name: &str) -> ApiResult<Option<T>> {
        self.raw(name)
            .map(|v| {
                let v = v.trim();
                v.parse().map_err(|_| {
                    // an integer the parameter's type cannot hold (negative, too large) is said so
                    let message = if v.parse::<i128>().is_ok() {
                        format!("查询参数 {name} 超出允许范围：{v}")
                    } else {
                        format!("查询参数 {name} 须为整数")
                    };
                    ApiError::bad_request("invalid_parameter", message).with_field(name)
                })
            })
            .transpose()
    }

    /// An integer parameter that must be present.
    pub fn required_int<T: FromStr>(&self, name: &str) -> ApiResult<T> {
        self.int(name)?.ok_or_else(|| missing(name))
    }

    /// A free-text parameter that must be present.
    pub fn required_text(&self, name: &str, max: usize) -> ApiResult<String> {
        self.text(name, max)?.ok_or_else(|| missing(name))
    }

    /// The trimmed value, of any length (for handlers that check it themselves).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim)
    }

    /// A parameter that names one of a set of values (`parse` says which, `expected` lists them).
    pub fn choice<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> ApiResult<Option<T>> {
        self.get(name)
            .map(|v| {
                parse(v).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_parameter",
                        format!("查询参数 {name} 须为 {expected} 之一"),
                    )
                    .with_field(name)
                })
            })
            .transpose()
    }

    /// The direction of a list sorted by `key`: `sort=key` (or none) forwards, `sort=-key`
    /// backwards, `invalid_sort` otherwise.
    pub fn sort(&self, key: &str) -> ApiResult<bool> {
        fupin_core::paging::parse_sort(self.get("sort"), key).map_err(ApiError::from_query)
    }

    /// A yes/no parameter: `true`/`1` or `false`/`0`; absent is no.
    pub fn flag(&self, name: &str) -> ApiResult<bool> {
        match self.raw(name).map(str::trim) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(_) => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("查询参数 {name} 须为 true 或 false"),
            )
            .with_field(name)),
        }
    }

    /// The page of a keyset list: `after` (the previous page's `next`) and `per_page` (1–500,
    /// default 50). Errors answer 400 like the other query errors.
    pub fn keyset(&self) -> ApiResult<fupin_core::paging::Keyset> {
        let per_page = self.int::<u32>("per_page")?;
        fupin_core::paging::Keyset::request(self.text("after", 120)?, per_page)
            .map_err(ApiError::from_query)
    }

    /// A 12-digit region code parameter.
    pub fn region(&self, name: &str) -> ApiResult<Option<RegionCode>> {
        self.raw(name)
            .map(|v| checked_region_code("查询参数", name, v.trim()))
            .transpose()
    }
}

fn missing(name: &str) -> ApiError {
    ApiError::bad_request("missing_parameter", format!("缺少查询参数 {name}")).with_field(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{body_json, get};
    use axum::routing::get as get_route;
    use axum::Router;

    fn app() -> Router {
        Router::new()
            .route(
                "/h/{id}",
                get_route(|Path(p): Path<IdPath>| async move { p.id.to_string() }),
            )
            .route(
                "/r/{code}/y/{year}",
                get_route(|p: RegionYearPath| async move { format!("{} {}", p.code, p.year) }),
            )
            .route(
                "/q",
                get_route(|p: Params| async move {
                    p.only(&["year", "region", "q"])?;
                    let year: i32 = p.required_int("year")?;
                    let region = p.region("region")?;
                    let q = p.text("q", 5)?;
                    Ok::<_, ApiError>(format!("{year} {region:?} {q:?}"))
                }),
            )
    }

    async fn status_and_body(uri: &str) -> (u16, serde_json::Value) {
        let res = get(app(), uri).await;
        let s = res.status().as_u16();
        (
            s,
            if s == 200 {
                serde_json::Value::Null
            } else {
                body_json(res).await
            },
        )
    }

    #[tokio::test]
    async fn bad_path_ids_name_the_parameter() {
        assert_eq!(status_and_body("/h/42").await.0, 200);
        for uri in ["/h/abc", "/h/1.5", "/h/99999999999999999999"] {
            let (s, v) = status_and_body(uri).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (400, Some("invalid_path")),
                "{uri}"
            );
            assert_eq!(v["field"], "id");
            assert_eq!(v["message"], "路径参数 id 须为整数");
        }
        let (s, v) = status_and_body("/r/360124106204/y/twenty").await;
        assert_eq!((s, v["field"].as_str()), (400, Some("year")));
    }

    #[tokio::test]
    async fn region_codes_are_twelve_digits_or_a_prefix() {
        // the nation, 000000000000, is the root scope
        for ok in [
            "360124106204",
            "360124106",
            "360124",
            "3601",
            "36",
            "000000000000",
        ] {
            assert_eq!(
                status_and_body(&format!("/r/{ok}/y/2018")).await.0,
                200,
                "{ok}"
            );
        }
        for code in [
            "360",
            "36012410620",
            "3601241062041",
            "36012410620x",
            "000100000000",
            "00",
            "360024000000",
        ] {
            let (s, v) = status_and_body(&format!("/r/{code}/y/2018")).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (400, Some("invalid_region_code")),
                "{code}: {v}"
            );
            assert_eq!(v["field"], "code");
        }
    }

    #[tokio::test]
    async fn query_parameters() {
        assert_eq!(
            status_and_body("/q?year=2018&region=360124000000&q=%E5%BC%A0")
                .await
                .0,
            200
        );
        assert_eq!(
            status_and_body("/q?year=2018&region=&q=").await.0,
            200,
            "empty is absent"
        );
        let cases = [
            ("/q", "missing_parameter", "year"),
            ("/q?year=", "missing_parameter", "year"),
            ("/q?year=abc", "invalid_parameter", "year"),
            ("/q?year=2018&region=36012", "invalid_region_code", "region"),
            ("/q?year=2018&q=123456", "invalid_parameter", "q"),
            ("/q?year=2018&year=2019", "duplicate_parameter", "year"),
            (
                "/q?year=2018&regoin=360124000000",
                "unknown_parameter",
                "regoin",
            ),
        ];
        for (uri, code, field) in cases {
            let (s, v) = status_and_body(uri).await;
            assert_eq!(
                (s, v["code"].as_str(), v["field"].as_str()),
                (400, Some(code), Some(field)),
                "{uri}: {v}"
            );
            assert!(v["message"].as_str().unwrap().contains("参数"), "{v}");
        }
        // an integer the type cannot hold is out of range, not "not an integer"
        let (_, v) = status_and_body("/q?year=99999999999").await;
        assert_eq!(v["code"], "invalid_parameter");
        assert_eq!(v["message"], "查询参数 year 超出允许范围：99999999999");
        let (_, v) = status_and_body("/q?year=2018.5").await;
        assert_eq!(v["message"], "查询参数 year 须为整数");
    }
}
