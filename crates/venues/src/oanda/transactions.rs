//! OANDA transactions (v20.yaml `Transaction` and its kinds) to the
//! shared order view: what a `POST …/orders` answer, the transaction
//! lists and the transactions stream carry.
//!
//! - `ORDER_FILL` → an update with its fill: side from the sign of
//!   `units`, `fee` the `commission` converted from the account currency
//!   to the quote currency (`lossQuoteHomeConversionFactor`), as the
//!   update's `commission` (no `commission_asset`: the quote). OANDA
//!   fills at its bid or ask, so the spread is already in the fill price;
//!   `halfSpreadCost` is that part of the price in account currency and is
//!   kept in [`FillCosts`] (the shared `Fill` has no field for it, and
//!   adding it to the fee would count the spread twice); so are `pl` and
//!   `financing`.
//! - `MARKET_ORDER`, `LIMIT_ORDER`, `STOP_ORDER`, `MARKET_IF_TOUCHED_ORDER`
//!   and the dependent `TAKE_PROFIT_ORDER` / `STOP_LOSS_ORDER` /
//!   `TRAILING_STOP_LOSS_ORDER` → the order, accepted (`Submitted`).
//! - `ORDER_CANCEL` → `Cancelled` when the client asked
//!   (`CLIENT_REQUEST`, `CLIENT_REQUEST_REPLACED`), else `Expired` with
//!   OANDA's reason (a FOK market order OANDA could not fill, a time in
//!   force that ran out, margin, a halted market).
//! - `*_REJECT` → `Rejected` with `rejectReason`.
//! - `DAILY_FINANCING` → one financing report per position financed (its
//!   `positionFinancings`), `paid` the negated `financing` (OANDA counts
//!   what the account received), id `<transaction id>:<instrument>`.
//! - everything else → ignored, named.

use super::error::ParseError;
use super::instruments::VENUE;
use super::time::time_ms;
use crate::binance::parse_util::dec;
use crate::execution::{FinancingReport, OrderUpdate, UserEvent, VenueOrder};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{
    ClientOrderId, FeeSource, Fill, InstrumentId, Liquidity, OrderStatus, Side, Timestamp,
};

#[derive(Deserialize, Default)]
pub(crate) struct RawExtensions {
    #[serde(default)]
    pub(crate) id: Option<String>,
}

/// Every transaction field the adapter reads, all optional (which ones a
/// transaction has depends on its `type`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RawTransaction {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub time: Option<String>,
    pub instrument: Option<String>,
    pub units: Option<String>,
    pub price: Option<String>,
    #[serde(rename = "orderID")]
    pub order_id: Option<String>,
    #[serde(rename = "clientOrderID")]
    pub client_order_id: Option<String>,
    pub(crate) client_extensions: Option<RawExtensions>,
    pub reason: Option<String>,
    pub reject_reason: Option<String>,
    pub commission: Option<String>,
    pub half_spread_cost: Option<String>,
    pub financing: Option<String>,
    pub pl: Option<String>,
    /// Account-currency units per quote-currency unit for a loss (a cost),
    /// as OANDA converted this fill's costs.
    pub loss_quote_home_conversion_factor: Option<String>,
    /// A `DAILY_FINANCING`'s financing per instrument.
    pub(crate) position_financings: Option<Vec<RawPositionFinancing>>,
    /// Heartbeats of the transactions stream.
    #[serde(rename = "lastTransactionID")]
    pub last_transaction_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawPositionFinancing {
    pub(crate) instrument: Option<String>,
    pub(crate) financing: Option<String>,
}

/// What a fill cost beyond its price, in the account currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FillCosts {
    pub commission: Decimal,
    /// The half spread paid, already inside the fill price.
    pub half_spread_cost: Decimal,
    pub financing: Decimal,
    /// Realised profit or loss of the fill.
    pub pl: Decimal,
}

const W: &str = "transaction";

fn opt_dec(field: &str, v: &Option<String>) -> Result<Decimal, ParseError> {
    match v.as_deref() {
        None | Some("") => Ok(Decimal::ZERO),
        Some(s) => dec(W, field, s),
    }
}

impl RawTransaction {
    fn field(&self, name: &str) -> String {
        format!(
            "{}({}).{name}",
            self.kind,
            self.id.as_deref().unwrap_or("?")
        )
    }

