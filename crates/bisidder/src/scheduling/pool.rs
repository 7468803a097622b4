//! Loads what the matcher needs from the database: the organisation's bisiddere (profile,
//! weekly availability expanded to absolute windows minus absences, bookings, open cases,
//! booked minutes per week, conflicts of interest, reliability) and turns a request into
//! the matcher's form. The `matching` crate itself never touches the database.

use crate::{
    intake::store::RequestRow,
    store::{row, Conn},
    web::fmt::copenhagen,
};
use jiff::{civil::Weekday, Timestamp, ToSpan};
use matching::{Bisidder, Busy, Interval, Request};
use std::collections::HashMap;

/// Default appointment plan around a meeting that starts at `m` (Unix seconds):
/// formøde 45 min ending 15 min before; the meeting 90 min; eftermøde 30 min right after.
pub const PLAN: [(&str, i64, i64); 3] = [
    ("formoede", -60, -15),
    ("moede", 0, 90),
    ("eftermoede", 90, 120),
];
pub const WORK_MINUTES: u32 = 45 + 90 + 30;

pub fn span_of(meeting_at_s: i64) -> Interval {
    Interval::new(meeting_at_s + PLAN[0].1 * 60, meeting_at_s + PLAN[2].2 * 60)
}

/// ISO week key `year * 100 + week` of an instant in Danish time.
pub fn week_key(at_s: i64) -> i64 {
    match Timestamp::from_second(at_s) {
        Ok(ts) => {
            let d = ts.to_zoned(copenhagen()).date().iso_week_date();
            i64::from(d.year()) * 100 + i64::from(d.week())
        }
        Err(_) => 0,
    }
}

pub fn landmass_from(code: Option<&str>) -> geo::Landmass {
    geo::Landmass::ALL
        .into_iter()
        .find(|l| Some(format!("{l:?}").as_str()) == code)
        .unwrap_or(geo::Landmass::Mainland)
}

pub fn place_from(lat: Option<f64>, lon: Option<f64>, landmass: Option<&str>) -> geo::Place {
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            geo::Place::new(geo::Point::new(lat, lon), landmass_from(landmass))
        }
        _ => geo::Place::at(geo::Point::new(55.68, 12.57)),
    }
}

/// The skills a request needs, from its authority and the person's age.
pub fn required_skills(r: &RequestRow) -> Vec<String> {
    let child = r.age.is_some_and(|a| a < 18) || matches!(r.gender.as_str(), "girl" | "boy");
    let mut v = Vec::new();
    if matches!(r.authority.as_str(), "familieretshuset" | "familieretten") {
        v.push("familieretshuset".to_string());
    } else if child {
        v.push("children".to_string());
    } else {
        v.push("adults".to_string());
    }
    v
}

pub fn to_request(r: &RequestRow, previous_bisidder: Option<String>) -> Option<Request> {
    let meeting_s = r.meeting_at? / 1_000_000;
    let span = span_of(meeting_s);
    Some(Request {
        id: r.id.clone(),
        person_id: Some(r.person_id.clone()),
        required_skills: required_skills(r),
        language: r
            .language
            .clone()
            .filter(|l| l != "da" && !r.needs_interpreter),
        wished_gender: r.wished_gender.clone(),
        wished_language: r.wished_language.clone(),
        place: place_from(r.lat, r.lon, r.landmass.as_deref()),
        kommune_code: r.kommune_code.clone(),
        span,
        work_minutes: WORK_MINUTES,
        week_key: week_key(meeting_s),
        previous_bisidder,
    })
}

