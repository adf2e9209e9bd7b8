//! Standard statistical tables as offices lay them out: a title row, a line naming the region, year
//! and units, two header rows with merged groups, a 合计 row for the region, then one row per child
//! region. The registry table (户数、人数, by status, by main cause, incomes with the growth on the
//! previous year) is read from the maintained statistics, so it answers as fast as the statistics.

use fupin_core::registry::HouseholdStatus;
use fupin_core::reports::RegionStats;
use fupin_core::store::{Store, StoreResult};
use fupin_core::{Ctx, DomainError, RegionCode};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// One row of the registry table: the region's figures and those of the year before.
struct Line {
    name: String,
    code: String,
    now: RegionStats,
    before: Option<RegionStats>,
}

fn xlsx_error(_: rust_xlsxwriter::XlsxError) -> DomainError {
    // writing to memory fails only on a bug in the layout above (a cell outside the sheet)
    DomainError::internal()
}

/// The yearly registry statistics table of `region` by child region, as XLSX bytes.
pub async fn registry_table(
    store: &dyn Store,
    ctx: &Ctx,
    region: &RegionCode,
    year: i32,
) -> StoreResult<Vec<u8>> {
    let mut lines = Vec::new();
    let mut codes = vec![region.clone()];
    codes.extend(
        store
            .region_children(ctx, Some(region))
            .await?
            .into_iter()
            .map(|r| r.code),
    );
    for (i, code) in codes.iter().enumerate() {
        let now = store.region_stats(ctx, code, year).await?;
        // the year before may lie outside the years with statistics (refused as invalid): then
        // there is no growth; any other failure is the table's
        let before = match store.region_stats(ctx, code, year - 1).await {
            Ok(s) => Some(s),
            Err(e) if e.kind == fupin_core::ErrorKind::Invalid => None,
            Err(e) => return Err(e),
        };
        lines.push(Line {
            name: if i == 0 {
                "合计".to_string()
            } else {
                now.region.name.clone()
            },
            code: code.as_str().to_string(),
            now,
            before,
        });
    }
    let statuses: Vec<HouseholdStatus> = HouseholdStatus::ALL
        .into_iter()
        .filter(|s| *s != HouseholdStatus::Removed)
        .collect();
    let mut causes: Vec<(String, String)> = Vec::new();
    for l in &lines {
        for c in &l.now.by_main_cause {
            if c.households > 0 && !causes.iter().any(|(code, _)| *code == c.code) {
                causes.push((c.code.clone(), c.label.clone()));
            }
        }
    }
    causes.sort();
    let region_name = lines[0].now.region.name.clone();

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("建档立卡统计").map_err(xlsx_error)?;
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
    let money = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let pct = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let total = Format::new().set_border(FormatBorder::Thin).set_bold();

    let ncols: u16 = 4 + 2 * statuses.len() as u16 + causes.len() as u16 + 4;
    ws.merge_range(
        0,
        0,
        0,
        ncols - 1,
        &format!("{region_name}{year}年建档立卡贫困人口统计表"),
        &title,
    )
    .map_err(xlsx_error)?;
    ws.merge_range(
        1,
        0,
        1,
        ncols - 1,
        &format!(
            "区划：{region_name}（{}）　统计年度：{year}　单位：户、人、元",
            region.as_str()
        ),
        &Format::new(),
    )
    .map_err(xlsx_error)?;
    let mut col: u16 = 0;
    for h in ["区划代码", "区划名称", "户数", "人数"] {
        ws.merge_range(2, col, 3, col, h, &head)
            .map_err(xlsx_error)?;
        col += 1;
    }
    let group = |ws: &mut rust_xlsxwriter::Worksheet, from: u16, width: u16, name: &str| {
        if width > 1 {
            ws.merge_range(2, from, 2, from + width - 1, name, &head)
                .map(|_| ())
        } else {
            ws.write_with_format(2, from, name, &head).map(|_| ())
        }
    };
    group(ws, col, 2 * statuses.len() as u16, "按脱贫状态").map_err(xlsx_error)?;
    for s in &statuses {
        ws.write_with_format(3, col, format!("{}户", s.label()), &head)
            .map_err(xlsx_error)?;
        ws.write_with_format(3, col + 1, format!("{}人", s.label()), &head)
            .map_err(xlsx_error)?;
        col += 2;
    }
    if !causes.is_empty() {
        group(ws, col, causes.len() as u16, "按主要致贫原因（户）").map_err(xlsx_error)?;
        for (_, label) in &causes {
            ws.write_with_format(3, col, label.as_str(), &head)
                .map_err(xlsx_error)?;
            col += 1;
        }
    }
    group(ws, col, 4, "收入").map_err(xlsx_error)?;
    for h in [
        "有收入记录户数",
        "人均纯收入",
        &format!("{}年人均纯收入", year - 1),
        "增幅（%）",
    ] {
        ws.write_with_format(3, col, h, &head).map_err(xlsx_error)?;
        col += 1;
    }
    ws.set_column_width(0, 14).map_err(xlsx_error)?;
    ws.set_column_width(1, 16).map_err(xlsx_error)?;

    for (i, l) in lines.iter().enumerate() {
        let r = 4 + i as u32;
        let f = if i == 0 { &total } else { &cell };
        let s = &l.now;
        ws.write_with_format(r, 0, l.code.as_str(), f)
            .map_err(xlsx_error)?;
        ws.write_with_format(r, 1, l.name.as_str(), f)
            .map_err(xlsx_error)?;
        ws.write_with_format(r, 2, s.households as f64, f)
            .map_err(xlsx_error)?;
        ws.write_with_format(r, 3, s.persons as f64, f)
            .map_err(xlsx_error)?;
        let mut c = 4u16;
        for st in &statuses {
            let (h, p) = s.of_status(*st);
            ws.write_with_format(r, c, h as f64, f)
                .map_err(xlsx_error)?;
            ws.write_with_format(r, c + 1, p as f64, f)
                .map_err(xlsx_error)?;
            c += 2;
        }
        for (code, _) in &causes {
            let n = s
                .by_main_cause
                .iter()
                .find(|x| x.code == *code)
                .map_or(0, |x| x.households);
            ws.write_with_format(r, c, n as f64, f)
                .map_err(xlsx_error)?;
            c += 1;
        }
        ws.write_with_format(r, c, s.income_households as f64, f)
            .map_err(xlsx_error)?;
        let yuan = |fen: Option<i64>| fen.map(|v| v as f64 / 100.0);
        let pc_now = s.per_capita_net_income_fen;
        let pc_before = l.before.as_ref().and_then(|b| b.per_capita_net_income_fen);
        for (k, v) in [(1, yuan(pc_now)), (2, yuan(pc_before))] {
            match v {
                Some(v) => ws.write_with_format(r, c + k, v, &money),
                None => ws.write_with_format(r, c + k, "", &cell),
            }
            .map_err(xlsx_error)?;
        }
        let growth = match (pc_before, pc_now) {
            (Some(a), Some(z)) => fupin_core::reports::growth_pct(a, z),
            _ => None,
        };
        match growth {
            Some(g) => ws.write_with_format(r, c + 3, g, &pct),
            None => ws.write_with_format(r, c + 3, "", &cell),
        }
        .map_err(xlsx_error)?;
    }
    ws.set_freeze_panes(4, 2).map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error)
}
