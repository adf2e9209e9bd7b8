//! The frame every page shares: who is looking ([`Viewer`]), the page shell (skip link, header with
//! the navigation the user's grants allow, language switch, sign-out, breadcrumbs), the error page,
//! and the response headers of HTML pages.

use super::i18n::Lang;
use crate::auth::Credential;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::trace::REQUEST_ID;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use fupin_core::accounts::Policy;
use fupin_core::{DomainError, ErrorKind, RegionCode};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// The signed-in person looking at a page, and in which language.
pub(crate) struct Viewer {
    pub caller: Caller,
    pub lang: Lang,
    /// Path and query of the request (for the language switch).
    pub here: String,
}

impl Viewer {
    pub(crate) fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    /// The session's CSRF token for forms; empty for API-token callers (who need none).
    pub(crate) fn csrf(&self) -> &str {
        match &self.caller.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::Token => "",
        }
    }

    /// Whether a grant of the user permits `policy` in some region (cadres' reach to their paired
    /// households aside).
    pub(crate) fn has_regions(&self, policy: Policy) -> bool {
        self.caller.principal.regions_for(policy).is_some()
    }

    /// Whether a page whose handler asks for `policy` and nothing more opens for this user. A link
    /// to a page that would answer 403 is shown as plain text instead.
    pub(crate) fn may(&self, policy: Policy) -> bool {
        self.caller.ctx(policy).is_ok()
    }

    /// Whether a page of region `code` (or of a record in it) whose handler asks for `policy` opens
    /// for this user: the context for the policy holds the region. A cadre reads their paired
    /// households but holds no region, so the village's pages and projects are no links for them.
    pub(crate) fn reaches(&self, policy: Policy, code: &RegionCode) -> bool {
        self.caller
            .ctx(policy)
            .is_ok_and(|ctx| ctx.scope.allows(code))
    }

    pub(crate) fn is_cadre(&self) -> bool {
        self.caller.principal.is_cadre()
    }

    /// The hidden CSRF field of a form.
    pub(crate) fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(crate::CSRF_FIELD) value=(self.csrf()); }
    }

    /// This page in the other language.
    fn switch_link(&self) -> (String, &'static str) {
        let other = match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        let (path, query) = self.here.split_once('?').unwrap_or((&self.here, ""));
        let mut parts: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            .collect();
        let l = format!("lang={}", other.code());
        parts.push(&l);
        let label = match other {
            Lang::En => "English",
            Lang::Zh => "中文",
        };
        (format!("{path}?{}", parts.join("&")), label)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::of(parts.uri.query(), &parts.headers);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(Viewer { caller, lang, here }),
            // Not signed in (or the session ended): to the sign-in form, which returns to `/`.
            Err(_) => Err(see_other("/login")),
        }
    }
}

/// A 303 to `to` (after a form post, or to sign in).
pub(crate) fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// A failed page: its status and the (Chinese) message of the domain or the API. A server error's
/// page also shows the request id (added by [`page_headers`], which knows it), so that whoever
/// reports it can be matched with the log line of its cause.
#[derive(Debug, Clone)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

pub(crate) type PageResult = Result<Response, PageError>;

impl PageError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "页面不存在")
    }
}

/// A positive integer id from a page's path; anything else is a page that does not exist.
pub(crate) fn parse_id(s: &str) -> Result<i64, PageError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(PageError::not_found)
}

/// What a page makes of a store call whose refusal it can show as nothing (an empty section, a
/// missing figure): the value, or nothing when the store refuses (not found, not allowed, invalid,
/// conflict: the domain's answers). A failure of the machine (the database is down, a query failed:
/// `ErrorKind::Internal`) is the page's error, a 500 with the request id, never an empty list in
/// its place. Rejected: `.ok()` and `unwrap_or_default()`, which made both look alike.
pub(crate) trait StoreAnswer<T> {
    /// `Some(value)`, or `None` when the store refuses.
    fn or_none(self) -> Result<Option<T>, PageError>;
    /// The value, or its empty default when the store refuses.
    fn or_empty(self) -> Result<T, PageError>
    where
        T: Default;
}

