//! Times reading an OHLCV CSV of `--rows` rows (default 1M) from disk:
//! the Binance BTCUSDT 1m test series tiled to that size. Prints rows per
//! second; the median of three reads.

use smc_data::synthetic::{tile, to_uniform_csv};
use smc_data::{ReadOptions, read_ohlcv};
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = match args.iter().position(|a| a == "--rows") {
        Some(i) => args.get(i + 1).ok_or("--rows needs a number")?.parse()?,
        None => 1_000_000,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let base = read_ohlcv(&root, ReadOptions::default())?.candles;
    let text = to_uniform_csv(&tile(&base, rows));
    let path = std::env::temp_dir().join(format!("smc-parse-bench-{}.csv", std::process::id()));
    std::fs::write(&path, &text)?;
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let loaded = read_ohlcv(&path, ReadOptions::default())?;
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(loaded.candles.len(), rows);
    }
    std::fs::remove_file(&path)?;
    times.sort_by(f64::total_cmp);
    let s = times[1];
    println!(
        "csv parse: {rows} rows ({:.1} MB) in {:.1} ms = {:.2} M rows/s",
        text.len() as f64 / 1e6,
        s * 1e3,
        rows as f64 / s / 1e6
    );
    Ok(())
}
