//! The API's description: an OpenAPI 3.1 document built from the `#[utoipa::path]` attribute on
//! every handler (each area lists its handlers in a `Doc`), served at `/api/v1/openapi.json` and
//! shown by the reference page `/docs/api` (Swagger UI from npm, pinned by
//! `frontend/package-lock.json` and embedded like ECharts: the page fetches nothing from elsewhere).
//!
//! What is the same for every operation is added here once rather than repeated on each handler:
//! the path parameters by name (`{code}`, `{id}`, `{year}` …, unless the handler declares its own),
//! the error answers `{code, message, field}` and the credentials (an API token or the session
//! cookie; `security: []` on the routes of [`PUBLIC_ROUTES`]).
//!
//! The crate root gathers the areas' descriptions (`crate::openapi`), so that this shared module
//! names no area. The description is the route table the tests hold the router to: [`described_routes`] must equal
//! the routes registered through `Routes` (`tests::every_registered_route_is_described`), and the
//! access tests of `crates/fupin/tests/access.rs` take their route list from the served document. A
//! new route therefore needs its `#[utoipa::path(…)]` and a line in its area's `Doc`.

use crate::routes::{Routes, PUBLIC_ROUTES};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, DOCTYPE};
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, LicenseBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Required,
    Schema, Type,
};
use utoipa::{OpenApi as _, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", document)
}

/// The API reference page, public like the description it shows.
pub(crate) fn page_routes(r: Routes) -> Routes {
    r.get("/docs/api", reference_page)
}

/// The body of every failing request (see `error`).
#[derive(ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)] // a description of `error::Body`, never built
pub(crate) struct ErrorDoc {
    /// 稳定的英文错误码，供程序判断（如 `invalid_region_code`、`not_found`）。
    /// Stable English error code for programs (e.g. `invalid_region_code`, `not_found`).
    code: String,
    /// 给人看的中文说明。Chinese explanation for people.
    message: String,
    /// 出错的输入项（请求体中的 JSON 路径如 `members[2].id_number`，或参数名）；与具体输入无关时省略。
    /// The input at fault (a JSON path in the body such as `members[2].id_number`, or a parameter
    /// name); absent when the error concerns no one input.
    field: Option<String>,
}

/// The schema of the error body, its codes listed from the catalogue (`fupin_core::error_codes`):
/// it replaces the one derived from [`ErrorDoc`], whose name the operations refer to.
fn error_schema() -> Schema {
    use fupin_core::error_codes::{HttpKind, CATALOGUE};
    let mut table = String::from(
        "稳定的英文错误码，供程序判断；下表为全部错误码（HTTP 状态、英文名称、中文说明模板）。 \
         Stable English error code, for programs; every code with its HTTP status, English label \
         and Chinese message template:\n\n| code | status | label | message |\n|---|---|---|---|\n",
    );
    for c in CATALOGUE {
        let status = match c.kind {
            HttpKind::Invalid => "422 / 400".to_string(),
            k => k.status().to_string(),
        };
        table.push_str(&format!(
            "| `{}` | {status} | {} | {} |\n",
            c.code,
            c.label.replace('|', "\\|"),
            c.message.replace('|', "\\|")
        ));
    }
    let text = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
    };
    Schema::Object(
        ObjectBuilder::new()
            .description(Some(
                "出错时的回答。 The body of every failing request (422: a rule broken in the body; \
                 400: a malformed request, or a rule broken in the path or query).",
            ))
            .property(
                "code",
                text(&table).enum_values(Some(CATALOGUE.iter().map(|c| c.code))),
            )
            .required("code")
            .property(
                "message",
                text(
                    "给人看的中文说明（错误码的模板，按具体情况填写）。 A Chinese explanation for \
                     people (the code's template filled in for the case at hand).",
                ),
            )
            .required("message")
            .property(
                "field",
                text(
                    "出错的输入项（请求体中的 JSON 路径如 `members[2].id_number`，或参数名）；与具体输入无关时省略。 \
                     The input at fault (a JSON path in the body such as `members[2].id_number`, or \
                     a parameter name); absent when the error concerns no one input.",
                ),
            )
            .build(),
    )
}

