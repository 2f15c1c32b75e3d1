//! The breaker gate end to end with the in-memory store: trips, refusals,
//! releases (next UTC day, cooldown, authorized reset), restarts and store
//! failures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use rust_decimal::dec;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, Candle, ClientOrderId, EngineEvent, OrderIntent, PortfolioSnapshot,
    PositionSnapshot, RiskGate, RiskObservation, RiskOutcome, Side, Size, Timeframe, time::DAY_MS,
};
use smc_risk::breakers::{
    BreakerConfig, BreakerGate, BreakerState, ConsecutiveLossesConfig, DailyLossConfig,
    ErrorRateConfig, MemoryStore, ResetError, ResetRequest, ResetSecret, VolatilitySpikeConfig,
};

const TOKEN: &str = "correct-horse-battery-staple";

fn daily_loss(release_next_utc_day: bool) -> BreakerConfig {
    BreakerConfig {
        daily_loss: Some(DailyLossConfig {
            max_loss: Some(dec!(500)),
            release_next_utc_day,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn gate(config: &BreakerConfig, store: &MemoryStore) -> BreakerGate<ApproveAll> {
    BreakerGate::new(
        ApproveAll::default(),
        config,
        Box::new(store.clone()),
        Timestamp::from_ms(0),
    )
    .unwrap()
    .with_reset_verifier(Box::new(ResetSecret::new(TOKEN.into()).unwrap()))
}

fn mark(g: &mut impl RiskGate, time: i64, equity: Decimal) -> Vec<EngineEvent> {
    let e = EngineEvent::EquityMark {
        time: Timestamp::from_ms(time),
        cash: equity,
        equity,
    };
    let mut out = Vec::new();
    g.observe(RiskObservation::Event(&e), &mut out);
    out
}

fn long_one() -> PortfolioSnapshot {
    PortfolioSnapshot {
        equity: dec!(9000),
        positions: vec![PositionSnapshot {
            qty: dec!(1),
            avg_price: dec!(100),
            mark_price: dec!(100),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn buy() -> OrderIntent {
    OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(1)))
}

fn sell_half() -> OrderIntent {
    OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(0.5)))
}

fn request(token: &str) -> ResetRequest {
    ResetRequest {
        operator: "alice".into(),
        reason: "loss reviewed".into(),
        token: token.to_string().into(),
    }
}

#[test]
fn the_daily_loss_breaker_trips_refuses_new_risk_and_lets_exits_through() {
    let store = MemoryStore::new();
    let mut g = gate(&daily_loss(false), &store);
    assert!(mark(&mut g, 1_000, dec!(10000)).is_empty());
    assert!(matches!(
        g.check(buy(), &long_one()),
        RiskOutcome::Approved(_)
    ));
    let events = mark(&mut g, 2_000, dec!(9499));
    assert_eq!(events.len(), 1);
    let EngineEvent::BreakerTripped {
        time,
        breaker,
        reason,
        cooldown_until,
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (*time, breaker.as_str(), *cooldown_until),
        (Timestamp::from_ms(2_000), "daily_loss", None)
    );
    assert!(reason.contains("lost 501 today"), "{reason}");
    assert!(!g.state().trading_allowed);
    assert_eq!(g.state().tripped_breakers, vec!["daily_loss".to_string()]);
    match g.check(buy(), &long_one()) {
        RiskOutcome::Refused { reason, .. } => {
            assert!(
                reason.starts_with("circuit breaker daily_loss tripped"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        g.check(sell_half(), &long_one()),
        RiskOutcome::Approved(_)
    ));
    // Written before it acted: the store has the trip.
    assert_eq!(
        store.breaker("daily_loss").unwrap().state,
        BreakerState::Tripped
    );
    assert_eq!(store.transitions().len(), 1);
}

#[test]
fn with_release_next_utc_day_it_cools_down_and_rearms_at_midnight() {
    let store = MemoryStore::new();
    let mut g = gate(&daily_loss(true), &store);
    mark(&mut g, 1_000, dec!(10000));
    let tripped = mark(&mut g, 2_000, dec!(9000));
    assert!(matches!(
        tripped[0],
        EngineEvent::BreakerTripped {
            cooldown_until: Some(cooldown_until),
            ..
        } if cooldown_until.ms() == DAY_MS));
    assert!(mark(&mut g, DAY_MS - 1, dec!(8000)).is_empty());
    assert!(!g.state().trading_allowed);
    let events = mark(&mut g, DAY_MS, dec!(8000));
    assert!(
        matches!(
            events[0],
            EngineEvent::BreakerCoolingDown { time, .. } if time.ms() == DAY_MS),
        "{events:?}"
    );
    assert!(
        matches!(events[1], EngineEvent::BreakerArmed { time, .. } if time.ms() == DAY_MS),
        "{events:?}"
    );
    assert!(g.state().trading_allowed);
    assert!(matches!(
        g.check(buy(), &long_one()),
        RiskOutcome::Approved(_)
    ));
    // The new day counts from its own start: a further loss of 500 trips again.
    assert!(mark(&mut g, DAY_MS + 1, dec!(7600)).is_empty());
    assert_eq!(mark(&mut g, DAY_MS + 2, dec!(7500)).len(), 1);
}

#[test]
fn without_a_release_rule_only_an_authorized_reset_releases_it() {
    let store = MemoryStore::new();
    let config = BreakerConfig {
        rearm_delay_ms: 60_000,
        ..daily_loss(false)
    };
    let mut g = gate(&config, &store);
    mark(&mut g, 0, dec!(10000));
    mark(&mut g, 1, dec!(9000));
    assert!(mark(&mut g, 3 * DAY_MS, dec!(9000)).is_empty());
    assert!(!g.state().trading_allowed);

    let mut sink = Vec::new();
    let wrong = g.reset(
        "daily_loss",
        &request("guess-guess-guess-guess"),
        Timestamp::from_ms(3 * DAY_MS),
        &mut sink,
    );
    assert_eq!(wrong, Err(ResetError::Unauthorized));
    let unknown = g.reset(
        "nope",
        &request(TOKEN),
        Timestamp::from_ms(3 * DAY_MS),
        &mut sink,
    );
    assert_eq!(unknown, Err(ResetError::UnknownBreaker("nope".into())));
    assert!(sink.is_empty());
    assert_eq!(store.transitions().len(), 1);
    assert!(!g.state().trading_allowed);

    g.reset(
        "daily_loss",
        &request(TOKEN),
        Timestamp::from_ms(3 * DAY_MS),
        &mut sink,
    )
    .unwrap();
    assert_eq!(
        sink,
        vec![EngineEvent::BreakerReset {
            time: Timestamp::from_ms(3 * DAY_MS),
            breaker: "daily_loss".into(),
            operator: "alice".into(),
            reason: "loss reviewed".into(),
        }]
    );
    let stored = store.breaker("daily_loss").unwrap();
    assert_eq!(stored.state, BreakerState::CoolingDown);
    assert_eq!(
        stored.cooldown_until,
        Some(Timestamp::from_ms(3 * DAY_MS + 60_000))
    );
    assert_eq!(store.transitions()[1].operator.as_deref(), Some("alice"));
    assert!(g.state().trading_allowed);
    // A second reset is an illegal transition: it is not tripped any more.
    assert!(matches!(
        g.reset(
            "daily_loss",
            &request(TOKEN),
            Timestamp::from_ms(3 * DAY_MS),
            &mut sink
        ),
        Err(ResetError::Transition(_))
    ));
    // Cooling down, then armed after the delay; the loss counts from the reset.
    assert!(mark(&mut g, 3 * DAY_MS + 59_999, dec!(8600)).is_empty());
    let armed = mark(&mut g, 3 * DAY_MS + 60_000, dec!(8600));
    assert!(
        matches!(armed[..], [EngineEvent::BreakerArmed { .. }]),
        "{armed:?}"
    );
    assert!(mark(&mut g, 3 * DAY_MS + 60_001, dec!(8600)).is_empty());
    assert_eq!(mark(&mut g, 3 * DAY_MS + 60_002, dec!(8499)).len(), 1);
}

#[test]
fn a_gate_without_a_secret_refuses_every_reset() {
    let store = MemoryStore::new();
    let mut g = BreakerGate::new(
        ApproveAll::default(),
        &daily_loss(false),
        Box::new(store.clone()),
        Timestamp::from_ms(0),
    )
    .unwrap();
    mark(&mut g, 0, dec!(10000));
    mark(&mut g, 1, dec!(9000));
    let mut sink = Vec::new();
    assert_eq!(
        g.reset(
            "daily_loss",
            &request(TOKEN),
            Timestamp::from_ms(2),
            &mut sink
        ),
        Err(ResetError::NotConfigured)
    );
    assert_eq!(g.record("daily_loss").unwrap().state, BreakerState::Tripped);
}

#[test]
fn a_restart_keeps_a_tripped_breaker_tripped() {
    let store = MemoryStore::new();
    {
        let mut g = gate(&daily_loss(false), &store);
        mark(&mut g, 0, dec!(10000));
        mark(&mut g, 1, dec!(9000));
    }
    let mut g = gate(&daily_loss(false), &store);
    assert!(!g.state().trading_allowed);
    assert_eq!(g.record("daily_loss").unwrap().state, BreakerState::Tripped);
    assert!(matches!(
        g.check(buy(), &long_one()),
        RiskOutcome::Refused { .. }
    ));
}

#[test]
fn a_trip_acts_even_when_the_store_fails_but_a_release_waits_for_it() {
    let store = MemoryStore::new();
    let mut g = gate(&daily_loss(true), &store);
    mark(&mut g, 0, dec!(10000));
    store.fail_writes(true);
    assert_eq!(mark(&mut g, 1, dec!(9000)).len(), 1);
    assert!(!g.state().trading_allowed);
    assert!(g.store_error().is_some());
    // Midnight passes but the release cannot be written: still tripped.
    assert!(mark(&mut g, DAY_MS, dec!(9000)).is_empty());
    assert!(!g.state().trading_allowed);
    let mut sink = Vec::new();
    assert!(matches!(
        g.reset(
            "daily_loss",
            &request(TOKEN),
            Timestamp::from_ms(DAY_MS),
            &mut sink
        ),
        Err(ResetError::Store(_))
    ));
    assert!(!g.state().trading_allowed);
    store.fail_writes(false);
    assert_eq!(mark(&mut g, DAY_MS + 1, dec!(9000)).len(), 2);
    assert!(g.state().trading_allowed);
}

fn position(realized: Decimal, qty: Decimal) -> EngineEvent {
    EngineEvent::PositionChanged {
        time: Timestamp::from_ms(0),
        instrument: "binance:BTCUSDT".parse().unwrap(),
        qty,
        avg_price: dec!(100),
        realized_pnl: realized,
    }
}

#[test]
fn consecutive_losses_trip_and_release_after_the_cooldown() {
    let store = MemoryStore::new();
    let config = BreakerConfig {
        consecutive_losses: Some(ConsecutiveLossesConfig {
            max_losses: 2,
            cooldown_ms: Some(3_600_000),
        }),
        ..Default::default()
    };
    let mut g = gate(&config, &store);
    let mut sink = Vec::new();
    for e in [
        position(dec!(0), dec!(1)),
        position(dec!(-1), dec!(0)),
        position(dec!(-1), dec!(1)),
        position(dec!(-2), dec!(0)),
    ] {
        g.observe(RiskObservation::Event(&e), &mut sink);
    }
    assert!(matches!(
        sink[..],
        [EngineEvent::BreakerTripped {
            cooldown_until: Some(cooldown_until),
            ..
        }] if cooldown_until.ms() == 3_600_000));
    assert!(!g.state().trading_allowed);
    g.observe(
        RiskObservation::Time(Timestamp::from_ms(3_600_000)),
        &mut sink,
    );
    assert!(g.state().trading_allowed);
    assert_eq!(
        g.record("consecutive_losses").unwrap().state,
        BreakerState::Armed
    );
}

#[test]
fn the_error_rate_and_volatility_breakers_watch_orders_and_bars() {
    let store = MemoryStore::new();
    let config = BreakerConfig {
        error_rate: Some(ErrorRateConfig {
            window: 3,
            max_errors: 2,
            cooldown_ms: None,
        }),
        volatility_spike: Some(VolatilitySpikeConfig {
            atr_period: 2,
            multiple: dec!(3),
            cooldown_ms: None,
        }),
        ..Default::default()
    };
    let mut g = gate(&config, &store);
    let mut sink = Vec::new();
    let rejected = EngineEvent::OrderRejected {
        time: Timestamp::from_ms(5),
        client_id: ClientOrderId::from_decision("t", Timestamp::from_ms(0), 0),
        reason: "venue error".into(),
    };
    g.observe(RiskObservation::Event(&rejected), &mut sink);
    assert!(sink.is_empty());
    g.observe(RiskObservation::Event(&rejected), &mut sink);
    assert!(
        matches!(&sink[..], [EngineEvent::BreakerTripped { breaker, .. }] if breaker == "error_rate")
    );
    sink.clear();
    for (i, high) in [dec!(101), dec!(101), dec!(104)].into_iter().enumerate() {
        let candle = Candle {
            open_time: Timestamp::from_ms(i as i64 * 60_000),
            open: dec!(100),
            high,
            low: dec!(100),
            close: dec!(100),
            volume: dec!(1),
        };
        let close_time = candle.open_time + 60_000;
        g.observe(
            RiskObservation::Bar {
                instrument: InstrumentIndex::new(0),
                timeframe: Timeframe::M1,
                candle: &candle,
                close_time,
            },
            &mut sink,
        );
    }
    assert!(
        matches!(&sink[..], [EngineEvent::BreakerTripped { breaker, .. }] if breaker == "volatility_spike")
    );
    assert_eq!(
        g.state().tripped_breakers,
        vec!["volatility_spike".to_string(), "error_rate".to_string()]
    );
}

#[test]
fn the_inner_gate_still_decides_what_passes_the_breakers() {
    let limits = smc_risk::LimitsGate::new(smc_risk::Limits {
        max_position_size: Some(dec!(50)),
        ..Default::default()
    });
    let store = MemoryStore::new();
    let mut g = BreakerGate::new(
        limits,
        &daily_loss(false),
        Box::new(store),
        Timestamp::from_ms(0),
    )
    .unwrap();
    assert_eq!(g.name(), "breakers+limits");
    let flat = PortfolioSnapshot {
        equity: dec!(10000),
        positions: vec![PositionSnapshot {
            mark_price: dec!(100),
            ..Default::default()
        }],
        ..Default::default()
    };
    match g.check(buy(), &flat) {
        RiskOutcome::Resized { intent, reason } => {
            assert_eq!(intent.size, Size::Qty(dec!(0.5)));
            assert!(reason.contains("max_position_size"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}
