//! Reading `config.yaml`: the product's schema and defaults, errors that
//! name the key and the line, environment overrides, secrets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_config::{Mode, env, parse};

const PRODUCT_EXAMPLE: &str = r#"
app:
  mode: "paper"            # paper or live
  log_level: "INFO"
trading:
  initial_balance: 10000.0
  max_positions: 3
  position_size_percent: 1.0
risk_manager:
  max_position_size: 1000.0
  max_daily_loss: 500.0
  stop_loss_percent: 2.0
exchanges:
  binance:
    enabled: true
    symbols: ["BTCUSDT", "ETHUSDT"]
"#;

fn error(text: &str) -> String {
    parse("config.yaml", text).unwrap_err().to_string()
}

#[test]
fn the_products_example_parses_exactly() {
    let c = parse("config.yaml", PRODUCT_EXAMPLE).unwrap();
    assert_eq!(c.app.mode, Mode::Paper);
    assert_eq!(c.trading.initial_balance, dec!(10000));
    assert_eq!(c.trading.max_positions, 3);
    assert_eq!(c.risk_manager.stop_loss_percent, dec!(2));
    assert_eq!(c.exchanges["binance"].symbols, ["BTCUSDT", "ETHUSDT"]);
}

#[test]
fn floats_are_read_as_exact_decimals() {
    let c = parse("c.yaml", "trading:\n  position_size_percent: 0.1\n").unwrap();
    assert_eq!(c.trading.position_size_percent, dec!(0.1));
}

#[test]
fn an_empty_file_gives_the_product_defaults() {
    let c = parse("c.yaml", "").unwrap();
    assert_eq!(c.trading.initial_balance, dec!(10000));
    assert_eq!(c.risk_manager.max_daily_loss, dec!(500));
}

#[test]
fn unknown_key_names_key_and_line() {
    let msg = error("app:\n  mode: paper\ntrading:\n  max_positon: 3\n");
    assert!(msg.starts_with("config.yaml:4:"), "{msg}");
    assert!(msg.contains("unknown field `max_positon`"), "{msg}");
}

#[test]
fn bad_value_names_key_and_line() {
    let msg = error("app:\n  mode: yolo\n");
    assert!(msg.starts_with("config.yaml:2:"), "{msg}");
    assert!(msg.contains("yolo"), "{msg}");
    let msg = error("trading:\n  initial_balance: lots\n");
    assert!(msg.starts_with("config.yaml:2:"), "{msg}");
    assert!(msg.contains("`lots` is not a decimal number"), "{msg}");
}

#[test]
fn invalid_ranges_name_the_key_and_its_line() {
    let msg = error("trading:\n  initial_balance: 100\n  max_positions: 0\n");
    assert_eq!(
        msg,
        "config.yaml:3: `trading.max_positions` must be at least 1"
    );
    let msg = error("risk_manager:\n  stop_loss_percent: 150\n");
    assert_eq!(
        msg,
        "config.yaml:2: `risk_manager.stop_loss_percent` must be a percentage in (0, 100], got 150"
    );
}

#[test]
fn secrets_in_the_file_are_refused() {
    let msg = error("exchanges:\n  binance:\n    enabled: true\n    api_key: abc\n");
    assert!(msg.contains("BINANCE_API_KEY"), "{msg}");
    assert!(msg.starts_with("config.yaml:4:"), "{msg}");
}

#[test]
fn unknown_exchange_is_refused() {
    assert!(
        error("exchanges:\n  kraken:\n    enabled: true\n").contains("unknown exchange `kraken`")
    );
}

