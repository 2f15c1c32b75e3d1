//! The simulated venue's models as the command line overrides them: flags
//! over the config's `backtest.engine` over the defaults, one rule for
//! every command that runs the engine on history (backtest, optimize).

use rust_decimal::Decimal;
use smc_engine::{EngineConfig, FeeModel, IntrabarRule, LatencyModel, SlippageModel};

/// The flags that change the simulated venue; `None` keeps the config's.
#[derive(Debug, Clone, Copy, Default)]
pub struct VenueFlags {
    pub cash: Option<Decimal>,
    pub fee: Option<Decimal>,
    pub slippage_bps: Option<Decimal>,
    pub latency_ms: Option<i64>,
    pub fill_rule: Option<IntrabarRule>,
}

/// The engine's venue models and starting cash (the flag, else the
/// config's `trading.initial_balance`, else the product's 10,000).
pub fn engine_config(flags: &VenueFlags, settings: Option<&smc_config::Config>) -> EngineConfig {
    let mut config = settings.map(|c| c.backtest.engine).unwrap_or_default();
    if let Some(fee) = flags.fee {
        config.fees = FeeModel {
            maker: fee,
            taker: fee,
        };
    }
    if let Some(bps) = flags.slippage_bps {
        config.slippage = if bps.is_zero() {
            SlippageModel::None
        } else {
            SlippageModel::FixedBps { bps }
        };
    }
    if let Some(ms) = flags.latency_ms {
        config.latency = LatencyModel { ms };
    }
    if let Some(rule) = flags.fill_rule {
        config.fill_rule = rule;
    }
    config.account.starting_cash = flags
        .cash
        .or(settings.map(|c| c.trading.initial_balance))
        .unwrap_or(Decimal::from(10_000));
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_which_overrides_the_defaults() {
        let mut c = smc_config::Config::default();
        c.trading.initial_balance = Decimal::from(5_000);
        c.backtest.engine.latency = LatencyModel { ms: 250 };
        let flags = VenueFlags {
            fee: Some(Decimal::new(2, 3)),
            slippage_bps: Some(Decimal::ZERO),
            ..VenueFlags::default()
        };
        let e = engine_config(&flags, Some(&c));
        assert_eq!(e.fees.taker, Decimal::new(2, 3));
        assert_eq!(e.slippage, SlippageModel::None);
        assert_eq!(e.latency, LatencyModel { ms: 250 });
        assert_eq!(e.account.starting_cash, Decimal::from(5_000));
        let e = engine_config(&VenueFlags::default(), None);
        assert_eq!(e.account.starting_cash, Decimal::from(10_000));
    }
}
