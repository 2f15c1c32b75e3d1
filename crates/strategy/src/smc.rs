//! The built-in `smc` strategy: trade with the higher timeframe's structure,
//! enter on a retest of a lower-timeframe order block or fair value gap that
//! formed after a break of structure in that direction, stop beyond the zone
//! that justified the entry, target the opposing liquidity (or an R
//! multiple). It runs its own causal multi-timeframe analysis, fed one
//! closed candle at a time, so it sees exactly what a live run would.

use crate::context::StrategyContext;
use crate::intent::{Intent, OrderIntent, Setup, Size};
use crate::strategy::Strategy;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;
use smc_analysis::{DetectorConfig, Kind, Lifecycle, MultiTimeframe, SmcEvent};
use smc_model::{Side, Timeframe};
use std::borrow::Cow;

/// Every parameter of the strategy (the `strategy.smc` section of a config).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmcConfig {
    /// The timeframe whose swing structure sets the bias.
    pub bias_timeframe: Timeframe,
    /// Percent of equity lost if the stop is hit.
    pub risk_percent: Decimal,
    /// Target in multiples of the risk when no opposing liquidity is farther.
    pub reward_risk: Decimal,
    /// Extra room beyond the zone for the stop, as a fraction of its height.
    pub stop_buffer: Decimal,
    /// Candles a pending entry waits for its retest before it is cancelled.
    pub entry_expiry_bars: usize,
    /// Also trade the bearish side (needs a margin account).
    pub allow_short: bool,
    pub detectors: DetectorConfig,
}

impl Default for SmcConfig {
    fn default() -> Self {
        SmcConfig {
            bias_timeframe: Timeframe::H1,
            risk_percent: Decimal::ONE,
            reward_risk: Decimal::TWO,
            stop_buffer: Decimal::new(1, 1),
            entry_expiry_bars: 30,
            allow_short: false,
            detectors: DetectorConfig::default(),
        }
    }
}

/// The strategy's state for its one instrument.
pub struct SmcStrategy {
    config: SmcConfig,
    mtf: Option<MultiTimeframe>,
    base: Option<Timeframe>,
    events: Vec<SmcEvent>,
    /// Direction of the latest base-timeframe break (BOS or CHoCH).
    last_break: i8,
    /// Candles since the pending entry was placed.
    pending_for: Option<usize>,
}

impl SmcStrategy {
    pub fn new(config: SmcConfig) -> Self {
        SmcStrategy {
            config,
            mtf: None,
            base: None,
            events: Vec::new(),
            last_break: 0,
            pending_for: None,
        }
    }

    /// The entry for a zone that formed in the bias direction, if it makes sense.
    fn entry(
        &self,
        ctx: &StrategyContext<'_>,
        zone: &SmcEvent,
        bias: i8,
        target: Option<f64>,
    ) -> Option<OrderIntent> {
        let (top, bottom) = (zone.top?, zone.bottom?);
        let height = top - bottom;
        let buffer = height * f64::try_from(self.config.stop_buffer).ok()?;
        let (entry, stop) = if bias == 1 {
            (top, bottom - buffer)
        } else {
            (bottom, top + buffer)
        };
        let risk_per_unit = (entry - stop).abs();
        if risk_per_unit.is_nan() || risk_per_unit <= 0.0 || !entry.is_finite() {
            return None;
        }
        let r_target = entry
            + f64::from(bias) * risk_per_unit * f64::try_from(self.config.reward_risk).ok()?;
        // Opposing liquidity is the natural target when it is at least 1R away.
        let take = match target {
            Some(t) if (t - entry) * f64::from(bias) >= risk_per_unit => t,
            _ => r_target,
        };
        let equity = ctx.portfolio.equity;
        let risk = equity * self.config.risk_percent / Decimal::ONE_HUNDRED;
        let entry_price = Decimal::from_f64(entry)?;
        // Risk-based size, but never more than 99 % of the equity buys
        // outright (the rest pays fees): a tight stop must not turn into
        // leverage the account does not have.
        let affordable = equity * Decimal::new(99, 2) / entry_price;
        let qty = (risk / Decimal::from_f64(risk_per_unit)?).min(affordable);
        let side = if bias == 1 { Side::Buy } else { Side::Sell };
        let pattern = if zone.kind == Kind::Ob {
            "ob_retest"
        } else {
            "fvg_retest"
        };
        let setup = Setup {
            pattern: Cow::Borrowed(pattern),
            timeframe: Some(zone.timeframe),
        };
        Some(
            OrderIntent::limit(ctx.instrument_index, side, Size::Qty(qty), entry_price)
                .with_bracket(Decimal::from_f64(stop), Decimal::from_f64(take))
                .with_setup(setup),
        )
    }
}

impl Strategy for SmcStrategy {
    fn name(&self) -> &str {
        "smc"
    }

    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>) {
        let base = *self.base.get_or_insert(ctx.timeframe);
        if ctx.timeframe != base {
            return;
        }
        let tfs = [base, self.config.bias_timeframe.max(base)];
        if self.mtf.is_none() {
            // A bias timeframe that base candles cannot build trades nothing.
            self.mtf = MultiTimeframe::new(base, &tfs, &self.config.detectors).ok();
        }
        let Some(mtf) = self.mtf.as_mut() else { return };
        self.events.clear();
        mtf.on_candle(ctx.candle, &mut self.events);
        let view = mtf.confluence();
        let bias = view.frame(tfs[1]).map_or(0, |f| f.trend);
        let flat = ctx.position_qty().is_zero();
        if let Some(age) = self.pending_for.as_mut() {
            *age += 1;
            if !flat {
                self.pending_for = None; // filled: the bracket manages the exit
            } else if *age >= self.config.entry_expiry_bars {
                out.push(Intent::CancelAll {
                    instrument: ctx.instrument_index,
                });
                self.pending_for = None;
            }
        }
        let mut zone = None;
        for e in self
            .events
            .iter()
            .filter(|e| e.timeframe == base && e.event == Lifecycle::Formed)
        {
            match e.kind {
                Kind::Bos | Kind::Choch => self.last_break = e.direction,
                Kind::Ob | Kind::Fvg if e.direction == bias && self.last_break == bias => {
                    zone = Some(e.clone())
                }
                _ => {}
            }
        }
        let tradable = bias == 1 || (bias == -1 && self.config.allow_short);
        let (Some(zone), true, true, None) = (zone, tradable, flat, self.pending_for) else {
            return;
        };
        let base_view = view.frame(base);
        let target = if bias == 1 {
            base_view.and_then(|f| f.liquidity_above)
        } else {
            base_view.and_then(|f| f.liquidity_below)
        };
        if let Some(intent) = self.entry(ctx, &zone, bias, target) {
            out.push(intent.into());
            self.pending_for = Some(0);
        }
    }
}
