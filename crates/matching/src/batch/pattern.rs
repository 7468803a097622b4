//! One bisidder's best set of requests at given weights: the Lagrangian subproblem.
//!
//! The requests a bisidder is eligible for are fixed for a batch, so their clashes and
//! weekly minutes are laid out once, as bit sets and small arrays; each price step only
//! brings new weights.

use super::instance::Instance;

/// Guard on the branch-and-bound nodes per call.
const MAX_NODES: usize = 20_000;

pub(crate) struct Pattern {
    requests: Vec<u32>,
    work: Vec<u32>,
    /// Per request: index into `budget` (its week).
    week: Vec<usize>,
    /// Free minutes per week before the batch.
    budget: Vec<u32>,
    /// Per request: bit set of the requests it clashes with.
    clash: Vec<Vec<u64>>,
    slots: usize,
    /// All work minutes, shortest first, summed: `shortest[k]` = the k shortest.
    shortest: Vec<u64>,
}

impl Pattern {
    pub fn new(inst: &Instance, b: u32) -> Self {
        let requests = inst.eligible_for[b as usize].clone();
        let mut weeks: Vec<i64> = Vec::new();
        let mut budget = Vec::new();
        let mut week = Vec::with_capacity(requests.len());
        for &r in &requests {
            let key = inst.request(r).week_key;
            let at = match weeks.iter().position(|&w| w == key) {
                Some(at) => at,
                None => {
                    weeks.push(key);
                    budget.push(inst.week_budget(b, r));
                    weeks.len() - 1
                }
            };
            week.push(at);
        }
        let words = requests.len().div_ceil(64);
        let clash = requests
            .iter()
            .map(|&x| {
                let mut set = vec![0u64; words];
                for (j, &y) in requests.iter().enumerate() {
                    if inst.clash(x, y) {
                        set[j / 64] |= 1 << (j % 64);
                    }
                }
                set
            })
            .collect();
        let work: Vec<u32> = requests
            .iter()
            .map(|&r| inst.request(r).work_minutes)
            .collect();
        let mut sorted = work.clone();
        sorted.sort_unstable();
        let mut shortest = vec![0u64];
        for w in sorted {
            shortest.push(shortest.last().copied().unwrap_or(0) + u64::from(w));
        }
        Self {
            requests,
            work,
            week,
            budget,
            clash,
            slots: inst.slots[b as usize] as usize,
            shortest,
        }
    }

    /// The requests, in the order [`Pattern::best`] takes their weights.
    pub fn requests(&self) -> &[u32] {
        &self.requests
    }

    /// The feasible set with the greatest total weight (only positive weights are worth
    /// taking): heaviest first while they fit, which is best if nothing had to be
    /// skipped; otherwise branch and bound. Returns the value, the requests, and whether
    /// the search ran to the end (else the set is good, not proven best).
    pub fn best(&self, weight: &[f64]) -> (f64, Vec<u32>, bool) {
        let mut order: Vec<usize> = (0..self.requests.len())
            .filter(|&i| weight[i] > 0.0)
            .collect();
        order.sort_by(|&a, &b| weight[b].total_cmp(&weight[a]).then(a.cmp(&b)));
        let mut state = State::new(self);
        let mut skipped = false;
        for &i in &order {
            if state.chosen.len() >= self.slots {
                break;
            }
            if state.fits(self, i) {
                state.push(self, i, weight[i]);
            } else {
                skipped = true;
            }
        }
        let greedy = (state.value, state.chosen.clone());
        if !skipped {
            return self.answer(greedy, true);
        }
        let mut prefix = vec![0.0];
        for &i in &order {
            prefix.push(prefix.last().copied().unwrap_or(0.0) + weight[i]);
        }
        let mut search = Search {
            pattern: self,
            weight,
            order: &order,
            prefix: &prefix,
            nodes: 0,
            best: greedy,
        };
        search.dfs(0, &mut State::new(self));
        let complete = search.nodes <= MAX_NODES;
        let best = search.best;
        self.answer(best, complete)
    }

    fn answer(&self, (value, chosen): (f64, Vec<usize>), complete: bool) -> (f64, Vec<u32>, bool) {
        let set = chosen.iter().map(|&i| self.requests[i]).collect();
        (value, set, complete)
    }

    /// At most how many more requests fit `minutes_left` (single-week bisiddere only).
    fn fit_by_minutes(&self, minutes_left: u64) -> usize {
        self.shortest
            .partition_point(|&m| m <= minutes_left)
            .saturating_sub(1)
    }
}

/// A partial set during the search.
struct State {
    chosen: Vec<usize>,
    mask: Vec<u64>,
    minutes: Vec<u32>,
    value: f64,
}

impl State {
    fn new(p: &Pattern) -> Self {
        Self {
            chosen: Vec::new(),
            mask: vec![0; p.requests.len().div_ceil(64)],
            minutes: vec![0; p.budget.len()],
            value: 0.0,
        }
    }

    fn fits(&self, p: &Pattern, i: usize) -> bool {
        let week = p.week[i];
        self.minutes[week].saturating_add(p.work[i]) <= p.budget[week]
            && p.clash[i].iter().zip(&self.mask).all(|(c, m)| c & m == 0)
    }

    fn push(&mut self, p: &Pattern, i: usize, weight: f64) {
        self.chosen.push(i);
        self.mask[i / 64] |= 1 << (i % 64);
        self.minutes[p.week[i]] += p.work[i];
        self.value += weight;
    }

    fn pop(&mut self, p: &Pattern, weight: &[f64]) {
        if let Some(i) = self.chosen.pop() {
            self.mask[i / 64] &= !(1 << (i % 64));
            self.minutes[p.week[i]] -= p.work[i];
            self.value -= weight[i];
        }
    }
}

struct Search<'p> {
    pattern: &'p Pattern,
    weight: &'p [f64],
    order: &'p [usize],
    /// `prefix[k]`: total weight of the `k` heaviest.
    prefix: &'p [f64],
    nodes: usize,
    best: (f64, Vec<usize>),
}

impl Search<'_> {
    fn dfs(&mut self, from: usize, state: &mut State) {
        self.nodes += 1;
        if state.value > self.best.0 {
            self.best = (state.value, state.chosen.clone());
        }
        let p = self.pattern;
        if state.chosen.len() >= p.slots || self.nodes > MAX_NODES {
            return;
        }
        let mut room = p.slots - state.chosen.len();
        if p.budget.len() == 1 {
            let left = u64::from(p.budget[0].saturating_sub(state.minutes[0]));
            room = room.min(p.fit_by_minutes(left));
        }
        // Bound: the heaviest remaining requests filling the room, ignoring clashes.
        let end = (from + room).min(self.order.len());
        if state.value + (self.prefix[end] - self.prefix[from]) <= self.best.0 {
            return;
        }
        for k in from..self.order.len() {
            let i = self.order[k];
            if state.fits(p, i) {
                state.push(p, i, self.weight[i]);
                self.dfs(k + 1, state);
                state.pop(p, self.weight);
            }
        }
    }
}
