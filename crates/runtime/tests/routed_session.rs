//! A paper session on Binance and Bybit at once, against two simulators
//! quoting different books of the same series: the router sends each
//! order to the cheaper venue, splits it when that venue's book is too
//! thin, avoids a venue whose book cannot be read, attributes every fill
//! to the venues it went to, and a restart replays its decisions from
//! the journal instead of routing again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_to_end, spec, write_config};
use rust_decimal::Decimal;
use smc_model::{EngineEvent, Side};
use smc_routing::RoutingDecision;
use smc_runtime::{Market, Mode, RouteEvent, SessionEvent, SessionSpec, VenueName, VenueSpec};
use smc_testkit::audit::journal;
use smc_testkit::sim::TestSim;
use smc_venue_sim::{BookShape, Protocol};
use std::collections::BTreeMap;
use std::sync::Arc;

/// sma_cross committing a quarter of equity per entry (0.5 % risk over a
/// 2 % stop): about 2,500 USDT, which fits in either venue's half of the
/// 10,000 starting cash. Bybit's account is on a cheaper fee tier than
/// Binance's default 0.1 %.
const ROUTED_CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\nexchanges:\n  bybit:\n    fees: {maker: 0.0002, taker: 0.00055}\ntrading:\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 3000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

/// About 1 % of the price away from the close (tick 0.1 at ~43,000):
/// more than the two simulators' clocks can drift apart in the test.
const WIDE: u32 = 4_000;

fn sim(protocol: Protocol, spread_ticks: u32, level_share: Decimal, faults: &str) -> TestSim {
    let book = BookShape {
        spread_ticks,
        level_share,
    };
    TestSim::with_book(protocol, 50.0, faults, book)
}

fn deep() -> Decimal {
    BookShape::default().level_share
}

/// A paper session on `binance` (its candles) routing to `bybit` too.
fn routed(binance: &TestSim, bybit: &TestSim, dir: &std::path::Path) -> SessionSpec {
    let cfg = write_config(dir, "routed.yaml", ROUTED_CONFIG);
    let db = dir.join("routed.db");
    SessionSpec {
        route_to: vec![VenueSpec {
            venue: VenueName::Bybit,
            market: Market::Spot,
            url: Some(bybit.addr.clone()),
            account_id: None,
        }],
        credentials: None,
        ..spec(Mode::Paper, binance, &cfg, &db)
    }
}

/// What one run published.
#[derive(Default)]
struct Run {
    decisions: Vec<(String, RoutingDecision)>,
    refused: Vec<(String, String)>,
    /// Per order: engine fill quantity, and the venue parts of it.
    engine_fills: BTreeMap<String, Decimal>,
    venue_fills: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// Per order: the fees the engine charged, and the venues' fees.
    engine_fees: BTreeMap<String, Decimal>,
    venue_fees: BTreeMap<String, Decimal>,
    submitted: Vec<String>,
}

fn collect(events: &[Arc<SessionEvent>]) -> Run {
    let mut run = Run::default();
    for e in events {
        match &**e {
            SessionEvent::Route(RouteEvent::Routed {
                client_id,
                decision,
                ..
            }) => run.decisions.push((client_id.clone(), decision.clone())),
            SessionEvent::Route(RouteEvent::RouteRefused {
                client_id, reason, ..
            }) => run.refused.push((client_id.clone(), reason.clone())),
            SessionEvent::Route(RouteEvent::VenueFill {
                client_id,
                venue,
                qty,
                fee,
                ..
            }) => {
                *run.venue_fees.entry(client_id.clone()).or_default() += *fee;
                *run.venue_fills
                    .entry(client_id.clone())
                    .or_default()
                    .entry(venue.clone())
                    .or_default() += *qty;
            }
            SessionEvent::Engine(EngineEvent::Fill(f)) => {
                *run.engine_fills.entry(f.client_id.to_string()).or_default() += f.qty;
                *run.engine_fees.entry(f.client_id.to_string()).or_default() += f.fee;
            }
            SessionEvent::Engine(EngineEvent::OrderSubmitted { order, .. }) => {
                run.submitted.push(order.client_id.to_string());
            }
            _ => {}
        }
    }
    run
}

fn is_leg(id: &str) -> bool {
    id.ends_with("-sl") || id.ends_with("-tp")
}

/// Every order the strategy placed was routed (or refused) once, and
/// every fill's venue parts add up to it.
fn assert_routed_and_attributed(run: &Run) {
    for id in run.submitted.iter().filter(|id| !is_leg(id)) {
        let routed = run.decisions.iter().filter(|(d, _)| d == id).count()
            + run.refused.iter().filter(|(d, _)| d == id).count();
        assert_eq!(routed, 1, "order {id} routed {routed} times");
    }
    for (id, qty) in &run.engine_fills {
        let parts: Decimal = run
            .venue_fills
            .get(id)
            .map_or(Decimal::ZERO, |v| v.values().sum());
        assert_eq!(parts, *qty, "fill of {id}: venue parts {parts} != {qty}");
        // The engine charged the fee tiers of the venues the order went
        // to (a split pays a blend, equal to a 12th decimal of the rate).
        let charged = run.engine_fees[id];
        let venues = run.venue_fees.get(id).copied().unwrap_or_default();
        assert!(
            (charged - venues).abs() < Decimal::new(1, 6),
            "{id}: fee {charged} != {venues}"
        );
    }
}

fn venues_of(d: &RoutingDecision) -> Vec<&str> {
    d.allocations.iter().map(|a| a.venue.as_str()).collect()
}

