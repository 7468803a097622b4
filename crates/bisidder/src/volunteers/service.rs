//! Running an organisation's bisiddere (SPEC C10): a public application, screening and
//! approval by a coordinator (which creates the bisidder's account, in training), the
//! organisation's required qualifications, records of training, supervision and
//! certificates, the bisidder's own acknowledgement of the guidelines and signature of
//! the confidentiality undertaking, expiry warnings, and municipal ambassadors.
//!
//! A bisidder's profile is `training` (never offered a case) until every required item
//! is valid; `qualified_until` on the profile is the first expiry, after which matching
//! leaves them out (scheduling/pool.rs).

use super::domain::{self, Record, Standing, ITEMS, KINDS};
use crate::{
    audit::{self, AuditAction, Entry},
    auth::{password, session, store as auth_store},
    error::{AppError, AppResult, FieldError},
    notify,
    policy::{ensure, Action, Actor, Role, Target},
    state::AppState,
    store::{new_id, row, Conn},
    web::{form::FormData, i18n},
};
use jiff::civil::Date;
use secrecy::SecretString;

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

fn today(state: &AppState) -> Date {
    jiff::Timestamp::from_microsecond(state.clock.now_us())
        .map(|t| t.to_zoned(crate::web::fmt::copenhagen()).date())
        .unwrap_or(Date::MIN)
}

fn invalid(errors: Vec<FieldError>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn err(field: &'static str, message: &'static str) -> FieldError {
    FieldError { field, message }
}

/// A public application to become a bisidder with the organisation `slug`.
pub async fn apply(state: &AppState, slug: &str, form: &FormData) -> AppResult<()> {
    let org = crate::intake::service::org_id(state, slug).await?;
    let (name, email, town) = (form.get("name"), form.get("email"), form.get("town"));
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(err("name", "volunteer.err_name"));
    }
    if !email.contains('@') || email.len() > 200 || email.contains(char::is_whitespace) {
        errors.push(err("email", "field.email_invalid"));
    }
    if form.get("phone").chars().count() > 30 {
        errors.push(err("phone", "intake.err_phone"));
    }
    let place = geo::town_by_name(town);
    if place.is_none() {
        errors.push(err("town", "volunteer.err_town"));
    }
    let motivation = form.get("motivation");
    if motivation.chars().count() > 2000 {
        errors.push(err("motivation", "volunteer.err_long"));
    }
    let heard_of = form.get("heard_of");
    if !crate::intake::domain::HEARD_OF.contains(&heard_of) {
        errors.push(err("heard_of", "volunteer.err_choice"));
    }
    invalid(errors)?;
    let now = state.clock.now_us();
    let id = new_id();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO volunteer_applications (id, org_id, name, email, phone, town, kommune_code, motivation_enc, heard_of, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'applied', $10)",
    )
    .bind(&id)
    .bind(&org)
    .bind(name)
    .bind(email.to_lowercase())
    .bind(form.get("phone"))
    .bind(place.map(|t| t.name).unwrap_or(town))
    .bind(place.map(|t| t.kommune_code))
    .bind((!motivation.is_empty()).then(|| {
        state
            .crypto
            .encrypt("volunteer_applications", "motivation_enc", &id, motivation)
    }))
    .bind(heard_of)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::VolunteerApplied,
        Entry {
            org_id: Some(&org),
            ..Entry::by("public")
        }
        .resource("volunteer_application", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: String,
    pub name: String,
    pub town: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct PersonRow {
    pub user_id: String,
    pub name: String,
    pub status: String,
    pub standing: Standing,
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub applications: Vec<ApplicationRow>,
    pub people: Vec<PersonRow>,
    pub required: Vec<String>,
    /// (kommune name, ambassador name)
    pub ambassadors: Vec<(String, String)>,
}

async fn required(conn: &mut Conn, org: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT item FROM org_requirements WHERE org_id = $1 ORDER BY item")
        .bind(org)
        .fetch_all(&mut *conn)
        .await
}

async fn records(conn: &mut Conn, org: &str, user: &str) -> sqlx::Result<Vec<Record>> {
    let rows = sqlx::query(
        "SELECT kind, done_on, expires_on FROM qualifications WHERE org_id = $1 AND user_id = $2 ORDER BY done_on",
    )
    .bind(org)
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let Ok(done_on) = row::s(r, "done_on")?.parse() else {
            continue;
        };
        out.push(Record {
            kind: row::s(r, "kind")?,
            done_on,
            expires_on: row::os(r, "expires_on")?.and_then(|d| d.parse().ok()),
        });
    }
    Ok(out)
}

