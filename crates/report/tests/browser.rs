//! The detection chart in a real browser: headless Chromium loads generated
//! pages offline, with `#selftest` (see `assets/chart/selftest.js`) so the
//! page drives its own gestures on every timeframe, and the test reads what
//! the page recorded from the dumped DOM. Also leaves screenshots to look
//! at under `target/tmp/browser/`. Skipped, with a notice, when no Chromium
//! is installed (`SMC_CHROMIUM` may name the binary).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod fixture;

use serde_json::Value;
use smc_analysis::{Bar, DetectorConfig, detect};
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use smc_report::write_detect_chart;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SMC_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs Chromium on `url` with `extra` flags, offline, killing it after a
/// minute; returns its standard output.
fn run_chromium(chrome: &Path, url: &str, extra: &[&str]) -> String {
    let profile = tempdir("profile");
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // Any network request would fail: the page must not need one.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium timed out on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().unwrap()
}

fn tempdir(name: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let k = COUNT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("smc-report-{name}-{}-{k}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The attribute `name` of the dumped `<body>`.
fn body_attr(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("<body")?;
    let tag = &dom[start..start + dom[start..].find('>')?];
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// The self-test's JSON report from the dumped DOM.
fn selftest(dom: &str) -> Value {
    // The last match: the script quotes the element in a comment.
    let start = dom
        .rfind("<pre id=\"selftest\"")
        .expect("the self-test ran");
    let start = start + dom[start..].find('>').unwrap() + 1;
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap()
}

fn write_page(
    name: &str,
    title: &str,
    series: &[(Timeframe, Vec<Bar>)],
    events: &[smc_analysis::SmcEvent],
) -> PathBuf {
    let path = out_dir().join(format!("{name}.html"));
    let file = std::fs::File::create(&path).unwrap();
    write_detect_chart(file, title, series, events).unwrap();
    path
}

/// Loads `page` with #selftest and checks everything the page reports.
/// Returns the report for further checks.
fn check_page(chrome: &Path, page: &Path, timeframes: &[&str]) -> Value {
    check_page_at(chrome, page, "selftest", timeframes)
}

/// [`check_page`] with the URL fragment `fragment` (which must ask for the
/// self-test).
fn check_page_at(chrome: &Path, page: &Path, fragment: &str, timeframes: &[&str]) -> Value {
    let url = format!("file://{}#{fragment}", page.display());
    let dom = run_chromium(chrome, &url, &["--window-size=1400,800", "--dump-dom"]);
    assert_eq!(
        body_attr(&dom, "data-ready").as_deref(),
        Some("1"),
        "the script finished on {}",
        page.display()
    );
    assert_eq!(
        body_attr(&dom, "data-errors").as_deref(),
        Some("0"),
        "no script errors on {}",
        page.display()
    );
    assert_eq!(
        timeframe_buttons(&dom),
        timeframes.len(),
        "one button per timeframe"
    );
    let report = selftest(&dom);
    assert_eq!(report["errors"], 0);
    let frames = report["frames"].as_array().unwrap();
    assert_eq!(
        frames
            .iter()
            .map(|f| f["timeframe"].as_str().unwrap())
            .collect::<Vec<_>>(),
        timeframes
    );
    for f in frames {
        let tf = f["timeframe"].as_str().unwrap();
        let bars = f["bars"].as_u64().unwrap();
        assert!(
            f["latest"]["candles"].as_u64().unwrap() >= bars.min(100),
            "{tf}: latest bars drawn: {f}"
        );
        assert_eq!(
            f["all"]["candles"].as_u64().unwrap(),
            bars,
            "{tf}: zoomed out, every bar is drawn"
        );
        if f["events"].as_u64().unwrap() > 0 {
            let drawn = &f["all"];
            let total = ["zones", "segments", "markers"]
                .iter()
                .map(|k| drawn[k].as_u64().unwrap())
                .sum::<u64>();
            assert!(total > 0, "{tf}: objects drawn: {f}");
        }
        for check in [
            "wheelZooms",
            "dragPans",
            "pinchZooms",
            "priceAxisScales",
            "doubleClickAutoFits",
            "crosshair",
        ] {
            assert_eq!(f[check], true, "{tf}: {check}: {f}");
        }
        let readout = f["readout"].as_str().unwrap();
        assert!(
            readout.starts_with(tf) && readout.contains("O ") && readout.contains("C "),
            "{tf}: readout {readout:?}"
        );
    }
    report
}

fn timeframe_buttons(dom: &str) -> usize {
    let start = dom.find("id=\"timeframes\"").unwrap();
    let end = start + dom[start..].find("</nav>").unwrap();
    dom[start..end].matches("<button").count()
}

fn screenshot(chrome: &Path, page: &Path, name: &str, size: &str, extra: &[&str]) -> PathBuf {
    let png = out_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let mut flags = vec![
        format!("--window-size={size}"),
        format!("--screenshot={}", png.display()),
    ];
    flags.extend(extra.iter().map(|s| s.to_string()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    run_chromium(chrome, &format!("file://{}", page.display()), &flags);
    assert!(
        std::fs::metadata(&png)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot {}",
        png.display()
    );
    println!("screenshot: {}", png.display());
    png
}

#[test]
fn synthetic_market_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("browser test skipped: no chromium on PATH (set SMC_CHROMIUM to its path)");
        return;
    };
    let (series, events) = common::market(3 * 1440, 7);
    let page = write_page(
        "synthetic",
        "SYNTH/USDT — synthetic random walk",
        &series,
        &events,
    );
    check_page(&chrome, &page, &["1m", "5m", "1h", "1d"]);
    screenshot(&chrome, &page, "synthetic-1m", "1400,800", &[]);
    let hover = out_dir().join("synthetic.html#tf=5m&mouse=700,330");
    screenshot(&chrome, &hover, "synthetic-5m-crosshair", "1400,800", &[]);
}

#[test]
fn real_candles_and_detections_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("browser test skipped: no chromium on PATH (set SMC_CHROMIUM to its path)");
        return;
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let tfs = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];
    let d = detect(&candles, Timeframe::M1, &tfs, &DetectorConfig::default()).unwrap();
    let page = write_page(
        "binance-btcusdt",
        "BTCUSDT perpetual — Binance USDS-M",
        &d.bars,
        &d.events,
    );
    check_page(&chrome, &page, &["1m", "5m", "1h", "1d"]);
    screenshot(&chrome, &page, "binance-1m", "1400,800", &[]);
    let url_5m = out_dir().join("binance-btcusdt.html#tf=5m");
    screenshot(
        &chrome,
        &url_5m,
        "binance-5m-hidpi",
        "1000,600",
        &["--force-device-scale-factor=2"],
    );
    screenshot(
        &chrome,
        &page,
        "binance-mobile",
        "390,760",
        &["--force-device-scale-factor=2"],
    );
}

/// Kinds and fields added after this page was written reach it and are
/// drawn as generic objects instead of breaking the script.
#[test]
fn unknown_kinds_and_fields_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("browser test skipped: no chromium on PATH (set SMC_CHROMIUM to its path)");
        return;
    };
    let (series, events) = common::market(600, 3);
    let page = write_page("unknown-kinds", "unknown kinds", &series[..2], &events);
    let html = std::fs::read_to_string(&page).unwrap();
    let extra = r#"{"timeframe":"1m","kind":"order_flow","event":"formed","direction":1,"time":1709251800000,"known_at":1709251860000,"top":30100.5,"bottom":30050.5,"id":9,"new_field":[1,2]},{"timeframe":"1m","kind":"session_open","event":"formed","direction":-1,"time":1709252400000,"known_at":1709252460000,"id":10},{"timeframe":"1m","kind":"ob","event":"retested","direction":1,"time":1709252400000,"known_at":1709252460000,"id":424242,"top":1,"bottom":0},"#;
    let html = html.replacen("\"events\":[", &format!("\"events\":[{extra}"), 1);
    std::fs::write(&page, html).unwrap();
    let report = check_page(&chrome, &page, &["1m", "5m"]);
    let dom = run_chromium(
        &chrome,
        &format!("file://{}", page.display()),
        &["--window-size=1200,700", "--dump-dom"],
    );
    for label in ["Order flow", "Session open"] {
        assert!(dom.contains(label), "a legend toggle for {label}");
    }
    assert!(report["frames"][0]["objects"]["zones"].as_u64().unwrap() > 0);
}

