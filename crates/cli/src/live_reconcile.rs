//! Reconciliation with the venue, on start, after every reconnect of the
//! user data stream, and while an order's outcome is unknown: first the
//! orders (each journaled order that may be open or whose answer was lost
//! is queried; one the venue does not know was never placed: a
//! reduce-only one is sent now, an entry is marked rejected), then the
//! fills (the account's trades, de-duplicated by trade id with whatever
//! the user stream and the order answers reported), then the orders' end
//! states, and last the balances (spot) or the wallet and the position
//! (USD-M), compared with the engine's account; a difference is reported,
//! never papered over.

use crate::live_session::LiveSession;
use anyhow::Context;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_engine::{ExternalReport, VenueCommand};
use smc_model::Instrument;
use smc_model::{EventSink, OrderStatus};
use smc_store::JournalStatus;
use smc_venues::binance::{BinanceMarket, BinanceRest};

/// What a reconciliation found.
#[derive(Debug, Default, Serialize)]
pub struct Reconciled {
    /// Journaled orders asked about.
    pub orders_checked: usize,
    /// Venue reports it applied that no other channel had delivered.
    pub reports_applied: usize,
    /// Orders the venue does not know: never placed.
    pub never_placed: usize,
    /// Of those, the reduce-only ones (stops, targets, exits) sent now.
    pub resent: usize,
    /// Trades of orders this session did not place.
    pub foreign_trades: usize,
    /// Where the venue's balances differ from the engine's account.
    pub differences: Vec<String>,
}

/// The holdings the session started with (fixed at its first start).
#[derive(Debug, Clone)]
pub struct Start {
    /// Per instrument, in the engine's order: the base asset's balance
    /// (spot) or the position (USD-M).
    pub base: Vec<Decimal>,
    /// Venue time from which the account's trades are read.
    pub time: i64,
}

