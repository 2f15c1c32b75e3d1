//! What `Metrics::render` shows after the events a session publishes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use smc_metrics::{Metrics, breaker_state};
use smc_model::{MarketKind, Side};
use smc_runtime::{Connection, Stream};
use std::collections::BTreeMap;
use std::time::Duration;

fn fed(events: &[smc_runtime::SessionEvent]) -> Metrics {
    let m = Metrics::new();
    for e in events {
        m.observe("s1", e);
    }
    m
}

#[test]
fn orders_and_fills_are_counted_by_session_symbol_and_side() {
    let m = fed(&[
        submitted("BTCUSDT", Side::Buy),
        submitted("BTCUSDT", Side::Buy),
        submitted("ETHUSDT", Side::Sell),
        fill("BTCUSDT", Side::Buy),
    ]);
    m.observe("s2", &submitted("BTCUSDT", Side::Buy));
    let t = m.render();
    let orders = |session, symbol, side| {
        value(
            &t,
            "smc_orders_total",
            &[("session", session), ("symbol", symbol), ("side", side)],
        )
    };
    assert_eq!(orders("s1", "BTCUSDT", "buy"), Some(2.0));
    assert_eq!(orders("s1", "ETHUSDT", "sell"), Some(1.0));
    assert_eq!(orders("s2", "BTCUSDT", "buy"), Some(1.0));
    assert_eq!(orders("s1", "ETHUSDT", "buy"), None);
    let fills = [("session", "s1"), ("symbol", "BTCUSDT"), ("side", "buy")];
    assert_eq!(value(&t, "smc_fills_total", &fills), Some(1.0));
    assert!(t.contains("# TYPE smc_orders_total counter"), "{t}");
}

#[test]
fn rejections_are_reduced_to_codes_never_their_text() {
    let m = fed(&[
        risk_refused(),
        rejected("insufficient cash: the fill costs 10 with fees, the account has 5"),
        rejected("notional 3 is below the minimum 5"),
        rejected("Filter failure: PRICE_FILTER"),
        rejected("Unknown error, please check your request"),
    ]);
    let t = m.render();
    let count = |reason| {
        value(
            &t,
            "smc_order_rejections_total",
            &[("session", "s1"), ("reason", reason)],
        )
    };
    assert_eq!(count("risk"), Some(1.0));
    assert_eq!(count("insufficient_balance"), Some(1.0));
    assert_eq!(count("filter"), Some(2.0));
    assert_eq!(count("venue"), Some(1.0));
    assert!(
        !t.contains("Unknown error") && !t.contains("max exposure"),
        "{t}"
    );
}

#[test]
fn spot_pnl_and_exposure_follow_positions_and_marks() {
    let m = fed(&[
        started(&["BTCUSDT", "ETHUSDT", "SOLUSDT"]),
        position("BTCUSDT", 2, 100, 5),
        position("ETHUSDT", 1, 50, -2),
        // Holdings worth 460 at their marks against a cost of 250.
        equity(800, 1_260),
    ]);
    let t = m.render();
    let s = [("session", "s1")];
    assert_eq!(value(&t, "smc_equity", &s), Some(1260.0));
    assert_eq!(value(&t, "smc_realized_pnl", &s), Some(3.0));
    assert_eq!(value(&t, "smc_unrealized_pnl", &s), Some(210.0));
    let exposure = |symbol| value(&t, "smc_exposure", &[("session", "s1"), ("symbol", symbol)]);
    assert_eq!(exposure("BTCUSDT"), Some(200.0));
    assert_eq!(exposure("ETHUSDT"), Some(50.0));
    // Traded but flat: zero, not absent.
    assert_eq!(exposure("SOLUSDT"), Some(0.0));

    // Closing BTC realizes its P&L and leaves only ETH's cost in equity.
    m.observe("s1", &position("BTCUSDT", 0, 0, 45));
    m.observe("s1", &equity(1_300, 1_360));
    let t = m.render();
    assert_eq!(value(&t, "smc_realized_pnl", &s), Some(43.0));
    assert_eq!(value(&t, "smc_unrealized_pnl", &s), Some(10.0));
    assert_eq!(
        value(
            &t,
            "smc_exposure",
            &[("session", "s1"), ("symbol", "BTCUSDT")]
        ),
        Some(0.0)
    );
}

