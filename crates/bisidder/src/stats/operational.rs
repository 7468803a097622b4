//! Operational figures of a year (SPEC C8): how fast a consenting person got a bisidder,
//! why requests were turned away, referrals, and where requests came from compared with
//! where the bisiddere are (coverage gaps).
//!
//! Definitions (all per organisation, local Danish time):
//! * *Time to assignment*: over the requests whose person consented in the year, the
//!   hours from consent to assignment of those assigned; median and 90th percentile by
//!   the nearest-rank method. *Within 24 h* is the share of all consented requests that
//!   were assigned within 24 hours (one never assigned counts as not within).
//! * *Rejections by reason* and *referrals*: requests received in the year that ended
//!   rejected (by their reason code) or referred to another scheme.
//! * *Coverage*: requests received in the year per kommune and region; active bisiddere
//!   per kommune (where they live); a kommune is *covered* when at least one active
//!   bisidder can reach its seat within their own travel limit (ferries included). A gap
//!   is a kommune with requests and no bisidder who covers it.

use crate::intake::domain::REJECTION_REASONS;
use crate::store::{row, Conn};
use geo::{Landmass, Place, Point, Region};
use jiff::{civil::date, tz::TimeZone};
use std::collections::BTreeMap;

/// The figures of `summarise` and `coverage`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Operational {
    /// Requests whose person consented in the year.
    pub consented: i64,
    /// Of those, assigned a bisidder.
    pub assigned: i64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// Share (percent, one decimal) of `consented` assigned within 24 hours.
    pub within_24h_pct: Option<f64>,
    /// In `REJECTION_REASONS` order, every reason present.
    pub rejections: Vec<(&'static str, i64)>,
    pub referred: i64,
    pub received: i64,
    pub regions: Vec<RegionRow>,
    /// Kommuner with requests or bisiddere, in code order.
    pub kommuner: Vec<KommuneRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegionRow {
    pub code: &'static str,
    pub requests: i64,
    pub bisiddere: i64,
    /// Kommuner of the region with requests and no bisidder who covers them.
    pub gaps: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KommuneRow {
    pub code: &'static str,
    pub name: &'static str,
    pub region: &'static str,
    pub requests: i64,
    pub bisiddere: i64,
    pub covered: bool,
}

/// Median and 90th percentile (nearest rank: the ⌈p·n⌉-th smallest) of `hours`.
pub fn percentiles(hours: &mut [f64]) -> (Option<f64>, Option<f64>) {
    if hours.is_empty() {
        return (None, None);
    }
    hours.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let k = (p * hours.len() as f64).ceil() as usize;
        let v = hours[k.clamp(1, hours.len()) - 1];
        (v * 10.0).round() / 10.0
    };
    (Some(rank(0.5)), Some(rank(0.9)))
}

/// Time-to-assignment figures from (consent, assignment) pairs in microseconds.
pub fn timing(pairs: &[(i64, Option<i64>)]) -> (i64, i64, Option<f64>, Option<f64>, Option<f64>) {
    const DAY_US: i64 = 24 * 3600 * 1_000_000;
    let consented = pairs.len() as i64;
    let mut hours: Vec<f64> = pairs
        .iter()
        .filter_map(|(c, a)| a.map(|a| (a - c).max(0) as f64 / 3_600_000_000.0))
        .collect();
    let within = pairs
        .iter()
        .filter(|(c, a)| a.is_some_and(|a| a - c <= DAY_US))
        .count() as i64;
    let assigned = hours.len() as i64;
    let (median, p90) = percentiles(&mut hours);
    let share = (consented > 0)
        .then(|| (1000 * within + consented / 2) / consented)
        .map(|permille| permille as f64 / 10.0);
    (consented, assigned, median, p90, share)
}

/// A bisidder as coverage needs them.
#[derive(Debug, Clone)]
pub struct Reach {
    pub kommune_code: String,
    pub lat: f64,
    pub lon: f64,
    pub max_travel_minutes: u32,
}

fn place_of(lat: f64, lon: f64, landmass: Landmass) -> Place {
    Place::new(Point::new(lat, lon), landmass)
}

/// Requests per kommune and region against the bisiddere who can reach them.
pub fn coverage(
    requests: &BTreeMap<String, i64>,
    bisiddere: &[Reach],
) -> (Vec<RegionRow>, Vec<KommuneRow>) {
    let mut based: BTreeMap<&str, i64> = BTreeMap::new();
    let places: Vec<(Place, u32)> = bisiddere
        .iter()
        .filter_map(|b| {
            let k = geo::kommune(&b.kommune_code)?;
            *based.entry(k.code).or_default() += 1;
            Some((place_of(b.lat, b.lon, k.landmass), b.max_travel_minutes))
        })
        .collect();
    let mut rows = Vec::new();
    for k in geo::kommuner() {
        let n = requests.get(k.code).copied().unwrap_or(0);
        let b = based.get(k.code).copied().unwrap_or(0);
        if n == 0 && b == 0 {
            continue;
        }
        let seat = place_of(k.lat, k.lon, k.landmass);
        let covered = places
            .iter()
            .any(|(p, max)| geo::travel_minutes(*p, seat).is_some_and(|m| m <= *max));
        rows.push(KommuneRow {
            code: k.code,
            name: k.name,
            region: k.region.code(),
            requests: n,
            bisiddere: b,
            covered,
        });
    }
    let regions = Region::ALL
        .iter()
        .map(|r| {
            let of = rows.iter().filter(|k| k.region == r.code());
            RegionRow {
                code: r.code(),
                requests: of.clone().map(|k| k.requests).sum(),
                bisiddere: of.clone().map(|k| k.bisiddere).sum(),
                gaps: of.filter(|k| k.requests > 0 && !k.covered).count() as i64,
            }
        })
        .collect();
    (regions, rows)
}

fn year_bounds(year: i16) -> (i64, i64) {
    let tz = TimeZone::get("Europe/Copenhagen").unwrap_or(TimeZone::UTC);
    let at = |y: i16| {
        date(y, 1, 1)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .unwrap_or(0)
    };
    (at(year), at(year + 1))
}

/// Loads and computes the operational figures of `org` in `year`.
pub async fn load(conn: &mut Conn, org: &str, year: i16) -> sqlx::Result<Operational> {
    let (from, to) = year_bounds(year);
    let mut pairs = Vec::new();
    for r in sqlx::query(
        "SELECT consent_at, assigned_at FROM requests WHERE org_id = $1 AND consent_at >= $2 AND consent_at < $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    {
        pairs.push((row::i(&r, "consent_at")?, row::oi(&r, "assigned_at")?));
    }
    let (consented, assigned, median_hours, p90_hours, within_24h_pct) = timing(&pairs);

    let mut rejected: BTreeMap<String, i64> = BTreeMap::new();
    let mut referred = 0;
    let mut received = 0;
    let mut requests: BTreeMap<String, i64> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT status, closed_reason, kommune_code FROM requests WHERE org_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    {
        received += 1;
        match row::s(&r, "status")?.as_str() {
            "rejected" => {
                let reason = row::os(&r, "closed_reason")?.unwrap_or_default();
                *rejected.entry(reason).or_default() += 1;
            }
            "referred" => referred += 1,
            _ => {}
        }
        if let Some(k) = row::os(&r, "kommune_code")?.and_then(|c| geo::kommune(&c)) {
            *requests.entry(k.code.to_owned()).or_default() += 1;
        }
    }
    let rejections = REJECTION_REASONS
        .iter()
        .map(|reason| {
            let n = rejected.remove(*reason).unwrap_or(0);
            (*reason, n)
        })
        .collect::<Vec<_>>();
    // Reasons outside the list (imported or older data) count as "other".
    let unknown: i64 = rejected.values().sum();
    let rejections = rejections
        .into_iter()
        .map(|(k, n)| (k, if k == "other" { n + unknown } else { n }))
        .collect();

    let mut reach = Vec::new();
    for r in sqlx::query(
        "SELECT p.kommune_code, p.lat, p.lon, p.max_travel_minutes FROM bisidder_profiles p JOIN users u ON u.id = p.user_id \
         WHERE p.org_id = $1 AND p.status = 'active' AND u.disabled = 0",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?
    {
        reach.push(Reach {
            kommune_code: row::s(&r, "kommune_code")?,
            lat: row::f(&r, "lat")?,
            lon: row::f(&r, "lon")?,
            max_travel_minutes: u32::try_from(row::i(&r, "max_travel_minutes")?).unwrap_or(0),
        });
    }
    let (regions, kommuner) = coverage(&requests, &reach);
    Ok(Operational {
        consented,
        assigned,
        median_hours,
        p90_hours,
        within_24h_pct,
        rejections,
        referred,
        received,
        regions,
        kommuner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    #[test]
    fn time_to_assignment_uses_nearest_rank_and_counts_the_unassigned_as_late() {
        // Ten consented: assigned after 1..=9 hours, and one never.
        let mut pairs: Vec<(i64, Option<i64>)> = (1..=9).map(|h| (0, Some(h * H))).collect();
        pairs.push((5 * H, None));
        let (consented, assigned, median, p90, within) = timing(&pairs);
        assert_eq!((consented, assigned), (10, 9));
        // Nine values 1..9: median is the 5th (⌈4.5⌉), p90 the 9th (⌈8.1⌉).
        assert_eq!((median, p90), (Some(5.0), Some(9.0)));
        // Nine of ten within 24 hours.
        assert_eq!(within, Some(90.0));
        // Exactly 24 hours is within; a microsecond more is not.
        let edge = timing(&[(0, Some(24 * H)), (0, Some(24 * H + 1))]);
        assert_eq!(edge.4, Some(50.0));
        assert_eq!(timing(&[]), (0, 0, None, None, None));
    }

    #[test]
    fn a_kommune_is_covered_only_within_a_bisidders_own_travel_limit() {
        let requests: BTreeMap<String, i64> = [("0101", 4), ("0400", 2), ("0461", 1)]
            .into_iter()
            .map(|(k, n)| (k.to_owned(), n))
            .collect();
        let kbh = geo::kommune("0101").unwrap();
        let odense = geo::kommune("0461").unwrap();
        // One bisidder in København willing to travel 30 minutes; one in Odense, 60.
        let bisiddere = [
            Reach {
                kommune_code: "0101".into(),
                lat: kbh.lat,
                lon: kbh.lon,
                max_travel_minutes: 30,
            },
            Reach {
                kommune_code: "0461".into(),
                lat: odense.lat,
                lon: odense.lon,
                max_travel_minutes: 60,
            },
        ];
        let (regions, rows) = coverage(&requests, &bisiddere);
        let row = |c: &str| rows.iter().find(|r| r.code == c).unwrap();
        assert!(row("0101").covered && row("0461").covered);
        // Bornholm (0400) is hours away by ferry from both: a gap.
        assert!(!row("0400").covered);
        assert_eq!((row("0400").requests, row("0400").bisiddere), (2, 0));
        let hovedstaden = regions.iter().find(|r| r.code == "1084").unwrap();
        assert_eq!(
            (
                hovedstaden.requests,
                hovedstaden.bisiddere,
                hovedstaden.gaps
            ),
            (6, 1, 1)
        );
        let syd = regions.iter().find(|r| r.code == "1083").unwrap();
        assert_eq!((syd.requests, syd.bisiddere, syd.gaps), (1, 1, 0));
    }
}
