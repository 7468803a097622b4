//! The statistics of SPEC §5 computed from plain records, and the disclosure control of
//! SPEC C8. Pure: no I/O, no database, no clock. The caller loads one organisation's
//! cases and reports of concern and gives their dates as civil dates in
//! Europe/Copenhagen. See `README.md` beside this file for the definitions in prose.

use jiff::civil::Date;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Serialize as DeriveSerialize;
use std::collections::HashSet;

/// Problem categories of a report of concern (SPEC §6), in the SPEC's order.
pub const CATEGORIES: [&str; 15] = [
    "mistrivsel",
    "konflikt_i_hjemmet",
    "fysisk_vold",
    "psykisk_vold",
    "seksuelle_overgreb",
    "digitale_overgreb",
    "omsorgssvigt",
    "foraeldres_misbrug",
    "foraeldres_psykiske_sygdom",
    "selvskade",
    "selvmordstanker",
    "spiseforstyrrelse",
    "eget_misbrug",
    "kriminalitet",
    "andet",
];

/// The gender keys of `gender_pct` (SPEC §6, children's codes).
pub const GENDERS: [&str; 4] = ["girl", "boy", "other", "unknown"];

/// The age bands of `age_band_pct` (SPEC §5).
pub const AGE_BANDS: [&str; 6] = ["0-5", "6-9", "10-12", "13-15", "16-17", "18+"];

/// The venue group of a case (SPEC §5), decided by the authority the meeting is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Venue {
    Kommune,
    Familieretshuset,
    Other,
}

/// SPEC §5: kommune, ankestyrelsen, ungdomskriminalitetsnaevnet, boern_og_unge_udvalget
/// and retten are `kommune`; familieretshuset and familieretten are `familieretshuset`;
/// every other authority (also an unknown code) is `other`.
pub fn venue_of(authority: &str) -> Venue {
    match authority {
        "kommune"
        | "ankestyrelsen"
        | "ungdomskriminalitetsnaevnet"
        | "boern_og_unge_udvalget"
        | "retten" => Venue::Kommune,
        "familieretshuset" | "familieretten" => Venue::Familieretshuset,
        _ => Venue::Other,
    }
}

/// One case of the organisation, as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRec {
    pub id: String,
    pub person_id: String,
    pub authority: String,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
}

/// One report of concern of the organisation, with the child's gender and birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRec {
    pub id: String,
    pub case_id: String,
    pub sent_on: Option<Date>,
    /// girl, boy, other or unknown (woman and man are read as girl and boy).
    pub gender: String,
    pub birth_date: Option<Date>,
    /// Problem category codes of §6; unknown codes and repeats are ignored.
    pub categories: Vec<String>,
}

/// Age in whole years on `on`. A person born on 29 February turns a year older on
/// 1 March in a non-leap year (on 28 February they are still the younger age): the
/// birthday has not been reached until the calendar has passed 29 February. Negative
/// when `birth` is after `on`.
pub fn age_on(birth: Date, on: Date) -> i16 {
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    on.year() - birth.year() - i16::from(before_birthday)
}

/// The SPEC §5 age band of an age in whole years. Negative ages (impossible data) fall
/// in "0-5"; `annual` never passes them (it counts such a report as of unknown age).
pub fn age_band(age: i16) -> &'static str {
    AGE_BANDS[age_band_index(age)]
}

fn age_band_index(age: i16) -> usize {
    match age {
        ..=5 => 0,
        6..=9 => 1,
        10..=12 => 2,
        13..=15 => 3,
        16..=17 => 4,
        _ => 5,
    }
}

fn gender_index(gender: &str) -> usize {
    match gender {
        "girl" | "woman" => 0,
        "boy" | "man" => 1,
        "other" => 2,
        _ => 3,
    }
}

