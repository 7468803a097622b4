//! Bisidder-centred moves: one bisidder trades requests they hold for unassigned ones,
//! the requests they give up moving to someone else where possible.
//!
//! This is what chains of single moves cannot do: drop one long request for two short
//! ones that fit around each other, or make a case slot free by handing a request on.

use super::instance::Instance;
use super::plan::Plan;
use crate::cost::Cost;

/// Guard on the subsets tried per bisidder.
const MAX_SUBSETS: usize = 20_000;

/// Tries every bisidder once; returns whether anything changed.
pub(crate) fn reshuffle(inst: &Instance, plan: &mut Plan) -> bool {
    let mut changed = false;
    for b in 0..inst.bisidder_count() as u32 {
        changed |= reshuffle_one(inst, plan, b);
    }
    changed
}

fn reshuffle_one(inst: &Instance, plan: &mut Plan, b: u32) -> bool {
    let waiting: Vec<u32> = inst.eligible_for[b as usize]
        .iter()
        .copied()
        .filter(|&r| plan.of[r as usize].is_none())
        .collect();
    if waiting.is_empty() {
        return false;
    }
    let held = plan.holds[b as usize].clone();
    let elsewhere: Vec<Option<Cost>> = held
        .iter()
        .map(|&d| best_elsewhere(inst, plan, d, b).map(|(_, c)| c))
        .collect();
    let mut candidates: Vec<u32> = held.iter().chain(&waiting).copied().collect();
    candidates.sort_by_key(|&r| (inst.request(r).span.start, r));

    let mut search = Subsets {
        inst,
        b,
        candidates: &candidates,
        held: &held,
        elsewhere: &elsewhere,
        visited: 0,
        best: value_now(inst, plan, b),
        best_set: None,
    };
    search.dfs(0, &mut Vec::new());
    match search.best_set {
        Some(set) => apply(inst, plan, b, &held, &set),
        None => false,
    }
}

/// The cheapest other bisidder who can take `d` as the plan stands.
fn best_elsewhere(inst: &Instance, plan: &Plan, d: u32, not: u32) -> Option<(u32, Cost)> {
    inst.edges[d as usize]
        .iter()
        .find(|e| e.b != not && plan.can_take(inst, e.b, d, None))
        .map(|e| (e.b, e.cost))
}

/// (requests assigned, total cost) over the requests `b` holds now.
fn value_now(inst: &Instance, plan: &Plan, b: u32) -> (u32, i64) {
    let held = &plan.holds[b as usize];
    let cost = held
        .iter()
        .map(|&r| i64::from(inst.cost(r, b).unwrap_or(0)))
        .sum();
    (held.len() as u32, cost)
}

struct Subsets<'s, 'a> {
    inst: &'s Instance<'a>,
    b: u32,
    candidates: &'s [u32],
    held: &'s [u32],
    elsewhere: &'s [Option<Cost>],
    visited: usize,
    /// Best (assigned, cost) over `held` and `candidates` so far.
    best: (u32, i64),
    best_set: Option<Vec<u32>>,
}

impl Subsets<'_, '_> {
    fn dfs(&mut self, from: usize, set: &mut Vec<u32>) {
        self.visited += 1;
        if self.visited > MAX_SUBSETS {
            return;
        }
        self.consider(set);
        if set.len() as u32 >= self.inst.slots[self.b as usize] {
            return;
        }
        for i in from..self.candidates.len() {
            let x = self.candidates[i];
            if self.fits(set, x) {
                set.push(x);
                self.dfs(i + 1, set);
                set.pop();
            }
        }
    }

    fn fits(&self, set: &[u32], x: u32) -> bool {
        self.inst.fits(self.b, set, x)
    }

    /// Value of `b` taking `set`, the held requests left out moving elsewhere.
    fn consider(&mut self, set: &[u32]) {
        let mut count = set.len() as u32;
        let mut cost: i64 = set
            .iter()
            .map(|&r| i64::from(self.inst.cost(r, self.b).unwrap_or(0)))
            .sum();
        for (d, elsewhere) in self.held.iter().zip(self.elsewhere) {
            if !set.contains(d) {
                if let Some(c) = elsewhere {
                    count += 1;
                    cost += i64::from(*c);
                }
            }
        }
        if (count, -cost) > (self.best.0, -self.best.1) {
            self.best = (count, cost);
            self.best_set = Some(set.to_vec());
        }
    }
}

/// Gives `b` the requests of `set`, moves the others of `held` elsewhere where possible,
/// and keeps the change only if the plan got better (the estimate assumed the moves
/// elsewhere do not compete; when they do, this finds out).
fn apply(inst: &Instance, plan: &mut Plan, b: u32, held: &[u32], set: &[u32]) -> bool {
    let before = plan.clone();
    for &r in held {
        plan.remove(r);
    }
    for &r in set {
        plan.place(inst, r, b);
    }
    for &d in held.iter().filter(|d| !set.contains(d)) {
        if let Some((to, _)) = best_elsewhere(inst, plan, d, b) {
            plan.place(inst, d, to);
        }
    }
    if plan.better_than(&before) {
        true
    } else {
        *plan = before;
        false
    }
}
