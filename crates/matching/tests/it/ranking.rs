//! Ranking one request's candidates (SPEC §C3 order: continuity, travel, workload,
//! wishes, reliability).

use matching::gen::{bisidder_in, request_in};
use matching::{rank, Reason};

#[test]
fn continuity_wins_over_a_nearer_bisidder_when_feasible() {
    let pool = [
        bisidder_in("near", "Aarhus"),
        bisidder_in("previous", "Randers"),
    ];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.previous_bisidder = Some("previous".into());
    let ranked = rank(&r, &pool);
    let ids: Vec<&str> = ranked.iter().map(|c| c.bisidder_id.as_str()).collect();
    assert_eq!(ids, ["previous", "near"]);
    assert!(ranked[0]
        .reasons
        .contains(&Reason::Continuity { kept: true }));
    assert!(ranked[1]
        .reasons
        .contains(&Reason::Continuity { kept: false }));
    assert!(ranked[0].eligible.travel_minutes > ranked[1].eligible.travel_minutes);
    assert_eq!(ranked[1].index, 0);
}

#[test]
fn the_nearer_wins_when_the_previous_bisidder_is_not_free() {
    let mut previous = bisidder_in("previous", "Randers");
    previous.available.clear();
    let pool = [
        previous,
        bisidder_in("far", "Horsens"),
        bisidder_in("near", "Aarhus"),
    ];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.previous_bisidder = Some("previous".into());
    let ranked = rank(&r, &pool);
    let ids: Vec<&str> = ranked.iter().map(|c| c.bisidder_id.as_str()).collect();
    assert_eq!(
        ids,
        ["near", "far"],
        "the previous bisidder is not eligible"
    );
    let travel = ranked[1].reasons.iter().find_map(|reason| match reason {
        Reason::Travel { minutes } => Some(*minutes),
        _ => None,
    });
    assert_eq!(travel, Some(ranked[1].eligible.travel_minutes));
}

#[test]
fn a_lighter_workload_wins_at_equal_travel() {
    let mut busy = bisidder_in("busy", "Aarhus");
    busy.open_cases = 4;
    let pool = [busy, bisidder_in("light", "Aarhus")];
    let ranked = rank(&request_in("r", "Aarhus", 1, 10), &pool);
    assert_eq!(ranked[0].bisidder_id, "light");
    assert!(ranked[1].reasons.contains(&Reason::Workload {
        open_cases: 4,
        max_open_cases: 5,
        week_minutes: 0,
        max_week_minutes: 2400,
    }));
}

#[test]
fn the_persons_wishes_and_reliability_break_ties() {
    let mut man = bisidder_in("man", "Aarhus");
    man.gender = Some("man".into());
    let mut slow = bisidder_in("slow", "Aarhus");
    slow.reliability = 0.5;
    let pool = [slow, man, bisidder_in("woman", "Aarhus")];
    let mut r = request_in("r", "Aarhus", 1, 10);
    r.wished_gender = Some("woman".into());
    let ranked = rank(&r, &pool);
    let ids: Vec<&str> = ranked.iter().map(|c| c.bisidder_id.as_str()).collect();
    assert_eq!(ids, ["woman", "slow", "man"]);
    assert!(ranked[0]
        .reasons
        .contains(&Reason::WishedGender { met: true }));
    assert!(ranked[1].reasons.contains(&Reason::Reliability { pct: 50 }));
    assert!(ranked[2]
        .reasons
        .contains(&Reason::WishedGender { met: false }));
}

#[test]
fn only_eligible_bisiddere_are_ranked() {
    let mut inactive = bisidder_in("inactive", "Aarhus");
    inactive.active = false;
    let mut far = bisidder_in("far", "Aalborg");
    far.max_travel_minutes = 30;
    let pool = [inactive, far];
    assert!(rank(&request_in("r", "Aarhus", 1, 10), &pool).is_empty());
}
