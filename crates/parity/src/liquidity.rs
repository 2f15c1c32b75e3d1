//! `liquidity` (spec §6). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, Swings};
pub fn liquidity(_input: &Ohlc, _swings: &Swings, _range_percent: f64) -> Frame {
    Frame::default()
}
