//! Exact fractions for thresholds, shares and weights, compared by cross-multiplication in `i128`.
//!
//! Thresholds such as "incidence below 2/100" or "income fell by more than 3/10" decide whether a
//! household or a village passes, so they are compared exactly. Floats were rejected here: `0.03` has
//! no exact binary form, and a village whose incidence is exactly on the threshold must fail the
//! "strictly below" test on every machine. A fraction keeps the form it was entered in (`2/100` stays
//! `2/100` for display) and compares by value (`2/100 == 1/50`).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// An exact fraction `num/den` with `den > 0` (the sign lives in `num`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawRatio")]
pub struct Ratio {
    num: i64,
    den: i64,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawRatio {
    num: i64,
    den: i64,
}

impl TryFrom<RawRatio> for Ratio {
    type Error = String;
    fn try_from(r: RawRatio) -> Result<Self, Self::Error> {
        Ratio::new(r.num, r.den).ok_or_else(|| "分母不能为0".to_string())
    }
}

impl Ratio {
    /// `num/den`; `None` when `den` is zero (or when normalising the sign would overflow).
    pub fn new(num: i64, den: i64) -> Option<Ratio> {
        match den.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(Ratio { num, den }),
            // Keep the denominator positive so comparisons can cross-multiply without flipping.
            Ordering::Less => Some(Ratio {
                num: num.checked_neg()?,
                den: den.checked_neg()?,
            }),
        }
    }

    pub const fn num(self) -> i64 {
        self.num
    }

    pub const fn den(self) -> i64 {
        self.den
    }

    /// The value as a float, for display and for indices that are floats anyway.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Whether `part > self × whole`, exactly (e.g. "rigid spending exceeds half the income").
    pub fn exceeded_by(self, part: i64, whole: i64) -> bool {
        part as i128 * self.den as i128 > self.num as i128 * whole as i128
    }

    /// The value in per cent with `decimals` decimals, rounded half away from zero: `2/100` → `2.00%`.
    pub fn percent_string(self, decimals: u32) -> String {
        let scale = 10i128.pow(decimals);
        let n = self.num as i128 * 100 * scale;
        let d = self.den as i128;
        let q = n / d;
        let r = n % d;
        let q = if 2 * r.abs() >= d { q + n.signum() } else { q };
        let sign = if q < 0 { "-" } else { "" };
        let a = q.unsigned_abs();
        let s = scale as u128;
        if decimals == 0 {
            format!("{sign}{a}%")
        } else {
            format!("{sign}{}.{:0w$}%", a / s, a % s, w = decimals as usize)
        }
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        // Both denominators are positive, so a/b ? c/d ⇔ a·d ? c·b; i128 cannot overflow for i64 inputs.
        (self.num as i128 * other.den as i128).cmp(&(other.num as i128 * self.den as i128))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// A non-negative exact fraction of `u32`s (`den > 0`), for Alkire–Foster weights and cut-offs.
///
/// Kept apart from [`Ratio`] because weights are never negative and their denominators stay small, so
/// a common denominator of a handful of weights fits comfortably in `u128`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawFraction")]
pub struct Fraction {
    num: u32,
    den: u32,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct RawFraction {
    num: u32,
    den: u32,
}

impl TryFrom<RawFraction> for Fraction {
    type Error = String;
    fn try_from(r: RawFraction) -> Result<Self, Self::Error> {
        Fraction::new(r.num, r.den).ok_or_else(|| "分母不能为0".to_string())
    }
}

impl Fraction {
    /// `num/den`; `None` when `den` is zero.
    pub const fn new(num: u32, den: u32) -> Option<Fraction> {
        if den == 0 {
            None
        } else {
            Some(Fraction { num, den })
        }
    }

    pub const fn num(self) -> u32 {
        self.num
    }

    pub const fn den(self) -> u32 {
        self.den
    }

    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    pub fn to_ratio(self) -> Ratio {
        Ratio {
            num: self.num as i64,
            den: self.den as i64,
        }
    }
}

impl PartialEq for Fraction {
    fn eq(&self, other: &Self) -> bool {
        self.to_ratio() == other.to_ratio()
    }
}

impl Eq for Fraction {}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// Greatest common divisor (Euclid), `gcd(0, 0) = 0`.
pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    #[test]
    fn construction_and_sign() {
        assert!(Ratio::new(1, 0).is_none());
        let neg = r(1, -2);
        assert_eq!((neg.num(), neg.den()), (-1, 2));
        assert!(Ratio::new(i64::MIN, -1).is_none());
        assert!(Fraction::new(1, 0).is_none());
        assert_eq!(r(2, 100).to_string(), "2/100");
    }

    #[test]
    fn compares_by_value() {
        let cases = [
            ((2, 100), (1, 50), Ordering::Equal),
            ((2, 100), (3, 100), Ordering::Less),
            ((1, 3), (333_333, 1_000_000), Ordering::Greater),
            ((-1, 2), (0, 1), Ordering::Less),
            ((i64::MAX, 1), (i64::MAX - 1, 1), Ordering::Greater),
        ];
        for ((a, b), (c, d), want) in cases {
            assert_eq!(r(a, b).cmp(&r(c, d)), want, "{a}/{b} vs {c}/{d}");
        }
        assert_eq!(Fraction::new(1, 7), Fraction::new(2, 14));
    }

    #[test]
    fn exceeded_by_is_strict() {
        let half = r(1, 2);
        // (part, whole, exceeds)
        let cases = [
            (50, 100, false),
            (51, 100, true),
            (0, -5, true),
            (0, 0, false),
        ];
        for (part, whole, want) in cases {
            assert_eq!(half.exceeded_by(part, whole), want, "{part} vs {whole}");
        }
    }

    #[test]
    fn percent_strings() {
        let cases = [
            ((2, 100), 2, "2.00%"),
            ((3, 450), 2, "0.67%"),
            ((1, 3), 1, "33.3%"),
            ((2, 3), 0, "67%"),
            ((-1, 8), 1, "-12.5%"),
            ((0, 7), 1, "0.0%"),
        ];
        for ((n, d), dp, want) in cases {
            assert_eq!(r(n, d).percent_string(dp), want);
        }
    }

    #[test]
    fn serde_rejects_zero_denominator() {
        let ok: Ratio = serde_json::from_str(r#"{"num":3,"den":10}"#).unwrap();
        assert_eq!(ok, r(3, 10));
        assert!(serde_json::from_str::<Ratio>(r#"{"num":3,"den":0}"#).is_err());
        assert!(serde_json::from_str::<Fraction>(r#"{"num":1,"den":0}"#).is_err());
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(gcd(0, 0), 0);
    }
}
