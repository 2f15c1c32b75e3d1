//! Position sizing. Every method turns equity and the trade's entry and stop
//! into a quantity, rounded down to the instrument's lot and checked against
//! its minimum quantity and notional in one place (`InstrumentSpec::round_qty`);
//! a size that rounds to nothing is a rejection with its reason, never a
//! silent zero.
//!
//! Capped fractional Kelly, estimated from the strategy's own closed trades
//! over a rolling window: with win rate p and payoff b = mean win / mean
//! loss, the Kelly fraction is f* = p − (1 − p) / b. We risk
//! min(cap, fraction × f*) of equity to the stop. Failure modes, and what we
//! do: too few trades (the estimate is noise) → refuse until `min_trades`;
//! no losing trade (b is infinite, f* → p) → use p, still capped; f* ≤ 0 (no
//! edge) → refuse; the window is the past, so a regime change shows late —
//! hence the fraction (half Kelly by default) and the cap.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Deserialize;
use smc_model::{InstrumentError, InstrumentSpec};

/// How large a position to take.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Sizing {
    /// Risk `risk_percent` of equity between entry and stop.
    FixedFractional {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        risk_percent: Decimal,
    },
    /// Risk `risk_percent` of equity with the stop `atr_multiple` ATRs away.
    Volatility {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        risk_percent: Decimal,
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        atr_multiple: Decimal,
    },
    /// A fixed notional in the quote currency.
    FixedNotional {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        notional: Decimal,
    },
    /// Capped fractional Kelly (see the module docs).
    Kelly(Kelly),
}

/// Parameters of capped fractional Kelly.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kelly {
    /// Share of the Kelly fraction used (0.5 = half Kelly).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub fraction: Decimal,
    /// Largest share of equity ever risked to the stop (e.g. 0.02).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub cap: Decimal,
    /// Closed trades needed before sizing at all.
    pub min_trades: usize,
    /// Most recent closed trades used.
    pub window: usize,
}

/// What the sizer needs to know about the trade.
#[derive(Debug, Clone, Copy)]
pub struct SizeRequest<'a> {
    pub equity: Decimal,
    pub entry: Decimal,
    /// The stop price (fixed fractional and Kelly risk to it).
    pub stop: Option<Decimal>,
    /// The current ATR (volatility sizing).
    pub atr: Option<Decimal>,
    pub spec: InstrumentSpec,
    /// Net P&L of the strategy's closed trades, oldest first (Kelly).
    pub closed_pnl: &'a [Decimal],
}

