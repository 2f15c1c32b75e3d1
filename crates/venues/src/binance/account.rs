//! Account reads for live trading and reconciliation: the API key's
//! permissions (a key that may withdraw is refused), balances, the
//! account's trades and its order history.

use super::endpoints::BinanceMarket;
use super::error::BinanceError;
use super::order_info::{RawOrder, fee_charge, parse_order};
use super::order_wire::push_encoded;
use super::parse_util::{dec, from_json};
use super::rest::BinanceRest;
use crate::account::{AccountTrade, Balance, KeyPermissions};
use crate::execution::VenueOrder;
use crate::net::{Cost, Method, RequestKind};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::Timestamp;
use smc_model::{ClientOrderId, Fill, InstrumentId, Liquidity, Side};
use std::fmt::Write;

/// What an API key may do (`GET /sapi/v1/account/apiRestrictions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRestrictions {
    #[serde(default)]
    pub enable_reading: bool,
    pub enable_withdrawals: bool,
    #[serde(default)]
    pub enable_spot_and_margin_trading: bool,
    #[serde(default)]
    pub enable_futures: bool,
    #[serde(default)]
    pub ip_restrict: bool,
    #[serde(default)]
    pub enable_internal_transfer: bool,
    #[serde(default)]
    pub permits_universal_transfer: bool,
}

