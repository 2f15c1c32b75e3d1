//! Slack: an incoming webhook (`SLACK_WEBHOOK_URL`) given a Block Kit
//! message — a header, the text, and a context line — with a plain `text`
//! fallback for notifications.

use super::{SendError, clip, http_outcome, secret};
use crate::alert::{Alert, Severity};
use crate::error::AlertError;
use serde_json::{Value, json};
use smc_config::alerts::{SlackConfig, check_http_url};

#[derive(Debug)]
pub struct Slack {
    url: String,
    http: reqwest::Client,
}

impl Slack {
    pub fn new(
        config: &SlackConfig,
        env: &dyn Fn(&str) -> Option<String>,
        http: reqwest::Client,
    ) -> Result<Slack, AlertError> {
        let url = match &config.webhook_url {
            Some(url) => url.clone(),
            None => secret(env, "SLACK_WEBHOOK_URL", "slack")?,
        };
        check_http_url(&url).map_err(|m| AlertError::Config(format!("SLACK_WEBHOOK_URL: {m}")))?;
        Ok(Slack { url, http })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let sent = self.http.post(&self.url).json(&message(alert)).send().await;
        http_outcome("slack", sent).await.map(drop)
    }
}

fn emoji(alert: &Alert) -> &'static str {
    if alert.resolved {
        return "✅";
    }
    match alert.severity {
        Severity::Critical => "🔴",
        Severity::Warning => "🟠",
        Severity::Info => "🔵",
    }
}

/// The Block Kit payload (header ≤ 150 characters, sections ≤ 3,000).
pub fn message(alert: &Alert) -> Value {
    let header = clip(&format!("{} {}", emoji(alert), alert.line()), 150);
    let mut context = vec![format!("`{}`", alert.key), alert.time.clone()];
    if !alert.session.is_empty() {
        context.insert(0, format!("session *{}*", alert.session));
    }
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": header}})];
    if !alert.text.is_empty() {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(&alert.text, 3_000)}}));
    }
    blocks.push(
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": context.join(" · ")}]}),
    );
    json!({"text": clip(&alert.plain(), 3_000), "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::Timestamp;

    #[test]
    fn block_kit_with_a_fallback() {
        let mut a = Alert::new(
            "breaker:x",
            Severity::Critical,
            "Breaker x tripped",
            "why",
            Timestamp::from_ms(0),
        );
        a.session = "s1".into();
        let m = message(&a);
        assert!(m["text"].as_str().unwrap().contains("Breaker x tripped"));
        assert_eq!(m["blocks"][0]["type"], "header");
        assert_eq!(m["blocks"][0]["text"]["type"], "plain_text");
        assert_eq!(m["blocks"][1]["text"]["text"], "why");
        assert!(
            m["blocks"][2]["elements"][0]["text"]
                .as_str()
                .unwrap()
                .contains("session *s1*")
        );
    }
}
