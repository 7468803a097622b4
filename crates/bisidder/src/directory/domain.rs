//! The directory's rules, pure: the value lists of a scheme profile (SPEC C9 and §7),
//! which schemes can help with a meeting (coverage, meeting type, target group,
//! requirements, capacity) and in which order, and the survey's size categories.

/// Scheme types (SPEC §7 `kind`).
pub const KINDS: &[&str] = &[
    "volunteer_network",
    "drop_in",
    "advice",
    "citizens_adviser",
    "user_organisation",
    "professional_children",
    "other",
];
/// Who a scheme serves.
pub const TARGET_GROUPS: &[&str] = &[
    "everyone",
    "children_young",
    "adults",
    "elderly",
    "mental_illness",
    "addiction",
    "homeless",
    "greenlandic",
    "cancer",
    "families",
    "other",
];
/// What a person must meet to get a bisidder.
pub const REQUIREMENTS: &[&str] = &[
    "none",
    "known_by_org",
    "free_membership",
    "paid_membership",
    "in_target_group",
    "other",
];
/// What the meeting is about; `all` stands for every one of the others.
pub const MEETING_TYPES: &[&str] = &[
    "employment",
    "benefits",
    "children",
    "health",
    "addiction",
    "housing",
    "police_courts",
    "all",
];
/// Training the scheme gives its bisiddere.
pub const TRAINING: &[&str] = &[
    "none",
    "external_course",
    "internal_course",
    "shadowing",
    "other",
];
/// Support the scheme gives its bisiddere.
pub const SUPPORT: &[&str] = &[
    "none",
    "supervision",
    "colleague",
    "coordinator",
    "network_meetings",
    "other",
];
/// How often the scheme must turn people away.
pub const TURNS_AWAY: &[&str] = &["never", "rarely", "sometimes", "often"];
/// How well the scheme meets the demand it sees.
pub const MEETS_DEMAND: &[&str] = &["low", "medium", "high"];
/// Region codes (Region Hovedstaden … Region Nordjylland).
pub const REGIONS: &[&str] = &["1081", "1082", "1083", "1084", "1085"];

/// The meeting types without `all`.
pub fn concrete_meeting_types() -> impl Iterator<Item = &'static str> {
    MEETING_TYPES.iter().copied().filter(|m| *m != "all")
}

/// The meeting type of a request's authority (SPEC §6), for referral suggestions; `None`
/// when any scheme's meeting types will do (`anden`).
pub fn meeting_type_of_authority(authority: &str) -> Option<&'static str> {
    Some(match authority {
        "jobcenter" => "employment",
        "ydelse" | "ankestyrelsen" => "benefits",
        "sundhed" => "health",
        "misbrugsbehandling" => "addiction",
        "bolig" => "housing",
        "politi" | "retten" => "police_courts",
        "kommune"
        | "familieretshuset"
        | "familieretten"
        | "ungdomskriminalitetsnaevnet"
        | "boern_og_unge_udvalget" => "children",
        _ => return None,
    })
}

/// Splits a stored comma-separated list.
pub fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Where a scheme helps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    pub national: bool,
    pub regions: Vec<String>,
    pub kommuner: Vec<String>,
    pub towns: Vec<String>,
}

impl Coverage {
    /// Every kommune code the scheme covers (a region counts as its kommuner, a town as
    /// its kommune, the whole country as all 98).
    pub fn kommune_codes(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        if self.national {
            out.extend(geo::kommuner().iter().map(|k| k.code.to_string()));
            return out;
        }
        for r in &self.regions {
            if let Some(region) = geo::Region::from_code(r) {
                out.extend(region.kommuner().map(|k| k.code.to_string()));
            }
        }
        out.extend(self.kommuner.iter().cloned());
        for t in &self.towns {
            if let Some(k) = geo::town_by_name(t) {
                out.insert(k.kommune_code.to_string());
            }
        }
        out
    }

    pub fn covers(&self, kommune: &str) -> bool {
        self.national || self.kommune_codes().contains(kommune)
    }

