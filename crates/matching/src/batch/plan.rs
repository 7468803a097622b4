//! A (partial) assignment and the one feasibility check of the batch.

use super::instance::Instance;
use crate::cost::Cost;

/// Who holds which request. Every change goes through [`Plan::place`] and
/// [`Plan::remove`]; [`Plan::can_take`] is the hard-constraint check for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Per request: its bisidder and the cost, if assigned.
    pub of: Vec<Option<(u32, Cost)>>,
    /// Per bisidder: the requests they hold.
    pub holds: Vec<Vec<u32>>,
    pub assigned: u32,
    pub total: u64,
}

impl Plan {
    pub fn empty(inst: &Instance) -> Self {
        Self {
            of: vec![None; inst.request_count()],
            holds: vec![Vec::new(); inst.bisidder_count()],
            assigned: 0,
            total: 0,
        }
    }

    /// Whether bisidder `b` can take request `r` in addition to what they hold, less
    /// `without` if given: `r` is eligible for `b`, and case slots, weekly minutes and
    /// clashes with the other held requests allow it.
    pub fn can_take(&self, inst: &Instance, b: u32, r: u32, without: Option<u32>) -> bool {
        if inst.cost(r, b).is_none() {
            return false;
        }
        let held = &self.holds[b as usize];
        let staying = held.iter().filter(|&&x| Some(x) != without && x != r);
        let mut count = 1u32;
        let week = inst.request(r).week_key;
        let mut week_minutes = inst.request(r).work_minutes;
        for &x in staying {
            if inst.clash(r, x) {
                return false;
            }
            count += 1;
            let other = inst.request(x);
            if other.week_key == week {
                week_minutes = week_minutes.saturating_add(other.work_minutes);
            }
        }
        count <= inst.slots[b as usize] && week_minutes <= inst.week_budget(b, r)
    }

    /// Whether the set of requests held by `b` breaks no constraint.
    pub fn holds_feasible(inst: &Instance, b: u32, set: &[u32]) -> bool {
        if set.len() as u64 > u64::from(inst.slots[b as usize]) {
            return false;
        }
        set.iter().enumerate().all(|(i, &r)| {
            let week = inst.request(r).week_key;
            let week_minutes: u32 = set
                .iter()
                .filter(|&&x| inst.request(x).week_key == week)
                .map(|&x| inst.request(x).work_minutes)
                .sum();
            inst.cost(r, b).is_some()
                && week_minutes <= inst.week_budget(b, r)
                && set[i + 1..].iter().all(|&x| !inst.clash(r, x))
        })
    }

    pub fn place(&mut self, inst: &Instance, r: u32, b: u32) {
        debug_assert!(self.of[r as usize].is_none());
        let cost = inst.cost(r, b).unwrap_or(Cost::MAX);
        self.of[r as usize] = Some((b, cost));
        self.holds[b as usize].push(r);
        self.assigned += 1;
        self.total += u64::from(cost);
    }

    pub fn remove(&mut self, r: u32) {
        if let Some((b, cost)) = self.of[r as usize].take() {
            self.holds[b as usize].retain(|&x| x != r);
            self.assigned -= 1;
            self.total -= u64::from(cost);
        }
    }

    /// Moves `r` (assigned or not) to `b`.
    pub fn move_to(&mut self, inst: &Instance, r: u32, b: u32) {
        self.remove(r);
        self.place(inst, r, b);
    }

    /// Lexicographic objective: more assigned first, then lower total cost.
    pub fn better_than(&self, other: &Plan) -> bool {
        (self.assigned, std::cmp::Reverse(self.total))
            > (other.assigned, std::cmp::Reverse(other.total))
    }
}