#[test]
fn environment_overrides_the_file() {
    let mut c = parse("c.yaml", PRODUCT_EXAMPLE).unwrap();
    let vars = [
        ("TRADING_MODE", "live"),
        ("INITIAL_BALANCE", "2500.5"),
        ("DATABASE_URL", "sqlite:///var/lib/smc/state.db"),
    ];
    env::apply(&mut c, |k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .unwrap();
    assert_eq!(c.app.mode, Mode::Live);
    assert_eq!(c.trading.initial_balance, dec!(2500.5));
    assert_eq!(c.storage.database_url, "sqlite:///var/lib/smc/state.db");
    let err = env::apply(&mut c, |k| {
        (k == "TRADING_MODE").then(|| "maybe".to_string())
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable TRADING_MODE: `maybe` is not paper or live"
    );
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let creds = env::credentials("binance", |k| match k {
        "BINANCE_API_KEY" => Some("key123".into()),
        "BINANCE_API_SECRET" => Some("s3cr3t".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(creds.api_secret.expose(), "s3cr3t");
    let shown = format!("{creds:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(env::credentials("bybit", |_| None).is_none());
}

#[test]
fn the_shipped_example_parses_and_documents_every_section() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config.example.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = parse("config.example.yaml", &text).unwrap();
    assert_eq!(
        c.smc,
        smc_analysis::DetectorConfig::default(),
        "the example states the defaults"
    );
    for section in [
        "app:",
        "trading:",
        "risk_manager:",
        "exchanges:",
        "storage:",
        "smc:",
    ] {
        assert!(text.contains(section), "{section} missing");
    }
}

#[test]
fn unknown_detector_key_is_named() {
    let msg = error("smc:\n  swing_lenght: 5\n");
    assert!(
        msg.starts_with("config.yaml:2:") && msg.contains("swing_lenght"),
        "{msg}"
    );
}

#[test]
fn exposure_and_var_limits_are_read_and_checked() {
    let c = parse(
        "c.yaml",
        "risk_manager:\n  max_exposure_percent:\n    symbol: 25\n    group: 40.5\n  correlated_groups:\n    - [BTCUSDT, ETHUSDT]\n  max_portfolio_var_percent: 3\n",
    )
    .unwrap();
    let r = &c.risk_manager;
    assert_eq!(
        r.max_exposure_percent.symbol,
        Some(rust_decimal::Decimal::from(25))
    );
    assert_eq!(
        r.max_exposure_percent.group,
        Some(rust_decimal::Decimal::new(405, 1))
    );
    assert_eq!(r.max_exposure_percent.venue, None);
    assert_eq!(
        r.correlated_groups,
        vec![vec!["BTCUSDT".to_string(), "ETHUSDT".to_string()]]
    );
    assert_eq!(r.var_window, 500, "default");
    let msg = error("risk_manager:\n  max_exposure_percent:\n    venue: 120\n");
    assert!(
        msg.contains("`risk_manager.max_exposure_percent.venue` must be a percentage"),
        "{msg}"
    );
    let msg = error("risk_manager:\n  var_confidence: 1.5\n");
    assert!(
        msg.starts_with("c.yaml:2:") || msg.starts_with("config.yaml:2:"),
        "{msg}"
    );
    assert!(msg.contains("var_confidence"), "{msg}");
    let msg = error("risk_manager:\n  correlated_groups:\n    - [BTCUSDT]\n");
    assert!(msg.contains("at least two symbols"), "{msg}");
    let msg = error("risk_manager:\n  max_exposure_percent:\n    sector: 10\n");
    assert!(msg.contains("sector"), "{msg}");
}

#[test]
fn smc_stops_targets_and_exits_are_read_from_the_config() {
    let c = parse(
        "c.yaml",
        "backtest:\n  smc_strategy:\n    stop: { type: atr, multiple: 1.5 }\n    target: { type: liquidity, min_r: 1, fallback: 2.5 }\n    exits:\n      trailing: { type: percent, percent: 2 }\n      break_even_after_r: 0.75\n      time_stop_bars: 48\n",
    )
    .unwrap();
    let s = &c.backtest.smc_strategy;
    use rust_decimal::Decimal;
    assert_eq!(
        s.stop,
        Some(smc_strategy::StopRule::Atr {
            multiple: Decimal::new(15, 1)
        })
    );
    assert_eq!(
        s.target,
        Some(smc_strategy::TargetRule::Liquidity {
            min_r: Decimal::ONE,
            fallback: Decimal::new(25, 1)
        })
    );
    assert_eq!(
        s.exits.trailing,
        Some(smc_strategy::Trailing::Percent {
            percent: Decimal::TWO
        })
    );
    assert_eq!(s.exits.break_even_after_r, Some(Decimal::new(75, 2)));
    assert_eq!(s.exits.time_stop_bars, Some(48));
    let msg = error("backtest:\n  smc_strategy:\n    stop: { type: guess }\n");
    assert!(msg.contains("guess"), "{msg}");
}

#[test]
fn the_backtest_instrument_is_read_and_checked() {
    let c = parse(
        "c.yaml",
        "backtest:\n  instrument:\n    venue: binance\n    symbol: ETHUSDT\n    tick_size: 0.01\n    lot_size: 0.0001\n    min_notional: 5\n",
    )
    .unwrap();
    let i = c.backtest.instrument.unwrap();
    assert_eq!(i.kind, smc_model::MarketKind::Spot, "spot by default");
    assert_eq!(i.spec().tick_size, rust_decimal::Decimal::new(1, 2));
    assert_eq!(i.spec().min_qty, rust_decimal::Decimal::ZERO);
    let msg = error(
        "backtest:\n  instrument:\n    venue: binance\n    symbol: ETHUSDT\n    tick_size: -1\n    lot_size: 1\n",
    );
    assert!(msg.contains("backtest.instrument.tick_size"), "{msg}");
    let msg = error(
        "backtest:\n  instrument:\n    venue: binance\n    symbol: ETHUSDT\n    lot_size: 1\n",
    );
    assert!(msg.contains("tick_size"), "{msg}");
}

#[test]
fn oanda_takes_an_account_and_an_environment_and_nobody_else_does() {
    let c = parse(
        "c.yaml",
        "exchanges:\n  oanda:\n    account_id: 101-004-1234567-001\n    environment: live\n",
    )
    .unwrap();
    let o = &c.exchanges["oanda"];
    assert_eq!(o.account_id.as_deref(), Some("101-004-1234567-001"));
    assert_eq!(o.environment, Some(smc_config::VenueEnvironment::Live));
    let msg = error("exchanges:\n  binance:\n    environment: practice\n");
    assert!(msg.contains("exchanges.binance.environment"), "{msg}");
    let msg = error("exchanges:\n  oanda:\n    account_id: \"101 004\"\n");
    assert!(msg.contains("exchanges.oanda.account_id"), "{msg}");
    let msg = error("exchanges:\n  oanda:\n    environment: demo\n");
    assert!(msg.contains("environment"), "{msg}");
}

#[test]
fn forex_instruments_and_the_forex_model_are_read() {
    let c = parse(
        "c.yaml",
        "backtest:\n  engine:\n    forex: { spread_pips: 0.8, long_rate_percent: -4.5, short_rate_percent: 2 }\n  instrument:\n    venue: oanda\n    symbol: EUR_USD\n    kind: forex\n    tick_size: 0.00001\n    lot_size: 1\n",
    )
    .unwrap();
    let f = c.backtest.engine.forex;
    assert_eq!(f.spread_pips, rust_decimal::Decimal::new(8, 1));
    assert_eq!(f.short_rate_percent, rust_decimal::Decimal::TWO);
    assert_eq!(f.closeout_percent, rust_decimal::Decimal::from(50));
    let i = c.backtest.instrument.unwrap();
    assert_eq!(i.kind, smc_model::MarketKind::Forex);
    let msg = error("backtest:\n  engine:\n    forex: { spread: 1 }\n");
    assert!(msg.contains("spread"), "{msg}");
}

#[test]
fn out_of_range_stop_and_exit_numbers_name_their_key() {
    let msg =
        error("backtest:\n  smc_strategy:\n    stop: { type: fixed_percent, percent: 1e20 }\n");
    assert!(msg.contains("backtest.smc_strategy.stop.percent"), "{msg}");
    let msg = error(
        "backtest:\n  smc_strategy:\n    exits:\n      trailing: { type: atr, multiple: -2 }\n",
    );
    assert!(
        msg.contains("backtest.smc_strategy.exits.trailing.multiple"),
        "{msg}"
    );
    let msg = error("backtest:\n  smc_strategy:\n    exits:\n      time_stop_bars: 0\n");
    assert!(msg.contains("time_stop_bars"), "{msg}");
}

#[test]
fn keys_that_would_do_nothing_are_refused_with_their_line() {
    let msg = error("exchanges:\n  binance:\n    enabled: true\n  kraken:\n    enabled: true\n");
    assert!(
        msg.starts_with("config.yaml:4: `exchanges.kraken`"),
        "{msg}"
    );
    assert!(msg.contains("unknown exchange `kraken`"), "{msg}");
    // OANDA is traded too.
    parse("c.yaml", "exchanges:\n  oanda:\n    enabled: true\n").unwrap();
    // Bybit is traded, with its fee tier.
    let c = parse(
        "c.yaml",
        "exchanges:\n  bybit:\n    enabled: true\n    fees: { maker: 0.0002, taker: 0.00055 }\n",
    )
    .unwrap();
    let fees = c.exchanges["bybit"].fees.unwrap();
    assert_eq!(fees.taker.to_string(), "0.00055");
    let msg = error("exchanges:\n  bybit:\n    fees: { maker: 0.0002, taker: 0.1 }\n");
    assert!(msg.contains("exchanges.bybit.fees.taker"), "{msg}");
    let msg = error("exchanges:\n  bybit:\n    fees: { maker: 0.0002 }\n");
    assert!(msg.contains("taker"), "{msg}");
    // Listed but disabled is fine: nothing is promised.
    parse("c.yaml", "exchanges:\n  oanda:\n    enabled: false\n").unwrap();
    let c = parse(
        "c.yaml",
        "app:\n  mode: paper\nstorage:\n  redis_url: \"redis://127.0.0.1:6379\"\n",
    )
    .unwrap();
    assert_eq!(
        c.storage.redis_url.as_deref(),
        Some("redis://127.0.0.1:6379")
    );
    parse(
        "c.yaml",
        "storage:\n  redis_url: \"rediss://cache:6380/2\"\n",
    )
    .unwrap();
    let msg = error("app:\n  mode: paper\nstorage:\n  redis_url: \"http://u:pw@127.0.0.1:6379\"\n");
    assert!(
        msg.starts_with("config.yaml:4: `storage.redis_url`"),
        "{msg}"
    );
    assert!(msg.contains("expected redis://HOST:PORT"), "{msg}");
    assert!(!msg.contains("pw"), "the password is not echoed: {msg}");
    parse(
        "c.yaml",
        "storage:\n  database_url: \"postgres://u:pw@db/smc\"\n",
    )
    .unwrap();
    let msg = error("storage:\n  database_url: \"mysql://u:pw@db/smc\"\n");
    assert!(
        msg.starts_with("config.yaml:2: `storage.database_url`"),
        "{msg}"
    );
    assert!(
        msg.contains("expected sqlite://FILE or postgres://"),
        "{msg}"
    );
    assert!(!msg.contains("pw"), "the password is not echoed: {msg}");
    let msg = error("exchanges:\n  binance:\n    base_url: \"ftp://x\"\n");
    assert!(
        msg.starts_with("config.yaml:3: `exchanges.binance.base_url`"),
        "{msg}"
    );
}

#[test]
fn redis_and_databases_from_the_environment_are_checked_too() {
    let mut c = parse("c.yaml", "").unwrap();
    env::apply(&mut c, |k| {
        (k == "REDIS_URL").then(|| "redis://cache:6379".into())
    })
    .unwrap();
    assert_eq!(c.storage.redis_url.as_deref(), Some("redis://cache:6379"));
    let err = env::apply(&mut c, |k| {
        (k == "REDIS_URL").then(|| "memcached://x".into())
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("REDIS_URL") && err.contains("expected redis://"),
        "{err}"
    );
    env::apply(&mut c, |k| {
        (k == "DATABASE_URL").then(|| "postgres://x/y".into())
    })
    .unwrap();
    assert_eq!(c.storage.database_url, "postgres://x/y");
    let err = env::apply(&mut c, |k| {
        (k == "DATABASE_URL").then(|| "mysql://x/y".into())
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn relative_paths_are_relative_to_the_config_files_folder() {
    let dir = std::env::temp_dir().join(format!("smc-config-paths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.yaml");
    std::fs::write(
        &file,
        "backtest:\n  input: \"data/x.csv\"\nstorage:\n  database_url: \"sqlite://state/smc.db\"\n",
    )
    .unwrap();
    let c = smc_config::load(&file).unwrap();
    assert_eq!(
        c.backtest.input.as_deref(),
        Some(dir.join("data/x.csv").as_path())
    );
    assert_eq!(
        c.storage.database_url,
        format!("sqlite://{}", dir.join("state/smc.db").display())
    );
    std::fs::write(&file, "storage:\n  database_url: \"sqlite::memory:\"\n").unwrap();
    assert_eq!(
        smc_config::load(&file).unwrap().storage.database_url,
        "sqlite::memory:"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
