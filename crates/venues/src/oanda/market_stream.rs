//! Market data of OANDA as one stream: book tops from the pricing stream
//! (`GET {stream}/v3/accounts/{id}/pricing/stream`, one `PRICE` line per
//! change and a `HEARTBEAT` every 5 s), and closed candles from polling.
//!
//! OANDA streams no candles. Each (instrument, granularity) is polled
//! over REST once its period has ended (a second after, then every second
//! until OANDA marks the candle `complete: true`, at most ten times: a
//! period without a price has no candle). Polled candles go through the
//! same kline synchroniser as every venue's stream candles, so each closed
//! candle is delivered exactly once and in order; candles missed (a failed
//! poll, a reconnect, a restart after `history`) are backfilled over REST
//! and delivered without an event time.

use super::instruments::VENUE;
use super::market_parse::{CandlePrice, PriceLine};
use super::rest::OandaRest;
use super::stream_conn::{Lines, StreamOpener, reconnect_backoff};
use crate::binance::order_wire::push_encoded;
use crate::common::kline_backfill::KlineBackfill;
use crate::kline_sync::BackfillRequest;
use crate::market::{KlineUpdate, MarketEvent};
use crate::stream::MarketStreamEvent;
use smc_model::{InstrumentId, Timeframe, Timestamp};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The wait after a period ends before its candle is asked for.
const POLL_DELAY_MS: i64 = 1_000;
/// Polls of one period before it is taken to have no candle.
const POLL_TRIES: u32 = 10;

/// What to stream.
#[derive(Debug, Clone, Default)]
pub struct OandaMarketConfig {
    pub klines: Vec<(String, Timeframe)>,
    /// Open time of the last closed candle already held per (instrument,
    /// timeframe).
    pub history: Vec<(String, Timeframe, i64)>,
    /// Instruments whose best bid and ask to stream.
    pub book_tops: Vec<String>,
}

/// A running market stream. Dropping it stops it.
#[derive(Debug)]
pub struct MarketStream {
    task: JoinHandle<()>,
}

impl Drop for MarketStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Poll {
    symbol: String,
    tf: Timeframe,
    /// Venue time of the next poll.
    next_at: i64,
    tries: u32,
    /// Open time of the period whose end the last poll served.
    served: i64,
}

struct Driver {
    rest: OandaRest,
    /// Instruments whose book tops the consumer asked for (the stream
    /// also carries the candles' instruments, for their period ends).
    tops: Vec<String>,
    klines: KlineBackfill,
    polls: Vec<Poll>,
    out: mpsc::Sender<MarketStreamEvent>,
}

impl MarketStream {
    /// Starts streaming `config`; `stream_base` serves the pricing stream.
    pub async fn start(
        rest: OandaRest,
        opener: StreamOpener,
        stream_base: &str,
        config: OandaMarketConfig,
    ) -> Result<(MarketStream, mpsc::Receiver<MarketStreamEvent>), super::error::OandaError> {
        let clock = rest.time_offset().clone();
        let now = clock.venue_now_ms();
        let klines = KlineBackfill::new(clock, VENUE, config.klines.clone(), &config.history);
        let polls = config
            .klines
            .iter()
            .map(|(s, tf)| Poll {
                symbol: s.to_ascii_uppercase(),
                tf: *tf,
                next_at: now,
                tries: 0,
                served: i64::MIN,
            })
            .collect();
        let tops: Vec<String> = config
            .book_tops
            .iter()
            .map(|s| s.to_ascii_uppercase())
            .collect();
        let mut symbols = tops.clone();
        for (s, _) in &config.klines {
            let s = s.to_ascii_uppercase();
            if !symbols.contains(&s) {
                symbols.push(s);
            }
        }
        let url = if symbols.is_empty() {
            None
        } else {
            let path = rest.account_path("/pricing/stream").await?;
            let mut q = String::new();
            push_encoded(&mut q, &symbols.join(","));
            Some(format!(
                "{}{path}?instruments={q}",
                stream_base.trim_end_matches('/')
            ))
        };
        let (tx, rx) = mpsc::channel(4096);
        let mut driver = Driver {
            rest,
            tops,
            klines,
            polls,
            out: tx,
        };
        let task = tokio::spawn(async move { driver.run(opener, url).await });
        Ok((MarketStream { task }, rx))
    }
}

/// The next line of `lines`, or never when there is no stream.
async fn next_line(lines: &mut Option<Lines>) -> Result<String, String> {
    match lines {
        Some(l) => l.next().await,
        None => std::future::pending().await,
    }
}

