//! `previous_high_low` (spec §7). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, ParityError};
pub fn previous_high_low(_input: &Ohlc, _time_frame: &str) -> Result<Frame, ParityError> {
    Ok(Frame::default())
}
