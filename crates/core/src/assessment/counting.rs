//! The counting (Alkire–Foster) multidimensional measure with its configuration as data: dimensions,
//! indicators, deprivation cut-offs, weights and the poverty cut-off k are a [`CountingConfig`], kept
//! in the parameter table under `mpi.<name>` by region and year like every other standard.
//!
//! **Method** (Alkire & Foster 2011, "Counting and multidimensional poverty measurement", J. Public
//! Economics 95): each person has an achievement y_ij per indicator; they are deprived in j when
//! y_ij < z_j; their score c_i is the sum of the weights of their deprivations (weights sum to 1); they
//! are poor when c_i ≥ k. H = q/n, A = mean score of the poor, M0 = H·A; for indicators with a
//! cardinal scale the normalised gap g_ij = (z_j − y_ij)/z_j gives M1 = Σ_poor Σ_j w_j g_ij / n and M2
//! with g², reported only when every indicator is cardinal (a yes/no indicator is: its gap is 1 when
//! deprived; an ordinal code scale is not unless the configuration says so), since a gap on an
//! ordinal scale means nothing (A&F 2011 §3).
//!
//! **Missing values are never deprivations.** A person is measured only when every indicator of the
//! configuration is observed for them (complete cases); each indicator reports how many persons it
//! was observed for. The alternative found in the literature (Alkire, Foster, Seth, Santos, Roche &
//! Ballon 2015, *Multidimensional Poverty Measurement and Analysis*, ch. 7–8; the global MPI's
//! practice) keeps persons with some indicators missing and re-weights the observed indicators of the
//! dimension to the dimension's weight; it was not taken as the rule because a person's score would
//! then rest on fewer facts than another's. Counting a missing record as a deprivation (the rule of
//! the exit assessment, where a need must be shown to be met) was rejected for a statistic: in a
//! registry where a field was never collected, it reports everybody as deprived in it.
//!
//! Scores are exact: weights and k are brought to one common denominator L, so "c_i ≥ k" is an
//! integer comparison; gaps are summed exactly per (indicator, household size) in `i128` and divided
//! once, so no figure depends on the order of persons.

use super::exit::{age_on, COMPULSORY_SCHOOL_AGE, NOT_A_STUDENT};
use super::ratio::{gcd, Ratio};
use crate::error::{check_text, DomainError, DomainResult};
use crate::money::{Fen, PerCapita};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// The configuration used when a request names none.
pub const DEFAULT_CONFIG: &str = "basic_needs";
/// The second shipped configuration: the global MPI's structure.
pub const GLOBAL_MPI_CONFIG: &str = "global_mpi";
/// Parameter keys of configurations are this prefix and the configuration's name.
pub const KEY_PREFIX: &str = "mpi.";

/// The parameter key of a configuration name, or an error when the name is not a valid one
/// (lower-case letters, digits and `_`, 1–40 characters).
pub fn config_key(field: &str, name: &str) -> DomainResult<String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        let shown: String = name.chars().take(50).collect();
        return Err(DomainError::invalid(
            field,
            "invalid_config_name",
            format!("测度配置名“{shown}”无效：须为1–40个小写字母、数字或下划线"),
        ));
    }
    Ok(format!("{KEY_PREFIX}{name}"))
}

/// What fupin records that an indicator can read. The catalogue is closed: an indicator names one of
/// these, and the cut-off and scale say what counts as deprived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Variable {
    /// The household's per-capita net income of the year, fen (cardinal).
    PerCapitaIncome,
    /// 不愁吃, from the year's verification (1 yes, 0 no).
    FoodSecure,
    /// 不愁穿, from the year's verification.
    ClothingSecure,
    /// 义务教育有保障: no member of compulsory school age (6–15) out of school without a recorded
    /// reason (1), or one is (0); unknown when a school-age member's schooling is not recorded.
    CompulsoryEducation,
    /// The person takes part in basic medical insurance.
    MedicalInsurance,
    /// 住房安全有保障: housing grade A or B, or renovated by the year.
    HousingSafe,
    /// 饮水安全.
    SafeDrinkingWater,
    /// Electricity for living.
    Electricity,
    /// A sanitary toilet.
    SanitaryToilet,
    /// The main cooking fuel's code (主要燃料类型), through the indicator's scale.
    CookingFuel,
    /// The person's education code (文化程度), through the indicator's scale.
    Education,
    /// The person's health code (健康状况), through the indicator's scale.
    Health,
}

/// How a variable's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// A quantity (fen): cardinal, cut-off given in the configuration or the poverty line.
    Amount,
    /// Yes (1) / no (0); the cut-off is 1; cardinal (the gap of a deprivation is 1).
    Flag,
    /// A code mapped to a number by the indicator's scale; ordinal unless declared cardinal.
    Code,
}

impl Variable {
    pub fn kind(self) -> VariableKind {
        match self {
            Variable::PerCapitaIncome => VariableKind::Amount,
            Variable::CookingFuel | Variable::Education | Variable::Health => VariableKind::Code,
            _ => VariableKind::Flag,
        }
    }

    /// Whether the value belongs to the person (else to the household, the same for every member).
    pub fn per_person(self) -> bool {
        matches!(
            self,
            Variable::MedicalInsurance | Variable::Education | Variable::Health
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Variable::PerCapitaIncome => "人均纯收入",
            Variable::FoodSecure => "不愁吃",
            Variable::ClothingSecure => "不愁穿",
            Variable::CompulsoryEducation => "义务教育有保障",
            Variable::MedicalInsurance => "参加基本医疗保险",
            Variable::HousingSafe => "住房安全有保障",
            Variable::SafeDrinkingWater => "饮水安全",
            Variable::Electricity => "通生活用电",
            Variable::SanitaryToilet => "有卫生厕所",
            Variable::CookingFuel => "主要燃料类型",
            Variable::Education => "文化程度",
            Variable::Health => "健康状况",
        }
    }
}

/// The deprivation cut-off z: deprived when the achievement is strictly below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cutoff {
    /// The poverty line in force (or the request's `line_fen`).
    PovertyLine,
    /// A fixed value in the variable's unit (fen, or the scale's numbers).
    Value(i64),
}

/// How a per-person variable becomes an indicator of the person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Over {
    /// The person's own value.
    #[default]
    Person,
    /// The best value among the household's members (e.g. "no member has six years of schooling").
    HouseholdBest,
    /// The worst value among the household's members (e.g. "a member is not insured").
    HouseholdWorst,
}

/// One indicator of a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    pub key: String,
    pub label: String,
    pub variable: Variable,
    #[serde(default)]
    pub over: Over,
    pub cutoff: Cutoff,
    pub weight: Ratio,
    /// For code variables: the number each code stands for; a code not listed is not observed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scale: BTreeMap<String, i64>,
    /// For code variables: whether the scale's numbers are a cardinal quantity (e.g. years), so
    /// that gaps and M1, M2 mean something. Amounts and flags are cardinal in any case.
    #[serde(default)]
    pub cardinal: bool,
}

