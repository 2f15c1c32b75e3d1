//! The REST order book snapshot (`GET /api/v3/depth`, `GET /fapi/v1/depth`)
//! to the venue-neutral [`OrderBookSnapshot`].
//!
//! Spot answers `{"lastUpdateId","bids":[["p","q"],…],"asks":[…]}`; USD-M
//! adds the message and transaction times `E` and `T`. The answer does not
//! name the symbol: the caller's instrument is used.

use super::error::{BinanceError, ParseError};
use super::order_wire::push_encoded;
use super::parse_util::from_json;
use super::rest::BinanceRest;
use crate::common::book_levels::{checked, levels};
use crate::market::OrderBookSnapshot;
use crate::net::{Cost, Method, RequestKind};
use serde::Deserialize;
use smc_model::{InstrumentId, Timestamp};
use std::fmt::Write;

const W: &str = "depth";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Depth<'a> {
    last_update_id: u64,
    #[serde(borrow)]
    bids: Vec<[&'a str; 2]>,
    #[serde(borrow)]
    asks: Vec<[&'a str; 2]>,
    /// USD-M transaction time: when the book was this.
    #[serde(rename = "T", default)]
    transaction_time: Option<i64>,
    /// USD-M message time.
    #[serde(rename = "E", default)]
    event_time: Option<i64>,
}

/// Parses a depth answer for `instrument`, keeping the best `depth` levels of
/// each side. A side out of best-first order or a crossed book is an
/// error: the snapshot would misprice every fill walked through it.
pub fn parse_depth_snapshot(
    instrument: &InstrumentId,
    payload: &str,
    depth: usize,
) -> Result<OrderBookSnapshot, ParseError> {
    let d: Depth<'_> = from_json(W, payload)?;
    let book = OrderBookSnapshot {
        instrument: instrument.clone(),
        update_id: d.last_update_id,
        bids: levels(W, "bids", &d.bids)?,
        asks: levels(W, "asks", &d.asks)?,
        time: Timestamp::from_ms(d.transaction_time.or(d.event_time).unwrap_or(0)),
    };
    checked(W, "bids/asks", book, depth)
}

impl BinanceRest {
    /// The best `levels` levels of each side of `symbol`'s book: one `GET
    /// depth` at the smallest served limit that holds them, metered at
    /// that limit's weight.
    pub async fn order_book(
        &self,
        symbol: &str,
        levels: u32,
    ) -> Result<OrderBookSnapshot, BinanceError> {
        let market = self.market();
        let instrument = InstrumentId::new(market.venue(), symbol)
            .map_err(|e| BinanceError::Config(format!("depth of `{symbol}`: {e}")))?;
        let limit = market.depth_limit(levels);
        let mut q = String::from("symbol=");
        push_encoded(&mut q, symbol);
        let _ = write!(q, "&limit={limit}");
        let req = self.public(
            Method::Get,
            market.depth_path(),
            q,
            RequestKind::Read,
            Cost::weight(market.depth_weight(limit)),
        );
        let body = self.send(&req).await?;
        let levels = usize::try_from(levels).unwrap_or(usize::MAX);
        Ok(parse_depth_snapshot(&instrument, &body, levels)?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::endpoints::BinanceMarket;
    use super::*;
    use rust_decimal::dec;

    fn btc() -> InstrumentId {
        InstrumentId::new("binance", "BTCUSDT").unwrap()
    }

    #[test]
    fn limits_snap_up_and_weights_follow_binance() {
        let (s, f) = (BinanceMarket::Spot, BinanceMarket::UsdM);
        assert_eq!(
            [1, 5, 6, 20, 21, 100, 101, 1000, 1001, 9999].map(|l| s.depth_limit(l)),
            [5, 5, 10, 20, 50, 100, 500, 1000, 5000, 5000]
        );
        assert_eq!(
            [1, 50, 51, 501, 5000].map(|l| f.depth_limit(l)),
            [5, 50, 100, 1000, 1000]
        );
        assert_eq!(
            [5, 100, 500, 1000, 5000].map(|l| s.depth_weight(l)),
            [5, 5, 25, 50, 250]
        );
        assert_eq!(
            [5, 10, 20, 50, 100, 500, 1000].map(|l| f.depth_weight(l)),
            [2, 2, 2, 2, 5, 10, 20]
        );
        assert_eq!(s.depth_path(), "/api/v3/depth");
        assert_eq!(f.depth_path(), "/fapi/v1/depth");
    }

    #[test]
    fn a_spot_answer_without_times() {
        // The example answer of Binance's spot "Order book" documentation.
        let body = r#"{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}"#;
        let b = parse_depth_snapshot(&btc(), body, 10).unwrap();
        assert_eq!(b.update_id, 1_027_024);
        assert_eq!(b.time, Timestamp::from_ms(0));
        assert_eq!(
            (b.bids[0].price, b.bids[0].qty, b.asks[0].price),
            (dec!(4), dec!(431), dec!(4.000002))
        );
    }

    #[test]
    fn bad_answers_name_what_and_where() {
        let bad_qty = r#"{"lastUpdateId":1,"bids":[["4.0","1"],["3.9","x"]],"asks":[]}"#;
        let e = parse_depth_snapshot(&btc(), bad_qty, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("depth") && e.contains("bids[1][1]"), "{e}");
        let unsorted = r#"{"lastUpdateId":1,"bids":[],"asks":[["4.1","1"],["4.0","1"]]}"#;
        let e = parse_depth_snapshot(&btc(), unsorted, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("asks[1]"), "{e}");
        let crossed = r#"{"lastUpdateId":1,"bids":[["4.2","1"]],"asks":[["4.1","1"]]}"#;
        let e = parse_depth_snapshot(&btc(), crossed, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("crossed"), "{e}");
        let missing = r#"{"bids":[],"asks":[]}"#;
        let e = parse_depth_snapshot(&btc(), missing, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lastUpdateId"), "{e}");
    }
}
