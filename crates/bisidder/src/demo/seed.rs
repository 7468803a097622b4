//! Generates the demo dataset. Deterministic: the same seed gives the same people, cases and
//! reports (only ids and the "now" they are measured from differ).

use super::data::*;
use crate::{
    audit::{self, AuditAction, Entry},
    auth::{admin, password},
    crypto::FieldCrypto,
    orgs::store::{insert_org, NewOrg},
    policy::Role,
    store::{new_id, Db, Tx},
};
use jiff::{civil::Date, Timestamp, ToSpan};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

pub const DEMO_PASSWORD: &str = "demo-Bisidder-2026";

pub struct DemoUser {
    pub role_label: &'static str,
    pub email: String,
}

struct Org {
    id: String,
    children: bool,
    bisiddere: Vec<(String, geo::Point)>,
    coordinator: String,
    requester: Option<String>,
}

/// Loads the demo; does nothing if it is already there.
/// Returns the logins to print.
pub async fn load(db: &Db, crypto: &FieldCrypto, now: Timestamp) -> anyhow::Result<Vec<DemoUser>> {
    let logins = vec![
        DemoUser {
            role_label: "platform_admin",
            email: "platform@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "org_admin",
            email: "leder@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "coordinator",
            email: "koordinator@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "senior_consultant",
            email: "seniorkonsulent@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "bisidder",
            email: "bisidder01@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "requester",
            email: "sagsbehandler@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "analyst",
            email: "analytiker@demo.bisidder.dk".into(),
        },
        DemoUser {
            role_label: "coordinator (Odense)",
            email: "koordinator@odense.demo.bisidder.dk".into(),
        },
    ];
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE slug = 'demo-bv'")
            .fetch_one(&db.pool)
            .await?;
    if existing > 0 {
        return Ok(logins);
    }
    let now_us = now.as_microsecond();
    let hash = password::hash_blocking(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rng = StdRng::seed_from_u64(2026);
    let today = now.to_zoned(crate::web::fmt::copenhagen()).date();

    admin::create_user_with_hash(
        db,
        now_us,
        "platform@demo.bisidder.dk",
        "Platform Admin",
        &hash,
        true,
        &[],
    )
    .await?;

    // The professional children's organisation.
    let bv = make_org(
        db,
        now_us,
        &hash,
        &mut rng,
        OrgSpec {
            slug: "demo-bv",
            name: "Børns Vilkår (demo)",
            kind: "professional_children",
            kommune: "0101",
            email_domain: "demo.bisidder.dk",
            towns: BV_TOWNS,
            staff: true,
        },
    )
    .await?;
    // Three volunteer schemes for adults in three regions.
    let schemes = [
        (
            "demo-odense",
            "Bisiddergruppen Odense (demo)",
            "0461",
            "odense.demo.bisidder.dk",
            &[
                "Odense",
                "Odense",
                "Nyborg",
                "Middelfart",
                "Faaborg",
                "Kerteminde",
                "Odense",
            ][..],
        ),
        (
            "demo-aalborg",
            "Bisiddernetværket Aalborg (demo)",
            "0851",
            "aalborg.demo.bisidder.dk",
            &[
                "Aalborg",
                "Aalborg",
                "Nørresundby",
                "Hobro",
                "Aalborg",
                "Brønderslev",
            ][..],
        ),
        (
            "demo-naestved",
            "Frivillige bisiddere Sydsjælland (demo)",
            "0370",
            "naestved.demo.bisidder.dk",
            &[
                "Næstved",
                "Vordingborg",
                "Næstved",
                "Ringsted",
                "Faxe",
                "Næstved",
                "Køge",
                "Haslev",
            ][..],
        ),
    ];
    let mut adult_orgs = Vec::new();
    let mut profiles = vec![crate::directory::service::demo_profile(
        &bv.id,
        "Børns Vilkår (demo)",
        None,
        &[],
        bv.bisiddere.len(),
    )];
    for (slug, name, kommune, domain, towns) in schemes {
        let org = make_org(
            db,
            now_us,
            &hash,
            &mut rng,
            OrgSpec {
                slug,
                name,
                kind: "volunteer_network",
                kommune,
                email_domain: domain,
                towns,
                staff: false,
            },
        )
        .await?;
        profiles.push(crate::directory::service::demo_profile(
            &org.id,
            name,
            Some(towns[0]),
            towns,
            org.bisiddere.len(),
        ));
        adult_orgs.push(org);
    }
    {
        let mut conn = db.pool.acquire().await?;
        for p in &profiles {
            crate::directory::store::save(&mut conn, p, now_us, true).await?;
        }
    }

    let mut tx = db.begin().await?;
    // Børns Vilkår's published volumes: 674 new cases in 2020, 757 in 2021; ~20 % more since.
    let years = [
        (today.year() - 2, 790),
        (today.year() - 1, 840),
        (today.year(), 880),
    ];
    for (y, per_year) in years {
        generate_cases(&mut tx, crypto, &mut rng, &bv, y, per_year, today, now_us).await?;
    }
    for org in &adult_orgs {
        for (y, _) in years {
            let n = rng.gen_range(70..140);
            generate_cases(&mut tx, crypto, &mut rng, org, y, n, today, now_us).await?;
        }
    }
    open_requests(&mut tx, &mut rng, &bv, now, 14).await?;
    for org in &adult_orgs {
        open_requests(&mut tx, &mut rng, org, now, 4).await?;
    }
    crate::volunteers::service::seed_demo(&mut tx, &bv.id, today, now_us).await?;
    audit::record(&mut tx, now_us, AuditAction::DemoLoaded, Entry::by("cli")).await?;
    tx.commit().await?;
    Ok(logins)
}

struct OrgSpec<'a> {
    slug: &'a str,
    name: &'a str,
    kind: &'a str,
    kommune: &'a str,
    email_domain: &'a str,
    towns: &'a [&'a str],
    staff: bool,
}

