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
use smc_store::Store;
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
    pub store: Arc<Store>,
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
