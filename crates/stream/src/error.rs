//! What can go wrong between a session or a reader and NATS, each naming
//! the server or the stream.

/// An event-stream error.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("NATS {url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("JetStream stream {stream}: {message}")]
    Stream { stream: String, message: String },
    #[error("JetStream consumer on {stream} ({filter}): {message}")]
    Consumer {
        stream: String,
        filter: String,
        message: String,
    },
    #[error("stream message {seq}: {message}")]
    Message { seq: u64, message: String },
    #[error("the event publisher: {0}")]
    Publisher(String),
}
