//! Logins, token expiry, refresh rotation with reuse detection, logout,
//! and a deleted user's tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, PASSWORD, error_code, start};
use serde_json::{Value, json};
use std::time::Duration;

#[test]
fn a_login_answers_the_contracts_pair_and_wrong_passwords_are_refused() {
    let s = start();
    let pair = s.login("admin", ADMIN_PASSWORD);
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 15 * 60);
    assert!(pair["refresh_token"].as_str().unwrap().starts_with("smcr_"));
    let r = s.get("/api/v1/status", pair["access_token"].as_str().unwrap());
    assert_eq!(r.status(), 200);
    let status: Value = r.json().unwrap();
    assert_eq!(
        status["sessions"]["ready"], 1,
        "the default paper session is ready"
    );

    let r = s.login_response("admin", "not the password at all", None);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "invalid_credentials");
    let r = s.login_response("nobody", PASSWORD, None);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "invalid_credentials");
}

#[test]
fn an_access_token_expires_after_fifteen_minutes() {
    let s = start();
    let token = s.admin_token();
    s.state.clock.advance(Duration::from_secs(14 * 60));
    assert_eq!(s.get("/api/v1/status", &token).status(), 200);
    s.state.clock.advance(Duration::from_secs(61));
    let r = s.get("/api/v1/status", &token);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "token_expired");
}

#[test]
fn refresh_rotates_and_a_reused_token_revokes_its_whole_family() {
    let s = start();
    let first = s.login("admin", ADMIN_PASSWORD);
    let refresh = |token: &Value| {
        s.http
            .post(s.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": token}))
            .send()
            .unwrap()
    };
    let r = refresh(&first["refresh_token"]);
    assert_eq!(r.status(), 200);
    let second: Value = r.json().unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        s.get("/api/v1/status", second["access_token"].as_str().unwrap())
            .status(),
        200
    );

    // The first token again: stolen or replayed.
    let r = refresh(&first["refresh_token"]);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "refresh_token_reused");
    // Its descendant is revoked with it.
    let r = refresh(&second["refresh_token"]);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "refresh_token_reused");
    // Another login's family is untouched.
    let other = s.login("admin", ADMIN_PASSWORD);
    assert_eq!(refresh(&other["refresh_token"]).status(), 200);
    // A refresh token expires after 7 days.
    let late = s.login("admin", ADMIN_PASSWORD);
    s.state.clock.advance(Duration::from_secs(7 * 86_400 + 1));
    let r = refresh(&late["refresh_token"]);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "token_expired");
    let r = refresh(&json!("smcr_made_up"));
    assert_eq!(r.status(), 401);
}

#[test]
fn logout_revokes_the_access_token_and_the_refresh_family() {
    let s = start();
    let pair = s.login("admin", ADMIN_PASSWORD);
    let access = pair["access_token"].as_str().unwrap();
    let r = s.post(
        "/api/v1/auth/logout",
        access,
        json!({"refresh_token": pair["refresh_token"]}),
    );
    assert_eq!(r.status(), 204);
    let r = s.get("/api/v1/status", access);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "token_revoked");
    let r = s
        .http
        .post(s.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[test]
fn a_deleted_users_tokens_stop_working_and_the_last_admin_stays() {
    let s = start();
    let admin = s.admin_token();
    let trader = s.user_token(&admin, "tina", "trader");
    assert_eq!(s.get("/api/v1/status", &trader).status(), 200);
    let r = s
        .request("DELETE", "/api/v1/users/tina")
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(s.get("/api/v1/status", &trader).status(), 401);
    let r = s
        .request("DELETE", "/api/v1/users/admin")
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = s.post(
        "/api/v1/users",
        &admin,
        json!({"username": "admin", "password": PASSWORD, "role": "viewer"}),
    );
    assert_eq!(r.status(), 409);
}

#[test]
fn api_keys_authenticate_expire_rotate_and_revoke() {
    let s = start();
    let admin = s.admin_token();
    let r = s.post(
        "/api/v1/api-keys",
        &admin,
        json!({"role": "viewer", "expires_in_days": 1}),
    );
    assert_eq!(r.status(), 201);
    let created: Value = r.json().unwrap();
    let key = created["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("smc_"));
    let with_key = |k: &str, path: &str| {
        s.http
            .get(s.url(path))
            .header("X-API-Key", k)
            .send()
            .unwrap()
    };
    assert_eq!(with_key(&key, "/api/v1/status").status(), 200);
    assert_eq!(
        with_key(&key, "/api/v1/users").status(),
        403,
        "a viewer key cannot list users"
    );
    let listed: Value = s.get("/api/v1/api-keys", &admin).json().unwrap();
    assert!(
        !listed.to_string().contains(&key),
        "the key is never shown again"
    );

    let id = created["id"].as_str().unwrap();
    let r = s.post(&format!("/api/v1/api-keys/{id}/rotate"), &admin, json!({}));
    assert_eq!(r.status(), 200);
    let rotated: Value = r.json().unwrap();
    let new_key = rotated["key"].as_str().unwrap();
    assert_eq!(
        with_key(&key, "/api/v1/status").status(),
        401,
        "the old secret is dead"
    );
    assert_eq!(with_key(new_key, "/api/v1/status").status(), 200);

    s.state.clock.advance(Duration::from_secs(86_401));
    let r = with_key(new_key, "/api/v1/status");
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "token_expired");

    let admin = s.admin_token();
    let r = s.post("/api/v1/api-keys", &admin, json!({"role": "trader"}));
    let k: Value = r.json().unwrap();
    let r = s
        .request(
            "DELETE",
            &format!("/api/v1/api-keys/{}", k["id"].as_str().unwrap()),
        )
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        with_key(k["key"].as_str().unwrap(), "/api/v1/status").status(),
        401
    );
}
