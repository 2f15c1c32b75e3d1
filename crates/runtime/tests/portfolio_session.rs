//! Crypto and forex in one process: a portfolio of two paper sessions, one
//! on BTCUSDT (the Binance simulator, a USDT spot account) and one on
//! EUR_USD (the OANDA simulator, a USD forex margin account), each with its
//! own starting balance, risk limits and journal, reported together.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::write_config;
use rust_decimal::Decimal;
use smc_config::env::Credentials;
use smc_runtime::portfolio::{PortfolioCommon, PortfolioReport, PortfolioRun, portfolio_specs};
use smc_runtime::{EventBus, Mode, VenueName};
use smc_testkit::audit::journal;
use smc_testkit::sim::{KEY, TestSim};

const CRYPTO: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\ntrading:\n  initial_balance: 20000.0\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 3000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

const FOREX: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1d\"]\ntrading:\n  initial_balance: 10000.0\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 100000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

fn token(venue: VenueName) -> Option<Credentials> {
    smc_config::env::credentials(venue.as_str(), |k| {
        (k == "OANDA_API_KEY").then(|| KEY.to_string())
    })
}

#[test]
fn one_process_trades_btcusdt_and_eur_usd_each_on_its_own_account_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let binance = TestSim::btcusdt(60.0, "");
    let oanda = TestSim::oanda_eurusd(60.0, "");
    write_config(dir.path(), "crypto.yaml", CRYPTO);
    write_config(dir.path(), "forex.yaml", FOREX);
    let text = format!(
        "report_currency: USD\nrates: {{ USDT: 1.0 }}\nsessions:\n  - name: crypto\n    venue: binance\n    symbols: [BTCUSDT]\n    config: crypto.yaml\n    timeframe: 1m\n    venue_url: {}\n  - name: forex\n    venue: oanda\n    symbols: [EUR_USD]\n    config: forex.yaml\n    timeframe: 1d\n    venue_url: {}\n",
        binance.addr, oanda.addr
    );
    let file = write_config(dir.path(), "portfolio.yaml", &text);
    let portfolio = smc_config::load_portfolio(&file).unwrap();
    let common = PortfolioCommon {
        mode: Some(Mode::Paper),
        max_bars: Some(150),
        ..PortfolioCommon::default()
    };
    let specs = portfolio_specs(&portfolio, &common, token).unwrap();
    let run = PortfolioRun::start(specs, |_| EventBus::new()).unwrap();
    let ended = run.wait();
    let report = PortfolioReport::of(&portfolio, &ended);

    let line = |name: &str| {
        let s = report.sessions.iter().find(|s| s.name == name).unwrap();
        assert_eq!(s.error, None, "{name}");
        assert_eq!(s.candles, Some(150), "{name}");
        s.account.clone().unwrap()
    };
    let (crypto, forex) = (line("crypto"), line("forex"));
    assert_eq!((crypto.currency.as_str(), crypto.account), ("USDT", "spot"));
    assert_eq!((forex.currency.as_str(), forex.account), ("USD", "margin"));
    assert_eq!(crypto.starting_cash, Decimal::from(20_000));
    assert_eq!(forex.starting_cash, Decimal::from(10_000));
    assert_eq!(crypto.symbols, ["BTCUSDT"]);
    assert_eq!(forex.symbols, ["EUR_USD"]);
    assert!(
        forex.fees.is_zero() && !crypto.fees.is_zero(),
        "{crypto:?} {forex:?}"
    );

    // Each journal holds its own instrument's fills, sized by its own
    // limits: crypto capped at 3,000 USDT a position, forex not.
    let notional = |db: &str, symbol: &str| {
        let fills = journal(&dir.path().join(db)).fills().unwrap();
        assert!(!fills.is_empty(), "{db}: nothing traded");
        assert!(
            fills.iter().all(|f| f.instrument.symbol() == symbol),
            "{db}"
        );
        fills.iter().map(|f| f.qty * f.price).max().unwrap()
    };
    let crypto_max = notional("crypto.db", "BTCUSDT");
    let forex_max = notional("forex.db", "EUR_USD");
    assert!(crypto_max <= Decimal::from(3_000), "{crypto_max}");
    assert!(forex_max > Decimal::from(3_000), "{forex_max}");

    // Totals per currency, and in USD at the given rate.
    assert_eq!(report.totals.len(), 2);
    assert_eq!(report.report_currency, "USD");
    assert!(report.unvalued.is_empty());
    assert_eq!(report.total_equity, Some(crypto.equity + forex.equity));
    assert_eq!(
        report.total_pnl,
        Some(crypto.equity + forex.equity - Decimal::from(30_000))
    );
}

#[test]
fn a_currency_without_a_rate_is_named_not_summed() {
    let file = smc_config::parse_portfolio(
        "p.yaml",
        "report_currency: USD\nsessions:\n  - name: a\n    venue: binance\n",
    )
    .unwrap();
    let account = |currency: &str, equity: i64| smc_runtime::account_report::AccountReport {
        currency: currency.into(),
        symbols: vec![],
        account: "spot",
        starting_cash: Decimal::from(100),
        cash: Decimal::from(equity),
        equity: Decimal::from(equity),
        pnl: Decimal::from(equity - 100),
        trades: 0,
        winning_trades: 0,
        fees: Decimal::ZERO,
        spread: Decimal::ZERO,
        funding: Decimal::ZERO,
        margin_used: Decimal::ZERO,
        positions: vec![],
    };
    let stopped = |a| smc_runtime::Stopped {
        mode: Mode::Paper,
        candles: 1,
        latency: None,
        differences: None,
        account: Some(a),
    };
    let ended = vec![
        ("a".to_string(), Ok(stopped(account("USD", 110)))),
        ("b".to_string(), Ok(stopped(account("USDT", 90)))),
        (
            "c".to_string(),
            Err(smc_runtime::SessionError::Setting("venue down".into())),
        ),
    ];
    let report = PortfolioReport::of(&file, &ended);
    assert_eq!(report.unvalued, ["USDT"]);
    assert_eq!(report.total_equity, None);
    assert_eq!(report.sessions[2].error.as_deref(), Some("venue down"));
    assert_eq!(report.totals[0].equity, Decimal::from(110));
}
