//! Orders to Binance request parameters.
//!
//! [`round_order`] applies the symbol's filters (PRICE_FILTER, LOT_SIZE,
//! MIN_NOTIONAL/NOTIONAL) through the model's one rounding function;
//! [`encode_order`] writes the parameters (without `timestamp` and
//! `signature`, which the REST client appends) into a reused buffer, and
//! says which endpoint takes them: USD-M stop and take-profit orders go to
//! the algo order service (`/fapi/v1/algoOrder`).

use super::endpoints::BinanceMarket;
use super::error::BinanceError;
use super::exchange_info::SymbolRules;
use crate::common::order_rounding::{RoundRefusal, round_kind_and_qty};
use smc_model::{OrderKind, OrderRequest, Side, TimeInForce};
use std::fmt::Write;

/// Which endpoint an encoded order goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEndpoint {
    /// `POST /api/v3/order` or `POST /fapi/v1/order`.
    Order,
    /// `POST /fapi/v1/algoOrder` (USD-M conditional orders).
    Algo,
}

/// `order` with its prices on the tick and its quantity on the lot of
/// `rules`, checked against the filters' bounds and minimums.
pub fn round_order(
    rules: &SymbolRules,
    order: &OrderRequest,
) -> Result<OrderRequest, BinanceError> {
    let cid = || order.client_id.to_string();
    let (kind, qty) = round_kind_and_qty(&rules.spec, rules.min_price, rules.max_price, order)
        .map_err(|refusal| match refusal {
            RoundRefusal::Rounding(source) => BinanceError::Rounding {
                client_id: cid(),
                source,
            },
            RoundRefusal::PriceOutside { price, min, max } => BinanceError::Filter {
                client_id: cid(),
                filter: "PRICE_FILTER",
                reason: format!("price {price} outside [{min}, {max}]"),
            },
        })?;
    if !rules.max_qty.is_zero() && qty > rules.max_qty {
        return Err(BinanceError::Filter {
            client_id: cid(),
            filter: "LOT_SIZE",
            reason: format!("quantity {qty} above the maximum {}", rules.max_qty),
        });
    }
    Ok(OrderRequest {
        qty,
        kind,
        ..order.clone()
    })
}

/// Appends `s` percent-encoded (RFC 3986 unreserved characters pass).
pub fn push_encoded(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn tif(t: TimeInForce) -> &'static str {
    match t {
        TimeInForce::Gtc => "GTC",
        TimeInForce::Ioc => "IOC",
        TimeInForce::Fok => "FOK",
        TimeInForce::PostOnly => "GTX",
    }
}

