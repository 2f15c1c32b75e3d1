//! The trait users implement. One strategy object runs unchanged in
//! backtest, paper and live: the engine calls it on each closed candle and
//! on each of its fills, and it answers by pushing intents into the buffer
//! it is given (a reused buffer, so the steady state allocates nothing).
//! After each candle it can say why it placed nothing (a small `Copy`
//! reason, so that too allocates nothing).

use crate::context::StrategyContext;
use smc_model::{ClientOrderId, Fill, Intent, NoTradeReason, PortfolioSnapshot};

pub trait Strategy {
    /// A short name; it prefixes the deterministic client order ids.
    fn name(&self) -> &str;

    /// Called when a candle closes (every instrument and timeframe of the run).
    fn on_candle(&mut self, ctx: &StrategyContext<'_>, out: &mut Vec<Intent>);

    /// Why the latest [`Strategy::on_candle`] call placed no new entry:
    /// `None` when it placed one, when the candle was not one the strategy
    /// decides on (another timeframe, another instrument), or when the
    /// strategy does not say (the default). The engine turns a reason into
    /// an [`smc_model::EngineEvent::NoTrade`], and adds its own when the
    /// risk gate refuses an entry the strategy placed.
    fn no_trade_reason(&self) -> Option<NoTradeReason> {
        None
    }

    /// Called for each fill of this strategy's orders, with the account after it.
    fn on_fill(&mut self, _fill: &Fill, _portfolio: &PortfolioSnapshot, _out: &mut Vec<Intent>) {}

    /// Called when one of this strategy's orders was refused (by the risk
    /// gate's rounding, the simulated venue or the real one): the order
    /// does not exist, so nothing should amend or wait for it.
    fn on_rejected(&mut self, _client_id: &ClientOrderId, _reason: &str, _out: &mut Vec<Intent>) {}
}
