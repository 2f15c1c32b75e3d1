//! What every request handler shares: the store, the config, the signing
//! key, the limits, the hosted sessions and jobs, the metrics, the
//! server's vital signs and the event hub. Cheap to clone (one `Arc`).

use crate::auth::revocations::Revocations;
use crate::auth::throttle::LoginThrottle;
use crate::clock::ServerClock;
use crate::host::SessionHost;
use crate::hub::Hub;
use crate::jobs::Jobs;
use crate::limits::RateLimits;
use crate::vitals::Vitals;
use smc_auth::cipher::MasterKey;
use smc_auth::jwt::JwtKeys;
use smc_config::Config;
use smc_config::api::IpBlock;
use smc_metrics::Metrics;
use smc_store::ServerStore;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

/// The shared state.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

pub struct Inner {
    /// SQLite or PostgreSQL, as the database URL says.
    pub store: Arc<dyn ServerStore>,
    /// The server's database URL (`--db`, else `storage.database_url`).
    pub database_url: String,
    pub config: RwLock<Config>,
    /// The config file, rewritten when the risk or strategy section changes.
    pub config_path: Option<PathBuf>,
    pub jwt: JwtKeys,
    pub clock: ServerClock,
    pub limits: RateLimits,
    pub throttle: LoginThrottle,
    pub revocations: Revocations,
    pub allowlist: Vec<IpBlock>,
    pub metrics_token: Option<String>,
    pub master_key: Option<MasterKey>,
    pub metrics: Metrics,
    pub hub: Hub,
    pub host: SessionHost,
    pub jobs: Jobs,
    /// Request durations and WebSocket clients, for `GET /system`.
    pub vitals: Vitals,
    /// When the server started (epoch ms).
    pub started_at_ms: i64,
    /// Set on `smc serve --replica`: sessions are read from Redis.
    pub replica: Option<Arc<crate::replica::Replica>>,
}

impl AppState {
    /// A copy of the config in force.
    pub fn config(&self) -> Config {
        self.config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Seconds an access token lives.
    pub fn access_ttl(&self) -> i64 {
        i64::from(self.config_read(|c| c.api.access_token_minutes)) * 60
    }

    /// Seconds a refresh token lives.
    pub fn refresh_ttl(&self) -> i64 {
        i64::from(self.config_read(|c| c.api.refresh_token_days)) * 86_400
    }

    pub fn config_read<T>(&self, read: impl FnOnce(&Config) -> T) -> T {
        read(&self.config.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Where the hosted session `id` journals: `api.sessions_dir/<id>.sqlite`
/// when the server's database is SQLite; when it is PostgreSQL, the same
/// database in the schema `smc_session_<id>` (through `search_path`, which
/// the store creates on first use). A schema per session, rather than a
/// session column, keeps the journal's tables, keys and queries exactly
/// those of a single-session database (and of a SQLite file), lets `smc
/// store copy` and the tools address one session by URL, and scopes the
/// journal's advisory lock (keyed by the schema) to one session.
pub fn session_journal_url(state: &AppState, id: &str) -> String {
    if !smc_store::is_postgres_url(&state.database_url) {
        let path = state.config_read(|c| c.api.sessions_dir.join(format!("{id}.sqlite")));
        return format!("sqlite://{}", path.display());
    }
    session_schema_url(&state.database_url, id)
}

/// `url` with its `search_path` set to the session's own schema.
fn session_schema_url(url: &str, id: &str) -> String {
    let schema: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3Dsmc_session_{schema}")
}

#[cfg(test)]
mod tests {
    use super::session_schema_url;

    #[test]
    fn each_session_gets_its_own_schema() {
        assert_eq!(
            session_schema_url("postgres://h/db", "Paper-1"),
            "postgres://h/db?options=-c%20search_path%3Dsmc_session_paper_1"
        );
        assert_eq!(
            session_schema_url("postgres://h/db?sslmode=require", "x"),
            "postgres://h/db?sslmode=require&options=-c%20search_path%3Dsmc_session_x"
        );
    }
}
