//! Reconciliation with the venue, on start, after every reconnect of the
//! user data stream, and while an order's outcome is unknown: first the
//! orders (each journaled order that may be open or whose answer was lost
//! is queried; one the venue does not know was never placed), then the
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
    /// Trades of orders this session did not place.
    pub foreign_trades: usize,
    /// Where the venue's balances differ from the engine's account.
    pub differences: Vec<String>,
}

/// The balances the session started with (fixed at its first start).
#[derive(Debug, Clone, Copy)]
pub struct Start {
    pub base: Decimal,
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
    start: Start,
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
    for o in &open {
        found.orders_checked += 1;
        let id = &o.request.client_id;
        let answer = runtime
            .block_on(rest.query_order(&o.request.instrument, id))
            .with_context(|| format!("querying order {id}"))?;
        let Some(q) = answer else {
            if matches!(o.status, JournalStatus::Pending | JournalStatus::Unknown) {
                found.never_placed += 1;
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
    let instrument = session.instrument().clone();
    let trades = runtime
        .block_on(rest.account_trades(&instrument, start.time))
        .context("reading the account's trades")?;
    for mut t in trades {
        let order = session
            .store()
            .order_by_venue_id(&instrument.to_string(), &t.venue_order_id)?;
        let Some(order) = order else {
            found.foreign_trades += 1;
            continue;
        };
        t.fill.client_id = order.request.client_id;
        apply(session, ExternalReport::Fill { fill: t.fill }, &mut found)?;
    }
    // 3. End states, after the fills they follow.
    for report in ends {
        apply(session, report, &mut found)?;
    }
    // 4. The account.
    if balances {
        compare_balances(runtime, rest, session, start, &mut found)?;
    }
    if found.foreign_trades > 0 {
        found.differences.push(format!(
            "{} trades of {instrument} belong to orders this session did not place",
            found.foreign_trades
        ));
    }
    Ok((found, commands))
}

/// What the venue holds for `instrument`: the quote currency's balance
/// (USD-M: the wallet balance) and the base — on spot the base asset's
/// balance, on USD-M the symbol's signed position.
pub fn venue_holding(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    instrument: &Instrument,
) -> anyhow::Result<(Decimal, Decimal)> {
    let balances = runtime
        .block_on(rest.balances())
        .context("reading the balances")?;
    let total = |asset: &str| {
        balances
            .iter()
            .find(|b| b.asset == asset)
            .map_or(Decimal::ZERO, |b| b.total())
    };
    let quote = total(&instrument.quote);
    let base = match rest.market() {
        BinanceMarket::Spot => total(&instrument.base),
        BinanceMarket::UsdM => {
            let symbol = instrument.id.symbol();
            runtime
                .block_on(rest.positions(Some(symbol)))
                .context("reading the positions")?
                .iter()
                .filter(|p| p.symbol == symbol)
                .map(|p| p.amount)
                .sum()
        }
    };
    Ok((quote, base))
}

fn compare_balances(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    session: &LiveSession,
    start: Start,
    found: &mut Reconciled,
) -> anyhow::Result<()> {
    let engine = session.engine();
    let spec = &engine.instruments()[0].instrument;
    let (quote, base) = venue_holding(runtime, rest, spec)?;
    let pf = engine.portfolio();
    let base_expected = start.base + pf.position(0).qty;
    let what = match rest.market() {
        BinanceMarket::Spot => spec.base.clone(),
        BinanceMarket::UsdM => format!("{} position", spec.id.symbol()),
    };
    if base != base_expected {
        found.differences.push(format!(
            "{what}: the venue holds {base}, the session expects {base_expected}"
        ));
    }
    if quote != pf.cash() {
        found.differences.push(format!(
            "{}: the venue holds {quote}, the session expects {}",
            spec.quote,
            pf.cash()
        ));
    }
    Ok(())
}
