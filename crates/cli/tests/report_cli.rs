//! `smc report daily|weekly` on the journal of a real paper session
//! (`smc run --mode paper` against `smc venue-sim` on loopback): the table
//! for people and the page written to the default file or `--output`, the
//! JSON figures equal to the library's, the time zone moving the day's
//! bounds as the library's, and clear errors for a bad date, zone or database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, smc};
use smc_testkit::local_day::{LocalDay, one_local_day};
use std::path::Path;
use std::process::Output;

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A paper session of 300 candles on `db`; the day its candles are in,
/// and the zone it is one day of (UTC unless the session crossed midnight).
fn paper_session(dir: &Path, db: &Path) -> LocalDay {
    let config = dir.join("paper.yaml");
    std::fs::write(
        &config,
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n",
    )
    .unwrap();
    let sim = Sim::start(300, &[]);
    let out = smc()
        .args(["run", "--mode", "paper", "--venue-url", &sim.addr])
        .args(["--symbol", "BTCUSDT", "--max-bars", "300"])
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let candles = store.logged_candles().unwrap();
    let first = candles.first().unwrap().candle.open_time.ms();
    let last = candles.last().unwrap().candle.open_time.ms();
    one_local_day(first, last).expect("a zone holding the session in one day")
}

#[test]
fn smc_report_prints_the_figures_and_writes_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paper.db");
    let LocalDay { date, zone } = paper_session(dir.path(), &db);
    let url = format!("sqlite://{}", db.display());
    let daily = |tz: &str| {
        smc_runtime::period_report::period_report(
            &url,
            smc_runtime::period_report::PeriodKind::Daily,
            date.parse().unwrap(),
            smc_runtime::period_report::timezone(tz).unwrap(),
        )
        .unwrap()
    };
    let library = daily(&zone);
    assert!(library.figures.trades.fills > 0, "the session traded");

    // Daily, to the default file in the working directory.
    let out = smc()
        .current_dir(dir.path())
        .args([
            "report",
            "daily",
            "--date",
            &date,
            "--timezone",
            &zone,
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let file = format!("report-daily-{date}.html");
    assert!(stdout.contains(&format!("wrote {file}")), "{stdout}");
    assert!(
        stdout.contains(&format!("Daily report {date} ({zone})")),
        "{stdout}"
    );
    let total = smc_report::period::text::money(library.figures.pnl.total);
    assert!(
        stdout.contains(&format!("P&L            {total} USDT")),
        "{stdout}"
    );
    assert!(stdout.contains("Win rate"));
    let page = std::fs::read_to_string(dir.path().join(&file)).unwrap();
    assert_eq!(page, library.html);
    assert!(page.contains("<svg") && page.contains(&total));

    // Weekly, to --output, named by its ISO week.
    let weekly = dir.path().join("week.html");
    let out = smc()
        .args([
            "report",
            "weekly",
            "--date",
            &date,
            "--timezone",
            &zone,
            "--db",
            &url,
            "--output",
        ])
        .arg(&weekly)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Weekly report 20"), "{stdout}");
    assert!(stdout.contains(&format!("wrote {}", weekly.display())));
    let page = std::fs::read_to_string(&weekly).unwrap();
    assert!(page.contains("<svg") && page.contains(&total));

    // JSON: the library's figures.
    let out = smc()
        .args([
            "report",
            "daily",
            "--date",
            &date,
            "--timezone",
            &zone,
            "--format",
            "json",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::to_value(&library.figures).unwrap());
    assert_eq!(json["kind"], "daily");

    // Another zone moves the day's bounds (New York is 4 or 5 hours behind).
    let out = smc()
        .args(["report", "daily", "--date", &date, "--format", "json"])
        .args(["--timezone", "America/New_York", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["timezone"], "America/New_York");
    let behind = json["start"].as_i64().unwrap() - daily("UTC").figures.start;
    assert!([4 * 3_600_000, 5 * 3_600_000].contains(&behind), "{behind}");
    assert_eq!(
        json,
        serde_json::to_value(&daily("America/New_York").figures).unwrap()
    );
}

#[test]
fn smc_report_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    for (args, wanted) in [
        (vec!["--date", "2026-13-01"], "not a date"),
        (
            vec!["--date", "2026-12-07", "--timezone", "Mars/Base"],
            "unknown time zone",
        ),
        (vec!["--date", "2026-12-07"], "none.db"),
    ] {
        let out = smc()
            .current_dir(dir.path())
            .args(["report", "daily"])
            .args(&args)
            .arg("--db")
            .arg(&missing)
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
    }
    assert!(!dir.path().join("report-daily-2026-12-07.html").exists());
}
