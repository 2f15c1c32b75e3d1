//! The connection pool behind [`super::PgStore`]: the API server's
//! requests (and its replicas') read and write accounts, keys and the audit
//! log concurrently, and one connection behind a mutex would queue every
//! request behind the slowest statement. A session's journal keeps one
//! connection of its own instead (its advisory lock lives on it).

use super::connect::connect;
use crate::error::StoreError;
use postgres::Client;
use std::time::Duration;

/// Connections a store keeps at most.
pub const MAX_CONNECTIONS: u32 = 8;

/// How long a caller waits for a free connection before the call fails.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);

/// Makes the pool's connections with the store's own [`connect`] (TLS,
/// `sslrootcert`, the schema in `options`).
#[derive(Debug)]
pub(crate) struct Manager {
    url: String,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Client;
    type Error = StoreError;

    fn connect(&self) -> Result<Client, StoreError> {
        connect(&self.url).map(|(client, _)| client)
    }

    fn is_valid(&self, client: &mut Client) -> Result<(), StoreError> {
        super::off_runtime(|| client.simple_query(""))
            .map(drop)
            .map_err(StoreError::pg("checking a pooled connection"))
    }

    fn has_broken(&self, client: &mut Client) -> bool {
        client.is_closed()
    }
}

pub(crate) type Pool = r2d2::Pool<Manager>;
pub(crate) type Pooled = r2d2::PooledConnection<Manager>;

/// A pool on `url` holding one connection from the start (so that a bad
/// URL or an unreachable server fails here, not at the first request).
pub(crate) fn pool(url: &str, shown: &str) -> Result<Pool, StoreError> {
    r2d2::Pool::builder()
        .max_size(MAX_CONNECTIONS)
        .min_idle(Some(1))
        // A closed socket is caught by `has_broken`; a round trip per
        // checkout would double the cost of the short calls made here.
        .test_on_check_out(false)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .build(Manager {
            url: url.to_string(),
        })
        .map_err(|e| StoreError::Connect {
            url: shown.to_string(),
            message: e.to_string(),
        })
}

/// A connection from `pool`, or why there is none after the timeout.
pub(crate) fn checkout(pool: &Pool, shown: &str) -> Result<Pooled, StoreError> {
    pool.get().map_err(|e| StoreError::Connect {
        url: shown.to_string(),
        message: format!("no free connection in the pool: {e}"),
    })
}
