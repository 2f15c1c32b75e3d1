//! The job and result format on the wire: versioned JSON (`schema`), with
//! decimals as strings so that no value is rounded through a float. A job
//! is one backtest of one parameter set on one bar range of one run; its
//! result is the equity curve and the round trips, or the backtest's error.

use crate::error::{DistError, DistResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_model::{RoundTrip, Timestamp};
use smc_optimize::{ParamSet, RunResult, Value};
use std::ops::Range;

/// The version of [`Job`], [`JobResult`] and [`crate::spec::RunSpec`]; a
/// reader refuses any other.
pub const SCHEMA: u32 = 1;

/// The NATS header of a result naming its job id, so that the coordinator
/// routes a result without parsing it.
pub const JOB_ID_HEADER: &str = "Smc-Job-Id";

/// One backtest to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub schema: u32,
    /// The coordinator's run (one optimisation).
    pub run: String,
    /// The job's number in its run, unique within it.
    pub id: u64,
    /// Where the result goes: the run's own subject.
    pub reply: String,
    /// SHA-256 (hex) of the run's [`crate::spec::RunSpec`] blob in the
    /// object store.
    pub spec: String,
    pub params: Vec<WireParam>,
    /// The bar range `[start, end)`.
    pub bars: [usize; 2],
}

/// One parameter value, typed, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireParam {
    pub name: String,
    pub kind: ValueKind,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Int,
    Dec,
    Text,
}

/// A job's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobResult {
    pub schema: u32,
    pub run: String,
    pub id: u64,
    /// Which worker ran it (for the logs).
    pub worker: String,
    pub outcome: Outcome,
}

/// The backtest's output, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok {
        /// `[epoch ms, "equity"]` per point.
        equity: Vec<(Timestamp, Decimal)>,
        trades: Vec<RoundTrip>,
    },
    Failed {
        error: String,
    },
    /// The result was larger than one NATS message: its JSON is the blob
    /// `sha256` in the object store (the coordinator fetches, checks and
    /// deletes it).
    Blob {
        sha256: String,
    },
}

impl Job {
    pub fn new(
        run: &str,
        id: u64,
        reply: &str,
        spec: &str,
        params: &ParamSet,
        bars: Range<usize>,
    ) -> Job {
        Job {
            schema: SCHEMA,
            run: run.to_string(),
            id,
            reply: reply.to_string(),
            spec: spec.to_string(),
            params: params
                .values
                .iter()
                .map(|(n, v)| WireParam::of(n, v))
                .collect(),
            bars: [bars.start, bars.end],
        }
    }

    /// Reads and checks a job: its schema, its values, its range.
    pub fn decode(bytes: &[u8]) -> DistResult<Job> {
        let job: Job = decode("job", bytes)?;
        check_schema("job", job.schema)?;
        if job.bars[0] >= job.bars[1] {
            return Err(DistError::Malformed {
                what: "job",
                message: format!("empty bar range {}..{}", job.bars[0], job.bars[1]),
            });
        }
        if job.reply.is_empty() || job.spec.len() != 64 {
            return Err(DistError::Malformed {
                what: "job",
                message: "no reply subject or no spec hash".into(),
            });
        }
        job.param_set()?;
        Ok(job)
    }

    pub fn encode(&self) -> DistResult<Vec<u8>> {
        encode("job", self)
    }

    pub fn bars(&self) -> Range<usize> {
        self.bars[0]..self.bars[1]
    }

    /// The parameter set, values typed as the search made them.
    pub fn param_set(&self) -> DistResult<ParamSet> {
        let values = self
            .params
            .iter()
            .map(|p| p.value().map(|v| (p.name.clone(), v)))
            .collect::<DistResult<_>>()?;
        Ok(ParamSet { values })
    }
}

impl WireParam {
    fn of(name: &str, v: &Value) -> WireParam {
        let (kind, value) = match v {
            Value::Int(i) => (ValueKind::Int, i.to_string()),
            Value::Dec(d) => (ValueKind::Dec, d.to_string()),
            Value::Text(t) => (ValueKind::Text, t.clone()),
        };
        WireParam {
            name: name.to_string(),
            kind,
            value,
        }
    }

    fn value(&self) -> DistResult<Value> {
        let bad = |e: String| DistError::Malformed {
            what: "job",
            message: format!("parameter {}: `{}`: {e}", self.name, self.value),
        };
        Ok(match self.kind {
            ValueKind::Int => Value::Int(self.value.parse().map_err(|e| bad(format!("{e}")))?),
            ValueKind::Dec => Value::Dec(self.value.parse().map_err(|e| bad(format!("{e}")))?),
            ValueKind::Text => Value::Text(self.value.clone()),
        })
    }
}

