//! Region records, paths, poor-village designation and the village yearly profile.

use super::{Level, RegionCode};
use crate::error::{check_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::years::check_year;
use serde::{Deserialize, Serialize};

/// A region as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<RegionCode>,
    /// Set when the region (a village) is a designated poor village.
    pub poor_village: Option<PoorVillage>,
}

/// A short reference to a region, used in paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRef {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
}

/// A region with its full path from the province down (the region itself last). Names repeat across
/// the country, so every answer that names a region carries the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionWithPath {
    #[serde(flatten)]
    pub region: Region,
    pub path: Vec<RegionRef>,
    /// The path as one readable string: `江西省 / 南昌市 / 进贤县 / 罗溪镇 / 塔岗村委会`.
    pub full_name: String,
}

impl RegionWithPath {
    pub fn new(region: Region, ancestors: Vec<RegionRef>) -> Self {
        let mut path = ancestors;
        path.push(RegionRef {
            code: region.code.clone(),
            name: region.name.clone(),
            level: region.level,
        });
        let full_name = path
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" / ");
        Self {
            region,
            path,
            full_name,
        }
    }
}

/// Designation as a poor village (贫困村), e.g. `十三五省级贫困村` designated 2015, exited 2019.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoorVillage {
    pub designation: String,
    pub designated_year: i32,
    pub exit_year: Option<i32>,
}

impl PoorVillage {
    pub fn validate(&self, today_year: i32) -> DomainResult<PoorVillage> {
        let designation = check_text("designation", &self.designation, 50)?;
        check_year("designated_year", self.designated_year, today_year)?;
        if let Some(y) = self.exit_year {
            check_year("exit_year", y, today_year)?;
            if y < self.designated_year {
                return Err(DomainError::invalid(
                    "exit_year",
                    "exit_before_designation",
                    "退出年度不能早于认定年度",
                ));
            }
        }
        Ok(PoorVillage {
            designation,
            ..self.clone()
        })
    }
}

/// One row of a region list to import (`code12,level,name,parent_code12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord {
    pub code: String,
    pub level: Option<String>,
    pub name: String,
    pub parent_code: Option<String>,
}

impl RegionRecord {
    /// Check one record's structure: a valid code, the level the code implies, the parent equal to
    /// the code's own prefix one level up. Existence of the parent is checked by the importer.
    pub fn validate(&self) -> DomainResult<(RegionCode, String, Option<RegionCode>)> {
        let code = RegionCode::parse_field("code12", &self.code)?;
        if let Some(l) = self.level.as_deref().filter(|l| !l.trim().is_empty()) {
            let level = Level::parse(l).ok_or_else(|| {
                DomainError::invalid("level", "unknown_level", format!("未知的区划级别：{l}"))
            })?;
            if level != code.level() {
                return Err(DomainError::invalid(
                    "level",
                    "level_mismatch",
                    format!(
                        "级别 {l} 与代码 {code} 所示级别（{}）不符",
                        code.level().label()
                    ),
                ));
            }
        }
        let name = check_text("name", &self.name, 100)?;
        let expected = code.parent();
        let given = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(RegionCode::parse_field("parent_code12", p)?),
        };
        match (&given, &expected) {
            (Some(g), Some(e)) if g != e => Err(DomainError::invalid(
                "parent_code12",
                "parent_mismatch",
                format!("上级代码 {g} 与代码 {code} 的前缀（应为 {e}）不符"),
            )),
            (Some(_), None) => Err(DomainError::invalid(
                "parent_code12",
                "parent_mismatch",
                "省级区划不应有上级代码",
            )),
            _ => Ok((code, name, expected)),
        }
    }
}

/// A village's figures for one year: collective economy income and rural population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageProfile {
    pub village_code: RegionCode,
    pub year: i32,
    /// 村集体经济收入, in fen.
    pub collective_income_fen: Option<Fen>,
    /// 农村人口 (户籍) of the village that year, the denominator of poverty incidence.
    pub rural_population: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Input for a village profile year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageProfileInput {
    pub collective_income_fen: Option<i64>,
    pub rural_population: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

impl VillageProfileInput {
    pub fn validate(
        &self,
        village: &RegionCode,
        year: i32,
        today_year: i32,
    ) -> DomainResult<VillageProfile> {
        if !village.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                format!("{village} 不是村级区划"),
            ));
        }
        check_year("year", year, today_year)?;
        let income = self
            .collective_income_fen
            .map(|v| Fen::input("collective_income_fen", v))
            .transpose()?;
        if let Some(p) = self.rural_population {
            if !(0..=1_000_000).contains(&p) {
                return Err(DomainError::invalid(
                    "rural_population",
                    "out_of_range",
                    "农村人口须在 0 到 1,000,000 之间",
                ));
            }
        }
        let note = crate::error::opt_text("note", &self.note, 500)?;
        Ok(VillageProfile {
            village_code: village.clone(),
            year,
            collective_income_fen: income,
            rural_population: self.rural_population,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(code: &str, level: &str, parent: &str) -> RegionRecord {
        RegionRecord {
            code: code.into(),
            level: Some(level.into()),
            name: "x".into(),
            parent_code: Some(parent.into()),
        }
    }

    #[test]
    fn record_structure() {
        assert!(rec("360124106204", "village", "360124106000")
            .validate()
            .is_ok());
        assert!(rec("360000000000", "province", "").validate().is_ok());
        assert_eq!(
            rec("360124106204", "township", "360124106000")
                .validate()
                .unwrap_err()
                .code,
            "level_mismatch"
        );
        assert_eq!(
            rec("360124106204", "village", "360124107000")
                .validate()
                .unwrap_err()
                .code,
            "parent_mismatch"
        );
        assert_eq!(
            rec("360124106204", "hamlet", "360124106000")
                .validate()
                .unwrap_err()
                .code,
            "unknown_level"
        );
        assert_eq!(
            rec("36012410620", "village", "360124106000")
                .validate()
                .unwrap_err()
                .code,
            "invalid_region_code"
        );
    }

    #[test]
    fn path_string() {
        let r = |c: &str, n: &str| RegionRef {
            code: RegionCode::parse(c).unwrap(),
            name: n.into(),
            level: RegionCode::parse(c).unwrap().level(),
        };
        let region = Region {
            code: RegionCode::parse("360124106204").unwrap(),
            name: "塔岗村委会".into(),
            level: Level::Village,
            parent_code: None,
            poor_village: None,
        };
        let p = RegionWithPath::new(region, vec![r("36", "江西省"), r("3601", "南昌市")]);
        assert_eq!(p.full_name, "江西省 / 南昌市 / 塔岗村委会");
        assert_eq!(p.path.len(), 3);
    }

    #[test]
    fn profile_rules() {
        let v = RegionCode::parse("360124106204").unwrap();
        let ok = VillageProfileInput {
            collective_income_fen: Some(7_000_000),
            rural_population: Some(1200),
            note: None,
        };
        assert!(ok.validate(&v, 2018, 2026).is_ok());
        let neg = VillageProfileInput {
            collective_income_fen: Some(-1),
            ..ok.clone()
        };
        assert_eq!(
            neg.validate(&v, 2018, 2026).unwrap_err().code,
            "negative_amount"
        );
        assert_eq!(
            ok.validate(&v, 2030, 2026).unwrap_err().code,
            "year_in_future"
        );
        let town = RegionCode::parse("360124106000").unwrap();
        assert_eq!(
            ok.validate(&town, 2018, 2026).unwrap_err().code,
            "not_a_village"
        );
    }
}
