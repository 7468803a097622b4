//! Deterministic, realistic matching instances from real Danish towns (feature `gen`),
//! for tests, benchmarks and demo data.
//!
//! Bisiddere live in towns drawn by population, speak Danish and often English, a few
//! another language; they are available a few days a week, some have bookings already,
//! most have room for a couple more cases. Requests are meetings over the coming days in
//! towns drawn by population: a 30-minute formøde, a meeting of 1–2 hours and a
//! 30-minute eftermøde; children's cases (some at Familieretshuset) and adults' (some
//! in court); one in ten names a previous bisidder living nearby.
//!
//! Times are Unix seconds from [`MONDAY`]; working hours are given in Danish winter
//! time (UTC+1). The same seed gives the same instance on every machine: the random
//! numbers come from a SplitMix64 generator written out here, not from a library whose
//! sequence could change.

use geo::{Place, Region, Town};

use crate::model::{Bisidder, Busy, Instant, Interval, Request};

/// Monday 5 January 2026, 00:00 UTC: the start of the generated weeks.
pub const MONDAY: Instant = 1_767_571_200;
/// The ISO week key (`year * 100 + week`) of [`MONDAY`]'s week.
pub const WEEK_KEY: i64 = 202_602;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// Danish winter time is UTC+1: local hour `h` is `h - 1` in UTC.
const UTC_OFFSET: i64 = HOUR;

/// A small, fast, seedable random number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A generated instance.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub requests: Vec<Request>,
    pub pool: Vec<Bisidder>,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Params {
    pub requests: usize,
    pub bisiddere: usize,
    /// Days from [`MONDAY`] over which meetings fall.
    pub days: i64,
    /// No bisidder lives in these regions (meetings still happen there).
    pub regions_without_bisiddere: Vec<Region>,
    /// All places lie within this many km of one town drawn by population (`None`:
    /// the whole country).
    pub radius_km: Option<f64>,
    /// Range of the bisiddere's case limits.
    pub max_open_cases: (u32, u32),
    /// Range of the bisiddere's maximum travel, in minutes.
    pub max_travel_minutes: (u32, u32),
    /// Range of the days a week a bisidder is available.
    pub days_available: (u32, u32),
    /// Share of bisiddere with existing bookings in the period.
    pub busy_share: f64,
    /// Share of requests naming a previous bisidder.
    pub previous_share: f64,
}

impl Params {
    /// Many bisiddere across the country: almost every request can be assigned.
    pub fn plentiful(requests: usize, bisiddere: usize) -> Self {
        Self {
            requests,
            bisiddere,
            days: 7,
            regions_without_bisiddere: Vec::new(),
            radius_km: None,
            max_open_cases: (3, 8),
            max_travel_minutes: (30, 120),
            days_available: (2, 5),
            busy_share: 0.3,
            previous_share: 0.1,
        }
    }

    /// Few bisiddere (about 250 for 300 requests), none living in Nordjylland or
    /// Sjælland: many requests compete for the same people and some have nobody.
    pub fn scarce(requests: usize, bisiddere: usize) -> Self {
        Self {
            regions_without_bisiddere: vec![Region::Nordjylland, Region::Sjaelland],
            max_open_cases: (1, 4),
            max_travel_minutes: (30, 90),
            days_available: (1, 3),
            ..Self::plentiful(requests, bisiddere)
        }
    }

    /// A handful of requests and bisiddere around one town over two days: dense clashes,
    /// small enough for [`crate::exact::optimum`].
    pub fn dense(requests: usize, bisiddere: usize) -> Self {
        Self {
            days: 2,
            radius_km: Some(40.0),
            max_open_cases: (1, 3),
            max_travel_minutes: (30, 90),
            days_available: (1, 2),
            busy_share: 0.2,
            previous_share: 0.3,
            ..Self::plentiful(requests, bisiddere)
        }
    }
}

/// Generates the instance `params` describes from `seed`.
pub fn scenario(params: &Params, seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let all = TownDraw::new(geo::towns().iter().collect());
    let area = match params.radius_km {
        Some(km) => {
            let centre = all.draw(&mut rng).point();
            TownDraw::new(
                geo::towns()
                    .iter()
                    .filter(|t| geo::distance_km(centre, t.point()) <= km)
                    .collect(),
            )
        }
        None => all,
    };
    let homes = TownDraw::new(
        area.towns
            .iter()
            .copied()
            .filter(|t| {
                let region = t.kommune().map(|k| k.region);
                !region.is_some_and(|r| params.regions_without_bisiddere.contains(&r))
            })
            .collect(),
    );
    let pool: Vec<Bisidder> = (0..params.bisiddere)
        .map(|i| bisidder(&mut rng, params, &homes, i))
        .collect();
    let requests = (0..params.requests)
        .map(|i| request(&mut rng, params, &area, &pool, i))
        .collect();
    Scenario { requests, pool }
}

