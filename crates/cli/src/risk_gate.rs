//! The risk gate a config asks for, built in one place for every mode that
//! trades (backtest, paper and live): the `risk_manager` limits
//! (position size, daily loss, positions, drawdown, leverage), the exposure
//! caps per symbol, venue and correlated group, the portfolio VaR limit,
//! and the circuit breakers in front of them.

use smc_config::Config;
use smc_model::Instrument;
use smc_risk::breakers::{BreakerStore, MemoryStore};
use smc_risk::{
    BreakerGate, ExposureCaps, InstrumentTag, Limits, LimitsGate, LimitsHandle, LimitsUpdate,
    PortfolioVar,
};
use smc_strategy::RiskGate;

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
    let mut gate = LimitsGate::new(u.limits).with_exposure(u.caps, tags);
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
    start_time: i64,
    store: Option<Box<dyn BreakerStore>>,
) -> anyhow::Result<Box<dyn RiskGate>> {
    Ok(gate_with_reload(config, instruments, start_time, store)?.0)
}

/// [`gate`], and the handle through which a changed config's limits reach
/// it while the engine runs (see [`ConfigWatcher`](crate::config_watch)).
pub fn gate_with_reload(
    config: &Config,
    instruments: &[Instrument],
    start_time: i64,
    store: Option<Box<dyn BreakerStore>>,
) -> anyhow::Result<(Box<dyn RiskGate>, LimitsHandle)> {
    let mut limits = limits_gate(config, instruments);
    let handle = limits.reload_handle();
    let breakers = crate::risk::breakers::breaker_config(&config.risk_manager.circuit_breakers);
    if !breakers.any() {
        return Ok((Box::new(limits), handle));
    }
    let store = store.unwrap_or_else(|| Box::new(MemoryStore::new()));
    let gate = BreakerGate::new(limits, &breakers, store, start_time)?;
    Ok((Box::new(gate), handle))
}
