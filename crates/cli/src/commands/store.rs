//! `smc store migrate --db URL` applies the schema to a database (SQLite
//! file or PostgreSQL); `smc store copy --from sqlite://… --to postgres://…`
//! moves a journal into an empty PostgreSQL database; `smc store backup
//! --to FILE` and `smc store restore --from FILE` copy a database to one
//! file and back. The work is the store crate's ([`smc_store::copy`],
//! [`smc_store::backup`]).

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Apply the pending migrations to a database (created if a SQLite
    /// file is missing).
    Migrate(MigrateArgs),
    /// Copy a SQLite journal into an empty PostgreSQL database, in one
    /// transaction.
    Copy(CopyArgs),
    /// Copy a database into one file while it runs: SQLite's online backup,
    /// or pg_dump's custom format for PostgreSQL.
    Backup(BackupArgs),
    /// Put a backup back. Refused while a process has the database open,
    /// and, without --force, when it already holds data.
    Restore(RestoreArgs),
}

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    to: std::path::PathBuf,
    /// The database: a SQLite file, or a sqlite:// or postgres:// URL
    /// (default: DATABASE_URL, else sqlite://smc.db).
    #[arg(long)]
    db: Option<String>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file (from smc store backup).
    #[arg(long, value_name = "FILE")]
    from: std::path::PathBuf,
    /// The database to restore into (default: DATABASE_URL, else
    /// sqlite://smc.db).
    #[arg(long)]
    db: Option<String>,
    /// Replace a database that already holds data (a SQLite file that
    /// exists, a PostgreSQL database with tables). Never overrides the
    /// refusal of a database in use.
    #[arg(long)]
    force: bool,
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

/// `--db`, else DATABASE_URL, else the config's default.
fn db_or_default(db: Option<&str>) -> String {
    let env = std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty());
    url(db
        .map(str::to_string)
        .or(env)
        .as_deref()
        .unwrap_or("sqlite://smc.db"))
}

pub fn run(command: &StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Backup(args) => {
            let db = db_or_default(args.db.as_deref());
            let r = smc_store::backup::backup(&db, &args.to)?;
            println!(
                "backed up {} ({}) to {} ({} bytes)",
                smc_store::redacted_url(&db),
                r.kind,
                r.path.display(),
                r.bytes
            );
        }
        StoreCommand::Restore(args) => {
            let db = db_or_default(args.db.as_deref());
            let r = smc_store::backup::restore(&args.from, &db, args.force)?;
            println!(
                "restored {} into {}: {} orders, {} fills",
                args.from.display(),
                smc_store::redacted_url(&db),
                r.orders,
                r.fills
            );
        }
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
