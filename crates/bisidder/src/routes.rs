//! Every route that exists, with who may use it. The route walk test sends every role to
//! every entry and checks the answer against [`crate::policy`]; another test checks that
//! each `.route("…")` in the source appears here, so a new route cannot skip the walk.

use crate::policy::Action;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A browser that has passed the password but not the second factor.
    PendingLogin,
    /// Any fully signed-in user.
    SignedIn,
    /// A signed-in user whose roles allow the action (policy::role_can).
    Allowed(Action),
    /// An API token whose roles allow the action.
    Token(Action),
    /// A signed-in user whose roles allow the action on one record: the route walk sends
    /// an id that does not exist, which must answer 404 to those allowed and 403 to others.
    Record(Action),
    /// The same for API tokens.
    TokenRecord(Action),
    /// A person signed in to Min sag with their link and code (no account); everyone
    /// else gets 401 and the page that asks them to open their link again.
    Person,
}

#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Whether a route answers `method` at the concrete request `path`. Parameters (`{id}`)
/// match one non-empty segment, `{*rest}` the rest, so this may say yes too often but
/// never no for a path the router would serve.
pub fn exists(method: &str, path: &str) -> bool {
    ROUTES
        .iter()
        .any(|r| r.method == method && pattern_matches(r.path, path))
}

fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (mut want, mut got) = (pattern.split('/'), path.split('/'));
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with("{*") => return true,
            (Some(w), Some(g)) if w == g || (w.contains('{') && !g.is_empty()) => {}
            _ => return false,
        }
    }
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
    }
}

use Access::*;

