//! Live mode's guard against trading on old news. After a restart or a
//! reconnect, the candles missed meanwhile are fetched over REST so that
//! the strategy's state stays exact; but a signal on such a candle is
//! minutes or hours late, and the price it was computed from is gone. So
//! while the session processes a history candle, this gate refuses every
//! order that would add risk (entries), and lets through what reduces it
//! (exits, stops, closes). The session sets the switch per candle from the
//! candle's logged receipt, so a replay after a restart decides the same.

use smc_model::{
    EventSink, OrderIntent, PortfolioSnapshot, RiskGate, RiskObservation, RiskOutcome, RiskState,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The refusal's reason, as it appears in the events.
pub const HISTORY_REFUSAL: &str =
    "history_candle: fetched to fill a gap, not live; it may reduce risk but not add any";

/// On while the engine processes a history candle.
#[derive(Debug, Clone, Default)]
pub struct HistorySwitch(Arc<AtomicBool>);

impl HistorySwitch {
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// `inner`, refusing risk-adding orders while the switch is on.
pub struct HistoryGate {
    inner: Box<dyn RiskGate>,
    switch: HistorySwitch,
}

impl HistoryGate {
    pub fn new(inner: Box<dyn RiskGate>, switch: HistorySwitch) -> Self {
        HistoryGate { inner, switch }
    }
}

impl RiskGate for HistoryGate {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn check(&mut self, intent: OrderIntent, portfolio: &PortfolioSnapshot) -> RiskOutcome {
        if self.switch.is_on() && !smc_risk::reduces_risk(&intent, portfolio) {
            return RiskOutcome::Refused {
                intent,
                reason: HISTORY_REFUSAL.into(),
            };
        }
        self.inner.check(intent, portfolio)
    }

    fn state(&self) -> &RiskState {
        self.inner.state()
    }

    fn observe(&mut self, observation: RiskObservation<'_>, sink: &mut dyn EventSink) {
        self.inner.observe(observation, sink)
    }

    fn reset_breaker(
        &mut self,
        name: &str,
        operator: &str,
        reason: &str,
        now: smc_model::Timestamp,
        sink: &mut dyn EventSink,
    ) -> Result<(), String> {
        self.inner.reset_breaker(name, operator, reason, now, sink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::InstrumentIndex;
    use smc_model::Side;
    use smc_model::{ApproveAll, Size};

    fn intent(side: Side, reduce_only: bool) -> OrderIntent {
        OrderIntent {
            reduce_only,
            ..OrderIntent::market(InstrumentIndex::new(0), side, Size::Qty(Decimal::ONE))
        }
    }

    #[test]
    fn a_history_candle_refuses_entries_and_lets_exits_through() {
        let switch = HistorySwitch::default();
        let mut gate = HistoryGate::new(Box::new(ApproveAll::default()), switch.clone());
        let flat = PortfolioSnapshot::default();
        let verdict = |g: &mut HistoryGate, i| g.check(i, &flat).verdict();
        assert_eq!(
            verdict(&mut gate, intent(Side::Buy, false)),
            smc_model::RiskVerdict::Approved
        );
        switch.set(true);
        assert_eq!(
            verdict(&mut gate, intent(Side::Buy, false)),
            smc_model::RiskVerdict::Refused {
                reason: HISTORY_REFUSAL.into()
            }
        );
        assert_eq!(
            verdict(&mut gate, intent(Side::Sell, true)),
            smc_model::RiskVerdict::Approved,
            "a reduce-only exit still goes"
        );
        switch.set(false);
        assert_eq!(
            verdict(&mut gate, intent(Side::Sell, false)),
            smc_model::RiskVerdict::Approved
        );
    }
}
