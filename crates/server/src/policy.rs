//! Who may call what: every route of the API with the roles allowed to
//! call it and whether it needs a TOTP step-up. The access layer looks the
//! matched route up here before any handler runs; a route missing from
//! this table is refused (fail closed), and a test checks that every
//! route the router serves is listed.

use crate::role::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed.
    Public,
    /// A caller with one of these roles.
    Roles(&'static [Role]),
    /// A signed-in user (not an API key) with one of these roles, who also
    /// presents a current TOTP code in `X-TOTP`.
    StepUp(&'static [Role]),
    /// A signed-in user (not an API key) of any role: their own account.
    OwnAccount,
}

impl Access {
    /// Whether `role` passes (the step-up is checked separately).
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::OwnAccount => true,
            Access::Roles(roles) | Access::StepUp(roles) => roles.contains(&role),
        }
    }
}

const ANY: &[Role] = &[Role::Admin, Role::Trader, Role::Viewer, Role::Auditor];
const TRADE: &[Role] = &[Role::Admin, Role::Trader];
const ADMIN: &[Role] = &[Role::Admin];
const AUDIT: &[Role] = &[Role::Admin, Role::Auditor];

/// One route: method, path template (axum's `{name}` syntax), access.
pub type Rule = (&'static str, &'static str, Access);

/// Every route the server serves.
pub const RULES: &[Rule] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/metrics", Access::Public),
    ("GET", "/api/openapi.json", Access::Public),
    ("POST", "/api/v1/auth/login", Access::Public),
    ("POST", "/api/v1/auth/refresh", Access::Public),
    ("POST", "/api/v1/auth/logout", Access::OwnAccount),
    ("POST", "/api/v1/auth/totp/enroll", Access::OwnAccount),
    ("POST", "/api/v1/auth/totp/confirm", Access::OwnAccount),
    ("POST", "/api/v1/users", Access::Roles(ADMIN)),
    ("GET", "/api/v1/users", Access::Roles(ADMIN)),
    ("DELETE", "/api/v1/users/{username}", Access::Roles(ADMIN)),
    ("POST", "/api/v1/api-keys", Access::Roles(ADMIN)),
    ("GET", "/api/v1/api-keys", Access::Roles(ADMIN)),
    ("DELETE", "/api/v1/api-keys/{id}", Access::Roles(ADMIN)),
    ("POST", "/api/v1/api-keys/{id}/rotate", Access::Roles(ADMIN)),
    ("GET", "/api/v1/status", Access::Roles(ANY)),
    ("GET", "/api/v1/system", Access::Roles(ANY)),
    ("GET", "/api/v1/sessions", Access::Roles(ANY)),
    ("POST", "/api/v1/sessions", Access::Roles(TRADE)),
    ("DELETE", "/api/v1/sessions/{id}", Access::Roles(TRADE)),
    ("GET", "/api/v1/positions", Access::Roles(ANY)),
    ("GET", "/api/v1/orders", Access::Roles(ANY)),
    ("POST", "/api/v1/orders", Access::Roles(TRADE)),
    ("DELETE", "/api/v1/orders/{id}", Access::Roles(TRADE)),
    ("POST", "/api/v1/positions/flatten", Access::Roles(TRADE)),
    ("GET", "/api/v1/trades", Access::Roles(ANY)),
    ("GET", "/api/v1/pnl", Access::Roles(ANY)),
    ("GET", "/api/v1/reports/daily", Access::Roles(ANY)),
    ("GET", "/api/v1/reports/weekly", Access::Roles(ANY)),
    ("GET", "/api/v1/risk", Access::Roles(ANY)),
    (
        "POST",
        "/api/v1/risk/breakers/{name}/reset",
        Access::StepUp(ADMIN),
    ),
    ("POST", "/api/v1/backtests", Access::Roles(TRADE)),
    ("GET", "/api/v1/backtests/{id}", Access::Roles(ANY)),
    ("POST", "/api/v1/optimizations", Access::Roles(TRADE)),
    ("GET", "/api/v1/optimizations/{id}", Access::Roles(ANY)),
    ("GET", "/api/v1/candles", Access::Roles(ANY)),
    ("GET", "/api/v1/detections", Access::Roles(ANY)),
    ("GET", "/api/v1/config", Access::Roles(ANY)),
    ("PUT", "/api/v1/config/risk", Access::Roles(ADMIN)),
    ("GET", "/api/v1/config/strategy", Access::Roles(ANY)),
    ("PUT", "/api/v1/config/strategy", Access::Roles(ADMIN)),
    (
        "PUT",
        "/api/v1/exchanges/{venue}/keys",
        Access::StepUp(ADMIN),
    ),
    ("GET", "/api/v1/audit", Access::Roles(AUDIT)),
    ("GET", "/api/v1/audit/verify", Access::Roles(AUDIT)),
    ("GET", "/api/v1/ws", Access::Roles(ANY)),
];

/// The rule of a matched route, if it has one.
pub fn rule(method: &str, template: &str) -> Option<Access> {
    // HEAD is GET without the body (axum answers it from the GET route).
    let method = if method == "HEAD" { "GET" } else { method };
    RULES
        .iter()
        .find(|(m, t, _)| *m == method && *t == template)
        .map(|(_, _, access)| *access)
}
