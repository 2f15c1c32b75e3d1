//! Spot OCO order lists as Binance serves them: both legs rest on one
//! balance (a plain second sell of the same coins is refused), a leg whose
//! trigger the market already passed refuses the whole list, and
//! cancelling one leg cancels both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal::Decimal;

async fn last_price(s: &Sim) -> Decimal {
    let t = s.public("/api/v3/ticker/price", "symbol=BTCUSDT").await;
    t.body["price"].as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oco_list_holds_the_coins_once_and_cancels_as_one() {
    let s = start(config()).await;
    let buy = s
        .signed(
            "POST",
            "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.010",
        )
        .await;
    assert_eq!(buy.status, 200, "{}", buy.body);
    // 0.01 bought holds 0.00999 (the fee is taken in BTC).
    let last = last_price(&s).await;
    let (above, below) = (
        (last * Decimal::new(105, 2)).round_dp(1),
        (last * Decimal::new(95, 2)).round_dp(1),
    );
    let oco = |qty: &str, above: Decimal, below: Decimal| {
        format!(
            "symbol=BTCUSDT&side=SELL&quantity={qty}&aboveType=TAKE_PROFIT&aboveStopPrice={above}\
             &aboveClientOrderId=b-tp&belowType=STOP_LOSS&belowStopPrice={below}\
             &belowClientOrderId=b-sl&newOrderRespType=FULL"
        )
    };
    // A stop above the market would trigger at once: the list is refused.
    let crossed = s
        .signed(
            "POST",
            "/api/v3/orderList/oco",
            &oco("0.009", above, above + Decimal::ONE),
        )
        .await;
    assert_eq!(
        (crossed.status, crossed.code()),
        (400, -2010),
        "{}",
        crossed.body
    );
    let list = s
        .signed("POST", "/api/v3/orderList/oco", &oco("0.009", above, below))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["contingencyType"], "OCO");
    let reports = list.body["orderReports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    let list_id = list.body["orderListId"].as_i64().unwrap();
    assert!(
        reports
            .iter()
            .all(|r| r["orderListId"].as_i64() == Some(list_id))
    );
    assert!(reports.iter().all(|r| r["status"] == "NEW"));
    // The list holds 0.009 once: the account shows it locked once.
    let account = s.signed("GET", "/api/v3/account", "").await;
    let btc = account.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["asset"] == "BTC")
        .unwrap()
        .clone();
    assert_eq!(btc["locked"], "0.00900000", "{btc}");
    // A plain sell of the same coins is refused.
    let again = s
        .signed(
            "POST",
            "/api/v3/order",
            &format!("symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.009&stopPrice={below}"),
        )
        .await;
    assert_eq!((again.status, again.code()), (400, -2010), "{}", again.body);
    // Cancelling one leg cancels the list.
    let cancel = s
        .signed(
            "DELETE",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=b-sl",
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    let open = s
        .signed("GET", "/api/v3/openOrders", "symbol=BTCUSDT")
        .await;
    assert_eq!(open.body.as_array().map(Vec::len), Some(0), "{}", open.body);
    let tp = s
        .signed(
            "GET",
            "/api/v3/order",
            "symbol=BTCUSDT&origClientOrderId=b-tp",
        )
        .await;
    assert_eq!(tp.body["status"], "CANCELED");
}
