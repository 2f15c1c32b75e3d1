//! Criterion benches of the pre-trade path: the limits gate on a portfolio
//! of 50 positions, and a historical VaR of 1,000 returns (the portfolio
//! VaR check of issue 5 works on the aggregated portfolio return series),
//! and that whole pre-trade portfolio VaR check.

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    Candle, EngineEvent, EventSink, OrderIntent, PortfolioSnapshot, PositionSnapshot, RiskGate,
    RiskObservation, Side, Size, Timeframe,
};
use smc_risk::{Limits, LimitsGate, PortfolioVar, VarMethod, value_at_risk};

struct NullSink;

impl EventSink for NullSink {
    fn emit(&mut self, _event: &EngineEvent) {}
}
use std::hint::black_box;

fn portfolio() -> PortfolioSnapshot {
    PortfolioSnapshot {
        time: Timestamp::from_ms(1_700_000_000_000),
        cash: Decimal::from(1_000_000),
        equity: Decimal::from(1_000_000),
        positions: (0..50)
            .map(|i| PositionSnapshot {
                instrument: InstrumentIndex::new(i),
                qty: Decimal::new(i as i64 % 7 - 3, 1),
                avg_price: Decimal::from(100 + i as i64),
                mark_price: Decimal::from(101 + i as i64),
                realized_pnl: Decimal::ZERO,
            })
            .collect(),
        ..PortfolioSnapshot::default()
    }
}

fn bench(c: &mut Criterion) {
    let p = portfolio();
    let mut gate = LimitsGate::new(Limits {
        max_position_size: Some(Decimal::from(5_000)),
        max_daily_loss: Some(Decimal::from(20_000)),
        max_positions: Some(60),
        max_drawdown_percent: Some(Decimal::from(15)),
        max_leverage: Some(Decimal::from(3)),
        max_stop_percent: Some(Decimal::from(2)),
    });
    let intent = OrderIntent::market(
        InstrumentIndex::new(17),
        Side::Buy,
        Size::Qty(Decimal::new(25, 1)),
    );
    c.bench_function("limits_check_50_positions", |b| {
        b.iter(|| gate.check(black_box(intent.clone()), black_box(&p)))
    });
    let returns: Vec<f64> = (0..1000)
        .map(|i| ((i * 7919 % 1000) as f64 - 500.0) / 50_000.0)
        .collect();
    c.bench_function("historical_var_1000_returns", |b| {
        b.iter(|| value_at_risk(black_box(&returns), 0.99, VarMethod::Historical))
    });
    // The whole pre-trade portfolio VaR check: 50 positions, 1,000 returns
    // each, the P&L series built and its quantile taken, before and after.
    let mut var_gate = LimitsGate::new(Limits::default()).with_portfolio_var(PortfolioVar::new(
        Decimal::from(50),
        0.99,
        1000,
    ));
    let mut sink = NullSink;
    for t in 0..=1000u64 {
        for i in 0..50u64 {
            let wiggle = ((t * 7919 + i * 104_729) % 2001) as i64 - 1000;
            let close = Decimal::from(101 + i as i64) + Decimal::new(wiggle, 3);
            let candle = Candle {
                open_time: Timestamp::from_ms(t as i64 * 60_000),
                open: close,
                high: close,
                low: close,
                close,
                volume: Decimal::ONE,
            };
            var_gate.observe(
                RiskObservation::Bar {
                    instrument: InstrumentIndex::new(i as usize),
                    timeframe: Timeframe::M1,
                    candle: &candle,
                    close_time: Timestamp::from_ms((t as i64 + 1) * 60_000),
                },
                &mut sink,
            );
        }
    }
    c.bench_function("portfolio_var_check_50_positions_1000_returns", |b| {
        b.iter(|| var_gate.check(black_box(intent.clone()), black_box(&p)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
