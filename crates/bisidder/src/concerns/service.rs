//! Report-of-concern use cases. A report belongs to a case; it is seen by the bisidder who
//! filed it and by the organisation's coordinators, never by senior consultants,
//! requesters or analysts. Description, CPR and follow-up are encrypted at rest.

use super::{domain, store};
use crate::{
    audit::AuditAction,
    cases::{
        service::{audit_case, event, open_case, org_of, Viewer},
        store::CaseRow,
    },
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::{new_id, Tx},
    web::form::FormData,
};
use jiff::civil::Date;

#[derive(Clone, Debug)]
pub struct ReportDetail {
    pub report: store::ReportSummary,
    pub case: CaseRow,
    pub description: String,
    pub cpr: Option<String>,
    pub followup: Option<String>,
    /// The acknowledgement is overdue (sent, not acknowledged, past the 6 working days).
    pub ack_overdue: bool,
}

fn today(state: &AppState) -> Date {
    state
        .clock
        .now()
        .to_zoned(crate::web::fmt::copenhagen())
        .date()
}

fn dec(state: &AppState, col: &str, id: &str, v: &str) -> AppResult<String> {
    state
        .crypto
        .decrypt("reports_of_concern", col, id, v)
        .map_err(AppError::Internal)
}

/// The case a new report is filed from (for the form's defaults), audited as a read.
pub async fn case_for_new(state: &AppState, actor: &Actor, case: &str) -> AppResult<CaseRow> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        case,
        AuditAction::CaseViewed,
    )
    .await?;
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::CaseViewed,
        Some("report_form"),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Files a report from the case. Returns its id.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    case: &str,
    form: &FormData,
) -> AppResult<String> {
    let now = state.clock.now_us();
    let (mut tx, c, _) = open_case(
        state,
        actor,
        Action::WorkCase,
        case,
        AuditAction::ReportFiled,
    )
    .await?;
    let r = domain::validate(form, today(state))?;
    let id = new_id();
    let description =
        state
            .crypto
            .encrypt("reports_of_concern", "description_enc", &id, &r.description);
    let cpr = r.cpr.as_deref().map(|x| {
        state
            .crypto
            .encrypt("reports_of_concern", "cpr_enc", &id, x)
    });
    store::insert(
        &mut tx,
        store::NewReport {
            id: &id,
            org: &c.org_id,
            case: &c.id,
            kommune: &r.kommune_code,
            child_name: &r.child_name,
            child_birth_date: &r.child_birth_date.to_string(),
            cpr_enc: cpr.as_deref(),
            description_enc: &description,
            acute: r.acute,
            categories: &r.categories,
            by: &actor.user_id,
            now,
        },
    )
    .await?;
    event(&mut tx, Some(actor), &c, now, "report_filed", Some(&id)).await?;
    audit_case(&mut tx, now, actor, &c, AuditAction::ReportFiled, Some(&id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Finds a report for the actor: policy first, then the report in the organisation, then
/// its case as the actor may work it, then authorship (a bisidder sees the reports they
/// filed; coordinators all). Anything else is not found, and audited.
async fn open_report(
    state: &AppState,
    actor: &Actor,
    id: &str,
    audit_as: AuditAction,
) -> AppResult<(Tx, store::ReportRow, CaseRow)> {
    let org = org_of(actor);
    ensure(actor, Action::WorkCase, Target::Org(org))?;
    let found = {
        let mut conn = state.db.pool.acquire().await?;
        store::get(&mut conn, org, id).await?
    };
    let Some(case_id) = found.as_ref().map(|r| r.summary.case_id.clone()) else {
        return Err(crate::cases::service::denied(state, actor, "report", id, audit_as).await);
    };
    let (mut tx, c, viewer) = open_case(state, actor, Action::WorkCase, &case_id, audit_as).await?;
    match found {
        Some(r)
            if viewer == Viewer::Coordinator
                || r.summary.created_by_user_id.as_deref() == Some(actor.user_id.as_str()) =>
        {
            Ok((tx, r, c))
        }
        _ => {
            let entry = crate::audit::Entry::by_user(&actor.user_id, Some(org))
                .resource("report", id)
                .denied();
            crate::audit::record(&mut tx, state.clock.now_us(), audit_as, entry).await?;
            tx.commit().await?;
            Err(AppError::NotFound)
        }
    }
}

fn detail(state: &AppState, r: store::ReportRow, case: CaseRow) -> AppResult<ReportDetail> {
    let id = r.summary.id.clone();
    let ack_overdue = r.summary.acknowledged_on.is_none()
        && r.summary
            .ack_due_on
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|due| due < today(state));
    Ok(ReportDetail {
        description: match &r.description_enc {
            Some(v) => dec(state, "description_enc", &id, v)?,
            None => String::new(),
        },
        cpr: match &r.cpr_enc {
            Some(v) => Some(dec(state, "cpr_enc", &id, v)?),
            None => None,
        },
        followup: match &r.followup_enc {
            Some(v) => Some(dec(state, "followup_enc", &id, v)?),
            None => None,
        },
        ack_overdue,
        report: r.summary,
        case,
    })
}

/// One report, decrypted for the bisidder who filed it or a coordinator. Audited.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &str,
    letter: bool,
) -> AppResult<ReportDetail> {
    let now = state.clock.now_us();
    let action = if letter {
        AuditAction::ReportLetterViewed
    } else {
        AuditAction::ReportViewed
    };
    let (mut tx, r, c) = open_report(state, actor, id, action).await?;
    audit_case(&mut tx, now, actor, &c, action, Some(id)).await?;
    tx.commit().await?;
    detail(state, r, c)
}

/// The later steps of a report: `sent` (date and how — the acknowledgement is then due
/// within 6 working days), `ack` (the municipality's acknowledgement) and `followup`.
pub async fn update(state: &AppState, actor: &Actor, id: &str, form: &FormData) -> AppResult<()> {
    let now = state.clock.now_us();
    let (mut tx, r, c) = open_report(state, actor, id, AuditAction::ReportUpdated).await?;
    let date = |field: &'static str| {
        crate::cases::domain::parse_date(form.get(field))
            .filter(|d| *d <= today(state))
            .ok_or(AppError::invalid(field, "case.err_date"))
    };
    let step = form.get("step");
    match step {
        "sent" => {
            let on = date("sent_on")?;
            let how = form.get("sent_how");
            if !domain::SENT_HOW.contains(&how) {
                return Err(AppError::invalid("sent_how", "intake.err_choose"));
            }
            let due = domain::ack_due(on);
            store::mark_sent(&mut tx, id, &on.to_string(), how, &due.to_string()).await?;
            event(&mut tx, Some(actor), &c, now, "report_sent", Some(id)).await?;
        }
        "ack" => {
            let on = date("acknowledged_on")?;
            let sent = r
                .summary
                .sent_on
                .as_deref()
                .and_then(|s| s.parse::<Date>().ok());
            match sent {
                None => return Err(AppError::Conflict("report.err_not_sent")),
                Some(s) if on < s => {
                    return Err(AppError::invalid("acknowledged_on", "case.err_date"))
                }
                Some(_) => {}
            }
            store::mark_acknowledged(&mut tx, id, &on.to_string()).await?;
            event(
                &mut tx,
                Some(actor),
                &c,
                now,
                "report_acknowledged",
                Some(id),
            )
            .await?;
        }
        "followup" => {
            let text = form.get("followup");
            if text.is_empty() || text.chars().count() > 10_000 {
                return Err(AppError::invalid("followup", "intake.err_required"));
            }
            let enc = state
                .crypto
                .encrypt("reports_of_concern", "followup_enc", id, text);
            store::set_followup(&mut tx, id, &enc).await?;
            event(
                &mut tx,
                Some(actor),
                &c,
                now,
                "report_followed_up",
                Some(id),
            )
            .await?;
        }
        _ => return Err(AppError::invalid("step", "intake.err_choose")),
    }
    audit_case(
        &mut tx,
        now,
        actor,
        &c,
        AuditAction::ReportUpdated,
        Some(step),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
