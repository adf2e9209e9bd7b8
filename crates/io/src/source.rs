//! Reading rows from a CSV or XLSX file, streamed: CSV record by record through the encoding
//! decoder, XLSX sheet by sheet and cell by cell (calamine's cell reader, so that a sheet is never
//! held in memory as a whole). Rows come with the number a person sees: the line of a CSV file, the
//! row of a worksheet.

use crate::encoding::{detect, read_sample, TextEncoding, Utf8Reader};
use crate::lines::LineIndex;
use calamine::{DataRef, Reader, Xlsx};
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A file the importer can read twice (once to import, once more to write the error file).
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// The container of an import or export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    pub fn parse(s: &str) -> Option<FileFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" | "txt" => Some(FileFormat::Csv),
            "xlsx" | "xlsm" => Some(FileFormat::Xlsx),
            _ => None,
        }
    }
    /// From a file name's extension.
    pub fn from_path(p: &std::path::Path) -> Option<FileFormat> {
        p.extension()
            .and_then(|e| e.to_str())
            .and_then(FileFormat::parse)
    }
    /// From the first bytes: XLSX is a ZIP archive.
    pub fn sniff(head: &[u8]) -> FileFormat {
        if head.starts_with(b"PK\x03\x04") {
            FileFormat::Xlsx
        } else {
            FileFormat::Csv
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// Sheets that templates add for people, never data.
pub const AUX_SHEETS: [&str; 4] = ["说明", "填表说明", "代码表", "代码"];

/// Counters the reader advances and a progress display reads.
#[derive(Debug, Default)]
pub struct Counters {
    pub rows: AtomicU64,
    /// Bytes of the file consumed (CSV).
    pub bytes: AtomicU64,
    /// Total: bytes of a CSV file, or rows of the workbook's sheets.
    pub total: AtomicU64,
}

/// What a reader hands out.
pub(crate) enum Event<'a> {
    /// A sheet starts (CSV files have one, without a name); `line` is the row its header was
    /// found in (rows above it are titles, whose cells are `titles`). A header of two rows (merged
    /// cells over sub-headers) comes as one, each column named "upper\nlower" ([`two_row_header`]).
    Sheet {
        index: u16,
        name: &'a str,
        header: &'a [String],
        line: u64,
        titles: &'a [String],
    },
    /// A data row; `bad` is set when the row could not be read as text; `numeric` marks the cells
    /// a workbook stored as numbers (empty for CSV).
    Row {
        sheet: u16,
        line: u64,
        cells: &'a [String],
        numeric: &'a [bool],
        bad: Option<&'static str>,
    },
}

/// How many non-blank rows at the top of a sheet are searched for its header: offices put a
/// title ("××县2019年建档立卡贫困户花名册", merged across the columns) and a line such as
/// "填报单位：…  填报日期：…" above it.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// How well a row fits as a header, with how many of the kind's columns it names (a better fit
/// orders after a worse one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum HeaderFit {
    /// Not a header.
    No,
    /// Names columns of the kind but lacks some that are required.
    Partial(usize),
    /// Every required column of the kind.
    Full(usize),
}

impl HeaderFit {
    fn full(self) -> bool {
        matches!(self, HeaderFit::Full(_))
    }
}

/// Whether a row holds data rather than sub-headers: a cell with six digits or more (a region
/// code, a date, an ID number, an amount).
fn has_data(cells: &[String]) -> bool {
    cells
        .iter()
        .any(|c| c.bytes().filter(u8::is_ascii_digit).count() >= 6)
}

/// The header of two rows as offices draw it: a group's name merged across the columns of its
/// sub-headers in the upper row (计划时间 over 开工 | 完工; 资金规模（万元） over 合计 | 财政资金),
/// the other names merged down over both rows (read in the lower row too in a workbook, blank there
/// in a CSV file). Each column is named "upper\nlower" when it has a sub-header (the upper name
/// carried to the right across the blanks of its merged range), and by its one name otherwise;
/// headers match such a name whole, or by its lower part.
pub(crate) fn two_row_header(upper: &[String], lower: &[String]) -> Vec<String> {
    let n = upper.len().max(lower.len());
    let mut out = Vec::with_capacity(n);
    let mut parent = "";
    for i in 0..n {
        let u = upper.get(i).map_or("", |s| s.trim());
        let l = lower.get(i).map_or("", |s| s.trim());
        if !u.is_empty() {
            parent = u;
        }
        out.push(if l.is_empty() || u == l {
            u.to_string()
        } else if parent.is_empty() {
            l.to_string()
        } else {
            format!("{parent}\n{l}")
        });
    }
    out
}

