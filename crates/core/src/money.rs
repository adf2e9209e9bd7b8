//! Money as integer fen (分). Never floats: amounts are added, compared and divided in integers.

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in fen (1 yuan = 100 fen). Signed, because net income can be negative.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// The largest single amount accepted from input: 10 亿元. Sums over a national registry of such
/// amounts still fit in an `i64` with room to spare, so aggregation never overflows.
pub const MAX_INPUT_FEN: i64 = 100_000_000_000;

/// The unit a ledger writes its amounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// 元: two decimals reach the fen.
    #[default]
    Yuan,
    /// 万元: six decimals reach the fen.
    Wan,
}

impl MoneyUnit {
    /// Fen in one unit.
    pub const fn fen(self) -> i64 {
        match self {
            MoneyUnit::Yuan => 100,
            MoneyUnit::Wan => 1_000_000,
        }
    }
    /// Decimals down to the fen.
    pub const fn decimals(self) -> usize {
        match self {
            MoneyUnit::Yuan => 2,
            MoneyUnit::Wan => 6,
        }
    }
    pub const fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
        }
    }
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Self {
        Fen(fen)
    }
    pub const fn from_yuan(yuan: i64) -> Self {
        Fen(yuan * 100)
    }
    pub const fn get(self) -> i64 {
        self.0
    }
    /// Validate an input amount: not negative, at most [`MAX_INPUT_FEN`].
    pub fn input(field: &str, fen: i64) -> DomainResult<Self> {
        let label = crate::labels::Label(field);
        if fen < 0 {
            return Err(DomainError::invalid(
                field,
                "negative_amount",
                format!("{label} 不能为负数"),
            ));
        }
        if fen > MAX_INPUT_FEN {
            return Err(DomainError::invalid(
                field,
                "amount_too_large",
                format!("{label} 超出上限（最多 10 亿元，即 {MAX_INPUT_FEN} 分）"),
            ));
        }
        Ok(Fen(fen))
    }
    /// Parse a yuan amount written by people: `1234`, `1234.5`, `1,234.56`, `-3.20`. At most two decimals.
    pub fn parse_yuan(field: &str, text: &str) -> DomainResult<Self> {
        let label = crate::labels::Label(field);
        let bad = || {
            DomainError::invalid(
                field,
                "not_an_amount",
                format!("{label} 不是有效金额：{text}"),
            )
        };
        let t: String = text
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(DomainError::invalid(
                field,
                "too_many_decimals",
                format!("{label} 最多两位小数：{text}"),
            ));
        }
        let yuan: i64 = int.parse().map_err(|_| bad())?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let v = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(cents))
            .ok_or_else(bad)?;
        Ok(Fen(if neg { -v } else { v }))
    }
    /// Parse an amount of a ledger in its unit (元 or 万元) exactly into fen: `1,234.56` 元,
    /// `176.123456` 万元. Zeros at the end of the decimals are no precision (`12.500`); any other
    /// digit beyond the fen is refused (`too_many_decimals`), never rounded.
    pub fn parse_in(field: &str, text: &str, unit: MoneyUnit) -> DomainResult<Self> {
        let label = crate::labels::Label(field);
        let bad = || {
            DomainError::invalid(
                field,
                "not_an_amount",
                format!("{label} 不是有效金额（单位：{}）：{text}", unit.label()),
            )
        };
        let t: String = text
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let frac = frac.trim_end_matches('0');
        let places = unit.decimals();
        if frac.len() > places {
            return Err(DomainError::invalid(
                field,
                "too_many_decimals",
                format!(
                    "{label} 最多{}位小数（单位：{}，精确到分）：{text}",
                    ["零", "一", "两", "三", "四", "五", "六"][places],
                    unit.label()
                ),
            ));
        }
        let whole: i64 = int.parse().map_err(|_| bad())?;
        let mut part: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        for _ in frac.len()..places {
            part *= 10;
        }
        let v = whole
            .checked_mul(unit.fen())
            .and_then(|v| v.checked_add(part))
            .ok_or_else(bad)?;
        Ok(Fen(if neg { -v } else { v }))
    }
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }
    /// `self ÷ n`, rounded half away from zero; `None` when `n` is zero.
    pub fn div_round(self, n: i64) -> Option<Fen> {
        div_round(self.0, n).map(Fen)
    }
    /// As yuan with two decimals, e.g. `7467.00`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.yuan_string())
    }
}

