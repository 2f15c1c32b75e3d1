//! `POST /api/v1/risk/breakers/{name}/reset`: an admin releases a tripped
//! circuit breaker of a running session, after a TOTP step-up (the access
//! layer checks it). The release goes through the session like an order:
//! journaled, written to the breaker store and the audit chain, emitted.

use crate::access::CallerExt;
use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::orders::run;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use smc_runtime::{BreakerReset, OperatorCommand, OperatorIntent};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    pub session: String,
    /// Why it is safe to trade again (recorded with the operator's name).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    pub breaker: String,
    pub session: String,
    pub operator: String,
}

/// Releases a tripped breaker (admin, `X-TOTP` step-up); it cools down, then is armed again.
#[utoipa::path(post, path = "/api/v1/risk/breakers/{name}/reset", tag = "risk", request_body = ResetBody,
    params(("name" = String, Path)),
    responses((status = 200, body = Released), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 503, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reset(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    Path(name): Path<String>,
    Body(body): Body<ResetBody>,
) -> ApiResult<Json<Released>> {
    if body.reason.trim().is_empty() {
        return Err(ApiError::invalid(
            "reason",
            "say why it is safe to trade again",
        ));
    }
    let operator = caller.username().unwrap_or_default().to_string();
    let command = OperatorCommand {
        intents: vec![OperatorIntent::ResetBreaker(BreakerReset {
            name: name.clone(),
            operator: operator.clone(),
            reason: body.reason,
        })],
    };
    run(&state, &body.session, command).await?;
    Ok(Json(Released {
        breaker: name,
        session: body.session,
        operator,
    }))
}
