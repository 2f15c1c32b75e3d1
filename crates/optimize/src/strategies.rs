//! The built-in strategies' tunable parameters: which names each accepts,
//! and a parameter set applied to a base configuration (the config file's
//! or the defaults). Unknown names are refused up front, with the list of
//! valid ones, before any backtest runs.

use crate::error::OptimizeError;
use crate::param::{ParamSet, ParamSpec, Value};
use rust_decimal::Decimal;
use smc_model::Timeframe;
use smc_strategy::{SmaCross, SmaCrossConfig, SmcConfig};

/// `smc` parameters: the strategy's own, then its detectors'.
pub const SMC_PARAMS: &[&str] = &[
    "reward_risk",
    "risk_percent",
    "stop_buffer",
    "entry_expiry_bars",
    "bias_timeframe",
    "allow_short",
    "swing_length",
    "internal_length",
    "atr_period",
    "equal_tolerance_atr",
    "fvg_min_atr",
    "close_break",
    "max_active_zones",
];

/// `sma_cross` parameters.
pub const SMA_CROSS_PARAMS: &[&str] = &["fast", "slow"];

/// Refuses any spec whose name is not in `valid`.
pub fn check_names(specs: &[ParamSpec], valid: &[&str]) -> Result<(), OptimizeError> {
    match specs.iter().find(|s| !valid.contains(&s.name.as_str())) {
        Some(s) => Err(OptimizeError::UnknownParam {
            name: s.name.clone(),
            valid: valid.join(", "),
        }),
        None => Ok(()),
    }
}

fn bad(name: &str, reason: impl Into<String>) -> OptimizeError {
    OptimizeError::BadValue {
        name: name.to_string(),
        reason: reason.into(),
    }
}

fn decimal(name: &str, v: &Value, min_exclusive: bool) -> Result<Decimal, OptimizeError> {
    let d = v
        .as_decimal()
        .ok_or_else(|| bad(name, format!("`{v}` is not a number")))?;
    if d < Decimal::ZERO || (min_exclusive && d.is_zero()) {
        let need = if min_exclusive { "positive" } else { "≥ 0" };
        return Err(bad(name, format!("{v} must be {need}")));
    }
    Ok(d)
}

fn count(name: &str, v: &Value, min: usize) -> Result<usize, OptimizeError> {
    v.as_usize()
        .filter(|n| *n >= min)
        .ok_or_else(|| bad(name, format!("`{v}` must be an integer ≥ {min}")))
}

fn ratio(name: &str, v: &Value) -> Result<f64, OptimizeError> {
    v.as_f64()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| bad(name, format!("`{v}` must be a number ≥ 0")))
}

fn flag(name: &str, v: &Value) -> Result<bool, OptimizeError> {
    match v {
        Value::Text(t) if t == "true" => Ok(true),
        Value::Text(t) if t == "false" => Ok(false),
        Value::Int(1) => Ok(true),
        Value::Int(0) => Ok(false),
        _ => Err(bad(name, format!("`{v}` must be true or false"))),
    }
}

/// `base` with `set` applied; every value is checked.
pub fn apply_smc(base: &SmcConfig, set: &ParamSet) -> Result<SmcConfig, OptimizeError> {
    let mut c = base.clone();
    for (name, v) in &set.values {
        let n = name.as_str();
        match n {
            "reward_risk" => c.reward_risk = decimal(n, v, true)?,
            "risk_percent" => {
                let percent = decimal(n, v, true)?;
                c.risk_percent = Some(percent);
                if percent > Decimal::ONE_HUNDRED {
                    return Err(bad(n, "must be at most 100"));
                }
            }
            "stop_buffer" => c.stop_buffer = decimal(n, v, false)?,
            "entry_expiry_bars" => c.entry_expiry_bars = count(n, v, 1)?,
            "bias_timeframe" => {
                c.bias_timeframe = v
                    .to_string()
                    .parse::<Timeframe>()
                    .map_err(|e| bad(n, e.to_string()))?;
            }
            "allow_short" => c.allow_short = Some(flag(n, v)?),
            "swing_length" => c.detectors.swing_length = count(n, v, 1)?,
            "internal_length" => c.detectors.internal_length = count(n, v, 1)?,
            "atr_period" => c.detectors.atr_period = count(n, v, 1)?,
            "equal_tolerance_atr" => c.detectors.equal_tolerance_atr = ratio(n, v)?,
            "fvg_min_atr" => c.detectors.fvg_min_atr = ratio(n, v)?,
            "close_break" => c.detectors.close_break = flag(n, v)?,
            "max_active_zones" => c.detectors.max_active_zones = count(n, v, 1)?,
            _ => {
                return Err(OptimizeError::UnknownParam {
                    name: name.clone(),
                    valid: SMC_PARAMS.join(", "),
                });
            }
        }
    }
    Ok(c)
}

