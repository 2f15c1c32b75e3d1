//! The Binance user data stream: order and fill updates.
//!
//! Two ways in, same events out:
//! - the listen-key flow (spot and USD-M): `POST` a listen key, connect to
//!   `/ws/<key>`, `PUT` it every 30 minutes; when it expires, make a new
//!   one and reconnect;
//! - the WebSocket API (spot, now preferred by Binance): connect to the
//!   WS API and send `userDataStream.subscribe.signature`, signed afresh on
//!   every (re)connect. Events arrive wrapped as
//!   `{"subscriptionId":0,"event":{…}}`.
//!
//! After every reconnect the consumer gets `Connected { reconnect: true }`
//! and must reconcile (query open orders and those in an unknown state):
//! events sent while the connection was down are not replayed.

use super::endpoints::BinanceUrls;
use super::error::{BinanceError, ParseError};
use super::order_info::{fee_charge, map_status};
use super::parse_util::{dec, from_json, json_error};
use super::rest::BinanceRest;
use crate::common::held_connect::HeldConnect;
use crate::common::running_stream::RunningStream;
use crate::execution::{OrderUpdate, UserEvent, VenueOrder};
use crate::net::ws::FrameFactory;
use crate::net::{WsClient, WsConfig, WsEvent};
use crate::stream::UserStreamEvent;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use smc_model::Timestamp;
use smc_model::{ClientOrderId, Fill, InstrumentId, Liquidity, Side};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// `{"subscriptionId":0,"event":{…}}` (WS API) or `{"stream":…,"data":{…}}`
/// (combined streams, Binance.US).
#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow, alias = "data")]
    event: &'a RawValue,
}

/// Parses one user data frame (raw or wrapped by the WS API).
pub fn parse_user_event(venue: &str, text: &str) -> Result<UserEvent, ParseError> {
    let t = text.trim();
    let wrapped = (t.contains(r#""subscriptionId""#) && t.contains(r#""event""#))
        || (t.contains(r#""stream""#) && t.contains(r#""data""#));
    let data = if wrapped {
        from_json::<Wrapped<'_>>("user data envelope", t)?
            .event
            .get()
    } else {
        t
    };
    #[derive(Deserialize)]
    struct Head<'a> {
        #[serde(default, borrow)]
        e: Option<&'a str>,
        #[serde(default)]
        id: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        error: Option<serde::de::IgnoredAny>,
    }
    let head: Head<'_> = from_json("user data", data)?;
    match head.e {
        Some("executionReport") => {
            execution_report(venue, data).map(|u| UserEvent::Order(Box::new(u)))
        }
        Some("ORDER_TRADE_UPDATE") => {
            order_trade_update(venue, data).map(|u| UserEvent::Order(Box::new(u)))
        }
        Some("ALGO_UPDATE") => algo_update(venue, data).map(|u| UserEvent::Order(Box::new(u))),
        Some("listenKeyExpired" | "eventStreamTerminated") => Ok(UserEvent::StreamExpired),
        Some(other) => Ok(UserEvent::Ignored(other.to_string())),
        // A refused subscription: nothing will come on this connection.
        None if head.id.is_some() && head.error.is_some() => Err(ParseError::Field {
            what: "user data subscription",
            field: "error".into(),
            detail: data.chars().take(200).collect(),
        }),
        None if head.id.is_some() => Ok(UserEvent::Ignored("response".into())),
        None => Err(ParseError::Field {
            what: "user data",
            field: "e".into(),
            detail: "missing".into(),
        }),
    }
}

fn instrument(what: &'static str, venue: &str, symbol: &str) -> Result<InstrumentId, ParseError> {
    InstrumentId::new(venue, symbol).map_err(|e| ParseError::Field {
        what,
        field: "s".into(),
        detail: e.to_string(),
    })
}

fn side(what: &'static str, s: &str) -> Result<Side, ParseError> {
    match s {
        "BUY" => Ok(Side::Buy),
        "SELL" => Ok(Side::Sell),
        other => Err(ParseError::Field {
            what,
            field: "S".into(),
            detail: format!("unknown side `{other}`"),
        }),
    }
}

/// The fields spot `executionReport` and USD-M `ORDER_TRADE_UPDATE.o` share.
#[derive(Deserialize)]
struct Exec<'a> {
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(rename = "c", borrow)]
    client_id: &'a str,
    /// Spot: the original client id of a cancelled order.
    #[serde(rename = "C", default, borrow)]
    orig_client_id: Option<&'a str>,
    #[serde(rename = "S", borrow)]
    side: &'a str,
    #[serde(rename = "x", borrow)]
    exec_type: &'a str,
    #[serde(rename = "X", borrow)]
    status: &'a str,
    #[serde(rename = "i")]
    order_id: u64,
    #[serde(rename = "l", borrow)]
    last_qty: &'a str,
    #[serde(rename = "z", borrow)]
    cum_qty: &'a str,
    #[serde(rename = "L", borrow)]
    last_price: &'a str,
    #[serde(rename = "n", default, borrow)]
    commission: Option<&'a str>,
    #[serde(rename = "N", default, borrow)]
    commission_asset: Option<&'a str>,
    #[serde(rename = "T")]
    time: i64,
    #[serde(rename = "t")]
    trade_id: i64,
    #[serde(rename = "m", default)]
    maker: bool,
    #[serde(rename = "r", default, borrow)]
    reject_reason: Option<&'a str>,
}

fn exec_update(what: &'static str, venue: &str, x: &Exec<'_>) -> Result<OrderUpdate, ParseError> {
    let instrument = instrument(what, venue, x.symbol)?;
    let client = match x.orig_client_id {
        Some(c) if !c.is_empty() => c,
        _ => x.client_id,
    };
    let client_id = ClientOrderId::new(client);
    let side = side(what, x.side)?;
    let last_qty = dec(what, "l", x.last_qty)?;
    let price = dec(what, "L", x.last_price)?;
    let commission = x
        .commission
        .map_or(Ok(Decimal::ZERO), |c| dec(what, "n", c))?;
    let commission_asset = x.commission_asset.filter(|a| !a.is_empty());
    let (fee, fee_source) = fee_charge(what, x.symbol, commission_asset, commission, price)?;
    let fill =
        (x.exec_type == "TRADE" && last_qty > Decimal::ZERO && x.trade_id >= 0).then(|| Fill {
            client_id: client_id.clone(),
            instrument: instrument.clone(),
            trade_id: x.trade_id.to_string(),
            side,
            price,
            qty: last_qty,
            fee,
            fee_source,
            liquidity: if x.maker {
                Liquidity::Maker
            } else {
                Liquidity::Taker
            },
            time: Timestamp::from_ms(x.time),
        });
    let order = VenueOrder {
        client_id,
        instrument,
        venue_order_id: x.order_id.to_string(),
        status: map_status(x.status),
        orig_qty: Decimal::ZERO,
        filled_qty: dec(what, "z", x.cum_qty)?,
        fills: fill.into_iter().collect(),
        reject_reason: x
            .reject_reason
            .filter(|r| !r.is_empty() && *r != "NONE")
            .map(str::to_string),
        time: x.time,
    };
    Ok(OrderUpdate {
        order,
        execution_type: x.exec_type.to_string(),
        commission,
        commission_asset: commission_asset.map(str::to_string),
    })
}

fn execution_report(venue: &str, data: &str) -> Result<OrderUpdate, ParseError> {
    const W: &str = "executionReport";
    let x: Exec<'_> = from_json(W, data)?;
    exec_update(W, venue, &x)
}

fn order_trade_update(venue: &str, data: &str) -> Result<OrderUpdate, ParseError> {
    const W: &str = "ORDER_TRADE_UPDATE";
    #[derive(Deserialize)]
    struct Msg<'a> {
        #[serde(borrow)]
        o: Exec<'a>,
    }
    let m: Msg<'_> = serde_json::from_str(data).map_err(|e| json_error(W, &e, data))?;
    exec_update(W, venue, &m.o)
}

