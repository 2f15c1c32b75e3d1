//! `smc backtest --report FILE`: gathers what the HTML report shows — the
//! run's facts, the analysis, the trades, the equity curve, the candles of
//! the run's timeframes with their SMC detections, and the risk decisions —
//! and writes the page (smc-report).

use anyhow::Context;
use smc_analysis::DetectorConfig;
use smc_analytics::{Analysis, RoundTrip};
use smc_engine::BacktestReport;
use smc_model::{Candle, EngineEvent, RiskVerdict, Timeframe};
use smc_report::{BacktestPage, RiskNote, TimeMarker};
use std::path::Path;

/// What the command line knows of the run besides the engine's report.
pub struct RunFacts<'a> {
    pub title: String,
    pub facts: Vec<(String, String)>,
    pub candles: &'a [Candle],
    pub timeframe: Timeframe,
    /// Higher timeframes to show beside the run's own (the smc bias).
    pub extra_timeframes: Vec<Timeframe>,
    pub detectors: DetectorConfig,
}

/// Writes the report of `report` to `path`.
pub fn write(
    path: &Path,
    run: &RunFacts<'_>,
    report: &BacktestReport,
    analysis: &Analysis,
    trades: &[RoundTrip],
    kept_events: &[EngineEvent],
) -> anyhow::Result<()> {
    let mut timeframes = vec![run.timeframe];
    for tf in &run.extra_timeframes {
        if *tf > run.timeframe && !timeframes.contains(tf) {
            timeframes.push(*tf);
        }
    }
    // The zones on the chart are those the causal detectors found, as the
    // smc strategy saw them.
    let detection = smc_analysis::detect(run.candles, run.timeframe, &timeframes, &run.detectors)
        .context("SMC detection for the report")?;
    let equity: Vec<_> = report
        .equity_curve
        .iter()
        .map(|p| (p.time, p.equity))
        .collect();
    let decisions = risk_notes(kept_events);
    let markers = breaker_markers(kept_events);
    let page = BacktestPage {
        title: &run.title,
        facts: &run.facts,
        analysis,
        trades,
        equity: &equity,
        series: &detection.bars,
        events: &detection.events,
        decisions: &decisions,
        markers: &markers,
    };
    let file = std::fs::File::create(path)
        .with_context(|| format!("{}: cannot create the report", path.display()))?;
    smc_report::write_backtest_report(file, &page)
        .with_context(|| format!("{}: cannot write the report", path.display()))
}

/// Every risk decision other than a plain approval, with its reason.
pub fn risk_decisions(events: &[EngineEvent]) -> Vec<RiskNote> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::RiskDecision {
                time,
                client_id,
                verdict,
            } => {
                let (decision, reason) = match verdict {
                    RiskVerdict::Approved => return None,
                    RiskVerdict::Resized { reason } => ("resized", reason),
                    RiskVerdict::Refused { reason } => ("refused", reason),
                };
                Some(RiskNote {
                    time: *time,
                    client_id: client_id.to_string(),
                    decision: decision.into(),
                    reason: reason.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

/// The risk decisions and the venue's rejections, in time order, for the
/// report's table.
fn risk_notes(events: &[EngineEvent]) -> Vec<RiskNote> {
    let mut notes = risk_decisions(events);
    notes.extend(events.iter().filter_map(|e| match e {
        EngineEvent::OrderRejected {
            time,
            client_id,
            reason,
        } => Some(RiskNote {
            time: *time,
            client_id: client_id.to_string(),
            decision: "rejected by venue".into(),
            reason: reason.clone(),
        }),
        _ => None,
    }));
    notes.sort_by_key(|n| n.time);
    notes
}

/// Circuit-breaker trips and resets, for the lines on the equity chart
/// (cooling down and re-arming are in the JSON results).
fn breaker_markers(events: &[EngineEvent]) -> Vec<TimeMarker> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::BreakerTripped {
                time,
                breaker,
                reason,
                ..
            } => Some(TimeMarker {
                time: *time,
                label: format!("{breaker} tripped"),
                detail: reason.clone(),
            }),
            EngineEvent::BreakerReset {
                time,
                breaker,
                operator,
                reason,
            } => Some(TimeMarker {
                time: *time,
                label: format!("{breaker} reset"),
                detail: format!("by {operator}: {reason}"),
            }),
            _ => None,
        })
        .collect()
}
