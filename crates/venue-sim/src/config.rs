//! What the simulator is started with: markets to replay, API keys,
//! balances, speed, limits, faults and the shape of its synthetic book.
//! The CLI builds one from its flags; tests build one directly (port 0
//! picks a free port).

use rand::RngExt;
use rust_decimal::Decimal;
use std::path::PathBuf;

/// A CSV series replayed as the market of `symbol`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketSource {
    pub path: PathBuf,
    pub symbol: String,
}

/// An API key pair.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyConfig {
    pub key: String,
    pub secret: String,
    /// Whether `/sapi/v1/account/apiRestrictions` reports withdrawals as
    /// enabled (live mode must refuse such a key).
    pub withdrawals: bool,
    /// Whether it reports internal and universal transfers as enabled
    /// (live mode must refuse such a key too).
    pub transfers: bool,
}

impl std::fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyConfig")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .field("withdrawals", &self.withdrawals)
            .field("transfers", &self.transfers)
            .finish()
    }
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

impl KeyConfig {
    /// A fresh random pair (64 characters each, like Binance's).
    pub fn generate() -> Self {
        KeyConfig {
            key: random_token(64),
            secret: random_token(64),
            withdrawals: false,
            transfers: false,
        }
    }
}

/// A fresh listen key (60 characters, like Binance's).
pub fn new_listen_key() -> String {
    random_token(60)
}

/// Rate limits (Binance's published values by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub spot_weight_1m: u64,
    pub futures_weight_1m: u64,
    pub spot_orders_10s: u64,
    pub spot_orders_1d: u64,
    pub futures_orders_10s: u64,
    pub futures_orders_1m: u64,
    /// Requests refused with 429 in one window before the IP is banned.
    pub ban_after_strikes: u32,
    /// How long a ban (418) lasts.
    pub ban_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            spot_weight_1m: 6_000,
            futures_weight_1m: 2_400,
            spot_orders_10s: 100,
            spot_orders_1d: 200_000,
            futures_orders_10s: 300,
            futures_orders_1m: 1_200,
            ban_after_strikes: 50,
            ban_ms: 120_000,
        }
    }
}

/// The shape of the synthetic order book quoted around each candle's
/// close, so that two simulators replaying the same series can quote
/// different books (one wider or thinner than the other, for routing).
/// The default is the book the simulator has always quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookShape {
    /// Extra ticks between the close and each side's best level: 0 puts
    /// the best bid at the close and the best ask one tick above; N puts
    /// them at close − N ticks and close + (1 + N) ticks.
    pub spread_ticks: u32,
    /// Each level's quantity as a share of the candle's volume, floored to
    /// the lot and at least one lot (0 < share ≤ 1).
    pub level_share: Decimal,
}

impl Default for BookShape {
    fn default() -> Self {
        BookShape {
            spread_ticks: 0,
            // 1 %: the simulator's book before shapes were configurable.
            level_share: Decimal::new(1, 2),
        }
    }
}

impl BookShape {
    /// Whether the level share is usable: more than nothing, at most the
    /// whole candle.
    pub fn is_valid(&self) -> bool {
        self.level_share > Decimal::ZERO && self.level_share <= Decimal::ONE
    }
}

/// The wire protocol the simulator speaks over the shared state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// Binance spot (`/api/v3`) and USD-M (`/fapi`).
    #[default]
    Binance,
    /// Bybit v5 (`/v5/...`): spot and USDT linear perpetuals on a unified
    /// account (see `bybit`).
    Bybit,
    /// OANDA v20 (`/v3/...`): a netting margin account per bearer token,
    /// REST and chunked JSON-lines streams (see `oanda`).
    Oanda,
}

/// What only the OANDA protocol uses: its spread over the replayed (bid)
/// prices, margin rate and daily financing rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OandaConfig {
    /// Ask = bid + this many pips (a pip is 10^pipLocation).
    pub spread_pips: Decimal,
    /// `marginRate` of every instrument (0.0333: 30:1).
    pub margin_rate: Decimal,
    /// Annual financing rate of long units, in percent (negative: paid).
    pub financing_long_pct: Decimal,
    /// Annual financing rate of short units, in percent.
    pub financing_short_pct: Decimal,
}

impl Default for OandaConfig {
    fn default() -> Self {
        OandaConfig {
            spread_pips: Decimal::new(15, 1),
            margin_rate: Decimal::new(333, 4),
            financing_long_pct: Decimal::from(-3),
            financing_short_pct: Decimal::ONE,
        }
    }
}

/// Everything the simulator needs to start.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    pub markets: Vec<MarketSource>,
    /// Keys; none means one generated pair.
    pub keys: Vec<KeyConfig>,
    /// Candles replayed per second.
    pub speed: f64,
    /// Starting balance of each key, in USDT, on spot and on USD-M.
    pub balance: Decimal,
    /// USD-M leverage of every account.
    pub leverage: Decimal,
    pub limits: Limits,
    /// Fault spec (see `faults`).
    pub faults: String,
    /// The largest share of a candle's volume an account's orders of one
    /// symbol may fill per candle (a thin book); the rest fills over later
    /// candles, in partial fills. `None`: any size at once.
    pub participation: Option<Decimal>,
    /// Which venue's protocol is served (the market, accounts and matching
    /// are the same for both).
    pub protocol: Protocol,
    /// The synthetic order book's shape (depth, tickers, book streams).
    pub book: BookShape,
    /// OANDA-only settings (`Protocol::Oanda`).
    pub oanda: OandaConfig,
}

impl SimConfig {
    /// Refuses settings the simulator cannot run with, naming the flag.
    pub fn validate(&self) -> Result<(), crate::error::SimError> {
        use crate::error::SimError;
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(SimError::Speed(self.speed));
        }
        if !self.book.is_valid() {
            return Err(SimError::BookLevelShare(self.book.level_share));
        }
        if self.balance <= Decimal::ZERO || self.leverage < Decimal::ONE {
            return Err(SimError::Account);
        }
        let o = &self.oanda;
        if o.spread_pips < Decimal::ZERO
            || o.margin_rate <= Decimal::ZERO
            || o.margin_rate > Decimal::ONE
        {
            return Err(SimError::OandaRates(o.spread_pips, o.margin_rate));
        }
        Ok(())
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            markets: Vec::new(),
            keys: Vec::new(),
            speed: 1.0,
            balance: Decimal::from(10_000),
            leverage: Decimal::from(20),
            limits: Limits::default(),
            faults: String::new(),
            participation: None,
            protocol: Protocol::Binance,
            book: BookShape::default(),
            oanda: OandaConfig::default(),
        }
    }
}
