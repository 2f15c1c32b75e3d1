//! OANDA order bodies: each engine order kind to its OANDA type, signed
//! units on the instrument's precision, reduce-only as `positionFill`,
//! the client id in `clientExtensions.id`, and exits attached on fill.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use serde_json::{Value, json};
use smc_model::{ClientOrderId, InstrumentId, OrderKind, OrderRequest, Side, TimeInForce};
use smc_venues::oanda::OandaError;
use smc_venues::oanda::instruments::parse_instruments;
use smc_venues::oanda::order_wire::{
    AttachedExits, encode_order, round_order, take_profit_crossed,
};

fn order(kind: OrderKind, side: Side, tif: TimeInForce, reduce_only: bool) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new("smc-7"),
        instrument: InstrumentId::new("oanda", "EUR_USD").unwrap(),
        side,
        qty: dec!(1500.9),
        kind,
        time_in_force: tif,
        reduce_only,
    }
}

fn body(o: &OrderRequest, exits: &AttachedExits, crossed: bool) -> Value {
    let rules = parse_instruments(
        r#"{"instruments":[{"name":"EUR_USD","type":"CURRENCY","displayPrecision":5,"tradeUnitsPrecision":0,"pipLocation":-4,"minimumTradeSize":"1","maximumOrderUnits":"100000000","marginRate":"0.0333"}]}"#,
    )
    .unwrap();
    let rounded = round_order(&rules[0], o).unwrap();
    let v: Value = serde_json::from_str(&encode_order(&rounded, exits, crossed).unwrap()).unwrap();
    v["order"].clone()
}

#[test]
fn each_kind_maps_to_its_oanda_order() {
    let none = AttachedExits::default();
    let m = body(
        &order(OrderKind::Market, Side::Buy, TimeInForce::Gtc, false),
        &none,
        false,
    );
    assert_eq!(
        m,
        json!({"type":"MARKET","instrument":"EUR_USD","units":"1500","timeInForce":"FOK","positionFill":"DEFAULT","clientExtensions":{"id":"smc-7"}})
    );
    let l = body(
        &order(
            OrderKind::Limit {
                price: dec!(1.123456),
            },
            Side::Sell,
            TimeInForce::Ioc,
            false,
        ),
        &none,
        false,
    );
    assert_eq!(
        (l["type"].as_str(), l["units"].as_str()),
        (Some("LIMIT"), Some("-1500"))
    );
    assert_eq!(
        l["price"], "1.12346",
        "a sell's price rounds up to the tick"
    );
    assert_eq!(l["timeInForce"], "IOC");
    let s = body(
        &order(
            OrderKind::StopMarket { trigger: dec!(1.1) },
            Side::Sell,
            TimeInForce::Gtc,
            true,
        ),
        &none,
        false,
    );
    assert_eq!(
        (s["type"].as_str(), s["price"].as_str()),
        (Some("STOP"), Some("1.1"))
    );
    assert_eq!(s["positionFill"], "REDUCE_ONLY");
    assert_eq!(s["timeInForce"], "GTC");
    let sl = body(
        &order(
            OrderKind::StopLimit {
                trigger: dec!(1.1),
                price: dec!(1.099),
            },
            Side::Sell,
            TimeInForce::Gtc,
            false,
        ),
        &none,
        false,
    );
    assert_eq!(sl["priceBound"], "1.099");
    let tp = order(
        OrderKind::TakeProfit { trigger: dec!(1.2) },
        Side::Sell,
        TimeInForce::Gtc,
        true,
    );
    assert_eq!(body(&tp, &none, false)["type"], "LIMIT");
    assert_eq!(body(&tp, &none, true)["type"], "MARKET_IF_TOUCHED");
    assert!(take_profit_crossed(
        Side::Sell,
        dec!(1.2),
        dec!(1.2001),
        dec!(1.2003)
    ));
    assert!(!take_profit_crossed(
        Side::Sell,
        dec!(1.2),
        dec!(1.1999),
        dec!(1.2001)
    ));
    assert!(take_profit_crossed(
        Side::Buy,
        dec!(1.2),
        dec!(1.1997),
        dec!(1.1999)
    ));
}

#[test]
fn exits_attach_on_fill() {
    let exits = AttachedExits {
        stop_loss: Some(dec!(1.09)),
        take_profit: Some(dec!(1.15)),
        trailing_stop_distance: Some(dec!(0.00500)),
    };
    let b = body(
        &order(OrderKind::Market, Side::Buy, TimeInForce::Gtc, false),
        &exits,
        false,
    );
    assert_eq!(
        b["stopLossOnFill"],
        json!({"price":"1.09","timeInForce":"GTC"})
    );
    assert_eq!(
        b["takeProfitOnFill"],
        json!({"price":"1.15","timeInForce":"GTC"})
    );
    assert_eq!(
        b["trailingStopLossOnFill"],
        json!({"distance":"0.005","timeInForce":"GTC"})
    );
}

#[test]
fn post_only_and_bad_ids_are_refused_before_sending() {
    let mut o = order(
        OrderKind::Limit { price: dec!(1.1) },
        Side::Buy,
        TimeInForce::PostOnly,
        false,
    );
    let e = encode_order(&o, &AttachedExits::default(), false).unwrap_err();
    assert!(matches!(e, OandaError::Unsupported { .. }), "{e}");
    o.time_in_force = TimeInForce::Gtc;
    o.client_id = ClientOrderId::new("x".repeat(129));
    let e = encode_order(&o, &AttachedExits::default(), false).unwrap_err();
    assert!(
        matches!(e, OandaError::ClientIdTooLong { len: 129, .. }),
        "{e}"
    );
}
