//! Poverty measures over a set of persons: headcount ratio, the FGT family, Watts, Sen and Gini (the
//! multidimensional measure is [`super::counting`]).
//!
//! Each person carries the per-capita net income of their household (fen); the line is in fen. A person
//! is poor when income is strictly below the line (on the line is not poor, as in the exit test).
//! Indices are `f64`, but every sum that can be exact is summed in `i128` and divided once at the end,
//! so results do not depend on the order of persons. Empty sets, sets without poor persons and a
//! non-positive line give zeros: never NaN, never a division by zero.

use crate::error::{DomainError, DomainResult};
use crate::money::{Fen, PerCapita};
use serde::{Deserialize, Serialize};

/// The one-dimensional measures of a set of persons against a line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PovertyMeasures {
    /// Persons.
    pub n: u64,
    /// Poor persons (income strictly below the line).
    pub q: u64,
    pub line: Fen,
    /// Headcount ratio H = q/n (= FGT P0).
    pub headcount_ratio: f64,
    /// Poverty gap index P1 = (1/n) Σ_poor (z − y)/z.
    pub poverty_gap: f64,
    /// Squared poverty gap (severity) P2 = (1/n) Σ_poor ((z − y)/z)².
    pub severity: f64,
    /// Watts index (1/n) Σ_poor ln(z / max(y, 1 fen)).
    pub watts: f64,
    /// Income-gap ratio of the poor I = 1 − (mean income of the poor)/z.
    pub income_gap_ratio: f64,
    /// Gini among the poor.
    pub gini_poor: f64,
    /// Sen index S = H·[I + (1 − I)·G_p].
    pub sen: f64,
    /// Gini of income over all persons.
    pub gini: f64,
}

/// Whether `y` is poor against `line`: strictly below, compared exactly (net income against
/// line × persons, no rounding). A non-positive line makes nobody poor (it is not a poverty line,
/// and dividing gaps by it would be meaningless).
fn is_poor(y: PerCapita, line: Fen) -> bool {
    line.get() > 0 && y < line
}

fn ratio(num: i128, den: i128) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Sums over the poor grouped by household size `p`, each exact in `i128`: a poor person of a
/// household with net income `t` over `p` persons has the gap `z − t/p = (z·p − t)/p`, so the sum of
/// gaps is Σ_p (Σ (z·p − t)) / p, one division per household size (sizes in ascending order, so the
/// result does not depend on the order of persons).
#[derive(Default)]
struct PoorSums {
    /// p → (Σ t, Σ (z·p − t), Σ (z·p − t)²) over the poor persons of households of p persons.
    by_size: std::collections::BTreeMap<i64, (i128, i128, i128)>,
}

impl PoorSums {
    fn new(incomes: &[PerCapita], line: Fen) -> PoorSums {
        let z = line.get() as i128;
        let mut s = PoorSums::default();
        for y in incomes.iter().filter(|y| is_poor(**y, line)) {
            let p = y.persons();
            let t = y.total().get() as i128;
            let gap = z * p as i128 - t;
            let e = s.by_size.entry(p).or_default();
            e.0 += t;
            // gap ≤ z·p + |t| < 2^70 and its square < 2^140 would overflow only for absurd
            // incomes; saturate instead of panicking
            e.1 = e.1.saturating_add(gap);
            e.2 = e.2.saturating_add(gap.saturating_mul(gap));
        }
        s
    }
    /// Σ over the poor of income (α = None), of gap (α = 1) or of squared gap (α = 2), in fen.
    fn income(&self) -> f64 {
        self.by_size
            .iter()
            .map(|(p, e)| e.0 as f64 / *p as f64)
            .sum()
    }
    fn gaps(&self, alpha: u32) -> f64 {
        self.by_size
            .iter()
            .map(|(p, e)| match alpha {
                1 => e.1 as f64 / *p as f64,
                _ => e.2 as f64 / (*p as f64 * *p as f64),
            })
            .sum()
    }
}

