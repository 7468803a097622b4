//! From the relaxation to a feasible, locally optimal plan: repair, fill, improve.

use super::instance::Instance;
use super::plan::Plan;

/// Longest chain of moves tried to fit in one more request (each request is visited
/// at most once per search, so the number of requests bounds it first).
const MAX_CHAIN: usize = 1000;
/// Bisiddere holding more requests than this are repaired greedily, not exhaustively.
const EXHAUSTIVE_REPAIR_UP_TO: usize = 12;
/// Upper bound on improvement passes (each pass strictly lowers the cost, so this is
/// only a guard).
const MAX_PASSES: usize = 200;

/// A feasible plan from the relaxation's choices: each bisidder keeps the subset of
/// their requests that assigns most, then costs least; the rest are left unassigned.
pub(crate) fn repair(inst: &Instance, relaxed: &[Option<u32>]) -> Plan {
    let mut wanted: Vec<Vec<u32>> = vec![Vec::new(); inst.bisidder_count()];
    for (r, b) in relaxed.iter().enumerate() {
        if let Some(b) = b {
            wanted[*b as usize].push(r as u32);
        }
    }
    let mut plan = Plan::empty(inst);
    for (b, set) in wanted.iter().enumerate() {
        for r in best_subset(inst, b as u32, set) {
            plan.place(inst, r, b as u32);
        }
    }
    plan
}

fn best_subset(inst: &Instance, b: u32, set: &[u32]) -> Vec<u32> {
    if Plan::holds_feasible(inst, b, set) {
        return set.to_vec();
    }
    let cost = |r: u32| u64::from(inst.cost(r, b).unwrap_or(0));
    if set.len() > EXHAUSTIVE_REPAIR_UP_TO {
        let mut by_cost = set.to_vec();
        by_cost.sort_by_key(|&r| (cost(r), r));
        let mut kept: Vec<u32> = Vec::new();
        for r in by_cost {
            kept.push(r);
            if !Plan::holds_feasible(inst, b, &kept) {
                kept.pop();
            }
        }
        return kept;
    }
    let mut best: (usize, u64, Vec<u32>) = (0, 0, Vec::new());
    for mask in 1u32..(1 << set.len()) {
        let subset: Vec<u32> = (0..set.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| set[i])
            .collect();
        let total: u64 = subset.iter().map(|&r| cost(r)).sum();
        let better = subset.len() > best.0 || (subset.len() == best.0 && total < best.1);
        if better && Plan::holds_feasible(inst, b, &subset) {
            best = (subset.len(), total, subset);
        }
    }
    best.2
}

/// Fits in unassigned requests: directly with the cheapest bisidder who can take them,
/// or else by the shortest (then cheapest) chain of moves of at most [`MAX_CHAIN`]
/// steps. Afterwards no unassigned request fits directly anywhere. Returns whether
/// anything changed.
pub(crate) fn fill(inst: &Instance, plan: &mut Plan) -> bool {
    let mut order: Vec<u32> = (0..inst.request_count() as u32)
        .filter(|&r| !inst.edges[r as usize].is_empty())
        .collect();
    // The hardest to place first: fewest eligible bisiddere.
    order.sort_by_key(|&r| (inst.edges[r as usize].len(), r));
    let mut changed = false;
    loop {
        let mut progress = false;
        for &r in &order {
            if plan.of[r as usize].is_none()
                && (insert_directly(inst, plan, r) || insert_by_chain(inst, plan, r))
            {
                progress = true;
            }
        }
        if !progress {
            return changed;
        }
        changed = true;
    }
}

pub(crate) fn insert_directly(inst: &Instance, plan: &mut Plan, r: u32) -> bool {
    let target = inst.edges[r as usize]
        .iter()
        .find(|e| plan.can_take(inst, e.b, r, None));
    match target {
        Some(e) => {
            plan.place(inst, r, e.b);
            true
        }
        None => false,
    }
}