/// A dimension: a labelled group of indicators (its weight is the sum of theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    pub key: String,
    pub label: String,
    pub indicators: Vec<IndicatorSpec>,
}

/// An indicator of the model a configuration follows that fupin does not record, and what the
/// configuration does instead. Documentation only; it takes no part in the computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Unobserved {
    pub dimension: String,
    pub label: String,
    pub treatment: String,
}

/// A counting-measure configuration: the value of a `mpi.<name>` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CountingConfig {
    pub label: String,
    /// Poverty cut-off: poor when the weighted deprivation score is at least k (0 < k ≤ 1).
    pub k: Ratio,
    pub dimensions: Vec<DimensionSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unobserved: Vec<Unobserved>,
}

fn bad(field: String, code: &'static str, msg: String) -> DomainError {
    DomainError::invalid(&field, code, msg)
}

/// Checks that 0 < k ≤ 1.
pub fn check_k(field: &str, k: Ratio) -> DomainResult<()> {
    if k.num() <= 0 || k.num() > k.den() {
        return Err(DomainError::invalid(
            field,
            "invalid_cutoff",
            "贫困临界值 k 须大于0且不大于1",
        ));
    }
    Ok(())
}

/// Parses `k` as given in a query: `1/3`, `0.5` or `2` (out of… no: a plain number is the share
/// itself, so `1` is the intersection approach).
pub fn parse_k(field: &str, s: &str) -> DomainResult<Ratio> {
    let err = || {
        DomainError::invalid(
            field,
            "invalid_cutoff",
            "贫困临界值 k 须为大于0且不大于1的分数或小数（如 1/3、0.5）",
        )
    };
    let s = s.trim();
    let r = if let Some((n, d)) = s.split_once('/') {
        let n: i64 = n.trim().parse().map_err(|_| err())?;
        let d: i64 = d.trim().parse().map_err(|_| err())?;
        Ratio::new(n, d).ok_or_else(err)?
    } else {
        // a decimal: digits, optionally a point and up to 9 decimals, read exactly
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty()
            || frac.len() > 9
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() > 9
        {
            return Err(err());
        }
        let scale = 10i64.pow(frac.len() as u32);
        let i: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| err())?
        };
        let f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| err())?
        };
        Ratio::new(i * scale + f, scale).ok_or_else(err)?
    };
    check_k(field, r).map_err(|_| err())?;
    Ok(r)
}

impl CountingConfig {
    /// Every indicator with its dimension's index, in order.
    pub fn indicators(&self) -> impl Iterator<Item = (usize, &IndicatorSpec)> {
        self.dimensions
            .iter()
            .enumerate()
            .flat_map(|(d, dim)| dim.indicators.iter().map(move |i| (d, i)))
    }

    /// Structural checks: labels, unique keys, at least one indicator, positive weights summing to
    /// exactly 1, 0 < k ≤ 1, a scale for every code variable, a positive cut-off where gaps are taken,
    /// and a common denominator of the weights and k that fits in 64 bits.
    pub fn validate(&self) -> DomainResult<()> {
        check_text("value.label", &self.label, 100)?;
        check_k("value.k", self.k)?;
        if self.indicators().next().is_none() {
            return Err(bad(
                "value.dimensions".into(),
                "no_indicators",
                "至少需要一个指标".into(),
            ));
        }
        let mut keys: Vec<&str> = Vec::new();
        for (d, dim) in self.dimensions.iter().enumerate() {
            let f = format!("value.dimensions[{d}]");
            check_text(&format!("{f}.label"), &dim.label, 50)?;
            if dim.key.trim().is_empty() || dim.key.len() > 40 {
                return Err(bad(
                    format!("{f}.key"),
                    "invalid_config_name",
                    "维度的键须为1–40个字符".into(),
                ));
            }
            if dim.indicators.is_empty() {
                return Err(bad(
                    format!("{f}.indicators"),
                    "no_indicators",
                    format!("维度 {} 至少需要一个指标", dim.key),
                ));
            }
            for (i, ind) in dim.indicators.iter().enumerate() {
                let f = format!("{f}.indicators[{i}]");
                check_text(&format!("{f}.label"), &ind.label, 50)?;
                if ind.key.trim().is_empty() || ind.key.len() > 40 {
                    return Err(bad(
                        format!("{f}.key"),
                        "invalid_config_name",
                        "指标的键须为1–40个字符".into(),
                    ));
                }
                if keys.contains(&ind.key.as_str()) {
                    return Err(bad(
                        format!("{f}.key"),
                        "duplicate_indicator",
                        format!("指标 {} 重复", ind.key),
                    ));
                }
                keys.push(&ind.key);
                if ind.weight.num() <= 0 {
                    return Err(bad(
                        format!("{f}.weight"),
                        "zero_weight",
                        format!("指标 {} 的权重须大于0", ind.key),
                    ));
                }
                let kind = ind.variable.kind();
                if kind == VariableKind::Code && ind.scale.is_empty() {
                    return Err(bad(
                        format!("{f}.scale"),
                        "scale_required",
                        format!(
                            "指标 {} 读取代码（{}），须给出各代码对应的数值（scale）",
                            ind.key,
                            ind.variable.label()
                        ),
                    ));
                }
                if kind != VariableKind::Code && !ind.scale.is_empty() {
                    return Err(bad(
                        format!("{f}.scale"),
                        "scale_not_applicable",
                        format!("指标 {} 读取的不是代码，不能给出 scale", ind.key),
                    ));
                }
                match (kind, ind.cutoff) {
                    (VariableKind::Flag, Cutoff::Value(1)) => {}
                    (VariableKind::Flag, _) => {
                        return Err(bad(
                            format!("{f}.cutoff"),
                            "invalid_indicator_cutoff",
                            format!(
                                "指标 {} 为是/否指标，剥夺临界值须为 1（“否”为被剥夺）",
                                ind.key
                            ),
                        ))
                    }
                    (VariableKind::Code, Cutoff::PovertyLine) => {
                        return Err(bad(
                            format!("{f}.cutoff"),
                            "invalid_indicator_cutoff",
                            format!("指标 {} 读取代码，剥夺临界值须为数值", ind.key),
                        ))
                    }
                    (_, Cutoff::Value(z)) if z <= 0 && self.is_cardinal(ind) => {
                        return Err(bad(
                            format!("{f}.cutoff"),
                            "invalid_indicator_cutoff",
                            format!("指标 {} 为基数指标，剥夺临界值须大于0", ind.key),
                        ))
                    }
                    _ => {}
                }
                if ind.over != Over::Person && !ind.variable.per_person() {
                    return Err(bad(
                        format!("{f}.over"),
                        "invalid_indicator_cutoff",
                        format!(
                            "指标 {} 读取的是户的数据，不能按成员取最好或最差值",
                            ind.key
                        ),
                    ));
                }
            }
        }
        let weights: Vec<Ratio> = self.indicators().map(|(_, i)| i.weight).collect();
        let (l, _, _) = common_denominator(&weights, self.k)?;
        let _ = l;
        Ok(())
    }