/// All one-dimensional measures at once, over one income per person (the per-capita net income
/// of the person's household).
pub fn poverty_measures(incomes: &[PerCapita], line: Fen) -> PovertyMeasures {
    let n = incomes.len() as u64;
    let mut poor: Vec<Fen> = incomes
        .iter()
        .filter(|y| is_poor(**y, line))
        .map(|y| y.rounded())
        .collect();
    poor.sort();
    let q = poor.len() as u64;
    let z = line.get() as f64;
    let h = ratio(q as i128, n as i128);
    let sums = PoorSums::new(incomes, line);
    // I = 1 − (Σ y_poor)/(q·z)
    let i = if q == 0 {
        0.0
    } else {
        1.0 - sums.income() / (q as f64 * z)
    };
    let gini_poor = gini_sorted(&poor);
    PovertyMeasures {
        n,
        q,
        line,
        headcount_ratio: h,
        poverty_gap: fgt_exact(incomes, line, 1),
        severity: fgt_exact(incomes, line, 2),
        watts: watts(incomes, line),
        income_gap_ratio: i,
        gini_poor,
        sen: h * (i + (1.0 - i) * gini_poor),
        gini: gini(incomes),
    }
}

/// Headcount ratio H = q/n.
pub fn headcount_ratio(incomes: &[PerCapita], line: Fen) -> f64 {
    fgt_exact(incomes, line, 0)
}

/// FGT P_α = (1/n) Σ_poor ((z − y)/z)^α for α ≥ 0 (P0 = H, P1 poverty gap, P2 severity).
///
/// For α = 0, 1, 2 the gaps are summed exactly (`i128`, see [`PoorSums`]); other α are summed in
/// `f64`. An income below zero (business losses) gives a normalised gap above 1, as the formula says.
pub fn fgt(incomes: &[PerCapita], line: Fen, alpha: f64) -> DomainResult<f64> {
    if !alpha.is_finite() || alpha < 0.0 {
        return Err(DomainError::invalid(
            "alpha",
            "invalid_alpha",
            "FGT 指数的参数 α 须为非负有限数",
        ));
    }
    for exact in 0..=2u32 {
        if alpha == exact as f64 {
            return Ok(fgt_exact(incomes, line, exact));
        }
    }
    if incomes.is_empty() {
        return Ok(0.0);
    }
    let z = line.get() as f64;
    let sum: f64 = incomes
        .iter()
        .filter(|y| is_poor(**y, line))
        .map(|y| {
            let gap = (z * y.persons() as f64 - y.total().get() as f64) / y.persons() as f64;
            (gap / z).powf(alpha)
        })
        .sum();
    Ok(sum / incomes.len() as f64)
}

/// FGT for α ∈ {0, 1, 2}: Σ (z − y)^α over the poor, divided once by n·z^α.
fn fgt_exact(incomes: &[PerCapita], line: Fen, alpha: u32) -> f64 {
    let n = incomes.len() as f64;
    if incomes.is_empty() || line.get() <= 0 {
        return 0.0;
    }
    let z = line.get() as f64;
    match alpha {
        0 => ratio(
            incomes.iter().filter(|y| is_poor(**y, line)).count() as i128,
            incomes.len() as i128,
        ),
        a => PoorSums::new(incomes, line).gaps(a) / (n * z.powi(a as i32)),
    }
}

/// Watts index W = (1/n) Σ_poor ln(z / y).
///
/// ln(z/y) is undefined for y ≤ 0, so such incomes are taken as 1 fen, the smallest positive amount:
/// the term stays finite and is the largest any person can contribute. Rejected alternatives: dropping
/// those persons (understates the poverty of the poorest) or returning infinity (useless in a report).
pub fn watts(incomes: &[PerCapita], line: Fen) -> f64 {
    if incomes.is_empty() {
        return 0.0;
    }
    let z = line.get() as f64;
    let sum: f64 = incomes
        .iter()
        .filter(|y| is_poor(**y, line))
        .map(|y| {
            let v = y.total().get() as f64 / y.persons() as f64;
            (z / v.max(1.0)).ln()
        })
        .sum();
    // an empty float sum is −0.0; adding +0.0 gives the 0 a report should show
    sum / incomes.len() as f64 + 0.0
}

