//! `GET exchangeInfo`: each symbol's filters become an [`InstrumentSpec`]
//! (tick from PRICE_FILTER, lot and minimum from LOT_SIZE, minimum notional
//! from MIN_NOTIONAL or NOTIONAL), plus the price and size bounds the spec
//! does not hold; the `rateLimits` become the limiter's [`Limit`]s.

use super::endpoints::BinanceMarket;
use super::error::ParseError;
use super::parse_util::{dec, from_json};
use crate::net::{Limit, LimitKind, Scope};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{Instrument, InstrumentId, InstrumentSpec, MarketKind};
use std::collections::HashMap;

/// A symbol's trading rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolRules {
    pub symbol: String,
    pub status: String,
    pub base: String,
    pub quote: String,
    /// USD-M `contractType` (`PERPETUAL`, `CURRENT_QUARTER`…); none on spot.
    pub contract_type: Option<String>,
    pub spec: InstrumentSpec,
    /// PRICE_FILTER bounds (zero: no bound).
    pub min_price: Decimal,
    pub max_price: Decimal,
    /// LOT_SIZE upper bound (zero: no bound).
    pub max_qty: Decimal,
}

impl SymbolRules {
    /// The model's instrument for this symbol on `market`.
    pub fn instrument(&self, market: BinanceMarket) -> Result<Instrument, ParseError> {
        let id =
            InstrumentId::new(market.venue(), &self.symbol).map_err(|e| ParseError::Field {
                what: "exchangeInfo",
                field: "symbol".into(),
                detail: e.to_string(),
            })?;
        Ok(Instrument {
            id,
            kind: match market {
                BinanceMarket::Spot => MarketKind::Spot,
                BinanceMarket::UsdM => MarketKind::Perpetual,
            },
            base: self.base.clone(),
            quote: self.quote.clone(),
            spec: self.spec,
        })
    }
}

/// What exchangeInfo says about the market.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExchangeInfo {
    pub server_time: i64,
    pub rate_limits: Vec<Limit>,
    pub symbols: HashMap<String, SymbolRules>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInfo {
    #[serde(default)]
    server_time: i64,
    #[serde(default)]
    rate_limits: Vec<RawLimit>,
    symbols: Vec<RawSymbol>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLimit {
    rate_limit_type: String,
    interval: String,
    interval_num: i64,
    limit: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSymbol {
    symbol: String,
    status: String,
    base_asset: String,
    quote_asset: String,
    #[serde(default)]
    contract_type: Option<String>,
    #[serde(default)]
    filters: Vec<RawFilter>,
}

#[derive(Deserialize)]
#[serde(tag = "filterType")]
enum RawFilter {
    #[serde(rename = "PRICE_FILTER", rename_all = "camelCase")]
    Price {
        min_price: String,
        max_price: String,
        tick_size: String,
    },
    #[serde(rename = "LOT_SIZE", rename_all = "camelCase")]
    Lot {
        min_qty: String,
        max_qty: String,
        step_size: String,
    },
    /// Spot (older) uses `minNotional`, USD-M uses `notional`.
    #[serde(rename = "MIN_NOTIONAL", rename_all = "camelCase")]
    MinNotional {
        #[serde(default)]
        min_notional: Option<String>,
        #[serde(default)]
        notional: Option<String>,
    },
    #[serde(rename = "NOTIONAL", rename_all = "camelCase")]
    Notional { min_notional: String },
    #[serde(other)]
    Other,
}

fn interval_ms(unit: &str, num: i64) -> Option<i64> {
    let unit_ms = match unit {
        "SECOND" => 1_000,
        "MINUTE" => 60_000,
        "HOUR" => 3_600_000,
        "DAY" => 86_400_000,
        _ => return None,
    };
    num.checked_mul(unit_ms).filter(|&ms| ms > 0)
}

/// Parses an exchangeInfo response.
pub fn parse_exchange_info(payload: &str) -> Result<ExchangeInfo, ParseError> {
    const W: &str = "exchangeInfo";
    let raw: RawInfo = from_json(W, payload)?;
    let mut rate_limits = Vec::new();
    for l in raw.rate_limits {
        let kind = match l.rate_limit_type.as_str() {
            "REQUEST_WEIGHT" => LimitKind::RequestWeight,
            "ORDERS" => LimitKind::Orders,
            "RAW_REQUESTS" => LimitKind::RawRequests,
            other => {
                tracing::warn!(
                    rate_limit_type = other,
                    "unknown Binance rate limit ignored"
                );
                continue;
            }
        };
        let interval_ms =
            interval_ms(&l.interval, l.interval_num).ok_or_else(|| ParseError::Field {
                what: W,
                field: "rateLimits.interval".into(),
                detail: format!("unknown interval {} x{}", l.interval, l.interval_num),
            })?;
        rate_limits.push(Limit {
            scope: Scope { kind, interval_ms },
            max: l.limit,
        });
    }
    let mut symbols = HashMap::with_capacity(raw.symbols.len());
    for s in raw.symbols {
        let rules = symbol_rules(s)?;
        symbols.insert(rules.symbol.clone(), rules);
    }
    Ok(ExchangeInfo {
        server_time: raw.server_time,
        rate_limits,
        symbols,
    })
}

fn symbol_rules(s: RawSymbol) -> Result<SymbolRules, ParseError> {
    const W: &str = "exchangeInfo";
    let mut spec = InstrumentSpec {
        tick_size: Decimal::ZERO,
        lot_size: Decimal::ZERO,
        min_qty: Decimal::ZERO,
        min_notional: Decimal::ZERO,
    };
    let (mut min_price, mut max_price, mut max_qty) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let field = |f: &str| format!("{}.filters.{f}", s.symbol);
    for f in &s.filters {
        match f {
            RawFilter::Price {
                min_price: lo,
                max_price: hi,
                tick_size,
            } => {
                spec.tick_size = dec(W, &field("tickSize"), tick_size)?.normalize();
                min_price = dec(W, &field("minPrice"), lo)?.normalize();
                max_price = dec(W, &field("maxPrice"), hi)?.normalize();
            }
            RawFilter::Lot {
                min_qty,
                max_qty: hi,
                step_size,
            } => {
                spec.lot_size = dec(W, &field("stepSize"), step_size)?.normalize();
                spec.min_qty = dec(W, &field("minQty"), min_qty)?.normalize();
                max_qty = dec(W, &field("maxQty"), hi)?.normalize();
            }
            RawFilter::MinNotional {
                min_notional,
                notional,
            } => {
                if let Some(v) = min_notional.as_deref().or(notional.as_deref()) {
                    spec.min_notional = dec(W, &field("minNotional"), v)?.normalize();
                }
            }
            RawFilter::Notional { min_notional } => {
                spec.min_notional = dec(W, &field("minNotional"), min_notional)?.normalize();
            }
            RawFilter::Other => {}
        }
    }
    Ok(SymbolRules {
        symbol: s.symbol,
        status: s.status,
        base: s.base_asset,
        quote: s.quote_asset,
        contract_type: s.contract_type,
        spec,
        min_price,
        max_price,
        max_qty,
    })
}
