//! Case work use cases. Every function checks the policy first, then finds the case in the
//! actor's organisation *and* checks that this actor may see it (a bisidder: only their
//! own). A case the actor may not see answers 404, and the attempt is audited.
//!
//! What each viewer sees: the case's bisidder and coordinators see the whole case (notes:
//! only those they may read, see [`store::visible_notes`]); senior consultants see the
//! logistics (dates, places, the bisidder's first name) and the network inquiries, never
//! notes, reports of concern, decisions or exclusions.

use super::{domain, store, store::CaseRow};
use crate::{
    audit::{self, AuditAction, Entry},
    error::{AppError, AppResult},
    notify,
    policy::{ensure, Action, Actor, Role, Target},
    scheduling::{pool, service::tell_user, store as sched_store},
    state::AppState,
    store::{new_id, Tx},
    web::{form::FormData, i18n},
};
use jiff::civil::Date;
use matching::Interval;

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

fn first_name(name: &str) -> String {
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

/// Marks an appointment held (with hours and mileage, for reimbursement) or cancelled.
/// Returns the case id.
pub async fn appointment_outcome(
    state: &AppState,
    actor: &Actor,
    appointment: &str,
    form: &FormData,
) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::WorkCase, Target::Org(org))?;
    let now = state.clock.now_us();
    let case_id = {
        let mut conn = state.db.pool.acquire().await?;
        store::get_appointment(&mut conn, org, appointment)
            .await?
            .and_then(|a| a.case_id)
    };
    let Some(case_id) = case_id else {
        return Err(denied(
            state,
            actor,
            "appointment",
            appointment,
            AuditAction::AppointmentOutcome,
        )
        .await);
    };
    let (mut tx, c, viewer) = open_case(
        state,
        actor,
        Action::WorkCase,
        &case_id,
        AuditAction::AppointmentOutcome,
    )
    .await?;
    let a = store::get_appointment(&mut tx, org, appointment)
        .await?
        .ok_or(AppError::NotFound)?;
    if viewer == Viewer::Bisidder && a.bisidder_user_id.as_deref() != Some(actor.user_id.as_str()) {
        return Err(AppError::NotFound);
    }
    let (status, minutes, km) = match form.get("outcome") {
        "held" => {
            let minutes = domain::parse_hours(form.get("hours"))
                .ok_or(AppError::invalid("hours", "case.err_hours"))?;
            let km =
                domain::parse_km(form.get("km")).ok_or(AppError::invalid("km", "case.err_km"))?;
            if a.starts_at > now {
                return Err(AppError::Conflict("case.err_not_yet"));
            }
            ("held", Some(minutes), Some(km))
        }
        "cancelled" => ("cancelled", None, None),
        _ => return Err(AppError::invalid("outcome", "intake.err_choose")),
    };
    if !store::set_outcome(&mut tx, appointment, status, minutes, km, now).await? {
        return Err(AppError::Conflict("case.err_outcome_done"));
    }
    let kind = if status == "held" {
        "appointment_held"
    } else {
        "appointment_cancelled"
    };
    event(&mut tx, Some(actor), &c, now, kind, Some(&a.kind)).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::AppointmentOutcome,
        Some(status),
    )
    .await?;
    tx.commit().await?;
    Ok(c.id)
}

/// The case an appointment belongs to, for showing the case page again after a refused
/// outcome (the caller already passed the access checks once).
pub async fn case_of_appointment(
    state: &AppState,
    actor: &Actor,
    appointment: &str,
) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::WorkCase, Target::Org(org))?;
    let mut conn = state.db.pool.acquire().await?;
    store::get_appointment(&mut conn, org, appointment)
        .await?
        .and_then(|a| a.case_id)
        .ok_or(AppError::NotFound)
}

fn today(state: &AppState) -> Date {
    state
        .clock
        .now()
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
}

