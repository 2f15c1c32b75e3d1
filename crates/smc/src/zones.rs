//! The lifecycle of price zones — order blocks, breaker blocks, fair value
//! gaps and inverse FVGs: formed → mitigated (first touch) → invalidated (a
//! close through the far side), at which point an order block becomes a
//! breaker block and a gap an inverse gap, facing the other way.
//!
//! Zones wait in four lists, by direction and by whether they have been
//! touched, each sorted so that the zones a bar can reach first sit at the
//! end: a bar pops only the zones it changes, so its cost does not grow with
//! the number of zones that stay as they are.

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

    /// Whether `price` lies inside the zone (edges included).
    pub fn contains(&self, price: f64) -> bool {
        self.bottom <= price && price <= self.top
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

/// The price of a zone that a bar reaches first, per list: the top of an
/// untouched demand zone (a low at or below it touches), the bottom of a
/// touched one (a close below it invalidates), and mirrored for supply. The
/// sign makes every list ascending with the nearest zone last.
fn key(z: &Zone) -> f64 {
    match (z.direction == 1, z.mitigated) {
        (true, false) => z.top,
        (true, true) => z.bottom,
        (false, false) => -z.bottom,
        (false, true) => -z.top,
    }
}

/// Zones of one list, each with its key, ascending (one vector, so that
/// a zone moves in or out with one copy).
#[derive(Debug, Clone, Default)]
struct List {
    entries: Vec<(f64, Zone)>,
}

impl List {
    fn insert(&mut self, zone: Zone) {
        let k = key(&zone);
        // After equal keys: of zones at one price, the newest is reached
        // first. Searched from the near end: a new zone, and a zone just
        // touched, usually sit next to the price, i.e. at or near the end.
        let mut at = self.entries.len();
        while at > 0 && self.entries[at - 1].0 > k {
            at -= 1;
        }
        self.entries.insert(at, (k, zone));
    }

    /// The nearest zone's key; minus infinity when there is none, which
    /// no comparison in `Zones` can mistake for a zone (a reach of minus
    /// infinity finds the list empty and stops).
    fn near(&self) -> f64 {
        self.entries.last().map_or(f64::NEG_INFINITY, |e| e.0)
    }

    fn pop(&mut self) -> Option<Zone> {
        self.entries.pop().map(|e| e.1)
    }

    fn remove(&mut self, i: usize) -> Zone {
        self.entries.remove(i).1
    }

    fn zones(&self) -> impl Iterator<Item = &Zone> {
        self.entries.iter().map(|e| &e.1)
    }
}

/// Active zones of one timeframe.
#[derive(Debug, Clone)]
pub struct Zones {
    timeframe: Timeframe,
    /// Untouched demand, touched demand, untouched supply, touched supply.
    lists: [List; 4],
    /// Each list's nearest key (`List::near`), kept together: every bar
    /// compares all four, and reading them from the lists' heap blocks
    /// would cost a dependent load per list and bar.
    near: [f64; 4],
    /// Zones in all lists (checked on every add against the cap).
    count: usize,
    max_active: usize,
    /// Zones flipped by the current bar, added once the bar is processed
    /// (kept to reuse its allocation).
    flips: Vec<(i64, Zone)>,
}

fn list_of(z: &Zone) -> usize {
    usize::from(z.direction != 1) * 2 + usize::from(z.mitigated)
}

impl Zones {
    pub fn new(timeframe: Timeframe, max_active: usize) -> Self {
        Zones {
            timeframe,
            lists: Default::default(),
            near: [f64::NEG_INFINITY; 4],
            count: 0,
            max_active: max_active.max(1),
            flips: Vec::new(),
        }
    }

    /// The active zones, oldest first.
    pub fn active(&self) -> Vec<Zone> {
        let mut all: Vec<Zone> = self.iter().copied().collect();
        all.sort_by_key(|z| z.id);
        all
    }

    /// The active zones in no particular order (no allocation).
    pub fn iter(&self) -> impl Iterator<Item = &Zone> {
        self.lists.iter().flat_map(List::zones)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn insert(&mut self, zone: Zone) {
        let l = list_of(&zone);
        self.lists[l].insert(zone);
        self.sync(l);
    }

    /// Refreshes list `l`'s nearest key after a change.
    #[inline]
    fn sync(&mut self, l: usize) {
        self.near[l] = self.lists[l].near();
    }

    /// Adds a zone and emits its `formed` event; the oldest zone expires
    /// when the cap is reached.
    pub fn add(&mut self, zone: Zone, out: &mut Vec<SmcEvent>) {
        if self.count >= self.max_active {
            self.expire_oldest(zone.formed_at, out);
        }
        let mut formed = zone.event(self.timeframe, Lifecycle::Formed, zone.time, zone.formed_at);
        formed.origin_time = None;
        out.push(formed);
        self.insert(zone);
        self.count += 1;
    }

    fn expire_oldest(&mut self, now: i64, out: &mut Vec<SmcEvent>) {
        // Ids grow with formation, so the smallest is the oldest.
        let mut oldest: Option<(u64, usize, usize)> = None;
        for (l, list) in self.lists.iter().enumerate() {
            for (i, z) in list.zones().enumerate() {
                if oldest.is_none_or(|(id, _, _)| z.id < id) {
                    oldest = Some((z.id, l, i));
                }
            }
        }
        if let Some((_, l, i)) = oldest {
            let old = self.lists[l].remove(i);
            self.sync(l);
            self.count -= 1;
            out.push(old.event(self.timeframe, Lifecycle::Expired, old.time, now));
        }
    }

    /// Applies a closed bar to every zone formed before it.
    #[inline]
    pub fn on_bar(&mut self, bar: &Bar, next_id: &mut u64, out: &mut Vec<SmcEvent>) {
        // Untouched zones the bar reaches become mitigated; those it also
        // closes through are invalidated at once.
        // Each list's nearest key is checked here, and the list is walked
        // only when the bar reaches it (on most bars no list changes).
        if self.reaches(0, bar.low) {
            self.touch(0, bar.low, bar, next_id, out);
        }
        if self.reaches(2, -bar.high) {
            self.touch(2, -bar.high, bar, next_id, out);
        }
        // Touched zones the bar closes through are invalidated: a close
        // below a touched demand zone's bottom (its key), or above a
        // touched supply zone's top (minus its key).
        if self.beyond(1, bar.close) {
            self.invalidate(1, bar.close, bar, next_id, out);
        }
        if self.beyond(3, -bar.close) {
            self.invalidate(3, -bar.close, bar, next_id, out);
        }
        if !self.flips.is_empty() {
            self.add_flips(out);
        }
    }

    /// Adds the zones the bar flipped, after every list has seen the bar.
    fn add_flips(&mut self, out: &mut Vec<SmcEvent>) {
        let mut flips = std::mem::take(&mut self.flips);
        // The breaker or inverse gap remembers the zone it came from.
        for (origin, zone) in flips.drain(..) {
            self.add(zone, out);
            if let Some(e) = out.last_mut() {
                e.origin_time = Some(origin);
            }
        }
        self.flips = flips;
    }

    /// Whether the nearest zone of list `l` has its key at or above `reach`
    /// (a NaN reach compares as neither: nothing is touched).
    #[inline]
    fn reaches(&self, l: usize, reach: f64) -> bool {
        self.near[l] >= reach
    }

    /// Whether the nearest zone of list `l` has its key above `beyond`.
    #[inline]
    fn beyond(&self, l: usize, beyond: f64) -> bool {
        self.near[l] > beyond
    }

    /// Pops the untouched zones of list `l` whose key is at or above
    /// `reach` (the bar's low for demand: low ≤ top; minus its high for
    /// supply: high ≥ bottom). A NaN price reaches nothing.
    fn touch(
        &mut self,
        l: usize,
        reach: f64,
        bar: &Bar,
        next_id: &mut u64,
        out: &mut Vec<SmcEvent>,
    ) {
        while self.reaches(l, reach) {
            let Some(z) = self.lists[l].pop() else { break };
            self.sync(l);
            let z = Zone {
                mitigated: true,
                ..z
            };
            out.push(z.event(
                self.timeframe,
                Lifecycle::Mitigated,
                bar.open_time,
                bar.close_time,
            ));
            if through(&z, bar) {
                self.count -= 1;
                self.end(&z, bar, next_id, out);
            } else {
                self.lists[l + 1].insert(z);
                self.sync(l + 1);
            }
        }
    }

    /// Pops the touched zones of list `l` that the bar's close went
    /// through: those whose key is above `beyond` (a NaN close ends none).
    fn invalidate(
        &mut self,
        l: usize,
        beyond: f64,
        bar: &Bar,
        next_id: &mut u64,
        out: &mut Vec<SmcEvent>,
    ) {
        while self.beyond(l, beyond) {
            let Some(z) = self.lists[l].pop() else { break };
            self.sync(l);
            self.count -= 1;
            self.end(&z, bar, next_id, out);
        }
    }

    /// Invalidates `z` at `bar` and queues the zone it flips into.
    fn end(&mut self, z: &Zone, bar: &Bar, next_id: &mut u64, out: &mut Vec<SmcEvent>) {
        out.push(z.event(
            self.timeframe,
            Lifecycle::Invalidated,
            bar.open_time,
            bar.close_time,
        ));
        if let Some(kind) = flipped(z.kind) {
            *next_id += 1;
            let flip = Zone {
                id: *next_id,
                kind,
                direction: -z.direction,
                time: bar.open_time,
                formed_at: bar.close_time,
                mitigated: false,
                ..*z
            };
            self.flips.push((z.time, flip));
        }
    }
}

/// Whether the bar closes beyond the far side of the zone.
fn through(z: &Zone, bar: &Bar) -> bool {
    if z.direction == 1 {
        bar.close < z.bottom
    } else {
        bar.close > z.top
    }
}
