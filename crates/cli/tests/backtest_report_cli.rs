//! `smc backtest --report FILE`, run as a process on the bundled example
//! config: the HTML report holds the run's facts, every metric, one table
//! row per trade of the JSON results and the chart data with the fills,
//! and the summary table on stdout carries the main metrics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn the_report_shows_every_trade_of_the_json_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("smc-bt-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (html, json) = (dir.join("report.html"), dir.join("results.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_smc"))
        .current_dir(&root)
        .args(["backtest", "--config", "config.example.yaml"])
        .arg("--report")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for row in [
        "Sharpe",
        "max drawdown",
        "win rate",
        "profit factor",
        "fill rule",
    ] {
        assert!(stdout.contains(row), "summary row {row}: {stdout}");
    }
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let trades = results["trades"].as_array().unwrap();
    assert!(!trades.is_empty(), "the example trades");
    // The example's backtest.instrument: ETHUSDT spot rules (tick 0.01, lot 0.0001).
    for t in trades {
        let size: rust_decimal::Decimal = t["size"].as_str().unwrap().parse().unwrap();
        let entry: rust_decimal::Decimal = t["entry_price"].as_str().unwrap().parse().unwrap();
        assert!(
            (size / rust_decimal::Decimal::new(1, 4)).fract().is_zero(),
            "lot: {t}"
        );
        assert!(
            (entry / rust_decimal::Decimal::new(1, 2)).fract().is_zero(),
            "tick: {t}"
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let table = &page[page.find("id=\"trades\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), trades.len() + 1);
    assert!(page.contains("stop-first"), "the fill rule is stated");
    assert!(page.contains("id=\"m-sharpe\"") && page.contains("id=\"decisions\""));
    // The chart data: the entry timeframe and the smc bias timeframe, each
    // with one entry marker per trade.
    let start = page.find("id=\"data\">").unwrap() + "id=\"data\">".len();
    let data: serde_json::Value =
        serde_json::from_str(&page[start..start + page[start..].find("</script>").unwrap()])
            .unwrap();
    let frames = data["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 2, "entry and bias timeframes");
    for f in frames {
        let entries = f["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "entry")
            .count();
        assert_eq!(entries, trades.len(), "{}", f["timeframe"]);
    }
    // The example's daily-loss breaker trips: the JSON lists each trip, the
    // report draws it, and entries decided while it is tripped are refused.
    let breakers = results["breaker_events"].as_array().unwrap();
    let trips: Vec<_> = breakers
        .iter()
        .filter(|e| e["type"] == "breaker_tripped")
        .collect();
    assert!(!trips.is_empty(), "{breakers:?}");
    assert!(trips.iter().all(|t| t["breaker"] == "daily_loss"));
    assert!(page.contains("daily_loss tripped"));
    let refused: Vec<_> = results["risk_decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["decision"] == "refused")
        .collect();
    assert!(
        refused.iter().any(|d| d["reason"]
            .as_str()
            .unwrap()
            .contains("circuit breaker daily_loss tripped")),
        "{refused:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
