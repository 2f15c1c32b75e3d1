//! Binance order responses (place, cancel, query, open orders; spot, USD-M
//! and USD-M algo orders) to the shared order view, and Binance order
//! states to the shared state machine's states.

use super::error::ParseError;
use super::parse_util::dec;
use crate::execution::VenueOrder;
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::Timestamp;
use smc_model::{ClientOrderId, FeeSource, Fill, InstrumentId, Liquidity, OrderStatus, Side};

/// Binance's order states (`X`, `status`, `algoStatus`) to the shared ones.
/// A state Binance adds later reads as `Unknown`, with a warning.
pub fn map_status(s: &str) -> OrderStatus {
    match s {
        // An algo order that triggered works on as its child order.
        "NEW" | "PENDING_NEW" | "ACCEPTED" | "WORKING" | "TRIGGERING" | "TRIGGERED" => {
            OrderStatus::Submitted
        }
        "PENDING_CANCEL" => OrderStatus::PendingCancel,
        "PARTIALLY_FILLED" => OrderStatus::PartiallyFilled,
        "FILLED" | "FINISHED" => OrderStatus::Filled,
        "CANCELED" | "CANCELLED" => OrderStatus::Cancelled,
        "REJECTED" => OrderStatus::Rejected,
        "EXPIRED" | "EXPIRED_IN_MATCH" => OrderStatus::Expired,
        other => {
            tracing::warn!(
                status = other,
                "Binance order status not in the shared state machine"
            );
            OrderStatus::Unknown
        }
    }
}

