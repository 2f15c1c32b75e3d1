//! `/api/v1/orders` and `/api/v1/positions/flatten`: orders an operator
//! places, cancels or closes in a running session. Each is journaled and
//! run between two candles through the same risk gate and execution as
//! the strategy's (paper: simulated fills; live: sent to the venue).

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::host::SessionState;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_engine::OperatorDecision;
use smc_model::{OrderKind, RiskVerdict, Side};
use smc_runtime::{OperatorCommand, OperatorIntent};
use std::sync::PoisonError;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SideArg {
    Buy,
    Sell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeArg {
    Market,
    Limit,
    Stop,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub session: String,
    pub symbol: String,
    pub side: SideArg,
    #[serde(rename = "type")]
    pub kind: TypeArg,
    /// A decimal, as a string (`"0.01"`).
    #[schema(value_type = String, pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub qty: Decimal,
    /// Limit price (`limit`; with `stop_price`, a stop-limit).
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub price: Option<Decimal>,
    /// Trigger price (`stop`).
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub stop_price: Option<Decimal>,
    /// Only reduce the position.
    #[serde(default)]
    pub reduce_only: bool,
}

/// An order the session accepted from the operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedOrder {
    pub client_id: String,
    pub session: String,
    pub symbol: String,
    pub side: SideArg,
    #[serde(rename = "type")]
    pub kind: TypeArg,
    pub qty: String,
    pub price: Option<String>,
    pub stop_price: Option<String>,
    /// `approved` or `resized` by the risk gate.
    pub risk: String,
}

fn positive(field: &str, value: Option<Decimal>) -> ApiResult<Decimal> {
    match value {
        Some(v) if v > Decimal::ZERO => Ok(v),
        Some(_) => Err(ApiError::invalid(field, "must be positive")),
        None => Err(ApiError::invalid(field, "is required for this order type")),
    }
}

fn kind(order: &NewOrder) -> ApiResult<OrderKind> {
    Ok(match order.kind {
        TypeArg::Market => OrderKind::Market,
        TypeArg::Limit => OrderKind::Limit {
            price: positive("price", order.price)?,
        },
        TypeArg::Stop => {
            let trigger = positive("stop_price", order.stop_price)?;
            match order.price {
                None => OrderKind::StopMarket { trigger },
                Some(_) => OrderKind::StopLimit {
                    trigger,
                    price: positive("price", order.price)?,
                },
            }
        }
    })
}

/// Sends `command` to `session` and waits for its decisions.
pub(crate) async fn run(
    state: &AppState,
    session: &str,
    command: OperatorCommand,
) -> ApiResult<Vec<OperatorDecision>> {
    let answer = match state.host.operate(session, command) {
        None => return Err(ApiError::not_found(format!("no session `{session}`"))),
        Some(Err(s)) => {
            return Err(ApiError::conflict(
                format!("session `{session}` is {s:?}, not running").to_lowercase(),
            ));
        }
        Some(Ok(Ok(answer))) => answer,
        Some(Ok(Err(smc_runtime::NotTaken::Busy))) => {
            let mut e = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "session_busy",
                format!("session `{session}` has a full queue of commands; retry shortly"),
            );
            e.retry_after = Some(1);
            return Err(e);
        }
        Some(Ok(Err(smc_runtime::NotTaken::Stopped))) => {
            return Err(ApiError::conflict(format!(
                "session `{session}` has stopped"
            )));
        }
    };
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), answer).await;
    match waited {
        Err(_) => Err(ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "session_busy",
            "the session did not take the command within 10 s; it may still run it",
        )),
        Ok(Err(_)) => Err(ApiError::conflict(
            "the session stopped before taking the command",
        )),
        Ok(Ok(Err(why))) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "order_refused",
            why,
        )),
        Ok(Ok(Ok(decisions))) => Ok(decisions),
    }
}

/// Places an order in a running session (risk-checked like the strategy's).
#[utoipa::path(post, path = "/api/v1/orders", tag = "trading", request_body = NewOrder,
    responses((status = 201, body = PlacedOrder), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 503, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn place(
    State(state): State<AppState>,
    Body(order): Body<NewOrder>,
) -> ApiResult<(StatusCode, Json<PlacedOrder>)> {
    let qty = positive("qty", Some(order.qty))?;
    let step = OperatorIntent::Place {
        symbol: order.symbol.clone(),
        side: if order.side == SideArg::Buy {
            Side::Buy
        } else {
            Side::Sell
        },
        qty,
        kind: kind(&order)?,
        reduce_only: order.reduce_only,
    };
    let decisions = run(
        &state,
        &order.session,
        OperatorCommand {
            intents: vec![step],
        },
    )
    .await?;
    let decision = decisions
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("placing an order", "the session decided nothing"))?;
    let risk = match decision.verdict {
        RiskVerdict::Refused { reason } => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "risk_refused",
                reason,
            ));
        }
        RiskVerdict::Approved => "approved".to_string(),
        RiskVerdict::Resized { reason } => format!("resized: {reason}"),
    };
    let placed = PlacedOrder {
        client_id: decision.client_id.to_string(),
        session: order.session,
        symbol: order.symbol,
        side: order.side,
        kind: order.kind,
        qty: qty.to_string(),
        price: order.price.map(|p| p.to_string()),
        stop_price: order.stop_price.map(|p| p.to_string()),
        risk,
    };
    Ok((StatusCode::CREATED, Json(placed)))
}

/// Cancels an open order of whichever running session holds it.
#[utoipa::path(delete, path = "/api/v1/orders/{id}", tag = "trading", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let holder = state.host.with_sessions(|s| {
        s.values()
            .find(|h| {
                h.state == SessionState::Running
                    && h.view
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .orders
                        .contains_key(&id)
            })
            .map(|h| h.id.clone())
    });
    let session = holder
        .ok_or_else(|| ApiError::not_found(format!("no open order `{id}` in a running session")))?;
    let client_id = smc_model::ClientOrderId::new(id);
    let command = OperatorCommand {
        intents: vec![OperatorIntent::Cancel { client_id }],
    };
    run(&state, &session, command).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Flatten {
    pub session: String,
    /// Only this symbol's position (default: every position).
    pub symbol: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Flattened {
    /// The closing orders placed.
    pub orders: Vec<String>,
}

/// Cancels the orders of every open position of a session and closes it at market.
#[utoipa::path(post, path = "/api/v1/positions/flatten", tag = "trading", request_body = Flatten,
    responses((status = 200, body = Flattened), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn flatten(
    State(state): State<AppState>,
    Body(req): Body<Flatten>,
) -> ApiResult<Json<Flattened>> {
    let command = OperatorCommand {
        intents: vec![OperatorIntent::Flatten { symbol: req.symbol }],
    };
    let decisions = run(&state, &req.session, command).await?;
    Ok(Json(Flattened {
        orders: decisions
            .into_iter()
            .filter(|d| !matches!(d.verdict, RiskVerdict::Refused { .. }))
            .map(|d| d.client_id.to_string())
            .collect(),
    }))
}
