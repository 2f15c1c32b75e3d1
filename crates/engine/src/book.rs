//! The book both execution modes work on: the engine's instrument table,
//! its orders (the OMS), the account they settle against, and the last
//! candle of each instrument (the reference price of orders sized now).
//! The engine owns it and lends it to its [`crate::Execution`] for each
//! call, so an execution keeps no copy of engine state.

use rust_decimal::Decimal;
use smc_matching::{FeeModel, Oms, Order, Portfolio};
use smc_model::{
    Candle, Instrument, InstrumentIndex, InstrumentSpec, Liquidity, Side, Size, Timeframe,
};

/// An instrument the engine trades, and the timeframe whose bars fill its
/// orders (the finest one the run has for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInstrument {
    pub instrument: Instrument,
    pub execution_timeframe: Timeframe,
}

/// Orders, account and market reference of one engine.
#[derive(Debug)]
pub struct Book {
    pub instruments: Vec<EngineInstrument>,
    pub oms: Oms,
    pub portfolio: Portfolio,
    /// The last candle seen of each instrument, with its timeframe.
    pub last_candle: Vec<Option<(Timeframe, Candle)>>,
    /// The fee model, to size an all-in order so that it pays its fee.
    pub fees: FeeModel,
}

impl Book {
    /// The rules of the `i`th instrument.
    pub fn spec(&self, i: InstrumentIndex) -> Option<InstrumentSpec> {
        self.instruments.get(i.get()).map(|s| s.instrument.spec)
    }

    /// The last close of the `i`th instrument (zero before its first candle).
    pub fn last_close(&self, i: InstrumentIndex) -> Decimal {
        self.last_candle
            .get(i.get())
            .copied()
            .flatten()
            .map_or(Decimal::ZERO, |(_, c)| c.close)
    }

    /// What a buy (`Side::Buy`) or a sell could reduce of the `i`th
    /// instrument's position: the short, or the long.
    pub fn reducible(&self, i: InstrumentIndex, side: Side) -> Decimal {
        let position = self.portfolio.position(i.get()).qty;
        match side {
            Side::Buy => (-position).max(Decimal::ZERO),
            Side::Sell => position.max(Decimal::ZERO),
        }
    }

    /// The quantity of `order` at `reference` (the last close, or its limit
    /// price), rounded to the lot, clipped to the position when it only
    /// reduces. An external venue needs the quantity when the order is
    /// sent; the simulated one resolves it at the fill price instead.
    pub fn resolve_qty(&self, order: &Order, reference: Decimal) -> Result<Decimal, String> {
        let i = order.instrument;
        let price = order.kind().limit_price().unwrap_or(reference);
        if price <= Decimal::ZERO {
            return Err("no price yet to size the order at".into());
        }
        let reducible = self.reducible(i, order.side());
        let qty = match order.qty {
            Some(q) => q,
            None => {
                let raw = match order.size {
                    Size::Qty(q) => Some(q),
                    Size::Notional(n) => n.checked_div(price),
                    Size::EquityFraction(f) => {
                        let rate = self.fees.rate(Liquidity::Taker);
                        self.portfolio
                            .fraction_qty(i.get(), order.side(), f, price, rate)
                    }
                    Size::ClosePosition => Some(reducible),
                };
                let raw = raw.ok_or("size overflows the decimal range")?;
                let spec = self
                    .spec(i)
                    .ok_or_else(|| format!("no instrument with index {i}"))?;
                spec.round_qty(raw, price)
                    .map_err(|e| format!("size cannot be filled: {e}"))?
            }
        };
        if order.request.reduce_only || order.size == Size::ClosePosition {
            if reducible.is_zero() {
                return Err("reduce-only order has no position to reduce".into());
            }
            return Ok(qty.min(reducible));
        }
        Ok(qty)
    }
}
