//! How figures are written on pages: yuan with thousands separators and two decimals (money is
//! integer fen everywhere else), counts with separators, signed growth percentages, masked ID
//! numbers.

/// `746700` fen → `7,467.00`.
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", group(a / 100), a % 100)
}

/// Yuan, or a dash when there is no figure.
pub(crate) fn yuan_opt(fen: Option<i64>) -> String {
    fen.map(yuan).unwrap_or_else(|| "—".into())
}

/// `7000000` fen → `7.00` (万元), for sums on the board.
pub(crate) fn wan(fen: i64) -> String {
    // 1 万元 = 1,000,000 fen; two decimals, rounded half away from zero.
    let hundredths = (fen.abs() + 5_000) / 10_000;
    let sign = if fen < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        group((hundredths / 100) as u64),
        hundredths % 100
    )
}

/// `1296` → `1,296`.
pub(crate) fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group(n.unsigned_abs()))
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `34.3` → `+34.3%`; a dash when absent.
pub(crate) fn growth(pct: Option<f64>) -> String {
    match pct {
        Some(p) if p > 0.0 => format!("+{p:.1}%"),
        Some(p) => format!("{p:.1}%"),
        None => "—".into(),
    }
}

/// A share in per cent with one decimal, from integers; `None` when the whole is zero.
pub(crate) fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| ((part * 1000 + whole / 2) / whole) as f64 / 10.0)
}

/// `Some(87.5)` → `87.5%`.
pub(crate) fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
}

/// Whether search text looks like an ID number (15 or 18 characters, digits with a final X).
pub(crate) fn looks_like_id_number(q: &str) -> bool {
    let q = q.trim();
    let n = q.chars().count();
    (n == 18 || n == 15)
        && q.char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i + 1 == q.len() && (c == 'X' || c == 'x')))
}

/// An ID number as shown: first and last four characters (`3601**********0018`).
pub(crate) fn mask_id(q: &str) -> String {
    let chars: Vec<char> = q.trim().chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// A CSS class for progress towards a goal: good (≥ 90 %), fair (≥ 60 %), poor.
pub(crate) fn progress_class(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p >= 90.0 => "good",
        Some(p) if p >= 60.0 => "fair",
        Some(_) => "poor",
        None => "none",
    }
}

/// A moment as China reads it (UTC+8): `2026-11-29 15:04`.
pub(crate) fn china_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_counts() {
        assert_eq!(yuan(746_700), "7,467.00");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(33_601_500), "336,015.00");
        assert_eq!(wan(7_000_000), "7.00");
        assert_eq!(wan(260_000_000), "260.00");
        assert_eq!(count(1296), "1,296");
        assert_eq!(count(45), "45");
        assert_eq!(growth(Some(34.3)), "+34.3%");
        assert_eq!(growth(Some(-2.0)), "-2.0%");
        assert_eq!(share(7, 14), Some(50.0));
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(1, 0), None);
    }

    #[test]
    fn id_numbers() {
        assert!(looks_like_id_number("36012419800101001X"));
        assert!(!looks_like_id_number("万建华"));
        assert!(!looks_like_id_number("3601241062040001"));
        assert_eq!(mask_id("360124198001010018"), "3601**********0018");
    }
}
