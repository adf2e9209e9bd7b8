//! Departments' lists read for comparison with the registry (数据比对): each row's ID number
//! (normalised as the registry import does: spaces dropped, full-width digits folded, a lowercase
//! x raised), name, date, amount and detail, checked with what needs only the file. Good rows are
//! handed to the session's scratch table as they come (memory stays at a batch); the match itself
//! is one set-based pass when the file is done (`RectificationBulk::compare_finish`). A number that
//! names nobody registered is counted, not an error: most of a department's list is not poor.
//! The same person on several rows (two vehicles) is one flag, with the first row as evidence.

use crate::cells;
use crate::columns::Kind;
use crate::import::{ImportError, Writer};
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{named, RowAt};
use fupin_core::rectification::DeptRow;
use fupin_core::DomainError;

/// One row of a list to compare, as read.
#[derive(Debug)]
pub(crate) struct CompareRow {
    pub sheet: u16,
    pub line: u64,
    pub parsed: Result<DeptRow, Issue>,
}

/// Read a row of a list to compare.
pub(crate) fn compare_row(
    at: &RowAt,
    kind: Kind,
    sheet: u16,
    cells: Vec<Option<String>>,
) -> CompareRow {
    let k = kind;
    let get = |key: &str| -> &str {
        k.columns()
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| cells[i].as_deref())
            .unwrap_or("")
    };
    let has = |key: &str| k.columns().iter().any(|c| c.key == key);
    let parsed = (|| {
        let id = get("id_number").trim();
        if id.is_empty() {
            return Err(blank_required(k, k.col("id_number")));
        }
        let id_number = crate::measures::rows::id_number(id)?;
        let date = named(k, "date", |h| cells::date(h, get("date")))?;
        let amount_fen = if has("amount_fen") {
            let a = named(k, "amount_fen", |h| cells::yuan(h, get("amount_fen")))?;
            if a.is_none() && k.columns()[k.col("amount_fen")].required {
                return Err(blank_required(k, k.col("amount_fen")));
            }
            a.map(|f| f.get())
        } else {
            None
        };
        Ok(DeptRow {
            id_number,
            name: cells::text(get("name")),
            date,
            amount_fen,
            detail: cells::text(get("detail")),
        })
    })()
    .map_err(|e: DomainError| issue_at(at, k, &cells, e));
    CompareRow {
        sheet,
        line: at.line,
        parsed,
    }
}

impl Writer<'_> {
    /// Rows of a list to compare: the faulty ones rejected on their rows, the good ones loaded
    /// into the session's scratch table while the import is still writing.
    pub(crate) async fn compare_rows(&mut self, rows: Vec<CompareRow>) -> Result<(), ImportError> {
        let mut good = Vec::with_capacity(rows.len());
        for r in rows {
            if self.start_row(r.sheet).is_none() {
                continue;
            }
            match r.parsed {
                Err(issue) => self.reject(r.sheet, &[r.line], vec![issue])?,
                Ok(row) => good.push((r.line, row)),
            }
        }
        if self.writing && !good.is_empty() {
            self.session.compare_load(good).await?;
        }
        Ok(())
    }
}
