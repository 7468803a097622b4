//! Case work use cases. Every function checks the policy first, then finds the case in the
//! actor's organisation *and* checks that this actor may see it (a bisidder: only their
//! own). A case the actor may not see answers 404, and the attempt is audited.
//!
//! What each viewer sees: the case's bisidder and coordinators see the whole case (notes:
//! only those they may read, see [`store::visible_notes`]); senior consultants see the
//! logistics (dates, places, the bisidder's first name) and the network inquiries, never
//! notes, reports of concern, decisions or exclusions.
//!
//! This file holds the access rule and reading; the changes are in `work.rs`,
//! `handover.rs` and `inquiries.rs` (re-exported here).

use super::{store, store::CaseRow};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Role, Target},
    state::AppState,
    store::{new_id, Tx},
};

pub fn org_of(actor: &Actor) -> &str {
    actor.org_id.as_deref().unwrap_or("")
}

/// How much of a case the actor sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Coordinator,
    Bisidder,
    /// Senior consultants: logistics and network inquiries only.
    Logistics,
}

fn viewer_of(actor: &Actor, action: Action, c: &CaseRow) -> Option<Viewer> {
    if actor.has(Role::Coordinator) && action != Action::HandleInquiries {
        return Some(Viewer::Coordinator);
    }
    let own = c.bisidder_user_id.as_deref() == Some(actor.user_id.as_str());
    if actor.has(Role::Bisidder) && own && matches!(action, Action::ViewCases | Action::WorkCase) {
        return Some(Viewer::Bisidder);
    }
    if actor.has(Role::SeniorConsultant)
        && matches!(action, Action::ViewCases | Action::HandleInquiries)
    {
        return Some(Viewer::Logistics);
    }
    None
}

/// Opens a transaction and finds the case `id` for `action`: another organisation's case,
/// or one this actor may not see, is not found — and the attempt is audited.
pub async fn open_case(
    state: &AppState,
    actor: &Actor,
    action: Action,
    id: &str,
    audit_as: AuditAction,
) -> AppResult<(Tx, CaseRow, Viewer)> {
    let org = org_of(actor);
    ensure(actor, action, Target::Org(org))?;
    let mut tx = state.db.begin().await?;
    let found = store::get_case(&mut tx, org, id).await?;
    if let Some(c) = found {
        if let Some(v) = viewer_of(actor, action, &c) {
            return Ok((tx, c, v));
        }
    }
    audit::record(
        &mut tx,
        state.clock.now_us(),
        audit_as,
        Entry::by_user(&actor.user_id, Some(org))
            .resource("case", id)
            .denied(),
    )
    .await?;
    tx.commit().await?;
    Err(AppError::NotFound)
}

/// A record the actor may not see: the attempt is audited and the answer is 404, exactly
/// as for a record that does not exist.
pub async fn denied(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    id: &str,
    audit_as: AuditAction,
) -> AppError {
    let write = async {
        let mut tx = state.db.begin().await?;
        audit::record(
            &mut tx,
            state.clock.now_us(),
            audit_as,
            Entry::by_user(&actor.user_id, Some(org_of(actor)))
                .resource(kind, id)
                .denied(),
        )
        .await?;
        tx.commit().await
    };
    match write.await {
        Ok(()) => AppError::NotFound,
        Err(e) => AppError::from(e),
    }
}

/// Writes the audit row of a use case on `c`, with the person whose data it is.
pub async fn audit_case(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    c: &CaseRow,
    action: AuditAction,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    let entry = Entry {
        subject_person_id: Some(&c.person_id),
        detail,
        ..Entry::by_user(&actor.user_id, Some(&c.org_id))
    };
    audit::record(tx, now, action, entry.resource("case", &c.id)).await
}

pub async fn event(
    tx: &mut Tx,
    actor: Option<&Actor>,
    c: &CaseRow,
    now: i64,
    kind: &str,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    store::insert_event(
        tx,
        store::Event {
            org: &c.org_id,
            case: &c.id,
            at: now,
            actor_user_id: actor.map(|a| a.user_id.as_str()),
            kind,
            detail,
        },
    )
    .await
}

pub(crate) fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_string()
}

/// What a senior consultant may see of a case row: no surname, birth date or contact
/// details; the bisidder's first name only.
fn logistics_only(mut c: CaseRow) -> CaseRow {
    c.last_name = None;
    c.birth_date = None;
    c.phone = None;
    c.email = None;
    c.safe_channel = None;
    c.bisidder_name = c.bisidder_name.as_deref().map(first_name);
    c
}