/// A commission as the engine books it: its value in the quote currency
/// and the balance that paid it. Paid in the base asset (a spot buy), the
/// position holds the fill less the commission; paid in a third asset (BNB)
/// its value is set later from that asset's price (`Fill::fee` is 0 until
/// then).
pub fn fee_charge(
    what: &'static str,
    symbol: &str,
    asset: Option<&str>,
    commission: Decimal,
    price: Decimal,
) -> Result<(Decimal, FeeSource), ParseError> {
    Ok(match asset {
        Some(a) if !a.is_empty() && symbol.ends_with(a) => (commission, FeeSource::Quote),
        Some(a) if !a.is_empty() && symbol.starts_with(a) => {
            let value = commission
                .checked_mul(price)
                .ok_or_else(|| ParseError::Field {
                    what,
                    field: "commission".into(),
                    detail: format!("{commission} × the price {price} overflows"),
                })?;
            (value, FeeSource::Base { qty: commission })
        }
        Some(a) if !a.is_empty() && !commission.is_zero() => (
            Decimal::ZERO,
            FeeSource::Other {
                name: a.to_string(),
                qty: commission,
            },
        ),
        _ => (commission, FeeSource::Quote),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFill {
    price: String,
    qty: String,
    #[serde(default)]
    commission: Option<String>,
    #[serde(default)]
    commission_asset: Option<String>,
    trade_id: u64,
}

/// The union of the order answers' fields; all optional so one type reads
/// every variant, and the parser says which required one is missing.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RawOrder {
    symbol: Option<String>,
    order_id: Option<u64>,
    algo_id: Option<u64>,
    client_order_id: Option<String>,
    client_algo_id: Option<String>,
    orig_client_order_id: Option<String>,
    status: Option<String>,
    algo_status: Option<String>,
    /// The child order of a triggered algo order (empty before).
    actual_order_id: Option<String>,
    side: Option<String>,
    orig_qty: Option<String>,
    quantity: Option<String>,
    executed_qty: Option<String>,
    transact_time: Option<i64>,
    update_time: Option<i64>,
    time: Option<i64>,
    create_time: Option<i64>,
    fills: Vec<RawFill>,
}

impl RawOrder {
    /// An algo order that placed its child order.
    pub fn triggered(&self) -> bool {
        self.actual_order_id
            .as_deref()
            .is_some_and(|id| !id.is_empty())
    }
}

/// One order answer to the shared view.
pub fn parse_order(raw: &RawOrder, instrument: &InstrumentId) -> Result<VenueOrder, ParseError> {
    const W: &str = "order response";
    let missing = |field: &str| ParseError::Field {
        what: W,
        field: field.to_string(),
        detail: "missing".into(),
    };
    let venue_order_id = raw
        .order_id
        .or(raw.algo_id)
        .ok_or_else(|| missing("orderId"))?
        .to_string();
    // A cancel answer names the cancelled order in origClientOrderId.
    let client = raw
        .orig_client_order_id
        .as_deref()
        .or(raw.client_order_id.as_deref())
        .or(raw.client_algo_id.as_deref())
        .ok_or_else(|| missing("clientOrderId"))?;
    let status = raw
        .status
        .as_deref()
        .or(raw.algo_status.as_deref())
        .map(map_status)
        .ok_or_else(|| missing("status"))?;
    let qty_field = |name: &str, v: &Option<String>| -> Result<Decimal, ParseError> {
        v.as_deref().map_or(Ok(Decimal::ZERO), |s| dec(W, name, s))
    };
    let orig_qty = match &raw.orig_qty {
        Some(q) => dec(W, "origQty", q)?,
        None => qty_field("quantity", &raw.quantity)?,
    };
    let filled_qty = qty_field("executedQty", &raw.executed_qty)?;
    let time = raw
        .transact_time
        .or(raw.update_time)
        .or(raw.time)
        .or(raw.create_time)
        .unwrap_or(0);
    let client_id = ClientOrderId::new(client);
    let side = match raw.side.as_deref() {
        Some("SELL") => Side::Sell,
        _ => Side::Buy,
    };
    let symbol = raw.symbol.as_deref().unwrap_or(instrument.symbol());
    let fills = raw
        .fills
        .iter()
        .map(|f| {
            let price = dec(W, "fills.price", &f.price)?;
            let commission = f
                .commission
                .as_deref()
                .map_or(Ok(Decimal::ZERO), |c| dec(W, "fills.commission", c))?;
            let (fee, fee_source) =
                fee_charge(W, symbol, f.commission_asset.as_deref(), commission, price)?;
            Ok(Fill {
                client_id: client_id.clone(),
                instrument: instrument.clone(),
                trade_id: f.trade_id.to_string(),
                side,
                price,
                qty: dec(W, "fills.qty", &f.qty)?,
                fee,
                fee_source,
                liquidity: Liquidity::Taker,
                time: Timestamp::from_ms(time),
            })
        })
        .collect::<Result<Vec<_>, ParseError>>()?;
    Ok(VenueOrder {
        client_id,
        instrument: instrument.clone(),
        venue_order_id,
        status,
        orig_qty,
        filled_qty,
        fills,
        reject_reason: None,
        time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn commissions_are_booked_in_the_balance_that_paid_them() {
        let (fee, src) =
            fee_charge("t", "BTCUSDT", Some("BTC"), dec!(0.000025), dec!(40000)).unwrap();
        assert_eq!(
            (fee, src),
            (
                dec!(1),
                FeeSource::Base {
                    qty: dec!(0.000025)
                }
            )
        );
        let (fee, src) = fee_charge("t", "BTCUSDT", Some("USDT"), dec!(1), dec!(40000)).unwrap();
        assert_eq!((fee, src), (dec!(1), FeeSource::Quote));
        let (fee, src) = fee_charge("t", "BTCUSDT", Some("BNB"), dec!(0.002), dec!(40000)).unwrap();
        assert_eq!(fee, Decimal::ZERO, "valued later, at BNB's price");
        assert!(matches!(src, FeeSource::Other { .. }));
        // A commission whose value overflows is an error, not a panic.
        let e = fee_charge("t", "BTCUSDT", Some("BTC"), Decimal::MAX, dec!(40000)).unwrap_err();
        assert!(e.to_string().contains("overflows"), "{e}");
    }
}
