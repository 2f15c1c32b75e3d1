//! Where a backtest's engine events go in the command line: the events the
//! results report (orders, risk decisions other than plain approvals, venue
//! rejections, circuit-breaker transitions) are kept, the rest (one equity
//! mark per bar, fills, …) only tick a progress bar. Keeping every event of
//! a million-bar run would cost hundreds of MB for nothing.

use indicatif::{ProgressBar, ProgressStyle};
use smc_model::{EngineEvent, EventSink, RiskVerdict};

/// Bars between progress bar updates: cheap enough to be invisible.
const TICK: u64 = 4_096;

/// Runs shorter than this show no progress bar.
const MIN_BARS_FOR_BAR: usize = 200_000;

pub struct RunSink {
    pub kept: Vec<EngineEvent>,
    marks: u64,
    bar: Option<ProgressBar>,
}

impl RunSink {
    /// A sink for a run of `bars` bars; long runs draw a progress bar on
    /// stderr (indicatif hides it when stderr is not a terminal).
    pub fn new(bars: usize) -> Self {
        let bar = (bars >= MIN_BARS_FOR_BAR).then(|| {
            let bar = ProgressBar::new(bars as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} backtest {bar:40} {human_pos}/{human_len} bars ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        RunSink {
            kept: Vec::new(),
            marks: 0,
            bar,
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl EventSink for RunSink {
    fn emit(&mut self, event: &EngineEvent) {
        match event {
            EngineEvent::EquityMark { .. } => {
                self.marks += 1;
                if self.marks.is_multiple_of(TICK)
                    && let Some(bar) = &self.bar
                {
                    bar.set_position(self.marks);
                }
            }
            EngineEvent::RiskDecision {
                verdict: RiskVerdict::Approved,
                ..
            } => {}
            EngineEvent::RiskDecision { .. }
            | EngineEvent::OrderSubmitted { .. }
            | EngineEvent::OrderRejected { .. }
            | EngineEvent::BreakerTripped { .. }
            | EngineEvent::BreakerReset { .. }
            | EngineEvent::BreakerCoolingDown { .. }
            | EngineEvent::BreakerArmed { .. } => {
                self.kept.push(event.clone());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::ClientOrderId;

    #[test]
    fn keeps_what_the_results_report_and_counts_the_bars() {
        let mut sink = RunSink::new(10);
        let id = ClientOrderId::new("smc-1");
        for k in 0..3 {
            sink.emit(&EngineEvent::EquityMark {
                time: k,
                cash: 1.into(),
                equity: 1.into(),
            });
        }
        sink.emit(&EngineEvent::RiskDecision {
            time: 1,
            client_id: id.clone(),
            verdict: RiskVerdict::Approved,
        });
        sink.emit(&EngineEvent::RiskDecision {
            time: 2,
            client_id: id.clone(),
            verdict: RiskVerdict::Refused {
                reason: "max_positions".into(),
            },
        });
        sink.emit(&EngineEvent::OrderRejected {
            time: 3,
            client_id: id,
            reason: "min notional".into(),
        });
        assert_eq!(sink.marks, 3);
        assert_eq!(sink.kept.len(), 2);
        assert!(sink.bar.is_none());
    }
}
