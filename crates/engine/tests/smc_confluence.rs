//! The `smc` strategy's top-down confluence on a real series (ETHUSDT 1h):
//! a confirming timeframe that is the bias itself changes nothing, and one
//! that must agree with a daily bias filters entries out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use smc_model::{Candle, EngineEvent, Timeframe};
use smc_strategy::SmcConfig;

/// The orders a run submits.
fn orders(data: &[Candle], config: SmcConfig) -> Vec<smc_model::OrderRequest> {
    common::run_smc(data, config)
        .1
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { order, .. } => Some(order),
            _ => None,
        })
        .collect()
}

fn entries(orders: &[smc_model::OrderRequest]) -> usize {
    orders.iter().filter(|o| !o.reduce_only).count()
}

#[test]
fn a_confirming_timeframe_must_agree_with_the_bias() {
    let data = common::eth_1h();
    let daily = SmcConfig {
        bias_timeframe: Timeframe::D1,
        ..SmcConfig::default()
    };
    let plain = orders(&data, daily.clone());
    assert!(entries(&plain) >= 10, "{} entries", entries(&plain));
    // The bias agrees with itself: the same run.
    let itself = SmcConfig {
        confirm_timeframes: vec![Timeframe::D1],
        ..daily.clone()
    };
    assert_eq!(orders(&data, itself), plain);
    // The 4h trend must agree with the daily one: fewer entries.
    let confirmed = SmcConfig {
        confirm_timeframes: vec![Timeframe::H4],
        ..daily
    };
    let filtered = orders(&data, confirmed);
    assert!(
        entries(&filtered) < entries(&plain),
        "{} entries with 4h confirming, {} without",
        entries(&filtered),
        entries(&plain)
    );
}
