//! The annual report as CSV and XLSX. Exports leave the platform, so they always carry
//! the disclosure-controlled figures (SPEC C8), whoever downloads them.
//!
//! CSV: UTF-8 with a byte-order mark (so spreadsheet programs read æøå), `;` as the
//! separator and a decimal comma in Danish (as Danish Excel expects), `,` and a decimal
//! point in English. Columns: section, key, figure, value. A withheld value is its marker.

use super::report::{Report, Unit};
use crate::web::i18n::{t, Lang};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Value;

fn csv_field(s: &str, sep: char) -> String {
    if s.contains(sep) || s.contains('"') || s.contains('\n') || s.contains('\r') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The value as CSV text: numbers without unit, in the language's decimal style.
fn csv_value(v: &Value, lang: Lang) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let s = n.to_string();
            if lang == Lang::Da {
                s.replace('.', ",")
            } else {
                s
            }
        }
        other => other.to_string(),
    }
}

pub fn csv(r: &Report, lang: Lang) -> String {
    let sep = if lang == Lang::Da { ';' } else { ',' };
    let mut out = String::from("\u{feff}");
    let header = [
        t(lang, "stats.csv.section"),
        t(lang, "stats.csv.key"),
        t(lang, "stats.csv.figure"),
        t(lang, "stats.csv.value"),
    ];
    let line = |cols: &[&str]| {
        cols.iter()
            .map(|c| csv_field(c, sep))
            .collect::<Vec<_>>()
            .join(&sep.to_string())
            + "\r\n"
    };
    out += &line(&header);
    for s in &r.sections {
        for row in &s.rows {
            out += &line(&[s.title, &row.key, &row.label, &csv_value(&row.value, lang)]);
        }
    }
    for (year, v) in &r.history {
        for (i, k) in ["total", "kommune", "familieretshuset", "other"]
            .iter()
            .enumerate()
        {
            out += &line(&[
                t(lang, "stats.section.history"),
                &format!("history.{year}.{k}"),
                &format!("{year}: {}", t(lang, &format!("stats.venue.{k}"))),
                &csv_value(&v[i], lang),
            ]);
        }
    }
    out
}

/// The report as an XLSX workbook: a sheet of figures, one of new cases per year, one of
/// regions. Numbers are numbers (shares as percentages), markers are text.
pub fn xlsx(r: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0\\ %");
    let dec = Format::new().set_num_format("0.0");

    let sheet = wb.add_worksheet();
    sheet.set_name(t(lang, "stats.xlsx.figures"))?;
    let header = [
        t(lang, "stats.csv.section"),
        t(lang, "stats.csv.key"),
        t(lang, "stats.csv.figure"),
        t(lang, "stats.csv.value"),
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut n = 1u32;
    for s in &r.sections {
        for row in &s.rows {
            sheet.write_string(n, 0, s.title)?;
            sheet.write_string(n, 1, &row.key)?;
            sheet.write_string(n, 2, &row.label)?;
            match &row.value {
                Value::Number(x) => {
                    let x = x.as_f64().unwrap_or(0.0);
                    match row.unit {
                        Unit::Pct => sheet.write_number_with_format(n, 3, x / 100.0, &pct)?,
                        Unit::Years | Unit::Hours => {
                            sheet.write_number_with_format(n, 3, x, &dec)?
                        }
                        Unit::Count => sheet.write_number(n, 3, x)?,
                    };
                }
                Value::String(m) => {
                    sheet.write_string(n, 3, m)?;
                }
                _ => {}
            }
            n += 1;
        }
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 48)?;

    let hist = wb.add_worksheet();
    hist.set_name(t(lang, "stats.xlsx.history"))?;
    hist.write_string_with_format(0, 0, t(lang, "stats.year"), &bold)?;
    for (i, k) in ["total", "kommune", "familieretshuset", "other"]
        .iter()
        .enumerate()
    {
        hist.write_string_with_format(
            0,
            i as u16 + 1,
            t(lang, &format!("stats.venue.{k}")),
            &bold,
        )?;
    }
    for (j, (year, v)) in r.history.iter().enumerate() {
        let rr = j as u32 + 1;
        hist.write_number(rr, 0, f64::from(*year))?;
        for (i, x) in v.iter().enumerate() {
            match x {
                Value::Number(x) => {
                    hist.write_number(rr, i as u16 + 1, x.as_f64().unwrap_or(0.0))?
                }
                Value::String(m) => hist.write_string(rr, i as u16 + 1, m)?,
                _ => hist,
            };
        }
    }

    let reg = wb.add_worksheet();
    reg.set_name(t(lang, "stats.xlsx.regions"))?;
    for (i, h) in [
        "stats.region",
        "stats.op.requests",
        "stats.op.bisiddere",
        "stats.op.gaps",
    ]
    .iter()
    .enumerate()
    {
        reg.write_string_with_format(0, i as u16, t(lang, h), &bold)?;
    }
    for (j, (name, v)) in r.regions.iter().enumerate() {
        let rr = j as u32 + 1;
        reg.write_string(rr, 0, name)?;
        for (i, x) in v.iter().enumerate() {
            match x {
                Value::Number(x) => {
                    reg.write_number(rr, i as u16 + 1, x.as_f64().unwrap_or(0.0))?
                }
                Value::String(m) => reg.write_string(rr, i as u16 + 1, m)?,
                _ => reg,
            };
        }
    }
    wb.save_to_buffer()
}
