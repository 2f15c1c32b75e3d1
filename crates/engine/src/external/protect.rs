//! The live invariant: every open position is covered by a resting stop
//! for its whole quantity, or it is closed. When a protective order (a
//! bracket leg, a moved stop, a reduce-only exit) is refused by the venue
//! or cannot be sent, and no other resting stop covers the position:
//!
//! - an order that never reached the venue (connection error, local rate
//!   limiter, ban) is sent again at the instrument's next bar, a few times;
//! - otherwise, and when the resends run out, the position is closed at
//!   market by a reduce-only order for the quantity held, after the cancels
//!   of its other reducing orders (on spot they lock the balance the exit
//!   sells) have finished. A failing exit is tried again at the next bars
//!   while it failed before reaching the venue.
//!
//! A cancel that failed is asked again at the instrument's next bar (the
//! order may be an entry that must not fill, or a stop being moved).
//!
//! A refused market exit of the strategy is carried out the same way: its
//! position's other reducing orders are cancelled, then it is sent again.
//!
//! Each step is reported (`ProtectionFailed`, with what was done), and the
//! `unprotected_position` breaker trips on an exit. Everything is derived
//! from the venue's reports and the bars, in order, so a replay after a
//! restart rebuilds it.

use super::ExternalExecution;
use super::replace::{MAX_GENERATION, replacement_id};
use crate::book::Book;
use crate::execution::ExecReport;
use rust_decimal::Decimal;
use smc_matching::Order;
use smc_model::{
    ClientOrderId, InstrumentIndex, OrderKind, OrderRequest, OrderStatus, ProtectionAction, Side,
    Size, TimeInForce, Timestamp,
};
use std::collections::BTreeSet;

/// How a rejection of an order that never reached the venue begins; the
/// live router writes it, and only such a failure is worth a resend.
pub const NOT_SENT: &str = "not sent: ";

/// Resends of a protective order that never reached the venue, before the
/// position is closed instead.
const MAX_RESENDS: u32 = 2;

/// Attempts of a safety exit that never reached the venue or was refused
/// for a balance the engine did not know yet.
const MAX_EXIT_ATTEMPTS: u32 = 5;

/// A protective order to send again at its instrument's next bar.
#[derive(Debug, Clone)]
pub(super) struct Resend {
    order: Order,
    /// The id the strategy knows the order by.
    original: ClientOrderId,
    /// Resends so far, this one included.
    attempt: u32,
}

/// A position being closed because it could not be protected.
#[derive(Debug, Clone)]
pub(super) struct SafetyExit {
    /// The protective order whose failure started it.
    cause: ClientOrderId,
    /// Reducing orders whose cancel must finish first.
    waiting: BTreeSet<ClientOrderId>,
    /// Exit orders sent so far (the exit's id carries the number).
    attempts: u32,
    /// The exit order in flight.
    sent: Option<ClientOrderId>,
    /// The last exit never reached the venue: try at the next bar.
    retry_at_bar: bool,
}

/// The side that reduces a position of `qty`.
fn reducing_side(qty: Decimal) -> Side {
    if qty > Decimal::ZERO {
        Side::Sell
    } else {
        Side::Buy
    }
}

fn is_stop(kind: OrderKind) -> bool {
    matches!(
        kind,
        OrderKind::StopMarket { .. } | OrderKind::StopLimit { .. }
    )
}