    fn time(&self) -> Result<i64, ParseError> {
        match self.time.as_deref() {
            Some(t) => time_ms(W, &self.field("time"), t),
            None => Ok(0),
        }
    }

    fn instrument(&self) -> Result<InstrumentId, ParseError> {
        let name = self.instrument.as_deref().unwrap_or_default();
        InstrumentId::new(VENUE, name).map_err(|e| ParseError::Field {
            what: W,
            field: self.field("instrument"),
            detail: e.to_string(),
        })
    }

    /// The client id: `clientExtensions.id`, else `clientOrderID`.
    pub fn client_id(&self) -> ClientOrderId {
        let ext = self.client_extensions.as_ref().and_then(|e| e.id.clone());
        ClientOrderId::new(
            ext.or_else(|| self.client_order_id.clone())
                .unwrap_or_default(),
        )
    }

    /// `units`, signed.
    pub fn units(&self) -> Result<Decimal, ParseError> {
        opt_dec(&self.field("units"), &self.units)
    }

    /// What a fill cost beyond its price.
    pub fn costs(&self) -> Result<FillCosts, ParseError> {
        Ok(FillCosts {
            commission: opt_dec(&self.field("commission"), &self.commission)?,
            half_spread_cost: opt_dec(&self.field("halfSpreadCost"), &self.half_spread_cost)?,
            financing: opt_dec(&self.field("financing"), &self.financing)?,
            pl: opt_dec(&self.field("pl"), &self.pl)?,
        })
    }

    /// The commission in the instrument's quote currency, as `Fill::fee`
    /// is counted: OANDA charges it in the account currency, and converts
    /// a cost by `lossQuoteHomeConversionFactor` (home = quote × factor);
    /// without the factor (a quote currency that is the account's) it is
    /// taken as is.
    pub fn fee_in_quote(&self) -> Result<Decimal, ParseError> {
        let commission = self.costs()?.commission;
        let factor = opt_dec(
            &self.field("lossQuoteHomeConversionFactor"),
            &self.loss_quote_home_conversion_factor,
        )?;
        if commission.is_zero() || factor <= Decimal::ZERO {
            return Ok(commission);
        }
        Ok(commission.checked_div(factor).unwrap_or(commission))
    }

    /// An `ORDER_FILL` as a fill (its `client_id` is `clientOrderID`
    /// where OANDA gives it, else empty for the caller to map).
    pub fn fill(&self) -> Result<Fill, ParseError> {
        let units = self.units()?;
        let price = self.price.as_deref().ok_or_else(|| ParseError::Field {
            what: W,
            field: self.field("price"),
            detail: "missing".into(),
        })?;
        Ok(Fill {
            client_id: self.client_id(),
            instrument: self.instrument()?,
            trade_id: self.id.clone().unwrap_or_default(),
            side: if units < Decimal::ZERO {
                Side::Sell
            } else {
                Side::Buy
            },
            price: dec(W, &self.field("price"), price)?,
            qty: units.abs(),
            fee: self.fee_in_quote()?,
            fee_source: FeeSource::Quote,
            liquidity: Liquidity::Taker,
            time: Timestamp::from_ms(self.time()?),
        })
    }

    fn order(
        &self,
        venue_order_id: Option<&String>,
        status: OrderStatus,
    ) -> Result<VenueOrder, ParseError> {
        let instrument = match &self.instrument {
            Some(_) => self.instrument()?,
            // A cancel names no instrument: the caller knows it.
            None => InstrumentId::new(VENUE, "UNKNOWN").map_err(|e| ParseError::Field {
                what: W,
                field: self.field("instrument"),
                detail: e.to_string(),
            })?,
        };
        Ok(VenueOrder {
            client_id: self.client_id(),
            instrument,
            venue_order_id: venue_order_id.cloned().unwrap_or_default(),
            status,
            orig_qty: self.units()?.abs(),
            filled_qty: Decimal::ZERO,
            fills: Vec::new(),
            reject_reason: None,
            time: self.time()?,
        })
    }

