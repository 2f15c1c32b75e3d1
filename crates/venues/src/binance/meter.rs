//! Binance's usage headers: `X-MBX-USED-WEIGHT-(n)(unit)` (per IP) and
//! `X-MBX-ORDER-COUNT-(n)(unit)` (per account), fed to the limiter so it
//! also counts what other clients on the same IP or account spent.

use crate::net::http::ResponseMeter;
use crate::net::{LimitKind, RateLimiter, Scope};
use reqwest::header::HeaderMap;

/// The [`ResponseMeter`] of Binance.
#[derive(Debug, Clone, Copy, Default)]
pub struct BinanceMeter;

/// `1m` → 60 000 ms, `10s` → 10 000 ms, `1d` → 86 400 000 ms.
fn interval_ms(suffix: &str) -> Option<i64> {
    let split = suffix.len().checked_sub(1)?;
    let (num, unit) = suffix.split_at(split);
    let n: i64 = num.parse().ok()?;
    let unit_ms = match unit {
        "s" | "S" => 1_000,
        "m" | "M" => 60_000,
        "h" | "H" => 3_600_000,
        "d" | "D" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// The scopes and counts the headers report.
pub fn usage(headers: &HeaderMap) -> Vec<(Scope, u32)> {
    let mut out = Vec::new();
    for (name, value) in headers {
        let name = name.as_str(); // lower case
        let (kind, suffix) = if let Some(s) = name.strip_prefix("x-mbx-used-weight-") {
            (LimitKind::RequestWeight, s)
        } else if let Some(s) = name.strip_prefix("x-mbx-order-count-") {
            (LimitKind::Orders, s)
        } else {
            continue;
        };
        let Some(interval_ms) = interval_ms(suffix) else {
            continue;
        };
        let Some(used) = value.to_str().ok().and_then(|v| v.trim().parse().ok()) else {
            continue;
        };
        out.push((Scope { kind, interval_ms }, used));
    }
    out
}

impl ResponseMeter for BinanceMeter {
    fn observe(&self, headers: &HeaderMap, limiter: &mut RateLimiter, now_ms: i64) {
        for (scope, used) in usage(headers) {
            limiter.observe_used(scope, used, now_ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_weight_and_order_counts() {
        let mut h = HeaderMap::new();
        h.insert("X-MBX-USED-WEIGHT-1M", HeaderValue::from_static("37"));
        h.insert("X-MBX-ORDER-COUNT-10S", HeaderValue::from_static("2"));
        h.insert("X-MBX-USED-WEIGHT", HeaderValue::from_static("37"));
        let mut u = usage(&h);
        u.sort_by_key(|(s, _)| s.interval_ms);
        assert_eq!(
            u,
            vec![
                (
                    Scope {
                        kind: LimitKind::Orders,
                        interval_ms: 10_000
                    },
                    2
                ),
                (
                    Scope {
                        kind: LimitKind::RequestWeight,
                        interval_ms: 60_000
                    },
                    37
                ),
            ]
        );
    }
}
