//! What every row reader shares: where a row is in its file ([`RowAt`]), which makes its issues,
//! reading a cell by its column's key, the compact key of a village code that the readers check
//! villages by, and what offices' sheets hold besides data: totals rows and long numbers a
//! spreadsheet stored as numbers.

use crate::columns::{Kind, Mapping};
use crate::records::blank_required;
use crate::report::Issue;
use fupin_core::DomainError;

/// Where an issue goes: sheet, row and the column of the file.
#[derive(Debug, Clone)]
pub(crate) struct RowAt<'a> {
    pub sheet: Option<&'a str>,
    pub line: u64,
    pub mapping: &'a Mapping,
}

impl RowAt<'_> {
    /// An issue at this row, naming the column of `col` and quoting its cell (masked when personal).
    pub fn issue(&self, col: Option<usize>, cells: &[Option<String>], e: DomainError) -> Issue {
        let value = col.and_then(|i| cells.get(i).cloned().flatten());
        let column = col.map(|i| self.mapping.header_of(i).to_string());
        let key = col.and_then(|i| self.mapping.kind.columns().get(i).map(|c| c.key));
        let personal = match self.mapping.kind {
            Kind::Households => matches!(
                key,
                Some("id_number" | "phone" | "member_phone" | "bank_account")
            ),
            k if k.is_dept_list() || k.compare_list().is_some() => key == Some("id_number"),
            _ => false,
        };
        // a cadre's phone is personal data too (masked as phones are everywhere else)
        let phone = matches!(
            (self.mapping.kind, key),
            (Kind::Cadres, Some("phone")) | (Kind::Pairings, Some("cadre_phone"))
        );
        Issue::new(
            self.sheet,
            self.line,
            column,
            value.map(|v| {
                if personal {
                    fupin_core::id_number::mask_id(&v)
                } else if phone {
                    fupin_core::id_number::mask_phone(&v)
                } else {
                    v
                }
            }),
            e,
        )
    }
}

/// The refusal of a row naming a household number that is not stored (`field` its field): the
/// number of a household the file should have created first (`unknown_household`), or — when the
/// number's first twelve digits are a village outside the importer's regions — `out_of_scope`, as
/// for a stored household there. Numbers are the village's code and a serial, so a number of
/// another office's village gets the same answer whether or not that household exists: an import
/// does not tell who is registered outside one's regions (the API answers 404 either way).
pub(crate) fn no_such_household(
    scope: &fupin_core::scope::Scope,
    field: &str,
    number: &str,
) -> DomainError {
    let foreign = number
        .get(..12)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| fupin_core::RegionCode::parse(p).ok())
        .is_some_and(|village| !scope.allows(&village));
    if foreign {
        household_out_of_scope(field, number)
    } else {
        DomainError::invalid(
            field,
            "unknown_household",
            format!(
                "户编码 {} 不存在，请先导入该户",
                crate::cells::shown(number)
            ),
        )
    }
}

/// The refusal of a row naming a household outside the importer's regions (`field` its field).
pub(crate) fn household_out_of_scope(field: &str, number: &str) -> DomainError {
    DomainError::invalid(
        field,
        "out_of_scope",
        format!("户 {} 不在您的管辖范围内", crate::cells::shown(number)),
    )
}

/// A compact key of a 12-digit village code, for the sets of villages known and in scope.
pub(crate) fn village_key(code: &str) -> Option<u64> {
    (code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
}

/// Run a cell reader with the column's Chinese header in its message, the field kept as the key
/// (so that the issue names the column).
pub(crate) fn named<T>(
    k: Kind,
    key: &str,
    read: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Result<T, DomainError> {
    read(k.columns()[k.col(key)].header).map_err(|e| e.with_field(key))
}

pub(crate) fn required_text(
    k: Kind,
    cells: &[Option<String>],
    key: &str,
) -> Result<String, DomainError> {
    let v = cells[k.col(key)].as_deref().unwrap_or("").trim();
    if v.is_empty() {
        return Err(blank_required(k, k.col(key)));
    }
    Ok(v.to_string())
}

pub(crate) fn get<'a>(k: Kind, cells: &'a [Option<String>], key: &str) -> &'a str {
    cells[k.col(key)].as_deref().unwrap_or("")
}

