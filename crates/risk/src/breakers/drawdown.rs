//! Drawdown: trips when equity is a percentage below its highest mark.

use super::condition::Condition;
use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::{EngineEvent, RiskObservation};

/// The drawdown measure.
#[derive(Debug, Clone)]
pub struct Drawdown {
    max_percent: Decimal,
    peak: Decimal,
    last_equity: Decimal,
}

impl Drawdown {
    pub fn new(max_percent: Decimal) -> Self {
        Drawdown {
            max_percent,
            peak: Decimal::ZERO,
            last_equity: Decimal::ZERO,
        }
    }
}

impl Condition for Drawdown {
    fn name(&self) -> &'static str {
        "drawdown"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Event(EngineEvent::EquityMark { equity, .. }) = *observation else {
            return None;
        };
        self.last_equity = *equity;
        self.peak = self.peak.max(*equity);
        if self.peak <= Decimal::ZERO {
            return None;
        }
        let dd = (self.peak - *equity) / self.peak * Decimal::ONE_HUNDRED;
        (dd >= self.max_percent && dd > Decimal::ZERO).then(|| {
            format!(
                "drawdown {}% from the peak {}, limit {}%",
                dd.round_dp(2).normalize(),
                self.peak.normalize(),
                self.max_percent
            )
        })
    }

    fn rebase(&mut self) {
        self.peak = self.last_equity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn trips_below_the_peak_and_rebases_to_the_current_equity() {
        let mut c = Drawdown::new(dec!(10));
        let see = |c: &mut Drawdown, equity| {
            let e = EngineEvent::EquityMark {
                time: Timestamp::from_ms(0),
                cash: equity,
                equity,
            };
            c.observe(&RiskObservation::Event(&e), Timestamp::from_ms(0))
        };
        assert_eq!(see(&mut c, dec!(1000)), None);
        assert_eq!(see(&mut c, dec!(1200)), None);
        assert_eq!(see(&mut c, dec!(1081)), None);
        assert!(see(&mut c, dec!(1080)).unwrap().contains("10%"));
        c.rebase();
        assert_eq!(see(&mut c, dec!(1000)), None);
        assert!(see(&mut c, dec!(972)).is_some());
    }
}
