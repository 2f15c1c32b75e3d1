//! The `alerts` section: which events alert and how loudly (`rules`), which
//! severities go to which channels (`routing`), the channels themselves (a
//! channel is on when its section is present), the discipline that keeps a
//! pager quiet (de-duplication, rate limits, digests, retries) and the
//! e-mailed daily and weekly reports. Secrets (webhook URLs, tokens,
//! passwords) come from the environment only.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `alerts`: off as a whole when absent.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    pub rules: AlertRules,
    /// Severity (`info`, `warning`, `critical`) to channel names; a
    /// severity not listed goes to every configured channel (`sms` only for
    /// `critical`).
    pub routing: BTreeMap<String, Vec<String>>,
    pub slack: Option<SlackConfig>,
    pub telegram: Option<TelegramConfig>,
    pub email: Option<EmailConfig>,
    pub sms: Option<SmsConfig>,
    pub webhook: Option<WebhookConfig>,
    pub discipline: Discipline,
    pub reports: Option<ReportsConfig>,
    /// The outbox's SQLite database (`sqlite://FILE`); default: beside a
    /// SQLite journal (`X.db` → `X.alerts.db`), else `smc-alerts.db`. Not
    /// the journal itself, so that writing an alert never holds the lock
    /// an order's journal step waits for.
    pub outbox: Option<String>,
}

/// The names channels go by in `routing` and on the command line.
pub const CHANNELS: [&str; 5] = ["slack", "telegram", "email", "sms", "webhook"];

/// The severities, least urgent first.
pub const SEVERITIES: [&str; 3] = ["info", "warning", "critical"];

/// One rule: on unless `enabled: false`, at its severity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub severity: String,
}

fn yes() -> bool {
    true
}

fn rule(severity: &str) -> Rule {
    Rule {
        enabled: true,
        severity: severity.to_string(),
    }
}

/// `alerts.rules`: every rule is on with its default severity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertRules {
    /// A circuit breaker tripped (resolved when it is reset or cools down).
    pub breaker_tripped: Rule,
    /// A protective order (stop, take-profit) was refused or not sent.
    pub protection_refused: Rule,
    /// A position was closed by the safety exit, or could not be.
    pub safety_exit: Rule,
    /// A venue stream has been disconnected for `disconnected_seconds`.
    pub venue_disconnected: Rule,
    pub disconnected_seconds: u64,
    /// A reconciliation found the venue different from the session.
    pub reconciliation_difference: Rule,
    /// `rejected_count` orders rejected within `rejected_minutes`.
    pub orders_rejected: Rule,
    pub rejected_count: u32,
    pub rejected_minutes: u64,
    /// The day's P&L (UTC day, in the account's currency) at or below
    /// `daily_pnl_below` or at or above `daily_pnl_above`.
    pub daily_pnl: Rule,
    pub daily_pnl_below: Option<rust_decimal::Decimal>,
    pub daily_pnl_above: Option<rust_decimal::Decimal>,
    /// A session stopped (warning) or crashed (always critical).
    pub session_stopped: Rule,
    /// No closed candle for `stale_seconds` (data stale).
    pub data_stale: Rule,
    pub stale_seconds: u64,
    /// The ML model file is older than `model_max_age_days`.
    pub model_stale: Rule,
    pub model_max_age_days: u64,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            breaker_tripped: rule("critical"),
            protection_refused: rule("critical"),
            safety_exit: rule("critical"),
            venue_disconnected: rule("warning"),
            disconnected_seconds: 60,
            reconciliation_difference: rule("warning"),
            orders_rejected: rule("warning"),
            rejected_count: 3,
            rejected_minutes: 10,
            daily_pnl: rule("warning"),
            daily_pnl_below: None,
            daily_pnl_above: None,
            session_stopped: rule("warning"),
            data_stale: rule("warning"),
            stale_seconds: 600,
            model_stale: rule("info"),
            model_max_age_days: 30,
        }
    }
}

/// `alerts.slack`: the incoming webhook's URL is `SLACK_WEBHOOK_URL`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SlackConfig {
    /// Overrides the environment's URL (tests, a proxy); secret in real use.
    pub webhook_url: Option<String>,
}

/// A Telegram chat id: a number or an `@channel` name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ChatId {
    Number(i64),
    Name(String),
}

impl std::fmt::Display for ChatId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChatId::Number(n) => write!(f, "{n}"),
            ChatId::Name(s) => f.write_str(s),
        }
    }
}

/// `alerts.telegram`: the bot's token is `TELEGRAM_BOT_TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    pub chat_id: ChatId,
    #[serde(default = "telegram_base")]
    pub base_url: String,
}

fn telegram_base() -> String {
    "https://api.telegram.org".to_string()
}

/// How the e-mail channel secures its SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EmailTls {
    #[default]
    Starttls,
    /// Plain text: loopback hosts only.
    None,
}

/// `alerts.email`: the password is `SMTP_PASSWORD`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    #[serde(default = "submission_port")]
    pub port: u16,
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub tls: EmailTls,
}

