//! `sessions` (spec §8). TO BE IMPLEMENTED by the parity helper.
use crate::{Frame, Ohlc, ParityError, ParityOptions};
pub fn sessions(_input: &Ohlc, _options: &ParityOptions) -> Result<Frame, ParityError> {
    Ok(Frame::default())
}
