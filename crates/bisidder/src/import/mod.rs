//! `bisidder import FILE.jsonl`: an organisation's history (SPEC §7). All or nothing: the
//! file is checked completely first and stored in one transaction; source ids are kept so
//! that importing the same file again changes nothing.

pub mod csv;
pub mod domain;
pub mod export;

use crate::{
    audit::{self, AuditAction, Entry},
    store::{new_id, Db, Tx},
};
use domain::{LineError, Record};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s); nothing was imported:\n{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Lines(Vec<LineError>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Other(e.into())
    }
}

/// Imports the CSV template files (name, text) into the organisation `org` (its id, slug
/// or import id): all or nothing, like `import`; problems are named by file and line.
/// An organisation made in Bisidder gets its slug as import id, so that a re-import of
/// the same files finds it again and changes nothing.
pub async fn import_csv(
    db: &Db,
    org: &str,
    files: &[(String, String)],
    now: i64,
) -> Result<Summary, ImportError> {
    let found: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, slug, source_id FROM organisations WHERE id = $1 OR slug = $1 OR source_id = $1 LIMIT 1",
    )
    .bind(org)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, slug, source)) = found else {
        return Err(ImportError::Other(anyhow::anyhow!(
            "no organisation {org:?}"
        )));
    };
    let source = source.unwrap_or(slug);
    let (text, origin) = csv::to_jsonl(&source, files).map_err(|e| problems(&e))?;
    let named = |lines: Vec<LineError>| {
        let named: Vec<String> = lines
            .iter()
            .map(|l| match origin.get(l.line.wrapping_sub(1)) {
                Some((file, n)) => format!("{file} line {n}: {}", l.message),
                None => l.to_string(),
            })
            .collect();
        problems(&named)
    };
    // Check everything before anything changes, the organisation included.
    domain::parse(&text, &HashSet::from([source.clone()])).map_err(named)?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE organisations SET source_id = $1 WHERE id = $2 AND source_id IS NULL")
        .bind(&source)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    import(db, &text, now).await.map_err(|e| match e {
        ImportError::Lines(lines) => named(lines),
        other => other,
    })
}

fn problems(list: &[String]) -> ImportError {
    ImportError::Other(anyhow::anyhow!(
        "{} problem(s); nothing was imported:\n{}",
        list.len(),
        list.join("\n")
    ))
}

