#![allow(clippy::unwrap_used, clippy::expect_used)]
//! "Why no trade" end to end on the bundled ETHUSDT 1h series and the
//! example config: every candle of the entry timeframe either placed an
//! entry or names a reason, the JSON results carry the counts, and the
//! HTML report shows them per month.

use smc_model::{EngineEvent, NoTradeReason};
use smc_runtime::backtest::{Backtest, BacktestRequest};
use smc_runtime::strategies::StrategyName;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn example() -> smc_config::Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    smc_config::load(&root.join("config.example.yaml")).unwrap()
}

fn run(strategy: StrategyName) -> Backtest {
    BacktestRequest {
        settings: Some(example()),
        strategy: Some(strategy),
        ..BacktestRequest::default()
    }
    .run(&mut |_| {})
    .unwrap()
}

/// Close times of the candles whose decision placed an entry (an order
/// that is not reduce-only; bracket legs and exits are).
fn entry_candles(b: &Backtest) -> BTreeSet<i64> {
    b.events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { time, order, .. } if !order.reduce_only => {
                Some(time.ms())
            }
            _ => None,
        })
        .collect()
}

fn json_counts(b: &Backtest) -> BTreeMap<String, u64> {
    let json = b.results_json();
    serde_json::from_value(json["no_trade_reasons"].clone()).unwrap()
}

#[test]
fn the_reasons_add_up_to_the_candles_without_an_entry() {
    for strategy in [StrategyName::Smc, StrategyName::SmaCross] {
        let b = run(strategy);
        let candles = b.candles().len() as u64;
        let placed = entry_candles(&b).len() as u64;
        assert!(placed > 0, "{strategy}: the run trades");
        let counts = json_counts(&b);
        let total: u64 = counts.values().sum();
        assert_eq!(total, candles - placed, "{strategy}: {counts:?}");
        assert_eq!(b.no_trade.total(), total);
        let known: Vec<&str> = NoTradeReason::ALL.iter().map(|r| r.as_str()).collect();
        assert!(
            counts.keys().all(|k| known.contains(&k.as_str())),
            "{counts:?}"
        );
    }
}

#[test]
fn the_example_config_shows_each_kind_of_refusal() {
    let b = run(StrategyName::Smc);
    let counts = json_counts(&b);
    // The example's stop_loss_percent refuses wide stops, its daily_loss
    // breaker (0.2 %) trips; shorts are off on spot and entries wait for
    // their retest.
    for reason in [
        "risk_refused",
        "breaker_tripped",
        "shorts_not_allowed",
        "entry_pending",
        "warming_up",
    ] {
        assert!(
            counts.get(reason).is_some_and(|n| *n > 0),
            "{reason}: {counts:?}"
        );
    }
    // One risk_refused or breaker_tripped candle per refused entry.
    let refused = b
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                EngineEvent::RiskDecision {
                    verdict: smc_model::RiskVerdict::Refused { .. },
                    ..
                }
            )
        })
        .count() as u64;
    assert_eq!(counts["risk_refused"] + counts["breaker_tripped"], refused);
    // Every existing field of the results is still there.
    let json = b.results_json();
    for key in [
        "final_equity",
        "metrics",
        "monthly_returns",
        "trades",
        "orders",
        "risk_decisions",
        "breaker_events",
        "bars",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn the_report_shows_the_reasons_per_month_and_the_months_without_data() {
    let b = run(StrategyName::Smc);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    b.write_report(&path, Some(&example()), &[]).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("Why no trade"));
    // The bundled series has no candle from 2021-04-01 01:00 to
    // 2021-09-30 (the example's April–September silence): those months
    // say so instead of showing zeros.
    for month in ["2021-05", "2021-06", "2021-07", "2021-08", "2021-09"] {
        let row = html
            .split(&format!("<th scope=\"row\">{month}</th>"))
            .nth(1);
        let row = row.and_then(|r| r.split("</tr>").next()).unwrap();
        assert!(row.contains("no candles in the data"), "{month}: {row}");
    }
    let march = html.split("<th scope=\"row\">2021-03</th>").nth(1).unwrap();
    assert!(!march.split("</tr>").next().unwrap().contains("no candles"));
}
