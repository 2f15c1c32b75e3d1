//! The simulator's shared state: the immutable market, and behind one
//! mutex (held only for short, synchronous sections) the replay step, the
//! keys with their spot and USD-M accounts, and the listen keys.

use crate::account::{Account, Ctx};
use crate::config::{KeyConfig, Limits, Protocol, SimConfig};
use crate::error::ApiError;
use crate::faults::FaultSet;
use crate::market::Market;
use crate::ratelimit::RateLimiter;
use crate::routes::Family;
use rust_decimal::Decimal;
use smc_matching::Executor;
use smc_matching::MatchingEngine;
use smc_matching::{FeeAsset, FeeModel, IntrabarRule, SlippageModel};
use smc_model::{Clock, WallClock};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Listen keys live this long without a keep-alive (Binance: 60 minutes).
pub const LISTEN_KEY_TTL_MS: i64 = 60 * 60 * 1_000;

/// A key, its secret and its two accounts.
#[derive(Debug)]
pub struct KeyState {
    pub secret: String,
    pub withdrawals: bool,
    pub transfers: bool,
    pub created: i64,
    pub spot: Account,
    pub futures: Account,
}

impl KeyState {
    pub fn account(&mut self, family: Family) -> &mut Account {
        match family {
            Family::Spot => &mut self.spot,
            Family::Futures => &mut self.futures,
        }
    }
}

/// A user data stream key.
#[derive(Debug, Clone)]
pub struct ListenKey {
    pub api_key: String,
    pub family: Family,
    pub expires: i64,
}

/// Everything that changes.
#[derive(Debug)]
pub struct Inner {
    /// The last released replay step.
    pub step: usize,
    pub keys: BTreeMap<String, KeyState>,
    pub listen_keys: BTreeMap<String, ListenKey>,
    pub next_order_id: u64,
    pub next_trade_id: u64,
    /// User streams subscribed through the WebSocket API so far.
    pub ws_api_subscriptions: u64,
}

/// Shared by every connection and the replay task.
#[derive(Debug)]
pub struct Shared {
    pub market: Market,
    pub limits: Limits,
    pub leverage: Decimal,
    /// The starting USDT balance of each account.
    pub balance: Decimal,
    /// OANDA-only settings.
    pub oanda: crate::config::OandaConfig,
    spot_matching: MatchingEngine,
    futures_matching: MatchingEngine,
    pub inner: Mutex<Inner>,
    pub faults: Mutex<FaultSet>,
    pub limiter: Mutex<RateLimiter>,
    /// Announces each released replay step to the market streams.
    pub steps: broadcast::Sender<usize>,
}

/// Locks a mutex; a panic elsewhere while it was held leaves the data as
/// it was, which is still the best state to answer from.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The simulator's one clock: the wall clock.
pub fn now_ms() -> i64 {
    (WallClock.now()).ms()
}

fn matching(fees: FeeModel, participation: Option<Decimal>) -> MatchingEngine {
    MatchingEngine {
        rule: IntrabarRule::default(),
        executor: Executor {
            fees,
            slippage: SlippageModel::default(),
            participation,
        },
        spreads: Vec::new(),
    }
}

impl Shared {
    pub fn new(
        config: &SimConfig,
        market: Market,
        keys: &[KeyConfig],
        faults: FaultSet,
        now: i64,
    ) -> Self {
        let n = market.series.len();
        let keys = keys
            .iter()
            .map(|k| {
                let state = KeyState {
                    secret: k.secret.clone(),
                    withdrawals: k.withdrawals,
                    transfers: k.transfers,
                    created: now,
                    spot: Account::new(Family::Spot, config.balance, config.leverage, n, now),
                    futures: Account::new(Family::Futures, config.balance, config.leverage, n, now),
                };
                (k.key.clone(), state)
            })
            .collect();
        let spot_fees = FeeModel {
            maker: Decimal::new(1, 3),
            taker: Decimal::new(1, 3),
            // Binance and Bybit spot take a buy's fee from the base received.
            asset: FeeAsset::Received,
        };
        let futures_fees = match config.protocol {
            // OANDA's accounts are its own (see `oanda`); the shared
            // futures accounts keep Binance's fees, unused.
            Protocol::Binance | Protocol::Oanda => FeeModel {
                maker: Decimal::new(2, 4),
                taker: Decimal::new(5, 4),
                asset: FeeAsset::Quote,
            },
            // Bybit's base tier for USDT perpetuals: 0.02 % maker, 0.055 %
            // taker (its spot base tier is 0.1 % both, as Binance's).
            Protocol::Bybit => FeeModel {
                maker: Decimal::new(2, 4),
                taker: Decimal::new(55, 5),
                asset: FeeAsset::Quote,
            },
        };
        Shared {
            market,
            limits: config.limits,
            leverage: config.leverage,
            balance: config.balance,
            oanda: config.oanda,
            spot_matching: matching(spot_fees, config.participation),
            futures_matching: matching(futures_fees, config.participation),
            inner: Mutex::new(Inner {
                step: 0,
                keys,
                listen_keys: BTreeMap::new(),
                next_order_id: 1_000_000,
                next_trade_id: 5_000_000,
                ws_api_subscriptions: 0,
            }),
            faults: Mutex::new(faults),
            limiter: Mutex::new(RateLimiter::default()),
            steps: broadcast::channel(4_096).0,
        }
    }

    pub fn matching(&self, family: Family) -> &MatchingEngine {
        match family {
            Family::Spot => &self.spot_matching,
            Family::Futures => &self.futures_matching,
        }
    }

    /// The fee rates of a family (maker, taker).
    pub fn fees(&self, family: Family) -> FeeModel {
        self.matching(family).executor.fees
    }

    /// Runs `f` on the account of `key` in `family`, with a matching context.
    pub fn with_account<T>(
        &self,
        key: &str,
        family: Family,
        f: impl FnOnce(&mut Account, &mut Ctx, &mut u64) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut inner = lock(&self.inner);
        let Inner {
            step,
            keys,
            next_order_id,
            next_trade_id,
            ..
        } = &mut *inner;
        let state = keys.get_mut(key).ok_or_else(ApiError::key_rejected)?;
        let mut ctx = Ctx {
            market: &self.market,
            matching: self.matching(family),
            step: *step,
            now: now_ms(),
            leverage: self.leverage,
            next_trade_id,
        };
        f(state.account(family), &mut ctx, next_order_id)
    }

    /// Releases every step up to `target`: marks and matches every account
    /// against each new candle. Returns whether anything was released.
    pub fn advance(&self, target: usize) -> bool {
        let mut inner = lock(&self.inner);
        if target <= inner.step {
            return false;
        }
        let Inner {
            step,
            keys,
            next_trade_id,
            ..
        } = &mut *inner;
        for k in *step + 1..=target {
            let now = now_ms();
            for (i, s) in self.market.series.iter().enumerate() {
                if s.shown(k) == s.shown(k - 1) {
                    continue; // this series ran out
                }
                let candle = *s.candle(k);
                for state in keys.values_mut() {
                    for family in [Family::Spot, Family::Futures] {
                        let mut ctx = Ctx {
                            market: &self.market,
                            matching: self.matching(family),
                            step: k,
                            now,
                            leverage: self.leverage,
                            next_trade_id,
                        };
                        state.account(family).match_candle(&mut ctx, i, &candle);
                    }
                }
            }
            *step = k;
            let _ = self.steps.send(k);
        }
        true
    }
}
