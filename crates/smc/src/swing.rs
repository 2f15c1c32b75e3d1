//! Swing (fractal pivot) detection, causal: a bar is a swing high when its
//! high is above the `length` highs before it and not below the `length`
//! highs after it, and that is known only when the `length`-th later bar
//! closes. Nothing is ever repainted: once emitted, a swing stays.

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

/// Finds the pivot confirmed by the newest bar of `history`, if any.
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