/// One step of a chain: `request` moves to `bisidder` (pushing out the request whose
/// step names this one as `prev`). `prev` is the step that pushed `request` out (none
/// for the request being placed).
#[derive(Debug, Clone, Copy)]
struct Step {
    request: u32,
    bisidder: u32,
    prev: Option<usize>,
}

/// Breadth-first search for a chain: `r` takes the place of some `x`, `x` the place of
/// some `y`, …, and the last one moves to a bisidder with room. Among the shortest
/// chains the cheapest wins; it is applied only if every move still holds then (a
/// chain that passes the same bisidder twice may not).
pub(crate) fn insert_by_chain(inst: &Instance, plan: &mut Plan, r: u32) -> bool {
    let mut reached = vec![false; inst.request_count()];
    reached[r as usize] = true;
    let mut steps: Vec<Step> = Vec::new();
    // (request to place, the step that pushed it out, the chain's cost change so far)
    let mut frontier: Vec<(u32, Option<usize>, i64)> = vec![(r, None, 0)];
    for _ in 0..MAX_CHAIN {
        let mut best_end: Option<(i64, usize)> = None;
        let mut next = Vec::new();
        for &(u, prev, so_far) in &frontier {
            let own = plan.of[u as usize].map(|(b, _)| b);
            for e in &inst.edges[u as usize] {
                if Some(e.b) == own {
                    continue;
                }
                let with_u = so_far + i64::from(e.cost);
                if plan.can_take(inst, e.b, u, None) {
                    if best_end.is_none_or(|(c, _)| with_u < c) {
                        steps.push(Step {
                            request: u,
                            bisidder: e.b,
                            prev,
                        });
                        best_end = Some((with_u, steps.len() - 1));
                    }
                    continue;
                }
                for &x in &plan.holds[e.b as usize] {
                    if reached[x as usize] || !plan.can_take(inst, e.b, u, Some(x)) {
                        continue;
                    }
                    reached[x as usize] = true;
                    let x_cost = plan.of[x as usize].map_or(0, |(_, c)| i64::from(c));
                    steps.push(Step {
                        request: u,
                        bisidder: e.b,
                        prev,
                    });
                    next.push((x, Some(steps.len() - 1), with_u - x_cost));
                }
            }
        }
        if let Some((_, end)) = best_end {
            return apply_chain(inst, plan, &steps, end);
        }
        if next.is_empty() {
            return false;
        }
        frontier = next;
    }
    false
}

/// Applies a chain from its end (the move into free room) back to its start, checking
/// each move against the plan as it is then; undoes everything if one fails.
fn apply_chain(inst: &Instance, plan: &mut Plan, steps: &[Step], end: usize) -> bool {
    let mut undo: Vec<(u32, Option<u32>)> = Vec::new();
    let mut at = Some(end);
    while let Some(i) = at {
        let step = steps[i];
        if !plan.can_take(inst, step.bisidder, step.request, None) {
            for (request, before) in undo.into_iter().rev() {
                plan.remove(request);
                if let Some(b) = before {
                    plan.place(inst, request, b);
                }
            }
            return false;
        }
        undo.push((step.request, plan.of[step.request as usize].map(|(b, _)| b)));
        plan.move_to(inst, step.request, step.bisidder);
        at = step.prev;
    }
    true
}

/// A change that lowers the total cost without unassigning anyone on balance.
#[derive(Debug, Clone, Copy)]
enum Move {
    /// `request` moves to `to`.
    Relocate { request: u32, to: u32 },
    /// `request` moves to `to`, whose `pushed` moves on to `pushed_to`.
    Eject {
        request: u32,
        to: u32,
        pushed: u32,
        pushed_to: u32,
    },
    /// Unassigned `request` takes `to`'s place of `replaced`, which stays unassigned.
    Replace {
        request: u32,
        to: u32,
        replaced: u32,
    },
}

