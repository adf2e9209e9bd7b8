//! What an import reports: every rejected row with sheet, row, column, value and reason, a summary,
//! and the error file — the rejected rows only (every row of a rejected record), as the input had
//! them, with an added 错误原因 column, in the format of the input, ready to be corrected and
//! imported again.
//!
//! Issues are spilled to a temporary file as they are found (in row order), so a file in which every
//! row is wrong still imports in bounded memory; the report keeps the first `KEPT_ISSUES` of them.

use crate::columns::{Kind, ERROR_HEADER};
use crate::encoding::TextEncoding;
use crate::source::FileFormat;
use fupin_core::DomainError;
use serde::Serialize;
use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

/// Issues kept in the report itself; all of them go to the error file.
pub const KEPT_ISSUES: usize = 1000;

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    /// Worksheet (XLSX only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Line of a CSV file or row of a worksheet, as an editor shows it (the header is row 1).
    pub line: u64,
    /// Header of the column at fault, as the file writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell as read (ID numbers, phones and accounts masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Stable English code.
    pub code: String,
    /// Reason in Chinese.
    pub message: String,
}

impl Issue {
    pub fn new(
        sheet: Option<&str>,
        line: u64,
        column: Option<String>,
        value: Option<String>,
        e: DomainError,
    ) -> Issue {
        Issue {
            sheet: sheet.map(str::to_string),
            line,
            column,
            value: value.filter(|v| !v.is_empty()),
            code: e.code.to_string(),
            message: e.message,
        }
    }

