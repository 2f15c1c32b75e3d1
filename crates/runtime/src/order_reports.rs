//! The one mapping from a venue's view of an order to the engine's
//! reports, whichever way the view arrived: the answer to a placement or a
//! cancel, a user-stream update, or a query during reconciliation.

use smc_engine::ExternalReport;
use smc_model::OrderStatus;
use smc_venues::VenueOrder;

/// How the venue's view of the order arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The answer to placing it: the venue took it, whatever its status.
    PlaceAnswer,
    /// The answer to cancelling it.
    CancelAnswer,
    /// A user data stream update.
    StreamUpdate,
    /// A status query (reconciliation).
    Query,
}

/// What one view of an order tells the engine, in the order it must hear
/// it: acknowledged, then its executions, then how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderReports {
    pub accepted: Option<ExternalReport>,
    pub fills: Vec<ExternalReport>,
    pub end: Option<ExternalReport>,
}

impl OrderReports {
    /// The reports of `order`, seen through `source`.
    pub fn of(order: &VenueOrder, source: Source) -> Self {
        let status = order.status;
        let live_or_filled = matches!(
            status,
            OrderStatus::Submitted | OrderStatus::PartiallyFilled | OrderStatus::Filled
        );
        let accepted = match source {
            Source::PlaceAnswer => true,
            Source::CancelAnswer => false,
            Source::StreamUpdate | Source::Query => live_or_filled,
        };
        let client_id = order.client_id.clone();
        let reason = |default: &str| {
            order
                .reject_reason
                .clone()
                .unwrap_or_else(|| default.to_string())
        };
        let end = match status {
            OrderStatus::Cancelled => Some(ExternalReport::Cancelled {
                client_id: client_id.clone(),
                reason: reason(match source {
                    Source::CancelAnswer => "cancelled on request",
                    _ => "cancelled on the venue",
                }),
            }),
            OrderStatus::Expired => Some(ExternalReport::Expired {
                client_id: client_id.clone(),
                reason: reason("expired on the venue"),
            }),
            OrderStatus::Rejected => Some(ExternalReport::Rejected {
                client_id: client_id.clone(),
                reason: reason("rejected by the venue"),
            }),
            _ => None,
        };
        OrderReports {
            accepted: accepted.then_some(ExternalReport::Accepted { client_id }),
            fills: order
                .fills
                .iter()
                .map(|fill| ExternalReport::Fill { fill: fill.clone() })
                .collect(),
            end,
        }
    }

    /// Every report, in order.
    pub fn in_order(self) -> Vec<ExternalReport> {
        let mut all: Vec<ExternalReport> = self.accepted.into_iter().collect();
        all.extend(self.fills);
        all.extend(self.end);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::Timestamp;
    use smc_model::{ClientOrderId, Fill, Liquidity, Side};

    fn order(status: OrderStatus, fills: usize) -> VenueOrder {
        let client_id = ClientOrderId::new("smc-1-0");
        let instrument: smc_model::InstrumentId = "binance:BTCUSDT".parse().unwrap();
        VenueOrder {
            client_id: client_id.clone(),
            instrument: instrument.clone(),
            venue_order_id: "7".into(),
            status,
            orig_qty: Decimal::ONE,
            filled_qty: Decimal::ZERO,
            fills: (0..fills)
                .map(|k| Fill {
                    client_id: client_id.clone(),
                    instrument: instrument.clone(),
                    trade_id: k.to_string(),
                    side: Side::Buy,
                    price: Decimal::ONE,
                    qty: Decimal::ONE,
                    fee: Decimal::ZERO,
                    fee_source: smc_model::FeeSource::Quote,
                    liquidity: Liquidity::Taker,
                    time: Timestamp::from_ms(0),
                })
                .collect(),
            reject_reason: None,
            time: 0,
        }
    }

    fn kinds(reports: &[ExternalReport]) -> Vec<String> {
        reports
            .iter()
            .map(|r| r.key().split(':').next().unwrap_or_default().to_string())
            .collect()
    }

    #[test]
    fn an_answer_is_an_acceptance_then_its_fills_then_its_end() {
        let filled = OrderReports::of(&order(OrderStatus::Filled, 2), Source::PlaceAnswer);
        assert_eq!(kinds(&filled.in_order()), ["accepted", "fill", "fill"]);
        let expired = OrderReports::of(&order(OrderStatus::Expired, 0), Source::PlaceAnswer);
        assert_eq!(kinds(&expired.in_order()), ["accepted", "expired"]);
    }

    #[test]
    fn a_stream_or_query_view_accepts_only_live_or_filled_orders() {
        let cancelled = OrderReports::of(&order(OrderStatus::Cancelled, 0), Source::StreamUpdate);
        assert_eq!(kinds(&cancelled.clone().in_order()), ["cancelled"]);
        let Some(ExternalReport::Cancelled { reason, .. }) = cancelled.end else {
            panic!("no end");
        };
        assert_eq!(reason, "cancelled on the venue");
        let open = OrderReports::of(&order(OrderStatus::Submitted, 0), Source::Query);
        assert_eq!(kinds(&open.in_order()), ["accepted"]);
        let by_us = OrderReports::of(&order(OrderStatus::Cancelled, 0), Source::CancelAnswer);
        let Some(ExternalReport::Cancelled { reason, .. }) = by_us.end else {
            panic!("no end");
        };
        assert_eq!(reason, "cancelled on request");
    }
}
