//! Triple-barrier labels for meta-labelling: after an entry decided at the
//! close of bar `entry`, walk the following bars until the stop, the target
//! or the time limit is reached. Target first → 1, stop first → 0; at the
//! time limit the label is the sign of the return at that bar's close. When
//! one bar reaches both stop and target, the stop counts (the bar's path is
//! unknown, so assume the worse). The label uses no bar after its exit.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One bar: its time and the prices the barriers look at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Bar time, ms since the epoch.
    pub time_ms: i64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
}

/// Direction of the trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Profits when the price rises.
    Long,
    /// Profits when the price falls.
    Short,
}

/// The barriers of one setup.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Barriers {
    /// Index of the bar at whose close the entry is decided.
    pub entry: usize,
    /// Direction.
    pub side: Side,
    /// Entry price.
    pub entry_price: f64,
    /// Stop price (below the entry for a long, above for a short).
    pub stop: f64,
    /// Target price (above the entry for a long, below for a short).
    pub target: f64,
    /// Bars after the entry bar before the time limit (>= 1).
    pub max_bars: usize,
}

/// Which barrier ended the trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hit {
    /// The target.
    Target,
    /// The stop.
    Stop,
    /// The time limit.
    TimeLimit,
}

/// A label and how it came about.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BarrierLabel {
    /// 1 for a win.
    pub label: bool,
    /// Which barrier.
    pub hit: Hit,
    /// Time of the entry bar (the decision).
    pub start_ms: i64,
    /// Index of the exit bar.
    pub exit_index: usize,
    /// Time of the exit bar (when the label became known).
    pub end_ms: i64,
    /// Exit price (the barrier, or the close at the time limit).
    pub exit_price: f64,
    /// Return of the trade in its direction, `(exit - entry) / entry`, sign flipped for a short.
    pub ret: f64,
}

/// Why a setup cannot be labelled.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LabelError {
    /// The entry index is not a bar.
    #[error("entry bar {entry} is outside the {bars} bars")]
    EntryOutOfRange {
        /// The entry index.
        entry: usize,
        /// Number of bars.
        bars: usize,
    },
    /// A price is not a positive finite number.
    #[error("{what} is not a positive finite price: {value}")]
    BadPrice {
        /// Which price.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// Stop or target on the wrong side of the entry.
    #[error(
        "for a {side:?} entry at {entry_price}, the stop {stop} and target {target} are on the wrong side"
    )]
    WrongSide {
        /// Direction.
        side: Side,
        /// Entry price.
        entry_price: f64,
        /// Stop.
        stop: f64,
        /// Target.
        target: f64,
    },
    /// A time limit of zero bars.
    #[error("max_bars must be at least 1")]
    NoTimeLimit,
    /// A bar after the entry has a non-finite price or a high below its low.
    #[error("bar {index} is malformed (high {high}, low {low}, close {close})")]
    BadBar {
        /// Index of the bar.
        index: usize,
        /// High.
        high: f64,
        /// Low.
        low: f64,
        /// Close.
        close: f64,
    },
}

