//! Pre-trade limits, checked on every intent before it becomes an order, in
//! the product's units: `max_position_size` (notional of one position, quote
//! currency), `max_daily_loss` (quote currency from the UTC day's start
//! equity), `trading.max_positions`, and `max_drawdown_percent` (from the
//! equity peak) and `max_leverage` (gross notional / equity), and
//! `stop_loss_percent`: an entry that comes without a stop gets one that
//! far from its price, and an entry whose stop is farther is refused. An
//! order that reduces a position is always accepted; one that would breach
//! a cap is resized to fit when it can, refused with the reason otherwise.

use crate::exposure::{ExposureCaps, InstrumentTag, cap_qty};
use crate::portfolio_var::PortfolioVar;
use crate::reload::LimitsHandle;
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{
    EventSink, InstrumentSpec, OrderIntent, PortfolioSnapshot, PositionSnapshot, RiskGate,
    RiskObservation, RiskOutcome, RiskState, Side, Size, time::DAY_MS,
};

/// The limits; `None` means no limit of that kind.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_position_size: Option<Decimal>,
    pub max_daily_loss: Option<Decimal>,
    pub max_positions: Option<usize>,
    pub max_drawdown_percent: Option<Decimal>,
    pub max_leverage: Option<Decimal>,
    /// The stop given to an entry without one, and the widest accepted,
    /// in percent of the entry price.
    pub max_stop_percent: Option<Decimal>,
}

/// The gate: the limits plus what it has seen of the account.
#[derive(Debug, Clone)]
pub struct LimitsGate {
    limits: Limits,
    exposure: ExposureCaps,
    /// Symbol and venue of each instrument index, for the exposure caps.
    tags: Vec<InstrumentTag>,
    /// Each instrument index's trading rules, when known: a position under
    /// one lot or the minimum quantity (dust a spot buy's base-asset fee
    /// leaves) is no open position for `max_positions`.
    specs: Vec<InstrumentSpec>,
    portfolio_var: Option<PortfolioVar>,
    /// Limits pushed by a config reload, taken at the next check.
    updates: Option<LimitsHandle>,
    state: RiskState,
    day: Option<i64>,
    day_start_equity: Decimal,
    peak_equity: Decimal,
}

impl LimitsGate {
    pub fn new(limits: Limits) -> Self {
        LimitsGate {
            limits,
            exposure: ExposureCaps::default(),
            tags: Vec::new(),
            specs: Vec::new(),
            portfolio_var: None,
            updates: None,
            state: RiskState::default(),
            day: None,
            day_start_equity: Decimal::ZERO,
            peak_equity: Decimal::ZERO,
        }
    }

    /// Adds exposure caps per symbol, venue and correlated group; `tags`
    /// names the symbol and venue of each instrument index.
    pub fn with_exposure(mut self, caps: ExposureCaps, tags: Vec<InstrumentTag>) -> Self {
        self.exposure = caps;
        self.tags = tags;
        self
    }

    /// The instruments' trading rules, in table order, so that dust no
    /// order can trade does not count as an open position.
    pub fn with_specs(mut self, specs: Vec<InstrumentSpec>) -> Self {
        self.specs = specs;
        self
    }

    /// Whether `pos` holds anything an order could trade.
    fn is_open(&self, pos: &PositionSnapshot) -> bool {
        match self.specs.get(pos.instrument.get()) {
            Some(spec) => !spec.is_dust(pos.qty.abs()),
            None => !pos.is_flat(),
        }
    }

    /// Adds the portfolio VaR limit (it learns returns from the bars the
    /// engine shows the gate).
    pub fn with_portfolio_var(mut self, limit: PortfolioVar) -> Self {
        self.portfolio_var = Some(limit);
        self
    }

    /// A handle through which new limits reach this gate while the engine
    /// owns it (a config reload); taken at the next check.
    pub fn reload_handle(&mut self) -> LimitsHandle {
        self.updates
            .get_or_insert_with(LimitsHandle::default)
            .clone()
    }

