//! The router in front of the engine's simulated venue, for a paper
//! session quoting several venues: each order the risk gate approved is
//! routed over the venues' current books (the decision journaled first,
//! so a replay routes it identically), carries the fee schedule of the
//! venues it went to, and each of its fills is attributed to those venues
//! in proportion to their parts, moving each venue's cash and position.
//! Protective legs (`{id}-sl`, `{id}-tp`) rest where their entry went.

use super::books::VenueViews;
use super::decisions::{DecisionLog, Routed};
use super::ledger::{Limits, VenueLedger, attribute};
use crate::bus::EventBus;
use crate::event::{RouteEvent, SessionEvent};
use rust_decimal::Decimal;
use smc_engine::{Book, ExecReport, Execution, ExternalReport, FeeModel, VenueCommand};
use smc_matching::Order;
use smc_model::{Candle, ClientOrderId, Clock, Side, Size, Timestamp, WallClock};
use smc_routing::{CostModel, LotRules, RouteRequest, RoutingDecision, VenueQuote, route};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// One venue orders may be routed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteVenue {
    pub name: String,
    /// The account's fee tier there.
    pub fees: FeeModel,
    /// Each symbol's quantity rules there.
    pub lots: BTreeMap<String, LotRules>,
}

/// The router's settings.
#[derive(Debug, Clone)]
pub struct RouterSetup {
    pub venues: Vec<RouteVenue>,
    pub views: VenueViews,
    pub cost: CostModel,
    /// A spot account: sells only where the base is held, buys only
    /// within the venue's cash.
    pub spot: bool,
    /// The per-venue exposure cap, percent of equity.
    pub venue_cap_percent: Option<Decimal>,
    pub starting_cash: Decimal,
}

/// The routing execution.
pub struct RoutedExecution {
    inner: Box<dyn Execution>,
    setup: RouterSetup,
    ledger: VenueLedger,
    log: DecisionLog,
    bus: EventBus,
    /// Off while the session replays its journal (what it re-derives was
    /// published when it happened).
    live: Arc<AtomicBool>,
    /// Each routed order's parts as routed: (venue index, quantity).
    routed: HashMap<ClientOrderId, Vec<(usize, Decimal)>>,
    /// What of each part is still to fill, per order (a protective leg
    /// starts from its entry's parts).
    open: HashMap<ClientOrderId, Vec<(usize, Decimal)>>,
}

impl RoutedExecution {
    pub fn new(
        inner: Box<dyn Execution>,
        setup: RouterSetup,
        log: DecisionLog,
        bus: EventBus,
        live: Arc<AtomicBool>,
    ) -> Self {
        let names: Vec<String> = setup.venues.iter().map(|v| v.name.clone()).collect();
        let ledger = VenueLedger::new(&names, setup.starting_cash);
        RoutedExecution {
            inner,
            setup,
            ledger,
            log,
            bus,
            live,
            routed: HashMap::new(),
            open: HashMap::new(),
        }
    }

    fn publish(&self, event: RouteEvent) {
        if self.live.load(Ordering::Relaxed) {
            self.bus.publish(SessionEvent::Route(event));
        }
    }

