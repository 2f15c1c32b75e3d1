//! Executing one fill once the path reaches an order: resolving its size at
//! the fill price (all-in included), clipping reduce-only orders, the
//! participation cap, slippage, fees, the funds check, and the consequences
//! of a complete fill (one-cancels-other siblings, bracket legs).

use crate::account::AccountKind;
use crate::fees::FeeModel;
use crate::matching::BarState;
use crate::oms::{Oms, Order};
use crate::portfolio::{Portfolio, Position};
use crate::slippage::SlippageModel;
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ClientOrderId, FeeSource, Liquidity, OrderKind, OrderRequest, OrderStatus, Setup, Side, Size,
    TimeInForce,
};

/// One execution, in engine terms (instrument by index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimFill {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentIndex,
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    pub fee: Decimal,
    pub fee_source: FeeSource,
    pub liquidity: Liquidity,
    /// Realized P&L of the fill, before fees.
    pub realized: Decimal,
    /// Open time of the bar whose price filled (bars have no finer clock).
    pub time: Timestamp,
    pub setup: Option<Setup>,
    /// The position after the fill.
    pub position: Position,
}

/// What the venue did, for the engine to turn into events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueReport {
    Fill(SimFill),
    /// A bracket leg the venue placed after its parent filled.
    Placed {
        order: OrderRequest,
        eligible_at: Timestamp,
    },
    Rejected {
        client_id: ClientOrderId,
        reason: String,
    },
    Cancelled {
        client_id: ClientOrderId,
        reason: String,
    },
    Expired {
        client_id: ClientOrderId,
        reason: String,
    },
}

/// What one order can do at a price.
enum Plan {
    Fill {
        total: Decimal,
        qty: Decimal,
    },
    /// Nothing more this bar (volume cap).
    Block,
    /// Never: the size is invalid or there is nothing to reduce.
    Expire(String),
}

/// Fees, slippage and the participation cap.
#[derive(Debug, Clone)]
pub struct Executor {
    pub fees: FeeModel,
    pub slippage: SlippageModel,
    pub participation: Option<Decimal>,
}

fn is_market_type(kind: OrderKind) -> bool {
    matches!(
        kind,
        OrderKind::Market | OrderKind::StopMarket { .. } | OrderKind::TakeProfit { .. }
    )
}

impl Executor {
    /// The quantity `idx` would fill at `level` now, and its remaining quantity.
    pub fn fillable_qty(
        &self,
        st: &BarState,
        idx: usize,
        level: Decimal,
        oms: &Oms,
        pf: &Portfolio,
    ) -> Option<(Decimal, Decimal)> {
        let o = oms.open().get(idx)?;
        let liquidity = if is_market_type(o.kind()) {
            Liquidity::Taker
        } else {
            Liquidity::Maker
        };
        match self.plan(st, o, level, liquidity, pf) {
            Plan::Fill { total, qty } => Some((qty, total - o.filled)),
            _ => None,
        }
    }

    fn plan(
        &self,
        st: &BarState,
        o: &Order,
        level: Decimal,
        liquidity: Liquidity,
        pf: &Portfolio,
    ) -> Plan {
        let position = pf.position(st.i).qty;
        let side = o.side();
        let reducible = match side {
            Side::Buy => (-position).max(Decimal::ZERO),
            Side::Sell => position.max(Decimal::ZERO),
        };
        let total = match o.qty {
            Some(q) => q,
            None => {
                // Size at the worst price this fill could get, so an all-in
                // order can always pay for itself.
                let price = if is_market_type(o.kind()) {
                    self.slippage.apply(side, st.bar.volume, level, st.bar)
                } else {
                    level
                };
                let rate = o.fees.as_ref().unwrap_or(&self.fees).rate(liquidity);
                let raw = match o.size {
                    Size::Qty(q) => Some(q),
                    Size::Notional(n) => n.checked_div(price),
                    Size::EquityFraction(f) => pf.fraction_qty(st.i, side, f, price, rate),
                    Size::ClosePosition => Some(reducible),
                };
                let Some(raw) = raw else {
                    return Plan::Expire("size overflows the decimal range".into());
                };
                match st.spec.round_qty(raw, price) {
                    Ok(q) => q,
                    Err(e) => return Plan::Expire(format!("size cannot be filled: {e}")),
                }
            }
        };
        let mut qty = total - o.filled;
        if o.request.reduce_only || o.size == Size::ClosePosition {
            if reducible.is_zero() {
                return Plan::Expire("reduce-only order has no position left to reduce".into());
            }
            qty = qty.min(reducible);
        }
        if let Some(budget) = st.budget {
            if qty > budget {
                qty = st.spec.round_qty(budget, level).unwrap_or(Decimal::ZERO);
            }
            if qty <= Decimal::ZERO {
                return Plan::Block;
            }
        }
        Plan::Fill { total, qty }
    }

