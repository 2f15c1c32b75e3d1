use super::*;
use rust_decimal::dec;
use smc_runtime::event::Stream;

fn t(s: i64) -> Timestamp {
    Timestamp::from_ms(s * 1_000)
}

fn engine(e: EngineEvent) -> SessionEvent {
    SessionEvent::Engine(e)
}

fn tripped(name: &str) -> SessionEvent {
    engine(EngineEvent::BreakerTripped {
        time: t(0),
        breaker: name.into(),
        reason: "daily loss 5.2% ≥ 5%".into(),
        cooldown_until: None,
    })
}

#[test]
fn a_breaker_opens_once_and_resolves_on_reset() {
    let mut w = Watcher::new(AlertRules::default(), "s1");
    let a = w.observe(&tripped("daily_loss"), t(1));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].key, "breaker:daily_loss");
    assert_eq!(a[0].severity, Severity::Critical);
    assert_eq!(a[0].session, "s1");
    assert!(
        w.observe(&tripped("daily_loss"), t(2)).is_empty(),
        "already open"
    );
    let reset = engine(EngineEvent::BreakerReset {
        time: t(3),
        breaker: "daily_loss".into(),
        operator: "ops".into(),
        reason: "checked".into(),
    });
    let r = w.observe(&reset, t(3));
    assert_eq!(r.len(), 1);
    assert!(r[0].resolved);
    assert!(w.observe(&reset, t(4)).is_empty(), "resolved once");
}

#[test]
fn a_stream_alerts_only_after_being_down_long_enough() {
    let mut w = Watcher::new(AlertRules::default(), "s");
    let down = SessionEvent::Connection {
        stream: Stream::MarketData,
        change: Connection::Disconnected {
            reason: "reset".into(),
        },
    };
    assert!(w.observe(&down, t(0)).is_empty());
    assert!(w.tick(t(59)).is_empty());
    let a = w.tick(t(60));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].key, "disconnected:market_data");
    assert!(w.tick(t(61)).is_empty());
    let up = SessionEvent::Connection {
        stream: Stream::MarketData,
        change: Connection::Connected { reconnect: true },
    };
    let r = w.observe(&up, t(70));
    assert!(r.len() == 1 && r[0].resolved);
    // A short blip alerts nothing.
    w.observe(&down, t(100));
    assert!(w.observe(&up, t(110)).is_empty());
    assert!(w.tick(t(200)).is_empty());
}

#[test]
fn rejections_alert_at_the_count_within_the_window() {
    let mut w = Watcher::new(AlertRules::default(), "s");
    let rejected = |n: i64| {
        engine(EngineEvent::OrderRejected {
            time: t(n),
            client_id: smc_model::ClientOrderId::new(format!("o{n}")),
            reason: "-2010 insufficient balance".into(),
        })
    };
    assert!(w.observe(&rejected(0), t(0)).is_empty());
    assert!(w.observe(&rejected(1), t(1)).is_empty());
    let a = w.observe(&rejected(2), t(2));
    assert_eq!(a.len(), 1);
    assert!(a[0].text.contains("3 orders rejected"), "{}", a[0].text);
    assert!(w.tick(t(300)).is_empty(), "still inside ten minutes");
    let r = w.tick(t(603));
    assert!(r.len() == 1 && r[0].resolved);
}

#[test]
fn daily_pnl_thresholds_open_and_clear() {
    let rules = AlertRules {
        daily_pnl_below: Some(dec!(-100)),
        ..AlertRules::default()
    };
    let mut w = Watcher::new(rules, "s");
    let mark = |s: i64, equity| {
        engine(EngineEvent::EquityMark {
            time: t(s),
            cash: equity,
            equity,
        })
    };
    assert!(w.observe(&mark(0, dec!(1000)), t(0)).is_empty());
    let a = w.observe(&mark(60, dec!(899)), t(60));
    assert_eq!(a[0].key, "daily_pnl:below");
    assert!(w.observe(&mark(120, dec!(850)), t(120)).is_empty());
    let r = w.observe(&mark(180, dec!(950)), t(180));
    assert!(r[0].resolved);
    // The next day starts from its first mark.
    assert!(w.observe(&mark(86_400, dec!(800)), t(86_400)).is_empty());
}

