//! The annual report of one organisation and year as people read it: every figure of
//! SPEC §5 with its percentage base, the charts, and the operational figures. One model
//! feeds the page, the CSV and the XLSX, so they never disagree. Built either from exact
//! figures (the organisation's own coordinators and admins, on the page) or from the
//! disclosure-controlled ones (analysts, and every export).

use super::disclosure::{protect_vector, Cell};
use super::domain::{YearCases, AGE_BANDS, CATEGORIES, GENDERS};
use super::operational::{KommuneRow, Operational, RegionRow};
use super::published::{self, render};
use super::{charts, service::Figures};
use crate::web::i18n::{t, Lang};
use serde_json::{json, Value};

/// What a figure is, for formatting and for the XLSX cell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Pct,
    Years,
    Hours,
}

/// One published figure.
#[derive(Debug, Clone)]
pub struct Row {
    /// Stable machine key, e.g. `new_cases.kommune` (the CSV's first column).
    pub key: String,
    pub label: String,
    /// A number, a marker ("<3", "*") or null (not defined, e.g. growth without a year before).
    pub value: Value,
    pub unit: Unit,
}

impl Row {
    /// The value as text in `lang` (decimal comma in Danish).
    pub fn text(&self, lang: Lang) -> String {
        fmt_value(&self.value, self.unit, lang)
    }

    pub fn is_withheld(&self) -> bool {
        self.value.is_string()
    }
}

pub fn fmt_value(v: &Value, unit: Unit, lang: Lang) -> String {
    let num = |x: f64, decimals: usize| {
        let s = format!("{x:.decimals$}");
        if lang == Lang::Da {
            s.replace('.', ",")
        } else {
            s
        }
    };
    match v {
        Value::Null => "–".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            match unit {
                Unit::Count => num(x, 0),
                Unit::Pct => format!("{} %", num(x, 1)),
                Unit::Years => num(x, 1),
                Unit::Hours => num(x, 1),
            }
        }
        other => other.to_string(),
    }
}

/// A titled group of rows; `base` names the percentage base of its shares.
#[derive(Debug, Clone)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub base: Option<String>,
    pub rows: Vec<Row>,
}

/// A chart with the section whose numbers it draws (its table alternative).
#[derive(Debug, Clone)]
pub struct Chart {
    pub svg: String,
    pub section: usize,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    pub year: i16,
    pub exact: bool,
    pub sections: Vec<Section>,
    pub charts: Vec<Chart>,
    /// New cases per year by venue since the first year: (year, [total, kommune,
    /// familieretshuset, other]).
    pub history: Vec<(i16, [Value; 4])>,
    pub history_chart: String,
    pub regions: Vec<(String, [Value; 3])>,
    /// Per kommune: only in the exact report (counts of single persons by place).
    pub kommuner: Vec<KommuneRow>,
}

fn row(key: impl Into<String>, label: &str, value: Value, unit: Unit) -> Row {
    Row {
        key: key.into(),
        label: label.to_owned(),
        value,
        unit,
    }
}

fn history(h: &[YearCases], year: i16, exact: bool, threshold: i64) -> Vec<(i16, [Value; 4])> {
    h.iter()
        .filter(|y| y.year <= year)
        .map(|y| {
            let n = &y.new_cases;
            if exact {
                return (
                    y.year,
                    [n.total, n.kommune, n.familieretshuset, n.other].map(|x| json!(x)),
                );
            }
            let c = published::case_cells(y, threshold);
            let r = |cell: Cell| render(cell, c.uniform, threshold);
            (
                y.year,
                [
                    r(c.new_total),
                    r(c.venues[0]),
                    r(c.venues[1]),
                    r(c.venues[2]),
                ],
            )
        })
        .collect()
}