    /// Fills order `idx` at `level` (before slippage) if it can.
    #[allow(clippy::too_many_arguments)]
    pub fn execute(
        &self,
        st: &mut BarState,
        idx: usize,
        level: Decimal,
        taker: bool,
        oms: &mut Oms,
        pf: &mut Portfolio,
        out: &mut Vec<VenueReport>,
    ) {
        let Some(o) = oms.open().get(idx) else { return };
        let market_type = is_market_type(o.kind());
        let liquidity = if market_type || taker {
            Liquidity::Taker
        } else {
            Liquidity::Maker
        };
        let (total, qty) = match self.plan(st, o, level, liquidity, pf) {
            Plan::Fill { total, qty } => (total, qty),
            Plan::Block => {
                oms.open_mut()[idx].blocked_bar = Some(st.bar.open_time);
                return;
            }
            Plan::Expire(reason) => return self.end(idx, oms, OrderStatus::Expired, reason, out),
        };
        let side = o.side();
        let price = if market_type {
            self.slippage.apply(side, qty, level, st.bar)
        } else {
            level
        };
        let spot = pf.kind() == AccountKind::Spot;
        let fees = o.fees.as_ref().unwrap_or(&self.fees);
        let (fee, fee_source) = fees.charge(liquidity, side, qty, price, spot);
        if let Err(e) = pf.check_funds(st.i, side, qty, price, pf.cash_fee(fee, &fee_source)) {
            return self.end(idx, oms, OrderStatus::Cancelled, e.to_string(), out);
        }
        let realized = pf.apply_fill(st.i, side, qty, price, fee, &fee_source);
        if side == Side::Buy && !st.spread.is_zero() {
            pf.count_spread(qty * st.spread);
        }
        if let Some(b) = st.budget.as_mut() {
            *b -= qty;
        }
        let o = &mut oms.open_mut()[idx];
        o.qty = Some(total);
        o.request.qty = total;
        if let Err(e) = o.record_fill(qty, price) {
            out.push(VenueReport::Rejected {
                client_id: o.client_id().clone(),
                reason: e.to_string(),
            });
        }
        out.push(VenueReport::Fill(SimFill {
            client_id: o.client_id().clone(),
            instrument: InstrumentIndex::new(st.i),
            side,
            qty,
            price,
            fee,
            fee_source,
            liquidity,
            realized,
            time: st.bar.open_time,
            setup: o.setup.clone(),
            position: pf.position(st.i),
        }));
        let reducing = o.request.reduce_only || o.size == Size::ClosePosition;
        if o.status == OrderStatus::Filled {
            self.after_complete(st, idx, oms, out);
        } else if reducing && pf.position(st.i).qty.is_zero() {
            let reason = "reduce-only remainder: the position is flat".to_string();
            self.end(idx, oms, OrderStatus::Expired, reason, out);
        }
    }

