//! `smc risk breakers`: the circuit breakers kept in the store. `list` shows
//! each breaker's state (and its recent transitions), `reset` releases a
//! tripped breaker for an authorized operator, `set-token` enrolls the reset
//! token's verifier. The token is read from `SMC_BREAKER_RESET_TOKEN`, never
//! from a flag (flags show in process lists).

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use smc_model::{Clock, Timestamp};
use smc_risk::breakers::{BreakerRecord, NEW_RESET_TOKEN_ENV, RESET_TOKEN_ENV, ResetRequest};
use smc_runtime::breaker_admin::{Enrollment, enroll_reset_token, reset_breaker};
use smc_runtime::risk_gate::breaker_config;
use smc_store::open_risk_store;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BreakersCommand {
    /// Each breaker's state, and its recent transitions.
    List(ListArgs),
    /// Release a tripped breaker (token in SMC_BREAKER_RESET_TOKEN).
    Reset(ResetArgs),
    /// Enroll the reset token in SMC_BREAKER_RESET_TOKEN (its salted hash is
    /// stored, never the token); --rotate replaces it with the token in
    /// SMC_BREAKER_NEW_RESET_TOKEN.
    SetToken(SetTokenArgs),
}

/// Which database: a file or URL, or the config's `storage.database_url`.
#[derive(Args)]
pub struct Database {
    /// SQLite file (or sqlite:// URL), or a postgres:// URL.
    #[arg(long, required_unless_present = "config")]
    db: Option<String>,
    /// config.yaml whose storage.database_url (or DATABASE_URL) names it.
    #[arg(long, conflicts_with = "db")]
    config: Option<PathBuf>,
}

impl Database {
    fn url_and_config(&self) -> anyhow::Result<(String, Option<smc_config::Config>)> {
        if let Some(db) = &self.db {
            let url = if db.starts_with("sqlite:") || smc_store::is_postgres_url(db) {
                db.clone()
            } else {
                format!("sqlite://{db}")
            };
            return Ok((url, None));
        }
        let Some(path) = &self.config else {
            bail!("give --db FILE or --config FILE");
        };
        let config = smc_config::load(path)?;
        Ok((config.storage.database_url.clone(), Some(config)))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: Database,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// How many recent transitions to show.
    #[arg(long, default_value_t = 10)]
    events: u32,
}

#[derive(Args)]
pub struct ResetArgs {
    /// The breaker: daily_loss, drawdown, consecutive_losses, volatility_spike, error_rate, stale_data.
    name: String,
    #[command(flatten)]
    db: Database,
    /// Who resets it (recorded).
    #[arg(long)]
    operator: String,
    /// Why (recorded).
    #[arg(long)]
    reason: String,
}

#[derive(Args)]
pub struct SetTokenArgs {
    #[command(flatten)]
    db: Database,
    /// Replace the enrolled token (authorized by the current one).
    #[arg(long)]
    rotate: bool,
}

pub fn run(command: &BreakersCommand) -> anyhow::Result<()> {
    match command {
        BreakersCommand::List(a) => list(a),
        BreakersCommand::Reset(a) => reset(a),
        BreakersCommand::SetToken(a) => set_token(a),
    }
}

fn env_token(var: &str) -> anyhow::Result<zeroize::Zeroizing<String>> {
    match std::env::var(var) {
        Ok(t) if !t.is_empty() => Ok(zeroize::Zeroizing::new(t)),
        _ => bail!("set {var} to the breaker reset token"),
    }
}

fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_string(), Timestamp::format_utc)
}

fn record_json(r: &BreakerRecord) -> serde_json::Value {
    serde_json::json!({
        "name": r.name,
        "state": r.state.as_str(),
        "reason": r.reason,
        "tripped_at": r.tripped_at,
        "cooldown_until": r.cooldown_until,
        "updated_at": r.updated_at,
    })
}

fn list(args: &ListArgs) -> anyhow::Result<()> {
    let (url, _) = args.db.url_and_config()?;
    let store = open_risk_store(&url, true)?;
    // Shown without its password from here on.
    let url = smc_store::redacted_url(&url);
    let breakers = store.breakers()?;
    let events = store.breaker_events(None, Some(args.events))?;
    if args.format == Format::Json {
        let events: Vec<serde_json::Value> = events
            .iter()
            .map(|e| {
                let t = &e.transition;
                serde_json::json!({
                    "id": e.id,
                    "breaker": t.breaker,
                    "time": t.time,
                    "action": t.action.as_str(),
                    "from": t.from.as_str(),
                    "to": t.to.as_str(),
                    "reason": t.reason,
                    "operator": t.operator,
                    "cooldown_until": t.cooldown_until,
                })
            })
            .collect();
        let json = serde_json::json!({
            "breakers": breakers.iter().map(record_json).collect::<Vec<_>>(),
            "events": events,
        });
        println!("{json}");
        return Ok(());
    }
    if breakers.is_empty() {
        println!("no breakers in {url}");
        return Ok(());
    }
    println!(
        "{:<20} {:<13} {:<20} {:<20} reason",
        "breaker", "state", "tripped_at", "cooldown_until"
    );
    for r in &breakers {
        println!(
            "{:<20} {:<13} {:<20} {:<20} {}",
            r.name,
            r.state.as_str(),
            time(r.tripped_at),
            time(r.cooldown_until),
            r.reason.as_deref().unwrap_or("")
        );
    }
    if !events.is_empty() {
        println!("\nrecent transitions:");
        for e in &events {
            let t = &e.transition;
            let by = t
                .operator
                .as_deref()
                .map(|o| format!(" by {o}"))
                .unwrap_or_default();
            println!(
                "  {} {} {} -> {}{by}: {}",
                t.time.format_utc(),
                t.breaker,
                t.from,
                t.to,
                t.reason
            );
        }
    }
    Ok(())
}

fn reset(args: &ResetArgs) -> anyhow::Result<()> {
    let token = env_token(RESET_TOKEN_ENV)?;
    let (url, config) = args.db.url_and_config()?;
    let store = open_risk_store(&url, true)?;
    let request = ResetRequest {
        operator: args.operator.clone(),
        reason: args.reason.clone(),
        token,
    };
    let delay = config.map_or(0, |c| {
        breaker_config(&c.risk_manager.circuit_breakers).rearm_delay_ms
    });
    let shown = smc_store::redacted_url(&url);
    let now = smc_model::WallClock.now();
    let (next, transition) =
        reset_breaker(store.as_ref(), &shown, &args.name, &request, now, delay)?;
    println!(
        "{}: {} -> {} (reset by {}); armed again at {}",
        next.name,
        transition.from,
        transition.to,
        request.operator.trim(),
        time(next.cooldown_until)
    );
    Ok(())
}

fn set_token(args: &SetTokenArgs) -> anyhow::Result<()> {
    let current = env_token(RESET_TOKEN_ENV)?;
    let (url, _) = args.db.url_and_config()?;
    let store = open_risk_store(&url, false)?;
    let shown = smc_store::redacted_url(&url);
    let new_token = || env_token(NEW_RESET_TOKEN_ENV).ok();
    let rotate_to = args
        .rotate
        .then_some(&new_token as &dyn Fn() -> Option<zeroize::Zeroizing<String>>);
    let now = smc_model::WallClock.now();
    match enroll_reset_token(store.as_ref(), &shown, &current, rotate_to, now)? {
        Enrollment::Enrolled => println!("reset token enrolled in {shown}"),
        Enrollment::AlreadyEnrolled => println!("this reset token is already enrolled in {shown}"),
    }
    Ok(())
}
