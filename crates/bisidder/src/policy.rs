//! THE authorisation decision. Every access in Bisidder is decided here, deny by default:
//! services call [`ensure`] before they touch data; handlers and store functions never
//! decide access. The route walk test (tests/it/routes.rs) sends every role to every route
//! in [`crate::routes::ROUTES`] and compares the answer with [`can`].

use crate::error::AppError;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    OrgAdmin,
    Coordinator,
    SeniorConsultant,
    Bisidder,
    Requester,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::PlatformAdmin,
        Role::OrgAdmin,
        Role::Coordinator,
        Role::SeniorConsultant,
        Role::Bisidder,
        Role::Requester,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::OrgAdmin => "org_admin",
            Role::Coordinator => "coordinator",
            Role::SeniorConsultant => "senior_consultant",
            Role::Bisidder => "bisidder",
            Role::Requester => "requester",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that can see personal data must sign in with a second factor.
    pub fn sees_personal_data(self) -> bool {
        !matches!(self, Role::Analyst)
    }
}

/// Who is asking: a signed-in user (session) or an integration (API token), acting within
/// one organisation at a time.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub org_id: Option<String>,
    /// Roles in `org_id`, plus `PlatformAdmin` when the user is one.
    pub roles: Vec<Role>,
    pub via_token: bool,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn needs_second_factor(&self) -> bool {
        self.roles.iter().any(|r| r.sees_personal_data())
    }
}

/// Everything a person or integration can try to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Their own start page and account.
    ViewStart,
    ChangeOwnPassword,
    /// Organisation overview figures (counts, no personal data).
    ViewOrgOverview,
    /// Intake and case counts for coordination.
    ViewCoordination,
    /// A bisidder's own case counts.
    ViewOwnCaseload,
    /// A requester's own requests.
    ViewOwnRequests,
    /// Aggregated, disclosure-controlled statistics.
    ViewAggregates,
    /// Staff list of the organisation (names and roles of colleagues).
    ListOrgUsers,
    /// The organisation's audit log.
    ViewOrgAudit,
    /// Every organisation on the platform and the development mail outbox.
    ViewPlatform,
    /// Reference data such as the list of kommuner (public).
    ReadReference,
    /// Book a bisidder for someone (caseworkers and other professionals).
    SubmitRequest,
    /// Record a request taken by phone.
    RecordPhoneRequest,
    /// See the intake queue and open a request (personal data: audited).
    ViewIntake,
    /// Log the consent call, match, offer, assign, reject.
    ManageIntake,
    /// A bisidder's own profile, availability and absences.
    ManageOwnProfile,
    /// A bisidder's own offers and calendar.
    AnswerOwnOffers,
    /// Change an appointment's time or place (coordinators; the assigned bisidder for own).
    AdjustAppointments,
    /// Download the organisation's persons, cases and reports in the import format.
    ExportOrgData,
    /// Screen and approve applicants; record bisiddere's training, supervision,
    /// certificates; municipal ambassadors.
    ManageVolunteers,
    /// Which qualifications a bisidder needs before their first case.
    ConfigureVolunteering,
    /// Send (or send again) a person their private Min sag link.
    SendMinsagLink,
    /// Write a børnebrev to the child of one's own case.
    WriteLetters,
    /// Configure how long personal data of closed cases is kept.
    ManageRetention,
    /// Produce a person's complete data export (access request).
    ExportPersonData,
    /// Exceptional access to a case outside need-to-know, with a written reason.
    BreakGlass,
    /// Open a case: a bisidder their own, coordinators every case of the organisation,
    /// senior consultants its logistics only (never notes or report descriptions).
    ViewCases,
    /// Work a case: appointments held, notes, decisions, exclusions, reports of concern,
    /// closing (a bisidder on their own cases; coordinators on every case).
    WorkCase,
    /// Hand a case over to another bisidder.
    ReassignCase,
    /// Log and answer network inquiries (netværkshenvendelser).
    HandleInquiries,
    /// Claim a directory listing for the organisation and keep its scheme profile.
    ManageSchemeProfile,
    /// Verify or refuse claims of directory listings (platform admins).
    VerifySchemeClaims,
}

/// What the action is about.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// The platform as a whole.
    Platform,
    /// The actor's current organisation, or the named one.
    Org(&'a str),
}