/// Writes the parameters of `order` (already rounded) for `market` into
/// `out`, without `timestamp`/`signature`; returns the endpoint.
pub fn encode_order(
    market: BinanceMarket,
    order: &OrderRequest,
    out: &mut String,
) -> Result<OrderEndpoint, BinanceError> {
    let unsupported = |reason: &str| BinanceError::Unsupported {
        client_id: order.client_id.to_string(),
        reason: reason.to_string(),
    };
    let post_only = order.time_in_force == TimeInForce::PostOnly;
    if post_only && !matches!(order.kind, OrderKind::Limit { .. }) {
        return Err(unsupported("post-only applies to limit orders only"));
    }
    if order.reduce_only && market == BinanceMarket::Spot {
        return Err(unsupported("spot has no reduce-only orders"));
    }
    let side = match order.side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    };
    let algo = market == BinanceMarket::UsdM && order.kind.trigger().is_some();
    if algo {
        out.push_str("algoType=CONDITIONAL&");
    }
    out.push_str("symbol=");
    push_encoded(out, order.instrument.symbol());
    out.push_str("&side=");
    out.push_str(side);
    let (ty, with_tif) = match (market, order.kind) {
        (_, OrderKind::Market) => ("MARKET", false),
        (BinanceMarket::Spot, OrderKind::Limit { .. }) if post_only => ("LIMIT_MAKER", false),
        (_, OrderKind::Limit { .. }) => ("LIMIT", true),
        (BinanceMarket::Spot, OrderKind::StopMarket { .. }) => ("STOP_LOSS", false),
        (BinanceMarket::Spot, OrderKind::StopLimit { .. }) => ("STOP_LOSS_LIMIT", true),
        (BinanceMarket::Spot, OrderKind::TakeProfit { .. }) => ("TAKE_PROFIT", false),
        (BinanceMarket::UsdM, OrderKind::StopMarket { .. }) => ("STOP_MARKET", false),
        (BinanceMarket::UsdM, OrderKind::StopLimit { .. }) => ("STOP", true),
        (BinanceMarket::UsdM, OrderKind::TakeProfit { .. }) => ("TAKE_PROFIT_MARKET", false),
    };
    out.push_str("&type=");
    out.push_str(ty);
    if with_tif {
        if market == BinanceMarket::Spot && post_only {
            return Err(unsupported("spot post-only is LIMIT_MAKER"));
        }
        out.push_str("&timeInForce=");
        out.push_str(tif(order.time_in_force));
    }
    let _ = write!(out, "&quantity={}", order.qty);
    if let Some(p) = order.kind.limit_price() {
        let _ = write!(out, "&price={p}");
    }
    if let Some(t) = order.kind.trigger() {
        let name = if algo { "triggerPrice" } else { "stopPrice" };
        let _ = write!(out, "&{name}={t}");
    }
    if order.reduce_only {
        out.push_str("&reduceOnly=true");
    }
    out.push_str(if algo {
        "&clientAlgoId="
    } else {
        "&newClientOrderId="
    });
    push_encoded(out, order.client_id.as_str());
    if !algo {
        out.push_str(match market {
            BinanceMarket::Spot => "&newOrderRespType=FULL",
            BinanceMarket::UsdM => "&newOrderRespType=RESULT",
        });
    }
    Ok(if algo {
        OrderEndpoint::Algo
    } else {
        OrderEndpoint::Order
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::Timestamp;
    use smc_model::{ClientOrderId, InstrumentId, InstrumentSpec};

    fn order(kind: OrderKind, tif: TimeInForce, reduce_only: bool) -> OrderRequest {
        OrderRequest {
            client_id: ClientOrderId::from_decision(
                "smc",
                Timestamp::from_ms(1_700_000_000_000),
                1,
            ),
            instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
            side: Side::Buy,
            qty: dec!(0.0123),
            kind,
            time_in_force: tif,
            reduce_only,
        }
    }

    fn wire(market: BinanceMarket, o: &OrderRequest) -> (OrderEndpoint, String) {
        let mut s = String::new();
        let e = encode_order(market, o, &mut s).unwrap();
        (e, s)
    }

    #[test]
    fn spot_limit_and_post_only() {
        let o = order(
            OrderKind::Limit {
                price: dec!(50000.1),
            },
            TimeInForce::Gtc,
            false,
        );
        assert_eq!(
            wire(BinanceMarket::Spot, &o).1,
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0123&price=50000.1&newClientOrderId=smc-1700000000000-1&newOrderRespType=FULL"
        );
        let o = order(
            OrderKind::Limit { price: dec!(1) },
            TimeInForce::PostOnly,
            false,
        );
        assert!(
            wire(BinanceMarket::Spot, &o)
                .1
                .contains("type=LIMIT_MAKER&quantity")
        );
        assert!(
            wire(BinanceMarket::UsdM, &o)
                .1
                .contains("type=LIMIT&timeInForce=GTX")
        );
    }

    #[test]
    fn stops_and_take_profits_per_market() {
        let stop = order(
            OrderKind::StopMarket { trigger: dec!(100) },
            TimeInForce::Gtc,
            true,
        );
        let (e, s) = wire(BinanceMarket::UsdM, &stop);
        assert_eq!(e, OrderEndpoint::Algo);
        assert!(s.starts_with("algoType=CONDITIONAL&symbol=BTCUSDT"), "{s}");
        assert!(s.contains("type=STOP_MARKET&quantity=0.0123&triggerPrice=100&reduceOnly=true&clientAlgoId=smc-"), "{s}");
        let tp = order(
            OrderKind::TakeProfit { trigger: dec!(100) },
            TimeInForce::Gtc,
            false,
        );
        let (e, s) = wire(BinanceMarket::Spot, &tp);
        assert_eq!(e, OrderEndpoint::Order);
        assert!(
            s.contains("type=TAKE_PROFIT&quantity=0.0123&stopPrice=100&newClientOrderId"),
            "{s}"
        );
        let sl = order(
            OrderKind::StopLimit {
                trigger: dec!(100),
                price: dec!(99),
            },
            TimeInForce::Gtc,
            false,
        );
        assert!(wire(BinanceMarket::Spot, &sl).1.contains(
            "type=STOP_LOSS_LIMIT&timeInForce=GTC&quantity=0.0123&price=99&stopPrice=100"
        ));
        assert!(
            wire(BinanceMarket::UsdM, &sl)
                .1
                .contains("type=STOP&timeInForce=GTC")
        );
    }

    #[test]
    fn refuses_what_the_market_cannot_do() {
        let o = order(OrderKind::Market, TimeInForce::Gtc, true);
        let mut s = String::new();
        let e = encode_order(BinanceMarket::Spot, &o, &mut s).unwrap_err();
        assert!(e.to_string().contains("reduce-only"), "{e}");
        let o = order(OrderKind::Market, TimeInForce::PostOnly, false);
        assert!(encode_order(BinanceMarket::UsdM, &o, &mut s).is_err());
    }

    #[test]
    fn client_ids_are_percent_encoded() {
        let mut s = String::new();
        push_encoded(&mut s, "a b/é");
        assert_eq!(s, "a%20b%2F%C3%A9");
    }

    #[test]
    fn rounding_uses_the_filters() {
        let rules = SymbolRules {
            symbol: "BTCUSDT".into(),
            status: "TRADING".into(),
            base: "BTC".into(),
            quote: "USDT".into(),
            contract_type: None,
            spec: InstrumentSpec {
                tick_size: dec!(0.01),
                lot_size: dec!(0.00001),
                min_qty: dec!(0.00001),
                min_notional: dec!(10),
            },
            min_price: dec!(0.01),
            max_price: dec!(1000000),
            max_qty: dec!(9000),
        };
        let o = order(
            OrderKind::Limit {
                price: dec!(50000.129),
            },
            TimeInForce::Gtc,
            false,
        );
        let r = round_order(
            &rules,
            &OrderRequest {
                qty: dec!(0.0123456),
                ..o.clone()
            },
        )
        .unwrap();
        assert_eq!(
            r.kind,
            OrderKind::Limit {
                price: dec!(50000.12)
            }
        );
        assert_eq!(r.qty, dec!(0.01234));
        let tiny = OrderRequest {
            qty: dec!(0.0001),
            ..o.clone()
        };
        let e = round_order(&rules, &tiny).unwrap_err();
        assert!(e.to_string().contains("notional"), "{e}");
        let huge = OrderRequest {
            kind: OrderKind::Limit {
                price: dec!(2000000),
            },
            ..o.clone()
        };
        assert!(
            round_order(&rules, &huge)
                .unwrap_err()
                .to_string()
                .contains("PRICE_FILTER")
        );
        let big = OrderRequest {
            qty: dec!(9001),
            ..o
        };
        assert!(
            round_order(&rules, &big)
                .unwrap_err()
                .to_string()
                .contains("LOT_SIZE")
        );
    }
}
