//! The OANDA parsers on the answers recorded in oandapyV20's tests
//! (fixtures/oanda): accounts, instruments, summary, pricing (REST and
//! stream), candles, orders (create, list, pending, details, cancel,
//! replace), positions, a closing fill, transactions (sinceid, idrange,
//! pages, stream heartbeats).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::{Decimal, dec};
use smc_model::{ClientOrderId, InstrumentId, MarketKind, OrderStatus, Side};
use smc_venues::oanda::account::{parse_accounts, parse_positions, parse_summary};
use smc_venues::oanda::fast::{parse_price_line, scan_price};
use smc_venues::oanda::instruments::parse_instruments;
use smc_venues::oanda::market_parse::{
    CandlePrice, PriceLine, book_of, parse_candles, parse_price_line_serde, parse_pricing,
};
use smc_venues::oanda::orders::{parse_create, parse_order, parse_orders};
use smc_venues::oanda::transactions::{
    parse_transaction, parse_transaction_list, parse_transaction_pages,
};
use smc_venues::{OrderOutcome, UserEvent};

/// The `response` of a fixture, as JSON text.
fn response(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oanda")
        .join(name);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["response"].to_string()
}

fn lines(name: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&response(name)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| l.to_string())
        .collect()
}

fn eur_usd() -> InstrumentId {
    InstrumentId::new("oanda", "EUR_USD").unwrap()
}

#[test]
fn accounts_summary_and_instruments() {
    assert_eq!(
        parse_accounts(&response("v3_accounts.json")).unwrap(),
        ["101-004-1435156-002", "101-004-1435156-001"]
    );
    let s = parse_summary(&response("v3_account_by_accountID_summary.json")).unwrap();
    assert_eq!(s.currency, "EUR");
    assert_eq!(s.nav, dec!(35454.4740));
    assert_eq!(s.last_transaction_id, "2123");
    let b = s.balances();
    assert_eq!(b[0].asset, "EUR");
    // The balance (cash), the margin in use locked.
    assert_eq!(b[0].total(), dec!(35454.4740));
    assert_eq!(b[0].locked, dec!(10581.5000));
    assert_eq!(b[0].free, dec!(24872.9740));
    let rules = parse_instruments(&response("v3_account_by_accountID_instruments.json")).unwrap();
    assert_eq!(rules.len(), 6);
    let eu = rules
        .iter()
        .find(|r| r.instrument.id.symbol() == "EUR_USD")
        .unwrap();
    assert_eq!(eu.instrument.kind, MarketKind::Forex);
    assert_eq!(
        (eu.instrument.base.as_str(), eu.instrument.quote.as_str()),
        ("EUR", "USD")
    );
    assert_eq!(eu.instrument.spec.tick_size, dec!(0.00001));
    assert_eq!(eu.instrument.spec.lot_size, dec!(1));
    assert_eq!(eu.instrument.spec.min_qty, dec!(1));
    assert_eq!(eu.instrument.spec.min_notional, Decimal::ZERO);
    assert_eq!(eu.max_units, dec!(100000000));
    assert_eq!(eu.pip_location, -4);
    let de = rules
        .iter()
        .find(|r| r.instrument.id.symbol() == "DE30_EUR")
        .unwrap();
    assert_eq!(de.instrument.spec.tick_size, dec!(0.1));
}

#[test]
fn pricing_is_a_one_level_book() {
    let quotes = parse_pricing(&response("v3_accounts_accountID_pricing.json")).unwrap();
    assert_eq!(quotes.len(), 2);
    let book = book_of(&quotes, "EUR_USD").unwrap();
    assert_eq!(book.bids.len(), 1);
    assert_eq!(book.bids[0].price, dec!(1.12157));
    assert_eq!(book.bids[0].qty, dec!(10000000));
    assert_eq!(book.asks[0].price, dec!(1.12170));
    assert_eq!(book.time.ms(), 1_475_645_296_729);
    assert!(
        book_of(&quotes, "GBP_USD")
            .unwrap_err()
            .to_string()
            .contains("no price for GBP_USD")
    );
}

