//! Walk-forward optimisation spread over worker processes (`smc worker`,
//! `smc optimize --distributed`) through NATS JetStream.
//!
//! A coordinator ([`coordinator`]) is a `Backtester` whose backtests are
//! jobs ([`wire`]) on a work queue ([`queue`]); workers ([`worker`]) pull
//! them one at a time, rebuild the run's runner from its spec ([`spec`])
//! and the candle file by content hash ([`blob`]), run the same backtest a
//! local optimisation runs, and answer on the run's reply subject. A dead
//! worker's job is redelivered after its ack deadline; the optimiser
//! gathers results by index, so the report equals the local one.

#![forbid(unsafe_code)]

/// Blobs by SHA-256: the object store and shared paths.
pub mod blob;
/// The coordinator: a `Backtester` over the queue.
pub mod coordinator;
/// The error type.
pub mod error;
/// A whole distributed optimisation in one call.
pub mod fanout;
/// The work queue, its consumer and the blob bucket on NATS.
pub mod queue;
/// What the jobs of a run share.
pub mod spec;
/// The job and result format.
pub mod wire;
/// The worker loop.
pub mod worker;

pub use coordinator::Coordinator;
pub use error::{DistError, DistResult};
pub use fanout::{Fanout, RunStats};
pub use queue::{Delivery, Queue, nats_url};
pub use spec::{ConfigText, DataRef, FlagsSpec, RunSpec};
pub use wire::{Job, JobResult, SCHEMA};
pub use worker::{WorkerOptions, WorkerStats};
