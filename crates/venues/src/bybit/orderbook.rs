//! The REST order book snapshot (`GET /v5/market/orderbook`) to the
//! venue-neutral [`OrderBookSnapshot`].
//!
//! The `result` is `{"s","b":[["p","q"],…],"a":[…],"ts","u","seq","cts"}`
//! (Bybit v5 docs, "Get Orderbook"): bids high to low, asks low to high,
//! `u` the update id, `ts` the time (ms) the system generated the data.

use super::endpoints;
use super::error::{BybitError, ParseError};
use super::rest::BybitRest;
use crate::binance::order_wire::push_encoded;
use crate::binance::parse_util::from_json;
use crate::common::book_levels::{checked, levels};
use crate::market::OrderBookSnapshot;
use serde::Deserialize;
use smc_model::{InstrumentId, Timestamp};
use std::fmt::Write;

const W: &str = "orderbook (REST)";

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(rename = "s", borrow)]
    symbol: &'a str,
    #[serde(borrow)]
    b: Vec<[&'a str; 2]>,
    #[serde(borrow)]
    a: Vec<[&'a str; 2]>,
    #[serde(default)]
    ts: i64,
    u: u64,
}

/// Parses the `result` of an orderbook answer for `instrument`, keeping
/// the best `levels` of each side. Another symbol than the instrument's,
/// a side out of best-first order or a crossed book is an error.
pub fn parse_orderbook_rest(
    instrument: &InstrumentId,
    result: &str,
    depth: usize,
) -> Result<OrderBookSnapshot, ParseError> {
    let r: Answer<'_> = from_json(W, result)?;
    if !r.symbol.eq_ignore_ascii_case(instrument.symbol()) {
        return Err(ParseError::Field {
            what: W,
            field: "s".into(),
            detail: format!("the book of {}, asked for {instrument}", r.symbol),
        });
    }
    let book = OrderBookSnapshot {
        instrument: instrument.clone(),
        update_id: r.u,
        bids: levels(W, "b", &r.b)?,
        asks: levels(W, "a", &r.a)?,
        time: Timestamp::from_ms(r.ts),
    };
    checked(W, "b/a", book, depth)
}

impl BybitRest {
    /// The best `levels` levels of each side of `symbol`'s book (one
    /// public read; `limit` held to the category's 1..=max).
    pub async fn order_book(
        &self,
        symbol: &str,
        levels: u32,
    ) -> Result<OrderBookSnapshot, BybitError> {
        let instrument = InstrumentId::new(self.venue(), symbol)
            .map_err(|e| BybitError::Config(format!("orderbook of `{symbol}`: {e}")))?;
        let limit = levels.clamp(1, endpoints::orderbook_max(self.category()));
        let mut rest = String::from("symbol=");
        push_encoded(&mut rest, symbol);
        let _ = write!(rest, "&limit={limit}");
        let body = self
            .get_public(endpoints::ORDERBOOK, self.query(&rest))
            .await?;
        let levels = usize::try_from(levels).unwrap_or(usize::MAX);
        Ok(parse_orderbook_rest(&instrument, &body, levels)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn btc() -> InstrumentId {
        InstrumentId::new("bybit-linear", "BTCUSDT").unwrap()
    }

    #[test]
    fn keeps_the_best_levels_and_the_update_id() {
        let r = r#"{"s":"BTCUSDT","b":[["100.5","1"],["100","2"]],"a":[["101","3"],["102","4"]],"ts":1700000000000,"u":42,"seq":7,"cts":1}"#;
        let b = parse_orderbook_rest(&btc(), r, 1).unwrap();
        assert_eq!(
            (b.update_id, b.time),
            (42, Timestamp::from_ms(1_700_000_000_000))
        );
        assert_eq!(
            (b.bids.len(), b.asks.len(), b.bids[0].price, b.asks[0].qty),
            (1, 1, dec!(100.5), dec!(3))
        );
    }

    #[test]
    fn bad_results_name_what_and_where() {
        let other = r#"{"s":"ETHUSDT","b":[],"a":[],"ts":1,"u":1}"#;
        let e = parse_orderbook_rest(&btc(), other, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("field `s`") && e.contains("ETHUSDT"), "{e}");
        let bad = r#"{"s":"BTCUSDT","b":[["1e","1"]],"a":[],"ts":1,"u":1}"#;
        let e = parse_orderbook_rest(&btc(), bad, 5)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("orderbook (REST)") && e.contains("b[0][0]"),
            "{e}"
        );
        let unsorted = r#"{"s":"BTCUSDT","b":[["1","1"],["2","1"]],"a":[],"ts":1,"u":1}"#;
        let e = parse_orderbook_rest(&btc(), unsorted, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("bids[1]"), "{e}");
        let no_u = r#"{"s":"BTCUSDT","b":[],"a":[],"ts":1}"#;
        let e = parse_orderbook_rest(&btc(), no_u, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`u`"), "{e}");
    }
}
