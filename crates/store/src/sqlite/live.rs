//! What a live run keeps beyond the journal: the venue's reports in the
//! order they were applied (the replay log that, with the candle log,
//! rebuilds the engine after a restart, and the de-duplication of reports
//! that arrive twice), the facts a session fixes once (starting balance,
//! start time), and the venue's order ids.

use super::statement::Statement;
use super::{Store, text};
use crate::error::StoreError;
use crate::journal::LoggedReport;
use smc_model::ClientOrderId;

impl Store {
    pub fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        let insert = Statement::new(
            "INSERT OR IGNORE INTO venue_reports (key, after_candles, report) VALUES (?, ?, ?)",
        )
        .text(key)
        .int(after_candles)
        .text(report);
        Ok(self.run(insert, "logging a venue report")? == 1)
    }

    pub fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        let what = "reading the venue reports";
        self.rows(
            "SELECT after_candles, report FROM venue_reports ORDER BY seq",
            [],
            what,
            |r| {
                Ok(LoggedReport {
                    after_candles: r.get("after_candles").map_err(StoreError::query(what))?,
                    report: text(r, "report", what)?,
                })
            },
        )
    }

    /// The value under `name`, if any.
    pub fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        let what = "reading a session value";
        let mut found = self.rows(
            "SELECT value FROM session WHERE name = ?",
            [name],
            what,
            |r| text(r, "value", what),
        )?;
        Ok(found.pop())
    }

    /// Every venue report with its key, in order (what a copy takes: the
    /// keys keep de-duplicating reports on the copy).
    pub fn keyed_venue_reports(&self) -> Result<Vec<(String, LoggedReport)>, StoreError> {
        let what = "reading the venue reports";
        self.rows(
            "SELECT key, after_candles, report FROM venue_reports ORDER BY seq",
            [],
            what,
            |r| {
                let report = LoggedReport {
                    after_candles: r.get("after_candles").map_err(StoreError::query(what))?,
                    report: text(r, "report", what)?,
                };
                Ok((text(r, "key", what)?, report))
            },
        )
    }

    /// Every session value, by name (what a copy to another database takes).
    pub fn session_values(&self) -> Result<Vec<(String, String)>, StoreError> {
        let what = "reading the session values";
        self.rows(
            "SELECT name, value FROM session ORDER BY name",
            [],
            what,
            |r| Ok((text(r, "name", what)?, text(r, "value", what)?)),
        )
    }

    pub fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let insert = Statement::new("INSERT OR IGNORE INTO session (name, value) VALUES (?, ?)")
            .text(name)
            .text(value);
        self.run(insert, "writing a session value")?;
        self.session_value(name)?.ok_or(StoreError::Corrupt {
            what: "session",
            value: name.to_string(),
        })
    }

    pub fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        let update = Statement::new("UPDATE orders SET venue_order_id = ? WHERE client_id = ?")
            .text(venue_order_id)
            .text(client_id.as_str());
        self.run(update, "writing a venue order id").map(drop)
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
