//! A session's equity through its trading days: the equity at the start of
//! the current UTC day (of the session's own clock, the candles' time) and
//! the peak so far, for today's P&L and the drawdown.

use rust_decimal::Decimal;
use smc_model::Timestamp;

const DAY_MS: i64 = 86_400_000;

/// Equity marks folded into day start and peak.
#[derive(Debug, Default, Clone)]
pub struct EquityMarks {
    day: Option<i64>,
    last: Option<Decimal>,
    /// Equity when the current day began (the last mark of the day before,
    /// or the day's first mark when the session started that day).
    pub day_start: Option<Decimal>,
    pub peak: Option<Decimal>,
}

impl EquityMarks {
    pub fn mark(&mut self, time: Timestamp, equity: Decimal) {
        let day = time.ms().div_euclid(DAY_MS);
        if self.day != Some(day) {
            self.day = Some(day);
            self.day_start = Some(self.last.unwrap_or(equity));
        }
        self.last = Some(equity);
        self.peak = Some(self.peak.map_or(equity, |p| p.max(equity)));
    }

    /// Equity less the day's starting equity.
    pub fn today_pnl(&self) -> Option<Decimal> {
        Some(self.last? - self.day_start?)
    }

    /// How far equity is below its peak, as a fraction of the peak.
    pub fn drawdown(&self) -> Option<Decimal> {
        let (last, peak) = (self.last?, self.peak?);
        (peak > Decimal::ZERO).then(|| (peak - last) / peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(n: i64) -> Decimal {
        Decimal::from(n)
    }

    fn at(day: i64, hour: i64) -> Timestamp {
        Timestamp::from_ms(day * DAY_MS + hour * 3_600_000)
    }

    #[test]
    fn a_day_starts_from_the_last_mark_of_the_day_before() {
        let mut m = EquityMarks::default();
        m.mark(at(10, 5), dec(1000));
        assert_eq!(
            m.today_pnl(),
            Some(dec(0)),
            "started today: from the first mark"
        );
        m.mark(at(10, 23), dec(1100));
        assert_eq!(m.today_pnl(), Some(dec(100)));
        m.mark(at(11, 1), dec(1050));
        assert_eq!(m.day_start, Some(dec(1100)));
        assert_eq!(m.today_pnl(), Some(dec(-50)));
        assert_eq!(m.peak, Some(dec(1100)));
        assert_eq!(m.drawdown(), Some(dec(50) / dec(1100)));
    }

    #[test]
    fn nothing_before_the_first_mark() {
        let m = EquityMarks::default();
        assert_eq!(m.today_pnl(), None);
        assert_eq!(m.drawdown(), None);
    }
}
