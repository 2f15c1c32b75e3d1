//! The ML filter's jobs: record the `smc` strategy's candidate setups on a
//! series and label them by the triple barrier ([`candidates`]), train the
//! ensemble on those decided and labelled before a date and write the
//! model directory ([`train`]), and judge a model out of sample: the
//! candidates' AUC, Brier and base rate, and the backtest without and with
//! the filter side by side ([`evaluate`]).

/// Candidate setups of a run, labelled by the triple barrier.
pub mod candidates;
/// Out-of-sample evaluation of a model.
pub mod evaluate;
/// Training and the model directory.
pub mod train;

pub use candidates::{LabelCounts, Labelled, Labelling, collect, label};
pub use evaluate::{Evaluation, RunSummary, evaluate};
pub use train::{TrainRequest, Trained, train};
