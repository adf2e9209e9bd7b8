//! Form fields with their labels and inline validation messages. A form posts back to its own page;
//! when the store refuses it, the page is shown again with what was typed and the domain's message
//! beside the input the error names: inputs are named by the API's field paths (`main_cause`,
//! `members[0].id_number`, `goods[0].value_fen`), so `DomainError::field` finds its input directly.

use fupin_core::codes::CodeBook;
use fupin_core::DomainError;
use maud::{html, Markup};

/// What a form shows: the values typed (or stored) and the error of the last attempt.
#[derive(Debug, Default, Clone)]
pub(crate) struct FormState {
    pub values: Vec<(String, String)>,
    pub error: Option<DomainError>,
}

impl FormState {
    pub(crate) fn with_values(values: Vec<(String, String)>) -> Self {
        FormState {
            values,
            error: None,
        }
    }

    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.values.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name.to_string(), value)),
        }
    }

    pub(crate) fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a repeated field (checkboxes).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The message for an input, when the error names it (every field of a form refused for
    /// several is named: [`DomainError::problems`]).
    pub(crate) fn error_for(&self, name: &str) -> Option<&str> {
        let e = self.error.as_ref()?;
        e.problems()
            .into_iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| m)
    }

    /// The summary above the form: every message, each linked to its input when it has one on
    /// the form.
    pub(crate) fn summary(&self, lang: super::Lang, inputs: &[&str]) -> Markup {
        let Some(e) = &self.error else {
            return html! {};
        };
        let mut problems: Vec<(Option<String>, &str)> = e
            .problems()
            .into_iter()
            .map(|(f, m)| (inputs.contains(&f).then(|| format!("#{}", input_id(f))), m))
            .collect();
        if problems.is_empty() {
            problems.push((None, e.message.as_str()));
        }
        html! {
            div.alert.error role="alert" tabindex="-1" id="form-error" data-errors=(problems.len()) {
                strong { (lang.t("未能保存：", "Not saved: ")) }
                @if problems.len() == 1 {
                    @match &problems[0] {
                        (Some(href), m) => a href=(href) { (m) },
                        (None, m) => span { (m) },
                    }
                } @else {
                    (lang.t(&format!("共 {} 处需要更正", problems.len()), &format!("{} fields to correct", problems.len())))
                    ul {
                        @for (href, m) in &problems {
                            li {
                                @match href {
                                    Some(href) => a href=(href) { (m) },
                                    None => span { (m) },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The error with every field path stripped of `prefix` (`household.main_cause` is shown at the
/// form's `main_cause`).
pub(crate) fn strip_field_prefix(mut e: DomainError, prefix: &str) -> DomainError {
    if let Some(f) = e.field.as_deref().and_then(|f| f.strip_prefix(prefix)) {
        e.field = Some(f.to_string());
    }
    for p in &mut e.errors {
        if let Some(f) = p.field.strip_prefix(prefix) {
            p.field = f.to_string();
        }
    }
    e
}

/// The HTML id of an input: its name with `[`, `]` and `.` replaced.
pub(crate) fn input_id(name: &str) -> String {
    let mut s = String::from("f-");
    for c in name.chars() {
        s.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        });
    }
    s
}

/// A single-line input.
pub(crate) struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub hint: Option<&'a str>,
    pub inputmode: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub max: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub(crate) fn text(name: &'a str, label: &'a str) -> Self {
        Input {
            name,
            label,
            kind: "text",
            required: false,
            hint: None,
            inputmode: None,
            autocomplete: Some("off"),
            max: None,
        }
    }
    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub(crate) fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub(crate) fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub(crate) fn inputmode(mut self, m: &'a str) -> Self {
        self.inputmode = Some(m);
        self
    }
    pub(crate) fn max(mut self, m: &'a str) -> Self {
        self.max = Some(m);
        self
    }

    pub(crate) fn render(&self, st: &FormState) -> Markup {
        let id = input_id(self.name);
        let err = st.error_for(self.name);
        let hint_id = format!("{id}-hint");
        let err_id = format!("{id}-error");
        let described: Vec<&str> = [
            self.hint.map(|_| hint_id.as_str()),
            err.map(|_| err_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        html! {
            div.field.invalid[err.is_some()] {
                label for=(id) {
                    (self.label)
                    @if self.required { abbr.req title="必填 / required" { "*" } }
                }
                input id=(id) name=(self.name) type=(self.kind) value=(st.value(self.name))
                    required[self.required]
                    inputmode=[self.inputmode]
                    autocomplete=[self.autocomplete]
                    max=[self.max]
                    aria-invalid=[err.map(|_| "true")]
                    aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
                @if let Some(h) = self.hint { small.hint id=(hint_id) { (h) } }
                @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
            }
        }
    }
}

/// A region asked for by its code: the input holds the 12-digit code (what is posted, and what can
/// be typed without JavaScript); the page's script adds beside it the chain of drop-downs, province
/// to village, each filled with the children of the one chosen before (`GET /api/v1/regions?parent=`,
/// within the viewer's reach), and a search by name (`/api/v1/regions/search`).
/// `prefix`: whether a 2-, 4-, 6- or 9-digit prefix is accepted as well.
pub(crate) fn region_input(
    lang: super::Lang,
    st: &FormState,
    name: &str,
    label: &str,
    required: bool,
    prefix: bool,
) -> Markup {
    let id = input_id(name);
    let err = st.error_for(name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let described = match err {
        Some(_) => format!("{hint_id} {err_id}"),
        None => hint_id.clone(),
    };
    let (pattern, hint) = if prefix {
        (
            "[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}",
            lang.t(
                "逐级选择，或按名称查找；也可直接填写12位区划代码（或省2位、市4位、县6位、乡镇9位前缀）。",
                "Choose level by level or find by name; or type the 12-digit code (or its 2, 4, 6, 9-digit prefix).",
            ),
        )
    } else {
        (
            "[0-9]{12}",
            lang.t(
                "逐级选择，或按名称查找；也可直接填写12位区划代码。",
                "Choose level by level or find by name; or type the 12-digit code.",
            ),
        )
    };
    html! {
        div.field.region-field.invalid[err.is_some()] {
            label for=(id) {
                (label)
                @if required { abbr.req title="必填 / required" { "*" } }
            }
            input id=(id) name=(name) type="text" value=(st.value(name))
                inputmode="numeric" pattern=(pattern) maxlength="12" autocomplete="off"
                required[required] data-region-picker
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=(described);
            small.hint id=(hint_id) { (hint) }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

/// A place anywhere in the country asked for by its code (an employer's region): as
/// [`region_input`], but the script's chain and search read the national division list down to the
/// county (`/api/v1/divisions`, for every signed-in user) instead of the viewer's regions, and the
/// search takes a code's first digits as well as a name. The code can still be typed: 12 digits,
/// or the 2, 4, 6 or 9-digit prefix the measure rules accept. `value` and `err` come from the form.
pub(crate) fn division_input(
    lang: super::Lang,
    name: &str,
    label: &str,
    value: &str,
    err: Option<&str>,
    hint: &str,
) -> Markup {
    let id = input_id(name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let described = match err {
        Some(_) => format!("{hint_id} {err_id}"),
        None => hint_id.clone(),
    };
    html! {
        div.field.region-field.invalid[err.is_some()] {
            label for=(id) {
                (label)
                abbr.req title="必填 / required" { "*" }
            }
            input id=(id) name=(name) type="text" value=(value)
                inputmode="numeric" maxlength="12" autocomplete="off"
                data-region-picker="national"
                data-picker-search=(lang.t("按名称或代码查找，如“东莞”或“4419”", "Find by name or code, e.g. 东莞 or 4419"))
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=(described);
            small.hint id=(hint_id) { (hint) }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

/// A drop-down of (value, label); `blank` adds an empty first choice with that text.
pub(crate) fn select(
    st: &FormState,
    name: &str,
    label: &str,
    options: &[(String, String)],
    blank: Option<&str>,
    required: bool,
) -> Markup {
    let id = input_id(name);
    let err = st.error_for(name);
    let current = st.value(name);
    let err_id = format!("{id}-error");
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) {
                (label)
                @if required { abbr.req title="必填 / required" { "*" } }
            }
            select id=(id) name=(name) required[required]
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[err.map(|_| err_id.as_str())] {
                @if let Some(b) = blank { option value="" { (b) } }
                @for (v, l) in options {
                    option value=(v) selected[v == current] { (l) }
                }
            }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

/// (code, label) of a code table, for a drop-down, labelled in the page's language.
pub(crate) fn code_options(
    lang: super::Lang,
    codes: &CodeBook,
    name: &str,
) -> Vec<(String, String)> {
    codes
        .table(name)
        .map(|t| {
            t.codes
                .iter()
                .map(|c| {
                    let label = super::i18n::code_label(lang, codes, name, &c.code);
                    (c.code.clone(), format!("{} {label}", c.code))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A multi-line input.
pub(crate) fn textarea(st: &FormState, name: &str, label: &str, rows: u32) -> Markup {
    let id = input_id(name);
    let err = st.error_for(name);
    let err_id = format!("{id}-error");
    html! {
        div.field.invalid[err.is_some()] {
            label for=(id) { (label) }
            textarea id=(id) name=(name) rows=(rows)
                aria-invalid=[err.map(|_| "true")]
                aria-describedby=[err.map(|_| err_id.as_str())] { (st.value(name)) }
            @if let Some(e) = err { p.field-error id=(err_id) { (e) } }
        }
    }
}

/// A yuan amount typed on a form as fen, with the error named after the API's `…_fen` field.
pub(crate) fn yuan_field(field: &str, text: &str) -> Result<i64, DomainError> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Ok(0);
    }
    fupin_core::money::Fen::parse_yuan(field, &t).map(|f| f.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_find_their_input() {
        let mut st = FormState::with_values(vec![("main_cause".into(), "01".into())]);
        st.error = Some(DomainError::invalid(
            "members[0].id_number",
            "bad",
            "身份证号校验码错误",
        ));
        assert_eq!(
            st.error_for("members[0].id_number"),
            Some("身份证号校验码错误")
        );
        assert_eq!(st.error_for("main_cause"), None);
        assert_eq!(input_id("members[0].id_number"), "f-members-0--id_number");
        let html = Input::text("members[0].id_number", "身份证号")
            .render(&st)
            .into_string();
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(html.contains("身份证号校验码错误"), "{html}");
        assert_eq!(yuan_field("x_fen", "1,200.50").unwrap(), 120_050);
        assert_eq!(yuan_field("x_fen", "").unwrap(), 0);
        assert_eq!(
            yuan_field("x_fen", "abc").unwrap_err().field.as_deref(),
            Some("x_fen")
        );
    }
}
