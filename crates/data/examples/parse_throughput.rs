//! Times reading an OHLCV CSV of `--rows` rows (default 1M) from disk:
//! the Binance BTCUSDT 1m test series tiled to that size. Prints rows per
//! second; the median of seven reads, and of seven parses of the bytes
//! already in memory (to tell file reading from parsing); then the same
//! candles written as Parquet and read back.

use smc_data::synthetic::{tile, to_uniform_csv};
use smc_data::{ReadOptions, parse_ohlcv, read_ohlcv};
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
    let mut in_memory = Vec::new();
    let mut cpu = 0.0;
    for _ in 0..7 {
        let t = Instant::now();
        let loaded = read_ohlcv(&path, ReadOptions::default())?;
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(loaded.candles.len(), rows);
        drop(loaded);
        let (t, c) = (Instant::now(), cpu_seconds());
        let loaded = parse_ohlcv(&path, text.as_bytes(), ReadOptions::default())?;
        in_memory.push(t.elapsed().as_secs_f64());
        cpu += cpu_seconds()
            .zip(c)
            .map_or(f64::NAN, |(after, before)| after - before);
        assert_eq!(loaded.candles.len(), rows);
    }
    std::fs::remove_file(&path)?;
    let parquet = path.with_extension("parquet");
    smc_data::write_candles(&parquet, &tile(&base, rows))?;
    let mut parquet_times = Vec::new();
    let cpu_before = cpu_seconds();
    for _ in 0..7 {
        let t = Instant::now();
        let loaded = read_ohlcv(&parquet, ReadOptions::default())?;
        parquet_times.push(t.elapsed().as_secs_f64());
        assert_eq!(loaded.candles.len(), rows);
    }
    let parquet_cpu = cpu_seconds()
        .zip(cpu_before)
        .map_or(f64::NAN, |(a, b)| a - b)
        / 7.0;
    let parquet_bytes = std::fs::metadata(&parquet)?.len();
    std::fs::remove_file(&parquet)?;
    parquet_times.sort_by(f64::total_cmp);
    times.sort_by(f64::total_cmp);
    in_memory.sort_by(f64::total_cmp);
    println!(
        "parse from memory: {:.1} ms = {:.2} M rows/s (median of 7; best {:.1} ms); \
         CPU time (all threads) {:.1} ms per parse",
        in_memory[3] * 1e3,
        rows as f64 / in_memory[3] / 1e6,
        in_memory[0] * 1e3,
        cpu / 7.0 * 1e3
    );
    let s = times[3];
    println!(
        "csv parse: {rows} rows ({:.1} MB) in {:.1} ms = {:.2} M rows/s (median of 7; best {:.1} ms)",
        text.len() as f64 / 1e6,
        s * 1e3,
        rows as f64 / s / 1e6,
        times[0] * 1e3
    );
    println!(
        "parquet read: {rows} rows ({:.1} MB) in {:.1} ms = {:.2} M rows/s (median of 7; best {:.1} ms); \
         CPU time {:.1} ms per read",
        parquet_bytes as f64 / 1e6,
        parquet_times[3] * 1e3,
        rows as f64 / parquet_times[3] / 1e6,
        parquet_times[0] * 1e3,
        parquet_cpu * 1e3
    );
    Ok(())
}

/// User + system CPU time of the whole process (all threads) from
/// `/proc/self/stat`, in seconds; `None` off Linux. On a shared machine the
/// wall time depends on the neighbours, the CPU time much less.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, in clock ticks (100 Hz).
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
