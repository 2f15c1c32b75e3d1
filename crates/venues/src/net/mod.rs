//! The network layer every venue shares. Nothing here knows a venue: the
//! venue modules supply their signing payloads, metering headers and
//! subscription frames.

/// Capped, jittered exponential backoff for reconnects and retries.
pub mod backoff;
/// The HTTP client: rate-limited, never retries an order placement.
pub mod http;
/// Request weight and order-count budgets per metering scope.
pub mod rate_limit;
/// Request signing (HMAC-SHA256) and secrets that never print.
pub mod signer;
/// The offset between the local clock and the venue's clock.
pub mod time_offset;
/// The WebSocket client: heartbeats, reconnects, resubscription.
pub mod ws;

pub use backoff::Backoff;
pub use http::{HttpClient, HttpConfig, HttpRequest, HttpResponse, Method, NetError, RequestKind};
pub use rate_limit::{Cost, Limit, LimitKind, RateLimiter, Refusal, Scope};
pub use signer::{Credentials, HmacSha256Signer, RequestSigner, Secret};
pub use time_offset::TimeOffset;
pub use ws::{WsClient, WsConfig, WsEvent};