/// Builds the report from the figures; `op` is optional (imports carry no requests).
pub fn build(f: &Figures, op: &Operational, exact: bool, threshold: i64, lang: Lang) -> Report {
    let v = if exact {
        serde_json::to_value(&f.annual).unwrap_or(Value::Null)
    } else {
        f.protected(threshold)
    };
    let tr = |k: &str| t(lang, k);
    let venue_keys = ["total", "kommune", "familieretshuset", "other"];
    let venue_label = |k: &str| tr(&format!("stats.venue.{k}"));
    let mut sections = Vec::new();

    let mut cases: Vec<Row> = venue_keys
        .iter()
        .map(|k| {
            row(
                format!("new_cases.{k}"),
                &format!("{}: {}", tr("stats.new_cases"), venue_label(k)),
                v["new_cases"][*k].clone(),
                Unit::Count,
            )
        })
        .collect();
    for k in [
        "active_cases",
        "carried_over",
        "cumulative",
        "persons_with_new_case",
    ] {
        cases.push(row(k, tr(&format!("stats.{k}")), v[k].clone(), Unit::Count));
    }
    for k in venue_keys {
        cases.push(row(
            format!("growth_pct.{k}"),
            &format!("{}: {}", tr("stats.growth"), venue_label(k)),
            v["growth_pct"][k].clone(),
            Unit::Pct,
        ));
    }
    sections.push(Section {
        key: "cases",
        title: tr("stats.section.cases"),
        base: None,
        rows: cases,
    });

    let r = &v["reports_of_concern"];
    let base = Some(format!(
        "{} {}",
        tr("stats.base"),
        fmt_value(&r["total"], Unit::Count, lang)
    ));
    sections.push(Section {
        key: "reports",
        title: tr("stats.section.reports"),
        base: None,
        rows: vec![
            row(
                "reports_of_concern.total",
                tr("stats.reports_total"),
                r["total"].clone(),
                Unit::Count,
            ),
            row(
                "reports_of_concern.mean_age",
                tr("stats.mean_age"),
                r["mean_age"].clone(),
                Unit::Years,
            ),
        ],
    });
    let shares = |key: &'static str, group: &str, keys: &[&str], prefix: &str| Section {
        key,
        title: tr(&format!("stats.section.{key}")),
        base: base.clone(),
        rows: keys
            .iter()
            .map(|k| {
                row(
                    format!("reports_of_concern.{group}.{k}"),
                    tr(&format!("{prefix}.{k}")),
                    r[group][*k].clone(),
                    Unit::Pct,
                )
            })
            .collect(),
    };
    sections.push(shares("gender", "gender_pct", &GENDERS, "gender"));
    sections.push(shares("age", "age_band_pct", &AGE_BANDS, "age_band"));
    sections.push(shares(
        "categories",
        "category_pct",
        &CATEGORIES,
        "category",
    ));

    // Operational figures.
    let count = |n: i64| {
        if exact || !(1..threshold).contains(&n) {
            json!(n)
        } else {
            json!(format!("<{threshold}"))
        }
    };
    let timing_shown = exact || op.consented >= threshold;
    let opt = |x: Option<f64>| match x {
        Some(x) if timing_shown => json!(x),
        Some(_) => json!("*"),
        None => Value::Null,
    };
    let mut ops = vec![
        row(
            "operational.received",
            tr("stats.op.received"),
            count(op.received),
            Unit::Count,
        ),
        row(
            "operational.consented",
            tr("stats.op.consented"),
            count(op.consented),
            Unit::Count,
        ),
        row(
            "operational.assigned",
            tr("stats.op.assigned"),
            count(op.assigned),
            Unit::Count,
        ),
        row(
            "operational.median_hours",
            tr("stats.op.median_hours"),
            opt(op.median_hours),
            Unit::Hours,
        ),
        row(
            "operational.p90_hours",
            tr("stats.op.p90_hours"),
            opt(op.p90_hours),
            Unit::Hours,
        ),
        row(
            "operational.within_24h_pct",
            tr("stats.op.within_24h"),
            opt(op.within_24h_pct),
            Unit::Pct,
        ),
        row(
            "operational.referred",
            tr("stats.op.referred"),
            count(op.referred),
            Unit::Count,
        ),
    ];
    // Rejections are a breakdown of the rejected requests.
    let counts: Vec<i64> = op.rejections.iter().map(|(_, n)| *n).collect();
    let p = protect_vector(&counts, threshold);
    for ((reason, n), cell) in op.rejections.iter().zip(&p.cells) {
        let value = if exact {
            json!(n)
        } else {
            render(*cell, p.uniform_marker, threshold)
        };
        ops.push(row(
            format!("operational.rejected.{reason}"),
            &format!(
                "{}: {}",
                tr("stats.op.rejected"),
                tr(&format!("reject.{reason}"))
            ),
            value,
            Unit::Count,
        ));
    }
    sections.push(Section {
        key: "operational",
        title: tr("stats.section.operational"),
        base: None,
        rows: ops,
    });

    // Requests and bisiddere per region: requests are persons, bisiddere are staff.
    let req: Vec<i64> = op.regions.iter().map(|r: &RegionRow| r.requests).collect();
    let p = protect_vector(&req, threshold);
    let regions = op
        .regions
        .iter()
        .zip(&p.cells)
        .map(|(r, cell)| {
            let requests = if exact {
                json!(r.requests)
            } else {
                render(*cell, p.uniform_marker, threshold)
            };
            (
                tr(&format!("region.{}", r.code)).to_owned(),
                [requests, json!(r.bisiddere), json!(r.gaps)],
            )
        })
        .collect();

    let charts = chart_set(&sections, lang);
    let hist = history(&f.history, f.annual.year, exact, threshold);
    let history_chart = history_svg(&hist, lang);
    Report {
        year: f.annual.year,
        exact,
        sections,
        charts,
        history: hist,
        history_chart,
        regions,
        kommuner: if exact {
            op.kommuner.clone()
        } else {
            Vec::new()
        },
    }
}

fn chart_set(sections: &[Section], lang: Lang) -> Vec<Chart> {
    let mut out = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        if !["gender", "age", "categories"].contains(&s.key) {
            continue;
        }
        let bars: Vec<charts::Bar> = s
            .rows
            .iter()
            .map(|r| charts::Bar {
                label: r.label.clone(),
                value: r.value.as_f64(),
                text: r.text(lang),
            })
            .collect();
        let desc = s
            .rows
            .iter()
            .map(|r| format!("{} {}", r.label, r.text(lang)))
            .collect::<Vec<_>>()
            .join("; ");
        out.push(Chart {
            svg: charts::hbars(&format!("chart-{}", s.key), s.title, &desc, &bars, 0.0),
            section: i,
        });
    }
    out
}

fn history_svg(h: &[(i16, [Value; 4])], lang: Lang) -> String {
    let years: Vec<String> = h.iter().map(|(y, _)| y.to_string()).collect();
    let series: Vec<charts::Series> = ["kommune", "familieretshuset", "other"]
        .iter()
        .enumerate()
        .map(|(i, k)| charts::Series {
            label: t(lang, &format!("stats.venue.{k}")).to_owned(),
            values: h.iter().map(|(_, v)| v[i + 1].as_f64()).collect(),
        })
        .collect();
    let desc = h
        .iter()
        .map(|(y, v)| format!("{y}: {}", fmt_value(&v[0], Unit::Count, lang)))
        .collect::<Vec<_>>()
        .join("; ");
    charts::stacked(
        "chart-history",
        t(lang, "stats.chart.history"),
        &desc,
        &years,
        &series,
    )
}