impl<T> StoreAnswer<T> for Result<T, DomainError> {
    fn or_none(self) -> Result<Option<T>, PageError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind == ErrorKind::Internal => Err(e.into()),
            Err(_) => Ok(None),
        }
    }
    fn or_empty(self) -> Result<T, PageError>
    where
        T: Default,
    {
        self.or_none().map(Option::unwrap_or_default)
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError {
            status: e.status(),
            message: e.message().to_string(),
        }
    }
}

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        ApiError::from(e).into()
    }
}

impl PageError {
    /// The error page, with the request id when there is one to show.
    fn page(&self, request_id: Option<&str>) -> Markup {
        // Bilingual: an error may come before the language is known, and it is short.
        let (zh, en) = match self.status {
            StatusCode::NOT_FOUND => ("未找到", "Not found"),
            StatusCode::FORBIDDEN => ("没有权限", "Forbidden"),
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                ("请求有误", "Bad request")
            }
            s if s.is_server_error() => ("系统错误", "Server error"),
            _ => ("无法完成", "Cannot be done"),
        };
        html! {
            (DOCTYPE)
            html lang="zh-CN" {
                head { (head_common(&format!("{zh} · {en}"), "扶贫信息系统")) }
                body {
                    header.top { div.bar { a.brand href="/" { (brand_mark()) span { "扶贫信息系统" } } } }
                    main #main .narrow {
                        h1 { (zh) " · " (en) " (" (self.status.as_u16()) ")" }
                        p.error-message role="alert" { (self.message) }
                        @if let Some(id) = request_id {
                            p.request-id {
                                "请求编号 · Request id: " code { (id) }
                            }
                        }
                        p { a href="/" { "返回首页 · Home" } }
                    }
                }
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = self.page(None);
        let mut res = (self.status, Html(body.into_string())).into_response();
        // For `page_headers`, which shows a server error's request id.
        res.extensions_mut().insert(self);
        res
    }
}

/// The site's name in a page's language (the title's suffix and the header's brand).
pub(crate) fn site_name(lang: Lang) -> &'static str {
    lang.t("扶贫信息系统", "Poverty Alleviation Registry")
}

/// What goes into every `<head>`; `site` ends the title.
fn head_common(title: &str, site: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="color-scheme" content="light";
        title { (title) " · " (site) }
        link rel="icon" href=(super::assets::url("icon.svg")) type="image/svg+xml";
        link rel="stylesheet" href=(super::assets::url("app.css"));
        script src=(super::assets::url("app.js")) defer {}
    }
}

fn brand_mark() -> Markup {
    html! { img.logo src=(super::assets::url("icon.svg")) alt="" width="28" height="28"; }
}

/// One breadcrumb: its text and, unless it is the current page or out of reach, a link.
pub(crate) type Crumb = (String, Option<String>);

/// How a page is framed.
pub(crate) struct Shell {
    pub title: String,
    pub crumbs: Vec<Crumb>,
    /// Which navigation entry is current (its path).
    pub active: &'static str,
    /// The big-screen layout of the board (no navigation, dark, large type).
    pub big: bool,
    /// Load ECharts.
    pub charts: bool,
    /// Extra class on `<main>` (e.g. `phone`).
    pub main_class: &'static str,
}

impl Shell {
    pub(crate) fn new(title: impl Into<String>, active: &'static str) -> Shell {
        Shell {
            title: title.into(),
            crumbs: Vec::new(),
            active,
            big: false,
            charts: false,
            main_class: "",
        }
    }
}

