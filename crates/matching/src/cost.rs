//! THE preference between eligible bisiddere: one cost per (bisidder, request), lower is
//! better. [`crate::rank`] sorts by it and [`crate::assign_batch`] minimises its sum, so a
//! coordinator's list and the batch never disagree about who is better.
//!
//! SPEC §C3 orders the criteria: continuity first, then travel time, fair workload, the
//! person's wishes, reliability. The cost is a sum of points, one point being worth one
//! minute of travel:
//!
//! | part        | points                                                            |
//! |-------------|-------------------------------------------------------------------|
//! | continuity  | [`CONTINUITY_PENALTY`] when the request names a previous bisidder and this is someone else |
//! | travel      | one-way minutes, capped at [`TRAVEL_CAP_MINUTES`]                 |
//! | workload    | up to [`CASELOAD_WEIGHT`] by share of case limit used, plus up to [`WEEK_LOAD_WEIGHT`] by share of the week's hours used |
//! | wishes      | [`WISH_WEIGHT`] for each wish (gender, language) not met          |
//! | reliability | up to [`RELIABILITY_WEIGHT`] by share of offers not answered in time |
//!
//! The continuity penalty exceeds the largest possible sum of all other parts, so the
//! previous bisidder, when eligible, always comes first. The other parts trade off:
//! a full caseload weighs like 20 minutes' more travel, an unmet wish like 15.

use crate::eligibility::Eligible;
use crate::model::{Bisidder, Request};

/// Points; one point is worth one minute of travel.
pub type Cost = u32;

/// Added when the request has a previous bisidder and the candidate is someone else.
pub const CONTINUITY_PENALTY: Cost = 1000;
/// Journeys longer than this all count the same (10 hours).
pub const TRAVEL_CAP_MINUTES: u32 = 600;
/// Points for a bisidder whose open cases are at their limit.
pub const CASELOAD_WEIGHT: Cost = 20;
/// Points for a bisidder whose week is fully booked.
pub const WEEK_LOAD_WEIGHT: Cost = 10;
/// Points for each of the person's wishes not met.
pub const WISH_WEIGHT: Cost = 15;
/// Points for a bisidder who never answers offers in time.
pub const RELIABILITY_WEIGHT: Cost = 10;

const _: () = assert!(
    TRAVEL_CAP_MINUTES + CASELOAD_WEIGHT + WEEK_LOAD_WEIGHT + 2 * WISH_WEIGHT + RELIABILITY_WEIGHT
        < CONTINUITY_PENALTY,
    "continuity must outweigh every other part together"
);

/// A cost split into its parts (for display and tests); [`CostParts::total`] is
/// [`cost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CostParts {
    pub continuity: Cost,
    pub travel: Cost,
    pub workload: Cost,
    pub wishes: Cost,
    pub reliability: Cost,
}

impl CostParts {
    pub const fn total(&self) -> Cost {
        self.continuity + self.travel + self.workload + self.wishes + self.reliability
    }
}

/// Why a candidate ranks where it does; the app turns each into words.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The request names a previous bisidder: is this them?
    Continuity { kept: bool },
    /// Estimated one-way journey.
    Travel { minutes: u32 },
    /// The meeting is in a kommune they serve (their travel limit does not apply).
    ServesArea,
    /// Their load before this request.
    Workload {
        open_cases: u32,
        max_open_cases: u32,
        week_minutes: u32,
        max_week_minutes: u32,
    },
    /// The person wished for a gender: is it met?
    WishedGender { met: bool },
    /// The person wished for a language: is it met?
    WishedLanguage { met: bool },
    /// Share of offers answered in time, in percent.
    Reliability { pct: u8 },
}

/// The cost of giving request `r` to bisidder `b`, who is eligible for it as `e` says.
pub fn cost(b: &Bisidder, r: &Request, e: &Eligible) -> Cost {
    cost_parts(b, r, e).total()
}

/// [`cost`] by part.
pub fn cost_parts(b: &Bisidder, r: &Request, e: &Eligible) -> CostParts {
    CostParts {
        continuity: if r.previous_bisidder.is_some() && !is_previous(b, r) {
            CONTINUITY_PENALTY
        } else {
            0
        },
        travel: e.travel_minutes.min(TRAVEL_CAP_MINUTES),
        workload: share_points(b.open_cases, b.max_open_cases, CASELOAD_WEIGHT)
            + share_points(
                b.booked_minutes(r.week_key),
                b.max_minutes_per_week,
                WEEK_LOAD_WEIGHT,
            ),
        wishes: [wished_gender_met(b, r), wished_language_met(b, r)]
            .into_iter()
            .filter(|met| *met == Some(false))
            .count() as Cost
            * WISH_WEIGHT,
        reliability: ((1.0 - reliability(b)) * RELIABILITY_WEIGHT as f32).round() as Cost,
    }
}

/// The reasons behind [`cost`], in the order of SPEC §C3. Continuity and wishes appear
/// only when the request names a previous bisidder or a wish.
pub fn reasons(b: &Bisidder, r: &Request, e: &Eligible) -> Vec<Reason> {
    let mut reasons = Vec::with_capacity(7);
    if r.previous_bisidder.is_some() {
        reasons.push(Reason::Continuity {
            kept: is_previous(b, r),
        });
    }
    reasons.push(Reason::Travel {
        minutes: e.travel_minutes,
    });
    if e.via_area {
        reasons.push(Reason::ServesArea);
    }
    reasons.push(Reason::Workload {
        open_cases: b.open_cases,
        max_open_cases: b.max_open_cases,
        week_minutes: b.booked_minutes(r.week_key),
        max_week_minutes: b.max_minutes_per_week,
    });
    if let Some(met) = wished_gender_met(b, r) {
        reasons.push(Reason::WishedGender { met });
    }
    if let Some(met) = wished_language_met(b, r) {
        reasons.push(Reason::WishedLanguage { met });
    }
    reasons.push(Reason::Reliability {
        pct: (reliability(b) * 100.0).round() as u8,
    });
    reasons
}

/// Whether `b` is the person's previous bisidder.
pub fn is_previous(b: &Bisidder, r: &Request) -> bool {
    r.previous_bisidder.as_deref() == Some(b.id.as_str())
}

fn wished_gender_met(b: &Bisidder, r: &Request) -> Option<bool> {
    let wish = r.wished_gender.as_deref()?;
    Some(
        b.gender
            .as_deref()
            .is_some_and(|g| g.eq_ignore_ascii_case(wish)),
    )
}

fn wished_language_met(b: &Bisidder, r: &Request) -> Option<bool> {
    let wish = r.wished_language.as_deref()?;
    Some(b.languages.iter().any(|l| l.eq_ignore_ascii_case(wish)))
}

/// Reliability clamped to `0..=1` (a NaN counts as new: 1).
fn reliability(b: &Bisidder) -> f32 {
    if b.reliability.is_nan() {
        1.0
    } else {
        b.reliability.clamp(0.0, 1.0)
    }
}

/// `weight × used / limit`, rounded, at most `weight` (a zero limit counts as full).
fn share_points(used: u32, limit: u32, weight: Cost) -> Cost {
    if limit == 0 || used >= limit {
        return weight;
    }
    let points =
        (u64::from(used) * u64::from(weight) * 2 + u64::from(limit)) / (2 * u64::from(limit));
    points as Cost
}
