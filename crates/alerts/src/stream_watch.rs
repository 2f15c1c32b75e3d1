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

/// `smc alerts watch`: the rules of `config.alerts` over `subject` on the
/// NATS server `nats` (else `streaming.nats_url`), from `from_seq` (else
/// new events only), until the process is stopped; the outbox beside the
/// config's journal unless `alerts.outbox` says.
pub fn run(
    config: &smc_config::Config,
    nats: Option<String>,
    subject: &str,
    from_seq: Option<u64>,
) -> Result<(), AlertError> {
    let bad = |m: String| AlertError::Config(m);
    let alerts = config
        .alerts
        .as_ref()
        .ok_or_else(|| bad("no `alerts:` section".into()))?;
    let url = nats
        .or_else(|| config.streaming.nats_url.clone())
        .ok_or_else(|| {
            bad("no NATS server: give --nats URL, streaming.nats_url or NATS_URL".into())
        })?;
    smc_config::streaming::check_url(&url).map_err(|m| bad(format!("NATS URL: {m}")))?;
    let alerter = crate::start(alerts, &config.storage.database_url)?;
    let start = from_seq.map_or(smc_stream::Start::New, smc_stream::Start::Seq);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AlertError::Runtime(e.to_string()))?;
    let stream_error =
        |e: smc_stream::StreamError| AlertError::Runtime(format!("event stream: {e}"));
    runtime.block_on(async {
        let client = smc_stream::connect::connect(&url)
            .await
            .map_err(stream_error)?;
        let js = smc_stream::connect::jetstream(client);
        let reader = smc_stream::subscribe(&js, &config.streaming.stream, subject, start, true)
            .await
            .map_err(stream_error)?;
        tracing::info!("alerts: watching {subject} on {url}");
        watch(reader, &alerts.rules, &alerter).await
    })
}
