//! A candidate setup: what the `smc` strategy decided to enter at a
//! candle's close, with its features, whether or not the ML filter let it
//! through. A run that records them (training, evaluation, the causality
//! check) shares a [`CandidateLog`] with the strategy.

use std::sync::{Arc, Mutex};

/// One setup at its decision time.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Decision time: the close of the entry candle, epoch ms.
    pub time_ms: i64,
    /// 1 long, -1 short.
    pub side: i8,
    pub entry: f64,
    pub stop: f64,
    pub target: f64,
    /// In [`super::FeatureSet::names`] order.
    pub features: Vec<f64>,
    /// The model's probability, when a filter is on.
    pub probability: Option<f64>,
    /// Whether the filter skipped it (never without a filter).
    pub skipped: bool,
}

/// Where a strategy appends its candidates. Shared, because the engine
/// owns the strategy while the caller reads the log after the run.
#[derive(Debug, Clone, Default)]
pub struct CandidateLog(Arc<Mutex<Vec<Candidate>>>);

impl CandidateLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one candidate.
    pub fn push(&self, c: Candidate) {
        // A poisoned lock means a panic elsewhere already ended the run;
        // the candidate still belongs in the log.
        match self.0.lock() {
            Ok(mut v) => v.push(c),
            Err(poisoned) => poisoned.into_inner().push(c),
        }
    }

    /// Everything recorded so far, leaving the log empty.
    pub fn take(&self) -> Vec<Candidate> {
        match self.0.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}
