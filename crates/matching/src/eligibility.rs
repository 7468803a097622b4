//! The candidate filter (SPEC §C3): may this bisidder take this request at all?
//!
//! [`eligibility`] names every rule a bisidder fails, so a coordinator can see why
//! someone is missing from the list. Ranking and batch assignment use the same rules
//! through [`is_eligible`], which stops at the first failure and checks the cheap rules
//! before the journeys.

use crate::model::{Bisidder, Interval, Request};

/// Journeys are never checked between engagements this far apart: no journey in
/// Denmark takes a day (the longest in the model, island to island, is under 11 hours).
pub const TRAVEL_HORIZON_SECONDS: i64 = 24 * 3600;

/// What the matcher knows about an eligible bisidder for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eligible {
    /// Estimated minutes from the bisidder's base to the meeting (one way).
    pub travel_minutes: u32,
    /// The meeting is in a kommune they serve, so their travel limit does not apply.
    pub via_area: bool,
}

/// One reason a bisidder cannot take a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    /// Not active or not approved.
    Inactive,
    /// Lacks a required skill or training.
    MissingSkill { skill: String },
    /// Does not speak the language the person needs.
    MissingLanguage { language: String },
    /// Outside the areas they serve and beyond their maximum travel.
    TooFar {
        travel_minutes: u32,
        max_travel_minutes: u32,
    },
    /// No journey is known: an island without a modelled ferry.
    Unreachable,
    /// Not available for the whole span plus the journey there and back.
    NotAvailable,
    /// An existing booking overlaps, or is too close for the journey between the two.
    DoubleBooked { busy: Interval },
    /// Already at their limit of open cases.
    CaseLimit {
        open_cases: u32,
        max_open_cases: u32,
    },
    /// The request's work would take them over their weekly limit.
    WeeklyLimit {
        booked_minutes: u32,
        request_minutes: u32,
        max_minutes: u32,
    },
    /// A recorded conflict of interest with the person.
    ConflictOfInterest,
}

/// [`Ineligible`] without its details, for counting reasons over a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IneligibleKind {
    Inactive,
    CaseLimit,
    WeeklyLimit,
    ConflictOfInterest,
    MissingSkill,
    MissingLanguage,
    Unreachable,
    TooFar,
    NotAvailable,
    DoubleBooked,
}

impl Ineligible {
    pub const fn kind(&self) -> IneligibleKind {
        match self {
            Ineligible::Inactive => IneligibleKind::Inactive,
            Ineligible::MissingSkill { .. } => IneligibleKind::MissingSkill,
            Ineligible::MissingLanguage { .. } => IneligibleKind::MissingLanguage,
            Ineligible::TooFar { .. } => IneligibleKind::TooFar,
            Ineligible::Unreachable => IneligibleKind::Unreachable,
            Ineligible::NotAvailable => IneligibleKind::NotAvailable,
            Ineligible::DoubleBooked { .. } => IneligibleKind::DoubleBooked,
            Ineligible::CaseLimit { .. } => IneligibleKind::CaseLimit,
            Ineligible::WeeklyLimit { .. } => IneligibleKind::WeeklyLimit,
            Ineligible::ConflictOfInterest => IneligibleKind::ConflictOfInterest,
        }
    }
}

/// Whether `b` may take `r`: the journey if so, otherwise every rule that fails, in the
/// order of [`IneligibleKind`].
pub fn eligibility(b: &Bisidder, r: &Request) -> Result<Eligible, Vec<Ineligible>> {
    let mut all = CollectAll(Vec::new());
    match evaluate(b, r, &mut all) {
        Some(eligible) => Ok(eligible),
        None => Err(all.0),
    }
}

/// [`eligibility`] without the reasons: stops at the first failing rule.
pub fn is_eligible(b: &Bisidder, r: &Request) -> Option<Eligible> {
    evaluate(b, r, &mut StopAtFirst)
}

/// True when one person cannot attend both engagements: they overlap, or the gap
/// between them is shorter than the journey from the first place to the second. An
/// unknown journey (island without a modelled ferry) is taken as impossible within
/// [`TRAVEL_HORIZON_SECONDS`]. Empty intervals clash with nothing.
pub fn clashes(a: &Interval, a_place: geo::Place, b: &Interval, b_place: geo::Place) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a.overlaps(b) {
        return true;
    }
    let (first, first_place, second, second_place) = if a.end <= b.start {
        (a, a_place, b, b_place)
    } else {
        (b, b_place, a, a_place)
    };
    let gap = second.start - first.end;
    if gap >= TRAVEL_HORIZON_SECONDS {
        return false;
    }
    match geo::travel_minutes(first_place, second_place) {
        Some(minutes) => i64::from(minutes) * 60 > gap,
        None => true,
    }
}

