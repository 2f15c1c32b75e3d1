//! Bybit's rate limits (docs/v5/rate-limit; shared/research/exchange_vectors.md
//! section 5): per IP, 600 requests in any fixed 5-second window, else
//! HTTP 403 (retCode 10018, "access too frequent"); per UID (here: per API
//! key), per endpoint and category, a number of requests per second, else
//! HTTP 200 retCode 10006 "Too many visits!". Every private answer carries
//! `X-Bapi-Limit`, `X-Bapi-Limit-Status` (what is left) and
//! `X-Bapi-Limit-Reset-Timestamp` (ms).
//!
//! Per-second limits of the unified account (Bybit's table, base tier):
//! order create / amend / cancel 10 linear, 20 spot; cancel-all 1 linear,
//! 20 spot; order realtime and history, executions, positions and the
//! wallet 50; fee-rate 10 linear, 5 spot; query-api 10.

use std::collections::HashMap;
use std::net::IpAddr;

/// IP limit: requests per window.
pub const IP_LIMIT: u64 = 600;
pub const IP_WINDOW_MS: i64 = 5_000;

/// The per-second limit of `path` in `category` ("" when it has none).
pub fn limit_of(path: &str, category: &str) -> u64 {
    let spot = category == "spot";
    match path {
        "/v5/order/create" | "/v5/order/amend" | "/v5/order/cancel" => {
            if spot {
                20
            } else {
                10
            }
        }
        "/v5/order/cancel-all" => {
            if spot {
                20
            } else {
                1
            }
        }
        "/v5/account/fee-rate" => {
            if spot {
                5
            } else {
                10
            }
        }
        "/v5/user/query-api" => 10,
        _ => 50,
    }
}

/// One fixed window's count.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    start: i64,
    used: u64,
}

impl Window {
    fn roll(&mut self, now: i64, len: i64) {
        let start = now - now.rem_euclid(len);
        if start != self.start {
            *self = Window { start, used: 0 };
        }
    }
}

/// What a private answer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub limit: u64,
    pub remaining: u64,
    pub reset_ms: i64,
}

/// The counters.
#[derive(Debug, Default)]
pub struct Limiter {
    ips: HashMap<IpAddr, Window>,
    uids: HashMap<(String, String, String), Window>,
}

impl Limiter {
    /// Counts one request of `ip`; false when over the IP limit.
    pub fn ip(&mut self, ip: IpAddr, now: i64) -> bool {
        let w = self.ips.entry(ip).or_default();
        w.roll(now, IP_WINDOW_MS);
        w.used += 1;
        w.used <= IP_LIMIT
    }

    /// Counts one private request; the status, and whether it is allowed.
    pub fn uid(&mut self, key: &str, path: &str, category: &str, now: i64) -> (Status, bool) {
        let limit = limit_of(path, category);
        let w = self
            .uids
            .entry((key.to_string(), path.to_string(), category.to_string()))
            .or_default();
        w.roll(now, 1_000);
        let allowed = w.used < limit;
        if allowed {
            w.used += 1;
        }
        let status = Status {
            limit,
            remaining: limit - w.used.min(limit),
            reset_ms: w.start + 1_000,
        };
        (status, allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_linear_orders_a_second_then_10006() {
        let mut l = Limiter::default();
        let t = 5_000_000;
        for i in 0..10 {
            let (s, ok) = l.uid("k", "/v5/order/create", "linear", t + i);
            assert!(ok);
            assert_eq!(s.remaining, 9 - i as u64);
        }
        let (s, ok) = l.uid("k", "/v5/order/create", "linear", t + 10);
        assert!(!ok);
        assert_eq!((s.limit, s.remaining, s.reset_ms), (10, 0, t + 1_000));
        assert!(
            l.uid("k", "/v5/order/create", "spot", t + 10).1,
            "spot counts apart"
        );
        assert!(
            l.uid("k", "/v5/order/create", "linear", t + 1_000).1,
            "next second"
        );
    }
}
