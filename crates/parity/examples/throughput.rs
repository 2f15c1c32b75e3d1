//! Times every parity indicator on one series and prints, per indicator,
//! seconds and candles per second as JSON lines. Used by
//! `scripts/bench_smc.sh`, which runs the Python reference on the same file.
//!
//! Usage: `throughput FILE [--tile N] [--repeat R] [--only NAME]` — `--tile N` repeats the
//! series up to N candles, shifting each copy by 52 weeks as the reference
//! benchmark does (`shared/research/bench_smc_python.py`).

use smc_data::{ReadOptions, read_ohlcv};
use smc_parity::{Indicator, Ohlc, ParityOptions, swings};
use std::time::Instant;

const WEEK_MS: i64 = 7 * 86_400_000;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: throughput FILE [--tile N] [--repeat R]")?;
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let repeat: usize = flag("--repeat").map_or(Ok(5), |s| s.parse())?;
    let t0 = Instant::now();
    let loaded = read_ohlcv(std::path::Path::new(path), ReadOptions::default())?;
    let parse_s = t0.elapsed().as_secs_f64();
    let mut input = Ohlc::from_candles(&loaded.candles);
    if let Some(n) = flag("--tile") {
        input = input.tiled(n.parse()?, 52 * WEEK_MS);
    }
    let n = input.len();
    println!(
        r#"{{"name":"csv_parse","candles":{},"seconds":{parse_s:.6}}}"#,
        loaded.candles.len()
    );
    let shl = swings::swing_highs_lows(&input, 5);
    let cases: Vec<(&str, Indicator, ParityOptions)> = vec![
        ("fvg", Indicator::Fvg, ParityOptions::default()),
        (
            "fvg_join",
            Indicator::Fvg,
            ParityOptions {
                join_consecutive: true,
                ..Default::default()
            },
        ),
        (
            "swing_highs_lows",
            Indicator::SwingHighsLows,
            ParityOptions::default(),
        ),
        ("bos_choch", Indicator::BosChoch, ParityOptions::default()),
        ("ob", Indicator::Ob, ParityOptions::default()),
        ("liquidity", Indicator::Liquidity, ParityOptions::default()),
        (
            "previous_high_low_4h",
            Indicator::PreviousHighLow,
            ParityOptions {
                time_frame: "4h".into(),
                ..Default::default()
            },
        ),
        (
            "previous_high_low_1D",
            Indicator::PreviousHighLow,
            ParityOptions {
                time_frame: "1D".into(),
                ..Default::default()
            },
        ),
        (
            "previous_high_low_W",
            Indicator::PreviousHighLow,
            ParityOptions {
                time_frame: "W".into(),
                ..Default::default()
            },
        ),
        (
            "sessions",
            Indicator::Sessions,
            ParityOptions {
                session: "London".into(),
                ..Default::default()
            },
        ),
        (
            "retracements",
            Indicator::Retracements,
            ParityOptions::default(),
        ),
    ];
    let only = flag("--only");
    for (name, indicator, options) in cases {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let t = Instant::now();
            // Swings are precomputed and excluded, as in the reference benchmark.
            let frame = match indicator {
                Indicator::BosChoch => {
                    smc_parity::bos_choch::bos_choch(&input, &shl, options.close_break)
                }
                Indicator::Ob => smc_parity::ob::ob(&input, &shl, options.close_mitigation),
                Indicator::Liquidity => {
                    smc_parity::liquidity::liquidity(&input, &shl, options.range_percent)
                }
                Indicator::Retracements => smc_parity::retracements::retracements(&input, &shl),
                _ => match smc_parity::run(indicator, &input, &options) {
                    Ok(frame) => frame,
                    Err(e) => {
                        // E.g. 10M tiled 15m candles run past 2262, the end of
                        // pandas' timestamps, which parity mode reproduces.
                        println!(r#"{{"name":"{name}","candles":{n},"error":"{e}"}}"#);
                        break;
                    }
                },
            };
            times.push(t.elapsed().as_secs_f64());
            std::hint::black_box(frame);
        }
        if times.is_empty() {
            continue;
        }
        let s = median(times);
        println!(
            r#"{{"name":"{name}","candles":{n},"seconds":{s:.9},"candles_per_second":{:.0}}}"#,
            n as f64 / s
        );
    }
    Ok(())
}
