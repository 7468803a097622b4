//! Assigning many open requests at once (SPEC §C3 "batch optimisation"), and one at a
//! time for comparison. The algorithm is described in the crate documentation.

mod complete;
mod cycles;
mod flow;
mod instance;
mod lagrange;
mod pattern;
mod plan;
mod reshuffle;
mod ruin;
mod search;
mod summary;

#[cfg(feature = "gen")]
pub mod exact;

use crate::cost::{reasons, Cost, Reason};
use crate::eligibility::{eligibility, IneligibleKind};
use crate::model::{Bisidder, Request};
use instance::{Instance, RequestOrder};
use plan::Plan;
pub use summary::{Bound, Summary, Workload};

/// Rounds of the local search; each round that changes anything strictly improves the
/// plan, so this is only a guard ([`settle`] restores the guarantees if it ever stops
/// a search).
const MAX_ROUNDS: usize = 50;

/// One request given to one bisidder.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Position in the `requests` passed in.
    pub request_index: usize,
    pub request_id: String,
    /// Position in the `pool` passed in.
    pub bisidder_index: usize,
    pub bisidder_id: String,
    pub cost: Cost,
    pub travel_minutes: u32,
    pub reasons: Vec<Reason>,
}

/// Why a request was left unassigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// Nobody in the pool is eligible; how many bisiddere fail each rule (a bisidder
    /// may fail several).
    NoEligibleBisidder { failing: Vec<(IneligibleKind, u32)> },
    /// Some are eligible, but each is taken by the batch's other assignments (a clash
    /// in time, or their case or weekly limit reached).
    AllEligibleTaken { eligible: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unassigned {
    pub request_index: usize,
    pub request_id: String,
    pub why: Unmatched,
}

/// The outcome of [`assign_batch`] or [`assign_online`]; lists in the requests' input
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    pub assignments: Vec<Assignment>,
    pub unassigned: Vec<Unassigned>,
    pub summary: Summary,
}

/// Assigns as many of `requests` as possible to bisiddere of `pool`, and among those
/// plans one of least total [`crate::cost()`]; see the crate documentation for how and
/// how well. Deterministic, and independent of the order of both inputs (ties are
/// broken by id).
pub fn assign_batch(requests: &[Request], pool: &[Bisidder]) -> BatchResult {
    let inst = Instance::build(requests, pool, RequestOrder::ById);
    let relaxation = flow::relax(&inst);
    let mut plan = search::repair(&inst, &relaxation.of);
    light_polish(&inst, &mut plan);
    let max_assignable = (relaxation.lower_bound.len() - 1) as u32;
    let flow_bound = |plan: &Plan| relaxation.lower_bound[plan.assigned as usize];
    let mut price_bound = 0;
    if plan.assigned < max_assignable || plan.total > flow_bound(&plan) + flow_bound(&plan) / 200 {
        // More than 0.5 % from what the flow proves: clashes or weekly limits bind.
        price_bound = lagrange::improve_by_prices(&inst, &mut plan, light_polish);
    }
    polish(&inst, &mut plan);

    // Online assignment never beats the batch in practice, but the batch promises it:
    // if it ever did, start from its plan instead.
    let mut online = greedy(&inst, &arrival_order(&inst));
    if online.assigned > plan.assigned {
        polish(&inst, &mut online);
        if online.better_than(&plan) {
            plan = online;
        }
    }
    settle(&inst, &mut plan);
    let bound = Bound {
        max_assignable,
        cost_lower_bound: flow_bound(&plan).max(price_bound),
    };
    result(&inst, &plan, Some(bound))
}

/// Assigns `requests` one at a time in the given (arrival) order, each to the best
/// candidate still free, as a coordinator taking the top of [`crate::rank`] would. For
/// comparison with [`assign_batch`].
pub fn assign_online(requests_in_arrival_order: &[Request], pool: &[Bisidder]) -> BatchResult {
    let inst = Instance::build(requests_in_arrival_order, pool, RequestOrder::AsGiven);
    let order: Vec<u32> = (0..inst.request_count() as u32).collect();
    let plan = greedy(&inst, &order);
    result(&inst, &plan, None)
}

