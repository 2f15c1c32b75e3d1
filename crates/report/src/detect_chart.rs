//! The detection chart: candles of each timeframe with their order blocks,
//! breakers, fair value gaps, structure breaks, liquidity pools, sweeps and
//! swings, and a switch between timeframes. Bars are embedded as compact
//! arrays `[open_time, open, high, low, close]`; events as their JSON.

use crate::page::{escape_html, write_page};
use serde::Serialize;
use smc_analysis::{Bar, SmcEvent};
use smc_model::Timeframe;
use std::io::{self, Write};

const SCRIPT: &str = include_str!("../assets/detect_chart.js");
const STYLE: &str = include_str!("../assets/detect_chart.css");

#[derive(Serialize)]
struct Frame<'a> {
    timeframe: String,
    duration_ms: i64,
    bars: Vec<[f64; 5]>,
    events: Vec<&'a SmcEvent>,
}

#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    frames: Vec<Frame<'a>>,
}

/// Writes the chart page for `series` (bars per timeframe) and `events`.
pub fn write_detect_chart<W: Write>(
    mut out: W,
    title: &str,
    series: &[(Timeframe, Vec<Bar>)],
    events: &[SmcEvent],
) -> io::Result<()> {
    let frames = series
        .iter()
        .map(|(tf, bars)| Frame {
            timeframe: tf.to_string(),
            duration_ms: tf.duration_ms(),
            bars: bars
                .iter()
                .map(|b| [b.open_time as f64, b.open, b.high, b.low, b.close])
                .collect(),
            events: events.iter().filter(|e| e.timeframe == *tf).collect(),
        })
        .collect();
    let data = serde_json::to_string(&Data { title, frames }).map_err(io::Error::other)?;
    let body = format!(
        "<header><h1>{}</h1><nav id=\"tfs\"></nav><div id=\"legend\"></div></header>\n\
         <main><canvas id=\"chart\"></canvas><div id=\"readout\"></div></main>",
        escape_html(title)
    );
    write_page(&mut out, title, STYLE, &body, &data, SCRIPT)
}
