//! Starting the server: the config and store, the signing key, the first
//! admin, the default paper session (ready, not started), then the
//! listener, until a shutdown signal stops it and its sessions.

use crate::app::app;
use crate::auth::revocations::Revocations;
use crate::auth::throttle::LoginThrottle;
use crate::clock::ServerClock;
use crate::host::SessionHost;
use crate::host::request::SessionRequest;
use crate::hub::Hub;
use crate::jobs::Jobs;
use crate::limits::RateLimits;
use crate::role::Role;
use crate::state::{AppState, Inner};
use smc_auth::cipher::MasterKey;
use smc_auth::jwt::JwtKeys;
use smc_config::Config;
use smc_metrics::Metrics;
use smc_store::{ServerStore, UserRecord};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] smc_config::ConfigError),
    #[error(transparent)]
    Store(#[from] smc_store::StoreError),
    #[error("{0}")]
    Auth(#[from] smc_auth::AuthError),
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        listen: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Setting(String),
    /// A file of `api.tls` missing, unreadable, malformed or mismatched.
    #[error("api.tls: {}: {reason}", path.display())]
    Tls { path: PathBuf, reason: String },
}

/// What `smc serve` was asked.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    pub config: Option<PathBuf>,
    /// `HOST:PORT` (default: `api.listen`, else 127.0.0.1:8080).
    pub listen: Option<String>,
    /// The server's database (default: `storage.database_url`).
    pub db: Option<String>,
    /// `SMC_ADMIN_PASSWORD`, for the first start.
    pub admin_password: Option<String>,
    /// `SMC_MASTER_KEY`.
    pub master_key: Option<String>,
    /// `SMC_METRICS_TOKEN` (wins over `api.metrics_token`).
    pub metrics_token: Option<String>,
    /// `--replica`: host no sessions; read them from Redis
    /// (`storage.redis_url`, required).
    pub replica: bool,
}

/// The state, and the generated admin password when one was made.
pub fn build_state(options: &ServeOptions) -> Result<(AppState, Option<String>), ServeError> {
    let config = match &options.config {
        Some(path) => smc_config::load(path)?,
        None => Config::default(),
    };
    if let Some(tls) = &config.api.tls {
        // Checked now, so a bad certificate or key stops the start early.
        crate::tls::server_config(tls)?;
    }
    let url = options
        .db
        .clone()
        .unwrap_or_else(|| config.storage.database_url.clone());
    // SQLite or PostgreSQL, by the URL; hosted sessions journal beside it
    // (`state::session_journal_url`).
    let store: Arc<dyn ServerStore> = Arc::from(smc_store::open_server_store(&url)?);
    let secret = store.setting_or_insert("jwt_secret", &hex::encode(JwtKeys::generate_secret()))?;
    let secret = hex::decode(secret)
        .map_err(|e| ServeError::Setting(format!("server_settings.jwt_secret: {e}")))?;
    let master_key = MasterKey::load(
        options.master_key.as_deref(),
        config.api.master_key_file.as_deref(),
    )?;
    let clock = ServerClock::default();
    let generated = first_admin(store.as_ref(), options.admin_password.as_deref(), &clock)?;
    let host = SessionHost::default();
    let redis_url = config.storage.redis_url.clone();
    let replica = replica(options.replica, redis_url.as_deref())?;
    if replica.is_none() {
        host.define("default", SessionRequest::default());
    }
    let api = &config.api;
    let limits = match &redis_url {
        Some(url) => RateLimits::shared(api.rate_limit, url)
            .map_err(|e| ServeError::Setting(e.to_string()))?,
        None => RateLimits::new(api.rate_limit),
    };
    let inner = Inner {
        store,
        database_url: url,
        jwt: JwtKeys::new(&secret)?,
        limits,
        throttle: LoginThrottle::new(
            api.login_throttle.max_failures,
            api.login_throttle.window_minutes,
        ),
        revocations: Revocations::default(),
        allowlist: api.allowlist(),
        metrics_token: options
            .metrics_token
            .clone()
            .or_else(|| api.metrics_token.clone()),
        master_key,
        metrics: Metrics::new(),
        hub: Hub::default(),
        host,
        jobs: Jobs::default(),
        vitals: crate::vitals::Vitals::default(),
        started_at_ms: clock.now().ms(),
        replica,
        clock,
        config_path: options.config.clone(),
        config: RwLock::new(config),
    };
    Ok((AppState(Arc::new(inner)), generated))
}

