//! `smc ml train`: the candidates of the `smc` strategy on a series,
//! labelled, restricted to those decided before `--train-until` whose
//! labels were known before it too (a label still open then would leak
//! the test period into training), fitted by the walk-forward ensemble,
//! and written as a model directory: `model.json` (smc-ml's versioned
//! file: window, features, config, fold and out-of-fold metrics, models)
//! and `training.json` (what was trained on: input, timeframes, labelling,
//! counts), which `smc ml evaluate` reads for its defaults.

use super::candidates::{LabelCounts, Labelling, collect, label};
use crate::backtest::{BacktestRequest, candles_timeframe};
use crate::error::{SessionError, SessionResult};
use crate::strategies::smc_config;
use serde::{Deserialize, Serialize};
use smc_ml::{Dataset, Ensemble, LabelSpan, ModelFile, TrainConfig};
use smc_model::Timestamp;
use smc_strategy::SmcStrategy;
use std::path::{Path, PathBuf};

/// File of the training facts beside `model.json`.
pub const TRAINING_FILE: &str = "training.json";

/// What to train on.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// The series, config, timeframes and venue, as a backtest takes them.
    pub backtest: BacktestRequest,
    /// Train on setups decided and labelled before this (default: all).
    pub train_until: Option<Timestamp>,
    pub seed: u64,
    /// Candles after the fill before the time barrier.
    pub holding_bars: usize,
    pub out: PathBuf,
}

/// The training facts written beside the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingFacts {
    pub input: PathBuf,
    /// Entry, confirming…, bias.
    pub timeframes: Vec<String>,
    pub entry_expiry_bars: usize,
    pub holding_bars: usize,
    /// The end of the training window (ms); evaluation starts here.
    pub train_until_ms: i64,
    /// Every candidate of the series.
    pub counts: LabelCounts,
    /// Samples trained on (labelled before `train_until_ms`).
    pub samples: usize,
    pub positives: usize,
}

/// A finished training.
#[derive(Debug, Clone)]
pub struct Trained {
    pub model: ModelFile,
    pub facts: TrainingFacts,
    pub path: PathBuf,
}

/// Records, labels, selects, fits and writes; `progress` hears the bars
/// of the candidate run.
pub fn train(request: &TrainRequest, progress: &mut dyn FnMut(u64)) -> SessionResult<Trained> {
    let input = request.backtest.load()?;
    let candles = &input.candles;
    let timeframe = candles_timeframe(candles)?;
    let settings = request.backtest.settings.as_ref();
    let smc = smc_config(settings, &request.backtest.timeframes)?;
    let names = SmcStrategy::new(smc.clone()).feature_set().names();
    let how = Labelling {
        entry_expiry_bars: smc.entry_expiry_bars,
        holding_bars: request.holding_bars,
    };
    let found = collect(&request.backtest, candles, timeframe, progress)?;
    let (labelled, counts) = label(found, candles, timeframe, how)?;
    let until = request.train_until.map_or(i64::MAX, Timestamp::ms);
    let chosen: Vec<_> = labelled
        .into_iter()
        .filter(|l| l.candidate.time_ms < until && l.label.end_ms <= until)
        .collect();
    let n = chosen.len();
    if n < 30 {
        return Err(SessionError::Setting(format!(
            "only {n} labelled setups before --train-until ({} candidates: {} never filled, {} unresolved): too few to train on; use a longer series or a later date",
            counts.candidates, counts.never_filled, counts.unresolved
        )));
    }
    let rows = chosen
        .iter()
        .map(|l| l.candidate.features.clone())
        .collect();
    let labels: Vec<bool> = chosen.iter().map(|l| l.label.label).collect();
    let spans = chosen
        .iter()
        .map(|l| LabelSpan::new(l.candidate.time_ms, l.label.end_ms))
        .collect();
    let ds = Dataset::from_rows(names, rows, labels.clone(), spans, None)
        .map_err(|e| SessionError::Data(format!("building the dataset: {e}")))?;
    let config = train_config(n, request.seed, timeframe.duration_ms());
    let (ensemble, report) = Ensemble::fit(&ds, &config).map_err(|e| {
        let wins = labels.iter().filter(|l| **l).count();
        SessionError::Data(format!(
            "training on {n} setups ({wins} wins): {e}; every walk-forward fold needs both outcomes: use more data"
        ))
    })?;
    let window = ds.window().unwrap_or((0, 0));
    // Created at the end of its window, not the wall clock: the same
    // data and seed write the same file.
    let model = ModelFile::new(ensemble, report, config, window, window.1);
    let path = model
        .save(&request.out)
        .map_err(|e| SessionError::Data(e.to_string()))?;
    let timeframes = strategy_timeframes(&smc, timeframe);
    let facts = TrainingFacts {
        input: request.backtest.input_path()?,
        timeframes,
        entry_expiry_bars: how.entry_expiry_bars,
        holding_bars: how.holding_bars,
        train_until_ms: request.train_until.map_or(window.1, Timestamp::ms),
        counts,
        samples: n,
        positives: labels.iter().filter(|l| **l).count(),
    };
    write_facts(&request.out, &facts)?;
    Ok(Trained { model, facts, path })
}

/// The walk-forward and model sizes for `n` samples: three folds over the
/// later half, trees whose leaves keep about 5 % of the samples (at least
/// 5, at most the library's 20), and an embargo of ten entry candles.
pub fn train_config(n: usize, seed: u64, entry_ms: i64) -> TrainConfig {
    let mut c = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    c.split.folds = if n >= 300 { 5 } else { 3 };
    c.split.min_train = (n / 5).max(10);
    c.split.embargo_ms = 10 * entry_ms;
    let leaf = (n / 20).clamp(5, 20);
    c.forest.min_samples_leaf = leaf;
    c.boosting.min_samples_leaf = leaf;
    c
}

fn strategy_timeframes(smc: &smc_strategy::SmcConfig, entry: smc_model::Timeframe) -> Vec<String> {
    std::iter::once(entry)
        .chain(smc.confirm_timeframes.iter().copied())
        .chain(std::iter::once(smc.bias_timeframe))
        .map(|tf| tf.to_string())
        .collect()
}

fn write_facts(dir: &Path, facts: &TrainingFacts) -> SessionResult<()> {
    let path = dir.join(TRAINING_FILE);
    let text = serde_json::to_string_pretty(facts)
        .map_err(|e| SessionError::Data(format!("{}: {e}", path.display())))?;
    std::fs::write(&path, text)
        .map_err(|e| SessionError::Data(format!("writing {}: {e}", path.display())))
}

/// Reads `dir/training.json`.
pub fn read_facts(dir: &Path) -> SessionResult<TrainingFacts> {
    let path = dir.join(TRAINING_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SessionError::Data(format!("reading {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| SessionError::Data(format!("{}: not a training file: {e}", path.display())))
}
