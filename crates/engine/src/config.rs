//! Engine configuration: the account and every simulation model, each with a
//! default, so a `config.yaml` section can choose them and a backtest
//! without one runs with the defaults (spot, 100,000 quote, 0.1 % fees, no
//! slippage, no latency, `ohlc` path, no volume cap).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_matching::{
    AccountConfig, AccountKind, FeeModel, IntrabarRule, LatencyModel, SlippageModel,
};

/// Everything the simulated venue and the engine need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    pub account: AccountConfig,
    pub fees: FeeModel,
    pub slippage: SlippageModel,
    pub latency: LatencyModel,
    pub fill_rule: IntrabarRule,
    /// Largest share of a bar's volume one bar may fill across all orders of
    /// the instrument (e.g. 0.1); orders beyond it fill partially over later
    /// bars. `None` fills any size.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_participation: Option<Decimal>,
    /// Spread, financing and closeout of forex instruments.
    pub forex: crate::forex::ForexConfig,
}

/// The models that ran, by name, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelNames {
    pub fill_rule: &'static str,
    pub slippage: String,
    pub latency: String,
    pub fees: String,
    pub max_participation: Option<Decimal>,
    pub account: String,
    /// The pre-trade risk gate (filled in by the engine).
    pub risk_gate: String,
    /// The forex model, when an instrument is forex (filled in by the
    /// engine): spread, financing rates, closeout.
    pub forex: Option<String>,
}

impl EngineConfig {
    pub fn model_names(&self) -> ModelNames {
        ModelNames {
            fill_rule: self.fill_rule.name(),
            slippage: self.slippage.describe(),
            latency: self.latency.describe(),
            fees: self.fees.describe(),
            max_participation: self.max_participation,
            account: match self.account.kind {
                AccountKind::Spot => "spot".into(),
                AccountKind::Margin { leverage } => format!("margin x{leverage}"),
            },
            risk_gate: String::new(),
            forex: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_yaml_section_chooses_the_models() {
        let yaml = "
account: { kind: { type: margin, leverage: 5 }, starting_cash: 1000 }
fees: { maker: 0.0002, taker: 0.0004 }
slippage: { model: fixed-bps, bps: 2 }
latency: { ms: 250 }
fill_rule: stop-first
max_participation: 0.1
";
        let c: EngineConfig = serde_yaml_ng::from_str(yaml).unwrap();
        assert_eq!(c.account.kind, AccountKind::Margin { leverage: dec!(5) });
        assert_eq!(c.fill_rule, IntrabarRule::StopFirst);
        let names = c.model_names();
        assert_eq!(names.fill_rule, "stop-first");
        assert_eq!(names.slippage, "fixed-bps 2");
        assert_eq!(names.latency, "fixed 250 ms");
        assert_eq!(names.account, "margin x5");
    }

    #[test]
    fn an_empty_section_is_the_default() {
        let c: EngineConfig = serde_yaml_ng::from_str("{}").unwrap();
        assert_eq!(c, EngineConfig::default());
        assert!(serde_yaml_ng::from_str::<EngineConfig>("fill_rule: best-case").is_err());
    }
}
