//! Orders as they are sent: side, kind, time in force, deterministic client
//! ids and the request itself. Their states are in [`crate::order_status`].

use crate::instrument::InstrumentId;
use crate::timestamp::Timestamp;
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

/// The most orders one decision time of a session can name (4 base-36
/// digits).
pub const MAX_SESSION_SEQ: u32 = 36 * 36 * 36 * 36 - 1;

/// `n` in base 36, lower case.
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl ClientOrderId {
    /// The id of the `seq`-th order a strategy decided at `decided_at` (epoch
    /// ms). Short enough for every venue (Binance allows 36 characters).
    pub fn from_decision(strategy: &str, decided_at: Timestamp, seq: u32) -> Self {
        let tag: String = strategy
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        ClientOrderId(format!("{tag}-{decided_at}-{seq}"))
    }

    /// The id of the `seq`-th order decided at `decided_at` in the session
    /// whose id prefix is `prefix`: `{prefix}{tag}-{time}-{seq}`, the
    /// strategy's tag cut to 4 characters, time and sequence in base 36
    /// (`k3f9smc-lr1gq3k0-0`). The prefix keeps a second session, or a
    /// rebuilt journal, from ever reusing an id on the account; the whole id
    /// stays within Binance's 36 characters with its legs, replacements
    /// and exits (`None` when `seq` is beyond [`MAX_SESSION_SEQ`]).
    pub fn from_session_decision(
        prefix: &str,
        strategy: &str,
        decided_at: Timestamp,
        seq: u32,
    ) -> Option<Self> {
        if seq > MAX_SESSION_SEQ {
            return None;
        }
        let tag: String = strategy
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(4)
            .collect();
        let time = u64::try_from(decided_at.ms()).unwrap_or(0);
        Some(ClientOrderId(format!(
            "{prefix}{tag}-{}-{}",
            base36(time),
            base36(u64::from(seq))
        )))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_deterministic_and_short() {
        let a =
            ClientOrderId::from_decision("smc strategy!", Timestamp::from_ms(1_649_376_000_000), 3);
        assert_eq!(
            a,
            ClientOrderId::from_decision("smc strategy!", Timestamp::from_ms(1_649_376_000_000), 3)
        );
        assert_eq!(a.as_str(), "smcstrat-1649376000000-3");
        assert!(a.as_str().len() <= 36);
    }
}