/// Which roles may take an action inside their organisation.
fn roles_for(action: Action) -> &'static [Role] {
    use Role::*;
    match action {
        Action::ViewStart | Action::ChangeOwnPassword | Action::ReadReference => &Role::ALL,
        Action::ViewOrgOverview => &[OrgAdmin, Coordinator],
        Action::ViewCoordination => &[Coordinator],
        Action::ViewOwnCaseload => &[Bisidder],
        Action::ViewOwnRequests => &[Requester],
        Action::ViewAggregates => &[OrgAdmin, Coordinator, Analyst],
        Action::ListOrgUsers => &[OrgAdmin, Coordinator],
        Action::ViewOrgAudit => &[OrgAdmin],
        Action::ViewPlatform => &[],
        Action::SubmitRequest => &[Requester, Coordinator],
        Action::RecordPhoneRequest | Action::ViewIntake | Action::ManageIntake => &[Coordinator],
        Action::ManageOwnProfile | Action::AnswerOwnOffers => &[Bisidder],
        Action::AdjustAppointments => &[Coordinator, Bisidder],
        Action::ExportOrgData => &[OrgAdmin],
        Action::ManageVolunteers => &[OrgAdmin, Coordinator],
        Action::ConfigureVolunteering => &[OrgAdmin],
        Action::SendMinsagLink | Action::BreakGlass => &[Coordinator],
        Action::WriteLetters => &[Bisidder],
        Action::ManageRetention => &[OrgAdmin],
        Action::ExportPersonData => &[OrgAdmin, Coordinator],
        Action::ViewCases => &[Coordinator, Bisidder, SeniorConsultant],
        Action::WorkCase => &[Coordinator, Bisidder],
        Action::ReassignCase => &[Coordinator],
        Action::HandleInquiries => &[SeniorConsultant],
        Action::ManageSchemeProfile => &[OrgAdmin],
        Action::VerifySchemeClaims => &[],
    }
}

/// May `actor` take `action` on `target`? Deny unless a rule says yes.
pub fn can(actor: &Actor, action: Action, target: Target<'_>) -> bool {
    match action {
        Action::ViewStart | Action::ChangeOwnPassword | Action::ReadReference => return true,
        Action::ViewPlatform | Action::VerifySchemeClaims => return actor.has(Role::PlatformAdmin),
        _ => {}
    }
    let org = match target {
        Target::Platform => return actor.has(Role::PlatformAdmin),
        Target::Org(org) => org,
    };
    if actor.org_id.as_deref() != Some(org) {
        return false;
    }
    roles_for(action).iter().any(|r| actor.has(*r))
}

/// [`can`] as a result: `Forbidden` for actions on the actor's own organisation,
/// `NotFound` when the target is another organisation (its existence is not revealed).
pub fn ensure(actor: &Actor, action: Action, target: Target<'_>) -> Result<(), AppError> {
    if can(actor, action, target) {
        return Ok(());
    }
    match target {
        Target::Org(org) if actor.org_id.as_deref().is_some_and(|own| own != org) => {
            Err(AppError::NotFound)
        }
        _ => Err(AppError::Forbidden),
    }
}

/// Which actions a role may take in its own organisation: the route walk's expectation
/// and the navigation both read this.
pub fn role_can(role: Role, action: Action) -> bool {
    let actor = Actor {
        user_id: String::new(),
        name: String::new(),
        org_id: Some("o".into()),
        roles: vec![role],
        via_token: false,
    };
    can(&actor, action, Target::Org("o"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(org: &str, roles: &[Role]) -> Actor {
        Actor {
            user_id: "u".into(),
            name: "U".into(),
            org_id: Some(org.into()),
            roles: roles.to_vec(),
            via_token: false,
        }
    }

    #[test]
    fn nothing_is_allowed_in_another_organisation() {
        let a = actor("a", &[Role::OrgAdmin, Role::Coordinator]);
        for action in [
            Action::ViewOrgOverview,
            Action::ListOrgUsers,
            Action::ViewOrgAudit,
            Action::ViewCoordination,
        ] {
            assert!(can(&a, action, Target::Org("a")), "{action:?}");
            assert!(!can(&a, action, Target::Org("b")), "{action:?}");
            assert!(matches!(
                ensure(&a, action, Target::Org("b")),
                Err(AppError::NotFound)
            ));
        }
    }

    #[test]
    fn analysts_see_only_aggregates() {
        let a = actor("a", &[Role::Analyst]);
        assert!(can(&a, Action::ViewAggregates, Target::Org("a")));
        for action in [
            Action::ListOrgUsers,
            Action::ViewCoordination,
            Action::ViewOwnCaseload,
            Action::ViewOrgAudit,
        ] {
            assert!(!can(&a, action, Target::Org("a")), "{action:?}");
        }
        assert!(!a.needs_second_factor());
    }

    #[test]
    fn platform_pages_are_for_platform_admins_only() {
        for role in Role::ALL {
            let a = actor("a", &[role]);
            assert_eq!(
                can(&a, Action::ViewPlatform, Target::Platform),
                role == Role::PlatformAdmin
            );
        }
    }

    #[test]
    fn an_actor_without_organisation_gets_nothing_organisational() {
        let mut a = actor("a", &[Role::Coordinator]);
        a.org_id = None;
        assert!(!can(&a, Action::ViewCoordination, Target::Org("a")));
    }

    #[test]
    fn every_role_but_analyst_needs_a_second_factor() {
        for role in Role::ALL {
            assert_eq!(
                actor("a", &[role]).needs_second_factor(),
                role != Role::Analyst
            );
        }
    }
}
