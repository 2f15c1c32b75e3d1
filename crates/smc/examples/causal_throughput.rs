//! Times the full causal suite on `--candles` one-minute candles (default
//! 1M, the Binance BTCUSDT 1m test series tiled) with `--timeframes`
//! (default 1m,5m,1h,1d), after the candles are in memory. One thread.

use smc_analysis::{DetectorConfig, MultiTimeframe};
use smc_data::synthetic::tile;
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let n: usize = flag("--candles").map_or(Ok(1_000_000), |s| s.parse())?;
    let tfs: Vec<Timeframe> = flag("--timeframes")
        .map_or("1m,5m,1h,1d", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let candles = tile(&read_ohlcv(&path, ReadOptions::default())?.candles, n);
    let names: Vec<String> = tfs.iter().map(ToString::to_string).collect();
    // Streaming, as a strategy consumes events (the buffer is drained each
    // candle), and batch, which keeps every event in memory.
    let modes: &[bool] = match flag("--mode").map(String::as_str) {
        Some("stream") => &[false],
        Some("batch") => &[true],
        _ => &[false, true],
    };
    for &keep in modes {
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut count = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let cpu = thread_cpu_ns();
            let mut mtf = MultiTimeframe::new(Timeframe::M1, &tfs, &DetectorConfig::default())?;
            let mut events = Vec::with_capacity(if keep { n * 3 } else { 64 });
            count = 0;
            for c in &candles {
                mtf.on_candle(c, &mut events);
                if !keep {
                    count += events.len();
                    events.clear();
                }
            }
            best = best.min(t.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (cpu, thread_cpu_ns()) {
                best_cpu = best_cpu.min((b - a) as f64 * 1e-9);
            }
            if keep {
                count = events.len();
            }
        }
        println!(
            "causal suite ({}): {n} 1m candles, timeframes {}: {:.1} ms wall, {:.1} ms on-CPU = {:.2} M candles/s ({count} events, best of 5, one thread)",
            if keep {
                "batch, all events kept"
            } else {
                "streaming"
            },
            names.join(","),
            best * 1e3,
            best_cpu * 1e3,
            n as f64 / best_cpu.min(best) / 1e6
        );
    }
    Ok(())
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`): on a
/// shared machine the wall clock also counts time spent waiting for a core.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
