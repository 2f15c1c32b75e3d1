//! The interfaces every venue implements, so that the runtime trades,
//! reconciles and streams market data the same way whatever the venue:
//! [`ExecutionVenue`] (orders, the account, order reports) and
//! [`MarketDataVenue`] (candles, trades, book tops, gap-free; order book
//! snapshots), both on a [`Venue`] that names the venue and knows each
//! instrument's rules. A new venue brings only its adapter.

use crate::account::{AccountTrade, Balance, KeyPermissions, VenuePosition};
use crate::error::{VenueError, VenueErrorKind, VenueResult};
use crate::execution::{OrderOutcome, VenueOrder};
use crate::market::OrderBookSnapshot;
use crate::stream::{MarketStreamEvent, Subscription, UserStreamEvent};
use async_trait::async_trait;
use rust_decimal::Decimal;
use smc_model::{
    Candle, ClientOrderId, Instrument, InstrumentId, OrderRequest, OrderStatus, Timeframe,
    Timestamp,
};

/// What every venue connection is.
#[async_trait]
pub trait Venue: Send + Sync + std::fmt::Debug {
    /// The venue part of its instrument ids (`binance`, `binance-usdm`).
    fn name(&self) -> &'static str;

    /// Where it is reached (a base URL), for messages.
    fn endpoint(&self) -> &str;

    /// The venue's clock now (epoch ms): the local clock corrected by the
    /// offset learned by [`Venue::sync_clock`].
    fn venue_now_ms(&self) -> i64;

    /// Learns the offset between the venue's clock and ours.
    async fn sync_clock(&self) -> VenueResult<()>;

    /// The rules of `symbols` (tick, lot, minimum notional, spot or
    /// margin), in their order; an unlisted symbol is an error. The venue
    /// keeps them to round and check orders.
    async fn instruments(&self, symbols: &[String]) -> VenueResult<Vec<Instrument>>;
}

/// What a venue's cancel-and-replace did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// The cancelled order as the venue reported it.
    pub cancelled: VenueOrder,
    /// The replacement's outcome; `None` when the cancel did not take
    /// effect (the order had filled or was gone), so nothing was placed.
    pub placed: Option<OrderOutcome>,
}

/// Orders and the account on one venue.
#[async_trait]
pub trait ExecutionVenue: Venue {
    /// What the API key may do (a key that may withdraw is refused by
    /// live mode).
    async fn key_permissions(&self) -> VenueResult<KeyPermissions>;

    /// Sends `order` once, rounded to its instrument's rules. `Err` means
    /// it was not sent; once sent, the answer is an [`OrderOutcome`].
    async fn place(&self, order: &OrderRequest) -> VenueResult<OrderOutcome>;

    /// Sends a position's `stop` and `take_profit` as one one-cancels-the-
    /// other list, once, where the venue has such lists (Binance spot):
    /// each leg's outcome, stop first. Venues without lists say
    /// `Unsupported` (the caller sends the legs as two orders).
    async fn place_oco(
        &self,
        stop: &OrderRequest,
        take_profit: &OrderRequest,
    ) -> VenueResult<Vec<OrderOutcome>> {
        let _ = take_profit;
        Err(VenueError::new(
            VenueErrorKind::Unsupported,
            format!("{}: no order lists on this venue", stop.instrument),
        ))
    }

    /// The price of `asset` in `quote` (BNB in USDT, to value fees paid in
    /// BNB); `None` where the venue quotes no such pair.
    async fn asset_price(&self, asset: &str, quote: &str) -> VenueResult<Option<Decimal>> {
        let _ = (asset, quote);
        Ok(None)
    }

    /// How long after it was signed a request can still be accepted (ms):
    /// an order sent less than this (plus the clock offset) ago may still
    /// arrive.
    fn recv_window_ms(&self) -> i64 {
        5_000
    }