#[test]
fn pricing_stream_lines_fast_and_serde_agree() {
    let ls = lines("v3_accounts_accountID_pricing_stream.json");
    assert_eq!(ls.len(), 4);
    let mut prices = 0;
    for l in &ls {
        let fast = scan_price(l).expect("the scanner reads every recorded line");
        assert_eq!(fast, parse_price_line_serde(l).unwrap());
        if let PriceLine::Price(q) = fast {
            prices += 1;
            let top = q.top().unwrap();
            assert!(top.bid < top.ask);
        }
    }
    assert_eq!(prices, 3);
    let PriceLine::Price(q) = parse_price_line(&ls[2]).unwrap() else {
        panic!("PRICE expected")
    };
    assert_eq!(q.instrument, eur_usd());
    assert_eq!(q.bids[0].price, dec!(1.09177));
    assert!(q.tradeable);
}

#[test]
fn candles_mid_and_errors_name_the_field() {
    let body = response("v3_instruments_instrument_candles.json");
    let c = parse_candles(&body, CandlePrice::Mid).unwrap();
    assert_eq!(c.len(), 5);
    assert!(c.iter().all(|c| c.complete));
    assert_eq!(c[0].candle.open, dec!(10503.8));
    assert_eq!(c[0].candle.high, dec!(10508.0));
    assert_eq!(c[0].candle.volume, dec!(132));
    assert_eq!(
        c[1].candle.open_time.ms() - c[0].candle.open_time.ms(),
        300_000
    );
    let e = parse_candles(&body, CandlePrice::Bid).unwrap_err();
    assert!(e.to_string().contains("candles[0].bid"), "{e}");
    let bad = body.replacen("10508.0", "x", 1);
    let e = parse_candles(&bad, CandlePrice::Mid).unwrap_err();
    assert!(e.to_string().contains("candles[0].mid.h"), "{e}");
}

#[test]
fn order_create_list_pending_details_cancel() {
    let cid = ClientOrderId::new("smc-1");
    let created = parse_create(
        &cid,
        &eur_usd(),
        &response("v3_accounts_accountID_orders_create.json"),
    )
    .unwrap()
    .unwrap();
    let OrderOutcome::Accepted(o) = created else {
        panic!("accepted expected")
    };
    assert_eq!(o.venue_order_id, "2304");
    assert_eq!(o.status, OrderStatus::Submitted);
    assert_eq!(o.orig_qty, dec!(100));
    assert_eq!(o.client_id, cid);

    let list = parse_orders(&response("v3_accounts_accountID_orders_list.json")).unwrap();
    assert_eq!(list[0].venue_order_id, "2125");
    assert_eq!(list[0].status, OrderStatus::Submitted);
    let pending = parse_orders(&response("v3_accounts_accountID_orders_pending.json")).unwrap();
    assert_eq!(pending[0].client_id.as_str(), "myID");
    assert_eq!(pending[0].instrument, eur_usd());
    let details = parse_order(&response("v3_accounts_accountID_order_details.json")).unwrap();
    assert_eq!(details.venue_order_id, "2309");
    assert_eq!(details.orig_qty, dec!(100));

    // The cancel answer and a replace (cancel + create) as stream events.
    let cancel: serde_json::Value =
        serde_json::from_str(&response("v3_accounts_accountID_order_cancel.json")).unwrap();
    let t = parse_transaction(&cancel["orderCancelTransaction"].to_string()).unwrap();
    let UserEvent::Order(u) = t.event().unwrap() else {
        panic!("order update expected")
    };
    assert_eq!(u.order.status, OrderStatus::Cancelled);
    assert_eq!(u.order.client_id.as_str(), "myID");
    assert_eq!(u.order.venue_order_id, "2307");
    let replaced = parse_create(
        &cid,
        &eur_usd(),
        &response("v3_accounts_accountID_order_replace.json"),
    )
    .unwrap()
    .unwrap();
    assert!(matches!(replaced, OrderOutcome::Accepted(ref o) if o.venue_order_id == "2307"));
}

