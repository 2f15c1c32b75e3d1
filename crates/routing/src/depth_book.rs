//! A venue's order book kept from its depth stream: a snapshot, then
//! updates that set a level's quantity (zero removes it), applied in
//! order. The router reads the side an order takes as a [`BookSide`].

use crate::book::{BookSide, Level};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Why an update was not applied: the book must be rebuilt from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("depth update {got} does not follow {expected}: a message was missed")]
    Gap { expected: u64, got: u64 },
    #[error("depth update before any snapshot")]
    NoSnapshot,
    #[error("the book is crossed after update {0} (bid {1} ≥ ask {2})")]
    Crossed(u64, Decimal, Decimal),
}

/// Both sides of one venue's book for one symbol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepthBook {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    /// The id of the last update applied; `None` before a snapshot.
    last_id: Option<u64>,
}

fn set(side: &mut BTreeMap<Decimal, Decimal>, levels: &[Level]) {
    for l in levels {
        if l.qty <= Decimal::ZERO {
            side.remove(&l.price);
        } else {
            side.insert(l.price, l.qty);
        }
    }
}

impl DepthBook {
    /// Replaces the book with a snapshot taken at update `id`.
    pub fn snapshot(&mut self, id: u64, bids: &[Level], asks: &[Level]) {
        self.bids.clear();
        self.asks.clear();
        set(&mut self.bids, bids);
        set(&mut self.asks, asks);
        self.last_id = Some(id);
    }

    /// Applies update `id`, which must follow `prev` (the id of the update
    /// before it, as the venue states it; `None` where the venue numbers
    /// updates consecutively). On a gap or a crossed book the book is
    /// cleared and the caller fetches a new snapshot.
    pub fn apply(
        &mut self,
        id: u64,
        prev: Option<u64>,
        bids: &[Level],
        asks: &[Level],
    ) -> Result<(), BookError> {
        let Some(last) = self.last_id else {
            return Err(BookError::NoSnapshot);
        };
        if id <= last {
            // Already in the snapshot.
            return Ok(());
        }
        let expected = prev.unwrap_or(id.saturating_sub(1));
        if expected != last {
            self.clear();
            return Err(BookError::Gap {
                expected: last,
                got: expected,
            });
        }
        set(&mut self.bids, bids);
        set(&mut self.asks, asks);
        self.last_id = Some(id);
        if let (Some((&bid, _)), Some((&ask, _))) =
            (self.bids.last_key_value(), self.asks.first_key_value())
            && bid >= ask
        {
            self.clear();
            return Err(BookError::Crossed(id, bid, ask));
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.last_id = None;
    }

    /// Whether a snapshot has been applied since the last reset.
    pub fn is_ready(&self) -> bool {
        self.last_id.is_some()
    }

    /// The best `levels` of the side a buy (`is_buy`) or a sell takes:
    /// asks from the lowest, bids from the highest.
    pub fn side(&self, is_buy: bool, levels: usize) -> BookSide {
        let to_level = |(&price, &qty): (&Decimal, &Decimal)| Level { price, qty };
        let levels = if is_buy {
            self.asks.iter().take(levels).map(to_level).collect()
        } else {
            self.bids.iter().rev().take(levels).map(to_level).collect()
        };
        BookSide::new(levels)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rust_decimal::dec;

    fn l(price: Decimal, qty: Decimal) -> Level {
        Level { price, qty }
    }

    #[test]
    fn updates_set_and_remove_levels_in_order() {
        let mut b = DepthBook::default();
        assert_eq!(b.apply(1, None, &[], &[]), Err(BookError::NoSnapshot));
        b.snapshot(
            10,
            &[l(dec!(99), dec!(1)), l(dec!(98), dec!(2))],
            &[l(dec!(101), dec!(1))],
        );
        b.apply(
            11,
            None,
            &[l(dec!(99), dec!(0))],
            &[l(dec!(100.5), dec!(3))],
        )
        .unwrap();
        // An update the snapshot already holds is skipped.
        b.apply(9, None, &[l(dec!(50), dec!(1))], &[]).unwrap();
        assert_eq!(b.side(false, 5).levels, vec![l(dec!(98), dec!(2))]);
        assert_eq!(b.side(true, 1).levels, vec![l(dec!(100.5), dec!(3))]);
        assert!(b.side(true, 5).is_well_formed(true));
        assert!(b.side(false, 5).is_well_formed(false));
    }

    #[test]
    fn a_gap_or_a_crossed_book_asks_for_a_new_snapshot() {
        let mut b = DepthBook::default();
        b.snapshot(10, &[l(dec!(99), dec!(1))], &[l(dec!(101), dec!(1))]);
        let gap = b.apply(13, Some(12), &[], &[]).unwrap_err();
        assert_eq!(
            gap,
            BookError::Gap {
                expected: 10,
                got: 12
            }
        );
        assert!(!b.is_ready());
        b.snapshot(20, &[l(dec!(99), dec!(1))], &[l(dec!(101), dec!(1))]);
        b.apply(25, Some(20), &[], &[]).unwrap();
        let crossed = b
            .apply(26, Some(25), &[l(dec!(102), dec!(1))], &[])
            .unwrap_err();
        assert!(matches!(crossed, BookError::Crossed(26, _, _)));
        assert!(!b.is_ready() && b.side(true, 5).levels.is_empty());
    }
}
