//! A whole journal written at once, rows as they are (not replayed: a
//! fill's quantity is already in its order's), for `smc store copy`.

use super::PgJournal;
use super::journal_impl::{insert_candle, to_json};
use crate::error::StoreError;
use crate::journal::{LoggedCandle, LoggedReport, StoredOrder, StoredPosition};
use crate::sqlite::audit::AuditEntry;
use crate::sqlite::breakers::StoredTransition;
use crate::sqlite::secrets::SecretRow;
use smc_model::Fill;
use smc_risk::breakers::BreakerRecord;

/// A journal's rows, in their order.
#[derive(Debug, Default)]
pub struct Import {
    pub candles: Vec<LoggedCandle>,
    /// (key, report), in the order applied.
    pub venue_reports: Vec<(String, LoggedReport)>,
    pub orders: Vec<StoredOrder>,
    pub fills: Vec<Fill>,
    pub positions: Vec<StoredPosition>,
    pub session_values: Vec<(String, String)>,
    pub risk: RiskRows,
}

/// The breakers, their trail, the secrets' verifiers and the audit chain,
/// as stored: copied with their ids and hashes, so the chain verifies on
/// the target exactly as on the source.
#[derive(Debug, Default)]
pub struct RiskRows {
    pub breakers: Vec<BreakerRecord>,
    pub events: Vec<StoredTransition>,
    pub secrets: Vec<SecretRow>,
    pub audit: Vec<AuditEntry>,
    /// The highest audit id the source issued.
    pub audit_issued: i64,
}

impl PgJournal {
    /// Writes `data` in one transaction.
    pub fn import(&self, data: &Import) -> Result<(), StoreError> {
        let what = "importing a journal";
        self.ensure_partitions(
            "candles",
            data.candles.iter().map(|c| c.candle.open_time.ms()),
        )?;
        let mut client = self.client();
        let mut tx = client.transaction().map_err(StoreError::pg(what))?;
        // In log order: the sequence numbers them as they come.
        let mut cache = std::collections::HashMap::new();
        for c in &data.candles {
            let mut cx = super::journal_impl::Cx {
                c: &mut tx,
                cache: &mut cache,
            };
            insert_candle(&mut cx, c, false)?;
        }
        for (key, r) in &data.venue_reports {
            tx.execute(
                "INSERT INTO venue_reports (key, after_candles, report) VALUES ($1, $2, $3)",
                &[key, &r.after_candles, &r.report],
            )
            .map_err(StoreError::pg(what))?;
        }
        for o in &data.orders {
            tx.execute(
                "INSERT INTO orders (client_id, instrument, request, status, filled_qty, \
                 venue_order_id, reason, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &o.request.client_id.as_str(),
                    &o.request.instrument.to_string(),
                    &to_json(&o.request),
                    &o.status.as_str(),
                    &o.filled_qty.to_string(),
                    &o.venue_order_id,
                    &o.reason,
                    &o.created_at.ms(),
                    &o.updated_at.ms(),
                ],
            )
            .map_err(StoreError::pg(what))?;
        }
        for f in &data.fills {
            tx.execute(
                "INSERT INTO fills (instrument, trade_id, client_id, time, fill) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &f.instrument.to_string(),
                    &f.trade_id,
                    &f.client_id.as_str(),
                    &f.time.ms(),
                    &to_json(f),
                ],
            )
            .map_err(StoreError::pg(what))?;
        }
        for p in &data.positions {
            tx.execute(
                "INSERT INTO positions (instrument, qty, avg_price, realized_pnl, updated_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &p.instrument,
                    &p.qty.to_string(),
                    &p.avg_price.to_string(),
                    &p.realized_pnl.to_string(),
                    &p.updated_at.ms(),
                ],
            )
            .map_err(StoreError::pg(what))?;
        }
        for (name, value) in &data.session_values {
            tx.execute(
                "INSERT INTO session (name, value) VALUES ($1, $2)",
                &[name, value],
            )
            .map_err(StoreError::pg(what))?;
        }
        import_risk(&mut tx, &data.risk)?;
        tx.commit().map_err(StoreError::pg(what))
    }
}

fn import_risk(tx: &mut postgres::Transaction<'_>, risk: &RiskRows) -> Result<(), StoreError> {
    for r in &risk.breakers {
        super::breakers::put_record(tx, r)?;
    }
    for e in &risk.events {
        super::breakers::write_event(tx, Some(e.id), &e.transition)?;
    }
    if !risk.events.is_empty() {
        // The identity goes on after the copied ids.
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('breaker_events', 'id'),              (SELECT max(id) FROM breaker_events))",
            &[],
        )
        .map_err(StoreError::pg("copying the breaker events"))?;
    }
    for s in &risk.secrets {
        super::breakers::put_secret(tx, s)?;
    }
    super::audit::import_in(tx, &risk.audit, risk.audit_issued)
}