#[test]
fn a_closing_fill_and_positions() {
    let cid = ClientOrderId::new("close-1");
    let out = parse_create(
        &cid,
        &eur_usd(),
        &response("v3_account_accountID_trades_close.json"),
    )
    .unwrap()
    .unwrap();
    let OrderOutcome::Accepted(o) = out else {
        panic!("accepted expected")
    };
    assert_eq!(o.status, OrderStatus::Filled);
    assert_eq!(o.filled_qty, dec!(100));
    let f = &o.fills[0];
    assert_eq!(
        (f.side, f.price, f.qty),
        (Side::Sell, dec!(1.09289), dec!(100))
    );
    assert_eq!(f.trade_id, "2317");
    assert_eq!(f.client_id, cid);

    let open = parse_positions(&response("v3_accounts_accountID_openpositions.json")).unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(
        (open[0].symbol.as_str(), open[0].amount),
        ("DE30_EUR", dec!(10))
    );
    assert_eq!(open[0].entry_price, dec!(10678.3));
    assert_eq!(
        (open[1].symbol.as_str(), open[1].amount),
        ("EUR_USD", dec!(-100))
    );
    assert_eq!(open[1].entry_price, dec!(1.09843));
    let all = parse_positions(&response("v3_accounts_accountID_positions.json")).unwrap();
    assert_eq!(all.len(), 1, "flat instruments are left out");
    assert_eq!(all[0].amount, dec!(-20));
}

#[test]
fn transactions_lists_pages_and_stream() {
    let (list, last) =
        parse_transaction_list(&response("v3_accounts_transaction_sinceid.json")).unwrap();
    assert_eq!(last.as_deref(), Some("2311"));
    let kinds: Vec<&str> = list.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "LIMIT_ORDER",
            "ORDER_CANCEL",
            "LIMIT_ORDER",
            "CLIENT_CONFIGURE",
            "CLIENT_CONFIGURE"
        ]
    );
    let events: Vec<UserEvent> = list.iter().map(|t| t.event().unwrap()).collect();
    assert!(
        matches!(&events[0], UserEvent::Order(u) if u.order.status == OrderStatus::Submitted && u.order.client_id.as_str() == "myID")
    );
    assert!(matches!(&events[1], UserEvent::Order(u) if u.order.status == OrderStatus::Cancelled));
    assert_eq!(events[3], UserEvent::Ignored("CLIENT_CONFIGURE".into()));
    let (range, _) =
        parse_transaction_list(&response("v3_accounts_transaction_idrange.json")).unwrap();
    assert_eq!(
        range.iter().filter_map(|t| t.id_num()).collect::<Vec<_>>(),
        [2304, 2305, 2306]
    );
    let pages =
        parse_transaction_pages(&response("v3_accounts_accountID_transactions.json")).unwrap();
    assert_eq!(pages.len(), 22);
    assert_eq!(
        pages[0],
        "/v3/accounts/101-004-1435156-001/transactions/idrange?from=1&to=100"
    );
    for l in lines("v3_accounts_transactions_stream.json") {
        let t = parse_transaction(&l).unwrap();
        assert_eq!(t.kind, "HEARTBEAT");
        assert_eq!(t.last_transaction_id.as_deref(), Some("2311"));
    }
}

