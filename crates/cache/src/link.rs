//! One multiplexed Redis connection shared by the cache's callers,
//! dropped on the first failure and made again on demand, at most once
//! per [`RETRY_AFTER`], so that a Redis that is down costs callers a
//! refused connection now and then rather than a wait on every call.

use crate::CacheError;
use redis::aio::MultiplexedConnection;
use std::time::Duration;
use tokio::time::Instant;

/// How long to wait for Redis to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long to wait for an answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_millis(1_000);
/// How long after a failed connection the next attempt is made.
pub const RETRY_AFTER: Duration = Duration::from_millis(500);

#[derive(Default)]
struct Slot {
    connection: Option<MultiplexedConnection>,
    retry_at: Option<Instant>,
}

pub struct Link {
    client: redis::Client,
    slot: tokio::sync::Mutex<Slot>,
}

impl Link {
    pub fn new(url: &str) -> Result<Link, CacheError> {
        crate::check_url(url)?;
        let client = redis::Client::open(url).map_err(|e| CacheError::Url(e.to_string()))?;
        Ok(Link {
            client,
            slot: tokio::sync::Mutex::default(),
        })
    }

    async fn connection(&self) -> Result<MultiplexedConnection, CacheError> {
        let mut slot = self.slot.lock().await;
        if let Some(c) = &slot.connection {
            return Ok(c.clone());
        }
        if slot.retry_at.is_some_and(|t| Instant::now() < t) {
            return Err(CacheError::Unreachable(
                "the last connection attempt failed; retrying shortly".into(),
            ));
        }
        let made = tokio::time::timeout(
            CONNECT_TIMEOUT,
            self.client.get_multiplexed_async_connection(),
        )
        .await;
        match made {
            Ok(Ok(c)) => {
                slot.connection = Some(c.clone());
                slot.retry_at = None;
                Ok(c)
            }
            Ok(Err(e)) => {
                slot.retry_at = Some(Instant::now() + RETRY_AFTER);
                Err(e.into())
            }
            Err(_) => {
                slot.retry_at = Some(Instant::now() + RETRY_AFTER);
                Err(CacheError::Unreachable("connecting timed out".into()))
            }
        }
    }

    /// Runs `call` on the connection, with a deadline; a failure drops the
    /// connection so that the next call makes a new one.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, CacheError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        let failure = match tokio::time::timeout(ANSWER_TIMEOUT, call(connection)).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) if !is_connection_error(&e) => return Err(e.into()),
            Ok(Err(e)) => CacheError::from(e),
            Err(_) => CacheError::Unreachable("Redis did not answer in time".into()),
        };
        let mut slot = self.slot.lock().await;
        slot.connection = None;
        Err(failure)
    }
}

fn is_connection_error(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}