/// Towns drawn with probability proportional to population.
struct TownDraw {
    towns: Vec<&'static Town>,
    cumulative: Vec<u64>,
}

impl TownDraw {
    fn new(towns: Vec<&'static Town>) -> Self {
        let mut sum = 0;
        let cumulative = towns
            .iter()
            .map(|t| {
                sum += u64::from(t.population.max(1));
                sum
            })
            .collect();
        Self { towns, cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> &'static Town {
        let total = self.cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return &geo::towns()[0];
        }
        let x = rng.below(total);
        let at = self.cumulative.partition_point(|&c| c <= x);
        self.towns[at.min(self.towns.len() - 1)]
    }
}

fn bisidder(rng: &mut Rng, params: &Params, homes: &TownDraw, i: usize) -> Bisidder {
    let home = homes.draw(rng);
    let children = rng.chance(0.6);
    let adults = !children || rng.chance(0.4);
    let mut skills = Vec::new();
    if children {
        skills.push("children".to_string());
        if rng.chance(0.5) {
            skills.push("familieretshuset".to_string());
        }
    }
    if adults {
        skills.push("adults".to_string());
        if rng.chance(0.25) {
            skills.push("court".to_string());
        }
    }
    let mut languages = vec!["da".to_string()];
    if rng.chance(0.7) {
        languages.push("en".to_string());
    }
    if rng.chance(0.15) {
        languages.push(rng.pick(&OTHER_LANGUAGES).to_string());
    }
    let gender = match rng.below(100) {
        0..70 => "woman",
        70..98 => "man",
        _ => "other",
    };
    let max_open_cases = rng.between(
        i64::from(params.max_open_cases.0),
        i64::from(params.max_open_cases.1),
    ) as u32;
    let available = availability(rng, params);
    let busy = if rng.chance(params.busy_share) {
        bookings(rng, &available, home)
    } else {
        Vec::new()
    };
    let max_minutes_per_week = 60 * rng.between(6, 15) as u32;
    Bisidder {
        id: format!("b{i:05}"),
        active: rng.chance(0.97),
        skills,
        languages,
        gender: Some(gender.to_string()),
        base: Place::from(home),
        max_travel_minutes: rng.between(
            i64::from(params.max_travel_minutes.0) / 15,
            i64::from(params.max_travel_minutes.1) / 15,
        ) as u32
            * 15,
        areas: if rng.chance(0.6) {
            vec![home.kommune_code.to_string()]
        } else {
            Vec::new()
        },
        available,
        busy,
        open_cases: rng.between(0, i64::from(max_open_cases)) as u32,
        max_open_cases,
        booked_minutes_by_week: vec![(
            WEEK_KEY,
            (rng.below(u64::from(max_minutes_per_week) / 2 + 1)) as u32,
        )],
        max_minutes_per_week,
        conflicts: if rng.chance(0.05) {
            vec![format!("p{:05}", rng.below(params.requests.max(1) as u64))]
        } else {
            Vec::new()
        },
        reliability: if rng.chance(0.2) {
            1.0
        } else {
            0.6 + 0.4 * rng.below(101) as f32 / 100.0
        },
    }
}

const OTHER_LANGUAGES: [&str; 7] = ["ar", "tr", "so", "uk", "pl", "fa", "ur"];

/// A few days a week (mostly weekdays), each a daytime, afternoon-evening or long
/// window, local time.
fn availability(rng: &mut Rng, params: &Params) -> Vec<Interval> {
    let per_week = rng.between(
        i64::from(params.days_available.0),
        i64::from(params.days_available.1),
    );
    let mut windows = Vec::new();
    for day in 0..params.days {
        let weekday = day % 7 < 5;
        let p = per_week as f64 / 5.0 * if weekday { 1.0 } else { 0.15 };
        if rng.chance(p) {
            let (from, to) = *rng.pick(&[(8, 16), (12, 20), (7, 19), (9, 15)]);
            let midnight = MONDAY + day * DAY - UTC_OFFSET;
            windows.push(Interval::new(midnight + from * HOUR, midnight + to * HOUR));
        }
    }
    windows
}

/// One or two existing appointments inside their availability, in their home town or
/// a town nearby.
fn bookings(rng: &mut Rng, available: &[Interval], home: &'static Town) -> Vec<Busy> {
    let nearby: Vec<&'static Town> = geo::towns()
        .iter()
        .filter(|t| t.landmass == home.landmass && geo::distance_km(home.point(), t.point()) < 30.0)
        .collect();
    let mut busy = Vec::new();
    for _ in 0..rng.between(1, 2) {
        let Some(&window) = (!available.is_empty()).then(|| rng.pick(available)) else {
            break;
        };
        let length = 2 * HOUR + 30 * 60;
        let latest = window.end - length;
        if latest < window.start {
            continue;
        }
        let start = window.start + rng.between(0, (latest - window.start) / 900) * 900;
        let town = if nearby.is_empty() {
            home
        } else {
            *rng.pick(&nearby)
        };
        busy.push(Busy {
            interval: Interval::new(start, start + length),
            place: Place::from(town),
        });
    }
    busy
}

