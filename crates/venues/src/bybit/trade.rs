//! Orders and account reads of the Bybit REST client.
//!
//! Placement follows the outcome policy: `Rejected` only on the venue's
//! word (a `retCode`), `Unknown` after a timeout, a 5xx, a "status
//! unknown" code (10000, 10007, 10016) or a transport failure once sent;
//! never sent twice. Bybit's answer to a placement or a cancel holds only
//! the ids, so the order's state is read back with a query.

use super::account::{parse_key_permissions, parse_positions_page, parse_wallet};
use super::endpoints::{self, BybitCategory};
use super::error::{ApiError, BybitError, codes};
use super::order_wire::{check_link_id, encode_order, round_order};
use super::orders::{RawExecution, RawOrder, parse_fill, parse_order};
use super::rest::{BybitRest, next_cursor, push_cursor_param};
use crate::account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
use crate::binance::order_wire::push_encoded;
use crate::binance::parse_util::from_json;
use crate::execution::{OrderOutcome, VenueOrder};
use crate::net::{Method, RequestKind};
use serde::Deserialize;
use smc_model::{ClientOrderId, InstrumentId, OrderRequest, OrderStatus};
use std::time::Duration;

/// Bybit's widest `execution/list` window (startTime to endTime: 7 days).
const EXECUTION_WINDOW_MS: i64 = 7 * 24 * 3_600_000;
/// How far back Bybit keeps executions (v5 docs, "Get Trade History":
/// two years), so older windows are not asked for.
const EXECUTION_HISTORY_MS: i64 = 730 * 24 * 3_600_000;
/// Most pages read for one list (a guard against a cursor that loops).
const MAX_PAGES: usize = 200;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    list: Vec<T>,
    #[serde(default)]
    next_page_cursor: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Ids {
    order_id: String,
    order_link_id: String,
}

impl BybitRest {
    /// Places `order`, rounded to the symbol's rules. `Err` means it was
    /// not sent (bad order, client id over 36 characters, no rules, local
    /// rate limit, no connection); once sent, the answer is an
    /// [`OrderOutcome`], never an error.
    pub async fn place_order(&self, order: &OrderRequest) -> Result<OrderOutcome, BybitError> {
        check_link_id(order)?;
        let symbol = order.instrument.symbol();
        let rules = self
            .rules(symbol)
            .ok_or_else(|| BybitError::UnknownSymbol(symbol.to_string()))?;
        let mut wire = order.clone();
        if self.category() == BybitCategory::Spot {
            // Spot has no reduce-only flag; the engine already clipped
            // such an order to the holding it reduces.
            wire.reduce_only = false;
        }
        let rounded = round_order(&rules, &wire)?;
        let body = encode_order(self.category(), &rounded)?;
        let client_id = order.client_id.clone();
        let result = self
            .send_signed(
                Method::Post,
                endpoints::ORDER_CREATE,
                &body,
                RequestKind::Place,
                endpoints::PLACE.for_order(order.reduce_only),
            )
            .await;
        Ok(match result {
            Ok(body) => match from_json::<Ids>("order/create", &body) {
                Ok(ids) => OrderOutcome::Accepted(VenueOrder {
                    client_id,
                    instrument: order.instrument.clone(),
                    venue_order_id: ids.order_id,
                    status: OrderStatus::Submitted,
                    orig_qty: rounded.qty,
                    filled_qty: rust_decimal::Decimal::ZERO,
                    fills: Vec::new(),
                    reject_reason: None,
                    time: self.time_offset().venue_now_ms(),
                }),
                Err(e) => OrderOutcome::Unknown {
                    client_id,
                    reason: format!("accepted but unreadable: {e}"),
                },
            },
            Err(BybitError::Api(e)) if e.is_status_unknown() || e.status >= 500 => {
                OrderOutcome::Unknown {
                    client_id,
                    reason: e.to_string(),
                }
            }
            Err(BybitError::Api(e)) => OrderOutcome::Rejected {
                client_id,
                code: e.code,
                reason: e.msg,
            },
            Err(BybitError::Net(e)) if e.was_sent() => OrderOutcome::Unknown {
                client_id,
                reason: e.to_string(),
            },
            Err(e) => return Err(e),
        })
    }