/// The areas' tags: (name, Chinese, English).
const TAGS: &[(&str, &str, &str)] = &[
    ("service", "运行：健康检查、就绪检查、运行指标、接口说明", "Operation: liveness, readiness, metrics and this description"),
    ("accounts", "账号：登录、会话、令牌、用户与授权", "Accounts: signing in, sessions, tokens, users and grants"),
    ("regions", "行政区划：区划树、名称搜索、贫困村认定、村年度概况", "Regions: the division tree, name search, poor-village designation, village yearly profiles"),
    ("registry", "建档立卡：贫困户、家庭成员、收入、状态变更、代码表", "Registry: households, members, incomes, status changes, code tables"),
    ("pairing", "结对帮扶：帮扶单位、帮扶干部、驻村工作队、结对、走访、微心愿", "Pairing: helping units, cadres, village teams, pairings, visits, micro-wishes"),
    ("measures", "帮扶措施：措施类别、户和成员的措施及其历史", "Assistance measures: the catalogue of kinds, the measures of households and members with their history"),
    ("projects", "项目资金：项目库及其流程与进度、资金来源、下达、到账、支付", "Projects and funds: the project library with its lifecycle and progress, fund sources, allocations, receipts, disbursements"),
    ("rectification", "整改销号：问题清单、整改行动、整改挂图、数据质量规则、数据比对", "Rectification: problems, campaigns, the rectification view, data-quality rules, comparison with department lists"),
    ("assessment", "评估监测：标准参数、年度核验、风险事件、退出评估、程序案件、贫困指标、预警", "Assessment: standards, yearly verification, risk events, exit assessment, procedure cases, poverty measures, warnings"),
    ("reports", "统计报表", "Statistics"),
    ("audit", "审计日志", "Audit log"),
    ("jobs", "导入导出任务", "Import and export jobs"),
];

/// Path parameters by name: (name, schema type, pattern, Chinese and English description).
const PATH_PARAMS: &[(&str, Type, Option<&str>, &str)] = &[
    (
        "code",
        Type::String,
        Some("^[0-9]{12}$"),
        "12 位统计用区划代码（如 110101000000）。 The 12-digit statistical region code (e.g. 110101000000).",
    ),
    ("id", Type::Integer, None, "记录编号。 The record's id."),
    ("year", Type::Integer, None, "年度（如 2018）。 The year (e.g. 2018)."),
    ("name", Type::String, None, "代码表名称（见 GET /api/v1/code-tables）。 The code table's name (see GET /api/v1/code-tables)."),
    ("number", Type::String, None, "户编码。 The household number."),
];

/// The description of this module's route, and the error schema every operation refers to.
#[derive(utoipa::OpenApi)]
#[openapi(paths(document), components(schemas(ErrorDoc)))]
pub(crate) struct Doc;

/// The whole description from the areas' (the crate root gathers them, see `crate::openapi`):
/// merged, with the document's information and what every operation shares.
pub(crate) fn assemble(areas: impl IntoIterator<Item = OpenApi>) -> OpenApi {
    let mut doc = Doc::openapi();
    for area in areas {
        doc.merge(area);
    }
    doc.info = InfoBuilder::new()
        .title("fupin API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(INTRO))
        .license(Some(
            LicenseBuilder::new()
                .name("MIT OR Apache-2.0")
                .identifier(Some("MIT OR Apache-2.0"))
                .build(),
        ))
        .build();
    doc.tags = Some(
        TAGS.iter()
            .map(|(name, zh, en)| {
                TagBuilder::new()
                    .name(*name)
                    .description(Some(format!("{zh}。 {en}.")))
                    .build()
            })
            .collect(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("Error".into(), RefOr::T(error_schema()));
    components.security_schemes.insert(
        "token".into(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("fupin_…")
                .description(Some(
                    "API 令牌（`fupin token create` 生成），放在 `Authorization: Bearer …` 头中。 \
                     An API token (made with `fupin token create`) in `Authorization: Bearer …`.",
                ))
                .build(),
        ),
    );
    components.security_schemes.insert(
        "session".into(),
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::SESSION_COOKIE,
            "登录后浏览器持有的会话 Cookie；改变数据的请求还须带 `X-CSRF-Token` 头（值见 \
             GET /api/v1/session）。 The session cookie a browser holds after signing in; requests \
             that change data also need the `X-CSRF-Token` header (its value from GET \
             /api/v1/session).",
        ))),
    );
    doc.security = Some(vec![
        SecurityRequirement::new("token", Vec::<String>::new()),
        SecurityRequirement::new("session", Vec::<String>::new()),
    ]);
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("DELETE", &mut item.delete),
        ] {
            if let Some(op) = op {
                complete_operation(method, path, op);
            }
        }
    }
    doc
}