    fn is_cardinal(&self, ind: &IndicatorSpec) -> bool {
        ind.variable.kind() != VariableKind::Code || ind.cardinal
    }

    /// The configuration ready to count: cut-offs resolved against `line`, weights and k scaled to
    /// one denominator; `k` replaces the configuration's k when given.
    pub fn resolve(&self, name: &str, line: Fen, k: Option<Ratio>) -> DomainResult<Resolved> {
        self.validate()?;
        let k = match k {
            Some(k) => {
                check_k("k", k)?;
                k
            }
            None => self.k,
        };
        let weights: Vec<Ratio> = self.indicators().map(|(_, i)| i.weight).collect();
        let (l, scaled, k_scaled) = common_denominator(&weights, k)?;
        let indicators = self
            .indicators()
            .zip(scaled)
            .map(|((d, ind), w)| ResolvedIndicator {
                dimension: d,
                spec: ind.clone(),
                z: match ind.cutoff {
                    Cutoff::PovertyLine => line.get(),
                    Cutoff::Value(z) => z,
                },
                scaled_weight: w,
                cardinal: self.is_cardinal(ind),
            })
            .collect();
        Ok(Resolved {
            name: name.to_string(),
            config: self.clone(),
            k,
            l,
            k_scaled,
            indicators,
        })
    }
}

/// The common denominator L of the weights and k, the weights and k in units of 1/L; checks that
/// the weights sum to exactly 1.
fn common_denominator(weights: &[Ratio], k: Ratio) -> DomainResult<(u128, Vec<u128>, u128)> {
    let too_large = || {
        bad(
            "value.dimensions".into(),
            "denominator_too_large",
            "权重的公分母过大".into(),
        )
    };
    let mut l: u128 = k.den() as u128;
    for w in weights {
        let d = w.den() as u128;
        l = (l / gcd(l, d))
            .checked_mul(d)
            .filter(|l| *l <= u64::MAX as u128)
            .ok_or_else(too_large)?;
    }
    let scaled: Vec<u128> = weights
        .iter()
        .map(|w| (w.num() as u128).checked_mul(l / w.den() as u128))
        .collect::<Option<Vec<u128>>>()
        .ok_or_else(too_large)?;
    let total: u128 = scaled.iter().sum();
    if total != l {
        return Err(bad(
            "value.dimensions".into(),
            "weights_not_one",
            format!("指标权重之和须等于1（当前为 {total}/{l}）"),
        ));
    }
    Ok((l, scaled, k.num() as u128 * (l / k.den() as u128)))
}

/// An indicator ready to count.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedIndicator {
    pub dimension: usize,
    pub spec: IndicatorSpec,
    /// The cut-off in the variable's unit.
    pub z: i64,
    pub scaled_weight: u128,
    pub cardinal: bool,
}

/// A configuration ready to count.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub name: String,
    pub config: CountingConfig,
    pub k: Ratio,
    l: u128,
    k_scaled: u128,
    pub indicators: Vec<ResolvedIndicator>,
}

impl Resolved {
    /// Which variables the configuration reads (so the store reads only what is needed).
    pub fn reads(&self, v: Variable) -> bool {
        self.indicators.iter().any(|i| i.spec.variable == v)
    }
}

/// An achievement `total / count` (count ≥ 1): a per-capita income is the household's net income
/// over its persons, kept as a fraction so that the cut-off compares without rounding; every other
/// achievement has count 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Achievement {
    pub total: i64,
    pub count: i64,
}

impl Achievement {
    pub const fn of(v: i64) -> Achievement {
        Achievement { total: v, count: 1 }
    }
    fn below(self, z: i64) -> bool {
        (self.total as i128) < z as i128 * self.count as i128
    }
}

impl From<PerCapita> for Achievement {
    fn from(p: PerCapita) -> Achievement {
        Achievement {
            total: p.total().get(),
            count: p.persons().max(1),
        }
    }
}

/// A household's facts of a year, as the indicators read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdIndicators {
    pub per_capita: Option<PerCapita>,
    pub food_secure: Option<bool>,
    pub clothing_secure: Option<bool>,
    pub housing_grade: Option<String>,
    pub housing_renovated_year: Option<i32>,
    pub safe_drinking_water: Option<bool>,
    pub electricity: Option<bool>,
    pub sanitary_toilet: Option<bool>,
    pub fuel_type: Option<String>,
}

/// A member's facts, as the indicators read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberIndicators {
    pub birth_date: Date,
    pub schooling: Option<String>,
    pub has_out_of_school_reason: bool,
    pub education: Option<String>,
    pub health: Option<String>,
    pub medical_insurance: Option<bool>,
}

fn flag(v: Option<bool>) -> Option<Achievement> {
    v.map(|b| Achievement::of(b as i64))
}

fn scaled(scale: &BTreeMap<String, i64>, code: Option<&str>) -> Option<Achievement> {
    code.map(str::trim)
        .and_then(|c| scale.get(c))
        .map(|v| Achievement::of(*v))
}

/// 义务教育有保障 of a household: 0 when a member of compulsory school age is recorded out of school
/// without a reason, unknown when such a member's schooling is not recorded, else 1 (also when no
/// member is of school age). Ages on `on`.
fn compulsory_education(members: &[MemberIndicators], on: Date) -> Option<Achievement> {
    let mut unknown = false;
    for m in members {
        if !COMPULSORY_SCHOOL_AGE.contains(&age_on(m.birth_date, on)) || m.has_out_of_school_reason
        {
            continue;
        }
        match m.schooling.as_deref().map(str::trim) {
            Some(s) if s == NOT_A_STUDENT => return Some(Achievement::of(0)),
            Some(s) if !s.is_empty() => {}
            _ => unknown = true,
        }
    }
    if members.is_empty() || unknown {
        None
    } else {
        Some(Achievement::of(1))
    }
}

fn housing_safe(h: &HouseholdIndicators, year: i32) -> Option<Achievement> {
    if h.housing_renovated_year.is_some_and(|y| y <= year) {
        return Some(Achievement::of(1));
    }
    match h
        .housing_grade
        .as_deref()
        .map(|g| g.trim().to_ascii_uppercase())
        .as_deref()
    {
        Some("A" | "B") => Some(Achievement::of(1)),
        Some("C" | "D") => Some(Achievement::of(0)),
        _ => None,
    }
}

