//! The detection chart page: self-contained, with every timeframe's bars and
//! events embedded and nothing fetched from the network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_analysis::{DetectorConfig, detect};
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use smc_report::write_detect_chart;
use std::path::Path;

fn page() -> (String, usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/bybit-spot/BTCUSDT-1m.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let tfs = [Timeframe::M1, Timeframe::M15, Timeframe::H1];
    let d = detect(&candles, Timeframe::M1, &tfs, &DetectorConfig::default()).unwrap();
    let mut out = Vec::new();
    write_detect_chart(&mut out, "BTC <test> & co", &d.bars, &d.events).unwrap();
    (
        String::from_utf8(out).unwrap(),
        d.events.len(),
        d.bars.iter().map(|(_, b)| b.len()).sum(),
    )
}

#[test]
fn embeds_every_bar_and_event() {
    let (html, events, bars) = page();
    let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let frames = data["frames"].as_array().unwrap();
    assert_eq!(
        frames
            .iter()
            .map(|f| f["timeframe"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["1m", "15m", "1h"]
    );
    let n_bars: usize = frames
        .iter()
        .map(|f| f["bars"].as_array().unwrap().len())
        .sum();
    let n_events: usize = frames
        .iter()
        .map(|f| f["events"].as_array().unwrap().len())
        .sum();
    assert_eq!((n_bars, n_events), (bars, events));
    assert!(events > 100);
}

#[test]
fn is_self_contained_and_escaped() {
    let (html, _, _) = page();
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no network resources"
    );
    assert!(html.contains("<title>BTC &lt;test&gt; &amp; co</title>"));
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "the data cannot close its script element"
    );
}
