//! Managing an open trade's exit after entry, one closed bar at a time:
//! trailing the stop (by a percentage or an ATR multiple from the best
//! price, or behind the latest swing), moving it to break-even once the
//! trade is N R in profit, and a time stop that closes a trade after N bars.
//! The stop only ever tightens (a ratchet), and never jumps past the close
//! (that would be an exit at the next open, which the time stop or the
//! target should decide instead).

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;
use smc_model::Side;

/// How the stop follows price (`strategy.smc.exits.trailing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trailing {
    /// `percent` % behind the best price since entry.
    Percent {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        percent: Decimal,
    },
    /// `multiple` × the ATR behind the best price.
    Atr {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        multiple: Decimal,
    },
    /// Behind the latest swing in the trade's favour (a long's higher low),
    /// by `buffer` × the ATR.
    Structure {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        buffer: Decimal,
    },
}

/// The exit rules after entry (`strategy.smc.exits`); all off by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExitPlan {
    pub trailing: Option<Trailing>,
    /// Move the stop to the entry once the best price is this many R away.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub break_even_after_r: Option<Decimal>,
    /// Close the trade at the close of its N-th bar.
    pub time_stop_bars: Option<usize>,
}

impl ExitPlan {
    pub fn is_empty(&self) -> bool {
        *self == ExitPlan::default()
    }
}

/// What the manager sees of a closed bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExitBar {
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub atr: Option<f64>,
    /// The latest confirmed swing on the trade's protective side (a swing
    /// low for a long, a swing high for a short).
    pub swing: Option<Decimal>,
}

/// What to do after a bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitAction {
    Hold,
    /// Move the protective stop to `to` (always tighter than before).
    MoveStop {
        to: Decimal,
        why: &'static str,
    },
    /// Close the position now.
    Close {
        why: &'static str,
    },
}

/// One open trade's exit state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedExit {
    pub side: Side,
    pub entry: Decimal,
    /// |entry − initial stop|: one R.
    pub risk: Decimal,
    pub stop: Decimal,
    /// The best price since entry (highest high for a long).
    pub best: Decimal,
    pub bars: usize,
}

impl ManagedExit {
    pub fn new(side: Side, entry: Decimal, stop: Decimal) -> Self {
        ManagedExit {
            side,
            entry,
            risk: (entry - stop).abs(),
            stop,
            best: entry,
            bars: 0,
        }
    }

    /// `a` is tighter than `b` for this trade's side (higher for a long).
    fn tighter(&self, a: Decimal, b: Decimal) -> bool {
        (a - b) * self.side.sign() > Decimal::ZERO
    }

