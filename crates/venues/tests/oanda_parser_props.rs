//! The pricing stream's scanner never reads a `PRICE` line differently
//! from the serde parser: for generated lines (any prices, liquidity as a
//! number or a string, field order shuffled, optional fields dropped) it
//! either agrees exactly or gives up, and never panics on any text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use smc_venues::oanda::fast::scan_price;
use smc_venues::oanda::market_parse::parse_price_line_serde;

fn level() -> impl Strategy<Value = String> {
    ("[0-9]{1,4}\\.[0-9]{1,6}", 0u64..100_000_000, any::<bool>()).prop_map(|(p, l, quoted)| {
        if quoted {
            format!(r#"{{"price":"{p}","liquidity":"{l}"}}"#)
        } else {
            format!(r#"{{"price":"{p}","liquidity":{l}}}"#)
        }
    })
}

fn line() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(level(), 0..4),
        prop::collection::vec(level(), 0..4),
        prop::option::of(any::<bool>()),
        any::<bool>(),
        0u32..1_000_000_000,
    )
        .prop_map(|(bids, asks, tradeable, closeout, nanos)| {
            let mut fields = vec![
                r#""type":"PRICE""#.to_string(),
                format!(r#""time":"2016-10-27T08:38:45.{nanos:09}Z""#),
                format!(r#""bids":[{}]"#, bids.join(",")),
                format!(r#""asks":[{}]"#, asks.join(",")),
                r#""instrument":"EUR_USD""#.to_string(),
            ];
            if let Some(t) = tradeable {
                fields.push(format!(r#""tradeable":{t}"#));
            }
            if closeout {
                fields.push(r#""closeoutBid":"1.1","closeoutAsk":"1.2""#.to_string());
            }
            fields.rotate_left(nanos as usize % 5);
            format!("{{{}}}", fields.join(","))
        })
}

proptest! {
    #[test]
    fn the_scanner_agrees_with_serde(l in line()) {
        let serde = parse_price_line_serde(&l).unwrap();
        let fast = scan_price(&l);
        prop_assert_eq!(fast, Some(serde));
    }

    #[test]
    fn any_text_is_safe(s in "\\PC{0,120}") {
        if let Some(fast) = scan_price(&s) {
            prop_assert_eq!(Some(fast), parse_price_line_serde(&s).ok());
        }
    }
}