const INTRO: &str = "精准扶贫与动态监测系统的 HTTP 接口。请求与回答均为 JSON（另有说明的除外）；\
金额以分为单位（整数），日期为 `YYYY-MM-DD`，区划代码为 12 位数字，身份证号默认脱敏。\
出错时回答 `{code, message, field}`：`code` 为稳定的英文错误码，`message` 为中文说明，\
`field` 指出出错的输入。\n\n\
The HTTP API of fupin, a system for targeted poverty alleviation and dynamic monitoring. \
Requests and answers are JSON unless stated otherwise; money is integer fen, dates are \
`YYYY-MM-DD`, region codes are 12 digits, ID numbers are masked by default. A failing request \
answers `{code, message, field}`: `code` is a stable English code, `message` a Chinese \
explanation, `field` the input at fault.";

/// Add what every operation shares: its path parameters, its error answers and, on public
/// routes, `security: []`.
fn complete_operation(method: &str, path: &str, op: &mut Operation) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    for name in template_names(path) {
        let declared = params
            .iter()
            .any(|p| p.name == name && p.parameter_in == ParameterIn::Path);
        if !declared {
            params.push(path_param(name));
        }
    }
    let public = PUBLIC_ROUTES.contains(&(method, path));
    if public {
        op.security = Some(vec![]);
    }
    let responses = &mut op.responses.responses;
    if !public && !responses.contains_key("401") {
        responses.insert(
            "401".into(),
            error_response(
                "未登录或凭据无效（code: unauthenticated）。 Not signed in, or the credentials are not valid.",
            ),
        );
    }
    responses.entry("4XX".into()).or_insert_with(|| {
        error_response(
            "请求有误：400 格式或参数错误，403 无权操作，404 不存在或不在权限范围内，409 与现有数据冲突，\
             413 请求体过大，422 数据不符合业务规则，429 请求过于频繁。`code` 说明原因，`field` 指出输入项。 \
             The request was refused: 400 malformed body or parameter, 403 not permitted, 404 not \
             found or outside the caller's regions, 409 conflicts with stored data, 413 body too \
             large, 422 breaks a rule, 429 too many requests. `code` says why, `field` names the input.",
        )
    });
    responses.entry("5XX".into()).or_insert_with(|| {
        error_response(
            "服务端故障（code: internal_error），原因记在日志中，回答只带请求编号 X-Request-Id。 \
             A failure of the server (code: internal_error); the cause is in the log, the answer \
             carries only the request id X-Request-Id.",
        )
    });
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
        .into()
}

fn path_param(name: &str) -> Parameter {
    let (schema, description) = match PATH_PARAMS.iter().find(|(n, ..)| *n == name) {
        Some((_, ty, pattern, description)) => {
            let schema = ObjectBuilder::new()
                .schema_type(ty.clone())
                .pattern(pattern.map(str::to_string));
            (schema, Some(*description))
        }
        None => (ObjectBuilder::new().schema_type(Type::String), None),
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(description)
        .schema(Some(Schema::Object(schema.build())))
        .build()
}

/// The `{names}` of a path template, in order.
fn template_names(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// (method, path) of every operation of the description.
pub fn described_routes() -> Vec<(String, String)> {
    let doc = document_value();
    let mut out = vec![];
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for m in [
                HttpMethod::Get,
                HttpMethod::Post,
                HttpMethod::Put,
                HttpMethod::Delete,
                HttpMethod::Patch,
                HttpMethod::Head,
                HttpMethod::Options,
                HttpMethod::Trace,
            ] {
                let name = method_name(&m);
                if item.get(name.to_lowercase()).is_some() {
                    out.push((name.to_string(), path.clone()));
                }
            }
        }
    }
    out
}

fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Head => "HEAD",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Trace => "TRACE",
    }
}

/// The description as JSON, built once.
fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        crate::openapi()
            .to_pretty_json()
            .expect("the description serializes")
    })
}

fn document_value() -> serde_json::Value {
    serde_json::from_str(document_json()).expect("the description is JSON")
}

