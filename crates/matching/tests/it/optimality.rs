//! The batch against an exhaustive search on small dense instances: as many assigned,
//! and a total cost within 2 % of the optimum (SPEC §8).

use matching::assign_batch;
use matching::exact;
use matching::gen::{scenario, Params};

#[test]
fn the_batch_is_within_two_percent_of_the_optimum() {
    let mut worst: (f64, u64) = (0.0, 0);
    let mut optimal = 0;
    let instances = 120;
    for seed in 0..instances {
        let params = Params {
            days: 1,
            radius_km: Some(30.0),
            max_open_cases: (1, 4),
            days_available: (3, 5),
            previous_share: 0.3,
            ..Params::dense(11, 5)
        };
        let s = scenario(&params, seed);
        let batch = assign_batch(&s.requests, &s.pool).summary;
        let best = exact::optimum(&s.requests, &s.pool);
        assert_eq!(
            batch.assigned, best.assigned,
            "seed {seed}: number assigned"
        );
        assert!(
            batch.total_cost >= best.total_cost,
            "seed {seed}: below the optimum?"
        );
        let gap = if best.total_cost == 0 {
            0.0
        } else {
            (batch.total_cost - best.total_cost) as f64 / best.total_cost as f64
        };
        assert!(
            gap <= 0.02,
            "seed {seed}: {:.2} % above the optimum",
            gap * 100.0
        );
        if gap > worst.0 {
            worst = (gap, seed);
        }
        optimal += usize::from(batch.total_cost == best.total_cost);
    }
    println!(
        "optimal in {optimal} of {instances}; worst gap {:.3} % (seed {})",
        worst.0 * 100.0,
        worst.1
    );
}
