//! `smc run --portfolio FILE`: one process trading BTCUSDT on a Binance
//! simulator (USDT spot account) and EUR_USD on an OANDA simulator (USD
//! forex margin account), each session with its own config, starting
//! balance, risk limits and journal. The process is SIGKILLed at random
//! moments (`SMC_PORTFOLIO_KILLS`, default 3) and restarted; then it runs
//! to a clean stop and prints each session's events tagged with its name
//! and the portfolio: both accounts in their currencies and the total.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{kill_repeatedly, smc};
use smc_testkit::audit::journal;
use smc_testkit::sim::{KEY, TestSim};
use std::path::Path;
use std::process::Command;

const CRYPTO: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\ntrading:\n  initial_balance: 20000.0\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 3000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

const FOREX: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1d\"]\ntrading:\n  initial_balance: 10000.0\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 100000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

/// The portfolio file; the Binance session's server comes from the
/// command line, the OANDA session's from the file.
fn portfolio(dir: &Path, oanda: &TestSim) -> std::path::PathBuf {
    std::fs::write(dir.join("crypto.yaml"), CRYPTO).unwrap();
    std::fs::write(dir.join("forex.yaml"), FOREX).unwrap();
    let text = format!(
        "report_currency: USD\nrates: {{ USDT: 1.0 }}\nsessions:\n  - name: crypto\n    venue: binance\n    symbols: [BTCUSDT]\n    config: crypto.yaml\n    timeframe: 1m\n  - name: forex\n    venue: oanda\n    symbols: [EUR_USD]\n    config: forex.yaml\n    timeframe: 1d\n    venue_url: {}\n",
        oanda.addr
    );
    let path = dir.join("portfolio.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(file: &Path, binance: &TestSim) -> Command {
    let mut c = smc();
    c.args(["run", "--mode", "paper", "--portfolio"])
        .arg(file)
        .args(["--venue-url", &format!("binance={}", binance.addr)])
        .env("OANDA_API_KEY", KEY);
    c
}

fn kills() -> usize {
    std::env::var("SMC_PORTFOLIO_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn a_portfolio_of_crypto_and_forex_survives_kills_and_reports_both() {
    let dir = tempfile::tempdir().unwrap();
    let binance = TestSim::btcusdt(40.0, "");
    let oanda = TestSim::oanda_eurusd(40.0, "");
    let file = portfolio(dir.path(), &oanda);
    kill_repeatedly(
        || run(&file, &binance),
        kills(),
        800,
        1_500,
        0x51ce_77aa_0b0b_0001,
    );
    let out = run(&file, &binance)
        .args(["--max-bars", "80"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    for name in ["crypto", "forex"] {
        assert!(
            lines.iter().any(|l| l["session"] == name),
            "no event of {name}"
        );
    }
    let report = lines.iter().find(|l| l["type"] == "portfolio").unwrap();
    let sessions = report["sessions"].as_array().unwrap();
    let account = |name: &str| {
        let s = sessions.iter().find(|s| s["name"] == name).unwrap();
        assert_eq!(s["candles"], 80, "{s}");
        s["account"].clone()
    };
    let (crypto, forex) = (account("crypto"), account("forex"));
    assert_eq!(
        (crypto["currency"].as_str(), crypto["account"].as_str()),
        (Some("USDT"), Some("spot"))
    );
    assert_eq!(
        (forex["currency"].as_str(), forex["account"].as_str()),
        (Some("USD"), Some("margin"))
    );
    assert_eq!(crypto["starting_cash"], "20000");
    assert_eq!(forex["starting_cash"], "10000");
    let equity = |a: &serde_json::Value| a["equity"].as_str().unwrap().parse::<f64>().unwrap();
    let total = report["total_equity"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap();
    assert!(
        (total - equity(&crypto) - equity(&forex)).abs() < 1e-6,
        "{report}"
    );
    assert!(stderr.contains("portfolio: equity"), "{stderr}");

    // Each journal resumed across the kills without a candle twice, and
    // holds only its own instrument's fills.
    for (db, symbol) in [("crypto.db", "BTCUSDT"), ("forex.db", "EUR_USD")] {
        let store = journal(&dir.path().join(db));
        let candles = store.logged_candles().unwrap();
        assert!(
            candles
                .windows(2)
                .all(|w| w[1].candle.open_time > w[0].candle.open_time),
            "{db}: a candle twice"
        );
        let fills = store.fills().unwrap();
        assert!(!fills.is_empty(), "{db}: nothing traded");
        assert!(
            fills.iter().all(|f| f.instrument.symbol() == symbol),
            "{db}"
        );
    }
}