    /// Replaces the limits (a config reload) without losing the day's state
    /// or the return history.
    pub fn reload(&mut self, limits: Limits, caps: ExposureCaps, var: Option<(Decimal, f64)>) {
        self.limits = limits;
        self.exposure = caps;
        match (var, self.portfolio_var.as_mut()) {
            (Some((max, confidence)), Some(pv)) => {
                pv.max_percent = max;
                pv.confidence = confidence;
            }
            (Some((max, confidence)), None) => {
                self.portfolio_var = Some(PortfolioVar::new(max, confidence, 500));
            }
            (None, _) => self.portfolio_var = None,
        }
    }

    /// Tracks the UTC day's start equity and the equity peak.
    fn observe(&mut self, p: &PortfolioSnapshot) {
        let day = p.time.ms().div_euclid(DAY_MS);
        if self.day != Some(day) {
            self.day = Some(day);
            self.day_start_equity = p.equity;
        }
        self.peak_equity = self.peak_equity.max(p.equity);
    }

    /// Why risk may not grow now, if it may not.
    fn halted(&self, p: &PortfolioSnapshot) -> Option<String> {
        if let Some(max) = self.limits.max_daily_loss {
            let loss = self.day_start_equity - p.equity;
            if loss >= max {
                return Some(format!("max_daily_loss: lost {loss} today, limit {max}"));
            }
        }
        if let Some(max) = self.limits.max_drawdown_percent
            && self.peak_equity > Decimal::ZERO
        {
            let dd = (self.peak_equity - p.equity) / self.peak_equity * Decimal::ONE_HUNDRED;
            if dd >= max {
                return Some(format!(
                    "max_drawdown_percent: drawdown {}% from the peak, limit {max}%",
                    dd.round_dp(2)
                ));
            }
        }
        None
    }
}

impl LimitsGate {
    /// Gives the entry the stop `max_stop_percent` sets when it has none;
    /// says why it is refused when its stop is farther than that from
    /// `price`.
    fn with_stop(&self, intent: &mut OrderIntent, price: Decimal) -> Result<(), String> {
        let Some(max) = self.limits.max_stop_percent else {
            return Ok(());
        };
        if price <= Decimal::ZERO {
            return Err(format!(
                "stop_loss_percent: no positive price ({price}) to measure the stop from"
            ));
        }
        let distance = max / Decimal::ONE_HUNDRED;
        let Some(stop) = intent.stop_loss else {
            intent.stop_loss = Some(match intent.side {
                Side::Buy => price * (Decimal::ONE - distance),
                Side::Sell => price * (Decimal::ONE + distance),
            });
            return Ok(());
        };
        let percent = (price - stop).abs() / price * Decimal::ONE_HUNDRED;
        if percent > max {
            return Err(format!(
                "stop_loss_percent: the stop is {}% from the entry, wider than {max}%",
                percent.round_dp(2)
            ));
        }
        Ok(())
    }
}

/// The order's quantity at `price`, when it can be known before the fill.
fn quantity(
    intent: &OrderIntent,
    p: &PortfolioSnapshot,
    pos: &PositionSnapshot,
    price: Decimal,
) -> Decimal {
    match intent.size {
        Size::Qty(q) => q,
        Size::Notional(n) => n / price,
        Size::EquityFraction(f) => f * p.equity / price,
        Size::ClosePosition => pos.qty.abs(),
    }
}

impl RiskGate for LimitsGate {
    fn name(&self) -> &str {
        "limits"
    }