fn algo_update(venue: &str, data: &str) -> Result<OrderUpdate, ParseError> {
    const W: &str = "ALGO_UPDATE";
    #[derive(Deserialize)]
    struct Algo<'a> {
        #[serde(borrow)]
        caid: &'a str,
        aid: u64,
        #[serde(borrow)]
        s: &'a str,
        #[serde(rename = "X", borrow)]
        status: &'a str,
        #[serde(default, borrow)]
        aq: Option<&'a str>,
        #[serde(default, borrow)]
        rm: Option<&'a str>,
    }
    #[derive(Deserialize)]
    struct Msg<'a> {
        #[serde(rename = "T")]
        time: i64,
        #[serde(borrow)]
        o: Algo<'a>,
    }
    let m: Msg<'_> = from_json(W, data)?;
    let a = &m.o;
    let order = VenueOrder {
        client_id: ClientOrderId::new(a.caid),
        instrument: instrument(W, venue, a.s)?,
        venue_order_id: a.aid.to_string(),
        status: map_status(a.status),
        orig_qty: Decimal::ZERO,
        filled_qty: a.aq.map_or(Ok(Decimal::ZERO), |q| dec(W, "aq", q))?,
        fills: Vec::new(),
        reject_reason: a.rm.filter(|r| !r.is_empty()).map(str::to_string),
        time: m.time,
    };
    Ok(OrderUpdate {
        order,
        execution_type: a.status.to_string(),
        commission: Decimal::ZERO,
        commission_asset: None,
    })
}

