//! What a finished backtest reports: the JSON results (final equity,
//! metrics, monthly returns, setups, trades, orders, risk decisions, venue
//! rejections, circuit-breaker transitions, why candles placed no order)
//! and the self-contained HTML
//! report (the run's facts, equity and drawdown, the chart of the entry and
//! bias timeframes with the causal SMC detections and every fill, the
//! tables).

use crate::backtest::Backtest;
use crate::error::{SessionError, SessionResult};
use crate::strategies::StrategyName;
use serde_json::json;
use smc_analysis::DetectorConfig;
use smc_model::{Candle, EngineEvent, RiskVerdict, RoundTrip, Timeframe, Timestamp, TradeSide};
use smc_report::{BacktestPage, RiskNote, TimeMarker};
use std::path::Path;

impl Backtest {
    /// The results as JSON (the `--json` file).
    pub fn results_json(&self) -> serde_json::Value {
        let report = &self.report;
        let events = &self.events;
        let trades: Vec<_> = report
            .trades
            .iter()
            .chain(&report.open_trades)
            .map(trade_json)
            .collect();
        let mut results = json!({
            "final_equity": report.final_equity.to_string(),
            "metrics": self.analysis.metrics,
            "monthly_returns": self.analysis.monthly_returns,
            "setups": self.analysis.setups,
            "starting_cash": self.cash.to_string(),
            "risk_decisions": risk_decisions(events),
            "rejected_orders": rejections(events),
            "breaker_events": breaker_events(events),
            "orders": orders(events),
            "bars": report.bars,
            "fees": report.fees_paid.to_string(),
            "spread_paid": report.spread_paid.to_string(),
            "funding_paid": report.funding_paid.to_string(),
            "long_trades": count_side(report, smc_model::TradeSide::Long),
            "short_trades": count_side(report, smc_model::TradeSide::Short),
            "models": report.models,
            "trades": trades,
            // Entry candles that placed no order, by reason (see
            // smc_model::NoTradeReason); they add up to the entry candles
            // minus those that placed one.
            "no_trade_reasons": self.no_trade.totals(),
        });
        if let Some(s) = &self.significance {
            results["significance"] = json!(s);
        }
        results
    }

    /// Every risk decision other than a plain approval.
    pub fn risk_decisions(&self) -> Vec<RiskNote> {
        risk_decisions(&self.events)
    }

    /// Writes the HTML report to `path`; `settings` gives the detectors
    /// and, with `timeframes`, the timeframes the chart shows.
    pub fn write_report(
        &self,
        path: &Path,
        settings: Option<&smc_config::Config>,
        timeframes: &[String],
    ) -> SessionResult<()> {
        let facts = run_facts(self, settings, timeframes)?;
        write(path, &facts, self)
    }
}

/// What the report shows of the run besides the engine's report.
struct RunFacts<'a> {
    title: String,
    facts: Vec<(String, String)>,
    candles: &'a [Candle],
    timeframe: Timeframe,
    /// Higher timeframes to show beside the run's own (the smc bias).
    extra_timeframes: Vec<Timeframe>,
    detectors: DetectorConfig,
}

fn trade_json(t: &RoundTrip) -> serde_json::Value {
    json!({
        "entry_time": t.entry_time,
        "exit_time": t.exit_time,
        "entry_price": t.entry_price.to_string(),
        "exit_price": t.exit_price.map(|p| p.to_string()),
        "size": t.size.to_string(),
        "side": if t.side == TradeSide::Long { "long" } else { "short" },
        "pnl": t.pnl.to_string(),
        "fees": t.fees.to_string(),
        "setup": t.setup.as_ref().map(|s| s.pattern.to_string()),
    })
}

/// Every order sent to the venue, as it was sent (bracket legs included).
fn orders(events: &[EngineEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderSubmitted { time, order, .. } => {
                let mut v = serde_json::to_value(order).ok()?;
                v["time"] = json!(time);
                Some(v)
            }
            _ => None,
        })
        .collect()
}

/// Every circuit-breaker transition (trip, reset, cooling down, armed).
fn breaker_events(events: &[EngineEvent]) -> Vec<&EngineEvent> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                EngineEvent::BreakerTripped { .. }
                    | EngineEvent::BreakerReset { .. }
                    | EngineEvent::BreakerCoolingDown { .. }
                    | EngineEvent::BreakerArmed { .. }
            )
        })
        .collect()
}

/// Orders the venue refused, with the reason.
fn rejections(events: &[EngineEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::OrderRejected {
                time,
                client_id,
                reason,
            } => Some(json!({"time": time, "client_id": client_id.as_str(), "reason": reason})),
            _ => None,
        })
        .collect()
}

