//! The layout offices use for a standard statistical table, written once for every table by child
//! region: a title across the columns, a line naming the region, year and units, two header rows
//! (区划代码 and 区划名称, and any single column, merged over both; a group's name merged over its
//! columns), the 合计 row of the region itself, one row per child region, and notes under them.
//! (The registry table in `tables` predates this and writes the same layout itself.)

use fupin_core::DomainError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// A count (户、人、项…).
    Count,
    /// Money given in fen, shown in yuan with two decimals.
    Money,
    /// A per cent as it is, shown with one decimal.
    Percent,
}

/// A group of columns under one merged header, or (`name` `None`) one column whose header spans
/// both header rows.
pub(crate) struct Group {
    pub name: Option<String>,
    pub columns: Vec<(String, Shown)>,
}

impl Group {
    pub fn single(label: impl Into<String>, shown: Shown) -> Group {
        Group {
            name: None,
            columns: vec![(label.into(), shown)],
        }
    }
    pub fn named(name: impl Into<String>, columns: Vec<(String, Shown)>) -> Group {
        Group {
            name: Some(name.into()),
            columns,
        }
    }
}

/// A row: the region's code and name (合计 for the region itself) and one value per column, in
/// the columns' order (counts and fen as integers, percentages as they are); `None` is left blank.
pub(crate) struct Line {
    pub code: String,
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A table to write: the sheet's name, title, the line under it, the groups, the rows (the
/// region's 合计 first) and notes under the rows.
pub(crate) struct Table {
    pub sheet: String,
    pub title: String,
    pub subtitle: String,
    pub groups: Vec<Group>,
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
}

fn xlsx_error(_: XlsxError) -> DomainError {
    // writing to memory fails only on a bug in the layout (a cell outside the sheet)
    DomainError::internal()
}

/// The first row of the body (under the title, the line and the two header rows).
pub(crate) const FIRST_ROW: u32 = 4;

impl Table {
    /// The table as XLSX bytes.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, DomainError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        self.write(ws).map_err(xlsx_error)?;
        wb.save_to_buffer().map_err(xlsx_error)
    }

    fn write(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        ws.set_name(&self.sheet)?;
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let head = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin);
        let bold = Format::new().set_border(FormatBorder::Thin).set_bold();
        let money = Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("#,##0.00");
        let money_bold = money.clone().set_bold();
        let pct = Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("0.0");
        let pct_bold = pct.clone().set_bold();

        let shown: Vec<Shown> = self
            .groups
            .iter()
            .flat_map(|g| g.columns.iter().map(|c| c.1))
            .collect();
        let ncols = 2 + shown.len() as u16;
        ws.merge_range(0, 0, 0, ncols - 1, &self.title, &title)?;
        ws.merge_range(1, 0, 1, ncols - 1, &self.subtitle, &Format::new())?;
        ws.merge_range(2, 0, 3, 0, "区划代码", &head)?;
        ws.merge_range(2, 1, 3, 1, "区划名称", &head)?;
        let mut col: u16 = 2;
        for g in &self.groups {
            let width = g.columns.len() as u16;
            match &g.name {
                None => {
                    ws.merge_range(2, col, 3, col, &g.columns[0].0, &head)?;
                }
                Some(name) => {
                    if width > 1 {
                        ws.merge_range(2, col, 2, col + width - 1, name, &head)?;
                    } else {
                        ws.write_with_format(2, col, name.as_str(), &head)?;
                    }
                    for (i, (label, _)) in g.columns.iter().enumerate() {
                        ws.write_with_format(3, col + i as u16, label.as_str(), &head)?;
                    }
                }
            }
            col += width;
        }
        ws.set_column_width(0, 14)?;
        ws.set_column_width(1, 16)?;
        for c in 2..ncols {
            ws.set_column_width(c, 11)?;
        }
        ws.set_row_height(3, 42)?;

        for (i, l) in self.lines.iter().enumerate() {
            let r = FIRST_ROW + i as u32;
            let total = i == 0;
            let text = if total { &bold } else { &cell };
            ws.write_with_format(r, 0, l.code.as_str(), text)?;
            ws.write_with_format(r, 1, l.name.as_str(), text)?;
            for (c, (v, s)) in l.values.iter().zip(&shown).enumerate() {
                let c = 2 + c as u16;
                let f = match (s, total) {
                    (Shown::Count, _) => text,
                    (Shown::Money, false) => &money,
                    (Shown::Money, true) => &money_bold,
                    (Shown::Percent, false) => &pct,
                    (Shown::Percent, true) => &pct_bold,
                };
                match v {
                    Some(v) if *s == Shown::Money => ws.write_with_format(r, c, *v / 100.0, f)?,
                    Some(v) => ws.write_with_format(r, c, *v, f)?,
                    None => ws.write_with_format(r, c, "", text)?,
                };
            }
        }
        let below = FIRST_ROW + self.lines.len() as u32 + 1;
        for (r, n) in (below..).zip(&self.notes) {
            ws.merge_range(r, 0, r, ncols - 1, n, &Format::new().set_text_wrap())?;
        }
        ws.set_freeze_panes(FIRST_ROW, 2)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_has_its_merged_header_total_and_rows() {
        let t = Table {
            sheet: "表".into(),
            title: "标题".into(),
            subtitle: "区划".into(),
            groups: vec![
                Group::single("户数", Shown::Count),
                Group::named(
                    "金额",
                    vec![("下达".into(), Shown::Money), ("到户".into(), Shown::Count)],
                ),
            ],
            lines: vec![
                Line {
                    code: "360124106000".into(),
                    name: "合计".into(),
                    values: vec![Some(3.0), Some(150.0), Some(50.0)],
                },
                Line {
                    code: "360124106204".into(),
                    name: "塔岗村委会".into(),
                    values: vec![Some(3.0), Some(150.0), None],
                },
            ],
            notes: vec!["注".into()],
        };
        let bytes = t.to_xlsx().unwrap();
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let merged: Vec<String> = wb
            .merge_cells_by_sheet_name("表")
            .unwrap()
            .iter()
            .map(|d| format!("{:?}-{:?}", d.start, d.end))
            .collect();
        for m in [
            "(0, 0)-(0, 4)",
            "(2, 0)-(3, 0)",
            "(2, 2)-(3, 2)",
            "(2, 3)-(2, 4)",
        ] {
            assert!(merged.contains(&m.to_string()), "{m}: {merged:?}");
        }
        let sheet = wb.worksheet_range("表").unwrap();
        let text = |r: u32, c: u32| sheet.get_value((r, c)).map(|v| v.to_string());
        assert_eq!(text(3, 3).as_deref(), Some("下达"));
        assert_eq!(text(4, 1).as_deref(), Some("合计"));
        assert_eq!(text(4, 3).as_deref(), Some("1.5"), "fen shown as yuan");
        assert_eq!(text(5, 4).as_deref(), Some(""));
    }
}
