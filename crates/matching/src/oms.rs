//! The order management system: every order by client id, moved only
//! through the model's state machine. Client ids are deterministic
//! ([`ClientOrderId::from_decision`]) and a duplicate is refused, so a
//! replayed decision can never place an order twice.

use crate::fees::FeeModel;
use crate::intrabar::Exposure;
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ClientOrderId, IllegalTransition, OrderKind, OrderRequest, OrderStatus, Setup, Side, Size,
    TimeInForce,
};
use std::collections::BTreeSet;

/// An order inside the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// As submitted. `request.qty` is zero while the size is still to be
    /// resolved at the fill price (notional, equity fraction, close position).
    pub request: OrderRequest,
    /// Index of the instrument in the engine's table.
    pub instrument: InstrumentIndex,
    pub size: Size,
    pub status: OrderStatus,
    /// Total quantity once known.
    pub qty: Option<Decimal>,
    pub filled: Decimal,
    /// Quantity-weighted average fill price.
    pub avg_fill_price: Decimal,
    pub decided_at: Timestamp,
    /// The first bar opening at or after this time may fill the order.
    pub eligible_at: Timestamp,
    /// Whether the order has been offered to a bar (after that it rests as
    /// a maker order, and IOC/FOK/post-only are settled).
    pub arrived: bool,
    /// Stop-limit: the trigger was reached and it now works as a limit.
    pub triggered: bool,
    /// Orders of one group cancel each other when one fills (bracket legs).
    pub oco_group: Option<u64>,
    /// Protective orders to place once this order fills.
    pub stop_loss: Option<Decimal>,
    pub take_profit: Option<Decimal>,
    pub setup: Option<Setup>,
    /// Open time of a bar in which the order can fill no more (volume cap
    /// reached), so the path walk skips it for the rest of that bar.
    pub blocked_bar: Option<Timestamp>,
    /// The fee schedule of the venue (or venues, blended by quantity) the
    /// order was routed to; `None`: the account's.
    pub fees: Option<FeeModel>,
}

impl Order {
    /// A new order for the engine's `instrument`th instrument, decided at
    /// `decided_at` and fillable by bars opening from `eligible_at`. A
    /// fixed quantity is known at once (`request.qty`); any other size is
    /// resolved at the fill price.
    pub fn new(
        request: OrderRequest,
        instrument: InstrumentIndex,
        size: Size,
        decided_at: Timestamp,
        eligible_at: Timestamp,
    ) -> Order {
        let qty = matches!(size, Size::Qty(_)).then_some(request.qty);
        Order {
            request,
            instrument,
            size,
            status: OrderStatus::New,
            qty,
            filled: Decimal::ZERO,
            avg_fill_price: Decimal::ZERO,
            decided_at,
            eligible_at,
            arrived: false,
            triggered: false,
            oco_group: None,
            stop_loss: None,
            take_profit: None,
            setup: None,
            blocked_bar: None,
            fees: None,
        }
    }

    pub fn side(&self) -> Side {
        self.request.side
    }

    pub fn kind(&self) -> OrderKind {
        self.request.kind
    }

    pub fn tif(&self) -> TimeInForce {
        self.request.time_in_force
    }

    pub fn client_id(&self) -> &ClientOrderId {
        &self.request.client_id
    }

    /// What is left to fill, once the size is known.
    pub fn remaining(&self) -> Option<Decimal> {
        self.qty.map(|q| q - self.filled)
    }

    /// The exposure this order serves, for the `stop-first` path: a sell
    /// protects or opens a short-side view only if it is not reducing a long.
    pub fn exposure(&self, position: Decimal) -> Exposure {
        if position > Decimal::ZERO {
            Exposure::Long
        } else if position < Decimal::ZERO {
            Exposure::Short
        } else if self.side() == Side::Buy {
            Exposure::Long
        } else {
            Exposure::Short
        }
    }

    /// Moves the order through the state machine.
    pub fn transition(&mut self, to: OrderStatus) -> Result<(), IllegalTransition> {
        self.status = self.status.transition(to)?;
        Ok(())
    }

