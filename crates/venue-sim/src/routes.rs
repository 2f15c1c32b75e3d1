//! The REST route table: which Binance endpoints the simulator answers, in
//! which family (spot `/api/v3`, `/sapi/v1`; USD-M `/fapi/v1|v2|v3`), with
//! which security (public, API key, signed) and request weight (Binance's
//! published weights). Anything else is a deliberate 404.

use crate::params::Params;
use axum::http::Method;

/// Spot or USD-M futures: separate accounts, limits and JSON shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Spot,
    Futures,
}

/// What a route needs from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Public,
    /// `X-MBX-APIKEY` only (user data stream keys).
    ApiKey,
    /// API key, `timestamp` and `signature`.
    Signed,
}

/// The operations the simulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ping,
    Time,
    ExchangeInfo,
    Klines,
    Depth,
    TickerPrice,
    BookTicker,
    Ticker24h,
    AvgPrice,
    PremiumIndex,
    NewOrder,
    TestOrder,
    QueryOrder,
    CancelOrder,
    OpenOrders,
    CancelAllOpen,
    AllOrders,
    MyTrades,
    Account,
    Balance,
    PositionRisk,
    ListenKeyNew,
    ListenKeyKeep,
    ListenKeyClose,
    ApiRestrictions,
    NewAlgoOrder,
    QueryAlgoOrder,
    CancelAlgoOrder,
    OpenAlgoOrders,
    AllAlgoOrders,
    NewOco,
}

/// A resolved route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub family: Family,
    pub op: Op,
    pub security: Security,
}

/// Resolves a method and path.
pub fn resolve(method: &Method, path: &str) -> Option<Route> {
    use Op::*;
    let (family, version, rest) = if let Some(rest) = path.strip_prefix("/api/v3/") {
        (Family::Spot, 3, rest)
    } else if let Some(rest) = path.strip_prefix("/sapi/v1/") {
        (Family::Spot, 0, rest)
    } else if let Some(rest) = path.strip_prefix("/fapi/v") {
        let (v, rest) = rest.split_once('/')?;
        (Family::Futures, v.parse::<u8>().ok()?, rest)
    } else {
        return None;
    };
    let m = method.as_str();
    let op = match (family, version, rest, m) {
        (Family::Spot, 0, "account/apiRestrictions", "GET") => ApiRestrictions,
        (_, 0, _, _) => return None,
        (_, 1 | 3, "ping", "GET") => Ping,
        (_, 1 | 3, "time", "GET") => Time,
        (_, 1 | 3, "exchangeInfo", "GET") => ExchangeInfo,
        (_, 1 | 3, "klines", "GET") => Klines,
        (_, 1 | 3, "depth", "GET") => Depth,
        (Family::Spot, 3, "ticker/price", "GET")
        | (Family::Futures, 1 | 2, "ticker/price", "GET") => TickerPrice,
        (_, 1 | 3, "ticker/bookTicker", "GET") => BookTicker,
        (_, 1 | 3, "ticker/24hr", "GET") => Ticker24h,
        (Family::Spot, 3, "avgPrice", "GET") => AvgPrice,
        (Family::Futures, 1, "premiumIndex", "GET") => PremiumIndex,
        (Family::Spot, 3, "orderList/oco", "POST") => NewOco,
        (Family::Futures, 1, "algoOrder", "POST") => NewAlgoOrder,
        (Family::Futures, 1, "algoOrder", "GET") => QueryAlgoOrder,
        (Family::Futures, 1, "algoOrder", "DELETE") => CancelAlgoOrder,
        (Family::Futures, 1, "openAlgoOrders", "GET") => OpenAlgoOrders,
        (Family::Futures, 1, "allAlgoOrders", "GET") => AllAlgoOrders,
        (_, 1 | 3, "order", "POST") => NewOrder,
        (_, 1 | 3, "order/test", "POST") => TestOrder,
        (_, 1 | 3, "order", "GET") => QueryOrder,
        (_, 1 | 3, "order", "DELETE") => CancelOrder,
        (_, 1 | 3, "openOrders", "GET") => OpenOrders,
        (Family::Spot, 3, "openOrders", "DELETE")
        | (Family::Futures, 1, "allOpenOrders", "DELETE") => CancelAllOpen,
        (_, 1 | 3, "allOrders", "GET") => AllOrders,
        (Family::Spot, 3, "myTrades", "GET") | (Family::Futures, 1, "userTrades", "GET") => {
            MyTrades
        }
        (Family::Spot, 3, "account", "GET") | (Family::Futures, 2 | 3, "account", "GET") => Account,
        (Family::Futures, 2 | 3, "balance", "GET") => Balance,
        (Family::Futures, 2 | 3, "positionRisk", "GET") => PositionRisk,
        (Family::Spot, 3, "userDataStream", _) | (Family::Futures, 1, "listenKey", _) => match m {
            "POST" => ListenKeyNew,
            "PUT" => ListenKeyKeep,
            "DELETE" => ListenKeyClose,
            _ => return None,
        },
        _ => return None,
    };
    let security = match op {
        Ping | Time | ExchangeInfo | Klines | Depth | TickerPrice | BookTicker | Ticker24h
        | AvgPrice | PremiumIndex => Security::Public,
        ListenKeyNew | ListenKeyKeep | ListenKeyClose => Security::ApiKey,
        _ => Security::Signed,
    };
    Some(Route {
        family,
        op,
        security,
    })
}

