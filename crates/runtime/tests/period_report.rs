//! Daily and weekly reports of a real paper session's journal (a session
//! against the venue simulator): the report's figures over the session's
//! day are the backtest's of the candles it logged (final equity, fees,
//! closed trades and their wins), the week holds the same figures, the
//! pages carry them with an SVG chart; a session whose breaker trips shows
//! the trip; the same journal copied into PostgreSQL reports the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use chrono_tz::Tz;
use common::{SMA_CROSS_CONFIG, run_to_end, spec, write_config};
use rust_decimal::Decimal;
use smc_report::period::text::money;
use smc_runtime::backtest::BacktestRequest;
use smc_runtime::period_report::{PeriodKind, ReportOptions, period_report, period_report_with};
use smc_runtime::{Mode, SessionSpec};
use smc_testkit::audit::journal;
use smc_testkit::local_day::one_local_day;
use smc_testkit::sim::TestSim;
use std::path::Path;

/// Runs a paper session of `bars` candles on `db` with the config `text`.
fn paper_session(dir: &Path, db: &Path, text: &str, bars: u64) {
    let cfg = write_config(dir, "paper.yaml", text);
    let sim = TestSim::btcusdt(200.0, "");
    let (result, _) = run_to_end(SessionSpec {
        max_bars: Some(bars),
        ..spec(Mode::Paper, &sim, &cfg, db)
    });
    assert_eq!(result.unwrap().candles, bars);
}

/// The day the session's candles are in, and the zone it is a day of
/// (see `smc_testkit::local_day`: in UTC an evening session spans two days).
fn session_day(db: &Path) -> (NaiveDate, Tz) {
    let candles = journal(db).logged_candles().unwrap();
    let first = candles.first().unwrap().candle.open_time.ms();
    let last = candles.last().unwrap().candle.open_time.ms();
    let day = one_local_day(first, last).expect("a zone holding the session in one day");
    (day.date.parse().unwrap(), day.zone.parse().unwrap())
}

