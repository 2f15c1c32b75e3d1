//! The backtest report of `smc backtest --report FILE`: one offline HTML
//! file with three tabs. *Performance*: the run's facts (strategy, data,
//! fill rule and the other venue models), the equity curve with the
//! drawdown under it and circuit-breaker trips as lines, the metrics,
//! monthly returns, per-setup results and why entry candles placed no
//! order (per month and reason). *Chart*: the detection chart
//! (candles, SMC zones, structure, liquidity; pan and zoom) with every
//! entry and exit at its fill price. *Trades*: the round trips and every
//! risk decision.
//!
//! Data layout (the `#data` JSON): the detection chart's `{title, frames,
//! unplaced_events}` — each frame's events are the SMC events plus trade
//! markers (`kind` `entry` / `exit`) — and `equity: {t, lo, hi, last, dd}`,
//! the curve reduced to at most [`EQUITY_POINTS`] buckets (each keeps its
//! lowest, highest and last equity and its deepest drawdown, so extremes
//! survive the reduction), and `markers` (breaker events).

use crate::detect_chart::{self, ChartFrame};
use crate::no_trade::NoTradeMonth;
use crate::page::{Page, escape_html};
use crate::tables::{self, RiskNote, TimeMarker};
use rust_decimal::Decimal;
use serde::Serialize;
use smc_analysis::{Bar, SmcEvent};
use smc_analytics::Analysis;
use smc_model::Timestamp;
use smc_model::{RoundTrip, Timeframe, TradeSide, num::to_f64};
use std::io::{self, Write};

/// Buckets of the equity chart: more than any screen has pixel columns.
pub const EQUITY_POINTS: usize = 4_000;

/// Candles per timeframe kept on the chart (the latest ones); a longer
/// series would make a page of hundreds of MB.
pub const MAX_CHART_BARS: usize = 200_000;

const STYLE: &str = include_str!("../assets/backtest_report.css");
/// Runs first: shows the tab the URL asks for before the chart draws.
const TABS_SCRIPT: &str = include_str!("../assets/backtest_tabs.js");
/// Runs last: the equity curve, using the chart's helpers and data.
const EQUITY_SCRIPT: &str = include_str!("../assets/backtest_report.js");

/// Everything the report shows.
pub struct BacktestPage<'a> {
    pub title: &'a str,
    /// The run's facts, in order (strategy, input, period, models, cash, …).
    pub facts: &'a [(String, String)],
    pub analysis: &'a Analysis,
    /// Closed round trips, then open ones.
    pub trades: &'a [RoundTrip],
    /// Equity at each bar's close.
    pub equity: &'a [(Timestamp, Decimal)],
    /// Candles of each timeframe of the run and the SMC events on them.
    pub series: &'a [(Timeframe, Vec<Bar>)],
    pub events: &'a [SmcEvent],
    pub decisions: &'a [RiskNote],
    pub markers: &'a [TimeMarker],
    /// Entry candles without an order, per month and reason.
    pub no_trade: &'a [NoTradeMonth],
    /// The random-entry test, when it ran.
    pub significance: Option<&'a smc_analytics::significance::Significance>,
}

/// The equity curve reduced to buckets.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct EquityBuckets {
    /// Time of each bucket's first point.
    pub t: Vec<i64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub last: Vec<f64>,
    /// Deepest drawdown from the running peak in the bucket, as a fraction.
    pub dd: Vec<f64>,
}

/// Buckets of consecutive points, at most `buckets` of them.
pub fn equity_buckets(equity: &[(Timestamp, Decimal)], buckets: usize) -> EquityBuckets {
    let mut out = EquityBuckets::default();
    if equity.is_empty() || buckets == 0 {
        return out;
    }
    let per = equity.len().div_ceil(buckets);
    let mut peak = f64::NEG_INFINITY;
    for chunk in equity.chunks(per) {
        let (mut lo, mut hi, mut dd) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for &(_, e) in chunk {
            let e = to_f64(e);
            lo = lo.min(e);
            hi = hi.max(e);
            peak = peak.max(e);
            if peak > 0.0 {
                dd = dd.max((peak - e) / peak);
            }
        }
        out.t.push((chunk[0].0).ms());
        out.lo.push(lo);
        out.hi.push(hi);
        out.last.push(chunk.last().map_or(0.0, |&(_, e)| to_f64(e)));
        out.dd.push(dd);
    }
    out
}

