//! The most recent closed bars of one timeframe, kept in a ring so that a
//! detector can look back (an order block's candle lies between a swing and
//! the break) without the memory growing with the series. The capacity is
//! a power of two, so an absolute bar index maps to its slot with a mask.

use crate::bar::Bar;

#[derive(Debug, Clone)]
pub struct History {
    slots: Vec<Bar>,
    mask: u64,
    /// Number of bars ever pushed.
    pushed: u64,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(4).next_power_of_two();
        History {
            slots: Vec::with_capacity(capacity),
            mask: capacity as u64 - 1,
            pushed: 0,
        }
    }

    fn capacity(&self) -> u64 {
        self.mask + 1
    }

    #[inline]
    pub fn push(&mut self, bar: Bar) {
        let slot = (self.pushed & self.mask) as usize;
        if slot < self.slots.len() {
            self.slots[slot] = bar;
        } else {
            self.slots.push(bar);
        }
        self.pushed += 1;
    }

    /// Index of the oldest bar still kept.
    fn first(&self) -> u64 {
        self.pushed.saturating_sub(self.capacity())
    }

    /// Index of the newest bar (the number of bars pushed, minus one).
    pub fn last_index(&self) -> Option<u64> {
        self.pushed.checked_sub(1)
    }

    /// The bar with absolute index `i`, if still kept.
    #[inline]
    pub fn get(&self, i: u64) -> Option<&Bar> {
        if i >= self.pushed || i < self.first() {
            return None;
        }
        self.slots.get((i & self.mask) as usize)
    }

    /// The newest bar, `back` bars ago (0 = the newest).
    pub fn back(&self, back: usize) -> Option<&Bar> {
        self.pushed
            .checked_sub(back as u64 + 1)
            .and_then(|i| self.get(i))
    }

    /// Kept bars with absolute indices in `from..=to`, oldest first.
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, &Bar)> {
        let start = from.max(self.first());
        (start..=to).filter_map(move |i| self.get(i).map(|b| (i, b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(i: i64) -> Bar {
        Bar {
            open_time: i,
            close_time: i + 1,
            open: 0.0,
            high: 0.0,
            low: 0.0,
            close: 0.0,
            volume: 0.0,
        }
    }

    #[test]
    fn keeps_the_newest_bars_by_absolute_index() {
        let mut h = History::new(4);
        assert!(h.last_index().is_none() && h.back(0).is_none());
        for i in 0..10 {
            h.push(bar(i));
        }
        assert_eq!(h.last_index(), Some(9));
        assert_eq!(h.get(9).map(|b| b.open_time), Some(9));
        assert_eq!(h.get(6).map(|b| b.open_time), Some(6));
        assert!(h.get(5).is_none(), "evicted");
        assert!(h.get(10).is_none(), "not yet pushed");
        assert_eq!(h.back(2).map(|b| b.open_time), Some(7));
        assert_eq!(
            h.range(0, 9).map(|(i, _)| i).collect::<Vec<_>>(),
            vec![6, 7, 8, 9]
        );
    }
}
