//! What an alert is: a keyed condition at a severity, opened and later
//! resolved, and the message a channel delivers (one alert, or a digest of
//! a burst). The JSON form is the webhook's pinned body
//! `{"id","key","severity","title","text","time","resolved"}` plus
//! `count`, `session` and, for a digest, `alerts`.

use serde::{Deserialize, Serialize};
use smc_model::Timestamp;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// `info`, `warning` or `critical` (the config's validation ran first).
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alert or its resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique per message.
    pub id: String,
    /// The condition: the same key is the same alert (`breaker:daily_loss`).
    pub key: String,
    pub severity: Severity,
    pub title: String,
    pub text: String,
    /// RFC 3339 in UTC.
    pub time: String,
    pub resolved: bool,
    /// How many times the condition fired within the de-duplication window.
    pub count: u32,
    /// The session it is about (empty for a test message).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session: String,
    /// A digest: the alerts it groups (a burst over the rate limit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A message id unique across processes and restarts: the time, the
/// process and a counter.
pub fn new_id(now: Timestamp) -> String {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!("{}-{}-{n}", now.ms(), std::process::id())
}

impl Alert {
    /// A new alert (or resolution) of `key`, fired once.
    pub fn new(
        key: impl Into<String>,
        severity: Severity,
        title: impl Into<String>,
        text: impl Into<String>,
        now: Timestamp,
    ) -> Alert {
        Alert {
            id: new_id(now),
            key: key.into(),
            severity,
            title: title.into(),
            text: text.into(),
            time: now.format_utc(),
            resolved: false,
            count: 1,
            session: String::new(),
            alerts: Vec::new(),
        }
    }

    /// The resolution of this alert: same key and severity.
    pub fn resolution(&self, text: impl Into<String>, now: Timestamp) -> Alert {
        Alert {
            id: new_id(now),
            resolved: true,
            title: format!("Resolved: {}", self.title),
            text: text.into(),
            time: now.format_utc(),
            count: 1,
            alerts: Vec::new(),
            ..self.clone()
        }
    }

    /// One message for a burst of alerts: the highest severity, a line each.
    pub fn digest(alerts: Vec<Alert>, now: Timestamp) -> Alert {
        let severity = alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(Severity::Info);
        let text = alerts
            .iter()
            .map(Alert::line)
            .collect::<Vec<_>>()
            .join("\n");
        let session = alerts
            .first()
            .map(|a| a.session.clone())
            .unwrap_or_default();
        Alert {
            id: new_id(now),
            key: "digest".to_string(),
            severity,
            title: format!("{} alerts", alerts.len()),
            text,
            time: now.format_utc(),
            resolved: false,
            count: alerts.iter().map(|a| a.count).sum(),
            session,
            alerts,
        }
    }

    /// `[CRITICAL] title (×3)` on one line.
    pub fn line(&self) -> String {
        let mark = if self.resolved {
            "RESOLVED".to_string()
        } else {
            self.severity.as_str().to_uppercase()
        };
        let times = if self.count > 1 {
            format!(" (×{})", self.count)
        } else {
            String::new()
        };
        format!("[{mark}] {}{times}", self.title)
    }

    /// The plain-text body channels without formatting use.
    pub fn plain(&self) -> String {
        let mut out = self.line();
        if !self.text.is_empty() {
            out.push('\n');
            out.push_str(&self.text);
        }
        if !self.session.is_empty() {
            out.push_str(&format!("\nsession {}", self.session));
        }
        out.push_str(&format!("\n{}", self.time));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_json_has_the_pinned_fields() {
        let now = Timestamp::from_ms(1_700_000_000_000);
        let a = Alert::new("breaker:x", Severity::Critical, "t", "x", now);
        let b = Alert::new("breaker:x", Severity::Critical, "t", "x", now);
        assert_ne!(a.id, b.id);
        let v: serde_json::Value = serde_json::to_value(&a).unwrap();
        for field in ["id", "key", "severity", "title", "text", "time", "resolved"] {
            assert!(v.get(field).is_some(), "{field} missing: {v}");
        }
        assert_eq!(v["severity"], "critical");
        assert_eq!(v["time"], "2023-11-14T22:13:20Z");
        assert_eq!(v["resolved"], false);
    }

    #[test]
    fn a_digest_takes_the_highest_severity_and_sums_counts() {
        let now = Timestamp::from_ms(0);
        let mut a = Alert::new("a", Severity::Info, "A", "", now);
        a.count = 2;
        let b = Alert::new("b", Severity::Critical, "B", "", now);
        let d = Alert::digest(vec![a, b], now);
        assert_eq!(d.severity, Severity::Critical);
        assert_eq!(d.count, 3);
        assert_eq!(d.text, "[INFO] A (×2)\n[CRITICAL] B");
        let r = Alert::new("k", Severity::Warning, "Down", "", now).resolution("up", now);
        assert!(r.resolved && r.title == "Resolved: Down" && r.key == "k");
    }
}