/// Tells how well a row fits as the header.
pub(crate) type FitFn<'a> = &'a dyn Fn(&[String]) -> HeaderFit;

/// A row read before the header was chosen.
struct Buffered {
    line: u64,
    cells: Vec<String>,
    numeric: Vec<bool>,
    bad: Option<&'static str>,
}

/// The header search of one sheet: the first row within [`HEADER_SEARCH_ROWS`] that fits fully;
/// failing that, the first that fits partly (so that the error names the missing columns of the
/// right row); failing that, the first row. Rows above the header are titles, never data.
struct SheetRows<'f> {
    index: u16,
    fit: FitFn<'f>,
    buffered: Vec<Buffered>,
    header: Option<Vec<String>>,
    /// The header row chosen, until the next row tells whether it is the header's lower half.
    pending: Option<Buffered>,
    /// The cells of the rows above the header.
    titles: Vec<String>,
}

impl<'f> SheetRows<'f> {
    fn new(index: u16, fit: FitFn<'f>) -> Self {
        SheetRows {
            index,
            fit,
            buffered: Vec::new(),
            header: None,
            pending: None,
            titles: Vec::new(),
        }
    }

    /// A non-blank row of the sheet.
    fn row(
        &mut self,
        name: &str,
        row: Buffered,
        counters: &Counters,
        f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        if self.header.is_some() {
            counters.rows.fetch_add(1, Ordering::Relaxed);
            return f(Event::Row {
                sheet: self.index,
                line: row.line,
                cells: &row.cells,
                numeric: &row.numeric,
                bad: row.bad,
            });
        }
        if let Some(mut h) = self.pending.take() {
            // the lower half of a two-row header when the two read together fit better
            let both = two_row_header(&h.cells, &row.cells);
            if !has_data(&row.cells) && (self.fit)(&both) > (self.fit)(&h.cells) {
                h.cells = both;
                return self.start(name, h, f);
            }
            self.start(name, h, f)?;
            return self.row(name, row, counters, f);
        }
        if (self.fit)(&row.cells).full() {
            self.keep_titles();
            self.pending = Some(row);
            return Ok(());
        }
        self.buffered.push(row);
        if self.buffered.len() >= HEADER_SEARCH_ROWS {
            self.settle(name, counters, f)?;
        }
        Ok(())
    }

    /// The rows buffered above the header become its titles.
    fn keep_titles(&mut self) {
        self.titles = std::mem::take(&mut self.buffered)
            .into_iter()
            .flat_map(|r| r.cells)
            .filter(|c| !c.trim().is_empty())
            .collect();
    }

    fn start(
        &mut self,
        name: &str,
        row: Buffered,
        f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let r = f(Event::Sheet {
            index: self.index,
            name,
            header: &row.cells,
            line: row.line,
            titles: &self.titles,
        });
        self.header = Some(row.cells);
        r
    }

    /// No row fitted fully: take the best one, and hand out the rows below it as data.
    fn settle(
        &mut self,
        name: &str,
        counters: &Counters,
        f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let mut rows = std::mem::take(&mut self.buffered);
        let at = rows
            .iter()
            .position(|r| matches!((self.fit)(&r.cells), HeaderFit::Partial(_)))
            .unwrap_or(0);
        let rest = rows.split_off(at.min(rows.len()));
        self.buffered = rows;
        self.keep_titles();
        let mut rest = rest.into_iter();
        let Some(header) = rest.next() else {
            return Ok(());
        };
        self.pending = Some(header);
        for r in rest {
            self.row(name, r, counters, f)?;
        }
        Ok(())
    }

    /// The sheet ends; whether it had a header.
    fn end(
        &mut self,
        name: &str,
        counters: &Counters,
        f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
    ) -> Result<bool, SourceError> {
        if self.header.is_none() && self.pending.is_none() {
            self.settle(name, counters, f)?;
        }
        if let Some(h) = self.pending.take() {
            self.start(name, h, f)?;
        }
        Ok(self.header.is_some())
    }
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("无法读取文件：{0}")]
    Io(#[from] io::Error),
    #[error("不是有效的 XLSX 文件：{0}")]
    Xlsx(String),
    #[error("无法读取 CSV：{0}")]
    Csv(String),
    #[error("文件为空：没有表头")]
    Empty,
    /// The consumer asked to stop.
    #[error("已停止")]
    Stopped,
}

