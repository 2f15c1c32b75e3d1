//! Orders and account reads over REST: place (`POST …/orders`), cancel
//! (`PUT …/orders/@{clientId}/cancel`), query (`GET …/orders/@{clientId}`),
//! open orders (`…/pendingOrders`), the account's fills (`…/transactions`
//! pages of `ORDER_FILL`s), financing (`DAILY_FINANCING`s), balances (`…/summary`) and positions
//! (`…/openPositions`).
//!
//! Placement follows the crate's outcome policy: sent once; OANDA's
//! `orderRejectTransaction` is a rejection with its reason; a timeout, a
//! 5xx, a 429 or a broken connection after sending is an unknown outcome
//! (resolved by a query by client id, never by sending again).

use super::account::{AccountSummary, parse_positions, parse_summary};
use super::endpoints::{self, client_specifier};
use super::error::{ApiErrorKind, OandaError};
use super::market_parse::parse_pricing;
use super::order_wire::{AttachedExits, encode_order, round_order, take_profit_crossed};
use super::orders::{parse_create, parse_order, parse_orders};
use super::rest::{OandaRest, api_error, read};
use super::transactions::{RawTransaction, parse_transaction_list, parse_transaction_pages};
use crate::account::{AccountTrade, Balance, VenuePosition};
use crate::binance::order_wire::push_encoded;
use crate::execution::{FinancingReport, OrderOutcome, VenueOrder};
use crate::net::{Method, RequestKind};
use smc_model::{ClientOrderId, InstrumentId, OrderKind, OrderRequest, OrderStatus};

impl OandaRest {
    /// The rules of `symbol`, loading the account's instruments once if
    /// they are not known yet.
    async fn rules_or_load(
        &self,
        symbol: &str,
    ) -> Result<super::instruments::OandaRules, OandaError> {
        if let Some(r) = self.rules(symbol) {
            return Ok(r);
        }
        self.load_rules().await?;
        self.rules(symbol)
            .ok_or_else(|| OandaError::UnknownSymbol(symbol.to_string()))
    }

    /// Sends `order` once, rounded to its instrument's rules.
    pub async fn place_order(&self, order: &OrderRequest) -> Result<OrderOutcome, OandaError> {
        self.place_order_with_exits(order, &AttachedExits::default())
            .await
    }

