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
}

#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
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
    r("GET", "/platform", Allowed(Action::ViewPlatform)),
    r("GET", "/healthz", Public),
    r("GET", "/readyz", Public),
    r("GET", "/metrics", Public),
    r("GET", "/api/openapi.json", Public),
    r("GET", "/api/v1/me", Token(Action::ViewStart)),
    r("GET", "/api/v1/kommuner", Token(Action::ReadReference)),
];
