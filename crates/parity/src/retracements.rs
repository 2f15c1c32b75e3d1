//! `retracements` (spec §9). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, Swings};
pub fn retracements(_input: &Ohlc, _swings: &Swings) -> Frame {
    Frame::default()
}