/// Every neighbourhood (fill, moves, cyclic exchanges, reshuffles; ruin and recreate
/// when the others find nothing) until none changes anything.
fn polish(inst: &Instance, plan: &mut Plan) {
    for _ in 0..MAX_ROUNDS {
        let filled = search::fill(inst, plan);
        let improved = search::improve(inst, plan);
        let cancelled = cycles::cancel_cycles(inst, plan);
        let reshuffled = reshuffle::reshuffle(inst, plan);
        if !filled && !improved && !cancelled && !reshuffled && !ruin::ruin_and_recreate(inst, plan)
        {
            break;
        }
    }
}

/// The cheaper part of [`polish`], for the many candidates of the Lagrangian search.
fn light_polish(inst: &Instance, plan: &mut Plan) {
    for _ in 0..MAX_ROUNDS {
        let filled = search::fill(inst, plan);
        let improved = search::improve(inst, plan);
        if !filled && !improved && !cycles::cancel_cycles(inst, plan) {
            break;
        }
    }
}

/// Fill and the simple moves until neither applies: what the guarantees of the crate
/// documentation rest on (maximality, continuity). Each change strictly improves the
/// plan, so this ends; after a completed [`polish`] it changes nothing.
fn settle(inst: &Instance, plan: &mut Plan) {
    loop {
        search::fill(inst, plan);
        if !search::improve(inst, plan) {
            break;
        }
    }
}

/// Each request in `order` to the cheapest bisidder who can still take it.
fn greedy(inst: &Instance, order: &[u32]) -> Plan {
    let mut plan = Plan::empty(inst);
    for &r in order {
        let target = inst.edges[r as usize]
            .iter()
            .find(|e| plan.can_take(inst, e.b, r, None));
        if let Some(e) = target {
            plan.place(inst, r, e.b);
        }
    }
    plan
}

/// The batch's requests (numbered by id) in their input order.
fn arrival_order(inst: &Instance) -> Vec<u32> {
    let mut order: Vec<u32> = (0..inst.request_count() as u32).collect();
    order.sort_by_key(|&r| inst.request_at[r as usize]);
    order
}

fn result(inst: &Instance, plan: &Plan, bound: Option<Bound>) -> BatchResult {
    let mut assignments = Vec::new();
    let mut unassigned = Vec::new();
    for r in 0..inst.request_count() as u32 {
        let request_index = inst.request_at[r as usize];
        let request = &inst.requests[request_index];
        match plan.of[r as usize] {
            Some((b, cost)) => {
                let bisidder_index = inst.bisidder_at[b as usize];
                let bisidder = &inst.pool[bisidder_index];
                let eligible = inst.edge(r, b).map(|e| e.eligible);
                assignments.push(Assignment {
                    request_index,
                    request_id: request.id.clone(),
                    bisidder_index,
                    bisidder_id: bisidder.id.clone(),
                    cost,
                    travel_minutes: eligible.map_or(0, |e| e.travel_minutes),
                    reasons: eligible.map_or_else(Vec::new, |e| reasons(bisidder, request, &e)),
                });
            }
            None => unassigned.push(Unassigned {
                request_index,
                request_id: request.id.clone(),
                why: why_unmatched(inst, r),
            }),
        }
    }
    assignments.sort_by_key(|a| a.request_index);
    unassigned.sort_by_key(|u| u.request_index);
    let summary = summary::summarise(inst, plan, bound);
    BatchResult {
        assignments,
        unassigned,
        summary,
    }
}

fn why_unmatched(inst: &Instance, r: u32) -> Unmatched {
    let eligible = inst.edges[r as usize].len() as u32;
    if eligible > 0 {
        return Unmatched::AllEligibleTaken { eligible };
    }
    let request = inst.request(r);
    let mut failing: Vec<(IneligibleKind, u32)> = Vec::new();
    for b in inst.pool {
        let mut kinds: Vec<IneligibleKind> = eligibility(b, request)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|why| why.kind())
            .collect();
        // Each bisidder counts once per rule (not once per missing skill).
        kinds.dedup();
        for kind in kinds {
            match failing.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, count)) => *count += 1,
                None => failing.push((kind, 1)),
            }
        }
    }
    failing.sort();
    Unmatched::NoEligibleBisidder { failing }
}