    pub fn is_empty(&self) -> bool {
        !self.national
            && self.regions.is_empty()
            && self.kommuner.is_empty()
            && self.towns.is_empty()
    }
}

/// A scheme as the search and the analytics see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub profiled: bool,
    pub verified: bool,
    pub at_capacity: bool,
    /// Where the scheme is based (its town, else its kommune's seat).
    pub base: Option<geo::Point>,
    pub coverage: Coverage,
    pub target_groups: Vec<String>,
    pub requirements: Vec<String>,
    pub meeting_types: Vec<String>,
    pub training: Vec<String>,
    pub support: Vec<String>,
    pub bisiddere: Option<i64>,
    pub tasks_per_week: Option<f64>,
    pub turns_away: Option<String>,
    pub turn_away_reasons: Vec<String>,
}

impl Profile {
    pub fn handles(&self, meeting_type: &str) -> bool {
        self.meeting_types
            .iter()
            .any(|m| m == "all" || m == meeting_type)
    }
    pub fn serves(&self, group: &str) -> bool {
        self.target_groups
            .iter()
            .any(|g| g == "everyone" || g == group)
    }
    pub fn without_requirements(&self) -> bool {
        self.requirements.iter().all(|r| r == "none")
    }
}

/// "A bisidder for a meeting about X in Y": every field optional but the place.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub kommune: String,
    /// The point distances are measured from (the town, else the kommune's seat).
    pub from: Option<geo::Point>,
    pub meeting_type: Option<String>,
    pub target_group: Option<String>,
    pub no_requirements: bool,
    /// Leave out schemes at capacity (referral suggestions) instead of sorting them last.
    pub with_capacity_only: bool,
}

/// One scheme that can help, with its distance in km from the place asked about.
#[derive(Clone, Debug)]
pub struct Hit<'a> {
    pub scheme: &'a Profile,
    pub km: Option<f64>,
}

/// The schemes with a completed profile that cover the kommune, handle the meeting type,
/// serve the target group and (if asked) have no requirements — those taking requests
/// first, then nearest first (a scheme without a base last), then by name.
pub fn search<'a>(schemes: &'a [Profile], q: &Query) -> Vec<Hit<'a>> {
    let mut hits: Vec<Hit<'a>> = schemes
        .iter()
        .filter(|s| s.profiled && s.coverage.covers(&q.kommune))
        .filter(|s| q.meeting_type.as_deref().is_none_or(|m| s.handles(m)))
        .filter(|s| q.target_group.as_deref().is_none_or(|g| s.serves(g)))
        .filter(|s| !q.no_requirements || s.without_requirements())
        .filter(|s| !(q.with_capacity_only && s.at_capacity))
        .map(|s| Hit {
            scheme: s,
            km: match (q.from, s.base) {
                (Some(a), Some(b)) => Some(geo::distance_km(a, b)),
                _ => None,
            },
        })
        .collect();
    hits.sort_by(|a, b| {
        a.scheme
            .at_capacity
            .cmp(&b.scheme.at_capacity)
            .then_with(|| match (a.km, b.km) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.scheme.name.cmp(&b.scheme.name))
    });
    hits
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
    /// The survey's weights for weighted shares.
    pub fn weight(self) -> u32 {
        match self {
            Size::Small => 1,
            Size::Medium => 3,
            Size::Large => 20,
        }
    }
}

pub fn size_by_bisiddere(n: i64) -> Size {
    match n {
        ..=2 => Size::Small,
        3..=9 => Size::Medium,
        _ => Size::Large,
    }
}

/// Tasks per week: under 1 small, 1 up to (not incl.) 6 medium, 6 or more large.
pub fn size_by_tasks(t: f64) -> Size {
    if t < 1.0 {
        Size::Small
    } else if t < 6.0 {
        Size::Medium
    } else {
        Size::Large
    }
}

pub fn size_by_kommuner(n: usize) -> Size {
    match n {
        ..=1 => Size::Small,
        2..=8 => Size::Medium,
        _ => Size::Large,
    }
}

