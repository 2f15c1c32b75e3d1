//! Entries at given bars, exits after given holding times: the random
//! baselines of the significance test (`smc backtest --significance`) run
//! through the same engine, sizing, risk gate and costs as the strategy
//! they are compared with.

use crate::context::StrategyContext;
use crate::strategy::Strategy;
use rust_decimal::Decimal;
use smc_model::{Intent, MarketKind, NoTradeReason, OrderIntent, Side, Size, Timeframe};

/// One planned trade: a market entry filled at the open of bar
/// `entry_bar` (0 = the series' first bar of the timeframe), closed at
/// market `hold_bars` bars later, or earlier by its protective stop
/// `stop_distance` (a share of the price) away from the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledEntry {
    pub entry_bar: usize,
    pub side: Side,
    pub hold_bars: usize,
    pub equity_fraction: Decimal,
    pub stop_distance: Option<Decimal>,
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

/// An entry whose notional is `fraction` of the equity now. On a spot
/// account `EquityFraction` is just that (fee included); on a margin
/// account it is a share of the margin, which would multiply the
/// notional by the leverage, so the notional is given instead.
fn entry_size(ctx: &StrategyContext<'_>, fraction: Decimal) -> Size {
    if ctx.instrument.kind == MarketKind::Spot {
        Size::EquityFraction(fraction)
    } else {
        Size::Notional(fraction * ctx.portfolio.equity)
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
            let size = entry_size(ctx, e.equity_fraction);
            // The fill price is the next open, unknown yet: the stop is
            // placed from the close, as a strategy's own stop is.
            let close = ctx.candle.close;
            let stop = e.stop_distance.map(|d| match e.side {
                Side::Buy => close * (Decimal::ONE - d),
                Side::Sell => close * (Decimal::ONE + d),
            });
            out.push(
                OrderIntent::market(i, e.side, size)
                    .with_bracket(stop, None)
                    .into(),
            );
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
        Candle, Instrument, InstrumentId, InstrumentIndex, InstrumentSpec, PortfolioSnapshot,
        RiskState, Timestamp,
    };

    fn run(plan: Vec<ScheduledEntry>, bars: usize) -> Vec<(usize, String)> {
        run_on(plan, bars, MarketKind::Spot)
    }

    fn run_on(plan: Vec<ScheduledEntry>, bars: usize, kind: MarketKind) -> Vec<(usize, String)> {
        let mut s = Scheduled::new(Timeframe::M1, plan);
        let instrument = Instrument {
            id: InstrumentId::new("test", "BTCUSDT").unwrap(),
            kind,
            base: "BTC".into(),
            quote: "USDT".into(),
            spec: InstrumentSpec::FRACTIONAL,
        };
        let portfolio = PortfolioSnapshot {
            equity: dec!(10000),
            ..PortfolioSnapshot::default()
        };
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
            stop_distance: (bar == 3).then_some(dec!(0.02)),
        };
        let seen = run(vec![e(3, 2), e(0, 1)], 10);
        // Bar 0 is before the first close: skipped. Bar 3 is entered at
        // the close of bar 2 (the position is flat in this view, so no
        // exit order is needed at bar 4's close).
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].0, 2);
        assert!(seen[0].1.contains("EquityFraction(0.5)"), "{seen:?}");
        // The stop sits 2 % below the close the entry was decided on.
        assert!(seen[0].1.contains("stop_loss: Some(0.98"), "{seen:?}");
        assert_eq!(seen[1].0, 4);
        assert!(seen[1].1.contains("CancelAll"), "{seen:?}");
    }

    #[test]
    fn on_a_margin_account_the_entry_is_a_notional_share_of_equity() {
        let plan = vec![ScheduledEntry {
            entry_bar: 2,
            side: Side::Sell,
            hold_bars: 1,
            equity_fraction: dec!(0.5),
            stop_distance: Some(dec!(0.01)),
        }];
        let seen = run_on(plan, 4, MarketKind::Forex);
        // Half of the 10,000 equity as notional, not half the margin
        // (which would be 30 times as much on a 30:1 account); the
        // short's stop 1 % above the close.
        assert!(seen[0].1.contains("Notional(5000.0)"), "{seen:?}");
        assert!(seen[0].1.contains("stop_loss: Some(1.01"), "{seen:?}");
    }
}