/// `num / den` rounded to a whole number, halves away from zero (2.5 → 3, −2.5 → −3).
/// Integer arithmetic, so a share such as 1/16 = 6.25 % rounds the same on every
/// machine. `den` must be positive.
fn div_round(num: i64, den: i64) -> i64 {
    let (q, r) = (num / den, num % den);
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

/// `100 · part / base` in percent with one decimal, halves away from zero; 0.0 when the
/// base is 0 (there is nothing to share out).
fn pct1(part: i64, base: i64) -> f64 {
    if base <= 0 {
        return 0.0;
    }
    div_round(1000 * part, base) as f64 / 10.0
}

/// SPEC §5 growth: 100 · (now − before) / before to a whole number, halves away from
/// zero; `None` (JSON null) when the year before had no new cases.
fn growth_pct(now: i64, before: i64) -> Option<i64> {
    (before > 0).then(|| div_round(100 * (now - before), before))
}

/// A figure per venue group and in total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, DeriveSerialize)]
pub struct ByVenue<T> {
    pub total: T,
    pub kommune: T,
    pub familieretshuset: T,
    pub other: T,
}

impl ByVenue<i64> {
    fn count(&mut self, venue: Venue) {
        self.add(venue, 1);
    }

    fn add(&mut self, venue: Venue, n: i64) {
        self.total += n;
        *match venue {
            Venue::Kommune => &mut self.kommune,
            Venue::Familieretshuset => &mut self.familieretshuset,
            Venue::Other => &mut self.other,
        } += n;
    }

    fn growth_since(&self, before: &ByVenue<i64>) -> ByVenue<Option<i64>> {
        ByVenue {
            total: growth_pct(self.total, before.total),
            kommune: growth_pct(self.kommune, before.kommune),
            familieretshuset: growth_pct(self.familieretshuset, before.familieretshuset),
            other: growth_pct(self.other, before.other),
        }
    }
}

/// Percentages keyed by a fixed code list; serialised as a JSON object in the list's
/// order with every key present.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares<const N: usize> {
    keys: &'static [&'static str; N],
    pct: [f64; N],
}

impl<const N: usize> Shares<N> {
    fn of(keys: &'static [&'static str; N], counts: &[i64; N], base: i64) -> Self {
        Shares {
            keys,
            pct: counts.map(|c| pct1(c, base)),
        }
    }

    /// The share of `key`, `None` for a key not in the list.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.iter().find(|(k, _)| *k == key).map(|(_, p)| p)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.keys.iter().copied().zip(self.pct.iter().copied())
    }
}

impl<const N: usize> Serialize for Shares<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(N))?;
        for (key, pct) in self.iter() {
            map.serialize_entry(key, &pct)?;
        }
        map.end()
    }
}

/// The counts behind `Reports`, for disclosure control of analyst-visible figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportCounts {
    /// Reports sent in the year: the *procentgrundlag* of every share.
    pub total: i64,
    /// In `GENDERS` order.
    pub gender: [i64; 4],
    /// In `AGE_BANDS` order; reports of unknown age are in no band.
    pub age_band: [i64; 6],
    /// No birth date, or a birth date after the sent date.
    pub unknown_age: i64,
    /// Sum of the known ages, for the mean.
    pub age_sum: i64,
    /// In `CATEGORIES` order; a report counts once per category it names.
    pub category: [i64; 15],
}

/// Counts the reports of concern sent in `year`; reports without a sent date are not
/// reports of any year.
pub fn report_counts(year: i16, reports: &[ReportRec]) -> ReportCounts {
    let mut n = ReportCounts::default();
    for r in reports {
        let Some(sent) = r.sent_on.filter(|d| d.year() == year) else {
            continue;
        };
        n.total += 1;
        n.gender[gender_index(&r.gender)] += 1;
        match r.birth_date.map(|b| age_on(b, sent)).filter(|a| *a >= 0) {
            Some(age) => {
                n.age_band[age_band_index(age)] += 1;
                n.age_sum += i64::from(age);
            }
            None => n.unknown_age += 1,
        }
        let mut named = [false; 15];
        for code in &r.categories {
            if let Some(i) = CATEGORIES.iter().position(|c| c == code) {
                named[i] = true;
            }
        }
        for (count, named) in n.category.iter_mut().zip(named) {
            *count += i64::from(named);
        }
    }
    n
}

/// Reports of concern in the year (SPEC §5). Every share is over `total`.
#[derive(Debug, Clone, PartialEq, DeriveSerialize)]
pub struct Reports {
    pub total: i64,
    pub gender_pct: Shares<4>,
    /// Reports of unknown age are in no band, so the bands then sum to less than 100.
    pub age_band_pct: Shares<6>,
    /// Mean of the known ages, one decimal; `None` when no report has a known age.
    pub mean_age: Option<f64>,
    /// A report may name several categories, so these can sum to more than 100.
    pub category_pct: Shares<15>,
}

