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
        if fen < 0 {
            return Err(DomainError::invalid(
                field,
                "negative_amount",
                format!("{field} 不能为负数"),
            ));
        }
        if fen > MAX_INPUT_FEN {
            return Err(DomainError::invalid(
                field,
                "amount_too_large",
                format!("{field} 超出上限（最多 10 亿元，即 {MAX_INPUT_FEN} 分）"),
            ));
        }
        Ok(Fen(fen))
    }
    /// Parse a yuan amount written by people: `1234`, `1234.5`, `1,234.56`, `-3.20`. At most two decimals.
    pub fn parse_yuan(field: &str, text: &str) -> DomainResult<Self> {
        let bad = || {
            DomainError::invalid(
                field,
                "not_an_amount",
                format!("{field} 不是有效金额：{text}"),
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
                format!("{field} 最多两位小数：{text}"),
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
    fn yuan_display() {
        assert_eq!(Fen::new(746_700).yuan_string(), "7467.00");
        assert_eq!(Fen::new(-5).yuan_string(), "-0.05");
        assert_eq!(Fen::new(12).to_string(), "0.12 元");
    }
}