/// What the reader found out about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceInfo {
    pub format: FileFormat,
    pub encoding: Option<TextEncoding>,
    pub sheets: Vec<String>,
}

/// Read every row of `input` from its start, calling `f` for each event; `fit` tells which of the
/// first rows of a sheet is its header.
pub(crate) fn read_events(
    input: &mut dyn ReadSeek,
    format: Option<FileFormat>,
    encoding: Option<TextEncoding>,
    counters: &Arc<Counters>,
    fit: FitFn,
    f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
) -> Result<SourceInfo, SourceError> {
    input.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 4];
    let n = read_full(input, &mut head)?;
    input.seek(SeekFrom::Start(0))?;
    let format = format.unwrap_or_else(|| FileFormat::sniff(&head[..n]));
    match format {
        FileFormat::Csv => read_csv(input, encoding, counters, fit, f),
        FileFormat::Xlsx => read_xlsx(input, counters, fit, f),
    }
}

fn read_full(r: &mut dyn ReadSeek, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Passes bytes through, counting them and noting where lines start.
struct Tracked<R> {
    inner: R,
    lines: LineIndex,
    counters: Arc<Counters>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.feed(&buf[..n]);
        Ok(n)
    }
}

/// Counts raw file bytes (before decoding), for progress against the file size.
struct Counting<'a> {
    inner: &'a mut dyn ReadSeek,
    counters: Arc<Counters>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn read_csv(
    input: &mut dyn ReadSeek,
    encoding: Option<TextEncoding>,
    counters: &Arc<Counters>,
    fit: FitFn,
    f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
) -> Result<SourceInfo, SourceError> {
    let size = input.seek(SeekFrom::End(0))?;
    input.seek(SeekFrom::Start(0))?;
    counters.total.store(size, Ordering::Relaxed);
    counters.bytes.store(0, Ordering::Relaxed);
    let encoding = match encoding {
        Some(e) => e,
        None => {
            let sample = read_sample(input)?;
            input.seek(SeekFrom::Start(0))?;
            detect(&sample)
        }
    };
    let decoded = Utf8Reader::new(
        Counting {
            inner: input,
            counters: Arc::clone(counters),
        },
        encoding,
    );
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // only LF ends a record (CRLF too, its CR is dropped below): a lone CR inside a line would
        // otherwise split it into two records with the same line number
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256 * 1024)
        .from_reader(Tracked {
            inner: decoded,
            lines: LineIndex::default(),
            counters: Arc::clone(counters),
        });
    let mut rec = csv::ByteRecord::new();
    let mut sheet = SheetRows::new(0, fit);
    let info = SourceInfo {
        format: FileFormat::Csv,
        encoding: Some(encoding),
        sheets: vec![String::new()],
    };
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let start = rec.position().map_or(0, csv::Position::byte);
                let line = rdr.get_mut().lines.line_at(start);
                let mut cells = Vec::with_capacity(rec.len());
                let mut bad = None;
                let n = rec.len();
                for (i, field) in rec.iter().enumerate() {
                    let field = if i + 1 == n {
                        field.strip_suffix(b"\r").unwrap_or(field)
                    } else {
                        field
                    };
                    match std::str::from_utf8(field) {
                        // the quote fupin's CSV files put in front of a formula-like text
                        Ok(s) => cells.push(crate::formulas::unguard(s).to_string()),
                        Err(_) => {
                            bad = Some("not_utf8");
                            cells.push(String::from_utf8_lossy(field).into_owned());
                        }
                    }
                }
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let row = Buffered {
                    line,
                    cells,
                    numeric: Vec::new(),
                    bad,
                };
                sheet.row("", row, &rdr.get_ref().counters, f)?;
            }
            Err(e) => return Err(SourceError::Csv(e.to_string())),
        }
    }
    if !sheet.end("", counters, f)? {
        return Err(SourceError::Empty);
    }
    Ok(info)
}

