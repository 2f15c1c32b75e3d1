//! The web dashboard at `/`: the files embedded by `smc-dashboard`, with
//! every path that is not a file answered by `index.html` (the dashboard
//! routes in the browser), or a page saying how to build the dashboard
//! when this binary has none. The API's own paths keep their JSON 404.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// What the dashboard's pages may load: its own scripts, styles (MUI
/// injects `<style>` elements, hence `'unsafe-inline'` for styles only),
/// canvas images, and the API and stream on this origin.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
    font-src 'self' data:; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; base-uri 'none'; form-action 'self'; \
    object-src 'none'; frame-ancestors 'none'";

/// The router's fallback: the dashboard for GET and HEAD outside the API.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/api/")
        || path == "/api"
        || matches!(path, "/metrics" | "/healthz" | "/readyz");
    if api || (request.method() != Method::GET && request.method() != Method::HEAD) {
        return ApiError::not_found("no such route").into_response();
    }
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = ip {
        if !state.allowlist.is_empty() && !state.allowlist.iter().any(|b| b.contains(ip)) {
            return ApiError::forbidden(
                "ip_not_allowed",
                format!("{ip} is not on api.ip_allowlist"),
            )
            .into_response();
        }
        if let Err(e) = state.limits.check(&format!("ip:{ip}")).await {
            return e.into_response();
        }
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    serve(path, if_none_match.as_ref())
}

/// The answer for `path` (pure, for tests).
pub fn serve(path: &str, if_none_match: Option<&HeaderValue>) -> Response {
    let file = path.trim_start_matches('/');
    if !smc_dashboard::built() {
        return if looks_like_page(file) {
            page(
                StatusCode::OK,
                smc_dashboard::NOT_BUILT_PAGE.as_bytes().to_vec(),
            )
        } else {
            not_found()
        };
    }
    let asset = match smc_dashboard::asset(file) {
        Some(asset) if !file.is_empty() => asset,
        _ if looks_like_page(file) => match smc_dashboard::asset("index.html") {
            Some(index) => index,
            None => return not_found(),
        },
        _ => return not_found(),
    };
    let cache = if asset.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag = HeaderValue::from_str(&asset.etag).ok();
    let mut response = if etag.is_some() && if_none_match == etag.as_ref() {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, asset.bytes.into_owned()).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&asset.mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

/// A path the browser navigates to (a view), not a missing file.
fn looks_like_page(file: &str) -> bool {
    let last = file.rsplit('/').next().unwrap_or(file);
    !file.starts_with("assets/") && !last.contains('.')
}

fn page(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such file").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_pages_and_files_are_not() {
        assert!(looks_like_page(""));
        assert!(looks_like_page("trading"));
        assert!(looks_like_page("chart/BTCUSDT"));
        assert!(!looks_like_page("sw.js"));
        assert!(!looks_like_page("assets/index-abc.js"));
        assert!(!looks_like_page("assets/missing"));
        assert!(!looks_like_page("favicon.ico"));
    }

    #[test]
    fn a_missing_file_is_404_not_the_page() {
        let response = serve("/nothing-here.js", None);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_view_path_answers_a_page() {
        let response = serve("/risk", None);
        assert_eq!(response.status(), StatusCode::OK);
        let mime = response.headers().get(header::CONTENT_TYPE).cloned();
        assert!(
            mime.is_some_and(|m| m.to_str().is_ok_and(|m| m.starts_with("text/html"))),
            "a view answers HTML"
        );
        let policy = response.headers().get(header::CONTENT_SECURITY_POLICY);
        assert!(policy.is_some_and(|p| p.to_str().is_ok_and(|p| p.contains("connect-src 'self'"))));
    }
}
