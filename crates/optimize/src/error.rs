//! The library's one error type: every way a search can be mis-specified
//! or fail, each naming the parameter, window or run at fault.

/// A backtest's own error, boxed so that any backtester can report it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    #[error("parameter spec `{spec}`: {reason}")]
    Spec { spec: String, reason: String },
    #[error("parameter `{name}` is given twice")]
    DuplicateParam { name: String },
    #[error("unknown parameter `{name}`; valid ones: {valid}")]
    UnknownParam { name: String, valid: String },
    #[error("parameter `{name}`: {reason}")]
    BadValue { name: String, reason: String },
    #[error(
        "parameter `{name}` is a continuous range: a grid needs a list or a stepped range (a..b:step)"
    )]
    GridNeedsList { name: String },
    #[error("the grid has {size} parameter sets, more than the limit of {limit}")]
    GridTooLarge { size: u128, limit: usize },
    #[error("no parameter set to try")]
    NoTrials,
    #[error("walk-forward windows: {0}")]
    Windows(String),
    #[error("backtest of {params} on bars {start}..{end} failed: {source}")]
    Backtest {
        params: String,
        start: usize,
        end: usize,
        #[source]
        source: BoxError,
    },
    #[error("analysing the run of {params} on bars {start}..{end}: {source}")]
    Analytics {
        params: String,
        start: usize,
        end: usize,
        #[source]
        source: smc_analytics::AnalyticsError,
    },
    #[error("{0}")]
    Statistics(String),
}
