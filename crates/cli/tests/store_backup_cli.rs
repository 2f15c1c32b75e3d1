//! `smc store backup` and `smc store restore`, run as processes: a journal
//! with an order and its fills backed up, restored into a new database and
//! read back the same, on SQLite and on a throwaway PostgreSQL cluster; a
//! restore over a database that holds data is refused without --force, and
//! the database comes from DATABASE_URL when --db is not given.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::{
    ClientOrderId, EngineEvent, Fill, Liquidity, OrderKind, OrderRequest, Side, TimeInForce,
    Timestamp,
};
use smc_store::{Journal, StoredOrder, open_journal, open_journal_reader};
use smc_testkit::postgres::Cluster;
use std::path::Path;
use std::process::{Command, Output};

fn smc(args: &[&str], database_url: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smc"));
    command.args(args).env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("smc runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One order in two fills, and a second order still open.
fn journal_with_trades(j: &dyn Journal) {
    for (id, ms) in [("smc-1-0", 1_000), ("smc-2-0", 9_000)] {
        let order = OrderRequest {
            client_id: ClientOrderId::new(id),
            instrument: "binance:ETHUSDT".parse().unwrap(),
            side: Side::Buy,
            qty: dec!(1.5),
            kind: OrderKind::Limit {
                price: dec!(2000.50),
            },
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
        };
        j.commit_step(
            None,
            &[EngineEvent::OrderSubmitted {
                time: Timestamp::from_ms(ms),
                order,
                setup: None,
            }],
        )
        .unwrap();
    }
    for (trade, qty) in [("t1", dec!(1)), ("t2", dec!(0.5))] {
        j.replay(&EngineEvent::Fill(Fill {
            client_id: ClientOrderId::new("smc-1-0"),
            instrument: "binance:ETHUSDT".parse().unwrap(),
            trade_id: trade.into(),
            side: Side::Buy,
            price: dec!(2000.50),
            qty,
            fee: dec!(0.2),
            fee_source: smc_model::FeeSource::Quote,
            liquidity: Liquidity::Maker,
            time: Timestamp::from_ms(5_000),
        }))
        .unwrap();
    }
}

fn rows(url: &str) -> (Vec<StoredOrder>, Vec<Fill>) {
    let j = open_journal_reader(url).unwrap();
    (j.orders().unwrap(), j.fills().unwrap())
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_sqlite_journal_round_trips_through_backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("live.db");
    let source_url = format!("sqlite://{}", source.display());
    let session = open_journal(&source_url).unwrap();
    journal_with_trades(session.as_ref());
    let file = dir.path().join("smc.backup");

    // The session keeps the journal open: the backup is online.
    let out = smc(
        &[
            "store",
            "backup",
            "--db",
            path_str(&source),
            "--to",
            path_str(&file),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("backed up"), "{}", text(&out));
    assert!(file.exists());

    let target = dir.path().join("restored.db");
    let out = smc(
        &[
            "store",
            "restore",
            "--from",
            path_str(&file),
            "--db",
            path_str(&target),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 orders, 2 fills"), "{}", text(&out));
    let target_url = format!("sqlite://{}", target.display());
    assert_eq!(rows(&target_url), rows(&source_url));

    // Again over the restored file: refused without --force, and the
    // message says how.
    let out = smc(
        &[
            "store",
            "restore",
            "--from",
            path_str(&file),
            "--db",
            path_str(&target),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("--force"), "{}", text(&out));
    let out = smc(
        &[
            "store",
            "restore",
            "--from",
            path_str(&file),
            "--db",
            path_str(&target),
            "--force",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    drop(session);
}

#[test]
fn the_database_defaults_to_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let source_url = format!("sqlite://{}", dir.path().join("env.db").display());
    journal_with_trades(open_journal(&source_url).unwrap().as_ref());
    let file = dir.path().join("env.backup");
    let out = smc(
        &["store", "backup", "--to", path_str(&file)],
        Some(&source_url),
    );
    assert!(out.status.success(), "{}", text(&out));
    let target_url = format!("sqlite://{}", dir.path().join("env2.db").display());
    let out = smc(
        &["store", "restore", "--from", path_str(&file)],
        Some(&target_url),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(rows(&target_url), rows(&source_url));
}

#[test]
fn a_postgres_journal_round_trips_through_pg_dump_and_pg_restore() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let source = pg.database();
    journal_with_trades(open_journal(&source).unwrap().as_ref());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg.dump");
    let out = smc(
        &["store", "backup", "--db", &source, "--to", path_str(&file)],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("(postgres)"), "{}", text(&out));

    let target = pg.database();
    let out = smc(
        &[
            "store",
            "restore",
            "--from",
            path_str(&file),
            "--db",
            &target,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 orders, 2 fills"), "{}", text(&out));
    assert_eq!(rows(&target), rows(&source));
}