impl From<&ReportCounts> for Reports {
    fn from(n: &ReportCounts) -> Self {
        let known = n.total - n.unknown_age;
        Reports {
            total: n.total,
            gender_pct: Shares::of(&GENDERS, &n.gender, n.total),
            age_band_pct: Shares::of(&AGE_BANDS, &n.age_band, n.total),
            mean_age: (known > 0).then(|| div_round(10 * n.age_sum, known) as f64 / 10.0),
            category_pct: Shares::of(&CATEGORIES, &n.category, n.total),
        }
    }
}

/// The annual figures of one organisation (SPEC §5); serialises to the JSON of
/// `GET /api/v1/stats/annual`.
#[derive(Debug, Clone, PartialEq, DeriveSerialize)]
pub struct Annual {
    pub org: String,
    pub year: i16,
    pub new_cases: ByVenue<i64>,
    pub active_cases: i64,
    pub carried_over: i64,
    pub cumulative: i64,
    pub persons_with_new_case: i64,
    pub growth_pct: ByVenue<Option<i64>>,
    pub reports_of_concern: Reports,
}

/// Cases counted, not listed: `count` cases opened in `opened_year` and closed in
/// `closed_year` at `authority`. The store sends a long history's old closed cases this
/// way (they only add to the cumulative figure and to their years' history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseGroup {
    pub opened_year: i16,
    pub closed_year: i16,
    pub authority: String,
    pub count: i64,
}

/// SPEC §5 for organisation `org` and year `year`. `cases` and `reports` must be that
/// organisation's records (`org` is only the label); records of other years may be
/// included and are sorted out here.
pub fn annual(org: &str, year: i16, cases: &[CaseRec], reports: &[ReportRec]) -> Annual {
    annual_with_groups(org, year, cases, &[], reports)
}

/// `annual` with some cases given as `groups`: each must have been opened before the
/// year before `year` and closed before `year` (so it is neither new nor active).
pub fn annual_with_groups(
    org: &str,
    year: i16,
    cases: &[CaseRec],
    groups: &[CaseGroup],
    reports: &[ReportRec],
) -> Annual {
    let this_year = i32::from(year);
    let mut new_cases = ByVenue::default();
    let mut new_year_before = ByVenue::default();
    let (mut active_cases, mut carried_over, mut cumulative) = (0, 0, 0);
    let mut persons = HashSet::new();
    for case in cases {
        let opened = i32::from(case.opened_on.year());
        if opened > this_year {
            continue;
        }
        cumulative += 1;
        let venue = venue_of(&case.authority);
        if opened == this_year {
            new_cases.count(venue);
            persons.insert(case.person_id.as_str());
        } else if opened == this_year - 1 {
            new_year_before.count(venue);
        }
        // "Not closed before 1 January": a case closed on 1 January is active.
        if case
            .closed_on
            .is_none_or(|d| i32::from(d.year()) >= this_year)
        {
            active_cases += 1;
            carried_over += i64::from(opened < this_year);
        }
    }
    cumulative += groups
        .iter()
        .filter(|g| g.opened_year <= year)
        .map(|g| g.count)
        .sum::<i64>();
    Annual {
        org: org.to_owned(),
        year,
        new_cases,
        active_cases,
        carried_over,
        cumulative,
        persons_with_new_case: persons.len() as i64,
        growth_pct: new_cases.growth_since(&new_year_before),
        reports_of_concern: Reports::from(&report_counts(year, reports)),
    }
}

/// The case figures of one year (SPEC §5), as `annual` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearCases {
    pub year: i16,
    pub new_cases: ByVenue<i64>,
    pub active_cases: i64,
    pub carried_over: i64,
    pub cumulative: i64,
}

/// The case figures of every year from the first case's year up to `last`, in one pass:
/// what disclosure control needs to know of the years before (a count hidden one year can
/// be worked out from the next year's growth or cumulative figure).
pub fn case_history(cases: &[CaseRec], last: i16) -> Vec<YearCases> {
    case_history_with_groups(cases, &[], last)
}

