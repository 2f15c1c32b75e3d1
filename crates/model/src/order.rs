//! Orders: what a strategy asks for, and the one state machine every venue
//! shares (new → submitted → partially filled → filled / cancelled /
//! rejected / expired).

use crate::instrument::InstrumentId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for a buy, -1 for a sell.
    pub fn sign(self) -> Decimal {
        match self {
            Side::Buy => Decimal::ONE,
            Side::Sell => Decimal::NEGATIVE_ONE,
        }
    }

    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// How the order executes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderKind {
    Market,
    Limit {
        price: Decimal,
    },
    /// A market order once the price trades through `trigger` (a stop-loss).
    StopMarket {
        trigger: Decimal,
    },
    /// A limit order at `price` once the price trades through `trigger`.
    StopLimit {
        trigger: Decimal,
        price: Decimal,
    },
    /// A market order once the price reaches `trigger` in the favourable direction.
    TakeProfit {
        trigger: Decimal,
    },
}

impl OrderKind {
    /// The limit price, if the order has one.
    pub fn limit_price(&self) -> Option<Decimal> {
        match *self {
            OrderKind::Limit { price } | OrderKind::StopLimit { price, .. } => Some(price),
            _ => None,
        }
    }

    /// The trigger price, if the order has one.
    pub fn trigger(&self) -> Option<Decimal> {
        match *self {
            OrderKind::StopMarket { trigger }
            | OrderKind::StopLimit { trigger, .. }
            | OrderKind::TakeProfit { trigger } => Some(trigger),
            _ => None,
        }
    }
}

/// How long the order rests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Good till cancelled.
    #[default]
    Gtc,
    /// Immediate or cancel: fill what can be filled now, cancel the rest.
    Ioc,
    /// Fill or kill: fill all now, or nothing.
    Fok,
    /// Rest as a maker order; rejected if it would take liquidity.
    PostOnly,
}

/// A client order id, unique and derived from the strategy's decision, so
/// that a retry or a restart never sends an order twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    /// The id of the `seq`-th order a strategy decided at `decided_at` (epoch
    /// ms). Short enough for every venue (Binance allows 36 characters).
    pub fn from_decision(strategy: &str, decided_at: i64, seq: u32) -> Self {
        let tag: String = strategy
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        ClientOrderId(format!("{tag}-{decided_at}-{seq}"))
    }

    /// Wraps an id received from a venue or a store.
    pub fn new(id: impl Into<String>) -> Self {
        ClientOrderId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An order as a strategy asks for it, already rounded to the instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub client_id: ClientOrderId,
    pub instrument: InstrumentId,
    pub side: Side,
    pub qty: Decimal,
    pub kind: OrderKind,
    pub time_in_force: TimeInForce,
    /// Only reduces an open position; never opens or flips one.
    pub reduce_only: bool,
}

/// The states of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    New,
    Submitted,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal order transition from {from:?} to {to:?}")]
pub struct IllegalTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

impl OrderStatus {
    /// Whether the order can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Cancelled
                | OrderStatus::Rejected
                | OrderStatus::Expired
        )
    }

    /// Whether the order may still fill.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::Submitted | OrderStatus::PartiallyFilled)
    }

    /// The transition table, shared by every venue.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, IllegalTransition> {
        use OrderStatus::*;
        let allowed = match self {
            New => matches!(to, Submitted | Rejected),
            Submitted => matches!(
                to,
                PartiallyFilled | Filled | Cancelled | Rejected | Expired
            ),
            PartiallyFilled => matches!(to, PartiallyFilled | Filled | Cancelled | Expired),
            Filled | Cancelled | Rejected | Expired => false,
        };
        if allowed {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    const ALL: [OrderStatus; 7] = [
        New,
        Submitted,
        PartiallyFilled,
        Filled,
        Cancelled,
        Rejected,
        Expired,
    ];

    #[test]
    fn the_happy_path_is_legal() {
        let s = New.transition(Submitted).unwrap();
        let s = s.transition(PartiallyFilled).unwrap();
        let s = s.transition(PartiallyFilled).unwrap();
        assert_eq!(s.transition(Filled), Ok(Filled));
    }

    #[test]
    fn terminal_states_never_change() {
        for from in ALL.into_iter().filter(|s| s.is_terminal()) {
            for to in ALL {
                assert_eq!(from.transition(to), Err(IllegalTransition { from, to }));
            }
        }
    }

    #[test]
    fn a_new_order_cannot_fill_before_it_is_submitted() {
        assert!(New.transition(Filled).is_err());
        assert!(New.transition(PartiallyFilled).is_err());
        assert!(
            PartiallyFilled.transition(Rejected).is_err(),
            "a venue cannot reject what it filled"
        );
    }

    #[test]
    fn error_names_both_states() {
        let e = Filled.transition(Cancelled).unwrap_err();
        assert_eq!(
            e.to_string(),
            "illegal order transition from Filled to Cancelled"
        );
    }

    #[test]
    fn client_ids_are_deterministic_and_short() {
        let a = ClientOrderId::from_decision("smc strategy!", 1_649_376_000_000, 3);
        assert_eq!(
            a,
            ClientOrderId::from_decision("smc strategy!", 1_649_376_000_000, 3)
        );
        assert_eq!(a.as_str(), "smcstrat-1649376000000-3");
        assert!(a.as_str().len() <= 36);
    }
}
