//! The event stream on NATS JetStream (issue 19): every event of a
//! session's bus published on `smc.<session>.<kind>.<venue>.<symbol>` in a
//! versioned JSON envelope, on a persistent stream with the configured
//! retention, without ever making the session wait; and the reader other
//! processes use to follow it. The subjects, the envelope and the kinds of
//! every event are described in this crate's README.

#![forbid(unsafe_code)]

/// Connecting, and the stream's creation with its retention.
pub mod connect;
/// The JSON of each message.
pub mod envelope;
/// Errors, each naming the server or stream.
pub mod error;
/// A session's bus to the stream.
pub mod publisher;
/// Reading the stream from another process.
pub mod reader;
/// Attaching a publisher where sessions are made.
pub mod session;
/// `smc run`'s session id.
pub mod session_id;
/// Subjects: each event's kind, venue and symbol.
pub mod subject;

pub use envelope::{Envelope, SCHEMA};
pub use error::StreamError;
pub use publisher::{Options, Publisher, Report};
pub use reader::{Reader, Record, Start, subscribe};
pub use subject::Kind;
