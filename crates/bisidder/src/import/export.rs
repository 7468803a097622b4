//! `bisidder export`: an organisation's data in the import format (SPEC §7), so that
//! `bisidder import` reads it back: the organisation, its persons (gender, birth date,
//! kommune — no names or contact details), cases and reports of concern with their
//! categories. Ids are the source system's where the data was imported, else ours.
//! Deterministic: records in (source) id order, so two exports of the same data are equal.

use crate::store::{row, Conn};
use serde_json::{json, Value};
use std::collections::HashMap;

fn push(out: &mut String, v: Value) {
    out.push_str(&v.to_string());
    out.push('\n');
}

/// The organisation `org_id` as JSON Lines. `None` when there is no such organisation.
pub async fn export(conn: &mut Conn, org_id: &str) -> sqlx::Result<Option<String>> {
    let Some(o) =
        sqlx::query("SELECT slug, name, kind, source_id FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let org = row::os(&o, "source_id")?.unwrap_or(row::s(&o, "slug")?);
    let mut out = String::new();
    push(
        &mut out,
        json!({"type": "organisation", "id": org, "name": row::s(&o, "name")?, "kind": row::s(&o, "kind")?}),
    );
    let mut persons = HashMap::new();
    for r in sqlx::query(
        "SELECT id, source_id, gender, birth_date, kommune_code FROM persons WHERE org_id = $1 ORDER BY COALESCE(source_id, id)",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let id = row::os(&r, "source_id")?.unwrap_or(row::s(&r, "id")?);
        persons.insert(row::s(&r, "id")?, id.clone());
        let mut p = json!({"type": "person", "id": id, "org": org, "gender": row::s(&r, "gender")?});
        if let Some(b) = row::os(&r, "birth_date")?.filter(|b| !b.is_empty()) {
            p["birth_date"] = json!(b);
        }
        if let Some(k) = row::os(&r, "kommune_code")?.filter(|k| !k.is_empty()) {
            p["kommune"] = json!(k);
        }
        push(&mut out, p);
    }
    let mut cases = HashMap::new();
    for r in sqlx::query(
        "SELECT id, source_id, person_id, authority, opened_on, closed_on FROM cases WHERE org_id = $1 ORDER BY COALESCE(source_id, id)",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let Some(person) = persons.get(&row::s(&r, "person_id")?) else {
            continue;
        };
        let id = row::os(&r, "source_id")?.unwrap_or(row::s(&r, "id")?);
        cases.insert(row::s(&r, "id")?, id.clone());
        push(
            &mut out,
            json!({"type": "case", "id": id, "org": org, "person": person,
                   "authority": row::s(&r, "authority")?, "opened_on": row::s(&r, "opened_on")?,
                   "closed_on": row::os(&r, "closed_on")?}),
        );
    }
    let mut categories: HashMap<String, Vec<String>> = HashMap::new();
    for r in sqlx::query(
        "SELECT rc.report_id, rc.category FROM report_categories rc JOIN reports_of_concern r ON r.id = rc.report_id \
         WHERE r.org_id = $1 ORDER BY rc.report_id, rc.category",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    {
        categories
            .entry(row::s(&r, "report_id")?)
            .or_default()
            .push(row::s(&r, "category")?);
    }
    for r in sqlx::query(
        "SELECT id, source_id, case_id, sent_on FROM reports_of_concern WHERE org_id = $1 ORDER BY COALESCE(source_id, id)",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let Some(case) = cases.get(&row::s(&r, "case_id")?) else {
            continue;
        };
        let internal = row::s(&r, "id")?;
        let id = row::os(&r, "source_id")?.unwrap_or(internal.clone());
        push(
            &mut out,
            json!({"type": "report_of_concern", "id": id, "case": case, "sent_on": row::os(&r, "sent_on")?,
                   "categories": categories.remove(&internal).unwrap_or_default()}),
        );
    }
    Ok(Some(out))
}
