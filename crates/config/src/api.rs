//! `api`: how `smc serve` listens and guards its API — token lifetimes,
//! rate limits, login throttling, the IP allowlist, TLS, body and time
//! limits, and the folder that backtest inputs must come from.

use serde::Deserialize;
use std::net::IpAddr;
use std::path::PathBuf;

/// `api`: the API server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// `HOST:PORT` to listen on (flag `--listen` wins).
    pub listen: String,
    /// Minutes an access token lives.
    pub access_token_minutes: u32,
    /// Days a refresh token lives.
    pub refresh_token_days: u32,
    pub rate_limit: RateLimitConfig,
    pub login_throttle: LoginThrottleConfig,
    /// Client addresses or CIDR blocks allowed to connect; empty: any.
    pub ip_allowlist: Vec<String>,
    /// A bearer token `/metrics` requires; unset: `/metrics` is open.
    /// `SMC_METRICS_TOKEN` in the environment wins over the file.
    pub metrics_token: Option<String>,
    /// The folder `POST /backtests` reads inputs from; paths outside it
    /// are refused.
    pub data_dir: PathBuf,
    /// Where hosted sessions keep their journals, one SQLite file each.
    pub sessions_dir: PathBuf,
    /// Origins allowed by CORS; empty: none (same-origin only).
    pub cors_origins: Vec<String>,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered 408.
    pub request_timeout_seconds: u32,
    pub tls: Option<TlsConfig>,
    /// A file holding the 32-byte key that encrypts exchange keys at rest
    /// (`SMC_MASTER_KEY` in the environment wins).
    pub master_key_file: Option<PathBuf>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: "127.0.0.1:8080".into(),
            access_token_minutes: 15,
            refresh_token_days: 7,
            rate_limit: RateLimitConfig::default(),
            login_throttle: LoginThrottleConfig::default(),
            ip_allowlist: Vec::new(),
            metrics_token: None,
            data_dir: PathBuf::from("testdata/market"),
            sessions_dir: PathBuf::from("sessions"),
            cors_origins: Vec::new(),
            max_body_bytes: 1 << 20,
            request_timeout_seconds: 30,
            tls: None,
            master_key_file: None,
        }
    }
}

/// `api.rate_limit`: requests per second and burst, per user, key and IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        // High enough that one busy bot, and the load test, is not throttled.
        RateLimitConfig {
            per_second: 5_000,
            burst: 10_000,
        }
    }
}

/// `api.login_throttle`: failed logins allowed per username and per IP in
/// a window before logins are refused with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginThrottleConfig {
    pub max_failures: u32,
    pub window_minutes: u32,
}

impl Default for LoginThrottleConfig {
    fn default() -> Self {
        LoginThrottleConfig {
            max_failures: 5,
            window_minutes: 15,
        }
    }
}

/// `api.tls`: PEM certificate chain and private key; set both to serve HTTPS.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// One allowlist entry: an address and how many leading bits must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpBlock {
    /// Parses `ADDR` or `ADDR/BITS`.
    pub fn parse(text: &str) -> Result<IpBlock, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: prefix must be 0 to {max}"))?,
        };
        Ok(IpBlock { addr, prefix })
    }

    /// Whether `ip` lies in the block (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => prefix_eq(&a.octets(), &b.octets(), self.prefix),
            (IpAddr::V6(a), IpAddr::V6(b)) => prefix_eq(&a.octets(), &b.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    if a[..full] != b[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a.get(full).map(|x| x & mask) == b.get(full).map(|x| x & mask)
}

impl ApiConfig {
    /// Checks values types alone cannot; returns the dotted key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err((
                "api.listen",
                format!(
                    "`{}` is not HOST:PORT (an IP address and a port)",
                    self.listen
                ),
            ));
        }
        let at_least_one = [
            ("api.access_token_minutes", self.access_token_minutes),
            ("api.refresh_token_days", self.refresh_token_days),
            ("api.rate_limit.per_second", self.rate_limit.per_second),
            ("api.rate_limit.burst", self.rate_limit.burst),
            (
                "api.login_throttle.max_failures",
                self.login_throttle.max_failures,
            ),
            (
                "api.login_throttle.window_minutes",
                self.login_throttle.window_minutes,
            ),
            ("api.request_timeout_seconds", self.request_timeout_seconds),
        ];
        if let Some((key, _)) = at_least_one.iter().find(|(_, v)| *v == 0) {
            return Err((key, "must be at least 1".to_string()));
        }
        if self.max_body_bytes < 1024 {
            return Err(("api.max_body_bytes", "must be at least 1024".to_string()));
        }
        for entry in &self.ip_allowlist {
            IpBlock::parse(entry).map_err(|m| ("api.ip_allowlist", m))?;
        }
        Ok(())
    }

    /// The allowlist, parsed (validated when the config was read).
    pub fn allowlist(&self) -> Vec<IpBlock> {
        self.ip_allowlist
            .iter()
            .filter_map(|e| IpBlock::parse(e).ok())
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blocks_match_their_prefix_only() {
        let block = IpBlock::parse("10.1.0.0/16").unwrap();
        assert!(block.contains("10.1.200.3".parse().unwrap()));
        assert!(!block.contains("10.2.0.1".parse().unwrap()));
        let one = IpBlock::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(one.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let odd = IpBlock::parse("192.168.0.0/23").unwrap();
        assert!(odd.contains("192.168.1.9".parse().unwrap()));
        assert!(!odd.contains("192.168.2.9".parse().unwrap()));
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(IpBlock::parse("10.0.0.0/33").is_err());
        assert!(IpBlock::parse("example.com").is_err());
        let config = ApiConfig {
            ip_allowlist: vec!["nope".into()],
            ..ApiConfig::default()
        };
        assert_eq!(config.validate().unwrap_err().0, "api.ip_allowlist");
        let config = ApiConfig {
            listen: "localhost".into(),
            ..ApiConfig::default()
        };
        assert_eq!(config.validate().unwrap_err().0, "api.listen");
    }
}