#[test]
fn an_order_fill_carries_its_costs_and_a_reject_its_reason() {
    let fill = r#"{"id":"6","type":"ORDER_FILL","orderID":"5","clientOrderID":"smc-9","instrument":"EUR_USD","units":"-1000","price":"1.10000","time":"2024-01-02T03:04:05.678901234Z","pl":"1.5","financing":"-0.01","commission":"0.10","halfSpreadCost":"0.0700","accountBalance":"100"}"#;
    let t = parse_transaction(fill).unwrap();
    let c = t.costs().unwrap();
    assert_eq!(
        (c.commission, c.half_spread_cost, c.financing, c.pl),
        (dec!(0.10), dec!(0.0700), dec!(-0.01), dec!(1.5))
    );
    let UserEvent::Order(u) = t.event().unwrap() else {
        panic!("order update expected")
    };
    assert_eq!(u.order.status, OrderStatus::Filled);
    assert_eq!(u.order.client_id.as_str(), "smc-9");
    let f = u.fill().unwrap();
    assert_eq!((f.side, f.qty, f.fee), (Side::Sell, dec!(1000), dec!(0.10)));
    assert_eq!(f.time.ms() % 1000, 678);
    let reject = r#"{"orderRejectTransaction":{"id":"7","type":"MARKET_ORDER_REJECT","rejectReason":"INSUFFICIENT_MARGIN","instrument":"EUR_USD","units":"100"},"errorCode":"INSUFFICIENT_MARGIN","errorMessage":"Insufficient margin"}"#;
    let out = parse_create(&ClientOrderId::new("x"), &eur_usd(), reject)
        .unwrap()
        .unwrap();
    assert!(
        matches!(out, OrderOutcome::Rejected { ref reason, .. } if reason.starts_with("INSUFFICIENT_MARGIN")),
        "{out:?}"
    );
    let e = parse_transaction(r#"{"id":"8","type":"ORDER_FILL","units":"x"}"#)
        .unwrap()
        .event()
        .unwrap_err();
    assert!(e.to_string().contains("ORDER_FILL(8).units"), "{e}");
}

#[test]
fn a_market_order_oanda_cancels_at_once_is_expired_with_the_reason() {
    let body = r#"{"orderCreateTransaction":{"id":"30","type":"MARKET_ORDER","instrument":"EUR_USD","units":"100","timeInForce":"FOK","clientExtensions":{"id":"m1"},"time":"2024-01-02T03:04:05Z"},"orderCancelTransaction":{"id":"31","type":"ORDER_CANCEL","orderID":"30","clientOrderID":"m1","reason":"MARKET_HALTED","time":"2024-01-02T03:04:05Z"},"relatedTransactionIDs":["30","31"],"lastTransactionID":"31"}"#;
    let out = parse_create(&ClientOrderId::new("m1"), &eur_usd(), body)
        .unwrap()
        .unwrap();
    let OrderOutcome::Accepted(o) = out else {
        panic!("accepted expected")
    };
    assert_eq!(o.status, OrderStatus::Expired);
    assert_eq!(o.reject_reason.as_deref(), Some("MARKET_HALTED"));
    assert_eq!(o.filled_qty, Decimal::ZERO);
    // Neither a reject nor a create: left to the caller as an API error.
    let none = parse_create(
        &ClientOrderId::new("m1"),
        &eur_usd(),
        r#"{"errorMessage":"x"}"#,
    )
    .unwrap();
    assert_eq!(none, None);
}

#[test]
fn a_commission_in_the_account_currency_becomes_a_fee_in_the_quote() {
    let fill = r#"{"id":"40","type":"ORDER_FILL","orderID":"39","instrument":"USD_JPY","units":"10000","price":"110.000","time":"2024-01-02T03:04:05Z","commission":"1.0000","lossQuoteHomeConversionFactor":"0.00909091"}"#;
    let t = parse_transaction(fill).unwrap();
    let f = t.fill().unwrap();
    assert_eq!(f.fee.round_dp(2), dec!(110.00), "1 USD in JPY");
    assert_eq!(
        t.costs().unwrap().commission,
        dec!(1.0000),
        "OANDA's figure kept"
    );
    let no_factor = fill.replace(r#","lossQuoteHomeConversionFactor":"0.00909091""#, "");
    assert_eq!(
        parse_transaction(&no_factor).unwrap().fill().unwrap().fee,
        dec!(1.0000)
    );
}

#[test]
fn a_daily_financing_is_one_report_per_position_signed_as_paid() {
    // Fields as v20.yaml's DailyFinancingTransaction and PositionFinancing.
    let t = r#"{"id":"77","type":"DAILY_FINANCING","time":"2024-01-02T22:00:00Z","financing":"-0.4021","accountBalance":"99.5979","accountFinancingMode":"DAILY","positionFinancings":[{"instrument":"EUR_USD","financing":"-0.5021","openTradeFinancings":[{"tradeID":"6","financing":"-0.5021"}]},{"instrument":"USD_JPY","financing":"0.1000"},{"instrument":"GBP_USD","financing":"0.0000"}]}"#;
    let t = parse_transaction(t).unwrap();
    let UserEvent::Financing(reports) = t.event().unwrap() else {
        panic!("financing expected")
    };
    let got: Vec<_> = reports
        .iter()
        .map(|r| (r.id.as_str(), r.symbol.as_str(), r.paid))
        .collect();
    assert_eq!(
        got,
        [
            ("77:EUR_USD", "EUR_USD", dec!(0.5021)),
            ("77:USD_JPY", "USD_JPY", dec!(-0.1000)),
        ]
    );
    assert_eq!(reports[0].time.ms() % 86_400_000, 22 * 3_600_000);
    let bad = r#"{"id":"78","type":"DAILY_FINANCING","positionFinancings":[{"instrument":"EUR_USD","financing":"x"}]}"#;
    let e = parse_transaction(bad).unwrap().event().unwrap_err();
    assert!(e.to_string().contains("DAILY_FINANCING(78)"), "{e}");
}
