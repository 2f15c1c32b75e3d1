//! The names of the keys the cache writes: one place, so that the writer,
//! the reader and the documentation agree.

/// The hash of every session's summary.
pub const SESSIONS: &str = "smc:sessions";

/// The parts of a session, each under its own key.
pub const PARTS: [&str; 9] = [
    "summary",
    "positions",
    "orders",
    "equity",
    "breakers",
    "health",
    "risk",
    "detections",
    "fills",
];

/// The key of `part` of session `id`.
pub fn part(id: &str, part: &str) -> String {
    format!("smc:session:{id}:{part}")
}

/// The counters of rate-limit key `key`: the counter script appends
/// `:<window number>`.
pub fn counter(key: &str) -> String {
    format!("smc:ratelimit:{key}")
}
