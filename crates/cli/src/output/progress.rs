//! Progress bars on stderr for long work (indicatif hides them when stderr
//! is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Backtests shorter than this show no progress bar.
const MIN_BARS_FOR_BAR: usize = 200_000;

/// A bar over a backtest of `bars` candles (hidden for short runs).
pub fn backtest_bar(bars: usize) -> ProgressBar {
    if bars < MIN_BARS_FOR_BAR {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(bars as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} backtest {bar:40} {human_pos}/{human_len} bars ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// A bar over `total` backtests of a search, drawn only for a terminal.
pub fn search_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} backtests {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A bar over `total` runs of `what`, drawn only for a terminal.
pub fn count_bar(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!("{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
