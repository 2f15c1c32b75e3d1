//! Exposure: the fraction of bars during which a position was open.
//!
//! Either the engine says per bar whether it was in the market, or the bars
//! are derived from the trades' entry and exit times.

use smc_model::RoundTrip;

/// Fraction of `true` flags, one per bar. `None` for no bars.
pub fn exposure_from_flags(in_market: &[bool]) -> Option<f64> {
    let held = in_market.iter().filter(|f| **f).count();
    (!in_market.is_empty()).then(|| held as f64 / in_market.len() as f64)
}

/// Fraction of bars that overlap some trade, open or closed.
///
/// Bar i covers [t_i, t_{i+1}) (the last bar is open-ended) and a trade the
/// closed interval [entry_time, exit_time] (to +∞ while open); the bar is
/// in the market when the two intersect: entry_time < t_{i+1} and
/// exit_time ≥ t_i. With the engine's convention (fills stamped with the
/// open time of the bar that filled them) a trade entered in bar k and
/// exited in bar m holds bars k ..= m, and one entered and exited inside
/// the same bar holds that bar. A trade whose exit precedes its entry holds
/// nothing. `None` for no bars.
pub fn exposure_from_trades(times: &[i64], trades: &[RoundTrip]) -> Option<f64> {
    let n = times.len();
    if n == 0 {
        return None;
    }
    // Each trade holds a range of bars, found in O(log n); the bars held
    // are the length of the ranges' union, so the cost follows the trades,
    // not the bars (a million-bar curve needs no array of its own size).
    let mut held: Vec<(usize, usize)> = trades
        .iter()
        .filter(|t| t.exit_time.is_none_or(|exit| exit >= t.entry_time))
        .filter_map(|t| {
            // First bar whose successor starts after the entry.
            let first = times
                .partition_point(|&b| b <= t.entry_time.ms())
                .saturating_sub(1);
            // One past the last bar starting at or before the exit.
            let end = t
                .exit_time
                .map_or(n, |exit| times.partition_point(|&b| b <= exit.ms()));
            (first < end).then_some((first, end))
        })
        .collect();
    held.sort_unstable();
    let (mut bars, mut covered) = (0, 0);
    for (first, end) in held {
        let first = first.max(covered);
        if first < end {
            bars += end - first;
            covered = end;
        }
    }
    Some(bars as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::InstrumentIndex;
    use smc_model::Timestamp;
    use smc_model::TradeSide;

    fn trade(entry: i64, exit: Option<i64>) -> RoundTrip {
        RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(entry),
            exit_time: exit.map(Timestamp::from_ms),
            entry_price: Decimal::ONE,
            exit_price: None,
            size: Decimal::ONE,
            side: TradeSide::Short,
            pnl: Decimal::ZERO,
            fees: Decimal::ZERO,
            setup: None,
        }
    }

    #[test]
    fn bars_between_entry_and_exit_inclusive() {
        let times: Vec<i64> = (0..10).map(|i| i * 10).collect();
        // Bars 2..=4, bar 6 (same-bar round trip), then 8..=9 still open.
        let trades = [trade(20, Some(40)), trade(60, Some(60)), trade(85, None)];
        assert_eq!(exposure_from_trades(&times, &trades), Some(0.6));
        // Overlapping trades count a bar once.
        let overlap = [trade(0, Some(30)), trade(10, Some(20))];
        assert_eq!(exposure_from_trades(&times, &overlap), Some(0.4));
    }

    proptest::proptest! {
        /// The union of the trades' ranges counts each bar held once, as
        /// marking every bar of every trade does.
        #[test]
        fn the_union_counts_each_held_bar_once(
            steps in proptest::collection::vec(1i64..50, 1..60),
            spans in proptest::collection::vec((0i64..1_500, proptest::option::of(-20i64..400)), 0..12),
        ) {
            let mut times = vec![0i64];
            for s in &steps {
                times.push(times[times.len() - 1] + s);
            }
            let trades: Vec<RoundTrip> =
                spans.iter().map(|&(entry, hold)| trade(entry, hold.map(|h| entry + h))).collect();
            let held = (0..times.len())
                .filter(|&i| {
                    let next = times.get(i + 1).copied().unwrap_or(i64::MAX);
                    trades.iter().any(|t| {
                        let (entry, exit) = (t.entry_time.ms(), t.exit_time.map(|e| e.ms()));
                        exit.is_none_or(|e| e >= entry)
                            && entry < next
                            && exit.is_none_or(|e| e >= times[i])
                    })
                })
                .count();
            let expected = held as f64 / times.len() as f64;
            proptest::prop_assert_eq!(exposure_from_trades(&times, &trades), Some(expected));
        }
    }

    #[test]
    fn trades_outside_the_series_and_no_bars() {
        let times = [100, 200];
        assert_eq!(
            exposure_from_trades(&times, &[trade(0, Some(50))]),
            Some(0.0)
        );
        assert_eq!(exposure_from_trades(&times, &[trade(300, None)]), Some(0.5));
        assert_eq!(
            exposure_from_trades(&times, &[trade(150, Some(120))]),
            Some(0.0)
        );
        assert_eq!(exposure_from_trades(&[], &[trade(0, None)]), None);
        assert_eq!(exposure_from_flags(&[true, false, false, true]), Some(0.5));
        assert_eq!(exposure_from_flags(&[]), None);
    }
}
