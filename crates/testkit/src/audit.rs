//! The venue's side of a test account, read through our own client, and
//! the checks that a session's journal agrees with it: every venue order
//! journaled once with the venue's status, every journaled order the venue
//! does not know refused, the journal's fills exactly the venue's trades,
//! and the journal's position the venue's holding.

use crate::sim::{KEY, SECRET};
use rust_decimal::Decimal;
use smc_model::InstrumentId;
use smc_model::OrderStatus;
use smc_store::{Journal, Store};
use smc_venues::binance::{BinanceMarket, BinanceRest, Credentials};
use smc_venues::net::Secret;
use std::collections::BTreeMap;
use std::path::Path;

/// What the venue knows of one symbol of the test key's account.
#[derive(Debug)]
pub struct VenueAccount {
    /// client id → statuses of the orders with that id (one, if unique).
    pub orders: BTreeMap<String, Vec<String>>,
    /// trade id → (client id, qty, price), normalized.
    pub trades: BTreeMap<String, (String, String, String)>,
    /// The base asset's balance (spot) or the symbol's position (USD-M).
    pub held: Decimal,
}

/// A client of the simulator at `addr` on `market` (`spot` or `usdm`)
/// with the test key, and a runtime to drive it.
pub fn client(addr: &str, market: &str) -> (tokio::runtime::Runtime, BinanceRest) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let creds = Credentials {
        api_key: KEY.into(),
        secret: Secret::new(SECRET),
    };
    let kind = match market {
        "usdm" => BinanceMarket::UsdM,
        _ => BinanceMarket::Spot,
    };
    let rest = BinanceRest::new(kind, &format!("http://{addr}"), Some(creds)).unwrap();
    (rt, rest)
}

/// The venue's side of `symbol` on `market`; `held` is `base_asset`'s
/// balance on spot, the symbol's position on USD-M.
pub fn venue_account(addr: &str, market: &str, symbol: &str, base_asset: &str) -> VenueAccount {
    let (rt, rest) = client(addr, market);
    let kind = rest.market();
    rt.block_on(async {
        rest.sync_clock().await.unwrap();
        let id: InstrumentId = format!("binance:{symbol}").parse().unwrap();
        let all = rest.all_orders(&id).await.unwrap();
        let mut orders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut by_venue_id = BTreeMap::new();
        for o in &all {
            orders
                .entry(o.client_id.to_string())
                .or_default()
                .push(format!("{:?}", o.status));
            by_venue_id.insert(o.venue_order_id.clone(), o.client_id.to_string());
        }
        let trades = rest
            .account_trades(&id, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|t| {
                let client = by_venue_id[&t.venue_order_id].clone();
                let qty = t.fill.qty.normalize().to_string();
                let price = t.fill.price.normalize().to_string();
                (t.fill.trade_id, (client, qty, price))
            })
            .collect();
        let held = match kind {
            BinanceMarket::UsdM => rest
                .positions(Some(symbol))
                .await
                .unwrap()
                .iter()
                .map(|p| p.amount)
                .sum(),
            BinanceMarket::Spot => rest
                .balances()
                .await
                .unwrap()
                .iter()
                .find(|b| b.asset == base_asset)
                .map_or(Decimal::ZERO, |b| b.total()),
        };
        VenueAccount {
            orders,
            trades,
            held,
        }
    })
}

/// The venue's side of `symbol` for the test key, read from the
/// simulator's own state (so it serves every protocol the simulator
/// speaks): its spot account, or with `futures` its USD-M / linear one.
pub fn sim_account(
    sim: &crate::sim::TestSim,
    futures: bool,
    symbol: &str,
    base_asset: &str,
) -> VenueAccount {
    use smc_venue_sim::state::lock;
    use smc_venue_sim::user_events::{futures_positions, spot_balances};
    let shared = sim.shared();
    let inner = lock(&shared.inner);
    let key = &inner.keys[KEY];
    let account = if futures { &key.futures } else { &key.spot };
    // Bybit has no expired state: an order the venue ends unfilled (an
    // IOC's rest, a reduce-only with nothing left) reads `Cancelled` (or
    // `Deactivated`) to every client, so that is the venue's status.
    let shown = |status: OrderStatus| match (sim.protocol, status) {
        (smc_venue_sim::Protocol::Bybit, OrderStatus::Expired) => OrderStatus::Cancelled,
        _ => status,
    };
    let mut orders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in account.orders.values().filter(|o| o.symbol == symbol) {
        orders
            .entry(o.client_id.clone())
            .or_default()
            .push(format!("{:?}", shown(o.status)));
    }
    let trades = account
        .trades
        .iter()
        .filter(|t| t.symbol == symbol)
        .map(|t| {
            let client = account.orders[&t.order_id].client_id.clone();
            let qty = t.qty.normalize().to_string();
            let price = t.price.normalize().to_string();
            (t.id.to_string(), (client, qty, price))
        })
        .collect();
    let held = if futures {
        let index = shared.market.find(symbol);
        futures_positions(account, &shared.market, inner.step)
            .iter()
            .filter(|p| Some(p.instrument) == index)
            .map(|p| p.amount)
            .sum()
    } else {
        spot_balances(account, &shared.market)
            .iter()
            .find(|b| b.asset == base_asset)
            .map_or(Decimal::ZERO, |b| b.free + b.locked)
    };
    VenueAccount {
        orders,
        trades,
        held,
    }
}