/// The WS API frame that subscribes this session to the user data stream,
/// signed with the HMAC key (parameters sorted by name, as the WS API
/// signs them).
pub fn ws_api_subscribe_frame(rest: &BinanceRest, request_id: u64) -> Result<String, BinanceError> {
    let (Some(key), Some(signer)) = (rest.api_key(), rest.signer()) else {
        return Err(BinanceError::Config(
            "user data stream needs credentials".into(),
        ));
    };
    let timestamp = rest.time_offset().venue_now_ms();
    let payload = format!("apiKey={key}&timestamp={timestamp}");
    let signature = signer.sign(payload.as_bytes());
    let frame = serde_json::json!({
        "id": request_id.to_string(),
        "method": "userDataStream.subscribe.signature",
        "params": { "apiKey": key, "timestamp": timestamp, "signature": signature },
    });
    Ok(frame.to_string())
}

/// A running user data stream. Dropping it closes the connection.
#[derive(Debug)]
pub struct UserStream {
    _running: RunningStream,
}

impl UserStream {
    /// The listen-key flow: create a key, connect, keep it alive every
    /// `keepalive`, renew it when it expires.
    pub async fn listen_key(
        rest: BinanceRest,
        urls: &BinanceUrls,
        keepalive: Duration,
    ) -> Result<(UserStream, mpsc::Receiver<UserStreamEvent>), BinanceError> {
        let mut key = rest.create_listen_key().await?;
        let (ws, mut events) = WsClient::spawn(WsConfig::new(urls.user_stream(&key)));
        let (tx, rx) = mpsc::channel(1024);
        let urls = urls.clone();
        let venue = rest.market().venue();
        let ws2 = ws.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(keepalive);
            tick.tick().await;
            loop {
                let renew = tokio::select! {
                    ev = events.recv() => {
                        let Some(ev) = ev else { return };
                        let (out, expired) = forward(venue, ev);
                        if tx.send(out).await.is_err() {
                            return;
                        }
                        expired
                    }
                    _ = tick.tick() => match rest.keepalive_listen_key(&key).await {
                        Ok(()) => false,
                        Err(e) => {
                            tracing::warn!(%e, "listen key keep-alive failed: renewing");
                            true
                        }
                    },
                };
                if renew {
                    match rest.create_listen_key().await {
                        Ok(k) => {
                            key = k;
                            ws2.reconnect(Some(urls.user_stream(&key)));
                        }
                        Err(e) => tracing::error!(%e, "cannot renew the listen key"),
                    }
                }
            }
        });
        Ok((
            UserStream {
                _running: RunningStream::new(ws, [task]),
            },
            rx,
        ))
    }

    /// The WebSocket API flow (spot): subscribe with a signed request on
    /// every connect.
    pub fn ws_api(
        rest: BinanceRest,
        ws_api_url: &str,
    ) -> Result<(UserStream, mpsc::Receiver<UserStreamEvent>), BinanceError> {
        ws_api_subscribe_frame(&rest, 0)?; // fail now if there are no credentials
        let ids = Arc::new(AtomicU64::new(1));
        let signer_rest = rest.clone();
        let factory: FrameFactory = Arc::new(move || {
            let id = ids.fetch_add(1, Ordering::Relaxed);
            ws_api_subscribe_frame(&signer_rest, id)
                .into_iter()
                .collect()
        });
        let mut config = WsConfig::new(ws_api_url);
        config.on_connect = Some(factory);
        let (ws, mut events) = WsClient::spawn(config);
        let (tx, rx) = mpsc::channel(1024);
        let venue = rest.market().venue();
        let task = tokio::spawn(async move {
            // `Connected` is held until the venue answers the subscription
            // (its first frame).
            let mut gate = HeldConnect::new(SUBSCRIBE_ANSWER_WAIT);
            while let Some(ev) = gate.next(&mut events).await {
                if matches!(ev, WsEvent::Text(_))
                    && let Some(reconnect) = gate.answered()
                    && tx
                        .send(UserStreamEvent::Connected { reconnect })
                        .await
                        .is_err()
                {
                    return;
                }
                if tx.send(forward(venue, ev).0).await.is_err() {
                    return;
                }
            }
        });
        Ok((
            UserStream {
                _running: RunningStream::new(ws, [task]),
            },
            rx,
        ))
    }
}

/// How long `Connected` waits for the venue's answer to the subscription.
const SUBSCRIBE_ANSWER_WAIT: Duration = Duration::from_secs(5);

/// One socket event to a stream event; true if the stream expired.
fn forward(venue: &str, ev: WsEvent) -> (UserStreamEvent, bool) {
    match ev {
        WsEvent::Connected { reconnect } => (UserStreamEvent::Connected { reconnect }, false),
        WsEvent::Disconnected { reason } => (UserStreamEvent::Disconnected { reason }, false),
        WsEvent::Text(t) => match parse_user_event(venue, &t) {
            Ok(UserEvent::StreamExpired) => {
                (UserStreamEvent::Event(UserEvent::StreamExpired), true)
            }
            Ok(e) => (UserStreamEvent::Event(e), false),
            Err(e) => {
                tracing::warn!(%e, "malformed user data frame skipped");
                (UserStreamEvent::Malformed(e.to_string()), false)
            }
        },
    }
}
