//! The backtest report as a file: the tables carry every metric and trade,
//! the chart data carries the candles, the SMC events and one marker per
//! fill, the equity curve is reduced without losing its extremes, and user
//! text cannot break out of its element. (tests/browser.rs runs the page.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod fixture;

use fixture::Fixture;
use serde_json::Value;

fn data(html: &str) -> Value {
    let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
    let text = &html[start..start + html[start..].find("</script>").unwrap()];
    serde_json::from_str(text).unwrap()
}

#[test]
fn every_trade_and_metric_is_in_the_tables() {
    let fx = Fixture::new(2 * 1440, 11);
    let html = fx.render();
    let trades = &html[html.find("id=\"trades\"").unwrap()..];
    let trades = &trades[..trades.find("</table>").unwrap()];
    assert_eq!(trades.matches("<tr>").count(), fx.trades.len() + 1);
    assert!(trades.contains(">open<"), "the open trade is listed");
    for id in ["m-sharpe", "m-max_drawdown", "m-var_99", "m-trades"] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("id=\"monthly\"") && html.contains("id=\"setups\""));
    assert!(html.contains("stop-first"), "the fill rule is stated");
    assert!(html.contains("daily_loss tripped"));
}

#[test]
fn the_chart_gets_a_marker_per_fill_on_every_frame() {
    let fx = Fixture::new(2 * 1440, 12);
    let data = data(&fx.render());
    let fills = fx.trades.len() * 2 - 1; // the last trade is still open
    for frame in data["frames"].as_array().unwrap() {
        let events = frame["events"].as_array().unwrap();
        let entries = events.iter().filter(|e| e["kind"] == "entry").count();
        let exits = events.iter().filter(|e| e["kind"] == "exit").count();
        assert_eq!(entries + exits, fills, "{}", frame["timeframe"]);
        assert!(
            events
                .iter()
                .any(|e| e["kind"] == "ob" || e["kind"] == "fvg")
        );
    }
}

#[test]
fn the_equity_curve_keeps_its_extremes() {
    let fx = Fixture::new(10 * 1440, 13);
    let data = data(&fx.render());
    let eq = &data["equity"];
    let n = eq["t"].as_array().unwrap().len();
    assert!(n <= smc_report::backtest_report::EQUITY_POINTS && n > 1000);
    let max = |k: &str| {
        eq[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let true_max = fx
        .equity
        .iter()
        .map(|e| smc_model::num::to_f64(e.1))
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(max("hi"), true_max);
    let dd = max("dd");
    let expected = fx.analysis.metrics.max_drawdown.unwrap();
    assert!((dd - expected).abs() < 1e-9, "{dd} vs {expected}");
    assert_eq!(data["markers"].as_array().unwrap().len(), 1);
}

#[test]
fn user_text_is_escaped_everywhere() {
    let mut fx = Fixture::new(1440, 14);
    fx.title = "</script><script>alert(1)</script>".into();
    fx.trades[0].setup = smc_model::Setup::from_label("<img src=x onerror=alert(1)>");
    let html = fx.render();
    assert_eq!(
        html.matches("<script").count(),
        2,
        "only the page's own scripts"
    );
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}
