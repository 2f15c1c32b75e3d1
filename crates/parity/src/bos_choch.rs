//! `bos_choch` (spec §4). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, Swings};
pub fn bos_choch(_input: &Ohlc, _swings: &Swings, _close_break: bool) -> Frame {
    Frame::default()
}
