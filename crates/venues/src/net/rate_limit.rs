//! Request budgets keyed by the venue's metering scopes.
//!
//! A scope is a kind of count (request weight, orders, raw requests) over
//! an interval (1 minute, 10 seconds, 1 day…); the venue publishes the
//! limits (Binance: `exchangeInfo.rateLimits`). The limiter keeps a log of
//! what it admitted in each scope and admits a request only if, for every
//! scope, the total over the trailing interval stays within the limit — a
//! sliding window, which also bounds every fixed window the venue may use.
//! It also learns from the venue: usage headers (another process on the
//! same IP may be spending the budget), 429 backoffs and 418 bans.
//!
//! Orders that open risk leave a reserve: they are refused once the order
//! budget is four-fifths spent, so entries can never starve the protective
//! orders (stops, their replacements, safety exits) that follow them.
//! Request weight has no reserve: the venue's usage headers count every
//! client on the IP, and entries refused for another process's reads
//! would stop a session trading.
//!
//! Pure: time is passed in, so tests control it.

use std::collections::VecDeque;
use std::fmt;

/// What a scope counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Request weight (per IP on Binance).
    RequestWeight,
    /// Orders placed (per account on Binance).
    Orders,
    /// Requests, whatever their weight.
    RawRequests,
}

/// A metering scope: a kind of count over an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope {
    pub kind: LimitKind,
    pub interval_ms: i64,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} per {} ms", self.kind, self.interval_ms)
    }
}

/// A limit: at most `max` in any `scope.interval_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub scope: Scope,
    pub max: u32,
}

/// What one request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    pub weight: u32,
    pub orders: u32,
    /// An order that may open or add to a position: it may not spend the
    /// order budget's reserve (see [`order_reserve`]).
    pub opens_risk: bool,
}

/// The part of an order budget of `max` kept for orders that reduce risk:
/// a fifth (20 of Binance spot's 100 per 10 s).
pub const fn order_reserve(max: u32) -> u32 {
    max / 5
}

impl Cost {
    pub const fn weight(weight: u32) -> Self {
        Cost {
            weight,
            orders: 0,
            opens_risk: false,
        }
    }

    /// An order that only reduces risk (a stop, a take-profit, an exit).
    pub const fn order(weight: u32) -> Self {
        Cost {
            weight,
            orders: 1,
            opens_risk: false,
        }
    }

    /// This cost for an order that reduces risk when `reduce_only`, else
    /// may open it.
    pub const fn for_order(self, reduce_only: bool) -> Self {
        Cost {
            opens_risk: !reduce_only,
            ..self
        }
    }

    /// What of a `limit` this cost may spend.
    fn allowed(self, limit: Limit) -> u32 {
        if self.opens_risk && limit.scope.kind == LimitKind::Orders {
            limit.max - order_reserve(limit.max)
        } else {
            limit.max
        }
    }

    fn of(self, kind: LimitKind) -> u32 {
        match kind {
            LimitKind::RequestWeight => self.weight,
            LimitKind::Orders => self.orders,
            LimitKind::RawRequests => 1,
        }
    }
}

/// Why the limiter will not admit a request now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("budget of {scope} used up until {until_ms}")]
    Budget { scope: Scope, until_ms: i64 },
    #[error("cost {cost} can never fit {scope} (limit {max})")]
    TooLarge { scope: Scope, cost: u32, max: u32 },
    #[error("venue asked to back off (HTTP 429) until {until_ms}")]
    Backoff { until_ms: i64 },
    #[error("IP banned by the venue (HTTP 418) until {until_ms}")]
    Banned { until_ms: i64 },
}

