//! Pre-trade limits, checked on every intent before it becomes an order, in
//! the product's units: `max_position_size` (notional of one position, quote
//! currency), `max_daily_loss` (quote currency from the UTC day's start
//! equity), `trading.max_positions`, and `max_drawdown_percent` (from the
//! equity peak) and `max_leverage` (gross notional / equity). An order that
//! reduces a position is always accepted; one that would breach a cap is
//! resized to fit when it can, refused with the reason otherwise.

use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::time::DAY_MS;
use smc_model::{PortfolioSnapshot, PositionSnapshot};
use smc_strategy::{OrderIntent, RiskGate, RiskOutcome, RiskState, Size};

/// The limits; `None` means no limit of that kind.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_position_size: Option<Decimal>,
    pub max_daily_loss: Option<Decimal>,
    pub max_positions: Option<usize>,
    pub max_drawdown_percent: Option<Decimal>,
    pub max_leverage: Option<Decimal>,
}

/// The gate: the limits plus what it has seen of the account.
#[derive(Debug, Clone)]
pub struct LimitsGate {
    limits: Limits,
    state: RiskState,
    day: Option<i64>,
    day_start_equity: Decimal,
    peak_equity: Decimal,
}

impl LimitsGate {
    pub fn new(limits: Limits) -> Self {
        LimitsGate {
            limits,
            state: RiskState::default(),
            day: None,
            day_start_equity: Decimal::ZERO,
            peak_equity: Decimal::ZERO,
        }
    }

    /// Replaces the limits (a config reload) without losing the day's state.
    pub fn reload(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Tracks the UTC day's start equity and the equity peak.
    fn observe(&mut self, p: &PortfolioSnapshot) {
        let day = p.time.div_euclid(DAY_MS);
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
        self.observe(p);
        let refuse = |intent, reason: String| RiskOutcome::Refused { intent, reason };
        let Some(pos) = p.positions.get(intent.instrument).copied() else {
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
        if let Some(max) = self.limits.max_positions {
            let open = p.positions.iter().filter(|x| !x.is_flat()).count();
            if pos.is_flat() && open >= max {
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
            let cap = (max / price - held).max(Decimal::ZERO);
            if cap < room {
                room = cap;
                why.push(format!("max_position_size {max}"));
            }
        }
        if let Some(max) = self.limits.max_leverage {
            let gross: Decimal = p.positions.iter().map(|x| x.qty.abs() * x.mark_price).sum();
            let cap = ((max * p.equity - gross) / price).max(Decimal::ZERO);
            if cap < room {
                room = cap;
                why.push(format!("max_leverage {max}"));
            }
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
}
