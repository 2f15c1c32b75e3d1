//! Reconciliation with the venue, on start, after every reconnect of the
//! user data stream, and while an order's outcome is unknown: first the
//! orders (each journaled order that may be open or whose answer was lost
//! is queried; one the venue does not know was never placed: a
//! reduce-only one is sent now, an entry is marked rejected), then the
//! fills (the account's trades, de-duplicated by trade id with whatever
//! the user stream and the order answers reported), then the orders' end
//! states, and last the balances (spot) or the wallet and the positions
//! (margin), compared with the engine's account after the financing or
//! funding the venue booked on it since the start; a difference is
//! reported, never papered over. Written once, against the venue
//! interface.

use crate::error::{SessionError, SessionResult};
use crate::live_start::{Start, venue_holdings};
use crate::order_reports::{OrderReports, Source};
use crate::session::Session;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_engine::{ExternalReport, VenueCommand};
use smc_model::{Clock, Instrument, MarketKind, OrderRequest, OrderStatus, Side, WallClock};
use smc_store::StoredOrder;
use smc_venues::ExecutionVenue;

/// What a reconciliation found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    /// Journaled orders asked about.
    pub orders_checked: usize,
    /// Venue reports it applied that no other channel had delivered.
    pub reports_applied: usize,
    /// Orders the venue does not know: never placed.
    pub never_placed: usize,
    /// Of those, the reduce-only ones (stops, targets, exits) sent now.
    pub resent: usize,
    /// Reduce-only orders the venue does not know yet whose request could
    /// still arrive (sent less than the receive window and the clock
    /// offset ago): asked again at the next reconciliation.
    pub waiting: usize,
    /// Trades of orders this session did not place.
    pub foreign_trades: usize,
    /// Open orders on the venue the journal does not know (placed by
    /// someone else on the account, or sent by this session and lost from
    /// its journal by a power cut); each is recorded in the journal.
    pub unknown_open_orders: Vec<String>,
    /// Financing or funding bookings of the venue that no other channel
    /// had delivered.
    pub financing_applied: usize,
    /// Where the venue's balances differ from the engine's account.
    pub differences: Vec<String>,
}

/// Applies reports and counts those that were news.
struct Applier<'a> {
    session: &'a mut Session,
    found: Reconciled,
    commands: Vec<VenueCommand>,
}

impl Applier<'_> {
    fn apply(&mut self, report: ExternalReport) -> SessionResult<()> {
        if let Some(c) = self.session.apply(&report)? {
            self.found.reports_applied += 1;
            self.commands.extend(c);
        }
        Ok(())
    }
}

