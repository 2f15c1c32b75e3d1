//! Capped exponential backoff with jitter. The ceiling doubles per attempt
//! up to `cap`; each delay is drawn between half the ceiling and the
//! ceiling ("equal jitter"), so clients that lost the same connection do
//! not come back in lockstep, yet never retry in a tight loop. Seeded, so a
//! test sees the same delays every run.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base_ms: u64,
    cap_ms: u64,
    attempt: u32,
    rng: ChaCha8Rng,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Self {
        let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX).max(1);
        let cap_ms = u64::try_from(cap.as_millis())
            .unwrap_or(u64::MAX)
            .max(base_ms);
        Backoff {
            base_ms,
            cap_ms,
            attempt: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Attempts since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let shift = self.attempt.min(32);
        let ceiling = self.base_ms.saturating_mul(1u64 << shift).min(self.cap_ms);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        Duration::from_millis(half + self.rng.random_range(0..=ceiling - half))
    }

    /// Back to the first attempt (after a connection proved healthy).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_jittered() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2), 7);
        let d: Vec<u64> = (0..8).map(|_| b.next_delay().as_millis() as u64).collect();
        assert!((50..=100).contains(&d[0]), "{d:?}");
        assert!((100..=200).contains(&d[1]), "{d:?}");
        assert!(d[6..].iter().all(|&x| (1000..=2000).contains(&x)), "{d:?}");
        let mut again = Backoff::new(Duration::from_millis(100), Duration::from_secs(2), 7);
        let d2: Vec<u64> = (0..8)
            .map(|_| again.next_delay().as_millis() as u64)
            .collect();
        assert_eq!(d, d2, "seeded: same delays every run");
        let mut other = Backoff::new(Duration::from_millis(100), Duration::from_secs(2), 8);
        let d3: Vec<u64> = (0..8)
            .map(|_| other.next_delay().as_millis() as u64)
            .collect();
        assert_ne!(d, d3, "another seed jitters differently");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
