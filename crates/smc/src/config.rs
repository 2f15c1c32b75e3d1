//! Parameters of the causal detectors. Every field has a default, so a
//! `smc:` section of `config.yaml` only names what it changes.

use serde::Deserialize;
use smc_model::Timeframe;

/// Detector parameters, shared by every timeframe.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectorConfig {
    /// Bars on each side that confirm an internal (short-term) swing.
    pub internal_length: usize,
    /// Bars on each side that confirm a swing (structural) pivot.
    pub swing_length: usize,
    /// Period of the Wilder ATR that scales tolerances.
    pub atr_period: usize,
    /// Two swings are "equal" (a liquidity pool) within this many ATRs.
    pub equal_tolerance_atr: f64,
    /// Smallest fair value gap kept, in ATRs (0 keeps all).
    pub fvg_min_atr: f64,
    /// A break of structure needs a close beyond the swing (false: a wick).
    pub close_break: bool,
    /// Zones tracked per kind and timeframe; the oldest are dropped beyond it.
    pub max_active_zones: usize,
    /// Periods whose previous high and low are tracked and reported
    /// (`previous_high` / `previous_low`, e.g. `[1d, 1w]`); none by default.
    pub previous_periods: Vec<Timeframe>,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            internal_length: 3,
            swing_length: 10,
            atr_period: 14,
            equal_tolerance_atr: 0.1,
            fvg_min_atr: 0.0,
            close_break: true,
            max_active_zones: 24,
            previous_periods: Vec::new(),
        }
    }
}
