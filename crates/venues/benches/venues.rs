//! Hot-path costs of the Binance adapter (issue 6, item 7).
//!
//! Machine: the project's 2-core AMD EPYC VM (SHA-NI available), release
//! profile. Measures:
//! - `decode/*`: one recorded combined-stream frame (kline, aggTrade,
//!   trade) from text to a `MarketEvent` (target < 700 ns);
//! - `sign/*`: HMAC-SHA256 hex of a typical order payload (target < 400 ns);
//! - `order_to_wire/*`: a rounded `OrderRequest` to its signed request
//!   parameters, without the signature (target < 200 ns), and with it;
//! - `part/*`: pieces of the kline decode (instrument id, one decimal, the
//!   kline data without the envelope) and, for reference, serde_json merely
//!   skipping over the same kline data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::dec;
use smc_model::Timestamp;
use smc_model::{ClientOrderId, InstrumentId, OrderKind, OrderRequest, Side, TimeInForce};
use smc_venues::binance::market_parse::parse_market;
use smc_venues::binance::order_wire::encode_order;
use smc_venues::binance::{BinanceMarket, BinanceRest, Credentials};
use smc_venues::net::{HmacSha256Signer, RequestSigner, Secret};
use std::hint::black_box;

const KLINE: &str = r#"{"stream":"nknusdt@kline_1m","data":{"e":"kline","E":1633998523963,"s":"NKNUSDT","k":{"t":1633998480000,"T":1633998539999,"s":"NKNUSDT","i":"1m","f":19862761,"L":19862790,"o":"0.35270000","c":"0.35280000","h":"0.35280000","l":"0.35220000","v":"25877.00000000","n":30,"x":false,"q":"9116.04600000","V":"58.00000000","Q":"20.46240000","B":"0"}}}"#;
const AGG: &str = r#"{"stream":"ethusdt@aggTrade","data":{"e":"aggTrade","E":1675759520848,"s":"ETHUSDT","a":226532,"p":"1632.46000000","q":"0.34305000","f":228423,"l":228423,"T":1675759520847,"m":false,"M":true}}"#;
const TRADE: &str = r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161253000,"s":"BTCUSDT","t":3739842323,"p":"61230.01000000","q":"0.00082000","T":1723161252999,"m":true,"M":true}}"#;
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn decode(c: &mut Criterion) {
    for (name, frame) in [("kline", KLINE), ("agg_trade", AGG), ("trade", TRADE)] {
        assert!(parse_market("binance", frame).unwrap().is_some());
        c.bench_function(&format!("decode/{name}"), |b| {
            b.iter(|| parse_market(black_box("binance"), black_box(frame)))
        });
    }
}

fn parts(c: &mut Criterion) {
    c.bench_function("part/instrument_id", |b| {
        b.iter(|| InstrumentId::new(black_box("binance"), black_box("NKNUSDT")))
    });
    c.bench_function("part/decimal", |b| {
        b.iter(|| smc_venues::binance::parse_util::dec("k", "o", black_box("25877.00000000")))
    });
    let v: serde_json::Value = serde_json::from_str(KLINE).unwrap();
    let data = v["data"].to_string();
    c.bench_function("part/parse_kline_data", |b| {
        b.iter(|| smc_venues::binance::market_parse::parse_kline("binance", black_box(&data)))
    });
    c.bench_function("part/serde_value_kline", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(&data)))
    });
}

fn sign(c: &mut Criterion) {
    let signer = HmacSha256Signer::new(&Secret::new(SECRET));
    let payload = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0123&price=50000.1&newClientOrderId=smc-1700000000000-1&newOrderRespType=FULL&recvWindow=5000&timestamp=1700000000123";
    let mut out = String::with_capacity(64);
    c.bench_function("sign/hmac_sha256_order", |b| {
        b.iter(|| {
            out.clear();
            signer.sign_into(black_box(payload.as_bytes()), &mut out);
        })
    });
}

fn order_to_wire(c: &mut Criterion) {
    let order = OrderRequest {
        client_id: ClientOrderId::from_decision("smc", Timestamp::from_ms(1_700_000_000_000), 1),
        instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
        side: Side::Buy,
        qty: dec!(0.0123),
        kind: OrderKind::Limit {
            price: dec!(50000.1),
        },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    let mut buf = String::with_capacity(320);
    c.bench_function("order_to_wire/params", |b| {
        b.iter(|| {
            buf.clear();
            encode_order(BinanceMarket::Spot, black_box(&order), &mut buf).unwrap();
        })
    });
    let rest = BinanceRest::new(
        BinanceMarket::Spot,
        "http://127.0.0.1:9",
        Some(Credentials {
            api_key: "k".into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    c.bench_function("order_to_wire/params_signed", |b| {
        b.iter(|| {
            buf.clear();
            encode_order(BinanceMarket::Spot, black_box(&order), &mut buf).unwrap();
            rest.sign_params(&mut buf, black_box(1_700_000_000_123))
                .unwrap();
        })
    });
}

criterion_group!(benches, decode, parts, sign, order_to_wire);
criterion_main!(benches);