/// A trade of the venue, for [`rewind`]: (trade id, client id, time ms,
/// side, qty, base withheld as its fee).
type TradeMove = (String, String, i64, smc_model::Side, Decimal, Decimal);

/// Puts `account` back to how the venue stood at `as_of` (wall ms, the
/// session's final reconciliation): a protective stop left resting when a
/// live session stops may fill after it, as it should (a position is never
/// left unprotected); the journal learns that fill at the next start, so
/// the audit of a stopped session compares it with what the venue held
/// when the session last looked. Trades after `as_of` are taken out, the
/// holding is put back by their quantities, and an order they filled reads
/// as it was: partly filled if it had earlier trades, else resting.
fn rewind(account: &mut VenueAccount, trades: &[TradeMove], as_of: i64) {
    let (mut before, mut after) = (BTreeMap::new(), BTreeMap::new());
    for (id, client, time, side, qty, base_fee) in trades {
        if *time <= as_of {
            before.insert(client.clone(), ());
            continue;
        }
        after.insert(client.clone(), ());
        account.trades.remove(id);
        account.held -= match side {
            smc_model::Side::Buy => *qty - *base_fee,
            smc_model::Side::Sell => -*qty - *base_fee,
        };
    }
    for client in after.keys() {
        let then = if before.contains_key(client) {
            "PartiallyFilled"
        } else {
            "Submitted"
        };
        if let Some(statuses) = account.orders.get_mut(client) {
            *statuses = vec![then.to_string()];
        }
    }
}

/// [`sim_account`] as the venue stood at `as_of` (see [`rewind`]).
pub fn sim_account_as_of(
    sim: &crate::sim::TestSim,
    futures: bool,
    symbol: &str,
    base_asset: &str,
    as_of: i64,
) -> VenueAccount {
    use smc_venue_sim::state::lock;
    let mut account = sim_account(sim, futures, symbol, base_asset);
    let moves: Vec<TradeMove> = {
        let shared = sim.shared();
        let inner = lock(&shared.inner);
        let key = &inner.keys[KEY];
        let venue = if futures { &key.futures } else { &key.spot };
        venue
            .trades
            .iter()
            .filter(|t| t.symbol == symbol)
            .map(|t| {
                let base_fee = if !futures && t.commission_asset == base_asset {
                    t.commission
                } else {
                    Decimal::ZERO
                };
                let client = venue.orders[&t.order_id].client_id.clone();
                (t.id.to_string(), client, t.time, t.side, t.qty, base_fee)
            })
            .collect()
    };
    rewind(&mut account, &moves, as_of);
    account
}

/// [`venue_account`] as the venue stood at `as_of` (see [`rewind`]).
pub fn venue_account_as_of(
    addr: &str,
    market: &str,
    symbol: &str,
    base_asset: &str,
    as_of: i64,
) -> VenueAccount {
    let mut account = venue_account(addr, market, symbol, base_asset);
    let (rt, rest) = client(addr, market);
    let moves: Vec<TradeMove> = rt.block_on(async {
        rest.sync_clock().await.unwrap();
        let id: InstrumentId = format!("binance:{symbol}").parse().unwrap();
        let clients: BTreeMap<String, String> = rest
            .all_orders(&id)
            .await
            .unwrap()
            .iter()
            .map(|o| (o.venue_order_id.clone(), o.client_id.to_string()))
            .collect();
        rest.account_trades(&id, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|t| {
                let client = clients[&t.venue_order_id].clone();
                let base_fee = t.fill.fee_source.base_qty();
                let f = t.fill;
                (f.trade_id, client, f.time.ms(), f.side, f.qty, base_fee)
            })
            .collect()
    });
    rewind(&mut account, &moves, as_of);
    account
}

/// The key's balance of `asset` on spot (one light request, for polling).
pub fn spot_balance(addr: &str, asset: &str) -> Decimal {
    let (rt, rest) = client(addr, "spot");
    rt.block_on(async {
        rest.sync_clock().await.unwrap();
        rest.balances().await.unwrap()
    })
    .iter()
    .find(|b| b.asset == asset)
    .map_or(Decimal::ZERO, |b| b.total())
}

/// The journal of the session database at `db`.
pub fn journal(db: &Path) -> Store {
    Store::open_existing(&format!("sqlite://{}", db.display())).unwrap()
}

/// The journal's orders by client id, with their statuses.
pub fn journal_statuses(store: &dyn Journal) -> BTreeMap<String, OrderStatus> {
    store
        .orders()
        .unwrap()
        .iter()
        .map(|o| (o.request.client_id.to_string(), o.status))
        .collect()
}

