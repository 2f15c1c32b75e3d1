#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The engine's part of "why no trade": a candle whose entry the risk gate
//! refused says `risk_refused`, or `breaker_tripped` when a breaker is
//! tripped, or `order_rejected` when the approved entry cannot become an
//! order; a candle that placed its entry, or that only reduced a position,
//! or that the strategy does not decide on, says nothing.

mod common;

use common::{Script, bar, instrument, run};
use rust_decimal::Decimal;
use smc_engine::{Engine, EngineConfig, EngineInstrument};
use smc_model::{
    EngineEvent, InstrumentIndex, Intent, MarketKind, NoTradeReason, OrderIntent,
    PortfolioSnapshot, RiskGate, RiskOutcome, RiskState, Side, SimClock, Size, Timeframe,
};

/// Refuses every intent; its state says whether a breaker is tripped.
struct RefuseAll(RiskState);

impl RiskGate for RefuseAll {
    fn name(&self) -> &str {
        "refuse-all"
    }

    fn check(&mut self, intent: OrderIntent, _: &PortfolioSnapshot) -> RiskOutcome {
        RiskOutcome::Refused {
            intent,
            reason: "test".into(),
        }
    }

    fn state(&self) -> &RiskState {
        &self.0
    }
}

fn buy(size: Size) -> Intent {
    OrderIntent::market(InstrumentIndex::new(0), Side::Buy, size).into()
}

/// Runs three bars; `intents` go out on the second bar's close.
fn no_trades(intents: Vec<Intent>, gate: Box<dyn RiskGate>) -> Vec<(i64, NoTradeReason)> {
    let mut script = Script::default();
    script.on_close.insert(1, intents);
    let instruments = vec![EngineInstrument {
        instrument: instrument(MarketKind::Spot),
        execution_timeframe: Timeframe::M1,
    }];
    let mut engine = Engine::new(
        EngineConfig::default(),
        instruments,
        Box::new(script),
        gate,
        Box::new(SimClock::default()),
    )
    .unwrap();
    let d = Decimal::from(100);
    let bars: Vec<_> = (0..3).map(|m| bar(m, d, d, d, d)).collect();
    run(&mut engine, &bars)
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::NoTrade {
                time,
                instrument,
                reason,
            } => {
                assert_eq!(instrument.to_string(), "sim:TEST");
                Some((time.ms(), reason))
            }
            _ => None,
        })
        .collect()
}

const ONE: Size = Size::Qty(Decimal::ONE);

#[test]
fn a_refused_entry_is_risk_refused_or_breaker_tripped() {
    let limits = Box::new(RefuseAll(RiskState::default()));
    assert_eq!(
        no_trades(vec![buy(ONE)], limits),
        vec![(120_000, NoTradeReason::RiskRefused)],
        "the decision of bar 1 (closing at 2 min) was refused"
    );
    let breaker = Box::new(RefuseAll(RiskState {
        trading_allowed: false,
        tripped_breakers: vec!["daily_loss".into()],
    }));
    assert_eq!(
        no_trades(vec![buy(ONE)], breaker),
        vec![(120_000, NoTradeReason::BreakerTripped)]
    );
}

#[test]
fn an_entry_that_cannot_become_an_order_is_order_rejected() {
    let approve = Box::new(smc_model::ApproveAll::default());
    assert_eq!(
        no_trades(vec![buy(Size::Qty(Decimal::ZERO))], approve),
        vec![(120_000, NoTradeReason::OrderRejected)]
    );
}

#[test]
fn placed_entries_and_exits_say_nothing() {
    let approve = || Box::new(smc_model::ApproveAll::default());
    assert_eq!(no_trades(vec![buy(ONE)], approve()), vec![]);
    // A refused entry beside an accepted one: the candle placed an order.
    assert_eq!(
        no_trades(vec![buy(Size::Qty(Decimal::ZERO)), buy(ONE)], approve()),
        vec![]
    );
    // A refused reduce-only order is no entry: nothing to explain.
    let exit = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, ONE).reduce_only();
    let refused = Box::new(RefuseAll(RiskState::default()));
    assert_eq!(no_trades(vec![exit.into()], refused), vec![]);
}

/// Records what the engine told it was refused.
struct Told {
    refused: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
    sent: bool,
}

impl smc_strategy::Strategy for Told {
    fn name(&self) -> &str {
        "told"
    }

    fn on_candle(&mut self, _: &smc_strategy::StrategyContext<'_>, out: &mut Vec<Intent>) {
        if !std::mem::replace(&mut self.sent, true) {
            out.push(buy(ONE));
        }
    }

    fn on_rejected(
        &mut self,
        client_id: &smc_model::ClientOrderId,
        reason: &str,
        _: &mut Vec<Intent>,
    ) {
        self.refused
            .borrow_mut()
            .push(format!("{client_id}: {reason}"));
    }
}

#[test]
fn the_strategy_hears_of_an_entry_the_gate_refused() {
    let refused = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let strategy = Told {
        refused: refused.clone(),
        sent: false,
    };
    let instruments = vec![EngineInstrument {
        instrument: instrument(MarketKind::Spot),
        execution_timeframe: Timeframe::M1,
    }];
    let mut engine = Engine::new(
        EngineConfig::default(),
        instruments,
        Box::new(strategy),
        Box::new(RefuseAll(RiskState::default())),
        Box::new(SimClock::default()),
    )
    .unwrap();
    let d = Decimal::from(100);
    let bars: Vec<_> = (0..2).map(|m| bar(m, d, d, d, d)).collect();
    run(&mut engine, &bars);
    assert_eq!(*refused.borrow(), ["told-60000-0: test"]);
}
