//! Network inquiries (netværkshenvendelser), logged and answered by senior consultants.

use super::{
    domain,
    service::{audit_case, denied, event, open_case, org_of},
    store,
};
use crate::{
    audit::AuditAction,
    error::{AppError, AppResult},
    policy::{ensure, Action, Actor, Target},
    state::AppState,
    store::new_id,
    web::form::FormData,
};

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
