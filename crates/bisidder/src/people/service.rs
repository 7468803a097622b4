use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult, FieldError},
    intake::domain::{local_timestamp, plausible},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, row},
    web::form::FormData,
};

pub const SKILLS: &[&str] = &["children", "familieretshuset", "court", "adults"];
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub exists: bool,
    pub town: String,
    pub max_travel_minutes: i64,
    pub areas: String,
    pub languages: String,
    pub skills: Vec<String>,
    pub gender: String,
    pub phone: String,
    pub max_open_cases: i64,
    pub max_hours_per_week: i64,
    pub slots: Vec<(String, i64, i64)>,
    pub absences: Vec<(String, i64, i64, String)>,
}

fn scope(actor: &Actor) -> AppResult<&str> {
    let org = actor.org_id.as_deref().unwrap_or("");
    ensure(actor, Action::ManageOwnProfile, Target::Org(org))?;
    Ok(org)
}

pub async fn load(state: &AppState, actor: &Actor) -> AppResult<Profile> {
    let org = scope(actor)?;
    let mut conn = state.db.pool.acquire().await?;
    let mut p = Profile {
        max_travel_minutes: 60,
        max_open_cases: 5,
        max_hours_per_week: 10,
        languages: "da".into(),
        ..Default::default()
    };
    if let Some(r) = sqlx::query("SELECT town, max_travel_minutes, areas, languages, skills, gender, phone, max_open_cases, max_hours_per_week FROM bisidder_profiles WHERE user_id = $1 AND org_id = $2")
        .bind(&actor.user_id)
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?
    {
        p = Profile {
            exists: true,
            town: row::s(&r, "town")?,
            max_travel_minutes: row::i(&r, "max_travel_minutes")?,
            areas: row::s(&r, "areas")?,
            languages: row::s(&r, "languages")?,
            skills: row::s(&r, "skills")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            gender: row::os(&r, "gender")?.unwrap_or_default(),
            phone: row::os(&r, "phone")?.unwrap_or_default(),
            max_open_cases: row::i(&r, "max_open_cases")?,
            max_hours_per_week: row::i(&r, "max_hours_per_week")?,
            ..Default::default()
        };
    }
    for r in sqlx::query("SELECT id, start_minute, end_minute FROM availability WHERE user_id = $1 AND org_id = $2 ORDER BY start_minute").bind(&actor.user_id).bind(org).fetch_all(&mut *conn).await? {
        p.slots.push((row::s(&r, "id")?, row::i(&r, "start_minute")?, row::i(&r, "end_minute")?));
    }
    for r in sqlx::query("SELECT id, starts_at, ends_at, note FROM absences WHERE user_id = $1 AND org_id = $2 AND ends_at > $3 ORDER BY starts_at").bind(&actor.user_id).bind(org).bind(state.clock.now_us()).fetch_all(&mut *conn).await? {
        p.absences.push((row::s(&r, "id")?, row::i(&r, "starts_at")?, row::i(&r, "ends_at")?, row::os(&r, "note")?.unwrap_or_default()));
    }
    Ok(p)
}

fn number(
    form: &FormData,
    field: &'static str,
    min: i64,
    max: i64,
    e: &mut Vec<FieldError>,
) -> i64 {
    match form.get(field).parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            e.push(FieldError {
                field,
                message: "profile.err_number",
            });
            0
        }
    }
}