/// The indicator values of each member of a household (rows in the order of `members`, one value
/// per indicator of `r`, `None` where not observed). `on` is the day ages are taken (the year's end).
pub fn household_rows(
    r: &Resolved,
    h: &HouseholdIndicators,
    members: &[MemberIndicators],
    year: i32,
    on: Date,
) -> Vec<Vec<Option<Achievement>>> {
    let person_value = |ind: &ResolvedIndicator, m: &MemberIndicators| -> Option<Achievement> {
        match ind.spec.variable {
            Variable::MedicalInsurance => flag(m.medical_insurance),
            Variable::Education => scaled(&ind.spec.scale, m.education.as_deref()),
            Variable::Health => scaled(&ind.spec.scale, m.health.as_deref()),
            _ => None,
        }
    };
    // household values, and per-person ones folded over the members where asked
    let shared: Vec<Option<Option<Achievement>>> = r
        .indicators
        .iter()
        .map(|ind| {
            let v = ind.spec.variable;
            if v.per_person() {
                return match ind.spec.over {
                    Over::Person => None,
                    over => Some(fold(
                        members.iter().map(|m| person_value(ind, m)),
                        ind.z,
                        over,
                    )),
                };
            }
            Some(match v {
                Variable::PerCapitaIncome => h.per_capita.map(Achievement::from),
                Variable::FoodSecure => flag(h.food_secure),
                Variable::ClothingSecure => flag(h.clothing_secure),
                Variable::CompulsoryEducation => compulsory_education(members, on),
                Variable::HousingSafe => housing_safe(h, year),
                Variable::SafeDrinkingWater => flag(h.safe_drinking_water),
                Variable::Electricity => flag(h.electricity),
                Variable::SanitaryToilet => flag(h.sanitary_toilet),
                Variable::CookingFuel => scaled(&ind.spec.scale, h.fuel_type.as_deref()),
                Variable::MedicalInsurance | Variable::Education | Variable::Health => None,
            })
        })
        .collect();
    members
        .iter()
        .map(|m| {
            r.indicators
                .iter()
                .zip(&shared)
                .map(|(ind, s)| match s {
                    Some(v) => *v,
                    None => person_value(ind, m),
                })
                .collect()
        })
        .collect()
}

/// The best or worst of the members' values, when the members observed decide whether the household
/// is deprived: the best is known once one member reaches the cut-off (or all are observed); the
/// worst once one member is below it (or all are observed).
fn fold(
    values: impl Iterator<Item = Option<Achievement>>,
    z: i64,
    over: Over,
) -> Option<Achievement> {
    let mut acc: Option<Achievement> = None;
    let mut missing = false;
    for v in values {
        let Some(v) = v else {
            missing = true;
            continue;
        };
        acc = Some(match acc {
            None => v,
            Some(a) => {
                let v_lt_a =
                    (v.total as i128) * (a.count as i128) < (a.total as i128) * (v.count as i128);
                match (over, v_lt_a) {
                    (Over::HouseholdBest, true) | (Over::HouseholdWorst, false) => a,
                    _ => v,
                }
            }
        });
    }
    let a = acc?;
    let decided = match over {
        Over::HouseholdBest => !a.below(z),
        _ => a.below(z),
    };
    (!missing || decided).then_some(a)
}

/// Sums of one indicator over the persons of a scope.
#[derive(Debug, Clone, Default)]
struct IndicatorSums {
    observed: u64,
    deprived: u64,
    censored: u64,
    /// count → (Σ (z·count − total), Σ (z·count − total)²) over the censored deprivations.
    gaps: BTreeMap<i64, (i128, i128)>,
}

/// The counting measure, accumulated one person at a time (the store streams the scope through it).
#[derive(Debug, Clone)]
pub struct CountingAccumulator {
    r: Resolved,
    persons: u64,
    n: u64,
    q: u64,
    poor_score: u128,
    sums: Vec<IndicatorSums>,
    deprived_row: Vec<bool>,
}

impl CountingAccumulator {
    pub fn new(r: Resolved) -> CountingAccumulator {
        let m = r.indicators.len();
        CountingAccumulator {
            r,
            persons: 0,
            n: 0,
            q: 0,
            poor_score: 0,
            sums: vec![IndicatorSums::default(); m],
            deprived_row: vec![false; m],
        }
    }

    pub fn resolved(&self) -> &Resolved {
        &self.r
    }

    /// One person's indicator values (one per indicator, `None` when not observed).
    pub fn add(&mut self, row: &[Option<Achievement>]) {
        debug_assert_eq!(row.len(), self.r.indicators.len());
        self.persons += 1;
        let mut complete = true;
        for (s, v) in self.sums.iter_mut().zip(row) {
            if v.is_some() {
                s.observed += 1;
            } else {
                complete = false;
            }
        }
        if !complete {
            return;
        }
        self.n += 1;
        let mut score: u128 = 0;
        for (j, (ind, v)) in self.r.indicators.iter().zip(row).enumerate() {
            let v = v.expect("complete");
            let d = v.below(ind.z);
            self.deprived_row[j] = d;
            if d {
                self.sums[j].deprived += 1;
                score += ind.scaled_weight;
            }
        }
        if score < self.r.k_scaled {
            return;
        }
        self.q += 1;
        self.poor_score += score;
        for (j, (ind, v)) in self.r.indicators.iter().zip(row).enumerate() {
            if !self.deprived_row[j] {
                continue;
            }
            let v = v.expect("complete");
            let s = &mut self.sums[j];
            s.censored += 1;
            if ind.cardinal {
                let gap = ind.z as i128 * v.count as i128 - v.total as i128;
                let e = s.gaps.entry(v.count).or_default();
                e.0 = e.0.saturating_add(gap);
                e.1 = e.1.saturating_add(gap.saturating_mul(gap));
            }
        }
    }

