//! The private stream (`/v5/private`): order, execution, position and
//! wallet updates of the account.
//!
//! On every (re)connect it sends `{"op":"auth","args":[apiKey, expires,
//! sig]}` (signed afresh, `expires` ten seconds ahead of venue time), then
//! subscribes to `order`, `execution`, `position` and `wallet`; it pings
//! with `{"op":"ping"}` every 20 s as Bybit asks. `Connected` is reported
//! once the subscription is acknowledged (an order placed on seeing it is
//! then streamed), or after 5 s without an answer. After a reconnect the
//! consumer must reconcile: Bybit does not replay what it sent while the
//! connection was down.
//!
//! One private connection carries every category; records of another
//! category than the venue's (a linear order on the spot venue) are left
//! out. Order records become updates without a fill (their
//! `execution_type` is Bybit's `orderStatus`); execution records of type
//! `Trade` become updates with their fill (`execution_type` `Trade`), the
//! order's state inferred from `leavesQty` (0: filled).

use super::endpoints::BybitCategory;
use super::error::{BybitError, ParseError};
use super::market_parse::{ControlAnswer, PING, topic};
use super::orders::{RawExecution, RawOrder, execution_order_qty, parse_fill, parse_order};
use super::rest::BybitRest;
use super::sign::ws_auth_frame;
use crate::binance::parse_util::{dec, from_json, json_error};
use crate::common::held_connect::HeldConnect;
use crate::common::running_stream::RunningStream;
use crate::execution::{OrderUpdate, UserEvent, VenueOrder};
use crate::net::ws::FrameFactory;
use crate::net::{WsClient, WsConfig, WsEvent};
use crate::stream::UserStreamEvent;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use smc_model::{ClientOrderId, OrderStatus};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The private topics subscribed.
pub const TOPICS: [&str; 4] = ["order", "execution", "position", "wallet"];

/// How far ahead of venue time the auth request expires.
const AUTH_EXPIRY_MS: i64 = 10_000;
/// How long `Connected` waits for the subscription's answer.
const SUBSCRIBE_ANSWER_WAIT: Duration = Duration::from_secs(5);
/// Bybit asks for a ping every 20 s.
const PING_EVERY: Duration = Duration::from_secs(20);

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
}

/// Parses one private frame into the events it carries (a frame may hold
/// several orders or executions).
pub fn parse_private(category: BybitCategory, text: &str) -> Result<Vec<UserEvent>, ParseError> {
    let venue = category.venue();
    let spot = category == BybitCategory::Spot;
    let ours = |c: &Option<String>| c.as_deref().is_none_or(|c| c == category.as_str());
    let Some(t) = topic(text) else {
        return control(text);
    };
    // `order.spot`, `execution.linear`: category-scoped variants.
    let base = t.split('.').next().unwrap_or(t);
    match base {
        "order" => {
            const W: &str = "order (stream)";
            let env: Envelope<'_> = from_json(W, text)?;
            let data = env.data.get();
            let list: Vec<RawOrder> =
                serde_json::from_str(data).map_err(|e| json_error(W, &e, data))?;
            let mut out = Vec::new();
            for r in list.iter().filter(|r| ours(&r.category)) {
                let order = parse_order(W, venue, r)?;
                out.push(UserEvent::Order(Box::new(OrderUpdate {
                    order,
                    execution_type: r.order_status.clone().unwrap_or_default(),
                    commission: Decimal::ZERO,
                    commission_asset: None,
                })));
            }
            Ok(out)
        }
        "execution" => {
            const W: &str = "execution (stream)";
            let env: Envelope<'_> = from_json(W, text)?;
            let data = env.data.get();
            let list: Vec<RawExecution> =
                serde_json::from_str(data).map_err(|e| json_error(W, &e, data))?;
            let mut out = Vec::new();
            for r in list.iter().filter(|r| ours(&r.category)) {
                if !r.is_trade() {
                    out.push(UserEvent::Ignored(format!(
                        "execution {}",
                        r.exec_type.as_deref().unwrap_or_default()
                    )));
                    continue;
                }
                out.push(UserEvent::Order(Box::new(execution_update(
                    W, venue, spot, r,
                )?)));
            }
            Ok(out)
        }
        other => Ok(vec![UserEvent::Ignored(other.to_string())]),
    }
}

