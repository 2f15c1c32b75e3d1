//! A synthetic market for the integration tests: each trial's per-bar
//! returns are drawn once, deterministically, from its own seeded stream
//! (Gaussian noise plus the trial's drift), and a backtest of a bar range
//! is the compounded equity over those bars. Nothing here knows which
//! trial is "good": the optimiser has to find out.

#![allow(dead_code)]

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use smc_model::Timestamp;
use smc_optimize::{BoxError, ParamSet, RunResult, Value};
use std::ops::Range;

pub const HOUR_MS: i64 = 3_600_000;

/// Per-trial return series, looked up by the `id` parameter.
pub struct Market {
    pub returns: Vec<Vec<f64>>,
}

impl Market {
    /// `drifts.len()` trials over `bars` bars with noise of std `sigma`.
    pub fn new(drifts: &[f64], bars: usize, sigma: f64, seed: u64) -> Market {
        let returns = drifts
            .iter()
            .enumerate()
            .map(|(k, drift)| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(1000) + k as u64);
                (0..bars)
                    .map(|_| drift + sigma * gaussian(&mut rng))
                    .collect()
            })
            .collect();
        Market { returns }
    }

    /// The parameter sets `id=0..n`.
    pub fn trials(&self) -> Vec<ParamSet> {
        (0..self.returns.len())
            .map(|k| ParamSet {
                values: vec![("id".into(), Value::Int(k as i64))],
            })
            .collect()
    }

    /// The backtest: equity 10,000 at the close of bar `start`, then
    /// compounded bar by bar; hourly timestamps.
    pub fn run(&self, p: &ParamSet, bars: Range<usize>) -> Result<RunResult, BoxError> {
        let id = p
            .get("id")
            .and_then(Value::as_usize)
            .ok_or("no id parameter")?;
        let series = self.returns.get(id).ok_or("unknown id")?;
        let mut e = 10_000.0;
        let mut equity = Vec::with_capacity(bars.len());
        for t in bars {
            if !equity.is_empty() {
                e *= 1.0 + series[t];
            }
            let money = Decimal::from_f64(e)
                .ok_or("equity out of range")?
                .round_dp(8);
            equity.push((Timestamp::from_ms(t as i64 * HOUR_MS), money));
        }
        Ok(RunResult {
            equity,
            trades: Vec::new(),
        })
    }
}

/// A standard normal draw (Box–Muller).
fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}
