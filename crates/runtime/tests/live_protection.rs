//! Live sessions in-process against the venue simulator: a trailing stop
//! moves on the venue by cancel-then-replace and survives a restart; an
//! exit whose request the venue never processed is settled once the venue
//! says it does not know it, never selling more than held; a spot bracket
//! rests as one OCO list; on a thin book (partial fills) an entry is
//! protected from its first fill and its stop grows with it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, last_reconciliation, run_to_end, spec, write_config};
use smc_runtime::{EventBus, Mode, RunningSession, SessionEvent, SessionSpec};
use smc_testkit::audit::{
    assert_journal_has_the_venues_orders, assert_unplaced_orders_rejected, journal,
    journal_position, journal_statuses, spot_balance, venue_account,
};
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};

const TRAILING_CONFIG: &str = "backtest:\n  strategy: smc\n  timeframes: [\"1m\", \"5m\"]\n  smc_strategy:\n    exits:\n      trailing: { type: percent, percent: 0.1 }\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

#[test]
fn a_trailing_stop_moves_by_cancel_and_replace_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "smc.yaml", TRAILING_CONFIG);
    let db = dir.path().join("trail.db");
    let sim = TestSim::btcusdt(100.0, "");
    let live = spec(Mode::Live, &sim, &cfg, &db);
    // The first entries come after about 480 minutes of this series; then
    // restarts, whose replay must rebuild the replacements exactly.
    for bars in [1000, 30, 5] {
        let (result, events) = run_to_end(SessionSpec {
            max_bars: Some(bars),
            ..live.clone()
        });
        result.unwrap();
        // The strategy never trails a stop that is gone (filled, refused).
        let amend_refused = events.iter().any(|e| {
            matches!(
                &**e,
                SessionEvent::Engine(smc_model::EngineEvent::AmendRejected { .. })
            )
        });
        assert!(!amend_refused, "a stop that does not exist was amended");
        let (_, found) = last_reconciliation(&events);
        assert!(found.differences.is_empty(), "{found:?}");
    }
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    let store = journal(&db);
    // When a stop was moved (whether the replay's timing lets the strategy
    // trail before the stop fills varies; crates/engine/tests/order_lists.rs
    // moves one deterministically), it was cancelled with its list and both
    // legs came back under new ids.
    let replaced = |tag: &str| {
        venue
            .orders
            .keys()
            .filter(|id| id.contains(&format!("-r1-{tag}")))
            .count()
    };
    assert_eq!(replaced("sl"), replaced("tp"), "{:?}", venue.orders);
    assert_journal_has_the_venues_orders(&journal_statuses(&store), &venue, "trailing");
    // Never two stops of one trade resting at once: of each trade's stops,
    // at most one is still open on the venue.
    let open_stops = venue
        .orders
        .iter()
        .filter(|(id, s)| id.ends_with("-sl") && s[0] == "Submitted")
        .count();
    assert!(open_stops <= 1, "{:?}", venue.orders);
    assert_eq!(journal_position(&store, "BTCUSDT"), venue.held);
}

#[test]
fn an_exit_the_venue_never_got_is_settled_without_selling_more_than_held() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("resend.db");
    let sim = TestSim::btcusdt(80.0, "");
    let live = spec(Mode::Live, &sim, &cfg, &db);
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossy();
    let session = RunningSession::start(live.clone(), bus).unwrap();
    let resent = |events: &mut smc_runtime::Lossy| {
        // Whatever was published so far (the session never waits on us).
        let mut found = false;
        while let Some(d) = events.try_recv() {
            if let smc_runtime::Delivery::Event(e) = d
                && let SessionEvent::Reconciled { result, .. } = &*e
            {
                found |= result.never_placed > 0;
            }
        }
        found
    };
    // While the session holds BTC, every order request fails with a 5xx
    // the venue never processed: the next exit's outcome is unknown. Once
    // the faults clear and its request can no longer arrive,
    // reconciliation finds the venue does not know it, and sends it for no
    // more than the position still held (the strategy's next exit may have
    // closed it already: then it is marked rejected).
    let mut found = false;
    for _ in 0..8 {
        let deadline = Instant::now() + Duration::from_secs(5);
        while spot_balance(&sim.addr, "BTC").is_zero() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        sim.set_faults("5xx(path=/api/v3/order)");
        std::thread::sleep(Duration::from_millis(1_500));
        sim.set_faults("");
        // The exit is sent again only once its lost request can no longer
        // arrive: the receive window (5 s), the clock offset and a second.
        let deadline = Instant::now() + Duration::from_secs(9);
        while !found && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(300));
            found = resent(&mut events);
        }
        if found {
            break;
        }
    }
    session.abort();
    let _ = session.wait();
    assert!(found, "no lost request was settled");
    // Everything still agrees with the venue after a restart.
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(5),
        ..live
    });
    result.unwrap();
    let (_, found) = last_reconciliation(&events);
    assert!(found.differences.is_empty(), "{found:?}");
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    let statuses = journal_statuses(&journal(&db));
    assert_journal_has_the_venues_orders(&statuses, &venue, "resend");
    assert_unplaced_orders_rejected(&statuses, &[&venue], "resend");
}