    /// Cancels one-cancels-other siblings and places bracket legs.
    fn after_complete(&self, st: &BarState, idx: usize, oms: &mut Oms, out: &mut Vec<VenueReport>) {
        let parent = oms.open()[idx].clone();
        if let Some(group) = parent.oco_group {
            for k in 0..oms.open().len() {
                let o = &oms.open()[k];
                if k != idx && o.oco_group == Some(group) && o.status.is_open() {
                    let reason = format!("one-cancels-other: {} filled", parent.client_id());
                    self.end(k, oms, OrderStatus::Cancelled, reason, out);
                }
            }
        }
        let group =
            (parent.stop_loss.is_some() && parent.take_profit.is_some()).then(|| oms.new_group());
        for leg in bracket_legs(&parent, parent.filled, group, st.bar.open_time) {
            let request = leg.request.clone();
            match oms.submit(leg) {
                Ok(()) => out.push(VenueReport::Placed {
                    order: request,
                    eligible_at: st.bar.open_time,
                }),
                Err(e) => out.push(VenueReport::Rejected {
                    client_id: request.client_id,
                    reason: e.to_string(),
                }),
            }
        }
    }

    /// Rejects an order at arrival (post-only that would take).
    pub fn reject(&self, idx: usize, oms: &mut Oms, reason: String, out: &mut Vec<VenueReport>) {
        self.end(idx, oms, OrderStatus::Rejected, reason, out);
    }

    /// Expires what is left of an IOC/FOK order after its arrival.
    pub fn expire_if_open(
        &self,
        idx: usize,
        oms: &mut Oms,
        reason: &str,
        out: &mut Vec<VenueReport>,
    ) {
        if oms.open().get(idx).is_some_and(|o| o.status.is_open()) {
            self.end(idx, oms, OrderStatus::Expired, reason.to_string(), out);
        }
    }

    /// Moves order `idx` to a terminal state and reports it.
    pub fn end(
        &self,
        idx: usize,
        oms: &mut Oms,
        to: OrderStatus,
        reason: String,
        out: &mut Vec<VenueReport>,
    ) {
        let Some(o) = oms.open_mut().get_mut(idx) else {
            return;
        };
        let client_id = o.client_id().clone();
        let reason = match o.transition(to) {
            Ok(()) => reason,
            Err(e) => format!("{reason} ({e})"),
        };
        out.push(match to {
            OrderStatus::Rejected => VenueReport::Rejected { client_id, reason },
            OrderStatus::Expired => VenueReport::Expired { client_id, reason },
            _ => VenueReport::Cancelled { client_id, reason },
        });
    }
}

/// The protective legs of a filled `parent` (`{parent}-sl`, `{parent}-tp`),
/// reduce-only, for `qty` (its filled quantity, or what of it the account
/// holds), live from `eligible_at`, in one
/// one-cancels-other `group` when both exist. The simulated venue places
/// them itself; in live mode the engine sends them to the venue.
pub fn bracket_legs(
    parent: &Order,
    qty: Decimal,
    group: Option<u64>,
    eligible_at: Timestamp,
) -> Vec<Order> {
    let legs = [
        (
            "sl",
            parent
                .stop_loss
                .map(|trigger| OrderKind::StopMarket { trigger }),
        ),
        (
            "tp",
            parent
                .take_profit
                .map(|trigger| OrderKind::TakeProfit { trigger }),
        ),
    ];
    let mut out = Vec::new();
    for (tag, kind) in legs {
        let Some(kind) = kind else { continue };
        let request = OrderRequest {
            client_id: ClientOrderId::new(format!("{}-{tag}", parent.client_id())),
            instrument: parent.request.instrument.clone(),
            side: parent.side().opposite(),
            qty,
            kind,
            time_in_force: TimeInForce::Gtc,
            reduce_only: true,
        };
        let size = Size::Qty(qty);
        // Live from the parent's fill onward, within this bar too.
        let mut leg = Order::new(
            request,
            parent.instrument,
            size,
            parent.decided_at,
            eligible_at,
        );
        leg.arrived = true;
        leg.oco_group = group;
        leg.setup = parent.setup.clone();
        // A leg rests where its entry was routed, at that venue's fees.
        leg.fees = parent.fees;
        out.push(leg);
    }
    out
}
