//! The `detections` stream of a hosted session: its closed candles fed,
//! per symbol, into a causal multi-timeframe SMC detector (the config's
//! `smc` section), whose events are published as they become known.

use smc_analysis::{DetectorConfig, MultiTimeframe, SmcEvent};
use smc_runtime::CandleClosed;
use std::collections::BTreeMap;

/// One detector per symbol, made at its first candle.
pub struct LiveDetections {
    config: DetectorConfig,
    detectors: BTreeMap<String, Option<MultiTimeframe>>,
    events: Vec<SmcEvent>,
}

impl LiveDetections {
    pub fn new(config: DetectorConfig) -> Self {
        LiveDetections {
            config,
            detectors: BTreeMap::new(),
            events: Vec::new(),
        }
    }

    /// The events `candle` made known.
    pub fn on_candle(&mut self, closed: &CandleClosed) -> &[SmcEvent] {
        self.events.clear();
        let config = &self.config;
        let detector = self
            .detectors
            .entry(closed.symbol.clone())
            .or_insert_with(|| {
                MultiTimeframe::new(closed.timeframe, &[closed.timeframe], config)
                    .map_err(|e| tracing::warn!("no detections for {}: {e}", closed.symbol))
                    .ok()
            });
        if let Some(d) = detector {
            d.on_candle(&closed.candle, &mut self.events);
        }
        &self.events
    }
}
