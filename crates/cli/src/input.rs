//! Loading the `--input` file, shared by every subcommand that reads candles.

use anyhow::Context;
use smc_data::{Loaded, ReadOptions, read_ohlcv};
use std::path::Path;

/// Reads candles, reporting skipped rows on stderr in lenient mode.
pub fn load(path: &Path, lenient: bool) -> anyhow::Result<Loaded> {
    let loaded = read_ohlcv(path, ReadOptions { lenient })?;
    if !loaded.skipped.is_empty() {
        eprintln!(
            "skipped {} bad row(s) of {}:",
            loaded.skipped.len(),
            path.display()
        );
        for e in loaded.skipped.iter().take(10) {
            eprintln!("  {e}");
        }
    }
    if loaded.candles.is_empty() {
        return Err(anyhow::anyhow!("{}: no valid rows", path.display()))
            .context("reading --input");
    }
    Ok(loaded)
}