/// Local search: relocations, ejections (including swaps) and replacements, each
/// applied when it lowers the total cost, until a whole pass finds none. Returns
/// whether anything changed.
pub(crate) fn improve(inst: &Instance, plan: &mut Plan) -> bool {
    let mut changed = false;
    for _ in 0..MAX_PASSES {
        let mut progress = false;
        for r in 0..inst.request_count() as u32 {
            let best = match plan.of[r as usize] {
                Some((from, cost)) => best_move_of_assigned(inst, plan, r, from, i64::from(cost)),
                None => best_replacement(inst, plan, r),
            };
            if let Some((_, m)) = best {
                apply_move(inst, plan, m);
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

fn best_move_of_assigned(
    inst: &Instance,
    plan: &Plan,
    r: u32,
    from: u32,
    cost: i64,
) -> Option<(i64, Move)> {
    let mut best: Option<(i64, Move)> = None;
    let mut offer = |delta: i64, m: Move| {
        if delta < 0 && best.is_none_or(|(d, _)| delta < d) {
            best = Some((delta, m));
        }
    };
    for e in inst.edges[r as usize]
        .iter()
        .take_while(|e| i64::from(e.cost) < cost)
    {
        let gain = i64::from(e.cost) - cost;
        if plan.can_take(inst, e.b, r, None) {
            offer(
                gain,
                Move::Relocate {
                    request: r,
                    to: e.b,
                },
            );
            continue;
        }
        for &x in &plan.holds[e.b as usize] {
            if !plan.can_take(inst, e.b, r, Some(x)) {
                continue;
            }
            let x_cost = plan.of[x as usize].map_or(0, |(_, c)| i64::from(c));
            // Swap: x takes r's old place.
            if let Some(c) = inst.cost(x, from) {
                if plan.can_take(inst, from, x, Some(r)) {
                    offer(
                        gain + i64::from(c) - x_cost,
                        Move::Eject {
                            request: r,
                            to: e.b,
                            pushed: x,
                            pushed_to: from,
                        },
                    );
                }
            }
            // Or x moves to a bisidder with room, cheap enough to still gain.
            let room = inst.edges[x as usize]
                .iter()
                .take_while(|f| gain + i64::from(f.cost) - x_cost < 0)
                .find(|f| f.b != e.b && f.b != from && plan.can_take(inst, f.b, x, None));
            if let Some(f) = room {
                offer(
                    gain + i64::from(f.cost) - x_cost,
                    Move::Eject {
                        request: r,
                        to: e.b,
                        pushed: x,
                        pushed_to: f.b,
                    },
                );
            }
        }
    }
    best
}

fn best_replacement(inst: &Instance, plan: &Plan, r: u32) -> Option<(i64, Move)> {
    let mut best: Option<(i64, Move)> = None;
    for e in &inst.edges[r as usize] {
        for &x in &plan.holds[e.b as usize] {
            let x_cost = plan.of[x as usize].map_or(0, |(_, c)| i64::from(c));
            let delta = i64::from(e.cost) - x_cost;
            if delta < 0
                && best.is_none_or(|(d, _)| delta < d)
                && plan.can_take(inst, e.b, r, Some(x))
            {
                best = Some((
                    delta,
                    Move::Replace {
                        request: r,
                        to: e.b,
                        replaced: x,
                    },
                ));
            }
        }
    }
    best
}

fn apply_move(inst: &Instance, plan: &mut Plan, m: Move) {
    match m {
        Move::Relocate { request, to } => plan.move_to(inst, request, to),
        Move::Eject {
            request,
            to,
            pushed,
            pushed_to,
        } => {
            plan.remove(request);
            plan.move_to(inst, pushed, pushed_to);
            plan.place(inst, request, to);
        }
        Move::Replace {
            request,
            to,
            replaced,
        } => {
            plan.remove(replaced);
            plan.place(inst, request, to);
        }
    }
}
