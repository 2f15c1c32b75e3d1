//! The engine passes wall-clock ticks (paper and live timers) to the risk
//! gate, and lets the gate's breaker events through to the sink, without
//! moving its own bar-driven clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, run};
use rust_decimal::dec;
use smc_engine::{Engine, EngineConfig, EngineInstrument};
use smc_model::Timestamp;
use smc_model::{
    EngineEvent, EventSink, MarketKind, OrderIntent, PortfolioSnapshot, RiskGate, RiskObservation,
    RiskOutcome, RiskState, SimClock, Timeframe,
};

/// Trips "stale" when a tick comes more than a minute after the last bar.
#[derive(Default)]
struct WatchesTheClock {
    state: RiskState,
    last_bar: Option<i64>,
    ticks: Vec<i64>,
}

impl RiskGate for WatchesTheClock {
    fn name(&self) -> &str {
        "watches-the-clock"
    }

    fn check(&mut self, intent: OrderIntent, _p: &PortfolioSnapshot) -> RiskOutcome {
        RiskOutcome::Approved(intent)
    }

    fn state(&self) -> &RiskState {
        &self.state
    }

    fn observe(&mut self, observation: RiskObservation<'_>, sink: &mut dyn EventSink) {
        match observation {
            RiskObservation::Bar { close_time, .. } => self.last_bar = Some(close_time.ms()),
            RiskObservation::Time(now) => {
                self.ticks.push(now.ms());
                if self
                    .last_bar
                    .is_some_and(|b| now - b > Timestamp::from_ms(60_000))
                {
                    sink.emit(&EngineEvent::BreakerTripped {
                        time: now,
                        breaker: "stale_data".into(),
                        reason: "no bar for a minute".into(),
                        cooldown_until: None,
                    });
                }
            }
            RiskObservation::Event(_) => {}
        }
    }
}

#[test]
fn ticks_reach_the_gate_and_its_trips_reach_the_sink() {
    let mut engine = Engine::new(
        EngineConfig::default(),
        vec![EngineInstrument {
            instrument: common::instrument(MarketKind::Spot),
            execution_timeframe: Timeframe::M1,
        }],
        Box::new(Script::default()),
        Box::new(WatchesTheClock::default()),
        Box::new(SimClock::default()),
    )
    .unwrap();
    run(
        &mut engine,
        &[bar(0, dec!(100), dec!(100), dec!(100), dec!(100))],
    );
    let mut events: Vec<EngineEvent> = Vec::new();
    engine.observe_time(Timestamp::from_ms(90_000), &mut events);
    assert!(events.is_empty(), "30 s after the bar's close: fresh");
    engine.observe_time(Timestamp::from_ms(130_000), &mut events);
    assert!(
        matches!(
            &events[..],
            [EngineEvent::BreakerTripped { time, .. }] if time.ms() == 130_000),
        "{events:?}"
    );
    // The engine's clock still follows the bars: the next bar is not late.
    let later = run(
        &mut engine,
        &[bar(1, dec!(100), dec!(101), dec!(99), dec!(100))],
    );
    assert!(
        later
            .iter()
            .any(|e| matches!(e, EngineEvent::EquityMark { time, .. } if time.ms() == 120_000))
    );
}
