//! Where a trade's protective stop and its target start: the stop at a
//! fixed percentage, an ATR multiple, or beyond the structure (order block,
//! gap or swing) that justified the entry; the target at an R multiple of
//! that risk or at the opposing liquidity when it is far enough. Prices are
//! exact decimals; the ATR comes from the analysis (f64) and is converted
//! once here.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Deserialize;
use smc_model::Side;

/// How the initial stop is placed (`strategy.smc.stop` in a config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StopRule {
    /// `percent` % of the entry price away from it.
    FixedPercent {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        percent: Decimal,
    },
    /// `multiple` × the ATR of the entry timeframe away from the entry.
    Atr {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        multiple: Decimal,
    },
    /// Beyond the structure that justified the entry, by `buffer` × its
    /// height (the zone's, or the ATR for a bare level).
    Structure {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        buffer: Decimal,
    },
}

/// How the target is placed (`strategy.smc.target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetRule {
    /// `multiple` × the risk (entry to stop) beyond the entry.
    RMultiple {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        multiple: Decimal,
    },
    /// The opposing liquidity when it is at least `min_r` R away, else
    /// `fallback` R.
    Liquidity {
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        min_r: Decimal,
        #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
        fallback: Decimal,
    },
}

/// What the rules need to know about the setup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopInputs {
    pub side: Side,
    pub entry: Decimal,
    /// ATR of the entry timeframe, if known.
    pub atr: Option<f64>,
    /// The far edge of the justifying structure (a long's zone bottom, a
    /// short's zone top) and the zone's height.
    pub structure: Option<(Decimal, Decimal)>,
    /// The nearest opposing liquidity level, if any.
    pub liquidity: Option<Decimal>,
}

/// Why no stop could be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StopError {
    #[error("stop rule `{0}` needs {1}, which the setup does not have")]
    Missing(&'static str, &'static str),
    #[error("the stop {stop} is not on the losing side of the entry {entry}")]
    WrongSide { stop: Decimal, entry: Decimal },
}

impl StopRule {
    /// The initial stop price.
    pub fn place(&self, s: &StopInputs) -> Result<Decimal, StopError> {
        let away = |d: Decimal| s.entry - s.side.sign() * d;
        let atr = || {
            s.atr
                .filter(|a| *a > 0.0)
                .and_then(Decimal::from_f64)
                .ok_or(StopError::Missing("atr", "an ATR"))
        };
        let stop = match *self {
            StopRule::FixedPercent { percent } => away(s.entry * percent / Decimal::ONE_HUNDRED),
            StopRule::Atr { multiple } => away(atr()? * multiple),
            StopRule::Structure { buffer } => {
                let (edge, height) = s
                    .structure
                    .ok_or(StopError::Missing("structure", "a zone or swing"))?;
                let height = if height > Decimal::ZERO {
                    height
                } else {
                    atr()?
                };
                edge - s.side.sign() * height * buffer
            }
        };
        // The stop must lie on the losing side: below a long's entry, above a short's.
        if (s.entry - stop) * s.side.sign() <= Decimal::ZERO {
            return Err(StopError::WrongSide {
                stop,
                entry: s.entry,
            });
        }
        Ok(stop)
    }
}

impl TargetRule {
    /// The target price for a trade risking `entry − stop`.
    pub fn place(&self, s: &StopInputs, stop: Decimal) -> Decimal {
        let risk = (s.entry - stop).abs();
        let at_r = |r: Decimal| s.entry + s.side.sign() * risk * r;
        match *self {
            TargetRule::RMultiple { multiple } => at_r(multiple),
            TargetRule::Liquidity { min_r, fallback } => match s.liquidity {
                Some(level) if (level - s.entry) * s.side.sign() >= risk * min_r => level,
                _ => at_r(fallback),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn long() -> StopInputs {
        StopInputs {
            side: Side::Buy,
            entry: dec!(100),
            atr: Some(2.0),
            structure: Some((dec!(97), dec!(3))),
            liquidity: Some(dec!(112)),
        }
    }

    #[test]
    fn each_stop_rule_for_a_long_and_a_short() {
        let s = long();
        assert_eq!(
            StopRule::FixedPercent { percent: dec!(2) }.place(&s),
            Ok(dec!(98))
        );
        assert_eq!(
            StopRule::Atr {
                multiple: dec!(1.5)
            }
            .place(&s),
            Ok(dec!(97))
        );
        assert_eq!(
            StopRule::Structure { buffer: dec!(0.1) }.place(&s),
            Ok(dec!(96.7))
        );
        let short = StopInputs {
            side: Side::Sell,
            structure: Some((dec!(103), dec!(3))),
            ..s
        };
        assert_eq!(
            StopRule::FixedPercent { percent: dec!(2) }.place(&short),
            Ok(dec!(102))
        );
        assert_eq!(
            StopRule::Structure { buffer: dec!(0.1) }.place(&short),
            Ok(dec!(103.3))
        );
    }

    #[test]
    fn a_stop_on_the_winning_side_or_without_its_input_is_an_error() {
        let s = StopInputs {
            structure: Some((dec!(101), dec!(1))),
            ..long()
        };
        assert!(matches!(
            StopRule::Structure { buffer: dec!(0) }.place(&s),
            Err(StopError::WrongSide { .. })
        ));
        let s = StopInputs {
            atr: None,
            ..long()
        };
        assert_eq!(
            StopRule::Atr { multiple: dec!(1) }.place(&s),
            Err(StopError::Missing("atr", "an ATR"))
        );
    }

    #[test]
    fn the_target_is_the_liquidity_when_far_enough() {
        let s = long();
        let liq = TargetRule::Liquidity {
            min_r: dec!(1),
            fallback: dec!(2),
        };
        assert_eq!(liq.place(&s, dec!(98)), dec!(112), "6 R away");
        assert_eq!(
            liq.place(&s, dec!(85)),
            dec!(130),
            "0.8 R away: 2 R instead"
        );
        assert_eq!(
            TargetRule::RMultiple { multiple: dec!(3) }.place(&s, dec!(98)),
            dec!(106)
        );
    }
}
