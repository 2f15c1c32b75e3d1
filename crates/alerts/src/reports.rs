//! The e-mailed daily and weekly reports: at `alerts.reports.hour` in
//! `alerts.reports.timezone`, yesterday's daily report and, on Mondays,
//! last week's weekly report, rendered from the session's journal and sent
//! through the e-mail channel with the page attached. A report sent is
//! recorded in the outbox under `report:<session>:<kind>:<period>`, so a
//! restart never sends it twice; one that fails is tried again a minute
//! later.

use crate::channels::email::{Email, ReportMail};
use chrono::{Datelike, Duration as Days, NaiveDate, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use smc_config::alerts::ReportsConfig;
use smc_model::Timestamp;
use smc_runtime::period_report::{PeriodKind, ReportOptions, period_report_with};
use smc_store::Store;
use std::sync::Arc;

/// When reports are due.
#[derive(Debug, Clone)]
pub struct ReportClock {
    pub daily: bool,
    pub weekly: bool,
    pub hour: u32,
    pub tz: Tz,
}

impl ReportClock {
    /// From the config (the zone was validated with it).
    pub fn new(config: &ReportsConfig) -> ReportClock {
        ReportClock {
            daily: config.daily,
            weekly: config.weekly,
            hour: config.hour,
            tz: config.timezone.parse().unwrap_or(chrono_tz::UTC),
        }
    }

    /// The reports due at `now`: once the local hour has come, the daily
    /// report of the day before and, on a Monday, the weekly report of the
    /// week before (named by its Monday).
    pub fn due(&self, now: Timestamp) -> Vec<(PeriodKind, NaiveDate)> {
        let Some(local) = self.tz.timestamp_millis_opt(now.ms()).single() else {
            return Vec::new();
        };
        if local.hour() < self.hour {
            return Vec::new();
        }
        let today = local.date_naive();
        let mut out = Vec::new();
        if self.daily {
            out.push((PeriodKind::Daily, today - Days::days(1)));
        }
        if self.weekly && today.weekday() == Weekday::Mon {
            out.push((PeriodKind::Weekly, today - Days::days(7)));
        }
        out
    }
}

/// Sends one session's reports when due.
pub struct ReportMailer {
    pub clock: ReportClock,
    pub email: Arc<Email>,
    pub outbox: Arc<Store>,
    pub session: String,
    pub journal_url: String,
    pub options: ReportOptions,
    /// The last minute checked (reports are looked at once a minute).
    checked: i64,
}

impl std::fmt::Debug for ReportMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportMailer")
            .field("session", &self.session)
            .finish()
    }
}

impl ReportMailer {
    pub fn new(
        clock: ReportClock,
        email: Arc<Email>,
        outbox: Arc<Store>,
        session: &str,
        journal_url: &str,
        options: ReportOptions,
    ) -> ReportMailer {
        ReportMailer {
            clock,
            email,
            outbox,
            session: session.to_string(),
            journal_url: journal_url.to_string(),
            options,
            checked: i64::MIN,
        }
    }

    fn key(&self, kind: PeriodKind, date: NaiveDate) -> String {
        format!("report:{}:{}:{date}", self.session, kind.as_str())
    }

    /// Sends what is due and not yet sent (at most once a minute).
    pub async fn check(&mut self, now: Timestamp) {
        let minute = now.ms().div_euclid(60_000);
        if minute == self.checked {
            return;
        }
        self.checked = minute;
        for (kind, date) in self.clock.due(now) {
            let key = self.key(kind, date);
            match self.outbox.outbox_sent(&key) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!("report {key}: {e}");
                    continue;
                }
            }
            match self.send(kind, date).await {
                Ok(title) => {
                    let recorded = self
                        .outbox
                        .outbox_add(
                            "email",
                            &key,
                            &serde_json::json!({ "report": title }).to_string(),
                            now,
                        )
                        .and_then(|id| self.outbox.outbox_delivered(id, now));
                    if let Err(e) = recorded {
                        tracing::warn!("report {key} sent but not recorded: {e}");
                    }
                    tracing::info!("report {key} e-mailed");
                }
                Err(e) => tracing::warn!("report {key} not sent ({e}); trying again in a minute"),
            }
        }
    }

    /// Renders the report of `kind` for `date` and e-mails it; its title.
    pub async fn send(&self, kind: PeriodKind, date: NaiveDate) -> Result<String, String> {
        let (url, options, tz) = (
            self.journal_url.clone(),
            self.options.clone(),
            self.clock.tz,
        );
        let report =
            tokio::task::spawn_blocking(move || period_report_with(&url, kind, date, tz, &options))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        let mail = ReportMail {
            subject: format!("[SMC] {} — {}", report.title, self.session),
            text: report.text.clone(),
            attachment_name: report.file_name(),
            html: report.html,
        };
        self.email
            .send_report(&mail)
            .await
            .map_err(|e| e.to_string())?;
        Ok(report.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(hour: u32, tz: &str) -> ReportClock {
        ReportClock {
            daily: true,
            weekly: true,
            hour,
            tz: tz.parse().unwrap(),
        }
    }

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp::from_ms(
            chrono::DateTime::parse_from_rfc3339(rfc3339)
                .unwrap()
                .timestamp_millis(),
        )
    }

    #[test]
    fn daily_after_the_local_hour_and_weekly_on_mondays() {
        let c = clock(7, "Europe/London");
        // Tuesday 2026-12-08 06:59 in London: not yet.
        assert!(c.due(at("2026-12-08T06:59:00Z")).is_empty());
        assert_eq!(
            c.due(at("2026-12-08T07:00:00Z")),
            vec![(
                PeriodKind::Daily,
                NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
            )]
        );
        // Monday 2026-12-07: yesterday's day and last week's week.
        let monday = c.due(at("2026-12-07T09:00:00Z"));
        assert_eq!(monday.len(), 2);
        assert_eq!(
            monday[1],
            (
                PeriodKind::Weekly,
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
            )
        );
    }

    #[test]
    fn the_day_is_the_zone_s_day() {
        // 23:30 UTC on the 7th is 08:30 on the 8th in Tokyo.
        let c = clock(8, "Asia/Tokyo");
        assert_eq!(
            c.due(at("2026-12-07T23:30:00Z"))[0],
            (
                PeriodKind::Daily,
                NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
            )
        );
        assert!(
            clock(8, "UTC").due(at("2026-12-07T23:30:00Z"))[0].1
                == NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
        );
    }
}
