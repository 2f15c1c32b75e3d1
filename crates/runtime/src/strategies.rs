//! The built-in strategies by name, built from the config in one place for
//! every mode (backtest, optimize, paper, live): `sma_cross` with its
//! first-decision rule, and `smc` with the config's parameters, detectors
//! and timeframes (entry, the ones that must agree, bias).

use crate::error::SessionError;
use rust_decimal::Decimal;
use smc_model::{InstrumentId, Timeframe};
use smc_strategy::features::MlFilter;
use smc_strategy::{
    FirstDecision, PerInstrument, SmaCross, SmaCrossConfig, SmcConfig, SmcStrategy, Strategy,
};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A built-in strategy. `sma_cross` is the name; `sma-cross` is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyName {
    Smc,
    SmaCross,
}

impl FromStr for StrategyName {
    type Err = SessionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "smc" => Ok(StrategyName::Smc),
            "sma_cross" | "sma-cross" => Ok(StrategyName::SmaCross),
            other => Err(SessionError::Setting(format!(
                "unknown strategy `{other}`: use smc or sma_cross"
            ))),
        }
    }
}

impl fmt::Display for StrategyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StrategyName::Smc => "smc",
            StrategyName::SmaCross => "sma_cross",
        })
    }
}

/// `flag`, else the config's `backtest.strategy`.
pub fn strategy_name(
    flag: Option<StrategyName>,
    settings: Option<&smc_config::Config>,
) -> Result<StrategyName, SessionError> {
    if let Some(name) = flag {
        return Ok(name);
    }
    match settings.and_then(|c| c.backtest.strategy.as_deref()) {
        Some(name) => name.parse().map_err(|_| {
            SessionError::Setting(format!(
                "backtest.strategy `{name}` in the config: use smc or sma_cross"
            ))
        }),
        None => Err(SessionError::Setting(
            "no strategy: give --strategy smc|sma_cross, or backtest.strategy in the config".into(),
        )),
    }
}

/// The strategy by name, for one market: `sma_cross` with its
/// first-decision rule, or `smc` with [`smc_config`].
pub fn make_strategy(
    name: StrategyName,
    first_decision: FirstDecision,
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
) -> Result<Box<dyn Strategy>, SessionError> {
    Ok(match name {
        StrategyName::SmaCross => Box::new(sma_cross(first_decision, settings)?),
        StrategyName::Smc => {
            let config = smc_config(settings, timeframes)?;
            let filter = ml_filter(settings, &config)?;
            Box::new(with_filter(SmcStrategy::new(config), filter.as_ref()))
        }
    })
}

/// The ML filter the config's `ml` section asks for (none without
/// `ml.model`), loaded once and checked against the features of `smc`: a
/// model trained on other features refuses the start.
pub fn ml_filter(
    settings: Option<&smc_config::Config>,
    smc: &SmcConfig,
) -> Result<Option<Arc<MlFilter>>, SessionError> {
    let Some(ml) = settings.map(|c| &c.ml) else {
        return Ok(None);
    };
    let Some(dir) = &ml.model else {
        return Ok(None);
    };
    let features = SmcStrategy::new(smc.clone()).feature_set();
    MlFilter::load(dir, &features, ml.threshold, ml.size_by_probability)
        .map(|f| Some(Arc::new(f)))
        .map_err(|e| SessionError::Setting(e.to_string()))
}

fn with_filter(s: SmcStrategy, filter: Option<&Arc<MlFilter>>) -> SmcStrategy {
    match filter {
        Some(f) => s.with_filter(Arc::clone(f)),
        None => s,
    }
}

/// The strategy for a session on `instruments`. Both built-ins keep one
/// market's state, so each instrument gets its own instance (with one
/// instrument the wrapper changes nothing).
pub fn session_strategy(
    name: StrategyName,
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
    instruments: &[InstrumentId],
) -> Result<Box<dyn Strategy>, SessionError> {
    Ok(match name {
        StrategyName::Smc => {
            let config = smc_config(settings, timeframes)?;
            let filter = ml_filter(settings, &config)?;
            Box::new(PerInstrument::new(
                instruments.to_vec(),
                Box::new(move || {
                    Box::new(with_filter(
                        SmcStrategy::new(config.clone()),
                        filter.as_ref(),
                    ))
                }),
            ))
        }
        StrategyName::SmaCross => {
            let proto = sma_cross(FirstDecision::OneBarAfter, settings)?;
            Box::new(PerInstrument::new(
                instruments.to_vec(),
                Box::new(move || Box::new(proto.clone())),
            ))
        }
    })
}

