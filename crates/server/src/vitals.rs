//! The server's own vital signs for `GET /api/v1/system` and the hub's
//! `system` snapshots: the durations of its most recent requests (a
//! bounded ring the access layer feeds), its WebSocket clients, its
//! resident memory and what it was built from.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use utoipa::ToSchema;

/// Requests whose durations the latency quantiles are over.
pub const REQUEST_WINDOW: usize = 4_096;

/// What the server counts of itself.
#[derive(Debug, Default)]
pub struct Vitals {
    /// Durations of the most recent requests, in microseconds.
    requests: Mutex<VecDeque<u64>>,
    ws_clients: AtomicI64,
}

/// Quantiles of recent request durations, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ApiLatency {
    /// Null before the first request.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    /// Requests the quantiles are over: the most recent, at most 4,096.
    pub count: usize,
}

impl Vitals {
    /// Notes a request that took `elapsed`.
    pub fn request(&self, elapsed: Duration) {
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let mut ring = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        if ring.len() == REQUEST_WINDOW {
            ring.pop_front();
        }
        ring.push_back(us);
    }

    /// p50, p95 and p99 of the recent requests.
    pub fn api_latency(&self) -> ApiLatency {
        let mut sorted: Vec<u64> = self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect();
        sorted.sort_unstable();
        let ms = |q| crate::host::health::nearest_rank(&sorted, q).map(|us| us as f64 / 1_000.0);
        ApiLatency {
            p50: ms(0.50),
            p95: ms(0.95),
            p99: ms(0.99),
            count: sorted.len(),
        }
    }

    /// A WebSocket client came (`1`) or went (`-1`).
    pub fn ws_clients_add(&self, delta: i64) {
        self.ws_clients.fetch_add(delta, Ordering::Relaxed);
    }

    /// Connected WebSocket clients.
    pub fn ws_clients(&self) -> u64 {
        u64::try_from(self.ws_clients.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

/// Resident memory of the process (`VmRSS` of `/proc/self/status`);
/// `None` off Linux or when the file cannot be read.
pub fn memory_rss_bytes() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let text = std::fs::read_to_string("/proc/self/status").ok()?;
        smc_metrics::process::parse_status(&text)
            .ok()
            .map(|s| s.resident_bytes)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The commit HEAD named when the server was built (`git rev-parse`, by
/// the build script; uncommitted changes are not reflected), when git was
/// there to ask.
pub const GIT_COMMIT: Option<&str> = option_env!("SMC_GIT_COMMIT");

/// `rustc --version` of the build, when the build script could ask.
pub const RUSTC_VERSION: Option<&str> = option_env!("SMC_RUSTC_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_quantiles_over_a_bounded_window() {
        let v = Vitals::default();
        assert_eq!(v.api_latency().p50, None);
        assert_eq!(v.api_latency().count, 0);
        for _ in 0..REQUEST_WINDOW {
            v.request(Duration::from_secs(5));
        }
        for ms in 1..=100 {
            v.request(Duration::from_millis(ms));
        }
        let l = v.api_latency();
        assert_eq!(l.count, REQUEST_WINDOW);
        assert_eq!(l.p50, Some(5_000.0));
        v.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        for ms in 1..=100 {
            v.request(Duration::from_millis(ms));
        }
        let l = v.api_latency();
        assert_eq!((l.p50, l.p95, l.p99), (Some(50.0), Some(95.0), Some(99.0)));
    }

    #[test]
    fn ws_clients_and_memory() {
        let v = Vitals::default();
        v.ws_clients_add(1);
        v.ws_clients_add(1);
        v.ws_clients_add(-1);
        assert_eq!(v.ws_clients(), 1);
        #[cfg(target_os = "linux")]
        assert!(memory_rss_bytes().is_some_and(|b| b > 1_000_000));
    }
}