/// Brings a bisidder's profile in line with their standing: `training` until qualified,
/// `active` when qualified (a paused or other status is left alone), and the first expiry.
pub async fn sync(conn: &mut Conn, org: &str, user: &str, today: Date) -> sqlx::Result<Standing> {
    let s = domain::standing(
        &required(conn, org).await?,
        &records(conn, org, user).await?,
        today,
    );
    sqlx::query(
        "UPDATE bisidder_profiles SET status = CASE WHEN status IN ('active', 'training') THEN $1 ELSE status END, \
         qualified_until = $2 WHERE org_id = $3 AND user_id = $4",
    )
    .bind(if s.qualified() { "active" } else { "training" })
    .bind(s.qualified_until.map(|d| d.to_string()))
    .bind(org)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    Ok(s)
}

/// The coordinator's overview: applications, every bisidder's standing, the
/// requirements and the ambassadors.
pub async fn overview(state: &AppState, actor: &Actor) -> AppResult<Overview> {
    let org = org_of(actor);
    ensure(actor, Action::ManageVolunteers, Target::Org(org))?;
    let today = today(state);
    let mut tx = state.db.begin().await?;
    let mut applications = Vec::new();
    for r in sqlx::query(
        "SELECT id, name, town, status, created_at FROM volunteer_applications WHERE org_id = $1 ORDER BY created_at DESC LIMIT 200",
    )
    .bind(org)
    .fetch_all(&mut *tx)
    .await?
    {
        applications.push(ApplicationRow {
            id: row::s(&r, "id")?,
            name: row::s(&r, "name")?,
            town: row::s(&r, "town")?,
            status: row::s(&r, "status")?,
            created_at: row::i(&r, "created_at")?,
        });
    }
    let req = required(&mut tx, org).await?;
    let mut people = Vec::new();
    for r in sqlx::query(
        "SELECT p.user_id, u.name, p.status FROM bisidder_profiles p JOIN users u ON u.id = p.user_id WHERE p.org_id = $1 ORDER BY u.name",
    )
    .bind(org)
    .fetch_all(&mut *tx)
    .await?
    {
        let user_id = row::s(&r, "user_id")?;
        let recs = records(&mut tx, org, &user_id).await?;
        people.push(PersonRow {
            standing: domain::standing(&req, &recs, today),
            user_id,
            name: row::s(&r, "name")?,
            status: row::s(&r, "status")?,
        });
    }
    let mut ambassadors = Vec::new();
    for r in sqlx::query(
        "SELECT kommune_code, name FROM ambassadors WHERE org_id = $1 ORDER BY kommune_code, name",
    )
    .bind(org)
    .fetch_all(&mut *tx)
    .await?
    {
        let code = row::s(&r, "kommune_code")?;
        let kommune = geo::kommune(&code).map_or(code, |k| k.name.to_owned());
        ambassadors.push((kommune, row::s(&r, "name")?));
    }
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::VolunteerViewed,
        Entry::by_user(&actor.user_id, Some(org)).detail("overview"),
    )
    .await?;
    tx.commit().await?;
    Ok(Overview {
        applications,
        people,
        required: req,
        ambassadors,
    })
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub town: String,
    pub motivation: String,
    pub heard_of: String,
    pub status: String,
    pub screen_experience: Option<i64>,
    pub screen_communication: Option<i64>,
    pub screen_note: String,
}

