//! The funds report (资金报表) as a sheet. XLSX: a title row, a line naming the region, period and
//! unit, then one block per part — funds by source, projects by category, projects by stage (with
//! the overdue ones), assets with their income, dividends per household — each with its header of
//! merged groups and a 合计 row; CSV (UTF-8 with a byte order mark): one line per figure with its
//! part, item, measure, value and unit.

use fupin_core::money::Fen;
use fupin_core::projects::{FundsReport, ProjectLine, SourceLine};
use fupin_core::DomainError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

/// A cell of a block.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Int(i64),
    Yuan(i64),
    Pct(Option<f64>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Yuan(f) => Fen::new(*f).yuan_string(),
            Cell::Pct(p) => p.map(|p| format!("{p:.1}")).unwrap_or_default(),
        }
    }
    fn unit(&self, count_unit: &'static str) -> &'static str {
        match self {
            Cell::Text(_) => "",
            Cell::Int(_) => count_unit,
            Cell::Yuan(_) => "元",
            Cell::Pct(_) => "%",
        }
    }
}

/// One part of the report: a title, header groups (a group of one column with an empty name is a
/// column whose header spans both header rows), and its rows, the last one bold when `total`.
struct Block {
    title: &'static str,
    first: &'static str,
    groups: Vec<(&'static str, Vec<&'static str>)>,
    rows: Vec<Vec<Cell>>,
    total: bool,
    count_unit: &'static str,
}

fn project_row(l: &ProjectLine) -> Vec<Cell> {
    vec![
        Cell::Text(l.label.clone()),
        Cell::Int(l.projects),
        Cell::Yuan(l.budget_fen),
        Cell::Yuan(l.allocated_fen),
        Cell::Yuan(l.received_fen),
        Cell::Yuan(l.disbursed_fen),
        Cell::Pct(l.disbursement_rate),
    ]
}

fn source_row(l: &SourceLine) -> Vec<Cell> {
    vec![
        Cell::Text(l.label.clone()),
        Cell::Int(l.sources),
        Cell::Yuan(l.amount_fen),
        Cell::Yuan(l.allocated_fen),
        Cell::Yuan(l.received_fen),
        Cell::Yuan(l.disbursed_fen),
        Cell::Pct(l.disbursement_rate),
    ]
}

fn project_groups() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("", vec!["项目个数"]),
        ("", vec!["计划投资"]),
        ("资金", vec!["已下达", "已到账", "已支付"]),
        ("", vec!["支付进度（%）"]),
    ]
}

fn blocks(r: &FundsReport) -> Vec<Block> {
    let mut sources: Vec<Vec<Cell>> = r.by_source.iter().map(source_row).collect();
    sources.push(source_row(&r.sources_total));
    let mut categories: Vec<Vec<Cell>> = r.by_category.iter().map(project_row).collect();
    categories.push(project_row(&r.projects_total));
    let mut stages: Vec<Vec<Cell>> = r.by_stage.iter().map(project_row).collect();
    stages.push(project_row(&r.projects_total));
    let mut assets: Vec<Vec<Cell>> = r
        .assets
        .iter()
        .chain(std::iter::once(&r.assets_total))
        .map(|a| {
            vec![
                Cell::Text(a.label.clone()),
                Cell::Int(a.assets),
                Cell::Yuan(a.value_fen),
                Cell::Int(a.incomes),
                Cell::Yuan(a.income_fen),
                Cell::Yuan(a.collective_fen),
                Cell::Yuan(a.households_fen),
            ]
        })
        .collect();
    if assets.is_empty() {
        assets.push(vec![Cell::Text("合计".into())]);
    }
    let dividends: Vec<Vec<Cell>> = r
        .dividends
        .iter()
        .map(|d| {
            vec![
                Cell::Text(format!("{}年", d.year)),
                Cell::Int(d.households),
                Cell::Int(d.payments),
                Cell::Yuan(d.amount_fen),
                d.per_household_fen
                    .map_or(Cell::Text(String::new()), Cell::Yuan),
            ]
        })
        .collect();
    let overdue: Vec<Vec<Cell>> = r
        .overdue
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.name.clone()),
                Cell::Text(p.village_code.as_str().to_string()),
                Cell::Text(p.stage_label.clone()),
                Cell::Text(p.planned_end.to_string()),
            ]
        })
        .collect();
    vec![
        Block {
            title: "一、资金来源（来源按年度，下达、到账、支付按办理日期）",
            first: "资金来源",
            groups: vec![
                ("来源", vec!["笔数", "金额"]),
                ("项目资金", vec!["已下达", "已到账", "已支付"]),
                ("", vec!["支付进度（%）"]),
            ],
            rows: sources,
            total: true,
            count_unit: "笔",
        },
        Block {
            title: "二、项目资金按类别（期间年度的项目）",
            first: "项目类别",
            groups: project_groups(),
            rows: categories,
            total: true,
            count_unit: "个",
        },
        Block {
            title: "三、项目按阶段",
            first: "项目阶段",
            groups: project_groups(),
            rows: stages,
            total: true,
            count_unit: "个",
        },
        Block {
            title: "四、扶贫资产及收益（资产为期末存量，收益为期间各年）",
            first: "资产类别",
            groups: vec![
                ("资产", vec!["个数", "价值"]),
                ("收益", vec!["次数", "收益", "村集体", "农户分红"]),
            ],
            rows: assets,
            total: true,
            count_unit: "个",
        },
        Block {
            title: "五、资产收益分红到户",
            first: "年度",
            groups: vec![
                ("", vec!["分红户数"]),
                ("", vec!["分红笔数"]),
                ("", vec!["分红金额"]),
                ("", vec!["户均"]),
            ],
            rows: dividends,
            total: false,
            count_unit: "户",
        },
        Block {
            title: "六、逾期未验收项目",
            first: "项目名称",
            groups: vec![
                ("", vec!["所在村"]),
                ("", vec!["当前阶段"]),
                ("", vec!["计划完工"]),
            ],
            rows: overdue,
            total: false,
            count_unit: "",
        },
    ]
}

