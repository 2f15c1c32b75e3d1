//! Spot brackets as one Binance order list: `POST /api/v3/orderList/oco`
//! with the stop and the take-profit as its two legs, so they share the
//! held balance as on the exchange (two plain orders cannot: the second is
//! refused for the balance the first holds). For a sell the take-profit is
//! the leg above the market and the stop the one below; for a buy the
//! other way round.

use super::endpoints::BinanceMarket;
use super::error::BinanceError;
use super::order_info::{RawOrder, parse_order};
use super::order_wire::{push_encoded, round_order};
use super::parse_util::from_json;
use super::rest::BinanceRest;
use crate::execution::OrderOutcome;
use crate::net::{Cost, Method, RequestKind};
use serde::Deserialize;
use smc_model::{OrderKind, OrderRequest, Side};
use std::fmt::Write;

/// The answer's part the agent reads: each leg's order report.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawList {
    #[serde(default)]
    order_reports: Vec<RawOrder>,
}

fn unsupported(leg: &OrderRequest, why: &str) -> BinanceError {
    BinanceError::Unsupported {
        client_id: leg.client_id.to_string(),
        reason: format!("order list: {why}"),
    }
}

/// One leg's wire parameters, `at` `above` or `below`.
fn push_leg(out: &mut String, at: &str, leg: &OrderRequest) -> Result<(), BinanceError> {
    let (ty, stop) = match leg.kind {
        OrderKind::StopMarket { trigger } => ("STOP_LOSS", trigger),
        OrderKind::TakeProfit { trigger } => ("TAKE_PROFIT", trigger),
        _ => return Err(unsupported(leg, "legs are a stop and a take-profit")),
    };
    let _ = write!(
        out,
        "&{at}Type={ty}&{at}StopPrice={stop}&{at}ClientOrderId="
    );
    push_encoded(out, leg.client_id.as_str());
    Ok(())
}

/// The request body of an OCO list of `stop` and `take_profit` (already
/// rounded: same symbol, side and quantity).
pub fn encode_oco(
    stop: &OrderRequest,
    take_profit: &OrderRequest,
    out: &mut String,
) -> Result<(), BinanceError> {
    if stop.instrument != take_profit.instrument
        || stop.side != take_profit.side
        || stop.qty != take_profit.qty
    {
        return Err(unsupported(
            stop,
            "both legs need one symbol, side and quantity",
        ));
    }
    out.push_str("symbol=");
    push_encoded(out, stop.instrument.symbol());
    let (side, above, below) = match stop.side {
        Side::Sell => ("SELL", take_profit, stop),
        Side::Buy => ("BUY", stop, take_profit),
    };
    let _ = write!(out, "&side={side}&quantity={}", stop.qty);
    push_leg(out, "above", above)?;
    push_leg(out, "below", below)?;
    out.push_str("&newOrderRespType=FULL");
    Ok(())
}

impl BinanceRest {
    /// Sends `stop` and `take_profit` as one OCO list, once; each leg's
    /// outcome (the venue's refusal or a lost answer is both legs').
    pub async fn place_oco(
        &self,
        stop: &OrderRequest,
        take_profit: &OrderRequest,
    ) -> Result<Vec<OrderOutcome>, BinanceError> {
        if self.market() != BinanceMarket::Spot {
            return Err(unsupported(stop, "only spot has order lists"));
        }
        let symbol = stop.instrument.symbol();
        let rules = self
            .rules(symbol)
            .ok_or_else(|| BinanceError::UnknownSymbol(symbol.to_string()))?;
        let (stop, take_profit) = (
            round_order(&rules, stop)?,
            round_order(&rules, take_profit)?,
        );
        let mut params = String::with_capacity(256);
        encode_oco(&stop, &take_profit, &mut params)?;
        let cost = Cost::order(self.market().place_weight());
        let path = "/api/v3/orderList/oco".to_string();
        let result = self
            .send_signed(Method::Post, path, &params, RequestKind::Place, cost)
            .await;
        let both = |f: &dyn Fn(&OrderRequest) -> OrderOutcome| vec![f(&stop), f(&take_profit)];
        Ok(match result {
            Ok(body) => {
                let parsed = from_json::<RawList>("order list response", &body).and_then(|l| {
                    l.order_reports
                        .iter()
                        .map(|r| parse_order(r, &stop.instrument))
                        .collect::<Result<Vec<_>, _>>()
                });
                match parsed {
                    Ok(legs) if legs.len() == 2 => {
                        legs.into_iter().map(OrderOutcome::Accepted).collect()
                    }
                    Ok(_) | Err(_) => both(&|o| OrderOutcome::Unknown {
                        client_id: o.client_id.clone(),
                        reason: "order list accepted but its answer unreadable".into(),
                    }),
                }
            }
            Err(BinanceError::Api(e)) if e.is_status_unknown() || e.status >= 500 => {
                both(&|o| OrderOutcome::Unknown {
                    client_id: o.client_id.clone(),
                    reason: e.to_string(),
                })
            }
            Err(BinanceError::Api(e)) => both(&|o| OrderOutcome::Rejected {
                client_id: o.client_id.clone(),
                code: e.code,
                reason: e.msg.clone(),
            }),
            Err(BinanceError::Net(e)) if e.was_sent() => both(&|o| OrderOutcome::Unknown {
                client_id: o.client_id.clone(),
                reason: e.to_string(),
            }),
            Err(e) => return Err(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{ClientOrderId, TimeInForce};

    fn leg(id: &str, kind: OrderKind) -> OrderRequest {
        OrderRequest {
            client_id: ClientOrderId::new(id),
            instrument: "binance:BTCUSDT".parse().unwrap(),
            side: Side::Sell,
            qty: dec!(0.025),
            kind,
            time_in_force: TimeInForce::Gtc,
            reduce_only: true,
        }
    }

    #[test]
    fn a_sell_bracket_puts_the_target_above_and_the_stop_below() {
        let sl = leg(
            "a-sl",
            OrderKind::StopMarket {
                trigger: dec!(40000),
            },
        );
        let tp = leg(
            "a-tp",
            OrderKind::TakeProfit {
                trigger: dec!(45000),
            },
        );
        let mut out = String::new();
        encode_oco(&sl, &tp, &mut out).unwrap();
        assert_eq!(
            out,
            "symbol=BTCUSDT&side=SELL&quantity=0.025&aboveType=TAKE_PROFIT&aboveStopPrice=45000\
             &aboveClientOrderId=a-tp&belowType=STOP_LOSS&belowStopPrice=40000\
             &belowClientOrderId=a-sl&newOrderRespType=FULL"
        );
        let mut other = tp.clone();
        other.qty = dec!(1);
        assert!(encode_oco(&sl, &other, &mut String::new()).is_err());
    }
}
