//! The cost model the router minimises. For each venue it turns what is
//! not a price into basis points of the order's notional, added to the
//! price a buy pays (or taken off what a sell receives):
//!
//! - the taker fee of the venue and account tier (`exchanges.<venue>.fees`);
//! - latency: the venue's measured order round trip × `latency_bps_per_ms`,
//!   the price drift expected while the order travels;
//! - health: `error_penalty_bps` per recent error (rejects, timeouts) and
//!   `disconnect_penalty_bps` per recent disconnect, because a venue that
//!   failed lately is likelier to fail this order; a venue that is
//!   disconnected, has a tripped breaker, or more than `max_recent_errors`
//!   recent errors is not used at all.
//!
//! The all-in cost of a quantity on a venue is then the depth-weighted
//! notional of its book for that quantity × (1 ± those basis points).
//! A split over several venues is chosen over the best single venue only
//! when it saves at least `min_split_saving_bps` of the notional (each
//! extra order is another chance of a partial failure), or when no single
//! venue can take the whole order.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Parameters of the cost model (defaults in [`CostModel::default`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostModel {
    /// Expected adverse price move per millisecond of round trip, in basis points.
    pub latency_bps_per_ms: Decimal,
    /// Penalty per recent error, in basis points.
    pub error_penalty_bps: Decimal,
    /// Penalty per recent disconnect, in basis points.
    pub disconnect_penalty_bps: Decimal,
    /// A venue with more recent errors than this is not used.
    pub max_recent_errors: u32,
    /// The saving a split must bring over the best single venue, in basis points.
    pub min_split_saving_bps: Decimal,
}

impl Default for CostModel {
    /// 0.01 bp per ms of latency (1 bp per 100 ms), 0.5 bp per recent
    /// error, 1 bp per recent disconnect, at most 5 recent errors, and a
    /// split only for a saving of 0.5 bp or more.
    fn default() -> Self {
        CostModel {
            latency_bps_per_ms: Decimal::new(1, 2),
            error_penalty_bps: Decimal::new(5, 1),
            disconnect_penalty_bps: Decimal::ONE,
            max_recent_errors: 5,
            min_split_saving_bps: Decimal::new(5, 1),
        }
    }
}

/// One basis point as a fraction.
pub const BP: Decimal = Decimal::from_parts(1, 0, 0, false, 4);

impl CostModel {
    /// The penalty of a venue beyond its price and fee, as a fraction.
    pub fn penalty(&self, latency_ms: Decimal, errors: u32, disconnects: u32) -> Decimal {
        (latency_ms.max(Decimal::ZERO) * self.latency_bps_per_ms
            + Decimal::from(errors) * self.error_penalty_bps
            + Decimal::from(disconnects) * self.disconnect_penalty_bps)
            * BP
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn the_penalty_adds_latency_errors_and_disconnects_in_basis_points() {
        let m = CostModel::default();
        // 100 ms → 1 bp, 2 errors → 1 bp, 1 disconnect → 1 bp: 3 bp.
        assert_eq!(m.penalty(dec!(100), 2, 1), dec!(0.0003));
        assert_eq!(m.penalty(dec!(-5), 0, 0), Decimal::ZERO);
        assert_eq!(BP, dec!(0.0001));
    }
}
