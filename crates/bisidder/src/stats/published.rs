//! The annual figures as analysts, exports and the public see them (SPEC C8): every
//! count of fewer than `threshold` persons is suppressed, and so is every figure from
//! which a suppressed count could be worked out. The published figures are tied together
//! by sums, and each tie is protected:
//!
//! * the venues add up to the new cases (`protect_vector`);
//! * new cases plus carried-over cases are the active cases (`protect_vector` again; a
//!   total hidden by one breakdown is hidden in the other too, until both agree);
//! * the cumulative count grows by the new cases each year, so it is hidden from the
//!   first year whose new-case total is suppressed;
//! * growth compares two years' counts, so it is withheld when either is suppressed;
//! * report shares times the report total give the counts back, so a share is shown
//!   only with its count; gender and age bands (with the reports of unknown age, which
//!   are the rest) are breakdowns of the total; categories overlap and are each
//!   protected on their own;
//! * the mean age is withheld when fewer than `threshold` reports have a known age.

use super::disclosure::{protect_nested, protect_vector, Cell};
use super::domain::{Annual, ReportCounts, YearCases, AGE_BANDS, CATEGORIES, GENDERS};
use serde_json::{json, Value};

/// The suppressed cells of one year's case figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCells {
    /// kommune, familieretshuset, other.
    pub venues: [Cell; 3],
    pub new_total: Cell,
    pub carried_over: Cell,
    pub active: Cell,
    /// Render every suppressed cell as one neutral marker.
    pub uniform: bool,
}

/// Protects one year's venue breakdown and its active-case sum together.
pub fn case_cells(y: &YearCases, threshold: i64) -> CaseCells {
    let n = &y.new_cases;
    let p = protect_nested(
        &[n.kommune, n.familieretshuset, n.other],
        y.carried_over,
        threshold,
    );
    CaseCells {
        venues: [p.parts[0], p.parts[1], p.parts[2]],
        new_total: p.subtotal,
        carried_over: p.other,
        active: p.total,
        uniform: p.uniform_marker,
    }
}

/// A published count: the number, "<3" for a small one, "*" for one hidden only so that
/// a small one cannot be worked out (or for every hidden cell when even "<3" would tell).
pub fn render(c: Cell, uniform: bool, threshold: i64) -> Value {
    match c {
        Cell::Shown(n) => json!(n),
        Cell::Small if !uniform => json!(format!("<{threshold}")),
        Cell::Small | Cell::Hidden => json!("*"),
    }
}

fn primary(count: i64, threshold: i64) -> Cell {
    if (1..threshold).contains(&count) {
        Cell::Small
    } else {
        Cell::Shown(count)
    }
}

