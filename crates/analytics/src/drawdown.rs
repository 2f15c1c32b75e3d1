//! Drawdown: how far equity fell below its running peak, and for how long.

use crate::curve::EquityCurve;
use serde::Serialize;

/// The worst drawdown and the longest time under water of a curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Drawdown {
    /// max_t (1 − E_t / peak_t), peak_t = max(E_0 … E_t): a positive
    /// fraction of the running peak, 0 for a curve that never fell. Above 1
    /// only if equity went below zero.
    pub max: f64,
    /// The longest time (ms) from a peak to the first later point whose
    /// equity is back at or above it, or to the last point if it never
    /// recovered; 0 if the curve never fell.
    pub max_duration_ms: i64,
}

/// Maximum drawdown and maximum drawdown duration of `curve`.
///
/// The peak of an under-water stretch is the last point at the running
/// maximum before equity fell below it (equity equal to the peak is not
/// under water, so a flat stretch at the high moves the peak forward).
/// Durations are measured between point times, so a curve stamped at bar
/// closes measures from the close of the peak bar to the close of the
/// recovery bar. `None` for an empty curve or E_0 ≤ 0 (no positive peak to
/// measure from); a single point has no drawdown (0, 0 ms).
pub fn drawdown(curve: &EquityCurve) -> Option<Drawdown> {
    let (times, equity) = (curve.times(), curve.equity());
    let (&first, &start) = (equity.first()?, times.first()?);
    if first <= 0.0 {
        return None;
    }
    let (mut peak, mut peak_time) = (first, start);
    let mut under_water = false;
    let mut worst = Drawdown {
        max: 0.0,
        max_duration_ms: 0,
    };
    for (&t, &e) in times.iter().zip(equity).skip(1) {
        if e >= peak {
            if under_water {
                worst.max_duration_ms = worst.max_duration_ms.max(t.saturating_sub(peak_time));
                under_water = false;
            }
            peak = e;
            peak_time = t;
        } else {
            under_water = true;
            worst.max = worst.max.max(1.0 - e / peak);
        }
    }
    if under_water {
        // Not recovered: the stretch lasts to the end of the data.
        let end = times.last().copied().unwrap_or(peak_time);
        worst.max_duration_ms = worst.max_duration_ms.max(end.saturating_sub(peak_time));
    }
    Some(worst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::Timestamp;

    fn curve(points: &[(i64, i64)]) -> EquityCurve {
        let pts: Vec<_> = points
            .iter()
            .map(|&(t, e)| (Timestamp::from_ms(t), Decimal::from(e)))
            .collect();
        EquityCurve::new_checked(&pts).unwrap()
    }

    #[test]
    fn recovered_and_unrecovered_stretches() {
        // Peak 100 at t=1, trough 50 at t=2, back to 100 at t=5 (4 ms under
        // water); new peak 120 at t=6 and a 10 % dip to the end at t=8.
        let c = curve(&[
            (0, 90),
            (1, 100),
            (2, 50),
            (3, 80),
            (5, 100),
            (6, 120),
            (8, 108),
        ]);
        let d = drawdown(&c).unwrap();
        assert_eq!(d.max, 0.5);
        assert_eq!(d.max_duration_ms, 4);
        let tail = curve(&[(0, 100), (1, 120), (2, 119), (20, 119)]);
        assert_eq!(drawdown(&tail).unwrap().max_duration_ms, 19);
    }

    #[test]
    fn a_flat_top_moves_the_peak_and_equality_recovers() {
        // At 100 from t=0 to t=1 (the peak is t=1), down, back to exactly
        // 100 at t=6: five ms under water.
        let c = curve(&[(0, 100), (1, 100), (5, 90), (6, 100), (7, 100)]);
        assert_eq!(drawdown(&c).unwrap().max_duration_ms, 5);
    }

    #[test]
    fn flat_and_degenerate_curves() {
        let flat = curve(&[(0, 5), (1, 5), (2, 5)]);
        assert_eq!(drawdown(&flat).unwrap().max, 0.0);
        assert_eq!(drawdown(&flat).unwrap().max_duration_ms, 0);
        assert_eq!(drawdown(&EquityCurve::default()), None);
        assert_eq!(drawdown(&curve(&[(0, 0), (1, 5)])), None);
        let one = drawdown(&curve(&[(0, 7)])).unwrap();
        assert_eq!((one.max, one.max_duration_ms), (0.0, 0));
        let ruin = drawdown(&curve(&[(0, 10), (1, -5)])).unwrap();
        assert_eq!(ruin.max, 1.5);
    }
}
