//! The replayed market: each CSV series shifted in time so that it starts
//! when the simulator starts (its first candle's open is the start time
//! aligned down to the series' timeframe, so candle times stay on the UTC
//! grid), and released at `speed` candles per second of wall-clock time.
//! Candle `k` of every series becomes visible, closed, at
//! `start + k / speed` seconds; the last released close is the symbol's
//! price. A series that runs out keeps its last candle (the market stops).
//!
//! Trading rules are derived from the data and documented in
//! [`SymbolRules::derive`].

use crate::config::{BookShape, MarketSource, SimConfig};
use crate::error::SimError;
use rust_decimal::Decimal;
use smc_data::{ReadOptions, infer_timeframe, read_ohlcv};
use smc_model::{Candle, InstrumentSpec, Timeframe};

/// The quote asset of every symbol (and of every balance).
pub const QUOTE: &str = "USDT";

/// Quote assets recognised at the end of a symbol, longest first.
const QUOTES: [&str; 8] = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "BTC", "ETH", "BNB"];

/// Trading rules of one symbol (the same on spot and USD-M).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolRules {
    pub tick: Decimal,
    pub lot: Decimal,
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    pub min_price: Decimal,
    pub max_price: Decimal,
    pub min_notional: Decimal,
}

/// Decimal places of `d` once trailing zeros are dropped.
fn places(d: Decimal) -> u32 {
    d.normalize().scale()
}

impl SymbolRules {
    /// Derives the rules from a series:
    /// - tick size: one unit of the most decimal places any OHLC price has
    ///   (BTCUSDT 1m `43417.1` → 0.1, ETHUSDT 1h `736.42` → 0.01), so every
    ///   replayed price lies on the tick;
    /// - lot (step) size and minimum quantity: one unit of the most decimal
    ///   places any volume has, at most 8 (BTCUSDT futures `123.191` →
    ///   0.001); maximum quantity 1,000,000;
    /// - price range: one tick to 10 × the highest high;
    /// - minimum notional: 5 in the quote asset (Binance's common value for
    ///   USDT pairs on spot, `NOTIONAL`, and USD-M, `MIN_NOTIONAL`).
    pub fn derive(candles: &[Candle]) -> SymbolRules {
        let price_dp = candles
            .iter()
            .flat_map(|c| [c.open, c.high, c.low, c.close])
            .map(places)
            .max()
            .unwrap_or(2)
            .min(8);
        let qty_dp = candles
            .iter()
            .map(|c| places(c.volume))
            .max()
            .unwrap_or(3)
            .min(8);
        let tick = Decimal::new(1, price_dp);
        let lot = Decimal::new(1, qty_dp);
        let highest = candles.iter().map(|c| c.high).max().unwrap_or(Decimal::ONE);
        SymbolRules {
            tick,
            lot,
            min_qty: lot,
            max_qty: Decimal::from(1_000_000),
            min_price: tick,
            max_price: (highest * Decimal::TEN).round_dp(price_dp),
            min_notional: Decimal::from(5),
        }
    }

    /// The engine's view of the rules (rounding is checked, not applied:
    /// orders off the tick or lot are refused like Binance does).
    pub fn spec(&self) -> InstrumentSpec {
        InstrumentSpec {
            tick_size: self.tick,
            lot_size: self.lot,
            min_qty: self.min_qty,
            min_notional: self.min_notional,
        }
    }

    pub fn price_precision(&self) -> u32 {
        self.tick.scale()
    }

    pub fn qty_precision(&self) -> u32 {
        self.lot.scale()
    }
}

/// One replayed series.
#[derive(Debug, Clone)]
pub struct Series {
    pub symbol: String,
    pub base: String,
    pub quote: String,
    pub timeframe: Timeframe,
    /// Shifted candles.
    pub candles: Vec<Candle>,
    pub rules: SymbolRules,
    /// The shape of the book quoted for it (the simulator's
    /// `SimConfig::book`): kept with the series, so that whatever renders
    /// its book (REST, streams, either protocol) quotes the same one.
    pub book: BookShape,
}

impl Series {
    /// Loads `source` and shifts it to start at `start_ms`.
    pub fn load(source: &MarketSource, quote: &str, start_ms: i64) -> Result<Series, SimError> {
        let symbol = source.symbol.to_ascii_uppercase();
        let base = QUOTES
            .iter()
            .find_map(|q| symbol.strip_suffix(q).filter(|_| *q == quote))
            .filter(|b| !b.is_empty() && b.chars().all(|c| c.is_ascii_alphanumeric()))
            .ok_or_else(|| SimError::Symbol {
                symbol: source.symbol.clone(),
                quote: quote.to_string(),
            })?
            .to_string();
        Series::load_pair(source, symbol, base, quote.to_string(), start_ms)
    }