/// Where the failing rules go: collected, or the evaluation stops at the first.
trait Verdicts {
    /// Records a failing rule; returns whether to go on checking.
    fn fail(&mut self, why: impl FnOnce() -> Ineligible) -> bool;
}

struct CollectAll(Vec<Ineligible>);

impl Verdicts for CollectAll {
    fn fail(&mut self, why: impl FnOnce() -> Ineligible) -> bool {
        self.0.push(why());
        true
    }
}

struct StopAtFirst;

impl Verdicts for StopAtFirst {
    fn fail(&mut self, _why: impl FnOnce() -> Ineligible) -> bool {
        false
    }
}

/// The one implementation of the rules. Cheap rules first, journeys last.
fn evaluate(b: &Bisidder, r: &Request, verdicts: &mut impl Verdicts) -> Option<Eligible> {
    let mut ok = true;
    // `check!(failing, reason)`: records the reason; returns early when told to stop.
    macro_rules! check {
        ($failing:expr, $why:expr) => {
            if $failing {
                ok = false;
                if !verdicts.fail(|| $why) {
                    return None;
                }
            }
        };
    }

    check!(!b.active, Ineligible::Inactive);
    check!(
        b.open_cases >= b.max_open_cases,
        Ineligible::CaseLimit {
            open_cases: b.open_cases,
            max_open_cases: b.max_open_cases,
        }
    );
    let booked = b.booked_minutes(r.week_key);
    check!(
        booked.saturating_add(r.work_minutes) > b.max_minutes_per_week,
        Ineligible::WeeklyLimit {
            booked_minutes: booked,
            request_minutes: r.work_minutes,
            max_minutes: b.max_minutes_per_week,
        }
    );
    let conflict = r
        .person_id
        .as_ref()
        .is_some_and(|person| b.conflicts.iter().any(|c| c == person));
    check!(conflict, Ineligible::ConflictOfInterest);
    for skill in &r.required_skills {
        check!(
            !contains_code(&b.skills, skill),
            Ineligible::MissingSkill {
                skill: skill.clone()
            }
        );
    }
    if let Some(language) = &r.language {
        check!(
            !contains_code(&b.languages, language),
            Ineligible::MissingLanguage {
                language: language.clone()
            }
        );
    }
    let via_area = r
        .kommune_code
        .as_ref()
        .is_some_and(|k| b.areas.iter().any(|a| a == k));
    let travel = geo::travel_minutes(b.base, r.place);
    match travel {
        None => check!(true, Ineligible::Unreachable),
        Some(minutes) => check!(
            !via_area && minutes > b.max_travel_minutes,
            Ineligible::TooFar {
                travel_minutes: minutes,
                max_travel_minutes: b.max_travel_minutes,
            }
        ),
    }
    // Without a known journey, at least the meeting itself must fit.
    let journey = i64::from(travel.unwrap_or(0)) * 60;
    check!(
        !covered(&b.available, r.span.padded(journey, journey)),
        Ineligible::NotAvailable
    );
    for busy in &b.busy {
        check!(
            clashes(&busy.interval, busy.place, &r.span, r.place),
            Ineligible::DoubleBooked {
                busy: busy.interval
            }
        );
    }

    match (ok, travel) {
        (true, Some(travel_minutes)) => Some(Eligible {
            travel_minutes,
            via_area,
        }),
        _ => None,
    }
}

/// Skill and language codes compare without regard to ASCII case.
fn contains_code(codes: &[String], wanted: &str) -> bool {
    codes.iter().any(|c| c.eq_ignore_ascii_case(wanted))
}

/// Whether the union of `windows` covers all of `needed`. Windows may be unsorted,
/// touching or overlapping; there are few of them, so this walks forward from the start
/// rather than sorting.
pub(crate) fn covered(windows: &[Interval], needed: Interval) -> bool {
    if needed.is_empty() {
        return true;
    }
    let mut reached = needed.start;
    while reached < needed.end {
        let next = windows
            .iter()
            .filter(|w| w.start <= reached && reached < w.end)
            .map(|w| w.end)
            .max();
        match next {
            Some(end) => reached = end,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
#[path = "eligibility_tests.rs"]
mod tests;
