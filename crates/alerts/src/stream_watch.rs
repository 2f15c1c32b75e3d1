//! Alerts from the NATS event stream instead of a session's bus: one
//! process (`smc alerts watch`) runs the same rules over every session
//! that publishes to the stream, so alerting can live beside the API
//! replicas rather than inside the trading process. One watcher per
//! session (the envelope's `session`), ticked every second.

use crate::alerter::Alerter;
use crate::error::AlertError;
use crate::rules::Watcher;
use smc_config::alerts::AlertRules;
use smc_model::{Clock, WallClock};
use smc_stream::Reader;
use std::collections::BTreeMap;
use std::time::Duration;

/// Runs the rules over `reader`'s messages until it ends (or fails),
/// raising on `alerter`.
pub async fn watch(
    mut reader: Reader,
    rules: &AlertRules,
    alerter: &Alerter,
) -> Result<(), AlertError> {
    let mut watchers: BTreeMap<String, Watcher> = BTreeMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            record = reader.next() => match record {
                Some(Ok(record)) => {
                    let Some(session) = record.envelope["session"].as_str() else { continue };
                    let watcher = watchers
                        .entry(session.to_string())
                        .or_insert_with(|| Watcher::new(rules.clone(), session));
                    alerter.raise(watcher.observe_json(&record.envelope["event"], WallClock.now()));
                }
                Some(Err(e)) => return Err(AlertError::Runtime(format!("event stream: {e}"))),
                None => return Ok(()),
            },
            _ = tick.tick() => {
                for watcher in watchers.values_mut() {
                    alerter.raise(watcher.tick(WallClock.now()));
                }
            }
        }
    }
}
