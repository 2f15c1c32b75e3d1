//! One file per command: its arguments, and how its results are shown.

pub mod alerts;
pub mod audit;
pub mod backtest;
pub mod check_lookahead;
pub mod data;
pub mod detect;
pub mod events;
pub mod ml;
pub mod optimize;
pub mod report;
pub mod risk;
pub mod risk_breakers;
pub mod run;
pub mod serve;
pub mod store;
pub mod venue_sim;
pub mod worker;

use smc_runtime::backtest::{Input, load_candles};
use std::path::Path;

/// Resolves on Ctrl-C or SIGTERM (systemd, docker): what stops `smc run`
/// and `smc serve` cleanly.
pub async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Reads `--input`, listing on stderr the rows skipped in lenient mode.
pub fn load_input(path: &Path, lenient: bool) -> anyhow::Result<Input> {
    let input = load_candles(path.to_path_buf(), lenient)?;
    if !input.skipped.is_empty() {
        tracing::warn!(
            "skipped {} bad row(s) of {}",
            input.skipped.len(),
            path.display()
        );
        for e in input.skipped.iter().take(10) {
            tracing::warn!("skipped: {e}");
        }
    }
    Ok(input)
}

/// The built-in strategies, as the flags spell them (`sma-cross` is
/// accepted too).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyArg {
    Smc,
    #[value(name = "sma_cross", alias = "sma-cross")]
    SmaCross,
}

impl From<StrategyArg> for smc_runtime::StrategyName {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::Smc => smc_runtime::StrategyName::Smc,
            StrategyArg::SmaCross => smc_runtime::StrategyName::SmaCross,
        }
    }
}

/// The simulated venue's flags of the commands that backtest.
#[derive(clap::Args)]
pub struct VenueArgs {
    /// Starting cash in the quote currency (default: the config's
    /// initial_balance, else the product's 10,000).
    #[arg(long)]
    cash: Option<rust_decimal::Decimal>,
    /// Fee per side as a fraction of notional, maker and taker (default:
    /// the config's `backtest.engine.fees`, else 0.001).
    #[arg(long)]
    fee: Option<rust_decimal::Decimal>,
    /// Fixed adverse slippage in basis points (default: the config's, else none).
    #[arg(long)]
    slippage_bps: Option<rust_decimal::Decimal>,
    /// Order latency in milliseconds of simulated time (default: the config's, else 0).
    #[arg(long)]
    latency_ms: Option<i64>,
    /// The account: `spot` keeps any series (forex too) on a spot account
    /// with a percentage fee; `margin` allows shorts (default: margin for
    /// forex and perpetuals, spot otherwise).
    #[arg(long, value_enum)]
    account: Option<AccountArg>,
    /// What the instrument is (default: the config's backtest.instrument,
    /// else forex for a series under a forex venue's folder such as
    /// oanda/ or fxcm/, else spot). Forex: bid candles with buys at the
    /// ask (backtest.engine.forex.spread_pips), daily financing, margin
    /// closeout, shorts.
    #[arg(long, value_enum)]
    instrument_kind: Option<InstrumentKindArg>,
}

/// `--account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountArg {
    Spot,
    Margin,
}

/// `--instrument-kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InstrumentKindArg {
    Spot,
    Perpetual,
    Forex,
}

impl VenueArgs {
    pub fn flags(&self) -> smc_runtime::backtest::VenueFlags {
        smc_runtime::backtest::VenueFlags {
            cash: self.cash,
            fee: self.fee,
            slippage_bps: self.slippage_bps,
            latency_ms: self.latency_ms,
            fill_rule: None,
            account: self.account.map(|a| match a {
                AccountArg::Spot => smc_runtime::backtest::AccountChoice::Spot,
                AccountArg::Margin => smc_runtime::backtest::AccountChoice::Margin,
            }),
            kind: self.instrument_kind.map(|k| match k {
                InstrumentKindArg::Spot => smc_model::MarketKind::Spot,
                InstrumentKindArg::Perpetual => smc_model::MarketKind::Perpetual,
                InstrumentKindArg::Forex => smc_model::MarketKind::Forex,
            }),
        }
    }
}