/// A household's net income per person, held exactly as `total ÷ persons` so that comparing it with a
/// line needs no rounding: `total` against `line × persons` in integers. A household of 3 with
/// 10 000 fen is below a line of 3 334 fen (10 000 < 10 002) although its per-capita income rounds
/// to 3 333 fen, and one of 2 with 6 669 fen is above a line of 3 334 fen (6 669 > 6 668) although
/// its per-capita income rounds to 3 335. Rounding (half away from zero) happens only for showing.
#[derive(Debug, Clone, Copy)]
pub struct PerCapita {
    total: Fen,
    persons: i64,
}

impl PerCapita {
    /// `None` without persons (a per-capita amount of nobody is not defined).
    pub fn new(total: Fen, persons: i64) -> Option<PerCapita> {
        (persons > 0).then_some(PerCapita { total, persons })
    }
    pub fn total(self) -> Fen {
        self.total
    }
    pub fn persons(self) -> i64 {
        self.persons
    }
    /// Rounded half away from zero to whole fen, for showing and for sums that are not compared
    /// with a line.
    pub fn rounded(self) -> Fen {
        self.total.div_round(self.persons).expect("persons > 0")
    }
    /// `total × other.persons` against `other.total × persons`, exactly.
    fn cmp_exact(self, total: Fen, persons: i64) -> std::cmp::Ordering {
        (self.total.0 as i128 * persons as i128).cmp(&(total.0 as i128 * self.persons as i128))
    }
}

impl From<Fen> for PerCapita {
    /// An amount already per person.
    fn from(f: Fen) -> PerCapita {
        PerCapita {
            total: f,
            persons: 1,
        }
    }
}

impl PartialEq for PerCapita {
    fn eq(&self, o: &PerCapita) -> bool {
        self.cmp_exact(o.total, o.persons).is_eq()
    }
}
impl Eq for PerCapita {}
impl PartialOrd for PerCapita {
    fn partial_cmp(&self, o: &PerCapita) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for PerCapita {
    fn cmp(&self, o: &PerCapita) -> std::cmp::Ordering {
        self.cmp_exact(o.total, o.persons)
    }
}
/// Comparing with a line in fen: `total` against `line × persons`.
impl PartialEq<Fen> for PerCapita {
    fn eq(&self, line: &Fen) -> bool {
        self.cmp_exact(*line, 1).is_eq()
    }
}
impl PartialOrd<Fen> for PerCapita {
    fn partial_cmp(&self, line: &Fen) -> Option<std::cmp::Ordering> {
        Some(self.cmp_exact(*line, 1))
    }
}

impl fmt::Display for PerCapita {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rounded().fmt(f)
    }
}

/// Stored and sent as the rounded amount in fen (what a person reads); read back as an amount
/// per person.
impl Serialize for PerCapita {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.rounded().serialize(s)
    }
}
impl<'de> Deserialize<'de> for PerCapita {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Fen::deserialize(d).map(PerCapita::from)
    }
}

