//! The confluence view a strategy reads, on real Binance BTCUSDT 1m data
//! with 5m and 1h: consistent with each timeframe's own state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_analysis::{DetectorConfig, MultiTimeframe, Scope};
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use std::path::Path;

#[test]
fn the_view_matches_each_timeframes_state_at_every_hour() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let tfs = [Timeframe::M1, Timeframe::M5, Timeframe::H1];
    let mut mtf = MultiTimeframe::new(Timeframe::M1, &tfs, &DetectorConfig::default()).unwrap();
    let mut events = Vec::new();
    let (mut checked, mut nested) = (0, 0);
    for (i, c) in candles.iter().enumerate() {
        mtf.on_candle(c, &mut events);
        if i % 60 != 59 {
            continue;
        }
        let view = mtf.confluence();
        let price = view.price.unwrap();
        assert_eq!(
            view.frames.iter().map(|f| f.timeframe).collect::<Vec<_>>(),
            tfs
        );
        for frame in &view.frames {
            let a = mtf.analyzer(frame.timeframe).unwrap();
            assert_eq!(frame.trend, a.trend(Scope::Swing));
            if let Some(p) = frame.range_position {
                let r = a.range().unwrap();
                assert!((p - (price - r.bottom) / (r.top - r.bottom)).abs() < 1e-12);
            }
            assert!(frame.liquidity_above.is_none_or(|l| l > price));
            assert!(frame.liquidity_below.is_none_or(|l| l < price));
            assert!([-1, 0, 1].contains(&frame.bias()));
        }
        let m1 = view.frame(Timeframe::M1).unwrap();
        for zone in m1.active_blocks.iter().chain(&m1.active_gaps) {
            if view.inside_higher_zone(zone, Timeframe::H1) {
                nested += 1;
            }
        }
        checked += 1;
    }
    assert!(checked >= 90, "{checked} hourly checks");
    assert!(nested > 0, "some 1m zone lies inside an active 1h zone");
}