/// The id of the `attempt`th safety exit started by `cause`: the cause's
/// stem (its leg and replacement tags dropped) and `-x{attempt}`.
pub fn exit_id(cause: &ClientOrderId, attempt: u32) -> ClientOrderId {
    let mut stem = cause.as_str();
    while let Some((head, tag)) = stem.rsplit_once('-') {
        let numbered = |p: char| {
            tag.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        if tag == "sl" || tag == "tp" || numbered('r') || numbered('x') {
            stem = head;
        } else {
            break;
        }
    }
    ClientOrderId::new(format!("{stem}-x{attempt}"))
}

impl ExternalExecution {
    /// What of instrument `i`'s position the venue would take in one
    /// order (rounded down to the lot; zero for dust below its minimums,
    /// which no order can protect or sell).
    pub(super) fn sellable(book: &Book, i: InstrumentIndex) -> Decimal {
        let position = book.portfolio.position(i.get()).qty.abs();
        book.spec(i)
            .and_then(|s| s.round_qty(position, book.last_close(i)).ok())
            .unwrap_or(Decimal::ZERO)
    }

    /// Whether resting stops (or stops being moved) cover all of instrument
    /// `i`'s position that an order can sell.
    pub(super) fn covered(&self, book: &Book, i: InstrumentIndex) -> bool {
        let position = book.portfolio.position(i.get()).qty;
        let sellable = Self::sellable(book, i);
        if sellable.is_zero() {
            return true;
        }
        let side = reducing_side(position);
        let resting: Decimal = book
            .oms
            .open()
            .iter()
            .filter(|o| o.instrument == i && o.side() == side && o.status.is_open())
            .filter(|o| is_stop(o.kind()))
            .filter(|o| {
                !self.cancel_requested.contains(o.client_id())
                    || self.replacing.contains_key(o.client_id())
            })
            .map(|o| o.remaining().unwrap_or(o.request.qty))
            .sum();
        resting >= sellable
    }

    /// A reducing order ended refused: protect the position it served.
    pub(super) fn on_protection_refused(
        &mut self,
        book: &mut Book,
        order: Order,
        reason: &str,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        let i = order.instrument;
        let id = order.client_id().clone();
        if self
            .exits
            .get(&i)
            .is_some_and(|e| e.sent.as_ref() == Some(&id))
        {
            return self.exit_refused(book, i, id, reason, out);
        }
        let position = book.portfolio.position(i.get()).qty;
        if Self::sellable(book, i).is_zero() || order.side() != reducing_side(position) {
            return; // nothing left to protect (or dust no order can sell)
        }
        if self.exits.contains_key(&i) {
            return; // already closing
        }
        let report = |action| ExecReport::ProtectionFailed {
            instrument: i,
            client_id: id.clone(),
            reason: reason.to_string(),
            action,
        };
        let list = order.oco_group.filter(|g| self.lists.contains(g));
        if order.kind() == OrderKind::Market {
            // The strategy wants out: whatever held the exit back goes first.
            out.push(report(ProtectionAction::ExitAgain));
            return self.start_exit(book, (i, list), id, now, out);
        }
        if self.covered(book, i) {
            return out.push(report(ProtectionAction::Covered));
        }
        let (original, attempt) = self.resent.remove(&id).unwrap_or((id.clone(), 0));
        if reason.starts_with(NOT_SENT) && attempt < MAX_RESENDS {
            out.push(report(ProtectionAction::Retry));
            self.resends.entry(i).or_default().push(Resend {
                order,
                original,
                attempt: attempt + 1,
            });
            return;
        }
        out.push(report(ProtectionAction::Exit));
        self.start_exit(book, (i, list), id, now, out);
    }

    /// Sends what waits for instrument `i`'s next bar: resends and exits.
    pub(super) fn protect_on_bar(
        &mut self,
        book: &mut Book,
        i: InstrumentIndex,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        for r in self.resends.remove(&i).unwrap_or_default() {
            self.resend(book, r, out);
        }
        let mut due = BTreeSet::new();
        for id in std::mem::take(&mut self.cancel_retries) {
            let open = book.oms.open().iter().find(|o| *o.client_id() == id);
            match open.map(|o| o.instrument) {
                Some(at) if at == i => {
                    due.insert(id);
                }
                Some(_) => {
                    self.cancel_retries.insert(id);
                }
                None => {} // it ended meanwhile
            }
        }
        self.request_cancels(book, &|o| due.contains(o.client_id()), out);
        if self.exits.get(&i).is_some_and(|e| e.retry_at_bar) {
            self.send_exit(book, i, now, out);
        }
    }

    fn resend(&mut self, book: &mut Book, r: Resend, out: &mut Vec<ExecReport>) {
        let reference = book.last_close(r.order.instrument);
        let Ok(qty) = book.resolve_qty(&r.order, reference) else {
            return; // the position is gone
        };
        let (_, generation) = self.current_stop(&r.original);
        let generation = generation.saturating_add(1).min(MAX_GENERATION);
        let mut order = r.order;
        order.request.client_id = replacement_id(&r.original, generation);
        order.request.qty = qty;
        order.qty = Some(qty);
        order.size = Size::Qty(qty);
        order.status = OrderStatus::New;
        order.filled = Decimal::ZERO;
        order.avg_fill_price = Decimal::ZERO;
        let id = order.client_id().clone();
        self.replaced
            .insert(r.original.clone(), (id.clone(), generation));
        self.resent.insert(id, (r.original, r.attempt));
        self.place(book, order, out);
    }

    /// Cancels every other reducing order of `i`, then exits.
    /// `list`: the venue order list the refused order was a leg of; its
    /// other leg shares the refusal (or the list's cancel), so it is waited
    /// for, not cancelled.
    fn start_exit(
        &mut self,
        book: &mut Book,
        (i, list): (InstrumentIndex, Option<u64>),
        cause: ClientOrderId,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        self.resends.remove(&i);
        self.replacing.retain(|_, p| p.order.instrument != i);
        let reducing = |o: &Order| o.instrument == i && o.request.reduce_only;
        let same_list = |o: &Order| list.is_some() && o.oco_group == list;
        self.request_cancels(book, &|o| reducing(o) && !same_list(o), out);
        let waiting = book
            .oms
            .open()
            .iter()
            .filter(|o| o.status.is_open() && reducing(o))
            .map(|o| o.client_id().clone())
            .collect();
        self.exits.insert(
            i,
            SafetyExit {
                cause,
                waiting,
                attempts: 0,
                sent: None,
                retry_at_bar: false,
            },
        );
        self.advance_exit(book, i, None, now, out);
    }

    /// Order `ended` of instrument `i` left the book (or a fill moved the
    /// position): sends the exit once nothing it waits for is open, and
    /// forgets it once the position is flat.
    pub(super) fn advance_exit(
        &mut self,
        book: &mut Book,
        i: InstrumentIndex,
        ended: Option<&ClientOrderId>,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        if Self::sellable(book, i).is_zero() {
            self.exits.remove(&i); // flat, or dust
            return;
        }
        let Some(exit) = self.exits.get_mut(&i) else {
            return;
        };
        if let Some(id) = ended {
            exit.waiting.remove(id);
            if exit.sent.as_ref() == Some(id) {
                exit.sent = None; // ended with a remainder: exit the rest
            }
        }
        if exit.waiting.is_empty() && exit.sent.is_none() && !exit.retry_at_bar {
            self.send_exit(book, i, now, out);
        }
    }

    /// A reduce-only market order for what `i`'s position holds.
    fn send_exit(
        &mut self,
        book: &mut Book,
        i: InstrumentIndex,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) {
        let position = book.portfolio.position(i.get()).qty;
        let Some(exit) = self.exits.get_mut(&i) else {
            return;
        };
        exit.retry_at_bar = false;
        let reference = book.last_close(i);
        let qty = book
            .spec(i)
            .ok_or_else(|| "unknown instrument".to_string())
            .and_then(|s| {
                s.round_qty(position.abs(), reference)
                    .map_err(|e| e.to_string())
            });
        let qty = match qty {
            Ok(q) => q,
            Err(_) if exit.attempts > 0 => {
                self.exits.remove(&i); // what the exits left is dust
                return;
            }
            Err(why) => {
                let cause = exit.cause.clone();
                self.exits.remove(&i);
                return out.push(ExecReport::ProtectionFailed {
                    instrument: i,
                    client_id: cause,
                    reason: format!("the position {position} cannot be sold: {why}"),
                    action: ProtectionAction::ExitRefused,
                });
            }
        };
        exit.attempts += 1;
        let id = exit_id(&exit.cause, exit.attempts);
        exit.sent = Some(id.clone());
        let request = OrderRequest {
            client_id: id,
            instrument: book.instruments[i.get()].instrument.id.clone(),
            side: reducing_side(position),
            qty,
            kind: OrderKind::Market,
            time_in_force: TimeInForce::Gtc,
            reduce_only: true,
        };
        let mut order = Order::new(request, i, Size::Qty(qty), now, now);
        order.qty = Some(qty);
        self.place(book, order, out);
    }

    /// The safety exit itself was refused.
    fn exit_refused(
        &mut self,
        book: &Book,
        i: InstrumentIndex,
        id: ClientOrderId,
        reason: &str,
        out: &mut Vec<ExecReport>,
    ) {
        let Some(exit) = self.exits.get_mut(&i) else {
            return;
        };
        exit.sent = None;
        // Refused for the balance: fills the engine has not heard of yet
        // (a thin book fills over several candles) made it sell more than
        // is held; at the next bar it knows them.
        let stale = reason.contains("insufficient balance");
        let retry = (reason.starts_with(NOT_SENT) || stale) && exit.attempts < MAX_EXIT_ATTEMPTS;
        let action = if retry {
            exit.retry_at_bar = true;
            ProtectionAction::Retry
        } else {
            ProtectionAction::ExitRefused
        };
        if !retry || book.portfolio.position(i.get()).qty.is_zero() {
            self.exits.remove(&i);
        }
        out.push(ExecReport::ProtectionFailed {
            instrument: i,
            client_id: id,
            reason: reason.to_string(),
            action,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_ids_drop_leg_and_replacement_tags() {
        let id = |s: &str| ClientOrderId::new(s);
        assert_eq!(
            exit_id(&id("smc-1649405040000-0-sl"), 1).as_str(),
            "smc-1649405040000-0-x1"
        );
        assert_eq!(
            exit_id(&id("smc-1649405040000-0-r12-sl"), 2).as_str(),
            "smc-1649405040000-0-x2"
        );
        assert_eq!(
            exit_id(&id("smc-1649405040000-0-x1"), 2).as_str(),
            "smc-1649405040000-0-x2"
        );
        assert_eq!(exit_id(&id("exit"), 1).as_str(), "exit-x1");
        // A tag-like word that is not one stays.
        assert_eq!(exit_id(&id("a-rx"), 1).as_str(), "a-rx-x1");
    }
}
