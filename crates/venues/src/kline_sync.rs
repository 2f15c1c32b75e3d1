//! Keeps a stream of closed candles complete and free of duplicates across
//! reconnects and missed messages.
//!
//! A pure state machine, one per instrument and timeframe: the stream feeds
//! it closed candles, a reconnect asks it for a backfill, the REST backfill
//! result is merged back. It emits every closed candle exactly once, in
//! open-time order. While a backfill is pending, candles from the stream
//! are held back, so nothing is emitted out of order.
//!
//! Candles the venue never made (an outage, a minute without trades on a
//! venue that skips such minutes) are not invented: after a backfill the
//! stream simply continues from what the venue has.

use smc_model::Timestamp;
use smc_model::{Candle, Timeframe};
use std::collections::BTreeMap;

/// Closed candles to fetch over REST: open times from `start_ms` up to and
/// including `end_ms` (none: up to now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackfillRequest {
    pub start_ms: i64,
    pub end_ms: Option<i64>,
}

/// What the caller must do after feeding the synchroniser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutput {
    /// Closed candles to deliver now, in open-time order.
    pub emit: Vec<Candle>,
    /// Open times of the candles in `emit` that came from a REST backfill
    /// rather than from the stream (history, not news).
    pub fetched: Vec<Timestamp>,
    /// A backfill to run (then report with [`KlineSync::on_backfill`]).
    pub backfill: Option<BackfillRequest>,
}

/// The synchroniser of one instrument and timeframe.
#[derive(Debug, Clone)]
pub struct KlineSync {
    timeframe: Timeframe,
    /// Open time of the last emitted candle.
    last: Option<i64>,
    /// The backfill in flight, if any.
    pending: Option<BackfillRequest>,
    /// Stream candles held while a backfill is pending.
    held: BTreeMap<i64, Candle>,
}

impl KlineSync {
    /// A synchroniser with no history: the first closed candle is emitted
    /// as is.
    pub fn new(timeframe: Timeframe) -> Self {
        KlineSync {
            timeframe,
            last: None,
            pending: None,
            held: BTreeMap::new(),
        }
    }

    /// A synchroniser that continues after a candle the caller already has
    /// (from its store or a start-up fetch).
    pub fn after(timeframe: Timeframe, last_open_time: i64) -> Self {
        KlineSync {
            last: Some(last_open_time),
            ..KlineSync::new(timeframe)
        }
    }

    pub fn timeframe(&self) -> Timeframe {
        self.timeframe
    }

    /// Open time of the last candle emitted.
    pub fn last_emitted(&self) -> Option<i64> {
        self.last
    }

    /// The backfill in flight, if any.
    pub fn pending(&self) -> Option<BackfillRequest> {
        self.pending
    }

    /// A closed candle from the stream.
    pub fn on_closed(&mut self, candle: Candle) -> SyncOutput {
        if self
            .last
            .is_some_and(|l| candle.open_time <= Timestamp::from_ms(l))
        {
            return SyncOutput::default(); // already delivered
        }
        if self.pending.is_some() {
            self.held.entry(candle.open_time.ms()).or_insert(candle);
            return SyncOutput::default();
        }
        match self.last {
            Some(l) if candle.open_time > Timestamp::from_ms(l + self.timeframe.duration_ms()) => {
                // A candle went missing between two stream messages.
                let request = BackfillRequest {
                    start_ms: l + self.timeframe.duration_ms(),
                    end_ms: Some((candle.open_time - 1).ms()),
                };
                self.pending = Some(request);
                self.held.insert(candle.open_time.ms(), candle);
                SyncOutput {
                    backfill: Some(request),
                    ..SyncOutput::default()
                }
            }
            _ => {
                self.last = Some(candle.open_time.ms());
                SyncOutput {
                    emit: vec![candle],
                    ..SyncOutput::default()
                }
            }
        }
    }

    /// The stream reconnected: whatever closed while it was down must be
    /// fetched. Returns the backfill to run (none before the first candle).
    pub fn on_reconnect(&mut self) -> Option<BackfillRequest> {
        let last = self.last?;
        let request = BackfillRequest {
            start_ms: last + self.timeframe.duration_ms(),
            end_ms: None,
        };
        // A wider request replaces a narrower one still in flight.
        self.pending = Some(request);
        Some(request)
    }