    /// Updates the state with a closed bar and says what to do.
    pub fn on_bar(&mut self, plan: &ExitPlan, bar: &ExitBar) -> ExitAction {
        self.bars += 1;
        let favourable = if self.side == Side::Buy {
            bar.high
        } else {
            bar.low
        };
        if self.tighter(favourable, self.best) {
            self.best = favourable;
        }
        if plan.time_stop_bars.is_some_and(|n| self.bars >= n) {
            return ExitAction::Close { why: "time stop" };
        }
        let sign = self.side.sign();
        let mut candidate: Option<(Decimal, &'static str)> = None;
        let mut offer = |price: Decimal, why: &'static str, me: &Self| {
            if candidate.is_none_or(|(c, _)| me.tighter(price, c)) {
                candidate = Some((price, why));
            }
        };
        if let Some(r) = plan.break_even_after_r
            && (self.best - self.entry) * sign >= r * self.risk
        {
            offer(self.entry, "break-even", self);
        }
        let atr = bar.atr.filter(|a| *a > 0.0).and_then(Decimal::from_f64);
        match plan.trailing {
            Some(Trailing::Percent { percent }) => offer(
                self.best * (Decimal::ONE - sign * percent / Decimal::ONE_HUNDRED),
                "trailing stop",
                self,
            ),
            Some(Trailing::Atr { multiple }) => {
                if let Some(atr) = atr {
                    offer(
                        self.best - sign * atr * multiple,
                        "trailing stop (ATR)",
                        self,
                    );
                }
            }
            Some(Trailing::Structure { buffer }) => {
                if let Some(swing) = bar.swing {
                    let room = atr.unwrap_or(Decimal::ZERO) * buffer;
                    offer(swing - sign * room, "trailing stop (structure)", self);
                }
            }
            None => {}
        }
        match candidate {
            // Only tighter than now, and still on the losing side of the close.
            Some((to, why)) if self.tighter(to, self.stop) && self.tighter(bar.close, to) => {
                self.stop = to;
                ExitAction::MoveStop { to, why }
            }
            _ => ExitAction::Hold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn bar(high: Decimal, low: Decimal, close: Decimal) -> ExitBar {
        ExitBar {
            high,
            low,
            close,
            atr: Some(1.0),
            swing: None,
        }
    }

    #[test]
    fn break_even_after_one_r_then_a_percent_trail() {
        let plan = ExitPlan {
            trailing: Some(Trailing::Percent { percent: dec!(5) }),
            break_even_after_r: Some(dec!(1)),
            time_stop_bars: None,
        };
        let mut m = ManagedExit::new(Side::Buy, dec!(100), dec!(95));
        // Best 103: the 5 % trail (97.85) is tighter than 95, not yet 1 R.
        assert_eq!(
            m.on_bar(&plan, &bar(dec!(103), dec!(99), dec!(102))),
            ExitAction::MoveStop {
                to: dec!(97.85),
                why: "trailing stop"
            }
        );
        // Best 105 = 1 R: break-even (100) beats the trail (99.75).
        assert_eq!(
            m.on_bar(&plan, &bar(dec!(105), dec!(101), dec!(104))),
            ExitAction::MoveStop {
                to: dec!(100),
                why: "break-even"
            }
        );
        // A lower high changes nothing: the stop never loosens.
        assert_eq!(
            m.on_bar(&plan, &bar(dec!(102), dec!(100.5), dec!(101))),
            ExitAction::Hold
        );
        assert_eq!(m.stop, dec!(100));
    }

    #[test]
    fn a_short_trails_by_atr_and_by_structure() {
        let atr = ExitPlan {
            trailing: Some(Trailing::Atr { multiple: dec!(2) }),
            ..ExitPlan::default()
        };
        let mut m = ManagedExit::new(Side::Sell, dec!(100), dec!(104));
        assert_eq!(
            m.on_bar(&atr, &bar(dec!(99), dec!(95), dec!(96))),
            ExitAction::MoveStop {
                to: dec!(97),
                why: "trailing stop (ATR)"
            }
        );
        let structure = ExitPlan {
            trailing: Some(Trailing::Structure { buffer: dec!(0.5) }),
            ..ExitPlan::default()
        };
        let mut m = ManagedExit::new(Side::Sell, dec!(100), dec!(104));
        let b = ExitBar {
            swing: Some(dec!(101)),
            ..bar(dec!(99), dec!(97), dec!(98))
        };
        assert_eq!(
            m.on_bar(&structure, &b),
            ExitAction::MoveStop {
                to: dec!(101.5),
                why: "trailing stop (structure)"
            }
        );
    }

    #[test]
    fn a_stop_is_never_moved_past_the_close_and_the_time_stop_closes() {
        let plan = ExitPlan {
            trailing: Some(Trailing::Percent { percent: dec!(1) }),
            time_stop_bars: Some(2),
            ..ExitPlan::default()
        };
        let mut m = ManagedExit::new(Side::Buy, dec!(100), dec!(95));
        // A spike to 110 closing at 100: a 1 % trail (108.9) would be above the close.
        assert_eq!(
            m.on_bar(&plan, &bar(dec!(110), dec!(99), dec!(100))),
            ExitAction::Hold
        );
        assert_eq!(
            m.on_bar(&plan, &bar(dec!(101), dec!(99), dec!(100))),
            ExitAction::Close { why: "time stop" }
        );
    }
}