    /// The reason as written into the error column: column and message.
    pub fn reason(&self) -> String {
        match &self.column {
            Some(c) => format!("【{c}】{}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.sheet {
            write!(f, "工作表“{s}”")?;
        }
        write!(f, "第 {} 行", self.line)?;
        if let Some(c) = &self.column {
            write!(f, "，列“{c}”")?;
        }
        if let Some(v) = &self.value {
            write!(f, "（“{}”）", crate::cells::shown(v))?;
        }
        write!(f, "：{} [{}]", self.message, self.code)
    }
}

/// A row of a sheet the report points at: where a header was found, or a row skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetRow {
    /// Worksheet (XLSX only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Line of a CSV file or row of a worksheet, as an editor shows it.
    pub line: u64,
    /// What the row says (a skipped totals row's label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl SheetRow {
    fn place(&self) -> String {
        match &self.sheet {
            Some(s) => format!("工作表“{s}”第 {} 行", self.line),
            None => format!("第 {} 行", self.line),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub kind: Option<Kind>,
    pub format: Option<FileFormat>,
    pub encoding: Option<TextEncoding>,
    pub dry_run: bool,
    pub partial: bool,
    /// Whether anything was written. When it is false (a dry run, or a file with errors imported
    /// without `partial`), `created`, `updated`, `status_changes`, `members_added`,
    /// `members_updated` and `units_created` count what the records that passed the checks would
    /// have done: nothing of it is in the registry.
    pub committed: bool,
    /// Data rows read (headers and blank rows not counted).
    pub rows: u64,
    /// Records in the file: households, income years, profile years, regions, cadres, pairings or
    /// visits.
    pub records: u64,
    /// Records created (would be created, when not `committed`).
    pub created: u64,
    /// Records updated (would be updated, when not `committed`).
    pub updated: u64,
    pub unchanged: u64,
    /// Records rejected (a household with any bad row is rejected as a whole).
    pub rejected: u64,
    /// Rows of the rejected records.
    pub rejected_rows: u64,
    pub status_changes: u64,
    pub members_added: u64,
    pub members_updated: u64,
    /// Helping units created by a cadres import.
    pub units_created: u64,
    /// Number of issues found (the list below keeps the first ones).
    pub issues_total: u64,
    pub issues: Vec<Issue>,
    /// Columns of the file that were not understood and were ignored.
    pub ignored_columns: Vec<String>,
    /// The row each sheet's header was taken from (rows above it are titles, not data).
    pub header_rows: Vec<SheetRow>,
    /// Totals rows (合计, 小计, 总计) skipped, the first `KEPT_ISSUES` of them.
    pub skipped_rows: Vec<SheetRow>,
    /// Number of totals rows skipped.
    pub skipped_total: u64,
    /// Where the error file was written: its path (the command line), or the address to download
    /// it from (a job of the web server, which shows no path of the server).
    pub error_file: Option<String>,
    pub elapsed_ms: u64,
    /// What a compared list matched and flagged (a comparison kind that was written).
    pub comparison: Option<fupin_core::rectification::ComparisonOutcome>,
}

impl ImportReport {
    /// Whether rows were rejected.
    pub fn has_errors(&self) -> bool {
        self.issues_total > 0
    }

    /// A summary in Chinese, a few lines.
    pub fn summary(&self) -> String {
        let what = match self.kind {
            Some(Kind::Households) => "户",
            Some(Kind::Incomes) => "条年度收入",
            Some(Kind::Profiles) => "条村情",
            Some(Kind::Regions) => "个区划",
            Some(Kind::Cadres) => "名帮扶干部",
            Some(Kind::Pairings) => "条结对",
            Some(Kind::Visits) => "次走访",
            Some(Kind::StatusChanges) => "条状态变更",
            Some(Kind::Wishes) => "个微心愿",
            Some(Kind::HouseholdYears) => "条年度核实",
            Some(Kind::RiskEvents) => "个风险事件",
            Some(Kind::Cases) => "件办理程序",
            Some(Kind::ProjectLedger) => "个项目",
            Some(Kind::FundLedger) => "条资金记录",
            Some(
                Kind::DeptEmployment
                | Kind::DeptTraining
                | Kind::DeptPension
                | Kind::DeptSchool
                | Kind::DeptMedical,
            ) => "条帮扶措施",
            Some(
                Kind::CompareDeaths
                | Kind::CompareDibao
                | Kind::CompareDisability
                | Kind::CompareMedical
                | Kind::CompareVehicles
                | Kind::CompareEnterprises
                | Kind::CompareHousing
                | Kind::CompareStudents
                | Kind::CompareEmployment,
            ) => return self.comparison_summary(),
            None => "条记录",
        };
        // what was not written is told as what the good records would do ("可新增"), never as done
        let (done, would) = if self.committed {
            ("", "")
        } else {
            ("校验通过", "可")
        };
        let mut s = format!(
            "读取 {} 行数据，共 {} {what}：{done}{would}新增 {}，{would}更新 {}，未变 {}，拒绝 {}（{} 行）",
            self.rows,
            self.records,
            self.created,
            self.updated,
            self.unchanged,
            self.rejected,
            self.rejected_rows
        );
        if self.kind == Some(Kind::Households) {
            let changes = if self.committed {
                "状态变更"
            } else {
                "可变更状态"
            };
            s.push_str(&format!(
                "；{changes} {}，{would}新增成员 {}，{would}修改成员 {}",
                self.status_changes, self.members_added, self.members_updated
            ));
        }
        if self.kind == Some(Kind::Cadres) && self.units_created > 0 {
            s.push_str(&format!("；{would}新建帮扶单位 {}", self.units_created));
        }
        s.push('\n');
        if self.dry_run {
            s.push_str("试运行（--dry-run）：只检查，未写入任何数据\n");
        } else if self.committed {
            if self.has_errors() {
                s.push_str("已写入所有正确的记录（--partial）；有错误的记录未写入\n");
            } else {
                s.push_str("已全部写入\n");
            }
        } else if self.has_errors() {
            s.push_str(
                "发现错误，未写入任何数据（全部正确才写入；可用 --partial 只写入正确的记录，再导入改正后的错误文件）\n",
            );
        }
        if !self.ignored_columns.is_empty() {
            s.push_str(&format!(
                "已忽略无法识别的列：{}\n",
                self.ignored_columns.join("、")
            ));
        }
        if let Some(h) = self.titles_skipped() {
            s.push_str(&h);
            s.push('\n');
        }
        if let Some(t) = self.totals_skipped() {
            s.push_str(&t);
            s.push('\n');
        }
        s
    }

    /// The summary of a compared list: rows read and rejected, then what the match found.
    fn comparison_summary(&self) -> String {
        let mut s = format!(
            "读取名单 {} 行，拒绝 {} 行\n",
            self.rows, self.rejected_rows
        );
        match &self.comparison {
            Some(c) => s.push_str(&format!(
                "比对“{}”：比中在册人员 {} 行，未比中 {} 行（其中 {} 行为管辖范围外的在册人员，只计数）；\
                 标记 {} 人：问题 {}，监测预警 {}（其中重新打开 {}）；已登记过的 {} 人不重复标记\n",
                c.kind_label,
                c.matched,
                c.unmatched,
                c.out_of_scope,
                c.flagged_persons,
                c.problems,
                c.warnings,
                c.reopened,
                c.already_recorded
            )),
            None if self.dry_run => s.push_str("试运行（--dry-run）：只检查名单，未比对、未写入任何数据\n"),
            None if self.has_errors() => s.push_str(
                "发现错误，未比对、未写入任何数据（全部正确才比对；可用 --partial 只比对正确的行）\n",
            ),
            None => s.push_str("未比对\n"),
        }
        if let Some(c) = self.comparison.as_ref().filter(|c| c.out_of_scope > 0) {
            let lines: Vec<String> = c.out_of_scope_lines.iter().map(u64::to_string).collect();
            s.push_str(&format!(
                "管辖范围外的在册人员所在行：第 {} 行{}\n",
                lines.join("、"),
                if c.out_of_scope > lines.len() as u64 {
                    "等"
                } else {
                    ""
                }
            ));
        }
        if !self.ignored_columns.is_empty() {
            s.push_str(&format!(
                "已忽略无法识别的列：{}\n",
                self.ignored_columns.join("、")
            ));
        }
        if let Some(h) = self.titles_skipped() {
            s.push_str(&h);
            s.push('\n');
        }
        if let Some(t) = self.totals_skipped() {
            s.push_str(&t);
            s.push('\n');
        }
        s
    }

    /// Where the headers were taken from, when any sheet has title rows above its header.
    pub fn titles_skipped(&self) -> Option<String> {
        if self.header_rows.iter().all(|h| h.line <= 1) {
            return None;
        }
        let places: Vec<String> = self.header_rows.iter().map(SheetRow::place).collect();
        Some(format!(
            "表头取自{}（其上的标题行不作为数据）",
            places.join("、")
        ))
    }

    /// The totals rows skipped, when there were any.
    pub fn totals_skipped(&self) -> Option<String> {
        if self.skipped_total == 0 {
            return None;
        }
        let places: Vec<String> = self
            .skipped_rows
            .iter()
            .take(20)
            .map(|r| format!("{}（{}）", r.place(), r.text.as_deref().unwrap_or("")))
            .collect();
        let more = if self.skipped_total > places.len() as u64 {
            "等"
        } else {
            ""
        };
        Some(format!(
            "跳过合计行 {} 行：{}{more}",
            self.skipped_total,
            places.join("、")
        ))
    }
}

/// Rows to mark in the error file, spilled to a temporary file in row order.
pub(crate) struct ErrorLog {
    file: BufWriter<std::fs::File>,
    pub marks: u64,
}

impl ErrorLog {
    /// A log spilled to an unnamed file in `dir` (the error file's folder), or the system's
    /// temporary folder.
    pub fn new(dir: Option<&std::path::Path>) -> io::Result<ErrorLog> {
        let file = match dir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        Ok(ErrorLog {
            file: BufWriter::new(file),
            marks: 0,
        })
    }

    /// Mark a row with a reason (rows must come in order: sheet, then line).
    pub fn mark(&mut self, sheet: u16, line: u64, reason: &str) -> io::Result<()> {
        let clean: String = reason
            .chars()
            .map(|c| {
                if c == '\n' || c == '\t' || c == '\r' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        writeln!(self.file, "{sheet}\t{line}\t{clean}")?;
        self.marks += 1;
        Ok(())
    }

    /// The marks to read back, from the start.
    pub fn into_reader(self) -> io::Result<MarkReader> {
        let mut f = self
            .file
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        f.seek(SeekFrom::Start(0))?;
        Ok(MarkReader {
            inner: BufReader::new(f),
            next: None,
        })
    }
}

/// Reads marks back in order.
pub(crate) struct MarkReader {
    inner: BufReader<std::fs::File>,
    next: Option<(u16, u64, String)>,
}

impl MarkReader {
    fn peek(&mut self) -> io::Result<Option<&(u16, u64, String)>> {
        if self.next.is_none() {
            let mut line = String::new();
            if self.inner.read_line(&mut line)? > 0 {
                let mut p = line.trim_end_matches('\n').splitn(3, '\t');
                let s = p.next().and_then(|x| x.parse().ok()).unwrap_or(0);
                let l = p.next().and_then(|x| x.parse().ok()).unwrap_or(0);
                self.next = Some((s, l, p.next().unwrap_or_default().to_string()));
            }
        }
        Ok(self.next.as_ref())
    }

    /// The reason for (sheet, line), if marked; skips marks of earlier rows.
    pub fn reason_for(&mut self, sheet: u16, line: u64) -> io::Result<Option<String>> {
        while let Some((s, l, _)) = self.peek()? {
            if (*s, *l) < (sheet, line) {
                self.next = None;
                continue;
            }
            if (*s, *l) == (sheet, line) {
                return Ok(self.next.take().map(|(_, _, r)| r));
            }
            break;
        }
        Ok(None)
    }
}

/// Writes the error file: the rows to output with their reason in an added last column.
pub(crate) enum ErrorFileWriter {
    Csv {
        out: Box<csv::Writer<Box<dyn Write>>>,
        encoding: TextEncoding,
    },
    Xlsx {
        book: Box<rust_xlsxwriter::Workbook>,
        path: std::path::PathBuf,
        sheet: Option<usize>,
        row: u32,
        width: u16,
    },
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

impl ErrorFileWriter {
    pub fn create(
        path: &std::path::Path,
        format: FileFormat,
        encoding: Option<TextEncoding>,
    ) -> io::Result<ErrorFileWriter> {
        Ok(match format {
            FileFormat::Csv => {
                let encoding = encoding.unwrap_or(TextEncoding::Utf8);
                let mut f: Box<dyn Write> = Box::new(BufWriter::new(crate::private::create(path)?));
                if encoding == TextEncoding::Utf8 {
                    f.write_all(b"\xEF\xBB\xBF")?;
                }
                ErrorFileWriter::Csv {
                    out: Box::new(csv::WriterBuilder::new().flexible(true).from_writer(f)),
                    encoding,
                }
            }
            FileFormat::Xlsx => ErrorFileWriter::Xlsx {
                book: {
                    let mut b = Box::new(rust_xlsxwriter::Workbook::new());
                    b.set_tempdir(crate::private::scratch_dir(path))
                        .map_err(xlsx_err)?;
                    b
                },
                path: path.to_path_buf(),
                sheet: None,
                row: 0,
                width: 0,
            },
        })
    }

    fn csv_record(
        out: &mut csv::Writer<Box<dyn Write>>,
        encoding: TextEncoding,
        cells: &[&str],
    ) -> io::Result<()> {
        // the cells echo what was uploaded: one that a spreadsheet would run as a formula gets a
        // quote in front (the reader takes it off when the corrected file comes back)
        let guarded: Vec<std::borrow::Cow<'_, str>> =
            cells.iter().map(|c| crate::formulas::guard(c)).collect();
        let cells: Vec<&str> = guarded.iter().map(|c| c.as_ref()).collect();
        match encoding {
            TextEncoding::Utf8 => out.write_record(cells)?,
            TextEncoding::Gb18030 => {
                let enc: Vec<Vec<u8>> = cells
                    .iter()
                    .map(|c| crate::encoding::encode_gb18030(c))
                    .collect();
                out.write_record(&enc)?
            }
        }
        Ok(())
    }

    /// A sheet starts: its header, with the error column added.
    pub fn sheet(&mut self, name: &str, header: &[String]) -> io::Result<()> {
        match self {
            ErrorFileWriter::Csv { out, encoding } => {
                let mut cells: Vec<&str> = header.iter().map(String::as_str).collect();
                cells.push(ERROR_HEADER);
                Self::csv_record(out, *encoding, &cells)
            }
            ErrorFileWriter::Xlsx {
                book,
                sheet,
                row,
                width,
                ..
            } => {
                let ws = book
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx_err)?;
                let name = if name.is_empty() { "Sheet1" } else { name };
                ws.set_name(name).map_err(xlsx_err)?;
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let red = rust_xlsxwriter::Format::new()
                    .set_bold()
                    .set_font_color(rust_xlsxwriter::Color::Red);
                for (i, h) in header.iter().enumerate() {
                    ws.write_string_with_format(0, i as u16, h, &bold)
                        .map_err(xlsx_err)?;
                }
                let w = header.len() as u16;
                ws.write_string_with_format(0, w, ERROR_HEADER, &red)
                    .map_err(xlsx_err)?;
                ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
                *sheet = Some(book.worksheets().len() - 1);
                *row = 1;
                *width = w;
                Ok(())
            }
        }
    }

    pub fn row(&mut self, cells: &[String], reason: &str) -> io::Result<()> {
        match self {
            ErrorFileWriter::Csv { out, encoding } => {
                let mut v: Vec<&str> = cells.iter().map(String::as_str).collect();
                v.push(reason);
                Self::csv_record(out, *encoding, &v)
            }
            ErrorFileWriter::Xlsx {
                book,
                sheet,
                row,
                width,
                ..
            } => {
                let Some(i) = *sheet else { return Ok(()) };
                let ws = book.worksheet_from_index(i).map_err(xlsx_err)?;
                for (c, v) in cells.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(*row, c as u16, v).map_err(xlsx_err)?;
                    }
                }
                let at = (*width).max(cells.len() as u16);
                if !reason.is_empty() {
                    ws.write_string(*row, at, reason).map_err(xlsx_err)?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            ErrorFileWriter::Csv { mut out, .. } => out.flush(),
            ErrorFileWriter::Xlsx { mut book, path, .. } => {
                if book.worksheets().is_empty() {
                    book.add_worksheet();
                }
                book.save_to_writer(crate::private::create(&path)?)
                    .map_err(xlsx_err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_read_back_in_order() {
        let mut log = ErrorLog::new(None).unwrap();
        log.mark(0, 3, "坏\t行").unwrap();
        log.mark(0, 7, "也坏").unwrap();
        log.mark(1, 2, "另一表").unwrap();
        let mut r = log.into_reader().unwrap();
        assert_eq!(r.reason_for(0, 2).unwrap(), None);
        assert_eq!(r.reason_for(0, 3).unwrap().as_deref(), Some("坏 行"));
        assert_eq!(r.reason_for(0, 8).unwrap(), None);
        assert_eq!(r.reason_for(1, 2).unwrap().as_deref(), Some("另一表"));
        assert_eq!(r.reason_for(1, 3).unwrap(), None);
    }

    /// Counts of an import that wrote nothing read as what would be done, never as done.
    #[test]
    fn a_summary_tells_counts_not_written_as_would_be() {
        let rejected = ImportReport {
            kind: Some(Kind::Households),
            rows: 2,
            records: 2,
            created: 1,
            rejected: 1,
            rejected_rows: 1,
            members_added: 0,
            issues_total: 1,
            ..ImportReport::default()
        };
        let s = rejected.summary();
        assert!(
            s.starts_with("读取 2 行数据，共 2 户：校验通过可新增 1，可更新 0，未变 0，拒绝 1（1 行）；可变更状态 0"),
            "{s}"
        );
        assert!(s.contains("发现错误，未写入任何数据"), "{s}");
        assert!(!s.contains("：新增"), "{s}");
        let written = ImportReport {
            committed: true,
            issues_total: 0,
            rejected: 0,
            rejected_rows: 0,
            ..rejected
        };
        let s = written.summary();
        assert!(
            s.starts_with(
                "读取 2 行数据，共 2 户：新增 1，更新 0，未变 0，拒绝 0（0 行）；状态变更 0"
            ),
            "{s}"
        );
        assert!(s.contains("已全部写入"), "{s}");
    }

    #[test]
    fn issue_display() {
        let i = Issue::new(
            Some("家庭成员"),
            5,
            Some("身份证号".into()),
            Some("3601**********0018".into()),
            DomainError::invalid("id_number", "invalid_check_digit", "校验位错误"),
        );
        assert_eq!(
            i.to_string(),
            "工作表“家庭成员”第 5 行，列“身份证号”（“3601**********0018”）：校验位错误 [invalid_check_digit]"
        );
        assert_eq!(i.reason(), "【身份证号】校验位错误");
    }
}