#[test]
fn a_safety_exit_is_critical_and_a_disabled_rule_is_silent() {
    let mut w = Watcher::new(AlertRules::default(), "s");
    let failed = |action| {
        engine(EngineEvent::ProtectionFailed {
            time: t(0),
            instrument: smc_model::InstrumentId::new("binance", "BTCUSDT").unwrap(),
            client_id: smc_model::ClientOrderId::new("stop-1"),
            reason: "-2021 would immediately trigger".into(),
            action,
        })
    };
    let a = w.observe(&failed(ProtectionAction::Exit), t(0));
    assert_eq!(a[0].key, "safety_exit:binance:BTCUSDT");
    assert_eq!(a[0].severity, Severity::Critical);
    let mut rules = AlertRules::default();
    rules.protection_refused.enabled = false;
    let mut quiet = Watcher::new(rules, "s");
    assert!(
        quiet
            .observe(&failed(ProtectionAction::Retry), t(0))
            .is_empty()
    );
}

#[test]
fn stale_data_opens_after_silence_and_clears_with_a_candle() {
    let mut w = Watcher::new(AlertRules::default(), "s");
    assert!(
        w.tick(t(10_000)).is_empty(),
        "no candle yet: nothing to be stale"
    );
    let started = SessionEvent::notice(smc_runtime::event::Level::Info, "x");
    w.observe(&started, t(0));
    let candle = SessionEvent::Candle(smc_runtime::event::CandleClosed {
        symbol: "BTCUSDT".into(),
        timeframe: smc_model::Timeframe::M1,
        candle: smc_model::Candle {
            open_time: t(0),
            open: dec!(1),
            high: dec!(1),
            low: dec!(1),
            close: dec!(1),
            volume: dec!(0),
        },
        candle_to_order_us: None,
    });
    w.observe(&candle, t(0));
    assert!(w.tick(t(599)).is_empty());
    assert_eq!(w.tick(t(600))[0].key, "data_stale");
    assert!(w.observe(&candle, t(601))[0].resolved);
}

#[test]
fn the_json_form_raises_what_the_event_raises() {
    let down = SessionEvent::Connection {
        stream: Stream::UserData,
        change: Connection::Disconnected {
            reason: "eof".into(),
        },
    };
    let up = SessionEvent::Connection {
        stream: Stream::UserData,
        change: Connection::Connected { reconnect: true },
    };
    let reset = engine(EngineEvent::BreakerCoolingDown {
        time: t(5),
        breaker: "drawdown".into(),
        reason: "cooldown ended".into(),
    });
    let stopped = SessionEvent::Stopped(smc_runtime::event::Stopped {
        mode: smc_runtime::event::Mode::Paper,
        candles: 42,
        latency: None,
        differences: None,
        account: None,
    });
    let script = [
        (tripped("drawdown"), 0),
        (down, 1),
        (reset, 5),
        (up, 100),
        (stopped, 101),
    ];
    let (mut typed, mut json) = (
        Watcher::new(AlertRules::default(), "s"),
        Watcher::new(AlertRules::default(), "s"),
    );
    let summary = |alerts: Vec<Alert>| -> Vec<(String, bool, String)> {
        alerts
            .into_iter()
            .map(|a| (a.key, a.resolved, a.text))
            .collect()
    };
    let mut seen = 0;
    for (event, at) in &script {
        let value = serde_json::to_value(event).unwrap();
        let mut a = summary(typed.observe(event, t(*at)));
        let mut b = summary(json.observe_json(&value, t(*at)));
        a.extend(summary(typed.tick(t(*at + 90))));
        b.extend(summary(json.tick(t(*at + 90))));
        assert_eq!(a, b, "after {value}");
        seen += a.len();
    }
    assert_eq!(
        seen, 5,
        "trip, down (after 60 s), reset, up and stopped all compared"
    );
}
