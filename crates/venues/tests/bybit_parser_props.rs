//! Property tests of the Bybit parsers: no input makes them panic
//! (arbitrary text, and recorded messages damaged at random places), and
//! every kline and trade they accept carries exactly the numbers sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_venues::MarketEvent;
use smc_venues::bybit::account::{parse_key_permissions, parse_wallet};
use smc_venues::bybit::market_parse::parse_klines_rest;
use smc_venues::bybit::{BybitCategory, parse_private, parse_public};
use std::path::Path;
use std::str::FromStr;

/// Every recorded Bybit message of the fixtures, plus the real order book
/// history lines.
fn recorded() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bybit");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir.join("nautilus-rust")).unwrap() {
        out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    let history =
        std::fs::read_to_string(dir.join("history/2024-12-01_XRPUSDT_ob500.data")).unwrap();
    out.extend(history.lines().take(5).map(str::to_string));
    assert!(out.len() > 25);
    out
}

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

fn apply(frame: &str, d: &Damage) -> String {
    let chars: Vec<char> = frame.chars().collect();
    let at = |a: usize| a % (chars.len() + 1);
    let s = |a: usize, b: usize| {
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        chars[a..b.max(a)].iter().collect::<String>()
    };
    match d {
        Damage::Delete(a, n) => s(0, at(*a)) + &s(at(*a) + n, chars.len()),
        Damage::Duplicate(a, n) => s(0, at(*a) + n) + &s(at(*a), chars.len()),
        Damage::Replace(a, r) => s(0, at(*a)) + r + &s(at(*a) + r.chars().count(), chars.len()),
        Damage::Cut(a) => s(0, at(*a)),
    }
}

/// Runs every parser on `text`; none may panic.
fn all_parsers(text: &str) {
    let mut out = Vec::new();
    let _ = parse_public("bybit", text, &mut out);
    let _ = parse_private(BybitCategory::Spot, text);
    let _ = parse_private(BybitCategory::Linear, text);
    let _ = parse_klines_rest(text);
    let _ = parse_wallet(text);
    let _ = parse_key_permissions(text);
}

/// A decimal string as Bybit writes it.
fn decimal() -> impl Strategy<Value = String> {
    (0u64..10_000_000_000_000, 0u32..12)
        .prop_map(|(m, scale)| Decimal::new(m as i64, scale).to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        all_parsers(&text);
    }

    #[test]
    fn damaged_recorded_messages_never_panic(i in any::<usize>(), ds in proptest::collection::vec(damage(), 1..4)) {
        let frames = recorded();
        let mut f = frames[i % frames.len()].clone();
        for d in &ds {
            f = apply(&f, d);
        }
        all_parsers(&f);
    }

    /// Every number of a kline and a trade comes back exactly as sent
    /// (value and scale, trailing zeros included).
    #[test]
    fn decimals_round_trip(
        o in decimal(), h in decimal(), l in decimal(), c in decimal(), v in decimal(),
        p in decimal(), q in decimal(), start in 0i64..4_000_000_000_000, confirm in any::<bool>(),
    ) {
        let kline = format!(
            r#"{{"topic":"kline.1.BTCUSDT","data":[{{"start":{start},"end":{},"interval":"1","open":"{o}","close":"{c}","high":"{h}","low":"{l}","volume":"{v}","turnover":"0","confirm":{confirm},"timestamp":{start}}}],"ts":{start},"type":"snapshot"}}"#,
            start + 59_999
        );
        let mut out = Vec::new();
        parse_public("bybit", &kline, &mut out).unwrap();
        let [MarketEvent::Kline(k)] = out.as_slice() else { panic!("{out:?}") };
        for (got, sent) in [(k.candle.open, &o), (k.candle.high, &h), (k.candle.low, &l), (k.candle.close, &c), (k.candle.volume, &v)] {
            prop_assert_eq!(got, Decimal::from_str(sent).unwrap());
            prop_assert_eq!(&got.to_string(), sent);
        }
        prop_assert_eq!(k.closed, confirm);
        prop_assert_eq!(k.candle.open_time.ms(), start);

        let trade = format!(
            r#"{{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{{"T":{start},"s":"BTCUSDT","S":"Buy","v":"{q}","p":"{p}","L":"PlusTick","i":"{start}","BT":false}}]}}"#
        );
        out.clear();
        parse_public("bybit", &trade, &mut out).unwrap();
        let [MarketEvent::Trade(t)] = out.as_slice() else { panic!("{out:?}") };
        prop_assert_eq!(&t.price.to_string(), &p);
        prop_assert_eq!(&t.qty.to_string(), &q);
        prop_assert_eq!(t.trade_id, start as u64);
    }
}