/// The replica's cache link on `--replica` (which needs `redis_url`).
fn replica(
    asked: bool,
    redis_url: Option<&str>,
) -> Result<Option<Arc<crate::replica::Replica>>, ServeError> {
    match (asked, redis_url) {
        (false, _) => Ok(None),
        (true, None) => Err(ServeError::Setting(
            "--replica reads the sessions from Redis: set storage.redis_url (or REDIS_URL)".into(),
        )),
        (true, Some(url)) => crate::replica::Replica::new(url)
            .map(|r| Some(Arc::new(r)))
            .map_err(|e| ServeError::Setting(e.to_string())),
    }
}

/// With no users, creates `admin` with `password`, or a generated one
/// (returned, to be shown once).
fn first_admin(
    store: &dyn ServerStore,
    password: Option<&str>,
    clock: &ServerClock,
) -> Result<Option<String>, ServeError> {
    if store.user_count()? > 0 {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => {
            smc_auth::password::check_policy(p)
                .map_err(|e| ServeError::Setting(format!("SMC_ADMIN_PASSWORD: {e}")))?;
            (p.to_string(), None)
        }
        None => {
            let p = smc_auth::token::random_token("")
                .chars()
                .take(24)
                .collect::<String>();
            (p.clone(), Some(p))
        }
    };
    store.user_create(&UserRecord {
        username: "admin".into(),
        password_hash: smc_auth::password::hash(&password)?,
        role: Role::Admin.as_str().into(),
        totp_secret: None,
        totp_pending: None,
        created_at: clock.now(),
    })?;
    Ok(generated)
}

/// The address to listen on.
pub fn listen_addr(options: &ServeOptions, state: &AppState) -> Result<SocketAddr, ServeError> {
    let listen = options
        .listen
        .clone()
        .unwrap_or_else(|| state.config_read(|c| c.api.listen.clone()));
    listen
        .parse()
        .map_err(|_| ServeError::Setting(format!("--listen `{listen}` is not HOST:PORT")))
}

/// Serves on `listener` until `shutdown` resolves; then stops the sessions.
/// HTTPS when the config has `api.tls`, else plain HTTP.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let tls = match state.config_read(|c| c.api.tls.clone()) {
        Some(tls) => Some(crate::tls::server_config(&tls)?),
        None => None,
    };
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let snapshots = tokio::spawn(system_snapshots(state.clone()));
    let cache = crate::cache_publish::spawn(&state);
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let served = match tls {
        None => {
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        }
        Some(config) => match crate::tls::listener(listener, config) {
            Ok(listener) => {
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Err(e) => Err(e),
        },
    };
    let served = served.map_err(|source| ServeError::Listen {
        listen: "the listener".into(),
        source,
    });
    housekeeping.abort();
    snapshots.abort();
    if let Some(cache) = cache {
        cache.abort();
    }
    let host = state.clone();
    let _ = tokio::task::spawn_blocking(move || host.host.stop_all()).await;
    served
}

/// Publishes the system snapshot on the hub's `system` topic every
/// [`SNAPSHOT_EVERY`] (skipped while no client listens).
async fn system_snapshots(state: AppState) {
    let mut tick = tokio::time::interval(SNAPSHOT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if state.hub.has_clients() {
            let snapshot = crate::routes::system::snapshot(&state);
            state.hub.publish("system", &snapshot);
        }
    }
}

/// How often the `system` topic gets a snapshot.
pub const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);

/// Forgets rate-limit and revocation entries that can no longer matter.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        state.limits.prune();
        state
            .revocations
            .prune(state.clock.unix(), state.access_ttl());
    }
}
