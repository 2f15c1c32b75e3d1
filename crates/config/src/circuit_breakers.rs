//! `risk_manager.circuit_breakers`: which breakers run and their thresholds.

use crate::validate::{percent, positive};
use rust_decimal::Decimal;
use serde::Deserialize;

/// `risk_manager.circuit_breakers`: each breaker is off unless its section
/// is present. A tripped breaker refuses orders that add risk (exits pass)
/// until its cooldown ends or an operator resets it with the token in
/// `SMC_BREAKER_RESET_TOKEN` (never in this file). States are kept in
/// `storage.database_url`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CircuitBreakersConfig {
    /// Minutes a released breaker cools down (trading allowed, condition
    /// not checked) before it is armed again.
    pub rearm_delay_minutes: u32,
    pub daily_loss: Option<DailyLossBreaker>,
    pub drawdown: Option<DrawdownBreaker>,
    pub consecutive_losses: Option<ConsecutiveLossesBreaker>,
    pub volatility_spike: Option<VolatilitySpikeBreaker>,
    pub error_rate: Option<ErrorRateBreaker>,
    pub stale_data: Option<StaleDataBreaker>,
}

/// Trips on a loss from the UTC day's start equity (amount and/or percent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DailyLossBreaker {
    /// In the quote currency.
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_loss: Option<Decimal>,
    /// In percent of the day's start equity.
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_loss_percent: Option<Decimal>,
    /// Released by itself at the next UTC midnight.
    #[serde(default)]
    pub release_next_utc_day: bool,
    /// Released by itself this many minutes after the trip.
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when equity is a percentage below its peak.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawdownBreaker {
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub max_percent: Decimal,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips after this many losing round trips in a row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsecutiveLossesBreaker {
    pub max_losses: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when a bar's true range exceeds `multiple` times its average over
/// `atr_period` bars.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolatilitySpikeBreaker {
    pub atr_period: u32,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub multiple: Decimal,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when `max_errors` of the last `window` order requests were rejected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRateBreaker {
    pub window: u32,
    pub max_errors: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when no candle has arrived for more than `max_age_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleDataBreaker {
    pub max_age_seconds: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

impl CircuitBreakersConfig {
    /// Checks the values types alone cannot; returns the dotted key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let zero_cooldown = |c: Option<u32>| c == Some(0);
        if let Some(d) = &self.daily_loss {
            if d.max_loss.is_none() && d.max_loss_percent.is_none() {
                return Err((
                    "risk_manager.circuit_breakers.daily_loss",
                    "set max_loss or max_loss_percent".to_string(),
                ));
            }
            if let Some(v) = d.max_loss {
                positive("risk_manager.circuit_breakers.daily_loss.max_loss", v)?;
            }
            if let Some(v) = d.max_loss_percent {
                percent(
                    "risk_manager.circuit_breakers.daily_loss.max_loss_percent",
                    v,
                )?;
            }
            if d.release_next_utc_day && d.cooldown_minutes.is_some() {
                return Err((
                    "risk_manager.circuit_breakers.daily_loss.cooldown_minutes",
                    "release_next_utc_day and cooldown_minutes exclude each other".to_string(),
                ));
            }
        }
        if let Some(d) = &self.drawdown {
            percent(
                "risk_manager.circuit_breakers.drawdown.max_percent",
                d.max_percent,
            )?;
        }
        if self
            .consecutive_losses
            .as_ref()
            .is_some_and(|c| c.max_losses == 0)
        {
            return Err((
                "risk_manager.circuit_breakers.consecutive_losses.max_losses",
                "must be at least 1".to_string(),
            ));
        }
        if let Some(v) = &self.volatility_spike {
            if v.atr_period == 0 {
                return Err((
                    "risk_manager.circuit_breakers.volatility_spike.atr_period",
                    "must be at least 1".to_string(),
                ));
            }
            if v.multiple <= Decimal::ONE {
                return Err((
                    "risk_manager.circuit_breakers.volatility_spike.multiple",
                    format!("must be above 1, got {}", v.multiple),
                ));
            }
        }
        if let Some(e) = &self.error_rate
            && (e.max_errors == 0 || e.max_errors > e.window)
        {
            return Err((
                "risk_manager.circuit_breakers.error_rate.max_errors",
                format!(
                    "must be between 1 and window ({}), got {}",
                    e.window, e.max_errors
                ),
            ));
        }
        if self
            .stale_data
            .as_ref()
            .is_some_and(|s| s.max_age_seconds == 0)
        {
            return Err((
                "risk_manager.circuit_breakers.stale_data.max_age_seconds",
                "must be at least 1".to_string(),
            ));
        }
        let cooldowns = [
            self.daily_loss.as_ref().and_then(|c| c.cooldown_minutes),
            self.drawdown.as_ref().and_then(|c| c.cooldown_minutes),
            self.consecutive_losses
                .as_ref()
                .and_then(|c| c.cooldown_minutes),
            self.volatility_spike
                .as_ref()
                .and_then(|c| c.cooldown_minutes),
            self.error_rate.as_ref().and_then(|c| c.cooldown_minutes),
            self.stale_data.as_ref().and_then(|c| c.cooldown_minutes),
        ];
        if cooldowns.into_iter().any(zero_cooldown) {
            return Err((
                "cooldown_minutes",
                "must be at least 1 (leave it out to release only by a reset)".to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod circuit_breaker_tests {
    use super::*;
    use crate::schema::Config;
    use rust_decimal::dec;

    /// The `circuit_breakers` block of `config.example.yaml` with its
    /// commented-out breakers uncommented (the example enables only some).
    fn example_block() -> String {
        let text = include_str!("../../../config.example.yaml");
        let mut out = String::from("risk_manager:\n");
        let mut inside = false;
        for line in text.lines() {
            if line == "  circuit_breakers:" || line == "  # circuit_breakers:" {
                inside = true;
                out.push_str("  circuit_breakers:\n");
                continue;
            }
            if !inside {
                continue;
            }
            if !line.starts_with("  ") {
                break;
            }
            if line.trim_start().starts_with('#') {
                // A key commented out at the block's level: `  #   drawdown:`.
                let code = line.replacen("# ", "", 1);
                if line.starts_with("  # ") && !code.trim_start().starts_with('#') {
                    out.push_str(&code);
                    out.push('\n');
                }
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn breakers_are_off_by_default() {
        let c: Config = serde_yaml_ng::from_str("risk_manager: {max_daily_loss: 400.0}").unwrap();
        assert_eq!(
            c.risk_manager.circuit_breakers,
            CircuitBreakersConfig::default()
        );
        assert!(c.risk_manager.circuit_breakers.daily_loss.is_none());
    }

    #[test]
    fn the_documented_example_parses_and_validates() {
        let yaml = example_block();
        let c: Config = serde_yaml_ng::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let b = &c.risk_manager.circuit_breakers;
        let daily = b.daily_loss.as_ref().unwrap();
        assert_eq!(daily.max_loss_percent, Some(dec!(0.2)));
        assert!(daily.release_next_utc_day);
        assert_eq!(b.drawdown.as_ref().unwrap().max_percent, dec!(10));
        assert_eq!(b.consecutive_losses.as_ref().unwrap().max_losses, 5);
        assert_eq!(b.volatility_spike.as_ref().unwrap().multiple, dec!(4));
        assert_eq!(b.error_rate.as_ref().unwrap().window, 20);
        assert_eq!(b.stale_data.as_ref().unwrap().max_age_seconds, 180);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let unknown = "risk_manager:\n  circuit_breakers:\n    daily_loss:\n      max_los: 1.0\n";
        assert!(serde_yaml_ng::from_str::<Config>(unknown).is_err());
        let none =
            "risk_manager:\n  circuit_breakers:\n    daily_loss: {release_next_utc_day: true}\n";
        let c: Config = serde_yaml_ng::from_str(none).unwrap();
        assert_eq!(
            c.validate().unwrap_err().0,
            "risk_manager.circuit_breakers.daily_loss"
        );
        let rate =
            "risk_manager:\n  circuit_breakers:\n    error_rate: {window: 3, max_errors: 4}\n";
        let c: Config = serde_yaml_ng::from_str(rate).unwrap();
        assert_eq!(
            c.validate().unwrap_err().0,
            "risk_manager.circuit_breakers.error_rate.max_errors"
        );
    }
}
