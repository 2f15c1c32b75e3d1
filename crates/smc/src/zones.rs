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

/// Active zones of one timeframe.
#[derive(Debug, Clone)]
pub struct Zones {
    timeframe: Timeframe,
    /// Untouched demand, touched demand, untouched supply, touched supply.
    lists: [Vec<Zone>; 4],
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
            max_active: max_active.max(1),
            flips: Vec::new(),
        }
    }

    /// The active zones, oldest first.
    pub fn active(&self) -> Vec<Zone> {
        let mut all: Vec<Zone> = self.lists.iter().flatten().copied().collect();
        all.sort_by_key(|z| z.id);
        all
    }

    /// The active zones in no particular order (no allocation).
    pub fn iter(&self) -> impl Iterator<Item = &Zone> {
        self.lists.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.lists.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn insert(&mut self, zone: Zone) {
        let list = &mut self.lists[list_of(&zone)];
        let k = key(&zone);
        // After equal keys: of zones at one price, the newest is reached first.
        let at = list.partition_point(|z| key(z) <= k);
        list.insert(at, zone);
    }

    /// Adds a zone and emits its `formed` event; the oldest zone expires
    /// when the cap is reached.
    pub fn add(&mut self, zone: Zone, out: &mut Vec<SmcEvent>) {
        if self.len() >= self.max_active {
            self.expire_oldest(zone.formed_at, out);
        }
        let mut formed = zone.event(self.timeframe, Lifecycle::Formed, zone.time, zone.formed_at);
        formed.origin_time = None;
        out.push(formed);
        self.insert(zone);
    }

    fn expire_oldest(&mut self, now: i64, out: &mut Vec<SmcEvent>) {
        // Ids grow with formation, so the smallest is the oldest.
        let oldest = (0..4)
            .flat_map(|l| (0..self.lists[l].len()).map(move |i| (l, i)))
            .min_by_key(|&(l, i)| self.lists[l][i].id);
        if let Some((l, i)) = oldest {
            let old = self.lists[l].remove(i);
            out.push(old.event(self.timeframe, Lifecycle::Expired, old.time, now));
        }
    }

    /// Applies a closed bar to every zone formed before it.
    pub fn on_bar(&mut self, bar: &Bar, next_id: &mut u64, out: &mut Vec<SmcEvent>) {
        // Untouched zones the bar reaches become mitigated; those it also
        // closes through are invalidated at once.
        self.touch(0, bar.low, bar, next_id, out);
        self.touch(2, -bar.high, bar, next_id, out);
        // Touched zones the bar closes through are invalidated.
        self.invalidate(1, bar, next_id, out);
        self.invalidate(3, bar, next_id, out);
        if self.flips.is_empty() {
            return;
        }
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

    /// Pops the untouched zones of list `l` whose key is at or above
    /// `reach` (the bar's low for demand: low ≤ top; minus its high for
    /// supply: high ≥ bottom). A NaN price reaches nothing.
    #[inline]
    fn touch(
        &mut self,
        l: usize,
        reach: f64,
        bar: &Bar,
        next_id: &mut u64,
        out: &mut Vec<SmcEvent>,
    ) {
        while let Some(&z) = self.lists[l].last() {
            // A NaN reach compares as neither: nothing is touched.
            if key(&z).partial_cmp(&reach).is_none_or(|o| o.is_lt()) {
                break;
            }
            self.lists[l].pop();
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
                self.end(&z, bar, next_id, out);
            } else {
                self.insert(z);
            }
        }
    }

    /// Pops the touched zones of list `l` that the bar's close went through.
    #[inline]
    fn invalidate(&mut self, l: usize, bar: &Bar, next_id: &mut u64, out: &mut Vec<SmcEvent>) {
        while let Some(&z) = self.lists[l].last() {
            if !through(&z, bar) {
                break;
            }
            self.lists[l].pop();
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
