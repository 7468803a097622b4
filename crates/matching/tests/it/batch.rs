//! Batch and online assignment on hand-built cases.

use matching::gen::{bisidder_in, request_in};
use matching::{assign_batch, assign_online, IneligibleKind, Unmatched};

use super::support::{assert_valid, pairs};

#[test]
fn one_bisidder_cannot_take_two_meetings_at_the_same_time() {
    let pool = [bisidder_in("b", "Aarhus")];
    let requests = [
        request_in("r1", "Aarhus", 1, 10),
        request_in("r2", "Aarhus", 1, 11),
    ];
    let result = assign_batch(&requests, &pool);
    assert_valid(&requests, &pool, &result);
    assert_eq!(result.summary.assigned, 1);
    assert_eq!(
        result.unassigned[0].why,
        Unmatched::AllEligibleTaken { eligible: 1 }
    );
}

#[test]
fn back_to_back_meetings_in_different_towns_clash() {
    let requests = [
        request_in("r1", "Aarhus", 1, 9),
        request_in("r2", "Odense", 1, 12),
    ];
    let pool = [bisidder_in("b", "Vejle")];
    let result = assign_batch(&requests, &pool);
    assert_valid(&requests, &pool, &result);
    assert_eq!(
        result.summary.assigned, 1,
        "30 minutes is too little for the drive"
    );
    let pool = [bisidder_in("b", "Vejle"), bisidder_in("c", "Odense")];
    assert_eq!(assign_batch(&requests, &pool).summary.assigned, 2);
}

#[test]
fn the_batch_counts_its_own_assignments_against_limits() {
    let mut b = bisidder_in("b", "Aarhus");
    b.max_open_cases = 1;
    let requests = [
        request_in("r1", "Aarhus", 1, 10),
        request_in("r2", "Aarhus", 2, 10),
    ];
    let result = assign_batch(&requests, std::slice::from_ref(&b));
    assert_valid(&requests, std::slice::from_ref(&b), &result);
    assert_eq!(result.summary.assigned, 1, "case limit");

    b.max_open_cases = 5;
    b.max_minutes_per_week = 200;
    let result = assign_batch(&requests, std::slice::from_ref(&b));
    assert_eq!(result.summary.assigned, 1, "weekly minutes");
}

#[test]
fn a_request_nobody_can_take_says_why() {
    let mut inactive = bisidder_in("inactive", "Aarhus");
    inactive.active = false;
    let mut adults_only = bisidder_in("adults", "Aarhus");
    adults_only.skills = vec!["adults".into()];
    let pool = [inactive, adults_only];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.required_skills = vec!["children".into(), "court".into()];
    let result = assign_batch(&[r], &pool);
    assert_eq!(
        result.unassigned[0].why,
        Unmatched::NoEligibleBisidder {
            // Counted per bisidder: lacking two skills is one bisidder lacking skills.
            failing: vec![
                (IneligibleKind::Inactive, 1),
                (IneligibleKind::MissingSkill, 1)
            ]
        }
    );
}

#[test]
fn the_batch_assigns_more_than_first_come_first_served() {
    // r1 arrives first and prefers a, the only one who can take r2.
    let mut a = bisidder_in("a", "Aarhus");
    a.skills.push("court".into());
    let mut b = bisidder_in("b", "Horsens");
    b.skills.retain(|s| s != "court");
    let r1 = request_in("r1", "Aarhus", 1, 10);
    let mut r2 = request_in("r2", "Aarhus", 1, 11);
    r2.required_skills = vec!["court".into()];
    let (requests, pool) = ([r1, r2], [a, b]);
    let online = assign_online(&requests, &pool);
    let batch = assign_batch(&requests, &pool);
    assert_eq!(online.summary.assigned, 1);
    assert_eq!(batch.summary.assigned, 2);
    assert_valid(&requests, &pool, &batch);
    assert_valid(&requests, &pool, &online);
}

#[test]
fn a_single_request_gets_its_previous_bisidder() {
    let pool = [
        bisidder_in("near", "Aarhus"),
        bisidder_in("previous", "Skanderborg"),
    ];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.previous_bisidder = Some("previous".into());
    let result = assign_batch(&[r], &pool);
    assert_eq!(result.assignments[0].bisidder_id, "previous");
    assert_eq!(result.summary.continuity_kept, 1);
}

#[test]
fn the_input_order_does_not_matter() {
    let pool = vec![
        bisidder_in("b1", "Aarhus"),
        bisidder_in("b2", "Aarhus"),
        bisidder_in("b3", "Randers"),
    ];
    let requests = vec![
        request_in("r1", "Aarhus", 1, 10),
        request_in("r2", "Aarhus", 1, 10),
        request_in("r3", "Randers", 1, 10),
        request_in("r4", "Aarhus", 1, 13),
    ];
    let forward = assign_batch(&requests, &pool);
    let mut reversed_requests = requests.clone();
    reversed_requests.reverse();
    let mut reversed_pool = pool.clone();
    reversed_pool.reverse();
    let backward = assign_batch(&reversed_requests, &reversed_pool);
    assert_eq!(pairs(&forward), pairs(&backward));
    assert_eq!(forward.summary, backward.summary);
}

#[test]
fn nothing_to_do_is_fine() {
    let result = assign_batch(&[], &[]);
    assert_eq!(result.summary.assigned, 0);
    assert_eq!(result.summary.fill_rate_pct(), 100.0);
    let result = assign_batch(&[request_in("r", "Aarhus", 1, 10)], &[]);
    assert_eq!(result.unassigned.len(), 1);
}
