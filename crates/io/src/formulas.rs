//! Text cells of a CSV file that a spreadsheet would run as a formula (CSV injection): Excel and WPS
//! read a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a
//! member named `=1+2` or an address `=HYPERLINK(…)` would come out of an export, or of an import's
//! error file, as a live formula. Every CSV fupin writes passes its text cells through [`guard`],
//! which puts a single quote in front (the usual neutralisation; XLSX files write text cells as
//! text and need none); the CSV reader takes it off again ([`unguard`]), so that such a file
//! imports back to the same text.
//!
//! A plain number (`-12.50`, `+3`) is no formula and is left as it is, so a negative amount stays a
//! number when the file is opened. A cell that starts with a quote followed by what would be
//! guarded gets one more quote, so that `unguard(guard(s))` is `s` for every text. Rejected: a
//! tab or a space in front (the quote is the convention spreadsheets know), and stripping the
//! characters (that would change the data).

use std::borrow::Cow;

/// Whether `s` would be read as a formula (or is a quote in front of something that would be).
fn needs_guard(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !plain_number(s),
        Some(b'\'') => needs_guard(&s[1..]),
        _ => false,
    }
}

/// A sign, digits, and at most one decimal point with digits after it.
fn plain_number(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The cell as a CSV file should hold it: with a single quote in front when a spreadsheet would
/// otherwise read it as a formula.
pub(crate) fn guard(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A cell read from a CSV file, without the quote [`guard`] put in front.
pub(crate) fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_numbers_and_text_are_not() {
        for (s, out) in [
            ("=1+2", "'=1+2"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+86 138", "'+86 138"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("'=1", "''=1"),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("-0.5", "-0.5"),
            ("万建华", "万建华"),
            ("2019-01-31", "2019-01-31"),
            ("'引号", "'引号"),
            ("", ""),
        ] {
            assert_eq!(guard(s), out, "{s:?}");
            assert_eq!(unguard(&guard(s)), s, "{s:?} reads back");
        }
        // a quote typed in front of ordinary text is the text's own
        assert_eq!(unguard("'引号"), "'引号");
        assert_eq!(unguard("'-12.50"), "'-12.50");
    }
}