/// The cases the actor works with: a bisidder their own, coordinators and senior
/// consultants the organisation's (senior consultants: logistics only).
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<CaseRow>> {
    let org = org_of(actor);
    ensure(actor, Action::ViewCases, Target::Org(org))?;
    let whole_org = actor.has(Role::Coordinator) || actor.has(Role::SeniorConsultant);
    let mut tx = state.db.begin().await?;
    let mut rows =
        store::list_cases(&mut tx, org, (!whole_org).then_some(actor.user_id.as_str())).await?;
    if !actor.has(Role::Coordinator) && actor.has(Role::SeniorConsultant) {
        let own = actor.user_id.clone();
        rows = rows
            .into_iter()
            .map(|c| {
                if c.bisidder_user_id.as_deref() == Some(own.as_str()) && actor.has(Role::Bisidder)
                {
                    c
                } else {
                    logistics_only(c)
                }
            })
            .collect();
    }
    audit::record(
        &mut tx,
        state.clock.now_us(),
        AuditAction::CasesListed,
        Entry::by_user(&actor.user_id, Some(org)),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

#[derive(Clone, Debug)]
pub struct TimelineItem {
    pub at: i64,
    pub actor: String,
    /// The i18n key of what happened.
    pub key: String,
    /// The i18n key of a coded detail (appointment kind, reason), if any.
    pub detail_key: Option<String>,
    /// A note's text, for a note the viewer may read.
    pub text: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NoteView {
    pub id: String,
    pub author: String,
    pub own: bool,
    pub shared: bool,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct InquiryView {
    pub id: String,
    pub from_role: String,
    pub from_name: Option<String>,
    pub channel: String,
    pub question: String,
    pub answer: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: CaseRow,
    pub viewer: Viewer,
    pub appointments: Vec<store::CaseAppointment>,
    pub timeline: Vec<TimelineItem>,
    pub notes: Vec<NoteView>,
    pub decisions: Vec<store::DecisionRow>,
    pub exclusions: Vec<(String, String)>,
    pub reports: Vec<crate::concerns::store::ReportSummary>,
    pub inquiries: Vec<InquiryView>,
    /// Active bisiddere of the organisation, for a coordinator's handover.
    pub colleagues: Vec<(String, String)>,
}

fn decrypt(state: &AppState, table: &str, column: &str, id: &str, v: &str) -> AppResult<String> {
    state
        .crypto
        .decrypt(table, column, id, v)
        .map_err(AppError::Internal)
}

/// One case with its timeline, as much as the viewer may see. Audited as a read of the
/// person's data.
pub async fn view(state: &AppState, actor: &Actor, id: &str) -> AppResult<CaseView> {
    let now = state.clock.now_us();
    let (mut tx, c, viewer) =
        open_case(state, actor, Action::ViewCases, id, AuditAction::CaseViewed).await?;
    let v = load_view(state, &mut tx, actor, c, viewer).await?;
    audit_case(&mut tx, now, actor, &v.case, AuditAction::CaseViewed, None).await?;
    tx.commit().await?;
    Ok(v)
}

async fn load_view(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    c: CaseRow,
    viewer: Viewer,
) -> AppResult<CaseView> {
    let full = viewer != Viewer::Logistics;
    let coordinator = viewer == Viewer::Coordinator;
    let appointments = store::appointments(tx, &c.id).await?;
    let mut notes = Vec::new();
    if full {
        for n in store::visible_notes(tx, &c.id, &actor.user_id, coordinator).await? {
            notes.push(NoteView {
                body: decrypt(state, "case_notes", "body_enc", &n.id, &n.body_enc)?,
                own: n.author_user_id == actor.user_id,
                id: n.id,
                author: n.author,
                shared: n.shared,
                created_at: n.created_at,
            });
        }
    }
    let mut timeline = Vec::new();
    if let Some(r) = &c.request_id {
        for e in crate::intake::store::events(tx, r).await? {
            timeline.push(TimelineItem {
                at: e.at,
                actor: e.actor,
                key: format!("event.{}", e.kind),
                detail_key: None,
                text: None,
            });
        }
    }
    for e in store::events(tx, &c.id).await? {
        let hidden_from_logistics = ["note_", "report_", "decision_", "exclusion_"]
            .iter()
            .any(|p| e.kind.starts_with(p));
        if !full && hidden_from_logistics {
            continue;
        }
        let mut text = None;
        if e.kind == "note_added" {
            // Only notes this viewer may read appear, with their text.
            match notes.iter().find(|n| Some(&n.id) == e.detail.as_ref()) {
                Some(n) => text = Some(n.body.clone()),
                None => continue,
            }
        }
        let detail_key = match (e.kind.as_str(), &e.detail) {
            (
                "appointment_held"
                | "appointment_cancelled"
                | "appointment_moved_on_handover"
                | "appointment_cancelled_on_handover",
                Some(d),
            ) => Some(format!("kind.{d}")),
            ("closed", Some(d)) => Some(format!("close_reason.{d}")),
            ("bisidder_changed", Some(d)) => Some(format!("handover.{d}")),
            ("inquiry_logged", Some(d)) if d.len() < 20 => Some(format!("inquiry_from.{d}")),
            _ => None,
        };
        timeline.push(TimelineItem {
            at: e.at,
            actor: e.actor,
            key: format!("case_event.{}", e.kind),
            detail_key,
            text,
        });
    }
    timeline.sort_by_key(|t| t.at);
    let mut decisions = Vec::new();
    let mut exclusions = Vec::new();
    let mut reports = Vec::new();
    if full {
        decisions = store::decisions(tx, &c.id).await?;
        for x in store::exclusions(tx, &c.id).await? {
            let reason = decrypt(state, "case_exclusions", "reason_enc", &x.id, &x.reason_enc)?;
            exclusions.push((x.occurred_on, reason));
        }
        reports = crate::concerns::store::for_case(
            tx,
            &c.id,
            (!coordinator).then_some(actor.user_id.as_str()),
        )
        .await?;
    }
    let mut inquiries = Vec::new();
    if viewer != Viewer::Bisidder {
        for q in store::inquiries(tx, &c.id).await? {
            inquiries.push(InquiryView {
                question: decrypt(
                    state,
                    "network_inquiries",
                    "question_enc",
                    &q.id,
                    &q.question_enc,
                )?,
                answer: match &q.answer_enc {
                    Some(a) => Some(decrypt(state, "network_inquiries", "answer_enc", &q.id, a)?),
                    None => None,
                },
                id: q.id,
                from_role: q.from_role,
                from_name: q.from_name,
                channel: q.channel,
                created_at: q.created_at,
            });
        }
    }
    let colleagues = if coordinator {
        sqlx::query_as(
            "SELECT u.id, u.name FROM bisidder_profiles b JOIN users u ON u.id = b.user_id \
             WHERE b.org_id = $1 AND b.status = 'active' AND u.disabled = 0 ORDER BY u.name",
        )
        .bind(&c.org_id)
        .fetch_all(&mut **tx)
        .await?
    } else {
        Vec::new()
    };
    let case = if full { c } else { logistics_only(c) };
    Ok(CaseView {
        case,
        viewer,
        appointments,
        timeline,
        notes,
        decisions,
        exclusions,
        reports,
        inquiries,
        colleagues,
    })
}

/// A note on the case: encrypted, private to its author unless shared with the
/// coordinator. Returns the note's id.
pub async fn add_note(
    state: &AppState,
    actor: &Actor,
    id: &str,
    body: &str,
    shared: bool,
) -> AppResult<String> {
    let now = state.clock.now_us();
    let (mut tx, c, _) =
        open_case(state, actor, Action::WorkCase, id, AuditAction::NoteWritten).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "intake.err_required"));
    }
    if body.chars().count() > 10_000 {
        return Err(AppError::invalid("body", "intake.err_too_long"));
    }
    let note = new_id();
    let enc = state.crypto.encrypt("case_notes", "body_enc", &note, body);
    store::insert_note(
        &mut tx,
        &note,
        &c.org_id,
        &c.id,
        &actor.user_id,
        shared,
        &enc,
        now,
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "note_added", Some(&note)).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::NoteWritten, None).await?;
    tx.commit().await?;
    Ok(note)
}

/// The notes the actor may read on a case (API).
pub async fn notes(state: &AppState, actor: &Actor, id: &str) -> AppResult<Vec<NoteView>> {
    let now = state.clock.now_us();
    let (mut tx, c, viewer) =
        open_case(state, actor, Action::WorkCase, id, AuditAction::NotesRead).await?;
    let mut out = Vec::new();
    for n in store::visible_notes(
        &mut tx,
        &c.id,
        &actor.user_id,
        viewer == Viewer::Coordinator,
    )
    .await?
    {
        out.push(NoteView {
            body: decrypt(state, "case_notes", "body_enc", &n.id, &n.body_enc)?,
            own: n.author_user_id == actor.user_id,
            id: n.id,
            author: n.author,
            shared: n.shared,
            created_at: n.created_at,
        });
    }
    audit_case(&mut tx, now, actor, &c, AuditAction::NotesRead, None).await?;
    tx.commit().await?;
    Ok(out)
}

pub use super::{handover::*, inquiries::*, work::*};
