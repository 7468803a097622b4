//! Ranking the candidates for one request (the coordinator's list).

use crate::cost::{cost, reasons, Cost, Reason};
use crate::eligibility::{is_eligible, Eligible};
use crate::model::{Bisidder, Request};

/// An eligible bisidder for a request, with the cost that places them and the reasons
/// behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Position in the pool passed to [`rank`].
    pub index: usize,
    pub bisidder_id: String,
    /// Lower is better; see [`crate::cost()`].
    pub cost: Cost,
    pub eligible: Eligible,
    pub reasons: Vec<Reason>,
}

/// Every eligible bisidder of `pool` for `r`, best first: by [`crate::cost()`], then by
/// id (so equal candidates keep a stable order whatever the pool's order).
pub fn rank(r: &Request, pool: &[Bisidder]) -> Vec<Candidate> {
    let mut scored: Vec<(Cost, usize, Eligible)> = pool
        .iter()
        .enumerate()
        .filter_map(|(index, b)| {
            let eligible = is_eligible(b, r)?;
            Some((cost(b, r, &eligible), index, eligible))
        })
        .collect();
    scored.sort_by(|a, b| (a.0, &pool[a.1].id, a.1).cmp(&(b.0, &pool[b.1].id, b.1)));
    scored
        .into_iter()
        .map(|(cost, index, eligible)| {
            let b = &pool[index];
            Candidate {
                index,
                bisidder_id: b.id.clone(),
                cost,
                eligible,
                reasons: reasons(b, r, &eligible),
            }
        })
        .collect()
}
