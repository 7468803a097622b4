//! Matching bisiddere to requests (SPEC §C3): who may take a request, who is best, and
//! how to assign many open requests at once.
//!
//! Pure: no I/O, no clock, no randomness; the same input gives the same output. The app
//! loads [`Bisidder`]s and [`Request`]s from the database (availability expanded to
//! absolute windows, expired qualifications removed) and calls:
//!
//! * [`eligibility`] — may this bisidder take this request? Every failing rule, as
//!   [`Ineligible`] values the app turns into words. [`is_eligible`] is the fast form.
//! * [`rank`] — the eligible bisiddere for one request, best first, each with its
//!   [`cost()`] and the [`Reason`]s behind it.
//! * [`assign_batch`] — many open requests at once: most assigned, then least total
//!   cost, never breaking a hard constraint; with the figures that show its quality.
//! * [`assign_online`] — one at a time in arrival order, for comparison.
//!
//! ```
//! use matching::{assign_batch, rank, Bisidder, Interval, Request};
//!
//! let place = |name| geo::Place::from(geo::town_by_name(name).unwrap());
//! let monday_9 = 1_767_600_000; // Unix seconds
//! let bisidder = |id: &str, home| Bisidder {
//!     id: id.into(),
//!     active: true,
//!     skills: vec!["children".into()],
//!     languages: vec!["da".into()],
//!     gender: Some("woman".into()),
//!     base: place(home),
//!     max_travel_minutes: 60,
//!     areas: vec![],
//!     available: vec![Interval::new(monday_9 - 3600, monday_9 + 10 * 3600)],
//!     busy: vec![],
//!     open_cases: 1,
//!     max_open_cases: 4,
//!     booked_minutes_by_week: vec![],
//!     max_minutes_per_week: 900,
//!     conflicts: vec![],
//!     reliability: 1.0,
//! };
//! let pool = [bisidder("anna", "Randers"), bisidder("bo", "Aarhus")];
//! let request = Request {
//!     id: "r1".into(),
//!     person_id: Some("p1".into()),
//!     required_skills: vec!["children".into()],
//!     language: None,
//!     wished_gender: None,
//!     wished_language: None,
//!     place: place("Aarhus"),
//!     kommune_code: Some("0751".into()),
//!     span: Interval::new(monday_9, monday_9 + 150 * 60),
//!     work_minutes: 150,
//!     week_key: 202_602,
//!     previous_bisidder: Some("anna".into()),
//! };
//! // Continuity first: Anna had the person's earlier case.
//! assert_eq!(rank(&request, &pool)[0].bisidder_id, "anna");
//! let result = assign_batch(&[request], &pool);
//! assert_eq!(result.summary.continuity_kept, 1);
//! ```
//!
//! ## One preference
//!
//! [`cost()`] (module [`cost`](mod@cost)) is the single place where "better" is decided: continuity
//! first (the person's previous bisidder), then travel time, fair workload, the person's
//! wishes and reliability of response. Ranking sorts by it; the batch minimises its sum.
//!
//! ## Hard constraints
//!
//! Per pair, [`eligibility`]: active; every required skill; the needed language;
//! the meeting in a kommune they serve or within their maximum travel (a journey must
//! exist: an island without a modelled ferry is unreachable); available for the whole
//! span plus the journey there and back; no existing booking that overlaps or leaves too
//! little time for the journey between the two places ([`clashes`]); under their case
//! limit and their weekly minutes; no conflict of interest with the person.
//!
//! Within a batch, for each bisidder, the requests given to them must not clash with
//! each other, and together with their existing load must stay within their case limit
//! (each request counts as one new case) and, week by week, their weekly minutes.
//!
//! ## The batch algorithm
//!
//! Objective, lexicographic: maximise the number of requests assigned, then minimise the
//! total cost.
//!
//! 1. **Edges.** Every (request, bisidder) pair is checked once with [`is_eligible`];
//!    the eligible ones with their cost form a bipartite graph. Clashes between the
//!    batch's requests are computed once (one person cannot attend both: overlap, or a
//!    gap shorter than the journey between the two meetings).
//! 2. **Relaxation.** A min-cost flow on that graph ignoring clashes between the batch's
//!    requests: each bisidder's capacity is an upper bound on how many of them they can
//!    hold (case slots; weekly minutes filled with the shortest requests; meetings
//!    chosen without overlap). Primal–dual successive shortest paths: Dijkstra on
//!    reduced costs, then every shortest augmenting path of that length. Every real plan
//!    is a flow, so the flow's value bounds how many requests any plan can assign, and
//!    the cheapest flow of each value `k` bounds the cost of any plan assigning `k`.
//! 3. **Repair.** Each bisidder keeps the subset of the relaxation's requests that is
//!    feasible for them with most requests, then least cost (exhaustive up to 12
//!    requests, greedy by cost beyond); the rest become unassigned.
//! 4. **Local search**, until nothing changes:
//!    *fill*: each unassigned request (fewest eligible bisiddere first) goes to the
//!    cheapest bisidder who can take it, or else along the shortest, then cheapest,
//!    chain of moves that makes room (A takes B's place, B takes C's, …, the last moves
//!    to someone with room; breadth-first, as augmenting paths in matching);
//!    *improve*: move a request to a cheaper bisidder, directly or pushing out one
//!    request that moves on (to the freed place — a swap — or to someone with room), or
//!    give a place to an unassigned request cheaper than its holder;
//!    *cyclic exchanges*: negative cycles in an improvement graph whose arcs are "this
//!    request takes that one's place" (Ahuja–Orlin–Sharma very large-scale
//!    neighbourhood search), which covers long chains and rotations at once.
//! 5. **Prices** (only when step 2's bounds are not met, i.e. clashes or weekly limits
//!    bind — typical of scarce pools): Lagrangian relaxation of "each request at most
//!    once" with a price per request and, per bisidder, the exact best feasible set of
//!    requests at those prices (branch and bound). Subgradient steps move the prices;
//!    every few steps the bisiddere's picks, each request kept by its cheapest picker,
//!    are polished by step 4 and the best plan is kept. The prices also prove a second
//!    lower bound on the cost, usually much closer than the flow's.
//! 6. **Neighbourhoods** of step 4 plus: one bisidder trading held requests for
//!    unassigned ones (e.g. one long meeting for two short ones), the ones given up
//!    moving elsewhere; and ruin and recreate (empty the bisiddere around a request that
//!    could not be placed, one and two steps out, and place everything again: hardest
//!    first, then a branch and bound of bounded size). Changes are kept only when the
//!    plan gets better.
//! 7. The plan is compared with online assignment (each request in input order to the
//!    cheapest bisidder still free), so the batch never assigns fewer than
//!    [`assign_online`].
//!
//! **Guarantees.** The result breaks no hard constraint. It is maximal: every request
//! left unassigned has no eligible bisidder, or every eligible one is taken by
//! assignments it clashes with or by their limits (the reason says which). A request
//! whose previous bisidder is eligible and could still take it gets them (the move
//! lowers the cost by more than any other part of a cost can differ). Every step is
//! deterministic (no clock, no randomness; iteration counts are fixed) and requests and
//! bisiddere are numbered by id, so the result does not depend on the input order. When
//! repair keeps everything the relaxation chose, the result is optimal. Otherwise the
//! problem is NP-hard in general; [`Summary::bound`] holds what the relaxations prove
//! (at most so many assignable; no plan assigning as many costs less than so much), so
//! [`Summary::gap_bound_pct`] is a proven limit on the distance from the optimum. The
//! tests compare the result with an exhaustive search ([`exact::optimum`], feature `gen`)
//! on small dense instances; `examples/measure.rs` reports the figures.
//!
//! Running time: building the edges is one eligibility check per pair (about 0.1 µs
//! each); the flow a few Dijkstra runs over the edges; the local search touches a few
//! edges per request; the price steps, when needed, solve one small search per bisidder
//! 150 times. See `benches/matching.rs` and `examples/measure.rs` for measured times.

mod batch;
pub mod cost;
mod eligibility;
mod model;
mod rank;

#[cfg(feature = "gen")]
pub mod gen;

#[cfg(feature = "gen")]
pub use batch::exact;
pub use batch::{
    assign_batch, assign_online, Assignment, BatchResult, Bound, Summary, Unassigned, Unmatched,
    Workload,
};
pub use cost::{cost, cost_parts, reasons, Cost, CostParts, Reason};
pub use eligibility::{
    clashes, eligibility, is_eligible, Eligible, Ineligible, IneligibleKind, TRAVEL_HORIZON_SECONDS,
};
pub use model::{Bisidder, Busy, Instant, Interval, Request};
pub use rank::{rank, Candidate};