    /// Records a fill of `qty` at `price`.
    pub fn record_fill(&mut self, qty: Decimal, price: Decimal) -> Result<(), IllegalTransition> {
        let total = self.filled + qty;
        if total > Decimal::ZERO {
            self.avg_fill_price = (self.avg_fill_price * self.filled + price * qty) / total;
        }
        self.filled = total;
        let done = self.qty.is_some_and(|q| total >= q);
        self.transition(if done {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        })
    }
}

/// An order the OMS refuses to take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OmsError {
    #[error("client order id {0} was already used; a decision is never placed twice")]
    DuplicateId(ClientOrderId),
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
}

/// Open orders in submission order, and every id ever used.
#[derive(Debug, Default)]
pub struct Oms {
    open: Vec<Order>,
    used_ids: BTreeSet<ClientOrderId>,
    next_group: u64,
    submitted: u64,
}

impl Oms {
    /// Accepts a new order (status New → Submitted).
    pub fn submit(&mut self, mut order: Order) -> Result<(), OmsError> {
        if self.used_ids.contains(order.client_id()) {
            return Err(OmsError::DuplicateId(order.client_id().clone()));
        }
        order.transition(OrderStatus::Submitted)?;
        self.used_ids.insert(order.client_id().clone());
        self.open.push(order);
        self.submitted += 1;
        Ok(())
    }

    /// Whether an id has been used.
    pub fn knows(&self, id: &ClientOrderId) -> bool {
        self.used_ids.contains(id)
    }

    /// A fresh one-cancels-other group id.
    pub fn new_group(&mut self) -> u64 {
        self.next_group += 1;
        self.next_group
    }

    pub fn open(&self) -> &[Order] {
        &self.open
    }

    pub fn open_mut(&mut self) -> &mut [Order] {
        &mut self.open
    }

    /// Whether instrument `i` has an open order a bar opening at `bar_open`
    /// may fill (the common "nothing to do" check, without allocation).
    pub fn has_eligible(&self, i: usize, bar_open: Timestamp) -> bool {
        self.open
            .iter()
            .any(|o| o.instrument == InstrumentIndex::new(i) && o.eligible_at <= bar_open)
    }

    /// Drops orders that reached a terminal state.
    pub fn sweep(&mut self) {
        self.open.retain(|o| !o.status.is_terminal());
    }

    /// Number of orders ever submitted.
    pub fn submitted_count(&self) -> u64 {
        self.submitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: &ClientOrderId) -> Order {
        let request = OrderRequest {
            client_id: id.clone(),
            instrument: "sim:X".parse().unwrap(),
            side: Side::Buy,
            qty: Decimal::ONE,
            kind: OrderKind::Market,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
        };
        Order::new(
            request,
            InstrumentIndex::new(0),
            Size::Qty(Decimal::ONE),
            Timestamp::EPOCH,
            Timestamp::EPOCH,
        )
    }

    #[test]
    fn a_client_id_is_never_accepted_twice() {
        let mut oms = Oms::default();
        let id = ClientOrderId::from_decision("smc", Timestamp::from_ms(60_000), 0);
        oms.submit(order(&id)).unwrap();
        assert_eq!(oms.open()[0].status, OrderStatus::Submitted);
        assert_eq!(
            oms.submit(order(&id)),
            Err(OmsError::DuplicateId(id.clone()))
        );
        // Even after the first left the book.
        oms.open_mut()[0]
            .transition(OrderStatus::Cancelled)
            .unwrap();
        oms.sweep();
        assert!(oms.submit(order(&id)).is_err());
        assert_eq!(oms.submitted_count(), 1);
    }

    #[test]
    fn fills_move_the_order_through_partial_to_filled() {
        let mut o = order(&ClientOrderId::new("a"));
        o.transition(OrderStatus::Submitted).unwrap();
        o.qty = Some(Decimal::from(3));
        o.record_fill(Decimal::ONE, Decimal::from(10)).unwrap();
        assert_eq!(o.status, OrderStatus::PartiallyFilled);
        o.record_fill(Decimal::from(2), Decimal::from(13)).unwrap();
        assert_eq!(
            (o.status, o.avg_fill_price),
            (OrderStatus::Filled, Decimal::from(12))
        );
        assert!(
            o.record_fill(Decimal::ONE, Decimal::ONE).is_err(),
            "a filled order cannot fill again"
        );
    }
}