    /// The transaction as an order update, or `None` for a kind that is
    /// not about an order.
    pub fn update(&self) -> Result<Option<OrderUpdate>, ParseError> {
        let update = |order: VenueOrder, commission: Decimal| {
            Some(OrderUpdate {
                order,
                execution_type: self.kind.clone(),
                commission,
                commission_asset: None,
            })
        };
        let k = self.kind.as_str();
        Ok(match k {
            "ORDER_FILL" => {
                let fill = self.fill()?;
                let mut o = self.order(self.order_id.as_ref(), OrderStatus::Filled)?;
                o.orig_qty = fill.qty;
                o.filled_qty = fill.qty;
                let fee = fill.fee;
                o.fills.push(fill);
                update(o, fee)
            }
            "ORDER_CANCEL" => {
                let reason = self.reason.clone().unwrap_or_default();
                let client = matches!(
                    reason.as_str(),
                    "CLIENT_REQUEST" | "CLIENT_REQUEST_REPLACED"
                );
                let status = if client {
                    OrderStatus::Cancelled
                } else {
                    OrderStatus::Expired
                };
                let mut o = self.order(self.order_id.as_ref(), status)?;
                o.reject_reason = (!client).then_some(reason);
                update(o, Decimal::ZERO)
            }
            _ if k.ends_with("_ORDER_REJECT") => {
                let mut o = self.order(self.id.as_ref(), OrderStatus::Rejected)?;
                o.reject_reason = self.reject_reason.clone();
                update(o, Decimal::ZERO)
            }
            _ if k.ends_with("_ORDER") => update(
                self.order(self.id.as_ref(), OrderStatus::Submitted)?,
                Decimal::ZERO,
            ),
            _ => None,
        })
    }

    /// A `DAILY_FINANCING` as one report per position it financed (none
    /// for another kind).
    pub fn financings(&self) -> Result<Vec<FinancingReport>, ParseError> {
        if self.kind != "DAILY_FINANCING" {
            return Ok(Vec::new());
        }
        let time = Timestamp::from_ms(self.time()?);
        let id = self.id.as_deref().unwrap_or("?");
        let mut out = Vec::new();
        for p in self.position_financings.iter().flatten() {
            let symbol = p.instrument.clone().unwrap_or_default();
            let field = self.field(&format!("positionFinancings[{symbol}].financing"));
            let received = opt_dec(&field, &p.financing)?;
            if symbol.is_empty() || received.is_zero() {
                continue;
            }
            out.push(FinancingReport {
                id: format!("{id}:{symbol}"),
                symbol,
                paid: -received,
                time,
            });
        }
        Ok(out)
    }

    /// The transaction as a user stream event.
    pub fn event(&self) -> Result<UserEvent, ParseError> {
        if self.kind == "DAILY_FINANCING" {
            return Ok(UserEvent::Financing(self.financings()?));
        }
        Ok(match self.update()? {
            Some(u) => UserEvent::Order(Box::new(u)),
            None => UserEvent::Ignored(self.kind.clone()),
        })
    }

    /// The id as a number (transaction ids are increasing integers).
    pub fn id_num(&self) -> Option<u64> {
        self.id.as_deref()?.parse().ok()
    }
}

/// Parses one transaction object.
pub fn parse_transaction(text: &str) -> Result<RawTransaction, ParseError> {
    crate::binance::parse_util::from_json(W, text)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListAnswer {
    transactions: Vec<RawTransaction>,
    #[serde(rename = "lastTransactionID", default)]
    last_transaction_id: Option<String>,
}

/// The transactions of an `idrange` or `sinceid` answer and its
/// `lastTransactionID`.
pub fn parse_transaction_list(
    body: &str,
) -> Result<(Vec<RawTransaction>, Option<String>), ParseError> {
    let a: ListAnswer = crate::binance::parse_util::from_json("transactions", body)?;
    Ok((a.transactions, a.last_transaction_id))
}

#[derive(Deserialize)]
struct PagesAnswer {
    #[serde(default)]
    pages: Vec<String>,
}

/// The page URLs of a `GET …/transactions` answer, as paths with their
/// query (`/v3/accounts/…/transactions/idrange?from=1&to=100`): the host
/// OANDA writes is dropped, so a local simulator's pages are read from it.
pub fn parse_transaction_pages(body: &str) -> Result<Vec<String>, ParseError> {
    let a: PagesAnswer = crate::binance::parse_util::from_json("transactions", body)?;
    Ok(a.pages
        .iter()
        .filter_map(|u| u.find("/v3/").map(|i| u[i..].to_string()))
        .collect())
}
