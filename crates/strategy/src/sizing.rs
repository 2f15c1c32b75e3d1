//! How the `smc` strategy sizes an entry: by default it risks
//! `risk_percent` of equity between the entry and the stop (fixed
//! fractional); `sizing` in its config (or `risk_manager.position_sizing`)
//! selects one of `smc_risk::sizing`'s methods instead. Capped fractional
//! Kelly needs the strategy's own closed trades: until it has
//! `min_trades` of them it sizes fixed-fractionally (a Kelly fraction
//! from fewer trades is noise, and refusing every entry would never
//! produce the trades it waits for); a Kelly fraction of zero or below
//! (no edge in the window) refuses the entry.

use rust_decimal::Decimal;
use smc_model::{InstrumentSpec, PositionSnapshot};
use smc_risk::{SizeRequest, Sizing, SizingError, size};

/// The sizing rule and the closed trades' P&L it may need.
#[derive(Debug, Clone, Default)]
pub struct TradeSizer {
    method: Option<Sizing>,
    /// Net realized P&L of each closed trade, oldest first.
    closed: Vec<Decimal>,
    /// Realized P&L of the instrument when the open trade began.
    opened_at: Option<Decimal>,
    /// Fees of the open trade's fills so far.
    fees: Decimal,
}

/// What an entry's size depends on.
#[derive(Debug, Clone, Copy)]
pub struct EntryFacts {
    pub equity: Decimal,
    pub entry: Decimal,
    pub stop: Decimal,
    pub atr: Option<Decimal>,
    pub spec: InstrumentSpec,
    /// The fixed-fractional risk (percent of equity).
    pub risk_percent: Decimal,
}

impl TradeSizer {
    pub fn new(method: Option<Sizing>) -> Self {
        TradeSizer {
            method,
            ..TradeSizer::default()
        }
    }

    /// The quantity of an entry, or `None` to refuse it. Without a method
    /// the quantity is the plain fixed-fractional one, unrounded (the risk
    /// gate and the venue round it), as it always was.
    pub fn qty(&self, f: &EntryFacts) -> Option<Decimal> {
        let fixed = || {
            let risk = f.equity.checked_mul(f.risk_percent)? / Decimal::ONE_HUNDRED;
            risk.checked_div((f.entry - f.stop).abs())
        };
        let Some(method) = &self.method else {
            return fixed();
        };
        let req = SizeRequest {
            equity: f.equity,
            entry: f.entry,
            stop: Some(f.stop),
            atr: f.atr,
            spec: f.spec,
            closed_pnl: &self.closed,
        };
        match size(method, &req) {
            Ok(q) => Some(q),
            Err(SizingError::TooFewTrades { .. }) => fixed(),
            Err(_) => None,
        }
    }

    /// Follows the position after each fill (`fee` its fee): a trade opens
    /// when it leaves flat and closes, its net P&L recorded, when it
    /// returns to flat.
    pub fn on_position(&mut self, position: &PositionSnapshot, fee: Decimal) {
        match (self.opened_at, position.qty.is_zero()) {
            (None, false) => {
                self.opened_at = Some(position.realized_pnl);
                self.fees = fee;
            }
            (Some(start), true) => {
                self.closed
                    .push(position.realized_pnl - start - self.fees - fee);
                self.opened_at = None;
            }
            (Some(_), false) => self.fees += fee,
            (None, true) => {}
        }
    }

    /// Net P&L of the closed trades seen, oldest first.
    pub fn closed(&self) -> &[Decimal] {
        &self.closed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::InstrumentIndex;
    use smc_risk::Kelly;

    fn facts() -> EntryFacts {
        EntryFacts {
            equity: dec!(10000),
            entry: dec!(100),
            stop: dec!(98),
            atr: Some(dec!(1)),
            spec: InstrumentSpec::FRACTIONAL,
            risk_percent: dec!(1),
        }
    }

    fn position(qty: Decimal, realized: Decimal) -> PositionSnapshot {
        PositionSnapshot {
            instrument: InstrumentIndex::new(0),
            qty,
            avg_price: dec!(100),
            mark_price: dec!(100),
            realized_pnl: realized,
        }
    }

    #[test]
    fn without_a_method_it_risks_the_percent_to_the_stop() {
        assert_eq!(TradeSizer::new(None).qty(&facts()), Some(dec!(50)));
        let notional = TradeSizer::new(Some(Sizing::FixedNotional {
            notional: dec!(500),
        }));
        assert_eq!(notional.qty(&facts()), Some(dec!(5)));
    }

    #[test]
    fn kelly_waits_for_its_trades_then_follows_them() {
        let kelly = Sizing::Kelly(Kelly {
            fraction: dec!(0.5),
            cap: dec!(0.02),
            min_trades: 4,
            window: 10,
        });
        let mut s = TradeSizer::new(Some(kelly));
        assert_eq!(
            s.qty(&facts()),
            Some(dec!(50)),
            "fixed fractional until 4 trades"
        );
        // Four trades: three losers of 100, one winner of 50: no edge.
        let mut realized = Decimal::ZERO;
        for pnl in [dec!(-100), dec!(-100), dec!(50), dec!(-100)] {
            s.on_position(&position(dec!(1), realized), Decimal::ZERO);
            realized += pnl;
            s.on_position(&position(Decimal::ZERO, realized), Decimal::ZERO);
        }
        assert_eq!(s.closed(), [dec!(-100), dec!(-100), dec!(50), dec!(-100)]);
        assert_eq!(s.qty(&facts()), None, "a negative Kelly fraction refuses");
        // Winners: a positive fraction, capped at 2 % of equity to the stop.
        for _ in 0..6 {
            s.on_position(&position(dec!(1), realized), Decimal::ZERO);
            realized += dec!(300);
            s.on_position(&position(Decimal::ZERO, realized), Decimal::ZERO);
        }
        let q = s.qty(&facts()).unwrap();
        assert!(q > Decimal::ZERO && q <= dec!(100), "{q}");
    }
}