async fn load_application(
    state: &AppState,
    tx: &mut Conn,
    actor: &Actor,
    id: &str,
) -> AppResult<Application> {
    let org = org_of(actor);
    let Some(r) = sqlx::query("SELECT * FROM volunteer_applications WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    let dec = |col: &str, v: Option<String>| -> AppResult<String> {
        Ok(match v {
            Some(enc) => state
                .crypto
                .decrypt("volunteer_applications", col, id, &enc)?,
            None => String::new(),
        })
    };
    Ok(Application {
        id: id.to_owned(),
        name: row::s(&r, "name")?,
        email: row::s(&r, "email")?,
        phone: row::os(&r, "phone")?.unwrap_or_default(),
        town: row::s(&r, "town")?,
        motivation: dec("motivation_enc", row::os(&r, "motivation_enc")?)?,
        heard_of: row::os(&r, "heard_of")?.unwrap_or_default(),
        status: row::s(&r, "status")?,
        screen_experience: row::oi(&r, "screen_experience")?,
        screen_communication: row::oi(&r, "screen_communication")?,
        screen_note: dec("screen_note_enc", row::os(&r, "screen_note_enc")?)?,
    })
}

/// One application (personal data: audited; another organisation's is not found).
pub async fn application(state: &AppState, actor: &Actor, id: &str) -> AppResult<Application> {
    let org = org_of(actor);
    ensure(actor, Action::ManageVolunteers, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let found = load_application(state, &mut tx, actor, id).await;
    let entry = Entry::by_user(&actor.user_id, Some(org)).resource("volunteer_application", id);
    let entry = if found.is_ok() { entry } else { entry.denied() };
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::VolunteerViewed,
        entry,
    )
    .await?;
    tx.commit().await?;
    found
}

fn score(form: &FormData, field: &'static str, errors: &mut Vec<FieldError>) -> i64 {
    match form.get(field).parse::<i64>() {
        Ok(n) if (1..=5).contains(&n) => n,
        _ => {
            errors.push(err(field, "volunteer.err_score"));
            0
        }
    }
}

