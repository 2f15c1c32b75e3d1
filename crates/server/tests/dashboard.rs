//! The dashboard at `/`: a page for every view path (the built dashboard,
//! or the page saying how to build it), files with their types and cache
//! rules, and the API's own paths untouched (JSON 404s, no page).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{start, start_with};

#[test]
fn every_view_path_is_a_page_and_api_paths_stay_json() {
    let s = start();
    for path in ["/", "/trading", "/chart", "/audit", "/settings/users"] {
        let r = s.http.get(s.url(path)).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let policy = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("connect-src 'self'"), "{path}: {policy}");
        let body = r.text().unwrap();
        assert!(
            body.contains("id=\"root\"") || body.contains("npm run build"),
            "{path} is neither the dashboard nor the how-to-build page"
        );
    }
    for path in ["/api/v1/nope", "/api/nope", "/api"] {
        let r = s.http.get(s.url(path)).send().unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(common::error_code(r), "not_found", "{path}");
    }
    let r = s.http.post(s.url("/trading")).send().unwrap();
    assert_eq!(r.status(), 404, "a page takes no POST");
    let r = s.http.get(s.url("/assets/missing-abc.js")).send().unwrap();
    assert_eq!(
        r.status(),
        404,
        "a missing file is not answered with the page"
    );
}

#[test]
fn built_files_carry_types_validators_and_cache_rules() {
    let s = start();
    if !smc_dashboard::built() {
        // The how-to-build page is checked above; nothing else to serve.
        assert!(smc_dashboard::paths().is_empty());
        return;
    }
    let sw = s.http.get(s.url("/sw.js")).send().unwrap();
    assert_eq!(sw.status(), 200);
    assert!(
        sw.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        sw.headers()["cache-control"],
        "no-cache",
        "the worker must update"
    );
    let asset = smc_dashboard::paths()
        .into_iter()
        .find(|p| p.starts_with("assets/") && p.ends_with(".js"))
        .expect("a built dashboard has scripts under assets/");
    let r = s.http.get(s.url(&format!("/{asset}"))).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = r.headers()["etag"].clone();
    let again = s
        .http
        .get(s.url(&format!("/{asset}")))
        .header("if-none-match", etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304, "a matching ETag answers Not Modified");
    let manifest = s.http.get(s.url("/manifest.webmanifest")).send().unwrap();
    assert_eq!(manifest.status(), 200);
    let m: serde_json::Value = manifest.json().unwrap();
    assert_eq!(m["display"], "standalone");
}

#[test]
fn the_ip_allowlist_covers_the_dashboard() {
    let s = start_with("", "  ip_allowlist: [\"10.0.0.0/8\"]");
    let r = s.http.get(s.url("/trading")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(common::error_code(r), "ip_not_allowed");
}

#[test]
fn head_is_answered_like_get() {
    let s = start();
    for path in ["/healthz", "/trading"] {
        let r = s.http.head(s.url(path)).send().unwrap();
        assert_eq!(r.status(), 200, "HEAD {path}");
    }
    let r = s.http.head(s.url("/api/v1/status")).send().unwrap();
    assert_eq!(
        r.status(),
        401,
        "HEAD of a signed route still needs credentials"
    );
}