/// The bisidder who had the person's earlier case, if the request was recognised.
pub async fn previous_bisidder(conn: &mut Conn, r: &RequestRow) -> sqlx::Result<Option<String>> {
    let Some(case) = &r.duplicate_case_id else {
        return Ok(None);
    };
    sqlx::query_scalar("SELECT bisidder_user_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_optional(&mut *conn)
        .await
        .map(Option::flatten)
}

pub struct Profile {
    pub name: String,
    pub town: String,
}

/// Every active bisidder of `org`, ready for the matcher, over [from, to) (Unix seconds).
pub async fn load(
    conn: &mut Conn,
    org: &str,
    from: i64,
    to: i64,
) -> sqlx::Result<(Vec<Bisidder>, HashMap<String, Profile>)> {
    let today = Timestamp::from_second(from)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(copenhagen())
        .date()
        .to_string();
    let rows = sqlx::query(
        "SELECT p.user_id, u.name, p.town, p.lat, p.lon, p.max_travel_minutes, p.max_open_cases, p.max_hours_per_week, p.languages, \
         p.skills, p.areas, p.gender, p.offers_made, p.offers_answered, p.qualified_until, \
         (SELECT COUNT(*) FROM cases c WHERE c.bisidder_user_id = p.user_id AND c.org_id = p.org_id AND c.closed_on IS NULL) AS open_cases \
         FROM bisidder_profiles p JOIN users u ON u.id = p.user_id WHERE p.org_id = $1 AND p.status = 'active' AND u.disabled = 0",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let mut slots: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for r in
        sqlx::query("SELECT user_id, start_minute, end_minute FROM availability WHERE org_id = $1")
            .bind(org)
            .fetch_all(&mut *conn)
            .await?
    {
        slots
            .entry(row::s(&r, "user_id")?)
            .or_default()
            .push((row::i(&r, "start_minute")?, row::i(&r, "end_minute")?));
    }
    let mut absences: HashMap<String, Vec<Interval>> = HashMap::new();
    for r in sqlx::query("SELECT user_id, starts_at, ends_at FROM absences WHERE org_id = $1 AND ends_at > $2 AND starts_at < $3")
        .bind(org)
        .bind(from * 1_000_000)
        .bind(to * 1_000_000)
        .fetch_all(&mut *conn)
        .await?
    {
        absences.entry(row::s(&r, "user_id")?).or_default().push(Interval::new(row::i(&r, "starts_at")? / 1_000_000, row::i(&r, "ends_at")? / 1_000_000));
    }
    let mut busy: HashMap<String, Vec<Busy>> = HashMap::new();
    let mut minutes: HashMap<String, HashMap<i64, u32>> = HashMap::new();
    for (user, b) in super::store::org_bookings(
        conn,
        org,
        (from - 7 * 86400) * 1_000_000,
        (to + 7 * 86400) * 1_000_000,
    )
    .await?
    {
        let interval = Interval::new(b.starts_at / 1_000_000, b.ends_at / 1_000_000);
        *minutes
            .entry(user.clone())
            .or_default()
            .entry(week_key(interval.start))
            .or_default() += interval.minutes() as u32;
        busy.entry(user).or_default().push(Busy {
            interval,
            place: place_from(b.lat, b.lon, b.landmass.as_deref()),
        });
    }
    let mut conflicts: HashMap<String, Vec<String>> = HashMap::new();
    for r in sqlx::query("SELECT c.user_id, c.person_id FROM conflicts c JOIN bisidder_profiles p ON p.user_id = c.user_id AND p.org_id = $1")
        .bind(org)
        .fetch_all(&mut *conn)
        .await?
    {
        conflicts.entry(row::s(&r, "user_id")?).or_default().push(row::s(&r, "person_id")?);
    }
    let mut pool = Vec::new();
    let mut profiles = HashMap::new();
    for r in &rows {
        let id = row::s(r, "user_id")?;
        let qualified = row::os(r, "qualified_until")?.is_none_or(|q| q >= today);
        let split = |s: String| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let made = row::i(r, "offers_made")?;
        let answered = row::i(r, "offers_answered")?;
        let available = expand(
            slots.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            from,
            to,
            absences.get(&id).map(Vec::as_slice).unwrap_or(&[]),
        );
        pool.push(Bisidder {
            id: id.clone(),
            active: qualified,
            skills: split(row::s(r, "skills")?),
            languages: split(row::s(r, "languages")?),
            gender: row::os(r, "gender")?,
            base: place_from(
                sqlx::Row::try_get(r, "lat")?,
                sqlx::Row::try_get(r, "lon")?,
                None,
            ),
            max_travel_minutes: row::i(r, "max_travel_minutes")? as u32,
            areas: split(row::s(r, "areas")?),
            available,
            busy: busy.remove(&id).unwrap_or_default(),
            open_cases: row::i(r, "open_cases")? as u32,
            max_open_cases: row::i(r, "max_open_cases")? as u32,
            booked_minutes_by_week: minutes
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            max_minutes_per_week: (row::i(r, "max_hours_per_week")? * 60) as u32,
            conflicts: conflicts.remove(&id).unwrap_or_default(),
            reliability: if made == 0 {
                1.0
            } else {
                answered as f32 / made as f32
            },
        });
        profiles.insert(
            id,
            Profile {
                name: row::s(r, "name")?,
                town: row::s(r, "town")?,
            },
        );
    }
    Ok((pool, profiles))
}

/// Weekly slots (minutes after Monday 00:00 local time) expanded to absolute windows over
/// [from, to), DST-aware, with absences cut out.
pub fn expand(slots: &[(i64, i64)], from: i64, to: i64, absences: &[Interval]) -> Vec<Interval> {
    let tz = copenhagen();
    let Ok(start) = Timestamp::from_second(from) else {
        return Vec::new();
    };
    let first_day = start.to_zoned(tz.clone()).date();
    let monday = first_day
        .checked_sub((first_day.weekday().to_monday_zero_offset() as i64).days())
        .unwrap_or(first_day);
    let mut out = Vec::new();
    let mut week_start = monday;
    while let Ok(ws) = week_start.to_zoned(tz.clone()) {
        if ws.timestamp().as_second() >= to {
            break;
        }
        for &(s, e) in slots {
            let at = |m: i64| -> Option<i64> {
                let day = week_start.checked_add((m / 1440).days()).ok()?;
                let time =
                    jiff::civil::Time::new((m % 1440 / 60) as i8, (m % 60) as i8, 0, 0).ok()?;
                let t = day.to_datetime(time).to_zoned(tz.clone()).ok()?;
                Some(t.timestamp().as_second())
            };
            if let (Some(a), Some(b)) = (at(s), at(e)) {
                if b > from && a < to {
                    out.extend(cut(Interval::new(a, b), absences));
                }
            }
        }
        week_start = match week_start.checked_add(7.days()) {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    let _ = Weekday::Monday;
    out
}

fn cut(i: Interval, absences: &[Interval]) -> Vec<Interval> {
    let mut parts = vec![i];
    for a in absences {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                if !p.overlaps(a) {
                    return vec![p];
                }
                let mut v = Vec::new();
                if p.start < a.start {
                    v.push(Interval::new(p.start, a.start));
                }
                if a.end < p.end {
                    v.push(Interval::new(a.end, p.end));
                }
                v
            })
            .collect();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_slots_follow_local_time_across_daylight_saving() {
        // Monday 09:00–12:00 local. 2026-03-23 is a Monday in winter time (UTC+1),
        // 2026-03-30 the Monday after the change (UTC+2).
        let from: Timestamp = "2026-03-23T00:00:00Z".parse().unwrap();
        let to: Timestamp = "2026-04-05T00:00:00Z".parse().unwrap();
        let v = expand(&[(9 * 60, 12 * 60)], from.as_second(), to.as_second(), &[]);
        let starts: Vec<String> = v
            .iter()
            .map(|i| Timestamp::from_second(i.start).unwrap().to_string())
            .collect();
        assert_eq!(starts, ["2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"]);
    }

    #[test]
    fn absences_are_cut_out() {
        let from: Timestamp = "2026-03-23T00:00:00Z".parse().unwrap();
        let absent = Interval::new(from.as_second() + 9 * 3600, from.as_second() + 10 * 3600);
        let v = expand(
            &[(9 * 60, 12 * 60)],
            from.as_second(),
            from.as_second() + 86400,
            &[absent],
        );
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].end, absent.start);
        assert_eq!(v[1].start, absent.end);
    }

    #[test]
    fn span_and_week_key() {
        let m: Timestamp = "2026-03-10T09:00:00Z".parse().unwrap();
        let s = span_of(m.as_second());
        assert_eq!(s.minutes(), 180);
        assert_eq!(week_key(m.as_second()), 202611);
    }
}