#[test]
fn orders_go_to_the_cheaper_venue_and_a_restart_replays_the_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let binance = sim(Protocol::Binance, WIDE, deep(), "");
    let bybit = sim(Protocol::Bybit, 0, deep(), "");
    let spec = routed(&binance, &bybit, dir.path());
    let mut runs = Vec::new();
    for bars in [200, 150] {
        let (result, events) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..spec.clone()
        });
        assert_eq!(result.unwrap().candles, bars);
        let run = collect(&events);
        assert_routed_and_attributed(&run);
        runs.push(run);
    }
    let all: Vec<&(String, RoutingDecision)> = runs.iter().flat_map(|r| &r.decisions).collect();
    assert!(all.len() >= 2, "too few orders to judge: {}", all.len());
    assert!(
        all.iter().any(|(_, d)| d.side == Side::Sell),
        "no exit routed"
    );
    // A sell after the restart finds its coins on Bybit: the replay
    // rebuilt each venue's holdings.
    assert!(
        runs.iter().all(|r| r.refused.is_empty()),
        "{:?}",
        runs[1].refused
    );
    for (id, d) in &all {
        // Bybit quotes about 2 % tighter on every side: every order goes
        // there alone, and the decision shows Binance's dearer price.
        assert_eq!(venues_of(d), ["bybit"], "{id}: {d:?}");
        assert_eq!(d.alternatives.len(), 2);
        let price = |v: &str| {
            d.alternatives
                .iter()
                .find(|a| a.venue == v)
                .and_then(|a| a.all_in_price)
                .unwrap()
        };
        match d.side {
            Side::Buy => assert!(price("bybit") < price("binance"), "{id}: {d:?}"),
            // A spot sell goes where the coins are: nothing on Binance.
            Side::Sell => {
                let on_binance = d
                    .alternatives
                    .iter()
                    .find(|a| a.venue == "binance")
                    .unwrap();
                assert!(on_binance.fillable_qty.is_zero(), "{id}: {d:?}");
            }
        }
    }
    // The restart published no decision of the first run again, and the
    // journal holds a decision for every order the strategy placed.
    let first: Vec<&String> = runs[0].decisions.iter().map(|(id, _)| id).collect();
    assert!(runs[1].decisions.iter().all(|(id, _)| !first.contains(&id)));
    let store = journal(&dir.path().join("routed.db"));
    let orders = store.orders().unwrap();
    let placed: Vec<String> = orders
        .iter()
        .map(|o| o.request.client_id.to_string())
        .filter(|id| !is_leg(id))
        .collect();
    assert_eq!(
        placed.len(),
        all.len() + runs.iter().map(|r| r.refused.len()).sum::<usize>()
    );
    for id in &placed {
        let kept = store.session_value(&format!("route:{id}")).unwrap();
        assert!(
            kept.is_some_and(|k| k.contains("bybit")),
            "no decision journaled for {id}"
        );
    }
}

#[test]
fn an_order_too_big_for_the_cheaper_book_is_split() {
    let dir = tempfile::tempdir().unwrap();
    // Bybit's levels are one lot each (0.001 BTC, 50 levels): an entry of
    // about 0.058 BTC cannot fill there alone.
    let binance = sim(Protocol::Binance, WIDE, deep(), "");
    let bybit = sim(Protocol::Bybit, 0, Decimal::new(1, 9), "");
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(200),
        ..routed(&binance, &bybit, dir.path())
    });
    result.unwrap();
    let run = collect(&events);
    assert_routed_and_attributed(&run);
    let buys: Vec<&(String, RoutingDecision)> = run
        .decisions
        .iter()
        .filter(|(_, d)| d.side == Side::Buy)
        .collect();
    assert!(!buys.is_empty(), "no entry in 200 bars");
    for (id, d) in buys {
        assert!(d.is_split(), "{id}: {d:?}");
        assert_eq!(d.best_single.as_deref(), Some("binance"), "{id}");
        assert!(d.qty_on("bybit") > Decimal::ZERO && d.qty_on("bybit") <= Decimal::new(5, 2));
        assert!(d.saving_bps > Decimal::ZERO, "{id}: {d:?}");
        // The fill was attributed as routed: Bybit's part on Bybit.
        if let Some(parts) = run.venue_fills.get(id) {
            assert_eq!(parts.get("bybit").copied(), Some(d.qty_on("bybit")), "{id}");
        }
    }
}

#[test]
fn a_venue_whose_book_cannot_be_read_is_avoided() {
    let dir = tempfile::tempdir().unwrap();
    // Bybit is cheaper but every order book request fails.
    let binance = sim(Protocol::Binance, WIDE, deep(), "");
    let bybit = sim(Protocol::Bybit, 0, deep(), "5xx(path=/v5/market/orderbook)");
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(200),
        ..routed(&binance, &bybit, dir.path())
    });
    result.unwrap();
    let run = collect(&events);
    assert_routed_and_attributed(&run);
    assert!(!run.decisions.is_empty(), "no order in 200 bars");
    for (id, d) in &run.decisions {
        assert_eq!(venues_of(d), ["binance"], "{id}: {d:?}");
        let bybit = d.alternatives.iter().find(|a| a.venue == "bybit").unwrap();
        assert_eq!(bybit.excluded.as_deref(), Some("disconnected"), "{id}");
    }
    let warned = events.iter().any(|e| {
        matches!(&**e, SessionEvent::Notice { message, .. } if message.contains("no order book yet from bybit"))
    });
    assert!(
        warned,
        "the session said nothing about Bybit's missing book"
    );
}
