//! The `streaming` section: where sessions publish their events (NATS
//! JetStream) and how long the stream keeps them. Off unless `nats_url` (or
//! `NATS_URL`, which overrides it) is set.

use serde::Deserialize;

/// `streaming`: `{nats_url: nats://127.0.0.1:4222, stream: SMC_EVENTS, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamingConfig {
    /// `nats://HOST:PORT` or `tls://HOST:PORT` (several separated by
    /// commas); none: no event stream. `NATS_URL` overrides it.
    pub nats_url: Option<String>,
    /// The JetStream stream that holds `smc.>`; created or updated on start.
    pub stream: String,
    /// Messages older than this are removed (0: no age limit).
    pub max_age_hours: u64,
    /// The stream's size limit in bytes, oldest removed first (0: none).
    pub max_bytes: u64,
    /// The stream's message limit, oldest removed first (0: none).
    pub max_msgs: u64,
    /// Events a session holds for NATS before dropping new ones (counted
    /// and reported), so that a slow or absent server never slows trading.
    pub buffer: usize,
    /// `POST /api/v1/optimizations` sends its backtests to `smc worker`
    /// processes through `nats_url` when the request does not say
    /// (`"distributed"`); off: they run in the server's process.
    pub distributed_optimizations: bool,
}

impl Default for StreamingConfig {
    fn default() -> Self {
        StreamingConfig {
            nats_url: None,
            stream: "SMC_EVENTS".to_string(),
            // A week of history for dashboards and replays.
            max_age_hours: 24 * 7,
            max_bytes: 1 << 30,
            max_msgs: 10_000_000,
            buffer: 10_000,
            distributed_optimizations: false,
        }
    }
}

impl StreamingConfig {
    /// The URL(s) start with `nats://` or `tls://`; the stream's name is a
    /// valid JetStream name; the buffer holds at least one event.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(url) = &self.nats_url {
            check_url(url).map_err(|m| ("streaming.nats_url", m))?;
        }
        let name = &self.stream;
        if name.is_empty()
            || name
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '.' | '*' | '>' | '/' | '\\'))
        {
            return Err((
                "streaming.stream",
                format!("`{name}`: a JetStream name, without spaces, `.`, `*`, `>`, `/` or `\\`"),
            ));
        }
        if self.buffer == 0 {
            return Err(("streaming.buffer", "must be at least 1".to_string()));
        }
        Ok(())
    }
}

/// `nats://…` or `tls://…`, each of a comma-separated list, with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    for one in url.split(',').map(str::trim) {
        let rest = one
            .strip_prefix("nats://")
            .or_else(|| one.strip_prefix("tls://"));
        match rest {
            Some(host) if !host.is_empty() && !host.starts_with(':') => {}
            Some(_) => return Err(format!("`{one}` names no host")),
            None => {
                return Err(format!(
                    "`{one}` is not a nats://HOST:PORT or tls://HOST:PORT URL"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::parse;

    #[test]
    fn off_by_default_with_a_week_of_history() {
        let c = parse("t", "").unwrap();
        assert_eq!(c.streaming.nats_url, None);
        assert_eq!(c.streaming.stream, "SMC_EVENTS");
        assert_eq!(c.streaming.max_age_hours, 168);
        assert_eq!(c.streaming.buffer, 10_000);
    }

    #[test]
    fn a_url_that_is_not_nats_names_the_key() {
        let bad = "streaming:\n  nats_url: http://127.0.0.1:4222\n";
        let err = parse("t", bad).unwrap_err().to_string();
        assert!(err.contains("streaming.nats_url"), "{err}");
        assert!(err.starts_with("t:2:"), "{err}");
        let good = "streaming:\n  nats_url: nats://a:4222, tls://b:4222\n  buffer: 5\n";
        let c = parse("t", good).unwrap();
        assert_eq!(c.streaming.buffer, 5);
        assert!(!c.streaming.distributed_optimizations);
        let c = parse("t", "streaming: {distributed_optimizations: true}").unwrap();
        assert!(c.streaming.distributed_optimizations);
        let err = parse("t", "streaming: {buffer: 0}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("streaming.buffer"), "{err}");
        let err = parse("t", "streaming: {stream: a.b}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("streaming.stream"), "{err}");
        assert!(parse("t", "streaming: {nats_urls: x}").is_err());
    }

    #[test]
    fn nats_url_overrides_the_file_and_is_checked() {
        let mut c = parse("t", "streaming: {nats_url: nats://file:4222}").unwrap();
        crate::env::apply(&mut c, |v| {
            (v == "NATS_URL").then(|| "nats://env:4222".to_string())
        })
        .unwrap();
        assert_eq!(c.streaming.nats_url.as_deref(), Some("nats://env:4222"));
        let err = crate::env::apply(&mut c, |v| {
            (v == "NATS_URL").then(|| "env:4222".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("NATS_URL"), "{err}");
    }
}