/// Why no position can be sized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizingError {
    #[error("equity {0} is not positive")]
    NoEquity(Decimal),
    #[error("the stop {stop} is not away from the entry {entry}")]
    BadStop { entry: Decimal, stop: Decimal },
    #[error("this sizing method needs a {0}")]
    Missing(&'static str),
    #[error("Kelly needs {needed} closed trades, {have} so far")]
    TooFewTrades { needed: usize, have: usize },
    #[error("no edge: the Kelly fraction is {0} (win rate and payoff give no positive bet)")]
    NoEdge(Decimal),
    #[error(transparent)]
    Rounding(#[from] InstrumentError),
}

/// The quantity to trade, rounded down to the lot.
pub fn size(method: &Sizing, req: &SizeRequest<'_>) -> Result<Decimal, SizingError> {
    if req.equity <= Decimal::ZERO {
        return Err(SizingError::NoEquity(req.equity));
    }
    let raw = match method {
        Sizing::FixedFractional { risk_percent } => {
            let stop = req.stop.ok_or(SizingError::Missing("stop"))?;
            risk_to_stop(
                req.equity * *risk_percent / Decimal::ONE_HUNDRED,
                req.entry,
                stop,
            )?
        }
        Sizing::Volatility {
            risk_percent,
            atr_multiple,
        } => {
            let atr = req.atr.ok_or(SizingError::Missing("ATR"))?;
            let distance = atr * *atr_multiple;
            risk_to_stop(
                req.equity * *risk_percent / Decimal::ONE_HUNDRED,
                req.entry,
                req.entry - distance,
            )?
        }
        Sizing::FixedNotional { notional } => {
            if req.entry <= Decimal::ZERO {
                return Err(SizingError::Rounding(InstrumentError::BadPrice(req.entry)));
            }
            *notional / req.entry
        }
        Sizing::Kelly(k) => {
            let stop = req.stop.ok_or(SizingError::Missing("stop"))?;
            let share = kelly_share(k, req.closed_pnl)?;
            risk_to_stop(req.equity * share, req.entry, stop)?
        }
    };
    Ok(req.spec.round_qty(raw, req.entry)?)
}

/// The quantity that loses `risk` (quote currency) between entry and stop.
fn risk_to_stop(risk: Decimal, entry: Decimal, stop: Decimal) -> Result<Decimal, SizingError> {
    let distance = (entry - stop).abs();
    if distance.is_zero() || stop <= Decimal::ZERO {
        return Err(SizingError::BadStop { entry, stop });
    }
    Ok(risk / distance)
}

/// The share of equity to risk: min(cap, fraction × f*).
fn kelly_share(k: &Kelly, pnl: &[Decimal]) -> Result<Decimal, SizingError> {
    let recent = &pnl[pnl.len().saturating_sub(k.window.max(1))..];
    if recent.len() < k.min_trades.max(1) {
        return Err(SizingError::TooFewTrades {
            needed: k.min_trades.max(1),
            have: recent.len(),
        });
    }
    let wins: Vec<f64> = recent
        .iter()
        .filter(|p| p.is_sign_positive() && !p.is_zero())
        .filter_map(ToPrimitive::to_f64)
        .collect();
    let losses: Vec<f64> = recent
        .iter()
        .filter(|p| p.is_sign_negative())
        .filter_map(|p| p.abs().to_f64())
        .collect();
    let p = wins.len() as f64 / recent.len() as f64;
    let f_star = if losses.is_empty() {
        p
    } else if wins.is_empty() {
        0.0
    } else {
        let b = (wins.iter().sum::<f64>() / wins.len() as f64)
            / (losses.iter().sum::<f64>() / losses.len() as f64);
        p - (1.0 - p) / b
    };
    let f_star = Decimal::from_f64(f_star).unwrap_or_default();
    if f_star <= Decimal::ZERO {
        return Err(SizingError::NoEdge(f_star.round_dp(6)));
    }
    Ok((k.fraction * f_star).min(k.cap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    const SPEC: InstrumentSpec = InstrumentSpec {
        tick_size: dec!(0.01),
        lot_size: dec!(0.001),
        min_qty: dec!(0.001),
        min_notional: dec!(5),
    };

    fn request(equity: Decimal, entry: Decimal, stop: Decimal, pnl: &[Decimal]) -> SizeRequest<'_> {
        SizeRequest {
            equity,
            entry,
            stop: Some(stop),
            atr: Some(dec!(100)),
            spec: SPEC,
            closed_pnl: pnl,
        }
    }

    #[test]
    fn fixed_fractional_risks_the_percentage_to_the_stop() {
        // 1 % of 10,000 = 100 at risk, 200 to the stop: 0.5 units.
        let q = size(
            &Sizing::FixedFractional {
                risk_percent: dec!(1),
            },
            &request(dec!(10000), dec!(30000), dec!(29800), &[]),
        );
        assert_eq!(q, Ok(dec!(0.5)));
    }

    #[test]
    fn a_size_that_rounds_to_nothing_is_refused_with_a_reason() {
        let q = size(
            &Sizing::FixedFractional {
                risk_percent: dec!(0.001),
            },
            &request(dec!(100), dec!(30000), dec!(20000), &[]),
        );
        assert!(
            matches!(
                q,
                Err(SizingError::Rounding(InstrumentError::ZeroQuantity { .. }))
            ),
            "{q:?}"
        );
    }

    #[test]
    fn kelly_refuses_without_enough_trades_or_without_edge() {
        let k = Sizing::Kelly(Kelly {
            fraction: dec!(0.5),
            cap: dec!(0.02),
            min_trades: 5,
            window: 50,
        });
        let few = [dec!(10), dec!(-5)];
        assert_eq!(
            size(&k, &request(dec!(10000), dec!(100), dec!(99), &few)),
            Err(SizingError::TooFewTrades { needed: 5, have: 2 })
        );
        let losing = [dec!(-10), dec!(5), dec!(-10), dec!(5), dec!(-10), dec!(5)];
        assert!(matches!(
            size(&k, &request(dec!(10000), dec!(100), dec!(99), &losing)),
            Err(SizingError::NoEdge(_))
        ));
    }

    #[test]
    fn kelly_uses_the_estimated_fraction_under_its_cap() {
        // p = 0.6, b = 1: f* = 0.2, half Kelly 0.1, capped at 0.02 → risk 200 to a 1.0 stop.
        let pnl = [dec!(10), dec!(10), dec!(10), dec!(-10), dec!(-10)];
        let k = Sizing::Kelly(Kelly {
            fraction: dec!(0.5),
            cap: dec!(0.02),
            min_trades: 5,
            window: 50,
        });
        assert_eq!(
            size(&k, &request(dec!(10000), dec!(100), dec!(99), &pnl)),
            Ok(dec!(200))
        );
        let uncapped = Sizing::Kelly(Kelly {
            fraction: dec!(0.05),
            cap: dec!(0.02),
            min_trades: 5,
            window: 50,
        });
        assert_eq!(
            size(&uncapped, &request(dec!(10000), dec!(100), dec!(99), &pnl)),
            Ok(dec!(100))
        );
    }

    proptest! {
        #[test]
        fn risk_never_exceeds_the_budget_and_grows_with_the_percentage(
            equity in 1_000i64..1_000_000,
            entry in 10i64..100_000,
            stop_bp in 10i64..2_000,
            pct in 1i64..500,
        ) {
            let entry = Decimal::from(entry);
            let stop = entry * (Decimal::ONE - Decimal::new(stop_bp, 4));
            let equity = Decimal::from(equity);
            let req = request(equity, entry, stop, &[]);
            let small = size(&Sizing::FixedFractional { risk_percent: Decimal::new(pct, 2) }, &req);
            let large = size(&Sizing::FixedFractional { risk_percent: Decimal::new(pct * 2, 2) }, &req);
            if let Ok(q) = small {
                let risk = q * (entry - stop);
                prop_assert!(risk <= equity * Decimal::new(pct, 2) / Decimal::ONE_HUNDRED, "rounding never adds risk");
                prop_assert!(large.as_ref().is_ok_and(|l| *l >= q), "monotonic in the percentage");
            }
        }

        #[test]
        fn kelly_never_risks_more_than_its_cap(wins in 1usize..40, losses in 0usize..40, cap_bp in 1i64..500) {
            let mut pnl = vec![dec!(12); wins];
            pnl.extend(vec![dec!(-10); losses]);
            let cap = Decimal::new(cap_bp, 4);
            let k = Sizing::Kelly(Kelly { fraction: Decimal::ONE, cap, min_trades: 1, window: 100 });
            let (equity, entry, stop) = (dec!(50000), dec!(100), dec!(98));
            if let Ok(q) = size(&k, &request(equity, entry, stop, &pnl)) {
                prop_assert!(q * (entry - stop) <= equity * cap);
            }
        }
    }
}
