//! The most recent closed bars of one timeframe, kept in a ring so that a
//! detector can look back (an order block's candle lies between a swing and
//! the break) without the memory growing with the series.

use crate::bar::Bar;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct History {
    capacity: usize,
    bars: VecDeque<Bar>,
    /// Index (0-based, counting every bar ever pushed) of `bars[0]`.
    first: u64,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        History {
            capacity: capacity.max(4),
            bars: VecDeque::with_capacity(capacity.max(4)),
            first: 0,
        }
    }

    pub fn push(&mut self, bar: Bar) {
        if self.bars.len() == self.capacity {
            self.bars.pop_front();
            self.first += 1;
        }
        self.bars.push_back(bar);
    }

    /// Index of the newest bar (the number of bars pushed, minus one).
    pub fn last_index(&self) -> Option<u64> {
        (self.first + self.bars.len() as u64).checked_sub(1)
    }

    /// The bar with absolute index `i`, if still kept.
    pub fn get(&self, i: u64) -> Option<&Bar> {
        i.checked_sub(self.first)
            .and_then(|k| self.bars.get(k as usize))
    }

    /// The newest bar, `back` bars ago (0 = the newest).
    pub fn back(&self, back: usize) -> Option<&Bar> {
        self.bars
            .len()
            .checked_sub(back + 1)
            .and_then(|k| self.bars.get(k))
    }

    /// Kept bars with absolute indices in `from..=to`, oldest first.
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, &Bar)> {
        let start = from.max(self.first);
        (start..=to).filter_map(move |i| self.get(i).map(|b| (i, b)))
    }
}
