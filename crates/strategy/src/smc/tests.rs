//! Unit tests of the smc strategy's exit management and refusals.
use super::*;
use crate::exits::Trailing;
use rust_decimal::dec;
use smc_model::{Liquidity, Timestamp};

/// A strategy trailing its stop by 1 %, waiting for its entry's fill.
fn trailing() -> SmcStrategy {
    let mut s = SmcStrategy::new(SmcConfig {
        exits: ExitPlan {
            trailing: Some(Trailing::Percent { percent: dec!(1) }),
            ..ExitPlan::default()
        },
        ..SmcConfig::default()
    });
    s.pending_stop = Some(dec!(90));
    s
}

fn fill(id: &str, side: Side) -> Fill {
    Fill {
        client_id: ClientOrderId::new(id),
        instrument: "binance:BTCUSDT".parse().unwrap(),
        trade_id: id.into(),
        side,
        price: dec!(100),
        qty: dec!(1),
        fee: dec!(0),
        fee_source: smc_model::FeeSource::Quote,
        liquidity: Liquidity::Taker,
        time: Timestamp::from_ms(60_000),
    }
}

#[test]
fn a_refused_entry_is_not_waited_for() {
    let mut s = trailing();
    let mut out = Vec::new();
    s.pending_for = Some(3);
    s.pending_stop = Some(dec!(95));
    s.on_rejected(&ClientOrderId::new("smc-60000-1-tp"), "x", &mut out);
    assert_eq!(s.pending_for, Some(3), "a leg's refusal is not the entry's");
    s.on_rejected(&ClientOrderId::new("smc-60000-0"), "risk", &mut out);
    assert_eq!((s.pending_for, s.pending_stop), (None, None));
    assert!(out.is_empty());
}

#[test]
fn a_refused_stop_leg_is_no_longer_trailed() {
    let mut s = trailing();
    let mut out = Vec::new();
    s.on_fill(
        &fill("smc-60000-0", Side::Buy),
        &PortfolioSnapshot::default(),
        &mut out,
    );
    assert!(
        s.managed.is_some(),
        "the entry's fill starts managing the exit"
    );
    s.on_rejected(&ClientOrderId::new("smc-60000-0-tp"), "-2010", &mut out);
    assert!(s.managed.is_some(), "another leg's refusal changes nothing");
    s.on_rejected(
        &ClientOrderId::new("smc-60000-0-sl"),
        "-2010 Stop price would trigger immediately",
        &mut out,
    );
    assert!(s.managed.is_none(), "the refused stop is not amended again");
    assert!(out.is_empty());
}

#[test]
fn a_filled_leg_or_safety_exit_ends_the_trailing() {
    for closing in [
        "smc-60000-0-sl",
        "smc-60000-0-tp",
        "smc-60000-0-r3-sl",
        "smc-60000-0-x1",
    ] {
        let mut s = trailing();
        let mut out = Vec::new();
        s.on_fill(
            &fill("smc-60000-0", Side::Buy),
            &PortfolioSnapshot::default(),
            &mut out,
        );
        assert!(s.managed.is_some());
        s.on_fill(
            &fill(closing, Side::Sell),
            &PortfolioSnapshot::default(),
            &mut out,
        );
        assert!(s.managed.is_none(), "{closing} closed the position");
    }
}