impl From<ApiRestrictions> for KeyPermissions {
    fn from(r: ApiRestrictions) -> Self {
        KeyPermissions {
            trade: r.enable_spot_and_margin_trading || r.enable_futures,
            withdraw: r.enable_withdrawals,
            transfer: r.enable_internal_transfer || r.permits_universal_transfer,
            ip_restricted: r.ip_restrict,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTrade {
    id: u64,
    order_id: u64,
    price: String,
    qty: String,
    #[serde(default)]
    commission: Option<String>,
    #[serde(default)]
    commission_asset: Option<String>,
    time: i64,
    #[serde(default)]
    is_buyer: Option<bool>,
    #[serde(default)]
    buyer: Option<bool>,
    #[serde(default)]
    is_maker: Option<bool>,
    #[serde(default)]
    maker: Option<bool>,
}

impl BinanceRest {
    /// The key's permissions. Binance serves them on the spot host
    /// (`/sapi`), for spot and futures keys alike.
    pub async fn api_restrictions(&self) -> Result<ApiRestrictions, BinanceError> {
        let body = self
            .send_signed(
                Method::Get,
                "/sapi/v1/account/apiRestrictions".into(),
                "",
                RequestKind::Read,
                Cost::weight(1),
            )
            .await?;
        Ok(from_json("apiRestrictions", &body)?)
    }

    /// The account's balances (spot `account`; USD-M: the wallet
    /// balance of each asset as `free`).
    pub async fn balances(&self) -> Result<Vec<Balance>, BinanceError> {
        #[derive(Deserialize)]
        struct Row {
            asset: String,
            #[serde(default)]
            free: Option<String>,
            #[serde(default)]
            locked: Option<String>,
            #[serde(default, rename = "walletBalance")]
            wallet: Option<String>,
        }
        #[derive(Deserialize)]
        struct Account {
            #[serde(default)]
            balances: Vec<Row>,
            #[serde(default)]
            assets: Vec<Row>,
        }
        let (path, weight) = match self.market() {
            BinanceMarket::Spot => ("/api/v3/account", 20),
            BinanceMarket::UsdM => ("/fapi/v2/account", 5),
        };
        let body = self
            .send_signed(
                Method::Get,
                path.into(),
                "",
                RequestKind::Read,
                Cost::weight(weight),
            )
            .await?;
        let a: Account = from_json("account", &body)?;
        a.balances
            .into_iter()
            .chain(a.assets)
            .map(|r| {
                let field = |name: &str, v: &Option<String>| {
                    v.as_deref()
                        .map_or(Ok(Decimal::ZERO), |s| dec("account", name, s))
                };
                let free = match &r.wallet {
                    Some(w) => dec("account", "walletBalance", w)?,
                    None => field("free", &r.free)?,
                };
                Ok(Balance {
                    locked: field("locked", &r.locked)?,
                    asset: r.asset,
                    free,
                })
            })
            .collect()
    }

    /// The account's trades of `instrument` from `start_ms` on, oldest
    /// first, fetched page by page.
    pub async fn account_trades(
        &self,
        instrument: &InstrumentId,
        start_ms: i64,
    ) -> Result<Vec<AccountTrade>, BinanceError> {
        const LIMIT: usize = 1000;
        let (path, weight) = match self.market() {
            BinanceMarket::Spot => ("/api/v3/myTrades", 20),
            BinanceMarket::UsdM => ("/fapi/v1/userTrades", 5),
        };
        let symbol = instrument.symbol();
        let mut out: Vec<AccountTrade> = Vec::new();
        let mut from = start_ms;
        loop {
            let mut params = String::from("symbol=");
            push_encoded(&mut params, symbol);
            let _ = write!(params, "&startTime={from}&limit={LIMIT}");
            let body = self
                .send_signed(
                    Method::Get,
                    path.into(),
                    &params,
                    RequestKind::Read,
                    Cost::weight(weight),
                )
                .await?;
            let raws: Vec<RawTrade> = from_json("myTrades", &body)?;
            let n = raws.len();
            let last = raws.last().map(|t| t.time);
            for r in raws {
                let trade_id = r.id.to_string();
                if out.iter().any(|t| t.fill.trade_id == trade_id) {
                    continue; // the page boundary repeats a millisecond
                }
                let price = dec("myTrades", "price", &r.price)?;
                let commission = r
                    .commission
                    .as_deref()
                    .map_or(Ok(Decimal::ZERO), |c| dec("myTrades", "commission", c))?;
                let buyer = r.is_buyer.or(r.buyer).unwrap_or(false);
                let maker = r.is_maker.or(r.maker).unwrap_or(false);
                let (fee, fee_source) = fee_charge(
                    "myTrades",
                    symbol,
                    r.commission_asset.as_deref(),
                    commission,
                    price,
                )?;
                out.push(AccountTrade {
                    venue_order_id: r.order_id.to_string(),
                    fill: Fill {
                        client_id: ClientOrderId::new(""),
                        instrument: instrument.clone(),
                        trade_id,
                        side: if buyer { Side::Buy } else { Side::Sell },
                        price,
                        qty: dec("myTrades", "qty", &r.qty)?,
                        fee,
                        fee_source,
                        liquidity: if maker {
                            Liquidity::Maker
                        } else {
                            Liquidity::Taker
                        },
                        time: Timestamp::from_ms(r.time),
                    },
                });
            }
            match last {
                Some(t) if n >= LIMIT && t > from => from = t,
                _ => return Ok(out),
            }
        }
    }

    /// Every order of `instrument` the venue knows (up to 1,000, oldest
    /// first): for audits and tests. On USD-M, the algo service's
    /// conditional orders that never triggered are added (a triggered one
    /// is its child order, under the same client id).
    pub async fn all_orders(
        &self,
        instrument: &InstrumentId,
    ) -> Result<Vec<VenueOrder>, BinanceError> {
        let path = match self.market() {
            BinanceMarket::Spot => "/api/v3/allOrders",
            BinanceMarket::UsdM => "/fapi/v1/allOrders",
        };
        let mut params = String::from("symbol=");
        push_encoded(&mut params, instrument.symbol());
        params.push_str("&limit=1000");
        let body = self
            .send_signed(
                Method::Get,
                path.into(),
                &params,
                RequestKind::Read,
                Cost::weight(20),
            )
            .await?;
        let mut raws: Vec<RawOrder> = from_json("allOrders", &body)?;
        if self.market() == BinanceMarket::UsdM {
            let body = self
                .send_signed(
                    Method::Get,
                    "/fapi/v1/allAlgoOrders".into(),
                    &params,
                    RequestKind::Read,
                    Cost::weight(5),
                )
                .await?;
            let algos: Vec<RawOrder> = from_json("allAlgoOrders", &body)?;
            raws.extend(algos.into_iter().filter(|r| !r.triggered()));
        }
        raws.iter()
            .map(|r| parse_order(r, instrument).map_err(BinanceError::from))
            .collect()
    }
}
