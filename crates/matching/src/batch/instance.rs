//! A batch problem in numbers: who may take what at which cost, which requests clash.
//!
//! Requests and bisiddere get internal indices (`u32`). The batch numbers requests in
//! the order of their ids and bisiddere likewise, so its result does not depend on the
//! order in which the database returned the rows; online assignment keeps the
//! requests' arrival order.

use crate::cost::{cost, Cost};
use crate::eligibility::{clashes, is_eligible, Eligible};
use crate::model::{Bisidder, Instant, Interval, Request};

/// One eligible (request, bisidder) pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    /// Internal bisidder index.
    pub b: u32,
    pub cost: Cost,
    pub eligible: Eligible,
}

/// How to number the requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestOrder {
    /// By id: the result does not depend on the input order.
    ById,
    /// As given (arrival order, for online assignment).
    AsGiven,
}

pub(crate) struct Instance<'a> {
    pub requests: &'a [Request],
    pub pool: &'a [Bisidder],
    /// Internal request index → index in `requests`.
    pub request_at: Vec<usize>,
    /// Internal bisidder index → index in `pool`. Only bisiddere eligible for at least
    /// one request are numbered.
    pub bisidder_at: Vec<usize>,
    /// Per request: its eligible bisiddere, cheapest first (ties by bisidder id).
    pub edges: Vec<Vec<Edge>>,
    /// Per request: its edges' (bisidder, cost), sorted by bisidder, for look-ups.
    costs_by_bisidder: Vec<Vec<(u32, Cost)>>,
    /// Per request: the requests it clashes with (one person cannot attend both),
    /// sorted.
    clashing: Vec<Vec<u32>>,
    /// Per bisidder: how many more cases they can take.
    pub slots: Vec<u32>,
    /// Per bisidder: the requests they are eligible for, in internal order.
    pub eligible_for: Vec<Vec<u32>>,
    /// Per bisidder: at most how many of the batch's requests any plan can give them
    /// (case slots, weekly minutes, meetings that overlap); the relaxation's capacity.
    pub capacity: Vec<u32>,
}

impl<'a> Instance<'a> {
    pub fn build(requests: &'a [Request], pool: &'a [Bisidder], order: RequestOrder) -> Self {
        let mut request_at: Vec<usize> = (0..requests.len()).collect();
        if order == RequestOrder::ById {
            request_at.sort_by(|&a, &b| requests[a].id.cmp(&requests[b].id).then(a.cmp(&b)));
        }
        let mut by_id: Vec<usize> = (0..pool.len()).collect();
        by_id.sort_by(|&a, &b| pool[a].id.cmp(&pool[b].id).then(a.cmp(&b)));

        // Eligibility of every pair, bisiddere in id order so that ties sort by id.
        let mut raw: Vec<Vec<(usize, Cost, Eligible)>> = request_at
            .iter()
            .map(|&ri| {
                let r = &requests[ri];
                by_id
                    .iter()
                    .filter_map(|&bi| {
                        let e = is_eligible(&pool[bi], r)?;
                        Some((bi, cost(&pool[bi], r, &e), e))
                    })
                    .collect()
            })
            .collect();

        // Number the bisiddere that appear, in id order.
        let mut internal = vec![u32::MAX; pool.len()];
        let mut bisidder_at = Vec::new();
        let mut used = vec![false; pool.len()];
        for list in &raw {
            for &(bi, _, _) in list {
                used[bi] = true;
            }
        }
        for &bi in &by_id {
            if used[bi] {
                internal[bi] = bisidder_at.len() as u32;
                bisidder_at.push(bi);
            }
        }

        let edges: Vec<Vec<Edge>> = raw
            .iter_mut()
            .map(|list| {
                // Stable: equal costs stay in id order.
                list.sort_by_key(|&(_, cost, _)| cost);
                list.iter()
                    .map(|&(bi, cost, eligible)| Edge {
                        b: internal[bi],
                        cost,
                        eligible,
                    })
                    .collect()
            })
            .collect();
        let costs_by_bisidder = edges
            .iter()
            .map(|list| {
                let mut pairs: Vec<(u32, Cost)> = list.iter().map(|e| (e.b, e.cost)).collect();
                pairs.sort_unstable();
                pairs
            })
            .collect();
        let slots = bisidder_at
            .iter()
            .map(|&bi| pool[bi].free_case_slots())
            .collect();
        let clashing = clash_lists(requests, &request_at);
        let mut eligible_for = vec![Vec::new(); bisidder_at.len()];
        for (r, list) in edges.iter().enumerate() {
            for e in list {
                eligible_for[e.b as usize].push(r as u32);
            }
        }
        let mut inst = Self {
            requests,
            pool,
            request_at,
            bisidder_at,
            edges,
            costs_by_bisidder,
            clashing,
            slots,
            eligible_for,
            capacity: Vec::new(),
        };
        inst.capacity = (0..inst.bisidder_count() as u32)
            .map(|b| inst.capacity_bound(b))
            .collect();
        inst
    }

