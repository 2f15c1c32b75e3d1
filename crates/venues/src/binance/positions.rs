//! USD-M positions (`GET /fapi/v3/positionRisk`): what the venue holds per
//! symbol, for the start of a live session and for its reconciliation.

use super::endpoints::BinanceMarket;
use super::error::BinanceError;
use super::order_wire::push_encoded;
use super::parse_util::{dec, from_json};
use super::rest::BinanceRest;
use crate::account::VenuePosition;
use crate::net::{Cost, Method, RequestKind};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPosition {
    symbol: String,
    position_amt: String,
    entry_price: String,
}

/// Parses a positionRisk answer; hedge-mode rows (LONG/SHORT) are summed
/// per symbol so the result is the net position either way.
pub fn parse_positions(body: &str) -> Result<Vec<VenuePosition>, BinanceError> {
    let raws: Vec<RawPosition> = from_json("positionRisk", body)?;
    let mut out: Vec<VenuePosition> = Vec::new();
    for r in raws {
        let amount = dec("positionRisk", "positionAmt", &r.position_amt)?;
        let entry_price = dec("positionRisk", "entryPrice", &r.entry_price)?;
        match out.iter_mut().find(|p| p.symbol == r.symbol) {
            Some(p) => p.amount += amount,
            None => out.push(VenuePosition {
                symbol: r.symbol,
                amount,
                entry_price,
            }),
        }
    }
    Ok(out)
}

impl BinanceRest {
    /// The account's USD-M positions (of `symbol` only, if given). Spot
    /// has no positions: its holdings are balances.
    pub async fn positions(
        &self,
        symbol: Option<&str>,
    ) -> Result<Vec<VenuePosition>, BinanceError> {
        if self.market() == BinanceMarket::Spot {
            return Err(BinanceError::Config(
                "spot has no positions; read the balances".into(),
            ));
        }
        let mut params = String::new();
        if let Some(s) = symbol {
            params.push_str("symbol=");
            push_encoded(&mut params, s);
        }
        let body = self
            .send_signed(
                Method::Get,
                "/fapi/v3/positionRisk".into(),
                &params,
                RequestKind::Read,
                Cost::weight(5),
            )
            .await?;
        parse_positions(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    /// The response example of GET /fapi/v3/positionRisk in Binance's USDⓈ-M
    /// futures documentation (one-way mode), trimmed to the fields used
    /// plus a few the parser must tolerate.
    const DOC_EXAMPLE: &str = r#"[{"symbol":"ADAUSDT","positionSide":"BOTH","positionAmt":"30","entryPrice":"0.385","breakEvenPrice":"0.385077","markPrice":"0.41047590","unRealizedProfit":"0.76427700","liquidationPrice":"0","isolatedMargin":"0","notional":"12.31427700","marginAsset":"USDT","isolatedWallet":"0","initialMargin":"0.61571385","maintMargin":"0.08004285","positionInitialMargin":"0.61571385","openOrderInitialMargin":"0","adl":2,"bidNotional":"0","askNotional":"0","updateTime":1720736417660}]"#;

    #[test]
    fn reads_the_documented_answer_and_nets_hedge_mode_rows() {
        let p = parse_positions(DOC_EXAMPLE).unwrap();
        assert_eq!(
            p,
            vec![VenuePosition {
                symbol: "ADAUSDT".into(),
                amount: Decimal::from(30),
                entry_price: Decimal::new(385, 3),
            }]
        );
        let hedge = r#"[{"symbol":"BTCUSDT","positionSide":"LONG","positionAmt":"0.5","entryPrice":"60000"},
                        {"symbol":"BTCUSDT","positionSide":"SHORT","positionAmt":"-0.2","entryPrice":"61000"}]"#;
        assert_eq!(
            parse_positions(hedge).unwrap()[0].amount,
            Decimal::new(3, 1)
        );
    }

    #[test]
    fn a_bad_amount_is_an_error_naming_the_field() {
        let bad = r#"[{"symbol":"BTCUSDT","positionAmt":"x","entryPrice":"1"}]"#;
        let e = parse_positions(bad).unwrap_err().to_string();
        assert!(e.contains("positionAmt"), "{e}");
    }
}