/// The text of a cell as a person would read it.
pub(crate) fn cell_text(v: &DataRef) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        DataRef::DateTime(d) => {
            if d.is_duration() {
                return float_text(d.as_f64());
            }
            let (y, m, day, hh, mm, ss, _) = d.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// A number as text: integers without a decimal point, others in the shortest exact form.
pub(crate) fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Merged ranges of a sheet that span rows (a household's cells merged over its members' rows):
/// each row they cover reads the value of their top cell. A range's other columns stay blank, so a
/// range merged across columns is read as its first column, as the sheet shows it.
#[derive(Default)]
struct Merges {
    /// (first row, last row, column), by first row.
    ranges: Vec<(u32, u32, u32)>,
    next: usize,
    /// Ranges under way: (last row, column, value, numeric).
    open: Vec<(u32, u32, String, bool)>,
}

impl Merges {
    fn new(dims: Vec<calamine::Dimensions>) -> Merges {
        let mut ranges: Vec<(u32, u32, u32)> = dims
            .into_iter()
            .filter(|d| d.end.0 > d.start.0)
            .map(|d| (d.start.0, d.end.0, d.start.1))
            .collect();
        ranges.sort_unstable();
        Merges {
            ranges,
            ..Merges::default()
        }
    }

    /// Fill row `r` (as read) from the ranges covering it.
    fn fill(&mut self, r: u32, row: &mut Vec<String>, numeric: &mut Vec<bool>) {
        self.open.retain(|o| o.0 >= r);
        while let Some(&(first, last, c)) = self.ranges.get(self.next) {
            if first > r {
                break;
            }
            self.next += 1;
            // the top cell of a range starting on a row never read is blank: nothing to carry
            if first == r {
                let c_ = c as usize;
                if let Some(v) = row.get(c_).filter(|v| !v.trim().is_empty()) {
                    let n = numeric.get(c_).copied().unwrap_or(false);
                    self.open.push((last, c, v.clone(), n));
                }
            }
        }
        for (last, c, v, n) in &self.open {
            let c = *c as usize;
            if *last < r || row.get(c).is_some_and(|x| !x.trim().is_empty()) {
                continue;
            }
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            if numeric.len() <= c {
                numeric.resize(c + 1, false);
            }
            row[c] = v.clone();
            numeric[c] = *n;
        }
    }
}

fn read_xlsx(
    input: &mut dyn ReadSeek,
    counters: &Arc<Counters>,
    fit: FitFn,
    f: &mut dyn FnMut(Event) -> Result<(), SourceError>,
) -> Result<SourceInfo, SourceError> {
    let mut wb: Xlsx<&mut dyn ReadSeek> =
        Xlsx::new(input).map_err(|e| SourceError::Xlsx(e.to_string()))?;
    let names = wb.sheet_names();
    let mut info = SourceInfo {
        format: FileFormat::Xlsx,
        encoding: None,
        sheets: names.clone(),
    };
    let mut any_header = false;
    for (index, name) in names.iter().enumerate() {
        if AUX_SHEETS.contains(&name.trim()) {
            continue;
        }
        let index = u16::try_from(index).unwrap_or(u16::MAX);
        let mut merges = Merges::new(
            wb.merge_cells_by_sheet_name(name)
                .map_err(|e| SourceError::Xlsx(e.to_string()))?,
        );
        let mut reader = wb
            .worksheet_cells_reader(name)
            .map_err(|e| SourceError::Xlsx(e.to_string()))?;
        let dims = reader.dimensions();
        counters.total.fetch_add(
            u64::from(dims.end.0.saturating_sub(dims.start.0)),
            Ordering::Relaxed,
        );
        let mut sheet = SheetRows::new(index, fit);
        let mut current: Option<u32> = None;
        let mut row: Vec<String> = Vec::new();
        let mut numeric: Vec<bool> = Vec::new();
        let mut emit = |r: u32,
                        row: &mut Vec<String>,
                        numeric: &mut Vec<bool>,
                        sheet: &mut SheetRows|
         -> Result<(), SourceError> {
            // a row blank in itself stays blank, merged ranges over it or not
            if row.iter().all(|c| c.trim().is_empty()) {
                row.clear();
                numeric.clear();
                return Ok(());
            }
            merges.fill(r, row, numeric);
            let b = Buffered {
                line: u64::from(r) + 1,
                cells: std::mem::take(row),
                numeric: std::mem::take(numeric),
                bad: None,
            };
            sheet.row(name, b, counters, f)
        };
        loop {
            let cell = reader
                .next_cell()
                .map_err(|e| SourceError::Xlsx(e.to_string()))?;
            let Some(cell) = cell else { break };
            let (r, c) = cell.get_position();
            if current != Some(r) {
                if let Some(prev) = current {
                    emit(prev, &mut row, &mut numeric, &mut sheet)?;
                }
                current = Some(r);
            }
            let value = cell.get_value();
            let text = cell_text(value);
            if !text.is_empty() {
                let c = c as usize;
                if c >= 16_384 {
                    continue;
                }
                if row.len() <= c {
                    row.resize(c + 1, String::new());
                }
                row[c] = text;
                if matches!(value, DataRef::Int(_) | DataRef::Float(_)) {
                    if numeric.len() <= c {
                        numeric.resize(c + 1, false);
                    }
                    numeric[c] = true;
                }
            }
        }
        if let Some(prev) = current {
            emit(prev, &mut row, &mut numeric, &mut sheet)?;
        }
        any_header |= sheet.end(name, counters, f)?;
    }
    if !any_header {
        return Err(SourceError::Empty);
    }
    info.sheets = names;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn rows(bytes: &[u8]) -> Result<Vec<(u16, u64, Vec<String>)>, SourceError> {
        let mut out = Vec::new();
        let c = Arc::new(Counters::default());
        let mut input = Cursor::new(bytes.to_vec());
        let fit = |r: &[String]| {
            if r.first().is_some_and(|c| c == "户编码") {
                HeaderFit::Full(1)
            } else {
                HeaderFit::No
            }
        };
        read_events(&mut input, None, None, &c, &fit, &mut |e| {
            match e {
                Event::Sheet {
                    index,
                    header,
                    line,
                    ..
                } => out.push((index, line, header.to_vec())),
                Event::Row {
                    sheet, line, cells, ..
                } => out.push((sheet, line, cells.to_vec())),
            }
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn csv_rows_with_lines() {
        let r =
            rows("\u{feff}户编码,姓名\r\n\r\n1,张三\r\n2,\"李\n四\"\r\n3,王五".as_bytes()).unwrap();
        let lines: Vec<u64> = r.iter().map(|x| x.1).collect();
        assert_eq!(lines, [1, 3, 4, 6]);
        assert_eq!(r[0].2, ["户编码", "姓名"]);
        assert_eq!(r[2].2[1], "李\n四");
        let gbk = crate::encoding::encode_gb18030("户编码,姓名\n1,张三\n");
        assert_eq!(rows(&gbk).unwrap()[1].2, ["1", "张三"]);
        assert!(matches!(rows(b""), Err(SourceError::Empty)));
    }

    #[test]
    fn a_header_of_two_rows_reads_as_one() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // a workbook: the names merged down read in both rows
        let upper = s(&[
            "序号",
            "项目名称",
            "计划时间",
            "",
            "资金规模（万元）",
            "",
            "备注",
        ]);
        let lower = s(&[
            "序号",
            "项目名称",
            "开工",
            "完工",
            "合计",
            "其中：财政",
            "备注",
        ]);
        assert_eq!(
            two_row_header(&upper, &lower),
            s(&[
                "序号",
                "项目名称",
                "计划时间\n开工",
                "计划时间\n完工",
                "资金规模（万元）\n合计",
                "资金规模（万元）\n其中：财政",
                "备注"
            ])
        );
        // a CSV file: blank below the names merged down
        let lower = s(&["", "", "开工", "完工", "合计", "", ""]);
        assert_eq!(two_row_header(&upper, &lower)[1], "项目名称");
        assert_eq!(two_row_header(&upper, &lower)[4], "资金规模（万元）\n合计");
        assert_eq!(
            two_row_header(&upper, &lower)[5],
            "",
            "a sub-column left blank"
        );
        assert!(has_data(&s(&["1", "360124106204", "塔岗"])));
        assert!(!has_data(&s(&["开工", "完工", "2019年"])));
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(float_text(2019.0), "2019");
        assert_eq!(float_text(0.07), "0.07");
        assert_eq!(float_text(1234.5), "1234.5");
        assert_eq!(FileFormat::sniff(b"PK\x03\x04"), FileFormat::Xlsx);
        assert_eq!(FileFormat::sniff(b"a,b"), FileFormat::Csv);
    }
}
