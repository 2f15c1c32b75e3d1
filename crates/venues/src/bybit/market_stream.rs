//! The Bybit public stream client: one connection to
//! `/v5/public/{spot|linear}` for klines, trades, book tops
//! (`orderbook.1`) and depth (`orderbook.50`), with every closed kline
//! (`confirm: true`) passed through a [`KlineSync`] so that, across
//! reconnects and missed frames, each candle is delivered exactly once and
//! in order (missing ones fetched over REST, newest-first pages put back
//! in order). Pings with `{"op":"ping"}` every 20 s; the books are rebuilt
//! from the snapshot Bybit sends after each (re)subscription.

use super::book::Book;
use super::endpoints;
use super::market_parse::{PublicFrame, parse_public, subscribe_frames};
use super::rest::BybitRest;
use super::user_stream::spawn_pinger;
use crate::common::kline_backfill::KlineBackfill;
use crate::common::running_stream::RunningStream;
use crate::kline_sync::BackfillRequest;
use crate::market::MarketEvent;
use crate::net::{WsClient, WsConfig, WsEvent};
use crate::stream::MarketStreamEvent;
use smc_model::{InstrumentId, Timeframe};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// The depth of the book streamed for routing.
pub const DEPTH_LEVELS: u32 = 50;

/// What to stream.
#[derive(Debug, Clone)]
pub struct BybitMarketConfig {
    /// The category's public stream URL.
    pub url: String,
    pub klines: Vec<(String, Timeframe)>,
    /// Open time of the last closed candle already held per (symbol,
    /// timeframe): the first connect backfills from there.
    pub history: Vec<(String, Timeframe, i64)>,
    pub trades: Vec<String>,
    /// Best bid and ask (`orderbook.1`).
    pub book_tops: Vec<String>,
    /// Depth diffs of the top 50 levels (`orderbook.50`).
    pub depth: Vec<String>,
}

impl BybitMarketConfig {
    pub fn new(url: impl Into<String>) -> Self {
        BybitMarketConfig {
            url: url.into(),
            klines: Vec::new(),
            history: Vec::new(),
            trades: Vec::new(),
            book_tops: Vec::new(),
            depth: Vec::new(),
        }
    }

    /// The topics to subscribe to.
    pub fn topics(&self) -> Vec<String> {
        let mut t = Vec::new();
        for (s, tf) in &self.klines {
            if let Some(i) = endpoints::interval(*tf) {
                t.push(format!("kline.{i}.{}", s.to_ascii_uppercase()));
            }
        }
        t.extend(
            self.trades
                .iter()
                .map(|s| format!("publicTrade.{}", s.to_ascii_uppercase())),
        );
        t.extend(
            self.book_tops
                .iter()
                .map(|s| format!("orderbook.1.{}", s.to_ascii_uppercase())),
        );
        t.extend(
            self.depth
                .iter()
                .map(|s| format!("orderbook.{DEPTH_LEVELS}.{}", s.to_ascii_uppercase())),
        );
        t
    }
}

/// A running public stream. Dropping it closes the connection.
#[derive(Debug)]
pub struct PublicStream {
    _running: RunningStream,
}

struct Driver {
    venue: &'static str,
    rest: BybitRest,
    klines: KlineBackfill,
    books: HashMap<(String, u32), Book>,
    out: mpsc::Sender<MarketStreamEvent>,
    scratch: Vec<MarketEvent>,
}

impl PublicStream {
    /// Connects and subscribes; `rest` serves the kline backfills.
    pub fn start(
        rest: BybitRest,
        config: BybitMarketConfig,
    ) -> (PublicStream, mpsc::Receiver<MarketStreamEvent>) {
        let venue = rest.venue();
        let klines = KlineBackfill::new(
            rest.time_offset().clone(),
            venue,
            config.klines.clone(),
            &config.history,
        );
        let mut ws_config = WsConfig::new(config.url.clone());
        ws_config.ping_interval = std::time::Duration::from_secs(20);
        let (ws, mut events) = WsClient::spawn(ws_config);
        for frame in subscribe_frames(&config.topics()) {
            ws.subscribe(frame);
        }
        let (tx, rx) = mpsc::channel(4096);
        let mut driver = Driver {
            venue,
            rest,
            klines,
            books: HashMap::new(),
            out: tx,
            scratch: Vec::with_capacity(16),
        };
        let task = tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if !driver.handle(ev).await {
                    return;
                }
            }
        });
        let pinger = spawn_pinger(ws.clone());
        (
            PublicStream {
                _running: RunningStream::new(ws, [task, pinger]),
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
                // Bybit sends fresh snapshots after the resubscription.
                self.books.clear();
                if !self.klines.on_connected(reconnect, &self.out).await {
                    return false;
                }
            }
            WsEvent::Disconnected { reason } => {
                return self.emit(MarketStreamEvent::Disconnected { reason }).await;
            }
            WsEvent::Text(text) => {
                let mut events = std::mem::take(&mut self.scratch);
                events.clear();
                let parsed = parse_public(self.venue, &text, &mut events);
                let ok = match parsed {
                    Ok(PublicFrame::Market) => self.market(&mut events).await,
                    Ok(PublicFrame::Book(m)) => {
                        let Ok(instrument) = InstrumentId::new(self.venue, &m.symbol) else {
                            return true;
                        };
                        let book = self.books.entry((m.symbol.clone(), m.depth)).or_default();
                        let depth = book.apply(&instrument, &m);
                        let ev = if m.depth == 1 {
                            book.top(&instrument, m.time).map(MarketEvent::BookTop)
                        } else {
                            depth.map(MarketEvent::Depth)
                        };
                        match ev {
                            Some(e) => self.emit(MarketStreamEvent::Market(e)).await,
                            None => true,
                        }
                    }
                    Ok(PublicFrame::Control { op, success, msg }) => {
                        if !success {
                            tracing::warn!(%op, %msg, "Bybit refused a public request");
                            self.emit(MarketStreamEvent::Malformed(format!("{op} refused: {msg}")))
                                .await
                        } else {
                            true
                        }
                    }
                    Ok(PublicFrame::Ignored(_)) => true,
                    Err(e) => {
                        tracing::warn!(%e, "malformed Bybit public frame skipped");
                        self.emit(MarketStreamEvent::Malformed(e.to_string())).await
                    }
                };
                self.scratch = events;
                if !ok {
                    return false;
                }
            }
        }
        let rest = &self.rest;
        let fetch = |symbol: String, tf, r: BackfillRequest| async move {
            rest.klines_range(&symbol, tf, r.start_ms, r.end_ms).await
        };
        self.klines.run(&self.out, fetch).await
    }

    async fn market(&mut self, events: &mut Vec<MarketEvent>) -> bool {
        for ev in events.drain(..) {
            match ev {
                MarketEvent::Kline(k) if k.closed => {
                    if !self.klines.on_closed(k, &self.out).await {
                        return false;
                    }
                }
                ev => {
                    if !self.emit(MarketStreamEvent::Market(ev)).await {
                        return false;
                    }
                }
            }
        }
        true
    }
}
