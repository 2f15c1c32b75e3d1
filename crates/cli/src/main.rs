//! `smc`: the command line of the SMC trading agent. Argument parsing and
//! output only; the work is done by the library crates (the runtime for
//! sessions and backtests).

mod commands;
mod logging;
mod output;

use clap::{Parser, Subcommand};
use commands::events;
use commands::worker;
use commands::{
    audit, backtest, check_lookahead, detect, ml, optimize, risk, run, serve, store, venue_sim,
};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "smc", version, about = "Smart Money Concepts trading agent")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    log: logging::LogArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Detect SMC structure in an OHLCV CSV file (causal by default; --parity
    /// reproduces the reference Python library).
    Detect(detect::DetectArgs),
    /// Backtest a strategy on an OHLCV CSV file with the simulated venue.
    Backtest(backtest::BacktestArgs),
    /// Run a strategy on the full data and on truncated data, and report
    /// every decision that differs (exit status 3 when one does).
    CheckLookahead(check_lookahead::LookaheadArgs),
    /// Walk-forward parameter search: pick the best parameters on each train
    /// window, test them on the next unseen window, and warn when the
    /// selection is likely overfit (deflated Sharpe ratio, PBO).
    Optimize(optimize::OptimizeArgs),
    /// Risk measures of a price series (value at risk, expected shortfall)
    /// and the circuit breakers kept in the store.
    Risk {
        #[command(subcommand)]
        command: risk::RiskCommand,
    },
    /// The hash-chained audit log kept in the store: `verify` checks it
    /// (exit status 2 when broken or when a breaker differs from it).
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// The journal's database: `migrate` it, `copy` a SQLite journal into PostgreSQL.
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
    /// Trade a strategy on real-time market data: paper (simulated fills,
    /// journaled in SQLite, restart-safe) or live.
    Run(run::RunArgs),
    /// Serve the REST and WebSocket API (sessions, backtests, risk, audit,
    /// metrics) with authentication, on 127.0.0.1:8080 by default.
    Serve(serve::ServeArgs),
    /// Run a loopback exchange simulator speaking the Binance spot and USD-M
    /// protocols (REST, market streams, user data stream), replaying CSV
    /// series as its market and matching with the engine's matching engine.
    VenueSim(venue_sim::VenueSimArgs),
    /// A backtest worker of `smc optimize --distributed`: pulls jobs from the
    /// NATS JetStream work queue (--nats URL) and answers them.
    Worker(worker::WorkerArgs),
    /// The sessions' events on NATS JetStream: `tail` prints them as JSON lines.
    Events {
        #[command(subcommand)]
        command: events::EventsCommand,
    },
    /// Alerts: `test` sends a test message to one configured channel.
    Alerts {
        #[command(subcommand)]
        command: commands::alerts::AlertsCommand,
    },
    /// The ML filter of the smc strategy: `train` a model, `evaluate` it out of sample.
    Ml {
        #[command(subcommand)]
        command: ml::MlCommand,
    },
    /// A session's daily or weekly report from its journal: P&L, trades, win
    /// rate, drawdown, exposure, breaker events, the equity chart (HTML).
    Report(commands::report::ReportArgs),
    /// Market data files: `convert` candles between CSV and Parquet.
    Data {
        #[command(subcommand)]
        command: commands::data::DataCommand,
    },
}

impl Command {
    /// The command's `--config`, whose `app.log_level` sets the log's level.
    fn config_path(&self) -> Option<&std::path::Path> {
        match self {
            Command::Detect(a) => a.config.as_deref(),
            Command::Backtest(a) => a.config.as_deref(),
            Command::Optimize(a) => a.config.as_deref(),
            Command::Run(a) => a.config.as_deref(),
            Command::Serve(a) => a.config.as_deref(),
            Command::Worker(a) => a.config.as_deref(),
            Command::Report(a) => a.config.as_deref(),
            Command::Events { command } => match command {
                events::EventsCommand::Tail(a) => a.config.as_deref(),
            },
            Command::CheckLookahead(_)
            | Command::Risk { .. }
            | Command::Audit { .. }
            | Command::Store { .. }
            | Command::VenueSim(_)
            | Command::Ml { .. }
            | Command::Alerts { .. }
            | Command::Data { .. } => None,
        }
    }
}

fn main() -> ExitCode {
    // Before any thread starts: loading sets environment variables.
    let env_file = smc_config::dotenv::load();
    let cli = Cli::parse();
    let level = logging::level(&cli.log, cli.command.config_path());
    logging::install(&cli.log, level.clone().unwrap_or_default());
    if let Err(e) = level {
        tracing::error!("{e}");
        return ExitCode::from(2);
    }
    let env_file = match env_file {
        Ok(path) => path,
        Err(e) => {
            tracing::error!("{e:#}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Detect(args) => detect::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Ml { command } => ml::run(&command),
        Command::CheckLookahead(args) => match check_lookahead::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(3),
            Err(e) => Err(e),
        },
        Command::Optimize(args) => optimize::run(&args),
        Command::Run(args) => run::run(args, env_file.as_deref()),
        Command::Risk { command } => risk::run(&command),
        Command::Audit { command } => match audit::run(&command) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(2),
            Err(e) => Err(e),
        },
        Command::Serve(args) => serve::run(args),
        Command::Store { command } => store::run(&command),
        Command::VenueSim(args) => venue_sim::run(&args),
        Command::Events { command } => events::run(&command),
        Command::Worker(args) => worker::run(&args),
        Command::Alerts { command } => commands::alerts::run(&command),
        Command::Report(args) => commands::report::run(&args),
        Command::Data { command } => commands::data::run(&command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed stdout (e.g. `| head`) is not an error worth a message.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            tracing::error!("{e:#}");
            ExitCode::from(2)
        }
    }
}