impl Refusal {
    /// When a retry can succeed, if ever.
    pub fn until_ms(&self) -> Option<i64> {
        match *self {
            Refusal::Budget { until_ms, .. }
            | Refusal::Backoff { until_ms }
            | Refusal::Banned { until_ms } => Some(until_ms),
            Refusal::TooLarge { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Window {
    limit: Limit,
    /// (admission time, amount), oldest first.
    log: VecDeque<(i64, u32)>,
    used: u32,
}

impl Window {
    fn prune(&mut self, now: i64) {
        let horizon = now - self.limit.scope.interval_ms;
        while let Some(&(t, c)) = self.log.front() {
            if t > horizon {
                break;
            }
            self.used = self.used.saturating_sub(c);
            self.log.pop_front();
        }
    }

    /// When `cost` more would fit under `max`, given the log.
    fn fits_at(&self, cost: u32, max: u32) -> i64 {
        let mut excess = (self.used + cost).saturating_sub(max);
        for &(t, c) in &self.log {
            excess = excess.saturating_sub(c);
            if excess == 0 {
                return t + self.limit.scope.interval_ms;
            }
        }
        i64::MAX
    }
}

/// The limiter of one venue connection (one IP and account).
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    windows: Vec<Window>,
    /// Usage reported for scopes without a limit yet (headers read before
    /// exchangeInfo set the limits), applied when the limit arrives.
    unmatched: Vec<(Scope, u32, i64)>,
    backoff_until: i64,
    banned_until: i64,
}

impl RateLimiter {
    pub fn new(limits: &[Limit]) -> Self {
        let mut l = RateLimiter::default();
        l.set_limits(limits);
        l
    }

    /// Replaces the limits (e.g. after reading exchangeInfo), keeping what
    /// was already spent in scopes that stay.
    pub fn set_limits(&mut self, limits: &[Limit]) {
        let mut old = std::mem::take(&mut self.windows);
        for &limit in limits {
            let kept = old
                .iter()
                .position(|w| w.limit.scope == limit.scope)
                .map(|i| old.swap_remove(i));
            let (log, used) = kept.map_or((VecDeque::new(), 0), |w| (w.log, w.used));
            self.windows.push(Window { limit, log, used });
        }
        for (scope, used, at) in std::mem::take(&mut self.unmatched) {
            self.observe_used(scope, used, at);
        }
    }

    pub fn limits(&self) -> Vec<Limit> {
        self.windows.iter().map(|w| w.limit).collect()
    }

    /// What is spent in `scope` over its trailing interval at `now`.
    pub fn used(&mut self, scope: Scope, now: i64) -> Option<u32> {
        let w = self.windows.iter_mut().find(|w| w.limit.scope == scope)?;
        w.prune(now);
        Some(w.used)
    }

    /// Admits `cost` at `now` and records it, or says why not and until when.
    pub fn try_acquire(&mut self, now: i64, cost: Cost) -> Result<(), Refusal> {
        if self.banned_until > now {
            return Err(Refusal::Banned {
                until_ms: self.banned_until,
            });
        }
        if self.backoff_until > now {
            return Err(Refusal::Backoff {
                until_ms: self.backoff_until,
            });
        }
        let mut refusal: Option<Refusal> = None;
        for w in &mut self.windows {
            w.prune(now);
            let c = cost.of(w.limit.scope.kind);
            if c == 0 {
                continue;
            }
            if c > w.limit.max {
                return Err(Refusal::TooLarge {
                    scope: w.limit.scope,
                    cost: c,
                    max: w.limit.max,
                });
            }
            let allowed = cost.allowed(w.limit);
            if w.used + c > allowed {
                let until_ms = w.fits_at(c, allowed);
                if refusal
                    .and_then(|r| r.until_ms())
                    .is_none_or(|u| until_ms > u)
                {
                    refusal = Some(Refusal::Budget {
                        scope: w.limit.scope,
                        until_ms,
                    });
                }
            }
        }
        if let Some(r) = refusal {
            return Err(r);
        }
        for w in &mut self.windows {
            let c = cost.of(w.limit.scope.kind);
            if c > 0 {
                w.log.push_back((now, c));
                w.used += c;
            }
        }
        Ok(())
    }

    /// The venue reports `used` in `scope` (a usage header). If that is
    /// more than recorded here (other clients on the same IP or account),
    /// the difference is booked now, so the limiter stays conservative.
    pub fn observe_used(&mut self, scope: Scope, used: u32, now: i64) {
        if let Some(w) = self.windows.iter_mut().find(|w| w.limit.scope == scope) {
            w.prune(now);
            if used > w.used {
                w.log.push_back((now, used - w.used));
                w.used = used;
            }
        } else {
            self.unmatched.retain(|(s, _, _)| *s != scope);
            self.unmatched.push((scope, used, now));
        }
    }

    /// HTTP 429: no request until `until_ms`.
    pub fn back_off_until(&mut self, until_ms: i64) {
        self.backoff_until = self.backoff_until.max(until_ms);
    }

    /// HTTP 418: banned until `until_ms`; nothing is sent before.
    pub fn ban_until(&mut self, until_ms: i64) {
        self.banned_until = self.banned_until.max(until_ms);
    }

    /// The ban in force at `now`, if any.
    pub fn banned_until(&self, now: i64) -> Option<i64> {
        (self.banned_until > now).then_some(self.banned_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const W: Scope = Scope {
        kind: LimitKind::RequestWeight,
        interval_ms: 60_000,
    };
    const O: Scope = Scope {
        kind: LimitKind::Orders,
        interval_ms: 10_000,
    };

    #[test]
    fn refuses_past_the_budget_and_says_until_when() {
        let mut l = RateLimiter::new(&[Limit { scope: W, max: 10 }]);
        assert!(l.try_acquire(0, Cost::weight(6)).is_ok());
        assert!(l.try_acquire(1_000, Cost::weight(4)).is_ok());
        assert_eq!(
            l.try_acquire(2_000, Cost::weight(1)),
            Err(Refusal::Budget {
                scope: W,
                until_ms: 60_000
            })
        );
        assert!(l.try_acquire(60_000, Cost::weight(6)).is_ok());
        assert!(matches!(
            l.try_acquire(60_000, Cost::weight(11)),
            Err(Refusal::TooLarge { .. })
        ));
    }

    #[test]
    fn orders_are_metered_separately_from_weight() {
        let mut l = RateLimiter::new(&[Limit { scope: W, max: 100 }, Limit { scope: O, max: 2 }]);
        assert!(l.try_acquire(0, Cost::order(1)).is_ok());
        assert!(l.try_acquire(0, Cost::order(1)).is_ok());
        assert!(matches!(
            l.try_acquire(1, Cost::order(1)),
            Err(Refusal::Budget {
                scope: O,
                until_ms: 10_000
            })
        ));
        assert!(
            l.try_acquire(1, Cost::weight(4)).is_ok(),
            "reads still pass"
        );
        assert_eq!(l.used(W, 1), Some(6), "refused order booked nothing");
    }

    #[test]
    fn entries_leave_a_fifth_of_the_order_budget_to_protective_orders() {
        let mut l = RateLimiter::new(&[Limit { scope: O, max: 10 }]);
        let entry = Cost::order(1).for_order(false);
        for t in 0..8 {
            assert!(l.try_acquire(t, entry).is_ok(), "entry {t}");
        }
        assert_eq!(
            l.try_acquire(8, entry),
            Err(Refusal::Budget {
                scope: O,
                until_ms: 10_000
            }),
            "the ninth entry would spend the reserve"
        );
        assert!(l.try_acquire(8, Cost::order(1).for_order(true)).is_ok());
        assert!(l.try_acquire(9, Cost::order(1)).is_ok());
        assert!(
            l.try_acquire(9, Cost::order(1)).is_err(),
            "the reserve is spent"
        );
        // The reserve also delays when an entry fits again: two of the
        // entries must age out, not one.
        let mut l = RateLimiter::new(&[Limit { scope: O, max: 10 }]);
        for t in 0..10 {
            l.try_acquire(t, Cost::order(1)).unwrap();
        }
        assert_eq!(
            l.try_acquire(10, entry),
            Err(Refusal::Budget {
                scope: O,
                until_ms: 10_002
            })
        );
        // Request weight keeps no reserve.
        let mut l = RateLimiter::new(&[Limit { scope: W, max: 5 }]);
        l.try_acquire(0, Cost::weight(4)).unwrap();
        assert!(l.try_acquire(1, entry).is_ok(), "weight 1 of 5 left");
    }

    #[test]
    fn usage_headers_tighten_the_budget() {
        let mut l = RateLimiter::new(&[Limit { scope: W, max: 10 }]);
        l.try_acquire(0, Cost::weight(1)).unwrap();
        l.observe_used(W, 9, 10);
        assert_eq!(l.used(W, 10), Some(9));
        assert!(l.try_acquire(20, Cost::weight(2)).is_err());
    }

    #[test]
    fn backoff_and_ban_block_everything() {
        let mut l = RateLimiter::new(&[]);
        l.back_off_until(5_000);
        assert_eq!(
            l.try_acquire(0, Cost::weight(1)),
            Err(Refusal::Backoff { until_ms: 5_000 })
        );
        assert!(l.try_acquire(5_000, Cost::weight(1)).is_ok());
        l.ban_until(120_000);
        assert_eq!(
            l.try_acquire(6_000, Cost::weight(1)),
            Err(Refusal::Banned { until_ms: 120_000 })
        );
        assert_eq!(l.banned_until(6_000), Some(120_000));
    }

    proptest! {
        /// Whatever the arrival pattern, the admitted weight in every
        /// trailing window (and so in every fixed window) stays within the
        /// limit, and a refused request books nothing.
        #[test]
        fn never_exceeds_the_limit_in_any_window(
            max in 1u32..50,
            interval in 100i64..5_000,
            steps in proptest::collection::vec((0i64..400, 1u32..20, any::<bool>()), 1..300),
        ) {
            let scope = Scope { kind: LimitKind::RequestWeight, interval_ms: interval };
            let mut l = RateLimiter::new(&[Limit { scope, max }]);
            let mut now = 0i64;
            let mut admitted: Vec<(i64, u32)> = Vec::new();
            for (dt, cost, header) in steps {
                now += dt;
                if header {
                    // a usage header never lowers what is booked
                    let before = l.used(scope, now).unwrap_or(0);
                    l.observe_used(scope, before / 2, now);
                    prop_assert_eq!(l.used(scope, now), Some(before));
                }
                match l.try_acquire(now, Cost::weight(cost)) {
                    Ok(()) => admitted.push((now, cost)),
                    Err(Refusal::Budget { until_ms, .. }) => {
                        prop_assert!(until_ms > now);
                        // at the announced time it does fit
                        let mut probe = l.clone();
                        prop_assert!(probe.try_acquire(until_ms, Cost::weight(cost)).is_ok());
                    }
                    Err(Refusal::TooLarge { .. }) => prop_assert!(cost > max),
                    Err(e) => prop_assert!(false, "unexpected refusal {e}"),
                }
            }
            for &(t, _) in &admitted {
                let in_window: u32 = admitted
                    .iter()
                    .filter(|&&(u, _)| u > t - interval && u <= t)
                    .map(|&(_, c)| c)
                    .sum();
                prop_assert!(in_window <= max, "window ending {} holds {} > {}", t, in_window, max);
            }
        }
    }
}