/// A trade's entry or exit on the chart, shaped like an SMC event so the
/// chart places it the same way.
#[derive(Serialize)]
struct TradeMarker {
    kind: &'static str,
    event: &'static str,
    id: usize,
    direction: i8,
    time: i64,
    known_at: i64,
    level: f64,
    note: String,
}

fn trade_markers(trades: &[RoundTrip]) -> Vec<TradeMarker> {
    let mut out = Vec::with_capacity(trades.len() * 2);
    for (k, t) in trades.iter().enumerate() {
        let direction = if t.side == TradeSide::Long { 1 } else { -1 };
        out.push(TradeMarker {
            kind: "entry",
            event: "formed",
            id: k,
            direction,
            time: t.entry_time.ms(),
            known_at: t.entry_time.ms(),
            level: to_f64(t.entry_price),
            note: format!(
                "trade {} · size {} · {}",
                k + 1,
                t.size.normalize(),
                t.setup_label()
            ),
        });
        if let (Some(time), Some(price)) = (t.exit_time, t.exit_price) {
            out.push(TradeMarker {
                kind: "exit",
                event: "formed",
                id: k,
                direction,
                time: time.ms(),
                known_at: time.ms(),
                level: to_f64(price),
                note: format!(
                    "trade {} · P&L {}",
                    k + 1,
                    tables::signed(t.pnl.round_dp(2))
                ),
            });
        }
    }
    out
}

/// One event on the chart: a detection or a trade marker.
#[derive(Serialize)]
#[serde(untagged)]
enum ChartEvent<'a> {
    Smc(&'a SmcEvent),
    Trade(&'a TradeMarker),
}

#[derive(Serialize)]
struct ReportData<'a> {
    title: &'a str,
    frames: Vec<ChartFrame<'a, ChartEvent<'a>>>,
    unplaced_events: usize,
    equity: EquityBuckets,
    markers: &'a [TimeMarker],
}

/// Writes the report page.
pub fn write_backtest_report<W: Write>(out: W, page: &BacktestPage<'_>) -> io::Result<()> {
    let markers = trade_markers(page.trades);
    let frames = page
        .series
        .iter()
        .map(|(tf, bars)| {
            let bars = &bars[bars.len().saturating_sub(MAX_CHART_BARS)..];
            let from = bars.first().map_or(i64::MIN, |b| b.open_time);
            let events = page
                .events
                .iter()
                .filter(|e| e.timeframe == *tf && e.known_at >= from)
                .map(ChartEvent::Smc)
                .chain(
                    markers
                        .iter()
                        .filter(|m| m.time >= from)
                        .map(ChartEvent::Trade),
                )
                .collect();
            ChartFrame::new(*tf, bars, events)
        })
        .collect();
    let data = ReportData {
        title: page.title,
        frames,
        unplaced_events: 0,
        equity: equity_buckets(page.equity, EQUITY_POINTS),
        markers: page.markers,
    };
    let body = body(page);
    let styles = [detect_chart::STYLE, STYLE];
    let mut scripts = vec![TABS_SCRIPT];
    scripts.extend(detect_chart::SCRIPTS);
    scripts.push(EQUITY_SCRIPT);
    Page {
        title: page.title,
        styles: &styles,
        body: &body,
        scripts: &scripts,
    }
    .write(out, &data)
}

