//! `risk_manager.position_sizing` reaches the smc strategy: kelly, atr and
//! fixed_notional become its sizing method with the config's settings and
//! `trading.position_size_percent` as the risk; the strategy section's own
//! `sizing` wins; fixed_fractional leaves the strategy's exact default.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_risk::{Kelly, Sizing};
use smc_runtime::strategies::smc_config;

fn sizing(yaml: &str) -> Option<Sizing> {
    let config = smc_config::parse("test.yaml", yaml).unwrap();
    smc_config(Some(&config), &[]).unwrap().sizing
}

#[test]
fn the_risk_managers_method_sizes_the_smc_strategy() {
    assert_eq!(sizing("trading:\n  position_size_percent: 0.5\n"), None);
    assert_eq!(
        sizing(
            "trading:\n  position_size_percent: 0.5\nrisk_manager:\n  position_sizing: atr\n  atr_multiple: 1.5\n"
        ),
        Some(Sizing::Volatility {
            risk_percent: dec!(0.5),
            atr_multiple: dec!(1.5)
        })
    );
    assert_eq!(
        sizing(
            "risk_manager:\n  position_sizing: kelly\n  kelly: { fraction: 0.5, cap_percent: 2, min_trades: 10, window: 50 }\n"
        ),
        Some(Sizing::Kelly(Kelly {
            fraction: dec!(0.5),
            cap: dec!(0.02),
            min_trades: 10,
            window: 50
        }))
    );
    assert_eq!(
        sizing("risk_manager:\n  position_sizing: fixed_notional\n  fixed_notional: 250\n"),
        Some(Sizing::FixedNotional {
            notional: dec!(250)
        })
    );
    let own = "risk_manager:\n  position_sizing: kelly\nbacktest:\n  smc_strategy:\n    sizing: { method: fixed-notional, notional: 100 }\n";
    assert_eq!(
        sizing(own),
        Some(Sizing::FixedNotional {
            notional: dec!(100)
        })
    );
}
