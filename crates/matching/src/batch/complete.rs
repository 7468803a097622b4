//! Branch and bound over a few unassigned requests, the rest of the plan fixed: the
//! exact recreate step of ruin and recreate, and the whole of [`super::exact`].

use super::instance::Instance;
use super::plan::Plan;

/// Places `requests` (each unassigned in `plan`) so that most are assigned, then the
/// total cost is least, the rest of `plan` unchanged. `plan` must already hold a
/// placement of them to beat (possibly none placed). Explores at most `node_limit`
/// nodes; returns whether it proved the result best.
pub(crate) fn best_completion(
    inst: &Instance,
    plan: &mut Plan,
    requests: &[u32],
    node_limit: usize,
) -> bool {
    let incumbent: Vec<(u32, u32)> = requests
        .iter()
        .filter_map(|&r| plan.of[r as usize].map(|(b, _)| (r, b)))
        .collect();
    let value = (plan.assigned, plan.total);
    for &r in requests {
        plan.remove(r);
    }
    let mut order: Vec<u32> = requests
        .iter()
        .copied()
        .filter(|&r| !inst.edges[r as usize].is_empty())
        .collect();
    order.sort_by_key(|&r| (inst.edges[r as usize].len(), r));
    // From position i on: how many could still be assigned, and their least costs.
    let mut rest_count = vec![0u32; order.len() + 1];
    let mut rest_cost = vec![0u64; order.len() + 1];
    for i in (0..order.len()).rev() {
        rest_count[i] = rest_count[i + 1] + 1;
        rest_cost[i] = rest_cost[i + 1] + u64::from(inst.edges[order[i] as usize][0].cost);
    }
    let mut search = Search {
        inst,
        order: &order,
        rest_count: &rest_count,
        rest_cost: &rest_cost,
        nodes: 0,
        node_limit,
        best: value,
        best_set: incumbent,
        path: Vec::new(),
    };
    search.branch(0, plan);
    let complete = search.nodes <= node_limit;
    for &(r, b) in &search.best_set {
        plan.place(inst, r, b);
    }
    complete
}

struct Search<'s, 'a> {
    inst: &'s Instance<'a>,
    order: &'s [u32],
    rest_count: &'s [u32],
    rest_cost: &'s [u64],
    nodes: usize,
    node_limit: usize,
    /// (assigned, total) of the best plan so far, and its placements.
    best: (u32, u64),
    best_set: Vec<(u32, u32)>,
    path: Vec<(u32, u32)>,
}

impl Search<'_, '_> {
    fn branch(&mut self, i: usize, plan: &mut Plan) {
        self.nodes += 1;
        if self.nodes > self.node_limit {
            return;
        }
        let reachable = plan.assigned + self.rest_count[i];
        if reachable < self.best.0
            || (reachable == self.best.0 && plan.total + self.rest_cost[i] >= self.best.1)
        {
            return;
        }
        let Some(&r) = self.order.get(i) else {
            // Reaching here means strictly better than the best so far.
            self.best = (plan.assigned, plan.total);
            self.best_set = self.path.clone();
            return;
        };
        for e in &self.inst.edges[r as usize] {
            if plan.can_take(self.inst, e.b, r, None) {
                plan.place(self.inst, r, e.b);
                self.path.push((r, e.b));
                self.branch(i + 1, plan);
                self.path.pop();
                plan.remove(r);
            }
        }
        self.branch(i + 1, plan);
    }
}