fn submission_port() -> u16 {
    587
}

/// `alerts.sms`: Twilio-compatible; `TWILIO_ACCOUNT_SID` and
/// `TWILIO_AUTH_TOKEN` from the environment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default = "twilio_base")]
    pub base_url: String,
}

fn twilio_base() -> String {
    "https://api.twilio.com".to_string()
}

/// `alerts.webhook`: signed with `WEBHOOK_SECRET` when it is set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
}

/// `alerts.discipline`: what keeps a burst from becoming a storm.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Discipline {
    /// The same alert key within this window is one alert with a count.
    pub dedup_seconds: u64,
    /// Messages per channel per minute; more wait and go out as one digest.
    pub rate_per_minute: u32,
    /// The first retry's delay; it doubles up to `retry_max_seconds`.
    pub retry_seconds: u64,
    pub retry_max_seconds: u64,
    /// An undelivered message is given up after this long (0: never).
    pub give_up_hours: u64,
}

impl Default for Discipline {
    fn default() -> Self {
        Discipline {
            dedup_seconds: 300,
            rate_per_minute: 6,
            retry_seconds: 2,
            retry_max_seconds: 300,
            give_up_hours: 24,
        }
    }
}

/// `alerts.reports`: the daily and weekly reports, e-mailed at `hour`
/// in `timezone` (weekly on Mondays, for the week before).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsConfig {
    pub daily: bool,
    pub weekly: bool,
    pub hour: u32,
    pub timezone: String,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            daily: true,
            weekly: true,
            hour: 7,
            timezone: "UTC".to_string(),
        }
    }
}

impl AlertsConfig {
    /// Severities and channel names are known ones; URLs are http(s) with
    /// plain http only to loopback; lists are not empty.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, rule) in self.rules.all() {
            if !SEVERITIES.contains(&rule.severity.as_str()) {
                return Err((
                    key,
                    format!(
                        "severity `{}`: one of info, warning, critical",
                        rule.severity
                    ),
                ));
            }
        }
        for (severity, channels) in &self.routing {
            if !SEVERITIES.contains(&severity.as_str()) {
                return Err((
                    "alerts.routing",
                    format!("`{severity}`: one of info, warning, critical"),
                ));
            }
            if let Some(c) = channels.iter().find(|c| !CHANNELS.contains(&c.as_str())) {
                return Err((
                    "alerts.routing",
                    format!("channel `{c}`: one of {}", CHANNELS.join(", ")),
                ));
            }
        }
        if let Some(t) = &self.telegram {
            check_http_url(&t.base_url).map_err(|m| ("alerts.telegram.base_url", m))?;
        }
        if let Some(s) = &self.sms {
            check_http_url(&s.base_url).map_err(|m| ("alerts.sms.base_url", m))?;
            if s.to.is_empty() {
                return Err(("alerts.sms.to", "names no number".to_string()));
            }
        }
        if let Some(w) = &self.webhook {
            check_http_url(&w.url).map_err(|m| ("alerts.webhook.url", m))?;
        }
        if let Some(s) = self.slack.as_ref().and_then(|s| s.webhook_url.as_ref()) {
            check_http_url(s).map_err(|m| ("alerts.slack.webhook_url", m))?;
        }
        if let Some(e) = &self.email {
            if e.to.is_empty() {
                return Err(("alerts.email.to", "names no address".to_string()));
            }
            if e.tls == EmailTls::None && !is_loopback_host(&e.host) {
                return Err((
                    "alerts.email.tls",
                    format!("`none` is for loopback hosts only, not `{}`", e.host),
                ));
            }
        }
        if let Some(r) = &self.reports {
            if r.hour > 23 {
                return Err(("alerts.reports.hour", format!("{}: 0 to 23", r.hour)));
            }
            if r.timezone.parse::<chrono_tz::Tz>().is_err() {
                return Err((
                    "alerts.reports.timezone",
                    format!("`{}`: an IANA time zone", r.timezone),
                ));
            }
        }
        if self.discipline.rate_per_minute == 0 {
            return Err((
                "alerts.discipline.rate_per_minute",
                "must be at least 1".to_string(),
            ));
        }
        Ok(())
    }

    /// The channels whose sections are present, in [`CHANNELS`] order.
    pub fn channels(&self) -> Vec<&'static str> {
        let on = [
            self.slack.is_some(),
            self.telegram.is_some(),
            self.email.is_some(),
            self.sms.is_some(),
            self.webhook.is_some(),
        ];
        CHANNELS
            .iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .map(|(c, _)| *c)
            .collect()
    }

    /// The configured channels a `severity` goes to.
    pub fn route(&self, severity: &str) -> Vec<&'static str> {
        let on = self.channels();
        match self.routing.get(severity) {
            Some(listed) => on
                .into_iter()
                .filter(|c| listed.iter().any(|l| l == c))
                .collect(),
            None => on
                .into_iter()
                .filter(|c| *c != "sms" || severity == "critical")
                .collect(),
        }
    }
}

