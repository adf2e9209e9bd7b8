//! Spreadsheets as offices make them, for the import tests: one sheet's cells, the ranges merged
//! over several cells and the cells stored as numbers, written as an XLSX workbook.

use std::path::Path;

/// One sheet: its rows, the ranges merged (first row, first col, last row, last col) and the
/// cells written as numbers.
#[derive(Default)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
    pub numbers: Vec<(u32, u16, f64)>,
    pub merges: Vec<(u32, u16, u32, u16)>,
}

/// Write `sheet` as the first worksheet (named `name`) of a workbook at `path`, a merged range
/// holding the text of its first cell, empty cells left out; `more` names empty sheets after it.
pub fn write_xlsx(path: &Path, name: &str, sheet: &Sheet, more: &[&str]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name).unwrap();
    let plain = rust_xlsxwriter::Format::new();
    let merged = |r: u32, c: u16| {
        sheet
            .merges
            .iter()
            .any(|&(r0, c0, r1, c1)| (r0..=r1).contains(&r) && (c0..=c1).contains(&c))
    };
    for &(r0, c0, r1, c1) in &sheet.merges {
        ws.merge_range(
            r0,
            c0,
            r1,
            c1,
            &sheet.rows[r0 as usize][c0 as usize],
            &plain,
        )
        .unwrap();
    }
    for (r, cells) in sheet.rows.iter().enumerate() {
        let r = r as u32;
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            if merged(r, c) || v.is_empty() {
                continue;
            }
            match sheet.numbers.iter().find(|n| (n.0, n.1) == (r, c)) {
                Some(&(_, _, x)) => ws.write_number(r, c, x).unwrap(),
                None => ws.write_string(r, c, v).unwrap(),
            };
        }
    }
    for m in more {
        book.add_worksheet().set_name(*m).unwrap();
    }
    book.save(path).unwrap();
}
