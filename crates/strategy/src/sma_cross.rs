//! The built-in SMA crossover: long while SMA(fast) of the close is above
//! SMA(slow), flat otherwise; decided on a bar's close, filled at the next
//! bar's open, all-in. It exists to cross-check the engine against other
//! tools, so the bar of its first decision is a named convention:
//! backtesting.py's (bar index `slow`, one bar after both averages first
//! exist; the default) or that of vectorbt, NautilusTrader and the peer
//! benchmark's reference script (bar index `slow - 1`, as soon as both exist).
//! On the peer-benchmark series the two give the same 1080 trades but a
//! different first entry, hence different equities (12,031.177779 and
//! 12,032.918327).
//!
//! The averages are running sums over a ring buffer (O(1) per bar, no
//! allocation after construction), in `f64` like every peer tool.

use crate::context::StrategyContext;
use crate::strategy::Strategy;
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{InstrumentIndex, NoTradeReason};
use smc_model::{Intent, OrderIntent, Setup, Side, Size, Timeframe, num::to_f64};

/// On which bar the first decision is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FirstDecision {
    /// Bar index `slow`, one bar after both averages exist (backtesting.py).
    #[default]
    OneBarAfter,
    /// Bar index `slow - 1`, the first bar where both exist (vectorbt,
    /// NautilusTrader, the peer benchmark's reference script).
    WhenDefined,
}

/// Lengths of the two averages, the first-decision convention and the
/// share of equity each entry commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmaCrossConfig {
    pub fast: usize,
    pub slow: usize,
    pub first_decision: FirstDecision,
    /// Fraction of equity an entry commits, in (0, 1]; 1 (all-in) is the
    /// peer tools' convention the cross-checks use.
    pub equity_fraction: Decimal,
}

impl Default for SmaCrossConfig {
    fn default() -> Self {
        SmaCrossConfig {
            fast: 20,
            slow: 50,
            first_decision: FirstDecision::OneBarAfter,
            equity_fraction: Decimal::ONE,
        }
    }
}

/// Lengths that cannot form a crossover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmaCrossError {
    #[error("sma_cross needs 1 <= fast < slow, got fast {fast} and slow {slow}")]
    Lengths { fast: usize, slow: usize },
    #[error("sma_cross needs an equity fraction in (0, 1], got {0}")]
    Fraction(Decimal),
}

const SETUP: Setup = Setup::fixed("sma_cross", None);

/// The strategy. It trades the first instrument and timeframe it is shown
/// and ignores the others, so a multi-series run stays well defined.
#[derive(Debug, Clone)]
pub struct SmaCross {
    fast: usize,
    slow: usize,
    /// Bar index of the first decision.
    first: usize,
    /// The last `slow` closes; `head` is the slot of the next close (the
    /// oldest once full), `fast_tail` the close leaving the fast window.
    ring: Vec<f64>,
    head: usize,
    fast_tail: usize,
    seen: usize,
    fast_sum: f64,
    slow_sum: f64,
    series: Option<(InstrumentIndex, Timeframe)>,
    size: Size,
    /// Why the latest candle placed no entry.
    reason: Option<NoTradeReason>,
}

impl SmaCross {
    pub fn new(config: SmaCrossConfig) -> Result<Self, SmaCrossError> {
        let SmaCrossConfig {
            fast,
            slow,
            first_decision,
            equity_fraction,
        } = config;
        if fast == 0 || fast >= slow {
            return Err(SmaCrossError::Lengths { fast, slow });
        }
        if equity_fraction <= Decimal::ZERO || equity_fraction > Decimal::ONE {
            return Err(SmaCrossError::Fraction(equity_fraction));
        }
        let first = match first_decision {
            FirstDecision::OneBarAfter => slow,
            FirstDecision::WhenDefined => slow - 1,
        };
        Ok(SmaCross {
            fast,
            slow,
            first,
            ring: vec![0.0; slow],
            head: 0,
            fast_tail: 0,
            seen: 0,
            fast_sum: 0.0,
            slow_sum: 0.0,
            series: None,
            size: Size::EquityFraction(equity_fraction),
            reason: None,
        })
    }

    /// Adds a close; returns whether the fast average is above the slow one
    /// once a decision is due.
    fn push(&mut self, close: f64) -> Option<bool> {
        let i = self.seen;
        // Ring positions advance by one and wrap, avoiding a division per bar.
        let leaving_slow = self.ring[self.head];
        self.fast_sum += close;
        self.slow_sum += close;
        if i >= self.fast {
            self.fast_sum -= self.ring[self.fast_tail];
            self.fast_tail = wrap(self.fast_tail + 1, self.slow);
        }
        if i >= self.slow {
            self.slow_sum -= leaving_slow;
        }
        self.ring[self.head] = close;
        self.head = wrap(self.head + 1, self.slow);
        self.seen += 1;
        (i >= self.first)
            .then(|| self.fast_sum / self.fast as f64 > self.slow_sum / self.slow as f64)
    }
}

