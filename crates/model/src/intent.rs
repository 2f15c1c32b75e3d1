//! Order intents: what a strategy asks for. The engine passes each through
//! the risk gate, rounds it to the instrument once, gives it a deterministic
//! client order id and hands it to the OMS.

use crate::instrument_index::InstrumentIndex;
use crate::order::{ClientOrderId, OrderKind, Side, TimeInForce};
use crate::setup::Setup;
use crate::size::Size;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One order a strategy wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderIntent {
    /// Index of the instrument in the engine's table.
    pub instrument: InstrumentIndex,
    pub side: Side,
    pub size: Size,
    pub kind: OrderKind,
    pub time_in_force: TimeInForce,
    pub reduce_only: bool,
    /// A protective stop placed (reduce-only, one-cancels-other with the
    /// target) once this order fills.
    pub stop_loss: Option<Decimal>,
    /// A take-profit placed the same way.
    pub take_profit: Option<Decimal>,
    pub setup: Option<Setup>,
}

impl OrderIntent {
    /// A good-till-cancelled market order.
    pub fn market(instrument: InstrumentIndex, side: Side, size: Size) -> Self {
        OrderIntent {
            instrument,
            side,
            size,
            kind: OrderKind::Market,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
            stop_loss: None,
            take_profit: None,
            setup: None,
        }
    }

    /// A good-till-cancelled limit order.
    pub fn limit(instrument: InstrumentIndex, side: Side, size: Size, price: Decimal) -> Self {
        OrderIntent {
            kind: OrderKind::Limit { price },
            ..OrderIntent::market(instrument, side, size)
        }
    }

    pub fn with_kind(mut self, kind: OrderKind) -> Self {
        self.kind = kind;
        self
    }

    pub fn with_tif(mut self, tif: TimeInForce) -> Self {
        self.time_in_force = tif;
        self
    }

    pub fn reduce_only(mut self) -> Self {
        self.reduce_only = true;
        self
    }

    pub fn with_bracket(
        mut self,
        stop_loss: Option<Decimal>,
        take_profit: Option<Decimal>,
    ) -> Self {
        self.stop_loss = stop_loss;
        self.take_profit = take_profit;
        self
    }

    pub fn with_setup(mut self, setup: Setup) -> Self {
        self.setup = Some(setup);
        self
    }
}

/// What a strategy returns: orders to place and orders to cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Place(OrderIntent),
    Cancel(ClientOrderId),
    /// Cancel every open order of the instrument.
    CancelAll {
        instrument: InstrumentIndex,
    },
    /// Move the trigger of an open stop order (a trailing or break-even
    /// stop). Only tightening is the strategy's business; the engine checks
    /// the order exists, is a stop and has not triggered.
    AmendStop {
        client_id: ClientOrderId,
        trigger: Decimal,
    },
}

impl From<OrderIntent> for Intent {
    fn from(o: OrderIntent) -> Self {
        Intent::Place(o)
    }
}
