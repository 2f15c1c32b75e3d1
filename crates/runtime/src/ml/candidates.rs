//! Candidates and their labels. The `smc` strategy runs through the same
//! engine as a backtest (so its pending entries and open positions shape
//! which setups it decides, as they would live), with a log that records
//! every setup it decides and the features it had. Each setup is then
//! labelled on the candles after its decision: its limit entry must be
//! reached within the strategy's entry expiry (else the setup is dropped:
//! it would never have been a trade), then the stop, the target and a
//! holding limit are the three barriers (`smc_ml::triple_barrier`; a stop
//! touched on the fill candle counts as hit, the worse case).

use crate::backtest::BacktestRequest;
use crate::backtest::{Recorder, run_series};
use crate::error::{SessionError, SessionResult};
use crate::strategies::smc_config;
use smc_ml::{BarrierLabel, Barriers, Hit, Side, triple_barrier};
use smc_model::{Candle, Timeframe, num::to_f64};
use smc_strategy::SmcStrategy;
use smc_strategy::features::{Candidate, CandidateLog};

/// How setups are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labelling {
    /// Candles a limit entry waits for its retest (the strategy's).
    pub entry_expiry_bars: usize,
    /// Candles after the fill before the time barrier.
    pub holding_bars: usize,
}

/// A candidate with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub candidate: Candidate,
    pub label: BarrierLabel,
}

/// What happened to the candidates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LabelCounts {
    /// Setups the strategy decided.
    pub candidates: usize,
    /// Dropped: the limit entry was never reached before it expired.
    pub never_filled: usize,
    /// Dropped: the series ended before any barrier.
    pub unresolved: usize,
    /// Labelled (the rest).
    pub labelled: usize,
    /// Of those, reached the target first (or ended up at the time limit).
    pub wins: usize,
}

/// Runs the `smc` strategy of `request` (its config and timeframes, no
/// filter) over `candles` and returns every setup it decided.
pub fn collect(
    request: &BacktestRequest,
    candles: &[Candle],
    timeframe: Timeframe,
    progress: &mut dyn FnMut(u64),
) -> SessionResult<Vec<Candidate>> {
    let settings = request.settings.as_ref();
    let log = CandidateLog::new();
    let strategy =
        SmcStrategy::new(smc_config(settings, &request.timeframes)?).with_log(log.clone());
    let mut engine = request.engine_with(Box::new(strategy), candles, timeframe)?;
    let mut recorder = Recorder::new(progress);
    run_series(&mut engine, candles, timeframe, &mut recorder)?;
    Ok(log.take())
}