impl AlertRules {
    fn all(&self) -> [(&'static str, &Rule); 10] {
        [
            ("alerts.rules.breaker_tripped", &self.breaker_tripped),
            ("alerts.rules.protection_refused", &self.protection_refused),
            ("alerts.rules.safety_exit", &self.safety_exit),
            ("alerts.rules.venue_disconnected", &self.venue_disconnected),
            (
                "alerts.rules.reconciliation_difference",
                &self.reconciliation_difference,
            ),
            ("alerts.rules.orders_rejected", &self.orders_rejected),
            ("alerts.rules.daily_pnl", &self.daily_pnl),
            ("alerts.rules.session_stopped", &self.session_stopped),
            ("alerts.rules.data_stale", &self.data_stale),
            ("alerts.rules.model_stale", &self.model_stale),
        ]
    }
}

/// `https://…`, or `http://` to a loopback host only (a secret or an alert
/// never crosses a network in the clear).
pub fn check_http_url(url: &str) -> Result<(), String> {
    if let Some(rest) = url.strip_prefix("https://") {
        return if host_of(rest).is_empty() {
            Err(format!("`{url}` names no host"))
        } else {
            Ok(())
        };
    }
    match url.strip_prefix("http://") {
        Some(rest) if is_loopback_host(host_of(rest)) => Ok(()),
        Some(_) => Err(format!(
            "`{url}`: plain http:// is accepted only for loopback addresses; use https://"
        )),
        None => Err(format!("`{url}`: an https:// URL")),
    }
}

/// The host of `host[:port][/path]`, without IPv6 brackets.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

/// `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_http_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_http_url("http://localhost/hook").is_ok());
        assert!(check_http_url("http://[::1]:8/x").is_ok());
        assert!(check_http_url("https://hooks.slack.com/services/x").is_ok());
        let e = check_http_url("http://example.com/hook").unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        assert!(check_http_url("ftp://127.0.0.1/").is_err());
        assert!(check_http_url("http://127.0.0.1.evil.com/").is_err());
    }

    #[test]
    fn routing_defaults_keep_sms_for_critical() {
        let config: AlertsConfig = serde_yaml_ng::from_str(
            "sms: {from: '+1555', to: ['+1666']}\nwebhook: {url: 'http://127.0.0.1:1/x'}\n",
        )
        .unwrap_or_default();
        assert_eq!(config.channels(), vec!["sms", "webhook"]);
        assert_eq!(config.route("critical"), vec!["sms", "webhook"]);
        assert_eq!(config.route("warning"), vec!["webhook"]);
        let routed: AlertsConfig =
            serde_yaml_ng::from_str("routing: {warning: [sms]}\nsms: {from: a, to: [b]}\n")
                .unwrap_or_default();
        assert_eq!(routed.route("warning"), vec!["sms"]);
        assert!(routed.route("info").is_empty());
    }

    #[test]
    fn chat_id_is_a_number_or_a_name() {
        let t: TelegramConfig =
            serde_yaml_ng::from_str("chat_id: -100123").unwrap_or_else(|_| TelegramConfig {
                chat_id: ChatId::Name(String::new()),
                base_url: String::new(),
            });
        assert_eq!(t.chat_id, ChatId::Number(-100123));
        assert_eq!(t.base_url, "https://api.telegram.org");
        let n: TelegramConfig =
            serde_yaml_ng::from_str("chat_id: '@ops'").unwrap_or_else(|_| TelegramConfig {
                chat_id: ChatId::Number(0),
                base_url: String::new(),
            });
        assert_eq!(n.chat_id.to_string(), "@ops");
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut c = AlertsConfig::default();
        c.rules.daily_pnl.severity = "loud".into();
        assert_eq!(c.validate().unwrap_err().0, "alerts.rules.daily_pnl");
        let mut c = AlertsConfig::default();
        c.routing.insert("critical".into(), vec!["pager".into()]);
        assert_eq!(c.validate().unwrap_err().0, "alerts.routing");
        let c = AlertsConfig {
            email: Some(EmailConfig {
                host: "smtp.example.com".into(),
                port: 25,
                username: None,
                from: "a@b".into(),
                to: vec!["c@d".into()],
                tls: EmailTls::None,
            }),
            ..AlertsConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().0, "alerts.email.tls");
    }

    #[test]
    fn the_example_config_documents_a_valid_alerts_section() {
        let text = include_str!("../../../config.example.yaml");
        let block: Vec<&str> = text
            .lines()
            .skip_while(|l| *l != "# alerts:")
            .skip(1)
            .take_while(|l| l.starts_with("#  "))
            .map(|l| &l[3..])
            .collect();
        assert!(block.len() > 40, "the commented block is found");
        let config: AlertsConfig = serde_yaml_ng::from_str(&block.join("\n")).unwrap();
        config.validate().unwrap();
        assert_eq!(config.channels(), CHANNELS.to_vec());
        assert_eq!(
            config.rules.daily_pnl_below,
            Some(rust_decimal::Decimal::from(-500))
        );
        assert_eq!(config.reports.unwrap().timezone, "Europe/London");
    }
}
