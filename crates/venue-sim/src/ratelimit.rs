//! Rate limits as Binance meters them: request weight per IP in fixed
//! one-minute windows (reported in `X-MBX-USED-WEIGHT-1M` on every answer),
//! and new orders per account in fixed windows (`X-MBX-ORDER-COUNT-10S` and
//! `-1D` on spot, `-10S` and `-1M` on USD-M, on order answers). Going over
//! answers 429 (-1003 or -1015) with `Retry-After`; an IP that keeps
//! sending while limited collects strikes and, after `ban_after_strikes`,
//! is banned for `ban_ms` with 418 answers, as Binance escalates.

use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::Family;
use std::collections::HashMap;
use std::net::IpAddr;

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

#[derive(Debug, Default)]
struct IpState {
    weight: Window,
    strikes: u32,
    banned_until: Option<i64>,
}

/// The order windows of one family: (header suffix, length ms, limit).
pub fn order_windows(family: Family, limits: &Limits) -> [(&'static str, i64, u64); 2] {
    match family {
        Family::Spot => [
            ("10S", 10_000, limits.spot_orders_10s),
            ("1D", 86_400_000, limits.spot_orders_1d),
        ],
        Family::Futures => [
            ("10S", 10_000, limits.futures_orders_10s),
            ("1M", 60_000, limits.futures_orders_1m),
        ],
    }
}

/// Counters of every IP and account.
#[derive(Debug, Default)]
pub struct RateLimiter {
    ips: HashMap<(IpAddr, Family), IpState>,
    orders: HashMap<(String, Family), [Window; 2]>,
}

const MINUTE: i64 = 60_000;

fn seconds_until(now: i64, t: i64) -> u64 {
    u64::try_from((t - now + 999) / 1_000).unwrap_or(0).max(1)
}

impl RateLimiter {
    /// Adds `weight` for `ip`; the used weight on success, or the 429/418
    /// answer (with the used weight, for the header).
    pub fn charge(
        &mut self,
        ip: IpAddr,
        family: Family,
        weight: u64,
        now: i64,
        limits: &Limits,
    ) -> Result<u64, (ApiError, u64)> {
        let limit = match family {
            Family::Spot => limits.spot_weight_1m,
            Family::Futures => limits.futures_weight_1m,
        };
        let st = self.ips.entry((ip, family)).or_default();
        if let Some(until) = st.banned_until {
            if now < until {
                let e = ApiError::new(
                    418,
                    -1003,
                    format!(
                        "Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans."
                    ),
                )
                .with_retry_after(seconds_until(now, until));
                return Err((e, st.weight.used));
            }
            st.banned_until = None;
            st.strikes = 0;
        }
        st.weight.roll(now, MINUTE);
        if st.weight.used + weight > limit {
            st.strikes += 1;
            let window_end = st.weight.start + MINUTE;
            if st.strikes > limits.ban_after_strikes {
                let until = now + limits.ban_ms;
                st.banned_until = Some(until);
                let e = ApiError::new(
                    418,
                    -1003,
                    format!(
                        "Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans."
                    ),
                )
                .with_retry_after(seconds_until(now, until));
                return Err((e, st.weight.used));
            }
            let e = ApiError::new(
                429,
                -1003,
                format!(
                    "Too much request weight used; current limit is {limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."
                ),
            )
            .with_retry_after(seconds_until(now, window_end));
            return Err((e, st.weight.used));
        }
        st.weight.used += weight;
        Ok(st.weight.used)
    }

    /// Counts one new order of `key`; the counts per window on success.
    pub fn count_order(
        &mut self,
        key: &str,
        family: Family,
        now: i64,
        limits: &Limits,
    ) -> Result<[(&'static str, u64); 2], ApiError> {
        let spec = order_windows(family, limits);
        let windows = self.orders.entry((key.to_string(), family)).or_default();
        for (w, (label, len, limit)) in windows.iter_mut().zip(spec) {
            w.roll(now, len);
            if w.used + 1 > limit {
                let per = match label {
                    "10S" => "10 SECOND",
                    "1M" => "1 MINUTE",
                    _ => "1 DAY",
                };
                return Err(ApiError::new(
                    429,
                    -1015,
                    format!("Too many new orders; current limit is {limit} orders per {per}."),
                )
                .with_retry_after(seconds_until(now, w.start + len)));
            }
        }
        for w in windows.iter_mut() {
            w.used += 1;
        }
        Ok([(spec[0].0, windows[0].used), (spec[1].0, windows[1].used)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn limits() -> Limits {
        Limits {
            spot_weight_1m: 10,
            spot_orders_10s: 2,
            ban_after_strikes: 2,
            ..Limits::default()
        }
    }

    #[test]
    fn weight_resets_each_minute_and_429_then_418() {
        let (mut rl, l) = (RateLimiter::default(), limits());
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let t = 60_000 * 1_000;
        assert_eq!(rl.charge(ip, Family::Spot, 6, t, &l), Ok(6));
        let (e, used) = rl.charge(ip, Family::Spot, 6, t + 1, &l).unwrap_err();
        assert_eq!((e.status, e.code, used), (429, -1003, 6));
        assert_eq!(e.retry_after, Some(60));
        assert_eq!(
            rl.charge(ip, Family::Futures, 6, t + 1, &l),
            Ok(6),
            "separate"
        );
        rl.charge(ip, Family::Spot, 6, t + 2, &l).unwrap_err();
        let (e, _) = rl.charge(ip, Family::Spot, 6, t + 3, &l).unwrap_err();
        assert_eq!(e.status, 418);
        let (e, _) = rl.charge(ip, Family::Spot, 1, t + 60_000, &l).unwrap_err();
        assert_eq!(e.status, 418, "still banned in the next minute");
        assert_eq!(rl.charge(ip, Family::Spot, 1, t + 1_000_000, &l), Ok(1));
    }

    #[test]
    fn orders_are_counted_per_account() {
        let (mut rl, l) = (RateLimiter::default(), limits());
        assert_eq!(
            rl.count_order("k", Family::Spot, 0, &l).unwrap(),
            [("10S", 1), ("1D", 1)]
        );
        rl.count_order("k", Family::Spot, 1, &l).unwrap();
        assert_eq!(
            rl.count_order("k", Family::Spot, 2, &l).unwrap_err().code,
            -1015
        );
        assert!(rl.count_order("other", Family::Spot, 2, &l).is_ok());
        assert!(rl.count_order("k", Family::Spot, 10_000, &l).is_ok());
    }
}
