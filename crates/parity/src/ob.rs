//! `ob` (spec §5). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, Swings};
pub fn ob(_input: &Ohlc, _swings: &Swings, _close_mitigation: bool) -> Frame {
    Frame::default()
}
