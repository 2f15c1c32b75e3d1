//! The role × route matrix: every route of the policy table called by
//! every role; the server refuses exactly the calls the policy forbids,
//! and the policy itself is what the product promises (viewers and
//! auditors read, traders trade and backtest, admins manage, auditors
//! read the audit log). Also: every route the router serves has a rule.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{error_code, start};
use serde_json::{Value, json};
use smc_server::policy::{Access, RULES};
use smc_server::role::Role;
use std::collections::BTreeSet;

/// A body that fails validation where a route takes one, so that an
/// allowed call does nothing (no session starts, no user is made).
fn harmless_body(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("POST", "/api/v1/sessions") => Some(json!({"mode": "nonsense"})),
        ("POST" | "PUT", _) => Some(json!({"not_a_field": true})),
        _ => None,
    }
}

fn concrete(path: &str) -> String {
    path.replace("{username}", "nobody-here")
        .replace("{id}", "missing")
        .replace("{venue}", "binance")
        .replace("{name}", "daily_loss")
}

/// What the product promises each role may do.
fn promised(role: Role, method: &str, path: &str) -> bool {
    let read = method == "GET";
    let own = path.starts_with("/api/v1/auth/");
    match role {
        Role::Admin => true,
        Role::Viewer => {
            own || (read
                && !path.contains("/audit")
                && !path.ends_with("/users")
                && !path.ends_with("/api-keys"))
        }
        Role::Auditor => own || (read && !path.ends_with("/users") && !path.ends_with("/api-keys")),
        Role::Trader => {
            own || (read
                && !path.contains("/audit")
                && !path.ends_with("/users")
                && !path.ends_with("/api-keys"))
                || [
                    "/api/v1/sessions",
                    "/api/v1/sessions/{id}",
                    "/api/v1/backtests",
                    "/api/v1/orders",
                    "/api/v1/orders/{id}",
                    "/api/v1/positions/flatten",
                    "/api/v1/optimizations",
                ]
                .contains(&path)
        }
    }
}

#[test]
fn every_role_is_refused_exactly_what_the_policy_forbids() {
    let s = start();
    let admin = s.admin_token();
    let tokens: Vec<(Role, String)> = Role::ALL
        .iter()
        .map(|&role| {
            let token = if role == Role::Admin {
                admin.clone()
            } else {
                s.user_token(&admin, &format!("user-{role}"), role.as_str())
            };
            (role, token)
        })
        .collect();
    let mut calls = 0;
    for (method, path, access) in RULES {
        if *access == Access::Public || *path == "/api/v1/ws" || *path == "/api/v1/auth/logout" {
            continue;
        }
        for (role, token) in &tokens {
            let mut request = s.request(method, &concrete(path)).bearer_auth(token);
            if let Some(body) = harmless_body(method, path) {
                request = request.json(&body);
            }
            let response = request.send().unwrap();
            let status = response.status().as_u16();
            let code = if status == 403 {
                error_code(response)
            } else {
                String::new()
            };
            let refused = code == "forbidden";
            assert_eq!(
                refused,
                !access.allows(*role),
                "{role} {method} {path}: {status} {code}"
            );
            assert_eq!(
                access.allows(*role),
                promised(*role, method, path),
                "policy of {role} {method} {path}"
            );
            assert!(status < 500, "{role} {method} {path}: {status}");
            assert_ne!(status, 401, "{role} {method} {path}");
            calls += 1;
        }
    }
    assert!(calls >= 100, "only {calls} calls");
}

#[test]
fn without_credentials_every_private_route_is_401() {
    let s = start();
    for (method, path, access) in RULES {
        let r = s.request(method, &concrete(path)).send().unwrap();
        if *access == Access::Public {
            assert_ne!(r.status(), 401, "{method} {path}");
        } else {
            assert_eq!(r.status(), 401, "{method} {path}");
            assert_eq!(error_code(r), "missing_credentials");
        }
    }
    let r = s
        .http
        .get(s.url("/api/v1/status"))
        .bearer_auth("not.a.jwt")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "invalid_token");
}

#[test]
fn every_served_route_has_a_rule_and_every_rule_a_route() {
    let (_, openapi) = smc_server::app::routes();
    let mut served = BTreeSet::new();
    for (path, item) in &openapi.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (m, present) in methods {
            if present {
                served.insert((m.to_string(), path.clone()));
            }
        }
    }
    let ruled: BTreeSet<(String, String)> = RULES
        .iter()
        .filter(|(_, p, _)| *p != "/api/openapi.json")
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(served, ruled);
}
