//! What every row reader shares: where a row is in its file ([`RowAt`]), which makes its issues,
//! reading a cell by its column's key, and the compact key of a village code that the readers check
//! villages by.

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
