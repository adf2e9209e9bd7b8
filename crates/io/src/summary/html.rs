//! The summary as one printable HTML page (A4, page numbers in print), with no external fetch.

use super::chart;
use fupin_core::reports::summary::Summary;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = r#"
@page { size: A4; margin: 25mm 20mm 20mm 25mm;
  @bottom-center { content: "第 " counter(page) " 页"; font-size: 10pt; } }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; font-size: 14pt;
  line-height: 1.8; max-width: 170mm; margin: 2em auto; color: #111; }
h1 { font-size: 20pt; text-align: center; margin-bottom: 0.2em; }
.meta { text-align: center; font-size: 12pt; color: #333; }
h2 { font-size: 15pt; margin-top: 1.2em; }
p { text-indent: 2em; margin: 0.4em 0; }
figure { margin: 1em 0; text-align: center; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
code { font-size: 9pt; word-break: break-all; }
.appendix { page-break-before: always; }
"#;

/// The whole document.
pub fn to_html(s: &Summary) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    out.push_str(&format!(
        "<title>{}</title><style>{STYLE}</style></head><body>",
        esc(&s.title)
    ));
    out.push_str(&format!("<h1>{}</h1>", esc(&s.title)));
    out.push_str(&format!(
        "<p class=\"meta\">{}　{}</p><p class=\"meta\">（{}）</p>",
        esc(&s.issuer),
        esc(&s.date),
        esc(&s.period)
    ));
    for sec in &s.sections {
        out.push_str(&format!(
            "<section id=\"{}\"><h2>{}</h2>",
            esc(&sec.key),
            esc(&sec.heading)
        ));
        for p in &sec.paragraphs {
            out.push_str(&format!("<p>{}</p>", esc(p)));
        }
        if sec.key == "incomes" {
            for c in &s.charts {
                out.push_str(&format!(
                    "<figure id=\"chart-{}\">{}<figcaption>{}</figcaption></figure>",
                    esc(&c.key),
                    chart::svg(c),
                    esc(&c.title)
                ));
            }
        }
        out.push_str("</section>");
    }
    out.push_str("<section class=\"appendix\"><h2>附表：数据来源</h2><table><thead><tr><th>指标</th><th>数值</th><th>查询</th><th>字段</th></tr></thead><tbody>");
    for f in &s.figures {
        out.push_str(&format!(
            "<tr data-key=\"{}\"><td>{}</td><td class=\"n\">{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            esc(&f.key),
            esc(&f.label),
            esc(&f.text),
            esc(&f.query),
            esc(&f.field)
        ));
    }
    out.push_str("</tbody></table></section></body></html>");
    out
}
