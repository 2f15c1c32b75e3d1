//! Entries at given bars, exits after given holding times: the random
//! baselines of the significance test (`smc backtest --significance`) run
//! through the same engine, sizing, risk gate and costs as the strategy
//! they are compared with.

use crate::context::StrategyContext;
use crate::strategy::Strategy;
use rust_decimal::Decimal;
use smc_model::{Intent, NoTradeReason, OrderIntent, Side, Size, Timeframe};

/// One planned trade: a market entry filled at the open of bar
/// `entry_bar` (0 = the series' first bar of the timeframe), closed at
/// market `hold_bars` bars later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledEntry {
    pub entry_bar: usize,
    pub side: Side,
    pub hold_bars: usize,
    pub equity_fraction: Decimal,
}

/// Trades the schedule on the candles of one timeframe.
#[derive(Debug, Clone)]
pub struct Scheduled {
    timeframe: Timeframe,
    /// Sorted by entry bar.
    plan: Vec<ScheduledEntry>,
    /// The next planned trade to enter.
    next: usize,
    /// Bar at whose open the open trade is to be closed.
    exit_at: Option<usize>,
    /// Candles of the timeframe seen.
    seen: usize,
}

impl Scheduled {
    pub fn new(timeframe: Timeframe, mut plan: Vec<ScheduledEntry>) -> Self {
        plan.sort_by_key(|e| e.entry_bar);
        Scheduled {
            timeframe,
            plan,
            next: 0,
            exit_at: None,
            seen: 0,
        }
    }
}

impl Strategy for Scheduled {
    fn name(&self) -> &str {
        "random"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        if ctx.timeframe != self.timeframe {
            return;
        }
        // The candle that closed is bar `seen`; orders now fill at the
        // open of bar `seen + 1`.
        let next_open = self.seen + 1;
        self.seen += 1;
        let i = ctx.instrument_index;
        if self.exit_at == Some(next_open) {
            self.exit_at = None;
            out.push(Intent::CancelAll { instrument: i });
            let side = if ctx.position_qty() > Decimal::ZERO {
                Side::Sell
            } else {
                Side::Buy
            };
            if !ctx.position_qty().is_zero() {
                out.push(
                    OrderIntent::market(i, side, Size::ClosePosition)
                        .reduce_only()
                        .into(),
                );
            }
        }
        // A trade whose entry bar has passed (the series began later) is
        // skipped, not entered late.
        while self
            .plan
            .get(self.next)
            .is_some_and(|e| e.entry_bar < next_open)
        {
            self.next += 1;
        }
        if let Some(e) = self.plan.get(self.next).copied()
            && e.entry_bar == next_open
            && self.exit_at.is_none()
        {
            self.next += 1;
            self.exit_at = Some(next_open + e.hold_bars.max(1));
            let size = Size::EquityFraction(e.equity_fraction);
            out.push(OrderIntent::market(i, e.side, size).into());
        }
    }

    fn no_trade_reason(&self) -> Option<NoTradeReason> {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{
        Candle, Instrument, InstrumentId, InstrumentIndex, InstrumentSpec, MarketKind,
        PortfolioSnapshot, RiskState, Timestamp,
    };

    fn run(plan: Vec<ScheduledEntry>, bars: usize) -> Vec<(usize, String)> {
        let mut s = Scheduled::new(Timeframe::M1, plan);
        let instrument = Instrument {
            id: InstrumentId::new("test", "BTCUSDT").unwrap(),
            kind: MarketKind::Spot,
            base: "BTC".into(),
            quote: "USDT".into(),
            spec: InstrumentSpec::FRACTIONAL,
        };
        let portfolio = PortfolioSnapshot::default();
        let risk = RiskState::default();
        let mut seen = Vec::new();
        for b in 0..bars {
            let candle = Candle {
                open_time: Timestamp::from_ms(b as i64 * 60_000),
                open: dec!(1),
                high: dec!(1),
                low: dec!(1),
                close: dec!(1),
                volume: dec!(1),
            };
            let ctx = StrategyContext {
                candle: &candle,
                instrument: &instrument,
                instrument_index: InstrumentIndex::new(0),
                timeframe: Timeframe::M1,
                now: Timestamp::from_ms((b as i64 + 1) * 60_000),
                portfolio: &portfolio,
                risk: &risk,
            };
            let mut out = Vec::new();
            s.on_candle(&ctx, &mut out);
            for i in out {
                seen.push((b, format!("{i:?}")));
            }
        }
        seen
    }

    #[test]
    fn enters_on_the_close_before_its_bar_and_skips_past_ones() {
        let e = |bar, hold| ScheduledEntry {
            entry_bar: bar,
            side: Side::Buy,
            hold_bars: hold,
            equity_fraction: dec!(0.5),
        };
        let seen = run(vec![e(3, 2), e(0, 1)], 10);
        // Bar 0 is before the first close: skipped. Bar 3 is entered at
        // the close of bar 2 (the position is flat in this view, so no
        // exit order is needed at bar 4's close).
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].0, 2);
        assert!(seen[0].1.contains("EquityFraction(0.5)"), "{seen:?}");
        assert_eq!(seen[1].0, 4);
        assert!(seen[1].1.contains("CancelAll"), "{seen:?}");
    }
}
