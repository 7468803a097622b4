//! The input: bisiddere and requests, as the app loads them from the database.
//!
//! Everything here is plain data with public fields. The app decides what "active",
//! "skill" or "available" mean (approval, expired qualifications, weekly availability
//! minus absences) and hands this crate the result; the crate never looks anything up.

/// A moment in time: Unix seconds (UTC).
pub type Instant = i64;

/// A half-open time interval `[start, end)` in Unix seconds. An interval whose end is
/// not after its start is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    pub start: Instant,
    pub end: Instant,
}

impl Interval {
    pub const fn new(start: Instant, end: Instant) -> Self {
        Self { start, end }
    }

    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Length in whole minutes (0 when empty).
    pub const fn minutes(&self) -> i64 {
        if self.is_empty() {
            0
        } else {
            (self.end - self.start) / 60
        }
    }

    /// Widened by `before` seconds at the start and `after` seconds at the end.
    pub const fn padded(&self, before: i64, after: i64) -> Self {
        Self {
            start: self.start.saturating_sub(before),
            end: self.end.saturating_add(after),
        }
    }

    /// True when the two share at least one second. Touching intervals do not overlap.
    pub const fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// An existing booking of a bisidder: when and where (so that the journey between it
/// and a new meeting can be checked).
#[derive(Debug, Clone, PartialEq)]
pub struct Busy {
    pub interval: Interval,
    pub place: geo::Place,
}

/// A bisidder as the matcher sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Bisidder {
    /// The app's id (e.g. a ULID); returned in every result.
    pub id: String,
    /// Active and approved, with the training the organisation requires.
    pub active: bool,
    /// Skills and kinds of case they are trained for, e.g. "children",
    /// "familieretshuset", "court", "adults". Expired qualifications already removed.
    pub skills: Vec<String>,
    /// Languages they speak, ISO 639-1 codes ("da", "en", "ar", …).
    pub languages: Vec<String>,
    /// "woman", "man", "other" (or `None` when not given).
    pub gender: Option<String>,
    /// Where they travel from.
    pub base: geo::Place,
    /// The longest single journey (one way) they accept outside their `areas`.
    pub max_travel_minutes: u32,
    /// Kommune codes ("0101") they serve whatever the journey (may be empty).
    pub areas: Vec<String>,
    /// Absolute windows when they can work: weekly availability expanded over the
    /// planning horizon, absences removed. Windows may touch or overlap; their union
    /// counts.
    pub available: Vec<Interval>,
    /// Existing bookings (meetings of their open cases, other commitments in the app).
    pub busy: Vec<Busy>,
    pub open_cases: u32,
    pub max_open_cases: u32,
    /// Minutes already booked per ISO week: `(week key, minutes)`, the week key being
    /// the app's (e.g. `year * 100 + week`). Weeks not listed have nothing booked.
    pub booked_minutes_by_week: Vec<(i64, u32)>,
    pub max_minutes_per_week: u32,
    /// Ids of persons with whom they have a recorded conflict of interest.
    pub conflicts: Vec<String>,
    /// Share of offers answered in time, `0.0..=1.0` (1.0 for a new bisidder).
    pub reliability: f32,
}

impl Bisidder {
    /// Minutes booked in the given week before any new assignment.
    pub fn booked_minutes(&self, week_key: i64) -> u32 {
        self.booked_minutes_by_week
            .iter()
            .filter(|(week, _)| *week == week_key)
            .map(|(_, minutes)| *minutes)
            .sum()
    }

    /// How many more cases they can take.
    pub const fn free_case_slots(&self) -> u32 {
        self.max_open_cases.saturating_sub(self.open_cases)
    }
}

/// An open request (henvendelse) to be matched: one meeting with its formøde and
/// eftermøde.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The app's id; returned in every result.
    pub id: String,
    /// The person the meeting is for (checked against conflicts of interest).
    pub person_id: Option<String>,
    /// Every skill the bisidder must have, e.g. `["children", "familieretshuset"]`.
    pub required_skills: Vec<String>,
    /// A language the bisidder must speak (when the person needs it and no interpreter
    /// is arranged).
    pub language: Option<String>,
    /// The person's wishes: preferred, never required.
    pub wished_gender: Option<String>,
    pub wished_language: Option<String>,
    /// Where the meeting is.
    pub place: geo::Place,
    /// The meeting's kommune code, matched against the bisidder's `areas`.
    pub kommune_code: Option<String>,
    /// From the start of the formøde to the end of the eftermøde.
    pub span: Interval,
    /// Minutes of work (the three appointments), counted against weekly limits.
    pub work_minutes: u32,
    /// The ISO week of the meeting, in the same form as
    /// [`Bisidder::booked_minutes_by_week`].
    pub week_key: i64,
    /// The person's earlier bisidder (continuity: fewer changes of adult).
    pub previous_bisidder: Option<String>,
}