    fn decide(&self, book: &Book, order: &Order, reference: Decimal) -> Routed {
        let qty = match book.resolve_qty(order, reference) {
            Ok(q) if q > Decimal::ZERO => q,
            Ok(_) => return Routed::Refused("nothing to route: the quantity is zero".into()),
            Err(e) => return Routed::Refused(e),
        };
        let Some(slot) = book.instruments.get(order.instrument.get()) else {
            return Routed::Refused("unknown instrument".into());
        };
        let symbol = slot.instrument.id.symbol();
        let side = order.side();
        let reduces = order.request.reduce_only || order.size == Size::ClosePosition;
        let now = WallClock.now().ms();
        let price = order.kind().limit_price().unwrap_or(reference);
        let limits = Limits {
            spot: self.setup.spot,
            venue_cap_percent: self.setup.venue_cap_percent,
            equity: book.portfolio.equity(),
            price,
        };
        let quotes: Vec<VenueQuote> = self
            .setup
            .venues
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let seen = self.setup.views.sighting(&v.name, symbol, now);
                let room = self.ledger.room(k, symbol, side, reduces, &limits);
                VenueQuote {
                    venue: v.name.clone(),
                    book: if side == Side::Buy {
                        seen.asks
                    } else {
                        seen.bids
                    },
                    taker_fee: v.fees.taker,
                    maker_fee: v.fees.maker,
                    latency_ms: seen.latency_ms,
                    health: seen.health,
                    max_notional: room.notional,
                    max_qty: room.qty,
                    lot: v.lots.get(symbol).copied().unwrap_or_default(),
                }
            })
            .collect();
        let request = RouteRequest {
            side,
            qty,
            limit: order.kind().limit_price(),
        };
        match route(&request, &quotes, &self.setup.cost) {
            Ok(d) if !d.allocations.is_empty() => Routed::Decision(d),
            Ok(d) => Routed::Refused(format!("no venue can take it: {}", reasons(&d))),
            Err(e) => Routed::Refused(e.to_string()),
        }
    }

    /// The journaled decision of `order`, or a new one journaled now.
    fn routed(
        &self,
        book: &Book,
        order: &Order,
        reference: Decimal,
    ) -> Result<(Routed, bool), String> {
        let id = order.client_id();
        if let Some(kept) = self.log.get(id)? {
            return Ok((kept, false));
        }
        let fresh = self.decide(book, order, reference);
        Ok((self.log.put(id, &fresh)?, true))
    }

    /// Sets `order` to go as `d` says: its venues' blended fees, and only
    /// the routed quantity when part of it could not be placed.
    fn apply(&mut self, order: &mut Order, d: &RoutingDecision, base: FeeModel) {
        let routed: Decimal = d.allocations.iter().map(|a| a.qty).sum();
        let mut parts = Vec::new();
        let (mut maker, mut taker) = (Decimal::ZERO, Decimal::ZERO);
        for a in &d.allocations {
            let Some(k) = self.setup.venues.iter().position(|v| v.name == a.venue) else {
                continue;
            };
            let fees = self.setup.venues[k].fees;
            maker += fees.maker * a.qty / routed;
            taker += fees.taker * a.qty / routed;
            parts.push((k, a.qty));
        }
        order.fees = Some(FeeModel {
            maker: maker.round_dp(12),
            taker: taker.round_dp(12),
            asset: base.asset,
        });
        // A split, or an order of which part found no venue, goes at the
        // routed quantities; an order on one venue keeps its sizing at
        // the fill price (an all-in order then still pays for itself).
        if !d.unrouted.is_zero() || parts.len() > 1 {
            order.size = Size::Qty(routed);
            order.qty = Some(routed);
            order.request.qty = routed;
        }
        let id = order.client_id().clone();
        self.open.insert(id.clone(), parts.clone());
        self.routed.insert(id, parts);
    }

    /// Attributes the fills among `out[from..]` to their venues.
    fn attribute_fills(&mut self, out: &[ExecReport], from: usize) {
        for report in out.iter().skip(from) {
            let ExecReport::Fill(f) = report else {
                continue;
            };
            let fill = &f.fill;
            if !self.open.contains_key(&fill.client_id) {
                let id = fill.client_id.as_str();
                let parent = id.strip_suffix("-sl").or_else(|| id.strip_suffix("-tp"));
                let Some(parts) = parent.and_then(|p| self.routed.get(&ClientOrderId::new(p)))
                else {
                    continue;
                };
                self.open.insert(fill.client_id.clone(), parts.clone());
            }
            let Some(open) = self.open.get_mut(&fill.client_id) else {
                continue;
            };
            let symbol = fill.instrument.symbol().to_string();
            for (venue, qty) in attribute(fill.qty, open) {
                let fees = self.setup.venues[venue].fees;
                let rate = fees.rate(fill.liquidity);
                let fee = qty * fill.price * rate;
                self.ledger
                    .apply(venue, &symbol, fill.side, qty, fill.price, fee);
                self.publish(RouteEvent::VenueFill {
                    client_id: fill.client_id.to_string(),
                    venue: self.setup.venues[venue].name.clone(),
                    symbol: symbol.clone(),
                    side: fill.side,
                    qty,
                    price: fill.price,
                    fee,
                    liquidity: fill.liquidity,
                });
            }
        }
    }

    /// Each venue's holdings now.
    pub fn ledger(&self) -> &VenueLedger {
        &self.ledger
    }
}