/// An authority's decision: when it was received and — for social-service decisions —
/// the complaint deadline, which the bisidder is reminded of before it runs out.
pub async fn record_decision(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<Option<Date>> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        id,
        AuditAction::DecisionRecorded,
    )
    .await?;
    let mut errors = Vec::new();
    let authority = form.get("authority");
    if !crate::intake::domain::AUTHORITIES.contains(&authority) {
        errors.push(crate::error::FieldError {
            field: "authority",
            message: "intake.err_choose",
        });
    }
    let kind = form.get("kind");
    if !domain::DECISION_KINDS.contains(&kind) {
        errors.push(crate::error::FieldError {
            field: "kind",
            message: "intake.err_choose",
        });
    }
    let received = domain::parse_date(form.get("received_on")).filter(|d| *d <= today(state));
    if received.is_none() {
        errors.push(crate::error::FieldError {
            field: "received_on",
            message: "case.err_date",
        });
    }
    let decided = match form.get("decided_on") {
        "" => None,
        s => match domain::parse_date(s) {
            Some(d) if received.is_none_or(|r| d <= r) => Some(d),
            _ => {
                errors.push(crate::error::FieldError {
                    field: "decided_on",
                    message: "case.err_date",
                });
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let received = received.unwrap_or_default();
    let deadline = domain::complaint_deadline(kind, received);
    let (received_s, decided_s, deadline_s) = (
        received.to_string(),
        decided.map(|d| d.to_string()),
        deadline.map(|d| d.to_string()),
    );
    store::insert_decision(
        &mut tx,
        store::NewDecision {
            org: &c.org_id,
            case: &c.id,
            authority,
            kind,
            decided_on: decided_s.as_deref(),
            received_on: &received_s,
            deadline_on: deadline_s.as_deref(),
            by: &actor.user_id,
            now,
        },
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "decision_recorded", None).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::DecisionRecorded, None).await?;
    tx.commit().await?;
    Ok(deadline)
}

/// The authority excluded the bisidder from a meeting (Barnets Lov § 6): recorded with the
/// authority's reason (encrypted: it can describe the child's situation).
pub async fn record_exclusion(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<()> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        id,
        AuditAction::ExclusionRecorded,
    )
    .await?;
    let on = domain::parse_date(form.get("occurred_on"))
        .filter(|d| *d <= today(state))
        .ok_or(AppError::invalid("occurred_on", "case.err_date"))?;
    let reason = form.get("reason");
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "intake.err_required"));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::invalid("reason", "intake.err_too_long"));
    }
    let appointment = Some(form.get("appointment")).filter(|a| !a.is_empty());
    if let Some(a) = appointment {
        let found = store::get_appointment(&mut tx, &c.org_id, a).await?;
        if found.and_then(|x| x.case_id).as_deref() != Some(c.id.as_str()) {
            return Err(AppError::invalid("appointment", "intake.err_choose"));
        }
    }
    let xid = new_id();
    let enc = state
        .crypto
        .encrypt("case_exclusions", "reason_enc", &xid, reason);
    store::insert_exclusion(
        &mut tx,
        &xid,
        &c.org_id,
        &c.id,
        appointment,
        &on.to_string(),
        &enc,
        &actor.user_id,
        now,
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "exclusion_recorded", None).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::ExclusionRecorded,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the case with a reason; planned appointments are cancelled.
pub async fn close(state: &AppState, actor: &Actor, id: &str, reason: &str) -> AppResult<()> {
    let now = state.clock.now_us();
    let (mut tx, c, _) =
        open_case(state, actor, Action::WorkCase, id, AuditAction::CaseClosed).await?;
    if !domain::CLOSE_REASONS.contains(&reason) {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    if !store::close(&mut tx, &c.id, &today(state).to_string(), reason).await? {
        return Err(AppError::Conflict("case.err_closed"));
    }
    store::cancel_planned(&mut tx, &c.id, now).await?;
    event(&mut tx, Some(actor), &c, now, "closed", Some(reason)).await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::CaseClosed,
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What happened to the later appointments in a handover.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub moved: usize,
    pub cancelled: usize,
}

/// A change of bisidder. The new bisidder gets the later appointments that do not clash
/// with their other bookings (journey included, the booking rule of `scheduling`); those
/// that clash are cancelled and shown as such. The person is told the reason through the
/// channel they said is safe, in neutral words; both bisiddere are told to sign in. The
/// new bisidder cannot read the previous one's notes (notes are readable by their author).
pub async fn hand_over(
    state: &AppState,
    actor: &Actor,
    id: &str,
    to: &str,
    reason: &str,
) -> AppResult<Handover> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::ReassignCase,
        id,
        AuditAction::CaseHandedOver,
    )
    .await?;
    if !domain::HANDOVER_REASONS.contains(&reason) {
        return Err(AppError::invalid("reason", "intake.err_choose"));
    }
    if c.closed_on.is_some() {
        return Err(AppError::Conflict("case.err_closed"));
    }
    if c.bisidder_user_id.as_deref() == Some(to) {
        return Err(AppError::invalid("to", "case.err_same_bisidder"));
    }
    if !sched_store::lock_bisidder(&mut tx, &c.org_id, to).await? {
        return Err(AppError::invalid("to", "assign.not_active"));
    }
    let mut result = Handover::default();
    for a in store::appointments(&mut tx, &c.id).await? {
        if a.status != "planned" || a.ends_at <= now {
            continue;
        }
        let others = sched_store::bookings(
            &mut tx,
            to,
            a.starts_at - 86_400_000_000,
            a.ends_at + 86_400_000_000,
        )
        .await?;
        let here = pool::place_from(a.lat, a.lon, a.landmass.as_deref());
        let span = Interval::new(a.starts_at / 1_000_000, a.ends_at / 1_000_000);
        let clash = others.iter().any(|o| {
            let there = pool::place_from(o.lat, o.lon, o.landmass.as_deref());
            matching::clashes(
                &span,
                here,
                &Interval::new(o.starts_at / 1_000_000, o.ends_at / 1_000_000),
                there,
            )
        });
        if clash {
            sched_store::set_appointment_status(&mut tx, &a.id, "cancelled", now).await?;
            event(
                &mut tx,
                None,
                &c,
                now,
                "appointment_cancelled_on_handover",
                Some(&a.kind),
            )
            .await?;
            result.cancelled += 1;
        } else {
            store::move_to_bisidder(&mut tx, &a.id, to, now).await?;
            result.moved += 1;
        }
    }
    store::hand_over(
        &mut tx,
        &c.org_id,
        &c.id,
        c.request_id.as_deref(),
        c.bisidder_user_id.as_deref(),
        to,
        reason,
        &actor.user_id,
        now,
    )
    .await?;
    event(
        &mut tx,
        Some(actor),
        &c,
        now,
        "bisidder_changed",
        Some(reason),
    )
    .await?;
    tell_person(&mut tx, &c, to, reason, now).await?;
    tell_user(
        &mut tx,
        to,
        now,
        "mail.assigned_subject",
        "mail.assigned_body",
    )
    .await?;
    if let Some(from) = &c.bisidder_user_id {
        tell_user(
            &mut tx,
            from,
            now,
            "mail.handover_subject",
            "mail.handover_body",
        )
        .await?;
    }
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::CaseHandedOver,
        Some(reason),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(result)
}