/// Reconciles orders, fills and (with `balances`) the account; applies
/// what it learns through `session` and returns the commands that
/// produced (protective legs, cancels, resent exits).
pub fn reconcile(
    runtime: &tokio::runtime::Runtime,
    venue: &dyn ExecutionVenue,
    session: &mut Session,
    start: &Start,
    balances: bool,
) -> SessionResult<(Reconciled, Vec<VenueCommand>)> {
    let mut a = Applier {
        session,
        found: Reconciled::default(),
        commands: Vec::new(),
    };
    // 1. Orders.
    let open = a
        .session
        .store()
        .open_orders()
        .map_err(SessionError::store("reading the journal's open orders"))?;
    let mut ends = Vec::new();
    let mut resend = Vec::new();
    for o in &open {
        a.found.orders_checked += 1;
        let id = &o.request.client_id;
        let answer = runtime
            .block_on(venue.query(&o.request.instrument, id))
            .map_err(SessionError::venue(format!("querying order {id}")))?;
        let Some(q) = answer else {
            if matches!(o.status, OrderStatus::PendingNew | OrderStatus::Unknown) {
                if o.request.reduce_only && !request_expired(venue, a.session, o) {
                    a.found.waiting += 1;
                    continue;
                }
                a.found.never_placed += 1;
                if o.request.reduce_only {
                    // A stop, target or exit the process died before
                    // sending (or whose request never arrived): once its
                    // request can no longer arrive, sending it cannot
                    // duplicate it, and the position it protects or closes
                    // needs it, for no more than the position. An entry is
                    // not sent late: its signal is gone.
                    match clipped_to_position(a.session, &o.request) {
                        Some(request) => {
                            a.found.resent += 1;
                            resend.push(VenueCommand::Place(request));
                        }
                        None => a.apply(ExternalReport::Rejected {
                            client_id: id.clone(),
                            reason: "the venue does not know it, and nothing is left to reduce"
                                .into(),
                        })?,
                    }
                    continue;
                }
                let reason = "the venue does not know it: never placed".to_string();
                a.apply(ExternalReport::Rejected {
                    client_id: id.clone(),
                    reason,
                })?;
            } else {
                a.found.differences.push(format!(
                    "order {id} is {:?} here, unknown to the venue",
                    o.status
                ));
            }
            continue;
        };
        a.session
            .store()
            .set_venue_order_id(id, &q.venue_order_id)
            .map_err(SessionError::store("journaling the venue's order id"))?;
        let reports = OrderReports::of(&q, Source::Query);
        if let Some(accepted) = reports.accepted {
            a.apply(accepted)?;
        }
        ends.extend(reports.end);
    }
    // 1b. Open orders the journal does not know.
    for instrument in a.session.instruments().to_vec() {
        let open =
            runtime
                .block_on(venue.open_orders(&instrument))
                .map_err(SessionError::venue(format!(
                    "listing the open orders of {instrument}"
                )))?;
        for o in open {
            let known = a
                .session
                .store()
                .order(&o.client_id)
                .map_err(SessionError::store("reading the journal"))?;
            if known.is_none() {
                adopt(a.session, &o)?;
                a.found.unknown_open_orders.push(o.client_id.to_string());
            }
        }
    }
    // 2. Fills, whichever channel missed them.
    let mut foreign = Vec::new();
    for instrument in a.session.instruments().to_vec() {
        let trades = runtime
            .block_on(venue.trades_since(&instrument, start.time.ms()))
            .map_err(SessionError::venue(format!(
                "reading the account's trades of {instrument}"
            )))?;
        for mut t in trades {
            let order = a
                .session
                .store()
                .order_by_venue_id(&instrument, &t.venue_order_id)
                .map_err(SessionError::store("reading the journal"))?;
            let Some(order) = order else {
                a.found.foreign_trades += 1;
                foreign.push(instrument.to_string());
                continue;
            };
            t.fill.client_id = order.request.client_id;
            a.apply(ExternalReport::Fill { fill: t.fill })?;
        }
    }
    // 3. End states, after the fills they follow.
    for report in ends {
        a.apply(report)?;
    }
    let Applier {
        session,
        mut found,
        mut commands,
    } = a;
    commands.extend(resend);
    // 4. The account, after the financing the venue booked on it.
    if balances {
        found.financing_applied += book_financing(runtime, venue, session, start)?.len();
        compare_balances(runtime, venue, session, start, &mut found)?;
    }
    if !found.unknown_open_orders.is_empty() {
        found.differences.push(format!(
            "open orders on the venue that this session's journal does not know: {}",
            found.unknown_open_orders.join(", ")
        ));
    }
    if found.foreign_trades > 0 {
        foreign.dedup();
        found.differences.push(format!(
            "{} trades of {} belong to orders this session did not place",
            found.foreign_trades,
            foreign.join(", ")
        ));
    }
    Ok((found, commands))
}

/// Books the financing the venue charged since the start that no other
/// channel delivered; what each new booking paid, oldest first.
fn book_financing(
    runtime: &tokio::runtime::Runtime,
    venue: &dyn ExecutionVenue,
    session: &mut Session,
    start: &Start,
) -> SessionResult<Vec<Decimal>> {
    let mut bookings = runtime
        .block_on(venue.financing_since(start.time.ms()))
        .map_err(SessionError::venue("reading the account's financing"))?;
    bookings.sort_by_key(|f| f.time);
    let mut new = Vec::new();
    for f in &bookings {
        if session.apply_financing(f)? {
            new.push(f.paid);
        }
    }
    Ok(new)
}

/// Whether a request for `o` can no longer reach the venue: its last
/// send (at most when it was journaled, or this process's start for one
/// an earlier process may have sent) plus the receive window and the
/// clock offset (and a second's margin) have passed.
fn request_expired(venue: &dyn ExecutionVenue, session: &Session, o: &StoredOrder) -> bool {
    let now = WallClock.now();
    let offset = if venue.timestamps_requests() {
        (venue.venue_now_ms() - now.ms()).abs()
    } else {
        0
    };
    // An unknown outcome is journaled at the wall clock's time; a pending
    // order at its decision's (bar) time, which a replay can put ahead of
    // the wall clock: it was sent, if at all, by an earlier process.
    let sent = match o.status {
        OrderStatus::Unknown => o.updated_at.min(now).max(session.opened_at()),
        _ => session.opened_at(),
    };
    now - sent > venue.recv_window_ms() + offset + 1_000
}

