//! `smc_store::backup` end to end: a journal with orders and fills backed up
//! while its session still has it open, restored into a new database, read
//! back the same; and the restores that must be refused (a file that
//! exists, a database in use, a session's lock held, a backup of the other
//! kind). On SQLite (temporary files) and PostgreSQL (a throwaway cluster;
//! skipped, with the reason printed, only where PostgreSQL is not
//! installed and this is not CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

// testkit depends on this crate, so its std-only cluster is shared by path.
#[path = "../../testkit/src/postgres.rs"]
mod cluster;

use rust_decimal::{Decimal, dec};
use smc_model::{
    ClientOrderId, EngineEvent, Fill, Liquidity, OrderKind, OrderRequest, OrderStatus, Side,
    TimeInForce, Timestamp,
};
use smc_store::backup::{BackupError, backup, restore};
use smc_store::{Journal, open_journal, open_journal_reader};
use std::path::Path;

fn request(id: &str, qty: Decimal) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(id),
        instrument: "binance:ETHUSDT".parse().unwrap(),
        side: Side::Buy,
        qty,
        kind: OrderKind::Limit { price: dec!(2000) },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

fn fill(id: &str, trade: &str, qty: Decimal, ms: i64) -> Fill {
    Fill {
        client_id: ClientOrderId::new(id),
        instrument: "binance:ETHUSDT".parse().unwrap(),
        trade_id: trade.into(),
        side: Side::Buy,
        price: dec!(2000),
        qty,
        fee: dec!(0.2),
        fee_source: smc_model::FeeSource::Quote,
        liquidity: Liquidity::Maker,
        time: Timestamp::from_ms(ms),
    }
}

/// Journals `n` orders, each accepted and filled in two trades, the last
/// one left open with one partial fill.
fn trade(j: &dyn Journal, n: usize) {
    for i in 0..n {
        let id = format!("smc-{i}-0");
        let ms = 1_000 * (i as i64 + 1);
        j.commit_step(
            None,
            &[EngineEvent::OrderSubmitted {
                time: Timestamp::from_ms(ms),
                order: request(&id, dec!(1.5)),
                setup: None,
            }],
        )
        .unwrap();
        j.set_order_status(
            &ClientOrderId::new(&id),
            OrderStatus::Submitted,
            None,
            Some(&format!("v{i}")),
            Timestamp::from_ms(ms + 1),
        )
        .unwrap();
        j.replay(&EngineEvent::Fill(fill(
            &id,
            &format!("t{i}a"),
            dec!(1),
            ms + 2,
        )))
        .unwrap();
        if i + 1 < n {
            j.replay(&EngineEvent::Fill(fill(
                &id,
                &format!("t{i}b"),
                dec!(0.5),
                ms + 3,
            )))
            .unwrap();
        }
    }
}

/// Orders and fills of the journal at `url`, read without its lock.
fn rows(url: &str) -> (Vec<smc_store::StoredOrder>, Vec<Fill>) {
    let j = open_journal_reader(url).unwrap();
    (j.orders().unwrap(), j.fills().unwrap())
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn refusal(e: BackupError) -> String {
    match e {
        BackupError::Refused { reason, .. } => reason,
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn a_sqlite_journal_backed_up_while_open_comes_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir.path().join("live.db"));
    let live = open_journal(&source).unwrap();
    trade(live.as_ref(), 5);
    // The session still runs: its last writes are in the WAL, not yet in
    // the database file; the online backup must see them.
    let file = dir.path().join("backup.sqlite");
    let report = backup(&source, &file).unwrap();
    assert_eq!(report.kind, "sqlite");
    assert!(report.bytes > 0 && report.bytes == std::fs::metadata(&file).unwrap().len());
    assert!(!dir.path().join("backup.sqlite.partial").exists());
    // A write after the backup is not in it.
    trade_one_more(live.as_ref());
    let target = dir.path().join("restored.db");
    let restored = restore(&file, &sqlite_url(&target), false).unwrap();
    assert_eq!((restored.orders, restored.fills), (5, 9));
    let (orders, fills) = rows(&sqlite_url(&target));
    let (live_orders, live_fills) = rows(&source);
    assert_eq!(orders[..], live_orders[..5]);
    assert_eq!(fills[..], live_fills[..9]);
    assert_eq!(live_orders.len(), 6, "the live journal went on");
    let open = orders.iter().filter(|o| o.status != OrderStatus::Filled);
    assert_eq!(open.count(), 1, "the last order is still partly filled");
    // The restored file is a journal a session can open and extend.
    drop(live);
    let again = open_journal(&sqlite_url(&target)).unwrap();
    trade_one_more(again.as_ref());
    assert_eq!(again.orders().unwrap().len(), 6);
}

fn trade_one_more(j: &dyn Journal) {
    j.commit_step(
        None,
        &[EngineEvent::OrderSubmitted {
            time: Timestamp::from_ms(99_000),
            order: request("smc-99-0", dec!(1)),
            setup: None,
        }],
    )
    .unwrap();
}

#[test]
fn a_sqlite_restore_refuses_a_file_that_exists_is_open_or_locked() {
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir.path().join("a.db"));
    trade(open_journal(&source).unwrap().as_ref(), 3);
    let file = dir.path().join("a.backup");
    backup(&source, &file).unwrap();

    let target_path = dir.path().join("b.db");
    let target = sqlite_url(&target_path);
    trade(open_journal(&target).unwrap().as_ref(), 1);
    // It exists: only with force.
    let e = refusal(restore(&file, &target, false).unwrap_err());
    assert!(e.contains("--force"), "{e}");
    // Open in another connection (a server): not even with force.
    let open = open_journal(&target).unwrap();
    let e = refusal(restore(&file, &target, true).unwrap_err());
    assert!(e.contains("another process has it open"), "{e}");
    assert_eq!(open.orders().unwrap().len(), 1, "left as it was");
    drop(open);
    // A session's lock held (smc_runtime::SessionLock's file).
    let lock = std::fs::File::create(dir.path().join("b.db.lock")).unwrap();
    lock.try_lock().unwrap();
    let e = refusal(restore(&file, &target, true).unwrap_err());
    assert!(e.contains("a session is running on it"), "{e}");
    drop(lock);
    // Nobody left: replaced, and the old WAL does not creep back.
    let restored = restore(&file, &target, true).unwrap();
    assert_eq!((restored.orders, restored.fills), (3, 5));
    assert_eq!(rows(&target), rows(&source));
}