pub const ROUTES: &[RouteSpec] = &[
    r("GET", "/", Public),
    r("POST", "/lang", Public),
    r("GET", "/static/{*path}", Public),
    r("GET", "/login", Public),
    r("POST", "/login", Public),
    r("GET", "/login/totp", PendingLogin),
    r("POST", "/login/totp", PendingLogin),
    r("GET", "/login/totp/enrol", PendingLogin),
    r("POST", "/login/totp/enrol", PendingLogin),
    r("POST", "/logout", Public),
    r("GET", "/password/forgot", Public),
    r("POST", "/password/forgot", Public),
    r("GET", "/password/reset/{token}", Public),
    r("POST", "/password/reset/{token}", Public),
    r("GET", "/account/password", SignedIn),
    r("POST", "/account/password", SignedIn),
    r("POST", "/org/switch", SignedIn),
    r("GET", "/start", SignedIn),
    r("GET", "/org/users", Allowed(Action::ListOrgUsers)),
    r("GET", "/org/audit", Allowed(Action::ViewOrgAudit)),
    r("GET", "/org/export.jsonl", Allowed(Action::ExportOrgData)),
    r(
        "GET",
        "/org/templates/persons.csv",
        Allowed(Action::ExportOrgData),
    ),
    r(
        "GET",
        "/org/templates/cases.csv",
        Allowed(Action::ExportOrgData),
    ),
    r(
        "GET",
        "/org/templates/reports.csv",
        Allowed(Action::ExportOrgData),
    ),
    r("GET", "/platform", Allowed(Action::ViewPlatform)),
    r("GET", "/healthz", Public),
    r("GET", "/readyz", Public),
    r("GET", "/metrics", Public),
    r("GET", "/api/openapi.json", Public),
    r("GET", "/api/v1/me", Token(Action::ViewStart)),
    r("GET", "/api/v1/kommuner", Token(Action::ReadReference)),
    // Intake
    r("GET", "/anmod", Public),
    r("GET", "/o/{slug}/bliv-bisidder", Public),
    r("POST", "/o/{slug}/bliv-bisidder", Public),
    r("GET", "/volunteers", Allowed(Action::ManageVolunteers)),
    r(
        "POST",
        "/volunteers/requirements",
        Allowed(Action::ConfigureVolunteering),
    ),
    r(
        "POST",
        "/volunteers/ambassadors",
        Allowed(Action::ManageVolunteers),
    ),
    r(
        "GET",
        "/volunteers/applications/{id}",
        Record(Action::ManageVolunteers),
    ),
    r(
        "POST",
        "/volunteers/applications/{id}",
        Record(Action::ManageVolunteers),
    ),
    r(
        "POST",
        "/volunteers/people/{id}/records",
        Record(Action::ManageVolunteers),
    ),
    r("GET", "/me/onboarding", Allowed(Action::ManageOwnProfile)),
    r(
        "POST",
        "/me/onboarding/guidelines",
        Allowed(Action::ManageOwnProfile),
    ),
    r(
        "POST",
        "/me/onboarding/confidentiality",
        Allowed(Action::ManageOwnProfile),
    ),
    r("GET", "/viden", Public),
    r("GET", "/viden/rettigheder", Public),
    r("GET", "/viden/sagsbehandler", Public),
    r("GET", "/viden/fagpersoner", Public),
    r("GET", "/viden/rollen", Public),
    r("GET", "/o/{slug}/anmod", Public),
    r("POST", "/o/{slug}/anmod", Public),
    r("GET", "/intake", Allowed(Action::ViewIntake)),
    r("GET", "/intake/new", Allowed(Action::RecordPhoneRequest)),
    r("POST", "/intake/new", Allowed(Action::RecordPhoneRequest)),
    r("GET", "/intake/{id}", Record(Action::ViewIntake)),
    r("POST", "/intake/{id}/consent", Record(Action::ManageIntake)),
    r("POST", "/intake/{id}/close", Record(Action::ManageIntake)),
    r("GET", "/requests", Allowed(Action::SubmitRequest)),
    r("GET", "/requests/new", Allowed(Action::SubmitRequest)),
    r("POST", "/requests/new", Allowed(Action::SubmitRequest)),
    // Matching and scheduling
    r("POST", "/intake/{id}/assign", Record(Action::ManageIntake)),
    r("POST", "/intake/{id}/offer", Record(Action::ManageIntake)),
    r(
        "POST",
        "/intake/{id}/standby",
        Record(Action::AdjustAppointments),
    ),
    r("POST", "/intake/assign-all", Allowed(Action::ManageIntake)),
    r("GET", "/me/offers", Allowed(Action::AnswerOwnOffers)),
    r(
        "POST",
        "/me/offers/{id}/accept",
        Record(Action::AnswerOwnOffers),
    ),
    r(
        "POST",
        "/me/offers/{id}/decline",
        Record(Action::AnswerOwnOffers),
    ),
    r(
        "GET",
        "/appointments/{id}/edit",
        Record(Action::AdjustAppointments),
    ),
    r(
        "POST",
        "/appointments/{id}/edit",
        Record(Action::AdjustAppointments),
    ),
    r(
        "GET",
        "/appointments/{id}/ics",
        Record(Action::AdjustAppointments),
    ),
    r("GET", "/me/calendar", Allowed(Action::AnswerOwnOffers)),
    r(
        "POST",
        "/me/calendar/feed",
        Allowed(Action::AnswerOwnOffers),
    ),
    r(
        "POST",
        "/me/calendar/feed/revoke",
        Allowed(Action::AnswerOwnOffers),
    ),
    r("GET", "/calendar/{file}", Public),
    // A bisidder's profile
    r("GET", "/me/profile", Allowed(Action::ManageOwnProfile)),
    r("POST", "/me/profile", Allowed(Action::ManageOwnProfile)),
    r(
        "POST",
        "/me/availability",
        Allowed(Action::ManageOwnProfile),
    ),
    r(
        "POST",
        "/me/availability/{id}/delete",
        Record(Action::ManageOwnProfile),
    ),
    r("POST", "/me/absences", Allowed(Action::ManageOwnProfile)),
    r(
        "POST",
        "/me/absences/{id}/delete",
        Record(Action::ManageOwnProfile),
    ),
    // API: intake and matching
    r("GET", "/api/v1/requests", Token(Action::SubmitRequest)),
    r("POST", "/api/v1/requests", Token(Action::SubmitRequest)),
    r("GET", "/api/v1/intake", Token(Action::ViewIntake)),
    r(
        "GET",
        "/api/v1/requests/{id}",
        TokenRecord(Action::ViewIntake),
    ),
    r(
        "POST",
        "/api/v1/requests/{id}/consent",
        TokenRecord(Action::ManageIntake),
    ),
    r(
        "GET",
        "/api/v1/requests/{id}/candidates",
        TokenRecord(Action::ManageIntake),
    ),
    r(
        "POST",
        "/api/v1/requests/{id}/assign",
        TokenRecord(Action::ManageIntake),
    ),
    r(
        "POST",
        "/api/v1/requests/{id}/offers",
        TokenRecord(Action::ManageIntake),
    ),
    r("GET", "/api/v1/me/offers", Token(Action::AnswerOwnOffers)),
    r(
        "GET",
        "/api/v1/me/appointments",
        Token(Action::AnswerOwnOffers),
    ),
    r(
        "POST",
        "/api/v1/offers/{id}/accept",
        TokenRecord(Action::AnswerOwnOffers),
    ),
    r(
        "POST",
        "/api/v1/offers/{id}/decline",
        TokenRecord(Action::AnswerOwnOffers),
    ),
    r(
        "POST",
        "/api/v1/appointments/{id}",
        TokenRecord(Action::AdjustAppointments),
    ),
    r(
        "POST",
        "/api/v1/requests/{id}/standby",
        TokenRecord(Action::AdjustAppointments),
    ),
    r(
        "POST",
        "/api/v1/intake/assign-all",
        Token(Action::ManageIntake),
    ),
    r("GET", "/api/v1/me/profile", Token(Action::ManageOwnProfile)),
    r("PUT", "/api/v1/me/profile", Token(Action::ManageOwnProfile)),
    r(
        "POST",
        "/api/v1/me/availability",
        Token(Action::ManageOwnProfile),
    ),
    r(
        "POST",
        "/api/v1/me/absences",
        Token(Action::ManageOwnProfile),
    ),
    // Case work (SPEC C5)
    r("GET", "/cases", Allowed(Action::ViewCases)),
    r("GET", "/cases/{id}", Record(Action::ViewCases)),
    r("POST", "/cases/{id}/notes", Record(Action::WorkCase)),
    r("POST", "/cases/{id}/decisions", Record(Action::WorkCase)),
    r("POST", "/cases/{id}/exclusions", Record(Action::WorkCase)),
    r("POST", "/cases/{id}/close", Record(Action::WorkCase)),
    r("POST", "/cases/{id}/handover", Record(Action::ReassignCase)),
    r(
        "POST",
        "/cases/{id}/inquiries",
        Record(Action::HandleInquiries),
    ),
    r(
        "POST",
        "/inquiries/{id}/answer",
        Record(Action::HandleInquiries),
    ),
    r(
        "POST",
        "/appointments/{id}/outcome",
        Record(Action::WorkCase),
    ),
    // Reports of concern (SPEC C6)
    r("GET", "/cases/{id}/reports/new", Record(Action::WorkCase)),
    r("POST", "/cases/{id}/reports", Record(Action::WorkCase)),
    r("GET", "/reports/{id}", Record(Action::WorkCase)),
    r("POST", "/reports/{id}", Record(Action::WorkCase)),
    r("GET", "/reports/{id}/letter", Record(Action::WorkCase)),
    // API: case work and reports
    r("GET", "/api/v1/cases", Token(Action::ViewCases)),
    r("GET", "/api/v1/cases/{id}", TokenRecord(Action::ViewCases)),
    r(
        "GET",
        "/api/v1/cases/{id}/timeline",
        TokenRecord(Action::ViewCases),
    ),
    r(
        "GET",
        "/api/v1/cases/{id}/notes",
        TokenRecord(Action::WorkCase),
    ),
    r(
        "POST",
        "/api/v1/cases/{id}/notes",
        TokenRecord(Action::WorkCase),
    ),
    r(
        "POST",
        "/api/v1/appointments/{id}/outcome",
        TokenRecord(Action::WorkCase),
    ),
    r(
        "GET",
        "/api/v1/cases/{id}/reports",
        TokenRecord(Action::WorkCase),
    ),
    r(
        "POST",
        "/api/v1/cases/{id}/reports",
        TokenRecord(Action::WorkCase),
    ),
    r("GET", "/api/v1/reports/{id}", TokenRecord(Action::WorkCase)),
    r(
        "POST",
        "/api/v1/reports/{id}",
        TokenRecord(Action::WorkCase),
    ),
    // Statistics
    r("GET", "/api/v1/stats/annual", Token(Action::ViewAggregates)),
    r("GET", "/stats", Allowed(Action::ViewAggregates)),
    r("GET", "/stats/export.csv", Allowed(Action::ViewAggregates)),
    r("GET", "/stats/export.xlsx", Allowed(Action::ViewAggregates)),
    // Min sag (the person's own view) and børnebreve
    r("GET", "/minsag", Person),
    r("GET", "/minsag/breve", Person),
    r("GET", "/minsag/opslag", Person),
    r("POST", "/minsag/feedback", Person),
    r("POST", "/minsag/logout", Public),
    r("GET", "/minsag/{token}", Public),
    r("POST", "/minsag/{token}/code", Public),
    r("POST", "/minsag/{token}/verify", Public),
    r("GET", "/org/break-glass", Allowed(Action::ViewOrgAudit)),
    r("GET", "/org/feedback", Allowed(Action::ViewOrgOverview)),
    r(
        "POST",
        "/intake/{id}/minsag",
        Record(Action::SendMinsagLink),
    ),
    r("GET", "/me/cases/{id}/brev", Record(Action::WriteLetters)),
    r(
        "GET",
        "/me/requests/{id}/brev",
        Record(Action::WriteLetters),
    ),
    r("POST", "/me/cases/{id}/brev", Record(Action::WriteLetters)),
    // Privacy and the data lifecycle
    r("GET", "/org/retention", Allowed(Action::ManageRetention)),
    r("POST", "/org/retention", Allowed(Action::ManageRetention)),
    r(
        "GET",
        "/persons/{id}/export",
        Record(Action::ExportPersonData),
    ),
    r(
        "GET",
        "/persons/{id}/export.json",
        Record(Action::ExportPersonData),
    ),
    r(
        "GET",
        "/api/v1/persons/{id}/export",
        TokenRecord(Action::ExportPersonData),
    ),
    r(
        "GET",
        "/privacy/cases/{id}/break-glass",
        Record(Action::BreakGlass),
    ),
    r(
        "POST",
        "/privacy/cases/{id}/break-glass",
        Record(Action::BreakGlass),
    ),
    // The national directory (SPEC C9)
    r("GET", "/bisiddere", Public),
    r("GET", "/bisiddere/analyse", Public),
    r("GET", "/bisiddere/{id}", Public),
    r("GET", "/directory.json", Public),
    r("GET", "/directory.csv", Public),
    r("GET", "/api/v1/directory/search", Public),
    r("GET", "/api/v1/directory/analytics", Public),
    r("GET", "/org/scheme", Allowed(Action::ManageSchemeProfile)),
    r("POST", "/org/scheme", Allowed(Action::ManageSchemeProfile)),
    r(
        "POST",
        "/org/scheme/claim",
        Allowed(Action::ManageSchemeProfile),
    ),
    r(
        "GET",
        "/platform/directory",
        Allowed(Action::VerifySchemeClaims),
    ),
    r(
        "POST",
        "/platform/directory/{id}/decide",
        Record(Action::VerifySchemeClaims),
    ),
    r("POST", "/intake/{id}/refer", Record(Action::ManageIntake)),
    r(
        "POST",
        "/referrals/{id}/outcome",
        Record(Action::ManageIntake),
    ),
];