/// The survey's size category: the size at least two of the three criteria agree on; if
/// all three disagree, medium. A criterion that is unknown does not vote: with two votes
/// that disagree the answer is medium, with one vote it decides, with none it is medium.
pub fn size_category(bisiddere: Option<i64>, tasks: Option<f64>, kommuner: Option<usize>) -> Size {
    let votes: Vec<Size> = [
        bisiddere.map(size_by_bisiddere),
        tasks.map(size_by_tasks),
        kommuner.map(size_by_kommuner),
    ]
    .into_iter()
    .flatten()
    .collect();
    for s in [Size::Small, Size::Medium, Size::Large] {
        if votes.iter().filter(|v| **v == s).count() >= 2 {
            return s;
        }
    }
    match votes.as_slice() {
        [one] => *one,
        _ => Size::Medium,
    }
}

pub fn size_of(p: &Profile) -> Size {
    let kommuner = (!p.coverage.is_empty()).then(|| p.coverage.kommune_codes().len());
    size_category(p.bisiddere, p.tasks_per_week, kommuner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_of_three_criteria_decide_the_size() {
        use Size::*;
        // All agree.
        assert_eq!(size_category(Some(1), Some(0.5), Some(1)), Small);
        assert_eq!(size_category(Some(5), Some(3.0), Some(4)), Medium);
        assert_eq!(size_category(Some(12), Some(7.0), Some(98)), Large);
        // Two of three.
        assert_eq!(size_category(Some(2), Some(0.2), Some(20)), Small);
        assert_eq!(size_category(Some(30), Some(0.5), Some(9)), Large);
        assert_eq!(size_category(Some(1), Some(2.0), Some(3)), Medium);
        // All three disagree → medium, in every order.
        assert_eq!(size_category(Some(1), Some(3.0), Some(20)), Medium);
        assert_eq!(size_category(Some(20), Some(0.1), Some(5)), Medium);
        assert_eq!(size_category(Some(4), Some(9.0), Some(1)), Medium);
        // Boundaries: 2/3 bisiddere, 9/10; <1, 1, 5.5, 6 tasks; 1/2, 8/9 kommuner.
        assert_eq!(size_by_bisiddere(2), Small);
        assert_eq!(size_by_bisiddere(3), Medium);
        assert_eq!(size_by_bisiddere(9), Medium);
        assert_eq!(size_by_bisiddere(10), Large);
        assert_eq!(size_by_tasks(0.99), Small);
        assert_eq!(size_by_tasks(1.0), Medium);
        assert_eq!(size_by_tasks(5.5), Medium);
        assert_eq!(size_by_tasks(6.0), Large);
        assert_eq!(size_by_kommuner(1), Small);
        assert_eq!(size_by_kommuner(2), Medium);
        assert_eq!(size_by_kommuner(8), Medium);
        assert_eq!(size_by_kommuner(9), Large);
        // Unknown criteria do not vote.
        assert_eq!(size_category(Some(12), None, Some(10)), Large);
        assert_eq!(size_category(Some(12), None, Some(1)), Medium);
        assert_eq!(size_category(None, None, Some(1)), Small);
        assert_eq!(size_category(None, None, None), Medium);
    }

    #[test]
    fn a_region_counts_as_its_kommuner_and_the_country_as_98() {
        let nord = Coverage {
            regions: vec!["1081".into()],
            ..Coverage::default()
        };
        assert_eq!(nord.kommune_codes().len(), 11);
        assert!(nord.covers("0851"));
        assert!(!nord.covers("0461"));
        let all = Coverage {
            national: true,
            ..Coverage::default()
        };
        assert_eq!(all.kommune_codes().len(), 98);
        let town = Coverage {
            towns: vec!["Skive".into()],
            ..Coverage::default()
        };
        assert!(town.covers("0779"));
    }

    #[test]
    fn authorities_map_to_meeting_types() {
        assert_eq!(meeting_type_of_authority("jobcenter"), Some("employment"));
        assert_eq!(
            meeting_type_of_authority("familieretshuset"),
            Some("children")
        );
        assert_eq!(meeting_type_of_authority("anden"), None);
    }
}