/// The person hears of the change, with the reason, only by the channel they said is
/// safe and in words that do not say what the service is about. A person who wants to be
/// called is called by the coordinator (the timeline says so).
async fn tell_person(tx: &mut Tx, c: &CaseRow, to: &str, reason: &str, now: i64) -> AppResult<()> {
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(to)
        .fetch_one(&mut **tx)
        .await?;
    let lang = i18n::Lang::Da;
    let text = i18n::t(lang, "handover.person_message")
        .replace("{n}", &first_name(&name))
        .replace("{r}", i18n::t(lang, &format!("handover_told.{reason}")));
    match (c.safe_channel.as_deref(), &c.phone, &c.email) {
        (Some("sms"), Some(phone), _) => {
            notify::enqueue_sms(tx, now, phone, &text).await?;
        }
        (Some("email"), _, Some(email)) => {
            notify::enqueue_email(
                tx,
                now,
                email,
                i18n::t(lang, "handover.person_subject"),
                &text,
            )
            .await?;
        }
        _ => {
            event(tx, None, c, now, "person_to_be_called", None).await?;
        }
    }
    Ok(())
}

pub fn inquiry_fields(form: &FormData) -> AppResult<(String, Option<String>, String, String)> {
    let mut errors = Vec::new();
    let from = form.get("from_role");
    if !domain::INQUIRY_FROM.contains(&from) {
        errors.push(crate::error::FieldError {
            field: "from_role",
            message: "intake.err_choose",
        });
    }
    let channel = form.get("channel");
    if !domain::INQUIRY_CHANNELS.contains(&channel) {
        errors.push(crate::error::FieldError {
            field: "channel",
            message: "intake.err_choose",
        });
    }
    let question = form.get("question");
    if question.is_empty() || question.chars().count() > 5000 {
        errors.push(crate::error::FieldError {
            field: "question",
            message: "intake.err_required",
        });
    }
    let name = Some(form.get("from_name"))
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(100).collect());
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((from.into(), name, channel.into(), question.into()))
}