/// `sma_cross` with its default averages and `first_decision`. Without a
/// config it trades all-in (the peer tools' convention); with one, each
/// entry commits `position_size_percent / stop_loss_percent` of equity
/// (at most all of it), so that the stop the risk gate gives the entry
/// (`stop_loss_percent` away) risks `position_size_percent` of equity.
pub fn sma_cross(
    first_decision: FirstDecision,
    settings: Option<&smc_config::Config>,
) -> Result<SmaCross, SessionError> {
    let equity_fraction = settings.map_or(Decimal::ONE, |c| {
        let risk = c.trading.position_size_percent / c.risk_manager.stop_loss_percent;
        risk.min(Decimal::ONE)
    });
    SmaCross::new(SmaCrossConfig {
        first_decision,
        equity_fraction,
        ..SmaCrossConfig::default()
    })
    .map_err(|e| SessionError::Setting(e.to_string()))
}

/// The `smc` strategy's parameters: the config's, with its detectors, and
/// the bias timeframe from `timeframes` (entry, [confirming…,] bias), else
/// the config's `backtest.timeframes`.
pub fn smc_config(
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
) -> Result<SmcConfig, SessionError> {
    let mut smc = settings
        .map(|c| c.backtest.smc_strategy.clone())
        .unwrap_or_default();
    if let Some(c) = settings {
        smc.detectors = c.smc.clone();
        // The product's risk per trade, unless the strategy's section says.
        smc.risk_percent = smc.risk_percent.or(Some(c.trading.position_size_percent));
        // risk_manager.position_sizing, unless the strategy's section
        // names its own method.
        if smc.sizing.is_none() {
            let risk = smc.risk_percent.unwrap_or(Decimal::ONE);
            smc.sizing = c.risk_manager.sizing_choice().sizing(risk);
        }
    }
    let timeframes = match (timeframes.is_empty(), settings) {
        (true, Some(c)) => c.backtest.timeframes.clone(),
        _ => timeframes.to_vec(),
    };
    if let Some(bias) = timeframes.last() {
        smc.bias_timeframe = timeframe(bias, "bias")?;
    }
    // Entry, then the timeframes that must agree, then the bias.
    if timeframes.len() > 2 {
        smc.confirm_timeframes = timeframes[1..timeframes.len() - 1]
            .iter()
            .map(|tf| timeframe(tf, "confirming"))
            .collect::<Result<_, _>>()?;
    }
    Ok(smc)
}

fn timeframe(text: &str, role: &str) -> Result<Timeframe, SessionError> {
    text.parse()
        .map_err(|e| SessionError::Setting(format!("bad {role} timeframe `{text}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_both_spellings_and_print_in_the_issue_s() {
        assert_eq!(
            "sma-cross".parse::<StrategyName>().unwrap(),
            StrategyName::SmaCross
        );
        assert_eq!(StrategyName::SmaCross.to_string(), "sma_cross");
        assert!("macd".parse::<StrategyName>().is_err());
    }

    #[test]
    fn timeframes_set_the_bias_and_the_confirming_ones() {
        let tfs: Vec<String> = ["1m", "5m", "1h", "1d"].map(String::from).to_vec();
        let c = smc_config(None, &tfs).unwrap();
        assert_eq!(c.bias_timeframe, Timeframe::D1);
        assert_eq!(c.confirm_timeframes, vec![Timeframe::M5, Timeframe::H1]);
        let err = smc_config(None, &["1m".into(), "7q".into()]).unwrap_err();
        assert!(err.to_string().contains("bad bias timeframe `7q`"), "{err}");
    }
}
