//! `/api/v1/optimizations`: the walk-forward optimisation of `smc
//! optimize` as a job, on a file under `api.data_dir`. The request is
//! checked whole before it is queued (the parameter space, the strategy,
//! the data and whether the windows fit in it); the job runs the same
//! search as the command line, with the server's config as its `--config`,
//! in the server's process or, with `"distributed": true`, on `smc worker`
//! processes through NATS (the same result).

use crate::body::{Body, whole_number};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::jobs::{Job, JobKind};
use crate::routes::backtests::{Created, check_timeframes, inside, venue};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_distributed::{ConfigText, Fanout, RunSpec, nats_url};
use smc_model::Timeframe;
use smc_optimize::{
    Objective, OptimizeConfig, ParamSet, Search, Thresholds, WindowLength, WindowSpec,
};
use smc_runtime::backtest::{Input, VenueFlags, candles_timeframe, engine_config, load_candles};
use smc_runtime::optimize::{BaseStrategy, Runner, search_trials};
use smc_runtime::strategies::StrategyName;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use utoipa::ToSchema;

/// Every combination, or a seeded random sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    #[default]
    Grid,
    Random,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOptimization {
    /// An OHLCV CSV file, relative to `api.data_dir` (never outside it).
    pub input: String,
    /// `smc` or `sma_cross`.
    pub strategy: String,
    /// smc: the entry timeframe (the input's) and the bias timeframe, e.g. `["1h","4h"]`.
    #[serde(default)]
    pub timeframes: Vec<String>,
    /// The parameters to search, each `NAME=SPEC` as `smc optimize --param`
    /// takes it: a list `reward_risk=1.5,2,3`, a stepped range
    /// `slow=20..100:20`, or a range `risk_percent=0.5..2.0` (random search
    /// only). None: the strategy's defaults, one trial.
    #[serde(default)]
    pub space: Vec<String>,
    /// `grid` (default) or `random`.
    #[serde(default)]
    pub search: SearchKind,
    /// Random search: parameter sets drawn (default 50).
    #[schema(minimum = 1, maximum = 100000)]
    #[serde(default, deserialize_with = "whole_number")]
    pub samples: Option<u32>,
    /// Random search: the seed of the draws (default 0).
    #[serde(default, deserialize_with = "whole_number")]
    pub seed: Option<u32>,
    /// Walk-forward windows: the data cut into `folds` + 1 equal chunks
    /// (default 4 when no `train_bars`/`test_bars` is given).
    #[schema(minimum = 1)]
    #[serde(default, deserialize_with = "whole_number")]
    pub folds: Option<u32>,
    /// Train window length in bars (with `test_bars`, instead of `folds`).
    #[schema(minimum = 1)]
    #[serde(default, deserialize_with = "whole_number")]
    pub train_bars: Option<u32>,
    /// Test window length in bars (with `train_bars`).
    #[schema(minimum = 1)]
    #[serde(default, deserialize_with = "whole_number")]
    pub test_bars: Option<u32>,
    /// Expanding train windows, all starting at the first bar used.
    #[serde(default)]
    pub anchored: bool,
    /// What picks a window's best set: `sharpe` (default), `total_return`,
    /// `calmar`, `sortino` or `profit_factor`.
    pub objective: Option<String>,
    /// Bars before each window fed to the strategy as warm-up, not scored (default 200).
    #[serde(default, deserialize_with = "whole_number")]
    pub warmup_bars: Option<u32>,
    /// Starting cash (a decimal string or number).
    #[schema(value_type = Option<String>)]
    pub cash: Option<Decimal>,
    /// Fee per side as a fraction of notional.
    #[schema(value_type = Option<String>)]
    pub fee: Option<Decimal>,
    /// Send the backtests to `smc worker` processes through NATS
    /// JetStream (`streaming.nats_url` of the server's config, else
    /// `NATS_URL`) instead of running them in the server; the result is
    /// the same. Refused with 400 when no NATS URL is set. Default: the
    /// config's `streaming.distributed_optimizations` (false).
    pub distributed: Option<bool>,
}

/// A checked optimisation, ready to run.
struct Plan {
    settings: smc_config::Config,
    input: Input,
    base: BaseStrategy,
    trials: Vec<ParamSet>,
    search: Search,
    config: OptimizeConfig,
    warmup: usize,
    venue: VenueFlags,
    timeframe: Timeframe,
    /// Backtests the search runs.
    runs: usize,
    /// Where the backtests go when they run on workers.
    remote: Option<Remote>,
}

/// A distributed job's NATS URL, run spec and candle file.
struct Remote {
    url: String,
    spec: RunSpec,
    data: Vec<u8>,
}

