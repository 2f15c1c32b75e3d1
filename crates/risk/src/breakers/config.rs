//! What breakers a gate runs, with their limits and how each is released.
//! Every breaker is off unless its section is present; times are in ms.
//! The config crate maps `risk_manager.circuit_breakers` onto these types.

use super::condition::Condition;
use super::daily_loss::DailyLoss;
use super::drawdown::Drawdown;
use super::error_rate::ErrorRate;
use super::losses::ConsecutiveLosses;
use super::stale::StaleData;
use super::unprotected::UnprotectedPosition;
use super::venue_mismatch::VenueMismatch;
use super::volatility::VolatilitySpike;
use rust_decimal::Decimal;
use smc_model::Timestamp;

/// All the breakers; `None` is off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BreakerConfig {
    /// How long a released breaker cools down (trading allowed, condition
    /// not checked) before it is armed again.
    pub rearm_delay_ms: i64,
    pub daily_loss: Option<DailyLossConfig>,
    pub drawdown: Option<DrawdownConfig>,
    pub consecutive_losses: Option<ConsecutiveLossesConfig>,
    pub volatility_spike: Option<VolatilitySpikeConfig>,
    pub error_rate: Option<ErrorRateConfig>,
    pub stale_data: Option<StaleDataConfig>,
    /// Live mode: trip when reconciliation finds the venue different
    /// (released only by an operator).
    pub venue_mismatch: bool,
    /// Live mode: trip when a position could not be protected and was
    /// closed at market, or could not be closed (released by an operator).
    pub unprotected_position: bool,
}