/// Integer division rounded half away from zero; `None` when dividing by zero.
pub fn div_round(num: i64, den: i64) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let (n, d) = (num as i128, den as i128);
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    };
    Some(q as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_yuan_forms() {
        assert_eq!(Fen::parse_yuan("x", "1234").unwrap().get(), 123_400);
        assert_eq!(Fen::parse_yuan("x", "1,234.5").unwrap().get(), 123_450);
        assert_eq!(Fen::parse_yuan("x", " 0.07 ").unwrap().get(), 7);
        assert_eq!(Fen::parse_yuan("x", "-3.20").unwrap().get(), -320);
        assert_eq!(
            Fen::parse_yuan("x", "1.234").unwrap_err().code,
            "too_many_decimals"
        );
        for bad in ["", "abc", "1e5", "..", "1.2.3", "99999999999999999999"] {
            assert_eq!(
                Fen::parse_yuan("x", bad).unwrap_err().code,
                "not_an_amount",
                "{bad}"
            );
        }
    }

    #[test]
    fn amounts_in_yuan_or_wan_to_the_fen() {
        let y = |t| Fen::parse_in("x", t, MoneyUnit::Yuan);
        let w = |t| Fen::parse_in("x", t, MoneyUnit::Wan);
        assert_eq!(y("1,234.56").unwrap().get(), 123_456);
        assert_eq!(y("12.500").unwrap().get(), 1_250);
        assert_eq!(y("7").unwrap().get(), 700);
        assert_eq!(y("1.234").unwrap_err().code, "too_many_decimals");
        assert_eq!(w("176").unwrap().get(), 176_000_000);
        assert_eq!(w("0.01").unwrap().get(), 10_000);
        assert_eq!(w("176.123456").unwrap().get(), 176_123_456);
        assert_eq!(w("2.6").unwrap().get(), 2_600_000);
        assert_eq!(w("0.0000001").unwrap_err().code, "too_many_decimals");
        assert!(w("1.2345678").unwrap_err().message.contains("最多六位小数"));
        for bad in ["", "万", "1e5", "1.2.3", "99999999999999999"] {
            assert_eq!(w(bad).unwrap_err().code, "not_an_amount", "{bad}");
        }
    }

    #[test]
    fn input_bounds() {
        assert!(Fen::input("wage_fen", 0).is_ok());
        assert_eq!(
            Fen::input("wage_fen", -1).unwrap_err().code,
            "negative_amount"
        );
        assert_eq!(
            Fen::input("wage_fen", MAX_INPUT_FEN + 1).unwrap_err().code,
            "amount_too_large"
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 2), Some(3));
        assert_eq!(div_round(-5, 2), Some(-3));
        assert_eq!(div_round(4, 3), Some(1));
        assert_eq!(div_round(1, 0), None);
        assert_eq!(Fen::new(33_601_500).div_round(45), Some(Fen::new(746_700)));
    }

    #[test]
    fn per_capita_compares_with_the_line_without_rounding() {
        let pc = |t, n| PerCapita::new(Fen::new(t), n).unwrap();
        let line = Fen::new(3334);
        // (total, persons, rounded, below the line, on the line)
        let cases = [
            (10_000, 3, 3333, true, false), // 3333.33…: below
            (10_002, 3, 3334, false, true), // exactly on the line
            (10_003, 3, 3334, false, false),
            (6_669, 2, 3335, false, false), // 3334.5: above, though it rounds up
            (6_667, 2, 3334, true, false),  // 3333.5 rounds to the line, yet is below it
            (-7, 2, -4, true, false),
        ];
        for (t, n, r, below, on) in cases {
            let p = pc(t, n);
            assert_eq!(p.rounded(), Fen::new(r), "{t}/{n}");
            assert_eq!(p < line, below, "{t}/{n} below");
            assert_eq!(p == line, on, "{t}/{n} on");
            assert_eq!(p > line, !below && !on, "{t}/{n} above");
        }
        assert!(PerCapita::new(Fen::new(5), 0).is_none());
        assert_eq!(pc(200, 2), PerCapita::from(Fen::new(100)));
        assert!(pc(201, 2) > pc(100, 1));
        assert_eq!(pc(6_669, 2).to_string(), "33.35 元");
        assert_eq!(serde_json::to_string(&pc(10_000, 3)).unwrap(), "3333");
    }

    #[test]
    fn yuan_display() {
        assert_eq!(Fen::new(746_700).yuan_string(), "7467.00");
        assert_eq!(Fen::new(-5).yuan_string(), "-0.05");
        assert_eq!(Fen::new(12).to_string(), "0.12 元");
    }
}
