//! A local order book fed by `orderbook.{depth}.{symbol}` (snapshot, then
//! deltas), giving the venue-neutral book top and depth diffs.
//!
//! Bybit sends a snapshot on subscribe (and again after a service
//! restart, with update id 1, or on a resubscription); each delta lists
//! the levels that changed, a size of 0 removing one. The shared
//! `DepthUpdate` is a diff, with no "reset": a snapshot is turned into the
//! diff from the book held so far (every level it no longer has at size
//! 0, every level it has), so a consumer applying diffs stays exact.

use super::market_parse::BookMessage;
use crate::market::{BookLevel, BookTop, DepthUpdate};
use rust_decimal::Decimal;
use smc_model::{InstrumentId, Timestamp};
use std::collections::BTreeMap;

/// One symbol's book.
#[derive(Debug, Clone, Default)]
pub struct Book {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    last_update: Option<u64>,
}

fn apply_side(
    book: &mut BTreeMap<Decimal, Decimal>,
    levels: &[(Decimal, Decimal)],
    snapshot: bool,
) -> Vec<BookLevel> {
    let mut diff = Vec::new();
    if snapshot {
        let keep: BTreeMap<Decimal, Decimal> = levels
            .iter()
            .filter(|(_, q)| !q.is_zero())
            .copied()
            .collect();
        for price in book.keys() {
            if !keep.contains_key(price) {
                diff.push(BookLevel {
                    price: *price,
                    qty: Decimal::ZERO,
                });
            }
        }
        diff.extend(keep.iter().map(|(&price, &qty)| BookLevel { price, qty }));
        *book = keep;
        return diff;
    }
    for &(price, qty) in levels {
        if qty.is_zero() {
            book.remove(&price);
        } else {
            book.insert(price, qty);
        }
        diff.push(BookLevel { price, qty });
    }
    diff
}

impl Book {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a delta can be applied (a snapshot was seen).
    pub fn is_synced(&self) -> bool {
        self.last_update.is_some()
    }

    /// Applies one message; `None` for a delta before any snapshot (it
    /// cannot be placed; Bybit's next snapshot will resync).
    pub fn apply(&mut self, instrument: &InstrumentId, m: &BookMessage) -> Option<DepthUpdate> {
        if !m.snapshot && self.last_update.is_none() {
            return None;
        }
        let prev = if m.snapshot { None } else { self.last_update };
        let bids = apply_side(&mut self.bids, &m.bids, m.snapshot);
        let asks = apply_side(&mut self.asks, &m.asks, m.snapshot);
        self.last_update = Some(m.update_id);
        Some(DepthUpdate {
            instrument: instrument.clone(),
            first_update_id: m.update_id,
            final_update_id: m.update_id,
            prev_final_update_id: prev,
            bids,
            asks,
            time: Timestamp::from_ms(m.time),
        })
    }

    /// Best bid and ask, once both sides have a level.
    pub fn top(&self, instrument: &InstrumentId, time: i64) -> Option<BookTop> {
        let (&bid, &bid_qty) = self.bids.iter().next_back()?;
        let (&ask, &ask_qty) = self.asks.iter().next()?;
        Some(BookTop {
            instrument: instrument.clone(),
            bid,
            bid_qty,
            ask,
            ask_qty,
            update_id: self.last_update.unwrap_or(0),
            time: Timestamp::from_ms(time),
        })
    }

    /// The best `n` levels of each side (bids high to low, asks low to
    /// high), for routing.
    pub fn levels(&self, n: usize) -> (Vec<BookLevel>, Vec<BookLevel>) {
        let bids = self
            .bids
            .iter()
            .rev()
            .take(n)
            .map(|(&price, &qty)| BookLevel { price, qty })
            .collect();
        let asks = self
            .asks
            .iter()
            .take(n)
            .map(|(&price, &qty)| BookLevel { price, qty })
            .collect();
        (bids, asks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn msg(
        snapshot: bool,
        u: u64,
        bids: &[(Decimal, Decimal)],
        asks: &[(Decimal, Decimal)],
    ) -> BookMessage {
        BookMessage {
            symbol: "BTCUSDT".into(),
            depth: 50,
            snapshot,
            bids: bids.to_vec(),
            asks: asks.to_vec(),
            update_id: u,
            seq: u,
            time: 1,
        }
    }

    #[test]
    fn snapshot_then_deltas_then_a_new_snapshot() {
        let id = InstrumentId::new("bybit", "BTCUSDT").unwrap();
        let mut b = Book::new();
        assert!(
            b.apply(&id, &msg(false, 1, &[], &[])).is_none(),
            "delta before snapshot"
        );
        b.apply(
            &id,
            &msg(
                true,
                5,
                &[(dec!(100), dec!(1)), (dec!(99), dec!(2))],
                &[(dec!(101), dec!(3))],
            ),
        )
        .unwrap();
        let top = b.top(&id, 1).unwrap();
        assert_eq!((top.bid, top.ask), (dec!(100), dec!(101)));
        let d = b
            .apply(
                &id,
                &msg(false, 6, &[(dec!(100), dec!(0))], &[(dec!(100.5), dec!(1))]),
            )
            .unwrap();
        assert_eq!(d.prev_final_update_id, Some(5));
        let top = b.top(&id, 1).unwrap();
        assert_eq!(
            (top.bid, top.bid_qty, top.ask),
            (dec!(99), dec!(2), dec!(100.5))
        );
        // A new snapshot removes what it no longer has.
        let d = b
            .apply(
                &id,
                &msg(true, 1, &[(dec!(98), dec!(1))], &[(dec!(102), dec!(1))]),
            )
            .unwrap();
        assert!(d.bids.contains(&BookLevel {
            price: dec!(99),
            qty: dec!(0)
        }));
        assert!(d.asks.contains(&BookLevel {
            price: dec!(100.5),
            qty: dec!(0)
        }));
        assert_eq!(
            b.levels(5).0,
            vec![BookLevel {
                price: dec!(98),
                qty: dec!(1)
            }]
        );
    }
}
