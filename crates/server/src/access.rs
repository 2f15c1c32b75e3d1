//! The access layer every route passes through: the IP allowlist, the
//! per-address rate limit, the route's rule from [`crate::policy`], the
//! caller's credentials and role, the TOTP step-up, the per-caller rate
//! limit; then, after the handler, the audit entry of every state-changing
//! request (allowed or not), the request metrics and the request's
//! duration for `GET /system`'s latency quantiles.

use crate::auth::caller::{Caller, authenticate};
use crate::error::ApiError;
use crate::policy::{Access, rule};
use crate::state::AppState;
use crate::trail;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Instant;

/// Details a handler adds to its audit entry (a login names its user).
#[derive(Debug, Clone, Default)]
pub struct AuditNote {
    pub actor: Option<String>,
    pub detail: serde_json::Value,
}

/// The middleware.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let path = request.uri().path().to_string();
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let (response, actor) = match admit(&state, &method, &template, ip, request).await {
        Ok((request, actor)) => (next.run(request).await, actor),
        Err((e, actor)) => (e.into_response(), actor),
    };
    let status = response.status().as_u16();
    if method != Method::GET && method != Method::HEAD {
        let note = response
            .extensions()
            .get::<AuditNote>()
            .cloned()
            .unwrap_or_default();
        let actor = note.actor.or(actor).unwrap_or_else(|| {
            ip.map_or_else(|| "anonymous".to_string(), |ip| format!("anonymous@{ip}"))
        });
        let action = format!("{method} {template}");
        // The SQLite append runs on a blocking thread: awaited (the entry
        // is written before the answer leaves) without holding up the
        // async workers that serve other requests.
        let audit = state.clone();
        let outcome = status.to_string();
        let written = tokio::task::spawn_blocking(move || {
            trail::record(&audit, &actor, &action, &path, &outcome, note.detail);
        })
        .await;
        if let Err(e) = written {
            tracing::error!("audit log: the append task failed: {e}");
        }
    }
    let elapsed = started.elapsed();
    state
        .metrics
        .api_request(&template, method.as_str(), status, elapsed);
    state.vitals.request(elapsed);
    response
}

/// The request to run (with its caller), or why not; and the actor.
type Admitted = (Request, Option<String>);

async fn admit(
    state: &AppState,
    method: &Method,
    template: &str,
    ip: Option<std::net::IpAddr>,
    mut request: Request,
) -> Result<Admitted, (ApiError, Option<String>)> {
    if let Some(ip) = ip {
        if !state.allowlist.is_empty() && !state.allowlist.iter().any(|b| b.contains(ip)) {
            let e =
                ApiError::forbidden("ip_not_allowed", format!("{ip} is not on api.ip_allowlist"));
            return Err((e, None));
        }
        state
            .limits
            .check(&format!("ip:{ip}"))
            .await
            .map_err(|e| (e, None))?;
    }
    let access = rule(method.as_str(), template).ok_or_else(|| {
        let e = ApiError::forbidden(
            "no_policy",
            format!("{method} {template} has no access rule"),
        );
        (e, None)
    })?;
    if access == Access::Public {
        return Ok((request, None));
    }
    let query_token = token_param(request.uri().query());
    let caller =
        authenticate(state, request.headers(), query_token.as_deref()).map_err(|e| (e, None))?;
    let actor = Some(caller.actor());
    let fail = |e: ApiError| (e, actor.clone());
    if !access.allows(caller.role) {
        return Err(fail(ApiError::forbidden(
            "forbidden",
            format!("the {} role may not call {method} {template}", caller.role),
        )));
    }
    if matches!(access, Access::StepUp(_) | Access::OwnAccount) && caller.username().is_none() {
        return Err(fail(ApiError::forbidden(
            "user_required",
            "this route needs a signed-in user, not an API key",
        )));
    }
    if matches!(access, Access::StepUp(_)) {
        crate::auth::step_up::check(state, &caller, request.headers()).map_err(fail)?;
    }
    state.limits.check(&caller.actor()).await.map_err(fail)?;
    request.extensions_mut().insert(caller);
    Ok((request, actor))
}

/// The `token` query parameter (WebSocket clients).
fn token_param(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// The caller, for handlers (inserted by the access layer).
pub type CallerExt = axum::Extension<Caller>;