/// Words that open a totals row.
const TOTALS: [&str; 4] = ["合计", "小计", "总计", "共计"];

/// The text of a totals row ("合计", "小计：3户", "总 计" in one of its first three cells), or
/// `None` for any other row. Such rows are skipped and listed in the report.
pub(crate) fn totals_row(cells: &[String]) -> Option<String> {
    cells.iter().take(3).find_map(|c| {
        let t: String = c
            .chars()
            .filter(|ch| !ch.is_whitespace() && *ch != '\u{3000}')
            .collect();
        (t.chars().count() <= 12 && TOTALS.iter().any(|w| t.starts_with(w)))
            .then(|| c.trim().to_string())
    })
}

/// Columns of long digit strings that a spreadsheet must keep as text.
const LONG_DIGITS: [&str; 2] = ["id_number", "bank_account"];

/// Whether a cell holds a long number that lost its last digits: a workbook's number of 16 digits
/// or more (a spreadsheet keeps 15 significant digits), or the scientific form a spreadsheet writes
/// into a CSV file (`3.60124E+17`).
fn lost_digits(text: &str, numeric: bool) -> bool {
    let t = text.trim();
    if numeric {
        return t.bytes().filter(u8::is_ascii_digit).count() > 15;
    }
    let Some((mantissa, exponent)) = t.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|b| *b == b'.').count() <= 1
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// An issue for each ID number or account of the row that a spreadsheet stored as a number, with
/// what happened and how to put it right. `cells` and `numeric` are the file's row, `row` the row
/// by the kind's columns.
pub(crate) fn stored_as_number(
    at: &RowAt,
    row: &[Option<String>],
    cells: &[String],
    numeric: &[bool],
) -> Vec<Issue> {
    let kind = at.mapping.kind;
    let mut out = Vec::new();
    for (i, c) in kind.columns().iter().enumerate() {
        if !LONG_DIGITS.contains(&c.key) {
            continue;
        }
        let Some(p) = at.mapping.positions[i] else {
            continue;
        };
        let text = row[i].as_deref().unwrap_or("");
        if text.is_empty() || !lost_digits(text, numeric.get(p).copied().unwrap_or(false)) {
            continue;
        }
        let header = at.mapping.header_of(i);
        let what = if c.key == "id_number" {
            "身份证号"
        } else {
            "账号"
        };
        let message = if numeric.get(p).copied().unwrap_or(false) {
            format!(
                "“{header}”的单元格是数字格式：表格软件只保留 15 位有效数字（显示为 3.60124E+17 这样的形式），{what}的后几位已经丢失，无法还原。请把该列设为“文本”格式，重新输入{what}后再导入"
            )
        } else {
            format!(
                "“{header}”为 {}：保存前该列是数字格式，表格软件只保留 15 位有效数字，{what}的后几位已经丢失，无法还原。请在原表中把该列设为“文本”格式，重新输入{what}后再保存导入",
                crate::cells::shown(cells.get(p).map_or(text, |s| s.trim()))
            )
        };
        out.push(at.issue(
            Some(i),
            row,
            DomainError::invalid(c.key, "stored_as_number", message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn totals_rows() {
        assert_eq!(totals_row(&s(&["合计", "", "12"])).as_deref(), Some("合计"));
        assert_eq!(
            totals_row(&s(&["", "小 计：3户"])).as_deref(),
            Some("小 计：3户")
        );
        assert_eq!(
            totals_row(&s(&["", "", "\u{3000}总计"])).as_deref(),
            Some("总计")
        );
        assert_eq!(
            totals_row(&s(&["H1", "360124106204", "张三", "合计"])),
            None
        );
        assert_eq!(totals_row(&s(&["合计收入很高的一户人家的长名字"])), None);
        assert_eq!(totals_row(&s(&["H1", "合作社"])), None);
    }

    #[test]
    fn digits_lost_to_numbers() {
        assert!(lost_digits("360124199001011000", true));
        assert!(!lost_digits("360124900101001", true), "15 digits are kept");
        assert!(lost_digits("3.60124E+17", false));
        assert!(lost_digits("3.60124199001011e17", false));
        assert!(
            !lost_digits("360124199001011234", false),
            "text keeps its digits"
        );
        assert!(!lost_digits("E+17", false));
        assert!(!lost_digits("3.6.1E+17", false));
    }
}
