//! One strategy instance per instrument, for strategies that hold the
//! state of a single market (the `smc` strategy keeps one instrument's
//! structure, pending entry and managed exit). Candles go to the instance
//! of their instrument, created on its first candle; fills go
//! to the instance of the instrument they filled on.

use crate::context::StrategyContext;
use crate::strategy::Strategy;
use smc_model::{ClientOrderId, Fill, InstrumentId, Intent, NoTradeReason, PortfolioSnapshot};

/// Makes a fresh instance of the wrapped strategy.
pub type MakeStrategy = Box<dyn Fn() -> Box<dyn Strategy>>;

pub struct PerInstrument {
    name: String,
    make: MakeStrategy,
    /// The engine's instrument table, to route fills (they name the
    /// instrument, not its index).
    instruments: Vec<InstrumentId>,
    each: Vec<Option<Box<dyn Strategy>>>,
    /// The instance the latest candle went to, whose reason is the answer.
    last: Option<usize>,
}

impl PerInstrument {
    /// A strategy trading each of `instruments` (the engine's table, in its
    /// order) with its own instance from `make`.
    pub fn new(instruments: Vec<InstrumentId>, make: MakeStrategy) -> Self {
        // The instances' name, so client order ids keep their prefix.
        let name = make().name().to_string();
        let each = instruments.iter().map(|_| None).collect();
        PerInstrument {
            name,
            make,
            instruments,
            each,
            last: None,
        }
    }

    fn instance(&mut self, index: usize) -> Option<&mut Box<dyn Strategy>> {
        let make = &self.make;
        self.each
            .get_mut(index)
            .map(|slot| slot.get_or_insert_with(|| make()))
    }
}

impl Strategy for PerInstrument {
    fn name(&self) -> &str {
        &self.name
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        let index = ctx.instrument_index.get();
        self.last = None;
        if let Some(s) = self.instance(index) {
            s.on_candle(ctx, out);
            self.last = Some(index);
        }
    }

    fn no_trade_reason(&self) -> Option<NoTradeReason> {
        let s = self.each.get(self.last?)?.as_ref()?;
        s.no_trade_reason()
    }

    fn on_fill(&mut self, fill: &Fill, portfolio: &PortfolioSnapshot, out: &mut Vec<Intent>) {
        let index = self.instruments.iter().position(|i| *i == fill.instrument);
        if let Some(s) = index.and_then(|i| self.instance(i)) {
            s.on_fill(fill, portfolio, out);
        }
    }

    /// Ids are unique across instruments: each instance checks its own.
    fn on_rejected(&mut self, client_id: &ClientOrderId, reason: &str, out: &mut Vec<Intent>) {
        for s in self.each.iter_mut().flatten() {
            s.on_rejected(client_id, reason, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::InstrumentIndex;
    use smc_model::Timestamp;
    use smc_model::{
        Candle, ClientOrderId, Instrument, InstrumentSpec, Liquidity, MarketKind, Side, Timeframe,
    };
    use smc_model::{OrderIntent, RiskState, Size};

    /// Counts its own candles and fills; buys on its third candle.
    #[derive(Default)]
    struct Counter {
        candles: usize,
        fills: usize,
    }

    impl Strategy for Counter {
        fn name(&self) -> &str {
            "count"
        }

        fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
            self.candles += 1;
            if self.candles == 3 {
                let size = Size::Qty(Decimal::from(self.fills as i64 + 1));
                out.push(Intent::Place(OrderIntent::market(
                    ctx.instrument_index,
                    Side::Buy,
                    size,
                )));
            }
        }

        fn on_fill(&mut self, _: &Fill, _: &PortfolioSnapshot, _: &mut Vec<Intent>) {
            self.fills += 1;
        }
    }

    fn instrument(symbol: &str) -> Instrument {
        Instrument {
            id: format!("sim:{symbol}").parse().unwrap(),
            kind: MarketKind::Spot,
            base: symbol.into(),
            quote: "USD".into(),
            spec: InstrumentSpec::FRACTIONAL,
        }
    }

    #[test]
    fn each_instrument_has_its_own_state() {
        let (a, b) = (instrument("AAA"), instrument("BBB"));
        let mut s = PerInstrument::new(
            vec![a.id.clone(), b.id.clone()],
            Box::new(|| Box::new(Counter::default())),
        );
        assert_eq!(s.name(), "count");
        let candle = Candle {
            open_time: Timestamp::from_ms(0),
            open: Decimal::ONE,
            high: Decimal::ONE,
            low: Decimal::ONE,
            close: Decimal::ONE,
            volume: Decimal::ONE,
        };
        let (portfolio, risk) = (PortfolioSnapshot::default(), RiskState::default());
        let ctx = |instrument, instrument_index| StrategyContext {
            candle: &candle,
            instrument,
            instrument_index,
            timeframe: Timeframe::M1,
            now: Timestamp::from_ms(60_000),
            portfolio: &portfolio,
            risk: &risk,
        };
        let mut out = Vec::new();
        // Two candles of A, then a fill on B, then a third of A and of B:
        // only A has seen three candles; B's instance saw the fill.
        s.on_candle(&ctx(&a, InstrumentIndex::new(0)), &mut out);
        s.on_candle(&ctx(&a, InstrumentIndex::new(0)), &mut out);
        let fill = Fill {
            client_id: ClientOrderId::new("count-1-0"),
            instrument: b.id.clone(),
            trade_id: "t1".into(),
            side: Side::Buy,
            price: Decimal::ONE,
            qty: Decimal::ONE,
            fee: Decimal::ZERO,
            fee_source: smc_model::FeeSource::Quote,
            liquidity: Liquidity::Taker,
            time: Timestamp::from_ms(1),
        };
        s.on_fill(&fill, &portfolio, &mut out);
        s.on_candle(&ctx(&b, InstrumentIndex::new(1)), &mut out);
        assert!(out.is_empty());
        s.on_candle(&ctx(&a, InstrumentIndex::new(0)), &mut out);
        let [Intent::Place(placed)] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(
            (placed.instrument, placed.size),
            (InstrumentIndex::new(0), Size::Qty(Decimal::ONE))
        );
        out.clear();
        s.on_candle(&ctx(&b, InstrumentIndex::new(1)), &mut out);
        s.on_candle(&ctx(&b, InstrumentIndex::new(1)), &mut out);
        let [Intent::Place(placed)] = out.as_slice() else {
            panic!("{out:?}")
        };
        // B's instance counted the fill: it buys 2.
        assert_eq!(
            (placed.instrument, placed.size),
            (InstrumentIndex::new(1), Size::Qty(Decimal::TWO))
        );
        // An index outside the table is ignored, not a panic.
        s.on_candle(&ctx(&a, InstrumentIndex::new(7)), &mut out);
    }
}