/// The report's header facts: what ran, on what, under which models.
fn run_facts<'a>(
    run: &'a Backtest,
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
) -> SessionResult<RunFacts<'a>> {
    let strategy = run.strategy.to_string();
    let parse = |tf: &String| {
        tf.parse::<Timeframe>()
            .map_err(|e| SessionError::Setting(format!("timeframe `{tf}`: {e}")))
    };
    let mut extra = Vec::new();
    if run.strategy == StrategyName::Smc {
        let timeframes = match (timeframes.is_empty(), settings) {
            (true, Some(c)) => c.backtest.timeframes.clone(),
            _ => timeframes.to_vec(),
        };
        // The chart shows the confirming timeframes and the bias.
        match timeframes.as_slice() {
            [only] => extra.push(parse(only)?),
            [_, rest @ ..] => {
                for tf in rest {
                    extra.push(parse(tf)?);
                }
            }
            [] => extra.push(settings.map_or_else(
                || smc_strategy::SmcConfig::default().bias_timeframe,
                |c| c.backtest.smc_strategy.bias_timeframe,
            )),
        }
    }
    let (candles, timeframe, report) = (run.candles(), run.timeframe, &run.report);
    let (first, last) = match (candles.first(), candles.last()) {
        (Some(a), Some(b)) => (a.open_time, b.open_time + timeframe.duration_ms()),
        _ => (Timestamp::EPOCH, Timestamp::EPOCH),
    };
    let m = &report.models;
    let input = &run.input.path;
    let name = input.file_name().map_or_else(
        || input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let facts = vec![
        ("Strategy".into(), strategy.clone()),
        (
            "Data".into(),
            format!("{} ({timeframe}, {} bars)", input.display(), candles.len()),
        ),
        (
            "Period (UTC)".into(),
            format!(
                "{} → {}",
                smc_model::time::format_utc(first.ms()),
                smc_model::time::format_utc(last.ms())
            ),
        ),
        ("Starting cash".into(), run.cash.to_string()),
        (
            "Final equity".into(),
            report.final_equity.round_dp(6).to_string(),
        ),
        ("Fees paid".into(), report.fees_paid.round_dp(6).to_string()),
        (
            "Spread paid".into(),
            report.spread_paid.round_dp(6).to_string(),
        ),
        (
            "Funding / financing paid".into(),
            report.funding_paid.round_dp(6).to_string(),
        ),
        (
            "Long / short trades".into(),
            format!(
                "{} / {}",
                count_side(report, smc_model::TradeSide::Long),
                count_side(report, smc_model::TradeSide::Short)
            ),
        ),
        ("Intrabar fill rule".into(), m.fill_rule.to_string()),
        ("Slippage".into(), m.slippage.to_string()),
        ("Latency".into(), m.latency.to_string()),
        ("Fees".into(), m.fees.to_string()),
        ("Account".into(), m.account.to_string()),
        (
            "Forex model".into(),
            m.forex.clone().unwrap_or_else(|| "none".into()),
        ),
        ("Risk gate".into(), m.risk_gate.to_string()),
        (
            "Orders submitted".into(),
            report.orders_submitted.to_string(),
        ),
    ];
    Ok(RunFacts {
        title: format!("Backtest · {strategy} · {name}"),
        facts,
        candles,
        timeframe,
        extra_timeframes: extra,
        detectors: settings.map(|c| c.smc.clone()).unwrap_or_default(),
    })
}

/// Writes the report of `run` to `path`.
fn write(path: &Path, facts: &RunFacts<'_>, run: &Backtest) -> SessionResult<()> {
    let mut timeframes = vec![facts.timeframe];
    for tf in &facts.extra_timeframes {
        if *tf > facts.timeframe && !timeframes.contains(tf) {
            timeframes.push(*tf);
        }
    }
    // The zones on the chart are those the causal detectors found, as the
    // smc strategy saw them.
    let detection = smc_analysis::detect(
        facts.candles,
        facts.timeframe,
        &timeframes,
        &facts.detectors,
    )
    .map_err(|e| SessionError::Data(format!("SMC detection for the report: {e}")))?;
    let equity: Vec<_> = run
        .report
        .equity_curve
        .iter()
        .map(|p| (p.time, p.equity))
        .collect();
    let decisions = risk_notes(&run.events);
    let markers = breaker_markers(&run.events);
    let closes: Vec<Timestamp> = (facts.candles.iter())
        .map(|c| c.open_time + facts.timeframe.duration_ms())
        .collect();
    let no_trade = smc_report::no_trade_months(&closes, &run.no_trade);
    let page = BacktestPage {
        title: &facts.title,
        facts: &facts.facts,
        analysis: &run.analysis,
        trades: &run.round_trips,
        equity: &equity,
        series: &detection.bars,
        events: &detection.events,
        decisions: &decisions,
        markers: &markers,
        no_trade: &no_trade,
        significance: run.significance.as_ref(),
    };
    let file = std::fs::File::create(path).map_err(|e| {
        SessionError::Data(format!("{}: cannot create the report: {e}", path.display()))
    })?;
    smc_report::write_backtest_report(file, &page).map_err(|e| {
        SessionError::Data(format!("{}: cannot write the report: {e}", path.display()))
    })
}

/// Every risk decision other than a plain approval, with its reason.
fn risk_decisions(events: &[EngineEvent]) -> Vec<RiskNote> {
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
                    time: (*time).ms(),
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
            time: (*time).ms(),
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
                time: (*time).ms(),
                label: format!("{breaker} tripped"),
                detail: reason.clone(),
            }),
            EngineEvent::BreakerReset {
                time,
                breaker,
                operator,
                reason,
            } => Some(TimeMarker {
                time: (*time).ms(),
                label: format!("{breaker} reset"),
                detail: format!("by {operator}: {reason}"),
            }),
            _ => None,
        })
        .collect()
}

/// Round trips (closed and open) on `side`.
fn count_side(report: &smc_engine::BacktestReport, side: smc_model::TradeSide) -> usize {
    report
        .trades
        .iter()
        .chain(&report.open_trades)
        .filter(|t| t.side == side)
        .count()
}