#[test]
fn a_backup_of_the_other_kind_or_no_backup_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir.path().join("a.db"));
    trade(open_journal(&source).unwrap().as_ref(), 1);
    let file = dir.path().join("a.backup");
    backup(&source, &file).unwrap();
    // Checked before any connection: no server needed.
    let e = restore(&file, "postgres://smc@127.0.0.1:1/smc", false).unwrap_err();
    assert!(matches!(e, BackupError::WrongFormat { .. }), "{e}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all").unwrap();
    let e = restore(&text, &sqlite_url(&dir.path().join("c.db")), false).unwrap_err();
    assert!(matches!(e, BackupError::WrongFormat { .. }), "{e}");
    assert!(!dir.path().join("c.db").exists());
    // A missing database is not backed up as an empty one.
    let e = backup(&sqlite_url(&dir.path().join("none.db")), &file).unwrap_err();
    assert!(e.to_string().contains("no database"), "{e}");
    assert!(file.exists(), "the earlier backup is left alone");
}

#[test]
fn a_postgres_journal_backed_up_while_open_comes_back_whole() {
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let source = pg.database();
    let live = open_journal(&source).unwrap();
    trade(live.as_ref(), 4);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg.dump");
    // The session holds its advisory lock and its connection meanwhile.
    let report = backup(&source, &file).unwrap();
    assert_eq!(report.kind, "postgres");
    assert!(std::fs::read(&file).unwrap().starts_with(b"PGDMP"));

    let target = pg.database();
    let restored = restore(&file, &target, false).unwrap();
    assert_eq!((restored.orders, restored.fills), (4, 7));
    assert_eq!(rows(&target), rows(&source));

    // Now it holds tables: only with force.
    wait_for_no_clients(&target);
    let e = refusal(restore(&file, &target, false).unwrap_err());
    assert!(e.contains("--force"), "{e}");
    // A session on it: refused even with force, and left as it was.
    let session = open_journal(&target).unwrap();
    trade_one_more(session.as_ref());
    let e = refusal(restore(&file, &target, true).unwrap_err());
    assert!(e.contains("connected"), "{e}");
    drop(session);
    assert_eq!(rows(&target).0.len(), 5);
    // A truncated archive fails half way: nothing of it is committed, and
    // the target keeps its own rows (the emptying rolled back too).
    wait_for_no_clients(&target);
    let whole = std::fs::read(&file).unwrap();
    let cut = dir.path().join("cut.dump");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let e = restore(&cut, &target, true).unwrap_err();
    assert!(matches!(e, BackupError::Tool { .. }), "{e}");
    assert_eq!(rows(&target).0.len(), 5);
    // Alone: replaced by the backup's rows.
    wait_for_no_clients(&target);
    let restored = restore(&file, &target, true).unwrap();
    assert_eq!((restored.orders, restored.fills), (4, 7));
    assert_eq!(rows(&target), rows(&source));
    drop(live);
}

/// A closed connection's backend leaves pg_stat_activity a moment after
/// the client hangs up; polls `restore`'s own check until it is gone.
fn wait_for_no_clients(url: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let out = std::process::Command::new(Path::new(cluster::BIN).join("psql"))
            .args(["-XAtq", "-d", url, "-c"])
            .arg(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            )
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout).trim() == "0" {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "clients stayed connected"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_sqlite_backup_taken_while_a_session_commits_is_a_consistent_prefix() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir.path().join("busy.db"));
    drop(open_journal(&source).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (source, stop, written) = (source.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || {
            let j = open_journal(&source).unwrap();
            let mut i = 0i64;
            while !stop.load(Ordering::Relaxed) {
                j.commit_step(
                    None,
                    &[EngineEvent::OrderSubmitted {
                        time: Timestamp::from_ms(i),
                        order: request(&format!("smc-{i:06}-0"), dec!(1)),
                        setup: None,
                    }],
                )
                .unwrap();
                i += 1;
                written.store(i as usize, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 50 {
        std::thread::yield_now();
    }
    let mut copies = Vec::new();
    for k in 0..5 {
        let file = dir.path().join(format!("busy-{k}.backup"));
        backup(&source, &file).unwrap();
        copies.push(file);
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let (all, _) = rows(&source);
    let mut sizes = Vec::new();
    for (k, file) in copies.iter().enumerate() {
        let target = sqlite_url(&dir.path().join(format!("busy-{k}.db")));
        let restored = restore(file, &target, false).unwrap();
        let (orders, _) = rows(&target);
        assert_eq!(restored.orders, orders.len());
        // Every committed step up to some moment, nothing after it, nothing
        // half written.
        assert!(orders.len() >= 50, "{}", orders.len());
        assert_eq!(orders[..], all[..orders.len()]);
        sizes.push(orders.len());
    }
    assert!(sizes.is_sorted(), "later copies hold more: {sizes:?}");
    assert!(all.len() > sizes[0], "the session went on meanwhile");
}