/// `request` for no more than the engine's position it reduces (rounded
/// down to the lot); `None` when nothing is left to reduce.
fn clipped_to_position(session: &Session, request: &OrderRequest) -> Option<OrderRequest> {
    let engine = session.engine();
    let i = engine
        .instruments()
        .iter()
        .position(|s| s.instrument.id == request.instrument)?;
    let position = engine.portfolio().position(i).qty;
    let reducible = match request.side {
        Side::Sell => position.max(Decimal::ZERO),
        Side::Buy => (-position).max(Decimal::ZERO),
    };
    let spec = engine.instruments()[i].instrument.spec;
    let price = request
        .kind
        .trigger()
        .or(request.kind.limit_price())
        .unwrap_or(engine.portfolio().position(i).mark);
    let qty = spec.round_qty(request.qty.min(reducible), price).ok()?;
    Some(OrderRequest {
        qty,
        ..request.clone()
    })
}

/// Records an open venue order the journal did not know: its venue id
/// and what the venue says of it, under `adopted:{client id}` in the
/// journal's session values, so tools and later runs see it. The engine
/// does not trade it; the difference it makes trips `venue_mismatch`.
fn adopt(session: &Session, o: &smc_venues::VenueOrder) -> SessionResult<()> {
    let record = format!(
        "venue_order_id={} status={:?} qty={} filled={}",
        o.venue_order_id, o.status, o.orig_qty, o.filled_qty
    );
    session
        .store()
        .session_value_or_insert(&format!("adopted:{}", o.client_id), &record)
        .map_err(SessionError::store("journaling an unknown open order"))?;
    Ok(())
}

fn compare_balances(
    runtime: &tokio::runtime::Runtime,
    venue: &dyn ExecutionVenue,
    session: &mut Session,
    start: &Start,
    found: &mut Reconciled,
) -> SessionResult<()> {
    let specs: Vec<Instrument> = session
        .engine()
        .instruments()
        .iter()
        .map(|s| s.instrument.clone())
        .collect();
    let (quote, bases) = runtime
        .block_on(venue_holdings(venue, &specs))
        .map_err(SessionError::venue("reading the balances"))?;
    // Financing booked after the balance was read is booked here too,
    // and the balance may predate any tail of it.
    let late = book_financing(runtime, venue, session, start)?;
    found.financing_applied += late.len();
    let engine = session.engine();
    let pf = engine.portfolio();
    // A venue keeps balances to a few decimals and rounds each trade's
    // amounts (Binance 8: a fee of 0.1 % on a 7-decimal notional has 10;
    // OANDA 4): a difference within that rounding, half a unit of the
    // last decimal per fill, is not a discrepancy.
    let fills = session
        .store()
        .fills()
        .map_err(SessionError::store("reading the journal's fills"))?
        .len() as i64;
    let tolerance = Decimal::new(fills + 1, venue.balance_decimals()) / Decimal::TWO;
    let differs = |venue: Decimal, session: Decimal| (venue - session).abs() > tolerance;
    for (i, (spec, base)) in specs.iter().zip(bases).enumerate() {
        let expected = start.base.get(i).copied().unwrap_or_default() + pf.position(i).qty;
        let what = match spec.kind {
            MarketKind::Spot => spec.base.clone(),
            MarketKind::Perpetual | MarketKind::Forex => {
                format!("{} position", spec.id.symbol())
            }
        };
        if differs(base, expected) {
            found.differences.push(format!(
                "{what}: the venue holds {base}, the session expects {expected}"
            ));
        }
    }
    let cash_differs = (0..=late.len()).all(|k| {
        let after_read: Decimal = late[k..].iter().sum();
        differs(quote, pf.cash() + after_read)
    });
    if let Some(spec) = specs.first()
        && cash_differs
    {
        found.differences.push(format!(
            "{}: the venue holds {quote}, the session expects {}",
            spec.quote,
            pf.cash()
        ));
    }
    Ok(())
}