    fn id_query(&self, instrument: &InstrumentId, client_id: &ClientOrderId) -> String {
        let mut rest = String::from("symbol=");
        push_encoded(&mut rest, instrument.symbol());
        rest.push_str("&orderLinkId=");
        push_encoded(&mut rest, client_id.as_str());
        self.query(&rest)
    }

    /// A signed `GET` of `path` in this client's category, `rest` the
    /// query after `category=`.
    async fn signed_read(&self, path: &str, rest: &str) -> Result<String, BybitError> {
        let query = self.query(rest);
        self.send_signed(
            Method::Get,
            path,
            &query,
            RequestKind::Read,
            endpoints::READ,
        )
        .await
    }

    /// Reads one list endpoint and parses its orders.
    async fn orders_at(
        &self,
        path: &str,
        query: &str,
        instrument: &InstrumentId,
    ) -> Result<Vec<VenueOrder>, BybitError> {
        let body = self
            .send_signed(Method::Get, path, query, RequestKind::Read, endpoints::READ)
            .await?;
        let page: Page<RawOrder> = from_json("order list", &body)?;
        let venue = instrument.venue();
        page.list
            .iter()
            .map(|r| parse_order("order list", venue, r).map_err(BybitError::from))
            .collect()
    }

    /// The venue's view of an order: `order/realtime` (open and recently
    /// closed orders), then `order/history`; `None` if neither knows the
    /// id, which after an `Unknown` outcome means it was never placed.
    pub async fn query_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<Option<VenueOrder>, BybitError> {
        let q = self.id_query(instrument, client_id);
        for path in [endpoints::ORDER_REALTIME, endpoints::ORDER_HISTORY] {
            match self.orders_at(path, &q, instrument).await {
                Ok(list) => {
                    if let Some(o) = list.into_iter().find(|o| o.client_id == *client_id) {
                        return Ok(Some(o));
                    }
                }
                Err(BybitError::Api(e)) if e.is_unknown_order() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Cancels an order by client id, then reads its state back (Bybit's
    /// cancel answer holds only the ids). A spot conditional order is
    /// cancelled with `orderFilter: StopOrder` when the plain cancel does
    /// not know it. Retried on transport errors: cancelling twice is
    /// harmless.
    pub async fn cancel_order(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> Result<VenueOrder, BybitError> {
        let mut filters: Vec<Option<&str>> = vec![None];
        if self.category() == BybitCategory::Spot {
            filters.push(Some("StopOrder"));
        }
        let mut last: Option<ApiError> = None;
        let mut ids: Option<Ids> = None;
        for filter in filters {
            let mut body = serde_json::json!({
                "category": self.category().as_str(),
                "symbol": instrument.symbol(),
                "orderLinkId": client_id.as_str(),
            });
            if let (Some(f), Some(map)) = (filter, body.as_object_mut()) {
                map.insert("orderFilter".into(), f.into());
            }
            let body = body.to_string();
            match self
                .send_signed(
                    Method::Post,
                    endpoints::ORDER_CANCEL,
                    &body,
                    RequestKind::Cancel,
                    endpoints::CANCEL,
                )
                .await
            {
                Ok(answer) => {
                    ids = Some(from_json("order/cancel", &answer)?);
                    break;
                }
                Err(BybitError::Api(e)) if e.is_unknown_order() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        let Some(ids) = ids else {
            return Err(last
                .unwrap_or_else(|| ApiError {
                    path: endpoints::ORDER_CANCEL.into(),
                    status: 200,
                    code: codes::ORDER_NOT_EXISTS,
                    msg: format!("unknown order {client_id}"),
                    retry_at_ms: None,
                })
                .into());
        };
        // Bybit cancels asynchronously: a few reads until it shows.
        let mut seen = None;
        for attempt in 0..4 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            seen = self.query_order(instrument, client_id).await?;
            if seen.as_ref().is_some_and(|o| is_final(o.status)) {
                break;
            }
        }
        Ok(match seen {
            Some(o) if is_final(o.status) => o,
            Some(o) => VenueOrder {
                status: OrderStatus::PendingCancel,
                ..o
            },
            None => VenueOrder {
                client_id: client_id.clone(),
                instrument: instrument.clone(),
                venue_order_id: ids.order_id,
                status: OrderStatus::PendingCancel,
                orig_qty: rust_decimal::Decimal::ZERO,
                filled_qty: rust_decimal::Decimal::ZERO,
                fills: Vec::new(),
                reject_reason: None,
                time: self.time_offset().venue_now_ms(),
            },
        })
    }

    /// The open orders of `instrument` (conditional ones included), every
    /// page.
    pub async fn open_orders(
        &self,
        instrument: &InstrumentId,
    ) -> Result<Vec<VenueOrder>, BybitError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut rest = String::from("symbol=");
            push_encoded(&mut rest, instrument.symbol());
            rest.push_str("&openOnly=0&limit=50");
            push_cursor_param(&mut rest, cursor.as_deref());
            let body = self.signed_read(endpoints::ORDER_REALTIME, &rest).await?;
            let page: Page<RawOrder> = from_json("order/realtime", &body)?;
            for r in &page.list {
                let o = parse_order("order/realtime", instrument.venue(), r)?;
                if !is_final(o.status) {
                    out.push(o);
                }
            }
            if page.list.is_empty() || !next_cursor(&mut cursor, page.next_page_cursor) {
                break;
            }
        }
        Ok(out)
    }

    /// The account's trades of `instrument` from `since_ms`, oldest first:
    /// `execution/list` in 7-day windows (Bybit's widest), each paged by
    /// cursor, from at most two years back (what Bybit keeps). Non-trade
    /// executions (funding, settlement, ADL and liquidation trades) are
    /// left out: positions reconciliation sees their effect.
    pub async fn executions(
        &self,
        instrument: &InstrumentId,
        since_ms: i64,
    ) -> Result<Vec<AccountTrade>, BybitError> {
        let now = self.time_offset().venue_now_ms();
        let spot = self.category() == BybitCategory::Spot;
        let mut out = Vec::new();
        let mut start = since_ms.max(now - EXECUTION_HISTORY_MS).max(0);
        while start <= now {
            let end = (start + EXECUTION_WINDOW_MS - 1).min(now + 60_000);
            let mut cursor: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let mut rest = String::from("symbol=");
                push_encoded(&mut rest, instrument.symbol());
                rest.push_str(&format!("&startTime={start}&endTime={end}&limit=100"));
                push_cursor_param(&mut rest, cursor.as_deref());
                let body = self.signed_read(endpoints::EXECUTIONS, &rest).await?;
                let page: Page<RawExecution> = from_json("execution/list", &body)?;
                for r in page.list.iter().filter(|r| r.is_trade()) {
                    let fill = parse_fill("execution/list", instrument.venue(), spot, r)?;
                    out.push(AccountTrade {
                        venue_order_id: r.order_id.clone().unwrap_or_default(),
                        fill,
                    });
                }
                if page.list.is_empty() || !next_cursor(&mut cursor, page.next_page_cursor) {
                    break;
                }
            }
            start = end + 1;
        }
        out.retain(|t| t.fill.time.ms() >= since_ms);
        out.sort_by(|a, b| (a.fill.time, &a.fill.trade_id).cmp(&(b.fill.time, &b.fill.trade_id)));
        out.dedup_by(|a, b| a.fill.trade_id == b.fill.trade_id);
        Ok(out)
    }

    /// The unified account's balances.
    pub async fn balances(&self) -> Result<Vec<Balance>, BybitError> {
        let body = self
            .send_signed(
                Method::Get,
                endpoints::WALLET,
                "accountType=UNIFIED",
                RequestKind::Read,
                endpoints::READ,
            )
            .await?;
        Ok(parse_wallet(&body)?)
    }

    /// The linear positions settled in USDT, every page.
    pub async fn positions(&self) -> Result<Vec<VenuePosition>, BybitError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut rest = String::from("settleCoin=USDT&limit=200");
            push_cursor_param(&mut rest, cursor.as_deref());
            let body = self.signed_read(endpoints::POSITIONS, &rest).await?;
            let page = parse_positions_page(&body)?;
            out.extend(page.positions()?);
            if !next_cursor(&mut cursor, page.next_page_cursor) {
                break;
            }
        }
        Ok(out)
    }

    /// What the API key may do.
    pub async fn key_permissions(&self) -> Result<KeyPermissions, BybitError> {
        let body = self
            .send_signed(
                Method::Get,
                endpoints::QUERY_API,
                "",
                RequestKind::Read,
                endpoints::READ,
            )
            .await?;
        Ok(parse_key_permissions(&body)?)
    }
}

fn is_final(s: OrderStatus) -> bool {
    matches!(
        s,
        OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected | OrderStatus::Expired
    )
}
