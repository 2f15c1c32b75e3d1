//! `smc audit verify`: walks the store's hash-chained audit log and names
//! the first entry where it breaks, and the breakers whose stored state is
//! not what the chain last recorded for them (a direct SQL update). The
//! exit status tells a script: 0 intact, 2 broken, mismatched, or not
//! checked at all (an error, on stderr). Opening the database applies any
//! pending migration, as every command does: a database from before the
//! audit log gets an empty one.

use clap::{Args, Subcommand};
use smc_store::{AuditReport, open_risk_store};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain and the breakers against it. Exit status 0
    /// when intact; 2 when an entry was edited, deleted, inserted or moved,
    /// when a breaker's stored state differs from the chain's last entry
    /// for it, or when the database cannot be read.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    /// SQLite file (or sqlite:// URL; it must exist), or a postgres:// URL.
    #[arg(long)]
    db: String,
    /// Print one JSON object: entries, last_hash, ok, first_broken
    /// ({id, reason} or null) and breaker_mismatches.
    #[arg(long)]
    json: bool,
}

/// Runs the command; whether everything checked out.
pub fn run(command: &AuditCommand) -> anyhow::Result<bool> {
    match command {
        AuditCommand::Verify(args) => verify(args),
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<bool> {
    let url = if args.db.starts_with("sqlite:") || smc_store::is_postgres_url(&args.db) {
        args.db.clone()
    } else {
        format!("sqlite://{}", args.db)
    };
    let store = open_risk_store(&url, true)?;
    // Shown without its password from here on.
    let url = smc_store::redacted_url(&url);
    let report = store.audit_verify()?;
    if args.json {
        println!("{}", json(&report));
    } else {
        print_report(&url, &report);
    }
    Ok(report.ok())
}

fn json(report: &AuditReport) -> serde_json::Value {
    serde_json::json!({
        "entries": report.entries,
        "last_hash": report.last_hash,
        "ok": report.ok(),
        "first_broken": report.first_broken,
        "breaker_mismatches": report.breaker_mismatches,
    })
}

fn print_report(url: &str, report: &AuditReport) {
    println!("audit log of {url}: {} entries", report.entries);
    println!("last hash: {}", report.last_hash);
    match &report.first_broken {
        None => println!("chain: intact"),
        Some(b) => println!("chain: BROKEN at entry {}: {}", b.id, b.reason),
    }
    if report.breaker_mismatches.is_empty() {
        println!("breakers: as the chain recorded them");
        return;
    }
    println!(
        "breakers: {} differ from the chain",
        report.breaker_mismatches.len()
    );
    println!(
        "  {:<20} {:<13} {:<13} {:<7} why",
        "breaker", "stored", "chained", "entry"
    );
    for m in &report.breaker_mismatches {
        println!(
            "  {:<20} {:<13} {:<13} {:<7} {}",
            m.breaker,
            m.stored_state.as_deref().unwrap_or("-"),
            m.chained_state.as_deref().unwrap_or("-"),
            m.entry.map_or_else(|| "-".to_string(), |e| e.to_string()),
            m.reason
        );
    }
}
