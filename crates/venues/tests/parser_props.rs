//! Property tests of the Binance message parsers (the hand-written scanner
//! of `fast_scan` and the serde fallback behind it): no input makes them
//! panic, recorded frames damaged at random places included, and every
//! kline and trade they accept carries exactly the numbers that were sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_venues::MarketEvent;
use smc_venues::binance::market_parse::parse_market;
use smc_venues::binance::parse_user_event;
use std::path::Path;
use std::str::FromStr;

/// Recorded frames of the spot and USD-M captures (fixtures/README.md).
fn recorded() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cryptofeed");
    let mut frames = Vec::new();
    for name in ["BINANCE.ws.1.0", "BINANCE_FUTURES.ws.1.0.subset"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        frames.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split_once(": ").map(|(_, f)| f.to_string())),
        );
    }
    assert!(frames.len() > 100);
    frames
}

/// One edit of a frame: delete, duplicate or replace a byte range, or cut it.
#[derive(Debug, Clone)]
enum Damage {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Replace(usize, String),
    Cut(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(a, n)| Damage::Delete(a, n)),
        (any::<usize>(), 1usize..16).prop_map(|(a, n)| Damage::Duplicate(a, n)),
        (any::<usize>(), r#"[\\"{}\[\],:.0-9eE+-]{1,4}|\PC{1,3}"#)
            .prop_map(|(a, s)| Damage::Replace(a, s)),
        any::<usize>().prop_map(Damage::Cut),
    ]
}

/// `frame` with `d` applied at char boundaries.
fn apply(frame: &str, d: &Damage) -> String {
    let chars: Vec<char> = frame.chars().collect();
    let at = |a: usize| a % (chars.len() + 1);
    let s = |a: usize, b: usize| {
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        chars[a..b.max(a)].iter().collect::<String>()
    };
    match d {
        Damage::Delete(a, n) => s(0, at(*a)) + &s(at(*a) + n, chars.len()),
        Damage::Duplicate(a, n) => {
            let a = at(*a);
            s(0, a + n) + &s(a, chars.len())
        }
        Damage::Replace(a, r) => s(0, at(*a)) + r + &s(at(*a) + 1, chars.len()),
        Damage::Cut(a) => s(0, at(*a)),
    }
}

/// A decimal as Binance writes it: up to 30 digits, some after a point.
fn decimal_text() -> impl Strategy<Value = String> {
    ("[0-9]{1,18}", proptest::option::of("[0-9]{1,12}")).prop_map(|(int, frac)| match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_text_never_panics(s in r#"\PC{0,200}|[\\"{}\[\],:a-zA-Z0-9.]{0,200}"#) {
        let _ = parse_market("binance", &s);
        let _ = parse_user_event("binance", &s);
    }

    #[test]
    fn damaged_recorded_frames_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec(damage(), 1..4),
    ) {
        let frames = recorded();
        let mut f = pick.get(&frames).clone();
        for d in &edits {
            f = apply(&f, d);
        }
        let _ = parse_market("binance", &f);
        let _ = parse_user_event("binance", &f);
    }

    #[test]
    fn an_accepted_kline_carries_the_numbers_sent(
        prices in prop::collection::vec(decimal_text(), 4),
        volume in decimal_text(),
        open_time in 0i64..4_000_000_000_000,
        event_time in 0i64..4_000_000_000_000,
        closed in any::<bool>(),
        wrapped in any::<bool>(),
    ) {
        let mut sorted = prices.clone();
        sorted.sort_by_key(|p| Decimal::from_str(p).unwrap());
        let (low, open, close, high) = (&sorted[0], &sorted[1], &sorted[2], &sorted[3]);
        let data = format!(
            r#"{{"e":"kline","E":{event_time},"s":"BTCUSDT","k":{{"t":{open_time},"T":{},"s":"BTCUSDT","i":"1m","f":1,"L":2,"o":"{open}","c":"{close}","h":"{high}","l":"{low}","v":"{volume}","n":2,"x":{closed},"q":"0","V":"0","Q":"0","B":"0"}}}}"#,
            open_time + 59_999
        );
        let frame = if wrapped {
            format!(r#"{{"stream":"btcusdt@kline_1m","data":{data}}}"#)
        } else {
            data
        };
        let parsed = parse_market("binance", &frame);
        let Ok(Some(MarketEvent::Kline(k))) = parsed else {
            return Err(TestCaseError::fail(format!("refused: {parsed:?}: {frame}")));
        };
        let d = |s: &str| Decimal::from_str(s).unwrap();
        prop_assert_eq!(k.candle.open, d(open));
        prop_assert_eq!(k.candle.high, d(high));
        prop_assert_eq!(k.candle.low, d(low));
        prop_assert_eq!(k.candle.close, d(close));
        prop_assert_eq!(k.candle.volume, d(&volume));
        prop_assert_eq!(k.candle.open.to_string(), d(open).to_string());
        prop_assert_eq!(k.candle.open_time.ms(), open_time);
        prop_assert_eq!(k.event_time.map(|t| t.ms()), Some(event_time));
        prop_assert_eq!(k.closed, closed);
    }

    #[test]
    fn an_accepted_trade_carries_the_numbers_sent(
        price in decimal_text(),
        qty in decimal_text(),
        id in any::<u64>(),
        time in 0i64..4_000_000_000_000,
        maker in any::<bool>(),
    ) {
        let frame = format!(
            r#"{{"e":"aggTrade","E":{time},"s":"ETHUSDT","a":{id},"p":"{price}","q":"{qty}","f":1,"l":1,"T":{time},"m":{maker},"M":true}}"#
        );
        let parsed = parse_market("binance", &frame);
        let Ok(Some(MarketEvent::Trade(t))) = parsed else {
            return Err(TestCaseError::fail(format!("refused: {parsed:?}: {frame}")));
        };
        prop_assert_eq!(t.price, Decimal::from_str(&price).unwrap());
        prop_assert_eq!(t.qty, Decimal::from_str(&qty).unwrap());
        prop_assert_eq!(t.trade_id, id);
        prop_assert_eq!(t.time.ms(), time);
    }
}