fn wrap(k: usize, len: usize) -> usize {
    if k == len { 0 } else { k }
}

impl Strategy for SmaCross {
    fn name(&self) -> &str {
        "sma_cross"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        self.reason = None;
        let key = (ctx.instrument_index, ctx.timeframe);
        if *self.series.get_or_insert(key) != key {
            return;
        }
        let Some(long) = self.push(close_f64(ctx.candle.close)) else {
            self.reason = Some(NoTradeReason::WarmingUp);
            return;
        };
        if !ctx.risk.trading_allowed {
            self.reason = Some(NoTradeReason::BreakerTripped);
            return;
        }
        let qty = ctx.position_qty();
        let i = ctx.instrument_index;
        // Holding (and perhaps closing): no entry; flat below the slow
        // average: no signal.
        self.reason = if !qty.is_zero() {
            Some(NoTradeReason::InPosition)
        } else if !long {
            Some(NoTradeReason::NoCross)
        } else {
            None
        };
        if long && qty.is_zero() {
            out.push(
                OrderIntent::market(i, Side::Buy, self.size)
                    .with_setup(SETUP)
                    .into(),
            );
        } else if !long && qty > Decimal::ZERO {
            // A protective stop the risk gate gave the entry leaves with it.
            out.push(Intent::CancelAll { instrument: i });
            let exit = OrderIntent::market(i, Side::Sell, Size::ClosePosition).reduce_only();
            out.push(exit.with_setup(SETUP).into());
        }
    }

    fn no_trade_reason(&self) -> Option<NoTradeReason> {
        self.reason
    }
}

/// Exact powers of ten for the fast path below.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The `f64` nearest to a price. Prices almost always have a mantissa
/// below 2^53 and a small scale, where one exact division is correctly
/// rounded; this inlined check saves a call per bar, and anything else
/// goes through the model's general conversion.
#[inline]
fn close_f64(d: Decimal) -> f64 {
    let scale = d.scale() as usize;
    let unpacked = d.unpack();
    if unpacked.hi == 0 && unpacked.mid < (1 << 21) && scale < POW10.len() {
        let m = (u64::from(unpacked.mid) << 32 | u64::from(unpacked.lo)) as f64;
        let v = m / POW10[scale];
        return if unpacked.negative { -v } else { v };
    }
    to_f64(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_price_conversion_is_correctly_rounded() {
        let cases = [
            (1_000_152i64, 4u32),
            (-97_312, 5),
            (426_148, 2),
            (1, 0),
            (i64::MAX, 3),
            (123_456_789, 15),
        ];
        for (m, s) in cases {
            let d = Decimal::new(m, s);
            assert_eq!(close_f64(d).to_bits(), to_f64(d).to_bits(), "{d}");
        }
    }

    #[test]
    fn lengths_are_checked() {
        assert!(
            SmaCross::new(SmaCrossConfig {
                fast: 50,
                slow: 20,
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            SmaCross::new(SmaCrossConfig {
                fast: 0,
                slow: 20,
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn first_decision_is_at_bar_index_slow() {
        let config = SmaCrossConfig {
            fast: 2,
            slow: 3,
            ..Default::default()
        };
        let mut s = SmaCross::new(config).unwrap();
        let decisions: Vec<Option<bool>> = [1.0, 2.0, 3.0, 4.0, 1.0]
            .into_iter()
            .map(|c| s.push(c))
            .collect();
        // index 3: fast (3+4)/2 = 3.5 > slow (2+3+4)/3 = 3; index 4: 2.5 < 8/3.
        assert_eq!(decisions, vec![None, None, None, Some(true), Some(false)]);
        let mut early = SmaCross::new(SmaCrossConfig {
            first_decision: FirstDecision::WhenDefined,
            ..config
        })
        .unwrap();
        // index 2: fast 2.5 > slow 2.
        assert_eq!(early.push(1.0), None);
        assert_eq!(early.push(2.0), None);
        assert_eq!(early.push(3.0), Some(true));
    }

    #[test]
    fn running_sums_match_a_direct_mean() {
        let mut s = SmaCross::new(SmaCrossConfig::default()).unwrap();
        let closes: Vec<f64> = (0..500)
            .map(|i| 100.0 + ((i * 37) % 17) as f64 * 0.25)
            .collect();
        for (i, &c) in closes.iter().enumerate() {
            let got = s.push(c);
            if i >= 50 {
                let fast: f64 = closes[i - 19..=i].iter().sum::<f64>() / 20.0;
                let slow: f64 = closes[i - 49..=i].iter().sum::<f64>() / 50.0;
                if (fast - slow).abs() > 1e-9 {
                    assert_eq!(got, Some(fast > slow), "bar {i}");
                }
            }
        }
    }
}
