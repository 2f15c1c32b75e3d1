//! Starting the simulator: load the market, build the state, bind
//! 127.0.0.1, serve HTTP and WebSocket with axum, and run the replay task
//! that releases candles at the configured speed.

use crate::config::{KeyConfig, Protocol, SimConfig};
use crate::error::SimError;
use crate::faults::{FaultSet, parse_spec};
use crate::market::Market;
use crate::state::{Shared, now_ms};
use crate::{bybit, control, http, oanda, streams};
use axum::Router;
use axum::routing::{any, get, post};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// A running simulator. Dropping it stops the server and the replay.
#[derive(Debug)]
pub struct RunningSim {
    pub addr: SocketAddr,
    /// The keys it accepts (generated ones included).
    pub keys: Vec<KeyConfig>,
    /// Whether the keys were generated (no key was configured).
    pub generated_keys: bool,
    pub shared: Arc<Shared>,
    /// The protocol it speaks and the book it quotes, for its banner.
    pub protocol: Protocol,
    pub book: crate::config::BookShape,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits until the server stops (it runs until the process ends).
    pub async fn wait(mut self) {
        if let Some(server) = self.tasks.pop() {
            let _ = server.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The control endpoints, the same under either protocol.
fn control_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/__sim/faults",
            get(control::get_faults)
                .put(control::set_faults)
                .post(control::set_faults)
                .delete(control::clear_faults),
        )
        .route(
            "/__sim/keys/{key}/withdrawals",
            post(control::set_withdrawals),
        )
        .route("/__sim/state", get(control::state))
}

/// The protocol's routes, and a background task of the protocol's own.
fn router(shared: Arc<Shared>, protocol: Protocol) -> (Router, Option<JoinHandle<()>>) {
    match protocol {
        Protocol::Binance => (
            Router::new()
                .route("/ws", get(streams::ws_root))
                .route("/ws-api/v3", get(streams::ws_api))
                .route("/ws/{*streams}", get(streams::ws_path))
                .route("/stream", get(streams::ws_combined))
                .merge(control_routes())
                .fallback(any(http::dispatch))
                .with_state(shared),
            None,
        ),
        Protocol::Bybit => {
            let (routes, task) = bybit::router(shared.clone());
            (
                routes.merge(control_routes().with_state(shared)),
                Some(task),
            )
        }
        Protocol::Oanda => {
            let (routes, task) = oanda::router(shared.clone());
            (
                routes.merge(control_routes().with_state(shared)),
                Some(task),
            )
        }
    }
}

/// Releases candles at the market's pace until every series ran out.
async fn replay(shared: Arc<Shared>) {
    loop {
        let target = shared.market.step_at(now_ms());
        shared.advance(target);
        if shared.market.finished(target) {
            return;
        }
        let wait = shared.market.release_time(target + 1) - now_ms();
        tokio::time::sleep(Duration::from_millis(wait.clamp(1, 60_000) as u64)).await;
    }
}

/// Starts a simulator (call inside a Tokio runtime).
pub async fn start(config: SimConfig) -> Result<RunningSim, SimError> {
    let faults = FaultSet {
        faults: parse_spec(&config.faults)?,
    };
    let mut seen = BTreeSet::new();
    for k in &config.keys {
        if !seen.insert(k.key.clone()) {
            return Err(SimError::DuplicateKey(k.key.clone()));
        }
    }
    let generated_keys = config.keys.is_empty();
    let keys = if generated_keys {
        vec![KeyConfig::generate()]
    } else {
        config.keys.clone()
    };
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
        .await
        .map_err(|source| SimError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        port: config.port,
        source,
    })?;
    let start = now_ms();
    let market = Market::load(&config, start)?;
    let shared = Arc::new(Shared::new(&config, market, &keys, faults, start));
    let (app, protocol_task) = router(shared.clone(), config.protocol);
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let replay_task = tokio::spawn(replay(shared.clone()));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(RunningSim {
        addr,
        keys,
        generated_keys,
        shared,
        protocol: config.protocol,
        book: config.book,
        // The server last: `wait` awaits it.
        tasks: protocol_task
            .into_iter()
            .chain([replay_task, server])
            .collect(),
    })
}
