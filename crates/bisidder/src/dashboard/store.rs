//! Counting queries for the start pages. Counts only: no personal data leaves here.

use crate::store::{row, Conn};

#[derive(Clone, Debug, Default)]
pub struct OrgFigures {
    pub name: String,
    pub active_bisiddere: i64,
    pub open_requests: i64,
    pub requests_awaiting_consent: i64,
    pub open_cases: i64,
    pub new_cases_this_year: i64,
    pub reports_this_year: i64,
    pub staff: i64,
}

/// Requests not yet at an end state.
pub const OPEN_REQUEST_STATUSES: &str = "'new','contacted','consented','matching','offered'";

async fn count(conn: &mut Conn, sql: &str, org: &str, extra: Option<&str>) -> sqlx::Result<i64> {
    let q = sqlx::query_scalar::<_, i64>(sql).bind(org);
    let q = match extra {
        Some(e) => q.bind(e.to_string()),
        None => q,
    };
    q.fetch_one(&mut *conn).await
}

pub async fn org_figures(conn: &mut Conn, org: &str, year_start: &str) -> sqlx::Result<OrgFigures> {
    let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_one(&mut *conn)
        .await?;
    Ok(OrgFigures {
        name,
        active_bisiddere: count(conn, "SELECT COUNT(*) FROM bisidder_profiles WHERE org_id = $1 AND status = 'active'", org, None).await?,
        open_requests: count(conn, &format!("SELECT COUNT(*) FROM requests WHERE org_id = $1 AND status IN ({OPEN_REQUEST_STATUSES})"), org, None).await?,
        requests_awaiting_consent: count(conn, "SELECT COUNT(*) FROM requests WHERE org_id = $1 AND status IN ('new','contacted')", org, None).await?,
        open_cases: count(conn, "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND closed_on IS NULL", org, None).await?,
        new_cases_this_year: count(conn, "SELECT COUNT(*) FROM cases WHERE org_id = $1 AND opened_on >= $2", org, Some(year_start)).await?,
        reports_this_year: count(conn, "SELECT COUNT(*) FROM reports_of_concern WHERE org_id = $1 AND sent_on >= $2", org, Some(year_start)).await?,
        staff: count(conn, "SELECT COUNT(DISTINCT user_id) FROM memberships WHERE org_id = $1", org, None).await?,
    })
}

#[derive(Clone, Debug, Default)]
pub struct Caseload {
    pub open_cases: i64,
    pub cases_this_year: i64,
}

pub async fn caseload(
    conn: &mut Conn,
    org: &str,
    user: &str,
    year_start: &str,
) -> sqlx::Result<Caseload> {
    let r = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN closed_on IS NULL THEN 1 ELSE 0 END), 0) AS open_cases, \
         COALESCE(SUM(CASE WHEN opened_on >= $3 THEN 1 ELSE 0 END), 0) AS this_year \
         FROM cases WHERE org_id = $1 AND bisidder_user_id = $2",
    )
    .bind(org)
    .bind(user)
    .bind(year_start)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Caseload {
        open_cases: row::i(&r, "open_cases")?,
        cases_this_year: row::i(&r, "this_year")?,
    })
}

pub async fn own_requests(conn: &mut Conn, org: &str, user: &str) -> sqlx::Result<(i64, i64)> {
    let r = sqlx::query(&format!(
        "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN status IN ({OPEN_REQUEST_STATUSES}) THEN 1 ELSE 0 END), 0) AS open_n \
         FROM requests WHERE org_id = $1 AND requested_by_user_id = $2"
    ))
    .bind(org)
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row::i(&r, "total")?, row::i(&r, "open_n")?))
}

/// New cases per calendar year (as text 'YYYY') before `year_start`, oldest first. Reads
/// every case the organisation ever had: the service reuses it (`AppState::past_years`).
pub async fn cases_per_year_before(
    conn: &mut Conn,
    org: &str,
    year_start: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT SUBSTR(opened_on, 1, 4) AS y, COUNT(*) AS n FROM cases WHERE org_id = $1 \
         AND opened_on < $2 GROUP BY SUBSTR(opened_on, 1, 4) ORDER BY y",
    )
    .bind(org)
    .bind(year_start)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((row::s(r, "y")?, row::i(r, "n")?)))
        .collect()
}

/// New cases from `year_start` on.
pub async fn cases_since(conn: &mut Conn, org: &str, year_start: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE org_id = $1 AND opened_on >= $2")
        .bind(org)
        .bind(year_start)
        .fetch_one(&mut *conn)
        .await
}

#[derive(Clone, Debug)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub users: i64,
    pub open_cases: i64,
}

pub async fn all_orgs(conn: &mut Conn) -> sqlx::Result<Vec<OrgSummary>> {
    let rows = sqlx::query(
        "SELECT o.id, o.name, o.kind, \
         (SELECT COUNT(DISTINCT m.user_id) FROM memberships m WHERE m.org_id = o.id) AS users, \
         (SELECT COUNT(*) FROM cases c WHERE c.org_id = o.id AND c.closed_on IS NULL) AS open_cases \
         FROM organisations o ORDER BY o.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OrgSummary {
                id: row::s(r, "id")?,
                name: row::s(r, "name")?,
                kind: row::s(r, "kind")?,
                users: row::i(r, "users")?,
                open_cases: row::i(r, "open_cases")?,
            })
        })
        .collect()
}
