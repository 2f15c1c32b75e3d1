//! Bybit (spot or USDT linear perpetuals) behind the venue interfaces:
//! one connection value the runtime drives as an [`ExecutionVenue`] and a
//! [`MarketDataVenue`], delegating to the REST client, the public stream
//! and the private stream of this module.

use super::endpoints::{BybitCategory, BybitUrls};
use super::error::BybitError;
use super::market_stream::{BybitMarketConfig, PublicStream};
use super::rest::BybitRest;
use super::user_stream::PrivateStream;
use crate::account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
use crate::binance::Credentials;
use crate::common::closed_klines::closed_klines;
use crate::error::{VenueError, VenueErrorKind, VenueResult};
use crate::execution::{OrderOutcome, VenueOrder};
use crate::market::OrderBookSnapshot;
use crate::stream::{MarketStreamEvent, Subscription, UserStreamEvent};
use crate::venue::{ExecutionVenue, MarketDataRequest, MarketDataVenue, Venue};
use async_trait::async_trait;
use smc_model::{Candle, ClientOrderId, Instrument, InstrumentId, OrderRequest, Timeframe};

/// One Bybit market, reached at `urls`.
#[derive(Debug, Clone)]
pub struct BybitVenue {
    rest: BybitRest,
    urls: BybitUrls,
}

impl BybitVenue {
    /// `category` at `urls`; without credentials only public data works.
    pub fn new(
        category: BybitCategory,
        urls: BybitUrls,
        credentials: Option<Credentials>,
    ) -> Result<Self, BybitError> {
        let rest = BybitRest::new(category, &urls.rest, credentials)?;
        Ok(BybitVenue { rest, urls })
    }

    pub fn rest(&self) -> &BybitRest {
        &self.rest
    }

    pub fn urls(&self) -> &BybitUrls {
        &self.urls
    }

    pub fn category(&self) -> BybitCategory {
        self.rest.category()
    }

    /// Streams `config` (which may also ask for depth, `orderbook.50`,
    /// beyond what [`MarketDataRequest`] names).
    pub fn stream(&self, config: BybitMarketConfig) -> Subscription<MarketStreamEvent> {
        let (stream, events) = PublicStream::start(self.rest.clone(), config);
        Subscription::new(events, Box::new(stream))
    }
}

#[async_trait]
impl Venue for BybitVenue {
    fn name(&self) -> &'static str {
        self.category().venue()
    }

    fn endpoint(&self) -> &str {
        &self.urls.rest
    }

    fn venue_now_ms(&self) -> i64 {
        self.rest.time_offset().venue_now_ms()
    }

    async fn sync_clock(&self) -> VenueResult<()> {
        self.rest.sync_clock().await?;
        Ok(())
    }

    async fn instruments(&self, symbols: &[String]) -> VenueResult<Vec<Instrument>> {
        let rules = self.rest.load_rules().await.map_err(|e| {
            let e = VenueError::from(e);
            VenueError::new(
                e.kind,
                format!("instruments-info from {}: {e}", self.urls.rest),
            )
        })?;
        symbols
            .iter()
            .map(|symbol| {
                rules
                    .get(&symbol.to_ascii_uppercase())
                    .map(|r| r.instrument.clone())
                    .ok_or_else(|| {
                        VenueError::new(
                            VenueErrorKind::NotSent,
                            format!(
                                "{symbol} is not listed on {} ({})",
                                self.urls.rest,
                                self.category().as_str()
                            ),
                        )
                    })
            })
            .collect()
    }
}

#[async_trait]
impl ExecutionVenue for BybitVenue {
    async fn key_permissions(&self) -> VenueResult<KeyPermissions> {
        Ok(self.rest.key_permissions().await?)
    }

    async fn place(&self, order: &OrderRequest) -> VenueResult<OrderOutcome> {
        Ok(self.rest.place_order(order).await?)
    }

    fn recv_window_ms(&self) -> i64 {
        self.rest.recv_window_ms()
    }

    async fn cancel(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> VenueResult<VenueOrder> {
        Ok(self.rest.cancel_order(instrument, client_id).await?)
    }

    async fn query(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> VenueResult<Option<VenueOrder>> {
        Ok(self.rest.query_order(instrument, client_id).await?)
    }

    async fn open_orders(&self, instrument: &InstrumentId) -> VenueResult<Vec<VenueOrder>> {
        Ok(self.rest.open_orders(instrument).await?)
    }

    async fn trades_since(
        &self,
        instrument: &InstrumentId,
        since_ms: i64,
    ) -> VenueResult<Vec<AccountTrade>> {
        Ok(self.rest.executions(instrument, since_ms).await?)
    }

    async fn balances(&self) -> VenueResult<Vec<Balance>> {
        Ok(self.rest.balances().await?)
    }

    async fn positions(&self) -> VenueResult<Vec<VenuePosition>> {
        match self.category() {
            BybitCategory::Spot => Ok(Vec::new()),
            BybitCategory::Linear => Ok(self.rest.positions().await?),
        }
    }

    async fn order_reports(&self) -> VenueResult<Subscription<UserStreamEvent>> {
        let (stream, events) = PrivateStream::start(self.rest.clone(), &self.urls.private_ws)?;
        Ok(Subscription::new(events, Box::new(stream)))
    }
}

#[async_trait]
impl MarketDataVenue for BybitVenue {
    async fn subscribe(
        &self,
        request: &MarketDataRequest,
    ) -> VenueResult<Subscription<MarketStreamEvent>> {
        let mut config = BybitMarketConfig::new(self.urls.public_ws.clone());
        for k in &request.klines {
            if super::endpoints::interval(k.timeframe).is_none() {
                return Err(VenueError::new(
                    VenueErrorKind::Unsupported,
                    format!("Bybit streams no {} klines", k.timeframe),
                ));
            }
            config.klines.push((k.symbol.clone(), k.timeframe));
            if let Some(last) = k.after {
                config
                    .history
                    .push((k.symbol.clone(), k.timeframe, last.ms()));
            }
        }
        config.trades.extend(request.trades.iter().cloned());
        config.book_tops.extend(request.book_tops.iter().cloned());
        Ok(self.stream(config))
    }

    async fn klines(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> VenueResult<Vec<Candle>> {
        let fetch = self
            .rest
            .klines_range(symbol, timeframe, start_ms, Some(end_ms));
        Ok(closed_klines(self.rest.time_offset(), timeframe, fetch).await?)
    }

    async fn order_book(&self, symbol: &str, levels: u32) -> VenueResult<OrderBookSnapshot> {
        Ok(self.rest.order_book(symbol, levels).await?)
    }
}
