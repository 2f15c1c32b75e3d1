//! Where Bybit v5 lives, its paths, and its published rate limits as
//! metering scopes. Spot and USDT linear perpetuals share the protocol
//! (one REST host, `category=spot|linear` in every call) but not the
//! public stream path, some order parameters or some limits.

use crate::net::{Cost, Limit, LimitKind, Scope};
use smc_model::Timeframe;

/// Which Bybit market a connection trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BybitCategory {
    Spot,
    /// USDT-margined linear perpetuals.
    Linear,
}

impl BybitCategory {
    /// The venue part of instrument ids: `bybit:BTCUSDT` (spot) and
    /// `bybit-linear:BTCUSDT` stay two instruments.
    pub fn venue(self) -> &'static str {
        match self {
            BybitCategory::Spot => "bybit",
            BybitCategory::Linear => "bybit-linear",
        }
    }

    /// The `category` parameter of every v5 call.
    pub fn as_str(self) -> &'static str {
        match self {
            BybitCategory::Spot => "spot",
            BybitCategory::Linear => "linear",
        }
    }
}

pub const TIME: &str = "/v5/market/time";
pub const INSTRUMENTS: &str = "/v5/market/instruments-info";
pub const KLINE: &str = "/v5/market/kline";
pub const ORDERBOOK: &str = "/v5/market/orderbook";
pub const ORDER_CREATE: &str = "/v5/order/create";
pub const ORDER_CANCEL: &str = "/v5/order/cancel";
pub const ORDER_REALTIME: &str = "/v5/order/realtime";
pub const ORDER_HISTORY: &str = "/v5/order/history";
pub const EXECUTIONS: &str = "/v5/execution/list";
pub const POSITIONS: &str = "/v5/position/list";
pub const WALLET: &str = "/v5/account/wallet-balance";
pub const QUERY_API: &str = "/v5/user/query-api";

/// Most candles one `/v5/market/kline` call returns (Bybit: `limit`
/// 1..=1000, default 200).
pub const KLINES_MAX: u32 = 1000;

/// Most levels per side one `/v5/market/orderbook` call returns (Bybit
/// v5 docs, "Get Orderbook": `limit` spot 1–200, linear 1–500).
pub fn orderbook_max(category: BybitCategory) -> u32 {
    match category {
        BybitCategory::Spot => 200,
        BybitCategory::Linear => 500,
    }
}

/// The base URLs of one Bybit market: REST, the category's public
/// stream and the private stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BybitUrls {
    /// `https://api.bybit.com`.
    pub rest: String,
    /// `wss://stream.bybit.com/v5/public/spot` or `…/linear`.
    pub public_ws: String,
    /// `wss://stream.bybit.com/v5/private`.
    pub private_ws: String,
}

impl BybitUrls {
    /// Bybit's production hosts (v5 docs, "Connect": api.bybit.com,
    /// stream.bybit.com).
    pub fn mainnet(category: BybitCategory) -> Self {
        Self::hosts("https://api.bybit.com", "wss://stream.bybit.com", category)
    }

    /// Bybit's testnet (api-testnet.bybit.com, stream-testnet.bybit.com).
    pub fn testnet(category: BybitCategory) -> Self {
        Self::hosts(
            "https://api-testnet.bybit.com",
            "wss://stream-testnet.bybit.com",
            category,
        )
    }

    /// Everything on one local server (`smc venue-sim --protocol bybit`):
    /// `http://HOST:PORT`, `ws://HOST:PORT/v5/public/{spot|linear}` and
    /// `ws://HOST:PORT/v5/private`.
    pub fn local(host_port: &str, category: BybitCategory) -> Self {
        Self::hosts(
            &format!("http://{host_port}"),
            &format!("ws://{host_port}"),
            category,
        )
    }

    fn hosts(rest: &str, ws: &str, category: BybitCategory) -> Self {
        BybitUrls {
            rest: rest.to_string(),
            public_ws: format!("{ws}/v5/public/{}", category.as_str()),
            private_ws: format!("{ws}/v5/private"),
        }
    }
}

/// The `interval` of klines (REST and stream topics): minutes `1` … `720`,
/// `D`, `W`, `M`. A timeframe Bybit does not offer is `None`.
pub fn interval(tf: Timeframe) -> Option<&'static str> {
    const MIN: i64 = 60_000;
    Some(match tf.duration_ms() / MIN {
        1 => "1",
        3 => "3",
        5 => "5",
        15 => "15",
        30 => "30",
        60 => "60",
        120 => "120",
        240 => "240",
        360 => "360",
        720 => "720",
        1_440 => "D",
        10_080 => "W",
        _ => return None,
    })
}

