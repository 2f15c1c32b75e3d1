//! The primary's side of the Redis cache (`storage.redis_url`): every
//! [`POLL_EVERY`], each hosted session whose view changed since it was
//! last handed over becomes a [`SessionSnapshot`] (the very answers the
//! session routes give, so that a replica reading them answers alike) for
//! the cache's writer, which writes it off this path. The session's own
//! thread never waits on any of this; with Redis down the sessions trade
//! on and the writer catches up when it is back.

use crate::host::{Hosted, SessionState};
use crate::routes::{config, sessions, system};
use crate::state::AppState;
use serde_json::{Value, json};
use smc_cache::{CacheWriter, SessionSnapshot};
use std::collections::BTreeMap;
use std::sync::PoisonError;
use std::time::Duration;

/// How often the views are looked at.
pub const POLL_EVERY: Duration = Duration::from_millis(100);

/// Starts the publisher when `storage.redis_url` is set and this server
/// hosts sessions (not a replica).
pub fn spawn(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    if state.replica.is_some() {
        return None;
    }
    let url = state.config_read(|c| c.storage.redis_url.clone())?;
    match CacheWriter::start(&url, smc_cache::DEFAULT_TTL) {
        Ok(writer) => {
            tracing::info!(
                "writing the hosted sessions' state to Redis (expiry {} s)",
                smc_cache::DEFAULT_TTL.as_secs()
            );
            Some(tokio::spawn(run(state.clone(), writer)))
        }
        Err(e) => {
            tracing::warn!("no session cache: {e}");
            None
        }
    }
}

async fn run(state: AppState, writer: CacheWriter) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut handed: BTreeMap<String, (u64, SessionState)> = BTreeMap::new();
    loop {
        tick.tick().await;
        let snapshots = state.host.with_sessions(|s| {
            s.values()
                .filter_map(|h| {
                    let version = h
                        .view
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .version;
                    let mark = (version, h.state);
                    if handed.get(&h.id) == Some(&mark) {
                        return None;
                    }
                    handed.insert(h.id.clone(), mark);
                    Some(snapshot(&state, h))
                })
                .collect::<Vec<_>>()
        });
        for s in snapshots {
            writer.publish(s);
        }
    }
}

/// Session `h` as the cache keeps it.
pub fn snapshot(state: &AppState, h: &Hosted) -> SessionSnapshot {
    let (groups, var_confidence, traded) = state.config_read(|c| {
        let r = &c.risk_manager;
        (
            r.correlated_groups.clone(),
            r.max_portfolio_var_percent.map(|_| r.var_confidence),
            h.request.traded(c),
        )
    });
    let info = sessions::info(h);
    let mut v = h.view.lock().unwrap_or_else(PoisonError::into_inner);
    let health = system::SessionHealth::of(h, &v);
    let to = |x: serde_json::Result<Value>| x.unwrap_or(Value::Null);
    let mut parts = BTreeMap::new();
    let positions: Vec<_> = v.positions.values().collect();
    parts.insert("positions".into(), to(serde_json::to_value(positions)));
    let orders: Vec<_> = v.orders.values().collect();
    parts.insert("orders".into(), to(serde_json::to_value(orders)));
    parts.insert("fills".into(), to(serde_json::to_value(&v.fills)));
    parts.insert(
        "equity".into(),
        to(serde_json::to_value(sessions::pnl_of(&v))),
    );
    parts.insert("breakers".into(), to(serde_json::to_value(&v.breakers)));
    parts.insert("health".into(), to(serde_json::to_value(&health)));
    parts.insert("detections".into(), to(serde_json::to_value(&v.detections)));
    parts.insert(
        "risk".into(),
        config::session_risk(&h.id, &mut v, &groups, var_confidence),
    );
    SessionSnapshot {
        id: h.id.clone(),
        summary: json!({
            "info": to(serde_json::to_value(&info)),
            "symbols": traded,
            "candles": v.candles,
        }),
        parts,
    }
}
