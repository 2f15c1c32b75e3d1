//! Domain types that cross the layers of the SMC trading agent.
//!
//! This crate depends on no other crate of the workspace; everything else
//! builds on it. Prices and quantities are exact decimals here; analysis
//! crates convert to `f64` at their own boundary.

/// OHLCV candles with exact prices.
pub mod candle;
/// Time sources: simulated (backtest) and wall clock (paper, live).
pub mod clock;
/// The engine's output events and the sink that consumes them.
pub mod event;
/// Executions of orders.
pub mod fill;
/// Instruments and their tick, lot and minimum-notional rules.
pub mod instrument;
/// The index of an instrument in a session's table.
pub mod instrument_index;
/// Order intents: what a strategy asks for, before risk and the OMS.
pub mod intent;
/// Why a candle placed no order, and those reasons counted per month.
pub mod no_trade;
/// Exact decimal to `f64` conversion for analysis math.
pub mod num;
/// Orders as they are sent.
pub mod order;
/// The one state machine of an order, in-flight states included.
pub mod order_status;
/// The account view strategies and risk read.
pub mod portfolio;
/// The pre-trade risk gate every intent passes, and the risk state strategies read.
pub mod risk_gate;
/// Round trips: a position from flat back to flat.
pub mod round_trip;
/// Exact decimals from configuration numbers (`0.1` is 0.1, not the float).
pub mod serde_decimal;
/// The pattern and timeframe behind an entry.
pub mod setup;
/// How much an order trades: a quantity, a notional, a share of equity.
pub mod size;
/// The statistics kit: compensated sums, moments, numpy's quantile.
pub mod stats;
/// UTC time helpers: epoch milliseconds and calendar conversion.
pub mod time;
/// Candle periods (1m … 1w) aligned to UTC.
pub mod timeframe;
/// A point in time: epoch milliseconds, UTC.
pub mod timestamp;

pub use candle::Candle;
pub use clock::{Clock, SimClock, WallClock};
pub use event::{EngineEvent, EventSink, NullSink, ProtectionAction, RiskVerdict};
pub use fill::{FeeSource, Fill, Liquidity};
pub use instrument::{Instrument, InstrumentError, InstrumentId, InstrumentSpec, MarketKind};
pub use instrument_index::InstrumentIndex;
pub use intent::{Intent, OrderIntent};
pub use no_trade::{NoTradeReason, NoTradeTally, ReasonCounts};
pub use order::{
    ClientOrderId, MAX_SESSION_SEQ, OrderKind, OrderRequest, Side, TimeInForce, base36,
};
pub use order_status::{IllegalTransition, OrderStatus};
pub use portfolio::{PortfolioSnapshot, PositionSnapshot};
pub use risk_gate::{ApproveAll, RiskGate, RiskObservation, RiskOutcome, RiskState};
pub use round_trip::{RoundTrip, TradeSide};
pub use setup::Setup;
pub use size::Size;
pub use timeframe::{Timeframe, TimeframeError};
pub use timestamp::Timestamp;