    /// The result of the pending backfill: candles from REST (any order,
    /// may include the still-open candle, which is dropped using `now_ms`).
    /// Emits them merged with the held stream candles.
    pub fn on_backfill(&mut self, candles: Vec<Candle>, now_ms: i64) -> SyncOutput {
        let tf = self.timeframe.duration_ms();
        let end = self.pending.and_then(|p| p.end_ms);
        let streamed: Vec<i64> = self.held.keys().copied().collect();
        for c in candles {
            // A bounded backfill ends before a candle the stream already
            // closed, so all of it is closed, whatever the local clock says
            // (a replaying simulator's candles run ahead of the wall clock).
            let in_range = end.is_none_or(|e| c.open_time <= Timestamp::from_ms(e));
            let closed = c.open_time + tf <= Timestamp::from_ms(now_ms) || end.is_some();
            if closed && in_range {
                self.held.entry(c.open_time.ms()).or_insert(c);
            }
        }
        self.pending = None;
        let mut out = SyncOutput::default();
        for (open_time, c) in std::mem::take(&mut self.held) {
            if self.last.is_none_or(|l| open_time > l) {
                self.last = Some(open_time);
                out.emit.push(c);
                if !streamed.contains(&open_time) {
                    out.fetched.push(Timestamp::from_ms(open_time));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    const M: i64 = 60_000;

    fn c(i: i64) -> Candle {
        let p = Decimal::from(100 + i);
        Candle {
            open_time: Timestamp::from_ms(i * M),
            open: p,
            high: p,
            low: p,
            close: p,
            volume: Decimal::ONE,
        }
    }

    #[test]
    fn a_bounded_backfill_is_closed_whatever_the_local_clock_says() {
        let mut s = KlineSync::after(Timeframe::M1, 10 * M);
        // The reconnect backfill comes back with candles "in the future"
        // of a wall clock at minute 5: they may be open, so none is emitted.
        s.on_reconnect();
        assert!(s.on_backfill(vec![c(11), c(12)], 5 * M).emit.is_empty());
        // The stream's next closed candle shows the gap, and the bounded
        // backfill before it is emitted in full, then the candle itself.
        let out = s.on_closed(c(14));
        assert_eq!(
            out.backfill,
            Some(BackfillRequest {
                start_ms: 11 * M,
                end_ms: Some(14 * M - 1)
            })
        );
        let out = s.on_backfill(vec![c(11), c(12), c(13)], 5 * M);
        assert_eq!(times(&out.emit), vec![11, 12, 13, 14]);
        // 14 came from the stream; the rest is history.
        assert_eq!(times_of(&out.fetched), vec![11, 12, 13]);
        assert!(s.on_closed(c(15)).fetched.is_empty());
    }

    fn times_of(v: &[Timestamp]) -> Vec<i64> {
        v.iter().map(|t| t.ms() / M).collect()
    }

    fn times(v: &[Candle]) -> Vec<i64> {
        v.iter().map(|c| c.open_time.ms() / M).collect()
    }

    #[test]
    fn in_order_candles_pass_and_duplicates_drop() {
        let mut s = KlineSync::new(Timeframe::M1);
        assert_eq!(times(&s.on_closed(c(1)).emit), vec![1]);
        assert_eq!(times(&s.on_closed(c(2)).emit), vec![2]);
        assert!(s.on_closed(c(2)).emit.is_empty());
        assert!(s.on_closed(c(1)).emit.is_empty());
    }

    #[test]
    fn a_missed_message_triggers_a_bounded_backfill() {
        let mut s = KlineSync::after(Timeframe::M1, 2 * M);
        let out = s.on_closed(c(5));
        assert!(out.emit.is_empty());
        assert_eq!(
            out.backfill,
            Some(BackfillRequest {
                start_ms: 3 * M,
                end_ms: Some(5 * M - 1)
            })
        );
        // a later stream candle waits for the backfill
        assert!(s.on_closed(c(6)).emit.is_empty());
        let out = s.on_backfill(vec![c(4), c(3)], 10 * M);
        assert_eq!(times(&out.emit), vec![3, 4, 5, 6]);
    }

    #[test]
    fn reconnect_backfill_merges_without_duplicates() {
        let mut s = KlineSync::new(Timeframe::M1);
        s.on_closed(c(1));
        s.on_closed(c(2));
        let req = s.on_reconnect().unwrap();
        assert_eq!(req.start_ms, 3 * M);
        // The stream resumes while REST is in flight, and REST overlaps it
        // and includes the still-open candle 7.
        assert!(s.on_closed(c(6)).emit.is_empty());
        let out = s.on_backfill(vec![c(2), c(3), c(4), c(5), c(6), c(7)], 7 * M + 30_000);
        assert_eq!(times(&out.emit), vec![3, 4, 5, 6]);
        assert_eq!(times(&s.on_closed(c(7)).emit), vec![7]);
    }

    #[test]
    fn no_reconnect_backfill_without_history() {
        let mut s = KlineSync::new(Timeframe::M1);
        assert_eq!(s.on_reconnect(), None);
    }

    #[test]
    fn a_venue_gap_is_not_invented() {
        let mut s = KlineSync::after(Timeframe::M1, M);
        let out = s.on_closed(c(10));
        assert!(out.backfill.is_some());
        let out = s.on_backfill(Vec::new(), 20 * M);
        assert_eq!(times(&out.emit), vec![10]);
        assert_eq!(s.pending(), None);
    }
}
