//! Causal Smart Money Concepts analysis: streaming detectors that see one
//! closed candle at a time and emit events stamped with the time they
//! became knowable, on several timeframes at once, with a confluence view
//! for strategies. Batch detection is the stream run over all candles.

/// Higher-timeframe bars built from base bars.
pub mod aggregate;
/// All detectors of one timeframe.
pub mod analyzer;
/// Wilder's average true range, the causal scale for tolerances.
pub mod atr;
/// An analysis candle: f64 prices with its open and close times.
pub mod bar;
/// Detector parameters.
pub mod config;
/// The multi-timeframe view strategies read.
pub mod confluence;
/// Where new zones come from: gaps and order blocks.
pub mod detect_zones;
/// The detection events and their lifecycle.
pub mod event;
/// Recent bars of one timeframe, for look-backs.
pub mod history;
/// Equal highs/lows pools and their sweeps.
pub mod liquidity;
/// Several timeframes from one base series; batch detection.
pub mod mtf;
/// Previous day and week highs and lows, causally.
pub mod period_levels;
/// Recent swings that may pair into liquidity pools.
pub mod recent;
/// BOS/CHoCH per scope.
pub mod structure;
/// Swing (pivot) confirmation.
pub mod swing;
/// Zone lifecycles: order blocks, breakers, gaps, inverse gaps.
pub mod zones;

pub use analyzer::{PriceZone, Range, TimeframeAnalyzer};
pub use bar::Bar;
pub use config::DetectorConfig;
pub use confluence::{Confluence, FrameView};
pub use event::{Kind, Lifecycle, Scope, SmcEvent};
pub use liquidity::Pool;
pub use mtf::{Detection, MtfError, MultiTimeframe, detect, sort_events};
pub use period_levels::{PeriodLevel, PeriodLevels};
pub use swing::Swing;
pub use zones::Zone;
