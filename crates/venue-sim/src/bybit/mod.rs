//! The Bybit v5 protocol (`smc venue-sim --protocol bybit`) over the shared
//! state: the same replayed market, the same per-key spot and futures
//! accounts matched by the engine's matching engine, the same faults.
//!
//! - `category=spot` trades the key's spot account, `category=linear` its
//!   futures (USD-M) account; `inverse` and `option` are refused (10001).
//! - The unified wallet (`accountType=UNIFIED`, the only type served)
//!   presents both accounts as one: one USDT coin whose wallet balance is
//!   the starting balance plus the spot account's cash change plus the
//!   futures account's realized P&L and fees, and one coin per base asset
//!   held on spot. Each account keeps its own matching book-keeping, so a
//!   new order must also fit the unified available balance (checked here
//!   before the account's own check), which keeps one starting balance from
//!   being spent twice.
//! - Errors are Bybit's envelope `{"retCode","retMsg","result","retExtInfo",
//!   "time"}`, HTTP 200 for request errors (wrong signature included), as
//!   Bybit answers (docs/v5/error).
//!
//! Sources of the facts: Bybit's v5 OpenAPI and recorded messages in
//! shared/data (exchange-specs/bybit, exchange-messages/bybit), the signing
//! rules of shared/research/exchange_vectors.md section 3, Bybit's error and
//! rate-limit pages (bybit-exchange.github.io/docs/v5/error, /rate-limit).

/// Key, signature and timestamp checks (REST headers, WebSocket auth).
pub mod auth;
/// The envelope, errors and Bybit's codes.
pub mod envelope;
/// Order filters with Bybit's codes per category.
pub mod filters;
/// The REST front door: route table, faults, limits, auth, headers.
pub mod front;
/// `instruments-info` generated from the replayed series' rules.
pub mod instruments;
/// Public market endpoints.
pub mod market;
/// Request parameters (query string or JSON body).
pub mod params;
/// The private WebSocket (`/v5/private`).
pub mod private_ws;
/// The public WebSockets (`/v5/public/spot`, `/v5/public/linear`).
pub mod public_ws;
/// Bybit's per-UID, per-endpoint limits and the IP limit.
pub mod ratelimit;
/// JSON of orders, executions, positions and the wallet.
pub mod shapes;
/// Take-profit and stop-loss attached to linear orders.
pub mod tpsl;
/// Order endpoints.
pub mod trade;
/// Wallet, fee-rate, key-information and position endpoints.
pub mod user;

use crate::routes::Family;
use crate::state::Shared;
use axum::Router;
use axum::routing::{any, get};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What Bybit keeps about an order beyond the shared record.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// The `orderLinkId` the client gave ("" when none: the shared record
    /// then carries a generated, unique client id).
    pub link: String,
    /// `triggerDirection`: 1 rises to the trigger, 2 falls to it, 0 none.
    pub trigger_direction: u8,
    /// `lastPriceOnCreated`.
    pub last_price_on_created: Decimal,
    /// `orderFilter` of a spot order (`Order` or `StopOrder`).
    pub order_filter: String,
    /// Whether a market buy on spot was sized in quote (`marketUnit`).
    pub quote_unit: bool,
    /// Take-profit/stop-loss asked for with the order (linear).
    pub attached: tpsl::Attached,
    /// Whether its take-profit/stop-loss legs were placed (or dropped).
    pub legs_placed: bool,
    /// `stopOrderType` of a take-profit/stop-loss leg.
    pub stop_order_type: String,
    /// The entry order a leg belongs to.
    pub parent: Option<u64>,
}

/// The Bybit layer's state next to the shared one.
#[derive(Debug)]
pub struct BybitState {
    pub shared: Arc<Shared>,
    /// Per order id (ids are unique across keys and accounts). Lock order:
    /// the shared `inner` first, then this.
    pub extras: Mutex<BTreeMap<u64, Extra>>,
    pub limiter: Mutex<ratelimit::Limiter>,
    conn_seq: AtomicU64,
}

impl BybitState {
    /// A fresh connection id in Bybit's style.
    pub fn conn_id(&self) -> String {
        let n = self.conn_seq.fetch_add(1, Ordering::Relaxed);
        format!("venuesim{n:08x}-{:04x}", n % 65_521)
    }
}

/// A Bybit category served here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Spot,
    Linear,
}

impl Category {
    pub fn parse(s: &str) -> Result<Category, envelope::BybitError> {
        match s {
            "spot" => Ok(Category::Spot),
            "linear" => Ok(Category::Linear),
            "inverse" | "option" => Err(envelope::BybitError::params(format!(
                "venue-sim serves category spot and linear only, not {s}"
            ))),
            _ => Err(envelope::BybitError::params("Illegal category")),
        }
    }

    pub fn family(self) -> Family {
        match self {
            Category::Spot => Family::Spot,
            Category::Linear => Family::Futures,
        }
    }

    pub fn of(family: Family) -> Category {
        match family {
            Family::Spot => Category::Spot,
            Family::Futures => Category::Linear,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Spot => "spot",
            Category::Linear => "linear",
        }
    }
}

/// The Bybit router: REST under `/v5`, the public and private WebSockets;
/// and the task that attaches take-profit/stop-loss legs after each candle
/// (the caller aborts it with the server).
pub fn router(shared: Arc<Shared>) -> (Router, tokio::task::JoinHandle<()>) {
    let state = Arc::new(BybitState {
        shared,
        extras: Mutex::new(BTreeMap::new()),
        limiter: Mutex::new(ratelimit::Limiter::default()),
        conn_seq: AtomicU64::new(1),
    });
    // Called inside `start`, so a Tokio runtime runs.
    let task = tokio::spawn(tpsl::run(state.clone()));
    let router = Router::new()
        .route("/v5/public/spot", get(public_ws::spot))
        .route("/v5/public/linear", get(public_ws::linear))
        .route("/v5/private", get(private_ws::private))
        .fallback(any(front::dispatch))
        .with_state(state);
    (router, task)
}