#[test]
fn perpetual_unrealized_pnl_is_equity_over_wallet() {
    let m = Metrics::new();
    m.set_market("p1", MarketKind::Perpetual);
    m.observe("p1", &position("BTCUSDT", -2, 100, 0));
    m.observe("p1", &equity(1_000, 1_030));
    let t = m.render();
    assert_eq!(
        value(&t, "smc_unrealized_pnl", &[("session", "p1")]),
        Some(30.0)
    );
    assert_eq!(
        value(
            &t,
            "smc_exposure",
            &[("session", "p1"), ("symbol", "BTCUSDT")]
        ),
        Some(-200.0)
    );
}

#[test]
fn breakers_move_through_their_states_and_trips_are_counted() {
    let m = Metrics::new();
    let state = |m: &Metrics| {
        value(
            &m.render(),
            "smc_breaker_state",
            &[("session", "s1"), ("breaker", "daily_loss")],
        )
    };
    m.observe("s1", &tripped("daily_loss"));
    assert_eq!(state(&m), Some(breaker_state::TRIPPED as f64));
    m.observe("s1", &cooling("daily_loss"));
    assert_eq!(state(&m), Some(breaker_state::COOLING_DOWN as f64));
    m.observe("s1", &armed("daily_loss"));
    assert_eq!(state(&m), Some(breaker_state::ARMED as f64));
    m.observe("s1", &tripped("daily_loss"));
    let trips = [("session", "s1"), ("breaker", "daily_loss")];
    assert_eq!(
        value(&m.render(), "smc_breaker_trips_total", &trips),
        Some(2.0)
    );
    assert_eq!(
        (
            breaker_state::ARMED,
            breaker_state::TRIPPED,
            breaker_state::COOLING_DOWN
        ),
        (0, 1, 2)
    );
}

#[test]
fn only_reconnections_count_and_connection_trouble_is_a_venue_error() {
    let m = fed(&[
        connection(Stream::UserData, Connection::Connected { reconnect: false }),
        connection(
            Stream::UserData,
            Connection::Disconnected {
                reason: "eof at 12:00".into(),
            },
        ),
        connection(Stream::UserData, Connection::Connected { reconnect: true }),
        connection(
            Stream::MarketData,
            Connection::Malformed {
                detail: "{bad".into(),
            },
        ),
        cancel_failed(),
    ]);
    let t = m.render();
    let rc = |stream| {
        value(
            &t,
            "smc_venue_reconnects_total",
            &[("session", "s1"), ("stream", stream)],
        )
    };
    assert_eq!(rc("user_data"), Some(1.0));
    assert_eq!(rc("market_data"), None);
    let err = |kind| {
        value(
            &t,
            "smc_venue_errors_total",
            &[("session", "s1"), ("kind", kind)],
        )
    };
    assert_eq!(err("disconnected"), Some(1.0));
    assert_eq!(err("malformed_frame"), Some(1.0));
    assert_eq!(err("cancel_failed"), Some(1.0));
    assert!(!t.contains("eof at 12:00"));
}

#[test]
fn counters_never_go_down_across_renders() {
    let m = Metrics::new();
    let mut last: BTreeMap<(String, BTreeMap<String, String>), f64> = BTreeMap::new();
    let steps = [
        submitted("BTCUSDT", Side::Buy),
        fill("BTCUSDT", Side::Buy),
        risk_refused(),
        submitted("BTCUSDT", Side::Buy),
        tripped("drawdown"),
        armed("drawdown"),
        tripped("drawdown"),
    ];
    let mut grew = 0;
    for (i, e) in steps.iter().enumerate() {
        m.observe("s1", e);
        m.candle_to_order("s1", Duration::from_micros(10 * (i as u64 + 1)));
        for s in samples(&m.render()) {
            let counter = s.name.ends_with("_total")
                || s.name.ends_with("_count")
                || s.name.ends_with("_bucket");
            if !counter || s.name.starts_with("process_") {
                continue;
            }
            let before = last.insert((s.name.clone(), s.labels.clone()), s.value);
            if let Some(before) = before {
                assert!(
                    s.value >= before,
                    "{} {:?} went from {before} to {}",
                    s.name,
                    s.labels,
                    s.value
                );
                grew += usize::from(s.value > before);
            }
        }
    }
    assert!(
        grew > 5,
        "the steps should have moved counters, moved {grew}"
    );
}

