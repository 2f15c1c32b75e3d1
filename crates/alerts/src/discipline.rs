//! What keeps a burst of alerts from becoming a storm: de-duplication (an
//! alert key that fires again within the window is counted, not re-sent;
//! the count goes out when the window closes), per-channel rate limits
//! (what is over the limit waits and goes out as one digest), and retry
//! delays that double up to a ceiling.

use crate::alert::Alert;
use smc_model::Timestamp;
use std::collections::{BTreeMap, VecDeque};

/// The de-duplication window's memory.
#[derive(Debug)]
pub struct Dedup {
    window_ms: i64,
    /// Per key: when its window opened, the alert sent, repeats since.
    seen: BTreeMap<String, (Timestamp, Alert, u32)>,
}

impl Dedup {
    pub fn new(window_seconds: u64) -> Dedup {
        Dedup {
            window_ms: i64::try_from(window_seconds.saturating_mul(1_000)).unwrap_or(i64::MAX),
            seen: BTreeMap::new(),
        }
    }

    /// `alert` if it is to be sent now; `None` if it repeats one sent
    /// within the window. A resolution always goes, and ends the key's
    /// window, so that the condition opening again is news.
    pub fn admit(&mut self, alert: Alert, now: Timestamp) -> Option<Alert> {
        if alert.resolved {
            self.seen.remove(&alert.key);
            return Some(alert);
        }
        match self.seen.get_mut(&alert.key) {
            Some((opened, _, repeats)) if now.ms() - opened.ms() < self.window_ms => {
                *repeats += 1;
                None
            }
            _ => {
                self.seen.insert(alert.key.clone(), (now, alert.clone(), 0));
                Some(alert)
            }
        }
    }

    /// Windows that closed with repeats: one alert each, with the count.
    pub fn expire(&mut self, now: Timestamp) -> Vec<Alert> {
        let closed: Vec<String> = self
            .seen
            .iter()
            .filter(|(_, (opened, _, _))| now.ms() - opened.ms() >= self.window_ms)
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::new();
        for key in closed {
            if let Some((_, first, repeats)) = self.seen.remove(&key)
                && repeats > 0
            {
                let mut again = Alert::new(key, first.severity, first.title, first.text, now);
                again.session = first.session;
                again.count = repeats;
                again.text = format!(
                    "{} (fired {repeats} more time{} within {} s)",
                    again.text,
                    if repeats == 1 { "" } else { "s" },
                    self.window_ms / 1_000
                );
                out.push(again);
            }
        }
        out
    }
}

/// A channel's sliding one-minute window of sends.
#[derive(Debug)]
pub struct RateLimit {
    per_minute: usize,
    sent: VecDeque<Timestamp>,
}

impl RateLimit {
    pub fn new(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute: per_minute.max(1) as usize,
            sent: VecDeque::new(),
        }
    }

    /// Sends still allowed in the minute before `now`.
    pub fn available(&mut self, now: Timestamp) -> usize {
        while self
            .sent
            .front()
            .is_some_and(|t| now.ms() - t.ms() >= 60_000)
        {
            self.sent.pop_front();
        }
        self.per_minute.saturating_sub(self.sent.len())
    }

    pub fn record(&mut self, now: Timestamp) {
        self.sent.push_back(now);
    }

    /// When the next send will be allowed (now if one is).
    pub fn next_slot(&mut self, now: Timestamp) -> Timestamp {
        if self.available(now) > 0 {
            return now;
        }
        self.sent.front().map_or(now, |t| *t + 60_000)
    }
}

/// What to send when `due` messages wait and `available` sends are left:
/// each on its own while they fit; otherwise one digest of them all.
pub fn plan(due: usize, available: usize) -> Plan {
    match (due, available) {
        (0, _) | (_, 0) => Plan::Wait,
        (d, a) if d <= a => Plan::EachAlone,
        _ => Plan::Digest,
    }
}

/// See [`plan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Wait,
    EachAlone,
    Digest,
}

/// The delay before attempt `attempts + 1`: `first` doubled per failure,
/// at most `max` (seconds in, milliseconds out).
pub fn backoff_ms(attempts: u32, first_seconds: u64, max_seconds: u64) -> i64 {
    let factor = 1u64.checked_shl(attempts.min(30)).unwrap_or(u64::MAX);
    let s = first_seconds
        .max(1)
        .saturating_mul(factor)
        .min(max_seconds.max(1));
    i64::try_from(s.saturating_mul(1_000)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::Severity;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_ms(s * 1_000)
    }

    fn alert(key: &str, s: i64) -> Alert {
        Alert::new(key, Severity::Warning, "T", "x", at(s))
    }

    #[test]
    fn repeats_in_the_window_are_one_alert_with_a_count() {
        let mut d = Dedup::new(300);
        assert!(d.admit(alert("k", 0), at(0)).is_some());
        assert!(d.admit(alert("k", 10), at(10)).is_none());
        assert!(d.admit(alert("k", 20), at(20)).is_none());
        assert!(d.admit(alert("other", 20), at(20)).is_some());
        assert!(d.expire(at(299)).is_empty());
        let summary = d.expire(at(300));
        assert_eq!(summary.len(), 1, "only the key with repeats");
        assert_eq!(summary[0].count, 2);
        assert!(
            summary[0].text.contains("fired 2 more times"),
            "{}",
            summary[0].text
        );
        assert!(d.admit(alert("k", 301), at(301)).is_some(), "a new window");
    }

    #[test]
    fn a_resolution_always_passes_and_reopens_the_key() {
        let mut d = Dedup::new(300);
        let a = d.admit(alert("k", 0), at(0)).unwrap();
        assert!(d.admit(a.resolution("ok", at(5)), at(5)).is_some());
        assert!(d.admit(alert("k", 6), at(6)).is_some());
    }

    #[test]
    fn the_rate_limit_slides() {
        let mut r = RateLimit::new(2);
        assert_eq!(r.available(at(0)), 2);
        r.record(at(0));
        r.record(at(1));
        assert_eq!(r.available(at(30)), 0);
        assert_eq!(r.next_slot(at(30)), at(60));
        assert_eq!(r.available(at(60)), 1);
        assert_eq!(plan(3, 1), Plan::Digest);
        assert_eq!(plan(1, 1), Plan::EachAlone);
        assert_eq!(plan(4, 0), Plan::Wait);
    }

    #[test]
    fn backoff_doubles_to_its_ceiling() {
        assert_eq!(backoff_ms(0, 2, 300), 2_000);
        assert_eq!(backoff_ms(3, 2, 300), 16_000);
        assert_eq!(backoff_ms(20, 2, 300), 300_000);
        assert_eq!(backoff_ms(u32::MAX, 2, 300), 300_000);
    }
}
