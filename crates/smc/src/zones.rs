//! The lifecycle of price zones — order blocks, breaker blocks, fair value
//! gaps and inverse FVGs: formed → mitigated (first touch) → invalidated (a
//! close through the far side), at which point an order block becomes a
//! breaker block and a gap an inverse gap, facing the other way.

use crate::bar::Bar;
use crate::event::{Kind, Lifecycle, Scope, SmcEvent};
use smc_model::Timeframe;

/// An active zone. Bullish zones (direction 1) are demand below price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zone {
    pub id: u64,
    pub kind: Kind,
    pub direction: i8,
    pub top: f64,
    pub bottom: f64,
    /// Open time of the candle the zone comes from.
    pub time: i64,
    pub formed_at: i64,
    pub mitigated: bool,
    pub scope: Option<Scope>,
}

impl Zone {
    fn event(&self, tf: Timeframe, lifecycle: Lifecycle, time: i64, known_at: i64) -> SmcEvent {
        let mut e = SmcEvent::new(tf, self.kind, lifecycle, self.direction, time, known_at)
            .zone(self.top, self.bottom)
            .id(self.id);
        if time != self.time {
            e = e.origin(self.time);
        }
        e.scope = self.scope;
        e
    }
}

/// The kind a zone turns into when price closes through it.
fn flipped(kind: Kind) -> Option<Kind> {
    match kind {
        Kind::Ob => Some(Kind::BreakerBlock),
        Kind::Fvg => Some(Kind::InverseFvg),
        _ => None,
    }
}

/// Active zones of one timeframe, oldest first.
#[derive(Debug, Clone)]
pub struct Zones {
    timeframe: Timeframe,
    active: Vec<Zone>,
    max_active: usize,
    triggers: Triggers,
}

impl Zones {
    pub fn new(timeframe: Timeframe, max_active: usize) -> Self {
        Zones {
            timeframe,
            active: Vec::new(),
            max_active: max_active.max(1),
            triggers: Triggers::NONE,
        }
    }

    pub fn active(&self) -> &[Zone] {
        &self.active
    }

    /// Adds a zone and emits its `formed` event; the oldest zone expires
    /// when the cap is reached.
    pub fn add(&mut self, zone: Zone, out: &mut Vec<SmcEvent>) {
        let expired = self.active.len() >= self.max_active;
        if expired {
            let old = self.active.remove(0);
            out.push(old.event(self.timeframe, Lifecycle::Expired, old.time, zone.formed_at));
        }
        let mut formed = zone.event(self.timeframe, Lifecycle::Formed, zone.time, zone.formed_at);
        formed.origin_time = None;
        out.push(formed);
        self.active.push(zone);
        if expired {
            // The expired zone may have held a trigger: recompute.
            self.triggers = Triggers::of(&self.active);
        } else {
            self.triggers.include(&zone);
        }
    }

    /// Applies a closed bar to every zone formed before it.
    pub fn on_bar(&mut self, bar: &Bar, next_id: &mut u64, out: &mut Vec<SmcEvent>) {
        let (bull, bear) = self.triggers.fires(bar);
        if !bull && !bear {
            return; // the common case: this bar touches no zone
        }
        let tf = self.timeframe;
        let mut flips = Vec::new();
        // The survivors' triggers are gathered on the way, not in a second pass.
        let mut triggers = Triggers::NONE;
        self.active.retain_mut(|z| {
            let untouched = (z.direction == 1 && !bull) || (z.direction == -1 && !bear);
            // The second test skips a zone formed at this bar's own close.
            if untouched || z.formed_at > bar.open_time {
                triggers.include(z);
                return true;
            }
            let (touched, through) = if z.direction == 1 {
                (bar.low <= z.top, bar.close < z.bottom)
            } else {
                (bar.high >= z.bottom, bar.close > z.top)
            };
            if touched && !z.mitigated {
                z.mitigated = true;
                out.push(z.event(tf, Lifecycle::Mitigated, bar.open_time, bar.close_time));
            }
            if !through {
                triggers.include(z);
                return true;
            }
            out.push(z.event(tf, Lifecycle::Invalidated, bar.open_time, bar.close_time));
            if let Some(kind) = flipped(z.kind) {
                *next_id += 1;
                flips.push((
                    z.time,
                    Zone {
                        id: *next_id,
                        kind,
                        direction: -z.direction,
                        time: bar.open_time,
                        formed_at: bar.close_time,
                        mitigated: false,
                        ..*z
                    },
                ));
            }
            false
        });
        self.triggers = triggers;
        // The breaker or inverse gap remembers the zone it came from.
        for (origin, zone) in flips {
            self.add(zone, out);
            if let Some(e) = out.last_mut() {
                e.origin_time = Some(origin);
            }
        }
    }
}

/// The prices nearest to changing some active zone: a bar that reaches none
/// of them changes nothing, so the zone loop runs only when one is reached.
#[derive(Debug, Clone, Copy)]
struct Triggers {
    /// Highest top of an unmitigated bullish zone (a low at or below touches).
    bull_touch: f64,
    /// Highest bottom of a bullish zone (a close below invalidates).
    bull_break: f64,
    /// Lowest bottom of an unmitigated bearish zone.
    bear_touch: f64,
    /// Lowest top of a bearish zone.
    bear_break: f64,
}

impl Triggers {
    const NONE: Triggers = Triggers {
        bull_touch: f64::NEG_INFINITY,
        bull_break: f64::NEG_INFINITY,
        bear_touch: f64::INFINITY,
        bear_break: f64::INFINITY,
    };

    fn of(zones: &[Zone]) -> Self {
        let mut t = Triggers::NONE;
        zones.iter().for_each(|z| t.include(z));
        t
    }

    fn include(&mut self, z: &Zone) {
        let max = |m: f64, x: f64| if x > m { x } else { m };
        let min = |m: f64, x: f64| if x < m { x } else { m };
        if z.direction == 1 {
            if !z.mitigated {
                self.bull_touch = max(self.bull_touch, z.top);
            }
            self.bull_break = max(self.bull_break, z.bottom);
        } else {
            if !z.mitigated {
                self.bear_touch = min(self.bear_touch, z.bottom);
            }
            self.bear_break = min(self.bear_break, z.top);
        }
    }

    /// Whether the bar reaches a bullish and a bearish trigger.
    fn fires(&self, bar: &Bar) -> (bool, bool) {
        (
            bar.low <= self.bull_touch || bar.close < self.bull_break,
            bar.high >= self.bear_touch || bar.close > self.bear_break,
        )
    }
}
