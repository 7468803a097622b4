//! An independent check of a solution against the raw input: every hard rule of SPEC
//! §C3 written out again here from the model's fields and the geography, NOT through
//! the crate's eligibility or batch code, so that a bug there (or in the export the
//! reference solvers read) shows up as a violation.

use matching::{Bisidder, Interval, Request};

/// One broken rule, for the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Violation {
    UnknownIndex,
    AssignedTwice,
    Inactive,
    NoFreeCaseSlot,
    MissingSkill,
    MissingLanguage,
    ConflictOfInterest,
    Unreachable,
    TooFar,
    NotAvailable,
    ClashesWithBooking,
    WeeklyLimit,
    CaseLimit,
    ClashInBatch,
}

/// Whether bisidder `b` may take request `r` on its own; `Ok(travel minutes)`.
pub fn pair(b: &Bisidder, r: &Request) -> Result<u32, Violation> {
    if !b.active {
        return Err(Violation::Inactive);
    }
    if b.open_cases >= b.max_open_cases {
        return Err(Violation::NoFreeCaseSlot);
    }
    let has =
        |codes: &[String], c: &str| codes.iter().any(|x| x.to_lowercase() == c.to_lowercase());
    if !r.required_skills.iter().all(|s| has(&b.skills, s)) {
        return Err(Violation::MissingSkill);
    }
    if r.language.as_deref().is_some_and(|l| !has(&b.languages, l)) {
        return Err(Violation::MissingLanguage);
    }
    if let Some(p) = &r.person_id {
        if b.conflicts.contains(p) {
            return Err(Violation::ConflictOfInterest);
        }
    }
    let travel = geo::travel_minutes(b.base, r.place).ok_or(Violation::Unreachable)?;
    let serves = r.kommune_code.as_ref().is_some_and(|k| b.areas.contains(k));
    if !serves && travel > b.max_travel_minutes {
        return Err(Violation::TooFar);
    }
    let journey = i64::from(travel) * 60;
    let needed = Interval::new(r.span.start - journey, r.span.end + journey);
    if !union_covers(&b.available, needed) {
        return Err(Violation::NotAvailable);
    }
    if b.busy
        .iter()
        .any(|busy| cannot_attend_both(busy.interval, busy.place, r.span, r.place))
    {
        return Err(Violation::ClashesWithBooking);
    }
    if booked(b, r.week_key) + r.work_minutes > b.max_minutes_per_week {
        return Err(Violation::WeeklyLimit);
    }
    Ok(travel)
}

/// Every violation of the plan `pairs` (request index, bisidder index).
pub fn plan(requests: &[Request], pool: &[Bisidder], pairs: &[(usize, usize)]) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut seen = vec![false; requests.len()];
    let mut by_bisidder: Vec<Vec<usize>> = vec![Vec::new(); pool.len()];
    for &(r, b) in pairs {
        if r >= requests.len() || b >= pool.len() {
            found.push(Violation::UnknownIndex);
            continue;
        }
        if std::mem::replace(&mut seen[r], true) {
            found.push(Violation::AssignedTwice);
        }
        if let Err(v) = pair(&pool[b], &requests[r]) {
            found.push(v);
        }
        by_bisidder[b].push(r);
    }
    for (b, held) in by_bisidder.iter().enumerate() {
        let bisidder = &pool[b];
        if bisidder.open_cases as usize + held.len() > bisidder.max_open_cases as usize {
            found.push(Violation::CaseLimit);
        }
        let mut weeks: Vec<i64> = held.iter().map(|&r| requests[r].week_key).collect();
        weeks.sort_unstable();
        weeks.dedup();
        for week in weeks {
            let minutes: u32 = held
                .iter()
                .filter(|&&r| requests[r].week_key == week)
                .map(|&r| requests[r].work_minutes)
                .sum();
            if booked(bisidder, week) + minutes > bisidder.max_minutes_per_week {
                found.push(Violation::WeeklyLimit);
            }
        }
        for (i, &x) in held.iter().enumerate() {
            for &y in &held[i + 1..] {
                let (a, c) = (&requests[x], &requests[y]);
                if cannot_attend_both(a.span, a.place, c.span, c.place) {
                    found.push(Violation::ClashInBatch);
                }
            }
        }
    }
    found
}

fn booked(b: &Bisidder, week: i64) -> u32 {
    b.booked_minutes_by_week
        .iter()
        .filter(|(w, _)| *w == week)
        .map(|(_, m)| m)
        .sum()
}

/// Sorted sweep over the windows.
fn union_covers(windows: &[Interval], needed: Interval) -> bool {
    let mut sorted: Vec<Interval> = windows.to_vec();
    sorted.sort();
    let mut reached = needed.start;
    for w in sorted {
        if reached >= needed.end {
            break;
        }
        if w.start <= reached && w.end > reached {
            reached = w.end;
        }
    }
    reached >= needed.end
}

/// One person cannot be at both: they overlap, or the gap is shorter than the journey
/// from the first place to the second (no journey known: impossible within a day).
fn cannot_attend_both(a: Interval, a_at: geo::Place, b: Interval, b_at: geo::Place) -> bool {
    if a.end <= a.start || b.end <= b.start {
        return false;
    }
    if a.start < b.end && b.start < a.end {
        return true;
    }
    let ((first, from), (second, to)) = if a.end <= b.start {
        ((a, a_at), (b, b_at))
    } else {
        ((b, b_at), (a, a_at))
    };
    let gap = second.start - first.end;
    if gap >= 24 * 3600 {
        return false;
    }
    geo::travel_minutes(from, to).is_none_or(|m| i64::from(m) * 60 > gap)
}
