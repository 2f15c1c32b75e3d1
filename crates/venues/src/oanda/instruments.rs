//! `GET /v3/accounts/{id}/instruments` to instrument rules. Each OANDA
//! instrument becomes a [`MarketKind::Forex`] instrument named as OANDA
//! names it (`EUR_USD`), base and quote from the name; tick
//! 10^-`displayPrecision`, lot 10^-`tradeUnitsPrecision`, minimum
//! `minimumTradeSize` units, no minimum notional (OANDA has none).

use super::error::ParseError;
use crate::binance::parse_util::{dec, from_json};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{Instrument, InstrumentId, InstrumentSpec, MarketKind};

/// The venue part of OANDA instrument ids.
pub const VENUE: &str = "oanda";

/// One instrument's rules: the instrument and what the spec does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OandaRules {
    pub instrument: Instrument,
    /// `tradeUnitsPrecision`: units are sent with this many decimals (0:
    /// whole units, every major pair).
    pub units_precision: u32,
    /// `displayPrecision`: prices are sent with this many decimals.
    pub price_precision: u32,
    /// `pipLocation` (-4 for EUR_USD): a pip is 10^pipLocation.
    pub pip_location: i32,
    /// `maximumOrderUnits` (0: none).
    pub max_units: Decimal,
    /// `marginRate` ("0.0333": 30:1 leverage).
    pub margin_rate: Decimal,
    /// `type`: `CURRENCY`, `CFD` or `METAL`.
    pub kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInstrument {
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
    display_precision: u32,
    trade_units_precision: u32,
    #[serde(default)]
    pip_location: i32,
    #[serde(default)]
    minimum_trade_size: Option<String>,
    #[serde(default)]
    maximum_order_units: Option<String>,
    #[serde(default)]
    margin_rate: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    instruments: Vec<RawInstrument>,
}

const W: &str = "account instruments";

fn opt(field: &str, v: &Option<String>) -> Result<Decimal, ParseError> {
    match v.as_deref() {
        None | Some("") => Ok(Decimal::ZERO),
        Some(s) => dec(W, field, s),
    }
}

/// 10^-`places`.
fn step(field: &str, places: u32) -> Result<Decimal, ParseError> {
    if places > 20 {
        return Err(ParseError::Field {
            what: W,
            field: field.to_string(),
            detail: format!("{places} decimals is not a precision"),
        });
    }
    Ok(Decimal::new(1, places))
}

/// Parses the answer of `GET /v3/accounts/{id}/instruments`.
pub fn parse_instruments(body: &str) -> Result<Vec<OandaRules>, ParseError> {
    let a: Answer = from_json(W, body)?;
    a.instruments.iter().map(rules_of).collect()
}

fn rules_of(r: &RawInstrument) -> Result<OandaRules, ParseError> {
    let field = |f: &str| format!("instruments[{}].{f}", r.name);
    let (base, quote) = r.name.split_once('_').ok_or_else(|| ParseError::Field {
        what: W,
        field: field("name"),
        detail: format!("`{}` is not BASE_QUOTE", r.name),
    })?;
    let id = InstrumentId::new(VENUE, &r.name).map_err(|e| ParseError::Field {
        what: W,
        field: field("name"),
        detail: e.to_string(),
    })?;
    let spec = InstrumentSpec {
        tick_size: step(&field("displayPrecision"), r.display_precision)?,
        lot_size: step(&field("tradeUnitsPrecision"), r.trade_units_precision)?,
        min_qty: opt(&field("minimumTradeSize"), &r.minimum_trade_size)?,
        min_notional: Decimal::ZERO,
    };
    Ok(OandaRules {
        instrument: Instrument {
            id,
            kind: MarketKind::Forex,
            base: base.to_string(),
            quote: quote.to_string(),
            spec,
        },
        units_precision: r.trade_units_precision,
        price_precision: r.display_precision,
        pip_location: r.pip_location,
        max_units: opt(&field("maximumOrderUnits"), &r.maximum_order_units)?,
        margin_rate: opt(&field("marginRate"), &r.margin_rate)?,
        kind: r.kind.clone(),
    })
}
