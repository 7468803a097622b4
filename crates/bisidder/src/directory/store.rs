//! The directory's SQL: schemes (listings and profiles) and referrals.

use super::domain::{self, Coverage, Profile};
use crate::store::{row, Conn};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A scheme as stored: the public profile and its bookkeeping.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Scheme {
    pub id: String,
    #[serde(skip)]
    pub source_id: Option<String>,
    /// survey2018 | import | platform
    pub origin: String,
    pub name: String,
    pub kind: Option<String>,
    #[serde(skip)]
    pub org_id: Option<String>,
    /// none | pending | verified
    #[serde(skip)]
    pub claim_status: String,
    pub verified: bool,
    pub profiled: bool,
    pub base_town: Option<String>,
    pub kommune_code: Option<String>,
    #[serde(skip)]
    pub lat: Option<f64>,
    #[serde(skip)]
    pub lon: Option<f64>,
    pub coverage_national: bool,
    pub coverage_regions: Vec<String>,
    pub coverage_kommuner: Vec<String>,
    pub coverage_towns: Vec<String>,
    pub target_groups: Vec<String>,
    pub requirements: Vec<String>,
    pub meeting_types: Vec<String>,
    pub training: Vec<String>,
    pub support: Vec<String>,
    pub bisiddere: Option<i64>,
    pub tasks_per_week: Option<f64>,
    pub capacity_per_week: Option<i64>,
    pub open_hours_per_week: Option<f64>,
    pub opening_hours: Option<String>,
    pub request_channels: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub gives_advice: bool,
    pub turns_away: Option<String>,
    pub turn_away_reasons: Vec<String>,
    pub meets_demand: Option<String>,
    pub at_capacity: bool,
    /// Whether the scheme runs its intake on this platform (referrals land there).
    pub on_platform: bool,
}

fn of(r: &AnyRow) -> sqlx::Result<Scheme> {
    let l = |c: &str| row::s(r, c).map(|s| domain::list(&s));
    let of64 = |c: &str| -> sqlx::Result<Option<f64>> { sqlx::Row::try_get(r, c) };
    let claim_status = row::s(r, "claim_status")?;
    let org_id = row::os(r, "org_id")?;
    Ok(Scheme {
        id: row::s(r, "id")?,
        source_id: row::os(r, "source_id")?,
        origin: row::s(r, "origin")?,
        name: row::s(r, "name")?,
        kind: row::os(r, "kind")?,
        on_platform: org_id.is_some() && claim_status == "verified",
        org_id,
        claim_status,
        verified: row::b(r, "verified")?,
        profiled: row::b(r, "profiled")?,
        base_town: row::os(r, "base_town")?,
        kommune_code: row::os(r, "kommune_code")?,
        lat: of64("lat")?,
        lon: of64("lon")?,
        coverage_national: row::b(r, "coverage_national")?,
        coverage_regions: l("coverage_regions")?,
        coverage_kommuner: l("coverage_kommuner")?,
        coverage_towns: l("coverage_towns")?,
        target_groups: l("target_groups")?,
        requirements: l("requirements")?,
        meeting_types: l("meeting_types")?,
        training: l("training")?,
        support: l("support")?,
        bisiddere: row::oi(r, "bisiddere")?,
        tasks_per_week: of64("tasks_per_week")?,
        capacity_per_week: row::oi(r, "capacity_per_week")?,
        open_hours_per_week: of64("open_hours_per_week")?,
        opening_hours: row::os(r, "opening_hours")?,
        request_channels: row::os(r, "request_channels")?,
        contact_phone: row::os(r, "contact_phone")?,
        contact_email: row::os(r, "contact_email")?,
        website: row::os(r, "website")?,
        gives_advice: row::b(r, "gives_advice")?,
        turns_away: row::os(r, "turns_away")?,
        turn_away_reasons: l("turn_away_reasons")?,
        meets_demand: row::os(r, "meets_demand")?,
        at_capacity: row::b(r, "at_capacity")?,
    })
}

impl Scheme {
    pub fn coverage(&self) -> Coverage {
        Coverage {
            national: self.coverage_national,
            regions: self.coverage_regions.clone(),
            kommuner: self.coverage_kommuner.clone(),
            towns: self.coverage_towns.clone(),
        }
    }

    /// Where the scheme is based, for distances.
    pub fn base(&self) -> Option<geo::Point> {
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some(geo::Point { lat, lon }),
            _ => None,
        }
    }

    pub fn profile(&self) -> Profile {
        Profile {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            profiled: self.profiled,
            verified: self.verified,
            at_capacity: self.at_capacity,
            base: self.base(),
            coverage: self.coverage(),
            target_groups: self.target_groups.clone(),
            requirements: self.requirements.clone(),
            meeting_types: self.meeting_types.clone(),
            training: self.training.clone(),
            support: self.support.clone(),
            bisiddere: self.bisiddere,
            tasks_per_week: self.tasks_per_week,
            turns_away: self.turns_away.clone(),
            turn_away_reasons: self.turn_away_reasons.clone(),
        }
    }

    pub fn kommune_name(&self) -> Option<&'static str> {
        self.kommune_code
            .as_deref()
            .and_then(geo::kommune)
            .map(|k| k.name)
    }
}

