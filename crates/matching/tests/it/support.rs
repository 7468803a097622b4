//! Checks of a batch result against the hard constraints, shared by the tests.

use matching::{clashes, cost, is_eligible, BatchResult, Bisidder, Request, Unmatched};

/// Panics with a description of the first hard constraint the result breaks, or of a
/// request left unassigned although someone could still take it.
pub fn assert_valid(requests: &[Request], pool: &[Bisidder], result: &BatchResult) {
    assert_eq!(
        result.assignments.len() + result.unassigned.len(),
        requests.len(),
        "every request is either assigned or unassigned"
    );
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); pool.len()];
    for a in &result.assignments {
        let (r, b) = (&requests[a.request_index], &pool[a.bisidder_index]);
        assert_eq!((&r.id, &b.id), (&a.request_id, &a.bisidder_id));
        let e = is_eligible(b, r)
            .unwrap_or_else(|| panic!("{} got ineligible bisidder {}", r.id, b.id));
        assert_eq!(a.cost, cost(b, r, &e), "cost of {} with {}", r.id, b.id);
        held[a.bisidder_index].push(a.request_index);
    }
    for (bi, set) in held.iter().enumerate() {
        let b = &pool[bi];
        assert!(
            b.open_cases as usize + set.len() <= b.max_open_cases as usize,
            "{} over their case limit",
            b.id
        );
        for (i, &x) in set.iter().enumerate() {
            let rx = &requests[x];
            let week: u32 = set
                .iter()
                .map(|&y| &requests[y])
                .filter(|ry| ry.week_key == rx.week_key)
                .map(|ry| ry.work_minutes)
                .sum();
            assert!(
                b.booked_minutes(rx.week_key) + week <= b.max_minutes_per_week,
                "{} over their weekly minutes",
                b.id
            );
            for &y in &set[i + 1..] {
                let ry = &requests[y];
                assert!(
                    !clashes(&rx.span, rx.place, &ry.span, ry.place),
                    "{} double-booked with {} and {}",
                    b.id,
                    rx.id,
                    ry.id
                );
            }
        }
    }
    for u in &result.unassigned {
        let r = &requests[u.request_index];
        let eligible: Vec<usize> = (0..pool.len())
            .filter(|&bi| is_eligible(&pool[bi], r).is_some())
            .collect();
        match &u.why {
            Unmatched::NoEligibleBisidder { .. } => assert!(eligible.is_empty()),
            Unmatched::AllEligibleTaken { eligible: n } => {
                assert_eq!(*n as usize, eligible.len())
            }
        }
        for bi in eligible {
            assert!(
                !could_also_take(requests, pool, &held[bi], bi, u.request_index),
                "{} left unassigned although {} could take it",
                r.id,
                pool[bi].id
            );
        }
    }
}

/// Whether bisidder `bi`, holding `set`, could take request `x` as well.
pub fn could_also_take(
    requests: &[Request],
    pool: &[Bisidder],
    set: &[usize],
    bi: usize,
    x: usize,
) -> bool {
    let (b, rx) = (&pool[bi], &requests[x]);
    let others: Vec<&Request> = set
        .iter()
        .filter(|&&y| y != x)
        .map(|&y| &requests[y])
        .collect();
    let week: u32 = others
        .iter()
        .filter(|ry| ry.week_key == rx.week_key)
        .map(|ry| ry.work_minutes)
        .sum();
    is_eligible(b, rx).is_some()
        && b.open_cases as usize + others.len() < b.max_open_cases as usize
        && b.booked_minutes(rx.week_key) + week + rx.work_minutes <= b.max_minutes_per_week
        && others
            .iter()
            .all(|ry| !clashes(&rx.span, rx.place, &ry.span, ry.place))
}

/// The (request id, bisidder id) pairs of a result, sorted.
pub fn pairs(result: &BatchResult) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = result
        .assignments
        .iter()
        .map(|a| (a.request_id.clone(), a.bisidder_id.clone()))
        .collect();
    pairs.sort();
    pairs
}
