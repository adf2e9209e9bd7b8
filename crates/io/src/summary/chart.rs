//! The summary's charts as grouped bar charts: SVG with labels for the HTML document, PNG (bars
//! only, labels beside it as a table) for the DOCX, drawn without any external fetch or font.

use fupin_core::reports::summary::Chart;
use image::{ImageBuffer, Rgb, RgbImage};
use std::fmt::Write;

const COLOURS: [(u8, u8, u8); 4] = [
    (0x2f, 0x6f, 0xb5),
    (0x3a, 0x9a, 0x5b),
    (0xd9, 0x8c, 0x1f),
    (0x8e, 0x44, 0xad),
];

fn max_value(c: &Chart) -> i64 {
    c.points
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart as an SVG element, 640 × 300, with the values above the bars and the years below.
pub fn svg(c: &Chart) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 300.0_f64, 40.0, 40.0, 30.0);
    let max = max_value(c) as f64;
    let n = c.points.len().max(1) as f64;
    let series = c.series.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let bar = (slot * 0.7) / series;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        esc(&c.title)
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="18" font-size="14" text-anchor="middle">{}</text>"#,
        w / 2.0,
        esc(&c.title)
    );
    let base = h - bottom;
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{base}" x2="{}" y2="{base}" stroke="#555"/>"##,
        w - 10.0
    );
    for (i, (label, values)) in c.points.iter().enumerate() {
        let x0 = left + slot * i as f64 + slot * 0.15;
        for (j, v) in values.iter().enumerate() {
            let bh = (*v as f64 / max) * (base - top);
            let x = x0 + bar * j as f64;
            let (r, g, b) = COLOURS[j % COLOURS.len()];
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="rgb({r},{g},{b})"/>"#,
                base - bh,
                bar - 2.0
            );
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{v}</text>"#,
                x + bar / 2.0 - 1.0,
                base - bh - 4.0
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
            left + slot * i as f64 + slot / 2.0,
            base + 18.0,
            esc(label)
        );
    }
    if c.series.len() > 1 {
        for (j, name) in c.series.iter().enumerate() {
            let (r, g, b) = COLOURS[j % COLOURS.len()];
            let x = left + 90.0 * j as f64;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{}" width="10" height="10" fill="rgb({r},{g},{b})"/><text x="{}" y="{}" font-size="11">{}</text>"#,
                h - 14.0,
                x + 14.0,
                h - 5.0,
                esc(name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The chart's bars as a PNG of `width` × `height` pixels (no text: the document prints the values
/// beside it).
pub fn png(c: &Chart, width: u32, height: u32) -> Vec<u8> {
    let mut img: RgbImage = ImageBuffer::from_pixel(width, height, Rgb([255, 255, 255]));
    let max = max_value(c);
    let (left, bottom, top) = (20u32, 20u32, 10u32);
    let base = height - bottom;
    let n = c.points.len().max(1) as u32;
    let series = c.series.len().max(1) as u32;
    let slot = (width - left - 10) / n;
    let bar = (slot * 7 / 10 / series).max(2);
    for x in left..width - 10 {
        img.put_pixel(x, base, Rgb([0x55, 0x55, 0x55]));
    }
    for (i, (_, values)) in c.points.iter().enumerate() {
        let x0 = left + slot * i as u32 + slot * 15 / 100;
        for (j, v) in values.iter().enumerate() {
            let bh = ((*v).max(0) as u64 * u64::from(base - top) / max as u64) as u32;
            let (r, g, b) = COLOURS[j % COLOURS.len()];
            let x = x0 + bar * j as u32;
            for px in x..(x + bar - 1).min(width) {
                for py in (base - bh)..base {
                    img.put_pixel(px, py, Rgb([r, g, b]));
                }
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // writing a PNG to memory cannot fail short of allocation failure
    if img.write_to(&mut out, image::ImageFormat::Png).is_err() {
        return Vec::new();
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            key: "income_trend".into(),
            title: "人均纯收入（元）".into(),
            unit: "元".into(),
            series: vec!["人均纯收入".into()],
            points: vec![("2016".into(), vec![5558]), ("2018".into(), vec![7467])],
        }
    }

    #[test]
    fn the_svg_carries_every_value_and_label() {
        let s = svg(&chart());
        for t in ["5558", "7467", "2016", "2018", "人均纯收入（元）"] {
            assert!(s.contains(t), "{t}");
        }
    }

    #[test]
    fn the_png_is_a_png_with_taller_bars_for_larger_values() {
        let bytes = png(&chart(), 400, 200);
        let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (400, 200));
        // the first column of each bar: count its coloured pixels
        let height_at = |x: u32| {
            (0..200)
                .filter(|&y| img.get_pixel(x, y) != &Rgb([255, 255, 255]))
                .count()
        };
        let slot = (400 - 30) / 2;
        let first = height_at(20 + slot * 15 / 100 + 1);
        let second = height_at(20 + slot + slot * 15 / 100 + 1);
        assert!(first > 10 && second > first, "{first} {second}");
    }
}
