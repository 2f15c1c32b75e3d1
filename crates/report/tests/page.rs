//! The detection chart page as a file: every timeframe's bars and every
//! event embedded exactly, text escaped so nothing can break out of its
//! element, and nothing fetched from the network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;
use smc_analysis::{Bar, DetectorConfig, Kind, Lifecycle, SmcEvent, detect};
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use smc_report::write_detect_chart;
use std::path::Path;

fn render(title: &str, series: &[(Timeframe, Vec<Bar>)], events: &[SmcEvent]) -> String {
    let mut out = Vec::new();
    write_detect_chart(&mut out, title, series, events).unwrap();
    String::from_utf8(out).unwrap()
}

/// The raw text of the `#data` element, and its parsed JSON.
fn data(html: &str) -> (&str, Value) {
    let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
    let text = &html[start..start + html[start..].find("</script>").unwrap()];
    (text, serde_json::from_str(text).unwrap())
}

#[test]
fn embeds_every_bar_and_every_event_of_every_timeframe() {
    let (series, events) = common::market(2 * 1440, 5);
    let html = render("synthetic", &series, &events);
    let (_, data) = data(&html);
    let frames = data["frames"].as_array().unwrap();
    assert_eq!(frames.len(), series.len());
    for ((tf, bars), frame) in series.iter().zip(frames) {
        assert_eq!(frame["timeframe"], tf.to_string());
        assert_eq!(frame["duration_ms"], tf.duration_ms());
        let embedded = frame["bars"].as_array().unwrap();
        assert_eq!(embedded.len(), bars.len(), "{tf}");
        for (b, e) in bars.iter().zip(embedded) {
            let e: Vec<f64> = e
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            assert_eq!(
                e,
                [b.open_time as f64, b.open, b.high, b.low, b.close, b.volume]
            );
        }
        // Whole events: every field the detectors serialize reaches the page.
        let expected: Vec<Value> = events
            .iter()
            .filter(|e| e.timeframe == *tf)
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        assert!(bars.len() < 20 || !expected.is_empty(), "{tf} has events");
        assert_eq!(frame["events"].as_array().unwrap(), &expected, "{tf}");
    }
    assert_eq!(data["unplaced_events"], 0);
    // The test data really has every kind, so the page is tested on each.
    for kind in [
        Kind::SwingHigh,
        Kind::SwingLow,
        Kind::Bos,
        Kind::Choch,
        Kind::Ob,
        Kind::BreakerBlock,
        Kind::Fvg,
        Kind::InverseFvg,
        Kind::Liquidity,
        Kind::Sweep,
        Kind::PremiumDiscount,
    ] {
        assert!(events.iter().any(|e| e.kind == kind), "{kind:?}");
    }
}

#[test]
fn bars_are_compact_arrays_with_integer_times() {
    let (series, events) = common::market(60, 1);
    let html = render("t", &series[..1], &events);
    let (text, _) = data(&html);
    let first = &series[0].1[0];
    let expected = format!("\"bars\":[[{},{:?},", first.open_time, first.open);
    assert!(text.contains(&expected), "{expected} in {}", &text[..200]);
}

#[test]
fn real_candles_and_detections_are_all_embedded() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let tfs = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];
    let d = detect(&candles, Timeframe::M1, &tfs, &DetectorConfig::default()).unwrap();
    let html = render("BTCUSDT", &d.bars, &d.events);
    let (_, data) = data(&html);
    let frames = data["frames"].as_array().unwrap();
    let names: Vec<&str> = frames
        .iter()
        .map(|f| f["timeframe"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["1m", "5m", "1h", "1d"]);
    let count = |key: &str| {
        frames
            .iter()
            .map(|f| f[key].as_array().unwrap().len())
            .sum::<usize>()
    };
    assert_eq!(
        count("bars"),
        d.bars.iter().map(|(_, b)| b.len()).sum::<usize>()
    );
    assert_eq!(count("events"), d.events.len());
    assert!(d.events.len() > 100);
}

#[test]
fn text_cannot_break_out_of_its_element() {
    let (series, mut events) = common::market(60, 2);
    let evil = "</script><script>alert(1)</script><!-- & \"q\" 'a' </title>";
    events.truncate(3);
    let html = render(evil, &series[..1], &events);
    // Only our two script elements close; the title is escaped in markup.
    assert_eq!(html.matches("</script>").count(), 2);
    assert_eq!(html.matches("<script").count(), 2);
    assert!(!html.contains("<!-- &"));
    assert!(html.contains("<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;q&quot; &#39;a&#39; &lt;/title&gt;</title>"));
    let (_, data) = data(&html);
    assert_eq!(data["title"], evil, "the data keeps the exact text");
}

#[test]
fn is_self_contained() {
    let (series, events) = common::market(300, 4);
    let html = render("https://example.com/should-be-text", &series, &events);
    let lower = html.to_ascii_lowercase();
    for attr in [
        "src=", "href=", "srcset=", "@import", "url(", "<link", "<iframe", "<img",
    ] {
        assert!(
            !lower.contains(attr),
            "{attr} found: the page must need nothing else"
        );
    }
    // The code: the style sheets and the page script (the title, in the
    // markup and the data, is only text).
    let between = |open: &str, close: &str| {
        let start = html.rfind(open).unwrap() + open.len();
        html[start..start + html[start..].find(close).unwrap()].to_ascii_lowercase()
    };
    let code = between("<style>", "</style>") + &between("<script>", "</script>");
    assert!(code.len() > 10_000, "found the code");
    for api in [
        "fetch(",
        "xmlhttprequest",
        "websocket",
        "import(",
        "sendbeacon",
        "eventsource",
        "http://",
        "https://",
    ] {
        assert!(!code.contains(api), "{api} in the page's code");
    }
}

#[test]
fn events_of_timeframes_without_candles_are_counted_not_placed() {
    let (series, events) = common::market(600, 6);
    let html = render("subset", &series[..2], &events);
    let (_, data) = data(&html);
    let placed: usize = data["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["events"].as_array().unwrap().len())
        .sum();
    let unplaced = events
        .iter()
        .filter(|e| e.timeframe != Timeframe::M1 && e.timeframe != Timeframe::M5)
        .count();
    assert!(unplaced > 0);
    assert_eq!(placed + unplaced, events.len());
    assert_eq!(data["unplaced_events"], unplaced);
}

#[test]
fn empty_and_odd_inputs_still_make_a_page() {
    let html = render("", &[], &[]);
    assert_eq!(data(&html).1["frames"], serde_json::json!([]));
    assert!(html.ends_with("</html>\n"));

    // A NaN price cannot be JSON: it arrives as null (the script skips it).
    let mut bars = common::random_walk(10, 0, 9);
    bars[3].high = f64::NAN;
    let event = SmcEvent::new(Timeframe::M1, Kind::Fvg, Lifecycle::Formed, 1, 0, 60_000)
        .zone(f64::INFINITY, 1.0);
    let html = render("nan", &[(Timeframe::M1, bars)], &[event]);
    let (_, data) = data(&html);
    assert_eq!(data["frames"][0]["bars"][3][2], Value::Null);
    assert_eq!(data["frames"][0]["events"][0]["top"], Value::Null);
}
