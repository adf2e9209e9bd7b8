//! Reading one cell's text as a typed value, with the reason in Chinese when it cannot be read.
//! Blank cells are `None` everywhere; rules about the values themselves stay in core.

use crate::columns::Fold;
use fupin_core::registry::HouseholdStatus;
use fupin_core::{DomainError, Fen};
use std::borrow::Cow;
use time::{Date, Month};

/// Full-width forms folded as Unicode normalisation (NFKC) folds them: `３６０１２４` → `360124`,
/// `Ｘ` → `X`, the ideographic space and the no-break space → a space, and with [`Fold::All`] the
/// full-width punctuation too (`．` → `.`). A Chinese input method types these; core's rules
/// expect ASCII digits.
pub(crate) fn fold_width(s: &str, fold: Fold) -> Cow<'_, str> {
    if fold == Fold::None || s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let all = fold == Fold::All;
    let one = |c: char| -> char {
        match c {
            '\u{3000}' | '\u{00a0}' => ' ',
            '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
                char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
            }
            '\u{ff01}'..='\u{ff5e}' if all => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        }
    };
    if s.chars().all(|c| one(c) == c) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(one).collect())
}

/// Why a cell could not be read: a stable code and a Chinese message.
pub(crate) fn bad(field: &str, code: &'static str, message: String) -> DomainError {
    DomainError::invalid(field, code, message)
}

fn blank(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Text, blank as `None`.
pub(crate) fn text(s: &str) -> Option<String> {
    blank(s).map(str::to_string)
}

/// A whole number, allowing a trailing `.0` (spreadsheets write integers as decimals).
pub(crate) fn int(field: &str, s: &str) -> Result<Option<i64>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let t = t.strip_suffix(".0").unwrap_or(t);
    t.parse::<i64>().map(Some).map_err(|_| {
        bad(
            field,
            "not_a_number",
            format!("{field} 须为整数：{}", shown(t)),
        )
    })
}

/// A year: `2019`, `2019年`, `2019.0`.
pub(crate) fn year(field: &str, s: &str) -> Result<Option<i32>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let t = t.trim_end_matches('年');
    let t = t.strip_suffix(".0").unwrap_or(t);
    match t.parse::<i32>() {
        Ok(y) if (1000..=9999).contains(&y) => Ok(Some(y)),
        _ => Err(bad(
            field,
            "invalid_year",
            format!("{field} 须为四位年份：{}", shown(t)),
        )),
    }
}

/// A decimal number (areas, distances).
pub(crate) fn decimal(field: &str, s: &str) -> Result<Option<f64>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let t: String = t.chars().filter(|c| *c != ',' && *c != '，').collect();
    let ok = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && t.parse::<f64>().is_ok_and(f64::is_finite);
    if ok {
        Ok(t.parse().ok())
    } else {
        Err(bad(
            field,
            "not_a_number",
            format!("{field} 须为数字：{}", shown(&t)),
        ))
    }
}

/// Yuan to fen (`Fen::parse_yuan`: at most two decimals).
pub(crate) fn yuan(field: &str, s: &str) -> Result<Option<Fen>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let t = t
        .trim_start_matches('¥')
        .trim_start_matches('￥')
        .trim_end_matches('元');
    Fen::parse_yuan(field, t).map(Some).map_err(|e| {
        let code = e.code;
        let msg = if code == "too_many_decimals" {
            format!("{field} 最多两位小数（单位：元）：{}", shown(t))
        } else {
            format!("{field} 不是有效金额（单位：元）：{}", shown(t))
        };
        bad(field, code, msg)
    })
}

/// 是/否 and the usual variants.
pub(crate) fn boolean(field: &str, s: &str) -> Result<Option<bool>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    match t.to_ascii_lowercase().as_str() {
        "是" | "有" | "y" | "yes" | "true" | "1" | "√" | "✓" | "t" => Ok(Some(true)),
        "否" | "无" | "没有" | "n" | "no" | "false" | "0" | "×" | "✗" | "f" => {
            Ok(Some(false))
        }
        _ => Err(bad(
            field,
            "not_a_boolean",
            format!("{field} 须填“是”或“否”：{}", shown(t)),
        )),
    }
}

/// A date: `2019-01-31`, `2019/1/31`, `2019.1.31`, `2019年1月31日`, `20190131`, or with a time
/// after it (`2019-01-31 00:00:00`, `2019-01-31T00:00:00`).
pub(crate) fn date(field: &str, s: &str) -> Result<Option<Date>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let err = || {
        bad(
            field,
            "invalid_date",
            format!("{field} 不是有效日期（应为 YYYY-MM-DD）：{}", shown(t)),
        )
    };
    let d = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> = if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        vec![&d[..4], &d[4..6], &d[6..]]
    } else {
        d.trim_end_matches('日')
            .split(['-', '/', '.', '年', '月'])
            .collect()
    };
    if parts.len() != 3 {
        return Err(err());
    }
    let y: i32 = parts[0].parse().map_err(|_| err())?;
    let m: u8 = parts[1].parse().map_err(|_| err())?;
    let day: u8 = parts[2].parse().map_err(|_| err())?;
    let month = Month::try_from(m).map_err(|_| err())?;
    Date::from_calendar_date(y, month, day)
        .map(Some)
        .map_err(|_| err())
}

