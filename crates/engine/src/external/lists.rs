//! Brackets as one venue order list (Binance spot OCO): the stop and the
//! take-profit leave as one command, share the held balance on the venue,
//! and the venue expires one when the other fills, so the engine asks for
//! no sibling cancel. Moving or growing a leg replaces the list: the stop
//! is cancelled (the venue cancels the whole list), and once both legs are
//! gone a new list with both replacements is sent. If a leg fills first,
//! nothing replaces either.

use super::ExternalExecution;
use super::replace::{PendingReplacement, replacement_id};
use crate::book::Book;
use crate::execution::ExecReport;
use smc_matching::Order;
use smc_model::{OrderKind, OrderStatus};

impl ExternalExecution {
    /// Places `legs` (a stop and a take-profit) as one list when the venue
    /// has lists, else as separate orders.
    pub(super) fn place_legs(
        &mut self,
        book: &mut Book,
        legs: Vec<Order>,
        out: &mut Vec<ExecReport>,
    ) {
        let group = legs.first().and_then(|l| l.oco_group);
        let (Some(group), true, 2) = (group, self.order_lists, legs.len()) else {
            for leg in legs {
                self.place(book, leg, out);
            }
            return;
        };
        let mut requests = Vec::new();
        for leg in legs {
            let request = leg.request.clone();
            let setup = leg.setup.clone();
            if let Err(e) = book.oms.submit(leg) {
                return out.push(ExecReport::Rejected {
                    client_id: request.client_id,
                    reason: e.to_string(),
                });
            }
            out.push(ExecReport::Submitted {
                order: request.clone(),
                setup,
            });
            requests.push(request);
        }
        self.lists.insert(group);
        let (stop, take_profit) = match requests[0].kind {
            OrderKind::StopMarket { .. } | OrderKind::StopLimit { .. } => {
                (requests[0].clone(), requests[1].clone())
            }
            _ => (requests[1].clone(), requests[0].clone()),
        };
        self.commands
            .push(super::VenueCommand::PlaceOco { stop, take_profit });
    }

    /// The other leg of `order`'s venue list, if it is in one and open.
    pub(super) fn list_sibling(&self, book: &Book, order: &Order) -> Option<Order> {
        let group = order.oco_group.filter(|g| self.lists.contains(g))?;
        book.oms
            .open()
            .iter()
            .find(|o| {
                o.oco_group == Some(group)
                    && o.client_id() != order.client_id()
                    && o.status.is_open()
            })
            .cloned()
    }

    /// Replacing one leg of a venue list replaces its sibling too: the
    /// sibling's replacement waits for the list's cancel, unchanged but for
    /// its id (and `qty` when the legs grow).
    pub(super) fn replace_sibling(
        &mut self,
        book: &Book,
        leg: &Order,
        qty: Option<rust_decimal::Decimal>,
    ) {
        let Some(sibling) = self.list_sibling(book, leg) else {
            return;
        };
        let id = sibling.client_id().clone();
        if let Some(pending) = self.replacing.get_mut(&id) {
            if let Some(q) = qty {
                pending.order.request.qty = q;
                pending.order.qty = Some(q);
            }
            return;
        }
        let original = self.original_id(&id);
        let (_, generation) = self.current_stop(&original);
        let generation = generation + 1;
        let mut next = sibling.clone();
        let q = qty.unwrap_or_else(|| sibling.qty.unwrap_or(sibling.request.qty) - sibling.filled);
        next.request.client_id = replacement_id(&original, generation);
        next.request.qty = q;
        next.qty = Some(q);
        next.size = smc_model::Size::Qty(q);
        next.status = OrderStatus::New;
        next.filled = rust_decimal::Decimal::ZERO;
        self.replacing.insert(
            id.clone(),
            PendingReplacement {
                order: next,
                original,
                generation,
            },
        );
        // The venue cancels it with the list: no command of its own.
        self.cancel_requested.insert(id);
    }

    /// A replacement of a list leg is ready (`order`, for the list that was
    /// `group`): sent with its sibling's once both are.
    pub(super) fn gather_list_leg(
        &mut self,
        book: &mut Book,
        group: u64,
        order: Order,
        out: &mut Vec<ExecReport>,
    ) {
        let waiting = self.list_waiting.entry(group).or_default();
        waiting.push(order);
        if waiting.len() < 2 {
            return;
        }
        let mut legs = self.list_waiting.remove(&group).unwrap_or_default();
        let next = book.oms.new_group();
        for leg in &mut legs {
            leg.oco_group = Some(next);
        }
        self.place_legs(book, legs, out);
    }

    /// A leg of list `group` filled or was refused instead of cancelled:
    /// nothing of the list is replaced.
    pub(super) fn drop_list_replacement(&mut self, group: u64) {
        self.list_waiting.remove(&group);
        self.replacing
            .retain(|_, p| p.order.oco_group != Some(group));
    }
}
