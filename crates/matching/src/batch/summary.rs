//! The figures that describe a batch result's quality.

use super::instance::Instance;
use super::plan::Plan;
use crate::cost::is_previous;

/// What the relaxation proves about every possible plan for the same input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// No plan assigns more requests than this (from the flow relaxation).
    pub max_assignable: u32,
    /// No plan assigning as many requests as this one costs less (the higher of the flow
    /// relaxation's and, when it ran, the Lagrangian relaxation's bound).
    pub cost_lower_bound: u64,
}

/// How evenly the batch spreads work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Bisiddere given at least one request.
    pub bisiddere_used: u32,
    /// The most requests given to one bisidder.
    pub most_to_one: u32,
    /// Standard deviation, in percentage points, of the share of their case limit that
    /// each bisidder eligible for any request has in use after the batch.
    pub load_share_spread_pct: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: u32,
    pub assigned: u32,
    pub total_cost: u64,
    pub total_travel_minutes: u64,
    /// Requests that name a previous bisidder.
    pub continuity_wanted: u32,
    /// … whose previous bisidder is eligible.
    pub continuity_possible: u32,
    /// … that got their previous bisidder.
    pub continuity_kept: u32,
    pub workload: Workload,
    /// Present for [`crate::assign_batch`].
    pub bound: Option<Bound>,
}

impl Summary {
    /// Share of requests assigned, in percent (100 for an empty batch).
    pub fn fill_rate_pct(&self) -> f64 {
        if self.requests == 0 {
            100.0
        } else {
            100.0 * f64::from(self.assigned) / f64::from(self.requests)
        }
    }

    /// How far the total cost can at most be above the cheapest plan that assigns as
    /// many requests, in percent (`None` without a bound; 0 when the bound is 0).
    pub fn gap_bound_pct(&self) -> Option<f64> {
        let bound = self.bound?;
        if bound.cost_lower_bound == 0 {
            return Some(0.0);
        }
        let over = self.total_cost.saturating_sub(bound.cost_lower_bound) as f64;
        Some(100.0 * over / bound.cost_lower_bound as f64)
    }
}

pub(crate) fn summarise(inst: &Instance, plan: &Plan, bound: Option<Bound>) -> Summary {
    let mut total_travel_minutes = 0;
    let mut continuity_kept = 0;
    for (r, assigned) in plan.of.iter().enumerate() {
        if let Some((b, _)) = assigned {
            let (r, b) = (r as u32, *b);
            total_travel_minutes += inst
                .edge(r, b)
                .map_or(0, |e| u64::from(e.eligible.travel_minutes));
            continuity_kept += u32::from(is_previous(inst.bisidder(b), inst.request(r)));
        }
    }
    let continuity_wanted = (0..inst.request_count() as u32)
        .filter(|&r| inst.request(r).previous_bisidder.is_some())
        .count() as u32;
    let continuity_possible = (0..inst.request_count() as u32)
        .filter(|&r| {
            inst.edges[r as usize]
                .iter()
                .any(|e| is_previous(inst.bisidder(e.b), inst.request(r)))
        })
        .count() as u32;
    Summary {
        requests: inst.request_count() as u32,
        assigned: plan.assigned,
        total_cost: plan.total,
        total_travel_minutes,
        continuity_wanted,
        continuity_possible,
        continuity_kept,
        workload: workload(inst, plan),
        bound,
    }
}

fn workload(inst: &Instance, plan: &Plan) -> Workload {
    let shares: Vec<f64> = (0..inst.bisidder_count() as u32)
        .map(|b| {
            let bisidder = inst.bisidder(b);
            let open = bisidder.open_cases as usize + plan.holds[b as usize].len();
            100.0 * open as f64 / f64::from(bisidder.max_open_cases.max(1))
        })
        .collect();
    let mean = shares.iter().sum::<f64>() / shares.len().max(1) as f64;
    let variance =
        shares.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / shares.len().max(1) as f64;
    Workload {
        bisiddere_used: plan.holds.iter().filter(|h| !h.is_empty()).count() as u32,
        most_to_one: plan.holds.iter().map(Vec::len).max().unwrap_or(0) as u32,
        load_share_spread_pct: variance.sqrt(),
    }
}
