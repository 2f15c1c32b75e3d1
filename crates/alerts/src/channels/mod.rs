//! The channels an alert goes out on, built from the `alerts` section and
//! the environment's secrets. Each formats the alert its own way and says
//! whether a failure is worth retrying (the venue of the message is down or
//! busy) or not (the request itself is wrong: retrying repeats the error).

pub mod email;
pub mod slack;
pub mod sms;
pub mod telegram;
pub mod webhook;

use crate::alert::Alert;
use crate::error::AlertError;
use smc_config::alerts::AlertsConfig;
use std::time::Duration;

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Down, busy or timed out: try again later.
    Retry(String),
    /// Refused for a reason that repeats: give up.
    Fatal(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Retry(m) => write!(f, "{m} (will retry)"),
            SendError::Fatal(m) => write!(f, "{m} (not retried)"),
        }
    }
}

/// One configured channel.
#[derive(Debug)]
pub enum Channel {
    Slack(slack::Slack),
    Telegram(telegram::Telegram),
    Email(email::Email),
    Sms(sms::Sms),
    Webhook(webhook::Webhook),
}

impl Channel {
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Slack(_) => "slack",
            Channel::Telegram(_) => "telegram",
            Channel::Email(_) => "email",
            Channel::Sms(_) => "sms",
            Channel::Webhook(_) => "webhook",
        }
    }

    /// Delivers `alert`.
    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        match self {
            Channel::Slack(c) => c.send(alert).await,
            Channel::Telegram(c) => c.send(alert).await,
            Channel::Email(c) => c.send(alert).await,
            Channel::Sms(c) => c.send(alert).await,
            Channel::Webhook(c) => c.send(alert).await,
        }
    }
}

/// Every channel whose section is present, with its secrets from `env`.
pub fn build(
    config: &AlertsConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Channel>, AlertError> {
    let http = http_client()?;
    let mut out = Vec::new();
    if let Some(c) = &config.slack {
        out.push(Channel::Slack(slack::Slack::new(c, env, http.clone())?));
    }
    if let Some(c) = &config.telegram {
        out.push(Channel::Telegram(telegram::Telegram::new(
            c,
            env,
            http.clone(),
        )?));
    }
    if let Some(c) = &config.email {
        out.push(Channel::Email(email::Email::new(c, env)?));
    }
    if let Some(c) = &config.sms {
        out.push(Channel::Sms(sms::Sms::new(c, env, http.clone())?));
    }
    if let Some(c) = &config.webhook {
        out.push(Channel::Webhook(webhook::Webhook::new(c, env, http)?));
    }
    Ok(out)
}

/// One HTTP client for the HTTP channels: a bounded wait, no redirects (a
/// redirect could carry a secret elsewhere).
fn http_client() -> Result<reqwest::Client, AlertError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AlertError::Config(format!("HTTP client: {e}")))
}

/// A secret from the environment, or an error naming it and the channel.
fn secret(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    channel: &str,
) -> Result<String, AlertError> {
    env(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        AlertError::Config(format!(
            "alerts.{channel} is configured but {name} is not set"
        ))
    })
}

/// What an HTTP answer means for delivery: 2xx delivered; 408, 429 and
/// 5xx retried; other codes refused for good.
async fn http_outcome(
    what: &str,
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<reqwest::Response, SendError> {
    let response = sent.map_err(|e| SendError::Retry(format!("{what}: {}", without_url(&e))))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    let body: String = body.chars().take(300).collect();
    let message = format!("{what}: HTTP {status}: {body}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(SendError::Retry(message))
    } else {
        Err(SendError::Fatal(message))
    }
}

/// A reqwest error without its URL, which may hold a token.
fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(url.as_str(), "<url>");
    }
    msg
}

/// At most `max` characters, marked when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_marks_a_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn a_missing_secret_names_the_variable_and_channel() {
        let e = secret(&|_| None, "SLACK_WEBHOOK_URL", "slack").unwrap_err();
        assert!(
            e.to_string().contains("SLACK_WEBHOOK_URL") && e.to_string().contains("alerts.slack")
        );
    }
}
