//! The summary as a Word document (DOCX, A4): title, issuing unit and date, the sections, the charts
//! as pictures with their values, the appendix of figures and their queries, page numbers in the
//! footer.

use super::chart;
use docx_rs::{
    AlignmentType, Docx, Footer, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Table,
    TableCell, TableRow,
};
use fupin_core::reports::summary::Summary;

/// A4 in twips (1/1440 inch).
const A4: (u32, u32) = (11_906, 16_838);
const CHART_PX: (u32, u32) = (560, 260);
/// EMU per pixel at 96 dpi.
const EMU: u32 = 9_525;

fn text(t: &str, size: usize) -> Run {
    Run::new().add_text(t).size(size)
}

fn cell(t: &str) -> TableCell {
    TableCell::new().add_paragraph(Paragraph::new().add_run(text(t, 18)))
}

/// The document's bytes.
pub fn to_docx(s: &Summary) -> Result<Vec<u8>, String> {
    let fonts = RunFonts::new().ascii("Times New Roman").east_asia("宋体");
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(text("第 ", 20))
            .add_page_num(PageNum::new())
            .add_run(text(" 页", 20)),
    );
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(1_440)
                .bottom(1_440)
                .left(1_588)
                .right(1_474),
        )
        .default_fonts(fonts)
        .default_size(28)
        .footer(footer)
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(&s.title, 40).bold()),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(&format!("{}　{}", s.issuer, s.date), 24)),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(&format!("（{}）", s.period), 24)),
        );
    for sec in &s.sections {
        doc = doc.add_paragraph(Paragraph::new().add_run(text(&sec.heading, 30).bold()));
        for p in &sec.paragraphs {
            doc = doc.add_paragraph(Paragraph::new().first_line_chars(200).add_run(text(p, 28)));
        }
        if sec.key == "incomes" {
            for c in &s.charts {
                let png = chart::png(c, CHART_PX.0, CHART_PX.1);
                let pic = Pic::new_with_dimensions(png, CHART_PX.0, CHART_PX.1)
                    .size(CHART_PX.0 * EMU, CHART_PX.1 * EMU);
                doc = doc
                    .add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .add_run(Run::new().add_image(pic)),
                    )
                    .add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .add_run(text(&c.title, 21).bold()),
                    );
                let mut header = vec![cell("年度")];
                header.extend(c.series.iter().map(|n| cell(n)));
                let mut rows = vec![TableRow::new(header)];
                for (label, values) in &c.points {
                    let mut r = vec![cell(label)];
                    r.extend(values.iter().map(|v| cell(&v.to_string())));
                    rows.push(TableRow::new(r));
                }
                doc = doc.add_table(Table::new(rows));
            }
        }
    }
    doc = doc.add_paragraph(
        Paragraph::new()
            .page_break_before(true)
            .add_run(text("附表：数据来源", 30).bold()),
    );
    let mut rows = vec![TableRow::new(vec![
        cell("指标"),
        cell("数值"),
        cell("查询"),
        cell("字段"),
    ])];
    for f in &s.figures {
        rows.push(TableRow::new(vec![
            cell(&f.label),
            cell(&f.text),
            cell(&f.query),
            cell(&f.field),
        ]));
    }
    doc = doc.add_table(Table::new(rows));
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// The text of a DOCX's body, paragraph by paragraph (tables' cells included), for checks.
pub fn docx_text(bytes: &[u8]) -> Result<Vec<String>, String> {
    use docx_rs::{
        DocumentChild, ParagraphChild, RunChild, TableCellContent, TableChild, TableRowChild,
    };
    fn para(p: &Paragraph) -> String {
        let mut s = String::new();
        for c in &p.children {
            if let ParagraphChild::Run(r) = c {
                for rc in &r.children {
                    if let RunChild::Text(t) = rc {
                        s.push_str(&t.text);
                    }
                }
            }
        }
        s
    }
    let doc = docx_rs::read_docx(bytes).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for child in &doc.document.children {
        match child {
            DocumentChild::Paragraph(p) => out.push(para(p)),
            DocumentChild::Table(t) => {
                for TableChild::TableRow(r) in &t.rows {
                    for TableRowChild::TableCell(c) in &r.cells {
                        for cc in &c.children {
                            if let TableCellContent::Paragraph(p) = cc {
                                out.push(para(p));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
