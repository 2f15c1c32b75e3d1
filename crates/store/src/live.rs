//! What a live run keeps beyond the journal: the venue's reports in the
//! order they were applied (the replay log that, with the candle log,
//! rebuilds the engine after a restart, and the de-duplication of reports
//! that arrive twice), the facts a session fixes once (starting balance,
//! start time), and the venue's order ids.

use crate::db::Store;
use crate::error::StoreError;
use crate::journal::StoredOrder;
use smc_model::ClientOrderId;
use sqlx::Row;

/// One logged venue report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedReport {
    /// Logged candles the engine had processed when it was applied.
    pub after_candles: i64,
    /// The report, as the caller serialized it.
    pub report: String,
}

impl Store {
    /// Logs a venue report under `key` before it is applied. Returns
    /// `false` (and logs nothing) when a report with that key was logged
    /// before: it was applied already and must not be applied again.
    pub fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        let done = self
            .block_on(
                sqlx::query(
                    "INSERT OR IGNORE INTO venue_reports (key, after_candles, report) VALUES (?, ?, ?)",
                )
                .bind(key)
                .bind(after_candles)
                .bind(report)
                .execute(&mut *self.conn()),
            )
            .map_err(StoreError::query("logging a venue report"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Every logged venue report, in the order they were applied.
    pub fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        let what = "reading the venue reports";
        let rows = self
            .block_on(
                sqlx::query("SELECT after_candles, report FROM venue_reports ORDER BY seq")
                    .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query(what))?;
        rows.iter()
            .map(|r| {
                Ok(LoggedReport {
                    after_candles: r
                        .try_get("after_candles")
                        .map_err(StoreError::query(what))?,
                    report: r.try_get("report").map_err(StoreError::query(what))?,
                })
            })
            .collect()
    }

    /// Keeps `value` under `name` unless a value is there already; returns
    /// the value kept (the first one ever written).
    pub fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let what = "writing a session value";
        self.block_on(
            sqlx::query("INSERT OR IGNORE INTO session (name, value) VALUES (?, ?)")
                .bind(name)
                .bind(value)
                .execute(&mut *self.conn()),
        )
        .map_err(StoreError::query(what))?;
        self.session_value(name)?.ok_or(StoreError::Corrupt {
            what: "session",
            value: name.to_string(),
        })
    }

    /// The value under `name`, if any.
    pub fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.block_on(
            sqlx::query_scalar::<_, String>("SELECT value FROM session WHERE name = ?")
                .bind(name)
                .fetch_optional(&mut *self.conn()),
        )
        .map_err(StoreError::query("reading a session value"))
    }

    /// Records the venue's id of an order (whatever its status).
    pub fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        self.block_on(
            sqlx::query("UPDATE orders SET venue_order_id = ? WHERE client_id = ?")
                .bind(venue_order_id)
                .bind(client_id.as_str())
                .execute(&mut *self.conn()),
        )
        .map_err(StoreError::query("writing a venue order id"))?;
        Ok(())
    }

    /// The order the venue knows as `venue_order_id`.
    pub fn order_by_venue_id(
        &self,
        instrument: &str,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        let row = self
            .block_on(
                sqlx::query(
                    "SELECT client_id FROM orders WHERE instrument = ? AND venue_order_id = ?",
                )
                .bind(instrument)
                .bind(venue_order_id)
                .fetch_optional(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading an order by venue id"))?;
        match row {
            None => Ok(None),
            Some(r) => {
                let id: String = r
                    .try_get("client_id")
                    .map_err(StoreError::query("reading an order by venue id"))?;
                self.order(&ClientOrderId::new(id))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_logged_once_and_read_back_in_order() {
        let store = Store::open("sqlite::memory:").unwrap();
        assert!(store.log_venue_report("fill:a:1", 0, "{1}").unwrap());
        assert!(store.log_venue_report("accepted:x", 2, "{2}").unwrap());
        assert!(!store.log_venue_report("fill:a:1", 5, "{again}").unwrap());
        let got = store.venue_reports().unwrap();
        assert_eq!(
            got,
            vec![
                LoggedReport {
                    after_candles: 0,
                    report: "{1}".into()
                },
                LoggedReport {
                    after_candles: 2,
                    report: "{2}".into()
                }
            ]
        );
    }

    #[test]
    fn a_session_value_is_fixed_by_its_first_write() {
        let store = Store::open("sqlite::memory:").unwrap();
        assert_eq!(store.session_value("cash").unwrap(), None);
        assert_eq!(store.session_value_or_insert("cash", "10").unwrap(), "10");
        assert_eq!(store.session_value_or_insert("cash", "99").unwrap(), "10");
    }
}
