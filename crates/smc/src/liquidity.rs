//! Liquidity pools: equal highs (buy-side) and equal lows (sell-side) —
//! two confirmed swings within a tolerance of k × ATR — formed when the
//! second swing confirms. A pool ends when price trades through it: swept
//! when the candle closes back inside (a stop hunt, also reported as a
//! `sweep`), broken when it closes beyond.

use crate::bar::Bar;
use crate::event::{Kind, Lifecycle, SmcEvent};
use crate::recent::Recent;
use crate::swing::Swing;
use smc_model::Timeframe;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pool {
    pub id: u64,
    pub direction: i8,
    pub level: f64,
    pub time: i64,
    pub origin_time: i64,
    pub formed_at: i64,
}

#[derive(Debug, Clone)]
pub struct Pools {
    timeframe: Timeframe,
    recent: Recent,
    active: Vec<Pool>,
    max_active: usize,
    /// Lowest buy-side and highest sell-side level among `active`: a bar
    /// that trades beyond neither leaves every pool as it is.
    active_reach: Reach,
}

/// The nearest prices at which a list of highs and lows changes.
#[derive(Debug, Clone, Copy)]
struct Reach {
    high: f64,
    low: f64,
}

impl Reach {
    const NONE: Reach = Reach {
        high: f64::INFINITY,
        low: f64::NEG_INFINITY,
    };

    fn of(levels: impl Iterator<Item = (i8, f64)>) -> Self {
        let mut r = Reach::NONE;
        for (direction, level) in levels {
            if direction == 1 && level < r.high {
                r.high = level;
            } else if direction != 1 && level > r.low {
                r.low = level;
            }
        }
        r
    }
}

/// Swings remembered per side when looking for an equal one.
const RECENT: usize = 8;

impl Pools {
    pub fn new(timeframe: Timeframe, max_active: usize) -> Self {
        Pools {
            timeframe,
            recent: Recent::new(2 * RECENT),
            active: Vec::new(),
            max_active: max_active.max(1),
            active_reach: Reach::NONE,
        }
    }

    pub fn active(&self) -> &[Pool] {
        &self.active
    }

    /// A newly confirmed swing: forms a pool with an equal earlier swing on
    /// the same side that price has not traded through since.
    pub fn on_swing(
        &mut self,
        swing: Swing,
        tolerance: f64,
        next_id: &mut u64,
        out: &mut Vec<SmcEvent>,
    ) {
        let equal = self.recent.pair(swing, tolerance);
        let (Some(first), true) = (equal, tolerance > 0.0) else {
            return;
        };
        let level = if swing.direction == 1 {
            first.level.max(swing.level)
        } else {
            first.level.min(swing.level)
        };
        *next_id += 1;
        let pool = Pool {
            id: *next_id,
            direction: swing.direction,
            level,
            time: swing.time,
            origin_time: first.time,
            formed_at: swing.known_at,
        };
        if self.active.len() >= self.max_active {
            let old = self.active.remove(0);
            out.push(self.event(&old, Lifecycle::Expired, old.time, swing.known_at));
        }
        out.push(
            self.event(&pool, Lifecycle::Formed, pool.time, pool.formed_at)
                .origin(pool.origin_time),
        );
        self.active.push(pool);
        self.active_reach = Reach::of(self.active.iter().map(|p| (p.direction, p.level)));
    }

    /// Ends the pools a closed bar trades through.
    #[inline]
    pub fn on_bar(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        // A swing price has closed beyond can no longer pair up (a wick
        // slightly above it may be the second of the equal highs).
        self.recent.on_close(bar.close);
        if bar.high > self.active_reach.high || bar.low < self.active_reach.low {
            self.end_pools(bar, out);
            self.active_reach = Reach::of(self.active.iter().map(|p| (p.direction, p.level)));
        }
    }

    /// Ends the pools the bar trades through.
    fn end_pools(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        let tf = self.timeframe;
        self.active.retain(|p| {
            if p.formed_at > bar.open_time {
                return true;
            }
            let (through, beyond) = if p.direction == 1 {
                (bar.high > p.level, bar.close > p.level)
            } else {
                (bar.low < p.level, bar.close < p.level)
            };
            if !through {
                return true;
            }
            let lifecycle = if beyond {
                Lifecycle::Broken
            } else {
                Lifecycle::Swept
            };
            out.push(pool_event(tf, p, lifecycle, bar.open_time, bar.close_time));
            if !beyond {
                out.push(
                    SmcEvent::new(
                        tf,
                        Kind::Sweep,
                        Lifecycle::Formed,
                        p.direction,
                        bar.open_time,
                        bar.close_time,
                    )
                    .level(p.level)
                    .id(p.id)
                    .origin(p.time),
                );
            }
            false
        });
    }

    fn event(&self, p: &Pool, lifecycle: Lifecycle, time: i64, known_at: i64) -> SmcEvent {
        pool_event(self.timeframe, p, lifecycle, time, known_at)
    }
}

fn pool_event(tf: Timeframe, p: &Pool, lifecycle: Lifecycle, time: i64, known_at: i64) -> SmcEvent {
    let e = SmcEvent::new(tf, Kind::Liquidity, lifecycle, p.direction, time, known_at)
        .level(p.level)
        .id(p.id);
    if time == p.time { e } else { e.origin(p.time) }
}
