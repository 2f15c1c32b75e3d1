//! The view a strategy gets on each call: the closed candle with its
//! instrument and timeframe, the portfolio and the risk state. Everything
//! is borrowed: building a context costs nothing per bar. A strategy that
//! trades on SMC structure runs its own causal detectors on the candles it
//! is given (see `smc`), so detection costs nothing for one that does not.

use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, Instrument, PortfolioSnapshot, RiskState, Timeframe};

/// The world as of the close of `candle`.
#[derive(Debug, Clone, Copy)]
pub struct StrategyContext<'a> {
    /// The candle that just closed.
    pub candle: &'a Candle,
    pub instrument: &'a Instrument,
    /// Index of `instrument` in the engine's table; intents name it.
    pub instrument_index: InstrumentIndex,
    pub timeframe: Timeframe,
    /// Epoch ms of the candle's close: the decision time.
    pub now: Timestamp,
    pub portfolio: &'a PortfolioSnapshot,
    pub risk: &'a RiskState,
}

impl StrategyContext<'_> {
    /// Signed position in this context's instrument.
    pub fn position_qty(&self) -> rust_decimal::Decimal {
        self.portfolio.qty(self.instrument_index)
    }
}
