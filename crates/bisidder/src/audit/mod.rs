//! Append-only audit log, written inside the same transaction as the read or write it
//! records (never by a background job that could lag or be lost).
//!
//! Each row carries a SHA-256 hash over its content and the previous row's hash. Appends
//! lock the single `audit_head` row, so the chain has no forks even with several server
//! instances. UPDATE and DELETE are refused by triggers (and, on PostgreSQL, not granted);
//! `bisidder audit verify` recomputes the chain and names the first row that does not fit.

use crate::store::{new_id, row, Conn, Tx};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What happened. Stored as its `as_str` code; new actions are added here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    LoginLocked,
    SecondFactorFailed,
    SecondFactorEnrolled,
    Logout,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetCompleted,
    UserCreated,
    RoleGranted,
    RoleRevoked,
    UserDisabled,
    TokenCreated,
    TokenRevoked,
    TokenRejected,
    OrgUsersViewed,
    OrgAuditViewed,
    AccessDenied,
    KeysRotated,
    BackupTaken,
    BackupRestored,
    DemoLoaded,
    RequestCreated,
    IntakeQueueViewed,
    RequestViewed,
    ConsentRecorded,
    RequestClosed,
    CandidatesViewed,
    BisidderAssigned,
    OffersMade,
    OfferAnswered,
    BatchAssigned,
    AppointmentChanged,
    ProfileChanged,
    OwnRequestsViewed,
    CalendarRead,
    DataImported,
    StatsViewed,
    StatsExported,
    OrgExported,
    VolunteerApplied,
    VolunteerScreened,
    VolunteerViewed,
    QualificationRecorded,
    RequirementsChanged,
    AmbassadorAdded,
    MinsagLinkSent,
    MinsagCodeSent,
    MinsagCodeRefused,
    MinsagOpened,
    MinsagViewed,
    LetterWritten,
    LettersViewed,
    FeedbackGiven,
    RetentionChanged,
    DataPurged,
    PurgeReapplied,
    PersonExported,
    BreakGlass,
    CasesListed,
    CaseViewed,
    AppointmentOutcome,
    NoteWritten,
    NotesRead,
    DecisionRecorded,
    ExclusionRecorded,
    CaseClosed,
    CaseHandedOver,
    InquiryLogged,
    InquiryAnswered,
    ReportFiled,
    ReportViewed,
    ReportUpdated,
    ReportLetterViewed,
    SchemeClaimed,
    SchemeClaimDecided,
    SchemeProfileSaved,
    SchemesImported,
    ReferralMade,
    ReferralAnswered,
    ReferralEscalated,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "login.succeeded",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::LoginLocked => "login.locked",
            AuditAction::SecondFactorFailed => "login.second_factor_failed",
            AuditAction::SecondFactorEnrolled => "login.second_factor_enrolled",
            AuditAction::Logout => "logout",
            AuditAction::PasswordChanged => "password.changed",
            AuditAction::PasswordResetRequested => "password.reset_requested",
            AuditAction::PasswordResetCompleted => "password.reset_completed",
            AuditAction::UserCreated => "user.created",
            AuditAction::RoleGranted => "user.role_granted",
            AuditAction::RoleRevoked => "user.role_revoked",
            AuditAction::UserDisabled => "user.disabled",
            AuditAction::TokenCreated => "token.created",
            AuditAction::TokenRevoked => "token.revoked",
            AuditAction::TokenRejected => "token.rejected",
            AuditAction::OrgUsersViewed => "org.users_viewed",
            AuditAction::OrgAuditViewed => "org.audit_viewed",
            AuditAction::AccessDenied => "access.denied",
            AuditAction::KeysRotated => "keys.rotated",
            AuditAction::BackupTaken => "backup.taken",
            AuditAction::BackupRestored => "backup.restored",
            AuditAction::DemoLoaded => "demo.loaded",
            AuditAction::RequestCreated => "request.created",
            AuditAction::IntakeQueueViewed => "intake.queue_viewed",
            AuditAction::RequestViewed => "request.viewed",
            AuditAction::ConsentRecorded => "request.consent_recorded",
            AuditAction::RequestClosed => "request.closed",
            AuditAction::CandidatesViewed => "request.candidates_viewed",
            AuditAction::BisidderAssigned => "request.assigned",
            AuditAction::OffersMade => "request.offers_made",
            AuditAction::OfferAnswered => "offer.answered",
            AuditAction::BatchAssigned => "intake.batch_assigned",
            AuditAction::AppointmentChanged => "appointment.changed",
            AuditAction::ProfileChanged => "profile.changed",
            AuditAction::OwnRequestsViewed => "requests.own_viewed",
            AuditAction::CalendarRead => "calendar.read",
            AuditAction::DataImported => "data.imported",
            AuditAction::StatsViewed => "stats.viewed",
            AuditAction::StatsExported => "stats.exported",
            AuditAction::OrgExported => "org.exported",
            AuditAction::VolunteerApplied => "volunteer.applied",
            AuditAction::VolunteerScreened => "volunteer.screened",
            AuditAction::VolunteerViewed => "volunteer.viewed",
            AuditAction::QualificationRecorded => "qualification.recorded",
            AuditAction::RequirementsChanged => "requirements.changed",
            AuditAction::AmbassadorAdded => "ambassador.added",
            AuditAction::MinsagLinkSent => "minsag.link_sent",
            AuditAction::MinsagCodeSent => "minsag.code_sent",
            AuditAction::MinsagCodeRefused => "minsag.code_refused",
            AuditAction::MinsagOpened => "minsag.opened",
            AuditAction::MinsagViewed => "minsag.viewed",
            AuditAction::LetterWritten => "letter.written",
            AuditAction::LettersViewed => "letter.viewed",
            AuditAction::FeedbackGiven => "feedback.given",
            AuditAction::RetentionChanged => "retention.changed",
            AuditAction::DataPurged => "data.purged",
            AuditAction::PurgeReapplied => "data.purge_reapplied",
            AuditAction::PersonExported => "person.exported",
            AuditAction::BreakGlass => "case.break_glass",
            AuditAction::CasesListed => "case.listed",
            AuditAction::CaseViewed => "case.viewed",
            AuditAction::AppointmentOutcome => "appointment.outcome",
            AuditAction::NoteWritten => "case.note_written",
            AuditAction::NotesRead => "case.notes_read",
            AuditAction::DecisionRecorded => "case.decision_recorded",
            AuditAction::ExclusionRecorded => "case.exclusion_recorded",
            AuditAction::CaseClosed => "case.closed",
            AuditAction::CaseHandedOver => "case.handed_over",
            AuditAction::InquiryLogged => "case.inquiry_logged",
            AuditAction::InquiryAnswered => "case.inquiry_answered",
            AuditAction::ReportFiled => "report.filed",
            AuditAction::ReportViewed => "report.viewed",
            AuditAction::ReportUpdated => "report.updated",
            AuditAction::ReportLetterViewed => "report.letter_viewed",
            AuditAction::SchemeClaimed => "scheme.claimed",
            AuditAction::SchemeClaimDecided => "scheme.claim_decided",
            AuditAction::SchemeProfileSaved => "scheme.profile_saved",
            AuditAction::SchemesImported => "scheme.imported",
            AuditAction::ReferralMade => "referral.made",
            AuditAction::ReferralAnswered => "referral.answered",
            AuditAction::ReferralEscalated => "referral.escalated",
        }
    }
}