#[test]
fn reports_of_a_paper_session_match_the_backtest_of_its_candles() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paper.db");
    paper_session(dir.path(), &db, SMA_CROSS_CONFIG, 500);
    let url = format!("sqlite://{}", db.display());
    let (date, tz) = session_day(&db);
    let daily = period_report(&url, PeriodKind::Daily, date, tz).unwrap();

    // The backtest of the logged candles, as the paper session test does.
    let candles = journal(&db).logged_candles().unwrap();
    let csv = dir.path().join("logged.csv");
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for c in &candles {
        let k = &c.candle;
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            k.open_time, k.open, k.high, k.low, k.close, k.volume
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let backtest = BacktestRequest {
        settings: Some(smc_config::load(&dir.path().join("paper.yaml")).unwrap()),
        input: Some(csv),
        ..BacktestRequest::default()
    }
    .run(&mut |_| {})
    .unwrap();
    let report = &backtest.report;
    assert!(report.trades.len() >= 2, "the session traded");

    let f = &daily.figures;
    assert!(f.has_data);
    assert_eq!(f.currency, "USDT");
    assert_eq!(f.pnl.starting_equity, Decimal::from(10_000));
    assert_eq!(f.pnl.ending_equity, report.final_equity);
    assert_eq!(f.pnl.total, report.final_equity - Decimal::from(10_000));
    assert_eq!(f.pnl.fees, report.fees_paid);
    assert_eq!(f.trades.count, report.trades.len() as u64);
    let wins = report
        .trades
        .iter()
        .filter(|t| t.pnl > Decimal::ZERO)
        .count();
    assert_eq!(f.trades.wins, wins as u64);
    let fills = journal(&db).fills().unwrap();
    assert_eq!(f.trades.fills, fills.len() as u64);
    // The backtest's deepest fall, measured on its own curve from the start.
    let mut peak = Decimal::from(10_000);
    let mut deepest = Decimal::ZERO;
    for p in &report.equity_curve {
        peak = peak.max(p.equity);
        deepest = deepest.max(peak - p.equity);
    }
    assert!(
        f.drawdown.max_amount >= deepest,
        "{} < {deepest}",
        f.drawdown.max_amount
    );
    assert!(f.exposure.peak > Decimal::ZERO);
    assert!(f.equity.len() > 100);
    assert_eq!(f.symbols.len(), 1);
    assert_eq!(f.symbols[0].symbol, "BTCUSDT");

    // The page and the summary carry the figures.
    assert!(daily.html.contains("<svg") && daily.html.contains("<polyline"));
    assert!(daily.html.contains(&money(f.pnl.total)));
    assert!(daily.html.contains(&f.trades.count.to_string()));
    assert!(daily.text.contains(&format!("{} USDT", money(f.pnl.total))));
    assert_eq!(daily.title, format!("Daily report {date} ({})", tz.name()));

    // The week holds the day and nothing else.
    let weekly = period_report(&url, PeriodKind::Weekly, date, tz).unwrap();
    assert_eq!(weekly.figures.pnl, f.pnl);
    assert_eq!(weekly.figures.trades, f.trades);
    assert!(
        weekly.title.starts_with("Weekly report 20"),
        "{}",
        weekly.title
    );
    assert_eq!(weekly.figures.start, date_start_of_week(date, tz));
    assert!(weekly.html.contains("<svg"));

    // The day after: nothing happened, equity carried over.
    let next = date.succ_opt().unwrap();
    let quiet = period_report(&url, PeriodKind::Daily, next, tz).unwrap();
    assert!(!quiet.figures.has_data);
    assert_eq!(quiet.figures.pnl.total, Decimal::ZERO);
    assert_eq!(quiet.figures.pnl.starting_equity, report.final_equity);

    // A starting balance the journal does not keep comes from the caller.
    let options = ReportOptions {
        starting_cash: Some(Decimal::from(5_000)),
        ..ReportOptions::default()
    };
    let other = period_report_with(&url, PeriodKind::Daily, date, tz, &options).unwrap();
    assert_eq!(other.figures.pnl.starting_equity, Decimal::from(5_000));
    assert_eq!(other.figures.pnl.total, f.pnl.total);

    // The same journal in PostgreSQL reports the same figures.
    if let Some(pg) = smc_testkit::postgres::Cluster::start() {
        let pg_url = pg.database();
        smc_store::copy::copy(&url, &pg_url).unwrap();
        let from_pg = period_report(&pg_url, PeriodKind::Daily, date, tz).unwrap();
        assert_eq!(from_pg.figures.pnl, f.pnl);
        assert_eq!(from_pg.figures.trades, f.trades);
        assert_eq!(from_pg.figures.equity, f.equity);
    }
}

#[test]
fn a_tripped_breaker_shows_in_the_days_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("trips.db");
    // The first losing round trip trips the breaker.
    let config = SMA_CROSS_CONFIG.replace("max_losses: 1000", "max_losses: 1");
    paper_session(dir.path(), &db, &config, 500);
    let url = format!("sqlite://{}", db.display());
    let (date, tz) = session_day(&db);
    let daily = period_report(&url, PeriodKind::Daily, date, tz).unwrap();
    let f = &daily.figures;
    assert!(f.trades.losses >= 1, "{:?}", f.trades);
    let trips: Vec<_> = f
        .breaker_events
        .iter()
        .filter(|e| e.action == "tripped")
        .collect();
    assert!(!trips.is_empty(), "{:?}", f.breaker_events);
    assert_eq!(trips[0].breaker, "consecutive_losses");
    assert!(daily.html.contains("consecutive_losses"));
    assert!(daily.text.contains("breaker consecutive_losses tripped"));
    // The trail's other days are not this day's.
    let next = date.succ_opt().unwrap();
    let quiet = period_report(&url, PeriodKind::Daily, next, tz).unwrap();
    assert!(quiet.figures.breaker_events.is_empty());
}

/// Epoch ms of the Monday 00:00 of `date`'s week in `tz`.
fn date_start_of_week(date: NaiveDate, tz: Tz) -> i64 {
    use chrono::{Datelike, TimeZone};
    let monday = date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
    tz.from_local_datetime(&monday.and_hms_opt(0, 0, 0).unwrap())
        .single()
        .unwrap()
        .timestamp_millis()
}
