//! `smc run --mode paper|live`: starts a runtime session (the backtest's
//! strategy, risk and order code on real-time closed candles; paper fills
//! in the engine, live sends orders to the venue), prints what it reports
//! (engine events and reconciliations as JSON lines on stdout, status lines
//! on stderr), and stops it cleanly on Ctrl-C or SIGTERM.

use super::StrategyArg;
use clap::{Args, ValueEnum};
use smc_runtime::portfolio::{PortfolioCommon, PortfolioReport, PortfolioRun, portfolio_specs};
use smc_runtime::{
    EventBus, Market, Mode, RunningSession, SessionSpec, Stopper, VenueName, VenueSpec,
};
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunMode {
    Paper,
    Live,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MarketArg {
    Spot,
    /// USDT-margined perpetuals (Binance USDⓈ-M, Bybit linear).
    #[value(alias = "linear")]
    Usdm,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VenueArg {
    Binance,
    Bybit,
    /// OANDA v20 (forex; the token in OANDA_API_KEY, the account in
    /// exchanges.oanda.account_id, practice unless environment: live).
    Oanda,
}

#[derive(Args)]
pub struct RunArgs {
    /// paper: simulated fills on live market data; live: real orders.
    #[arg(long, value_enum)]
    mode: Option<RunMode>,
    /// config.yaml: strategy, detectors, risk limits and breakers, fees
    /// and slippage of the simulated venue, starting balance, database.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// The venue to trade on (keys from BINANCE_API_KEY/BINANCE_API_SECRET,
    /// BYBIT_API_KEY/BYBIT_API_SECRET, or OANDA's token in OANDA_API_KEY).
    #[arg(long, value_enum, default_value = "binance")]
    venue: VenueArg,
    /// A server speaking a venue's protocol instead of the venue, as
    /// `VENUE=HOST:PORT` (may repeat, one per venue) or a bare `HOST:PORT`
    /// for Binance (e.g. `smc venue-sim`).
    #[arg(long = "venue-url", value_name = "[VENUE=]HOST:PORT")]
    venue_url: Vec<String>,
    /// Paper mode: also quote these venues, and route each order to the
    /// venue (or split it between the venues) of least expected all-in
    /// cost: book depth, fees, round trip, health, balance there
    /// (comma-separated or repeated; servers from --venue-url or the
    /// config's exchanges.<venue>.base_url).
    #[arg(
        long = "route-to",
        value_enum,
        value_delimiter = ',',
        value_name = "VENUE"
    )]
    route_to: Vec<VenueArg>,
    /// Market: spot, or USDT-margined perpetuals (`usdm`, also `linear`).
    #[arg(long, value_enum, default_value = "spot")]
    market: MarketArg,
    /// Symbols, comma-separated or repeated (default: the config's
    /// exchanges.binance.symbols, else backtest.instrument, else BTCUSDT),
    /// traded from one account.
    #[arg(long, value_delimiter = ',')]
    symbol: Vec<String>,
    /// The candles' timeframe (default: the config's entry timeframe, else 1m).
    #[arg(long)]
    timeframe: Option<String>,
    /// Strategy (default: the config's backtest.strategy, else smc).
    #[arg(long, value_enum)]
    strategy: Option<StrategyArg>,
    /// smc: the bias timeframe (default: the config's last timeframe, else 1h).
    #[arg(long)]
    bias: Option<String>,
    /// SQLite file of the session (default: the config's storage.database_url).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Stop after this many closed candles, of all symbols together
    /// (default: run until Ctrl-C).
    #[arg(long)]
    max_bars: Option<u64>,
    /// Live mode only: you understand that real orders will be sent.
    #[arg(long)]
    confirm_live: bool,
    /// Live mode only: compare the whole account with the venue every N
    /// seconds (and after every reconnect).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    reconcile_seconds: u64,
    /// Live mode only: allow a loopback Binance-protocol server (such as
    /// `smc venue-sim`) instead of Binance; a warning says so.
    #[arg(long)]
    allow_local_venue: bool,
    /// Run the sessions of a portfolio file in this process (each with its
    /// own config, venue, account currency, risk limits and database) and
    /// report them together; --mode, --max-bars (per session),
    /// --venue-url and the live flags apply to each.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "config", "symbol", "timeframe", "strategy", "bias", "db", "route_to"
    ])]
    portfolio: Option<PathBuf>,
}

impl RunArgs {
    /// The runtime's spec: these flags, the config, the key from the
    /// environment (keys are never read from files).
    fn spec(self) -> anyhow::Result<SessionSpec> {
        let config = self.config.as_deref().map(smc_config::load).transpose()?;
        let venue = venue_name(self.venue);
        let url = smc_runtime::venue_url_of(&self.venue_url, venue).map_err(anyhow::Error::msg)?;
        let market = match self.market {
            MarketArg::Spot => Market::Spot,
            MarketArg::Usdm => Market::UsdM,
        };
        let route_to: Vec<VenueName> = self.route_to.iter().map(|v| venue_name(*v)).collect();
        let route_to = smc_runtime::route_specs(&self.venue_url, &route_to, market)
            .map_err(anyhow::Error::msg)?;
        Ok(SessionSpec {
            mode: self.mode.map(|m| match m {
                RunMode::Paper => Mode::Paper,
                RunMode::Live => Mode::Live,
            }),
            config,
            config_path: self.config,
            venue: VenueSpec {
                venue,
                market,
                url,
                account_id: None,
            },
            route_to,
            symbols: self.symbol,
            timeframe: self.timeframe,
            strategy: self.strategy.map(Into::into),
            bias: self.bias,
            database: self.db,
            max_bars: self.max_bars,
            confirm_live: self.confirm_live,
            allow_local_venue: self.allow_local_venue,
            reconcile_every: Some(std::time::Duration::from_secs(self.reconcile_seconds)),
            credentials: smc_config::env::credentials(venue.as_str(), |k| std::env::var(k).ok()),
        })
    }
}