/// One audit row to append. `actor_label` says what kind of actor it was
/// ("user", "api_token", "anonymous", "cli", "system").
#[derive(Clone, Debug, Default)]
pub struct Entry<'a> {
    pub actor_user_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub org_id: Option<&'a str>,
    pub outcome: &'a str,
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub subject_person_id: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn by_user(user_id: &'a str, org_id: Option<&'a str>) -> Self {
        Entry {
            actor_user_id: Some(user_id),
            actor_label: "user",
            org_id,
            outcome: "ok",
            ..Default::default()
        }
    }

    pub fn by(label: &'a str) -> Self {
        Entry {
            actor_label: label,
            outcome: "ok",
            ..Default::default()
        }
    }

    pub fn denied(mut self) -> Self {
        self.outcome = "denied";
        self
    }

    pub fn resource(mut self, kind: &'a str, id: &'a str) -> Self {
        self.resource_type = Some(kind);
        self.resource_id = Some(id);
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// Another organisation's record, or another bisidder's: the refused lookup is written to
/// `tx` — the use case's own transaction, which has changed nothing yet — and committed, and
/// the answer is NotFound, exactly as for a record that does not exist.
pub async fn refuse(
    mut tx: Tx,
    now: i64,
    actor: &crate::policy::Actor,
    kind: &str,
    id: &str,
) -> crate::error::AppError {
    let entry = Entry::by_user(&actor.user_id, actor.org_id.as_deref())
        .resource(kind, id)
        .denied();
    let written = match record(&mut tx, now, AuditAction::AccessDenied, entry).await {
        Ok(()) => tx.commit().await,
        Err(e) => Err(e),
    };
    match written {
        Ok(()) => crate::error::AppError::NotFound,
        Err(e) => crate::error::AppError::from(e),
    }
}

/// [`refuse`] for a lookup that ran outside a transaction (a page that only reads).
pub async fn refused(
    state: &crate::state::AppState,
    actor: &crate::policy::Actor,
    kind: &str,
    id: &str,
) -> crate::error::AppError {
    match state.db.begin().await {
        Ok(tx) => refuse(tx, state.clock.now_us(), actor, kind, id).await,
        Err(e) => crate::error::AppError::from(e),
    }
}

/// Appends one row to the audit log inside `tx`.
pub async fn record(
    tx: &mut Tx,
    at_us: i64,
    action: AuditAction,
    e: Entry<'_>,
) -> sqlx::Result<()> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq = row::i(&head, "seq")?;
    let prev = row::s(&head, "hash")?;
    let id = new_id();
    let hash = chain_hash(seq, &id, at_us, action.as_str(), &e, &prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, actor_user_id, actor_label, org_id, action, outcome, \
         resource_type, resource_id, subject_person_id, reason, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(seq)
    .bind(&id)
    .bind(at_us)
    .bind(e.actor_user_id)
    .bind(e.actor_label)
    .bind(e.org_id)
    .bind(action.as_str())
    .bind(e.outcome)
    .bind(e.resource_type)
    .bind(e.resource_id)
    .bind(e.subject_person_id)
    .bind(e.reason)
    .bind(e.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn chain_hash(seq: i64, id: &str, at: i64, action: &str, e: &Entry<'_>, prev: &str) -> String {
    // A JSON array is an unambiguous encoding of the fields (no separator confusion).
    let canonical = serde_json::json!([
        seq,
        id,
        at,
        e.actor_user_id,
        e.actor_label,
        e.org_id,
        action,
        e.outcome,
        e.resource_type,
        e.resource_id,
        e.subject_person_id,
        e.reason,
        e.detail,
        prev
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { rows: i64 },
    Broken { seq: i64, why: &'static str },
}

/// Recomputes the whole chain and compares it with the stored hashes and the head.
pub async fn verify(conn: &mut Conn) -> anyhow::Result<Verdict> {
    let rows = sqlx::query(
        "SELECT seq, id, at, actor_user_id, actor_label, org_id, action, outcome, resource_type, \
         resource_id, subject_person_id, reason, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    for r in &rows {
        let seq = row::i(r, "seq")?;
        if seq != expected_seq {
            return Ok(Verdict::Broken {
                seq: expected_seq,
                why: "row missing",
            });
        }
        let strings: Vec<Option<String>> = [
            "actor_user_id",
            "actor_label",
            "org_id",
            "outcome",
            "resource_type",
            "resource_id",
            "subject_person_id",
            "reason",
            "detail",
        ]
        .iter()
        .map(|c| r.try_get::<Option<String>, _>(*c))
        .collect::<Result<_, _>>()?;
        let e = Entry {
            actor_user_id: strings[0].as_deref(),
            actor_label: strings[1].as_deref().unwrap_or(""),
            org_id: strings[2].as_deref(),
            outcome: strings[3].as_deref().unwrap_or(""),
            resource_type: strings[4].as_deref(),
            resource_id: strings[5].as_deref(),
            subject_person_id: strings[6].as_deref(),
            reason: strings[7].as_deref(),
            detail: strings[8].as_deref(),
        };
        if row::s(r, "prev_hash")? != prev {
            return Ok(Verdict::Broken {
                seq,
                why: "previous hash does not match",
            });
        }
        let action = row::s(r, "action")?;
        let computed = chain_hash(seq, &row::s(r, "id")?, row::i(r, "at")?, &action, &e, &prev);
        if computed != row::s(r, "hash")? {
            return Ok(Verdict::Broken {
                seq,
                why: "row content changed",
            });
        }
        prev = computed;
        expected_seq += 1;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    if row::i(&head, "seq")? != expected_seq - 1 || row::s(&head, "hash")? != prev {
        return Ok(Verdict::Broken {
            seq: expected_seq,
            why: "rows removed from the end",
        });
    }
    Ok(Verdict::Intact {
        rows: rows.len() as i64,
    })
}

/// A page of an organisation's audit log, newest first, for the org admin's audit page.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub resource: String,
}

pub async fn list_for_org(tx: &mut Tx, org_id: &str, limit: i64) -> sqlx::Result<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT a.at, COALESCE(u.name, a.actor_label) AS actor, a.action, a.outcome, \
         COALESCE(a.resource_type, '') AS rtype FROM audit_log a \
         LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.org_id = $1 ORDER BY a.seq DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                at: row::i(r, "at")?,
                actor: row::s(r, "actor")?,
                action: row::s(r, "action")?,
                outcome: row::s(r, "outcome")?,
                resource: row::s(r, "rtype")?,
            })
        })
        .collect()
}
