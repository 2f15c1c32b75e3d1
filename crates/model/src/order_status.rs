//! The one state machine of an order, shared by the engine, the journal
//! and every venue, with its in-flight states: sent but not acknowledged
//! (`PendingNew`), a cancel requested but not confirmed (`PendingCancel`),
//! and an answer lost on the way back (`Unknown`, which only the user
//! stream, a query or reconciliation resolves).
//!
//! ```text
//! New ─► PendingNew ─► Submitted ─► PartiallyFilled ─► Filled
//!  │        │   ▲          │  ▲         │   │
//!  │        ▼   │          ▼  │         ▼   │
//!  │      Unknown ──► (any state the venue reports)
//!  │                   PendingCancel ─► Cancelled
//!  └─► Submitted / Rejected        (… ─► Rejected / Expired / Cancelled)
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// The states of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created, not sent.
    New,
    /// Sent to the venue (journaled first), not yet acknowledged.
    PendingNew,
    /// Sent, but the answer was lost (timeout, 5xx, disconnect).
    Unknown,
    /// Acknowledged by the venue, resting.
    Submitted,
    PartiallyFilled,
    /// A cancel was requested and not yet confirmed; the order may still
    /// fill meanwhile.
    PendingCancel,
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
    /// Every state, in the order of the table.
    pub const ALL: [OrderStatus; 10] = [
        OrderStatus::New,
        OrderStatus::PendingNew,
        OrderStatus::Unknown,
        OrderStatus::Submitted,
        OrderStatus::PartiallyFilled,
        OrderStatus::PendingCancel,
        OrderStatus::Filled,
        OrderStatus::Cancelled,
        OrderStatus::Rejected,
        OrderStatus::Expired,
    ];

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

    /// Whether the order is known to rest on the venue and may fill.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Submitted | OrderStatus::PartiallyFilled | OrderStatus::PendingCancel
        )
    }

    /// Whether the order may be live on the venue (open, or in flight).
    pub fn may_be_open(self) -> bool {
        self.is_open() || matches!(self, OrderStatus::PendingNew | OrderStatus::Unknown)
    }

    /// The transition table: whether `self` may become `to`. Late,
    /// repeated or out-of-order answers (a stream's "new" after the fill,
    /// a replay after a restart) are the illegal ones, so they cannot undo
    /// what is known.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        match self {
            New => matches!(to, PendingNew | Submitted | Rejected),
            // The venue's word, whatever it is, settles an order in flight.
            PendingNew => !matches!(to, New | PendingNew | PendingCancel),
            Unknown => !matches!(to, New | PendingNew | Unknown | PendingCancel),
            Submitted => matches!(
                to,
                PartiallyFilled | PendingCancel | Filled | Cancelled | Rejected | Expired
            ),
            PartiallyFilled => matches!(
                to,
                PartiallyFilled | PendingCancel | Filled | Cancelled | Expired
            ),
            // A fill may overtake the cancel. (A refused cancel leaves the
            // order pending until the venue reports how it ended: a late
            // acknowledgement must not make it look live again.)
            PendingCancel => matches!(to, PartiallyFilled | Filled | Cancelled | Expired),
            Filled | Cancelled | Rejected | Expired => false,
        }
    }

    /// `to`, if `self` may become it.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// The states from which an order may become `to`.
    pub fn predecessors(to: OrderStatus) -> impl Iterator<Item = OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .filter(move |s| s.can_become(to))
    }

    /// The stored name (`partially_filled`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "new",
            OrderStatus::PendingNew => "pending_new",
            OrderStatus::Unknown => "unknown",
            OrderStatus::Submitted => "submitted",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::PendingCancel => "pending_cancel",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Expired => "expired",
        }
    }

    /// The state of a stored name.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn the_happy_paths_are_legal() {
        // Simulated: the venue takes the order at once.
        let s = New.transition(Submitted).unwrap();
        let s = s.transition(PartiallyFilled).unwrap();
        let s = s.transition(PartiallyFilled).unwrap();
        assert_eq!(s.transition(Filled), Ok(Filled));
        // External: sent, answer lost, then the venue says it filled.
        let s = New.transition(PendingNew).unwrap();
        let s = s.transition(Unknown).unwrap();
        assert_eq!(s.transition(Filled), Ok(Filled));
        // A cancel requested, a fill overtakes it.
        let s = Submitted.transition(PendingCancel).unwrap();
        assert_eq!(s.transition(Filled), Ok(Filled));
    }

    #[test]
    fn terminal_states_never_change() {
        for from in OrderStatus::ALL.into_iter().filter(|s| s.is_terminal()) {
            for to in OrderStatus::ALL {
                assert_eq!(from.transition(to), Err(IllegalTransition { from, to }));
            }
        }
    }

    #[test]
    fn late_answers_cannot_go_back() {
        assert!(New.transition(Filled).is_err());
        assert!(Submitted.transition(PendingNew).is_err());
        assert!(PartiallyFilled.transition(Submitted).is_err());
        assert!(
            PartiallyFilled.transition(Rejected).is_err(),
            "a venue cannot reject what it filled"
        );
        assert!(Unknown.transition(PendingCancel).is_err());
    }

    #[test]
    fn names_round_trip_and_errors_name_both_states() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("pending"), None);
        let e = Filled.transition(Cancelled).unwrap_err();
        assert_eq!(
            e.to_string(),
            "illegal order transition from Filled to Cancelled"
        );
    }

    #[test]
    fn predecessors_are_the_table_read_backwards() {
        let to_filled: Vec<_> = OrderStatus::predecessors(Filled).collect();
        assert_eq!(
            to_filled,
            [
                PendingNew,
                Unknown,
                Submitted,
                PartiallyFilled,
                PendingCancel
            ]
        );
        assert_eq!(OrderStatus::predecessors(New).count(), 0);
    }
}
