//! The router: every route (with its OpenAPI description, collected by
//! utoipa from the handlers' annotations), wrapped in the access layer,
//! body and time limits, CORS and security headers.

use crate::access;
use crate::error::ApiError;
use crate::routes::{
    api_keys, audit, auth, backtests, config, exchange_keys, sessions, system, users, ws,
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
         (name = "config"), (name = "audit"), (name = "stream"))
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
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .routes(routes!(system::status))
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
        .routes(routes!(sessions::orders))
        .routes(routes!(sessions::trades))
        .routes(routes!(sessions::pnl))
        .routes(routes!(config::risk))
        .routes(routes!(config::get))
        .routes(routes!(config::put_risk))
        .routes(routes!(exchange_keys::put))
        .routes(routes!(backtests::create))
        .routes(routes!(backtests::get))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify))
        .routes(routes!(ws::ws))
        .split_for_parts()
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
            access::guard,
        ))
        .fallback(|| async { ApiError::not_found("no such route").into_response() })
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