    /// The figures.
    pub fn finish(self) -> CountingMeasures {
        let CountingAccumulator {
            r,
            persons,
            n,
            q,
            poor_score,
            sums,
            ..
        } = self;
        let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let nf = n as f64;
        let l = r.l as f64;
        let all_cardinal = r.indicators.iter().all(|i| i.cardinal);
        // Σ over the censored deprivations of g^α, per indicator (α = 1, 2)
        let gap_sum = |ind: &ResolvedIndicator, s: &IndicatorSums, alpha: i32| -> f64 {
            let z = ind.z as f64;
            s.gaps
                .iter()
                .map(|(c, (g1, g2))| {
                    let zc = z * *c as f64;
                    if alpha == 1 {
                        *g1 as f64 / zc
                    } else {
                        *g2 as f64 / (zc * zc)
                    }
                })
                .sum()
        };
        let m_alpha = |alpha: i32| -> Option<f64> {
            all_cardinal.then(|| {
                let s: f64 = r
                    .indicators
                    .iter()
                    .zip(&sums)
                    .map(|(ind, s)| ind.scaled_weight as f64 / l * gap_sum(ind, s, alpha))
                    .sum();
                ratio(s, nf) + 0.0
            })
        };
        let contribution = |j: usize| -> f64 {
            if poor_score == 0 {
                0.0
            } else {
                100.0 * (r.indicators[j].scaled_weight * sums[j].censored as u128) as f64
                    / poor_score as f64
            }
        };
        let indicators: Vec<IndicatorFigures> = r
            .indicators
            .iter()
            .zip(&sums)
            .enumerate()
            .map(|(j, (ind, s))| IndicatorFigures {
                dimension: r.config.dimensions[ind.dimension].key.clone(),
                key: ind.spec.key.clone(),
                label: ind.spec.label.clone(),
                variable: ind.spec.variable,
                weight: ind.spec.weight,
                cutoff: ind.z,
                cardinal: ind.cardinal,
                observed: s.observed,
                deprived: s.deprived,
                censored: s.censored,
                uncensored_headcount: ratio(s.deprived as f64, nf),
                censored_headcount: ratio(s.censored as f64, nf),
                contribution_pct: contribution(j),
                average_gap: (ind.cardinal && s.censored > 0)
                    .then(|| gap_sum(ind, s, 1) / s.censored as f64),
            })
            .collect();
        let dimensions = r
            .config
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, dim)| {
                let (num, den) = dim.indicators.iter().fold((0i128, 1i128), |(n, dd), i| {
                    let (a, b) = (i.weight.num() as i128, i.weight.den() as i128);
                    let (n2, d2) = (n * b + a * dd, dd * b);
                    let g = gcd(n2.unsigned_abs(), d2.unsigned_abs()).max(1) as i128;
                    (n2 / g, d2 / g)
                });
                DimensionFigures {
                    key: dim.key.clone(),
                    label: dim.label.clone(),
                    weight: Ratio::new(num as i64, den as i64).expect("positive denominator"),
                    contribution_pct: r
                        .indicators
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| i.dimension == d)
                        .map(|(j, _)| contribution(j))
                        .sum(),
                }
            })
            .collect();
        CountingMeasures {
            config: r.name.clone(),
            label: r.config.label.clone(),
            k: r.k,
            persons,
            complete: n,
            q,
            h: ratio(q as f64, nf),
            a: ratio(poor_score as f64, q as f64 * l),
            m0: ratio(poor_score as f64, nf * l),
            m1: m_alpha(1),
            m2: m_alpha(2),
            dimensions,
            indicators,
            unobserved: r.config.unobserved.clone(),
            missing_rule: MISSING_RULE.to_string(),
        }
    }
}

/// The rule for missing values, as reports state it.
pub const MISSING_RULE: &str = "缺失值不计为被剥夺：只对全部指标均有记录的人（完整个案）计算；各指标的 observed 为有记录的人数。Missing values never count as deprivations: the measure is computed on the persons observed in every indicator (complete cases).";

/// The counting measure of a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountingMeasures {
    /// The configuration's name (`basic_needs`, `global_mpi`, …) and label.
    pub config: String,
    pub label: String,
    pub k: Ratio,
    /// Persons of the scope's households present at the year's end.
    pub persons: u64,
    /// Persons observed in every indicator: the population n of the measure.
    pub complete: u64,
    /// Multidimensionally poor persons (score ≥ k).
    pub q: u64,
    /// Headcount ratio H = q/n.
    pub h: f64,
    /// Intensity A: mean score of the poor.
    pub a: f64,
    /// Adjusted headcount ratio M0 = H·A.
    pub m0: f64,
    /// Adjusted poverty gap M1 (only when every indicator is cardinal).
    pub m1: Option<f64>,
    /// Adjusted FGT M2 (only when every indicator is cardinal).
    pub m2: Option<f64>,
    pub dimensions: Vec<DimensionFigures>,
    pub indicators: Vec<IndicatorFigures>,
    /// Indicators of the model the configuration follows that fupin does not record.
    pub unobserved: Vec<Unobserved>,
    pub missing_rule: String,
}

/// A dimension's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionFigures {
    pub key: String,
    pub label: String,
    pub weight: Ratio,
    /// Sum of its indicators' contributions, per cent of M0.
    pub contribution_pct: f64,
}

/// An indicator's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorFigures {
    pub dimension: String,
    pub key: String,
    pub label: String,
    pub variable: Variable,
    pub weight: Ratio,
    /// The deprivation cut-off applied (fen for income).
    pub cutoff: i64,
    pub cardinal: bool,
    /// Persons for whom the indicator is recorded (of `persons`).
    pub observed: u64,
    /// Persons deprived in it (of the complete cases).
    pub deprived: u64,
    /// Poor persons deprived in it.
    pub censored: u64,
    /// deprived / n.
    pub uncensored_headcount: f64,
    /// censored / n.
    pub censored_headcount: f64,
    /// w_j · censored_headcount / M0 in per cent (the contributions sum to 100; 0 when M0 = 0).
    pub contribution_pct: f64,
    /// For cardinal indicators: the mean normalised gap (z − y)/z of the poor deprived in it.
    pub average_gap: Option<f64>,
}

/// The counting measure of `rows` (one per person), for tests and small inputs.
pub fn counting_measures(r: Resolved, rows: &[Vec<Option<Achievement>>]) -> CountingMeasures {
    let mut acc = CountingAccumulator::new(r);
    for row in rows {
        acc.add(row);
    }
    acc.finish()
}

fn w(num: i64, den: i64) -> Ratio {
    Ratio::new(num, den).expect("non-zero denominator")
}

fn indicator(key: &str, label: &str, variable: Variable, weight: Ratio) -> IndicatorSpec {
    IndicatorSpec {
        key: key.into(),
        label: label.into(),
        variable,
        over: Over::Person,
        cutoff: if variable == Variable::PerCapitaIncome {
            Cutoff::PovertyLine
        } else {
            Cutoff::Value(1)
        },
        weight,
        scale: BTreeMap::new(),
        cardinal: false,
    }
}

fn dimension(key: &str, label: &str, indicators: Vec<IndicatorSpec>) -> DimensionSpec {
    DimensionSpec {
        key: key.into(),
        label: label.into(),
        indicators,
    }
}

/// The default configuration, after the national exit standard 一达标、两不愁、三保障 (and safe
/// drinking water, checked with housing since 2019): the seven standards the exit assessment checks,
/// each weighted 1/7 as every one of them must be met for an exit, grouped in four dimensions;
/// k = 1/3 (deprived in at least three of the seven).
pub fn basic_needs_config() -> CountingConfig {
    let s = w(1, 7);
    CountingConfig {
        label: "两不愁三保障（一达标两不愁三保障及饮水安全，7项指标等权）".into(),
        k: w(1, 3),
        dimensions: vec![
            dimension(
                "income",
                "一达标",
                vec![indicator(
                    "income",
                    "收入达标",
                    Variable::PerCapitaIncome,
                    s,
                )],
            ),
            dimension(
                "two_assurances",
                "两不愁",
                vec![
                    indicator("food", "不愁吃", Variable::FoodSecure, s),
                    indicator("clothing", "不愁穿", Variable::ClothingSecure, s),
                ],
            ),
            dimension(
                "three_guarantees",
                "三保障",
                vec![
                    indicator(
                        "education",
                        "义务教育有保障",
                        Variable::CompulsoryEducation,
                        s,
                    ),
                    indicator(
                        "medical",
                        "基本医疗有保障（参加基本医疗保险）",
                        Variable::MedicalInsurance,
                        s,
                    ),
                    indicator("housing", "住房安全有保障", Variable::HousingSafe, s),
                ],
            ),
            dimension(
                "water",
                "饮水安全",
                vec![indicator(
                    "water",
                    "饮水安全有保障",
                    Variable::SafeDrinkingWater,
                    s,
                )],
            ),
        ],
        unobserved: Vec::new(),
    }
}

