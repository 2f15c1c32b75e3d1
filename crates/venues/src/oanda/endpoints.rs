//! OANDA v20 base URLs, paths, candle granularities and rate limits.
//!
//! Hosts from OANDA's development guide
//! (<https://developer.oanda.com/rest-live-v20/development-guide/>, "API
//! URLs"): practice `api-fxpractice` / `stream-fxpractice`, live
//! `api-fxtrade` / `stream-fxtrade`. A local simulator (`smc venue-sim
//! --protocol oanda`) serves REST and streams on one base URL.

use crate::net::{Cost, Limit, LimitKind, Scope};
use smc_model::Timeframe;

/// Where the REST API and the streams are reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OandaUrls {
    /// REST base (`https://api-fxpractice.oanda.com`), no trailing `/`.
    pub rest: String,
    /// Stream base (`https://stream-fxpractice.oanda.com`).
    pub stream: String,
}

impl OandaUrls {
    /// fxTrade Practice (demo accounts).
    pub fn practice() -> Self {
        OandaUrls {
            rest: "https://api-fxpractice.oanda.com".into(),
            stream: "https://stream-fxpractice.oanda.com".into(),
        }
    }

    /// fxTrade (live accounts).
    pub fn live() -> Self {
        OandaUrls {
            rest: "https://api-fxtrade.oanda.com".into(),
            stream: "https://stream-fxtrade.oanda.com".into(),
        }
    }

    /// A local simulator at `host_port` (`127.0.0.1:9100`, or a whole
    /// `http://…` base): one base for REST and streams.
    pub fn local(host_port: &str) -> Self {
        let base = if host_port.starts_with("http://") || host_port.starts_with("https://") {
            host_port.trim_end_matches('/').to_string()
        } else {
            format!("http://{}", host_port.trim_end_matches('/'))
        };
        OandaUrls {
            rest: base.clone(),
            stream: base,
        }
    }
}

/// `/v3/accounts`.
pub const ACCOUNTS: &str = "/v3/accounts";

/// `/v3/accounts/{id}{rest}` (`rest` starts with `/` or is empty).
pub fn account_path(account: &str, rest: &str) -> String {
    let mut p = String::with_capacity(ACCOUNTS.len() + account.len() + rest.len() + 1);
    p.push_str(ACCOUNTS);
    p.push('/');
    p.push_str(account);
    p.push_str(rest);
    p
}

/// The order specifier of a client id: `@<clientExtensions.id>` (OANDA's
/// OrderSpecifier, v20.yaml). The `@` is sent as is (a path may hold it,
/// RFC 3986 `pchar`; oandapyV20 sends it so); the id is percent-encoded.
pub fn client_specifier(client_id: &str) -> String {
    let mut s = String::with_capacity(client_id.len() + 1);
    s.push('@');
    crate::binance::order_wire::push_encoded(&mut s, client_id);
    s
}

/// OANDA's granularity for a timeframe (v20.yaml `CandlestickGranularity`:
/// S5..S30, M1, M2, M4, M5, M10, M15, M30, H1, H2, H3, H4, H6, H8, H12, D,
/// W, M); `None` where OANDA has none (`M` is a calendar month, which no
/// fixed timeframe is).
pub fn granularity(tf: Timeframe) -> Option<&'static str> {
    const MIN: i64 = 60_000;
    Some(match tf.duration_ms() / MIN {
        1 => "M1",
        2 => "M2",
        4 => "M4",
        5 => "M5",
        10 => "M10",
        15 => "M15",
        30 => "M30",
        60 => "H1",
        120 => "H2",
        180 => "H3",
        240 => "H4",
        360 => "H6",
        480 => "H8",
        720 => "H12",
        1440 => "D",
        10080 => "W",
        _ => return None,
    })
}

/// At most this many candles per candles request (v20.yaml: `count`
/// maximum 5000).
pub const CANDLES_MAX: u32 = 5000;

/// Every REST request weighs one: OANDA counts requests, not weights.
pub const REQUEST: Cost = Cost::weight(1);
/// An order placement: one request, one order.
pub const ORDER: Cost = Cost::order(1);

/// OANDA's REST limit: "120 requests per second. Excess requests will
/// receive HTTP 429 error" (development guide, "Rate Limiting"). The
/// limiter keeps to 100 per second, OANDA's best-practices figure for one
/// persistent connection
/// (<https://developer.oanda.com/rest-live-v20/best-practices/>), which is
/// inside the hard limit with room for a clock mismatch.
pub fn rest_limits() -> Vec<Limit> {
    vec![Limit {
        scope: Scope {
            kind: LimitKind::RawRequests,
            interval_ms: 1_000,
        },
        max: 100,
    }]
}

/// New connections: "we recommend you limit this to twice per second
/// (2/s)" (best practices, "Connection Limits"). Applied to the streams'
/// (re)connects, which each open a new connection.
pub fn connection_limits() -> Vec<Limit> {
    vec![Limit {
        scope: Scope {
            kind: LimitKind::RawRequests,
            interval_ms: 1_000,
        },
        max: 2,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::RateLimiter;

    #[test]
    fn the_limits_meter_requests_and_new_connections() {
        let mut rest = RateLimiter::new(&rest_limits());
        for _ in 0..100 {
            assert!(rest.try_acquire(0, REQUEST).is_ok());
        }
        assert!(rest.try_acquire(999, REQUEST).is_err(), "101st in a second");
        assert!(rest.try_acquire(1_000, ORDER).is_ok(), "a second later");
        let mut connects = RateLimiter::new(&connection_limits());
        assert!(connects.try_acquire(0, REQUEST).is_ok());
        assert!(connects.try_acquire(10, REQUEST).is_ok());
        let third = connects.try_acquire(20, REQUEST).unwrap_err();
        assert_eq!(third.until_ms(), Some(1_000));
    }

    #[test]
    fn urls_paths_and_granularities() {
        assert_eq!(OandaUrls::local("127.0.0.1:9").rest, "http://127.0.0.1:9");
        assert_eq!(OandaUrls::local("http://h:1/").stream, "http://h:1");
        assert_eq!(
            OandaUrls::practice().stream,
            "https://stream-fxpractice.oanda.com"
        );
        assert_eq!(account_path("1-2", "/orders"), "/v3/accounts/1-2/orders");
        assert_eq!(client_specifier("a b"), "@a%20b");
        assert_eq!(granularity(Timeframe::M5), Some("M5"));
        assert_eq!(granularity(Timeframe::H4), Some("H4"));
        assert_eq!(granularity(Timeframe::D1), Some("D"));
        assert_eq!(granularity(Timeframe::W1), Some("W"));
        assert_eq!(granularity(Timeframe::from_ms(3 * 60_000).unwrap()), None);
    }
}