/// The published JSON of SPEC §5 for `a`, given the report counts behind it and the case
/// figures of every year up to `a.year` (`domain::case_history`).
pub fn annual(a: &Annual, counts: &ReportCounts, history: &[YearCases], threshold: i64) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    let cells: Vec<(i16, CaseCells)> = history
        .iter()
        .filter(|y| y.year <= a.year)
        .map(|y| (y.year, case_cells(y, threshold)))
        .collect();
    let this = cells.iter().find(|(y, _)| *y == a.year).map(|(_, c)| c);
    let before = cells.iter().find(|(y, _)| *y == a.year - 1).map(|(_, c)| c);
    let zero = case_cells(&YearCases::default(), threshold);
    let this = this.unwrap_or(&zero);

    let keys = ["kommune", "familieretshuset", "other"];
    for (k, c) in keys.iter().zip(this.venues) {
        v["new_cases"][*k] = render(c, this.uniform, threshold);
    }
    v["new_cases"]["total"] = render(this.new_total, this.uniform, threshold);
    v["carried_over"] = render(this.carried_over, this.uniform, threshold);
    v["active_cases"] = render(this.active, this.uniform, threshold);
    // cumulative(y) − cumulative(y−1) = new(y): hidden from the first suppressed year on.
    if cells.iter().any(|(_, c)| c.new_total.is_suppressed()) {
        v["cumulative"] = json!("*");
    }
    let persons = primary(a.persons_with_new_case, threshold);
    v["persons_with_new_case"] = render(persons, false, threshold);
    // Growth reveals one year's count from the other's.
    let shown = |c: Option<&CaseCells>, i: Option<usize>| match (c, i) {
        (Some(c), Some(i)) => !c.venues[i].is_suppressed(),
        (Some(c), None) => !c.new_total.is_suppressed(),
        (None, _) => true, // no cases that year: growth is already null
    };
    for (key, i) in [
        ("total", None),
        ("kommune", Some(0)),
        ("familieretshuset", Some(1)),
        ("other", Some(2)),
    ] {
        if !shown(Some(this), i) || !shown(before, i) {
            v["growth_pct"][key] = Value::Null;
        }
    }

    // Reports of concern.
    let gender = protect_vector(&counts.gender, threshold);
    let mut bands = counts.age_band.to_vec();
    bands.push(counts.unknown_age);
    let age = protect_vector(&bands, threshold);
    let total = primary(counts.total, threshold);
    let r = &mut v["reports_of_concern"];
    r["total"] = render(total, gender.uniform_marker, threshold);
    let share = |c: Cell, uniform: bool, pct: &Value| match c {
        Cell::Shown(_) if !total.is_suppressed() => pct.clone(),
        Cell::Shown(_) => json!("*"),
        c => render(c, uniform, threshold),
    };
    for (k, c) in GENDERS.iter().zip(&gender.cells) {
        r["gender_pct"][*k] = share(*c, gender.uniform_marker, &r["gender_pct"][*k]);
    }
    for (k, c) in AGE_BANDS.iter().zip(&age.cells) {
        r["age_band_pct"][*k] = share(*c, age.uniform_marker, &r["age_band_pct"][*k]);
    }
    for (k, n) in CATEGORIES.iter().zip(counts.category) {
        r["category_pct"][*k] = share(primary(n, threshold), false, &r["category_pct"][*k]);
    }
    if counts.total - counts.unknown_age < threshold || total.is_suppressed() {
        r["mean_age"] = Value::Null;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::domain::ByVenue;

    fn year(k: i64, f: i64, o: i64, carried: i64) -> YearCases {
        YearCases {
            year: 2020,
            new_cases: ByVenue {
                total: k + f + o,
                kommune: k,
                familieretshuset: f,
                other: o,
            },
            active_cases: k + f + o + carried,
            carried_over: carried,
            cumulative: 0,
        }
    }

    #[test]
    fn sums_across_years_and_shares_do_not_give_a_small_count_away() {
        use crate::stats::domain::{annual, case_history, report_counts, CaseRec, ReportRec};
        use jiff::civil::date;
        let case = |i: usize, y: i16, authority: &str| CaseRec {
            id: format!("c{i}"),
            person_id: format!("p{i}"),
            authority: authority.to_owned(),
            opened_on: date(y, 3, 1),
            closed_on: Some(date(y, 6, 1)),
        };
        // 2019: two new cases (small). 2020: ten at the kommune, one at Familieretshuset.
        let mut cases: Vec<CaseRec> = (0..2).map(|i| case(i, 2019, "kommune")).collect();
        cases.extend((2..12).map(|i| case(i, 2020, "kommune")));
        cases.push(case(12, 2020, "familieretshuset"));
        // Ten reports in 2020: one girl aged 7, nine boys aged 14; one names selvskade.
        let report = |i: usize, gender: &str, birth: i16, cats: &[&str]| ReportRec {
            id: format!("r{i}"),
            case_id: format!("c{}", i + 2),
            sent_on: Some(date(2020, 5, 5)),
            gender: gender.to_owned(),
            birth_date: Some(date(birth, 1, 1)),
            categories: cats.iter().map(|c| c.to_string()).collect(),
        };
        let mut reports = vec![report(0, "girl", 2013, &["selvskade", "mistrivsel"])];
        reports.extend((1..10).map(|i| report(i, "boy", 2006, &["mistrivsel"])));
        let a = annual("o", 2020, &cases, &reports);
        assert_eq!((a.new_cases.total, a.cumulative), (11, 13));
        let v = super::annual(
            &a,
            &report_counts(2020, &reports),
            &case_history(&cases, 2020),
            3,
        );
        // Familieretshuset's 1 is "<3"; the next smallest venue count goes with it.
        assert_eq!(v["new_cases"]["familieretshuset"], "<3");
        assert_eq!(v["new_cases"]["kommune"], "*");
        assert_eq!(v["new_cases"]["other"], 0);
        assert_eq!(v["new_cases"]["total"], 11);
        // 13 − 11 would tell 2019's two cases; so would growth against 2019.
        assert_eq!(v["cumulative"], "*");
        assert!(v["growth_pct"]["total"].is_null(), "{v}");
        assert!(v["growth_pct"]["kommune"].is_null(), "{v}");
        let r = &v["reports_of_concern"];
        assert_eq!(r["total"], 10);
        // One girl: her share and the boys' share (10 − 1) are both withheld.
        assert_eq!(r["gender_pct"]["girl"], "<3");
        assert_eq!(r["gender_pct"]["boy"], "*");
        assert_eq!(r["gender_pct"]["other"], 0.0);
        assert_eq!(r["age_band_pct"]["6-9"], "<3");
        assert_eq!(r["age_band_pct"]["13-15"], "*");
        assert_eq!(r["category_pct"]["selvskade"], "<3");
        assert_eq!(r["category_pct"]["mistrivsel"], 100.0);
        // The mean of ten known ages describes no one child.
        assert_eq!(r["mean_age"], 13.3);
        // The year before: its two cases are small, and so is everything they make up.
        let b = annual("o", 2019, &cases, &reports);
        let w = super::annual(
            &b,
            &report_counts(2019, &reports),
            &case_history(&cases, 2019),
            3,
        );
        assert_eq!(w["cumulative"], "*");
        assert!(["<3", "*"].contains(&w["new_cases"]["total"].as_str().unwrap_or("")));
    }

    /// What a reader knows a published cell's value to be within.
    fn admits(c: Cell, uniform: bool, t: i64, x: i64) -> bool {
        match c {
            Cell::Shown(n) => n == x,
            _ if uniform => x >= 1,
            Cell::Small => (1..t).contains(&x),
            Cell::Hidden => x >= t,
        }
    }

    fn consistent(p: &CaseCells, t: i64, q: &YearCases) -> bool {
        let n = &q.new_cases;
        [n.kommune, n.familieretshuset, n.other]
            .iter()
            .zip(p.venues)
            .all(|(x, c)| admits(c, p.uniform, t, *x))
            && admits(p.new_total, p.uniform, t, n.total)
            && admits(p.carried_over, p.uniform, t, q.carried_over)
            && admits(p.active, p.uniform, t, q.active_cases)
    }

    /// Every small figure is suppressed, and every suppressed figure can take at least two
    /// values among all the tables that publish exactly what this one publishes.
    #[test]
    fn no_small_case_count_is_shown_or_recoverable_from_the_sums_they_are_published_with() {
        let (max, t) = (5, 3);
        // A small count moves by less than t, so alternatives within max + t suffice.
        let tables = |max: i64| -> Vec<YearCases> {
            (0..=max)
                .flat_map(|k| {
                    (0..=max).flat_map(move |f| {
                        (0..=max).flat_map(move |o| (0..=max).map(move |c| year(k, f, o, c)))
                    })
                })
                .collect()
        };
        let all = tables(max + t);
        for y in &tables(max) {
            let p = case_cells(y, t);
            let n = &y.new_cases;
            let figures = [
                (p.venues[0], n.kommune),
                (p.venues[1], n.familieretshuset),
                (p.venues[2], n.other),
                (p.new_total, n.total),
                (p.carried_over, y.carried_over),
                (p.active, y.active_cases),
            ];
            for (c, x) in figures {
                assert!(
                    !(1..t).contains(&x) || c.is_suppressed(),
                    "{y:?} shows a small count: {p:?}"
                );
            }
            // Tables consistent with what is published (bounded search: a small cell
            // needs a second value below t, which the bound covers).
            let others: Vec<&YearCases> = all.iter().filter(|q| consistent(&p, t, q)).collect();
            let value = |q: &YearCases, i: usize| {
                let n = &q.new_cases;
                [
                    n.kommune,
                    n.familieretshuset,
                    n.other,
                    n.total,
                    q.carried_over,
                    q.active_cases,
                ][i]
            };
            for (i, (c, x)) in figures.iter().enumerate() {
                if c.is_suppressed() && (1..t).contains(x) {
                    assert!(
                        others.iter().any(|q| value(q, i) != *x),
                        "{y:?}: figure {i} ({x}) is recoverable from {p:?}"
                    );
                }
            }
        }
    }
}