impl JobResult {
    pub fn new(job_run: &str, id: u64, worker: &str, result: Result<RunResult, String>) -> Self {
        JobResult {
            schema: SCHEMA,
            run: job_run.to_string(),
            id,
            worker: worker.to_string(),
            outcome: match result {
                Ok(r) => Outcome::Ok {
                    equity: r.equity,
                    trades: r.trades,
                },
                Err(error) => Outcome::Failed { error },
            },
        }
    }

    pub fn decode(bytes: &[u8]) -> DistResult<JobResult> {
        let r: JobResult = decode("result", bytes)?;
        check_schema("result", r.schema)?;
        Ok(r)
    }

    pub fn encode(&self) -> DistResult<Vec<u8>> {
        encode("result", self)
    }

    /// The run's output, or the worker's error.
    pub fn into_run_result(self) -> Result<RunResult, String> {
        match self.outcome {
            Outcome::Ok { equity, trades } => Ok(RunResult { equity, trades }),
            Outcome::Failed { error } => Err(format!("on worker {}: {error}", self.worker)),
            Outcome::Blob { sha256 } => Err(format!(
                "on worker {}: result blob {sha256} was not fetched",
                self.worker
            )),
        }
    }
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> DistResult<T> {
    serde_json::from_slice(bytes).map_err(|e| DistError::Malformed {
        what,
        message: e.to_string(),
    })
}

pub(crate) fn encode<T: Serialize>(what: &'static str, value: &T) -> DistResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| DistError::Malformed {
        what,
        message: e.to_string(),
    })
}

pub(crate) fn check_schema(what: &'static str, found: u32) -> DistResult<()> {
    if found == SCHEMA {
        Ok(())
    } else {
        Err(DistError::Schema {
            what,
            found,
            expected: SCHEMA,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rust_decimal::dec;
    use smc_model::{InstrumentIndex, TradeSide};

    fn params() -> ParamSet {
        ParamSet {
            values: vec![
                ("fast".into(), Value::Int(-5)),
                ("risk_percent".into(), Value::Dec(dec!(0.1250))),
                ("bias_timeframe".into(), Value::Text("4h".into())),
            ],
        }
    }

    #[test]
    fn a_job_round_trips_with_its_typed_values() {
        let job = Job::new("r1", 7, "_INBOX.x", &"a".repeat(64), &params(), 200..400);
        let back = Job::decode(&job.encode().unwrap()).unwrap();
        assert_eq!(back, job);
        assert_eq!(back.param_set().unwrap(), params());
        assert_eq!(back.bars(), 200..400);
        // The decimal keeps its scale: the strategy sees the same value.
        assert_eq!(back.params[1].value, "0.1250");
    }

    #[test]
    fn a_result_round_trips_exactly() {
        let trade = RoundTrip {
            instrument: InstrumentIndex::new(0),
            side: TradeSide::Long,
            entry_time: Timestamp::from_ms(1_000),
            exit_time: Some(Timestamp::from_ms(2_000)),
            entry_price: dec!(1234.5678),
            exit_price: Some(dec!(1240.00000001)),
            size: dec!(0.333),
            pnl: dec!(-1.0000000000000000000000000001),
            fees: dec!(0.01),
            setup: None,
        };
        let run = RunResult {
            equity: vec![
                (Timestamp::from_ms(1_000), dec!(10000)),
                (Timestamp::from_ms(2_000), dec!(10000.123456789012345678)),
            ],
            trades: vec![trade],
        };
        let r = JobResult::new("r1", 3, "w1", Ok(run.clone()));
        let text = String::from_utf8(r.encode().unwrap()).unwrap();
        assert!(text.contains("\"10000.123456789012345678\""), "{text}");
        let back = JobResult::decode(text.as_bytes()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.into_run_result().unwrap(), run);
    }

    #[test]
    fn a_failed_result_carries_the_error() {
        let r = JobResult::new("r1", 3, "w1", Err("bad params".into()));
        let back = JobResult::decode(&r.encode().unwrap()).unwrap();
        let e = back.into_run_result().unwrap_err();
        assert!(e.contains("w1") && e.contains("bad params"), "{e}");
    }

    #[test]
    fn malformed_jobs_are_refused_with_the_reason() {
        let ok = Job::new("r1", 1, "_INBOX.x", &"a".repeat(64), &params(), 0..10);
        let mut v: serde_json::Value = serde_json::from_slice(&ok.encode().unwrap()).unwrap();
        assert!(Job::decode(b"not json").is_err());
        v["schema"] = 2.into();
        let e = Job::decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(e.to_string().contains("schema 2"), "{e}");
        v["schema"] = 1.into();
        v["bars"] = serde_json::json!([10, 10]);
        let e = Job::decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(e.to_string().contains("empty bar range"), "{e}");
        v["bars"] = serde_json::json!([0, 10]);
        v["params"][0]["value"] = "five".into();
        let e = Job::decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(e.to_string().contains("parameter fast"), "{e}");
    }
}
