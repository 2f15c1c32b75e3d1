//! Features of the ML filter: at each setup the `smc` strategy decides to
//! enter, a fixed-order vector of `f64` computed only from what was
//! knowable at the decision (the strategy's causal multi-timeframe state,
//! the closed candles so far, the clock, and the setup itself). The order
//! and names are fixed by [`FeatureSet`]; a model is saved with the names
//! and refused when they differ from the strategy's.
//!
//! Missing values (no zone, no pool, no break yet) take a fixed cap rather
//! than NaN: the model library refuses non-finite features, and a far cap
//! means "nothing near" to trees and logistic regression alike.

/// The candidate setups a run records, for labels and training.
pub mod candidate;
/// The check that features do not change when the future is cut off.
pub mod causality;
/// The feature vector from the strategy's state.
pub mod extract;
/// The model and its threshold, inside the strategy.
pub mod filter;
/// The per-candle memory the features need beyond the analysers.
pub mod state;

pub use candidate::{Candidate, CandidateLog};
pub use causality::{Divergence, check_causality};
pub use extract::{Setup, extract};
pub use filter::{FilterError, MlFilter};
pub use state::FeatureState;

/// Distances in ATRs are clipped to ±this (and a missing object sits at it).
pub const MAX_ATRS: f64 = 20.0;
/// Ages and bar counts are clipped to this (and "never" is this).
pub const MAX_BARS: f64 = 500.0;
/// Windows of the return and realised-volatility features, in entry bars.
pub const WINDOWS: [usize; 3] = [5, 20, 60];
/// Window of the relative-volume feature, in entry bars.
pub const VOLUME_WINDOW: usize = 20;

/// Per timeframe of the strategy, in this order.
const FRAME_FEATURES: [&str; 19] = [
    "swing_trend",
    "internal_trend",
    "ob_with_dist",
    "ob_with_age",
    "ob_against_dist",
    "ob_against_age",
    "fvg_with_dist",
    "fvg_with_age",
    "fvg_against_dist",
    "fvg_against_age",
    "liq_above_dist",
    "liq_below_dist",
    "pd_position",
    "bars_since_bos",
    "bos_dir",
    "bars_since_choch",
    "choch_dir",
    "bars_since_sweep",
    "sweep_dir",
];

/// Once per decision, after the per-timeframe block.
const GLOBAL_FEATURES: [&str; 24] = [
    "session_asia",
    "session_london",
    "session_new_york",
    "kill_zone",
    "prev_day_known",
    "prev_day_high_dist",
    "prev_day_low_dist",
    "prev_day_high_broken",
    "prev_day_low_broken",
    "prev_week_known",
    "prev_week_high_dist",
    "prev_week_low_dist",
    "prev_week_high_broken",
    "prev_week_low_broken",
    "atr_pct",
    "rv_5",
    "rv_20",
    "rv_60",
    "ret_5",
    "ret_20",
    "ret_60",
    "volume_rel_20",
    "side",
    "stop_atr",
];

/// The setup's own geometry, last.
const SETUP_FEATURES: [&str; 2] = ["target_atr", "reward_risk"];

/// The feature layout of a strategy with `confirming` confirming
/// timeframes: the entry frame, each confirming frame, the bias frame (by
/// role, so that the same layout serves any entry timeframe; the model
/// directory records the timeframes it was trained on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSet {
    confirming: usize,
}

impl FeatureSet {
    pub fn new(confirming: usize) -> Self {
        FeatureSet { confirming }
    }

    /// The roles of the frames, in order: `entry`, `confirm1`…, `bias`.
    pub fn roles(&self) -> Vec<String> {
        std::iter::once("entry".to_string())
            .chain((1..=self.confirming).map(|k| format!("confirm{k}")))
            .chain(std::iter::once("bias".to_string()))
            .collect()
    }

    /// Every feature's name, in the order of the vector.
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.len());
        for role in self.roles() {
            names.extend(FRAME_FEATURES.iter().map(|f| format!("{role}_{f}")));
        }
        names.extend(GLOBAL_FEATURES.iter().map(|f| f.to_string()));
        names.extend(SETUP_FEATURES.iter().map(|f| f.to_string()));
        names
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        (self.confirming + 2) * FRAME_FEATURES.len() + GLOBAL_FEATURES.len() + SETUP_FEATURES.len()
    }

    /// Never empty (there is always the entry and the bias frame).
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_as_many_as_the_vector() {
        let set = FeatureSet::new(1);
        let names = set.names();
        assert_eq!(names.len(), set.len());
        assert_eq!(names.len(), 3 * 19 + 26);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "duplicate feature names");
        assert_eq!(names[0], "entry_swing_trend");
        assert_eq!(names[19], "confirm1_swing_trend");
        assert_eq!(names.last().map(String::as_str), Some("reward_risk"));
    }
}