/// The label of one setup, or `None` when the series ends before any barrier
/// (the label is not known yet).
pub fn triple_barrier(bars: &[Bar], b: &Barriers) -> Result<Option<BarrierLabel>, LabelError> {
    let entry_bar = bars.get(b.entry).ok_or(LabelError::EntryOutOfRange {
        entry: b.entry,
        bars: bars.len(),
    })?;
    for (what, value) in [
        ("entry price", b.entry_price),
        ("stop", b.stop),
        ("target", b.target),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(LabelError::BadPrice { what, value });
        }
    }
    let sign = match b.side {
        Side::Long => 1.0,
        Side::Short => -1.0,
    };
    if (b.stop - b.entry_price) * sign >= 0.0 || (b.target - b.entry_price) * sign <= 0.0 {
        return Err(LabelError::WrongSide {
            side: b.side,
            entry_price: b.entry_price,
            stop: b.stop,
            target: b.target,
        });
    }
    if b.max_bars == 0 {
        return Err(LabelError::NoTimeLimit);
    }
    let ret = |exit: f64| sign * (exit - b.entry_price) / b.entry_price;
    let last = b.entry.saturating_add(b.max_bars);
    for index in b.entry + 1..=last {
        let Some(bar) = bars.get(index) else {
            return Ok(None);
        };
        if !(bar.high.is_finite() && bar.low.is_finite() && bar.close.is_finite())
            || bar.high < bar.low
        {
            return Err(LabelError::BadBar {
                index,
                high: bar.high,
                low: bar.low,
                close: bar.close,
            });
        }
        let (stop_hit, target_hit) = match b.side {
            Side::Long => (bar.low <= b.stop, bar.high >= b.target),
            Side::Short => (bar.high >= b.stop, bar.low <= b.target),
        };
        let exit = |hit, label, price| BarrierLabel {
            label,
            hit,
            start_ms: entry_bar.time_ms,
            exit_index: index,
            end_ms: bar.time_ms,
            exit_price: price,
            ret: ret(price),
        };
        if stop_hit {
            return Ok(Some(exit(Hit::Stop, false, b.stop)));
        }
        if target_hit {
            return Ok(Some(exit(Hit::Target, true, b.target)));
        }
        if index == last {
            return Ok(Some(exit(Hit::TimeLimit, ret(bar.close) > 0.0, bar.close)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn bar(i: i64, high: f64, low: f64, close: f64) -> Bar {
        Bar {
            time_ms: i * 60_000,
            high,
            low,
            close,
        }
    }

    fn long(max_bars: usize) -> Barriers {
        Barriers {
            entry: 0,
            side: Side::Long,
            entry_price: 100.0,
            stop: 98.0,
            target: 103.0,
            max_bars,
        }
    }

    #[test]
    fn target_first_is_a_win() {
        let bars = [
            bar(0, 100.0, 100.0, 100.0),
            bar(1, 101.0, 99.0, 100.5),
            bar(2, 103.5, 100.0, 103.0),
        ];
        let l = triple_barrier(&bars, &long(5)).unwrap().unwrap();
        assert!(l.label);
        assert_eq!(l.hit, Hit::Target);
        assert_eq!((l.exit_index, l.start_ms, l.end_ms), (2, 0, 120_000));
        assert!((l.ret - 0.03).abs() < 1e-12);
    }

    #[test]
    fn stop_and_target_in_one_bar_counts_the_stop() {
        let bars = [bar(0, 100.0, 100.0, 100.0), bar(1, 104.0, 97.0, 103.0)];
        let l = triple_barrier(&bars, &long(5)).unwrap().unwrap();
        assert!(!l.label);
        assert_eq!(l.hit, Hit::Stop);
        assert!((l.ret + 0.02).abs() < 1e-12);
    }

    #[test]
    fn time_limit_labels_by_sign_and_short_mirrors() {
        let bars = [
            bar(0, 100.0, 100.0, 100.0),
            bar(1, 101.0, 99.0, 100.5),
            bar(2, 101.0, 99.0, 99.5),
            bar(3, 110.0, 90.0, 100.0),
        ];
        let l = triple_barrier(&bars, &long(2)).unwrap().unwrap();
        assert_eq!((l.hit, l.label, l.exit_index), (Hit::TimeLimit, false, 2));
        let short = Barriers {
            side: Side::Short,
            stop: 102.0,
            target: 97.0,
            ..long(2)
        };
        let s = triple_barrier(&bars, &short).unwrap().unwrap();
        assert_eq!((s.hit, s.label), (Hit::TimeLimit, true));
        assert!((s.ret - 0.005).abs() < 1e-12);
        // Series ends before the time limit: not known yet.
        assert_eq!(triple_barrier(&bars[..2], &long(5)).unwrap(), None);
    }

    #[test]
    fn bad_setups_are_refused() {
        let bars = [bar(0, 100.0, 100.0, 100.0), bar(1, f64::NAN, 99.0, 100.0)];
        assert!(matches!(
            triple_barrier(
                &bars,
                &Barriers {
                    entry: 5,
                    ..long(1)
                }
            ),
            Err(LabelError::EntryOutOfRange { .. })
        ));
        assert!(matches!(
            triple_barrier(
                &bars,
                &Barriers {
                    stop: 101.0,
                    ..long(1)
                }
            ),
            Err(LabelError::WrongSide { .. })
        ));
        assert!(matches!(
            triple_barrier(
                &bars,
                &Barriers {
                    target: -1.0,
                    ..long(1)
                }
            ),
            Err(LabelError::BadPrice { .. })
        ));
        assert!(matches!(
            triple_barrier(&bars, &long(0)),
            Err(LabelError::NoTimeLimit)
        ));
        assert!(matches!(
            triple_barrier(&bars, &long(1)),
            Err(LabelError::BadBar { index: 1, .. })
        ));
    }

    fn walk() -> impl Strategy<Value = Vec<Bar>> {
        prop::collection::vec((-2.0f64..2.0, 0.0f64..2.0, 0.0f64..2.0), 2..60).prop_map(|steps| {
            let mut close = 100.0;
            steps
                .into_iter()
                .enumerate()
                .map(|(i, (step, up, down))| {
                    let open = close;
                    close = (close + step).max(1.0);
                    let high = open.max(close) + up;
                    let low = (open.min(close) - down).max(0.5);
                    bar(i as i64, high, low, close)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn label_spans_forward_and_ignores_bars_after_exit(
            bars in walk(),
            entry_frac in 0.0f64..1.0,
            short in any::<bool>(),
            stop_dist in 0.1f64..5.0,
            target_dist in 0.1f64..5.0,
            max_bars in 1usize..30,
        ) {
            let entry = ((bars.len() - 1) as f64 * entry_frac) as usize;
            let price = bars[entry].close;
            let (side, stop, target) = if short {
                (Side::Short, price + stop_dist, (price - target_dist).max(0.01))
            } else {
                (Side::Long, (price - stop_dist).max(0.01), price + target_dist)
            };
            let b = Barriers { entry, side, entry_price: price, stop, target, max_bars };
            if let Some(l) = triple_barrier(&bars, &b).unwrap() {
                prop_assert!(l.end_ms >= l.start_ms);
                prop_assert!(l.exit_index > entry && l.exit_index <= entry + max_bars);
                prop_assert_eq!(l.label, l.ret > 0.0);
                // Scrambling every bar after the exit changes nothing.
                let mut changed = bars.clone();
                for later in changed.iter_mut().skip(l.exit_index + 1) {
                    later.high = 1e9;
                    later.low = 0.01;
                    later.close = 1.0;
                }
                prop_assert_eq!(triple_barrier(&changed, &b).unwrap(), Some(l));
                // Cutting the series right after the exit gives the same label.
                prop_assert_eq!(triple_barrier(&bars[..=l.exit_index], &b).unwrap(), Some(l));
            }
        }
    }
}