#[test]
fn a_stopped_sessions_latency_and_a_forgotten_sessions_gauges() {
    let m = Metrics::new();
    exercise(&m);
    let t = m.render();
    let q = |q| {
        value(
            &t,
            "smc_candle_to_order_last_run_seconds",
            &[("session", "s1"), ("quantile", q)],
        )
    };
    assert_eq!(q("0.5"), Some(40e-6));
    assert_eq!(q("0.99"), Some(900e-6));

    m.forget_session("s1");
    let t = m.render();
    for gauge in [
        "smc_equity",
        "smc_exposure",
        "smc_breaker_state",
        "smc_candle_to_order_last_run_seconds",
    ] {
        assert!(
            samples(&t).iter().all(|s| s.name != gauge),
            "{gauge} left after forgetting:\n{t}"
        );
    }
    let orders = [("session", "s1"), ("symbol", "BTCUSDT"), ("side", "buy")];
    assert_eq!(value(&t, "smc_orders_total", &orders), Some(1.0));
}

#[test]
fn routed_orders_are_counted_per_venue_and_refusals_as_none() {
    let allocation = |venue: &str| {
        serde_json::json!({"venue": venue, "qty": "0.01", "avg_price": "100", "all_in_price": "100.1",
            "fee": "0.001", "resting": false})
    };
    let decision = |venues: &[&str]| {
        serde_json::from_value(serde_json::json!({
            "side": "buy", "qty": "0.02", "limit": null,
            "allocations": venues.iter().map(|v| allocation(v)).collect::<Vec<_>>(),
            "unrouted": "0", "all_in_price": "100.1", "best_single": null, "saving_bps": "0",
            "alternatives": []
        }))
        .unwrap()
    };
    let routed = |venues: &[&str]| {
        smc_runtime::SessionEvent::Route(smc_runtime::RouteEvent::Routed {
            client_id: "o-1".into(),
            symbol: "BTCUSDT".into(),
            decision: decision(venues),
        })
    };
    let refused = smc_runtime::SessionEvent::Route(smc_runtime::RouteEvent::RouteRefused {
        client_id: "o-2".into(),
        symbol: "BTCUSDT".into(),
        reason: "no venue".into(),
    });
    let m = fed(&[routed(&["bybit"]), routed(&["binance", "bybit"]), refused]);
    let t = m.render();
    let count = |venue: &str| {
        value(
            &t,
            "smc_routed_orders_total",
            &[("session", "s1"), ("venue", venue)],
        )
    };
    assert_eq!(count("bybit"), Some(2.0));
    assert_eq!(count("binance"), Some(1.0));
    assert_eq!(count("none"), Some(1.0));
}

#[test]
fn entry_candles_without_an_order_are_counted_by_reason_code() {
    let no_trade = |reason| {
        smc_runtime::SessionEvent::Engine(smc_model::EngineEvent::NoTrade {
            time: smc_model::Timestamp::from_ms(0),
            instrument: instrument("BTCUSDT"),
            reason,
        })
    };
    use smc_model::NoTradeReason as R;
    let m = fed(&[
        no_trade(R::OutsideKillZone),
        no_trade(R::OutsideKillZone),
        no_trade(R::ModelBelowThreshold),
    ]);
    let t = m.render();
    let count = |reason| {
        value(
            &t,
            "smc_no_trade_total",
            &[("session", "s1"), ("reason", reason)],
        )
    };
    assert_eq!(count("outside_kill_zone"), Some(2.0));
    assert_eq!(count("model_below_threshold"), Some(1.0));
    assert_eq!(count("no_recent_sweep"), None);
    assert!(t.contains("# TYPE smc_no_trade_total counter"), "{t}");
}
