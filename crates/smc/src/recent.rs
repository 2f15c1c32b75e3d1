//! The recent confirmed swings a new swing may pair with into a liquidity
//! pool, highs and lows kept apart (so that a close only scans the side it
//! can change, without a branch per swing) but aged together: beyond the
//! cap the oldest of either side is forgotten, as in one shared list.

use crate::swing::Swing;

/// Recent highs and lows, each oldest first, with their arrival numbers.
#[derive(Debug, Clone, Default)]
pub struct Recent {
    highs: Vec<(u64, Swing)>,
    lows: Vec<(u64, Swing)>,
    arrivals: u64,
    cap: usize,
    /// Lowest recent high and highest recent low: a close beyond neither
    /// leaves every recent swing pairable.
    lowest_high: f64,
    highest_low: f64,
}

impl Recent {
    /// Keeps at most `cap` swings in all.
    pub fn new(cap: usize) -> Self {
        Recent {
            cap: cap.max(1),
            lowest_high: f64::INFINITY,
            highest_low: f64::NEG_INFINITY,
            ..Recent::default()
        }
    }

    fn side(&mut self, direction: i8) -> &mut Vec<(u64, Swing)> {
        if direction == 1 {
            &mut self.highs
        } else {
            &mut self.lows
        }
    }

    /// Adds `swing`; returns the newest earlier swing of its side within
    /// `tolerance` of it, which is forgotten (a level pairs only once).
    pub fn pair(&mut self, swing: Swing, tolerance: f64) -> Option<Swing> {
        let arrival = self.arrivals;
        self.arrivals += 1;
        let side = self.side(swing.direction);
        let at = side
            .iter()
            .rposition(|(_, s)| (s.level - swing.level).abs() <= tolerance);
        let equal = at.map(|i| side.remove(i).1);
        side.push((arrival, swing));
        // A reach moves only by the swing added (one comparison) unless a
        // swing dropped here held it: then it is folded again.
        let mut refold = equal.is_some_and(|s| s.level == self.reach_of(s.direction));
        if self.highs.len() + self.lows.len() > self.cap {
            let older_high = match (self.highs.first(), self.lows.first()) {
                (Some(h), Some(l)) => h.0 < l.0,
                (h, _) => h.is_some(),
            };
            let (_, old) = if older_high {
                self.highs.remove(0)
            } else {
                self.lows.remove(0)
            };
            refold |= old.level == self.reach_of(old.direction);
        }
        if refold {
            self.update_reach();
        } else {
            self.extend_reach(&swing);
        }
        equal
    }

    fn reach_of(&self, direction: i8) -> f64 {
        if direction == 1 {
            self.lowest_high
        } else {
            self.highest_low
        }
    }

    fn extend_reach(&mut self, swing: &Swing) {
        if swing.direction == 1 {
            if swing.level < self.lowest_high {
                self.lowest_high = swing.level;
            }
        } else if swing.level > self.highest_low {
            self.highest_low = swing.level;
        }
    }

    /// Forgets the swings a close went beyond (a high below it, a low
    /// above it).
    #[inline]
    pub fn on_close(&mut self, close: f64) {
        if close > self.lowest_high || close < self.highest_low {
            self.highs.retain(|(_, s)| close <= s.level);
            self.lows.retain(|(_, s)| close >= s.level);
            self.update_reach();
        }
    }

    fn update_reach(&mut self) {
        self.lowest_high = self
            .highs
            .iter()
            .map(|(_, s)| s.level)
            .fold(f64::INFINITY, |a, b| if b < a { b } else { a });
        self.highest_low = self
            .lows
            .iter()
            .map(|(_, s)| s.level)
            .fold(f64::NEG_INFINITY, |a, b| if b > a { b } else { a });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The one shared list this replaces, as it was.
    struct Shared(Vec<Swing>, usize);

    impl Shared {
        fn pair(&mut self, swing: Swing, tolerance: f64) -> Option<Swing> {
            let equal = self
                .0
                .iter()
                .rev()
                .find(|s| {
                    s.direction == swing.direction && (s.level - swing.level).abs() <= tolerance
                })
                .copied();
            self.0
                .retain(|s| !(s.direction == swing.direction && Some(*s) == equal));
            self.0.push(swing);
            if self.0.len() > self.1 {
                self.0.remove(0);
            }
            equal
        }

        fn on_close(&mut self, close: f64) {
            self.0.retain(|s| {
                if s.direction == 1 {
                    close <= s.level
                } else {
                    close >= s.level
                }
            });
        }
    }

    proptest! {
        #[test]
        fn pairs_and_forgets_as_one_shared_list(
            steps in prop::collection::vec((any::<bool>(), -20i32..20, any::<bool>()), 1..400),
            cap in 1usize..20,
        ) {
            let (mut ours, mut shared) = (Recent::new(cap), Shared(Vec::new(), cap));
            for (i, &(high, level, close)) in steps.iter().enumerate() {
                let level = f64::from(level);
                if close {
                    ours.on_close(level);
                    shared.on_close(level);
                } else {
                    let swing = Swing {
                        direction: if high { 1 } else { -1 },
                        level,
                        index: i as u64,
                        time: i as i64,
                        known_at: i as i64 + 1,
                    };
                    prop_assert_eq!(ours.pair(swing, 1.5), shared.pair(swing, 1.5));
                }
                let mut kept: Vec<Swing> =
                    ours.highs.iter().chain(&ours.lows).map(|&(_, s)| s).collect();
                kept.sort_by_key(|s| s.index);
                prop_assert_eq!(&kept, &shared.0);
            }
        }
    }
}
