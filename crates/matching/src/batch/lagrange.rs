//! Lagrangian relaxation with exact per-bisidder subproblems, used when clashes or
//! weekly limits make the flow relaxation loose (scarce pools).
//!
//! Relax "each request at most once" with a price `λ_r ≥ 0` per request. Then every
//! bisidder independently picks the feasible set of requests (case slots, weekly
//! minutes, no clashes) of greatest `Σ (profit − λ_r)`, profit being a large constant
//! less the cost (so that assigning more comes first). The prices follow subgradient
//! steps: up for requests several bisiddere want, down for requests nobody takes.
//! Every few steps the bisiddere's picks, each request kept by its cheapest picker,
//! form a feasible plan; polished by the local search, the best one found is kept.

use super::instance::Instance;
use super::pattern::Pattern;
use super::plan::Plan;

/// Subgradient steps.
const ITERATIONS: usize = 150;
/// A plan is built from the picks every this many steps.
const PRIMAL_EVERY: usize = 5;

/// Improves `plan` from Lagrangian picks; `polish` is the local search to apply to each
/// candidate. Returns what the prices prove: no plan assigning at least as many
/// requests as the final `plan` costs less (0 when nothing is proven).
pub(crate) fn improve_by_prices(
    inst: &Instance,
    plan: &mut Plan,
    polish: impl Fn(&Instance, &mut Plan),
) -> u64 {
    let n = inst.request_count();
    let big = f64::from(
        inst.edges
            .iter()
            .flatten()
            .map(|e| e.cost)
            .max()
            .unwrap_or(0),
    ) * 2.0
        + 1.0;
    let profit = |r: u32, b: u32| big - f64::from(inst.cost(r, b).unwrap_or(0));
    let mut price = vec![0.0f64; n];
    let mut upper = f64::INFINITY;
    let mut theta = 2.0;
    let mut since_better = 0;
    let mut picks: Vec<Vec<u32>> = vec![Vec::new(); inst.bisidder_count()];
    let patterns: Vec<Pattern> = (0..inst.bisidder_count() as u32)
        .map(|b| Pattern::new(inst, b))
        .collect();
    let mut weights = Vec::new();
    // The bound holds only if every subproblem was solved to the end.
    let mut exact = true;
    for step in 0..ITERATIONS {
        let mut value: f64 = price.iter().sum();
        let mut taken = vec![0i32; n];
        for b in 0..inst.bisidder_count() as u32 {
            let pattern = &patterns[b as usize];
            weights.clear();
            weights.extend(
                pattern
                    .requests()
                    .iter()
                    .map(|&r| profit(r, b) - price[r as usize]),
            );
            let (v, set, complete) = pattern.best(&weights);
            exact &= complete;
            value += v;
            for &r in &set {
                taken[r as usize] += 1;
            }
            picks[b as usize] = set;
        }
        if value < upper - 1e-9 {
            upper = value;
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= 10 {
                theta /= 2.0;
                since_better = 0;
            }
        }
        if step % PRIMAL_EVERY == PRIMAL_EVERY - 1 {
            let mut candidate = plan_from_picks(inst, &picks);
            polish(inst, &mut candidate);
            if candidate.better_than(plan) {
                *plan = candidate;
            }
        }
        let lower: f64 = plan
            .of
            .iter()
            .enumerate()
            .filter_map(|(r, o)| o.map(|(b, _)| profit(r as u32, b)))
            .sum();
        let gradient: Vec<f64> = taken
            .iter()
            .enumerate()
            .map(|(r, &t)| {
                let g = 1.0 - f64::from(t);
                // A request nobody is eligible for keeps price 0.
                if inst.edges[r].is_empty() {
                    0.0
                } else {
                    g
                }
            })
            .collect();
        let norm: f64 = gradient.iter().map(|g| g * g).sum();
        if norm == 0.0 || upper - lower < 0.5 {
            break;
        }
        let step_size = theta * (upper - lower).max(1.0) / norm;
        for (p, g) in price.iter_mut().zip(&gradient) {
            *p = (*p - step_size * g).max(0.0);
        }
    }
    // Every plan P: assigned(P) · big − cost(P) ≤ upper. So a plan assigning at least
    // k requests costs at least k · big − upper.
    let k = f64::from(plan.assigned);
    let bound = if exact && upper.is_finite() {
        // Allow for rounding in the floating-point sums before rounding up.
        let slack = 1e-6 * (k * big).max(1.0);
        (k * big - upper - slack).ceil().max(0.0)
    } else {
        0.0
    };
    bound as u64
}

/// Each request to the cheapest bisidder that picked it.
fn plan_from_picks(inst: &Instance, picks: &[Vec<u32>]) -> Plan {
    let mut best: Vec<Option<(u32, u32)>> = vec![None; inst.request_count()];
    for (b, set) in picks.iter().enumerate() {
        for &r in set {
            let cost = inst.cost(r, b as u32).unwrap_or(u32::MAX);
            if best[r as usize].is_none_or(|(c, _)| cost < c) {
                best[r as usize] = Some((cost, b as u32));
            }
        }
    }
    let mut plan = Plan::empty(inst);
    for (r, choice) in best.iter().enumerate() {
        if let Some((_, b)) = choice {
            if plan.can_take(inst, *b, r as u32, None) {
                plan.place(inst, r as u32, *b);
            }
        }
    }
    plan
}