/// 本接口的 OpenAPI 3.1 说明 · This API's OpenAPI 3.1 description
///
/// 无需登录：说明中没有任何业务数据。 Public: the description holds no data.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "service",
    operation_id = "openapi",
    responses((status = 200, description = "OpenAPI 3.1 文档。 The OpenAPI 3.1 document.",
        content_type = "application/json", body = Object))
)]
async fn document() -> Response {
    let mut res = document_json().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// The API reference: Swagger UI (from npm, embedded; see `ui::assets`) over `/api/v1/openapi.json`.
async fn reference_page() -> Html<String> {
    use crate::ui::assets::url;
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "fupin 接口说明 · API reference" }
                link rel="icon" href=(url("icon.svg"));
                link rel="stylesheet" href=(url("swagger-ui.css"));
            }
            body {
                noscript {
                    p {
                        "本页需要 JavaScript。接口说明的原文见 "
                        a href="/api/v1/openapi.json" { "/api/v1/openapi.json" }
                        "。 This page needs JavaScript; the description itself is at "
                        a href="/api/v1/openapi.json" { "/api/v1/openapi.json" }
                        "."
                    }
                }
                div id="api-reference" data-url="/api/v1/openapi.json" {}
                script src=(url("swagger-ui-bundle.js")) {}
                script src=(url("api-docs.js")) {}
            }
        }
    };
    Html(page.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{body_json, send_anon, test_db};
    use axum::http::StatusCode;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn registered() -> BTreeSet<(String, String)> {
        let (_, registered) = crate::routes().into_parts();
        registered
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect()
    }

    #[test]
    fn every_registered_route_is_described() {
        let described: BTreeSet<_> = described_routes().into_iter().collect();
        let registered = registered();
        let undescribed: Vec<_> = registered.difference(&described).collect();
        let unregistered: Vec<_> = described.difference(&registered).collect();
        assert!(
            undescribed.is_empty(),
            "registered but not described: {undescribed:?}. Give each handler a \
             #[utoipa::path(…)] attribute and list it in its area's `Doc` (see crate::openapi)"
        );
        assert!(
            unregistered.is_empty(),
            "described but not registered: {unregistered:?}"
        );
    }

    #[test]
    fn a_route_missing_from_the_description_is_noticed() {
        // the comparison itself: one route fewer in the description is a difference
        let mut described: BTreeSet<_> = described_routes().into_iter().collect();
        let first = described.iter().next().cloned().unwrap();
        described.remove(&first);
        assert!(registered().difference(&described).any(|r| *r == first));
    }

    #[test]
    fn operations_are_complete() {
        let doc = document_value();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut ids = BTreeSet::new();
        for (method, path) in described_routes() {
            let op = &doc["paths"][&path][method.to_lowercase()];
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(!id.is_empty(), "{method} {path}: no operationId");
            assert!(
                ids.insert(id.clone()),
                "{method} {path}: operationId {id} twice"
            );
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(
                summary
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                    && summary.chars().any(|c| c.is_ascii_alphabetic()),
                "{method} {path}: the summary should be in Chinese and English: {summary:?}"
            );
            assert!(op["tags"][0].is_string(), "{method} {path}: no tag");
            let declared: BTreeSet<_> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            let wanted: BTreeSet<_> = template_names(&path)
                .into_iter()
                .map(str::to_string)
                .collect();
            assert_eq!(declared, wanted, "{method} {path}");
            let success = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with('2') || k.starts_with('3'));
            assert!(success, "{method} {path}: no success answer described");
            assert_eq!(
                op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error"
            );
            let public = PUBLIC_ROUTES.contains(&(method.as_str(), path.as_str()));
            assert_eq!(
                op["security"] == serde_json::json!([]),
                public,
                "{method} {path}: security"
            );
        }
        for (name, ..) in TAGS {
            assert!(doc["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == *name));
        }
    }

    #[test]
    fn error_codes_come_from_the_catalogue() {
        let doc = document_value();
        let code = &doc["components"]["schemas"]["Error"]["properties"]["code"];
        let listed: Vec<_> = code["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let catalogue: Vec<_> = fupin_core::error_codes::CATALOGUE
            .iter()
            .map(|c| c.code)
            .collect();
        assert_eq!(listed, catalogue);
        for c in ["not_found", "unauthenticated", "invalid_region_code"] {
            assert!(listed.contains(&c), "{c}");
            assert!(
                code["description"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("| `{c}` |")),
                "{c}"
            );
        }
        assert_eq!(
            doc["components"]["schemas"]["Error"]["required"],
            serde_json::json!(["code", "message"])
        );
    }

    #[test]
    fn every_reference_resolves() {
        fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(o) => {
                    if let Some(r) = o.get("$ref").and_then(|r| r.as_str()) {
                        out.push(r.to_string());
                    }
                    o.values().for_each(|x| refs(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let doc = document_value();
        let mut found = vec![];
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{r} is not defined"
            );
        }
    }

    /// The schema a `$ref` names, or the schema itself.
    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
                resolve(doc, &doc["components"]["schemas"][name])
            }
            None => schema,
        }
    }

    /// Whether a schema says what its JSON holds: a body is not the empty schema, and no object is
    /// without properties (unless it is a map, whose values are described), down through arrays,
    /// alternatives and properties.
    fn described(doc: &Value, schema: &Value, depth: usize) -> Result<(), String> {
        let schema = resolve(doc, schema);
        if depth > 40 {
            return Ok(());
        }
        let obj = schema.as_object().ok_or("not a schema")?;
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(branches) = obj.get(key).and_then(Value::as_array) {
                for b in branches {
                    described(doc, b, depth + 1)?;
                }
                return Ok(());
            }
        }
        let types: Vec<&str> = match &obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if types.is_empty() && obj.get("enum").is_none() {
            // any JSON: a body never, a field only where it is free-form on purpose (the before
            // and after of an audit entry)
            return match depth {
                0 => Err(format!("a schema without a type: {schema}")),
                _ => Ok(()),
            };
        }
        if types.contains(&"object") {
            let props = obj.get("properties").and_then(Value::as_object);
            let map = obj.get("additionalProperties").filter(|a| a.is_object());
            match (props, map) {
                (Some(props), _) => {
                    for (name, p) in props {
                        described(doc, p, depth + 1).map_err(|e| format!("{name}: {e}"))?;
                    }
                }
                (None, Some(values)) => described(doc, values, depth + 1)?,
                (None, None) => return Err(format!("an object without properties: {schema}")),
            }
        }
        if let Some(tuple) = obj.get("prefixItems").and_then(Value::as_array) {
            for item in tuple {
                described(doc, item, depth + 1).map_err(|e| format!("prefixItems: {e}"))?;
            }
        } else if types.contains(&"array") {
            described(doc, &obj["items"], depth + 1).map_err(|e| format!("items: {e}"))?;
        }
        Ok(())
    }

    /// Operations whose JSON answer is free-form on purpose: the description itself.
    const FREE_FORM_ANSWERS: &[&str] = &["openapi"];

    #[test]
    fn every_json_body_has_a_schema_with_its_fields() {
        let doc = document_value();
        let mut bodies = 0;
        let mut answers = 0;
        let mut faults = vec![];
        for (method, path) in described_routes() {
            let op = &doc["paths"][&path][method.to_lowercase()];
            let id = op["operationId"].as_str().unwrap_or_default();
            let request = &op["requestBody"]["content"]["application/json"]["schema"];
            if !request.is_null() {
                bodies += 1;
                if let Err(e) = described(&doc, request, 0) {
                    faults.push(format!("{method} {path} ({id}), request body: {e}"));
                }
            }
            for (status, answer) in op["responses"].as_object().unwrap() {
                let schema = &answer["content"]["application/json"]["schema"];
                if !status.starts_with('2') || schema.is_null() || FREE_FORM_ANSWERS.contains(&id) {
                    continue;
                }
                answers += 1;
                if let Err(e) = described(&doc, schema, 0) {
                    faults.push(format!("{method} {path} ({id}), answer {status}: {e}"));
                }
            }
        }
        assert!(
            faults.is_empty(),
            "JSON bodies without a schema of their fields (give the type a ToSchema derive and \
             name it in #[utoipa::path]):\n{}",
            faults.join("\n")
        );
        // the request bodies and answers counted when every one of them got its schema
        assert!(bodies >= 57, "{bodies} request bodies");
        assert!(answers >= 139, "{answers} answers");
    }

    #[test]
    fn a_bare_object_is_noticed() {
        let doc = document_value();
        let bare = serde_json::json!({"type": "object"});
        assert!(described(&doc, &bare, 0).is_err());
        let nested = serde_json::json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "object"}}}});
        assert!(described(&doc, &nested, 0).is_err());
        let household = serde_json::json!({"$ref": "#/components/schemas/NewHousehold"});
        assert_eq!(described(&doc, &household, 0), Ok(()));
    }

    /// Every schema name is given once: utoipa names a component by its type's name alone, so two
    /// types of one name in different modules would silently share one schema (the second one's).
    /// Such a type takes `schema(as = AreaName)`.
    #[test]
    fn schema_names_are_unique() {
        let mut seen: std::collections::BTreeMap<String, String> = Default::default();
        let mut twice = vec![];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for dir in ["core/src", "io/src", "web/src"] {
            let mut stack = vec![root.join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap() {
                    let p = entry.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                        continue;
                    }
                    let text = std::fs::read_to_string(&p).unwrap();
                    for name in schema_names(&text) {
                        let at = p.display().to_string();
                        if let Some(first) = seen.insert(name.clone(), at.clone()) {
                            twice.push(format!("{name}: {first} and {at}"));
                        }
                    }
                }
            }
        }
        assert!(seen.contains_key("HouseholdInput") && seen.contains_key("ProjectCategory"));
        assert!(twice.is_empty(), "schema names given twice: {twice:?}");
    }

    /// The names of the types deriving `ToSchema` in a source file: `schema(as = …)` if given, else
    /// the name of the struct or enum that follows the derive.
    fn schema_names(text: &str) -> Vec<String> {
        let mut out = vec![];
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains("ToSchema)") || line.trim_start().starts_with("//") {
                continue;
            }
            let attrs = std::iter::once(*line).chain(
                lines[i + 1..]
                    .iter()
                    .copied()
                    .take_while(|l| l.trim_start().starts_with('#')),
            );
            if let Some(rest) = attrs.filter_map(|l| l.split("schema(as = ").nth(1)).next() {
                out.push(rest.split(')').next().unwrap().trim().to_string());
                continue;
            }
            let item = lines[i + 1..]
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.starts_with('#') && !l.starts_with("///"));
            let words: Vec<&str> = item.unwrap_or_default().split_whitespace().collect();
            if let Some(k) = words.iter().position(|w| *w == "struct" || *w == "enum") {
                let name = words.get(k + 1).unwrap_or(&"");
                let name = name.split(['<', '(', '{', ';']).next().unwrap();
                if !name.starts_with('$') {
                    out.push(name.to_string());
                }
            }
        }
        out
    }

    /// The problems of a JSON value against a schema of the description: types, formats of dates,
    /// required properties, enumerations, and every property of an object described (an answer's
    /// field missing from its schema is a fault here, even where the schema does not forbid more).
    fn check(
        doc: &Value,
        schema: &Value,
        v: &Value,
        at: &str,
        strict: bool,
        out: &mut Vec<String>,
    ) {
        let schema = resolve(doc, schema);
        if let Some(all) = schema["allOf"].as_array() {
            // a flattened struct or enum: each part holds for the one object, and every field is
            // declared by one of them
            all.iter().for_each(|s| check(doc, s, v, at, false, out));
            if let (true, Some(o)) = (strict, v.as_object()) {
                let mut names = BTreeSet::new();
                declared(doc, schema, &mut names, 0);
                for k in o.keys().filter(|k| !names.contains(k.as_str())) {
                    out.push(format!("{at}.{k}: not in the schema"));
                }
            }
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema[key].as_array() {
                let fitting = branches
                    .iter()
                    .filter(|b| {
                        let mut e = vec![];
                        check(doc, b, v, at, strict, &mut e);
                        e.is_empty()
                    })
                    .count();
                let ok = if key == "oneOf" {
                    fitting == 1
                } else {
                    fitting >= 1
                };
                if !ok {
                    out.push(format!("{at}: {v} fits {fitting} of the {key} {schema}"));
                }
                return;
            }
        }
        if let Some(values) = schema["enum"].as_array() {
            if !values.contains(v) {
                out.push(format!("{at}: {v} is not one of {values:?}"));
            }
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        let kind = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
        if !fits {
            out.push(format!("{at}: {v} is {kind}, the schema says {types:?}"));
            return;
        }
        match v {
            Value::String(s) => {
                let format = schema["format"].as_str().unwrap_or_default();
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                let ok = match format {
                    "date" => time::Date::parse(s, &fmt).is_ok(),
                    "date-time" => time::OffsetDateTime::parse(
                        s,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok(),
                    _ => true,
                };
                if !ok {
                    out.push(format!("{at}: {s:?} is not a {format}"));
                }
            }
            Value::Array(items) => {
                let tuple = schema["prefixItems"].as_array();
                if tuple.is_some_and(|t| t.len() != items.len()) {
                    out.push(format!("{at}: {v} has not the tuple's length"));
                }
                for (i, item) in items.iter().enumerate() {
                    let of = tuple.map_or(&schema["items"], |t| &t[i.min(t.len() - 1)]);
                    check(doc, of, item, &format!("{at}[{i}]"), true, out);
                }
            }
            Value::Object(o) => {
                for r in schema["required"].as_array().into_iter().flatten() {
                    if !o.contains_key(r.as_str().unwrap()) {
                        out.push(format!("{at}: {r} is required"));
                    }
                }
                let props = schema["properties"].as_object();
                for (k, x) in o {
                    let at = format!("{at}.{k}");
                    match (
                        props.and_then(|p| p.get(k)),
                        &schema["additionalProperties"],
                    ) {
                        (Some(p), _) => check(doc, p, x, &at, true, out),
                        (None, extra) if extra.is_object() => check(doc, extra, x, &at, true, out),
                        _ if !strict => {}
                        _ => out.push(format!("{at}: not in the schema")),
                    }
                }
            }
            _ => {}
        }
    }

    /// The property names a schema declares, through references, parts and alternatives.
    fn declared<'a>(
        doc: &'a Value,
        schema: &'a Value,
        names: &mut BTreeSet<&'a str>,
        depth: usize,
    ) {
        let schema = resolve(doc, schema);
        if depth > 20 {
            return;
        }
        if let Some(p) = schema["properties"].as_object() {
            names.extend(p.keys().map(String::as_str));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema[key].as_array().into_iter().flatten() {
                declared(doc, part, names, depth + 1);
            }
        }
    }

    #[test]
    fn the_checker_notices_what_does_not_fit() {
        let doc = document_value();
        let schema = serde_json::json!({"$ref": "#/components/schemas/StatusChangeInput"});
        let mut e = vec![];
        check(
            &doc,
            &schema,
            &serde_json::json!({"to": "exited", "date": "2019-12-01", "reason": "达标"}),
            "$",
            true,
            &mut e,
        );
        assert_eq!(e, Vec::<String>::new());
        for wrong in [
            serde_json::json!({"to": "exited", "date": "2019-12-01"}),
            serde_json::json!({"to": "gone", "date": "2019-12-01", "reason": "r"}),
            serde_json::json!({"to": "exited", "date": "2019/12/01", "reason": "r"}),
            serde_json::json!({"to": "exited", "date": "2019-12-01", "reason": "r", "x": 1}),
            serde_json::json!({"to": "exited", "date": "2019-12-01", "reason": 3}),
        ] {
            let mut e = vec![];
            check(&doc, &schema, &wrong, "$", true, &mut e);
            assert!(!e.is_empty(), "{wrong}");
        }
    }

    /// A request and its answer on the running API, both held to the description of the operation
    /// (`path` is the template the description lists it under).
    async fn exchange(
        db: &crate::test_support::TestDb,
        method: &str,
        path: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Value {
        let doc = document_value();
        let op = &doc["paths"][path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not described");
        let mut faults = vec![];
        let mut req = axum::http::Request::builder().method(method).uri(uri);
        let req = match &body {
            Some(b) => {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                check(&doc, schema, b, "request", true, &mut faults);
                req = req.header(header::CONTENT_TYPE, "application/json");
                req.body(axum::body::Body::from(b.to_string())).unwrap()
            }
            None => req.body(axum::body::Body::empty()).unwrap(),
        };
        let res = crate::test_support::send(db.router(), req).await;
        let status = res.status();
        let answer = body_json(res).await;
        assert!(status.is_success(), "{method} {uri}: {status} {answer}");
        let schema = &op["responses"][status.as_str()]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path}: no schema for {status}"
        );
        check(&doc, schema, &answer, "answer", true, &mut faults);
        assert!(faults.is_empty(), "{method} {uri}:\n{}", faults.join("\n"));
        answer
    }

    fn id_number(body17: &str) -> String {
        let check = fupin_core::id_number::check_char(body17.as_bytes()) as char;
        format!("{body17}{check}")
    }

    #[tokio::test]
    async fn real_requests_and_answers_fit_their_schemas() {
        use crate::test_support::VILLAGE;
        let db = test_db().await;
        let new = serde_json::json!({
            "household": {
                "household_number": format!("{VILLAGE}0001"),
                "village_code": VILLAGE,
                "group_name": "三组",
                "phone": "13800138011",
                "attribute": "01",
                "identification_standard": "01",
                "identification_year": 2014,
                "main_cause": "因病",
                "other_causes": ["缺技术"],
                "living": {"housing_grade": "C", "housing_area_m2": 62.5, "safe_drinking_water": true},
                "relocation": {"relocated": false},
            },
            "members": [
                {"name": "张三", "id_number": id_number("36012419800101001"), "relation": "户主",
                 "health": "健康", "disability": false},
                {"name": "李四", "id_number": id_number("36012419820305002"), "relation": "配偶",
                 "birth_date": "1982-03-05"},
            ],
            "initial_status": {"status": "poor", "date": "2014-03-01"},
        });
        let created = exchange(
            &db,
            "POST",
            "/api/v1/households",
            "/api/v1/households",
            Some(new),
        )
        .await;
        let id = created["id"].as_i64().expect("id");
        let one = format!("/api/v1/households/{id}");
        exchange(&db, "GET", "/api/v1/households/{id}", &one, None).await;
        let income = serde_json::json!({"wage_fen": 1_200_000, "business_fen": 300_000,
            "property_fen": 0, "transfer_fen": 150_000, "business_cost_fen": 50_000, "note": "台账"});
        exchange(
            &db,
            "PUT",
            "/api/v1/households/{id}/incomes/{year}",
            &format!("{one}/incomes/2018"),
            Some(income),
        )
        .await;
        let change =
            serde_json::json!({"to": "exited", "date": "2018-11-20", "reason": "收入达标"});
        exchange(
            &db,
            "POST",
            "/api/v1/households/{id}/status",
            &format!("{one}/status"),
            Some(change),
        )
        .await;
        exchange(&db, "GET", "/api/v1/households", "/api/v1/households", None).await;
        exchange(&db, "GET", "/api/v1/households/{id}", &one, None).await;
        let county = "/api/v1/regions/360124000000";
        exchange(&db, "GET", "/api/v1/regions/{code}", county, None).await;
        exchange(
            &db,
            "GET",
            "/api/v1/regions/{code}/stats",
            &format!("{county}/stats?year=2018"),
            None,
        )
        .await;
        exchange(&db, "GET", "/api/v1/jobs", "/api/v1/jobs", None).await;
        let project = serde_json::json!({
            "village_code": VILLAGE, "name": "塔岗村安全饮水工程", "category": "基础设施",
            "sub_category": "饮水", "year": 2017,
            "planned_start": "2017-03-01", "planned_end": "2017-09-30",
            "responsible_unit": "进贤县水利局", "responsible_person": "李工",
            "content": "铺设供水管网", "budget_fen": 20_000_000,
            "targets": [{"indicator": "受益户数", "value": "全村"}],
            "beneficiaries": [{"household_id": id, "mode": "公共服务"}],
            "participation": "村民代表大会表决通过", "proposed_on": "2017-01-05",
        });
        let project = exchange(
            &db,
            "POST",
            "/api/v1/projects",
            "/api/v1/projects",
            Some(project),
        )
        .await;
        let uri = format!("/api/v1/projects/{}", project["id"]);
        exchange(&db, "GET", "/api/v1/projects/{id}", &uri, None).await;
    }

    #[tokio::test]
    async fn the_reference_page_shows_the_description_with_embedded_assets() {
        let db = test_db().await;
        let res = send_anon(
            db.router(),
            axum::http::Request::get("/docs/api")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let page = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(
            page.contains(r#"data-url="/api/v1/openapi.json""#),
            "{page}"
        );
        for asset in ["swagger-ui-bundle.js", "swagger-ui.css", "api-docs.js"] {
            assert!(
                page.contains(&crate::ui::assets::url(asset)),
                "{asset}: {page}"
            );
        }
    }

    #[tokio::test]
    async fn served_without_signing_in() {
        let db = test_db().await;
        let res = send_anon(
            db.router(),
            axum::http::Request::get("/api/v1/openapi.json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
        let doc = body_json(res).await;
        assert_eq!(doc["info"]["title"], "fupin API");
        assert!(doc["paths"]["/api/v1/households"]["get"].is_object());
    }
}
