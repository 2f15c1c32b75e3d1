//! The venue-neutral error of the venue interfaces: what went wrong, in
//! the venue's words, and what it means for the caller — above all whether
//! a request was sent (an order's outcome is then unknown, never "not
//! placed"), refused by the venue, or throttled until a time.

use crate::net::NetError;

/// What kind of failure, for the caller's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenueErrorKind {
    /// Never sent: bad input, a rule the order breaks, the local rate
    /// limiter, or no connection. Nothing reached the venue.
    NotSent,
    /// Sent, but the answer was lost (timeout, 5xx, broken transport): an
    /// order's outcome is unknown until a query or the stream tells.
    Unknown,
    /// The venue refused the request with its own error code.
    Refused { code: i64 },
    /// The venue rate-limited or banned this client until `until_ms`.
    Throttled { until_ms: i64 },
    /// The venue's answer did not parse.
    Malformed,
    /// The venue does not offer this.
    Unsupported,
}

impl VenueErrorKind {
    /// What a transport failure means for the caller, the same at every
    /// venue: refused locally or never connected is not sent; a 429 or a
    /// ban throttles until the time it names; anything else may have
    /// reached the venue.
    pub(crate) fn of_net(e: &NetError) -> Self {
        match e {
            NetError::Limited { .. } | NetError::Connect { .. } => VenueErrorKind::NotSent,
            NetError::TooManyRequests { until_ms, .. } | NetError::Banned { until_ms, .. } => {
                VenueErrorKind::Throttled {
                    until_ms: *until_ms,
                }
            }
            _ => VenueErrorKind::Unknown,
        }
    }
}

/// A failed venue call: its kind and the full message (request path,
/// venue code and text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VenueError {
    pub kind: VenueErrorKind,
    pub message: String,
}

impl VenueError {
    pub fn new(kind: VenueErrorKind, message: impl Into<String>) -> Self {
        VenueError {
            kind,
            message: message.into(),
        }
    }

    /// Whether the request may have reached the venue.
    pub fn was_sent(&self) -> bool {
        !matches!(self.kind, VenueErrorKind::NotSent)
    }
}

/// The result of a venue call.
pub type VenueResult<T> = Result<T, VenueError>;
