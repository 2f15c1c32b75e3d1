//! The OANDA v20 protocol (`smc venue-sim --protocol oanda`) over the
//! shared replayed market and clock: REST under `/v3` and the pricing and
//! transaction streams (HTTP chunked JSON lines) on the one port.
//!
//! - Each bearer token (`--api-key`) has one account,
//!   `101-001-<1000001+n>-001`, in USD, netting (hedgingEnabled false),
//!   `marginRate` `--margin-rate` (0.0333, 30:1), balance `--balance`.
//! - The series are bid prices; ask = bid + `--spread-pips` pips.
//! - OANDA's trade-level model (trades with ids, their exits, netting by
//!   trade, bid/ask fills) is kept here rather than in the shared
//!   accounts, whose matching fills at one price per candle; the market,
//!   replay clock and faults are the shared ones.
//!
//! Sources of the facts: shared/data/exchange-specs/oanda/v20.yaml (paths,
//! fields, enums) and oandapyV20's recorded responses
//! (shared/data/market/exchange-messages/oanda/oandapyV20-responses).

/// One token's account: orders, trades, transactions.
pub mod account;
/// Closing trades and positions at the market.
pub mod close;
/// Netting fills, dependent exits, cancels.
pub mod fill;
/// The REST front door: faults, auth, routes.
pub mod front;
/// Instruments, prices and candles.
pub mod instruments;
/// Placing orders.
pub mod orders;
/// REST answers that read the account, and cancels.
pub mod rest;
/// The pricing and transaction streams.
pub mod streams;
/// Triggers, financing and expiry.
pub mod trigger;
/// The transaction log.
pub mod txlog;
/// Times, numbers and errors on the wire.
pub mod wire;

use crate::state::{Shared, lock};
use account::Account;
use axum::Router;
use axum::routing::any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Streams send a heartbeat this often (OANDA: every 5 seconds).
pub const HEARTBEAT_MS: u64 = 5_000;

/// The OANDA layer's state.
#[derive(Debug)]
pub struct OandaState {
    pub shared: Arc<Shared>,
    /// Per token. Lock order: this, then the shared `inner` (briefly).
    pub accounts: Mutex<BTreeMap<String, Account>>,
}

impl OandaState {
    /// The current replay step.
    pub fn step(&self) -> usize {
        lock(&self.shared.inner).step
    }

    /// The replayed market's time now (see [`instruments::market_time`]).
    pub fn now(&self) -> i64 {
        instruments::market_time(&self.shared, self.step())
    }
}

/// Each token and its account id (`101-001-<1000001+n>-001`, n the
/// token's place in sorted order), as the router numbers them.
pub fn account_ids(shared: &Shared) -> Vec<(String, String)> {
    lock(&shared.inner)
        .keys
        .keys()
        .enumerate()
        .map(|(n, k)| (k.clone(), account::account_id(n)))
        .collect()
}

/// The OANDA router, and the task that offers each released candle to
/// the pending orders (the caller aborts it with the server).
pub fn router(shared: Arc<Shared>) -> (Router, tokio::task::JoinHandle<()>) {
    let now = {
        let step = lock(&shared.inner).step;
        instruments::market_time(&shared, step)
    };
    let accounts = {
        let inner = lock(&shared.inner);
        inner
            .keys
            .keys()
            .enumerate()
            .map(|(n, k)| (k.clone(), Account::new(k, n, shared.balance, now)))
            .collect()
    };
    let state = Arc::new(OandaState {
        shared,
        accounts: Mutex::new(accounts),
    });
    let task = tokio::spawn(run(state.clone()));
    let router = Router::new()
        .fallback(any(front::dispatch))
        .with_state(state);
    (router, task)
}

/// Offers each released candle to every account's pending orders, books
/// financing, expires orders; once a second at least.
async fn run(st: Arc<OandaState>) {
    let mut steps = st.shared.steps.subscribe();
    let mut done = st.step();
    loop {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), steps.recv()).await;
        let target = st.step();
        let mut accounts = lock(&st.accounts);
        let now = instruments::market_time(&st.shared, target);
        for k in done + 1..=target {
            let cx = fill::Cx {
                shared: &st.shared,
                step: k,
                now: instruments::market_time(&st.shared, k),
            };
            for (i, s) in st.shared.market.series.iter().enumerate() {
                if s.shown(k) == s.shown(k - 1) {
                    continue;
                }
                let c = *s.candle(k);
                let prev = *s.candle(k - 1);
                let tf = s.timeframe.duration_ms();
                let days = trigger::rollovers(prev.open_time.ms() + tf, c.open_time.ms() + tf);
                for acct in accounts.values_mut() {
                    trigger::on_candle(acct, &cx, i, &c);
                    if days > 0 {
                        trigger::finance(acct, &cx, i, days);
                    }
                }
            }
        }
        done = done.max(target);
        for acct in accounts.values_mut() {
            trigger::expire(acct, now);
        }
    }
}
