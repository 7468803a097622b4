//! The page context every template gets: language, CSRF token, the signed-in user's
//! navigation, and the demo banner flag. Built by an extractor so handlers stay short.

use super::{
    cookies,
    csrf::CsrfToken,
    i18n::{self, Lang},
};
use crate::{
    auth::session::{SessionInfo, STAGE_FULL},
    policy::{self, Action, Role},
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use std::convert::Infallible;

#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
}

#[derive(Clone, Debug)]
pub struct NavUser {
    pub name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub orgs: Vec<(String, String)>,
    pub roles: Vec<Role>,
    pub nav: Vec<NavItem>,
}

#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<NavUser>,
    pub demo: bool,
    pub path: String,
}

impl Ctx {
    pub fn t<S: AsRef<str>>(&self, key: S) -> &'static str {
        i18n::t(self.lang, key.as_ref())
    }

    /// The text of the key `<prefix>.<value>`, for coded values (statuses, authorities, …).
    pub fn tk<V: AsRef<str>>(&self, prefix: &str, value: V) -> &'static str {
        i18n::t(self.lang, &format!("{prefix}.{}", value.as_ref()))
    }

    /// A person's first name, or "anonymised" once retention removed it (so a link to
    /// the case still says something).
    pub fn person_name<'a>(&self, name: &'a str) -> &'a str {
        if name.trim().is_empty() {
            self.t("person.anonymised")
        } else {
            name
        }
    }

    /// A text with its `{n}` placeholder filled in.
    pub fn tf<S: AsRef<str>, V: std::fmt::Display>(&self, key: S, n: V) -> String {
        self.t(key).replace("{n}", &n.to_string())
    }

    pub fn role_name(&self, role: &Role) -> &'static str {
        self.role_str(role.as_str())
    }

    pub fn role_str<S: AsRef<str>>(&self, role: S) -> &'static str {
        i18n::t(self.lang, &format!("role.{}", role.as_ref()))
    }

    pub fn other_lang_label(&self) -> &'static str {
        self.t("nav.other_language")
    }
}

/// The language of a request: the cookie, else Danish.
pub fn lang_of(parts: &Parts, secure: bool) -> Lang {
    cookies::get(&parts.headers, cookies::LANG, secure)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

fn nav_for(info: &SessionInfo) -> Vec<NavItem> {
    let a = &info.actor;
    let org = a.org_id.as_deref().unwrap_or("");
    let mut nav = vec![NavItem {
        href: "/start",
        label: "nav.start",
    }];
    let mut add = |action: Action, href: &'static str, label: &'static str| {
        if policy::can(a, action, policy::Target::Org(org)) {
            nav.push(NavItem { href, label });
        }
    };
    add(Action::ViewIntake, "/intake", "nav.intake");
    add(Action::SubmitRequest, "/requests", "nav.requests");
    add(Action::ViewCases, "/cases", "nav.cases");
    add(Action::AnswerOwnOffers, "/me/offers", "nav.offers");
    add(Action::AnswerOwnOffers, "/me/calendar", "nav.calendar");
    add(Action::ManageOwnProfile, "/me/profile", "nav.profile");
    add(Action::ManageVolunteers, "/volunteers", "nav.volunteers");
    add(Action::ManageOwnProfile, "/me/onboarding", "nav.onboarding");
    add(Action::ViewAggregates, "/stats", "nav.stats");
    add(Action::ListOrgUsers, "/org/users", "nav.users");
    add(Action::ViewOrgAudit, "/org/audit", "nav.audit");
    add(Action::ViewOrgOverview, "/org/feedback", "nav.feedback");
    add(Action::ManageRetention, "/org/retention", "nav.retention");
    add(Action::ManageSchemeProfile, "/org/scheme", "nav.scheme");
    if policy::can(a, Action::ViewPlatform, policy::Target::Platform) {
        nav.push(NavItem {
            href: "/platform",
            label: "nav.platform",
        });
        nav.push(NavItem {
            href: "/platform/directory",
            label: "nav.directory_claims",
        });
    }
    nav.push(NavItem {
        href: "/account/password",
        label: "nav.password",
    });
    nav
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies();
        let user = parts
            .extensions
            .get::<SessionInfo>()
            .filter(|s| s.stage == STAGE_FULL)
            .map(|s| NavUser {
                name: s.actor.name.clone(),
                org_id: s.actor.org_id.clone(),
                org_name: s
                    .orgs
                    .iter()
                    .find(|(id, _)| Some(id) == s.actor.org_id.as_ref())
                    .map(|(_, n)| n.clone()),
                orgs: s.orgs.clone(),
                roles: s.actor.roles.clone(),
                nav: nav_for(s),
            });
        Ok(Ctx {
            lang: lang_of(parts, secure),
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .map(|c| c.0.clone())
                .unwrap_or_default(),
            user,
            demo: state.config.demo,
            path: parts.uri.path().to_string(),
        })
    }
}
