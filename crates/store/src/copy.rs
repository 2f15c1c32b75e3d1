//! `smc store migrate` and `smc store copy`: the schema applied to a
//! database, and a SQLite journal moved whole into an empty PostgreSQL one
//! (candles and venue reports in their order, orders with their statuses,
//! fills, positions, session facts, and the circuit breakers with their
//! trail, the secrets' verifiers and the hash-chained audit log, ids and
//! hashes kept so the chain verifies on the target), in one transaction: a
//! copy that fails leaves the target empty.

use crate::error::StoreError;
use crate::journal::Journal;
use crate::postgres::{PgJournal, is_postgres_url};
use crate::sqlite::Store;

/// What a copy moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub candles: usize,
    pub venue_reports: usize,
    pub orders: usize,
    pub fills: usize,
    pub positions: usize,
    pub session_values: usize,
    pub breakers: usize,
    pub breaker_events: usize,
    pub audit_entries: usize,
}

/// Opens the database at `url` (creating a SQLite file if missing) and
/// applies its pending migrations.
pub fn migrate(url: &str) -> Result<(), StoreError> {
    if is_postgres_url(url) {
        PgJournal::open_unlocked(url).map(drop)
    } else {
        Store::open(url).map(drop)
    }
}

/// Copies the SQLite journal at `from` into the PostgreSQL database at
/// `to`, which must hold no journal yet (a merge of two sessions' journals
/// would be neither). The target's session lock is held meanwhile, so no
/// session runs on it.
pub fn copy(from: &str, to: &str) -> Result<CopyReport, StoreError> {
    if !is_postgres_url(to) {
        return Err(StoreError::Url {
            url: to.to_string(),
            message: "the copy's target must be a postgres:// database".into(),
        });
    }
    let source = Store::open_existing(from)?;
    let target = PgJournal::open(to)?;
    if !target.orders()?.is_empty() || !target.logged_candles()?.is_empty() {
        return Err(StoreError::Url {
            url: target.url().to_string(),
            message: "the target already holds a journal; copy into an empty database".into(),
        });
    }
    let data = crate::postgres::Import {
        candles: source.logged_candles()?,
        venue_reports: source.keyed_venue_reports()?,
        orders: source.orders()?,
        fills: source.fills()?,
        positions: source.positions()?,
        session_values: source.session_values()?,
        risk: crate::postgres::import::RiskRows {
            breakers: source.breakers()?,
            events: source.breaker_events(None, None)?,
            secrets: source.secret_rows()?,
            audit: source.audit_entries(None, usize::MAX)?,
            audit_issued: source.audit_issued()?,
        },
    };
    let report = CopyReport {
        candles: data.candles.len(),
        venue_reports: data.venue_reports.len(),
        orders: data.orders.len(),
        fills: data.fills.len(),
        positions: data.positions.len(),
        session_values: data.session_values.len(),
        breakers: data.risk.breakers.len(),
        breaker_events: data.risk.events.len(),
        audit_entries: data.risk.audit.len(),
    };
    target.import(&data)?;
    Ok(report)
}
