//! The synthetic book's shape (`SimConfig::book`): the default quotes the
//! book the simulator always quoted, another shape moves the best levels
//! out and resizes every level, on both protocols' depth endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bybit_common;
mod common;

use rust_decimal::{Decimal, dec};
use serde_json::Value;
use smc_venue_sim::{BookShape, RunningSim, SimConfig, SimError};
use std::str::FromStr;

/// Best level and the next one of each side, as (price, qty).
#[derive(Debug, PartialEq, Eq)]
struct Top {
    step: usize,
    bids: [(Decimal, Decimal); 2],
    asks: [(Decimal, Decimal); 2],
}

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

fn two(side: &Value) -> [(Decimal, Decimal); 2] {
    let l = |i: usize| (d(&side[i][0]), d(&side[i][1]));
    [l(0), l(1)]
}

/// What the book of BTCUSDT at `step` must be under `spread` ticks and
/// `qty_of(volume)`, worked out here from the series, not by the
/// simulator's code.
fn expected(
    sim: &RunningSim,
    step: usize,
    spread: u32,
    qty_of: impl Fn(Decimal) -> Decimal,
) -> Top {
    let market = &sim.shared.market;
    let s = &market.series[market.find("BTCUSDT").unwrap()];
    let c = s.candle(step);
    let (tick, lot) = (s.rules.tick, s.rules.lot);
    let qty = ((qty_of(c.volume) / lot).floor() * lot).max(lot);
    let n = Decimal::from(spread);
    let bid = c.close - tick * n;
    let ask = c.close + tick * (n + Decimal::ONE);
    Top {
        step,
        bids: [(bid, qty), (bid - tick, qty)],
        asks: [(ask, qty), (ask + tick, qty)],
    }
}

async fn binance_tops(sim: &common::Sim) -> Vec<Top> {
    let mut out = Vec::new();
    for path in ["/api/v3/depth", "/fapi/v1/depth"] {
        let r = sim.public(path, "symbol=BTCUSDT&limit=5").await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        out.push(Top {
            step: r.body["lastUpdateId"].as_u64().unwrap() as usize,
            bids: two(&r.body["bids"]),
            asks: two(&r.body["asks"]),
        });
    }
    out
}

async fn bybit_tops(sim: &RunningSim) -> Vec<Top> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for category in ["spot", "linear"] {
        let url = format!(
            "{}/v5/market/orderbook?category={category}&symbol=BTCUSDT&limit=5",
            sim.base_url()
        );
        let body: Value = http.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["retCode"], 0, "{category}: {body}");
        let r = &body["result"];
        out.push(Top {
            step: r["u"].as_u64().unwrap() as usize,
            bids: two(&r["b"]),
            asks: two(&r["a"]),
        });
    }
    out
}

const WIDE: BookShape = BookShape {
    spread_ticks: 3,
    level_share: dec!(0.05),
};

#[tokio::test]
async fn binance_depth_follows_the_shape() {
    let plain = common::start(common::config()).await;
    let wide = common::start(SimConfig {
        book: WIDE,
        ..common::config()
    })
    .await;
    // The default is the book quoted before shapes existed: best bid at
    // the close, best ask one tick up, 1/100 of the volume per level.
    for top in binance_tops(&plain).await {
        let want = expected(&plain.sim, top.step, 0, |v| v / dec!(100));
        assert_eq!(top, want);
    }
    for top in binance_tops(&wide).await {
        let want = expected(&wide.sim, top.step, 3, |v| v * dec!(0.05));
        assert_eq!(top, want);
        // Seven ticks between the sides instead of one.
        let tick = wide.sim.shared.market.series[0].rules.tick;
        assert_eq!(top.asks[0].0 - top.bids[0].0, tick * dec!(7));
    }
}

#[tokio::test]
async fn bybit_orderbook_follows_the_shape() {
    let plain = smc_venue_sim::start(bybit_common::config(1.0))
        .await
        .unwrap();
    let wide = smc_venue_sim::start(SimConfig {
        book: WIDE,
        ..bybit_common::config(1.0)
    })
    .await
    .unwrap();
    for top in bybit_tops(&plain).await {
        assert_eq!(top, expected(&plain, top.step, 0, |v| v / dec!(100)));
    }
    for top in bybit_tops(&wide).await {
        assert_eq!(top, expected(&wide, top.step, 3, |v| v * dec!(0.05)));
    }
}

#[tokio::test]
async fn a_level_share_outside_zero_to_one_is_refused() {
    for share in [dec!(0), dec!(-0.1), dec!(1.01)] {
        let config = SimConfig {
            book: BookShape {
                spread_ticks: 0,
                level_share: share,
            },
            ..common::config()
        };
        match smc_venue_sim::start(config).await {
            Err(e @ SimError::BookLevelShare(_)) => {
                assert!(e.to_string().contains("--book-level-share"), "{e}");
            }
            Err(e) => panic!("{share}: {e}"),
            Ok(_) => panic!("{share} was accepted"),
        }
    }
    let whole = SimConfig {
        book: BookShape {
            spread_ticks: 0,
            level_share: Decimal::ONE,
        },
        ..common::config()
    };
    assert!(smc_venue_sim::start(whole).await.is_ok());
}
