//! Decode cost of one OANDA pricing stream `PRICE` line (issue 17: under
//! 700 ns), from text to the quote and its book top.
//!
//! Measures:
//! - `oanda_decode/price`: a current-format `PRICE` line (two bid and two
//!   ask bands, liquidity as strings, `tradeable`) through
//!   `oanda::fast::parse_price_line` (the one-pass scanner), then `top()`;
//! - `oanda_decode/price_serde`: the same line through the serde parser
//!   alone (for reference; no target);
//! - `oanda_decode/heartbeat`: a `HEARTBEAT` line.
//!
//! Measured (2026-12-06, 2-core VM, bench profile, other builds running;
//! criterion's median): price 482–496 ns, price_serde 2.03 µs,
//! heartbeat 68 ns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use smc_venues::oanda::fast::parse_price_line;
use smc_venues::oanda::market_parse::{PriceLine, parse_price_line_serde};
use std::hint::black_box;

// The shape of v20.yaml's `ClientPrice` as the pricing stream sends it
// (compact), with prices of the recorded stream in tests/fixtures/oanda.
const PRICE: &str = r#"{"type":"PRICE","time":"2016-10-27T08:38:45.664613867Z","bids":[{"price":"1.09177","liquidity":"10000000"},{"price":"1.09175","liquidity":"10000000"}],"asks":[{"price":"1.09188","liquidity":"10000000"},{"price":"1.09190","liquidity":"10000000"}],"closeoutBid":"1.09173","closeoutAsk":"1.09192","status":"tradeable","tradeable":true,"instrument":"EUR_USD"}"#;
const HEARTBEAT: &str = r#"{"type":"HEARTBEAT","time":"2016-10-27T08:38:44.327443673Z"}"#;

fn top(line: &PriceLine) -> bool {
    match line {
        PriceLine::Price(q) => q.top().is_some(),
        PriceLine::Heartbeat { .. } => false,
    }
}

fn decode(c: &mut Criterion) {
    assert!(top(&parse_price_line(PRICE).unwrap()));
    assert_eq!(
        parse_price_line(PRICE).unwrap(),
        parse_price_line_serde(PRICE).unwrap()
    );
    c.bench_function("oanda_decode/price", |b| {
        b.iter(|| black_box(parse_price_line(black_box(PRICE)).map(|l| top(&l))))
    });
    c.bench_function("oanda_decode/price_serde", |b| {
        b.iter(|| black_box(parse_price_line_serde(black_box(PRICE)).map(|l| top(&l))))
    });
    c.bench_function("oanda_decode/heartbeat", |b| {
        b.iter(|| black_box(parse_price_line(black_box(HEARTBEAT)).is_ok()))
    });
}

criterion_group!(benches, decode);
criterion_main!(benches);