/// Jobs in flight at once on the workers (`smc optimize --in-flight`'s default).
const IN_FLIGHT: usize = 16;
/// Seconds to wait for one backtest's result (`--job-timeout`'s default).
const JOB_TIMEOUT: Duration = Duration::from_secs(600);
/// Top-level config sections that say where the server runs, not how a
/// backtest does (and may hold passwords): not sent to the workers.
const DEPLOYMENT_SECTIONS: [&str; 3] = ["api", "storage", "streaming"];

/// Queues a walk-forward optimisation; poll `GET /optimizations/{id}` or
/// subscribe to `optimizations`.
#[utoipa::path(post, path = "/api/v1/optimizations", tag = "optimizations", request_body = NewOptimization,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Body(req): Body<NewOptimization>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let settings = state.config();
    let distributed = req
        .distributed
        .unwrap_or(settings.streaming.distributed_optimizations);
    let url = match distributed {
        true => Some(
            nats_url(None, settings.streaming.nats_url.as_deref()).map_err(|_| {
                ApiError::bad_request(
                    "\"distributed\": true needs a NATS server: set streaming.nats_url in the server's config (or NATS_URL)",
                )
            })?,
        ),
        false => None,
    };
    let path = inside(&settings.api.data_dir, &req.input)?;
    let strategy: StrategyName = req
        .strategy
        .parse()
        .map_err(|e: smc_runtime::SessionError| ApiError::invalid("strategy", e.to_string()))?;
    check_timeframes(&req.timeframes)?;
    let base = BaseStrategy::new(strategy, Some(&settings), &req.timeframes)
        .map_err(|e| ApiError::invalid("timeframes", e.to_string()))?;
    let objective = match &req.objective {
        Some(o) => o
            .parse::<Objective>()
            .map_err(|e| ApiError::invalid("objective", e))?,
        None => Objective::default(),
    };
    let venue = venue(req.cash, req.fee)?;
    let search = match req.search {
        SearchKind::Grid => Search::Grid,
        SearchKind::Random => Search::Random {
            samples: match req.samples.unwrap_or(50) {
                n @ 1..=100_000 => n as usize,
                _ => return Err(ApiError::invalid("samples", "must be from 1 to 100000")),
            },
            seed: u64::from(req.seed.unwrap_or(0)),
        },
    };
    let length = window_length(&req)?;
    let trials = search_trials(&base, &req.space, search)
        .map_err(|e| ApiError::invalid("space", e.to_string()))?
        .trials;
    let name = path
        .file_name()
        .map_or("input.csv".into(), |n| n.to_string_lossy().into_owned());
    let read = path.clone();
    let data = match url {
        Some(_) => Some(
            tokio::task::spawn_blocking(move || std::fs::read(read))
                .await
                .map_err(|e| ApiError::internal("reading the input", e))?
                .map_err(|e| ApiError::invalid("input", e.to_string()))?,
        ),
        None => None,
    };
    let input = tokio::task::spawn_blocking(move || load_candles(path, false))
        .await
        .map_err(|e| ApiError::internal("reading the input", e))?
        .map_err(|e| ApiError::invalid("input", e.to_string()))?;
    let windows = WindowSpec {
        length,
        anchored: req.anchored,
    };
    let timeframe =
        candles_timeframe(&input.candles).map_err(|e| ApiError::invalid("input", e.to_string()))?;
    let count = smc_optimize::walk_forward(input.candles.len(), windows)
        .map_err(|e| {
            let field = match length {
                WindowLength::Folds(_) => "folds",
                WindowLength::Bars { .. } => "train_bars",
            };
            ApiError::invalid(field, e.to_string())
        })?
        .len();
    let warmup = req.warmup_bars.map_or(200, |w| w as usize);
    let remote = match (url, data) {
        (Some(url), Some(data)) => {
            let config = worker_config(state.config_path.as_deref())?;
            let spec = RunSpec::for_input(&data, &name, None, &strategy.to_string())
                .with_config(Some(config))
                .with_timeframes(req.timeframes.clone())
                .with_flags(&venue)
                .map_err(|e| ApiError::internal("describing the run", e))?
                .with_warmup(warmup);
            Some(Remote { url, spec, data })
        }
        _ => None,
    };
    let plan = Plan {
        runs: smc_optimize::planned_runs(trials.len(), count),
        settings,
        input,
        base,
        trials,
        search,
        config: OptimizeConfig {
            objective,
            windows,
            thresholds: Thresholds::default(),
            pbo_blocks: 16,
        },
        warmup,
        venue,
        timeframe,
        remote,
    };
    let id = state
        .jobs
        .queue(
            JobKind::Optimization,
            state.clock.now().ms(),
            state.hub.clone(),
            move |progress| run(&plan, &|done| progress.set(done)),
        )
        .map_err(|e| ApiError::internal("queueing an optimization", e))?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The windows' lengths: `folds`, or `train_bars` with `test_bars`.