/// ~100k candles on the base timeframe: the page must load and draw every
/// bar (merged per pixel column) fast enough to pan smoothly.
#[test]
fn hundred_thousand_candles_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("browser test skipped: no chromium on PATH (set SMC_CHROMIUM to its path)");
        return;
    };
    let (series, events) = common::market(100_000, 11);
    let page = write_page("large", "100k candles", &series, &events);
    let size = std::fs::metadata(&page).unwrap().len();
    println!(
        "100k-candle page: {:.1} MB, {} events",
        size as f64 / 1e6,
        events.len()
    );
    let report = check_page(&chrome, &page, &["1m", "5m", "1h", "1d"]);
    let f = &report["frames"][0];
    assert_eq!(f["bars"], 100_000);
    assert_eq!(f["all"]["decimated"], true);
    let (latest, all) = (
        f["latest"]["ms"].as_f64().unwrap(),
        f["all"]["ms"].as_f64().unwrap(),
    );
    println!("1m draw: latest bars {latest:.1} ms, all 100k bars {all:.1} ms");
    // Generous for a shared CI machine without a GPU; typically ~10x less.
    assert!(
        latest < 100.0 && all < 400.0,
        "draw times {latest} / {all} ms"
    );
    screenshot(&chrome, &page, "large-1m", "1400,800", &[]);
    let all = out_dir().join("large.html#bars=all");
    screenshot(&chrome, &all, "large-1m-all", "1400,800", &[]);
}

