//! The view a strategy gets on each call: the closed candle with its
//! instrument and timeframe, the portfolio and the risk state. Everything
//! is borrowed: building a context costs nothing per bar. A strategy that
//! trades on SMC structure runs its own causal detectors on the candles it
//! is given (see `smc`), so detection costs nothing for one that does not.

use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, Instrument, PortfolioSnapshot, RiskState, Timeframe};

/// The world as of the close of `candle`.
#[derive(Debug, Clone, Copy)]
pub struct StrategyContext<'a> {
    /// The candle that just closed.
    pub candle: &'a Candle,
    pub instrument: &'a Instrument,
    /// Index of `instrument` in the engine's table; intents name it.
    pub instrument_index: InstrumentIndex,
    pub timeframe: Timeframe,
    /// Epoch ms of the candle's close: the decision time.
    pub now: Timestamp,
    pub portfolio: &'a PortfolioSnapshot,
    pub risk: &'a RiskState,
}

impl StrategyContext<'_> {
    /// Signed position in this context's instrument; zero when what is
    /// held is dust no order can trade (under one lot or the minimum
    /// quantity: what a spot buy's fee withheld in the base asset leaves
    /// after the exit). Counted as a position, dust would keep a strategy
    /// "in position" for good: it would never enter again, and its exits
    /// would be dropped by the execution, which cannot sell dust either.
    pub fn position_qty(&self) -> rust_decimal::Decimal {
        let qty = self.portfolio.qty(self.instrument_index);
        // Asked on every bar: `is_dust` answers the common cases (flat, a
        // lot or more above the minimum) without a division.
        if self.instrument.spec.is_dust(qty.abs()) {
            rust_decimal::Decimal::ZERO
        } else {
            qty
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{InstrumentId, InstrumentSpec, MarketKind, PositionSnapshot};

    fn position_seen(qty: rust_decimal::Decimal) -> rust_decimal::Decimal {
        let candle = Candle {
            open_time: Timestamp::from_ms(0),
            open: dec!(43000),
            high: dec!(43000),
            low: dec!(43000),
            close: dec!(43000),
            volume: dec!(1),
        };
        let instrument = Instrument {
            id: InstrumentId::new("binance", "BTCUSDT").unwrap(),
            kind: MarketKind::Spot,
            base: "BTC".into(),
            quote: "USDT".into(),
            spec: InstrumentSpec {
                tick_size: dec!(0.1),
                lot_size: dec!(0.001),
                min_qty: dec!(0.001),
                min_notional: dec!(5),
            },
        };
        let portfolio = PortfolioSnapshot {
            positions: vec![PositionSnapshot {
                instrument: InstrumentIndex::new(0),
                qty,
                avg_price: dec!(43000),
                mark_price: dec!(43000),
                realized_pnl: dec!(0),
            }],
            ..PortfolioSnapshot::default()
        };
        let risk = RiskState::default();
        let ctx = StrategyContext {
            candle: &candle,
            instrument: &instrument,
            instrument_index: InstrumentIndex::new(0),
            timeframe: Timeframe::M1,
            now: Timestamp::from_ms(60_000),
            portfolio: &portfolio,
            risk: &risk,
        };
        ctx.position_qty()
    }

    #[test]
    fn dust_a_base_asset_fee_left_is_no_position() {
        // Bought 0.114, 0.000114 withheld as the fee, sold the 0.113 a lot
        // allows: 0.000886 is left, which no order can sell.
        assert_eq!(position_seen(dec!(0.000886)), dec!(0));
        assert_eq!(position_seen(dec!(-0.000886)), dec!(0));
        assert_eq!(position_seen(dec!(0.113886)), dec!(0.113886));
        assert_eq!(position_seen(dec!(0.001)), dec!(0.001));
        assert_eq!(position_seen(dec!(0.0019)), dec!(0.0019));
        assert_eq!(position_seen(dec!(0)), dec!(0));
    }
}
