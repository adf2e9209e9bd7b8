//! The page language: Chinese unless the person chose English, by `?lang=en` (remembered in a `lang`
//! cookie) or by the cookie alone.
//!
//! Texts are written at the place they are shown as a pair, `v.t("农户", "Households")`, rather than
//! looked up by key in a catalogue: with two languages a pair keeps the Chinese and its English
//! side by side for the reviewer, and a missing translation cannot fail at run time. Data (names,
//! domain messages) stays in Chinese; code-table labels follow the page ([`code_label`]).

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The cookie that remembers the language.
pub(crate) const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of the page.
    pub(crate) fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Pick the text of this language.
    pub(crate) fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// From `?lang=` first, then the cookie; Chinese otherwise.
    pub(crate) fn of(query: Option<&str>, headers: &HeaderMap) -> Lang {
        query
            .and_then(query_lang)
            .or_else(|| cookie_lang(headers))
            .unwrap_or_default()
    }
}

/// `lang=` of a query string.
pub(crate) fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| Lang::parse(v))
}

/// Middleware: a page asked for with `?lang=xx` sets the cookie, so the choice holds on the next
/// pages (links need not carry it). Not `HttpOnly`-relevant: it holds no secret.
pub(crate) async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(query_lang);
    let mut res = next.run(req).await;
    if let Some(l) = chosen {
        let v = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            l.code()
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The label of a code of a code table in the page's language: its English label when the page is
/// in English and the code has one (every shipped code does), else the table's own (Chinese).
pub(crate) fn code_label<'a>(
    lang: Lang,
    codes: &'a fupin_core::codes::CodeBook,
    table: &str,
    code: &'a str,
) -> &'a str {
    match lang {
        Lang::En => fupin_core::codes::english_label(table, code)
            .unwrap_or_else(|| codes.label(table, code)),
        Lang::Zh => codes.label(table, code),
    }
}

/// The label of a value the code defines (a project's stage, an asset's kind, a problem's status
/// …) in the page's language: its English label from `code-labels-en.json` (`enums.<table>`) when
/// the page is in English, else `zh` (the value's own Chinese label).
pub(crate) fn enum_label<'a>(lang: Lang, table: &str, code: &str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => fupin_core::codes::english_enum_label(table, code).unwrap_or(zh),
        Lang::Zh => zh,
    }
}

/// A measure kind's label (a kind of the measure catalogue, by its code) in the page's language:
/// its English label (`measure_kind` in `code-labels-en.json`) when the page is in English, else
/// `zh` (the catalogue's own).
pub(crate) fn measure_kind_label<'a>(lang: Lang, code: &str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => fupin_core::measures::Catalogue::shipped()
            .english_label(code)
            .unwrap_or(zh),
        Lang::Zh => zh,
    }
}

/// A funding source's or a project category's label in the page's language, by its key (the
/// funds report's `kind` / `key`); `zh` when the page is in Chinese or the key is unknown.
pub(crate) fn funds_label<'a>(lang: Lang, key: &str, zh: &'a str) -> &'a str {
    if lang == Lang::Zh {
        return zh;
    }
    match key {
        // sources (资金来源)
        "central" => "Central government funds",
        "provincial" => "Provincial funds",
        "city" => "City funds",
        "county" => "County funds",
        "integrated_agriculture" => "Integrated agricultural funds",
        "helping_unit" => "Helping units' funds",
        "donation" => "Donations",
        "loan" => "Loans",
        "enterprise" => "Enterprise investment",
        // project categories (项目类别)
        "infrastructure" => "Infrastructure",
        "industry" => "Industry",
        "collective_economy" => "Collective economy",
        "employment" => "Employment",
        "education" => "Education",
        "health" => "Health",
        "housing" => "Housing",
        "other" => "Other",
        _ => zh,
    }
}

/// A household status in the page's language.
pub(crate) fn status_label(lang: Lang, s: fupin_core::registry::HouseholdStatus) -> &'static str {
    use fupin_core::registry::HouseholdStatus as S;
    match lang {
        Lang::Zh => s.label(),
        Lang::En => match s {
            S::NewlyIdentified => "Newly identified",
            S::Poor => "Not yet exited",
            S::Exited => "Exited",
            S::Relapsed => "Relapsed",
            S::Monitored => "Monitored",
            S::RiskEliminated => "Risk eliminated",
            S::Removed => "Removed",
        },
    }
}

/// A region level in the page's language.
pub(crate) fn level_label(lang: Lang, l: fupin_core::regions::Level) -> &'static str {
    use fupin_core::regions::Level as L;
    match lang {
        Lang::Zh => l.label(),
        Lang::En => match l {
            L::Nation => "Nation",
            L::Province => "Province",
            L::City => "City",
            L::County => "County",
            L::Township => "Township",
            L::Village => "Village",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_wins_over_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::of(None, &h), Lang::Zh);
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; lang=en"));
        assert_eq!(Lang::of(None, &h), Lang::En);
        assert_eq!(Lang::of(Some("x=1&lang=zh"), &h), Lang::Zh);
        assert_eq!(Lang::of(Some("lang=fr"), &h), Lang::En);
        assert_eq!(Lang::En.t("农户", "Households"), "Households");
    }
}
