//! Several timeframes from one base series: higher-timeframe candles are
//! built with the UTC-aligned resampler and analysed as they close — never
//! before — and a batch run is the same stream over all candles.

use crate::aggregate::Aggregator;
use crate::analyzer::TimeframeAnalyzer;
use crate::bar::Bar;
use crate::config::DetectorConfig;
use crate::event::SmcEvent;
use crate::period_levels::PeriodLevels;
use smc_model::{Candle, Timeframe};

/// Why a set of timeframes cannot be built from the base series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MtfError {
    #[error(
        "timeframe {requested} cannot be built from {base} candles: it must be a multiple of {base}"
    )]
    NotAMultiple {
        requested: Timeframe,
        base: Timeframe,
    },
    #[error("no timeframe requested")]
    Empty,
}

/// The analysers of every requested timeframe, fed base candles.
#[derive(Debug, Clone)]
pub struct MultiTimeframe {
    base: Timeframe,
    base_analyzer: Option<TimeframeAnalyzer>,
    higher: Vec<(Aggregator, TimeframeAnalyzer)>,
    record: Option<Vec<(Timeframe, Vec<Bar>)>>,
    last_close: Option<f64>,
    levels: PeriodLevels,
}

impl MultiTimeframe {
    /// Analysers for `timeframes` (sorted, de-duplicated), built from `base`.
    pub fn new(
        base: Timeframe,
        timeframes: &[Timeframe],
        config: &DetectorConfig,
    ) -> Result<Self, MtfError> {
        let mut tfs = timeframes.to_vec();
        tfs.sort();
        tfs.dedup();
        if tfs.is_empty() {
            return Err(MtfError::Empty);
        }
        if let Some(&bad) = tfs.iter().find(|tf| !tf.is_multiple_of(base)) {
            return Err(MtfError::NotAMultiple {
                requested: bad,
                base,
            });
        }
        let base_analyzer = tfs
            .contains(&base)
            .then(|| TimeframeAnalyzer::new(base, config));
        let higher = tfs
            .iter()
            .filter(|&&tf| tf != base)
            .map(|&tf| {
                (
                    Aggregator::new(base, tf),
                    TimeframeAnalyzer::new(tf, config),
                )
            })
            .collect();
        Ok(MultiTimeframe {
            base,
            base_analyzer,
            higher,
            record: None,
            last_close: None,
            levels: PeriodLevels::new(&config.previous_periods),
        })
    }

    /// Keeps every bar of every timeframe (for charts).
    pub fn record_bars(&mut self) {
        let mut tfs: Vec<Timeframe> = self.base_analyzer.iter().map(|a| a.timeframe()).collect();
        tfs.extend(self.higher.iter().map(|(_, a)| a.timeframe()));
        self.record = Some(tfs.into_iter().map(|tf| (tf, Vec::new())).collect());
    }

    /// The recorded bars, if recording.
    pub fn take_bars(&mut self) -> Vec<(Timeframe, Vec<Bar>)> {
        self.record.take().unwrap_or_default()
    }

    /// The previous periods' highs and lows (`DetectorConfig::previous_periods`).
    pub fn previous_levels(&self) -> &PeriodLevels {
        &self.levels
    }

    /// Processes one closed base candle.
    pub fn on_candle(&mut self, candle: &Candle, out: &mut Vec<SmcEvent>) {
        let bar = Bar::from_candle(candle, self.base);
        self.step(&bar, out);
    }

    /// Processes one closed base bar (already converted to `f64`).
    pub fn on_bar(&mut self, bar: Bar, out: &mut Vec<SmcEvent>) {
        self.step(&bar, out);
    }

    /// Both entry points pass the bar on by reference (see
    /// `TimeframeAnalyzer::step`).
    #[inline]
    fn step(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        self.last_close = Some(bar.close);
        self.levels.on_bar(bar, out);
        if let Some(a) = &mut self.base_analyzer {
            a.step(bar, out);
            if let Some(rec) = &mut self.record {
                rec[0].1.push(*bar);
            }
        }
        for k in 0..self.higher.len() {
            // Most base bars complete no higher bar.
            if let (gap, done) = self.higher[k].0.push(bar)
                && (gap.is_some() || done.is_some())
            {
                self.feed_higher(k, gap, out);
                self.feed_higher(k, done, out);
            }
        }
    }

    /// Closes every higher-timeframe period that ends at or before `now`
    /// (epoch ms), as a live clock would without a new candle.
    pub fn advance_to(&mut self, now: i64, out: &mut Vec<SmcEvent>) {
        // Levels first, as `on_bar` emits them: ties in `known_at` keep
        // the same order whichever closed the period.
        self.levels.advance_to(now, out);
        for k in 0..self.higher.len() {
            let bar = self.higher[k].0.advance_to(now);
            self.feed_higher(k, bar, out);
        }
    }

    fn feed_higher(&mut self, k: usize, bar: Option<Bar>, out: &mut Vec<SmcEvent>) {
        let Some(bar) = bar else { return };
        let offset = usize::from(self.base_analyzer.is_some());
        self.higher[k].1.step(&bar, out);
        if let Some(rec) = &mut self.record {
            rec[offset + k].1.push(bar);
        }
    }

    /// The analyser of `tf`, if requested.
    pub fn analyzer(&self, tf: Timeframe) -> Option<&TimeframeAnalyzer> {
        self.base_analyzer
            .iter()
            .chain(self.higher.iter().map(|(_, a)| a))
            .find(|a| a.timeframe() == tf)
    }

    /// Every analyser, lowest timeframe first.
    pub fn analyzers(&self) -> impl Iterator<Item = &TimeframeAnalyzer> {
        self.base_analyzer
            .iter()
            .chain(self.higher.iter().map(|(_, a)| a))
    }

    /// The close of the newest base candle.
    pub fn last_price(&self) -> Option<f64> {
        self.last_close
    }
}

/// Events and bars of a batch run.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// Ordered by `known_at`, then timeframe, then emission order.
    pub events: Vec<SmcEvent>,
    pub bars: Vec<(Timeframe, Vec<Bar>)>,
}

/// Runs the stream over all `candles` of timeframe `base`.
pub fn detect(
    candles: &[Candle],
    base: Timeframe,
    timeframes: &[Timeframe],
    config: &DetectorConfig,
) -> Result<Detection, MtfError> {
    let mut mtf = MultiTimeframe::new(base, timeframes, config)?;
    mtf.record_bars();
    let mut events = Vec::with_capacity(candles.len() / 2);
    for candle in candles {
        mtf.on_candle(candle, &mut events);
    }
    sort_events(&mut events);
    Ok(Detection {
        events,
        bars: mtf.take_bars(),
    })
}

/// The deterministic output order: by `known_at`, then timeframe; ties keep
/// the order in which the detectors emitted them.
pub fn sort_events(events: &mut [SmcEvent]) {
    events.sort_by_key(|e| (e.known_at, e.timeframe));
}
