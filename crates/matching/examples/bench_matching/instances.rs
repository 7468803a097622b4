//! The benchmark's instances: plentiful, scarce, and a burst with cancellations.

use matching::gen::{scenario, Params, Rng};
use matching::{assign_batch, assign_online, BatchResult, Bisidder, Request};

/// One instance to solve: the requests and pool the batch, the online run and the
/// reference solvers all see, and for the burst the online run's own second-phase input
/// (online cannot re-plan, so it continues from its own first phase).
pub struct Instance {
    pub name: String,
    pub description: String,
    pub requests: Vec<Request>,
    pub pool: Vec<Bisidder>,
    /// Requests in the order online assignment takes them, and their pool.
    pub online_requests: Vec<Request>,
    pub online_pool: Vec<Bisidder>,
}

/// The instances of a run: names are `kind-seed`.
pub fn names(quick: bool) -> Vec<String> {
    if quick {
        vec!["plentiful-1".into(), "scarce-2".into(), "burst-1".into()]
    } else {
        [
            "plentiful-1",
            "plentiful-2",
            "scarce-2",
            "scarce-3",
            "burst-1",
        ]
        .map(String::from)
        .to_vec()
    }
}

pub fn build(name: &str) -> Instance {
    let (kind, seed) = name.rsplit_once('-').expect("instance name is kind-seed");
    let seed: u64 = seed.parse().expect("instance seed is a number");
    match kind {
        "plentiful" => plain(
            name,
            "300 requests over 7 days, 3,000 bisiddere nationwide",
            &Params::plentiful(300, 3000),
            seed,
        ),
        "scarce" => plain(
            name,
            "300 requests over 7 days, 250 bisiddere, none living in Nordjylland or Sjælland",
            &Params::scarce(300, 250),
            seed,
        ),
        "burst" => burst(name, seed),
        _ => panic!("unknown instance kind {kind}"),
    }
}

fn plain(name: &str, description: &str, params: &Params, seed: u64) -> Instance {
    let s = scenario(params, seed);
    Instance {
        name: name.to_string(),
        description: description.to_string(),
        online_requests: s.requests.clone(),
        online_pool: s.pool.clone(),
        requests: s.requests,
        pool: s.pool,
    }
}

/// Requests in a burst: 300 meetings over the next 3 days against 1,500 bisiddere,
/// solved once (phase 1). Then 30 of the requests are withdrawn, 5 % of the bisiddere
/// who got one cancel (inactive for the period, so their requests are orphaned) and 60
/// more requests arrive; the open set (survivors + newcomers) is solved again (phase 2,
/// the instance measured). In phase 2 a survivor whose bisidder is still there names
/// that bisidder as `previous_bisidder`, so the crate's continuity term keeps the
/// tentative plan stable unless moving someone lets more requests be served. Online
/// assignment continues from its own phase 1: survivors keep their bisidder (taken
/// first, they always can), then the orphans and newcomers one at a time.
fn burst(name: &str, seed: u64) -> Instance {
    let params = Params {
        days: 3,
        ..Params::plentiful(360, 1500)
    };
    let s = scenario(&params, seed);
    let (first, late) = s.requests.split_at(300);
    let mut rng = Rng::new(seed ^ 0xB0B5);
    let withdrawn: Vec<bool> = (0..first.len()).map(|_| rng.chance(0.1)).collect();
    let batch1 = assign_batch(first, &s.pool);
    let online1 = assign_online(first, &s.pool);
    let mut cancelling = vec![false; s.pool.len()];
    for a in &batch1.assignments {
        if rng.chance(0.05) {
            cancelling[a.bisidder_index] = true;
        }
    }
    let pool: Vec<Bisidder> = s
        .pool
        .iter()
        .enumerate()
        .map(|(i, b)| Bisidder {
            active: b.active && !cancelling[i],
            ..b.clone()
        })
        .collect();
    let phase2 = |phase1: &BatchResult| -> (Vec<Request>, Vec<Request>) {
        let mut kept = Vec::new();
        let mut rest = Vec::new();
        for (i, r) in first.iter().enumerate() {
            if withdrawn[i] {
                continue;
            }
            let held = phase1
                .assignments
                .iter()
                .find(|a| a.request_index == i)
                .filter(|a| !cancelling[a.bisidder_index]);
            match held {
                Some(a) => kept.push(Request {
                    previous_bisidder: Some(a.bisidder_id.clone()),
                    ..r.clone()
                }),
                None => rest.push(r.clone()),
            }
        }
        rest.extend(late.iter().cloned());
        (kept, rest)
    };
    let (mut requests, rest) = phase2(&batch1);
    requests.extend(rest);
    requests.sort_by(|a, b| a.id.cmp(&b.id));
    let (mut online_requests, rest) = phase2(&online1);
    online_requests.extend(rest);
    let withdrawn_count = withdrawn.iter().filter(|w| **w).count();
    let cancelled = cancelling.iter().filter(|c| **c).count();
    Instance {
        name: name.to_string(),
        description: format!(
            "300 requests over 3 days, 1,500 bisiddere; then {withdrawn_count} withdrawn, {cancelled} bisiddere cancel, 60 arrive: {} open re-solved",
            requests.len()
        ),
        requests,
        online_requests,
        online_pool: pool.clone(),
        pool,
    }
}