/// Screening and decision: experience and communication scored 1–5 with a note, then
/// approve (the applicant gets an account as a bisidder in training and an e-mail to set
/// their password) or decline.
pub async fn decide(state: &AppState, actor: &Actor, id: &str, form: &FormData) -> AppResult<()> {
    let org = org_of(actor).to_owned();
    ensure(actor, Action::ManageVolunteers, Target::Org(&org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let app = load_application(state, &mut tx, actor, id).await;
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            audit::record(
                &mut tx,
                now,
                AuditAction::VolunteerScreened,
                Entry::by_user(&actor.user_id, Some(&org))
                    .resource("volunteer_application", id)
                    .denied(),
            )
            .await?;
            tx.commit().await?;
            return Err(e);
        }
    };
    let decision = form.get("decision");
    let mut errors = Vec::new();
    let experience = score(form, "experience", &mut errors);
    let communication = score(form, "communication", &mut errors);
    if !matches!(decision, "approve" | "decline") {
        errors.push(err("decision", "volunteer.err_choice"));
    }
    invalid(errors)?;
    if app.status != "applied" {
        return Err(AppError::Conflict("volunteer.already_decided"));
    }
    // An unusable random password until they choose their own through the link.
    let hash = password::hash(SecretString::from(session::random_token()))
        .await
        .map_err(AppError::internal)?;
    let note = form.get("note");
    let note_enc = (!note.is_empty()).then(|| {
        state
            .crypto
            .encrypt("volunteer_applications", "screen_note_enc", id, note)
    });
    let mut user_id: Option<String> = None;
    if decision == "approve" {
        let existing: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&app.email)
            .fetch_optional(&mut *tx)
            .await?;
        let uid = match existing {
            Some(u) => u,
            None => {
                let uid = new_id();
                auth_store::insert_user(
                    &mut tx,
                    auth_store::NewUser {
                        id: &uid,
                        email: &app.email,
                        name: &app.name,
                        password_hash: &hash,
                        is_platform_admin: false,
                        now,
                    },
                )
                .await?;
                uid
            }
        };
        auth_store::grant(&mut tx, &uid, &org, Role::Bisidder, now).await?;
        let town = geo::town_by_name(&app.town);
        sqlx::query(
            "INSERT INTO bisidder_profiles (user_id, org_id, status, town, kommune_code, lat, lon, max_travel_minutes, max_open_cases, max_hours_per_week, languages, skills, created_at) \
             VALUES ($1, $2, 'training', $3, $4, $5, $6, 45, 2, 6, 'da', '', $7)",
        )
        .bind(&uid)
        .bind(&org)
        .bind(&app.town)
        .bind(town.map_or("", |t| t.kommune_code))
        .bind(town.map_or(0.0, |t| t.lat))
        .bind(town.map_or(0.0, |t| t.lon))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sync(&mut tx, &org, &uid, today(state)).await?;
        // A link to set their own password, valid for a week.
        let token = session::random_token();
        auth_store::insert_reset(
            &mut tx,
            &session::hash_token(&token),
            &uid,
            now,
            now + 7 * 24 * 3600 * 1_000_000,
        )
        .await?;
        let link = format!("{}/password/reset/{token}", state.config.public_url);
        let lang = i18n::Lang::Da;
        notify::enqueue_email(
            &mut tx,
            now,
            &app.email,
            i18n::t(lang, "mail.volunteer_welcome_subject"),
            &i18n::t(lang, "mail.volunteer_welcome_body").replace("{link}", &link),
        )
        .await?;
        user_id = Some(uid);
    }
    sqlx::query(
        "UPDATE volunteer_applications SET status = $1, screen_experience = $2, screen_communication = $3, screen_note_enc = $4, \
         decided_by_user_id = $5, decided_at = $6, user_id = $7 WHERE id = $8",
    )
    .bind(if decision == "approve" { "approved" } else { "declined" })
    .bind(experience)
    .bind(communication)
    .bind(note_enc)
    .bind(&actor.user_id)
    .bind(now)
    .bind(&user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::VolunteerScreened,
        Entry::by_user(&actor.user_id, Some(&org))
            .resource("volunteer_application", id)
            .detail(decision),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

async fn is_bisidder(conn: &mut Conn, org: &str, user: &str) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bisidder_profiles WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org)
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
async fn insert_record(
    conn: &mut Conn,
    org: &str,
    user: &str,
    kind: &str,
    done_on: Date,
    expires_on: Option<Date>,
    note: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO qualifications (id, org_id, user_id, kind, done_on, expires_on, note, recorded_by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(org)
    .bind(user)
    .bind(kind)
    .bind(done_on.to_string())
    .bind(expires_on.map(|d| d.to_string()))
    .bind(note)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A coordinator records a course, shadowing, supervision or a certificate for a bisidder.
pub async fn add_record(
    state: &AppState,
    actor: &Actor,
    user: &str,
    form: &FormData,
) -> AppResult<()> {
    let org = org_of(actor).to_owned();
    ensure(actor, Action::ManageVolunteers, Target::Org(&org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    if !is_bisidder(&mut tx, &org, user).await? {
        audit::record(
            &mut tx,
            now,
            AuditAction::QualificationRecorded,
            Entry::by_user(&actor.user_id, Some(&org))
                .resource("user", user)
                .denied(),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound);
    }
    let kind = form.get("kind");
    let mut errors = Vec::new();
    if !KINDS.contains(&kind) {
        errors.push(err("kind", "volunteer.err_choice"));
    }
    // Done by today, at most 50 years ago; an expiry at most 50 years ahead.
    let today = today(state);
    let done_on: Option<Date> = form
        .get("done_on")
        .parse()
        .ok()
        .filter(|d: &Date| *d <= today && d.year() > today.year() - 50);
    if done_on.is_none() {
        errors.push(err("done_on", "volunteer.err_date"));
    }
    let expires_on: Option<Date> = match form.get("expires_on") {
        "" => None,
        s => match s.parse::<Date>() {
            Ok(d) if done_on.is_some_and(|x| d >= x) && d.year() < today.year() + 50 => Some(d),
            _ => {
                errors.push(err("expires_on", "volunteer.err_expiry"));
                None
            }
        },
    };
    let note = form.get("note");
    if note.chars().count() > 500 {
        errors.push(err("note", "volunteer.err_long"));
    }
    invalid(errors)?;
    let done_on = done_on.unwrap_or(Date::MIN);
    insert_record(
        &mut tx,
        &org,
        user,
        kind,
        done_on,
        expires_on,
        note,
        &actor.user_id,
        now,
    )
    .await?;
    sync(&mut tx, &org, user, today).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::QualificationRecorded,
        Entry::by_user(&actor.user_id, Some(&org))
            .resource("user", user)
            .detail(kind),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A bisidder's own standing and records (for /me/onboarding).
pub async fn own(state: &AppState, actor: &Actor) -> AppResult<(Standing, Vec<Record>)> {
    let org = org_of(actor);
    ensure(actor, Action::ManageOwnProfile, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    let recs = records(&mut conn, org, &actor.user_id).await?;
    let s = domain::standing(&required(&mut conn, org).await?, &recs, today(state));
    Ok((s, recs))
}

/// The bisidder acknowledges the guidelines or signs the confidentiality undertaking.
pub async fn acknowledge(state: &AppState, actor: &Actor, kind: &str) -> AppResult<()> {
    let org = org_of(actor).to_owned();
    ensure(actor, Action::ManageOwnProfile, Target::Org(&org))?;
    if !matches!(kind, "guidelines" | "confidentiality") {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now_us();
    let today = today(state);
    let mut tx = state.db.begin().await?;
    insert_record(
        &mut tx,
        &org,
        &actor.user_id,
        kind,
        today,
        None,
        "",
        &actor.user_id,
        now,
    )
    .await?;
    sync(&mut tx, &org, &actor.user_id, today).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::QualificationRecorded,
        Entry::by_user(&actor.user_id, Some(&org))
            .resource("user", &actor.user_id)
            .detail(kind),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation admin sets which items are required; every bisidder's standing follows.
pub async fn set_requirements(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = org_of(actor).to_owned();
    ensure(actor, Action::ConfigureVolunteering, Target::Org(&org))?;
    let chosen: Vec<&str> = ITEMS
        .iter()
        .copied()
        .filter(|i| form.0.iter().any(|(k, v)| k == "item" && v == i))
        .collect();
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM org_requirements WHERE org_id = $1")
        .bind(&org)
        .execute(&mut *tx)
        .await?;
    for item in &chosen {
        sqlx::query("INSERT INTO org_requirements (org_id, item) VALUES ($1, $2)")
            .bind(&org)
            .bind(item)
            .execute(&mut *tx)
            .await?;
    }
    let users: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM bisidder_profiles WHERE org_id = $1")
            .bind(&org)
            .fetch_all(&mut *tx)
            .await?;
    let today = today(state);
    for u in users {
        sync(&mut tx, &org, &u, today).await?;
    }
    audit::record(
        &mut tx,
        now,
        AuditAction::RequirementsChanged,
        Entry::by_user(&actor.user_id, Some(&org)).detail(&chosen.join(",")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A municipal ambassador (bisidderambassadør) for a kommune.
pub async fn add_ambassador(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = org_of(actor).to_owned();
    ensure(actor, Action::ManageVolunteers, Target::Org(&org))?;
    let name = form.get("name");
    let kommune = geo::kommune(form.get("kommune")).filter(|_| form.get("kommune").len() == 4);
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(err("name", "volunteer.err_name"));
    }
    if kommune.is_none() {
        errors.push(err("kommune", "volunteer.err_kommune"));
    }
    invalid(errors)?;
    let now = state.clock.now_us();
    let id = new_id();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO ambassadors (id, org_id, kommune_code, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(&org)
        .bind(kommune.map_or("", |k| k.code))
        .bind(name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::AmbassadorAdded,
        Entry::by_user(&actor.user_id, Some(&org)).resource("ambassador", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The jobs tick: warns a bisidder once, `WARN_DAYS` before a required item expires, and
/// brings profiles whose item has expired out of matching. Returns warnings sent.
pub async fn warn_expiring(state: &AppState) -> anyhow::Result<usize> {
    let today = today(state);
    let horizon = today.saturating_add(jiff::Span::new().days(domain::WARN_DAYS));
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let due = sqlx::query(
        "SELECT q.id, q.org_id, q.user_id, q.kind, q.expires_on, u.email FROM qualifications q \
         JOIN org_requirements r ON r.org_id = q.org_id AND r.item = q.kind JOIN users u ON u.id = q.user_id \
         WHERE q.warned_at IS NULL AND q.expires_on IS NOT NULL AND q.expires_on <= $1 LIMIT 200",
    )
    .bind(horizon.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for r in &due {
        let (org, user) = (row::s(r, "org_id")?, row::s(r, "user_id")?);
        let s = sync(&mut tx, &org, &user, today).await?;
        let kind = row::s(r, "kind")?;
        // Only when this record is what limits them (a newer one may already be there).
        let limiting =
            s.expiring.iter().any(|(k, _)| *k == kind) || s.missing.contains(&kind.as_str());
        if limiting {
            let lang = i18n::Lang::Da;
            let body = i18n::t(lang, "mail.qualification_expiring_body")
                .replace("{item}", i18n::t(lang, &format!("qualification.{kind}")))
                .replace("{date}", &row::s(r, "expires_on")?);
            notify::enqueue_email(
                &mut tx,
                now,
                &row::s(r, "email")?,
                i18n::t(lang, "mail.qualification_expiring_subject"),
                &body,
            )
            .await?;
            sent += 1;
        }
        sqlx::query("UPDATE qualifications SET warned_at = $1 WHERE id = $2")
            .bind(now)
            .bind(row::s(r, "id")?)
            .execute(&mut *tx)
            .await?;
    }
    // Expired since the last tick: out of matching until renewed.
    let expired: Vec<(String, String)> = sqlx::query_as(
        "SELECT org_id, user_id FROM bisidder_profiles WHERE status = 'active' AND qualified_until IS NOT NULL AND qualified_until < $1",
    )
    .bind(today.to_string())
    .fetch_all(&mut *tx)
    .await?;
    for (org, user) in expired {
        sync(&mut tx, &org, &user, today).await?;
    }
    tx.commit().await?;
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
}

/// The demo: the children's organisation requires an internal course, the guidelines and
/// the signed undertaking; its bisiddere have all three (a year ago), so they stay active.
pub async fn seed_demo(tx: &mut Conn, org: &str, today: Date, now: i64) -> sqlx::Result<()> {
    let required = ["internal_course", "guidelines", "confidentiality"];
    for item in required {
        sqlx::query("INSERT INTO org_requirements (org_id, item) VALUES ($1, $2)")
            .bind(org)
            .bind(item)
            .execute(&mut *tx)
            .await?;
    }
    let users: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM bisidder_profiles WHERE org_id = $1")
            .bind(org)
            .fetch_all(&mut *tx)
            .await?;
    let done = today.saturating_sub(jiff::Span::new().days(365));
    for u in users {
        for item in required {
            insert_record(tx, org, &u, item, done, None, "", &u, now).await?;
        }
        sync(tx, org, &u, today).await?;
    }
    Ok(())
}
