//! A fee Binance took in a third asset (BNB when the account pays fees in
//! BNB) comes in a fill as that asset's quantity; the engine books fees in
//! the quote currency, so before the fill is journaled its fee is valued
//! at the asset's last price. Journaled so, a replay reads the same value.

use rust_decimal::Decimal;
use smc_engine::ExternalReport;
use smc_model::FeeSource;
use std::collections::BTreeMap;

/// `report` with its third-asset fee valued at `prices` (asset → price in
/// quote), and why not when no price is known (the fee then counts 0);
/// `None` when it has no such fee to value (most reports: no copy).
pub fn value_fee(
    report: &ExternalReport,
    prices: &BTreeMap<String, Decimal>,
) -> Option<(ExternalReport, Option<String>)> {
    let ExternalReport::Fill { fill } = report else {
        return None;
    };
    let FeeSource::Other { name, qty } = &fill.fee_source else {
        return None;
    };
    if !fill.fee.is_zero() {
        return None;
    }
    let mut valued = fill.clone();
    let unvalued = match prices.get(name).and_then(|p| qty.checked_mul(*p)) {
        Some(value) => {
            valued.fee = value.round_dp(8);
            None
        }
        None => Some(format!(
            "a fee of {qty} {name} on trade {} is counted as 0: no price for {name}",
            fill.trade_id
        )),
    };
    Some((ExternalReport::Fill { fill: valued }, unvalued))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{ClientOrderId, Fill, Liquidity, Side, Timestamp};

    fn fill(source: FeeSource, fee: Decimal) -> ExternalReport {
        ExternalReport::Fill {
            fill: Fill {
                client_id: ClientOrderId::new("a"),
                instrument: "binance:BTCUSDT".parse().unwrap(),
                trade_id: "7".into(),
                side: Side::Buy,
                price: dec!(40000),
                qty: dec!(0.025),
                fee,
                fee_source: source,
                liquidity: Liquidity::Taker,
                time: Timestamp::from_ms(1),
            },
        }
    }

    fn fee_of(r: &ExternalReport) -> Decimal {
        match r {
            ExternalReport::Fill { fill } => fill.fee,
            _ => Decimal::ZERO,
        }
    }

    #[test]
    fn a_fee_paid_in_bnb_is_valued_at_its_price() {
        let bnb = FeeSource::Other {
            name: "BNB".into(),
            qty: dec!(0.00123),
        };
        let prices = BTreeMap::from([("BNB".to_string(), dec!(600))]);
        let (valued, why) = value_fee(&fill(bnb.clone(), Decimal::ZERO), &prices).unwrap();
        assert_eq!(fee_of(&valued), dec!(0.738));
        assert!(why.is_none());
        // Without a price it stays 0, and says so.
        let (kept, why) = value_fee(&fill(bnb, Decimal::ZERO), &BTreeMap::new()).unwrap();
        assert_eq!(fee_of(&kept), Decimal::ZERO);
        assert!(why.unwrap().contains("no price for BNB"));
        // Quote and base fees are already valued: nothing to do.
        assert!(value_fee(&fill(FeeSource::Quote, dec!(1)), &prices).is_none());
    }
}
