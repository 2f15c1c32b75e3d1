//! `GET /v5/market/instruments-info` to instrument rules: tick from
//! `priceFilter.tickSize`; lot from `lotSizeFilter.basePrecision` (spot) or
//! `qtyStep` (linear); `minOrderQty`; minimum notional from `minOrderAmt`
//! (spot) or `minNotionalValue` (linear); spot is a cash market, a linear
//! perpetual a margin one.

use super::endpoints::BybitCategory;
use super::error::{BybitError, ParseError};
use crate::binance::parse_util::{dec, from_json};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{Instrument, InstrumentId, InstrumentSpec, MarketKind};

/// One symbol's rules: the instrument and the bounds the spec does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BybitRules {
    pub instrument: Instrument,
    /// `maxOrderQty` (0: none).
    pub max_qty: Decimal,
    /// Linear `maxMktOrderQty`, the cap of a market order (0: none).
    pub max_market_qty: Decimal,
    /// Linear `minPrice` / `maxPrice` (0: none).
    pub min_price: Decimal,
    pub max_price: Decimal,
    /// `status`, `Trading` when orders are taken.
    pub status: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawPrice {
    tick_size: Option<String>,
    min_price: Option<String>,
    max_price: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawLot {
    base_precision: Option<String>,
    qty_step: Option<String>,
    min_order_qty: Option<String>,
    max_order_qty: Option<String>,
    max_mkt_order_qty: Option<String>,
    min_order_amt: Option<String>,
    min_notional_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInstrument {
    symbol: String,
    base_coin: String,
    quote_coin: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    contract_type: Option<String>,
    #[serde(default)]
    price_filter: RawPrice,
    #[serde(default)]
    lot_size_filter: RawLot,
}

/// The `result` of instruments-info: one page.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstrumentsPage {
    #[serde(default)]
    list: Vec<RawInstrument>,
    /// Empty or absent on the last page.
    #[serde(default)]
    pub next_page_cursor: Option<String>,
}

const W: &str = "instruments-info";

fn opt_dec(field: &str, v: &Option<String>) -> Result<Decimal, ParseError> {
    match v.as_deref() {
        None | Some("") => Ok(Decimal::ZERO),
        Some(s) => dec(W, field, s),
    }
}

/// Parses one page (`result` of the envelope).
pub fn parse_instruments_page(result: &str) -> Result<InstrumentsPage, ParseError> {
    from_json(W, result)
}

impl InstrumentsPage {
    /// The page's symbols as rules of `category`. A linear contract that is
    /// not a perpetual (dated futures) is skipped: the model has none.
    pub fn rules(&self, category: BybitCategory) -> Result<Vec<BybitRules>, BybitError> {
        let mut out = Vec::with_capacity(self.list.len());
        for r in &self.list {
            if category == BybitCategory::Linear
                && r.contract_type
                    .as_deref()
                    .is_some_and(|c| c != "LinearPerpetual")
            {
                continue;
            }
            out.push(rules_of(category, r)?);
        }
        Ok(out)
    }
}

fn rules_of(category: BybitCategory, r: &RawInstrument) -> Result<BybitRules, BybitError> {
    let lot = &r.lot_size_filter;
    let (step, step_field, notional, notional_field) = match category {
        BybitCategory::Spot => (
            &lot.base_precision,
            "basePrecision",
            &lot.min_order_amt,
            "minOrderAmt",
        ),
        BybitCategory::Linear => (
            &lot.qty_step,
            "qtyStep",
            &lot.min_notional_value,
            "minNotionalValue",
        ),
    };
    let id = InstrumentId::new(category.venue(), &r.symbol).map_err(|e| ParseError::Field {
        what: W,
        field: "symbol".into(),
        detail: e.to_string(),
    })?;
    let spec = InstrumentSpec {
        tick_size: opt_dec("tickSize", &r.price_filter.tick_size)?,
        lot_size: opt_dec(step_field, step)?,
        min_qty: opt_dec("minOrderQty", &lot.min_order_qty)?,
        min_notional: opt_dec(notional_field, notional)?,
    };
    Ok(BybitRules {
        instrument: Instrument {
            id,
            kind: match category {
                BybitCategory::Spot => MarketKind::Spot,
                BybitCategory::Linear => MarketKind::Perpetual,
            },
            base: r.base_coin.clone(),
            quote: r.quote_coin.clone(),
            spec,
        },
        max_qty: opt_dec("maxOrderQty", &lot.max_order_qty)?,
        max_market_qty: opt_dec("maxMktOrderQty", &lot.max_mkt_order_qty)?,
        min_price: opt_dec("minPrice", &r.price_filter.min_price)?,
        max_price: opt_dec("maxPrice", &r.price_filter.max_price)?,
        status: r.status.clone(),
    })
}