/// A senior consultant logs a network inquiry about a case.
pub async fn log_inquiry(
    state: &AppState,
    actor: &Actor,
    id: &str,
    form: &FormData,
) -> AppResult<String> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::HandleInquiries,
        id,
        AuditAction::InquiryLogged,
    )
    .await?;
    let (from, name, channel, question) = inquiry_fields(form)?;
    let qid = new_id();
    let enc = state
        .crypto
        .encrypt("network_inquiries", "question_enc", &qid, &question);
    store::insert_inquiry(
        &mut tx,
        store::NewInquiry {
            id: &qid,
            org: &c.org_id,
            case: &c.id,
            from_role: &from,
            from_name: name.as_deref(),
            channel: &channel,
            question_enc: &enc,
            by: &actor.user_id,
            now,
        },
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "inquiry_logged", Some(&from)).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::InquiryLogged, None).await?;
    tx.commit().await?;
    Ok(c.id)
}

/// A senior consultant answers a logged inquiry. Returns the case id.
pub async fn answer_inquiry(
    state: &AppState,
    actor: &Actor,
    inquiry: &str,
    answer: &str,
) -> AppResult<String> {
    let org = org_of(actor);
    ensure(actor, Action::HandleInquiries, Target::Org(org))?;
    let now = state.clock.now_us();
    let case_id = {
        let mut conn = state.db.pool.acquire().await?;
        store::get_inquiry(&mut conn, org, inquiry)
            .await?
            .map(|q| q.case_id)
    };
    let Some(case_id) = case_id else {
        return Err(denied(
            state,
            actor,
            "inquiry",
            inquiry,
            AuditAction::InquiryAnswered,
        )
        .await);
    };
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::HandleInquiries,
        &case_id,
        AuditAction::InquiryAnswered,
    )
    .await?;
    let answer = answer.trim();
    if answer.is_empty() || answer.chars().count() > 5000 {
        return Err(AppError::invalid("answer", "intake.err_required"));
    }
    let enc = state
        .crypto
        .encrypt("network_inquiries", "answer_enc", inquiry, answer);
    store::answer_inquiry(&mut tx, inquiry, &enc, &actor.user_id, now).await?;
    event(&mut tx, Some(actor), &c, now, "inquiry_answered", None).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::InquiryAnswered, None).await?;
    tx.commit().await?;
    Ok(c.id)
}
