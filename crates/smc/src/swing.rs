//! Swing (fractal pivot) detection, causal: a bar is a swing high when its
//! high is above the `length` highs before it and not below the `length`
//! highs after it, and that is known only when the `length`-th later bar
//! closes. Nothing is ever repainted: once emitted, a swing stays.
//!
//! [`Swings`] finds them incrementally: a bar that beats the `length` bars
//! before it becomes the pending pivot of its side (at most one can be
//! pending per side, since a later candidate beats it), and the pending
//! pivot is dropped as soon as a later bar exceeds it, or confirmed when it
//! has survived `length` bars. [`confirmed`] is the plain window scan it is
//! tested against.

use crate::bar::Bar;
use crate::history::History;

/// A confirmed swing point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    /// 1 high, -1 low.
    pub direction: i8,
    pub level: f64,
    /// Absolute bar index and open time of the pivot bar.
    pub index: u64,
    pub time: i64,
    /// Close time of the bar that confirmed it.
    pub known_at: i64,
}

/// Incremental swing confirmation for one length (one scope).
#[derive(Debug, Clone)]
pub struct Swings {
    length: u64,
    high: Option<Pending>,
    low: Option<Pending>,
}

/// A bar that beats the bars before it and has not been exceeded since.
#[derive(Debug, Clone, Copy)]
struct Pending {
    index: u64,
    level: f64,
    time: i64,
}

impl Swings {
    pub fn new(length: usize) -> Self {
        Swings {
            length: length.max(1) as u64,
            high: None,
            low: None,
        }
    }

    /// The swing high and low confirmed by bar `i`, given how many bars
    /// before it its high is above (`up`) and its low below (`down`), from
    /// [`Spans::push`]; same answers as [`confirmed`].
    #[inline]
    pub fn on_bar(
        &mut self,
        i: u64,
        bar: &Bar,
        up: u32,
        down: u32,
    ) -> (Option<Swing>, Option<Swing>) {
        let length = self.length;
        // A later bar at or below (above) the pending pivot lets it live;
        // comparisons with NaN fail, so a NaN bar ends it.
        let high = settle(&mut self.high, |p| p >= bar.high, i, length, 1, bar);
        let low = settle(&mut self.low, |p| p <= bar.low, i, length, -1, bar);
        let pending = |level| {
            Some(Pending {
                index: i,
                level,
                time: bar.open_time,
            })
        };
        if u64::from(up) >= length && bar.high.is_finite() {
            self.high = pending(bar.high);
        }
        if u64::from(down) >= length && bar.low.is_finite() {
            self.low = pending(bar.low);
        }
        (high, low)
    }
}

/// For each new bar, how many consecutive bars before it have a strictly
/// lower high (a strictly higher low), counted up to a cap — the "stock
/// span", found by jumping over the spans already known, so in amortised
/// constant time. One instance serves both scopes.
#[derive(Debug, Clone)]
pub struct Spans {
    slots: Vec<Span>,
    mask: u64,
    pushed: u64,
    cap: u32,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    high: f64,
    low: f64,
    up: u32,
    down: u32,
}

impl Spans {
    /// Spans counted up to `cap` bars (the longest swing length).
    pub fn new(cap: usize) -> Self {
        let cap = cap.clamp(1, 1 << 20) as u32;
        let capacity = (cap as usize + 1).next_power_of_two();
        let empty = Span {
            high: f64::NAN,
            low: f64::NAN,
            up: 0,
            down: 0,
        };
        Spans {
            slots: vec![empty; capacity],
            mask: capacity as u64 - 1,
            pushed: 0,
            cap,
        }
    }

    /// Adds the next bar; returns its index and its up and down spans.
    #[inline]
    pub fn push(&mut self, high: f64, low: f64) -> (u64, u32, u32) {
        let i = self.pushed;
        let up = self.span(i, |s| s.high < high, |s| s.up);
        let down = self.span(i, |s| s.low > low, |s| s.down);
        if let Some(slot) = self.slots.get_mut((i & self.mask) as usize) {
            *slot = Span {
                high,
                low,
                up,
                down,
            };
        }
        self.pushed += 1;
        (i, up, down)
    }

