//! Ruin and recreate: empty the bisiddere around a request that could not be placed and
//! place their requests again: hardest first, then improved by a bounded branch and
//! bound. Kept only when the plan gets better.
//!
//! Chains and reshuffles change one request or one bisidder at a time; this changes a
//! neighbourhood at once, which finds plans that need several simultaneous changes.

use super::complete::best_completion;
use super::instance::Instance;
use super::plan::Plan;
use super::search::{insert_by_chain, insert_directly};

/// Guard on the passes over the unassigned requests.
const MAX_PASSES: usize = 8;
/// Branch-and-bound nodes spent improving on the greedy recreate.
const RECREATE_NODES: usize = 2_000;

/// Returns whether anything changed.
pub(crate) fn ruin_and_recreate(inst: &Instance, plan: &mut Plan) -> bool {
    let mut changed = false;
    for _ in 0..MAX_PASSES {
        let waiting: Vec<u32> = (0..inst.request_count() as u32)
            .filter(|&r| plan.of[r as usize].is_none() && !inst.edges[r as usize].is_empty())
            .collect();
        let mut progress = false;
        for u in waiting {
            if plan.of[u as usize].is_none()
                && (around(inst, plan, u, 1) || around(inst, plan, u, 2))
            {
                progress = true;
            }
        }
        if !progress {
            break;
        }
        changed = true;
    }
    changed
}

/// Empties every bisidder eligible for `u` (and, at `depth` 2, every bisidder eligible
/// for what they held) and places `u` and their requests again.
fn around(inst: &Instance, plan: &mut Plan, u: u32, depth: usize) -> bool {
    let before = plan.clone();
    let mut freed: Vec<u32> = vec![u];
    let mut emptied: Vec<u32> = Vec::new();
    let mut frontier = vec![u];
    for _ in 0..depth {
        let mut next = Vec::new();
        for &x in &frontier {
            for e in &inst.edges[x as usize] {
                if emptied.contains(&e.b) {
                    continue;
                }
                emptied.push(e.b);
                for r in plan.holds[e.b as usize].clone() {
                    plan.remove(r);
                    freed.push(r);
                    next.push(r);
                }
            }
        }
        frontier = next;
    }
    // Unassigned requests that could use the emptied bisiddere get a chance too.
    for &b in &emptied {
        for &r in &inst.eligible_for[b as usize] {
            if plan.of[r as usize].is_none() && !freed.contains(&r) {
                freed.push(r);
            }
        }
    }
    recreate(inst, plan, &freed);
    best_completion(inst, plan, &freed, RECREATE_NODES);
    for &r in &freed {
        if plan.of[r as usize].is_none() {
            insert_by_chain(inst, plan, r);
        }
    }
    if plan.better_than(&before) {
        true
    } else {
        *plan = before;
        false
    }
}

/// Places `requests` one by one: always the one with fewest bisiddere able to take it
/// (ties: the larger loss if its best is taken), at its cheapest.
fn recreate(inst: &Instance, plan: &mut Plan, requests: &[u32]) {
    let mut open: Vec<u32> = requests.to_vec();
    while !open.is_empty() {
        let mut pick: Option<(usize, (usize, i64, u32))> = None;
        for (i, &r) in open.iter().enumerate() {
            let mut options = inst.edges[r as usize]
                .iter()
                .filter(|e| plan.can_take(inst, e.b, r, None));
            let Some(best) = options.next() else { continue };
            let (count, second) =
                options.fold((1usize, None), |(n, s), e| (n + 1, s.or(Some(e.cost))));
            let regret =
                second.map_or(i64::from(u32::MAX), |c| i64::from(c) - i64::from(best.cost));
            let key = (count, -regret, r);
            if pick.is_none_or(|(_, k)| key < k) {
                pick = Some((i, key));
            }
        }
        let Some((i, _)) = pick else { break };
        let r = open.swap_remove(i);
        insert_directly(inst, plan, r);
    }
}
