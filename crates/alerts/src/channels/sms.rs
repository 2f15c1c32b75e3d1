//! SMS through a Twilio-compatible API: one `POST
//! <base_url>/2010-04-01/Accounts/<SID>/Messages.json` per number, form
//! encoded, with HTTP basic authentication (`TWILIO_ACCOUNT_SID`,
//! `TWILIO_AUTH_TOKEN`). A text is kept short: the alert's line and the
//! first line of its text.

use super::{SendError, clip, http_outcome, secret};
use crate::alert::Alert;
use crate::error::AlertError;
use smc_config::alerts::{SmsConfig, check_http_url};

#[derive(Debug)]
pub struct Sms {
    url: String,
    sid: String,
    token: String,
    from: String,
    to: Vec<String>,
    http: reqwest::Client,
}

impl Sms {
    pub fn new(
        config: &SmsConfig,
        env: &dyn Fn(&str) -> Option<String>,
        http: reqwest::Client,
    ) -> Result<Sms, AlertError> {
        check_http_url(&config.base_url)
            .map_err(|m| AlertError::Config(format!("alerts.sms.base_url: {m}")))?;
        let sid = secret(env, "TWILIO_ACCOUNT_SID", "sms")?;
        let token = secret(env, "TWILIO_AUTH_TOKEN", "sms")?;
        let url = format!(
            "{}/2010-04-01/Accounts/{sid}/Messages.json",
            config.base_url.trim_end_matches('/')
        );
        Ok(Sms {
            url,
            sid,
            token,
            from: config.from.clone(),
            to: config.to.clone(),
            http,
        })
    }

    /// One message per number; a failure on any is retried for all (a
    /// repeated SMS is better than a missing one).
    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let body = text(alert);
        for to in &self.to {
            let form = [
                ("To", to.as_str()),
                ("From", self.from.as_str()),
                ("Body", body.as_str()),
            ];
            let sent = self
                .http
                .post(&self.url)
                .basic_auth(&self.sid, Some(&self.token))
                .form(&form)
                .send()
                .await;
            http_outcome(&format!("sms to {to}"), sent).await?;
        }
        Ok(())
    }
}

/// The SMS body: at most 320 characters (two segments).
pub fn text(alert: &Alert) -> String {
    let first = alert.text.lines().next().unwrap_or_default();
    let body = if first.is_empty() {
        format!("SMC {}", alert.line())
    } else {
        format!("SMC {}: {first}", alert.line())
    };
    clip(&body, 320)
}
