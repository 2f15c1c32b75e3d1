//! Market data as every adapter delivers it, whatever the venue's wire
//! format: candles (open and closed), trades, best bid/ask, depth diffs and
//! order book snapshots.
//! Prices and quantities are exact decimals; times are epoch ms (UTC).

use rust_decimal::Decimal;
use smc_model::{Candle, InstrumentId, Side, Timeframe, Timestamp};

/// A kline update from a stream: the candle so far, and whether it closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlineUpdate {
    pub instrument: InstrumentId,
    pub timeframe: Timeframe,
    pub candle: Candle,
    /// True for the final update of the bar; only closed candles are final.
    pub closed: bool,
    /// The venue's event time (epoch ms) of a candle pushed by the stream;
    /// `None` for one fetched over REST to fill a gap (history, which live
    /// trading must not act on as if it were news).
    pub event_time: Option<Timestamp>,
}

/// One trade (or one aggregated trade) on the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    pub instrument: InstrumentId,
    /// The venue's id of the trade (or of the aggregate).
    pub trade_id: u64,
    pub price: Decimal,
    pub qty: Decimal,
    /// The side of the taker (the aggressor).
    pub aggressor: Side,
    /// Trade time (epoch ms).
    pub time: Timestamp,
}

/// Best bid and ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookTop {
    pub instrument: InstrumentId,
    pub bid: Decimal,
    pub bid_qty: Decimal,
    pub ask: Decimal,
    pub ask_qty: Decimal,
    /// The venue's book update id, for ordering against depth updates.
    pub update_id: u64,
    /// Venue time (epoch ms) when known, else 0.
    pub time: Timestamp,
}

/// One price level; a quantity of zero removes the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookLevel {
    pub price: Decimal,
    pub qty: Decimal,
}

/// A venue's order book at one moment, best levels first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBookSnapshot {
    pub instrument: InstrumentId,
    /// The venue's update id of the snapshot (Binance `lastUpdateId`, Bybit `u`).
    pub update_id: u64,
    /// Best (highest) first.
    pub bids: Vec<BookLevel>,
    /// Best (lowest) first.
    pub asks: Vec<BookLevel>,
    /// Venue time (epoch ms) when the venue states it, else 0.
    pub time: Timestamp,
}

impl OrderBookSnapshot {
    /// Why the snapshot is not a book a router can walk, if it is not:
    /// a side out of best-first order (or repeating a price), a level
    /// without a positive quantity, or a best bid at or above the best
    /// ask. Adapters refuse such an answer as malformed rather than pass
    /// on a book that would price fills wrongly.
    pub fn fault(&self) -> Option<String> {
        let side =
            |name: &str, levels: &[BookLevel], better: fn(&BookLevel, &BookLevel) -> bool| {
                if let Some(i) = levels
                    .iter()
                    .position(|l| l.qty <= Decimal::ZERO || l.price <= Decimal::ZERO)
                {
                    return Some(format!("{name}[{i}]: price and quantity must be positive"));
                }
                levels
                    .windows(2)
                    .position(|w| !better(&w[0], &w[1]))
                    .map(|i| format!("{name}[{}] is not worse than {name}[{i}]", i + 1))
            };
        side("bids", &self.bids, |a, b| a.price > b.price)
            .or_else(|| side("asks", &self.asks, |a, b| a.price < b.price))
            .or_else(|| match (self.bids.first(), self.asks.first()) {
                (Some(b), Some(a)) if b.price >= a.price => Some(format!(
                    "crossed: best bid {} ≥ best ask {}",
                    b.price, a.price
                )),
                _ => None,
            })
    }

    /// Keeps the best `levels` of each side.
    pub fn truncate(&mut self, levels: usize) {
        self.bids.truncate(levels);
        self.asks.truncate(levels);
    }
}

/// A depth diff: the levels that changed between two update ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepthUpdate {
    pub instrument: InstrumentId,
    pub first_update_id: u64,
    pub final_update_id: u64,
    /// The previous diff's final id (USD-M `pu`), for gap detection.
    pub prev_final_update_id: Option<u64>,
    pub bids: Vec<BookLevel>,
    pub asks: Vec<BookLevel>,
    pub time: Timestamp,
}

/// Everything a market data stream can deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketEvent {
    Kline(KlineUpdate),
    Trade(Trade),
    BookTop(BookTop),
    Depth(DepthUpdate),
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn book(bids: &[(Decimal, Decimal)], asks: &[(Decimal, Decimal)]) -> OrderBookSnapshot {
        let side = |v: &[(Decimal, Decimal)]| {
            v.iter()
                .map(|&(price, qty)| BookLevel { price, qty })
                .collect()
        };
        OrderBookSnapshot {
            instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
            update_id: 1,
            bids: side(bids),
            asks: side(asks),
            time: Timestamp::from_ms(0),
        }
    }

    #[test]
    fn faults_name_the_level() {
        let one = dec!(1);
        assert_eq!(book(&[(dec!(10), one)], &[(dec!(11), one)]).fault(), None);
        let zero = book(&[(dec!(10), dec!(0))], &[]).fault().unwrap();
        assert!(zero.starts_with("bids[0]"), "{zero}");
        let repeated = book(&[], &[(dec!(11), one), (dec!(11), one)])
            .fault()
            .unwrap();
        assert!(repeated.starts_with("asks[1]"), "{repeated}");
        let crossed = book(&[(dec!(11), one)], &[(dec!(11), one)])
            .fault()
            .unwrap();
        assert!(crossed.starts_with("crossed"), "{crossed}");
        let mut b = book(&[(dec!(10), one), (dec!(9), one)], &[(dec!(11), one)]);
        b.truncate(1);
        assert_eq!((b.bids.len(), b.asks.len()), (1, 1));
    }
}
