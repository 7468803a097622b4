//! Each rule of the candidate filter on hand-built cases.

use super::*;
use crate::gen::{bisidder_in, request_in, town, MONDAY, WEEK_KEY};
use crate::model::Busy;

const HOUR: i64 = 3600;

fn kinds(b: &Bisidder, r: &Request) -> Vec<IneligibleKind> {
    match eligibility(b, r) {
        Ok(_) => Vec::new(),
        Err(why) => why.iter().map(Ineligible::kind).collect(),
    }
}

#[test]
fn a_local_bisidder_free_all_week_is_eligible() {
    let b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Aarhus", 1, 10);
    let e = eligibility(&b, &r).expect("eligible");
    assert_eq!(e.travel_minutes, 0);
    assert_eq!(is_eligible(&b, &r), Some(e));
}

#[test]
fn every_failing_rule_is_named() {
    let mut b = bisidder_in("b", "Aarhus");
    b.active = false;
    b.skills = vec!["adults".into()];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.required_skills = vec!["children".into(), "familieretshuset".into()];
    r.language = Some("ar".into());
    assert_eq!(
        eligibility(&b, &r).unwrap_err(),
        vec![
            Ineligible::Inactive,
            Ineligible::MissingSkill {
                skill: "children".into()
            },
            Ineligible::MissingSkill {
                skill: "familieretshuset".into()
            },
            Ineligible::MissingLanguage {
                language: "ar".into()
            },
        ]
    );
    assert_eq!(is_eligible(&b, &r), None);
}

#[test]
fn skills_and_languages_ignore_case() {
    let mut b = bisidder_in("b", "Aarhus");
    b.skills = vec!["Children".into()];
    b.languages = vec!["AR".into()];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.language = Some("ar".into());
    assert!(is_eligible(&b, &r).is_some());
}

#[test]
fn beyond_max_travel_is_too_far_unless_the_kommune_is_served() {
    let mut b = bisidder_in("b", "Aalborg");
    b.max_travel_minutes = 60;
    let r = request_in("r", "København", 1, 10);
    let why = eligibility(&b, &r).unwrap_err();
    let [Ineligible::TooFar {
        travel_minutes,
        max_travel_minutes: 60,
    }] = why.as_slice()
    else {
        panic!("expected only TooFar, got {why:?}");
    };
    assert!(*travel_minutes > 200, "{travel_minutes}");

    b.areas = vec!["0101".into()]; // København's kommune
    let e = eligibility(&b, &r).expect("served area");
    assert!(e.via_area);
    assert_eq!(e.travel_minutes, *travel_minutes);
}

#[test]
fn bornholm_reaches_copenhagen_with_the_ferry() {
    let mut b = bisidder_in("b", "Rønne");
    b.max_travel_minutes = 300;
    let r = request_in("r", "København", 1, 10);
    let e = eligibility(&b, &r).expect("reachable by ferry");
    // Ystad–Rønne takes 80 minutes plus waiting, then the drive via Øresund.
    assert!(
        (150..300).contains(&e.travel_minutes),
        "{}",
        e.travel_minutes
    );
}

#[test]
fn an_island_without_a_modelled_ferry_is_unreachable() {
    let b = bisidder_in("b", "Marstal");
    let mut r = request_in("r", "Marstal", 1, 10);
    r.place = geo::Place::from(geo::postcode("5965").expect("Birkholm's postcode"));
    assert_eq!(kinds(&b, &r), vec![IneligibleKind::Unreachable]);
}

#[test]
fn availability_must_cover_the_span_and_the_journeys() {
    let mut b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Odense", 1, 10);
    let journey = i64::from(geo::travel_minutes(town("Aarhus"), town("Odense")).unwrap_or(0)) * 60;
    assert!(journey > HOUR);
    // The meeting itself fits, the drive there does not.
    b.available = vec![Interval::new(r.span.start - 30 * 60, r.span.end + journey)];
    assert_eq!(kinds(&b, &r), vec![IneligibleKind::NotAvailable]);
    // Two windows that touch count as one.
    let mid = r.span.start + 3600;
    b.available = vec![
        Interval::new(mid, r.span.end + journey),
        Interval::new(r.span.start - journey, mid),
    ];
    assert!(is_eligible(&b, &r).is_some());
}

#[test]
fn an_overlapping_booking_is_a_double_booking() {
    let mut b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Aarhus", 1, 10);
    let busy = Interval::new(r.span.end - 60, r.span.end + HOUR);
    b.busy = vec![Busy {
        interval: busy,
        place: town("Aarhus"),
    }];
    assert_eq!(
        eligibility(&b, &r).unwrap_err(),
        vec![Ineligible::DoubleBooked { busy }]
    );
}

#[test]
fn back_to_back_bookings_conflict_only_when_the_journey_does_not_fit() {
    let mut b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Odense", 1, 12);
    // A booking in Aarhus ending 30 minutes before the formøde in Odense (106 min away).
    let before = Interval::new(r.span.start - 3 * HOUR, r.span.start - 30 * 60);
    b.busy = vec![Busy {
        interval: before,
        place: town("Aarhus"),
    }];
    assert_eq!(kinds(&b, &r), vec![IneligibleKind::DoubleBooked]);
    // The same booking in Odense itself leaves time enough.
    b.busy[0].place = town("Odense");
    assert!(is_eligible(&b, &r).is_some());
    // A booking after the eftermøde counts the journey the other way.
    b.busy = vec![Busy {
        interval: Interval::new(r.span.end + 30 * 60, r.span.end + 2 * HOUR),
        place: town("Aarhus"),
    }];
    assert_eq!(kinds(&b, &r), vec![IneligibleKind::DoubleBooked]);
}

#[test]
fn case_and_weekly_limits() {
    let mut b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Aarhus", 1, 10);
    b.open_cases = 5;
    b.max_open_cases = 5;
    b.booked_minutes_by_week = vec![(WEEK_KEY, 40 * 60 - 100)];
    assert_eq!(
        eligibility(&b, &r).unwrap_err(),
        vec![
            Ineligible::CaseLimit {
                open_cases: 5,
                max_open_cases: 5
            },
            Ineligible::WeeklyLimit {
                booked_minutes: 40 * 60 - 100,
                request_minutes: 150,
                max_minutes: 40 * 60
            },
        ]
    );
    // Minutes booked in another week do not count.
    b.open_cases = 4;
    b.booked_minutes_by_week = vec![(WEEK_KEY + 1, 40 * 60)];
    assert!(is_eligible(&b, &r).is_some());
}

#[test]
fn a_recorded_conflict_of_interest_excludes() {
    let mut b = bisidder_in("b", "Aarhus");
    let r = request_in("r", "Aarhus", 1, 10);
    b.conflicts = vec!["someone else".into(), "person-r".into()];
    assert_eq!(kinds(&b, &r), vec![IneligibleKind::ConflictOfInterest]);
}

#[test]
fn clashes_need_the_journey_between_the_two_places() {
    let start = MONDAY + 10 * HOUR;
    let a = Interval::new(start, start + HOUR);
    let right_after = Interval::new(start + HOUR, start + 2 * HOUR);
    let (aarhus, odense) = (town("Aarhus"), town("Odense"));
    assert!(!clashes(&a, aarhus, &right_after, aarhus));
    assert!(clashes(&a, aarhus, &right_after, odense));
    assert!(clashes(&right_after, odense, &a, aarhus));
    let next_day = Interval::new(start + 24 * HOUR, start + 25 * HOUR);
    assert!(!clashes(&a, aarhus, &next_day, odense));
    assert!(clashes(&a, aarhus, &a, aarhus));
}
