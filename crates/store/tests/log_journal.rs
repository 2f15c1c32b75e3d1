//! The append-only log in front of the journal: a process killed with
//! SIGKILL loses no step it had logged, a restart applies exactly the
//! records past the database's position, a torn last record is dropped,
//! and a step the database refuses stops the session at its next call.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::{Candle, Timeframe, Timestamp};
use smc_store::log_journal::record;
use smc_store::{
    CandleReceipt, Journal, JournalSync, LogJournal, LoggedCandle, Store, open_session_journal,
};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn logged(minute: i64) -> LoggedCandle {
    LoggedCandle {
        instrument: "binance:BTCUSDT".parse().unwrap(),
        timeframe: Timeframe::M1,
        candle: Candle {
            open_time: Timestamp::from_ms(minute * 60_000),
            open: dec!(100.5),
            high: dec!(101),
            low: dec!(99.75),
            close: dec!(100.25),
            volume: dec!(1.000001),
        },
        receipt: CandleReceipt {
            received_at: Some(Timestamp::from_ms(minute * 60_000 + 60_003)),
            history: false,
        },
    }
}

fn url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("j.db").display())
}

fn open(dir: &Path, sync: JournalSync) -> Box<dyn Journal> {
    open_session_journal(&url(dir), None, sync).unwrap()
}

fn minutes(j: &dyn Journal) -> Vec<i64> {
    let candles = j.logged_candles().unwrap();
    candles
        .iter()
        .map(|c| c.candle.open_time.ms() / 60_000)
        .collect()
}

#[test]
fn every_policy_reads_back_what_it_logged_and_the_log_is_empty_after_a_close() {
    for sync in [JournalSync::None, JournalSync::Data, JournalSync::Full] {
        let dir = tempfile::tempdir().unwrap();
        {
            let j = open(dir.path(), sync);
            for m in 0..50 {
                j.commit_step(Some(&logged(m)), &[]).unwrap();
            }
            assert_eq!(minutes(j.as_ref()), (0..50).collect::<Vec<_>>());
        }
        let log = dir.path().join("j.db.steplog");
        assert!(!log.exists(), "{sync:?}: removed at a clean close");
        let plain = Store::open(&url(dir.path())).unwrap();
        assert_eq!(plain.applied_log_seq().unwrap(), 50);
        assert_eq!(logged_candle(&plain, 49), logged(49));
    }
}

fn logged_candle(store: &Store, minute: usize) -> LoggedCandle {
    store.logged_candles().unwrap()[minute].clone()
}

#[test]
fn a_restart_applies_the_records_past_the_position_once_and_drops_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    {
        let j = open(dir.path(), JournalSync::None);
        j.commit_step(Some(&logged(0)), &[]).unwrap();
    }
    // What a process killed after logging records 2 and 3 (and in the
    // middle of writing 4) leaves, with record 1 (applied) still there.
    let mut bytes = Vec::new();
    let mut fourth = 0;
    for (seq, minute) in [(1, 0), (2, 1), (3, 2), (4, 3)] {
        fourth = bytes.len();
        record::encode(seq, Some(&logged(minute)), &[], &mut bytes).unwrap();
    }
    let torn = 25;
    let log = dir.path().join("j.db.steplog");
    std::fs::write(&log, &bytes[..bytes.len() - torn]).unwrap();
    let store: Box<dyn Journal> = Box::new(Store::open(&url(dir.path())).unwrap());
    let j = LogJournal::open(store, &log, JournalSync::None).unwrap();
    let recovery = j.recovery();
    assert_eq!(recovery.applied, 2, "records 2 and 3; 1 was applied");
    assert_eq!(
        recovery.dropped,
        (bytes.len() - fourth - torn) as u64,
        "the torn record 4"
    );
    assert!(record::decode(&bytes[fourth..]).is_ok());
    assert_eq!(minutes(&j), vec![0, 1, 2]);
    // The sequence continues past what the log held.
    j.commit_step(Some(&logged(3)), &[]).unwrap();
    assert_eq!(j.applied_log_seq().unwrap(), 4);
}

#[test]
fn a_database_older_than_its_log_is_refused_not_patched() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), JournalSync::None));
    // Records 5 and 6 logged on top of a database that holds none: the
    // records before them are gone, so applying these would forge a past.
    let mut bytes = Vec::new();
    for (seq, minute) in [(5, 4), (6, 5)] {
        record::encode(seq, Some(&logged(minute)), &[], &mut bytes).unwrap();
    }
    std::fs::write(dir.path().join("j.db.steplog"), &bytes).unwrap();
    let err = open_session_journal(&url(dir.path()), None, JournalSync::None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("older than the log") && err.contains("record 5"),
        "{err}"
    );
    let plain = Store::open(&url(dir.path())).unwrap();
    assert!(
        plain.logged_candles().unwrap().is_empty(),
        "nothing applied"
    );
}

#[test]
fn a_step_the_database_refuses_fails_the_next_call_and_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let j = open(dir.path(), JournalSync::None);
        j.commit_step(Some(&logged(0)), &[]).unwrap();
        // The same candle twice (two writers): logged, then refused.
        j.commit_step(Some(&logged(0)), &[]).unwrap();
        let err = j.orders().unwrap_err().to_string();
        assert!(
            err.contains("applying a logged step") && err.contains("record 2"),
            "{err}"
        );
        let err = j.commit_step(Some(&logged(1)), &[]).unwrap_err();
        assert!(err.to_string().contains("record 2"), "{err}");
    }
    // The refused record stays in the log: the next open refuses too,
    // rather than dropping a step that may have sent an order.
    let err = open_session_journal(&url(dir.path()), None, JournalSync::None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("candle"), "{err}");
}

/// The child of the kill test: logs a candle per step forever, printing
/// each minute once `commit_step` returned (what a session does before
/// an order leaves).
#[test]
fn child_logs_until_killed() {
    let Ok(dir) = std::env::var("SMC_LOG_KILL_DIR") else {
        return;
    };
    let j = open(Path::new(&dir), JournalSync::None);
    let start = j.logged_candles().unwrap().len() as i64;
    let mut out = std::io::stdout();
    for m in start.. {
        j.commit_step(Some(&logged(m)), &[]).unwrap();
        writeln!(out, "{m}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn a_process_killed_with_sigkill_loses_no_step_it_had_logged() {
    let rounds: usize = std::env::var("SMC_LOG_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let mut last_acknowledged = -1;
    for round in 0..rounds {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_logs_until_killed", "--nocapture"])
            .env("SMC_LOG_KILL_DIR", dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wanted = 200 + 37 * round as i64;
        let mut seen = 0;
        while let Some(Ok(line)) = lines.next() {
            if let Ok(m) = line.trim().parse::<i64>() {
                last_acknowledged = m;
                seen += 1;
                if seen >= wanted {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Every acknowledged step is there, in order, once.
        let j = open(dir.path(), JournalSync::None);
        let got = minutes(j.as_ref());
        assert!(
            got.len() as i64 > last_acknowledged,
            "round {round}: {} candles, {last_acknowledged} acknowledged",
            got.len()
        );
        assert!(got.iter().enumerate().all(|(i, m)| *m == i as i64));
    }
}
