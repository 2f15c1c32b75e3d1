//! The detection chart of `smc detect --format html`: each timeframe's
//! candles with its order blocks, breakers, fair value gaps, structure
//! breaks, liquidity pools, sweeps, swings and premium/discount ranges, a
//! switch between timeframes, pan, zoom and a crosshair — drawn on a canvas
//! by the script in `assets/`.
//!
//! Data layout (the `#data` JSON): `{title, frames: [{timeframe,
//! duration_ms, bars, events}], unplaced_events}`. Bars are compact arrays
//! `[open_time, open, high, low, close, volume]` (100k candles stay a few
//! MB); events are whole serialized [`SmcEvent`]s, so fields added to them
//! reach the page without a change here.

use crate::page::{Page, escape_html};
use serde::ser::{Serialize, Serializer};
use smc_analysis::{Bar, SmcEvent};
use smc_model::Timeframe;
use std::io::{self, Write};

/// The chart's style sheet (the backtest report reuses it).
pub(crate) const STYLE: &str = include_str!("../assets/detect_chart.css");

/// Inlined in this order into one function scope: each file uses what the
/// files before it declare (the self-test is only called by the page script,
/// after everything is set up).
pub(crate) const SCRIPTS: [&str; 6] = [
    include_str!("../assets/chart/format.js"),
    include_str!("../assets/chart/objects.js"),
    include_str!("../assets/chart/scale.js"),
    include_str!("../assets/chart/render.js"),
    include_str!("../assets/chart/selftest.js"),
    include_str!("../assets/detect_chart.js"),
];

#[derive(serde::Serialize)]
struct ChartData<'a> {
    title: &'a str,
    frames: Vec<ChartFrame<'a, &'a SmcEvent>>,
    /// Events of timeframes without candles: they cannot be placed.
    unplaced_events: usize,
}

/// One timeframe of the chart: its candles and the events drawn on them
/// (detections, or anything shaped like them: the backtest's trades).
#[derive(serde::Serialize)]
pub(crate) struct ChartFrame<'a, E> {
    timeframe: String,
    duration_ms: i64,
    bars: Bars<'a>,
    events: Vec<E>,
}

impl<'a, E> ChartFrame<'a, E> {
    pub(crate) fn new(timeframe: Timeframe, bars: &'a [Bar], events: Vec<E>) -> Self {
        ChartFrame {
            timeframe: timeframe.to_string(),
            duration_ms: timeframe.duration_ms(),
            bars: Bars(bars),
            events,
        }
    }
}

/// Serializes bars as arrays of numbers straight from the slice.
struct Bars<'a>(&'a [Bar]);

impl Serialize for Bars<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The time stays an integer: as f64 it would print as `…000.0`.
        s.collect_seq(
            self.0
                .iter()
                .map(|b| (b.open_time, b.open, b.high, b.low, b.close, b.volume)),
        )
    }
}

/// Writes the chart page for `series` (the bars of each timeframe, in the
/// order of the page's timeframe buttons) and the `events` detected on
/// them. Each event is shown with the bars of its timeframe.
pub fn write_detect_chart<W: Write>(
    out: W,
    title: &str,
    series: &[(Timeframe, Vec<Bar>)],
    events: &[SmcEvent],
) -> io::Result<()> {
    let frames: Vec<ChartFrame<&SmcEvent>> = series
        .iter()
        .map(|(tf, bars)| {
            ChartFrame::new(
                *tf,
                bars,
                events.iter().filter(|e| e.timeframe == *tf).collect(),
            )
        })
        .collect();
    let unplaced_events = events
        .iter()
        .filter(|e| !series.iter().any(|(tf, _)| *tf == e.timeframe))
        .count();
    let body = format!(
        "<header class=\"topbar\">\n<h1 title=\"{t}\">{t}</h1>\n\
         <nav id=\"timeframes\" aria-label=\"Timeframe\"></nav>\n<span id=\"stats\"></span>\n</header>\n\
         <div id=\"legend\" role=\"group\" aria-label=\"Layers\"></div>\n\
         <main id=\"stage\">\n<canvas id=\"chart\" role=\"img\" aria-label=\"Candlestick chart with SMC detections\"></canvas>\n\
         <div id=\"readout\"><div id=\"ohlc\"></div><div id=\"hover\"></div></div>\n\
         <div id=\"message\" hidden></div>\n</main>\n\
         <footer id=\"help\">Drag to pan · wheel or pinch to zoom · drag the price axis to stretch, double-click it to auto-fit · \
         ← → pan, + − zoom, End latest · zones are filled until first touched, dotted after · times in UTC</footer>\n\
         <noscript>This chart is drawn by JavaScript; enable it to see the chart.</noscript>",
        t = escape_html(title)
    );
    let page = Page {
        title,
        styles: &[STYLE],
        body: &body,
        scripts: &SCRIPTS,
    };
    page.write(
        out,
        &ChartData {
            title,
            frames,
            unplaced_events,
        },
    )
}
