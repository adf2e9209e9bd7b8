//! Poverty incidence (贫困发生率) = registered poor persons not yet exited ÷ rural population, as an
//! exact fraction, and the exit test of a poor village or county against its threshold.
//!
//! Hard rules: the definition, "strictly below the threshold passes" (domain.md §3.2–3.3: 降至2%以下),
//! and that an incidence which cannot be computed fails. The thresholds (2/100, western 3/100) are
//! parameters.

use super::ratio::Ratio;
use super::standards::{key, ratio_param, Parameter};
use crate::error::{DomainError, DomainResult};
use crate::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};

/// The incidence of a region, or why it cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Incidence {
    Computed {
        poor_persons: i64,
        rural_population: i64,
        /// `poor_persons / rural_population`, unreduced so the counts stay visible.
        ratio: Ratio,
    },
    NotComputable {
        reason: String,
    },
}

impl Incidence {
    pub fn ratio(&self) -> Option<Ratio> {
        match self {
            Incidence::Computed { ratio, .. } => Some(*ratio),
            Incidence::NotComputable { .. } => None,
        }
    }
}

/// Compute the incidence. The rural population comes from the village profiles and may be missing;
/// zero, missing or inconsistent inputs give [`Incidence::NotComputable`] with the reason, never a
/// division by zero.
pub fn incidence(poor_persons: i64, rural_population: Option<i64>) -> Incidence {
    let not = |reason: String| Incidence::NotComputable { reason };
    let Some(pop) = rural_population else {
        return not("未登记农村人口数，无法计算贫困发生率".into());
    };
    if pop <= 0 {
        return not(format!("农村人口数为 {pop}，无法计算贫困发生率"));
    }
    if poor_persons < 0 {
        return not(format!("贫困人口数为 {poor_persons}，数据有误"));
    }
    if poor_persons > pop {
        return not(format!(
            "贫困人口数（{poor_persons}）多于农村人口数（{pop}），数据有误"
        ));
    }
    match Ratio::new(poor_persons, pop) {
        Some(ratio) => Incidence::Computed {
            poor_persons,
            rural_population: pop,
            ratio,
        },
        None => not("农村人口数为 0，无法计算贫困发生率".into()),
    }
}

/// The incidence test for an exit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidenceCheck {
    pub incidence: Incidence,
    pub threshold: Ratio,
    /// Strictly below the threshold; `false` when not computable.
    pub passed: bool,
    pub reason: String,
}

/// Test an incidence against a threshold: strictly below passes, equal fails.
pub fn check_incidence(incidence: Incidence, threshold: Ratio) -> IncidenceCheck {
    let t = threshold.percent_string(2);
    let (passed, reason) = match &incidence {
        Incidence::NotComputable { reason } => (false, reason.clone()),
        Incidence::Computed {
            poor_persons,
            rural_population,
            ratio,
        } => {
            let shown = format!(
                "贫困发生率 {}（{poor_persons}/{rural_population}）",
                ratio.percent_string(2)
            );
            if ratio < &threshold {
                (true, format!("{shown}，低于 {t}"))
            } else if ratio == &threshold {
                (false, format!("{shown}，等于 {t}，须低于 {t}"))
            } else {
                (false, format!("{shown}，高于 {t}"))
            }
        }
    };
    IncidenceCheck {
        incidence,
        threshold,
        passed,
        reason,
    }
}

/// The exit threshold in force for a village or county region (other levels have none).
pub fn exit_threshold(params: &[Parameter], region: &RegionCode, year: i32) -> DomainResult<Ratio> {
    let k = match region.level() {
        Level::Village => key::VILLAGE_EXIT_INCIDENCE_MAX,
        Level::County => key::COUNTY_EXIT_INCIDENCE_MAX,
        other => {
            return Err(DomainError::invalid(
                "region_code",
                "no_exit_threshold",
                format!(
                    "只有贫困村和贫困县有退出贫困发生率标准（当前为{}）",
                    other.label()
                ),
            ))
        }
    };
    ratio_param(params, k, region, year)
}

/// The incidence exit test of a poor village or county, with the threshold from the parameters.
pub fn check_region_exit(
    params: &[Parameter],
    region: &RegionCode,
    year: i32,
    poor_persons: i64,
    rural_population: Option<i64>,
) -> DomainResult<IncidenceCheck> {
    let threshold = exit_threshold(params, region, year)?;
    Ok(check_incidence(
        incidence(poor_persons, rural_population),
        threshold,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::standards::default_parameters;

    fn r(n: i64, d: i64) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    #[test]
    fn incidence_table() {
        // (poor, population, Some(ratio) or None)
        let cases = [
            (9, Some(450), Some(r(2, 100))),
            (0, Some(450), Some(r(0, 1))),
            (450, Some(450), Some(r(1, 1))),
            (1, None, None),
            (1, Some(0), None),
            (0, Some(0), None),
            (1, Some(-3), None),
            (-1, Some(100), None),
            (101, Some(100), None),
        ];
        for (poor, pop, want) in cases {
            assert_eq!(incidence(poor, pop).ratio(), want, "{poor}/{pop:?}");
        }
        match incidence(1, None) {
            Incidence::NotComputable { reason } => assert!(reason.contains("未登记农村人口")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strictly_below_passes() {
        let two = r(2, 100);
        // (poor, population, passes)
        let cases = [
            (8, Some(450), true),   // 1.78%
            (9, Some(450), false),  // exactly 2%
            (10, Some(450), false), // 2.22%
            (0, Some(450), true),
            (0, None, false),
            (0, Some(0), false),
        ];
        for (poor, pop, passed) in cases {
            let c = check_incidence(incidence(poor, pop), two);
            assert_eq!(c.passed, passed, "{poor}/{pop:?}: {}", c.reason);
        }
        let c = check_incidence(incidence(9, Some(450)), two);
        assert_eq!(
            c.reason,
            "贫困发生率 2.00%（9/450），等于 2.00%，须低于 2.00%"
        );
    }

    #[test]
    fn thresholds_by_region() {
        let d = default_parameters();
        let code = |s: &str| RegionCode::parse(s).unwrap();
        // 江西 village: 2%; 贵州 county: 3%; (region, poor, population, passes)
        let cases = [
            ("360124106204", 12, Some(500), false), // 2.4% ≥ 2%
            ("522301000000", 12, Some(500), true),  // 2.4% < 3%
            ("522301000000", 15, Some(500), false), // exactly 3%
            ("360124000000", 9, Some(500), true),   // 1.8% < 2%
        ];
        for (region, poor, pop, passed) in cases {
            let c = check_region_exit(&d, &code(region), 2019, poor, pop).unwrap();
            assert_eq!(c.passed, passed, "{region}: {}", c.reason);
        }
        let e = check_region_exit(&d, &code("360124106000"), 2019, 1, Some(10)).unwrap_err();
        assert_eq!(e.code, "no_exit_threshold");
        let e = check_region_exit(&d, &code("360124106204"), 2015, 1, Some(10)).unwrap_err();
        assert_eq!(e.code, "parameter_not_set");
    }
}
