//! The JSON each stream message carries (schema 1):
//!
//! ```json
//! {"schema":1,"session":"paper-1a2b3c4d5e6f","n":42,"kind":"fill",
//!  "venue":"binance","symbol":"BTCUSDT","time":1764979200000,
//!  "event":{"type":"fill",…}}
//! ```
//!
//! `event` is the session event exactly as `smc run` prints it; `venue` and
//! `symbol` are the raw values (null where none applies), the subject holds
//! them made safe for NATS. `n` counts the session's events as the publisher
//! saw them (from 1 for each process), dropped ones included, so a gap in
//! `n` is events lost. `time` is when the publisher took the event from the
//! session (epoch ms); engine events carry their own time inside `event`.
//! Readers must ignore keys they do not know; a change that removes or
//! changes the meaning of a key raises `schema`.

use crate::subject::Kind;
use serde::{Deserialize, Serialize};

/// The version of the envelope this crate writes.
pub const SCHEMA: u32 = 1;

/// One published event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub schema: u32,
    pub session: String,
    pub n: u64,
    pub kind: String,
    pub venue: Option<String>,
    pub symbol: Option<String>,
    pub time: i64,
    pub event: serde_json::Value,
}

impl Envelope {
    /// The envelope of `event` (already serialized) for `session`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        session: &str,
        n: u64,
        kind: Kind,
        venue: Option<String>,
        symbol: Option<String>,
        time: i64,
        event: serde_json::Value,
    ) -> Self {
        Envelope {
            schema: SCHEMA,
            session: session.to_string(),
            n,
            kind: kind.as_str().to_string(),
            venue,
            symbol,
            time,
            event,
        }
    }
}