/// Loss since the UTC day's start equity, in the quote currency and/or in
/// percent; trips on whichever is reached first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyLossConfig {
    pub max_loss: Option<Decimal>,
    pub max_loss_percent: Option<Decimal>,
    /// Release by itself at the next UTC midnight.
    pub release_next_utc_day: bool,
    /// Release by itself this long after the trip.
    pub cooldown_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrawdownConfig {
    /// Percent below the equity peak.
    pub max_percent: Decimal,
    pub cooldown_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsecutiveLossesConfig {
    /// Losing round trips in a row.
    pub max_losses: u32,
    pub cooldown_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VolatilitySpikeConfig {
    /// Bars in the average true range.
    pub atr_period: usize,
    /// Trip when the latest true range exceeds this multiple of the average.
    pub multiple: Decimal,
    pub cooldown_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRateConfig {
    /// Order requests in the window.
    pub window: usize,
    /// Rejections in the window that trip the breaker.
    pub max_errors: usize,
    pub cooldown_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaleDataConfig {
    /// Longest time without a candle.
    pub max_age_ms: i64,
    pub cooldown_ms: Option<i64>,
}

/// How a tripped breaker is released, besides an authorized reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// Only by an authorized reset.
    Manual,
    /// By itself, this long after the trip.
    After(i64),
    /// By itself at the next UTC midnight.
    NextUtcDay,
}

impl Release {
    fn from_cooldown(cooldown_ms: Option<i64>) -> Self {
        cooldown_ms.map_or(Release::Manual, Release::After)
    }

    /// When a trip at `tripped_at` releases by itself.
    pub fn at(self, tripped_at: Timestamp) -> Option<Timestamp> {
        match self {
            Release::Manual => None,
            Release::After(ms) => Some(tripped_at + ms),
            Release::NextUtcDay => Some(DailyLoss::next_utc_day(tripped_at)),
        }
    }
}

/// A value a breaker cannot run with; `key` is the config key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("circuit_breakers.{key}: {message}")]
pub struct BreakerConfigError {
    pub key: &'static str,
    pub message: String,
}

fn bad(key: &'static str, message: impl Into<String>) -> BreakerConfigError {
    BreakerConfigError {
        key,
        message: message.into(),
    }
}

fn cooldown(key: &'static str, ms: Option<i64>) -> Result<(), BreakerConfigError> {
    match ms {
        Some(ms) if ms <= 0 => Err(bad(key, format!("must be positive, got {ms}"))),
        _ => Ok(()),
    }
}

impl BreakerConfig {
    /// Whether any breaker is on.
    pub fn any(&self) -> bool {
        self.daily_loss.is_some()
            || self.drawdown.is_some()
            || self.consecutive_losses.is_some()
            || self.volatility_spike.is_some()
            || self.error_rate.is_some()
            || self.stale_data.is_some()
    }

    /// Checks every value.
    pub fn validate(&self) -> Result<(), BreakerConfigError> {
        if self.rearm_delay_ms < 0 {
            return Err(bad("rearm_delay", "must not be negative"));
        }
        if let Some(c) = &self.daily_loss {
            if c.max_loss.is_none() && c.max_loss_percent.is_none() {
                return Err(bad("daily_loss", "set max_loss or max_loss_percent"));
            }
            if let Some(v) = c.max_loss.filter(|v| *v <= Decimal::ZERO) {
                return Err(bad(
                    "daily_loss.max_loss",
                    format!("must be positive, got {v}"),
                ));
            }
            if let Some(v) = c.max_loss_percent {
                percent("daily_loss.max_loss_percent", v)?;
            }
            if c.release_next_utc_day && c.cooldown_ms.is_some() {
                return Err(bad(
                    "daily_loss",
                    "release_next_utc_day and a cooldown exclude each other",
                ));
            }
            cooldown("daily_loss.cooldown", c.cooldown_ms)?;
        }
        if let Some(c) = &self.drawdown {
            percent("drawdown.max_percent", c.max_percent)?;
            cooldown("drawdown.cooldown", c.cooldown_ms)?;
        }
        if let Some(c) = &self.consecutive_losses {
            if c.max_losses == 0 {
                return Err(bad("consecutive_losses.max_losses", "must be at least 1"));
            }
            cooldown("consecutive_losses.cooldown", c.cooldown_ms)?;
        }
        if let Some(c) = &self.volatility_spike {
            if c.atr_period == 0 {
                return Err(bad("volatility_spike.atr_period", "must be at least 1"));
            }
            if c.multiple <= Decimal::ONE {
                return Err(bad(
                    "volatility_spike.multiple",
                    format!("must be above 1, got {}", c.multiple),
                ));
            }
            cooldown("volatility_spike.cooldown", c.cooldown_ms)?;
        }
        if let Some(c) = &self.error_rate {
            if c.max_errors == 0 || c.max_errors > c.window {
                return Err(bad(
                    "error_rate.max_errors",
                    format!(
                        "must be between 1 and the window ({}), got {}",
                        c.window, c.max_errors
                    ),
                ));
            }
            cooldown("error_rate.cooldown", c.cooldown_ms)?;
        }
        if let Some(c) = &self.stale_data {
            if c.max_age_ms <= 0 {
                return Err(bad("stale_data.max_age", "must be positive"));
            }
            cooldown("stale_data.cooldown", c.cooldown_ms)?;
        }
        Ok(())
    }

    /// The configured breakers' measures and release rules, in a fixed order.
    pub fn build(&self) -> Vec<(Box<dyn Condition>, Release)> {
        let mut out: Vec<(Box<dyn Condition>, Release)> = Vec::new();
        if let Some(c) = &self.daily_loss {
            let release = if c.release_next_utc_day {
                Release::NextUtcDay
            } else {
                Release::from_cooldown(c.cooldown_ms)
            };
            out.push((
                Box::new(DailyLoss::new(c.max_loss, c.max_loss_percent)),
                release,
            ));
        }
        if let Some(c) = &self.drawdown {
            out.push((
                Box::new(Drawdown::new(c.max_percent)),
                Release::from_cooldown(c.cooldown_ms),
            ));
        }
        if let Some(c) = &self.consecutive_losses {
            out.push((
                Box::new(ConsecutiveLosses::new(c.max_losses)),
                Release::from_cooldown(c.cooldown_ms),
            ));
        }
        if let Some(c) = &self.volatility_spike {
            out.push((
                Box::new(VolatilitySpike::new(c.atr_period, c.multiple)),
                Release::from_cooldown(c.cooldown_ms),
            ));
        }
        if let Some(c) = &self.error_rate {
            out.push((
                Box::new(ErrorRate::new(c.window, c.max_errors)),
                Release::from_cooldown(c.cooldown_ms),
            ));
        }
        if let Some(c) = &self.stale_data {
            out.push((
                Box::new(StaleData::new(c.max_age_ms)),
                Release::from_cooldown(c.cooldown_ms),
            ));
        }
        if self.venue_mismatch {
            out.push((Box::new(VenueMismatch), Release::Manual));
        }
        if self.unprotected_position {
            out.push((Box::new(UnprotectedPosition), Release::Manual));
        }
        out
    }
}

fn percent(key: &'static str, v: Decimal) -> Result<(), BreakerConfigError> {
    if v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED {
        Ok(())
    } else {
        Err(bad(
            key,
            format!("must be a percentage in (0, 100], got {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn everything_is_off_by_default() {
        let c = BreakerConfig::default();
        assert!(!c.any());
        assert!(c.build().is_empty());
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn bad_values_name_their_key() {
        let c = BreakerConfig {
            daily_loss: Some(DailyLossConfig::default()),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "daily_loss");
        let c = BreakerConfig {
            error_rate: Some(ErrorRateConfig {
                window: 3,
                max_errors: 4,
                cooldown_ms: None,
            }),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "error_rate.max_errors");
        let c = BreakerConfig {
            drawdown: Some(DrawdownConfig {
                max_percent: dec!(150),
                cooldown_ms: None,
            }),
            ..Default::default()
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("drawdown.max_percent")
        );
    }

    #[test]
    fn release_rules_give_their_times() {
        assert_eq!(Release::Manual.at(Timestamp::from_ms(5)), None);
        assert_eq!(
            Release::After(10).at(Timestamp::from_ms(5)),
            Some(Timestamp::from_ms(15))
        );
        assert_eq!(
            Release::NextUtcDay.at(Timestamp::from_ms(5)),
            Some(Timestamp::from_ms(smc_model::time::DAY_MS))
        );
    }
}
