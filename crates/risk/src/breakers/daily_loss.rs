//! Daily loss: trips when equity has fallen by a quote-currency amount or a
//! percentage from its value at the start of the UTC day (the first equity
//! mark of the day).

use super::condition::Condition;
use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::{EngineEvent, RiskObservation, time::DAY_MS};

/// The daily-loss measure.
#[derive(Debug, Clone)]
pub struct DailyLoss {
    max_loss: Option<Decimal>,
    max_loss_percent: Option<Decimal>,
    day: Option<i64>,
    start_equity: Decimal,
    last_equity: Decimal,
}

impl DailyLoss {
    /// At least one of the limits should be set; with none it never trips.
    pub fn new(max_loss: Option<Decimal>, max_loss_percent: Option<Decimal>) -> Self {
        DailyLoss {
            max_loss,
            max_loss_percent,
            day: None,
            start_equity: Decimal::ZERO,
            last_equity: Decimal::ZERO,
        }
    }

    /// The start of the UTC day after the one containing `t`.
    pub fn next_utc_day(t: Timestamp) -> Timestamp {
        Timestamp::from_ms((t.ms().div_euclid(DAY_MS) + 1) * DAY_MS)
    }
}

impl Condition for DailyLoss {
    fn name(&self) -> &'static str {
        "daily_loss"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Event(EngineEvent::EquityMark { time, equity, .. }) = *observation
        else {
            return None;
        };
        let day = time.ms().div_euclid(DAY_MS);
        if self.day != Some(day) {
            self.day = Some(day);
            self.start_equity = *equity;
        }
        self.last_equity = *equity;
        let loss = self.start_equity - *equity;
        if loss <= Decimal::ZERO {
            return None;
        }
        if let Some(max) = self.max_loss
            && loss >= max
        {
            return Some(format!(
                "lost {} today from {}, limit {max}",
                loss.round_dp(2).normalize(),
                self.start_equity.round_dp(2).normalize()
            ));
        }
        if let Some(max) = self.max_loss_percent
            && self.start_equity > Decimal::ZERO
        {
            let pct = loss / self.start_equity * Decimal::ONE_HUNDRED;
            if pct >= max {
                return Some(format!(
                    "lost {}% today from {}, limit {max}%",
                    pct.round_dp(2).normalize(),
                    self.start_equity.round_dp(2).normalize()
                ));
            }
        }
        None
    }

    fn rebase(&mut self) {
        self.start_equity = self.last_equity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn mark(time: Timestamp, equity: Decimal) -> EngineEvent {
        EngineEvent::EquityMark {
            time,
            cash: equity,
            equity,
        }
    }

    fn see(c: &mut DailyLoss, e: &EngineEvent) -> Option<String> {
        c.observe(&RiskObservation::Event(e), e.time())
    }

    #[test]
    fn trips_on_the_amount_from_the_day_start_and_forgets_yesterday() {
        let mut c = DailyLoss::new(Some(dec!(500)), None);
        assert_eq!(
            see(&mut c, &mark(Timestamp::from_ms(1_000), dec!(10000))),
            None
        );
        assert_eq!(
            see(&mut c, &mark(Timestamp::from_ms(2_000), dec!(9600))),
            None
        );
        let why = see(&mut c, &mark(Timestamp::from_ms(3_000), dec!(9500))).unwrap();
        assert!(why.contains("lost 500 today from 10000"), "{why}");
        // A new UTC day starts from its own first mark.
        assert_eq!(
            see(&mut c, &mark(Timestamp::from_ms(DAY_MS), dec!(9400))),
            None
        );
        assert!(see(&mut c, &mark(Timestamp::from_ms(DAY_MS + 1), dec!(8900))).is_some());
    }

    #[test]
    fn trips_on_the_percentage_and_rebases() {
        let mut c = DailyLoss::new(None, Some(dec!(5)));
        see(&mut c, &mark(Timestamp::from_ms(0), dec!(2000)));
        assert_eq!(see(&mut c, &mark(Timestamp::from_ms(1), dec!(1901))), None);
        assert!(
            see(&mut c, &mark(Timestamp::from_ms(2), dec!(1900)))
                .unwrap()
                .contains("5%")
        );
        c.rebase();
        assert_eq!(see(&mut c, &mark(Timestamp::from_ms(3), dec!(1899))), None);
    }

    #[test]
    fn the_next_utc_day_starts_at_midnight() {
        assert_eq!(
            DailyLoss::next_utc_day(Timestamp::from_ms(0)),
            Timestamp::from_ms(DAY_MS)
        );
        assert_eq!(
            DailyLoss::next_utc_day(Timestamp::from_ms(DAY_MS - 1)),
            Timestamp::from_ms(DAY_MS)
        );
        assert_eq!(
            DailyLoss::next_utc_day(Timestamp::from_ms(DAY_MS)),
            Timestamp::from_ms(2 * DAY_MS)
        );
    }
}