fn execution_update(
    what: &'static str,
    venue: &str,
    spot: bool,
    r: &RawExecution,
) -> Result<OrderUpdate, ParseError> {
    let fill = parse_fill(what, venue, spot, r)?;
    let (orig_qty, leaves) = execution_order_qty(what, r)?;
    let (status, filled_qty) = match leaves {
        Some(l) if l.is_zero() => (OrderStatus::Filled, orig_qty),
        Some(l) => (
            OrderStatus::PartiallyFilled,
            (orig_qty - l).max(Decimal::ZERO),
        ),
        // `execution.fast` leaves the order's remainder out.
        None => (OrderStatus::PartiallyFilled, Decimal::ZERO),
    };
    let commission = match r.exec_fee.as_deref() {
        None | Some("") => Decimal::ZERO,
        Some(f) => dec(what, "execFee", f)?,
    };
    let time = fill.time.ms();
    Ok(OrderUpdate {
        order: VenueOrder {
            client_id: ClientOrderId::new(r.order_link_id.clone().unwrap_or_default()),
            instrument: fill.instrument.clone(),
            venue_order_id: r.order_id.clone().unwrap_or_default(),
            status,
            orig_qty,
            filled_qty,
            fills: vec![fill],
            reject_reason: None,
            time,
        },
        execution_type: "Trade".into(),
        commission,
        commission_asset: r.fee_currency.clone().filter(|c| !c.is_empty()),
    })
}

/// An answer to `auth`, `subscribe` or `ping`.
fn control(text: &str) -> Result<Vec<UserEvent>, ParseError> {
    let c: ControlAnswer = from_json("private control", text)?;
    let message = c.message();
    let op = c.op.unwrap_or_default();
    if c.success == Some(false) {
        return Err(ParseError::Field {
            what: "private stream",
            field: op,
            detail: format!("refused: {message}"),
        });
    }
    Ok(vec![UserEvent::Ignored(if op.is_empty() {
        "response".into()
    } else {
        op
    })])
}

/// The frames sent on every connect: auth, then the subscription.
pub fn connect_frames(rest: &BybitRest) -> Result<Vec<String>, BybitError> {
    let (Some(key), Some(signer)) = (rest.api_key(), rest.signer()) else {
        return Err(BybitError::Config(
            "the private stream needs credentials".into(),
        ));
    };
    let expires = rest.time_offset().venue_now_ms() + AUTH_EXPIRY_MS;
    Ok(vec![
        ws_auth_frame(signer.as_ref(), key, expires),
        serde_json::json!({ "op": "subscribe", "req_id": "smc-private", "args": TOPICS })
            .to_string(),
    ])
}

/// A running private stream. Dropping it closes the connection.
#[derive(Debug)]
pub struct PrivateStream {
    _running: RunningStream,
}

/// Sends Bybit's application ping every 20 s.
pub(crate) fn spawn_pinger(ws: WsClient) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PING_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            ws.send(PING);
        }
    })
}

impl PrivateStream {
    /// Connects to `url` with `rest`'s credentials.
    pub fn start(
        rest: BybitRest,
        url: &str,
    ) -> Result<(PrivateStream, mpsc::Receiver<UserStreamEvent>), BybitError> {
        connect_frames(&rest)?; // fail now if there are no credentials
        let category = rest.category();
        let factory: FrameFactory = Arc::new(move || connect_frames(&rest).unwrap_or_default());
        let mut config = WsConfig::new(url);
        config.on_connect = Some(factory);
        config.ping_interval = PING_EVERY;
        let (ws, mut events) = WsClient::spawn(config);
        let (tx, rx) = mpsc::channel(1024);
        let task = tokio::spawn(async move {
            // `Connected` is held until Bybit answers the subscription.
            let mut gate = HeldConnect::new(SUBSCRIBE_ANSWER_WAIT);
            while let Some(ev) = gate.next(&mut events).await {
                let out: Vec<UserStreamEvent> = match ev {
                    WsEvent::Connected { reconnect } => {
                        vec![UserStreamEvent::Connected { reconnect }]
                    }
                    WsEvent::Disconnected { reason } => {
                        vec![UserStreamEvent::Disconnected { reason }]
                    }
                    WsEvent::Text(t) => {
                        let parsed = parse_private(category, &t);
                        let mut out = Vec::new();
                        let answered = matches!(&parsed, Ok(v) if v.iter().any(|e| matches!(e, UserEvent::Ignored(op) if op == "subscribe")))
                            || parsed.is_err();
                        if answered && let Some(reconnect) = gate.answered() {
                            out.push(UserStreamEvent::Connected { reconnect });
                        }
                        match parsed {
                            Ok(events) => out.extend(events.into_iter().filter_map(|e| match e {
                                // Control answers are not news.
                                UserEvent::Ignored(op)
                                    if matches!(
                                        op.as_str(),
                                        "auth" | "subscribe" | "ping" | "pong"
                                    ) =>
                                {
                                    None
                                }
                                e => Some(UserStreamEvent::Event(e)),
                            })),
                            Err(e) => {
                                tracing::warn!(%e, "private stream frame refused or malformed");
                                out.push(UserStreamEvent::Malformed(e.to_string()));
                            }
                        }
                        out
                    }
                };
                for e in out {
                    if tx.send(e).await.is_err() {
                        return;
                    }
                }
            }
        });
        let pinger = spawn_pinger(ws.clone());
        Ok((
            PrivateStream {
                _running: RunningStream::new(ws, [task, pinger]),
            },
            rx,
        ))
    }
}
