//! `smc store migrate` and `smc store copy`, run as a process: a SQLite
//! journal with orders, fills, candles, venue reports and session facts
//! copied into a throwaway PostgreSQL cluster reads back the same; a copy
//! into a database that already holds a journal is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::{
    ClientOrderId, EngineEvent, Fill, Liquidity, OrderKind, OrderRequest, OrderStatus, Side,
    TimeInForce, Timeframe, Timestamp,
};
use smc_store::{CandleReceipt, LoggedCandle, Store, open_journal};
use smc_testkit::postgres::Cluster;
use std::process::{Command, Output};

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("smc runs")
}

fn journal_with_a_trade(store: &Store) {
    let order = OrderRequest {
        client_id: ClientOrderId::new("smc-1-0"),
        instrument: "binance:ETHUSDT".parse().unwrap(),
        side: Side::Buy,
        qty: dec!(1.5),
        kind: OrderKind::Limit {
            price: dec!(2000.50),
        },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    let fill = Fill {
        client_id: order.client_id.clone(),
        instrument: order.instrument.clone(),
        trade_id: "t1".into(),
        side: Side::Buy,
        price: dec!(2000.50),
        qty: dec!(1),
        fee: dec!(0.2),
        fee_source: smc_model::FeeSource::Quote,
        liquidity: Liquidity::Maker,
        time: Timestamp::from_ms(5_000),
    };
    let candle = smc_model::Candle {
        open_time: Timestamp::from_ms(1_700_000_000_000),
        open: dec!(1),
        high: dec!(2),
        low: dec!(0.5),
        close: dec!(1.5),
        volume: dec!(10),
    };
    let logged = LoggedCandle {
        instrument: order.instrument.clone(),
        timeframe: Timeframe::H1,
        candle,
        receipt: CandleReceipt {
            received_at: Some(Timestamp::from_ms(7)),
            history: true,
        },
    };
    let events = [
        EngineEvent::OrderSubmitted {
            time: Timestamp::from_ms(1_000),
            order,
            setup: None,
        },
        EngineEvent::Fill(fill),
    ];
    store.commit_step(Some(&logged), &events).unwrap();
    assert!(store.log_venue_report("fill:t1", 1, "{\"r\":1}").unwrap());
    store.session_value_or_insert("start", "42").unwrap();
}

#[test]
fn a_sqlite_journal_copied_into_postgres_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("j.db");
    let migrated = smc(&["store", "migrate", "--db", &file.display().to_string()]);
    assert!(migrated.status.success(), "{migrated:?}");
    let source = Store::open_path(&file).unwrap();
    journal_with_a_trade(&source);
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let migrated = smc(&["store", "migrate", "--db", &url]);
    assert!(migrated.status.success(), "{migrated:?}");
    let copied = smc(&[
        "store",
        "copy",
        "--from",
        &file.display().to_string(),
        "--to",
        &url,
    ]);
    assert!(copied.status.success(), "{copied:?}");
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(
        said.contains("copied 1 candles, 1 venue reports, 1 orders, 1 fills"),
        "{said}"
    );
    {
        let copy = open_journal(&url).unwrap();
        assert_eq!(copy.orders().unwrap(), source.orders().unwrap());
        assert_eq!(copy.fills().unwrap(), source.fills().unwrap());
        assert_eq!(
            copy.logged_candles().unwrap(),
            source.logged_candles().unwrap()
        );
        assert_eq!(
            copy.venue_reports().unwrap(),
            source.venue_reports().unwrap()
        );
        assert_eq!(copy.session_value("start").unwrap().as_deref(), Some("42"));
        // The report's key came along: the same report is not logged twice.
        assert!(!copy.log_venue_report("fill:t1", 1, "{}").unwrap());
        let o = copy.order(&ClientOrderId::new("smc-1-0")).unwrap().unwrap();
        assert_eq!(
            (o.status, o.filled_qty),
            (OrderStatus::PartiallyFilled, dec!(1))
        );
    }
    // A second copy would merge two journals: refused, nothing written.
    let again = smc(&[
        "store",
        "copy",
        "--from",
        &file.display().to_string(),
        "--to",
        &url,
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a journal"));
    assert_eq!(open_journal(&url).unwrap().orders().unwrap().len(), 1);
}