/// `base` with `set` applied; refuses lengths that cannot cross.
pub fn apply_sma_cross(
    base: &SmaCrossConfig,
    set: &ParamSet,
) -> Result<SmaCrossConfig, OptimizeError> {
    let mut c = *base;
    for (name, v) in &set.values {
        match name.as_str() {
            "fast" => c.fast = count(name, v, 1)?,
            "slow" => c.slow = count(name, v, 2)?,
            _ => {
                return Err(OptimizeError::UnknownParam {
                    name: name.clone(),
                    valid: SMA_CROSS_PARAMS.join(", "),
                });
            }
        }
    }
    SmaCross::new(c).map_err(|e| bad("fast/slow", e.to_string()))?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param::parse_specs;
    use rust_decimal::dec;

    fn set(pairs: &[(&str, &str)]) -> ParamSet {
        ParamSet {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::parse(v)))
                .collect(),
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let specs = parse_specs(&["fast=5,10", "slw=20"]).unwrap();
        let err = check_names(&specs, SMA_CROSS_PARAMS)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`slw`") && err.contains("fast, slow"), "{err}");
        let specs = parse_specs(&["reward_risk=2", "swing_length=5"]).unwrap();
        assert!(check_names(&specs, SMC_PARAMS).is_ok());
    }

    #[test]
    fn smc_values_land_in_the_config() {
        let c = apply_smc(
            &SmcConfig::default(),
            &set(&[
                ("reward_risk", "3"),
                ("risk_percent", "0.5"),
                ("bias_timeframe", "4h"),
                ("swing_length", "5"),
                ("close_break", "false"),
                ("fvg_min_atr", "0.25"),
            ]),
        )
        .unwrap();
        assert_eq!(c.reward_risk, dec!(3));
        assert_eq!(c.risk_percent, Some(dec!(0.5)));
        assert_eq!(c.bias_timeframe, Timeframe::H4);
        assert_eq!(c.detectors.swing_length, 5);
        assert!(!c.detectors.close_break);
        assert_eq!(c.detectors.fvg_min_atr, 0.25);
        // Untouched fields keep the base's values.
        assert_eq!(c.entry_expiry_bars, SmcConfig::default().entry_expiry_bars);
    }

    #[test]
    fn bad_values_are_refused() {
        let base = SmcConfig::default();
        for (k, v) in [
            ("reward_risk", "0"),
            ("risk_percent", "150"),
            ("stop_buffer", "-1"),
            ("entry_expiry_bars", "2.5"),
            ("bias_timeframe", "7x"),
            ("allow_short", "maybe"),
            ("swing_length", "0"),
        ] {
            assert!(apply_smc(&base, &set(&[(k, v)])).is_err(), "{k}={v}");
        }
        let sma = SmaCrossConfig::default();
        assert!(apply_sma_cross(&sma, &set(&[("fast", "50"), ("slow", "20")])).is_err());
        let c = apply_sma_cross(&sma, &set(&[("fast", "5"), ("slow", "20")])).unwrap();
        assert_eq!((c.fast, c.slow), (5, 20));
    }
}
