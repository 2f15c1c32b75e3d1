//! OANDA behind the venue interfaces: one account connection the runtime
//! drives as an [`ExecutionVenue`] and a [`MarketDataVenue`], delegating
//! to the REST client and the two streams of this module.

use super::endpoints::OandaUrls;
use super::error::OandaError;
use super::market_parse::{BidAskCandle, CandlePrice, book_of, parse_pricing};
use super::market_stream::{MarketStream, OandaMarketConfig};
use super::order_wire::AttachedExits;
use super::rest::{OandaCredentials, OandaRest};
use super::stream_conn::{ConnectionBudget, StreamOpener, connection_budget};
use super::user_stream::TransactionStream;
use crate::account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
use crate::error::{VenueError, VenueErrorKind, VenueResult};
use crate::execution::{OrderOutcome, VenueOrder};
use crate::market::OrderBookSnapshot;
use crate::stream::{MarketStreamEvent, Subscription, UserStreamEvent};
use crate::venue::{ExecutionVenue, MarketDataRequest, MarketDataVenue, Venue};
use async_trait::async_trait;
use smc_model::{Candle, ClientOrderId, Instrument, InstrumentId, OrderRequest, Timeframe};

/// One OANDA account, reached at `urls`.
#[derive(Debug, Clone)]
pub struct OandaVenue {
    rest: OandaRest,
    urls: OandaUrls,
    budget: ConnectionBudget,
}

impl OandaVenue {
    /// The account of `credentials` at `urls`; without credentials
    /// nothing works (every OANDA endpoint wants a token) but the value
    /// can be built.
    pub fn new(urls: OandaUrls, credentials: Option<OandaCredentials>) -> Result<Self, OandaError> {
        let rest = OandaRest::new(&urls, credentials)?;
        Ok(OandaVenue {
            rest,
            urls,
            budget: connection_budget(),
        })
    }

    pub fn rest(&self) -> &OandaRest {
        &self.rest
    }

    pub fn urls(&self) -> &OandaUrls {
        &self.urls
    }

    fn opener(&self) -> Result<StreamOpener, OandaError> {
        StreamOpener::new(self.rest.token().cloned(), self.budget.clone())
    }

    /// The account traded (given, or the first the token reaches).
    pub async fn account_id(&self) -> VenueResult<String> {
        Ok(self.rest.account_id().await?)
    }

    /// Bid, ask and mid candles of `symbol` opening in `[start_ms,
    /// end_ms]`, complete ones only.
    pub async fn candles_bid_ask(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> VenueResult<Vec<BidAskCandle>> {
        Ok(self
            .rest
            .candles_bid_ask(symbol, timeframe, start_ms, end_ms)
            .await?)
    }

    /// Places `order` with exits OANDA attaches to the trade it opens.
    pub async fn place_with_exits(
        &self,
        order: &OrderRequest,
        exits: &AttachedExits,
    ) -> VenueResult<OrderOutcome> {
        Ok(self.rest.place_order_with_exits(order, exits).await?)
    }

    /// Streams `config`.
    pub async fn stream(
        &self,
        config: OandaMarketConfig,
    ) -> VenueResult<Subscription<MarketStreamEvent>> {
        let (stream, events) =
            MarketStream::start(self.rest.clone(), self.opener()?, &self.urls.stream, config)
                .await?;
        Ok(Subscription::new(events, Box::new(stream)))
    }
}

#[async_trait]
impl Venue for OandaVenue {
    fn name(&self) -> &'static str {
        super::instruments::VENUE
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
            VenueError::new(e.kind, format!("instruments from {}: {e}", self.urls.rest))
        })?;
        symbols
            .iter()
            .map(|s| {
                rules
                    .get(&s.to_ascii_uppercase())
                    .map(|r| r.instrument.clone())
                    .ok_or_else(|| {
                        VenueError::new(
                            VenueErrorKind::NotSent,
                            format!(
                                "{s} is not tradeable on the OANDA account at {}",
                                self.urls.rest
                            ),
                        )
                    })
            })
            .collect()
    }
}