#[test]
fn a_spot_bracket_rests_as_one_order_list_sharing_the_coins() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "smc.yaml", TRAILING_CONFIG);
    let db = dir.path().join("oco.db");
    let sim = TestSim::btcusdt(100.0, "");
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(1000),
        ..spec(Mode::Live, &sim, &cfg, &db)
    });
    result.unwrap();
    let (_, found) = last_reconciliation(&events);
    assert!(found.differences.is_empty(), "{found:?}");
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    // Both legs of a bracket reached the venue (as two plain orders the
    // take-profit was refused: the stop held the coins).
    let accepted = |tag: &str| {
        venue
            .orders
            .iter()
            .filter(|(id, s)| id.ends_with(tag) && s[0] != "Rejected")
            .count()
    };
    assert!(
        accepted("-sl") > 0 && accepted("-tp") > 0,
        "{:?}",
        venue.orders
    );
    let store = journal(&db);
    assert_journal_has_the_venues_orders(&journal_statuses(&store), &venue, "oco");
    assert_eq!(journal_position(&store, "BTCUSDT"), venue.held);
    // A take-profit refused for the coins would be the bug this guards
    // against. The one refusal the venue may give is the list's: the market
    // (replayed in real time) went through the stop before the list arrived;
    // then the session must close that position at once.
    let refused_tp: Vec<(String, String)> = events
        .iter()
        .filter_map(|e| match &**e {
            SessionEvent::Engine(smc_model::EngineEvent::OrderRejected {
                client_id,
                reason,
                ..
            }) => client_id
                .as_str()
                .strip_suffix("-tp")
                .map(|parent| (parent.to_string(), reason.clone())),
            _ => None,
        })
        .collect();
    for (parent, reason) in &refused_tp {
        assert!(
            reason.contains("would trigger immediately"),
            "a take-profit was refused: {parent}-tp: {reason}"
        );
        let closed = events.iter().any(|e| {
            matches!(&**e, SessionEvent::Engine(smc_model::EngineEvent::ProtectionFailed {
                client_id, action: smc_model::ProtectionAction::Exit, ..
            }) if client_id.as_str().starts_with(parent.as_str()))
        });
        assert!(
            closed,
            "{parent}'s bracket was refused and it was not closed"
        );
    }
}

#[test]
fn a_partially_filled_entry_is_protected_at_once_on_a_thin_book() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "thin.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("thin.db");
    // Each candle fills at most 0.005 % of its volume of the account's
    // orders: an entry of 0.02 BTC takes several candles. Every partial
    // fill grows the stop (a cancel and a new order), so at 100 candles a
    // second the session would spend Binance's 100 orders per 10 s, which
    // real minutes never could; 25 a second stays within it.
    // The first entry comes about 70 candles in; the run ends before the
    // strategy's exit, whose market order would rest across candles here
    // (the simulator's thin book lets it; Binance would expire what the
    // book cannot fill), holding the coins a safety exit needs.
    let sim = TestSim::btcusdt_thin(25.0, rust_decimal::Decimal::new(5, 5));
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(130),
        ..spec(Mode::Live, &sim, &cfg, &db)
    });
    result.unwrap();
    let (_, found) = last_reconciliation(&events);
    assert!(found.differences.is_empty(), "{found:?}");
    let submitted: Vec<smc_model::OrderRequest> = events
        .iter()
        .filter_map(|e| match &**e {
            SessionEvent::Engine(smc_model::EngineEvent::OrderSubmitted { order, .. }) => {
                Some(order.clone())
            }
            _ => None,
        })
        .collect();
    // An entry whose stop went out for less than the entry, then grew.
    let grown = submitted.iter().find_map(|entry| {
        let leg = submitted
            .iter()
            .find(|o| o.client_id.as_str() == format!("{}-sl", entry.client_id))?;
        let regrown = submitted
            .iter()
            .find(|o| o.client_id.as_str() == format!("{}-r1-sl", entry.client_id))?;
        (leg.qty < entry.qty && regrown.qty > leg.qty).then_some((entry, leg, regrown))
    });
    let (entry, leg, regrown) =
        grown.unwrap_or_else(|| panic!("no partially protected entry: {submitted:?}"));
    assert!(regrown.qty <= entry.qty, "{regrown:?}");
    assert!(leg.reduce_only && regrown.reduce_only);
    let venue = venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    let store = journal(&db);
    assert_journal_has_the_venues_orders(&journal_statuses(&store), &venue, "thin");
    assert_eq!(journal_position(&store, "BTCUSDT"), venue.held);
    smc_testkit::audit::assert_protected(
        &sim.addr,
        "spot",
        "BTCUSDT",
        venue.held,
        rust_decimal::Decimal::new(1, 3),
    );
}
