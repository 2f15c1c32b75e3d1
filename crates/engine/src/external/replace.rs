//! Moving a stop on an external venue (live mode). Binance cannot change a
//! resting stop's trigger, so an `AmendStop` becomes cancel-then-replace:
//! the engine asks the venue to cancel the stop, and only once the venue
//! reports it cancelled does it place the replacement — the same order
//! with the new trigger and a new client id, in the same one-cancels-other
//! group. If the old stop fills first, there is nothing to replace. The
//! position is unprotected for the round trip between the two, which is
//! the price of never holding two stops at once.
//!
//! A leg grows the same way when a further fill of its entry adds to the
//! position. A cancel that fails leaves the stop as it was; the next
//! amendment asks again.
//!
//! The strategy keeps naming the stop by its first id; the engine maps
//! that to the current replacement. Everything here is derived from the
//! venue's reports in order, so a replay after a restart rebuilds it.

use super::ExternalExecution;
use crate::book::Book;
use crate::execution::{ExecReport, moved_stop};
use rust_decimal::Decimal;
use smc_matching::Order;
use smc_model::{ClientOrderId, OrderKind, OrderStatus, Side, Size};

/// A replacement waiting for its predecessor's cancel.
#[derive(Debug, Clone)]
pub(super) struct PendingReplacement {
    pub order: Order,
    /// The id the strategy knows the stop by.
    pub original: ClientOrderId,
    /// How many replacements the original has had, this one included.
    pub generation: u32,
}

/// The most replacements one order can have: its id stays within 36
/// characters (`-r` and eight digits).
pub const MAX_GENERATION: u32 = 99_999_999;

/// The id of the `generation`th replacement of `original`, keeping the
/// leg's tag at the end (`X-sl` → `X-r2-sl`) so the order still reads as
/// what it is.
pub fn replacement_id(original: &ClientOrderId, generation: u32) -> ClientOrderId {
    let id = original.as_str();
    match id.rsplit_once('-') {
        Some((stem, tag)) if tag == "sl" || tag == "tp" => {
            ClientOrderId::new(format!("{stem}-r{generation}-{tag}"))
        }
        _ => ClientOrderId::new(format!("{id}-r{generation}")),
    }
}

/// The open order `id` of the book, if any.
fn open_order(book: &Book, id: &ClientOrderId) -> Option<Order> {
    book.oms
        .open()
        .iter()
        .find(|o| o.client_id() == id && o.status.is_open())
        .cloned()
}

impl ExternalExecution {
    /// The id the strategy knows the order `id` by (the first id of a
    /// replaced or resent one).
    pub(crate) fn original_id(&self, id: &ClientOrderId) -> ClientOrderId {
        self.replaced
            .iter()
            .find(|(_, (current, _))| current == id)
            .map_or_else(|| id.clone(), |(original, _)| original.clone())
    }

    /// The id under which the stop the strategy calls `id` rests now, and
    /// the generation of that id (0: never replaced).
    pub(super) fn current_stop(&self, id: &ClientOrderId) -> (ClientOrderId, u32) {
        self.replaced
            .get(id)
            .cloned()
            .unwrap_or_else(|| (id.clone(), 0))
    }

    /// `AmendStop` on an external venue: cancel now, replace on the cancel.
    pub(super) fn replace_stop(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        trigger: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        let (current, _) = self.current_stop(&client_id);
        let refuse = |out: &mut Vec<ExecReport>, reason: String| {
            out.push(ExecReport::AmendRejected {
                client_id: client_id.clone(),
                reason,
            })
        };
        let Some(order) = open_order(book, &current) else {
            return refuse(out, "no open order with this id".into());
        };
        let Some(spec) = book.spec(order.instrument) else {
            return refuse(out, "unknown instrument".into());
        };
        let trigger = spec
            .round_price(trigger, order.side() == Side::Buy)
            .unwrap_or(trigger);
        let kind = match moved_stop(order.request.kind, trigger) {
            Ok(kind) => kind,
            Err(reason) => return refuse(out, reason),
        };
        if self.cancel_requested.contains(&current) && !self.replacing.contains_key(&current) {
            return refuse(out, "the stop is being cancelled".into());
        }
        self.replace_leg(book, client_id, order, kind, None, out);
    }

    /// Grows the leg the strategy calls `client_id` to `qty` (a further
    /// fill of its entry).
    pub(super) fn resize_leg(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        qty: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        let (current, _) = self.current_stop(&client_id);
        let Some(order) = open_order(book, &current) else {
            return; // refused, filled or never placed: nothing to grow
        };
        let kind = self
            .replacing
            .get(&current)
            .map_or(order.request.kind, |p| p.order.request.kind);
        let qty = qty - order.filled;
        self.replace_leg(book, client_id, order, kind, Some(qty), out);
    }

