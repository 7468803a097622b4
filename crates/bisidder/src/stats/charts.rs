//! Charts of the annual report, drawn on the server as SVG (SPEC C8). Each chart is an
//! image with a title and a description for screen readers (`role="img"`,
//! `aria-labelledby`); the page prints the same numbers in a table beside it. No
//! script, no inline CSS (the CSP forbids both): colours are SVG attributes, chosen to
//! contrast at least 3:1 with the white background and with each other's neighbours.

use std::fmt::Write;

/// Fill colours of the series, in order (blue, orange, green, purple).
pub const PALETTE: [&str; 4] = ["#004993", "#b34700", "#00703c", "#6b2c91"];

/// One bar of a horizontal bar chart: its label, its value (`None`: withheld by
/// disclosure control, drawn as no bar) and the text printed at its end.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// A series of a stacked bar chart.
pub struct Series {
    pub label: String,
    /// One value per category; `None` is withheld.
    pub values: Vec<Option<f64>>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" focusable="false"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// Horizontal bars, one per item, scaled to the largest value (at least `min_max`).
pub fn hbars(id: &str, title: &str, desc: &str, bars: &[Bar], min_max: f64) -> String {
    let (label_w, bar_w, row_h) = (230.0, 290.0, 30.0);
    let height = (bars.len() as f64 * row_h + 10.0).ceil() as u32;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(min_max, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut out = String::new();
    open(&mut out, id, 600, height, title, desc);
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let w = b.value.map_or(0.0, |v| (v / max * bar_w).max(0.0));
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="15" fill="#1a1a1a">{}</text><rect x="{label_w}" y="{}" width="{w:.1}" height="{}" fill="{}"/><text x="{}" y="{}" font-size="15" fill="#1a1a1a">{}</text>"##,
            label_w - 8.0,
            y + 20.0,
            esc(&b.label),
            y + 4.0,
            row_h - 8.0,
            PALETTE[0],
            label_w + w + 6.0,
            y + 20.0,
            esc(&b.text)
        );
    }
    out.push_str("</svg>");
    out
}

/// Vertical bars per category (e.g. year), stacked by series (e.g. venue), with a legend.
pub fn stacked(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
) -> String {
    let (left, top, plot_h, legend_h): (f64, f64, f64, f64) = (50.0, 10.0, 220.0, 30.0);
    let slot = 46.0;
    let width = (left + slot * categories.len().max(1) as f64 + 20.0).max(360.0);
    let height = top + plot_h + 24.0 + legend_h;
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten())
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let mut out = String::new();
    open(
        &mut out,
        id,
        width.ceil() as u32,
        height.ceil() as u32,
        title,
        desc,
    );
    // Axis with four gridlines.
    for g in 0..=4 {
        let v = max * f64::from(g) / 4.0;
        let y = top + plot_h - plot_h * f64::from(g) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#c8c8c8" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11" fill="#1a1a1a">{}</text>"##,
            width - 10.0,
            left - 6.0,
            y + 4.0,
            v.round()
        );
    }
    for (i, cat) in categories.iter().enumerate() {
        let x = left + 8.0 + slot * i as f64;
        let mut y = top + plot_h;
        for (s, color) in series.iter().zip(PALETTE.iter().cycle()) {
            let v = s.values.get(i).copied().flatten().unwrap_or(0.0);
            let h = if max > 0.0 { v / max * plot_h } else { 0.0 };
            y -= h;
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{color}" stroke="#ffffff" stroke-width="1"/>"##,
                slot - 16.0
            );
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#1a1a1a">{}</text>"##,
            x + (slot - 16.0) / 2.0,
            top + plot_h + 16.0,
            esc(cat)
        );
    }
    let ly = top + plot_h + 24.0 + 12.0;
    let mut lx = left;
    for (s, color) in series.iter().zip(PALETTE.iter().cycle()) {
        let _ = write!(
            out,
            r##"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{color}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#1a1a1a">{}</text>"##,
            ly - 10.0,
            lx + 16.0,
            ly,
            esc(&s.label)
        );
        lx += 24.0 + 7.5 * s.label.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// A round upper end for an axis: 1, 2 or 5 times a power of ten, at least `v`.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|m| *m >= v)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_image_with_its_title_and_description_and_escapes_text() {
        let svg = hbars(
            "g",
            "Køn & alder",
            "Piger 60 %, drenge 40 %",
            &[
                Bar {
                    label: "Piger <pige>".into(),
                    value: Some(60.0),
                    text: "60,0 %".into(),
                },
                Bar {
                    label: "Drenge".into(),
                    value: None,
                    text: "<3".into(),
                },
            ],
            0.0,
        );
        assert!(svg.contains(r#"role="img" aria-labelledby="g-t g-d""#));
        assert!(svg.contains(r#"<title id="g-t">Køn &amp; alder</title>"#));
        assert!(svg.contains("Piger &lt;pige&gt;") && svg.contains(">&lt;3<"));
        // The largest bar fills the width; a withheld one has no bar.
        assert!(svg.contains(r#"width="290.0""#) && svg.contains(r#"width="0.0""#));
        assert!(!svg.contains("style="), "the CSP allows no inline style");
    }

    #[test]
    fn stacked_bars_add_up_and_the_axis_ends_on_a_round_number() {
        let svg = stacked(
            "n",
            "Nye sager",
            "",
            &["2024".into(), "2025".into()],
            &[
                Series {
                    label: "Kommune".into(),
                    values: vec![Some(30.0), Some(120.0)],
                },
                Series {
                    label: "Familieretshuset".into(),
                    values: vec![Some(10.0), None],
                },
            ],
        );
        // 120 is the tallest stack: the axis runs to 200, so 120 is 132 px of 220.
        assert!(svg.contains(r#"height="132.0""#), "{svg}");
        assert!(svg.contains(">200<"));
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(880.0), 1000.0);
        assert_eq!(nice_max(41.0), 50.0);
    }
}
