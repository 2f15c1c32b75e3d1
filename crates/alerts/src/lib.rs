//! Alerts for the SMC trading agent: rules that watch a session's events
//! ([`rules`]), five channels (Slack, Telegram, e-mail, SMS, a signed
//! webhook: [`channels`]), and the discipline a pager needs — one alert per
//! condition with a count, rate limits, digests of bursts, retries from a
//! persistent outbox, and a resolved message when the condition clears
//! ([`alerter`], [`discipline`]).
#![forbid(unsafe_code)]

pub mod alert;
pub mod alerter;
pub mod channels;
pub mod discipline;
pub mod error;
pub mod reports;
pub mod rules;
pub mod session;
pub mod stream_watch;

pub use alert::{Alert, Severity};
pub use alerter::Alerter;
pub use error::AlertError;

use smc_config::alerts::AlertsConfig;
use std::sync::Arc;

/// The outbox's database for a process whose journal is `journal_url`.
pub fn outbox_url(config: &AlertsConfig, journal_url: &str) -> String {
    if let Some(url) = &config.outbox {
        return url.clone();
    }
    let file = journal_url
        .strip_prefix("sqlite://")
        .or_else(|| journal_url.strip_prefix("sqlite:"))
        .map(|f| f.split('?').next().unwrap_or_default());
    match file {
        Some(f) if !f.is_empty() && f != ":memory:" => {
            let base = f
                .strip_suffix(".db")
                .or_else(|| f.strip_suffix(".sqlite"))
                .unwrap_or(f);
            format!("sqlite://{base}.alerts.db")
        }
        _ => "sqlite://smc-alerts.db".to_string(),
    }
}

/// Starts alerting for `config` with secrets from the process's
/// environment, the outbox beside `journal_url`'s journal.
pub fn start(config: &AlertsConfig, journal_url: &str) -> Result<Alerter, AlertError> {
    let env = |k: &str| std::env::var(k).ok();
    let channels = channels::build(config, &env)?;
    let store = smc_store::Store::open(&outbox_url(config, journal_url))?;
    let alerter = Alerter::start(config, channels, Arc::new(store))?;
    tracing::info!("alerts: on, channels {}", alerter.channels().join(", "));
    Ok(alerter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_sits_beside_a_sqlite_journal() {
        let c = AlertsConfig::default();
        assert_eq!(
            outbox_url(&c, "sqlite://data/smc.db"),
            "sqlite://data/smc.alerts.db"
        );
        assert_eq!(
            outbox_url(&c, "sqlite:run.sqlite?mode=rwc"),
            "sqlite://run.alerts.db"
        );
        assert_eq!(
            outbox_url(&c, "postgres://u@h/db"),
            "sqlite://smc-alerts.db"
        );
        let set = AlertsConfig {
            outbox: Some("sqlite://o.db".into()),
            ..AlertsConfig::default()
        };
        assert_eq!(outbox_url(&set, "sqlite://x.db"), "sqlite://o.db");
    }
}
