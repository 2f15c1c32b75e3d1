//! The part of a market stream that keeps its closed klines whole: one
//! [`KlineSync`] per (symbol, timeframe), the REST backfills they ask for,
//! and the pause after a failed one. Every venue's stream driver feeds it
//! the closed klines it parsed and the reconnects it saw; the venue only
//! supplies its clock and, to [`KlineBackfill::run`], how to fetch a range
//! of candles.

use crate::kline_sync::{BackfillRequest, KlineSync, SyncOutput};
use crate::market::{KlineUpdate, MarketEvent};
use crate::net::TimeOffset;
use crate::stream::MarketStreamEvent;
use smc_model::{Candle, InstrumentId, Timeframe, Timestamp};
use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The pause after a failed backfill before the next try (held candles
/// wait meanwhile; none is emitted out of order).
const BACKFILL_RETRY: Duration = Duration::from_secs(1);

/// The kline synchronisers of one stream and the backfills they need.
pub(crate) struct KlineBackfill {
    /// The venue's clock (wall clock plus the offset its REST client
    /// learned): it decides which fetched candle has closed.
    clock: TimeOffset,
    venue: &'static str,
    syncs: HashMap<(String, Timeframe), KlineSync>,
    /// After a failed backfill, no new attempt before this instant.
    retry_at: Option<Instant>,
}

impl KlineBackfill {
    /// Synchronisers for `klines` (symbols are upper-cased, as the venues
    /// name them in frames), continuing after the open times of `history`
    /// where given.
    pub(crate) fn new(
        clock: TimeOffset,
        venue: &'static str,
        klines: impl IntoIterator<Item = (String, Timeframe)>,
        history: &[(String, Timeframe, i64)],
    ) -> Self {
        let mut syncs = HashMap::new();
        for (symbol, tf) in klines {
            syncs.insert((symbol.to_ascii_uppercase(), tf), KlineSync::new(tf));
        }
        for (symbol, tf, last) in history {
            syncs.insert(
                (symbol.to_ascii_uppercase(), *tf),
                KlineSync::after(*tf, *last),
            );
        }
        KlineBackfill {
            clock,
            venue,
            syncs,
            retry_at: None,
        }
    }

    /// A (re)connect: says so downstream, then every synchroniser asks for
    /// what it may have missed (fetched by the next [`run`](Self::run)).
    /// False when the consumer is gone.
    pub(crate) async fn on_connected(
        &mut self,
        reconnect: bool,
        out: &mpsc::Sender<MarketStreamEvent>,
    ) -> bool {
        if out
            .send(MarketStreamEvent::Connected { reconnect })
            .await
            .is_err()
        {
            return false;
        }
        for sync in self.syncs.values_mut() {
            sync.on_reconnect();
        }
        true
    }

    /// Passes a closed kline from the stream on: through its synchroniser
    /// when the stream has one, as is otherwise. False when the consumer
    /// is gone.
    pub(crate) async fn on_closed(
        &mut self,
        k: KlineUpdate,
        out: &mpsc::Sender<MarketStreamEvent>,
    ) -> bool {
        let key = (k.instrument.symbol().to_string(), k.timeframe);
        match self.syncs.get_mut(&key) {
            Some(sync) => {
                let emitted = sync.on_closed(k.candle);
                let stream_time = k.event_time.unwrap_or_default().ms();
                deliver(out, &k.instrument, key.1, emitted, stream_time).await
            }
            None => send(out, MarketEvent::Kline(k)).await,
        }
    }

    /// Runs every pending backfill with `fetch` (the venue's REST read of
    /// a symbol's candles from `start_ms` to `end_ms`, none: its latest,
    /// oldest first); a failed one stays pending and is tried again after
    /// the next event (not before the retry pause). False when the
    /// consumer is gone.
    pub(crate) async fn run<F, Fut, E>(
        &mut self,
        out: &mpsc::Sender<MarketStreamEvent>,
        fetch: F,
    ) -> bool
    where
        F: Fn(String, Timeframe, BackfillRequest) -> Fut,
        Fut: Future<Output = Result<Vec<Candle>, E>>,
        E: Display,
    {
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return true;
        }
        let pending: Vec<_> = self
            .syncs
            .iter()
            .filter_map(|(k, s)| s.pending().map(|p| (k.clone(), p)))
            .collect();
        for (key, request) in pending {
            let fetched = fetch(key.0.clone(), key.1, request).await;
            let candles = match fetched {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(%e, venue = self.venue, symbol = %key.0, "kline backfill failed; will retry");
                    self.retry_at = Some(Instant::now() + BACKFILL_RETRY);
                    continue;
                }
            };
            let Ok(instrument) = InstrumentId::new(self.venue, &key.0) else {
                continue;
            };
            let Some(sync) = self.syncs.get_mut(&key) else {
                continue;
            };
            let now = self.clock.venue_now_ms();
            let emitted = sync.on_backfill(candles, now);
            // Stream candles held back during the backfill are news, late by
            // the backfill's round trip: they carry the time of delivery.
            if !deliver(out, &instrument, key.1, emitted, now).await {
                return false;
            }
        }
        true
    }
}

async fn send(out: &mpsc::Sender<MarketStreamEvent>, ev: MarketEvent) -> bool {
    out.send(MarketStreamEvent::Market(ev)).await.is_ok()
}

/// Emits a synchroniser's candles: those from the stream with
/// `stream_time` as their event time, fetched ones with none (history, not
/// news). False when the consumer is gone.
async fn deliver(
    out: &mpsc::Sender<MarketStreamEvent>,
    instrument: &InstrumentId,
    timeframe: Timeframe,
    emitted: SyncOutput,
    stream_time: i64,
) -> bool {
    for candle in emitted.emit {
        let fetched = emitted.fetched.contains(&candle.open_time);
        let update = KlineUpdate {
            instrument: instrument.clone(),
            timeframe,
            candle,
            closed: true,
            event_time: (!fetched).then_some(Timestamp::from_ms(stream_time)),
        };
        if !send(out, MarketEvent::Kline(update)).await {
            return false;
        }
    }
    true
}