    fn check(&mut self, intent: OrderIntent, p: &PortfolioSnapshot) -> RiskOutcome {
        if let Some(u) = self.updates.as_ref().and_then(LimitsHandle::take) {
            self.reload(u.limits, u.caps, u.var);
        }
        self.observe(p);
        let refuse = |intent, reason: String| RiskOutcome::Refused { intent, reason };
        let Some(pos) = p.position(intent.instrument).copied() else {
            return refuse(intent, "unknown instrument".to_string());
        };
        let price = intent
            .kind
            .limit_price()
            .or(intent.kind.trigger())
            .unwrap_or(pos.mark_price);
        if price <= Decimal::ZERO {
            return refuse(
                intent,
                "no price to check the order against yet".to_string(),
            );
        }
        let qty = quantity(&intent, p, &pos, price);
        let opposite = !pos.qty.is_zero()
            && pos.qty.is_sign_positive() != (intent.side.sign() > Decimal::ZERO);
        if intent.reduce_only
            || intent.size == Size::ClosePosition
            || (opposite && qty <= pos.qty.abs())
        {
            return RiskOutcome::Approved(intent); // reducing risk is always allowed
        }
        if let Some(reason) = self.halted(p) {
            self.state.trading_allowed = false;
            return refuse(intent, reason);
        }
        self.state.trading_allowed = true;
        let mut intent = intent;
        if let Err(reason) = self.with_stop(&mut intent, price) {
            return refuse(intent, reason);
        }
        if let Some(max) = self.limits.max_positions {
            let open = p.positions.iter().filter(|x| self.is_open(x)).count();
            if !self.is_open(&pos) && open >= max {
                return refuse(intent, format!("max_positions: {open} open, limit {max}"));
            }
        }
        // The largest quantity the caps leave room for, in this direction.
        let held = if opposite {
            Decimal::ZERO
        } else {
            pos.qty.abs()
        };
        let mut room = qty;
        let mut why = Vec::new();
        if let Some(max) = self.limits.max_position_size {
            let cap = cap_qty(max / price - held).max(Decimal::ZERO);
            if cap < room {
                room = cap;
                why.push(format!("max_position_size {max}"));
            }
        }
        if let Some(max) = self.limits.max_leverage {
            let gross: Decimal = p.positions.iter().map(|x| x.qty.abs() * x.mark_price).sum();
            let cap = cap_qty((max * p.equity - gross) / price).max(Decimal::ZERO);
            if cap < room {
                room = cap;
                why.push(format!("max_leverage {max}"));
            }
        }
        if let Some((cap, name)) = self
            .exposure
            .room(&self.tags, intent.instrument, price, room, p)
        {
            room = cap;
            why.push(name);
        }
        if room > Decimal::ZERO
            && let Some(reason) = self.var_breach(&intent, p, room, price)
        {
            return refuse(intent, reason);
        }
        if room == qty {
            return RiskOutcome::Approved(intent);
        }
        if room <= Decimal::ZERO {
            return refuse(intent, format!("no room under {}", why.join(", ")));
        }
        let reason = format!(
            "resized from {} to {} by {}",
            qty.round_dp(8),
            room.round_dp(8),
            why.join(", ")
        );
        RiskOutcome::Resized {
            intent: OrderIntent {
                size: Size::Qty(room),
                ..intent
            },
            reason,
        }
    }

    fn state(&self) -> &RiskState {
        &self.state
    }

    fn observe(&mut self, observation: RiskObservation<'_>, _sink: &mut dyn EventSink) {
        if let (
            Some(pv),
            RiskObservation::Bar {
                instrument, candle, ..
            },
        ) = (self.portfolio_var.as_mut(), observation)
        {
            pv.observe_close(instrument, smc_model::num::to_f64(candle.close));
        }
    }
}

impl LimitsGate {
    /// Why adding `qty` at `price` breaks the portfolio VaR limit, if it
    /// does. An order that lowers the VaR (a hedge) passes even above it.
    fn var_breach(
        &mut self,
        intent: &OrderIntent,
        p: &PortfolioSnapshot,
        qty: Decimal,
        price: Decimal,
    ) -> Option<String> {
        let pv = self.portfolio_var.as_mut()?;
        let signed = qty * intent.side.sign();
        let after = pv.var_percent(p, intent.instrument, signed, price)?;
        let before = pv
            .var_percent(p, intent.instrument, Decimal::ZERO, price)
            .unwrap_or(0.0);
        let max = smc_model::num::to_f64(pv.max_percent);
        (after > max && after > before).then(|| {
            format!(
                "max_portfolio_var_percent: VaR {:.0}% would be {after:.3}% of equity, limit {}%",
                pv.confidence * 100.0,
                pv.max_percent
            )
        })
    }
}