    /// Cancel `order` (the current form of `client_id`) and replace it by
    /// one of `kind` for `qty` (its remaining quantity if `None`). Already
    /// being replaced: the newest change wins, and a cancel that failed is
    /// asked again.
    fn replace_leg(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        order: Order,
        kind: OrderKind,
        qty: Option<Decimal>,
        out: &mut Vec<ExecReport>,
    ) {
        let (current, generation) = self.current_stop(&client_id);
        if generation >= MAX_GENERATION && !self.replacing.contains_key(&current) {
            return out.push(ExecReport::AmendRejected {
                client_id,
                reason: format!("replaced {MAX_GENERATION} times already"),
            });
        }
        if let Some(pending) = self.replacing.get_mut(&current) {
            pending.order.request.kind = kind;
            if let Some(qty) = qty {
                pending.order.request.qty = qty;
                pending.order.qty = Some(qty);
                pending.order.size = Size::Qty(qty);
            }
            if qty.is_some()
                && let Some(o) = book.oms.open().iter().find(|o| *o.client_id() == current)
            {
                let o = o.clone();
                self.replace_sibling(book, &o, qty);
            }
            if !self.cancel_requested.contains(&current) {
                self.request_cancels(book, &|o| *o.client_id() == current, out);
            }
            return;
        }
        let generation = generation + 1;
        // A leg of a venue list: the list goes, and comes back whole.
        self.replace_sibling(book, &order, qty);
        let qty = qty.unwrap_or_else(|| order.qty.unwrap_or(order.request.qty) - order.filled);
        let mut next = order;
        next.request.client_id = replacement_id(&client_id, generation);
        next.request.kind = kind;
        next.request.qty = qty;
        next.qty = Some(qty);
        next.size = Size::Qty(qty);
        next.status = OrderStatus::New;
        next.filled = Decimal::ZERO;
        next.avg_fill_price = Decimal::ZERO;
        next.triggered = false;
        self.replacing.insert(
            current.clone(),
            PendingReplacement {
                order: next,
                original: client_id,
                generation,
            },
        );
        self.request_cancels(book, &|o| *o.client_id() == current, out);
    }

    /// After `old` left the OMS: places its replacement if it was
    /// cancelled for one and a position is still there to protect.
    pub(super) fn finish_replacement(
        &mut self,
        book: &mut Book,
        old: &ClientOrderId,
        cancelled: bool,
        out: &mut Vec<ExecReport>,
    ) {
        let Some(pending) = self.replacing.remove(old) else {
            return;
        };
        let list = pending.order.oco_group.filter(|g| self.lists.contains(g));
        if !cancelled {
            if let Some(group) = list {
                self.drop_list_replacement(group);
            }
            return; // filled, rejected or expired: nothing to replace
        }
        let mut order = pending.order;
        let reference = book.last_close(order.instrument);
        let Ok(qty) = book.resolve_qty(&order, reference) else {
            return; // the position is gone (the other leg filled)
        };
        order.qty = Some(qty);
        order.request.qty = qty;
        self.replaced.insert(
            pending.original,
            (order.client_id().clone(), pending.generation),
        );
        match list {
            Some(group) => self.gather_list_leg(book, group, order, out),
            None => self.place(book, order, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_ids_keep_the_leg_tag_and_count_up() {
        let sl = ClientOrderId::new("smc-1649405040000-0-sl");
        assert_eq!(replacement_id(&sl, 1).as_str(), "smc-1649405040000-0-r1-sl");
        assert_eq!(
            replacement_id(&sl, 12).as_str(),
            "smc-1649405040000-0-r12-sl"
        );
        // Within Binance's 36 characters.
        assert!(replacement_id(&sl, 999).as_str().len() <= 36);
        assert_eq!(
            replacement_id(&ClientOrderId::new("stop"), 2).as_str(),
            "stop-r2"
        );
    }

    #[test]
    fn the_longest_id_a_session_can_make_fits_binance() {
        use smc_model::{MAX_SESSION_SEQ, Timestamp};
        // The last time with nine base-36 digits (the year 5188).
        let latest = Timestamp::from_ms(36_i64.pow(9) - 1);
        let entry =
            ClientOrderId::from_session_decision("zzzz", "smacross", latest, MAX_SESSION_SEQ)
                .unwrap();
        assert_eq!(entry.as_str(), "zzzzsmac-zzzzzzzzz-zzzz");
        let leg = ClientOrderId::new(format!("{entry}-sl"));
        let longest = replacement_id(&leg, MAX_GENERATION);
        assert_eq!(longest.as_str(), "zzzzsmac-zzzzzzzzz-zzzz-r99999999-sl");
        assert_eq!(longest.as_str().len(), 36);
        let exit = crate::external::exit_id(&longest, 99);
        assert!(exit.as_str().len() <= 36, "{exit}");
        assert!(
            ClientOrderId::from_session_decision("zzzz", "smc", latest, MAX_SESSION_SEQ + 1)
                .is_none()
        );
    }
}
