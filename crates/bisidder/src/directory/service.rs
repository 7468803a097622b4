//! Directory use cases: the public search and profiles (no account), the analytics, an
//! organisation admin's claim and profile, and the platform admin's verification.

use super::{
    analytics,
    domain::{self, Query},
    store::{self, Scheme},
};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, Conn},
    web::form::FormData,
};

/// The search form's fields, as given (GET parameters or API query).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// Kommune code (0101 … 0860), or leave empty and give `town`.
    #[serde(default)]
    pub kommune: String,
    /// A town name (any spelling); wins over `kommune`.
    #[serde(default)]
    pub town: String,
    /// employment, benefits, children, health, addiction, housing, police_courts.
    #[serde(default)]
    pub meeting_type: String,
    /// A target group (see the import documentation); empty for any.
    #[serde(default)]
    pub group: String,
    /// "1": only schemes without requirements.
    #[serde(default)]
    pub no_requirements: String,
}

impl SearchParams {
    pub fn is_empty(&self) -> bool {
        self.kommune.is_empty() && self.town.is_empty()
    }

    /// The place and filters, or the field that is wrong.
    pub fn to_query(&self) -> AppResult<Query> {
        let (kommune, from) = if !self.town.trim().is_empty() {
            let t = geo::town_by_name(self.town.trim())
                .ok_or(AppError::invalid("town", "directory.err_town"))?;
            (t.kommune_code.to_string(), Some(t.point()))
        } else {
            let k = geo::kommune(self.kommune.trim())
                .ok_or(AppError::invalid("kommune", "directory.err_kommune"))?;
            (k.code.to_string(), Some(k.point()))
        };
        let meeting_type = match self.meeting_type.as_str() {
            "" | "all" => None,
            m if domain::MEETING_TYPES.contains(&m) => Some(m.to_string()),
            _ => return Err(AppError::invalid("meeting_type", "directory.err_choose")),
        };
        let target_group = match self.group.as_str() {
            "" | "everyone" => None,
            g if domain::TARGET_GROUPS.contains(&g) => Some(g.to_string()),
            _ => return Err(AppError::invalid("group", "directory.err_choose")),
        };
        Ok(Query {
            kommune,
            from,
            meeting_type,
            target_group,
            no_requirements: self.no_requirements == "1",
            with_capacity_only: false,
        })
    }
}

/// A search result: the scheme and its distance (km, rounded) from the place asked about.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Found {
    #[serde(flatten)]
    pub scheme: Scheme,
    pub distance_km: Option<i64>,
}

pub async fn all(state: &AppState) -> AppResult<Vec<Scheme>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(store::all(&mut conn).await?)
}

/// Runs `q` over every scheme (public: no personal data, so no audit row).
pub fn run(schemes: &[Scheme], q: &Query) -> Vec<Found> {
    let profiles: Vec<_> = schemes.iter().map(Scheme::profile).collect();
    domain::search(&profiles, q)
        .into_iter()
        .filter_map(|h| {
            let s = schemes.iter().find(|s| s.id == h.scheme.id)?;
            Some(Found {
                scheme: s.clone(),
                distance_km: h.km.map(|k| k.round() as i64),
            })
        })
        .collect()
}

pub async fn search(state: &AppState, p: &SearchParams) -> AppResult<Vec<Found>> {
    let q = p.to_query()?;
    Ok(run(&all(state).await?, &q))
}

pub async fn public_profile(state: &AppState, id: &str) -> AppResult<Scheme> {
    let mut conn = state.db.pool.acquire().await?;
    store::get(&mut conn, id).await?.ok_or(AppError::NotFound)
}

/// Profiles with what the platform measured where it has it: for a scheme whose
/// organisation runs its intake here, tasks per week are its requests of the last 52
/// weeks / 52, and how often and why it turns people away come from its actual
/// rejections and referrals (never: none; rarely: under 10 %; sometimes: under 30 %;
/// often: otherwise). Other schemes keep their self-reported answers.
pub async fn live_profiles(conn: &mut Conn, now: i64) -> AppResult<Vec<domain::Profile>> {
    let since = now - 364 * 24 * 3_600_000_000;
    let mut out = Vec::new();
    for s in store::all(conn).await? {
        let mut p = s.profile();
        if let (Some(org), true) = (s.org_id.as_deref(), s.on_platform) {
            let (n, reasons) = store::measured(conn, org, since).await?;
            if n > 0 {
                p.tasks_per_week = Some(n as f64 / 52.0);
                let share = reasons.len() as f64 / n as f64;
                p.turns_away = Some(
                    match share {
                        0.0 => "never",
                        x if x < 0.1 => "rarely",
                        x if x < 0.3 => "sometimes",
                        _ => "often",
                    }
                    .to_string(),
                );
                let mut rs: Vec<String> = reasons;
                rs.sort();
                rs.dedup();
                p.turn_away_reasons = rs;
            }
        }
        out.push(p);
    }
    Ok(out)
}

pub async fn analytics(state: &AppState) -> AppResult<serde_json::Value> {
    let mut conn = state.db.pool.acquire().await?;
    let profiles = live_profiles(&mut conn, state.clock.now_us()).await?;
    Ok(analytics::analytics(&profiles))
}

fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// The scheme the actor's organisation runs, if it has claimed one.
pub async fn own(state: &AppState, actor: &Actor) -> AppResult<Option<Scheme>> {
    let org = org_of(actor);
    ensure(actor, Action::ManageSchemeProfile, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(store::of_org(&mut conn, org).await?)
}

/// An organisation admin claims a listing (or starts a new profile with `id` empty); a
/// platform admin verifies the claim. A listing claimed by someone else is a conflict.
pub async fn claim(state: &AppState, actor: &Actor, id: &str) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::ManageSchemeProfile, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    if store::of_org(&mut tx, org).await?.is_some() {
        return Err(AppError::Conflict("directory.err_already_claimed"));
    }
    let mut s = match id {
        "" => {
            let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut *tx)
                .await?;
            let mut s = blank(&name);
            s.origin = "platform".into();
            store::save(&mut tx, &s, now, true).await?;
            s
        }
        id => store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?,
    };
    if s.org_id.is_some() {
        return Err(AppError::Conflict("directory.err_already_claimed"));
    }
    s.org_id = Some(org.to_string());
    s.claim_status = "pending".into();
    store::save(&mut tx, &s, now, false).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::SchemeClaimed,
        Entry::by_user(&actor.user_id, Some(org)).resource("scheme", &s.id),
    )
    .await?;
    tx.commit().await?;
    Ok(s.id)
}

/// A scheme with nothing known but its name.
pub fn blank(name: &str) -> Scheme {
    Scheme {
        id: new_id(),
        source_id: None,
        origin: "import".into(),
        name: name.to_string(),
        kind: None,
        org_id: None,
        claim_status: "none".into(),
        verified: false,
        profiled: false,
        base_town: None,
        kommune_code: None,
        lat: None,
        lon: None,
        coverage_national: false,
        coverage_regions: vec![],
        coverage_kommuner: vec![],
        coverage_towns: vec![],
        target_groups: vec![],
        requirements: vec![],
        meeting_types: vec![],
        training: vec![],
        support: vec![],
        bisiddere: None,
        tasks_per_week: None,
        capacity_per_week: None,
        open_hours_per_week: None,
        opening_hours: None,
        request_channels: None,
        contact_phone: None,
        contact_email: None,
        website: None,
        gives_advice: false,
        turns_away: None,
        turn_away_reasons: vec![],
        meets_demand: None,
        at_capacity: false,
        on_platform: false,
    }
}

/// The organisation admin completes or changes their scheme's profile.
pub async fn save_profile(state: &AppState, actor: &Actor, form: &FormData) -> AppResult<()> {
    let org = org_of(actor);
    ensure(actor, Action::ManageSchemeProfile, Target::Org(org))?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let mut s = store::of_org(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound)?;
    super::profile::apply_form(&mut s, form)?;
    store::save(&mut tx, &s, now, false).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::SchemeProfileSaved,
        Entry::by_user(&actor.user_id, Some(org)).resource("scheme", &s.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims waiting for a platform admin.
pub async fn claims(state: &AppState, actor: &Actor) -> AppResult<Vec<(Scheme, String)>> {
    ensure(actor, Action::VerifySchemeClaims, Target::Platform)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(store::pending_claims(&mut conn).await?)
}

/// A platform admin accepts (`verify`) or refuses a claim.
pub async fn decide_claim(
    state: &AppState,
    actor: &Actor,
    id: &str,
    accept: bool,
) -> AppResult<()> {
    ensure(actor, Action::VerifySchemeClaims, Target::Platform)?;
    let now = state.clock.now_us();
    let mut tx = state.db.begin().await?;
    let mut s = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if s.claim_status != "pending" {
        return Err(AppError::Conflict("directory.err_not_pending"));
    }
    let org = s.org_id.clone();
    if accept {
        s.claim_status = "verified".into();
        s.verified = true;
    } else {
        s.claim_status = "none".into();
        s.org_id = None;
    }
    store::save(&mut tx, &s, now, false).await?;
    audit::record(
        &mut tx,
        now,
        AuditAction::SchemeClaimDecided,
        Entry::by_user(&actor.user_id, org.as_deref())
            .resource("scheme", &s.id)
            .detail(if accept { "verified" } else { "refused" }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A verified profile for a demo organisation: a children's service for the whole
/// country (`towns` empty), or a volunteer network for the kommuner of its towns.
pub fn demo_profile(
    org: &str,
    name: &str,
    base: Option<&str>,
    towns: &[&str],
    bisiddere: usize,
) -> Scheme {
    let mut s = blank(name);
    s.origin = "platform".into();
    s.org_id = Some(org.to_string());
    s.claim_status = "verified".into();
    s.verified = true;
    s.profiled = true;
    s.on_platform = true;
    s.bisiddere = Some(bisiddere as i64);
    s.gives_advice = false;
    s.requirements = vec!["none".into()];
    s.training = vec!["internal_course".into(), "shadowing".into()];
    s.support = vec!["supervision".into(), "coordinator".into()];
    s.request_channels = Some("Bisidder (/anmod)".into());
    if towns.is_empty() {
        s.kind = Some("professional_children".into());
        s.coverage_national = true;
        s.target_groups = vec!["children_young".into()];
        s.meeting_types = vec!["children".into()];
    } else {
        s.kind = Some("volunteer_network".into());
        let mut kommuner: Vec<String> = towns
            .iter()
            .filter_map(|t| geo::town_by_name(t))
            .map(|t| t.kommune_code.to_string())
            .collect();
        kommuner.sort();
        kommuner.dedup();
        s.coverage_kommuner = kommuner;
        s.target_groups = vec!["everyone".into()];
        s.meeting_types = vec!["all".into()];
        s.base_town = base.and_then(geo::town_by_name).map(|t| t.name.to_string());
        s.kommune_code = base
            .and_then(geo::town_by_name)
            .map(|t| t.kommune_code.to_string());
    }
    super::profile::place(&mut s);
    s
}
