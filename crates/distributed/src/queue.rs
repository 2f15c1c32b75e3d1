//! The work queue and where data lives on NATS: one JetStream stream with
//! work-queue retention (a job is removed once a worker acks it), one
//! durable pull consumer that every worker shares (each job goes to one
//! worker at a time; unacked past `ack_wait` it goes to another, at most
//! `max_deliver` times), and an object-store bucket of blobs by hash.
//! Everything here works on nats-server 2.9.

use crate::error::{DistError, DistResult};
use async_nats::jetstream::{self, consumer, object_store::ObjectStore, stream};
use std::time::Duration;

/// The jobs' stream and subject.
pub const JOBS_STREAM: &str = "SMC_JOBS";
pub const JOBS_SUBJECT: &str = "smc.jobs";
/// The workers' shared durable consumer.
pub const CONSUMER: &str = "smc-workers";
/// The bucket of candle files and run specs, by SHA-256.
pub const BUCKET: &str = "smc-blobs";
/// Jobs of a coordinator that died are dropped after this long.
const JOB_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// How long a JetStream request (stream and bucket info, a blob's put) may
/// take. The client's 5 s default timed out a blob lookup in CI, where the
/// server's file store shares two loaded cores with the build and the
/// workers; a request that needs longer than this is a server in trouble.
const JETSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// The consumer's delivery rules (set by the workers, who heartbeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// A job not acked (nor heartbeated) for this long goes to another worker.
    pub ack_wait: Duration,
    /// Deliveries of a job before it is dropped.
    pub max_deliver: i64,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
        }
    }
}

/// A connection with the queue and the bucket ready.
pub struct Queue {
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub stream: stream::Stream,
    pub blobs: ObjectStore,
}

/// The NATS URL to use: the flag, else the config's `streaming.nats_url`,
/// else `NATS_URL` (the caller passes the first two).
pub fn nats_url(flag: Option<&str>, config: Option<&str>) -> DistResult<String> {
    flag.map(str::to_string)
        .or_else(|| config.map(str::to_string))
        .or_else(|| std::env::var("NATS_URL").ok().filter(|u| !u.is_empty()))
        .ok_or_else(|| {
            DistError::Setting(
                "no NATS server: give --nats URL, streaming.nats_url in the config, or NATS_URL"
                    .into(),
            )
        })
}

impl Queue {
    /// Connects and creates the stream and the bucket when missing.
    pub async fn connect(url: &str, name: &str) -> DistResult<Queue> {
        let client = async_nats::ConnectOptions::new()
            .name(name)
            .connect(url)
            .await
            .map_err(|e| DistError::Connect {
                url: url.to_string(),
                message: e.to_string(),
            })?;
        let mut js = jetstream::new(client.clone());
        js.set_timeout(JETSTREAM_TIMEOUT);
        let created = js
            .get_or_create_stream(stream::Config {
                name: JOBS_STREAM.into(),
                subjects: vec![JOBS_SUBJECT.into()],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                max_age: JOB_MAX_AGE,
                ..Default::default()
            })
            .await;
        // Two processes starting together both find no stream and both
        // create it; the one that loses the race takes the winner's.
        let stream = match created {
            Ok(s) => s,
            Err(first) => js
                .get_stream(JOBS_STREAM)
                .await
                .map_err(|_| DistError::nats(format!("stream {JOBS_STREAM}"), first))?,
        };
        let blobs = match js.get_object_store(BUCKET).await {
            Ok(b) => b,
            Err(_) => {
                let created = js
                    .create_object_store(jetstream::object_store::Config {
                        bucket: BUCKET.into(),
                        description: Some("smc distributed backtests: blobs by SHA-256".into()),
                        storage: stream::StorageType::File,
                        ..Default::default()
                    })
                    .await;
                match created {
                    Ok(b) => b,
                    Err(first) => js
                        .get_object_store(BUCKET)
                        .await
                        .map_err(|_| DistError::nats(format!("object store {BUCKET}"), first))?,
                }
            }
        };
        Ok(Queue {
            client,
            js,
            stream,
            blobs,
        })
    }

    /// The workers' consumer, created or updated to `delivery`.
    pub async fn consumer(&self, delivery: Delivery) -> DistResult<consumer::PullConsumer> {
        self.stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(CONSUMER.into()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: delivery.ack_wait,
                max_deliver: delivery.max_deliver,
                ..Default::default()
            })
            .await
            .map_err(|e| DistError::nats(format!("consumer {CONSUMER}"), e))
    }
}
