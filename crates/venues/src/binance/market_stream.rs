//! The Binance market data client: one combined-stream connection for
//! klines, trades, book tickers and depth, with every closed kline passed
//! through a [`KlineSync`] so that, across reconnects and missed frames,
//! each candle is delivered exactly once and in order (missing ones are
//! fetched over REST).

use super::endpoints::BinanceUrls;
use super::market_parse::{StreamKind, parse_market, subscribe_frame};
use super::rest::BinanceRest;
use crate::kline_sync::{KlineSync, SyncOutput};
use crate::market::{KlineUpdate, MarketEvent};
use crate::net::{WsClient, WsConfig, WsEvent};
use crate::stream::MarketStreamEvent;
use smc_model::Timestamp;
use smc_model::{InstrumentId, Timeframe};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// The pause after a failed backfill before the next try (held candles
/// wait meanwhile; none is emitted out of order).
const BACKFILL_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// What to subscribe to.
#[derive(Debug, Clone)]
pub struct MarketDataConfig {
    pub urls: BinanceUrls,
    /// (symbol, stream) pairs.
    pub streams: Vec<(String, StreamKind)>,
    /// Open time of the last closed candle already held per (symbol,
    /// timeframe), so the first connect backfills from there.
    pub history: Vec<(String, Timeframe, i64)>,
    /// Socket settings (the URL is replaced by the combined-stream URL).
    pub ws: WsConfig,
}

impl MarketDataConfig {
    pub fn new(urls: BinanceUrls) -> Self {
        let ws = WsConfig::new(urls.combined_stream());
        MarketDataConfig {
            urls,
            streams: Vec::new(),
            history: Vec::new(),
            ws,
        }
    }
}

/// A running market data client. Dropping it closes the connection.
#[derive(Debug)]
pub struct MarketDataClient {
    ws: WsClient,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MarketDataClient {
    fn drop(&mut self) {
        self.ws.close();
        self.task.abort();
    }
}

struct Driver {
    rest: BinanceRest,
    venue: &'static str,
    syncs: HashMap<(String, Timeframe), KlineSync>,
    out: mpsc::Sender<MarketStreamEvent>,
    /// After a failed backfill, no new attempt before this instant.
    retry_at: Option<tokio::time::Instant>,
}

impl MarketDataClient {
    /// Connects and subscribes; `rest` serves the kline backfills.
    pub fn start(
        rest: BinanceRest,
        config: MarketDataConfig,
    ) -> (MarketDataClient, mpsc::Receiver<MarketStreamEvent>) {
        let mut syncs = HashMap::new();
        for &(ref symbol, kind) in &config.streams {
            if let StreamKind::Kline(tf) = kind {
                syncs.insert((symbol.to_ascii_uppercase(), tf), KlineSync::new(tf));
            }
        }
        for (symbol, tf, last) in &config.history {
            syncs.insert(
                (symbol.to_ascii_uppercase(), *tf),
                KlineSync::after(*tf, *last),
            );
        }
        let names: Vec<String> = config
            .streams
            .iter()
            .map(|(s, k)| k.stream_name(s))
            .collect();
        let mut ws_config = config.ws.clone();
        ws_config.url = config.urls.combined_stream();
        let (ws, mut events) = WsClient::spawn(ws_config);
        if !names.is_empty() {
            ws.subscribe(subscribe_frame(&names, 1));
        }
        let (tx, rx) = mpsc::channel(4096);
        let mut driver = Driver {
            venue: rest.market().venue(),
            rest,
            syncs,
            out: tx,
            retry_at: None,
        };
        let task = tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if !driver.handle(ev).await {
                    return;
                }
            }
        });
        (MarketDataClient { ws, task }, rx)
    }
}

impl Driver {
    async fn emit(&self, ev: MarketStreamEvent) -> bool {
        self.out.send(ev).await.is_ok()
    }

    /// Handles one socket event; false when the consumer is gone.
    async fn handle(&mut self, ev: WsEvent) -> bool {
        match ev {
            WsEvent::Connected { reconnect } => {
                if !self.emit(MarketStreamEvent::Connected { reconnect }).await {
                    return false;
                }
                for sync in self.syncs.values_mut() {
                    sync.on_reconnect();
                }
            }
            WsEvent::Disconnected { reason } => {
                return self.emit(MarketStreamEvent::Disconnected { reason }).await;
            }
            WsEvent::Text(text) => match parse_market(self.venue, &text) {
                Ok(Some(MarketEvent::Kline(k))) if k.closed => {
                    let key = (k.instrument.symbol().to_string(), k.timeframe);
                    if let Some(sync) = self.syncs.get_mut(&key) {
                        let out = sync.on_closed(k.candle);
                        let stream_time = k.event_time.unwrap_or_default();
                        if !self
                            .deliver(&key, &k.instrument, out, stream_time.ms())
                            .await
                        {
                            return false;
                        }
                    } else if !self
                        .emit(MarketStreamEvent::Market(MarketEvent::Kline(k)))
                        .await
                    {
                        return false;
                    }
                }
                Ok(Some(ev)) => {
                    if !self.emit(MarketStreamEvent::Market(ev)).await {
                        return false;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(%e, "malformed market frame skipped");
                    if !self.emit(MarketStreamEvent::Malformed(e.to_string())).await {
                        return false;
                    }
                }
            },
        }
        self.run_backfills().await
    }

    /// Emits the synchroniser's candles: those from the stream with
    /// `stream_time` as their event time, fetched ones with none.
    async fn deliver(
        &self,
        key: &(String, Timeframe),
        instrument: &InstrumentId,
        out: SyncOutput,
        stream_time: i64,
    ) -> bool {
        for candle in out.emit {
            let fetched = out.fetched.contains(&candle.open_time);
            let update = KlineUpdate {
                instrument: instrument.clone(),
                timeframe: key.1,
                candle,
                closed: true,
                event_time: (!fetched).then_some(Timestamp::from_ms(stream_time)),
            };
            if !self
                .emit(MarketStreamEvent::Market(MarketEvent::Kline(update)))
                .await
            {
                return false;
            }
        }
        true
    }

    /// Runs every pending backfill; a failed one stays pending and is
    /// tried again after the next event.
    async fn run_backfills(&mut self) -> bool {
        if self
            .retry_at
            .is_some_and(|t| tokio::time::Instant::now() < t)
        {
            return true;
        }
        let pending: Vec<_> = self
            .syncs
            .iter()
            .filter_map(|(k, s)| s.pending().map(|p| (k.clone(), p)))
            .collect();
        for (key, request) in pending {
            let fetched = self
                .rest
                .klines_range(&key.0, key.1, request.start_ms, request.end_ms)
                .await;
            let candles = match fetched {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(%e, symbol = %key.0, "kline backfill failed; will retry");
                    self.retry_at = Some(tokio::time::Instant::now() + BACKFILL_RETRY);
                    continue;
                }
            };
            let Ok(instrument) = InstrumentId::new(self.venue, &key.0) else {
                continue;
            };
            let Some(sync) = self.syncs.get_mut(&key) else {
                continue;
            };
            // Venue time (wall clock plus the offset learned by
            // `sync_clock`) decides which fetched candle has closed.
            let now = self.rest.time_offset().venue_now_ms();
            let out = sync.on_backfill(candles, now);
            // Stream candles held back during the backfill are news, late by
            // the backfill's round trip: they carry the time of delivery.
            if !self.deliver(&key, &instrument, out, now).await {
                return false;
            }
        }
        true
    }
}
