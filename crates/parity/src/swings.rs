//! `swing_highs_lows` (spec §2). TO BE IMPLEMENTED by the parity helper.

use crate::frame::{Frame, Values};
use crate::input::Ohlc;

/// Swing points: `high_low` is 1 (high), -1 (low) or NaN; `level` the price.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Swings {
    pub high_low: Vec<f64>,
    pub level: Vec<f64>,
}

impl Swings {
    /// The reference's output columns `HighLow`, `Level`.
    pub fn into_frame(self) -> Frame {
        Frame::default()
            .with("HighLow", Values::F64(self.high_low))
            .with("Level", Values::F64(self.level))
    }
}

pub fn swing_highs_lows(input: &Ohlc, swing_length: usize) -> Swings {
    let _ = swing_length;
    Swings {
        high_low: vec![f64::NAN; input.len()],
        level: vec![f64::NAN; input.len()],
    }
}
