//! The survey's figures over the directory (SPEC C9), pure: size categories by the 2-of-3
//! rule and shares of schemes — unweighted (every scheme counts 1) and weighted (small 1,
//! medium 3, large 20) — in whole percents.
//!
//! Only schemes with a completed profile count; listings without one are counted as
//! `unprofiled`. A share of a multi-valued answer (meeting types, requirements, training,
//! support, target groups) is the share of schemes that gave that answer, so such shares
//! can add up to more than 100. `turn_away_reasons_pct` is over the schemes that turn
//! people away at all (`turns_away` other than `never`). `region_pct` is the share of
//! schemes whose area reaches into each region (a national scheme reaches all five).

use super::domain::{self, size_of, Profile, Size};
use serde_json::{json, Map, Value};

/// 100 × part / whole, rounded half away from zero to a whole percent (0 when whole is 0).
fn pct(part: f64, whole: f64) -> i64 {
    if whole <= 0.0 {
        0
    } else {
        (100.0 * part / whole).round() as i64
    }
}

struct Shares<'a> {
    schemes: &'a [(&'a Profile, Size)],
}

impl Shares<'_> {
    /// `{"weighted": {value: %}, "unweighted": {…}}` over `base` for every value in `values`.
    fn of(
        &self,
        values: &[&str],
        base: impl Fn(&Profile) -> bool,
        has: impl Fn(&Profile, &str) -> bool,
    ) -> Value {
        let in_base: Vec<&(&Profile, Size)> =
            self.schemes.iter().filter(|(p, _)| base(p)).collect();
        let total_w: f64 = in_base.iter().map(|(_, s)| s.weight() as f64).sum();
        let total_u = in_base.len() as f64;
        let mut weighted = Map::new();
        let mut unweighted = Map::new();
        for v in values {
            let with: Vec<_> = in_base.iter().filter(|(p, _)| has(p, v)).collect();
            let w: f64 = with.iter().map(|(_, s)| s.weight() as f64).sum();
            weighted.insert(v.to_string(), json!(pct(w, total_w)));
            unweighted.insert(v.to_string(), json!(pct(with.len() as f64, total_u)));
        }
        json!({"weighted": weighted, "unweighted": unweighted})
    }
}

fn contains(list: &[String], v: &str) -> bool {
    list.iter().any(|x| x == v)
}

/// The analytics document served at `/api/v1/directory/analytics`.
pub fn analytics(all: &[Profile]) -> Value {
    let profiled: Vec<(&Profile, Size)> = all
        .iter()
        .filter(|p| p.profiled)
        .map(|p| (p, size_of(p)))
        .collect();
    let unprofiled = all.len() - profiled.len();
    let count = |s: Size| profiled.iter().filter(|(_, x)| *x == s).count();
    let sh = Shares { schemes: &profiled };
    let any = |_: &Profile| true;
    let meeting_types: Vec<&str> = domain::concrete_meeting_types().collect();
    json!({
        "schemes": profiled.len(),
        "unprofiled": unprofiled,
        "size": {"small": count(Size::Small), "medium": count(Size::Medium), "large": count(Size::Large)},
        "kind_pct": sh.of(domain::KINDS, any, |p, v| p.kind.as_deref() == Some(v)),
        "target_groups_pct": sh.of(domain::TARGET_GROUPS, any, |p, v| contains(&p.target_groups, v)),
        "requirements_pct": sh.of(domain::REQUIREMENTS, any, |p, v| contains(&p.requirements, v)),
        "turns_away_pct": sh.of(domain::TURNS_AWAY, any, |p, v| p.turns_away.as_deref() == Some(v)),
        "turn_away_reasons_pct": sh.of(
            crate::intake::domain::REJECTION_REASONS,
            |p| p.turns_away.as_deref().is_some_and(|t| t != "never"),
            |p, v| contains(&p.turn_away_reasons, v),
        ),
        "meeting_types_pct": sh.of(&meeting_types, any, |p, v| p.handles(v)),
        "training_pct": sh.of(domain::TRAINING, any, |p, v| contains(&p.training, v)),
        "support_pct": sh.of(domain::SUPPORT, any, |p, v| contains(&p.support, v)),
        "region_pct": sh.of(domain::REGIONS, any, reaches),
        "national_pct": sh.of(&["national"], any, |p, _| p.coverage.national),
    })
}

fn reaches(p: &Profile, region: &str) -> bool {
    p.coverage.national
        || p.coverage
            .kommune_codes()
            .iter()
            .any(|k| geo::kommune(k).is_some_and(|k| k.region.code() == region))
}