pub async fn all(conn: &mut Conn) -> sqlx::Result<Vec<Scheme>> {
    let rows = sqlx::query("SELECT * FROM schemes ORDER BY name, id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(of).collect()
}

pub async fn get(conn: &mut Conn, id: &str) -> sqlx::Result<Option<Scheme>> {
    sqlx::query("SELECT * FROM schemes WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(of)
        .transpose()
}

pub async fn by_source(conn: &mut Conn, source: &str) -> sqlx::Result<Option<Scheme>> {
    sqlx::query("SELECT * FROM schemes WHERE source_id = $1")
        .bind(source)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(of)
        .transpose()
}

/// The scheme an organisation runs (claimed, pending or verified).
pub async fn of_org(conn: &mut Conn, org: &str) -> sqlx::Result<Option<Scheme>> {
    sqlx::query("SELECT * FROM schemes WHERE org_id = $1 ORDER BY created_at LIMIT 1")
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(of)
        .transpose()
}

pub async fn pending_claims(conn: &mut Conn) -> sqlx::Result<Vec<(Scheme, String)>> {
    let rows = sqlx::query(
        "SELECT s.*, o.name AS org_name FROM schemes s JOIN organisations o ON o.id = s.org_id \
         WHERE s.claim_status = 'pending' ORDER BY s.updated_at",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((of(r)?, row::s(r, "org_name")?)))
        .collect()
}

/// Writes every profile field of `s` (insert or update by id).
pub async fn save(conn: &mut Conn, s: &Scheme, now: i64, insert: bool) -> sqlx::Result<()> {
    let j = |v: &Vec<String>| v.join(",");
    let sql = if insert {
        "INSERT INTO schemes (source_id, origin, name, kind, org_id, claim_status, verified, profiled, base_town, kommune_code, \
         coverage_national, coverage_regions, coverage_kommuner, coverage_towns, target_groups, requirements, meeting_types, training, support, \
         bisiddere, capacity_per_week, opening_hours, request_channels, contact_phone, contact_email, website, gives_advice, turns_away, \
         turn_away_reasons, meets_demand, at_capacity, updated_at, id, created_at, lat, lon, tasks_per_week, open_hours_per_week) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $32, $34, $35, $36, $37)"
    } else {
        "UPDATE schemes SET source_id = $1, origin = $2, name = $3, kind = $4, org_id = $5, claim_status = $6, verified = $7, profiled = $8, \
         base_town = $9, kommune_code = $10, coverage_national = $11, coverage_regions = $12, coverage_kommuner = $13, coverage_towns = $14, \
         target_groups = $15, requirements = $16, meeting_types = $17, training = $18, support = $19, bisiddere = $20, capacity_per_week = $21, \
         opening_hours = $22, request_channels = $23, contact_phone = $24, contact_email = $25, website = $26, gives_advice = $27, \
         turns_away = $28, turn_away_reasons = $29, meets_demand = $30, at_capacity = $31, updated_at = $32, \
         lat = $34, lon = $35, tasks_per_week = $36, open_hours_per_week = $37 WHERE id = $33"
    };
    let q = sqlx::query(sql)
        .bind(s.source_id.clone())
        .bind(s.origin.clone())
        .bind(s.name.clone())
        .bind(s.kind.clone())
        .bind(s.org_id.clone())
        .bind(s.claim_status.clone())
        .bind(s.verified as i64)
        .bind(s.profiled as i64)
        .bind(s.base_town.clone())
        .bind(s.kommune_code.clone())
        .bind(s.coverage_national as i64)
        .bind(j(&s.coverage_regions))
        .bind(j(&s.coverage_kommuner))
        .bind(j(&s.coverage_towns))
        .bind(j(&s.target_groups))
        .bind(j(&s.requirements))
        .bind(j(&s.meeting_types))
        .bind(j(&s.training))
        .bind(j(&s.support))
        .bind(s.bisiddere)
        .bind(s.capacity_per_week)
        .bind(s.opening_hours.clone())
        .bind(s.request_channels.clone())
        .bind(s.contact_phone.clone())
        .bind(s.contact_email.clone())
        .bind(s.website.clone())
        .bind(s.gives_advice as i64)
        .bind(s.turns_away.clone())
        .bind(j(&s.turn_away_reasons))
        .bind(s.meets_demand.clone())
        .bind(s.at_capacity as i64)
        .bind(now)
        .bind(s.id.clone());
    let q = row::bind_f64(q, s.lat);
    let q = row::bind_f64(q, s.lon);
    let q = row::bind_f64(q, s.tasks_per_week);
    row::bind_f64(q, s.open_hours_per_week)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What the platform measured for an organisation over the last year: requests, and the
/// rejection reasons of those it rejected or referred.
pub async fn measured(conn: &mut Conn, org: &str, since: i64) -> sqlx::Result<(i64, Vec<String>)> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM requests WHERE org_id = $1 AND created_at >= $2")
            .bind(org)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT closed_reason FROM requests WHERE org_id = $1 AND created_at >= $2 \
         AND status IN ('rejected', 'referred') AND closed_reason IS NOT NULL",
    )
    .bind(org)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    Ok((n, reasons))
}
