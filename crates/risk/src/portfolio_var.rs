//! The portfolio VaR pre-trade limit: historical value at risk of the
//! portfolio as it would be after an order, from the recent bar returns of
//! each instrument, as a percentage of equity.
//!
//! The P&L of lag k is Σᵢ nᵢ·rᵢ[k], with nᵢ the signed notional after the
//! order and rᵢ[k] instrument i's k-th most recent close-to-close return
//! (series are aligned by lag: the gate sees each instrument's execution
//! timeframe). VaR = −quantile(P&L, 1 − confidence), numpy's linear rule.
//! With fewer than [`MIN_RETURNS`] returns the limit cannot be judged and
//! does not refuse: a fresh start would otherwise block all trading.

use rust_decimal::Decimal;
use smc_model::{InstrumentIndex, PortfolioSnapshot, num::to_f64};
use std::collections::VecDeque;

/// Returns needed before the limit applies.
pub const MIN_RETURNS: usize = 20;

/// The limit and the return history it is judged on.
#[derive(Debug, Clone)]
pub struct PortfolioVar {
    pub max_percent: Decimal,
    pub confidence: f64,
    pub window: usize,
    last_close: Vec<Option<f64>>,
    returns: Vec<VecDeque<f64>>,
    scratch: Vec<f64>,
}

impl PortfolioVar {
    pub fn new(max_percent: Decimal, confidence: f64, window: usize) -> Self {
        PortfolioVar {
            max_percent,
            confidence,
            window: window.max(MIN_RETURNS),
            last_close: Vec::new(),
            returns: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Records a close of instrument `index`.
    pub fn observe_close(&mut self, instrument: InstrumentIndex, close: f64) {
        let index = instrument.get();
        if self.returns.len() <= index {
            self.returns.resize_with(index + 1, VecDeque::new);
            self.last_close.resize(index + 1, None);
        }
        if let Some(prev) = self.last_close[index]
            && prev > 0.0
            && close.is_finite()
        {
            let r = &mut self.returns[index];
            if r.len() == self.window {
                r.pop_front();
            }
            r.push_back(close / prev - 1.0);
        }
        if close.is_finite() && close > 0.0 {
            self.last_close[index] = Some(close);
        }
    }

    /// VaR in percent of equity of the portfolio with `extra` signed
    /// quantity of instrument `index` at `price` added; `None` when there is
    /// too little history for an instrument held.
    pub fn var_percent(
        &mut self,
        p: &PortfolioSnapshot,
        index: InstrumentIndex,
        extra: Decimal,
        price: Decimal,
    ) -> Option<f64> {
        let equity = to_f64(p.equity);
        if equity <= 0.0 {
            return None;
        }
        let mut legs: Vec<(InstrumentIndex, f64)> = p
            .positions
            .iter()
            .filter(|x| !x.qty.is_zero() && x.instrument != index)
            .map(|x| (x.instrument, to_f64(x.qty * x.mark_price)))
            .collect();
        let held = p.qty(index);
        let after = to_f64((held + extra) * price);
        if after != 0.0 {
            legs.push((index, after));
        }
        let depth = legs
            .iter()
            .map(|&(i, _)| self.returns.get(i.get()).map_or(0, VecDeque::len))
            .min()
            .unwrap_or(0);
        if legs.is_empty() {
            return Some(0.0);
        }
        if depth < MIN_RETURNS {
            return None;
        }
        self.scratch.clear();
        self.scratch.resize(depth, 0.0);
        for &(i, notional) in &legs {
            let r = &self.returns[i.get()];
            let recent = r.range(r.len() - depth..);
            for (acc, ret) in self.scratch.iter_mut().zip(recent) {
                *acc += notional * ret;
            }
        }
        let q = smc_model::stats::quantile(&mut self.scratch, 1.0 - self.confidence)?;
        Some((-q).max(0.0) / equity * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::PositionSnapshot;

    fn flat(n: usize) -> PortfolioSnapshot {
        PortfolioSnapshot {
            equity: dec!(10000),
            positions: (0..n)
                .map(|i| PositionSnapshot {
                    instrument: InstrumentIndex::new(i),
                    mark_price: dec!(100),
                    ..PositionSnapshot::default()
                })
                .collect(),
            ..PortfolioSnapshot::default()
        }
    }

    #[test]
    fn matches_numpy_on_a_single_position() {
        // Closes 100 × (1.01, 0.98, …): returns alternate +1 % and −2 %.
        let mut var = PortfolioVar::new(dec!(5), 0.95, 100);
        let mut close = 100.0;
        var.observe_close(InstrumentIndex::new(0), close);
        for k in 0..40 {
            close *= if k % 2 == 0 { 1.01 } else { 0.98 };
            var.observe_close(InstrumentIndex::new(0), close);
        }
        // 10,000 notional: P&L is +100 or −200; the 5 % quantile of 40
        // values, half of them −200, is −200 (numpy.quantile agrees).
        let v = var
            .var_percent(&flat(1), InstrumentIndex::new(0), dec!(100), dec!(100))
            .unwrap();
        assert!((v - 2.0).abs() < 1e-9, "{v}");
    }

    #[test]
    fn a_hedge_lowers_the_var_and_history_is_required() {
        let mut var = PortfolioVar::new(dec!(5), 0.99, 50);
        assert_eq!(
            var.var_percent(&flat(2), InstrumentIndex::new(0), dec!(1), dec!(100)),
            None
        );
        let mut close = 100.0;
        for k in 0..30 {
            close *= 1.0 + if k % 3 == 0 { -0.03 } else { 0.01 };
            var.observe_close(InstrumentIndex::new(0), close);
            var.observe_close(InstrumentIndex::new(1), close); // a perfectly correlated twin
        }
        let mut p = flat(2);
        p.positions[0].qty = dec!(50);
        let long = var
            .var_percent(&p, InstrumentIndex::new(1), dec!(0), dec!(100))
            .unwrap();
        let hedged = var
            .var_percent(&p, InstrumentIndex::new(1), dec!(-50), dec!(100))
            .unwrap();
        let doubled = var
            .var_percent(&p, InstrumentIndex::new(1), dec!(50), dec!(100))
            .unwrap();
        assert!(hedged < 1e-9, "{hedged}");
        assert!((doubled - 2.0 * long).abs() < 1e-9);
    }
}
