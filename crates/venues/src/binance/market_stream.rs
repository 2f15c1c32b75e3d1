//! The Binance market data client: one combined-stream connection for
//! klines, trades, book tickers and depth, with every closed kline passed
//! through a [`KlineSync`] so that, across reconnects and missed frames,
//! each candle is delivered exactly once and in order (missing ones are
//! fetched over REST).

use super::endpoints::BinanceUrls;
use super::market_parse::{StreamKind, parse_market, subscribe_frame};
use super::rest::BinanceRest;
use crate::common::kline_backfill::KlineBackfill;
use crate::common::running_stream::RunningStream;
use crate::kline_sync::BackfillRequest;
use crate::market::MarketEvent;
use crate::net::{WsClient, WsConfig, WsEvent};
use crate::stream::MarketStreamEvent;
use smc_model::Timeframe;
use tokio::sync::mpsc;

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
    _running: RunningStream,
}

struct Driver {
    venue: &'static str,
    rest: BinanceRest,
    klines: KlineBackfill,
    out: mpsc::Sender<MarketStreamEvent>,
}

impl MarketDataClient {
    /// Connects and subscribes; `rest` serves the kline backfills.
    pub fn start(
        rest: BinanceRest,
        config: MarketDataConfig,
    ) -> (MarketDataClient, mpsc::Receiver<MarketStreamEvent>) {
        let klines = config
            .streams
            .iter()
            .filter_map(|(symbol, kind)| match kind {
                StreamKind::Kline(tf) => Some((symbol.clone(), *tf)),
                _ => None,
            });
        let venue = rest.market().venue();
        let klines = KlineBackfill::new(rest.time_offset().clone(), venue, klines, &config.history);
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
            venue,
            rest,
            klines,
            out: tx,
        };
        let task = tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if !driver.handle(ev).await {
                    return;
                }
            }
        });
        (
            MarketDataClient {
                _running: RunningStream::new(ws, [task]),
            },
            rx,
        )
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
                if !self.klines.on_connected(reconnect, &self.out).await {
                    return false;
                }
            }
            WsEvent::Disconnected { reason } => {
                return self.emit(MarketStreamEvent::Disconnected { reason }).await;
            }
            WsEvent::Text(text) => match parse_market(self.venue, &text) {
                Ok(Some(MarketEvent::Kline(k))) if k.closed => {
                    if !self.klines.on_closed(k, &self.out).await {
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
        let rest = &self.rest;
        let fetch = |symbol: String, tf, r: BackfillRequest| async move {
            rest.klines_range(&symbol, tf, r.start_ms, r.end_ms).await
        };
        self.klines.run(&self.out, fetch).await
    }
}
