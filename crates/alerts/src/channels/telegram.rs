//! Telegram: the Bot API's `sendMessage` at `<base_url>/bot<TOKEN>/sendMessage`
//! (token from `TELEGRAM_BOT_TOKEN`), as plain text so that nothing in an
//! alert needs escaping.

use super::{SendError, clip, http_outcome, secret};
use crate::alert::Alert;
use crate::error::AlertError;
use serde_json::{Value, json};
use smc_config::alerts::{ChatId, TelegramConfig, check_http_url};

#[derive(Debug)]
pub struct Telegram {
    url: String,
    chat_id: ChatId,
    http: reqwest::Client,
}

impl Telegram {
    pub fn new(
        config: &TelegramConfig,
        env: &dyn Fn(&str) -> Option<String>,
        http: reqwest::Client,
    ) -> Result<Telegram, AlertError> {
        check_http_url(&config.base_url)
            .map_err(|m| AlertError::Config(format!("alerts.telegram.base_url: {m}")))?;
        let token = secret(env, "TELEGRAM_BOT_TOKEN", "telegram")?;
        let url = format!(
            "{}/bot{token}/sendMessage",
            config.base_url.trim_end_matches('/')
        );
        Ok(Telegram {
            url,
            chat_id: config.chat_id.clone(),
            http,
        })
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), SendError> {
        let sent = self
            .http
            .post(&self.url)
            .json(&message(&self.chat_id, alert))
            .send()
            .await;
        let response = http_outcome("telegram", sent).await?;
        // The Bot API answers 200 with `ok: false` for some refusals.
        let body: Value = response
            .json()
            .await
            .map_err(|e| SendError::Retry(format!("telegram: unreadable answer: {e}")))?;
        if body["ok"] == Value::Bool(true) {
            Ok(())
        } else {
            Err(SendError::Fatal(format!(
                "telegram: {}",
                body["description"]
            )))
        }
    }
}

/// The `sendMessage` body (text ≤ 4,096 characters).
pub fn message(chat_id: &ChatId, alert: &Alert) -> Value {
    let chat = match chat_id {
        ChatId::Number(n) => json!(n),
        ChatId::Name(s) => json!(s),
    };
    json!({
        "chat_id": chat,
        "text": clip(&alert.plain(), 4_096),
        "disable_web_page_preview": true,
    })
}