/// Reconciles orders, fills and (with `balances`) the account; applies
/// what it learns through `session` and returns the commands that
/// produced (protective legs, cancels).
pub fn reconcile(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    session: &mut LiveSession,
    out: &mut dyn EventSink,
    start: &Start,
    balances: bool,
) -> anyhow::Result<(Reconciled, Vec<VenueCommand>)> {
    let mut found = Reconciled::default();
    let mut commands = Vec::new();
    let mut apply = |session: &mut LiveSession,
                     report: ExternalReport,
                     found: &mut Reconciled|
     -> anyhow::Result<()> {
        if let Some(c) = session.apply(&report, out)? {
            found.reports_applied += 1;
            commands.extend(c);
        }
        Ok(())
    };
    // 1. Orders.
    let open = session.store().open_orders()?;
    let mut ends = Vec::new();
    let mut resend = Vec::new();
    for o in &open {
        found.orders_checked += 1;
        let id = &o.request.client_id;
        let answer = runtime
            .block_on(rest.query_order(&o.request.instrument, id))
            .with_context(|| format!("querying order {id}"))?;
        let Some(q) = answer else {
            if matches!(o.status, JournalStatus::Pending | JournalStatus::Unknown) {
                found.never_placed += 1;
                if o.request.reduce_only {
                    // A stop, target or exit the process died before
                    // sending (or whose request never arrived): the venue
                    // has just said it does not know this id, so sending
                    // it now cannot duplicate it, and the position it
                    // protects or closes needs it. An entry is not sent
                    // late: its signal is gone.
                    found.resent += 1;
                    resend.push(VenueCommand::Place(o.request.clone()));
                    continue;
                }
                let reason = "the venue does not know it: never placed".to_string();
                apply(
                    session,
                    ExternalReport::Rejected {
                        client_id: id.clone(),
                        reason,
                    },
                    &mut found,
                )?;
            } else {
                found.differences.push(format!(
                    "order {id} is {:?} here, unknown to the venue",
                    o.status
                ));
            }
            continue;
        };
        session.store().set_venue_order_id(id, &q.venue_order_id)?;
        let reason = || format!("{:?} on the venue", q.status);
        match q.status.known() {
            Some(OrderStatus::Submitted | OrderStatus::PartiallyFilled | OrderStatus::Filled) => {
                apply(
                    session,
                    ExternalReport::Accepted {
                        client_id: id.clone(),
                    },
                    &mut found,
                )?
            }
            Some(OrderStatus::Cancelled) => ends.push(ExternalReport::Cancelled {
                client_id: id.clone(),
                reason: reason(),
            }),
            Some(OrderStatus::Expired) => ends.push(ExternalReport::Expired {
                client_id: id.clone(),
                reason: reason(),
            }),
            Some(OrderStatus::Rejected) => ends.push(ExternalReport::Rejected {
                client_id: id.clone(),
                reason: reason(),
            }),
            _ => {}
        }
    }
    // 2. Fills, whichever channel missed them.
    let mut foreign = Vec::new();
    for instrument in session.instruments().to_vec() {
        let trades = runtime
            .block_on(rest.account_trades(&instrument, start.time))
            .with_context(|| format!("reading the account's trades of {instrument}"))?;
        for mut t in trades {
            let order = session
                .store()
                .order_by_venue_id(&instrument.to_string(), &t.venue_order_id)?;
            let Some(order) = order else {
                found.foreign_trades += 1;
                foreign.push(instrument.to_string());
                continue;
            };
            t.fill.client_id = order.request.client_id;
            apply(session, ExternalReport::Fill { fill: t.fill }, &mut found)?;
        }
    }
    // 3. End states, after the fills they follow.
    for report in ends {
        apply(session, report, &mut found)?;
    }
    commands.extend(resend);
    // 4. The account.
    if balances {
        compare_balances(runtime, rest, session, start, &mut found)?;
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

/// What the venue holds for `instruments` (which share one quote
/// currency): the quote's balance (USD-M: the wallet balance), and per
/// instrument the base — on spot the base asset's balance, on USD-M the
/// symbol's signed position.
pub fn venue_holdings(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    instruments: &[Instrument],
) -> anyhow::Result<(Decimal, Vec<Decimal>)> {
    let balances = runtime
        .block_on(rest.balances())
        .context("reading the balances")?;
    let total = |asset: &str| {
        balances
            .iter()
            .find(|b| b.asset == asset)
            .map_or(Decimal::ZERO, |b| b.total())
    };
    let quote = instruments
        .first()
        .map_or(Decimal::ZERO, |i| total(&i.quote));
    let bases = match rest.market() {
        BinanceMarket::Spot => instruments.iter().map(|i| total(&i.base)).collect(),
        BinanceMarket::UsdM => {
            let positions = runtime
                .block_on(rest.positions(None))
                .context("reading the positions")?;
            instruments
                .iter()
                .map(|i| {
                    (positions.iter())
                        .filter(|p| p.symbol == i.id.symbol())
                        .map(|p| p.amount)
                        .sum()
                })
                .collect()
        }
    };
    Ok((quote, bases))
}

fn compare_balances(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    session: &LiveSession,
    start: &Start,
    found: &mut Reconciled,
) -> anyhow::Result<()> {
    let engine = session.engine();
    let specs: Vec<Instrument> = engine
        .instruments()
        .iter()
        .map(|s| s.instrument.clone())
        .collect();
    let (quote, bases) = venue_holdings(runtime, rest, &specs)?;
    let pf = engine.portfolio();
    // Binance keeps balances to 8 decimals and rounds each trade's amounts
    // (a fee of 0.1 % on a 7-decimal notional has 10): a difference within
    // that rounding, half a unit of the 8th decimal per fill, is not a
    // discrepancy.
    let fills = session.store().fills()?.len() as i64;
    let tolerance = Decimal::new(fills + 1, 8) / Decimal::TWO;
    let differs = |venue: Decimal, session: Decimal| (venue - session).abs() > tolerance;
    for (i, (spec, base)) in specs.iter().zip(bases).enumerate() {
        let expected = start.base.get(i).copied().unwrap_or_default() + pf.position(i).qty;
        let what = match rest.market() {
            BinanceMarket::Spot => spec.base.clone(),
            BinanceMarket::UsdM => format!("{} position", spec.id.symbol()),
        };
        if differs(base, expected) {
            found.differences.push(format!(
                "{what}: the venue holds {base}, the session expects {expected}"
            ));
        }
    }
    if let Some(spec) = specs.first()
        && differs(quote, pf.cash())
    {
        found.differences.push(format!(
            "{}: the venue holds {quote}, the session expects {}",
            spec.quote,
            pf.cash()
        ));
    }
    Ok(())
}
