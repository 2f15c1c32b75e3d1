//! Calendar-month returns (UTC).
//!
//! Equity times are instants: the engine stamps each mark with its bar's
//! close time, so the mark at exactly 00:00 on the 1st is the closing
//! equity of the month that just ended. A month therefore holds the points
//! with month_start < t ≤ next_month_start, and its return runs from the
//! last equity at or before its start to its own last equity. Months chain:
//! Π(1 + monthly return) = E_end / E_start.

use crate::curve::{EquityCurve, finite};
use serde::Serialize;
use smc_model::time::{DAY_MS, civil_from_days, days_in_month};

/// The return of one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthlyReturn {
    pub year: i64,
    /// 1 = January … 12 = December.
    pub month: u32,
    /// E_last / E_base − 1; `None` when E_base ≤ 0.
    #[serde(rename = "return")]
    pub ret: Option<f64>,
}

/// The month an equity instant closes: that of the millisecond before it,
/// so 00:00 on the 1st belongs to the month before.
fn month_of(t: i64) -> (i64, u32) {
    let (y, m, _) = civil_from_days(day_of(t));
    (y, m)
}

/// The day (since the epoch) of the millisecond before `t`.
fn day_of(t: i64) -> i64 {
    t.saturating_sub(1).div_euclid(DAY_MS)
}

/// Monthly returns of `curve`, in calendar order.
///
/// A month is listed when some point after the first falls in it; its base
/// is the last point at or before the month start, or the series' first
/// point for the month the series starts in. A month with no points (a
/// data gap) is not listed, and the return across the gap belongs to the
/// first month after it. Empty for fewer than two points.
pub fn monthly_returns(curve: &EquityCurve) -> Vec<MonthlyReturn> {
    let (times, equity) = (curve.times(), curve.equity());
    let mut out = Vec::new();
    // Points 1..n, grouped by month; times ascend, so groups are runs.
    let mut i = 1;
    while i < times.len() {
        let key = month_of(times[i]);
        let base = equity[i - 1];
        // The month's days as a range: the run's other points need a
        // division each, not a calendar conversion.
        let day = day_of(times[i]);
        let (_, _, d) = civil_from_days(day);
        let first = day - i64::from(d) + 1;
        let days = first..first + i64::from(days_in_month(key.0, key.1));
        let mut last = i;
        while last + 1 < times.len() && days.contains(&day_of(times[last + 1])) {
            last += 1;
        }
        out.push(MonthlyReturn {
            year: key.0,
            month: key.1,
            ret: if base > 0.0 {
                finite(equity[last] / base - 1.0)
            } else {
                None
            },
        });
        i = last + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::Timestamp;
    use smc_model::time::epoch_ms;

    fn curve(points: &[(i64, i64)]) -> EquityCurve {
        let pts: Vec<_> = points
            .iter()
            .map(|&(t, e)| (Timestamp::from_ms(t), Decimal::from(e)))
            .collect();
        EquityCurve::new_checked(&pts).unwrap()
    }

    #[test]
    fn month_start_mark_closes_the_previous_month() {
        let c = curve(&[
            (epoch_ms(2021, 1, 15, 0, 0, 0), 100),
            (epoch_ms(2021, 1, 31, 0, 0, 0), 110),
            (epoch_ms(2021, 2, 1, 0, 0, 0), 150),
            (epoch_ms(2021, 2, 1, 0, 0, 1), 60),
            (epoch_ms(2021, 3, 1, 0, 0, 0), 225),
            // April missing (a gap): May's return starts from March 1.
            (epoch_ms(2021, 5, 2, 0, 0, 0), 450),
        ]);
        let m = monthly_returns(&c);
        let got: Vec<_> = m.iter().map(|r| (r.year, r.month, r.ret)).collect();
        assert_eq!(
            got,
            vec![
                (2021, 1, Some(0.5)),
                (2021, 2, Some(0.5)),
                (2021, 5, Some(1.0)),
            ]
        );
    }

    #[test]
    fn short_and_ruined_series() {
        assert!(monthly_returns(&curve(&[(0, 1)])).is_empty());
        let ruined = curve(&[(0, 1), (DAY_MS, 0), (40 * DAY_MS, 5)]);
        let m = monthly_returns(&ruined);
        assert_eq!(m[0].ret, Some(-1.0));
        assert_eq!(m[1].ret, None);
    }
}
