//! Status-change files (户状态变更): one row per change of a registered household, read into core's
//! `StatusChangeInput` with the checks that need only the file. Whether the change may follow the
//! household's stored status is decided on the writer side (`import_statuses`).

use super::households::IMPORT_REASON;
use crate::cells;
use crate::columns::Kind;
use crate::records::{blank_required, issue_at};
use crate::report::Issue;
use crate::rows::{get, named, required_text, RowAt};
use fupin_core::registry::{HouseholdStatus, StatusChangeInput};
use fupin_core::DomainError;

/// A status-change row as read.
#[derive(Debug)]
pub(crate) struct StatusRow {
    pub sheet: u16,
    pub line: u64,
    pub cells: Vec<Option<String>>,
    /// The household number and the change, or why not.
    pub parsed: Result<(String, StatusChangeInput), Issue>,
}

/// Read a status-change row.
pub(crate) fn status_row(at: &RowAt, sheet: u16, cells: Vec<Option<String>>) -> StatusRow {
    let k = Kind::StatusChanges;
    let parsed = (|| {
        let number = required_text(k, &cells, "household_number")?;
        let to = named(k, "status", |h| cells::status(h, get(k, &cells, "status")))?
            .ok_or_else(|| blank_required(k, k.col("status")))?;
        let date = named(k, "status_date", |h| {
            cells::date(h, get(k, &cells, "status_date"))
        })?
        .ok_or_else(|| blank_required(k, k.col("status_date")))?;
        let exit_year = named(k, "exit_year", |h| {
            cells::year(h, get(k, &cells, "exit_year"))
        })?;
        if exit_year.is_some() && to != HouseholdStatus::Exited {
            return Err(DomainError::invalid(
                "exit_year",
                "exit_year_without_exit",
                "只有变更为“已脱贫”时才填写脱贫年度",
            ));
        }
        let reason =
            cells::text(get(k, &cells, "reason")).unwrap_or_else(|| IMPORT_REASON.to_string());
        Ok((
            number,
            StatusChangeInput {
                to,
                date,
                reason,
                exit_year,
            },
        ))
    })()
    .map_err(|e| issue_at(at, k, &cells, e));
    StatusRow {
        sheet,
        line: at.line,
        cells,
        parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Mapping;
    use time::macros::date;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn rows_read_into_changes() {
        let m = Mapping::new(
            Kind::StatusChanges,
            &s(&["户编码", "状态", "状态日期", "脱贫年度", "状态变更原因"]),
        )
        .unwrap();
        let at = RowAt {
            sheet: None,
            line: 2,
            mapping: &m,
        };
        let read = |row: &[&str]| status_row(&at, 0, m.cells(&s(row))).parsed;
        let (n, c) = read(&["H1", "已脱贫", "2018/12/20", "2018", ""]).unwrap();
        assert_eq!(n, "H1");
        assert_eq!(
            c,
            StatusChangeInput {
                to: HouseholdStatus::Exited,
                date: date!(2018 - 12 - 20),
                reason: IMPORT_REASON.into(),
                exit_year: Some(2018),
            }
        );
        let (_, c) = read(&["H1", "monitored", "2021-07-15", "", "因病纳入监测"]).unwrap();
        assert_eq!(
            (c.to, c.reason.as_str()),
            (HouseholdStatus::Monitored, "因病纳入监测")
        );
        let e = read(&["H1", "已脱", "2018-12-20", "", ""]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("状态"));
        let e = read(&["H1", "已脱贫", "", "", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("required", Some("状态日期"))
        );
        let e = read(&["H1", "监测对象", "2021-07-15", "2021", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("exit_year_without_exit", Some("脱贫年度"))
        );
        let e = read(&["", "已脱贫", "2018-12-20", "", ""]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.column.as_deref()),
            ("required", Some("户编码"))
        );
    }
}
