//! `risk_manager.position_sizing`: how the `smc` strategy sizes its
//! entries, with the settings each method needs. `fixed_fractional` (the
//! default) risks `trading.position_size_percent` of equity between the
//! entry and the stop; `atr` risks the same with the stop `atr_multiple`
//! ATRs away; `fixed_notional` buys `fixed_notional` of the quote currency;
//! `kelly` risks min(cap, fraction × Kelly) of equity to the stop, the
//! Kelly fraction estimated from the strategy's own last `window` closed
//! trades once it has `min_trades` (see `smc_risk::sizing`).

use rust_decimal::Decimal;
use rust_decimal::dec;
use serde::Deserialize;
use smc_risk::{Kelly, Sizing};

/// The sizing method's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSizing {
    #[default]
    FixedFractional,
    Kelly,
    Atr,
    FixedNotional,
}

/// `risk_manager.kelly`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KellyConfig {
    /// Share of the Kelly fraction used (0.5: half Kelly).
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub fraction: Decimal,
    /// Most of equity ever risked to the stop, in percent.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub cap_percent: Decimal,
    pub min_trades: usize,
    pub window: usize,
}

impl Default for KellyConfig {
    fn default() -> Self {
        KellyConfig {
            fraction: dec!(0.5),
            cap_percent: dec!(2),
            min_trades: 20,
            window: 100,
        }
    }
}

/// The sizing keys of `risk_manager`, as one value.
#[derive(Debug, Clone, PartialEq)]
pub struct SizingChoice<'a> {
    pub method: PositionSizing,
    pub kelly: &'a KellyConfig,
    pub atr_multiple: Decimal,
    pub fixed_notional: Option<Decimal>,
}

impl SizingChoice<'_> {
    /// The strategy's sizing for `risk_percent` (percent of equity per
    /// trade); `None` for fixed fractional, the strategy's own default.
    pub fn sizing(&self, risk_percent: Decimal) -> Option<Sizing> {
        match self.method {
            PositionSizing::FixedFractional => None,
            PositionSizing::Atr => Some(Sizing::Volatility {
                risk_percent,
                atr_multiple: self.atr_multiple,
            }),
            PositionSizing::FixedNotional => self
                .fixed_notional
                .map(|notional| Sizing::FixedNotional { notional }),
            PositionSizing::Kelly => Some(Sizing::Kelly(Kelly {
                fraction: self.kelly.fraction,
                cap: self.kelly.cap_percent / Decimal::ONE_HUNDRED,
                min_trades: self.kelly.min_trades,
                window: self.kelly.window,
            })),
        }
    }

    /// The keys' values make sense for the chosen method.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let k = self.kelly;
        if k.fraction <= Decimal::ZERO || k.fraction > Decimal::ONE {
            return Err((
                "risk_manager.kelly.fraction",
                format!("{}: in (0, 1]", k.fraction),
            ));
        }
        if k.cap_percent <= Decimal::ZERO || k.cap_percent > Decimal::ONE_HUNDRED {
            return Err((
                "risk_manager.kelly.cap_percent",
                format!("{}: in (0, 100]", k.cap_percent),
            ));
        }
        if k.min_trades == 0 || k.window < k.min_trades {
            return Err((
                "risk_manager.kelly.window",
                format!(
                    "min_trades {} must be at least 1 and at most window {}",
                    k.min_trades, k.window
                ),
            ));
        }
        if self.atr_multiple <= Decimal::ZERO {
            return Err((
                "risk_manager.atr_multiple",
                format!("{}: must be above 0", self.atr_multiple),
            ));
        }
        match (self.method, self.fixed_notional) {
            (PositionSizing::FixedNotional, None) => Err((
                "risk_manager.fixed_notional",
                "position_sizing: fixed_notional needs the notional per entry".into(),
            )),
            (_, Some(n)) if n <= Decimal::ZERO => Err((
                "risk_manager.fixed_notional",
                format!("{n}: must be above 0"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::parse;

    #[test]
    fn each_method_maps_to_the_risk_crates_sizing() {
        let c = parse("t", "risk_manager:\n  position_sizing: kelly\n  kelly: { fraction: 0.25, cap_percent: 1.5 }\n").unwrap();
        let s = c
            .risk_manager
            .sizing_choice()
            .sizing(rust_decimal::dec!(1))
            .unwrap();
        assert_eq!(
            format!("{s:?}"),
            "Kelly(Kelly { fraction: 0.25, cap: 0.015, min_trades: 20, window: 100 })"
        );
        let c = parse(
            "t",
            "risk_manager:\n  position_sizing: atr\n  atr_multiple: 3\n",
        )
        .unwrap();
        let s = c
            .risk_manager
            .sizing_choice()
            .sizing(rust_decimal::dec!(0.5))
            .unwrap();
        assert_eq!(
            format!("{s:?}"),
            "Volatility { risk_percent: 0.5, atr_multiple: 3 }"
        );
        let c = parse("t", "trading:\n  position_size_percent: 1\n").unwrap();
        assert_eq!(
            c.risk_manager.sizing_choice().sizing(rust_decimal::dec!(1)),
            None
        );
    }

    #[test]
    fn mistakes_name_their_key() {
        let e = parse("t", "risk_manager:\n  position_sizing: fixed_notional\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("risk_manager.fixed_notional"), "{e}");
        let e = parse("t", "risk_manager:\n  kelly: { fraction: 2 }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("risk_manager.kelly.fraction"), "{e}");
        let e = parse("t", "risk_manager:\n  position_sizing: martingale\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("martingale"), "{e}");
    }
}