/// A whole page.
pub(crate) fn render(v: &Viewer, shell: Shell, body: Markup) -> Response {
    let nav = nav_items(v);
    let (switch_href, switch_label) = v.switch_link();
    let page = html! {
        (DOCTYPE)
        html lang=(v.lang.html()) {
            head {
                (head_common(&shell.title, site_name(v.lang)))
                meta name="csrf-token" content=(v.csrf());
                @if shell.charts {
                    script src=(super::assets::url("echarts.min.js")) defer {}
                }
            }
            body.big[shell.big] data-lang=(v.lang.code()) {
                a.skip href="#main" { (v.t("跳到正文", "Skip to content")) }
                header.top {
                    div.bar {
                        a.brand href="/" { (brand_mark()) span { (site_name(v.lang)) } }
                        @if !shell.big {
                            nav aria-label=(v.t("主导航", "Main")) {
                                ul {
                                    @for (href, label) in &nav {
                                        li {
                                            @if *href == shell.active {
                                                a href=(href) aria-current="page" { (label) }
                                            } @else {
                                                a href=(href) { (label) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        div.who {
                            span.user title=(v.caller.user.username) { (v.caller.user.display_name) }
                            a.lang href=(switch_href) hreflang=(if switch_label == "English" { "en" } else { "zh-CN" }) { (switch_label) }
                            @if !v.csrf().is_empty() {
                                form.logout method="post" action="/logout" {
                                    (v.csrf_field())
                                    button.link type="submit" { (v.t("退出", "Sign out")) }
                                }
                            }
                        }
                    }
                }
                @if !shell.crumbs.is_empty() {
                    nav.crumbs aria-label=(v.t("位置", "Breadcrumb")) {
                        ol {
                            @for (i, (text, href)) in shell.crumbs.iter().enumerate() {
                                li {
                                    @match href {
                                        Some(h) if i + 1 < shell.crumbs.len() => a href=(h) { (text) },
                                        _ => span aria-current=[(i + 1 == shell.crumbs.len()).then_some("page")] { (text) },
                                    }
                                }
                            }
                        }
                    }
                }
                main #main class=(shell.main_class) tabindex="-1" {
                    (body)
                }
                footer.foot {
                    p { (v.t("扶贫信息系统 · 个人信息已脱敏显示", "fupin · personal data shown masked")) }
                }
            }
        }
    };
    Html(page.into_string()).into_response()
}

/// The navigation the user's grants allow.
fn nav_items(v: &Viewer) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if v.has_regions(Policy::ReadStats) {
        out.push(("/board", v.t("进度看板", "Progress board")));
        out.push(("/households", v.t("建档立卡户", "Households")));
        out.push(("/rectification", v.t("整改销号", "Rectification")));
        out.push(("/projects", v.t("项目资金", "Projects")));
        out.push(("/pairing", v.t("结对帮扶", "Pairing")));
    }
    if v.has_regions(Policy::ReadRegistry) {
        out.push(("/cases", v.t("退出与监测程序", "Procedures")));
        out.push(("/warnings", v.t("监测预警", "Warnings")));
        out.push(("/summary", v.t("工作总结", "Work summary")));
        out.push((
            "/workplaces",
            v.t("车间岗位与活动", "Workshops, posts, events"),
        ));
    }
    if v.has_regions(Policy::WriteRegistry) {
        out.push(("/households/new", v.t("新增农户", "New household")));
        out.push(("/import", v.t("数据导入", "Import")));
    }
    if v.has_regions(Policy::ReadStats) {
        out.push(("/export", v.t("数据导出", "Export")));
        out.push(("/parameters", v.t("标准参数", "Standards")));
    }
    if v.has_regions(Policy::ReadAudit) {
        out.push(("/audit", v.t("审计日志", "Audit log")));
    }
    // Only for accounts of cadres (the role an account linked to a cadre holds): an office that may
    // record visits has no households of its own to visit, and its menu would open an empty page.
    if v.is_cadre() {
        out.push(("/m", v.t("我的帮扶", "My households")));
    }
    out
}

/// Middleware: the headers of every HTML page. Pages carry personal data, so nothing is cached; the
/// content security policy allows scripts, styles, images and requests from this server only.
///
/// A server error's page is written again with the request id, which only the request carries.
pub(crate) async fn page_headers(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut res = next.run(req).await;
    if let Some(e) = res.extensions_mut().remove::<PageError>() {
        if res.status().is_server_error() {
            let page = e.page(request_id.as_deref()).into_string();
            res.headers_mut().remove(header::CONTENT_LENGTH);
            *res.body_mut() = axum::body::Body::from(page);
        }
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    res
}

/// JSON for a `<script type="application/json">` block: `</` cannot end the element early.
pub(crate) fn json_block(id: &str, value: &serde_json::Value) -> Markup {
    let text = value.to_string().replace("</", "<\\/");
    html! { script type="application/json" id=(id) { (PreEscaped(text)) } }
}

/// The query string as a map (first value of each name). Pages are lenient where the API is strict:
/// an unknown parameter (`lang`, a tracking suffix) is ignored rather than refused.
pub(crate) fn query_map(raw: Option<&str>) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    if let Some(q) = raw {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        for (k, v) in pairs {
            out.entry(k).or_insert(v);
        }
    }
    out
}

/// The header of a list's column that sorts it along its index (by `key`), forwards or backwards:
/// `aria-sort` tells the order shown, the link (`#sort-{key}`) opens the first page in the other
/// order with the list's filters (`pairs`, without `after`). Lists offer only their index's order:
/// any other column would have the server read every row of the region to sort it.
pub(crate) fn sort_header(
    v: &Viewer,
    path: &str,
    pairs: &[(String, String)],
    key: &str,
    label: &str,
    descending: bool,
) -> Markup {
    let other = format!("-{key}");
    let mut q: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "after" | "sort" | "lang" | "screened"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    q.sort();
    if !descending {
        q.push(("sort", &other));
    }
    let href = format!(
        "{path}?{}",
        serde_urlencoded::to_string(q).unwrap_or_default()
    );
    html! {
        th scope="col" aria-sort=(if descending { "descending" } else { "ascending" }) {
            a.sort id=(format!("sort-{key}")) href=(href) title=(v.t("点击反向排序", "Reverse the order")) {
                (label) " " span aria-hidden="true" { (if descending { "▼" } else { "▲" }) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_failure_of_the_machine_is_an_error_page() {
        let refusals = [
            DomainError::not_found("household_not_found", "户不存在"),
            DomainError::forbidden("无权查看"),
            DomainError::conflict("stale", "已被修改"),
            DomainError::invalid("year", "invalid_year", "年度无效"),
        ];
        for e in refusals {
            let code = e.code;
            let r: Result<Vec<i32>, DomainError> = Err(e);
            assert_eq!(r.clone().or_none().unwrap(), None, "{code}");
            assert_eq!(r.or_empty().unwrap(), Vec::<i32>::new(), "{code}");
        }
        let failed: Result<Vec<i32>, DomainError> = Err(DomainError::internal());
        let e = failed.clone().or_none().unwrap_err();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.message, crate::error::INTERNAL_MESSAGE);
        assert_eq!(
            failed.or_empty().unwrap_err().status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let ok: Result<Vec<i32>, DomainError> = Ok(vec![1]);
        assert_eq!(ok.clone().or_none().unwrap(), Some(vec![1]));
        assert_eq!(ok.or_empty().unwrap(), vec![1]);
    }

    #[test]
    fn a_server_error_page_shows_the_request_id() {
        let e = PageError::from(DomainError::internal());
        let page = e.page(Some("req-42")).into_string();
        assert!(page.contains("<code>req-42</code>"), "{page}");
        assert!(page.contains("(500)"), "{page}");
        let plain = e.page(None).into_string();
        assert!(!plain.contains("请求编号"), "{plain}");
    }
}