    #[inline]
    fn span(&self, i: u64, beaten: impl Fn(&Span) -> bool, known: impl Fn(&Span) -> u32) -> u32 {
        let mut s = 0u32;
        // Bar i - 1 - s is beaten, and so are the bars its own span covers.
        while s < self.cap && u64::from(s) < i {
            let j = i - 1 - u64::from(s);
            match self.slots.get((j & self.mask) as usize) {
                Some(slot) if beaten(slot) => s += known(slot) + 1,
                _ => break,
            }
        }
        s.min(self.cap)
    }
}

/// Drops the pending pivot the newest bar exceeds, or confirms it after
/// `length` bars.
fn settle(
    slot: &mut Option<Pending>,
    holds: impl Fn(f64) -> bool,
    i: u64,
    length: u64,
    direction: i8,
    bar: &Bar,
) -> Option<Swing> {
    let p = (*slot)?;
    if !holds(p.level) {
        *slot = None;
        return None;
    }
    if i - p.index < length {
        return None;
    }
    *slot = None;
    Some(Swing {
        direction,
        level: p.level,
        index: p.index,
        time: p.time,
        known_at: bar.close_time,
    })
}

/// Finds the pivot confirmed by the newest bar of `history`, if any, by
/// scanning the window around it (the reference for [`Swings`]).
pub fn confirmed(history: &History, length: usize) -> (Option<Swing>, Option<Swing>) {
    let length = length.max(1);
    let Some(last) = history.last_index() else {
        return (None, None);
    };
    let Some(pivot_index) = last.checked_sub(length as u64) else {
        return (None, None);
    };
    if pivot_index < length as u64 {
        return (None, None);
    }
    let (Some(pivot), Some(confirming)) = (history.get(pivot_index), history.get(last)) else {
        return (None, None);
    };
    let mut is_high = pivot.high.is_finite();
    let mut is_low = pivot.low.is_finite();
    for d in 1..=length as u64 {
        let (Some(before), Some(after)) =
            (history.get(pivot_index - d), history.get(pivot_index + d))
        else {
            return (None, None);
        };
        // Strict against the past, inclusive against the future: of equal
        // highs the first is the pivot, so a flat top yields one swing.
        is_high &= pivot.high > before.high && pivot.high >= after.high;
        is_low &= pivot.low < before.low && pivot.low <= after.low;
        if !is_high && !is_low {
            return (None, None); // most bars fail next to the pivot
        }
    }
    let swing = |direction: i8, level: f64| Swing {
        direction,
        level,
        index: pivot_index,
        time: pivot.open_time,
        known_at: confirming.close_time,
    };
    (
        is_high.then(|| swing(1, pivot.high)),
        is_low.then(|| swing(-1, pivot.low)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn incremental_agrees_with_the_window_scan(
            steps in prop::collection::vec((-3i8..=3, 0u8..3, 0u8..3, 0u8..40), 1..300),
            length in 1usize..6,
        ) {
            let mut history = History::new(64);
            let mut swings = Swings::new(length);
            let mut spans = Spans::new(7);
            let mut price = 100.0;
            for (i, &(step, up, down, nan)) in steps.iter().enumerate() {
                let open = price;
                price += f64::from(step);
                let mut high = open.max(price) + f64::from(up);
                if nan == 0 {
                    high = f64::NAN; // a bad price now and then
                }
                let bar = Bar {
                    open_time: i as i64,
                    close_time: i as i64 + 1,
                    open,
                    high,
                    low: open.min(price) - f64::from(down),
                    close: price,
                    volume: 0.0,
                };
                history.push(bar);
                let (index, up, down) = spans.push(bar.high, bar.low);
                prop_assert_eq!(swings.on_bar(index, &bar, up, down), confirmed(&history, length));
            }
        }
    }
}
