//! Parity mode: the eight indicators of the reference Python library
//! `smartmoneyconcepts` 0.0.27, reproduced exactly — float32 storage,
//! lookahead and quirks included — so that users can compare us with it.
//! Strategies must not use this crate: its outputs are back-dated and
//! repaint. The causal detectors live in `smc-analysis`.
//!
//! The algorithms follow `shared/research/smc_reference_spec.md`, which
//! describes the library (MIT licensed) quirk by quirk.

/// Fitting hand-built candles and swings to the row count.
mod align;
/// `bos_choch`: break of structure and change of character.
pub mod bos_choch;
/// Errors for bad options.
pub mod error;
/// "First later row crossing a threshold" queries in one pass.
mod first_cross;
/// Output tables, printed as pandas' `to_csv(index=False)` prints them.
pub mod frame;
/// `fvg`: fair value gaps.
pub mod fvg;
/// The candle columns every indicator reads.
pub mod input;
/// `liquidity`: pools of equal highs/lows and their sweeps.
pub mod liquidity;
/// `ob`: order blocks.
pub mod ob;
/// Which indicator to run and its options.
pub mod options;
/// `previous_high_low`: the previous period's high and low.
pub mod previous_high_low;
/// `retracements`: current and deepest retracement of the last leg.
pub mod retracements;
/// `sessions`: trading-session membership and running extremes.
pub mod sessions;
/// `swing_highs_lows`: swing points, the base of the structure indicators.
pub mod swings;

pub use error::ParityError;
pub use frame::{Column, Frame, Values};
pub use input::Ohlc;
pub use options::{Indicator, ParityOptions};
pub use swings::Swings;

/// Runs one indicator over the whole input, as the reference library would.
pub fn run(
    indicator: Indicator,
    input: &Ohlc,
    options: &ParityOptions,
) -> Result<Frame, ParityError> {
    let swings = || swings::swing_highs_lows(input, options.swing_length);
    Ok(match indicator {
        Indicator::Fvg => fvg::fvg(input, options.join_consecutive),
        Indicator::SwingHighsLows => swings().into_frame(),
        Indicator::BosChoch => bos_choch::bos_choch(input, &swings(), options.close_break),
        Indicator::Ob => ob::ob(input, &swings(), options.close_mitigation),
        Indicator::Liquidity => liquidity::liquidity(input, &swings(), options.range_percent),
        Indicator::Retracements => retracements::retracements(input, &swings()),
        Indicator::PreviousHighLow => {
            previous_high_low::previous_high_low(input, &options.time_frame)?
        }
        Indicator::Sessions => sessions::sessions(input, options)?,
    })
}
