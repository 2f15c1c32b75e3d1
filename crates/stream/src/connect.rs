//! Connecting to NATS and creating (or updating) the events stream with the
//! retention the configuration asks for: `smc.>`, file storage, limits
//! retention, oldest messages discarded first. Only what nats-server 2.9
//! understands (the client is built without its 2.10+ fields).

use crate::error::StreamError;
use crate::subject::ALL;
use async_nats::jetstream::{self, stream};
use smc_config::streaming::StreamingConfig;
use std::time::Duration;

/// How long a JetStream request (and a publish's ack) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// A client that keeps reconnecting in the background (also when the
/// server is not up yet): the session never waits for NATS to start.
pub async fn connect_lazily(url: &str) -> Result<async_nats::Client, StreamError> {
    async_nats::ConnectOptions::new()
        .name("smc")
        .retry_on_initial_connect()
        .max_reconnects(None::<usize>)
        .connection_timeout(REQUEST_TIMEOUT)
        .connect(url)
        .await
        .map_err(|e| StreamError::Connect {
            url: url.to_string(),
            message: e.to_string(),
        })
}

/// A client that is connected now, or an error (for readers and tools).
pub async fn connect(url: &str) -> Result<async_nats::Client, StreamError> {
    async_nats::ConnectOptions::new()
        .name("smc")
        .connection_timeout(REQUEST_TIMEOUT)
        .connect(url)
        .await
        .map_err(|e| StreamError::Connect {
            url: url.to_string(),
            message: e.to_string(),
        })
}

/// JetStream on `client`, with the crate's request timeout.
pub fn jetstream(client: async_nats::Client) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(REQUEST_TIMEOUT)
        .build(client)
}

/// A limit of the config where 0 means none (JetStream's -1).
fn limit(value: u64) -> i64 {
    if value == 0 {
        -1
    } else {
        i64::try_from(value).unwrap_or(i64::MAX)
    }
}

/// The stream's configuration from `config`.
pub fn stream_config(config: &StreamingConfig) -> stream::Config {
    stream::Config {
        name: config.stream.clone(),
        description: Some("smc session events (smc.<session>.<kind>.<venue>.<symbol>)".into()),
        subjects: vec![ALL.to_string()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::Old,
        max_age: Duration::from_secs(config.max_age_hours.saturating_mul(3_600)),
        max_bytes: limit(config.max_bytes),
        max_messages: limit(config.max_msgs),
        num_replicas: 1,
        // Retries of a publish whose ack was lost carry the same message id
        // and are dropped by the server within this window.
        duplicate_window: Duration::from_secs(120),
        ..stream::Config::default()
    }
}

/// Creates the stream, or brings an existing one to `config`'s limits.
pub async fn ensure_stream(
    js: &jetstream::Context,
    config: &StreamingConfig,
) -> Result<stream::Info, StreamError> {
    js.create_or_update_stream(stream_config(config))
        .await
        .map_err(|e| StreamError::Stream {
            stream: config.stream.clone(),
            message: e.to_string(),
        })
}
