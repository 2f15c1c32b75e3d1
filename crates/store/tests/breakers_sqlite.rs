//! The SQLite store with a real file: migrations, breaker states that
//! survive a restart (drop and reopen), the audit trail, the reset-token
//! verifier, and the breaker gate running on it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use rust_decimal::dec;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, EngineEvent, OrderIntent, PortfolioSnapshot, PositionSnapshot, RiskGate,
    RiskObservation, RiskOutcome, Side, Size,
};
use smc_risk::breakers::{
    Action, BreakerConfig, BreakerGate, BreakerRecord, BreakerState, DailyLossConfig, ResetError,
    ResetRequest, ResetVerifier,
};
use smc_store::BREAKER_RESET;
use smc_store::Store;

const TOKEN: &str = "correct-horse-battery-staple";

fn config() -> BreakerConfig {
    BreakerConfig {
        daily_loss: Some(DailyLossConfig {
            max_loss: Some(dec!(500)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn gate(path: &std::path::Path) -> BreakerGate<ApproveAll> {
    let store = Store::open_path(path).unwrap();
    let verifier = store.verifier(BREAKER_RESET).unwrap();
    let g = BreakerGate::new(
        ApproveAll::default(),
        &config(),
        Box::new(store),
        Timestamp::from_ms(0),
    )
    .unwrap();
    match verifier {
        Some(v) => g.with_reset_verifier(Box::new(v)),
        None => g,
    }
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

fn flat() -> PortfolioSnapshot {
    PortfolioSnapshot {
        equity: dec!(9000),
        positions: vec![PositionSnapshot {
            mark_price: dec!(100),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn a_new_file_is_created_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let store = Store::open_path(&path).unwrap();
    assert!(path.exists());
    assert_eq!(store.applied_migrations().unwrap(), migrations());
    assert!(store.breakers().unwrap().is_empty());
    drop(store);
    // Reopening does not migrate twice.
    assert_eq!(
        Store::open_path(&path)
            .unwrap()
            .applied_migrations()
            .unwrap(),
        migrations()
    );
}

/// The versions of the migration files (`V7__audit.sql` is 7), in order.
fn migrations() -> Vec<i64> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut versions: Vec<i64> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|f| {
            let name = f.unwrap().file_name().into_string().unwrap();
            name.strip_prefix('V')?.split_once("__")?.0.parse().ok()
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(versions.first(), Some(&1));
    versions
}

#[test]
fn only_sqlite_urls_and_existing_files_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let url = format!("sqlite://{}", missing.display());
    let err = Store::open_existing(&url).unwrap_err();
    assert!(err.to_string().contains("no database"), "{err}");
    assert!(!missing.exists());
    let err = Store::open("postgres://localhost/smc").unwrap_err();
    assert!(err.to_string().contains("only sqlite"), "{err}");
}

#[test]
fn a_tripped_breaker_survives_a_restart_and_still_refuses_new_risk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let mut g = gate(&path);
        mark(&mut g, 1_000, dec!(10000));
        let events = mark(&mut g, 2_000, dec!(9400));
        assert!(matches!(events[..], [EngineEvent::BreakerTripped { .. }]));
    } // the process stops
    let store = Store::open_path(&path).unwrap();
    let r = store.breaker("daily_loss").unwrap().unwrap();
    assert_eq!(r.state, BreakerState::Tripped);
    assert_eq!(r.tripped_at, Some(Timestamp::from_ms(2_000)));
    assert!(r.reason.unwrap().contains("lost 600 today"));
    let trail = store.breaker_events(Some("daily_loss"), None).unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].transition.action, Action::Trip);
    drop(store);

    let mut g = gate(&path);
    assert!(!g.state().trading_allowed);
    let buy = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(1)));
    assert!(matches!(g.check(buy, &flat()), RiskOutcome::Refused { .. }));
}

#[test]
fn resets_are_authorized_against_the_enrolled_verifier_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let store = Store::open_path(&path).unwrap();
        assert!(store.verifier(BREAKER_RESET).unwrap().is_none());
        store.enroll_secret(BREAKER_RESET, TOKEN, 5).unwrap();
        let v = store.verifier(BREAKER_RESET).unwrap().unwrap();
        assert!(v.verify(TOKEN));
        assert!(!v.verify("correct-horse-battery-stapl"));
    }
    let mut g = gate(&path);
    mark(&mut g, 0, dec!(10000));
    mark(&mut g, 1, dec!(9000));
    let mut sink = Vec::new();
    let bad = ResetRequest {
        operator: "mallory".into(),
        reason: "let me trade".into(),
        token: "guess-guess-guess-guess".to_string().into(),
    };
    assert_eq!(
        g.reset("daily_loss", &bad, Timestamp::from_ms(10), &mut sink),
        Err(ResetError::Unauthorized)
    );
    let good = ResetRequest {
        operator: "alice".into(),
        reason: "loss reviewed".into(),
        token: TOKEN.to_string().into(),
    };
    g.reset("daily_loss", &good, Timestamp::from_ms(10), &mut sink)
        .unwrap();
    drop(g);

    let store = Store::open_path(&path).unwrap();
    assert_eq!(
        store.breaker("daily_loss").unwrap().unwrap().state,
        BreakerState::CoolingDown
    );
    let trail = store.breaker_events(None, None).unwrap();
    let actions: Vec<Action> = trail.iter().map(|t| t.transition.action).collect();
    assert_eq!(actions, vec![Action::Trip, Action::Reset]);
    let reset = &trail[1].transition;
    assert_eq!(reset.operator.as_deref(), Some("alice"));
    assert_eq!(reset.reason, "loss reviewed");
    assert_eq!(
        (reset.from, reset.to),
        (BreakerState::Tripped, BreakerState::CoolingDown)
    );
    // The last-N view keeps the newest, oldest first.
    let last = store.breaker_events(None, Some(1)).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].transition.action, Action::Reset);
}

#[test]
fn inserting_an_existing_breaker_keeps_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("s.db")).unwrap();
    let armed = BreakerRecord::armed("drawdown", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(
            Timestamp::from_ms(7),
            "drawdown 12%".into(),
            Some(Timestamp::from_ms(99)),
        )
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    store
        .insert_breaker(&BreakerRecord::armed("drawdown", Timestamp::from_ms(8)))
        .unwrap();
    assert_eq!(store.breaker("drawdown").unwrap().unwrap(), tripped);
}
