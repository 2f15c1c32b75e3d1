//! `fvg` (spec §3). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc};
pub fn fvg(_input: &Ohlc, _join_consecutive: bool) -> Frame {
    Frame::default()
}