pub async fn import(db: &Db, text: &str, now: i64) -> Result<Summary, ImportError> {
    let known: HashSet<String> = sqlx::query_scalar::<_, String>(
        "SELECT source_id FROM organisations WHERE source_id IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .collect();
    let records = domain::parse(text, &known).map_err(ImportError::Lines)?;
    let mut tx = db.begin().await?;
    let mut s = Summary::default();
    let mut orgs: HashMap<String, String> = HashMap::new();
    let mut persons: HashMap<String, (String, String)> = HashMap::new();
    let mut cases: HashMap<String, (String, String)> = HashMap::new();
    for r in &records {
        let outcome = match r {
            Record::Scheme { id, org, record } => {
                let org = match org {
                    Some(o) => Some(org_internal(&mut tx, &mut orgs, o).await?),
                    None => None,
                };
                upsert_scheme(&mut tx, id, org, record, now).await?
            }
            Record::Organisation { id, name, kind } => {
                let (internal, o) = upsert_org(&mut tx, id, name, kind, now).await?;
                orgs.insert(id.clone(), internal);
                o
            }
            Record::Person {
                id,
                org,
                gender,
                birth_date,
                kommune,
            } => {
                let org_id = org_internal(&mut tx, &mut orgs, org).await?;
                let birth = birth_date.map(|d| d.to_string());
                let (internal, o) = upsert(
                    &mut tx,
                    "persons",
                    &org_id,
                    id,
                    &[("gender", Some(gender.clone())), ("birth_date", birth), ("kommune_code", kommune.clone())],
                    "INSERT INTO persons (id, org_id, source_id, first_name, gender, birth_date, kommune_code, created_at) VALUES ($1, $2, $3, '', $4, $5, $6, $7)",
                    now,
                )
                .await?;
                persons.insert(id.clone(), (internal, org_id));
                o
            }
            Record::Case {
                id,
                person,
                authority,
                opened_on,
                closed_on,
                ..
            } => {
                let (person_id, org_id) = persons
                    .get(person)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("person {person} vanished"))?;
                let (internal, o) = upsert(
                    &mut tx,
                    "cases",
                    &org_id,
                    id,
                    &[("person_id", Some(person_id)), ("authority", Some(authority.clone())), ("opened_on", Some(opened_on.to_string())), ("closed_on", closed_on.map(|d| d.to_string()))],
                    "INSERT INTO cases (id, org_id, source_id, person_id, authority, opened_on, closed_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    now,
                )
                .await?;
                cases.insert(id.clone(), (internal, org_id));
                o
            }
            Record::Report {
                id,
                case,
                sent_on,
                categories,
            } => {
                let (case_id, org_id) = cases
                    .get(case)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("case {case} vanished"))?;
                let (internal, mut o) = upsert(
                    &mut tx,
                    "reports_of_concern",
                    &org_id,
                    id,
                    &[("case_id", Some(case_id)), ("sent_on", sent_on.map(|d| d.to_string()))],
                    "INSERT INTO reports_of_concern (id, org_id, source_id, case_id, sent_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    now,
                )
                .await?;
                let mut have: Vec<String> = sqlx::query_scalar(
                    "SELECT category FROM report_categories WHERE report_id = $1",
                )
                .bind(&internal)
                .fetch_all(&mut *tx)
                .await?;
                have.sort();
                let mut want = categories.clone();
                want.sort();
                want.dedup();
                if have != want {
                    sqlx::query("DELETE FROM report_categories WHERE report_id = $1")
                        .bind(&internal)
                        .execute(&mut *tx)
                        .await?;
                    for c in &want {
                        sqlx::query(
                            "INSERT INTO report_categories (report_id, category) VALUES ($1, $2)",
                        )
                        .bind(&internal)
                        .bind(c)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if o == Outcome::Unchanged {
                        o = Outcome::Updated;
                    }
                }
                o
            }
        };
        match outcome {
            Outcome::Inserted => s.inserted += 1,
            Outcome::Updated => s.updated += 1,
            Outcome::Unchanged => s.unchanged += 1,
        }
    }
    let detail = format!(
        "inserted {}, updated {}, unchanged {}",
        s.inserted, s.updated, s.unchanged
    );
    audit::record(
        &mut tx,
        now,
        AuditAction::DataImported,
        Entry::by("cli").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

async fn org_internal(
    tx: &mut Tx,
    cache: &mut HashMap<String, String>,
    source: &str,
) -> anyhow::Result<String> {
    if let Some(id) = cache.get(source) {
        return Ok(id.clone());
    }
    let id: String = sqlx::query_scalar("SELECT id FROM organisations WHERE source_id = $1")
        .bind(source)
        .fetch_one(&mut **tx)
        .await?;
    cache.insert(source.to_string(), id.clone());
    Ok(id)
}

async fn upsert_org(
    tx: &mut Tx,
    source: &str,
    name: &str,
    kind: &str,
    now: i64,
) -> anyhow::Result<(String, Outcome)> {
    let found: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, name, kind FROM organisations WHERE source_id = $1")
            .bind(source)
            .fetch_optional(&mut **tx)
            .await?;
    match found {
        Some((id, n, k)) if n == name && k == kind => Ok((id, Outcome::Unchanged)),
        Some((id, _, _)) => {
            sqlx::query("UPDATE organisations SET name = $1, kind = $2 WHERE id = $3")
                .bind(name)
                .bind(kind)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
            Ok((id, Outcome::Updated))
        }
        None => {
            let taken: Option<String> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                    .bind(source)
                    .fetch_optional(&mut **tx)
                    .await?;
            let slug = if taken.is_some() {
                format!("{source}-{}", &new_id()[20..]).to_lowercase()
            } else {
                source.to_string()
            };
            let id = new_id();
            sqlx::query("INSERT INTO organisations (id, slug, name, kind, source_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(&slug)
                .bind(name)
                .bind(kind)
                .bind(source)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            Ok((id, Outcome::Inserted))
        }
    }
}

/// Inserts a row identified by (org, source id), or updates the listed columns when they
/// differ. `insert_sql` takes id, org, source id, the columns in order, then created_at.
async fn upsert(
    tx: &mut Tx,
    table: &str,
    org: &str,
    source: &str,
    cols: &[(&str, Option<String>)],
    insert_sql: &str,
    now: i64,
) -> anyhow::Result<(String, Outcome)> {
    let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
    let select = format!(
        "SELECT id, {} FROM {table} WHERE org_id = $1 AND source_id = $2",
        names.join(", ")
    );
    let found = sqlx::query(&select)
        .bind(org)
        .bind(source)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = found {
        let id: String = sqlx::Row::try_get(&row, "id")?;
        let mut same = true;
        for (i, (_, want)) in cols.iter().enumerate() {
            let have: Option<String> = sqlx::Row::try_get(&row, i + 1)?;
            same &= have == *want;
        }
        if same {
            return Ok((id, Outcome::Unchanged));
        }
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {table} SET {} WHERE id = ${}",
            sets.join(", "),
            names.len() + 1
        );
        let mut q = sqlx::query(&sql);
        for (_, v) in cols {
            q = q.bind(v.clone());
        }
        q.bind(&id).execute(&mut **tx).await?;
        return Ok((id, Outcome::Updated));
    }
    let id = new_id();
    let mut q = sqlx::query(insert_sql).bind(&id).bind(org).bind(source);
    for (_, v) in cols {
        q = q.bind(v.clone());
    }
    q.bind(now).execute(&mut **tx).await?;
    Ok((id, Outcome::Inserted))
}

/// A directory profile, upserted by its source id; the listing's claim and verification
/// are kept. An imported profile is the scheme's own answers, so it counts as verified.
async fn upsert_scheme(
    tx: &mut Tx,
    source: &str,
    org: Option<String>,
    record: &serde_json::Value,
    now: i64,
) -> anyhow::Result<Outcome> {
    use crate::directory::{profile, service, store};
    let existing = store::by_source(tx, source).await?;
    let mut s = existing.clone().unwrap_or_else(|| {
        let mut s = service::blank("");
        s.source_id = Some(source.to_string());
        s
    });
    profile::apply_record(&mut s, record).map_err(|e| anyhow::anyhow!(e))?;
    s.verified = true;
    if let Some(org) = org {
        s.org_id = Some(org);
        s.claim_status = "verified".into();
    }
    s.on_platform = s.org_id.is_some() && s.claim_status == "verified";
    match existing {
        None => {
            store::save(tx, &s, now, true).await?;
            Ok(Outcome::Inserted)
        }
        Some(old) if old == s => Ok(Outcome::Unchanged),
        Some(_) => {
            store::save(tx, &s, now, false).await?;
            Ok(Outcome::Updated)
        }
    }
}