#[test]
fn backtest_report_in_chromium() {
    let Some(chrome) = chromium() else {
        println!("browser test skipped: no chromium on PATH (set SMC_CHROMIUM to its path)");
        return;
    };
    let fx = fixture::Fixture::new(3 * 1440, 21);
    let page = out_dir().join("backtest.html");
    fx.write(std::fs::File::create(&page).unwrap());
    // The performance tab opens first: the equity curve and its breaker line.
    let url = format!("file://{}", page.display());
    let dom = run_chromium(&chrome, &url, &["--window-size=1400,900", "--dump-dom"]);
    assert_eq!(body_attr(&dom, "data-errors").as_deref(), Some("0"));
    assert_eq!(body_attr(&dom, "data-tab").as_deref(), Some("performance"));
    let buckets = smc_report::backtest_report::equity_buckets(
        &fx.equity,
        smc_report::backtest_report::EQUITY_POINTS,
    );
    assert_eq!(
        body_attr(&dom, "data-equity-points"),
        Some(buckets.t.len().to_string())
    );
    assert_eq!(body_attr(&dom, "data-equity-markers").as_deref(), Some("1"));
    // The chart tab: the detection chart's own self-test, with the fills on it.
    let report = check_page_at(&chrome, &page, "tab=chart&selftest", &["5m", "1h"]);
    let fills = fx.trades.len() * 2 - 1;
    for f in report["frames"].as_array().unwrap() {
        assert!(
            f["objects"]["markers"].as_u64().unwrap() >= fills as u64,
            "{}: trade markers built: {f}",
            f["timeframe"]
        );
    }
    screenshot(&chrome, &page, "backtest-performance", "1400,900", &[]);
}