/// Binance's request weight of a call.
pub fn weight(route: Route, p: &Params) -> u64 {
    use Op::*;
    let has_symbol = p.get("symbol").is_some();
    let limit = p.get("limit").and_then(|l| l.parse::<u64>().ok());
    match (route.family, route.op) {
        (Family::Spot, ExchangeInfo) => 20,
        (Family::Spot, Klines) => 2,
        (Family::Spot, Depth) => match limit.unwrap_or(100) {
            0..=100 => 5,
            101..=500 => 25,
            501..=1000 => 50,
            _ => 250,
        },
        (Family::Spot, TickerPrice | BookTicker) => {
            if has_symbol {
                2
            } else {
                4
            }
        }
        (Family::Spot, Ticker24h) => {
            if has_symbol {
                2
            } else {
                80
            }
        }
        (Family::Futures, Ticker24h) => {
            if has_symbol {
                1
            } else {
                40
            }
        }
        (Family::Spot, QueryOrder) => 4,
        (Family::Spot, OpenOrders) => {
            if has_symbol {
                6
            } else {
                80
            }
        }
        (Family::Spot, AllOrders | Account | MyTrades) => 20,
        (Family::Spot, ListenKeyNew | ListenKeyKeep | ListenKeyClose) => 2,
        (Family::Futures, Klines) => match limit.unwrap_or(500) {
            0..=99 => 1,
            100..=499 => 2,
            500..=1000 => 5,
            _ => 10,
        },
        (Family::Futures, Depth) => match limit.unwrap_or(500) {
            0..=50 => 2,
            51..=100 => 5,
            101..=500 => 10,
            _ => 20,
        },
        (Family::Futures, TickerPrice | BookTicker) => {
            if has_symbol {
                1
            } else {
                2
            }
        }
        (Family::Futures, NewOrder | TestOrder) => 0,
        (Family::Futures, OpenOrders) => {
            if has_symbol {
                1
            } else {
                40
            }
        }
        (Family::Futures, AllOrders | Account | Balance | PositionRisk | MyTrades) => 5,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_paths_resolve() {
        let r = |m: Method, p: &str| resolve(&m, p).map(|r| (r.family, r.op, r.security));
        assert_eq!(
            r(Method::GET, "/api/v3/ping"),
            Some((Family::Spot, Op::Ping, Security::Public))
        );
        assert_eq!(
            r(Method::POST, "/fapi/v1/order"),
            Some((Family::Futures, Op::NewOrder, Security::Signed))
        );
        assert_eq!(
            r(Method::GET, "/fapi/v2/account").map(|x| x.1),
            Some(Op::Account)
        );
        assert_eq!(
            r(Method::GET, "/fapi/v3/balance").map(|x| x.1),
            Some(Op::Balance)
        );
        assert_eq!(
            r(Method::GET, "/fapi/v3/positionRisk").map(|x| x.1),
            Some(Op::PositionRisk)
        );
        assert_eq!(
            r(Method::PUT, "/api/v3/userDataStream").map(|x| x.2),
            Some(Security::ApiKey)
        );
        assert_eq!(
            r(Method::GET, "/sapi/v1/account/apiRestrictions").map(|x| x.1),
            Some(Op::ApiRestrictions)
        );
        assert_eq!(r(Method::GET, "/api/v3/nothing"), None);
        assert_eq!(r(Method::GET, "/fapi/v1/account"), None);
    }
}