#[async_trait]
impl ExecutionVenue for OandaVenue {
    fn timestamps_requests(&self) -> bool {
        // v20 requests carry no timestamp (a bearer token, no signature):
        // the venue's clock, a replay's in the simulator, bounds nothing.
        false
    }

    fn balance_decimals(&self) -> u32 {
        // OANDA keeps account money to 4 decimals (`accountBalance:
        // "9699.7337"`), rounding each fill's P/L there.
        4
    }

    /// OANDA's personal access tokens trade and read; no API call can
    /// withdraw or transfer funds (the v20 API has no such endpoint), so a
    /// token reports neither, and no IP restriction (OANDA has none).
    /// A token that does not work is an error (HTTP 401), not "no trade".
    async fn key_permissions(&self) -> VenueResult<KeyPermissions> {
        self.rest.summary().await?;
        Ok(KeyPermissions {
            trade: true,
            withdraw: false,
            transfer: false,
            ip_restricted: false,
        })
    }

    async fn place(&self, order: &OrderRequest) -> VenueResult<OrderOutcome> {
        Ok(self.rest.place_order(order).await?)
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
        Ok(self.rest.fills_since(instrument, since_ms).await?)
    }

    async fn financing_since(&self, since_ms: i64) -> VenueResult<Vec<crate::FinancingReport>> {
        Ok(self.rest.financing_since(since_ms).await?)
    }

    async fn balances(&self) -> VenueResult<Vec<Balance>> {
        Ok(self.rest.balances().await?)
    }

    async fn positions(&self) -> VenueResult<Vec<VenuePosition>> {
        Ok(self.rest.positions().await?)
    }

    async fn order_reports(&self) -> VenueResult<Subscription<UserStreamEvent>> {
        let (stream, events) =
            TransactionStream::start(self.rest.clone(), self.opener()?, &self.urls.stream).await?;
        Ok(Subscription::new(events, Box::new(stream)))
    }
}

#[async_trait]
impl MarketDataVenue for OandaVenue {
    /// Klines by polling (OANDA streams none), book tops from the pricing
    /// stream; OANDA publishes no trades, so a symbol asked for trades
    /// gets its price ticks as book tops instead.
    async fn subscribe(
        &self,
        request: &MarketDataRequest,
    ) -> VenueResult<Subscription<MarketStreamEvent>> {
        let mut config = OandaMarketConfig::default();
        for k in &request.klines {
            if super::endpoints::granularity(k.timeframe).is_none() {
                return Err(VenueError::new(
                    VenueErrorKind::Unsupported,
                    format!("OANDA has no {} candles", k.timeframe),
                ));
            }
            config.klines.push((k.symbol.clone(), k.timeframe));
            if let Some(last) = k.after {
                config
                    .history
                    .push((k.symbol.clone(), k.timeframe, last.ms()));
            }
        }
        for s in request.book_tops.iter().chain(&request.trades) {
            if !config.book_tops.iter().any(|b| b.eq_ignore_ascii_case(s)) {
                config.book_tops.push(s.clone());
            }
        }
        self.stream(config).await
    }

    /// The complete mid candles (`price=M`) of the range; bid and ask
    /// candles are [`OandaVenue::candles_bid_ask`].
    async fn klines(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> VenueResult<Vec<Candle>> {
        // OANDA marks each candle `complete` itself: only complete ones
        // are kept (by `candles_range`), so no clock decides what closed.
        let candles = self
            .rest
            .candles_range(symbol, timeframe, CandlePrice::Mid, start_ms, Some(end_ms))
            .await?;
        Ok(candles.into_iter().map(|c| c.candle).collect())
    }

    /// A one-level book from `GET …/pricing`: OANDA's `orderBook`
    /// endpoint is a positioning snapshot, not a depth book.
    async fn order_book(&self, symbol: &str, levels: u32) -> VenueResult<OrderBookSnapshot> {
        let _ = levels;
        let body = self.rest.pricing(&[symbol]).await?;
        let quotes = parse_pricing(&body).map_err(OandaError::from)?;
        Ok(book_of(&quotes, symbol).map_err(OandaError::from)?)
    }
}
