//! `smc store migrate --db URL` applies the schema to a database (SQLite
//! file or PostgreSQL); `smc store copy --from sqlite://… --to postgres://…`
//! moves a journal into an empty PostgreSQL database. The work is the store
//! crate's ([`smc_store::copy`]).

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Apply the pending migrations to a database (created if a SQLite
    /// file is missing).
    Migrate(MigrateArgs),
    /// Copy a SQLite journal into an empty PostgreSQL database, in one
    /// transaction.
    Copy(CopyArgs),
}

#[derive(Args)]
pub struct MigrateArgs {
    /// A SQLite file, or a sqlite:// or postgres:// URL.
    #[arg(long)]
    db: String,
}

#[derive(Args)]
pub struct CopyArgs {
    /// The SQLite journal (a file or a sqlite:// URL); it must exist.
    #[arg(long)]
    from: String,
    /// The PostgreSQL database (postgres://…).
    #[arg(long)]
    to: String,
}

/// A file path as a `sqlite://` URL; a URL as it is.
fn url(db: &str) -> String {
    if db.contains("://") || db.starts_with("sqlite:") {
        db.to_string()
    } else {
        format!("sqlite://{db}")
    }
}

pub fn run(command: &StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Migrate(args) => {
            smc_store::copy::migrate(&url(&args.db))?;
            println!("migrated");
        }
        StoreCommand::Copy(args) => {
            let r = smc_store::copy::copy(&url(&args.from), &url(&args.to))?;
            println!(
                "copied {} candles, {} venue reports, {} orders, {} fills, {} positions, {} session values, \
                 {} breakers, {} breaker events, {} audit entries",
                r.candles,
                r.venue_reports,
                r.orders,
                r.fills,
                r.positions,
                r.session_values,
                r.breakers,
                r.breaker_events,
                r.audit_entries
            );
        }
    }
    Ok(())
}
