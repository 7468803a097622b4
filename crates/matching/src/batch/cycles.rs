//! Cyclic exchanges: very large neighbourhood search on an improvement graph (as Ahuja,
//! Orlin and Sharma do for generalised assignment).
//!
//! Each node is a request that moves. An arc `w → x` means "`w` takes `x`'s place at
//! `x`'s bisidder (pushing `x` out)", feasible if that bisidder can hold `w` instead of
//! `x`, and costs `cost(w) − cost(x)` there. Besides requests the graph has a room node
//! per bisidder ("arrive where there is room, pushing nobody out") and two hubs: MOVE,
//! from which an assigned request leaves its place without replacement and to which
//! every room leads; and SWAP, from which an unassigned request enters (worth one more
//! assignment) and to which a pushed-out request may be dropped (one fewer). A negative
//! cycle is a set of simultaneous moves that assigns more requests, or as many at a lower
//! cost. They are found with Bellman–Ford (queue-based, with a walk up the predecessors
//! to spot cycles), applied one at a time and checked, since a cycle through one
//! bisidder twice may not hold.

use super::instance::Instance;
use super::plan::Plan;

/// One more assignment outweighs any cost change a cycle can bring.
const ASSIGNMENT: i64 = 1 << 40;
/// Guard on cycles applied per call (each strictly improves the plan).
const MAX_CYCLES: usize = 10_000;

/// Applies negative cycles until there are none (or only ones that do not hold);
/// returns whether anything changed.
pub(crate) fn cancel_cycles(inst: &Instance, plan: &mut Plan) -> bool {
    let mut changed = false;
    let mut banned: Vec<(usize, usize)> = Vec::new();
    for _ in 0..MAX_CYCLES {
        let graph = Graph::build(inst, plan, &banned);
        let Some(cycle) = graph.negative_cycle() else {
            break;
        };
        if apply(inst, plan, &graph, &cycle) {
            changed = true;
            banned.clear();
        } else {
            // Ban one arc of this cycle and look again.
            banned.push((cycle[0], cycle[1 % cycle.len()]));
        }
    }
    changed
}

struct Graph {
    n: usize,
    m: usize,
    /// Arcs out of each node: (to, cost).
    out: Vec<Vec<(usize, i64)>>,
}

impl Graph {
    fn room(&self, b: u32) -> usize {
        self.n + b as usize
    }

    fn hub_move(&self) -> usize {
        self.n + self.m
    }

    fn hub_swap(&self) -> usize {
        self.n + self.m + 1
    }

    fn build(inst: &Instance, plan: &Plan, banned: &[(usize, usize)]) -> Self {
        let (n, m) = (inst.request_count(), inst.bisidder_count());
        let mut g = Graph {
            n,
            m,
            out: vec![Vec::new(); n + m + 2],
        };
        let (hub_move, hub_swap) = (g.hub_move(), g.hub_swap());
        for b in 0..m as u32 {
            let room = g.room(b);
            g.out[room].push((hub_move, 0));
            g.out[room].push((hub_swap, 0));
        }
        for w in 0..n as u32 {
            let own = plan.of[w as usize];
            match own {
                Some((_, c)) => {
                    g.out[hub_move].push((w as usize, -i64::from(c)));
                    g.out[w as usize].push((hub_swap, ASSIGNMENT));
                }
                None if !inst.edges[w as usize].is_empty() => {
                    g.out[hub_swap].push((w as usize, -ASSIGNMENT));
                }
                None => continue,
            }
            let own_b = own.map(|(b, _)| b);
            for e in &inst.edges[w as usize] {
                if Some(e.b) == own_b {
                    continue;
                }
                if plan.can_take(inst, e.b, w, None) {
                    let room = g.room(e.b);
                    g.out[w as usize].push((room, i64::from(e.cost)));
                    continue;
                }
                for &x in &plan.holds[e.b as usize] {
                    let x_cost = plan.of[x as usize].map_or(0, |(_, c)| i64::from(c));
                    if plan.can_take(inst, e.b, w, Some(x)) {
                        g.out[w as usize].push((x as usize, i64::from(e.cost) - x_cost));
                    }
                }
            }
        }
        for &(from, to) in banned {
            g.out[from].retain(|&(t, _)| t != to);
        }
        g
    }

    /// A negative cycle as its nodes in order, if any.
    fn negative_cycle(&self) -> Option<Vec<usize>> {
        let count = self.out.len();
        let mut dist = vec![0i64; count];
        let mut pred = vec![usize::MAX; count];
        let mut queued = vec![true; count];
        let mut queue: std::collections::VecDeque<usize> = (0..count).collect();
        // Look for a cycle among the predecessors once per `count` relaxations.
        let mut until_check = count;
        while let Some(v) = queue.pop_front() {
            queued[v] = false;
            for &(to, cost) in &self.out[v] {
                if dist[v] + cost < dist[to] {
                    dist[to] = dist[v] + cost;
                    pred[to] = v;
                    until_check -= 1;
                    if until_check == 0 {
                        until_check = count;
                        if let Some(cycle) = cycle_in(&pred, to) {
                            return Some(cycle);
                        }
                    }
                    if !queued[to] {
                        queued[to] = true;
                        queue.push_back(to);
                    }
                }
            }
        }
        None
    }
}

/// A cycle in the predecessor graph reachable from `start`, in forward order.
fn cycle_in(pred: &[usize], start: usize) -> Option<Vec<usize>> {
    let mut seen = vec![false; pred.len()];
    let mut v = start;
    while v != usize::MAX && !seen[v] {
        seen[v] = true;
        v = pred[v];
    }
    if v == usize::MAX {
        return None;
    }
    let mut cycle = vec![v];
    let mut u = pred[v];
    while u != v {
        cycle.push(u);
        u = pred[u];
    }
    cycle.reverse();
    Some(cycle)
}

/// Turns the cycle into moves (request → bisidder, or request dropped) and applies them
/// together; undoes them unless the plan is feasible and better.
fn apply(inst: &Instance, plan: &mut Plan, g: &Graph, cycle: &[usize]) -> bool {
    let mut moves: Vec<(u32, Option<u32>)> = Vec::new();
    for (i, &v) in cycle.iter().enumerate() {
        if v >= g.n {
            continue;
        }
        let next = cycle[(i + 1) % cycle.len()];
        let to = if next < g.n {
            plan.of[next].map(|(b, _)| b)
        } else if next < g.n + g.m {
            Some((next - g.n) as u32)
        } else {
            None // dropped at the SWAP hub (or, from MOVE, cannot happen: no arc)
        };
        moves.push((v as u32, to));
    }
    let before = plan.clone();
    for &(r, _) in &moves {
        plan.remove(r);
    }
    for &(r, to) in &moves {
        if let Some(b) = to {
            if !plan.can_take(inst, b, r, None) {
                *plan = before;
                return false;
            }
            plan.place(inst, r, b);
        }
    }
    if plan.better_than(&before) {
        true
    } else {
        *plan = before;
        false
    }
}