    /// Sends `order` once with `exits` attached (OANDA opens them on the
    /// trade the entry creates).
    pub async fn place_order_with_exits(
        &self,
        order: &OrderRequest,
        exits: &AttachedExits,
    ) -> Result<OrderOutcome, OandaError> {
        let symbol = order.instrument.symbol();
        let rules = self.rules_or_load(symbol).await?;
        let rounded = round_order(&rules, order)?;
        let crossed = match rounded.kind {
            OrderKind::TakeProfit { trigger } => self.take_profit_crossed(&rounded, trigger).await,
            _ => false,
        };
        let body = encode_order(&rounded, exits, crossed)?;
        let path = self.account_path("/orders").await?;
        let req = self.request(
            Method::Post,
            &path,
            String::new(),
            Some(body),
            RequestKind::Place,
            endpoints::ORDER,
        );
        let client_id = order.client_id.clone();
        let resp = match self.send_raw(&req).await {
            Ok(r) => r,
            Err(OandaError::Net(e)) if e.was_sent() => {
                return Ok(OrderOutcome::Unknown {
                    client_id,
                    reason: e.to_string(),
                });
            }
            Err(e) => return Err(e),
        };
        match parse_create(&client_id, &order.instrument, &resp.body) {
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) if resp.status >= 300 => {
                let e = api_error(&path, &resp);
                match e.kind() {
                    // A refusal of the request itself: the order does not
                    // exist there.
                    ApiErrorKind::BadRequest | ApiErrorKind::NotFound | ApiErrorKind::Rejected => {
                        Ok(OrderOutcome::Rejected {
                            client_id,
                            code: e.numeric_code(),
                            reason: e.reason(),
                        })
                    }
                    ApiErrorKind::Auth | ApiErrorKind::Forbidden => Err(e.into()),
                }
            }
            Ok(None) | Err(_) => Ok(OrderOutcome::Unknown {
                client_id,
                reason: format!(
                    "HTTP {} answer without an order transaction: {}",
                    resp.status,
                    crate::binance::parse_util::snippet(&resp.body)
                ),
            }),
        }
    }

    /// Whether a take-profit's limit would fill at once now; false when
    /// the price cannot be read (a resting limit is the safe default).
    async fn take_profit_crossed(
        &self,
        order: &OrderRequest,
        trigger: rust_decimal::Decimal,
    ) -> bool {
        let symbol = order.instrument.symbol();
        let Ok(body) = self.pricing(&[symbol]).await else {
            return false;
        };
        let Ok(quotes) = parse_pricing(&body) else {
            return false;
        };
        quotes
            .iter()
            .find(|q| q.instrument.symbol() == symbol)
            .and_then(|q| Some((q.bids.first()?.price, q.asks.first()?.price)))
            .is_some_and(|(bid, ask)| take_profit_crossed(order.side, trigger, bid, ask))
    }

    /// Cancels the order with client id `client_id`.
    pub async fn cancel_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<VenueOrder, OandaError> {
        let mut rest = String::from("/orders/");
        rest.push_str(&client_specifier(client_id.as_str()));
        rest.push_str("/cancel");
        let path = self.account_path(&rest).await?;
        let req = self.request(
            Method::Put,
            &path,
            String::new(),
            None,
            RequestKind::Cancel,
            endpoints::REQUEST,
        );
        let body = self.send(&req).await?;
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            order_cancel_transaction: super::transactions::RawTransaction,
        }
        let a: Answer = crate::binance::parse_util::from_json("order cancel", &body)?;
        let mut order = a
            .order_cancel_transaction
            .update()?
            .map(|u| u.order)
            .ok_or_else(|| OandaError::Config("cancel answer without ORDER_CANCEL".into()))?;
        order.client_id = client_id.clone();
        order.instrument = instrument.clone();
        order.status = OrderStatus::Cancelled;
        order.reject_reason = None;
        Ok(order)
    }

    /// The order with client id `client_id`; `None` when OANDA does not
    /// know it (HTTP 404).
    pub async fn query_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<Option<VenueOrder>, OandaError> {
        let mut rest = String::from("/orders/");
        rest.push_str(&client_specifier(client_id.as_str()));
        let path = self.account_path(&rest).await?;
        match self.get(&path, String::new()).await {
            Ok(body) => {
                let mut o = parse_order(&body)?;
                o.client_id = client_id.clone();
                o.instrument = instrument.clone();
                Ok(Some(o))
            }
            Err(OandaError::Api(e)) if e.kind() == ApiErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The resting orders of `instrument`.
    pub async fn open_orders(
        &self,
        instrument: &InstrumentId,
    ) -> Result<Vec<VenueOrder>, OandaError> {
        let path = self.account_path("/pendingOrders").await?;
        let body = self.get(&path, String::new()).await?;
        let mut orders = parse_orders(&body)?;
        orders.retain(|o| o.instrument.symbol() == instrument.symbol());
        for o in &mut orders {
            o.instrument = instrument.clone();
        }
        Ok(orders)
    }

    /// The account's fills of `instrument` from `since_ms`: the
    /// `ORDER_FILL` pages of `GET …/transactions?from=…`.
    pub async fn fills_since(
        &self,
        instrument: &InstrumentId,
        since_ms: i64,
    ) -> Result<Vec<AccountTrade>, OandaError> {
        let mut out = Vec::new();
        for t in self.transactions_from(since_ms, "ORDER_FILL").await? {
            if t.instrument.as_deref() != Some(instrument.symbol()) {
                continue;
            }
            let mut fill = t.fill()?;
            if fill.time.ms() < since_ms {
                continue;
            }
            fill.instrument = instrument.clone();
            out.push(AccountTrade {
                venue_order_id: t.order_id.clone().unwrap_or_default(),
                fill,
            });
        }
        Ok(out)
    }

    /// The financing OANDA booked from `since_ms`: the `DAILY_FINANCING`
    /// pages of `GET …/transactions?from=…`.
    pub async fn financing_since(&self, since_ms: i64) -> Result<Vec<FinancingReport>, OandaError> {
        let mut out = Vec::new();
        for t in self.transactions_from(since_ms, "DAILY_FINANCING").await? {
            out.extend(
                t.financings()?
                    .into_iter()
                    .filter(|f| f.time.ms() >= since_ms),
            );
        }
        Ok(out)
    }

    /// The transactions of `kind` from `since_ms`, read page by page (at
    /// most 100 pages of 1,000).
    async fn transactions_from(
        &self,
        since_ms: i64,
        kind: &str,
    ) -> Result<Vec<RawTransaction>, OandaError> {
        let path = self.account_path("/transactions").await?;
        let mut q = String::from("from=");
        push_encoded(&mut q, &super::time::format_time(since_ms));
        q.push_str("&type=");
        q.push_str(kind);
        q.push_str("&pageSize=1000");
        let body = self.get(&path, q).await?;
        let pages = parse_transaction_pages(&body)?;
        let mut out = Vec::new();
        for page in pages.iter().take(100) {
            let (p, query) = page.split_once('?').unwrap_or((page, ""));
            let body = self.get(p, query.to_string()).await?;
            let (list, _) = parse_transaction_list(&body)?;
            out.extend(list.into_iter().filter(|t| t.kind == kind));
        }
        Ok(out)
    }

    /// `GET …/summary`.
    pub async fn summary(&self) -> Result<AccountSummary, OandaError> {
        let path = self.account_path("/summary").await?;
        Ok(parse_summary(&self.get(&path, String::new()).await?)?)
    }

    /// The account currency's balance (margin available and used).
    pub async fn balances(&self) -> Result<Vec<Balance>, OandaError> {
        Ok(self.summary().await?.balances())
    }

    /// Net positions (`…/openPositions`).
    pub async fn positions(&self) -> Result<Vec<VenuePosition>, OandaError> {
        let path = self.account_path("/openPositions").await?;
        Ok(parse_positions(&self.get(&path, String::new()).await?)?)
    }

    /// The transactions after `since_id` (`…/transactions/sinceid`) and
    /// the account's last transaction id.
    pub async fn transactions_since(
        &self,
        since_id: &str,
    ) -> Result<(Vec<super::transactions::RawTransaction>, Option<String>), OandaError> {
        let path = self.account_path("/transactions/sinceid").await?;
        let mut q = String::from("id=");
        push_encoded(&mut q, since_id);
        let req = self.request(
            Method::Get,
            &path,
            q,
            None,
            RequestKind::Read,
            endpoints::REQUEST,
        );
        let resp = self.send_raw(&req).await?;
        let body = read(&path, resp)?;
        Ok(parse_transaction_list(&body)?)
    }
}