fn venue_name(arg: VenueArg) -> VenueName {
    match arg {
        VenueArg::Binance => VenueName::Binance,
        VenueArg::Bybit => VenueName::Bybit,
        VenueArg::Oanda => VenueName::Oanda,
    }
}

/// Runs the session; `env_file` is the `.env` the keys may have come from,
/// which live trading requires to be private.
pub fn run(args: RunArgs, env_file: Option<&std::path::Path>) -> anyhow::Result<()> {
    if let Some(file) = args.portfolio.clone() {
        return run_portfolio(args, &file, env_file);
    }
    let spec = args.spec()?;
    if let (Mode::Live, Some(path)) = (spec.mode(), env_file) {
        smc_config::dotenv::check_private(path)?;
    }
    let bus = EventBus::new();
    let printer = crate::output::session::spawn_printer(bus.subscribe_lossless(4_096), None);
    let id = smc_stream::session_id::of_spec(&spec);
    let stream = smc_stream::session::attach(&id, &spec, &bus)?;
    let alerts = smc_alerts::session::attach_spec(&id, &spec, &bus)?;
    let session = RunningSession::start(spec, bus)?;
    stop_on_signals(session.stopper());
    let result = session.wait();
    // Every publisher is gone: the printer drains what is left and ends.
    let _ = printer.join();
    // Nothing the session published is left behind unsaid.
    stream.into_iter().for_each(flush_stream);
    if let Some(alerts) = alerts {
        let error = result.as_ref().err().map(ToString::to_string);
        finish_alerts(alerts, error.as_deref());
    }
    result?;
    Ok(())
}

/// Raises the crash alert if the session failed and gives the channels
/// 10 s to deliver what is due; the rest waits in the outbox.
fn finish_alerts(alerts: smc_alerts::session::Attached, error: Option<&str>) {
    let pending = alerts.finish(error, std::time::Duration::from_secs(10));
    if pending > 0 {
        tracing::warn!(
            "alerts: {pending} messages not yet delivered, kept in the outbox for the next start"
        );
    }
}

/// Publishes what a session left in its stream buffer (10 s at most) and
/// says how it went.
fn flush_stream(publisher: smc_stream::Publisher) {
    let report = publisher.finish(smc_stream::publisher::DRAIN);
    if report.complete() {
        tracing::info!("event stream: {report}");
    } else {
        tracing::warn!("event stream: {report}");
    }
}

/// The sessions of the portfolio `file`, each printed with its name, then
/// the portfolio's report.
fn run_portfolio(
    args: RunArgs,
    file: &std::path::Path,
    env_file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let portfolio = smc_config::load_portfolio(file)?;
    let common = PortfolioCommon {
        mode: args.mode.map(|m| match m {
            RunMode::Paper => Mode::Paper,
            RunMode::Live => Mode::Live,
        }),
        max_bars: args.max_bars,
        confirm_live: args.confirm_live,
        allow_local_venue: args.allow_local_venue,
        reconcile_every: Some(std::time::Duration::from_secs(args.reconcile_seconds)),
        venue_urls: args.venue_url,
    };
    if let (Some(Mode::Live), Some(path)) = (common.mode, env_file) {
        smc_config::dotenv::check_private(path)?;
    }
    let specs = portfolio_specs(&portfolio, &common, |venue| {
        smc_config::env::credentials(venue.as_str(), |k| std::env::var(k).ok())
    })?;
    let mut printers = Vec::new();
    let named: std::collections::BTreeMap<String, SessionSpec> = specs.iter().cloned().collect();
    let mut streams = Vec::new();
    let run = PortfolioRun::start(specs, |name| {
        let bus = EventBus::new();
        let events = bus.subscribe_lossless(4_096);
        printers.push(crate::output::session::spawn_printer(
            events,
            Some(name.into()),
        ));
        if let Some(spec) = named.get(name) {
            let id = smc_stream::session_id::of_spec(spec);
            match smc_stream::session::attach(&id, spec, &bus) {
                Ok(publisher) => streams.extend(publisher),
                Err(e) => tracing::warn!("{name}: no event stream: {e}"),
            }
        }
        bus
    })?;
    let stoppers = run.stoppers();
    std::thread::spawn(move || {
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            runtime.block_on(super::termination());
            stoppers.iter().for_each(Stopper::stop);
        }
    });
    let ended = run.wait();
    for p in printers {
        let _ = p.join();
    }
    streams.into_iter().for_each(flush_stream);
    let report = PortfolioReport::of(&portfolio, &ended);
    crate::output::portfolio::print(&report)?;
    if let Some((name, Err(e))) = ended.iter().find(|(_, r)| r.is_err()) {
        anyhow::bail!("session `{name}` failed: {e}");
    }
    Ok(())
}

/// Ctrl-C and SIGTERM (systemd, docker) stop the session as cleanly as
/// `--max-bars` does.
fn stop_on_signals(stopper: Stopper) {
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(super::termination());
        stopper.stop();
    });
}