fn place(town: &str) -> (String, String, geo::Point) {
    match geo::town_by_name(town) {
        Some(t) => (t.name.to_string(), t.kommune_code.to_string(), t.point()),
        None => {
            let k = geo::kommune("0101")
                .or_else(|| geo::kommuner().first())
                .map(|k| (k.seat.to_string(), k.code.to_string(), k.point()));
            k.unwrap_or_else(|| {
                (
                    town.to_string(),
                    "0101".into(),
                    geo::Point::new(55.68, 12.57),
                )
            })
        }
    }
}

fn person_name(rng: &mut StdRng, female: bool, adult: bool) -> (String, String) {
    let list = match (female, adult) {
        (true, false) => GIRLS,
        (false, false) => BOYS,
        (true, true) => WOMEN,
        (false, true) => MEN,
    };
    let first = list.choose(rng).copied().unwrap_or("Alex");
    let last = SURNAMES.choose(rng).copied().unwrap_or("Jensen");
    (first.to_string(), last.to_string())
}

async fn make_org(
    db: &Db,
    now: i64,
    hash: &str,
    rng: &mut StdRng,
    spec: OrgSpec<'_>,
) -> anyhow::Result<Org> {
    let id = {
        let mut conn = db.pool.acquire().await?;
        insert_org(
            &mut conn,
            NewOrg {
                slug: spec.slug,
                name: spec.name,
                kind: spec.kind,
                kommune_code: Some(spec.kommune),
            },
            now,
        )
        .await?
    };
    let d = spec.email_domain;
    let grant = |role: Role| vec![(id.clone(), role)];
    let coordinator = admin::create_user_with_hash(
        db,
        now,
        &format!("koordinator@{d}"),
        "Sofie Lund",
        hash,
        false,
        &grant(Role::Coordinator),
    )
    .await?;
    admin::create_user_with_hash(
        db,
        now,
        &format!("leder@{d}"),
        "Lene Holm",
        hash,
        false,
        &grant(Role::OrgAdmin),
    )
    .await?;
    let mut requester = None;
    if spec.staff {
        admin::create_user_with_hash(
            db,
            now,
            &format!("seniorkonsulent@{d}"),
            "Peter Dahl",
            hash,
            false,
            &grant(Role::SeniorConsultant),
        )
        .await?;
        admin::create_user_with_hash(
            db,
            now,
            &format!("analytiker@{d}"),
            "Nadia Hassan",
            hash,
            false,
            &grant(Role::Analyst),
        )
        .await?;
        requester = Some(
            admin::create_user_with_hash(
                db,
                now,
                &format!("sagsbehandler@{d}"),
                "Karen Mikkelsen (Aarhus Kommune)",
                hash,
                false,
                &grant(Role::Requester),
            )
            .await?,
        );
    }
    let mut bisiddere = Vec::new();
    let mut tx = db.begin().await?;
    for (i, town) in spec.towns.iter().enumerate() {
        let female = rng.gen_bool(0.7);
        let (first, last) = person_name(rng, female, true);
        let email = format!("bisidder{:02}@{d}", i + 1);
        let uid = new_id();
        crate::auth::store::insert_user(
            &mut tx,
            crate::auth::store::NewUser {
                id: &uid,
                email: &email,
                name: &format!("{first} {last}"),
                password_hash: hash,
                is_platform_admin: false,
                now,
            },
        )
        .await?;
        crate::auth::store::grant(&mut tx, &uid, &id, Role::Bisidder, now).await?;
        let (town_name, kommune, point) = place(town);
        let languages = if rng.gen_bool(0.15) {
            "da,en,ar"
        } else if rng.gen_bool(0.3) {
            "da,en"
        } else {
            "da"
        };
        let skills = if spec.staff {
            "children,familieretshuset"
        } else {
            "adults,jobcenter"
        };
        sqlx::query(
            "INSERT INTO bisidder_profiles (user_id, org_id, status, town, kommune_code, lat, lon, max_travel_minutes, \
             max_open_cases, max_hours_per_week, languages, skills, created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&uid)
        .bind(&id)
        .bind(&town_name)
        .bind(&kommune)
        .bind(point.lat)
        .bind(point.lon)
        .bind(if spec.staff { 120i64 } else { 45 })
        .bind(if spec.staff { 12i64 } else { 4 })
        .bind(if spec.staff { 37i64 } else { 6 })
        .bind(languages)
        .bind(skills)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for weekday in 0..5i64 {
            if spec.staff || rng.gen_bool(0.4) {
                let start = if spec.staff {
                    8 * 60
                } else {
                    rng.gen_range(9..14) * 60
                };
                let end = if spec.staff { 16 * 60 } else { start + 4 * 60 };
                sqlx::query("INSERT INTO availability (id, user_id, org_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(new_id())
                    .bind(&uid)
                    .bind(&id)
                    .bind(weekday)
                    .bind(weekday * 1440 + start)
                    .bind(weekday * 1440 + end)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        bisiddere.push((uid, point));
    }
    tx.commit().await?;
    Ok(Org {
        id,
        children: spec.staff,
        bisiddere,
        coordinator,
        requester,
    })
}

fn weighted<'a>(rng: &mut StdRng, items: &'a [(&'a str, u32)]) -> &'a str {
    items
        .choose_weighted(rng, |(_, w)| *w)
        .map(|(s, _)| *s)
        .unwrap_or(items[0].0)
}

/// A town for a person, weighted by population (people live where people live).
fn random_town(rng: &mut StdRng) -> &'static geo::Town {
    let towns = geo::towns();
    towns
        .choose_weighted(rng, |t| t.population.max(500))
        .unwrap_or(&towns[0])
}

fn nearest_bisidder<'a>(rng: &mut StdRng, org: &'a Org, p: geo::Point) -> &'a str {
    let mut by_distance: Vec<_> = org
        .bisiddere
        .iter()
        .map(|(id, bp)| (geo::distance_km(*bp, p), id))
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pick = rng.gen_range(0..by_distance.len().clamp(1, 3));
    by_distance
        .get(pick)
        .map(|(_, id)| id.as_str())
        .unwrap_or("")
}

#[allow(clippy::too_many_arguments)]
async fn generate_cases(
    tx: &mut Tx,
    crypto: &FieldCrypto,
    rng: &mut StdRng,
    org: &Org,
    year: i16,
    n: u32,
    today: Date,
    now_us: i64,
) -> anyhow::Result<()> {
    let first = Date::new(year, 1, 1)?;
    let days_in_year = if first.in_leap_year() { 366 } else { 365 };
    for _ in 0..n {
        let opened = first.checked_add(rng.gen_range(0..days_in_year).days())?;
        if opened > today {
            continue;
        }
        let female = rng.gen_bool(if org.children { 0.62 } else { 0.55 });
        let (first_name, last_name) = person_name(rng, female, !org.children);
        let age: i16 = if org.children {
            *[6, 8, 10, 11, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17]
                .choose(rng)
                .unwrap_or(&13)
        } else {
            rng.gen_range(19..80)
        };
        let birth = opened
            .checked_sub((age as i32).years())?
            .checked_sub(rng.gen_range(0..365).days())?;
        let gender = match (org.children, female, rng.gen_bool(0.02)) {
            (_, _, true) => "other",
            (true, true, _) => "girl",
            (true, false, _) => "boy",
            (false, true, _) => "woman",
            (false, false, _) => "man",
        };
        let town = random_town(rng);
        let person = new_id();
        sqlx::query("INSERT INTO persons (id, org_id, first_name, last_name, birth_date, gender, kommune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&person).bind(&org.id).bind(&first_name).bind(&last_name).bind(birth.to_string()).bind(gender).bind(town.kommune_code).bind(now_us)
            .execute(&mut **tx).await?;
        let authority = if org.children {
            if rng.gen_bool(0.62) {
                if rng.gen_bool(0.95) {
                    "kommune"
                } else {
                    "ankestyrelsen"
                }
            } else {
                "familieretshuset"
            }
        } else {
            weighted(rng, ADULT_AUTHORITIES)
        };
        let bisidder = nearest_bisidder(rng, org, town.point()).to_string();
        let opened_us = opened
            .to_zoned(crate::web::fmt::copenhagen())?
            .timestamp()
            .as_microsecond();
        let request = new_id();
        sqlx::query("INSERT INTO requests (id, org_id, person_id, channel, status, authority, kommune_code, meeting_at, urgent, unannounced, consent_at, assigned_at, created_at) VALUES ($1, $2, $3, $4, 'assigned', $5, $6, $7, $8, 0, $9, $10, $11)")
            .bind(&request).bind(&org.id).bind(&person)
            .bind(*["web", "phone", "helpline", "caseworker"].choose(rng).unwrap_or(&"web"))
            .bind(authority).bind(town.kommune_code).bind(opened_us + 5 * 86_400_000_000)
            .bind(rng.gen_bool(0.1) as i64).bind(opened_us + 3_600_000_000).bind(opened_us + rng.gen_range(1..20) * 3_600_000_000).bind(opened_us)
            .execute(&mut **tx).await?;
        let closed = opened.checked_add(rng.gen_range(20..200).days())?;
        let closed = (closed < today).then_some(closed);
        let case = new_id();
        sqlx::query("INSERT INTO cases (id, org_id, person_id, request_id, bisidder_user_id, authority, opened_on, closed_on, close_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(&case).bind(&org.id).bind(&person).bind(&request).bind(&bisidder).bind(authority)
            .bind(opened.to_string()).bind(closed.map(|d| d.to_string())).bind(closed.map(|_| "completed")).bind(opened_us)
            .execute(&mut **tx).await?;
        // About one case in four leads to a report of concern (≈ 173–209 a year at 674–757 cases).
        if org.children && rng.gen_bool(0.25) {
            let sent = opened.checked_add(rng.gen_range(1..40).days())?;
            if sent <= today {
                let report = new_id();
                let text = "Demo: barnet fortæller om uro derhjemme og har svært ved at sove.";
                sqlx::query("INSERT INTO reports_of_concern (id, org_id, case_id, kommune_code, sent_on, acute, description_enc, created_by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&report).bind(&org.id).bind(&case).bind(town.kommune_code).bind(sent.to_string())
                    .bind(rng.gen_bool(0.08) as i64)
                    .bind(crypto.encrypt("reports_of_concern", "description_enc", &report, text))
                    .bind(&bisidder).bind(opened_us)
                    .execute(&mut **tx).await?;
                let k = rng.gen_range(1..=3);
                let mut cats: Vec<&str> = (0..k).map(|_| weighted(rng, CATEGORIES)).collect();
                cats.sort();
                cats.dedup();
                for c in cats {
                    sqlx::query(
                        "INSERT INTO report_categories (report_id, category) VALUES ($1, $2)",
                    )
                    .bind(&report)
                    .bind(c)
                    .execute(&mut **tx)
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Live activity: requests waiting at every stage, with meetings on coming weekdays
/// during office hours and deadline clocks running; offered ones have a pending offer.
async fn open_requests(
    tx: &mut Tx,
    rng: &mut StdRng,
    org: &Org,
    now: Timestamp,
    n: usize,
) -> anyhow::Result<()> {
    let statuses = [
        "new",
        "new",
        "contacted",
        "consented",
        "matching",
        "offered",
    ];
    let tz = crate::web::fmt::copenhagen();
    let today = now.to_zoned(tz.clone()).date();
    for i in 0..n {
        let status = statuses[i % statuses.len()];
        let female = rng.gen_bool(0.6);
        let (first_name, _) = person_name(rng, female, !org.children);
        let town = random_town(rng);
        let person = new_id();
        let age: i16 = if org.children {
            rng.gen_range(8..18)
        } else {
            rng.gen_range(20..75)
        };
        let birth = today
            .checked_sub((age as i32).years())?
            .checked_sub(rng.gen_range(1..360).days())?;
        let gender = match (org.children, female) {
            (true, true) => "girl",
            (true, false) => "boy",
            (false, true) => "woman",
            (false, false) => "man",
        };
        let phone = format!(
            "{} {:02} {:02} {:02}",
            rng.gen_range(20..99),
            rng.gen_range(0..99),
            rng.gen_range(0..99),
            rng.gen_range(0..99)
        );
        let safe = if org.children { "sms" } else { "call" };
        sqlx::query("INSERT INTO persons (id, org_id, first_name, birth_date, age_at_contact, gender, kommune_code, phone, safe_channel, safe_times, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(&person).bind(&org.id).bind(&first_name).bind(birth.to_string()).bind(i64::from(age)).bind(gender).bind(town.kommune_code)
            .bind(&phone).bind(safe).bind(if org.children { "efter skole" } else { "formiddag" }).bind(now.as_microsecond())
            .execute(&mut **tx).await?;
        let created = now.as_microsecond() - rng.gen_range(10..(20 * 60)) * 60_000_000;
        // A weekday 1–9 days ahead at 9–14 o'clock.
        let mut day = today.checked_add(rng.gen_range(1..10).days())?;
        while matches!(
            day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            day = day.checked_add(1.days())?;
        }
        let meeting = day
            .to_datetime(jiff::civil::Time::new(rng.gen_range(9..15), 0, 0, 0)?)
            .to_zoned(tz.clone())?
            .timestamp()
            .as_microsecond();
        let consented = matches!(status, "consented" | "matching" | "offered");
        let urgent = i % 5 == 0;
        let consent_at = created + 40 * 60_000_000;
        let deadline =
            consented.then(|| (consent_at + 24 * 3_600_000_000).min(meeting - 3_600_000_000));
        let requested_by = if i % 3 == 0 {
            org.requester.clone()
        } else {
            None
        };
        let authority = if org.children {
            if i % 2 == 0 {
                "kommune"
            } else {
                "familieretshuset"
            }
        } else {
            "jobcenter"
        };
        let request = new_id();
        let landmass = format!("{:?}", town.landmass);
        sqlx::query(
            "INSERT INTO requests (id, ref, org_id, person_id, channel, status, authority, kommune_code, meeting_at, urgent, unannounced, requested_by_user_id, \
             consent_at, deadline_at, contact_role, meeting_mode, place_text, lat, lon, landmass, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'in_person', $16, $17, $18, $19, $20)",
        )
        .bind(&request).bind(crate::intake::domain::new_ref()).bind(&org.id).bind(&person)
        .bind(if requested_by.is_some() { "caseworker" } else { "web" })
        .bind(status).bind(authority).bind(town.kommune_code).bind(meeting)
        .bind(urgent as i64).bind((org.children && i == 1) as i64).bind(&requested_by)
        .bind(consented.then_some(consent_at)).bind(deadline)
        .bind(if requested_by.is_some() { "caseworker" } else { "self" })
        .bind(format!("{} Rådhus", town.name)).bind(town.lat).bind(town.lon).bind(&landmass).bind(created)
        .execute(&mut **tx).await?;
        sqlx::query("INSERT INTO request_events (id, org_id, request_id, at, actor_label, kind, detail) VALUES ($1, $2, $3, $4, 'public', 'created', 'web')")
            .bind(new_id()).bind(&org.id).bind(&request).bind(created).execute(&mut **tx).await?;
        if consented {
            sqlx::query("INSERT INTO request_events (id, org_id, request_id, at, actor_user_id, actor_label, kind, detail) VALUES ($1, $2, $3, $4, $5, 'user', 'consented', 'phone')")
                .bind(new_id()).bind(&org.id).bind(&request).bind(consent_at).bind(&org.coordinator).execute(&mut **tx).await?;
        }
        if status == "offered" {
            let b = nearest_bisidder(rng, org, town.point()).to_string();
            sqlx::query("INSERT INTO offers (id, org_id, request_id, bisidder_user_id, strategy, rank, status, created_at, expires_at) VALUES ($1, $2, $3, $4, 'sequential', 1, 'pending', $5, $6)")
                .bind(new_id()).bind(&org.id).bind(&request).bind(&b).bind(now.as_microsecond()).bind(now.as_microsecond() + 2 * 3_600_000_000)
                .execute(&mut **tx).await?;
        }
    }
    // The first bisidder gets an offer and a few appointments in the coming days, so their
    // pages show live work.
    if let Some((first, base)) = org.bisiddere.first() {
        let open: Vec<(String, String)> = sqlx::query_as("SELECT id, request_id FROM cases WHERE bisidder_user_id = $1 AND closed_on IS NULL ORDER BY opened_on DESC LIMIT 2")
            .bind(first).fetch_all(&mut **tx).await?;
        // The newest case also had its meeting yesterday, not yet recorded as held, so
        // the case page shows the bisidder's next step (hours and mileage).
        let days: Vec<(usize, i32)> = open
            .iter()
            .enumerate()
            .map(|(k, _)| (k, 2 + 2 * k as i32))
            .chain(open.first().map(|_| (0, -1)))
            .collect();
        for (k, offset) in days {
            let (case, request) = &open[k];
            let mut day = today.checked_add(offset.days())?;
            while offset > 0
                && matches!(
                    day.weekday(),
                    jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                )
            {
                day = day.checked_add(1.days())?;
            }
            let m = day
                .to_datetime(jiff::civil::Time::new(10, 0, 0, 0)?)
                .to_zoned(tz.clone())?
                .timestamp()
                .as_second();
            for (kind, a, b) in crate::scheduling::pool::PLAN {
                sqlx::query("INSERT INTO appointments (id, org_id, request_id, case_id, kind, starts_at, ends_at, place_text, lat, lon, landmass, bisidder_user_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Rådhuset', $8, $9, 'Mainland', $10, 'planned', $11, $11)")
                    .bind(new_id()).bind(&org.id).bind(request).bind(case).bind(kind)
                    .bind((m + a * 60) * 1_000_000).bind((m + b * 60) * 1_000_000).bind(base.lat).bind(base.lon).bind(first).bind(now.as_microsecond())
                    .execute(&mut **tx).await?;
            }
        }
    }
    Ok(())
}
