//! The trade ledger: round trips ([`RoundTrip`]) built from fills. A trade
//! opens when a position leaves flat and closes when it returns to flat (a
//! flip closes one trade and opens the next). Entry and exit prices are
//! quantity-weighted averages; `pnl` is realized P&L net of both legs' fees.

use crate::execution::BookFill;
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{RoundTrip, Setup, Side, TradeSide};

#[derive(Debug, Clone)]
struct OpenTrade {
    side: TradeSide,
    entry_time: Timestamp,
    entry_qty: Decimal,
    entry_value: Decimal,
    exit_qty: Decimal,
    exit_value: Decimal,
    exit_time: Timestamp,
    realized: Decimal,
    fees: Decimal,
    setup: Option<Setup>,
}

impl OpenTrade {
    fn new(f: &BookFill, qty: Decimal, fee: Decimal) -> Self {
        OpenTrade {
            side: if f.fill.side == Side::Buy {
                TradeSide::Long
            } else {
                TradeSide::Short
            },
            entry_time: f.fill.time,
            entry_qty: qty,
            entry_value: qty * f.fill.price,
            exit_qty: Decimal::ZERO,
            exit_value: Decimal::ZERO,
            exit_time: f.fill.time,
            realized: Decimal::ZERO,
            fees: fee,
            setup: f.setup.clone(),
        }
    }

    fn to_trade(
        &self,
        instrument: InstrumentIndex,
        closed: bool,
        unrealized: Decimal,
    ) -> RoundTrip {
        let avg = |value: Decimal, qty: Decimal| {
            if qty.is_zero() {
                Decimal::ZERO
            } else {
                value / qty
            }
        };
        RoundTrip {
            instrument,
            side: self.side,
            entry_time: self.entry_time,
            exit_time: closed.then_some(self.exit_time),
            entry_price: avg(self.entry_value, self.entry_qty),
            exit_price: closed.then(|| avg(self.exit_value, self.exit_qty)),
            size: self.entry_qty,
            pnl: self.realized + unrealized - self.fees,
            fees: self.fees,
            setup: self.setup.clone(),
        }
    }
}

/// Closed trades and the open one per instrument.
#[derive(Debug, Clone, Default)]
pub struct TradeLedger {
    open: Vec<Option<OpenTrade>>,
    closed: Vec<RoundTrip>,
}

impl TradeLedger {
    pub fn new(instruments: usize) -> Self {
        TradeLedger {
            open: vec![None; instruments],
            closed: Vec::new(),
        }
    }

    /// Records a fill.
    pub fn on_fill(&mut self, applied: &BookFill) {
        let Some(slot) = self.open.get_mut(applied.instrument.get()) else {
            return;
        };
        let f = &applied.fill;
        let Some(trade) = slot.as_mut() else {
            *slot = Some(OpenTrade::new(applied, f.qty, f.fee));
            return;
        };
        let adds = (trade.side == TradeSide::Long) == (f.side == Side::Buy);
        if adds {
            trade.entry_qty += f.qty;
            trade.entry_value += f.qty * f.price;
            trade.fees += f.fee;
            return;
        }
        let open_qty = trade.entry_qty - trade.exit_qty;
        let closing = f.qty.min(open_qty);
        let closing_fee = if closing == f.qty {
            f.fee
        } else {
            f.fee * closing / f.qty
        };
        trade.exit_qty += closing;
        trade.exit_value += closing * f.price;
        trade.exit_time = f.time;
        trade.realized += applied.realized;
        trade.fees += closing_fee;
        if applied.position.qty.is_zero() || closing < f.qty {
            self.closed
                .push(trade.to_trade(applied.instrument, true, Decimal::ZERO));
            *slot = (closing < f.qty)
                .then(|| OpenTrade::new(applied, f.qty - closing, f.fee - closing_fee));
        }
    }

    pub fn closed(&self) -> &[RoundTrip] {
        &self.closed
    }

    /// The open trades, marked with each position's unrealized P&L.
    pub fn open_trades(&self, unrealized: impl Fn(usize) -> Decimal) -> Vec<RoundTrip> {
        self.open
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                t.as_ref()
                    .map(|t| t.to_trade(InstrumentIndex::new(i), false, unrealized(i)))
            })
            .collect()
    }
}
