//! A person's complete data (SPEC C11 access request): every row about them in every table,
//! with encrypted fields decrypted, as JSON and as a readable page. Rows are found by the
//! person's id, their cases' ids and their requests' ids; secret hashes are left out.

use crate::{crypto::FieldCrypto, store::Conn};
use serde::Serialize;
use sqlx::{Column, Row};

/// One table's rows as (column, value) lists, in column order.
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub table: &'static str,
    pub rows: Vec<Vec<(String, serde_json::Value)>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PersonData {
    pub person_id: String,
    pub sections: Vec<Section>,
}

impl PersonData {
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        out.insert("person_id".into(), self.person_id.clone().into());
        for s in &self.sections {
            let rows: Vec<serde_json::Value> = s
                .rows
                .iter()
                .map(|r| serde_json::Value::Object(r.iter().cloned().collect()))
                .collect();
            out.insert(s.table.into(), rows.into());
        }
        serde_json::Value::Object(out)
    }
}

/// (table, the WHERE clause with $1 = the person id).
const SOURCES: &[(&str, &str)] = &[
    ("persons", "id = $1"),
    ("requests", "person_id = $1"),
    ("request_events", "request_id IN (SELECT id FROM requests WHERE person_id = $1)"),
    ("offers", "request_id IN (SELECT id FROM requests WHERE person_id = $1)"),
    ("appointments", "request_id IN (SELECT id FROM requests WHERE person_id = $1)"),
    ("cases", "person_id = $1"),
    ("case_notes", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("reports_of_concern", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("report_categories", "report_id IN (SELECT r.id FROM reports_of_concern r JOIN cases c ON c.id = r.case_id WHERE c.person_id = $1)"),
    ("letters", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("referrals", "from_request_id IN (SELECT id FROM requests WHERE person_id = $1) OR to_request_id IN (SELECT id FROM requests WHERE person_id = $1)"),
    ("case_events", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("case_decisions", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("case_exclusions", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("case_handovers", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("network_inquiries", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("minsag_links", "person_id = $1"),
    ("break_glass", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"),
    ("conflicts", "person_id = $1"),
    ("audit_log", "subject_person_id = $1"),
];

/// Columns that are secrets of the system, not data about the person.
fn left_out(col: &str) -> bool {
    col.ends_with("_hash") || col == "prev_hash"
}

pub async fn collect(
    conn: &mut Conn,
    crypto: &FieldCrypto,
    person: &str,
) -> anyhow::Result<PersonData> {
    let mut sections = Vec::new();
    for (table, filter) in SOURCES {
        let sql = format!("SELECT * FROM {table} WHERE {filter}");
        let rows = sqlx::query(&sql).bind(person).fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: Option<String> = r.try_get("id").ok();
            let mut fields = Vec::new();
            for (i, c) in r.columns().iter().enumerate() {
                let name = c.name();
                if left_out(name) {
                    continue;
                }
                let mut v = crate::store::backup::value_of(r, i)?;
                if let (Some(stored), Some(id)) = (v.as_str(), id.as_deref()) {
                    if name.ends_with("_enc") {
                        v = crypto.decrypt(table, name, id, stored)?.into();
                    }
                }
                let shown = name.strip_suffix("_enc").unwrap_or(name).to_string();
                fields.push((shown, v));
            }
            out.push(fields);
        }
        sections.push(Section { table, rows: out });
    }
    Ok(PersonData {
        person_id: person.to_string(),
        sections,
    })
}