/// The timeframe of a kline `interval`.
pub fn timeframe(interval: &str) -> Option<Timeframe> {
    const MIN: i64 = 60_000;
    let minutes = match interval {
        "D" => 1_440,
        "W" => 10_080,
        m => m.parse::<i64>().ok()?,
    };
    let tf = Timeframe::from_ms(minutes.checked_mul(MIN)?).ok()?;
    // Only the intervals Bybit streams.
    self::interval(tf).map(|_| tf)
}

/// Bybit's published HTTP limits (v5 docs, "Rate Limit Rules"), as the
/// limiter's scopes:
/// - per IP: 600 requests in any 5 s window (a breach answers HTTP 403
///   and blocks the IP for 10 minutes) — `RawRequests` per 5 s;
/// - per account, `order/create`: 10 per second on linear, 20 on spot —
///   `Orders` per 1 s;
/// - per account, the private reads used here (`order/realtime`,
///   `order/history`, `execution/list`, `position/list`,
///   `account/wallet-balance`): 50 per second each, and cancels 10 (linear)
///   or 20 (spot) per second. The limiter has one weight budget per
///   interval, so these share `RequestWeight` per 1 s with the smallest
///   per-endpoint figure that is safe for their mix: reads weigh 1 of 50,
///   a cancel weighs 5 (so at most 10 a second).
pub fn rate_limits(category: BybitCategory) -> Vec<Limit> {
    let orders = match category {
        BybitCategory::Spot => 20,
        BybitCategory::Linear => 10,
    };
    vec![
        Limit {
            scope: Scope {
                kind: LimitKind::RawRequests,
                interval_ms: 5_000,
            },
            max: 600,
        },
        Limit {
            scope: Scope {
                kind: LimitKind::Orders,
                interval_ms: 1_000,
            },
            max: orders,
        },
        Limit {
            scope: Scope {
                kind: LimitKind::RequestWeight,
                interval_ms: 1_000,
            },
            max: 50,
        },
    ]
}

/// A read (public or private): one request, weight 1.
pub const READ: Cost = Cost::weight(1);
/// A cancel: a fifth of the per-second read budget (10 a second).
pub const CANCEL: Cost = Cost::weight(5);
/// An order placement: one order, no read weight.
pub const PLACE: Cost = Cost::order(0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_follow_the_brief() {
        let u = BybitUrls::local("127.0.0.1:9000", BybitCategory::Linear);
        assert_eq!(u.rest, "http://127.0.0.1:9000");
        assert_eq!(u.public_ws, "ws://127.0.0.1:9000/v5/public/linear");
        assert_eq!(u.private_ws, "ws://127.0.0.1:9000/v5/private");
        let s = BybitUrls::mainnet(BybitCategory::Spot);
        assert_eq!(s.public_ws, "wss://stream.bybit.com/v5/public/spot");
    }

    #[test]
    fn the_published_limits_bound_orders_and_reads() {
        let mut l = crate::net::RateLimiter::new(&rate_limits(BybitCategory::Linear));
        for i in 0..10 {
            assert!(l.try_acquire(i, PLACE).is_ok(), "order {i}");
        }
        assert!(
            l.try_acquire(10, PLACE).is_err(),
            "an 11th order in a second"
        );
        assert!(l.try_acquire(10, READ).is_ok(), "reads still pass");
        assert!(l.try_acquire(1_000, PLACE).is_ok(), "the next second");
        let mut s = crate::net::RateLimiter::new(&rate_limits(BybitCategory::Spot));
        assert!((0..20).all(|i| s.try_acquire(i, PLACE).is_ok()));
        assert!(s.try_acquire(20, PLACE).is_err());
        let mut c = crate::net::RateLimiter::new(&rate_limits(BybitCategory::Spot));
        assert!((0..10).all(|i| c.try_acquire(i, CANCEL).is_ok()));
        assert!(c.try_acquire(10, CANCEL).is_err(), "10 cancels a second");
    }

    #[test]
    fn intervals_round_trip() {
        for tf in [
            Timeframe::M1,
            Timeframe::M5,
            Timeframe::M15,
            Timeframe::H1,
            Timeframe::H4,
            Timeframe::D1,
            Timeframe::W1,
        ] {
            let i = interval(tf).unwrap();
            assert_eq!(timeframe(i), Some(tf));
        }
        assert_eq!(interval(Timeframe::H1), Some("60"));
        assert_eq!(timeframe("7"), None);
        assert_eq!(timeframe("M"), None, "months are not a fixed timeframe");
    }
}