/// Labels `candidates` on `candles` (of `timeframe`), dropping those whose
/// entry is never reached or whose outcome the series does not show.
pub fn label(
    candidates: Vec<Candidate>,
    candles: &[Candle],
    timeframe: Timeframe,
    how: Labelling,
) -> SessionResult<(Vec<Labelled>, LabelCounts)> {
    let tf = timeframe.duration_ms();
    // Bars stamped with their close: the time a barrier hit is known.
    let bars: Vec<smc_ml::Bar> = candles
        .iter()
        .map(|c| smc_ml::Bar {
            time_ms: c.open_time.ms() + tf,
            high: to_f64(c.high),
            low: to_f64(c.low),
            close: to_f64(c.close),
        })
        .collect();
    let mut counts = LabelCounts {
        candidates: candidates.len(),
        ..LabelCounts::default()
    };
    let mut out = Vec::new();
    for c in candidates {
        let decided = bars.partition_point(|b| b.time_ms < c.time_ms);
        if bars.get(decided).is_none_or(|b| b.time_ms != c.time_ms) {
            return Err(SessionError::Data(format!(
                "candidate at {} is not on a candle close",
                c.time_ms
            )));
        }
        let long = c.side > 0;
        let reached = |b: &smc_ml::Bar| {
            if long {
                b.low <= c.entry
            } else {
                b.high >= c.entry
            }
        };
        let last = (decided + how.entry_expiry_bars).min(bars.len().saturating_sub(1));
        let Some(fill) = (decided + 1..=last).find(|&j| reached(&bars[j])) else {
            counts.never_filled += 1;
            continue;
        };
        let fill_bar = bars[fill];
        let stopped = if long {
            fill_bar.low <= c.stop
        } else {
            fill_bar.high >= c.stop
        };
        let label = if stopped {
            let ret = (c.stop - c.entry) / c.entry * f64::from(c.side);
            Some(BarrierLabel {
                label: false,
                hit: Hit::Stop,
                start_ms: c.time_ms,
                exit_index: fill,
                end_ms: fill_bar.time_ms,
                exit_price: c.stop,
                ret,
            })
        } else {
            let barriers = Barriers {
                entry: fill,
                side: if long { Side::Long } else { Side::Short },
                entry_price: c.entry,
                stop: c.stop,
                target: c.target,
                max_bars: how.holding_bars.max(1),
            };
            triple_barrier(&bars, &barriers)
                .map_err(|e| {
                    SessionError::Data(format!("labelling the setup at {}: {e}", c.time_ms))
                })?
                .map(|l| BarrierLabel {
                    start_ms: c.time_ms,
                    ..l
                })
        };
        let Some(label) = label else {
            counts.unresolved += 1;
            continue;
        };
        counts.labelled += 1;
        counts.wins += usize::from(label.label);
        out.push(Labelled {
            candidate: c,
            label,
        });
    }
    Ok((out, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use rust_decimal::prelude::FromPrimitive;
    use smc_model::Timestamp;

    fn candle(k: i64, high: f64, low: f64) -> Candle {
        let d = |x: f64| Decimal::from_f64(x).unwrap_or_default();
        Candle {
            open_time: Timestamp::from_ms(k * 60_000),
            open: d((high + low) / 2.0),
            high: d(high),
            low: d(low),
            close: d((high + low) / 2.0),
            volume: Decimal::ONE,
        }
    }

    fn long_at(k: i64) -> Candidate {
        Candidate {
            time_ms: (k + 1) * 60_000,
            side: 1,
            entry: 100.0,
            stop: 95.0,
            target: 110.0,
            features: vec![0.0],
            probability: None,
            skipped: false,
        }
    }

    #[test]
    fn an_entry_never_reached_is_dropped_and_a_fill_then_target_wins() {
        let how = Labelling {
            entry_expiry_bars: 3,
            holding_bars: 10,
        };
        // Never back to 100 within 3 candles.
        let high: Vec<Candle> = (0..10).map(|k| candle(k, 105.0, 101.0)).collect();
        let (l, c) = label(vec![long_at(0)], &high, Timeframe::M1, how).unwrap();
        assert!(l.is_empty());
        assert_eq!((c.candidates, c.never_filled), (1, 1));
        // Filled on candle 2, target on candle 4.
        let mut path: Vec<Candle> = (0..10).map(|k| candle(k, 105.0, 101.0)).collect();
        path[2] = candle(2, 102.0, 99.0);
        path[4] = candle(4, 111.0, 103.0);
        let (l, c) = label(vec![long_at(0)], &path, Timeframe::M1, how).unwrap();
        assert_eq!((c.labelled, c.wins), (1, 1));
        assert_eq!(l[0].label.hit, Hit::Target);
        assert_eq!(
            l[0].label.start_ms, 60_000,
            "the span starts at the decision"
        );
        assert_eq!(
            l[0].label.end_ms,
            5 * 60_000,
            "and ends at the target candle's close"
        );
        // A fill candle that also reaches the stop is a loss.
        path[2] = candle(2, 102.0, 94.0);
        let (l, _) = label(vec![long_at(0)], &path, Timeframe::M1, how).unwrap();
        assert_eq!((l[0].label.label, l[0].label.hit), (false, Hit::Stop));
    }
}
