//! Binance (spot or USD-M) behind the venue interfaces: one connection
//! value that the runtime drives as an [`ExecutionVenue`] and a
//! [`MarketDataVenue`], delegating to the signed REST client, the market
//! data client and the user data stream of this module.

use super::endpoints::{BinanceMarket, BinanceUrls};
use super::error::BinanceError;
use super::market_parse::StreamKind;
use super::market_stream::{MarketDataClient, MarketDataConfig};
use super::rest::{BinanceRest, Credentials};
use super::user_stream::UserStream;
use crate::account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
use crate::common::closed_klines::closed_klines;
use crate::error::{VenueError, VenueErrorKind, VenueResult};
use crate::execution::{OrderOutcome, VenueOrder};
use crate::market::OrderBookSnapshot;
use crate::stream::{MarketStreamEvent, Subscription, UserStreamEvent};
use crate::venue::{ExecutionVenue, MarketDataRequest, MarketDataVenue, Venue};
use async_trait::async_trait;
use rust_decimal::Decimal;
use smc_model::{Candle, ClientOrderId, Instrument, InstrumentId, OrderRequest, Timeframe};
use std::time::Duration;

/// Listen keys lapse after 60 minutes without a keep-alive.
const LISTEN_KEY_KEEPALIVE: Duration = Duration::from_secs(30 * 60);

impl From<BinanceError> for VenueError {
    fn from(e: BinanceError) -> Self {
        let kind = match &e {
            BinanceError::Net(n) => VenueErrorKind::of_net(n),
            BinanceError::Api(a) if a.is_status_unknown() => VenueErrorKind::Unknown,
            BinanceError::Api(a) => VenueErrorKind::Refused { code: a.code },
            BinanceError::Parse(_) => VenueErrorKind::Malformed,
            _ => VenueErrorKind::NotSent,
        };
        VenueError::new(kind, e.to_string())
    }
}

/// One Binance market, reached at `urls`.
#[derive(Debug, Clone)]
pub struct BinanceVenue {
    rest: BinanceRest,
    urls: BinanceUrls,
    /// A spot client at `urls.sapi` when that is another host (USD-M:
    /// Binance serves the key's permissions on the spot host only).
    sapi: Option<BinanceRest>,
}

impl BinanceVenue {
    /// `market` at `urls`; without credentials only public data works.
    pub fn new(
        market: BinanceMarket,
        urls: BinanceUrls,
        credentials: Option<Credentials>,
    ) -> Result<Self, BinanceError> {
        let sapi = match &urls.sapi {
            Some(host) if *host != urls.rest => Some(BinanceRest::new(
                BinanceMarket::Spot,
                host,
                credentials.clone(),
            )?),
            _ => None,
        };
        let rest = BinanceRest::new(market, &urls.rest, credentials)?;
        Ok(BinanceVenue { rest, urls, sapi })
    }

    pub fn rest(&self) -> &BinanceRest {
        &self.rest
    }

    pub fn urls(&self) -> &BinanceUrls {
        &self.urls
    }

    pub fn market(&self) -> BinanceMarket {
        self.rest.market()
    }
}

#[async_trait]
impl Venue for BinanceVenue {
    fn name(&self) -> &'static str {
        self.rest.market().venue()
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
        let info = self.rest.load_rules().await.map_err(|e| {
            let e = VenueError::from(e);
            VenueError::new(e.kind, format!("exchangeInfo from {}: {e}", self.urls.rest))
        })?;
        symbols
            .iter()
            .map(|symbol| {
                let rules = info.symbols.get(symbol).ok_or_else(|| {
                    VenueError::new(
                        VenueErrorKind::NotSent,
                        format!("{symbol} is not listed on {}", self.urls.rest),
                    )
                })?;
                Ok(rules
                    .instrument(self.market())
                    .map_err(BinanceError::from)?)
            })
            .collect()
    }
}

#[async_trait]
impl ExecutionVenue for BinanceVenue {
    async fn key_permissions(&self) -> VenueResult<KeyPermissions> {
        if self.urls.sapi.is_none() {
            return Err(VenueError::new(
                VenueErrorKind::Unsupported,
                "this venue (a testnet) serves no /sapi: the key's permissions cannot be read",
            ));
        }
        let Some(sapi) = &self.sapi else {
            return Ok(self.rest.api_restrictions().await?.into());
        };
        // Another host, another clock offset to sign with.
        sapi.sync_clock().await?;
        Ok(sapi.api_restrictions().await?.into())
    }

    async fn place(&self, order: &OrderRequest) -> VenueResult<OrderOutcome> {
        // Spot has no reduce-only flag; the engine already clipped such an
        // order to the position it reduces.
        if self.market() == BinanceMarket::Spot && order.reduce_only {
            let mut wire = order.clone();
            wire.reduce_only = false;
            return Ok(self.rest.place_order(&wire).await?);
        }
        Ok(self.rest.place_order(order).await?)
    }

    async fn place_oco(
        &self,
        stop: &OrderRequest,
        take_profit: &OrderRequest,
    ) -> VenueResult<Vec<OrderOutcome>> {
        Ok(self.rest.place_oco(stop, take_profit).await?)
    }

    async fn asset_price(&self, asset: &str, quote: &str) -> VenueResult<Option<Decimal>> {
        Ok(self.rest.ticker_price(&format!("{asset}{quote}")).await?)
    }

    fn recv_window_ms(&self) -> i64 {
        self.rest.recv_window_ms()
    }

    fn has_oco(&self) -> bool {
        self.market() == BinanceMarket::Spot
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
        Ok(self.rest.account_trades(instrument, since_ms).await?)
    }

    async fn balances(&self) -> VenueResult<Vec<Balance>> {
        Ok(self.rest.balances().await?)
    }

    async fn positions(&self) -> VenueResult<Vec<VenuePosition>> {
        match self.market() {
            BinanceMarket::Spot => Ok(Vec::new()),
            BinanceMarket::UsdM => Ok(self.rest.positions(None).await?),
        }
    }

    /// Spot subscribes through the WebSocket API (Binance's way since
    /// 2025, signed afresh on every connect); USD-M, which has no WS API
    /// user stream, keeps the listen key.
    async fn order_reports(&self) -> VenueResult<Subscription<UserStreamEvent>> {
        let (stream, events) = match (&self.urls.ws_api, self.market()) {
            (Some(url), BinanceMarket::Spot) => UserStream::ws_api(self.rest.clone(), url)?,
            _ => {
                UserStream::listen_key(self.rest.clone(), &self.urls, LISTEN_KEY_KEEPALIVE).await?
            }
        };
        Ok(Subscription::new(events, Box::new(stream)))
    }
}

#[async_trait]
impl MarketDataVenue for BinanceVenue {
    async fn subscribe(
        &self,
        request: &MarketDataRequest,
    ) -> VenueResult<Subscription<MarketStreamEvent>> {
        let mut config = MarketDataConfig::new(self.urls.clone());
        for k in &request.klines {
            config
                .streams
                .push((k.symbol.clone(), StreamKind::Kline(k.timeframe)));
            if let Some(last) = k.after {
                config
                    .history
                    .push((k.symbol.clone(), k.timeframe, last.ms()));
            }
        }
        for symbol in &request.trades {
            config.streams.push((symbol.clone(), StreamKind::Trade));
        }
        for symbol in &request.book_tops {
            config
                .streams
                .push((symbol.clone(), StreamKind::BookTicker));
        }
        let (client, events) = MarketDataClient::start(self.rest.clone(), config);
        Ok(Subscription::new(events, Box::new(client)))
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
