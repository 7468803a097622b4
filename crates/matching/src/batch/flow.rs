//! The relaxation: a min-cost flow that ignores clashes between the batch's requests.
//!
//! Network: source → every request (capacity 1) → every eligible bisidder (capacity 1,
//! the edge's cost) → sink (capacity: an upper bound on how many of the batch's
//! requests the bisidder can hold together, from their case slots, weekly minutes and
//! overlapping meetings; see `Instance::capacity_bound`).
//!
//! Solved by the primal–dual successive-shortest-path method: a Dijkstra search on
//! reduced costs (node potentials keep them non-negative) finds the length of the
//! shortest augmenting path; then every path of that length that a depth-first search
//! can find on zero-reduced-cost arcs is augmented before the next search. After `k`
//! augmentations the flow is a cheapest flow of value `k`, so the costs met on the way
//! are the cheapest way to assign `k` requests when clashes are ignored: a lower bound
//! for every real assignment of `k` requests. The last flow value bounds how many
//! requests can be assigned at all.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::instance::Instance;
use crate::cost::Cost;

pub(crate) struct Relaxation {
    /// Per request: the bisidder the relaxation gives it, if any.
    pub of: Vec<Option<u32>>,
    /// `lower_bound[k]`: the least total cost of assigning `k` requests, clashes
    /// ignored; its length less one is the most requests the relaxation assigns.
    pub lower_bound: Vec<u64>,
}

const UNREACHED: i64 = i64::MAX;

struct Network<'i, 'a> {
    inst: &'i Instance<'a>,
    /// Nodes: requests `0..n`, bisiddere `n..n+m`, the sink `n+m`.
    n: usize,
    sink: usize,
    potential: Vec<i64>,
    of: Vec<Option<(u32, Cost)>>,
    holds: Vec<Vec<u32>>,
    total: u64,
}

pub(crate) fn relax(inst: &Instance) -> Relaxation {
    let n = inst.request_count();
    let m = inst.bisidder_count();
    let mut net = Network {
        inst,
        n,
        sink: n + m,
        potential: vec![0; n + m + 1],
        of: vec![None; n],
        holds: vec![Vec::new(); m],
        total: 0,
    };
    let mut lower_bound = vec![0];
    let mut dist = vec![UNREACHED; n + m + 1];
    let mut seen_request = vec![false; n];
    let mut seen_bisidder = vec![false; m];
    while net.shortest_paths(&mut dist) {
        seen_request.fill(false);
        seen_bisidder.fill(false);
        let mut augmented = false;
        for r in 0..n {
            if net.of[r].is_none()
                && !seen_request[r]
                && net.augment(r as u32, &mut seen_request, &mut seen_bisidder)
            {
                augmented = true;
                lower_bound.push(net.total);
            }
        }
        if !augmented {
            // Cannot happen with consistent potentials; stop rather than loop.
            break;
        }
    }
    Relaxation {
        of: net.of.iter().map(|o| o.map(|(b, _)| b)).collect(),
        lower_bound,
    }
}

impl Network<'_, '_> {
    fn bisidder_node(&self, b: u32) -> usize {
        self.n + b as usize
    }

    fn has_room(&self, b: u32) -> bool {
        (self.holds[b as usize].len() as u64) < u64::from(self.inst.capacity[b as usize])
    }

    /// Dijkstra from all free requests on reduced costs; updates the potentials so that
    /// every shortest path to the sink has zero reduced cost. False when the sink is
    /// unreachable (the flow is maximal).
    fn shortest_paths(&mut self, dist: &mut [i64]) -> bool {
        dist.fill(UNREACHED);
        let mut done = vec![false; dist.len()];
        let mut heap = BinaryHeap::new();
        for (r, of) in self.of.iter().enumerate() {
            if of.is_none() {
                dist[r] = 0;
                heap.push(Reverse((0i64, r)));
            }
        }
        while let Some(Reverse((d, v))) = heap.pop() {
            if done[v] {
                continue;
            }
            done[v] = true;
            if v == self.sink {
                break;
            }
            let mut relax = |to: usize, reduced: i64, heap: &mut BinaryHeap<_>| {
                let nd = d + reduced;
                if nd < dist[to] {
                    dist[to] = nd;
                    heap.push(Reverse((nd, to)));
                }
            };
            if v < self.n {
                let own = self.of[v].map(|(b, _)| b);
                for e in &self.inst.edges[v] {
                    if Some(e.b) != own {
                        let to = self.bisidder_node(e.b);
                        let reduced = i64::from(e.cost) + self.potential[v] - self.potential[to];
                        relax(to, reduced, &mut heap);
                    }
                }
            } else {
                let b = (v - self.n) as u32;
                if self.has_room(b) {
                    relax(
                        self.sink,
                        self.potential[v] - self.potential[self.sink],
                        &mut heap,
                    );
                }
                for &r in &self.holds[b as usize] {
                    let cost = self.of[r as usize].map_or(0, |(_, c)| c);
                    let reduced = self.potential[v] - self.potential[r as usize] - i64::from(cost);
                    relax(r as usize, reduced, &mut heap);
                }
            }
        }
        if !done[self.sink] {
            return false;
        }
        let to_sink = dist[self.sink];
        for (v, p) in self.potential.iter_mut().enumerate() {
            *p += if done[v] { dist[v] } else { to_sink };
        }
        true
    }

    /// Depth-first search for a zero-reduced-cost path from free request `r` to the
    /// sink; augments along it.
    fn augment(&mut self, r: u32, seen_request: &mut [bool], seen_bisidder: &mut [bool]) -> bool {
        seen_request[r as usize] = true;
        let own = self.of[r as usize].map(|(b, _)| b);
        for i in 0..self.inst.edges[r as usize].len() {
            let e = self.inst.edges[r as usize][i];
            let bn = self.bisidder_node(e.b);
            if Some(e.b) == own
                || seen_bisidder[e.b as usize]
                || i64::from(e.cost) + self.potential[r as usize] != self.potential[bn]
            {
                continue;
            }
            seen_bisidder[e.b as usize] = true;
            if self.has_room(e.b) && self.potential[bn] == self.potential[self.sink] {
                self.take(r, e.b, e.cost);
                return true;
            }
            for j in 0..self.holds[e.b as usize].len() {
                let x = self.holds[e.b as usize][j];
                let cost = self.of[x as usize].map_or(0, |(_, c)| c);
                if seen_request[x as usize]
                    || self.potential[bn] != self.potential[x as usize] + i64::from(cost)
                {
                    continue;
                }
                if self.augment(x, seen_request, seen_bisidder) {
                    self.take(r, e.b, e.cost);
                    return true;
                }
            }
        }
        false
    }

    /// Gives `r` to `b`, taking it from its previous bisidder if any. When `r` was
    /// re-routed in a deeper step, it has left `b`'s list already.
    fn take(&mut self, r: u32, b: u32, cost: Cost) {
        if let Some((old, old_cost)) = self.of[r as usize] {
            self.holds[old as usize].retain(|&x| x != r);
            self.total -= u64::from(old_cost);
        }
        self.of[r as usize] = Some((b, cost));
        self.holds[b as usize].push(r);
        self.total += u64::from(cost);
    }
}
