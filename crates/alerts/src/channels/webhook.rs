//! The generic webhook: the alert's JSON POSTed to `alerts.webhook.url`,
//! signed so that the receiver knows it came from this agent and is fresh:
//! `X-SMC-Timestamp` (epoch seconds) and `X-SMC-Signature:
//! sha256=<lowercase hex HMAC-SHA256 of "<timestamp>.<body>" keyed by
//! WEBHOOK_SECRET>`. Receivers reject timestamps older than five minutes.

use super::{SendError, http_outcome, secret};
use crate::alert::Alert;
use crate::error::AlertError;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use smc_config::alerts::{WebhookConfig, check_http_url};
use smc_model::Clock;

#[derive(Debug)]
pub struct Webhook {
    url: String,
    secret: String,
    http: reqwest::Client,
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a receiver should accept `header` for `body` at `timestamp`,
/// checked at `now` (epoch seconds): a fresh timestamp (five minutes
/// either way) and the right signature, compared in constant time.
pub fn verify(secret: &[u8], timestamp: i64, body: &[u8], header: &str, now: i64) -> bool {
    if (now - timestamp).abs() > 300 {
        return false;
    }
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

impl Webhook {
    pub fn new(
        config: &WebhookConfig,
        env: &dyn Fn(&str) -> Option<String>,
        http: reqwest::Client,
    ) -> Result<Webhook, AlertError> {
        check_http_url(&config.url)
            .map_err(|m| AlertError::Config(format!("alerts.webhook.url: {m}")))?;
        Ok(Webhook {
            url: config.url.clone(),
            secret: secret(env, "WEBHOOK_SECRET", "webhook")?,
            http,
        })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let body =
            serde_json::to_vec(alert).map_err(|e| SendError::Fatal(format!("webhook: {e}")))?;
        // Signed at each attempt: a retry an hour later is fresh again.
        let timestamp = smc_model::WallClock.now().ms().div_euclid(1_000);
        let sent = self
            .http
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("X-SMC-Timestamp", timestamp.to_string())
            .header(
                "X-SMC-Signature",
                signature(self.secret.as_bytes(), timestamp, &body),
            )
            .body(body)
            .send()
            .await;
        http_outcome("webhook", sent).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_an_independent_vector_and_verifies() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed with Python's hmac module.
        let s = signature(b"secret", 1_700_000_000, b"{}");
        assert_eq!(
            s,
            "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert!(
            s[7..]
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
        assert!(verify(b"secret", 1_700_000_000, b"{}", &s, 1_700_000_100));
        assert!(
            !verify(b"secret", 1_700_000_000, b"{}", &s, 1_700_000_301),
            "stale"
        );
        assert!(!verify(b"other", 1_700_000_000, b"{}", &s, 1_700_000_000));
        assert!(!verify(b"secret", 1_700_000_000, b"{ }", &s, 1_700_000_000));
    }
}
