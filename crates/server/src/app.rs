//! The router: every route (with its OpenAPI description, collected by
//! utoipa from the handlers' annotations), wrapped in the access layer,
//! body and time limits, CORS and security headers.

use crate::access;
use crate::error::ApiError;
use crate::routes::reports;
use crate::routes::{
    api_keys, audit, auth, backtests, breakers, config, exchange_keys, market, optimizations,
    orders, sessions, strategy_config, system, users, ws,
};
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "SMC Trading Agent API", description = "REST and WebSocket API of `smc serve`."),
    modifiers(&Security),
    tags((name = "auth"), (name = "users"), (name = "api-keys"), (name = "system"),
         (name = "sessions"), (name = "trading"), (name = "risk"), (name = "backtests"),
         (name = "optimizations"),
         (name = "config"), (name = "market"), (name = "audit"), (name = "stream"))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

/// The routes and their OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .routes(routes!(system::status))
        .routes(routes!(system::system))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::totp_enroll))
        .routes(routes!(auth::totp_confirm))
        .routes(routes!(users::create, users::list))
        .routes(routes!(users::delete))
        .routes(routes!(api_keys::create, api_keys::list))
        .routes(routes!(api_keys::revoke))
        .routes(routes!(api_keys::rotate))
        .routes(routes!(sessions::list, sessions::start))
        .routes(routes!(sessions::stop))
        .routes(routes!(sessions::positions))
        .routes(routes!(sessions::orders, orders::place))
        .routes(routes!(orders::cancel))
        .routes(routes!(orders::flatten))
        .routes(routes!(sessions::trades))
        .routes(routes!(sessions::pnl))
        .routes(routes!(reports::daily))
        .routes(routes!(reports::weekly))
        .routes(routes!(config::risk))
        .routes(routes!(breakers::reset))
        .routes(routes!(config::get))
        .routes(routes!(config::put_risk))
        .routes(routes!(
            strategy_config::get_strategy,
            strategy_config::put_strategy
        ))
        .routes(routes!(exchange_keys::put))
        .routes(routes!(backtests::create))
        .routes(routes!(backtests::get))
        .routes(routes!(optimizations::create))
        .routes(routes!(optimizations::get))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify))
        .routes(routes!(market::candles_route))
        .routes(routes!(market::detections_route))
        .routes(routes!(ws::ws))
        .split_for_parts();
    utoipa::Modify::modify(&CommonResponses, &mut openapi);
    (router, openapi)
}

/// The answers the layers around the handlers can give on any route, added
/// to every operation so the document lists every status a route can
/// answer: 403 (`api.ip_allowlist`) and 429 (the per-address rate limit)
/// anywhere, 408 when a request outlasts `api.request_timeout_seconds`;
/// 401 and 403 (a role or step-up refused) on routes with credentials;
/// 400 and 422 for a malformed or invalid body or query, 413 for a body
/// over `api.max_body_bytes`. Also gives operations sharing an id (`list`
/// in several modules) unique ids, `TAG_ID`, as OpenAPI requires.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::BTreeMap;
        use utoipa::openapi::path::ParameterIn;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for item in openapi.paths.paths.values() {
            for op in operations(item) {
                if let Some(id) = &op.operation_id {
                    *seen.entry(id.clone()).or_default() += 1;
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for op in operations_mut(item) {
                if let (Some(id), Some(tag)) =
                    (&op.operation_id, op.tags.as_ref().and_then(|t| t.first()))
                    && seen.get(id).is_some_and(|n| *n > 1)
                {
                    op.operation_id = Some(format!("{}_{id}", tag.replace('-', "_")));
                }
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let query = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                let body = op.request_body.is_some();
                let mut add = |status: &str, description: &str, error: bool| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(status, description, error).into());
                };
                add(
                    "403",
                    "Refused: the address is not on api.ip_allowlist, or the caller's role or step-up does not allow the route",
                    true,
                );
                add(
                    "408",
                    "The request took longer than api.request_timeout_seconds",
                    false,
                );
                add(
                    "429",
                    "Too many requests (Retry-After says when to try again)",
                    true,
                );
                if secured {
                    add("401", "Missing, invalid or expired credentials", true);
                }
                if body || query {
                    add(
                        "400",
                        "The body or query is malformed (not JSON, or not sent as JSON)",
                        true,
                    );
                    add("422", "A field failed validation (named in `field`)", true);
                }
                if body {
                    add("413", "The body is larger than api.max_body_bytes", true);
                }
            }
        }
    }
}

fn operations(
    item: &utoipa::openapi::PathItem,
) -> impl Iterator<Item = &utoipa::openapi::path::Operation> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.options,
        &item.head,
        &item.patch,
        &item.trace,
    ]
    .into_iter()
    .flatten()
}

fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// An error answer (the JSON [`crate::error::ErrorBody`]) or, for 408, an
/// empty one.
fn error_response(status: &str, description: &str, error: bool) -> utoipa::openapi::Response {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let mut response = ResponseBuilder::new().description(description);
    if error {
        response = response.content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        );
    }
    if status == "429" {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::Integer),
                )
                .description(Some("Seconds to wait"))
                .build(),
        );
    }
    response.build()
}

/// The whole application for `state`.
pub fn app(state: AppState) -> Router {
    let (router, openapi) = routes();
    let spec = openapi.to_json().unwrap_or_else(|_| "{}".into());
    let (max_body, timeout, origins) = state.config_read(|c| {
        (
            c.api.max_body_bytes,
            c.api.request_timeout_seconds,
            c.api.cors_origins.clone(),
        )
    });
    let router = router
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], spec)
            }),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::replica::intercept,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::guard,
        ))
        .fallback(crate::dashboard::fallback)
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
            .into_response()
        });
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(u64::from(timeout)),
        ))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(cors(&origins))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'",
        ))
        .with_state(state)
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("x-totp"),
        ])
}

#[cfg(test)]
mod tests {
    use super::{operations, routes};
    use std::collections::BTreeSet;

    #[test]
    fn every_operation_documents_the_access_layers_answers_under_a_unique_id() {
        let (_, openapi) = routes();
        let mut ids = BTreeSet::new();
        for (path, item) in &openapi.paths.paths {
            for op in operations(item) {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(ids.insert(id.clone()), "operationId `{id}` is used twice");
                let statuses: BTreeSet<&str> =
                    op.responses.responses.keys().map(String::as_str).collect();
                let mut wanted = vec!["403", "408", "429"];
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    wanted.push("401");
                }
                if op.request_body.is_some() {
                    wanted.extend(["400", "413", "422"]);
                }
                for status in wanted {
                    assert!(statuses.contains(status), "{path} `{id}` lacks {status}");
                }
            }
        }
    }
}