fn request(
    rng: &mut Rng,
    params: &Params,
    area: &TownDraw,
    pool: &[Bisidder],
    i: usize,
) -> Request {
    let town = area.draw(rng);
    let children = rng.chance(0.6);
    let required_skills: Vec<String> =
        match (children, rng.chance(if children { 0.4 } else { 0.1 })) {
            (true, true) => vec!["children".into(), "familieretshuset".into()],
            (true, false) => vec!["children".into()],
            (false, true) => vec!["adults".into(), "court".into()],
            (false, false) => vec!["adults".into()],
        };
    // Meetings mostly on weekdays, starting 08:30–15:00 local on the quarter hour.
    let mut day = rng.between(0, params.days - 1);
    if day % 7 >= 5 && rng.chance(0.8) {
        day -= day % 7 - 4;
    }
    let meeting_start = MONDAY + day * DAY - UTC_OFFSET + 8 * HOUR + rng.between(2, 28) * 900;
    let meeting_minutes = 60 + 15 * rng.between(0, 4);
    let span = Interval::new(
        meeting_start - 30 * 60,
        meeting_start + (meeting_minutes + 30) * 60,
    );
    let previous_bisidder = if rng.chance(params.previous_share) {
        previous(rng, pool, town, &required_skills)
    } else {
        None
    };
    Request {
        id: format!("r{i:05}"),
        person_id: Some(format!("p{i:05}")),
        language: rng
            .chance(0.05)
            .then(|| rng.pick(&OTHER_LANGUAGES).to_string()),
        wished_gender: rng
            .chance(0.25)
            .then(|| rng.pick(&["woman", "man"]).to_string()),
        wished_language: rng.chance(0.05).then(|| "en".to_string()),
        place: Place::from(town),
        kommune_code: Some(town.kommune_code.to_string()),
        span,
        work_minutes: span.minutes() as u32,
        week_key: WEEK_KEY,
        previous_bisidder,
        required_skills,
    }
}

/// A bisidder with the skills living within an hour: the person's earlier bisidder.
fn previous(rng: &mut Rng, pool: &[Bisidder], town: &Town, skills: &[String]) -> Option<String> {
    for _ in 0..60 {
        if pool.is_empty() {
            return None;
        }
        let b = rng.pick(pool);
        let near = geo::travel_minutes(b.base, Place::from(town)).is_some_and(|m| m <= 60);
        if near && skills.iter().all(|s| b.skills.contains(s)) {
            return Some(b.id.clone());
        }
    }
    None
}

/// Hand-built cases for tests and examples: a place by town name ("Aarhus", "Rønne").
///
/// # Panics
/// If the town is not in the data (a mistake in the test).
pub fn town(name: &str) -> Place {
    match geo::town_by_name(name) {
        Some(t) => Place::from(t),
        None => panic!("no town named {name} in the geo data"),
    }
}

/// A bisidder living in `home` who can take almost anything: active, every skill,
/// Danish and English, two hours' travel, free all of [`MONDAY`]'s week, no bookings,
/// no cases, 40 hours a week. Tests change the field they are about.
pub fn bisidder_in(id: &str, home: &str) -> Bisidder {
    Bisidder {
        id: id.to_string(),
        active: true,
        skills: ["children", "adults", "familieretshuset", "court"]
            .map(String::from)
            .to_vec(),
        languages: vec!["da".to_string(), "en".to_string()],
        gender: Some("woman".to_string()),
        base: town(home),
        max_travel_minutes: 120,
        areas: Vec::new(),
        available: vec![Interval::new(MONDAY - DAY, MONDAY + 8 * DAY)],
        busy: Vec::new(),
        open_cases: 0,
        max_open_cases: 5,
        booked_minutes_by_week: Vec::new(),
        max_minutes_per_week: 40 * 60,
        conflicts: Vec::new(),
        reliability: 1.0,
    }
}

/// A children's request in `place` on `day` (0 = [`MONDAY`]): formøde at local hour
/// `hour`, span 2½ hours.
pub fn request_in(id: &str, place: &str, day: i64, hour: i64) -> Request {
    let start = MONDAY + day * DAY - UTC_OFFSET + hour * HOUR;
    let place = town(place);
    let kommune_code = geo::towns()
        .iter()
        .find(|t| Place::from(*t) == place)
        .map(|t| t.kommune_code.to_string());
    Request {
        id: id.to_string(),
        person_id: Some(format!("person-{id}")),
        required_skills: vec!["children".to_string()],
        language: None,
        wished_gender: None,
        wished_language: None,
        place,
        kommune_code,
        span: Interval::new(start, start + 150 * 60),
        work_minutes: 150,
        week_key: WEEK_KEY,
        previous_bisidder: None,
    }
}
