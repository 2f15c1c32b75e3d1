//! The risk gate a config asks for, built in one place for every mode that
//! trades (backtest, paper and live): the `risk_manager` limits
//! (position size, daily loss, positions, drawdown, leverage), the exposure
//! caps per symbol, venue and correlated group, the portfolio VaR limit,
//! and the circuit breakers in front of them.

use crate::error::SessionError;
use smc_config::Config;
use smc_config::schema::CircuitBreakersConfig;
use smc_model::Timestamp;
use smc_model::{Instrument, RiskGate};
use smc_risk::breakers::{
    BreakerConfig, BreakerStore, ConsecutiveLossesConfig, DailyLossConfig, DrawdownConfig,
    ErrorRateConfig, MemoryStore, StaleDataConfig, VolatilitySpikeConfig,
};
use smc_risk::{
    BreakerGate, ExposureCaps, InstrumentTag, Limits, LimitsGate, LimitsHandle, LimitsUpdate,
    PortfolioVar,
};

/// The limits of `config`, as a reload pushes them.
pub fn limits_update(config: &Config) -> LimitsUpdate {
    let r = &config.risk_manager;
    LimitsUpdate {
        limits: Limits {
            max_position_size: Some(r.max_position_size),
            max_daily_loss: Some(r.max_daily_loss),
            max_positions: Some(config.trading.max_positions as usize),
            max_drawdown_percent: r.max_drawdown_percent,
            max_leverage: r.max_leverage,
            max_stop_percent: Some(r.stop_loss_percent),
        },
        caps: ExposureCaps {
            symbol: r.max_exposure_percent.symbol,
            venue: r.max_exposure_percent.venue,
            group: r.max_exposure_percent.group,
            correlated_groups: r.correlated_groups.clone(),
        },
        var: r
            .max_portfolio_var_percent
            .map(|max| (max, smc_model::num::to_f64(r.var_confidence))),
    }
}

/// The limits gate of `config` for the engine's `instruments` (in table order).
pub fn limits_gate(config: &Config, instruments: &[Instrument]) -> LimitsGate {
    let u = limits_update(config);
    let tags = instruments
        .iter()
        .map(|i| InstrumentTag::from_id(&i.id.to_string()))
        .collect();
    let specs = instruments.iter().map(|i| i.spec).collect();
    let mut gate = LimitsGate::new(u.limits)
        .with_exposure(u.caps, tags)
        .with_specs(specs);
    if let Some((max, confidence)) = u.var {
        let window = config.risk_manager.var_window;
        gate = gate.with_portfolio_var(PortfolioVar::new(max, confidence, window));
    }
    gate
}

/// The gate every order of a config-driven run passes: the limits, behind
/// the circuit breakers when the config has any. A backtest's breakers keep
/// their states in memory (`store`: `None`); paper and live pass the
/// SQLite store so that a restart keeps a tripped breaker tripped.
pub fn gate(
    config: &Config,
    instruments: &[Instrument],
    start_time: Timestamp,
    store: Option<Box<dyn BreakerStore>>,
) -> Result<Box<dyn RiskGate>, SessionError> {
    Ok(gate_with_reload(config, instruments, start_time, store, false)?.0)
}

/// [`gate`], and the handle through which a changed config's limits reach
/// it while the engine runs (see [`crate::config_watch::ConfigWatcher`]).
/// `live` adds the breakers only live mode trips: `venue_mismatch`
/// (reconciliation) and `unprotected_position` (a refused stop).
pub fn gate_with_reload(
    config: &Config,
    instruments: &[Instrument],
    start_time: Timestamp,
    store: Option<Box<dyn BreakerStore>>,
    live: bool,
) -> Result<(Box<dyn RiskGate>, LimitsHandle), SessionError> {
    let mut limits = limits_gate(config, instruments);
    let handle = limits.reload_handle();
    let breakers = BreakerConfig {
        venue_mismatch: live,
        unprotected_position: live,
        ..breaker_config(&config.risk_manager.circuit_breakers)
    };
    if !breakers.any() && !live {
        return Ok((Box::new(limits), handle));
    }
    let store = store.unwrap_or_else(|| Box::new(MemoryStore::new()));
    let gate = BreakerGate::new(limits, &breakers, store, start_time)?;
    Ok((Box::new(gate), handle))
}

const MINUTE_MS: i64 = 60_000;

/// The risk crate's breaker settings from `risk_manager.circuit_breakers`.
pub fn breaker_config(c: &CircuitBreakersConfig) -> BreakerConfig {
    let cooldown = |m: Option<u32>| m.map(|m| i64::from(m) * MINUTE_MS);
    BreakerConfig {
        rearm_delay_ms: i64::from(c.rearm_delay_minutes) * MINUTE_MS,
        daily_loss: c.daily_loss.as_ref().map(|d| DailyLossConfig {
            max_loss: d.max_loss,
            max_loss_percent: d.max_loss_percent,
            release_next_utc_day: d.release_next_utc_day,
            cooldown_ms: cooldown(d.cooldown_minutes),
        }),
        drawdown: c.drawdown.as_ref().map(|d| DrawdownConfig {
            max_percent: d.max_percent,
            cooldown_ms: cooldown(d.cooldown_minutes),
        }),
        consecutive_losses: c
            .consecutive_losses
            .as_ref()
            .map(|d| ConsecutiveLossesConfig {
                max_losses: d.max_losses,
                cooldown_ms: cooldown(d.cooldown_minutes),
            }),
        volatility_spike: c.volatility_spike.as_ref().map(|d| VolatilitySpikeConfig {
            atr_period: d.atr_period as usize,
            multiple: d.multiple,
            cooldown_ms: cooldown(d.cooldown_minutes),
        }),
        error_rate: c.error_rate.as_ref().map(|d| ErrorRateConfig {
            window: d.window as usize,
            max_errors: d.max_errors as usize,
            cooldown_ms: cooldown(d.cooldown_minutes),
        }),
        stale_data: c.stale_data.as_ref().map(|d| StaleDataConfig {
            max_age_ms: i64::from(d.max_age_seconds) * 1000,
            cooldown_ms: cooldown(d.cooldown_minutes),
        }),
        venue_mismatch: false,
        unprotected_position: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_config::schema::{DailyLossBreaker, StaleDataBreaker};

    #[test]
    fn the_config_maps_to_milliseconds_and_keeps_absent_breakers_off() {
        let c = CircuitBreakersConfig {
            rearm_delay_minutes: 2,
            daily_loss: Some(DailyLossBreaker {
                max_loss: Some(dec!(250.5)),
                max_loss_percent: None,
                release_next_utc_day: false,
                cooldown_minutes: Some(30),
            }),
            stale_data: Some(StaleDataBreaker {
                max_age_seconds: 90,
                cooldown_minutes: None,
            }),
            ..Default::default()
        };
        let b = breaker_config(&c);
        assert_eq!(b.rearm_delay_ms, 120_000);
        let d = b.daily_loss.unwrap();
        assert_eq!(
            (d.max_loss, d.cooldown_ms),
            (Some(dec!(250.5)), Some(1_800_000))
        );
        assert_eq!(b.stale_data.unwrap().max_age_ms, 90_000);
        assert!(b.drawdown.is_none() && b.error_rate.is_none());
        assert!(
            breaker_config(&CircuitBreakersConfig::default())
                .validate()
                .is_ok()
        );
        assert!(!breaker_config(&CircuitBreakersConfig::default()).any());
    }
}