/// The journal's position in `symbol` (zero when it has none).
pub fn journal_position(store: &dyn Journal, symbol: &str) -> Decimal {
    store
        .positions()
        .unwrap()
        .iter()
        .find(|p| p.instrument.ends_with(&format!(":{symbol}")))
        .map_or(Decimal::ZERO, |p| p.qty)
}

/// The journal's fills of `symbol` in the form of [`VenueAccount::trades`].
pub fn journal_fills(
    store: &dyn Journal,
    symbol: &str,
) -> BTreeMap<String, (String, String, String)> {
    let fills = store.fills().unwrap();
    let of_symbol: Vec<_> = fills
        .iter()
        .filter(|f| f.instrument.symbol() == symbol)
        .collect();
    let got: BTreeMap<String, (String, String, String)> = of_symbol
        .iter()
        .map(|f| {
            let qty = f.qty.normalize().to_string();
            let price = f.price.normalize().to_string();
            (f.trade_id.clone(), (f.client_id.to_string(), qty, price))
        })
        .collect();
    assert_eq!(got.len(), of_symbol.len(), "a trade journaled twice");
    got
}

fn journal_status_of_venue(status: &str) -> OrderStatus {
    match status {
        "Submitted" => OrderStatus::Submitted,
        "PartiallyFilled" => OrderStatus::PartiallyFilled,
        "Filled" => OrderStatus::Filled,
        "Cancelled" => OrderStatus::Cancelled,
        "Expired" => OrderStatus::Expired,
        _ => OrderStatus::Rejected,
    }
}

/// Whether the journal's `status` says what the venue's does: the same
/// state, or a cancel the journal knows is pending on an order that still
/// rests.
fn agrees(journal: OrderStatus, venue: OrderStatus) -> bool {
    journal == venue
        || (journal == OrderStatus::PendingCancel
            && matches!(venue, OrderStatus::Submitted | OrderStatus::PartiallyFilled))
}

/// Each venue order placed once, journaled with the venue's status.
pub fn assert_journal_has_the_venues_orders(
    journal: &BTreeMap<String, OrderStatus>,
    venue: &VenueAccount,
    what: &str,
) {
    for (id, statuses) in &venue.orders {
        assert_eq!(
            statuses.len(),
            1,
            "[{what}] {id} placed twice: {statuses:?}"
        );
        let venue_status = journal_status_of_venue(&statuses[0]);
        let journaled = journal.get(id).copied();
        assert!(
            journaled.is_some_and(|j| agrees(j, venue_status)),
            "[{what}] order {id}: journal {journaled:?}, venue {statuses:?}"
        );
    }
}

/// What the venue does not know of `symbol` was refused, and the journal
/// says so (no order lost).
pub fn assert_unplaced_orders_rejected(
    journal: &BTreeMap<String, OrderStatus>,
    venues: &[&VenueAccount],
    what: &str,
) {
    for (id, status) in journal {
        if !venues.iter().any(|v| v.orders.contains_key(id)) {
            assert_eq!(*status, OrderStatus::Rejected, "[{what}] order {id}");
        }
    }
}

/// The full agreement of a one-symbol session's journal with the venue:
/// orders, refusals, fills and the position.
pub fn assert_journal_agrees(store: &dyn Journal, venue: &VenueAccount, symbol: &str, what: &str) {
    let journal = journal_statuses(store);
    assert_journal_has_the_venues_orders(&journal, venue, what);
    assert_unplaced_orders_rejected(&journal, &[venue], what);
    assert_eq!(
        journal_fills(store, symbol),
        venue.trades,
        "[{what}] journal fills vs venue trades"
    );
    assert_eq!(
        journal_position(store, symbol),
        venue.held,
        "[{what}] position vs the venue's holding"
    );
}

/// The last reconciliation a run printed as a JSON line (`smc run`'s stdout).
pub fn final_reconciliation(stdout: &[u8]) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(stdout);
    let last = stdout
        .lines()
        .rfind(|l| l.contains(r#""type":"reconciled""#))
        .expect("a final reconciliation line");
    serde_json::from_str(last).unwrap()
}

/// The live invariant on the venue's side: what `symbol` holds (`held`;
/// dust under one `lot` aside) is covered by resting stop orders (client
/// ids ending `-sl`, plain or with the algo service) for its whole
/// quantity.
pub fn assert_protected(addr: &str, market: &str, symbol: &str, held: Decimal, lot: Decimal) {
    let sellable = (held.abs() / lot).floor() * lot;
    if sellable.is_zero() {
        return;
    }
    let (rt, rest) = client(addr, market);
    let open = rt.block_on(async {
        rest.sync_clock().await.unwrap();
        let id: InstrumentId = format!("binance:{symbol}").parse().unwrap();
        rest.open_orders(&id).await.unwrap()
    });
    let resting: Decimal = open
        .iter()
        .filter(|o| o.client_id.as_str().ends_with("-sl"))
        .map(|o| o.orig_qty - o.filled_qty)
        .sum();
    assert!(
        resting >= sellable,
        "[{market}] {held} held, {resting} under resting stops: {open:?}"
    );
}