    /// An OANDA instrument `BASE_QUOTE` (e.g. `EUR_USD`), quoted in its
    /// own quote currency.
    pub fn load_oanda(source: &MarketSource, start_ms: i64) -> Result<Series, SimError> {
        let symbol = source.symbol.to_ascii_uppercase();
        let bad = || SimError::Instrument(source.symbol.clone());
        let (base, quote) = symbol.split_once('_').ok_or_else(bad)?;
        let ok = |s: &str| s.len() >= 2 && s.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok(base) || !ok(quote) {
            return Err(bad());
        }
        let (base, quote) = (base.to_string(), quote.to_string());
        Series::load_pair(source, symbol, base, quote, start_ms)
    }

    fn load_pair(
        source: &MarketSource,
        symbol: String,
        base: String,
        quote: String,
        start_ms: i64,
    ) -> Result<Series, SimError> {
        let loaded =
            read_ohlcv(&source.path, ReadOptions::default()).map_err(|e| SimError::Data {
                path: source.path.clone(),
                source: e,
            })?;
        let mut candles = loaded.candles;
        if candles.len() < 2 {
            return Err(SimError::TooShort {
                path: source.path.clone(),
            });
        }
        let timeframe = infer_timeframe(&candles).ok_or_else(|| SimError::Timeframe {
            path: source.path.clone(),
        })?;
        let step = timeframe.duration_ms();
        let first = start_ms - start_ms.rem_euclid(step);
        let shift = first - candles[0].open_time.ms();
        for c in &mut candles {
            c.open_time += shift;
        }
        let rules = SymbolRules::derive(&candles);
        Ok(Series {
            symbol,
            base,
            quote,
            timeframe,
            candles,
            rules,
            book: BookShape::default(),
        })
    }

    /// Candle `k`, or the last one once the series ran out.
    pub fn candle(&self, k: usize) -> &Candle {
        let i = k.min(self.candles.len() - 1);
        &self.candles[i]
    }

    /// Index actually shown at replay step `k`.
    pub fn shown(&self, k: usize) -> usize {
        k.min(self.candles.len() - 1)
    }

    /// Close time as Binance reports it (one millisecond before the next open).
    pub fn close_time(&self, c: &Candle) -> i64 {
        (c.open_time + self.timeframe.duration_ms() - 1).ms()
    }
}

/// All series and the replay clock.
#[derive(Debug)]
pub struct Market {
    pub series: Vec<Series>,
    pub start_ms: i64,
    /// Milliseconds of wall-clock time per candle.
    pub period_ms: f64,
}

impl Market {
    pub fn load(config: &SimConfig, start_ms: i64) -> Result<Market, SimError> {
        if config.markets.is_empty() {
            return Err(SimError::NoMarket);
        }
        config.validate()?;
        let mut series: Vec<Series> = Vec::new();
        for source in &config.markets {
            let mut s = if config.protocol == crate::config::Protocol::Oanda {
                Series::load_oanda(source, start_ms)?
            } else {
                Series::load(source, QUOTE, start_ms)?
            };
            s.book = config.book;
            if series.iter().any(|x| x.symbol == s.symbol) {
                return Err(SimError::DuplicateSymbol(s.symbol));
            }
            series.push(s);
        }
        Ok(Market {
            series,
            start_ms,
            period_ms: 1_000.0 / config.speed,
        })
    }

    /// The replay step at wall time `now_ms`.
    pub fn step_at(&self, now_ms: i64) -> usize {
        let elapsed = (now_ms - self.start_ms).max(0) as f64;
        (elapsed / self.period_ms).floor() as usize
    }

    /// Wall time at which step `k` is released.
    pub fn release_time(&self, k: usize) -> i64 {
        self.start_ms + (k as f64 * self.period_ms).ceil() as i64
    }

    /// Index of `symbol`.
    pub fn find(&self, symbol: &str) -> Option<usize> {
        self.series.iter().position(|s| s.symbol == symbol)
    }

    /// Whether every series has run out at step `k`.
    pub fn finished(&self, k: usize) -> bool {
        self.series.iter().all(|s| k + 1 >= s.candles.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::Timestamp;

    fn candle(t: i64, p: Decimal, v: Decimal) -> Candle {
        Candle {
            open_time: Timestamp::from_ms(t),
            open: p,
            high: p,
            low: p,
            close: p,
            volume: v,
        }
    }

    #[test]
    fn rules_follow_the_decimal_places_of_the_data() {
        let r = SymbolRules::derive(&[
            candle(0, dec!(43417.1), dec!(123.191)),
            candle(60_000, dec!(43400.00), dec!(1.5)),
        ]);
        assert_eq!(
            (r.tick, r.lot, r.min_notional),
            (dec!(0.1), dec!(0.001), dec!(5))
        );
        assert_eq!(r.max_price, dec!(434171.0));
        assert_eq!((r.price_precision(), r.qty_precision()), (1, 3));
    }
}
