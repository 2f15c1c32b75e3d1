//! Reading the events stream from another process (the API server, alerts,
//! `smc events tail`): the messages of one subject filter, in stream order,
//! from a sequence number, a time, the beginning or only new ones; up to the
//! stream's current end, or following it. An ordered consumer (ephemeral,
//! unacknowledged, recreated by the client after a gap), with one filter
//! subject: nothing nats-server 2.9 lacks.

use crate::error::StreamError;
use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_nats::jetstream::{self, Message};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::{Stream, StreamExt};

/// Where reading starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The oldest message the stream holds.
    All,
    /// The first message at or after this stream sequence.
    Seq(u64),
    /// The first message stored at or after this time.
    Time(DateTime<Utc>),
    /// Only messages stored from now on.
    New,
}

/// One message of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub subject: String,
    /// The stream's sequence number of the message.
    pub seq: u64,
    /// When the stream stored it.
    pub time: DateTime<Utc>,
    /// The published JSON (an [`crate::Envelope`] for smc's publishers).
    pub envelope: serde_json::Value,
}

impl Record {
    /// `{"subject","seq","time","event"}`: `smc events tail`'s line, with
    /// `time` in RFC 3339 UTC and `event` the published JSON.
    pub fn line(&self) -> serde_json::Value {
        serde_json::json!({
            "subject": self.subject,
            "seq": self.seq,
            "time": self.time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            "event": self.envelope,
        })
    }
}

/// Messages of a filter, in order.
pub struct Reader {
    messages: pull::Ordered,
    follow: bool,
    /// Reached the end (not following).
    ended: bool,
}

/// Reads `filter` (a subject pattern such as `smc.*.fill.>`) of `stream`
/// from `start`; up to the messages stored now, or, with `follow`, on and
/// on as new ones arrive.
pub async fn subscribe(
    js: &jetstream::Context,
    stream: &str,
    filter: &str,
    start: Start,
    follow: bool,
) -> Result<Reader, StreamError> {
    let consumer_error = |message: String| StreamError::Consumer {
        stream: stream.to_string(),
        filter: filter.to_string(),
        message,
    };
    let deliver_policy = match start {
        Start::All => DeliverPolicy::All,
        Start::Seq(seq) => DeliverPolicy::ByStartSequence {
            start_sequence: seq.max(1),
        },
        Start::Time(t) => DeliverPolicy::ByStartTime {
            start_time: async_nats::datetime::from_nanos(i128::from(
                t.timestamp_nanos_opt().unwrap_or(i64::MAX),
            ))
            .map_err(|e| consumer_error(format!("start time {t}: {e}")))?,
        },
        Start::New => DeliverPolicy::New,
    };
    let handle = js
        .get_stream(stream)
        .await
        .map_err(|e| StreamError::Stream {
            stream: stream.to_string(),
            message: e.to_string(),
        })?;
    let mut consumer = handle
        .create_consumer(pull::OrderedConfig {
            filter_subject: filter.to_string(),
            deliver_policy,
            ..pull::OrderedConfig::default()
        })
        .await
        .map_err(|e| consumer_error(e.to_string()))?;
    let pending = consumer
        .info()
        .await
        .map_err(|e| consumer_error(e.to_string()))?
        .num_pending;
    let messages = consumer
        .messages()
        .await
        .map_err(|e| consumer_error(e.to_string()))?;
    Ok(Reader {
        messages,
        follow,
        ended: !follow && pending == 0,
    })
}

impl Reader {
    /// The next message; `None` at the end (when not following).
    pub async fn next(&mut self) -> Option<Result<Record, StreamError>> {
        if self.ended {
            return None;
        }
        let message = match self.messages.next().await? {
            Ok(m) => m,
            Err(e) => {
                return Some(Err(StreamError::Message {
                    seq: 0,
                    message: e.to_string(),
                }));
            }
        };
        let record = record(&message);
        if let Ok(info) = message.info()
            && info.pending == 0
            && !self.follow
        {
            self.ended = true;
        }
        Some(record)
    }

    /// The messages as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Record, StreamError>> {
        futures_util::stream::unfold(self, |mut reader| async move {
            let next = reader.next().await?;
            Some((next, reader))
        })
    }
}

fn record(message: &Message) -> Result<Record, StreamError> {
    let info = message.info().map_err(|e| StreamError::Message {
        seq: 0,
        message: format!("no JetStream metadata: {e}"),
    })?;
    let seq = info.stream_sequence;
    let nanos = info.published.unix_timestamp_nanos();
    let time = DateTime::from_timestamp_nanos(i64::try_from(nanos).unwrap_or(i64::MAX));
    let envelope = serde_json::from_slice(&message.payload).map_err(|e| StreamError::Message {
        seq,
        message: format!("not JSON: {e}"),
    })?;
    Ok(Record {
        subject: message.subject.to_string(),
        seq,
        time,
        envelope,
    })
}
