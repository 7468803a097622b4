//! Invariants of batch assignment on random instances from real towns.

use matching::gen::{scenario, Params, Scenario};
use matching::{assign_batch, assign_online, is_eligible};
use proptest::prelude::*;

use super::support::{assert_valid, could_also_take, pairs};

/// Small dense instances (many clashes), and wider ones around one town: scarce (few
/// bisiddere with few slots) or plentiful.
fn instances() -> impl Strategy<Value = Scenario> {
    (any::<u64>(), 1usize..14, 1usize..9, 0u8..3).prop_map(|(seed, n, m, kind)| {
        let params = match kind {
            0 => Params::dense(n, m),
            1 => Params {
                regions_without_bisiddere: Vec::new(),
                radius_km: Some(50.0),
                days: 3,
                ..Params::scarce(n * 3, m * 2)
            },
            _ => Params {
                radius_km: Some(60.0),
                days: 3,
                ..Params::plentiful(n * 2, m * 3)
            },
        };
        scenario(&params, seed)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_batch_breaks_no_constraint_and_leaves_no_easy_request(s in instances()) {
        let result = assign_batch(&s.requests, &s.pool);
        assert_valid(&s.requests, &s.pool, &result);
    }

    #[test]
    fn the_batch_assigns_at_least_as_many_as_online(s in instances()) {
        let batch = assign_batch(&s.requests, &s.pool);
        let online = assign_online(&s.requests, &s.pool);
        assert_valid(&s.requests, &s.pool, &online);
        prop_assert!(batch.summary.assigned >= online.summary.assigned);
        if let Some(bound) = batch.summary.bound {
            prop_assert!(batch.summary.assigned <= bound.max_assignable);
            prop_assert!(batch.summary.total_cost >= bound.cost_lower_bound);
        }
    }

    #[test]
    fn continuity_is_kept_whenever_the_previous_bisidder_could_take_it(s in instances()) {
        let result = assign_batch(&s.requests, &s.pool);
        let mut held: Vec<Vec<usize>> = vec![Vec::new(); s.pool.len()];
        for a in &result.assignments {
            held[a.bisidder_index].push(a.request_index);
        }
        for a in &result.assignments {
            let r = &s.requests[a.request_index];
            let Some(previous) = &r.previous_bisidder else { continue };
            let Some(p) = s.pool.iter().position(|b| &b.id == previous) else { continue };
            if p != a.bisidder_index {
                prop_assert!(
                    !could_also_take(&s.requests, &s.pool, &held[p], p, a.request_index),
                    "{} could have kept {}", r.id, previous
                );
            }
        }
    }

    #[test]
    fn a_single_request_gets_its_eligible_previous_bisidder(s in instances()) {
        for r in &s.requests {
            let Some(previous) = &r.previous_bisidder else { continue };
            let Some(p) = s.pool.iter().find(|b| &b.id == previous) else { continue };
            if is_eligible(p, r).is_some() {
                let result = assign_batch(std::slice::from_ref(r), &s.pool);
                prop_assert_eq!(&result.assignments[0].bisidder_id, previous);
            }
        }
    }

    #[test]
    fn the_batch_is_deterministic_and_ignores_input_order(s in instances()) {
        let first = assign_batch(&s.requests, &s.pool);
        prop_assert_eq!(&first, &assign_batch(&s.requests, &s.pool));
        let mut requests = s.requests.clone();
        requests.reverse();
        let mut pool = s.pool.clone();
        let half = pool.len() / 2;
        pool.rotate_left(half);
        let shuffled = assign_batch(&requests, &pool);
        prop_assert_eq!(pairs(&first), pairs(&shuffled));
        prop_assert_eq!(first.summary.total_cost, shuffled.summary.total_cost);
    }
}