/// A list of codes or labels separated by 、 , ， ; ； or /.
pub(crate) fn list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn status(field: &str, s: &str) -> Result<Option<HouseholdStatus>, DomainError> {
    let Some(t) = blank(s) else { return Ok(None) };
    let t2 = match t {
        "自然减少" | "销户" => "自然减少（销户）",
        "脱贫" | "已脱贫户" => "已脱贫",
        "贫困" | "贫困户" => "未脱贫",
        other => other,
    };
    HouseholdStatus::parse(t2).map(Some).ok_or_else(|| {
        bad(
            field,
            "unknown_status",
            format!(
                "{field} 的取值“{}”不是有效状态（新识别、未脱贫、已脱贫、返贫、监测对象、风险消除、自然减少（销户））",
                shown(t)
            ),
        )
    })
}

/// A value as quoted in a message: at most 30 characters.
pub(crate) fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(30).collect();
    if s.chars().count() > 30 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn values() {
        assert_eq!(year("y", "2019年").unwrap(), Some(2019));
        assert_eq!(year("y", "2019.0").unwrap(), Some(2019));
        assert_eq!(year("y", " ").unwrap(), None);
        assert_eq!(year("y", "19").unwrap_err().code, "invalid_year");
        for s in [
            "2019-01-31",
            "2019/1/31",
            "2019.1.31",
            "2019年1月31日",
            "20190131",
            "2019-01-31 00:00:00",
            "2019-01-31T08:00:00",
        ] {
            assert_eq!(date("d", s).unwrap(), Some(date!(2019 - 01 - 31)), "{s}");
        }
        assert_eq!(date("d", "2019-02-30").unwrap_err().code, "invalid_date");
        assert_eq!(date("d", "yesterday").unwrap_err().code, "invalid_date");
        assert_eq!(boolean("b", "是").unwrap(), Some(true));
        assert_eq!(boolean("b", "N").unwrap(), Some(false));
        assert_eq!(boolean("b", "maybe").unwrap_err().code, "not_a_boolean");
        assert_eq!(yuan("w", "1,234.5元").unwrap(), Some(Fen::new(123_450)));
        assert_eq!(yuan("w", "1.234").unwrap_err().code, "too_many_decimals");
        assert_eq!(yuan("w", "一千").unwrap_err().code, "not_an_amount");
        assert_eq!(decimal("a", "1.5").unwrap(), Some(1.5));
        assert_eq!(decimal("a", "1e5").unwrap_err().code, "not_a_number");
        assert_eq!(decimal("a", "NaN").unwrap_err().code, "not_a_number");
        assert_eq!(int("m", "12.0").unwrap(), Some(12));
        assert_eq!(list("因病、缺资金, 因学；"), ["因病", "缺资金", "因学"]);
        assert_eq!(
            status("s", "已脱贫").unwrap(),
            Some(HouseholdStatus::Exited)
        );
        assert_eq!(status("s", "销户").unwrap(), Some(HouseholdStatus::Removed));
        assert_eq!(
            status("s", "monitored").unwrap(),
            Some(HouseholdStatus::Monitored)
        );
        assert_eq!(status("s", "好").unwrap_err().code, "unknown_status");
        assert_eq!(shown(&"字".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn full_width_forms_fold() {
        assert_eq!(
            fold_width("３６０１２４１９９００１０１００１Ｘ", Fold::All),
            "36012419900101001X"
        );
        assert_eq!(fold_width("１，２３４．５", Fold::All), "1,234.5");
        assert_eq!(
            fold_width("\u{3000}０１\u{3000}", Fold::Alphanumeric),
            " 01 "
        );
        // the labels' own full-width brackets stay for code columns; free text is kept
        assert_eq!(
            fold_width("自然减少（销户）", Fold::Alphanumeric),
            "自然减少（销户）"
        );
        assert_eq!(fold_width("１，２", Fold::Alphanumeric), "1，2");
        assert_eq!(fold_width("Ｈ００１", Fold::None), "Ｈ００１");
        // every fold is NFKC's on these characters
        use unicode_normalization::UnicodeNormalization;
        for c in ('\u{ff01}'..='\u{ff5e}').chain(['\u{3000}', '\u{00a0}']) {
            let s = c.to_string();
            let nfkc: String = s.nfkc().collect();
            assert_eq!(fold_width(&s, Fold::All), nfkc, "{c}");
        }
    }
}