fn title(r: &FundsReport, region_name: &str) -> String {
    if r.from_year == r.to_year {
        format!("{region_name}{}年扶贫项目资金报表", r.from_year)
    } else {
        format!(
            "{region_name}{}—{}年扶贫项目资金报表",
            r.from_year, r.to_year
        )
    }
}

fn subtitle(r: &FundsReport, region_name: &str) -> String {
    format!(
        "区划：{region_name}（{}）　统计期间：{}年1月1日至{}年12月31日　单位：元、个　逾期截至 {}　支付进度 {}　逾期未验收 {} 个",
        r.region_code.as_str(),
        r.from_year,
        r.to_year,
        r.as_of,
        r.disbursement_rate
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "—".into()),
        r.overdue_projects
    )
}

fn xlsx_error(_: rust_xlsxwriter::XlsxError) -> DomainError {
    // writing to memory fails only on a bug in the layout (a cell outside the sheet)
    DomainError::internal()
}

/// The report as XLSX bytes.
pub fn funds_report_xlsx(r: &FundsReport, region_name: &str) -> Result<Vec<u8>, DomainError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("项目资金").map_err(xlsx_error)?;
    let title_f = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let part = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let money = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let pct = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let bold = |f: &Format| f.clone().set_bold();
    const COLS: u16 = 7;
    ws.merge_range(0, 0, 0, COLS - 1, &title(r, region_name), &title_f)
        .map_err(xlsx_error)?;
    ws.merge_range(1, 0, 1, COLS - 1, &subtitle(r, region_name), &Format::new())
        .map_err(xlsx_error)?;
    ws.set_column_width(0, 24).map_err(xlsx_error)?;
    for c in 1..COLS {
        ws.set_column_width(c, 15).map_err(xlsx_error)?;
    }
    let mut row: u32 = 3;
    for b in blocks(r) {
        ws.write_with_format(row, 0, b.title, &part)
            .map_err(xlsx_error)?;
        row += 1;
        write_header(ws, row, &b, &head)?;
        row += 2;
        let n = b.rows.len();
        if n == 0 {
            ws.merge_range(row, 0, row, header_width(&b) - 1, "（无）", &cell)
                .map_err(xlsx_error)?;
            row += 1;
        }
        for (i, cells) in b.rows.iter().enumerate() {
            let last = b.total && i + 1 == n;
            for (c, v) in cells.iter().enumerate() {
                let c = c as u16;
                let (f, f_money, f_pct) = if last {
                    (bold(&cell), bold(&money), bold(&pct))
                } else {
                    (cell.clone(), money.clone(), pct.clone())
                };
                match v {
                    Cell::Text(s) => ws.write_with_format(row, c, s.as_str(), &f),
                    Cell::Int(i) => ws.write_with_format(row, c, *i as f64, &f),
                    Cell::Yuan(v) => ws.write_with_format(row, c, *v as f64 / 100.0, &f_money),
                    Cell::Pct(Some(p)) => ws.write_with_format(row, c, *p, &f_pct),
                    Cell::Pct(None) => ws.write_with_format(row, c, "", &f),
                }
                .map_err(xlsx_error)?;
            }
            row += 1;
        }
        row += 1;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

fn header_width(b: &Block) -> u16 {
    1 + b.groups.iter().map(|(_, c)| c.len() as u16).sum::<u16>()
}

/// Two header rows: the first column and one-column groups span both; a group's name is merged
/// over its columns in the first row, their names in the second.
fn write_header(ws: &mut Worksheet, row: u32, b: &Block, head: &Format) -> Result<(), DomainError> {
    ws.merge_range(row, 0, row + 1, 0, b.first, head)
        .map_err(xlsx_error)?;
    let mut col: u16 = 1;
    for (name, cols) in &b.groups {
        let w = cols.len() as u16;
        if name.is_empty() && w == 1 {
            ws.merge_range(row, col, row + 1, col, cols[0], head)
                .map_err(xlsx_error)?;
        } else {
            if w > 1 {
                ws.merge_range(row, col, row, col + w - 1, name, head)
                    .map_err(xlsx_error)?;
            } else {
                ws.write_with_format(row, col, *name, head)
                    .map_err(xlsx_error)?;
            }
            for (i, c) in cols.iter().enumerate() {
                ws.write_with_format(row + 1, col + i as u16, *c, head)
                    .map_err(xlsx_error)?;
            }
        }
        col += w;
    }
    Ok(())
}

/// The report as CSV bytes: 部分, 项目, 指标, 数值, 单位 — one figure a line.
pub fn funds_report_csv(r: &FundsReport, region_name: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let mut put = |rec: [&str; 5]| {
            // names come from the data (sources, categories): a formula-like one is quoted, the
            // figures are plain numbers and stay numbers (`crate::formulas`)
            // writing to memory cannot fail
            let _ = w.write_record(rec.map(|c| crate::formulas::guard(c).into_owned()));
        };
        put(["部分", "项目", "指标", "数值", "单位"]);
        put(["报表", "标题", "", &title(r, region_name), ""]);
        put(["报表", "区划代码", "", r.region_code.as_str(), ""]);
        for b in blocks(r) {
            let names: Vec<&str> = b
                .groups
                .iter()
                .flat_map(|(_, c)| c.iter().copied())
                .collect();
            for cells in &b.rows {
                let item = cells.first().map(Cell::text).unwrap_or_default();
                for (name, v) in names.iter().zip(cells.iter().skip(1)) {
                    put([b.title, &item, name, &v.text(), v.unit(b.count_unit)]);
                }
            }
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fupin_core::projects::{FundsKey, FundsTally};
    use fupin_core::RegionCode;
    use time::macros::date;

    fn report() -> FundsReport {
        let rows = vec![
            (
                FundsKey::new(2016, "source", "central"),
                FundsTally::new(1, 100_000, 60_000, 50_000, 25_000),
            ),
            (
                FundsKey::new(2016, "category", "infrastructure"),
                FundsTally::new(2, 80_000, 60_000, 50_000, 25_000),
            ),
        ];
        FundsReport::from_rows(
            RegionCode::parse("360124000000").unwrap(),
            (2016, 2016),
            date!(2020 - 01 - 01),
            &rows,
            Vec::new(),
        )
    }

    #[test]
    fn xlsx_has_title_and_merged_headers() {
        let bytes = funds_report_xlsx(&report(), "进贤县").unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let sheet = book.worksheet_range("项目资金").unwrap();
        let text = |r: u32, c: u32| {
            sheet
                .get_value((r, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        assert_eq!(text(0, 0), "进贤县2016年扶贫项目资金报表");
        assert_eq!(text(4, 0), "资金来源");
        assert_eq!(text(4, 1), "来源");
        assert_eq!(text(5, 2), "金额");
        assert_eq!(text(6, 0), "中央财政资金");
        assert_eq!(text(6, 2), "1000");
        assert_eq!(text(6, 6), "41.7");
        let merged = book.merge_cells_by_sheet_name("项目资金").unwrap();
        assert!(merged.iter().any(|d| d.start == (4, 1) && d.end == (4, 2)));
    }

    #[test]
    fn csv_one_figure_a_line() {
        let text = String::from_utf8(funds_report_csv(&report(), "进贤县")).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("中央财政资金,金额,1000.00,元"), "{text}");
        assert!(text.contains("合计,支付进度（%）,41.7,%"), "{text}");
    }
}