    /// Whether requests carry a timestamp on the venue's clock that the
    /// receive window is measured from (Binance, Bybit), so that the
    /// clock offset adds to how long a lost request may still arrive.
    /// OANDA's carry none.
    fn timestamps_requests(&self) -> bool {
        true
    }

    /// The decimals the venue keeps balances to (it rounds each fill's
    /// amounts there): Binance and Bybit 8, OANDA 4 (its account
    /// currency's).
    fn balance_decimals(&self) -> u32 {
        8
    }

    /// Whether [`ExecutionVenue::place_oco`] is offered.
    fn has_oco(&self) -> bool {
        false
    }

    /// Cancels an order by client id.
    async fn cancel(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> VenueResult<VenueOrder>;

    /// Cancels `client_id` and, only once the venue confirms the cancel,
    /// places `replacement`. Venues with an atomic endpoint override this.
    async fn cancel_replace(
        &self,
        client_id: &ClientOrderId,
        replacement: &OrderRequest,
    ) -> VenueResult<Replaced> {
        let cancelled = self.cancel(&replacement.instrument, client_id).await?;
        let placed = match cancelled.status {
            OrderStatus::Cancelled => Some(self.place(replacement).await?),
            _ => None,
        };
        Ok(Replaced { cancelled, placed })
    }

    /// The venue's view of an order; `None` if it does not know the id
    /// (after an unknown outcome: it was never placed).
    async fn query(
        &self,
        instrument: &InstrumentId,
        client_id: &ClientOrderId,
    ) -> VenueResult<Option<VenueOrder>>;

    /// The open orders of `instrument`.
    async fn open_orders(&self, instrument: &InstrumentId) -> VenueResult<Vec<VenueOrder>>;

    /// The account's trades of `instrument` from `since_ms` (venue time).
    async fn trades_since(
        &self,
        instrument: &InstrumentId,
        since_ms: i64,
    ) -> VenueResult<Vec<AccountTrade>>;

    /// The financing or funding the venue booked on the account's
    /// positions from `since_ms` (venue time). A venue whose balance does
    /// not move by such bookings (spot) has none.
    async fn financing_since(&self, since_ms: i64) -> VenueResult<Vec<crate::FinancingReport>> {
        let _ = since_ms;
        Ok(Vec::new())
    }

    /// Every asset's balance (a margin account: its wallet balances).
    async fn balances(&self) -> VenueResult<Vec<Balance>>;

    /// The margin account's positions (a spot account has none).
    async fn positions(&self) -> VenueResult<Vec<VenuePosition>>;

    /// Opens the stream of the account's order and fill reports.
    async fn order_reports(&self) -> VenueResult<Subscription<UserStreamEvent>>;
}

/// Klines of one symbol and timeframe to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlineRequest {
    pub symbol: String,
    pub timeframe: Timeframe,
    /// Open time of the last closed candle already held: the stream
    /// continues right after it, fetching the candles missed since.
    pub after: Option<Timestamp>,
}

/// What to stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketDataRequest {
    pub klines: Vec<KlineRequest>,
    /// Symbols whose trades to stream.
    pub trades: Vec<String>,
    /// Symbols whose best bid and ask to stream.
    pub book_tops: Vec<String>,
}

/// Market data of one venue.
#[async_trait]
pub trait MarketDataVenue: Venue {
    /// Opens the streams of `request`. Closed klines arrive exactly once
    /// and in order, across reconnects: missed ones are fetched over REST
    /// (delivered without an `event_time`, so a consumer can tell them apart).
    async fn subscribe(
        &self,
        request: &MarketDataRequest,
    ) -> VenueResult<Subscription<MarketStreamEvent>>;

    /// The closed candles of `symbol` opening in `[start_ms, end_ms]`.
    async fn klines(
        &self,
        symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> VenueResult<Vec<Candle>>;

    /// The top `levels` levels of each side of `symbol`'s book (the venue
    /// may round `levels` up to a depth it serves; at most `levels` are returned).
    async fn order_book(&self, symbol: &str, levels: u32) -> VenueResult<OrderBookSnapshot>;
}
