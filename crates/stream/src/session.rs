//! Attaching the publisher to a session's bus where sessions are made
//! (`smc run`, `smc serve`): on when the session's `streaming.nats_url` or
//! the environment's `NATS_URL` names a server, off otherwise.

use crate::error::StreamError;
use crate::publisher::{DRAIN, Options, Publisher};
use smc_config::streaming::{StreamingConfig, check_url};
use smc_runtime::{EventBus, SessionSpec};

/// The session's streaming settings with a server to publish to, if any:
/// its config's (where `NATS_URL` already applies), else `NATS_URL` with
/// the default stream and retention.
pub fn settings(spec: &SessionSpec) -> Result<Option<StreamingConfig>, StreamError> {
    let mut streaming = spec
        .config
        .as_ref()
        .map(|c| c.streaming.clone())
        .unwrap_or_default();
    if streaming.nats_url.is_none()
        && let Ok(url) = std::env::var("NATS_URL")
    {
        check_url(&url).map_err(|m| StreamError::Publisher(format!("NATS_URL: {m}")))?;
        streaming.nats_url = Some(url);
    }
    Ok(streaming.nats_url.is_some().then_some(streaming))
}

/// A publisher on `bus` for the session `spec` describes, published as
/// `session` (the subjects' second token); `None` when no server is set.
pub fn attach(
    session: &str,
    spec: &SessionSpec,
    bus: &EventBus,
) -> Result<Option<Publisher>, StreamError> {
    let Some(streaming) = settings(spec)? else {
        return Ok(None);
    };
    let url = streaming.nats_url.clone().unwrap_or_default();
    let publisher = Publisher::attach(
        bus,
        Options {
            session: session.to_string(),
            venue: Some(spec.venue_spec().venue.as_str().to_string()),
            streaming,
            drain: DRAIN,
        },
    )?;
    tracing::info!(
        "event stream: publishing smc.{}.> to {url}",
        crate::subject::token(session)
    );
    Ok(Some(publisher))
}