/// `case_history` with some cases given as counted groups.
pub fn case_history_with_groups(
    cases: &[CaseRec],
    groups: &[CaseGroup],
    last: i16,
) -> Vec<YearCases> {
    let Some(first) = cases
        .iter()
        .map(|c| c.opened_on.year())
        .chain(groups.iter().map(|g| g.opened_year))
        .filter(|y| *y <= last)
        .min()
    else {
        return Vec::new();
    };
    let n = usize::try_from(last - first).unwrap_or(0) + 1;
    let mut years: Vec<YearCases> = (0..n)
        .map(|i| YearCases {
            year: first + i as i16,
            ..YearCases::default()
        })
        .collect();
    // Differences: a case is active from its opening year through its closing year.
    let (mut active, mut carried) = (vec![0i64; n + 1], vec![0i64; n + 1]);
    for case in cases {
        let opened = case.opened_on.year();
        if opened > last {
            continue;
        }
        let o = usize::try_from(opened - first).unwrap_or(0);
        years[o].new_cases.count(venue_of(&case.authority));
        let end = case.closed_on.map_or(last, |d| d.year().min(last));
        if end < opened {
            continue;
        }
        let e = usize::try_from(end - first).unwrap_or(0);
        active[o] += 1;
        active[e + 1] -= 1;
        carried[o + 1] += 1;
        carried[e + 1] -= 1;
    }
    for g in groups {
        if g.opened_year > last || g.opened_year < first {
            continue;
        }
        let o = usize::try_from(g.opened_year - first).unwrap_or(0);
        years[o].new_cases.add(venue_of(&g.authority), g.count);
        let end = g.closed_year.min(last);
        if end < g.opened_year {
            continue;
        }
        let e = usize::try_from(end - first).unwrap_or(0);
        active[o] += g.count;
        active[e + 1] -= g.count;
        carried[o + 1] += g.count;
        carried[e + 1] -= g.count;
    }
    let (mut a, mut c, mut cum) = (0, 0, 0);
    for (i, y) in years.iter_mut().enumerate() {
        a += active[i];
        // A case closed in its opening year is never carried over: its +1 and −1 cancel.
        c += carried[i];
        cum += y.new_cases.total;
        y.active_cases = a;
        y.carried_over = c;
        y.cumulative = cum;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use serde_json::{json, Value};

    fn case(person: &str, authority: &str, opened: Date, closed: Option<Date>) -> CaseRec {
        CaseRec {
            id: format!("{person}-{opened}"),
            person_id: person.to_owned(),
            authority: authority.to_owned(),
            opened_on: opened,
            closed_on: closed,
        }
    }

    fn report(sent: Option<Date>, gender: &str, birth: Option<Date>, cats: &[&str]) -> ReportRec {
        ReportRec {
            id: format!("r-{sent:?}-{birth:?}"),
            case_id: "c".to_owned(),
            sent_on: sent,
            gender: gender.to_owned(),
            birth_date: birth,
            categories: cats.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn every_authority_code_of_spec_6_has_its_venue() {
        use Venue::*;
        let codes = [
            ("kommune", Kommune),
            ("familieretshuset", Familieretshuset),
            ("familieretten", Familieretshuset),
            ("ankestyrelsen", Kommune),
            ("ungdomskriminalitetsnaevnet", Kommune),
            ("boern_og_unge_udvalget", Kommune),
            ("retten", Kommune),
            ("jobcenter", Other),
            ("ydelse", Other),
            ("sundhed", Other),
            ("misbrugsbehandling", Other),
            ("bolig", Other),
            ("politi", Other),
            ("anden", Other),
        ];
        for (code, venue) in codes {
            assert_eq!(venue_of(code), venue, "{code}");
        }
        assert_eq!(venue_of("not-a-code"), Other);
    }

    #[test]
    fn age_counts_whole_years_and_a_leap_day_birthday_comes_on_1_march() {
        let birth = date(2008, 2, 29);
        assert_eq!(age_on(birth, date(2023, 2, 28)), 14);
        assert_eq!(age_on(birth, date(2023, 3, 1)), 15);
        assert_eq!(age_on(birth, date(2024, 2, 28)), 15);
        assert_eq!(age_on(birth, date(2024, 2, 29)), 16);
        assert_eq!(age_on(date(2010, 6, 15), date(2020, 6, 14)), 9);
        assert_eq!(age_on(date(2010, 6, 15), date(2020, 6, 15)), 10);
        assert_eq!(age_on(date(2021, 1, 1), date(2020, 12, 31)), -1);
    }

    #[test]
    fn age_bands_change_exactly_at_their_edges() {
        let edges = [
            (5, "0-5"),
            (6, "6-9"),
            (9, "6-9"),
            (10, "10-12"),
            (12, "10-12"),
        ];
        let more = [
            (13, "13-15"),
            (15, "13-15"),
            (16, "16-17"),
            (17, "16-17"),
            (18, "18+"),
        ];
        for (age, band) in edges
            .into_iter()
            .chain(more)
            .chain([(0, "0-5"), (40, "18+")])
        {
            assert_eq!(age_band(age), band, "age {age}");
        }
        // A band is decided by the age on the sent date: the day before the 13th
        // birthday the report is in 10-12, on the birthday in 13-15.
        let birth = Some(date(2007, 5, 10));
        let reports = [
            report(Some(date(2020, 5, 9)), "girl", birth, &[]),
            report(Some(date(2020, 5, 10)), "girl", birth, &[]),
        ];
        assert_eq!(report_counts(2020, &reports).age_band, [0, 0, 1, 1, 0, 0]);
    }

    #[test]
    fn cases_are_new_active_carried_over_and_cumulative_as_spec_5_defines() {
        let cases = [
            // Opened 2019, closed during 2020: active, carried over.
            case("p1", "kommune", date(2019, 3, 1), Some(date(2020, 6, 30))),
            // Closed 31 Dec 2019, before 1 Jan 2020: not active; still cumulative.
            case("p2", "kommune", date(2019, 5, 1), Some(date(2019, 12, 31))),
            // Closed ON 1 Jan 2020: not closed before 1 Jan, so active, carried over.
            case("p3", "retten", date(2019, 11, 11), Some(date(2020, 1, 1))),
            // Opened 2018, still open: active, carried over.
            case("p4", "familieretten", date(2018, 1, 1), None),
            // New on the first and the last day of 2020; p5 has two new cases.
            case("p5", "kommune", date(2020, 1, 1), None),
            case("p5", "familieretshuset", date(2020, 12, 31), None),
            // New, closed within the year, an `other` venue; p1 again (an older case).
            case("p1", "jobcenter", date(2020, 7, 7), Some(date(2020, 8, 8))),
            // Opened 2021: outside every 2020 figure.
            case("p6", "kommune", date(2021, 1, 1), None),
        ];
        let a = annual("bv", 2020, &cases, &[]);
        // new: p5 ×2 and p1's jobcenter case = 3 (kommune 1, familieretshuset 1, other 1).
        let by_venue = ByVenue {
            total: 3,
            kommune: 1,
            familieretshuset: 1,
            other: 1,
        };
        assert_eq!(a.new_cases, by_venue);
        // active: p1 (2019), p3, p4, and the 3 new = 6; carried over: p1, p3, p4 = 3.
        assert_eq!((a.active_cases, a.carried_over), (6, 3));
        // cumulative: every case but the 2021 one = 7.
        assert_eq!(a.cumulative, 7);
        // distinct persons among the 3 new cases: p5, p1.
        assert_eq!(a.persons_with_new_case, 2);
    }

    #[test]
    fn growth_is_rounded_half_away_from_zero_and_null_without_a_year_before() {
        let mut cases = Vec::new();
        // 2019: 8 kommune, 8 familieretshuset, 0 other.
        for n in 0..8 {
            cases.push(case(&format!("a{n}"), "kommune", date(2019, 2, 1), None));
            cases.push(case(
                &format!("b{n}"),
                "familieretshuset",
                date(2019, 2, 1),
                None,
            ));
        }
        // 2020: 9 kommune (+1/8 = +12.5 % → 13), 7 familieretshuset (−12.5 % → −13),
        // 2 other (2019 had none → null); total 18 vs 16 (+12.5 % → 13).
        for n in 0..9 {
            cases.push(case(
                &format!("c{n}"),
                "ankestyrelsen",
                date(2020, 3, 1),
                None,
            ));
        }
        for n in 0..7 {
            cases.push(case(
                &format!("d{n}"),
                "familieretten",
                date(2020, 3, 1),
                None,
            ));
        }
        cases.push(case("e1", "politi", date(2020, 3, 1), None));
        cases.push(case("e2", "bolig", date(2020, 3, 1), None));
        let g = annual("o", 2020, &cases, &[]).growth_pct;
        let expected = ByVenue {
            total: Some(13),
            kommune: Some(13),
            familieretshuset: Some(-13),
            other: None,
        };
        assert_eq!(g, expected);
        // The first year of all has no year before at all.
        assert_eq!(annual("o", 2019, &cases, &[]).growth_pct.total, None);
    }

    #[test]
    fn reports_are_counted_by_sent_date_and_shared_over_that_count() {
        let reports = [
            // 9 years old on the sent date; two categories and one repeated.
            report(
                Some(date(2020, 3, 1)),
                "girl",
                Some(date(2010, 6, 1)),
                &["fysisk_vold", "konflikt_i_hjemmet", "fysisk_vold"],
            ),
            // Birthday on the sent date: 14. An unknown category code is ignored.
            report(
                Some(date(2020, 6, 1)),
                "boy",
                Some(date(2006, 6, 1)),
                &["fysisk_vold", "x"],
            ),
            // Unknown birth date: in the base, in no age band, not in the mean.
            report(Some(date(2020, 12, 31)), "unknown", None, &["andet"]),
            // An adult's code counts as its child's code.
            report(Some(date(2020, 1, 1)), "woman", Some(date(2001, 1, 1)), &[]),
            // Not sent, or sent in another year: not reports of 2020.
            report(None, "girl", Some(date(2010, 1, 1)), &["andet"]),
            report(Some(date(2019, 12, 31)), "girl", None, &["andet"]),
            report(Some(date(2021, 1, 1)), "boy", None, &["andet"]),
        ];
        let r = annual("o", 2020, &[], &reports).reports_of_concern;
        // Base: 4 reports. Girls 2/4 (girl + woman), boy 1/4, unknown 1/4.
        assert_eq!(r.total, 4);
        let gender: Vec<f64> = r.gender_pct.iter().map(|(_, p)| p).collect();
        assert_eq!(gender, [50.0, 25.0, 0.0, 25.0]);
        // Ages 9, 14, 19 → bands 6-9, 13-15, 18+, each 1/4; the unknown one in none.
        let bands: Vec<f64> = r.age_band_pct.iter().map(|(_, p)| p).collect();
        assert_eq!(bands, [0.0, 25.0, 0.0, 25.0, 0.0, 25.0]);
        // Mean of the known ages only: (9 + 14 + 19) / 3 = 14.0.
        assert_eq!(r.mean_age, Some(14.0));
        // fysisk_vold in 2 of 4 reports (the repeat counts once); the shares of the
        // categories sum to 50 + 25 + 25 = 100 here, more when reports name several.
        assert_eq!(r.category_pct.get("fysisk_vold"), Some(50.0));
        assert_eq!(r.category_pct.get("konflikt_i_hjemmet"), Some(25.0));
        assert_eq!(r.category_pct.get("andet"), Some(25.0));
        assert_eq!(r.category_pct.get("mistrivsel"), Some(0.0));
    }

    #[test]
    fn shares_round_to_one_decimal_half_away_from_zero() {
        // 1 of 16 = 6.25 % → 6.3 (not the 6.2 of round-half-even); 1 of 6 = 16.67 → 16.7.
        assert_eq!((pct1(1, 16), pct1(1, 6), pct1(0, 0)), (6.3, 16.7, 0.0));
        // Mean age 12.25 → 12.3: ages 12, 12, 12, 13.
        let birth = |y| Some(date(y, 1, 1));
        let reports: Vec<_> = [2008, 2008, 2008, 2007]
            .into_iter()
            .map(|y| report(Some(date(2020, 6, 1)), "boy", birth(y), &[]))
            .collect();
        assert_eq!(
            annual("o", 2020, &[], &reports).reports_of_concern.mean_age,
            Some(12.3)
        );
    }

    #[test]
    fn a_year_without_reports_has_zero_shares_and_no_mean_age() {
        let r = annual("o", 2020, &[], &[]).reports_of_concern;
        assert_eq!((r.total, r.mean_age), (0, None));
        assert!(r.category_pct.iter().all(|(_, p)| p == 0.0));
    }

    /// Data built to give the model organisation's published 2020 figures (SPEC §5).
    fn model_organisation_2020() -> (Vec<CaseRec>, Vec<ReportRec>) {
        let kommune = [
            "kommune",
            "ankestyrelsen",
            "ungdomskriminalitetsnaevnet",
            "retten",
        ];
        let family = ["familieretshuset", "familieretten"];
        let day = |y: i16, n: usize| date(y, 1 + (n % 12) as i8, 1 + (n % 27) as i8);
        let mut cases = Vec::new();
        // 3,221 cases opened 2015–2018, all closed before 2020.
        for n in 0..3221 {
            let opened = day(2015 + (n % 4) as i16, n);
            cases.push(case(
                &format!("old{n}"),
                kommune[n % 4],
                opened,
                Some(date(2019, 6, 30)),
            ));
        }
        // 2019: 398 kommune-group + 169 familieretshuset-group = 567 new. The first 132
        // stay active into 2020 (open, closed 1 Jan 2020, or closed 2021), the rest
        // close on 31 Dec 2019.
        for n in 0..567 {
            let authority = if n < 398 {
                kommune[n % 4]
            } else {
                family[n % 2]
            };
            let closed = match (n < 132, n % 3) {
                (false, _) => Some(date(2019, 12, 31)),
                (true, 0) => None,
                (true, 1) => Some(date(2020, 1, 1)),
                (true, _) => Some(date(2021, 3, 1)),
            };
            cases.push(case(&format!("p2019-{n}"), authority, day(2019, n), closed));
        }
        // 2020: 438 + 236 = 674 new, each of a different person; 50 of those persons
        // also had a case in 2019.
        for n in 0..674 {
            let authority = if n < 438 {
                kommune[n % 4]
            } else {
                family[n % 2]
            };
            let person = if n < 50 {
                format!("p2019-{n}")
            } else {
                format!("p2020-{n}")
            };
            cases.push(case(&person, authority, day(2020, n), None));
        }
        // 2021 is not part of 2020's figures.
        for n in 0..10 {
            cases.push(case(&format!("p2021-{n}"), "kommune", day(2021, n), None));
        }
        // 173 reports sent in 2020, ages at the sent date: 8 × 5, 14 × 9, 34 × 12,
        // 57 × 13, 14 × 14, 45 × 16, 1 × 18.
        let ages = [
            (5, 8),
            (9, 14),
            (12, 34),
            (13, 57),
            (14, 14),
            (16, 45),
            (18, 1),
        ];
        let ages = ages
            .into_iter()
            .flat_map(|(age, n)| std::iter::repeat_n(age, n));
        let in_range = |i: usize, r: std::ops::Range<usize>| r.contains(&i);
        let mut reports = Vec::new();
        for (i, age) in ages.enumerate() {
            let sent = day(2020, i);
            // Half the children have had this year's birthday on the sent date, half
            // have it the next day.
            let birth = if i % 2 == 0 {
                date(2020 - age, sent.month(), sent.day())
            } else {
                date(2020 - age - 1, sent.month(), sent.day() + 1)
            };
            let categories: Vec<&str> = [
                ("konflikt_i_hjemmet", 0..87),
                ("psykisk_vold", 60..112),
                ("omsorgssvigt", 100..140),
                ("seksuelle_overgreb", 140..150),
                ("selvskade", 150..170),
                ("andet", 170..173),
            ]
            .into_iter()
            .filter(|(_, r)| in_range(i, r.clone()))
            .map(|(c, _)| c)
            .collect();
            let gender = if i < 123 { "girl" } else { "boy" };
            reports.push(report(Some(sent), gender, Some(birth), &categories));
        }
        reports.push(report(None, "girl", None, &["andet"]));
        reports.push(report(Some(date(2019, 12, 31)), "girl", None, &["andet"]));
        reports.push(report(Some(date(2021, 1, 1)), "boy", None, &["andet"]));
        (cases, reports)
    }

    #[test]
    fn the_model_organisations_2020_figures_come_out_of_matching_data() {
        let (cases, reports) = model_organisation_2020();
        let got = serde_json::to_value(annual("bv", 2020, &cases, &reports)).unwrap();
        let mut categories = serde_json::Map::new();
        for c in CATEGORIES {
            categories.insert(c.to_owned(), json!(0.0));
        }
        // Category shares over 173: 87 → 50.289 → 50.3; 52 → 30.058 → 30.1;
        // 40 → 23.121 → 23.1; 10 → 5.780 → 5.8; 20 → 11.561 → 11.6; 3 → 1.734 → 1.7.
        // They sum to 122.6: a report may name several categories.
        for (c, p) in [
            ("konflikt_i_hjemmet", 50.3),
            ("psykisk_vold", 30.1),
            ("omsorgssvigt", 23.1),
            ("seksuelle_overgreb", 5.8),
            ("selvskade", 11.6),
            ("andet", 1.7),
        ] {
            categories.insert(c.to_owned(), json!(p));
        }
        let expected = json!({
            "org": "bv", "year": 2020,
            // 438 + 236 new in 2020, none at an `other` authority.
            "new_cases": {"total": 674, "kommune": 438, "familieretshuset": 236, "other": 0},
            // active = 674 new + 132 carried over from 2019; cumulative =
            // 3,221 + 567 + 674 = 4,462 (the 2021 cases are not counted).
            "active_cases": 806, "carried_over": 132, "cumulative": 4462,
            "persons_with_new_case": 674,
            // 100·107/567 = 18.9 → 19; 100·40/398 = 10.05 → 10; 100·67/169 = 39.6 → 40;
            // other: 2019 had none → null.
            "growth_pct": {"total": 19, "kommune": 10, "familieretshuset": 40, "other": null},
            "reports_of_concern": {
                // The 3 reports unsent, of 2019 or of 2021 are not counted.
                "total": 173,
                // 123/173 = 71.10 %, 50/173 = 28.90 %.
                "gender_pct": {"girl": 71.1, "boy": 28.9, "other": 0.0, "unknown": 0.0},
                // 8, 14, 34, 57 + 14 = 71, 45, 1 of 173 → 4.62, 8.09, 19.65, 41.04,
                // 26.01, 0.58.
                "age_band_pct": {"0-5": 4.6, "6-9": 8.1, "10-12": 19.7, "13-15": 41.0,
                                 "16-17": 26.0, "18+": 0.6},
                // 40 + 126 + 408 + 741 + 196 + 720 + 18 = 2,249 = 13 × 173.
                "mean_age": 13.0,
                "category_pct": categories,
            }
        });
        assert_eq!(got, expected);
    }

    /// The key structure of a JSON value, with `category_pct` cut to the keys shown.
    fn keys(v: &Value, category_keys: &[&str]) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| !category_keys.is_empty() || k.as_str() != "x")
                    .map(|(k, v)| {
                        let inner = if k == "category_pct" {
                            let only =
                                |(c, _): (&String, &Value)| category_keys.contains(&c.as_str());
                            Value::Object(
                                v.as_object()
                                    .into_iter()
                                    .flatten()
                                    .filter(|e| only(*e))
                                    .map(|(c, _)| (c.clone(), Value::Null))
                                    .collect(),
                            )
                        } else {
                            keys(v, category_keys)
                        };
                        (k.clone(), inner)
                    })
                    .collect(),
            ),
            _ => Value::Null,
        }
    }

    #[test]
    fn the_json_has_the_shape_of_spec_5() {
        // The example of SPEC §5, as printed there.
        let spec: Value = serde_json::from_str(
            r#"{"org": "bv", "year": 2020,
             "new_cases": {"total": 674, "kommune": 438, "familieretshuset": 236, "other": 0},
             "active_cases": 806, "carried_over": 132, "cumulative": 4462,
             "persons_with_new_case": 674,
             "growth_pct": {"total": 19, "kommune": 10, "familieretshuset": 40, "other": null},
             "reports_of_concern": {"total": 173,
               "gender_pct": {"girl": 71.1, "boy": 28.9, "other": 0.0, "unknown": 0.0},
               "age_band_pct": {"0-5": 4.6, "6-9": 8.1, "10-12": 19.7, "13-15": 41.0,
                                "16-17": 26.0, "18+": 0.6},
               "mean_age": 13.0,
               "category_pct": {"mistrivsel": 0.0, "fysisk_vold": 0.0}}}"#,
        )
        .unwrap();
        let ours = serde_json::to_value(annual("o", 2020, &[], &[])).unwrap();
        let shown = ["mistrivsel", "fysisk_vold"];
        assert_eq!(keys(&ours, &shown), keys(&spec, &shown));
        // …and `category_pct` has every code of §6, in §6's order.
        let r = annual("o", 2020, &[], &[]).reports_of_concern;
        let text = serde_json::to_string(&r.category_pct).unwrap();
        let order: Vec<usize> = CATEGORIES
            .iter()
            .map(|c| text.find(&format!("\"{c}\"")).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }
}