/// Reports `order` submitted and refused.
fn refuse(order: &Order, reason: String, out: &mut Vec<ExecReport>) {
    out.push(ExecReport::Submitted {
        order: order.request.clone(),
        setup: order.setup.clone(),
    });
    out.push(ExecReport::Rejected {
        client_id: order.client_id().clone(),
        reason,
    });
}

/// Why each venue was left out, for a refusal.
fn reasons(d: &RoutingDecision) -> String {
    let listed: Vec<String> = d
        .alternatives
        .iter()
        .map(|a| match &a.excluded {
            Some(why) => format!("{}: {why}", a.venue),
            None => format!("{}: room for {}", a.venue, a.fillable_qty),
        })
        .collect();
    listed.join("; ")
}

impl Execution for RoutedExecution {
    fn name(&self) -> &'static str {
        "routed"
    }

    fn on_bar(&mut self, book: &mut Book, i: usize, candle: &Candle, out: &mut Vec<ExecReport>) {
        let from = out.len();
        self.inner.on_bar(book, i, candle, out);
        self.attribute_fills(out, from);
    }

    fn submit(
        &mut self,
        book: &mut Book,
        mut order: Order,
        reference: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        let id = order.client_id().clone();
        let symbol = order.request.instrument.symbol().to_string();
        match self.routed(book, &order, reference) {
            Err(e) => {
                tracing::error!(%e, "routing decision not journaled; order refused");
                refuse(&order, e, out);
            }
            Ok((Routed::Refused(reason), fresh)) => {
                if fresh {
                    self.publish(RouteEvent::RouteRefused {
                        client_id: id.to_string(),
                        symbol,
                        reason: reason.clone(),
                    });
                }
                refuse(&order, format!("routing: {reason}"), out);
            }
            Ok((Routed::Decision(d), fresh)) => {
                self.apply(&mut order, &d, book.fees);
                if fresh {
                    self.publish(RouteEvent::Routed {
                        client_id: id.to_string(),
                        symbol,
                        decision: d,
                    });
                }
                let from = out.len();
                self.inner.submit(book, order, reference, out);
                self.attribute_fills(out, from);
            }
        }
    }

    fn cancel(
        &mut self,
        book: &mut Book,
        which: &dyn Fn(&Order) -> bool,
        out: &mut Vec<ExecReport>,
    ) {
        self.inner.cancel(book, which, out);
    }

    fn amend_stop(
        &mut self,
        book: &mut Book,
        client_id: ClientOrderId,
        trigger: Decimal,
        out: &mut Vec<ExecReport>,
    ) {
        self.inner.amend_stop(book, client_id, trigger, out);
    }

    fn apply_report(
        &mut self,
        book: &mut Book,
        report: &ExternalReport,
        now: Timestamp,
        out: &mut Vec<ExecReport>,
    ) -> Result<bool, smc_engine::EngineError> {
        self.inner.apply_report(book, report, now, out)
    }

    fn take_commands(&mut self) -> Vec<VenueCommand> {
        self.inner.take_commands()
    }

    fn pending_cancels(&self, book: &Book) -> Vec<VenueCommand> {
        self.inner.pending_cancels(book)
    }

    fn strategy_id(&self, id: &ClientOrderId) -> ClientOrderId {
        self.inner.strategy_id(id)
    }
}