fn window_length(req: &NewOptimization) -> ApiResult<WindowLength> {
    let at_least_one = |field: &str, n: u32| match n {
        0 => Err(ApiError::invalid(field, "must be at least 1")),
        n => Ok(n as usize),
    };
    match (req.train_bars, req.test_bars, req.folds) {
        (Some(_), Some(_), Some(_)) => Err(ApiError::invalid(
            "folds",
            "give folds, or train_bars and test_bars, not both",
        )),
        (Some(train), Some(test), None) => Ok(WindowLength::Bars {
            train: at_least_one("train_bars", train)?,
            test: at_least_one("test_bars", test)?,
        }),
        (Some(_), None, _) => Err(ApiError::invalid("test_bars", "is needed with train_bars")),
        (None, Some(_), _) => Err(ApiError::invalid("train_bars", "is needed with test_bars")),
        (None, None, folds) => Ok(WindowLength::Folds(at_least_one(
            "folds",
            folds.unwrap_or(4),
        )?)),
    }
}

/// Runs `plan` on the current rayon pool, reporting progress (0 to 1) per
/// backtest; `smc optimize --json`'s object.
fn run(plan: &Plan, progress: &(dyn Fn(f64) + Sync)) -> Result<serde_json::Value, String> {
    let runner = Runner {
        candles: &plan.input.candles,
        timeframe: plan.timeframe,
        engine: engine_config(&plan.venue, Some(&plan.settings)),
        settings: Some(&plan.settings),
        base: plan.base.clone(),
        warmup: plan.warmup,
    };
    let total = plan.runs.max(1) as f64;
    let done = AtomicUsize::new(0);
    let step = || progress((done.fetch_add(1, Ordering::Relaxed) + 1) as f64 / total);
    let report = match &plan.remote {
        None => runner
            .optimize(&plan.trials, &plan.config, &step)
            .map_err(|e| e.to_string())?,
        Some(remote) => {
            let fanout = Fanout {
                url: &remote.url,
                spec: &remote.spec,
                data: &remote.data,
                in_flight: IN_FLIGHT,
                job_timeout: JOB_TIMEOUT,
            };
            fanout
                .optimize(&plan.trials, runner.candles.len(), &plan.config, &step)
                .map_err(|e| format!("distributed over NATS: {e}"))?
                .0
        }
    };
    runner
        .report_json(&report, &plan.trials, plan.search)
        .map_err(|e| e.to_string())
}

/// The server's config file as the workers parse it, without the
/// [`DEPLOYMENT_SECTIONS`]; the defaults when the server has no file.
fn worker_config(path: Option<&std::path::Path>) -> ApiResult<ConfigText> {
    let Some(path) = path else {
        return Ok(ConfigText::from_text("(defaults)".into(), String::new()));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::internal("reading the config for the workers", e))?;
    Ok(ConfigText::from_text(
        path.display().to_string(),
        without_sections(&text, &DEPLOYMENT_SECTIONS),
    ))
}

/// `text` without the top-level YAML keys `sections` and their blocks (a
/// block ends at the next line that starts in the first column and is not
/// a comment). Cut as text so that every other value reaches the workers
/// exactly as written.
fn without_sections(text: &str, sections: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let top = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
        if top {
            skipping = sections.iter().any(|s| {
                line.strip_prefix(s)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            });
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

/// A job's state, progress (0–1) and, once done, its result (as `smc optimize --json`).
#[utoipa::path(get, path = "/api/v1/optimizations/{id}", tag = "optimizations", params(("id" = String, Path)),
    responses((status = 200, body = Job), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Job>> {
    state
        .jobs
        .find(JobKind::Optimization, &id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no optimization `{id}`")))
}

#[cfg(test)]
mod tests {
    use super::without_sections;

    #[test]
    fn deployment_sections_are_cut_and_the_rest_kept_as_written() {
        let text = "app: {name: x}\napi:\n  jwt_secret: s\n  # note\n\n  port: 1\nstorage:\n  database_url: postgres://u:p@h/d\nbacktest:\n  engine: {fee: 0.001}\nstreaming: {nats_url: nats://h:4222}\napis: 1\n";
        assert_eq!(
            without_sections(text, &["api", "storage", "streaming"]),
            "app: {name: x}\nbacktest:\n  engine: {fee: 0.001}\napis: 1\n"
        );
    }
}
