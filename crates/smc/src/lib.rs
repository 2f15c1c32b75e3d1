//! Causal Smart Money Concepts analysis: streaming detectors that see one
//! closed candle at a time and emit events stamped with the time they
//! became knowable, on several timeframes at once, with a confluence view
//! for strategies. Batch detection is the stream run over all candles.

/// An analysis candle: f64 prices with its open and close times.
pub mod bar;
/// The detection events and their lifecycle.
pub mod event;

pub use bar::Bar;
pub use event::{Kind, Lifecycle, SmcEvent};