    /// An upper bound on how many of the batch's requests `b` can hold together: their
    /// case slots; per week, how many of the shortest requests fit their free minutes;
    /// and how many of the meetings can be chosen without two overlapping (earliest end
    /// first, exact for overlap; clashes forbid more pairs, so never fewer).
    fn capacity_bound(&self, b: u32) -> u32 {
        let eligible = &self.eligible_for[b as usize];
        let mut by_week: Vec<(i64, u32)> = eligible
            .iter()
            .map(|&r| (self.request(r).week_key, self.request(r).work_minutes))
            .collect();
        by_week.sort_unstable();
        let mut by_minutes = 0u32;
        let mut i = 0;
        while i < by_week.len() {
            let week = by_week[i].0;
            let budget = self.week_budget_in(b, week);
            let mut used = 0u32;
            while i < by_week.len() && by_week[i].0 == week {
                used = used.saturating_add(by_week[i].1);
                if used <= budget {
                    by_minutes += 1;
                }
                i += 1;
            }
        }
        let mut spans: Vec<Interval> = eligible.iter().map(|&r| self.request(r).span).collect();
        spans.sort_by_key(|s| (s.end, s.start));
        let mut by_time = 0u32;
        let mut free_from = Instant::MIN;
        for span in spans {
            if span.start >= free_from {
                by_time += 1;
                free_from = span.end;
            }
        }
        self.slots[b as usize].min(by_minutes).min(by_time)
    }

    pub fn request_count(&self) -> usize {
        self.request_at.len()
    }

    pub fn bisidder_count(&self) -> usize {
        self.bisidder_at.len()
    }

    pub fn request(&self, r: u32) -> &'a Request {
        &self.requests[self.request_at[r as usize]]
    }

    pub fn bisidder(&self, b: u32) -> &'a Bisidder {
        &self.pool[self.bisidder_at[b as usize]]
    }

    /// The cost of giving `r` to `b`, if `b` is eligible for it.
    pub fn cost(&self, r: u32, b: u32) -> Option<Cost> {
        let pairs = &self.costs_by_bisidder[r as usize];
        let at = pairs.binary_search_by_key(&b, |&(b, _)| b).ok()?;
        Some(pairs[at].1)
    }

    /// The edge (r, b), if `b` is eligible for `r`.
    pub fn edge(&self, r: u32, b: u32) -> Option<&Edge> {
        self.edges[r as usize].iter().find(|e| e.b == b)
    }

    /// Whether `b` could hold `x` together with `set` as far as clashes and weekly
    /// minutes go (case slots are the caller's business).
    pub fn fits(&self, b: u32, set: &[u32], x: u32) -> bool {
        let week = self.request(x).week_key;
        let mut minutes = self.request(x).work_minutes;
        for &y in set {
            if self.clash(x, y) {
                return false;
            }
            if self.request(y).week_key == week {
                minutes = minutes.saturating_add(self.request(y).work_minutes);
            }
        }
        minutes <= self.week_budget(b, x)
    }

    pub fn clash(&self, r: u32, other: u32) -> bool {
        self.clashing[r as usize].binary_search(&other).is_ok()
    }

    /// Minutes bisidder `b` still has free in `r`'s week, before the batch.
    pub fn week_budget(&self, b: u32, r: u32) -> u32 {
        self.week_budget_in(b, self.request(r).week_key)
    }

    fn week_budget_in(&self, b: u32, week: i64) -> u32 {
        let bisidder = self.bisidder(b);
        bisidder
            .max_minutes_per_week
            .saturating_sub(bisidder.booked_minutes(week))
    }
}

/// For every request (internal order), the requests it clashes with. Requests are swept
/// in order of start; journeys are only estimated for pairs less than a day apart.
fn clash_lists(requests: &[Request], request_at: &[usize]) -> Vec<Vec<u32>> {
    let n = request_at.len();
    let mut by_start: Vec<u32> = (0..n as u32).collect();
    let span = |r: u32| requests[request_at[r as usize]].span;
    by_start.sort_by_key(|&r| (span(r).start, r));
    let mut clashing = vec![Vec::new(); n];
    for (i, &a) in by_start.iter().enumerate() {
        let ra = &requests[request_at[a as usize]];
        for &b in &by_start[i + 1..] {
            let rb = &requests[request_at[b as usize]];
            if rb.span.start >= ra.span.end.max(ra.span.start) + crate::TRAVEL_HORIZON_SECONDS {
                break;
            }
            if clashes(&ra.span, ra.place, &rb.span, rb.place) {
                clashing[a as usize].push(b);
                clashing[b as usize].push(a);
            }
        }
    }
    for list in &mut clashing {
        list.sort_unstable();
    }
    clashing
}
