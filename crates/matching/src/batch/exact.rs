//! An exhaustive reference solver for small instances (feature `gen`): the yardstick
//! for [`crate::assign_batch`] in tests and benchmarks. Exponential; keep it to about a
//! dozen requests.

use super::complete::best_completion;
use super::instance::{Instance, RequestOrder};
use super::plan::Plan;
use crate::model::{Bisidder, Request};

/// The best plan's figures: most requests assigned, then least total cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Optimum {
    pub assigned: u32,
    pub total_cost: u64,
}

/// Branch and bound over every request's choices (each eligible bisidder, or none).
pub fn optimum(requests: &[Request], pool: &[Bisidder]) -> Optimum {
    let inst = Instance::build(requests, pool, RequestOrder::ById);
    let all: Vec<u32> = (0..inst.request_count() as u32).collect();
    let mut plan = Plan::empty(&inst);
    best_completion(&inst, &mut plan, &all, usize::MAX);
    Optimum {
        assigned: plan.assigned,
        total_cost: plan.total,
    }
}
