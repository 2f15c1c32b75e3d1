//! Decode cost of Bybit public stream messages (issue 16: under 700 ns a
//! kline or a trade message), from text to venue-neutral market events.
//!
//! Machine: the project's 2-core AMD EPYC VM, release profile. Measures:
//! - `bybit_decode/kline`: one `kline.1.BTCUSDT` message (one candle);
//! - `bybit_decode/trade`: one `publicTrade.BTCUSDT` message (one trade,
//!   linear UUID id);
//! - `bybit_decode/trade_spot`: the same with a spot numeric id;
//! - `bybit_decode/orderbook_1`: an `orderbook.1` message to its parsed
//!   levels (for reference; no target).
//!
//! Measured (2026-12-06, median of criterion's estimate, other builds
//! running): kline 407 ns, trade 382 ns, trade_spot 343 ns,
//! orderbook_1 609 ns. Kline and trade take the one-pass scanner of
//! `bybit::fast`; serde alone took about 750 ns for the kline.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use smc_venues::bybit::parse_public;
use std::hint::black_box;

// Shapes of Bybit's v5 documentation and of the recorded messages in
// tests/fixtures/bybit (compact, as the venue sends them).
const KLINE: &str = r#"{"topic":"kline.1.BTCUSDT","data":[{"start":1672324800000,"end":1672324859999,"interval":"1","open":"16649.5","close":"16677","high":"16677","low":"16608","volume":"2.081","turnover":"34666.4005","confirm":true,"timestamp":1672324859999}],"ts":1672324859999,"type":"snapshot"}"#;
const TRADE: &str = r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1709891679005,"data":[{"T":1709891679000,"s":"BTCUSDT","S":"Buy","v":"0.010","p":"27451.00","L":"PlusTick","i":"9dc75fca-4bdd-4773-9f78-6f5d7ab2a110","BT":false}]}"#;
const TRADE_SPOT: &str = r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1709891679005,"data":[{"T":1709891679000,"s":"BTCUSDT","S":"Sell","v":"0.001482","p":"27451.01","L":"MinusTick","i":"2290000000061666327","BT":false}]}"#;
const BOOK: &str = r#"{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1709891679000,"data":{"s":"BTCUSDT","b":[["27450.00","0.500"]],"a":[["27451.00","0.750"]],"u":123456789,"seq":987654321},"cts":1709891678990}"#;

fn decode(c: &mut Criterion) {
    let mut out = Vec::with_capacity(8);
    for (name, frame) in [
        ("kline", KLINE),
        ("trade", TRADE),
        ("trade_spot", TRADE_SPOT),
        ("orderbook_1", BOOK),
    ] {
        out.clear();
        parse_public("bybit", frame, &mut out).unwrap();
        c.bench_function(&format!("bybit_decode/{name}"), |b| {
            b.iter(|| {
                out.clear();
                let _ = black_box(parse_public(black_box("bybit"), black_box(frame), &mut out));
            })
        });
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