/// The global MPI's structure (UNDP–OPHI, Alkire & Santos 2014; 2018 revision): three dimensions of
/// weight 1/3 — health, education, living standards — with equal weights within each, k = 1/3, read
/// from what the registry records. Indicators fupin does not record are listed in `unobserved`: the
/// health dimension's nutrition and child mortality are replaced by the registry's nearest health
/// facts (a member with a serious illness, a member without basic medical insurance); the assets
/// indicator is left out and the other five living-standard indicators share the dimension's
/// weight (1/15 each), as the global MPI does for an indicator a survey lacks.
pub fn global_mpi_config() -> CountingConfig {
    let mut years = indicator(
        "years_of_schooling",
        "受教育年限（无成员达到小学文化程度）",
        Variable::Education,
        w(1, 6),
    );
    years.over = Over::HouseholdBest;
    years.cutoff = Cutoff::Value(6);
    years.cardinal = true;
    // 文化程度 as years completed: 文盲或半文盲 0, 小学 6, 初中 9, 高中 12, 大专及以上 15; a
    // pre-school child (06) has none
    years.scale = [
        ("01", 0),
        ("02", 6),
        ("03", 9),
        ("04", 12),
        ("05", 15),
        ("06", 0),
    ]
    .into_iter()
    .map(|(c, v)| (c.to_string(), v))
    .collect();
    let mut ill = indicator(
        "serious_illness",
        "无成员患有大病（替代营养指标）",
        Variable::Health,
        w(1, 6),
    );
    ill.over = Over::HouseholdWorst;
    // 健康 01, 长期慢性病 02 and 残疾 04 are not the deprivation; 患有大病 03 is
    ill.scale = [("01", 1), ("02", 1), ("03", 0), ("04", 1)]
        .into_iter()
        .map(|(c, v)| (c.to_string(), v))
        .collect();
    let mut insured = indicator(
        "medical_insurance",
        "全部成员参加基本医疗保险（替代儿童死亡率指标）",
        Variable::MedicalInsurance,
        w(1, 6),
    );
    insured.over = Over::HouseholdWorst;
    let mut fuel = indicator("cooking_fuel", "清洁燃料", Variable::CookingFuel, w(1, 15));
    // deprived when cooking with wood, dung or coal (柴草 01, 干畜粪 02, 煤炭 03); 其他 05 is unknown
    fuel.scale = [("01", 0), ("02", 0), ("03", 0), ("04", 1)]
        .into_iter()
        .map(|(c, v)| (c.to_string(), v))
        .collect();
    let l = w(1, 15);
    CountingConfig {
        label: "全球多维贫困指数（MPI）结构：健康、教育、生活水平各1/3".into(),
        k: w(1, 3),
        dimensions: vec![
            dimension("health", "健康", vec![ill, insured]),
            dimension(
                "education",
                "教育",
                vec![
                    years,
                    indicator("school_attendance", "适龄儿童在校（义务教育阶段无失学辍学）", Variable::CompulsoryEducation, w(1, 6)),
                ],
            ),
            dimension(
                "living_standards",
                "生活水平",
                vec![
                    fuel,
                    indicator("sanitation", "卫生厕所", Variable::SanitaryToilet, l),
                    indicator("drinking_water", "安全饮水", Variable::SafeDrinkingWater, l),
                    indicator("electricity", "通生活用电", Variable::Electricity, l),
                    indicator("housing", "住房安全", Variable::HousingSafe, l),
                ],
            ),
        ],
        unobserved: vec![
            Unobserved {
                dimension: "health".into(),
                label: "营养（nutrition）".into(),
                treatment: "建档立卡不登记营养状况；以“无成员患有大病”（健康状况）代替，权重1/6".into(),
            },
            Unobserved {
                dimension: "health".into(),
                label: "儿童死亡（child mortality）".into(),
                treatment: "建档立卡不登记儿童死亡；以“全部成员参加基本医疗保险”代替，权重1/6".into(),
            },
            Unobserved {
                dimension: "living_standards".into(),
                label: "资产（assets）".into(),
                treatment: "建档立卡不登记耐用品（“通广播电视”是接入而非拥有）；不计入，其权重由本维度其余5项均分（各1/15）".into(),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn code_indicator(key: &str, v: Variable, z: i64, scale: &[(&str, i64)]) -> IndicatorSpec {
        IndicatorSpec {
            key: key.into(),
            label: key.into(),
            variable: v,
            over: Over::Person,
            cutoff: Cutoff::Value(z),
            weight: w(1, 4),
            scale: scale.iter().map(|(c, v)| (c.to_string(), *v)).collect(),
            cardinal: true,
        }
    }

    /// Alkire & Foster (2011), §2: four persons, achievements in income, years of schooling,
    /// self-rated health (1–5) and political freedom (0/1), cut-offs z = (13, 12, 3, 1), equal weights.
    /// Income in tenths (131 for 13.1): the gaps are the same.
    ///
    ///   y = [13.1 14 4 1; 15.2 7 5 0; 12.5 10 1 0; 20 11 3 1]
    ///   g0 = [0 0 0 0; 0 1 0 1; 1 1 1 1; 0 1 0 0], c = (0, 2, 4, 1)
    fn af_example() -> (CountingConfig, Vec<Vec<Option<Achievement>>>) {
        let mut income = indicator("income", "income", Variable::PerCapitaIncome, w(1, 4));
        income.cutoff = Cutoff::Value(130);
        let cfg = CountingConfig {
            label: "A&F 2011".into(),
            k: w(1, 2),
            dimensions: vec![dimension(
                "all",
                "all",
                vec![
                    income,
                    code_indicator("schooling", Variable::Education, 12, &[("x", 0)]),
                    code_indicator("health", Variable::Health, 3, &[("x", 0)]),
                    {
                        let mut f =
                            indicator("freedom", "freedom", Variable::MedicalInsurance, w(1, 4));
                        f.weight = w(1, 4);
                        f
                    },
                ],
            )],
            unobserved: vec![],
        };
        let a = |v: i64| Some(Achievement::of(v));
        let rows = vec![
            vec![a(131), a(14), a(4), a(1)],
            vec![a(152), a(7), a(5), a(0)],
            vec![a(125), a(10), a(1), a(0)],
            vec![a(200), a(11), a(3), a(1)],
        ];
        (cfg, rows)
    }

    /// (k, poor persons, H, A, M0, the poor's gaps)
    type Case<'a> = (Ratio, u64, f64, f64, f64, Vec<&'a [f64]>);

    #[test]
    fn alkire_foster_2011_example_at_every_k() {
        let (cfg, rows) = af_example();
        // normalised gaps of the deprived entries (g1):
        //   person 2: schooling 5/12, freedom 1
        //   person 3: income 5/130 = 1/26, schooling 2/12 = 1/6, health 2/3, freedom 1
        //   person 4: schooling 1/12
        let g2 = [5.0 / 12.0, 1.0];
        let g3 = [1.0 / 26.0, 1.0 / 6.0, 2.0 / 3.0, 1.0];
        let g4 = [1.0 / 12.0];
        let sum = |g: &[&[f64]], sq: bool| -> f64 {
            g.iter()
                .flat_map(|v| v.iter())
                .map(|x| if sq { x * x } else { *x })
                .sum::<f64>()
        };
        // (k, poor persons, H, A, M0, gaps of the poor)
        let cases: [Case; 4] = [
            // k = 1 (union): persons 2, 3, 4; scores 2/4, 4/4, 1/4
            (
                w(1, 4),
                3,
                3.0 / 4.0,
                7.0 / 12.0,
                7.0 / 16.0,
                vec![&g2, &g3, &g4],
            ),
            // k = 2: persons 2 and 3; H = 1/2, A = 3/4, M0 = 3/8 (the paper's figures)
            (w(2, 4), 2, 1.0 / 2.0, 3.0 / 4.0, 3.0 / 8.0, vec![&g2, &g3]),
            // k = 3 and k = 4 (intersection): person 3 alone
            (w(3, 4), 1, 1.0 / 4.0, 1.0, 1.0 / 4.0, vec![&g3]),
            (w(4, 4), 1, 1.0 / 4.0, 1.0, 1.0 / 4.0, vec![&g3]),
        ];
        for (k, q, h, a, m0, gaps) in cases {
            let m = counting_measures(cfg.resolve("af", Fen::ZERO, Some(k)).unwrap(), &rows);
            assert_eq!((m.persons, m.complete, m.q), (4, 4, q), "k={k}");
            assert!(close(m.h, h), "k={k} H {}", m.h);
            assert!(close(m.a, a), "k={k} A {}", m.a);
            assert!(close(m.m0, m0), "k={k} M0 {}", m.m0);
            let m1 = sum(&gaps, false) / 16.0;
            let m2 = sum(&gaps, true) / 16.0;
            assert!(close(m.m1.unwrap(), m1), "k={k} M1 {:?} vs {m1}", m.m1);
            assert!(close(m.m2.unwrap(), m2), "k={k} M2 {:?} vs {m2}", m.m2);
            let total: f64 = m.indicators.iter().map(|i| i.contribution_pct).sum();
            assert!(close(total, 100.0), "k={k}");
        }
        // at k = 2 the paper's rounded M1 and M2: (5/12 + 1 + 1/26 + 1/6 + 2/3 + 1)/16 ≈ 0.21,
        // (25/144 + 1 + 1/676 + 1/36 + 4/9 + 1)/16 ≈ 0.17
        let m = counting_measures(cfg.resolve("af", Fen::ZERO, None).unwrap(), &rows);
        assert_eq!(
            format!("{:.2} {:.2}", m.m1.unwrap(), m.m2.unwrap()),
            "0.21 0.17"
        );
        // censored headcounts at k = 2: income 1/4, schooling 2/4, health 1/4, freedom 2/4;
        // contributions (1/4 · h_j)/M0: 1/6, 1/3, 1/6, 1/3
        let want = [
            (1, 0.25, 100.0 / 6.0),
            (2, 0.5, 100.0 / 3.0),
            (1, 0.25, 100.0 / 6.0),
            (2, 0.5, 100.0 / 3.0),
        ];
        for (f, (c, ch, pct)) in m.indicators.iter().zip(want) {
            assert_eq!(f.censored, c, "{}", f.key);
            assert!(close(f.censored_headcount, ch), "{}", f.key);
            assert!(
                close(f.contribution_pct, pct),
                "{}: {}",
                f.key,
                f.contribution_pct
            );
            assert_eq!(f.observed, 4);
        }
        // schooling's deprived (uncensored) count is 3 (persons 2, 3, 4), censored 2
        assert_eq!(m.indicators[1].deprived, 3);
        assert!(close(m.dimensions[0].contribution_pct, 100.0));
    }

    #[test]
    fn missing_values_leave_the_person_out_and_are_never_deprivations() {
        let (cfg, mut rows) = af_example();
        // a fifth person observed only in income, who is far below its cut-off
        rows.push(vec![Some(Achievement::of(1)), None, None, None]);
        let m = counting_measures(cfg.resolve("af", Fen::ZERO, None).unwrap(), &rows);
        assert_eq!((m.persons, m.complete, m.q), (5, 4, 2));
        assert!(close(m.m0, 3.0 / 8.0));
        let observed: Vec<u64> = m.indicators.iter().map(|i| i.observed).collect();
        assert_eq!(observed, [5, 4, 4, 4]);
        // nobody complete: zeros, never NaN
        let m = counting_measures(
            cfg.resolve("af", Fen::ZERO, None).unwrap(),
            &[vec![None, None, None, None]],
        );
        assert_eq!(
            (m.persons, m.complete, m.q, m.h, m.a, m.m0),
            (1, 0, 0, 0.0, 0.0, 0.0)
        );
        assert_eq!(m.m1, Some(0.0));
    }

    #[test]
    fn ordinal_scales_give_no_m1_or_m2() {
        let (mut cfg, rows) = af_example();
        cfg.dimensions[0].indicators[2].cardinal = false;
        let m = counting_measures(cfg.resolve("af", Fen::ZERO, None).unwrap(), &rows);
        assert_eq!((m.m1, m.m2), (None, None));
        assert!(close(m.m0, 3.0 / 8.0));
        assert!(m.indicators[2].average_gap.is_none());
        // income's mean gap among the poor deprived in it: person 3, 5/130
        assert!(close(m.indicators[0].average_gap.unwrap(), 1.0 / 26.0));
    }

    #[test]
    fn income_compares_net_income_with_line_times_persons() {
        let mut cfg = basic_needs_config();
        cfg.dimensions.truncate(1);
        cfg.dimensions[0].indicators[0].weight = w(1, 1);
        let r = cfg.resolve("x", Fen::new(1000), Some(w(1, 1))).unwrap();
        let pc = |t, p| Some(Achievement::from(PerCapita::new(Fen::new(t), p).unwrap()));
        // 2999/3 is poor, 3000/3 is on the line (not poor)
        let m = counting_measures(r, &[vec![pc(2999, 3)], vec![pc(3000, 3)]]);
        assert_eq!(m.q, 1);
        // gap of 2999/3 against 1000: (3000 − 2999)/3000
        assert!(close(m.m1.unwrap(), 1.0 / 3000.0 / 2.0));
    }

    #[test]
    fn presets_are_valid_and_sum_to_one() {
        for (name, c) in [
            (DEFAULT_CONFIG, basic_needs_config()),
            (GLOBAL_MPI_CONFIG, global_mpi_config()),
        ] {
            c.validate().unwrap();
            let r = c.resolve(name, Fen::new(300_000), None).unwrap();
            assert_eq!(r.k, w(1, 3), "{name}");
        }
        let g = global_mpi_config();
        // three dimensions of 1/3
        let r = g.resolve("g", Fen::new(1), None).unwrap();
        let m = counting_measures(r, &[]);
        for d in &m.dimensions {
            assert_eq!(d.weight, w(1, 3), "{}", d.key);
        }
        assert_eq!(g.unobserved.len(), 3);
        let b = basic_needs_config();
        assert_eq!(b.indicators().count(), 7);
    }

    type Change = Box<dyn Fn(&mut CountingConfig)>;

    #[test]
    fn validation_codes() {
        let base = basic_needs_config;
        // (change, expected code)
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|c| c.k = w(0, 3)), "invalid_cutoff"),
            (Box::new(|c| c.k = w(4, 3)), "invalid_cutoff"),
            (
                Box::new(|c| c.dimensions[0].indicators[0].weight = w(2, 7)),
                "weights_not_one",
            ),
            (
                Box::new(|c| c.dimensions[0].indicators[0].weight = w(0, 7)),
                "zero_weight",
            ),
            (
                Box::new(|c| c.dimensions[1].indicators[1].key = "food".into()),
                "duplicate_indicator",
            ),
            (Box::new(|c| c.dimensions.clear()), "no_indicators"),
            (
                Box::new(|c| c.dimensions[1].indicators.clear()),
                "no_indicators",
            ),
            (
                Box::new(|c| c.dimensions[1].indicators[0].cutoff = Cutoff::Value(2)),
                "invalid_indicator_cutoff",
            ),
            (
                Box::new(|c| c.dimensions[0].indicators[0].cutoff = Cutoff::Value(0)),
                "invalid_indicator_cutoff",
            ),
            (
                Box::new(|c| c.dimensions[1].indicators[0].over = Over::HouseholdBest),
                "invalid_indicator_cutoff",
            ),
            (
                Box::new(|c| c.dimensions[1].indicators[0].variable = Variable::Education),
                "scale_required",
            ),
            (
                Box::new(|c| {
                    c.dimensions[1].indicators[0].scale.insert("01".into(), 1);
                }),
                "scale_not_applicable",
            ),
            (Box::new(|c| c.label = " ".into()), "required"),
            (
                Box::new(|c| {
                    c.dimensions[0].indicators[0].weight = w(1, 4_294_967_291);
                    c.dimensions[3].indicators[0].weight = w(1, 4_294_967_279);
                }),
                "denominator_too_large",
            ),
        ];
        for (i, (change, code)) in cases.into_iter().enumerate() {
            let mut c = base();
            change(&mut c);
            assert_eq!(c.validate().unwrap_err().code, code, "case {i}");
        }
        for (s, want) in [
            ("1/3", Some(w(1, 3))),
            ("0.5", Some(w(1, 2))),
            ("1", Some(w(1, 1))),
            (".25", Some(w(1, 4))),
        ] {
            assert_eq!(parse_k("k", s).ok(), want, "{s}");
        }
        for s in ["0", "1.5", "4/3", "x", "", "1/0", "-1/3", "0/5"] {
            assert_eq!(parse_k("k", s).unwrap_err().code, "invalid_cutoff", "{s}");
        }
        assert!(config_key("config", "global_mpi").is_ok());
        for s in ["", "Global", "a-b", &"x".repeat(41)] {
            assert_eq!(
                config_key("config", s).unwrap_err().code,
                "invalid_config_name"
            );
        }
    }

    fn member(born: (i32, u8), schooling: Option<&str>) -> MemberIndicators {
        MemberIndicators {
            birth_date: Date::from_calendar_date(born.0, time::Month::try_from(born.1).unwrap(), 1)
                .unwrap(),
            schooling: schooling.map(String::from),
            has_out_of_school_reason: false,
            education: None,
            health: None,
            medical_insurance: None,
        }
    }

    #[test]
    fn household_rows_read_the_registry_facts() {
        let on = Date::from_calendar_date(2018, time::Month::December, 31).unwrap();
        let r = global_mpi_config().resolve("g", Fen::new(1), None).unwrap();
        let col = |key: &str| r.indicators.iter().position(|i| i.spec.key == key).unwrap();
        let mut adult = member((1970, 1), Some("01"));
        adult.education = Some("03".into());
        adult.health = Some("03".into());
        adult.medical_insurance = Some(true);
        let mut child = member((2008, 5), Some("03"));
        child.education = Some("06".into());
        child.health = Some("01".into());
        child.medical_insurance = None;
        let h = HouseholdIndicators {
            housing_grade: Some("C".into()),
            housing_renovated_year: Some(2018),
            fuel_type: Some("05".into()),
            sanitary_toilet: Some(false),
            ..Default::default()
        };
        let rows = household_rows(&r, &h, &[adult.clone(), child.clone()], 2018, on);
        assert_eq!(rows.len(), 2);
        let v = |row: &Vec<Option<Achievement>>, k: &str| row[col(k)].map(|a| a.total);
        for row in &rows {
            // best schooling: the adult's 初中 (9) decides although the child's is 0
            assert_eq!(v(row, "years_of_schooling"), Some(9));
            // worst health: the adult's 大病 (0) decides
            assert_eq!(v(row, "serious_illness"), Some(0));
            // worst insurance: the child's is missing and the adult is insured: unknown
            assert_eq!(v(row, "medical_insurance"), None);
            // the child (10) is at school
            assert_eq!(v(row, "school_attendance"), Some(1));
            // renovated in the year: safe; fuel 05 is not on the scale: unknown
            assert_eq!(v(row, "housing"), Some(1));
            assert_eq!(v(row, "cooking_fuel"), None);
            assert_eq!(v(row, "sanitation"), Some(0));
            assert_eq!(v(row, "electricity"), None);
        }
        // a school-age child recorded out of school without a reason: deprived; with one: not
        let mut out = child.clone();
        out.schooling = Some("01".into());
        let rows = household_rows(&r, &h, &[adult.clone(), out.clone()], 2018, on);
        assert_eq!(rows[0][col("school_attendance")], Some(Achievement::of(0)));
        out.has_out_of_school_reason = true;
        let rows = household_rows(&r, &h, &[adult.clone(), out], 2018, on);
        assert_eq!(rows[0][col("school_attendance")], Some(Achievement::of(1)));
        let mut unknown = child;
        unknown.schooling = None;
        let rows = household_rows(&r, &h, &[adult, unknown], 2018, on);
        assert_eq!(rows[0][col("school_attendance")], None);
    }
}