/// Sen index S = H·[I + (1 − I)·G_p] (the textbook form; Sen's exact form multiplies G_p by
/// q/(q+1), which tends to 1 for large q).
pub fn sen(incomes: &[PerCapita], line: Fen) -> f64 {
    poverty_measures(incomes, line).sen
}

/// Gini coefficient of income over all persons (of the incomes rounded to whole fen: the Gini does
/// not compare with a line).
pub fn gini(incomes: &[PerCapita]) -> f64 {
    let mut v: Vec<Fen> = incomes.iter().map(|y| y.rounded()).collect();
    v.sort();
    gini_sorted(&v)
}

/// Gini of incomes sorted ascending: G = (2·Σ i·y_(i) − (n + 1)·Σ y) / (n·Σ y), i = 1..n, with both
/// sums in `i128`. Zero when n < 2 or Σ y ≤ 0 (the coefficient is not meaningful then).
fn gini_sorted(sorted: &[Fen]) -> f64 {
    let n = sorted.len() as i128;
    let total: i128 = sorted.iter().map(|y| y.get() as i128).sum();
    if n < 2 || total <= 0 {
        return 0.0;
    }
    let weighted: i128 = sorted
        .iter()
        .enumerate()
        .map(|(i, y)| (i as i128 + 1) * y.get() as i128)
        .sum();
    ratio(2 * weighted - (n + 1) * total, n * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < EPS
    }

    fn fens(v: &[i64]) -> Vec<PerCapita> {
        v.iter().map(|f| Fen::new(*f).into()).collect()
    }

    /// Line z = 1000 fen; incomes 200, 600, 1000 (on the line: not poor), 1400, 2800.
    fn sample() -> Vec<PerCapita> {
        fens(&[1400, 200, 1000, 2800, 600])
    }

    const Z: Fen = Fen::new(1000);

    #[test]
    fn one_dimensional_by_hand() {
        let m = poverty_measures(&sample(), Z);
        // n = 5, poor = {200, 600}: q = 2, H = 2/5 = 0.4
        assert_eq!((m.n, m.q), (5, 2));
        // gaps 0.8 and 0.4: P1 = (0.8 + 0.4)/5 = 0.24; P2 = (0.64 + 0.16)/5 = 0.16
        // Watts = (ln(1000/200) + ln(1000/600))/5 = ln(25/3)/5
        // mean of the poor 400: I = 1 − 400/1000 = 0.6
        // G_p of {200, 600}: (2·(1·200 + 2·600) − 3·800)/(2·800) = (2800 − 2400)/1600 = 0.25
        // Sen = 0.4·(0.6 + 0.4·0.25) = 0.4·0.7 = 0.28
        // Gini: Σy = 6000, Σ i·y = 200 + 1200 + 3000 + 5600 + 14000 = 24000
        //       (2·24000 − 6·6000)/(5·6000) = 12000/30000 = 0.4
        let cases = [
            ("H", m.headcount_ratio, 0.4),
            ("P1", m.poverty_gap, 0.24),
            ("P2", m.severity, 0.16),
            ("Watts", m.watts, (25.0f64 / 3.0).ln() / 5.0),
            ("I", m.income_gap_ratio, 0.6),
            ("G_p", m.gini_poor, 0.25),
            ("Sen", m.sen, 0.28),
            ("Gini", m.gini, 0.4),
        ];
        for (what, got, want) in cases {
            assert!(close(got, want), "{what}: {got} vs {want}");
        }
        assert!(close(headcount_ratio(&sample(), Z), 0.4));
        assert!(close(sen(&sample(), Z), 0.28));
        assert!(close(watts(&sample(), Z), m.watts));
    }

    #[test]
    fn the_line_applies_to_net_income_over_persons_without_rounding() {
        // line 1000 fen; three persons of a household with 2999 fen (999.67 each: poor, though it
        // rounds to the line) and three of one with 3001 fen (1000.33: not poor)
        let below = PerCapita::new(Fen::new(2999), 3).unwrap();
        let above = PerCapita::new(Fen::new(3001), 3).unwrap();
        let v = [below, below, below, above, above, above];
        let m = poverty_measures(&v, Z);
        assert_eq!((m.n, m.q), (6, 3));
        // each poor person's gap is 1/3 fen: P1 = 3·(1/3)/1000/6, P2 = 3·(1/9)/1000²/6
        assert!(close(m.poverty_gap, 1.0 / 6000.0), "{}", m.poverty_gap);
        assert!(close(m.severity, 1.0 / 18_000_000.0), "{}", m.severity);
        // I = 1 − 999.67/1000
        assert!(
            close(m.income_gap_ratio, 1.0 / 3000.0),
            "{}",
            m.income_gap_ratio
        );
        // a household exactly on the line over 3 persons is not poor
        let on = PerCapita::new(Fen::new(3000), 3).unwrap();
        assert_eq!(poverty_measures(&[on], Z).q, 0);
    }

    #[test]
    fn fgt_family() {
        let s = sample();
        // (alpha, expected): α = 0.5 → (√0.8 + √0.4)/5
        let cases = [
            (0.0, 0.4),
            (1.0, 0.24),
            (2.0, 0.16),
            (0.5, (0.8f64.sqrt() + 0.4f64.sqrt()) / 5.0),
            (3.0, (0.512 + 0.064) / 5.0),
        ];
        for (alpha, want) in cases {
            let got = fgt(&s, Z, alpha).unwrap();
            assert!(close(got, want), "α={alpha}: {got} vs {want}");
        }
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(fgt(&s, Z, bad).unwrap_err().code, "invalid_alpha");
        }
    }

    #[test]
    fn no_poor_and_no_persons_give_zeros() {
        // everyone on or above the line; Gini of {1000, 2000} = (2·5000 − 3·3000)/(2·3000) = 1/6
        let none_poor = fens(&[1000, 2000]);
        let empty: Vec<PerCapita> = vec![];
        for (what, incomes, gini) in [("no poor", &none_poor, 1.0 / 6.0), ("empty", &empty, 0.0)] {
            let m = poverty_measures(incomes, Z);
            assert_eq!(m.q, 0, "{what}");
            for (name, v) in [
                ("H", m.headcount_ratio),
                ("P1", m.poverty_gap),
                ("P2", m.severity),
                ("Watts", m.watts),
                ("I", m.income_gap_ratio),
                ("G_p", m.gini_poor),
                ("Sen", m.sen),
            ] {
                assert_eq!(v, 0.0, "{what} {name}");
            }
            assert!(close(m.gini, gini), "{what}: {}", m.gini);
            assert!(close(fgt(incomes, Z, 0.5).unwrap(), 0.0), "{what}");
        }
        // a non-positive line makes nobody poor
        let m = poverty_measures(&fens(&[-5, 0, 5]), Fen::ZERO);
        assert_eq!((m.q, m.headcount_ratio, m.sen), (0, 0.0, 0.0));
    }

    #[test]
    fn watts_without_poor_is_positive_zero() {
        let w = watts(&fens(&[500, 600]), Fen::new(100));
        assert!(w == 0.0 && w.is_sign_positive(), "{w:?}");
    }

    #[test]
    fn watts_clamps_non_positive_income() {
        // incomes 0 and −500 count as 1 fen: (ln 1000 + ln 1000 + ln 2)/3
        let w = watts(&fens(&[0, -500, 500]), Z);
        assert!(close(w, (2.0 * 1000f64.ln() + 2f64.ln()) / 3.0), "{w}");
        assert!(w.is_finite());
        // negative income: normalised gap above 1 in P1: (1.5 + 1 + 0.5)/3 = 1
        assert!(close(fgt(&fens(&[0, -500, 500]), Z, 1.0).unwrap(), 1.0));
    }

    #[test]
    fn gini_cases() {
        // (incomes, expected)
        let cases: [(&[i64], f64); 5] = [
            (&[500, 500, 500], 0.0),
            (&[0, 0, 0, 100], 0.75), // (2·400 − 5·100)/(4·100) = 300/400
            (&[7], 0.0),
            (&[0, 0], 0.0),                // total 0: not meaningful, 0
            (&[300, 100, 200], 2.0 / 9.0), // (2·1400 − 4·600)/(3·600) = 400/1800
        ];
        for (v, want) in cases {
            let g = gini(&fens(v));
            assert!(close(g, want), "{v:?}: {g}");
        }
    }
}
