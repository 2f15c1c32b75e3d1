//! The lookahead checker: runs a strategy on the full data and on the data
//! cut at many points, and reports every decision that differs. A causal
//! strategy decides the same on the data up to t whatever comes after t; a
//! decision that changes when the future is removed used the future.
//!
//! Decisions are the orders the strategy sent (time, side, quantity, kind),
//! compared up to the cut's time.

use crate::backtest::{BacktestError, Series, run_backtest};
use crate::engine::Engine;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, EngineEvent, OrderKind, Side, Timeframe};

/// One order a strategy decided to send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub time: Timestamp,
    pub client_id: String,
    pub side: Side,
    pub qty: Decimal,
    pub kind: OrderKind,
}

/// A decision seen in one run and not the same in the other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// The cut: the run saw the candles closing at or before this time.
    pub cut_time: Timestamp,
    pub full: Option<Decision>,
    pub truncated: Option<Decision>,
}

/// Runs `build`'s engine over `candles` and over `cuts` evenly spaced
/// prefixes of them; returns the first divergence of each cut.
pub fn check_lookahead<F, E>(
    candles: &[Candle],
    timeframe: Timeframe,
    cuts: usize,
    mut build: F,
) -> Result<Vec<Divergence>, E>
where
    F: FnMut(&[Candle]) -> Result<Engine, E>,
    E: From<BacktestError>,
{
    let full = decisions(candles, timeframe, &mut build)?;
    let mut found = Vec::new();
    for k in 1..=cuts {
        let end = candles.len() * k / (cuts + 1);
        if end < 2 {
            continue;
        }
        let prefix = &candles[..end];
        let cut_time = prefix[end - 1].open_time + timeframe.duration_ms();
        let truncated = decisions(prefix, timeframe, &mut build)?;
        let expected = full.iter().filter(|d| d.time <= cut_time);
        let mut pairs = expected
            .map(Some)
            .chain(std::iter::repeat(None))
            .zip(truncated.iter().map(Some).chain(std::iter::repeat(None)));
        let first = pairs.find(|(a, b)| a != b || a.is_none());
        if let Some((a, b)) = first.filter(|(a, b)| a.is_some() || b.is_some()) {
            found.push(Divergence {
                cut_time,
                full: a.cloned(),
                truncated: b.cloned(),
            });
        }
    }
    Ok(found)
}

fn decisions<F, E>(
    candles: &[Candle],
    timeframe: Timeframe,
    build: &mut F,
) -> Result<Vec<Decision>, E>
where
    F: FnMut(&[Candle]) -> Result<Engine, E>,
    E: From<BacktestError>,
{
    let mut engine = build(candles)?;
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe,
        candles,
    }];
    let mut events: Vec<EngineEvent> = Vec::new();
    run_backtest(&mut engine, &series, &[], &mut events)?;
    Ok(events
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { time, order, .. } => Some(Decision {
                time,
                client_id: order.client_id.to_string(),
                side: order.side,
                qty: order.qty,
                kind: order.kind,
            }),
            _ => None,
        })
        .collect())
}