pub async fn save(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = scope(actor)?.to_string();
    let mut e = Vec::new();
    let town = geo::town_by_name(form.get("town"));
    if town.is_none() {
        e.push(FieldError {
            field: "town",
            message: "profile.err_town",
        });
    }
    let max_travel = number(form, "max_travel_minutes", 0, 600, &mut e);
    let max_cases = number(form, "max_open_cases", 0, 100, &mut e);
    let max_hours = number(form, "max_hours_per_week", 0, 60, &mut e);
    let areas: Vec<&str> = form
        .0
        .iter()
        .filter(|(k, _)| k == "areas")
        .map(|(_, v)| v.as_str())
        .collect();
    if areas.iter().any(|a| geo::kommune(a).is_none()) {
        e.push(FieldError {
            field: "areas",
            message: "intake.err_kommune",
        });
    }
    let skills: Vec<&str> = form
        .0
        .iter()
        .filter(|(k, _)| k == "skills")
        .map(|(_, v)| v.as_str())
        .collect();
    if skills.iter().any(|s| !SKILLS.contains(s)) {
        e.push(FieldError {
            field: "skills",
            message: "intake.err_choose",
        });
    }
    let languages: Vec<String> = form
        .get("languages")
        .split(',')
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    if languages
        .iter()
        .any(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
    {
        e.push(FieldError {
            field: "languages",
            message: "profile.err_languages",
        });
    }
    if form.get("phone").chars().count() > 30 {
        e.push(FieldError {
            field: "phone",
            message: "intake.err_phone",
        });
    }
    let gender = form.get("gender");
    if !["", "woman", "man", "other"].contains(&gender) {
        e.push(FieldError {
            field: "gender",
            message: "intake.err_choose",
        });
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let Some(t) = town else {
        return Err(AppError::invalid("town", "profile.err_town"));
    };
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM bisidder_profiles WHERE user_id = $1 AND org_id = $2")
            .bind(&actor.user_id)
            .bind(&org)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        sqlx::query("INSERT INTO bisidder_profiles (user_id, org_id, status, town, kommune_code, lat, lon, max_travel_minutes, max_open_cases, max_hours_per_week, languages, skills, created_at) VALUES ($1, $2, 'active', '', '', 0, 0, 0, 0, 0, '', '', $3)")
            .bind(&actor.user_id)
            .bind(&org)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE bisidder_profiles SET town = $1, kommune_code = $2, lat = $3, lon = $4, max_travel_minutes = $5, max_open_cases = $6, \
         max_hours_per_week = $7, languages = $8, skills = $9, areas = $10, gender = $11, phone = $12 WHERE user_id = $13 AND org_id = $14",
    )
    .bind(t.name)
    .bind(t.kommune_code)
    .bind(t.lat)
    .bind(t.lon)
    .bind(max_travel)
    .bind(max_cases)
    .bind(max_hours)
    .bind(languages.join(","))
    .bind(skills.join(","))
    .bind(areas.join(","))
    .bind(Some(gender).filter(|g| !g.is_empty()))
    .bind(Some(form.get("phone")).filter(|p| !p.is_empty()))
    .bind(&actor.user_id)
    .bind(&org)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::ProfileChanged,
        Entry::by_user(&actor.user_id, Some(&org)).detail("profile"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn minutes_of(t: &str) -> Option<i64> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 1440).then_some(h * 60 + m)
}

pub async fn add_slot(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = scope(actor)?.to_string();
    let day = WEEKDAYS
        .iter()
        .position(|d| *d == form.get("weekday"))
        .ok_or(AppError::invalid("weekday", "intake.err_choose"))? as i64;
    let (Some(from), Some(to)) = (minutes_of(form.get("from")), minutes_of(form.get("to"))) else {
        return Err(AppError::invalid("from", "profile.err_time"));
    };
    if to <= from {
        return Err(AppError::invalid("to", "appointments.err_order"));
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO availability (id, user_id, org_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(&actor.user_id)
        .bind(&org)
        .bind(day)
        .bind(day * 1440 + from)
        .bind(day * 1440 + to)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::ProfileChanged,
        Entry::by_user(&actor.user_id, Some(&org)).detail("availability"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_absence(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = scope(actor)?.to_string();
    let now = state.clock.now();
    let day = |name: &str| local_timestamp(form.get(name), "00:00").filter(|t| plausible(*t, now));
    let (Some(from), Some(to)) = (day("from"), day("to")) else {
        return Err(AppError::invalid("from", "intake.err_meeting_time"));
    };
    // The last day counts whole: absent until the next midnight.
    let to = to + jiff::SignedDuration::from_hours(24);
    if to <= from {
        return Err(AppError::invalid("to", "appointments.err_order"));
    }
    let note = form.get("note").chars().take(200).collect::<String>();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO absences (id, user_id, org_id, starts_at, ends_at, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(&actor.user_id)
        .bind(&org)
        .bind(from.as_microsecond())
        .bind(to.as_microsecond())
        .bind(Some(note).filter(|n| !n.is_empty()))
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::ProfileChanged,
        Entry::by_user(&actor.user_id, Some(&org)).detail("absence"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one of the actor's own availability slots or absences (another's: not found).
pub async fn delete_own(state: &AppState, actor: &Actor, table: &str, id: &str) -> AppResult<()> {
    let org = scope(actor)?.to_string();
    let sql = match table {
        "availability" => "DELETE FROM availability WHERE id = $1 AND user_id = $2 AND org_id = $3",
        _ => "DELETE FROM absences WHERE id = $1 AND user_id = $2 AND org_id = $3",
    };
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(sql)
        .bind(id)
        .bind(&actor.user_id)
        .bind(&org)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(audit::refuse(tx, state.clock.now_us(), actor, table, id).await);
    }
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::ProfileChanged,
        Entry::by_user(&actor.user_id, Some(&org)).resource(table, id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
