//! Login throttling: failed logins are counted per username and per client
//! address over a sliding window; past the limit, logins are refused with
//! 429 until the oldest failure leaves the window. A success clears the
//! username's count (not the address's: one address guessing many names
//! stays throttled).

use smc_model::Timestamp;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window_ms: i64,
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window_minutes: u32) -> LoginThrottle {
        LoginThrottle {
            max_failures: usize::try_from(max_failures).unwrap_or(usize::MAX).max(1),
            window_ms: i64::from(window_minutes.max(1)) * 60_000,
            failures: Mutex::default(),
        }
    }

    /// Seconds until `keys` may try again, if any of them is throttled.
    pub fn blocked(&self, keys: &[String], now: Timestamp) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| {
                let times = map.get_mut(k)?;
                self.expire(times, now);
                let oldest = *times.front()?;
                (times.len() >= self.max_failures).then(|| {
                    u64::try_from((oldest + self.window_ms - now.ms()).div_euclid(1000) + 1)
                        .unwrap_or(1)
                })
            })
            .max()
    }

    pub fn failed(&self, keys: &[String], now: Timestamp) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        for k in keys {
            let times = map.entry(k.clone()).or_default();
            self.expire(times, now);
            times.push_back(now.ms());
        }
    }

    pub fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    fn expire(&self, times: &mut VecDeque<i64>, now: Timestamp) {
        while times
            .front()
            .is_some_and(|t| now.ms() - t >= self.window_ms)
        {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_the_window_waits_until_the_first_expires() {
        let t = LoginThrottle::new(5, 15);
        let keys = ["user:a".to_string(), "ip:1".to_string()];
        for i in 0..5 {
            assert_eq!(t.blocked(&keys, Timestamp::from_ms(i * 1000)), None);
            t.failed(&keys, Timestamp::from_ms(i * 1000));
        }
        let wait = t.blocked(&keys, Timestamp::from_ms(10_000));
        assert_eq!(wait, Some(15 * 60 - 10 + 1));
        assert_eq!(t.blocked(&keys, Timestamp::from_ms(15 * 60_000)), None);
    }

    #[test]
    fn a_success_clears_the_name_but_not_the_address() {
        let t = LoginThrottle::new(2, 1);
        let keys = ["user:a".to_string(), "ip:1".to_string()];
        t.failed(&keys, Timestamp::from_ms(0));
        t.failed(&keys, Timestamp::from_ms(1));
        t.succeeded("user:a");
        assert_eq!(t.blocked(&keys[..1], Timestamp::from_ms(2)), None);
        assert!(t.blocked(&keys[1..], Timestamp::from_ms(2)).is_some());
    }
}
