//! Market structure of one scope (internal or swing): the last confirmed
//! swing high and low, the trend they imply, and the breaks — BOS in the
//! trend's direction, CHoCH against it — emitted at the close of the
//! breaking candle. A wick through the level that closes back is a sweep.

use crate::bar::Bar;
use crate::event::Scope;
use crate::swing::Swing;

/// A swing level that may still be broken.
#[derive(Debug, Clone, Copy)]
struct Level {
    swing: Swing,
    swept: bool,
}

/// What a bar did to the structure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StructureEvent {
    /// A close (or wick) beyond the level: `choch` when against the trend.
    Break { swing: Swing, choch: bool },
    /// A wick beyond the level with the close back inside (liquidity taken).
    Sweep { swing: Swing },
}

#[derive(Debug, Clone)]
pub struct Structure {
    pub scope: Scope,
    /// 1 up, -1 down, 0 before the first break.
    pub trend: i8,
    high: Option<Level>,
    low: Option<Level>,
    close_break: bool,
}

impl Structure {
    pub fn new(scope: Scope, close_break: bool) -> Self {
        Structure {
            scope,
            trend: 0,
            high: None,
            low: None,
            close_break,
        }
    }

    /// A newly confirmed swing becomes the level to break on its side.
    pub fn on_swing(&mut self, swing: Swing) {
        let level = Some(Level {
            swing,
            swept: false,
        });
        if swing.direction == 1 {
            self.high = level
        } else {
            self.low = level
        }
    }

    /// The unbroken swing high and low.
    pub fn levels(&self) -> (Option<Swing>, Option<Swing>) {
        (self.high.map(|l| l.swing), self.low.map(|l| l.swing))
    }

    /// Whether the bar trades beyond either level (else `on_bar` has nothing
    /// to do: the common case, checked first).
    #[inline]
    pub fn reaches(&self, bar: &Bar) -> bool {
        // The close too, in case a bad (NaN) high or low hides a close beyond.
        self.high
            .is_some_and(|l| bar.high > l.swing.level || bar.close > l.swing.level)
            || self
                .low
                .is_some_and(|l| bar.low < l.swing.level || bar.close < l.swing.level)
    }

    /// Checks a closed bar against both levels; pushes what happened.
    pub fn on_bar(&mut self, bar: &Bar, out: &mut Vec<StructureEvent>) {
        for direction in [1i8, -1] {
            let slot = if direction == 1 {
                &mut self.high
            } else {
                &mut self.low
            };
            let Some(level) = slot else { continue };
            let price = level.swing.level;
            let (wick, close) = if direction == 1 {
                (bar.high > price, bar.close > price)
            } else {
                (bar.low < price, bar.close < price)
            };
            if close || (wick && !self.close_break) {
                out.push(StructureEvent::Break {
                    swing: level.swing,
                    choch: self.trend == -direction,
                });
                self.trend = direction;
                *slot = None;
            } else if wick && !level.swept {
                level.swept = true;
                out.push(StructureEvent::Sweep { swing: level.swing });
            }
        }
    }
}