/// The page's markup: tabs, the three panels and their tables.
fn body(page: &BacktestPage<'_>) -> String {
    let a = page.analysis;
    let performance = [
        tables::key_values("Run", page.facts),
        tables::metrics_table(&a.metrics),
        crate::significance::significance_table(page.significance),
        tables::monthly_table(&a.monthly_returns),
        tables::setups_table(&a.setups),
        crate::no_trade::no_trade_table(page.no_trade),
    ]
    .concat();
    let trades = [
        tables::trades_table(page.trades),
        tables::decisions_table(page.decisions),
        tables::markers_table(page.markers),
    ]
    .concat();
    format!(
        "<header class=\"topbar\">\n<h1 title=\"{t}\">{t}</h1>\n\
         <nav id=\"tabs\" aria-label=\"Report sections\">\
         <button data-tab=\"performance\">Performance</button>\
         <button data-tab=\"chart\">Chart</button>\
         <button data-tab=\"trades\">Trades</button></nav>\n\
         <nav id=\"timeframes\" aria-label=\"Timeframe\"></nav>\n<span id=\"stats\"></span>\n</header>\n\
         <section id=\"performance\" class=\"panel\">\n\
         <div class=\"curves\"><canvas id=\"equity\" role=\"img\" aria-label=\"Equity and drawdown\"></canvas>\
         <div id=\"equity-readout\"></div></div>\n\
         <div class=\"tables\">{performance}</div>\n</section>\n\
         <section id=\"chart-panel\" class=\"panel\" hidden>\n\
         <div id=\"legend\" role=\"group\" aria-label=\"Layers\"></div>\n\
         <main id=\"stage\">\n<canvas id=\"chart\" role=\"img\" aria-label=\"Candlestick chart with SMC detections and trades\"></canvas>\n\
         <div id=\"readout\"><div id=\"ohlc\"></div><div id=\"hover\"></div></div>\n\
         <div id=\"message\" hidden></div>\n</main>\n\
         <footer id=\"help\">Drag to pan · wheel or pinch to zoom · ◆ entries (L long, S short), × exits, at their fill prices · \
         zones are filled until first touched, dotted after · times in UTC</footer>\n</section>\n\
         <section id=\"trades-panel\" class=\"panel\" hidden>\n<div class=\"tables\">{trades}</div>\n</section>\n\
         <noscript>The charts are drawn by JavaScript; the tables above read without it.</noscript>",
        t = escape_html(page.title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::InstrumentIndex;

    #[test]
    fn buckets_keep_the_extremes_and_the_drawdown() {
        let equity: Vec<(Timestamp, Decimal)> = [100, 120, 90, 110, 60, 130, 125]
            .iter()
            .enumerate()
            .map(|(k, &e)| (Timestamp::from_ms(k as i64 * 1000), Decimal::from(e)))
            .collect();
        let b = equity_buckets(&equity, 3);
        assert_eq!(b.t, vec![0, 3000, 6000]);
        assert_eq!(b.lo, vec![90.0, 60.0, 125.0]);
        assert_eq!(b.hi, vec![120.0, 130.0, 125.0]);
        assert_eq!(b.last, vec![90.0, 130.0, 125.0]);
        // Peak 120: 90 is −25 %, 60 is −50 %; then peak 130 and 125 is −3.85 %.
        assert_eq!(b.dd[0], 0.25);
        assert_eq!(b.dd[1], 0.5);
        assert!((b.dd[2] - 5.0 / 130.0).abs() < 1e-12);
    }

    #[test]
    fn fewer_points_than_buckets_keeps_every_point() {
        let equity = [
            (Timestamp::from_ms(0), dec!(1)),
            (Timestamp::from_ms(1), dec!(2)),
        ];
        let b = equity_buckets(&equity, 4_000);
        assert_eq!(b.t.len(), 2);
        assert_eq!(equity_buckets(&[], 10), EquityBuckets::default());
    }

    #[test]
    fn open_trades_have_an_entry_marker_only() {
        let trade = RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(5),
            exit_time: None,
            entry_price: dec!(10),
            exit_price: None,
            size: dec!(1),
            side: TradeSide::Short,
            pnl: dec!(0),
            fees: dec!(0),
            setup: smc_model::Setup::from_label("fvg_retest:1m"),
        };
        let markers = trade_markers(&[trade]);
        assert_eq!(markers.len(), 1);
        assert_eq!((markers[0].kind, markers[0].direction), ("entry", -1));
    }
}