impl Driver {
    async fn run(&mut self, opener: StreamOpener, url: Option<String>) {
        let mut backoff = reconnect_backoff();
        let mut lines: Option<Lines> = None;
        let mut reconnect = false;
        let mut retry_at: Option<tokio::time::Instant> = Some(tokio::time::Instant::now());
        if url.is_none() {
            // Candles only: connected from the start.
            retry_at = None;
            if !self.klines.on_connected(false, &self.out).await {
                return;
            }
        }
        loop {
            if let (Some(u), Some(at)) = (&url, retry_at)
                && tokio::time::Instant::now() >= at
            {
                retry_at = None;
                match opener.open(u).await {
                    Ok(l) => {
                        backoff.reset();
                        lines = Some(l);
                        if !self.klines.on_connected(reconnect, &self.out).await {
                            return;
                        }
                        reconnect = true;
                    }
                    Err(reason) => {
                        tracing::warn!(%reason, "OANDA pricing stream failed to open");
                        if !self.emit(MarketStreamEvent::Disconnected { reason }).await {
                            return;
                        }
                        retry_at = Some(tokio::time::Instant::now() + backoff.next_delay());
                    }
                }
            }
            let wait = self.until_next_poll(retry_at);
            tokio::select! {
                line = next_line(&mut lines) => match line {
                    Ok(text) => {
                        if !self.on_line(&text).await {
                            return;
                        }
                    }
                    Err(reason) => {
                        lines = None;
                        if !self.emit(MarketStreamEvent::Disconnected { reason }).await {
                            return;
                        }
                        retry_at = Some(tokio::time::Instant::now() + backoff.next_delay());
                    }
                },
                () = tokio::time::sleep(wait) => {}
            }
            if !self.poll_due().await {
                return;
            }
            let rest = &self.rest;
            let fetch = |symbol: String, tf, r: BackfillRequest| async move {
                rest.candles_range(&symbol, tf, CandlePrice::Mid, r.start_ms, r.end_ms)
                    .await
                    .map(|v| v.into_iter().map(|c| c.candle).collect::<Vec<_>>())
            };
            if !self.klines.run(&self.out, fetch).await {
                return;
            }
        }
    }

    async fn emit(&self, ev: MarketStreamEvent) -> bool {
        self.out.send(ev).await.is_ok()
    }

    /// How long until the next poll or stream retry is due.
    fn until_next_poll(&self, retry_at: Option<tokio::time::Instant>) -> Duration {
        let now = self.rest.time_offset().venue_now_ms();
        let poll = self
            .polls
            .iter()
            .map(|p| p.next_at - now)
            .min()
            .unwrap_or(60_000)
            .clamp(0, 60_000);
        let mut wait = Duration::from_millis(poll as u64);
        if let Some(at) = retry_at {
            wait = wait.min(at.saturating_duration_since(tokio::time::Instant::now()));
        }
        wait
    }

    async fn on_line(&mut self, text: &str) -> bool {
        match super::fast::parse_price_line(text) {
            Ok(PriceLine::Price(q)) => {
                self.on_price_time(q.instrument.symbol(), q.time.ms());
                if !self.tops.iter().any(|s| s == q.instrument.symbol()) {
                    return true;
                }
                match q.top() {
                    Some(top) => {
                        self.emit(MarketStreamEvent::Market(MarketEvent::BookTop(top)))
                            .await
                    }
                    None => true,
                }
            }
            Ok(PriceLine::Heartbeat { .. }) => true,
            Err(e) => {
                tracing::warn!(%e, "malformed OANDA pricing line skipped");
                self.emit(MarketStreamEvent::Malformed(e.to_string())).await
            }
        }
    }

    /// Moves the venue clock forward to `time` when the market shows it is
    /// that late already (more than a second ahead of the clock).
    fn advance_clock(&self, time: i64) {
        let clock = self.rest.time_offset();
        if time > clock.venue_now_ms() + 1_000 {
            let local = clock.venue_now_ms() - clock.offset_ms();
            clock.observe(local, time, local);
        }
    }

    /// A price of `symbol` at `time`: the clock follows a price dated
    /// ahead of it, and a candle whose period the price is past is due.
    fn on_price_time(&mut self, symbol: &str, time: i64) {
        self.advance_clock(time);
        for p in self.polls.iter_mut().filter(|p| p.symbol == symbol) {
            let period = p.tf.period_start(Timestamp::from_ms(time)).ms();
            if period > p.served && p.next_at > time {
                p.next_at = time;
                p.tries = 0;
            }
        }
    }

    /// Polls every (instrument, timeframe) whose time has come.
    async fn poll_due(&mut self) -> bool {
        let now = self.rest.time_offset().venue_now_ms();
        for i in 0..self.polls.len() {
            if self.polls[i].next_at > now {
                continue;
            }
            let (symbol, tf) = (self.polls[i].symbol.clone(), self.polls[i].tf);
            let just_closed = tf.period_start(Timestamp::from_ms(now)).ms() - tf.duration_ms();
            let from = just_closed - 2 * tf.duration_ms();
            let page = self
                .rest
                .candles_page(&symbol, tf, CandlePrice::Mid, from, None, Some(5))
                .await;
            let mut got_latest = false;
            match page {
                Ok(candles) => {
                    let Ok(instrument) = InstrumentId::new(VENUE, &symbol) else {
                        continue;
                    };
                    // A complete candle ends no later than the venue's now:
                    // one that ends ahead of the clock moves it forward.
                    if let Some(end) = candles
                        .iter()
                        .filter(|c| c.complete)
                        .map(|c| c.candle.open_time.ms() + tf.duration_ms())
                        .max()
                    {
                        self.advance_clock(end);
                    }
                    for c in candles.into_iter().filter(|c| c.complete) {
                        got_latest |= c.candle.open_time.ms() >= just_closed;
                        let k = KlineUpdate {
                            instrument: instrument.clone(),
                            timeframe: tf,
                            candle: c.candle,
                            closed: true,
                            event_time: Some(Timestamp::from_ms(now)),
                        };
                        if !self.klines.on_closed(k, &self.out).await {
                            return false;
                        }
                    }
                }
                Err(e) => tracing::warn!(%e, %symbol, "OANDA candle poll failed"),
            }
            let p = &mut self.polls[i];
            p.tries += 1;
            if got_latest || p.tries >= POLL_TRIES {
                p.tries = 0;
                p.served = just_closed + tf.duration_ms();
                p.next_at = tf.period_end(Timestamp::from_ms(now)).ms() + POLL_DELAY_MS;
            } else {
                p.next_at = now + 1_000;
            }
        }
        true
    }
}
