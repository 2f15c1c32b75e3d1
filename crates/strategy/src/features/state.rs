//! What the features need that the analysers do not keep: per timeframe,
//! when the last break of structure, change of character and liquidity
//! sweep became known and which way each went; and the last closes and
//! volumes of the entry timeframe for returns, realised volatility and
//! relative volume. Fed the same events and candles as the strategy, so it
//! knows nothing the strategy did not.

use super::{VOLUME_WINDOW, WINDOWS};
use smc_analysis::{Bar, Kind, Lifecycle, SmcEvent};
use smc_model::Timeframe;
use std::collections::VecDeque;

/// The last time (`known_at`, epoch ms) and direction of one kind of event.
pub type Last = Option<(i64, i8)>;

/// The recent structure events of one timeframe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameMemory {
    pub bos: Last,
    pub choch: Last,
    pub sweep: Last,
}

/// The memory of one strategy's features.
#[derive(Debug, Clone)]
pub struct FeatureState {
    /// The strategy's frames by role: entry, confirming…, bias.
    frames: Vec<Timeframe>,
    memory: Vec<FrameMemory>,
    closes: VecDeque<f64>,
    volumes: VecDeque<f64>,
    /// Close time of the newest entry candle (the decision time).
    now: i64,
}

impl FeatureState {
    /// A memory for the frames `frames` (entry first, bias last).
    pub fn new(frames: Vec<Timeframe>) -> Self {
        let memory = vec![FrameMemory::default(); frames.len()];
        FeatureState {
            frames,
            memory,
            closes: VecDeque::new(),
            volumes: VecDeque::new(),
            now: i64::MIN,
        }
    }

    /// Takes in one closed entry candle and the events it produced.
    pub fn observe(&mut self, bar: &Bar, events: &[SmcEvent]) {
        self.now = bar.close_time;
        let keep = WINDOWS.iter().copied().max().unwrap_or(1) + 1;
        push_capped(&mut self.closes, bar.close, keep);
        push_capped(&mut self.volumes, bar.volume, VOLUME_WINDOW);
        for e in events {
            let slot = match (e.kind, e.event) {
                (Kind::Bos, Lifecycle::Formed) => 0,
                (Kind::Choch, Lifecycle::Formed) => 1,
                (Kind::Sweep, Lifecycle::Formed) => 2,
                _ => continue,
            };
            // A frame may serve several roles (a bias equal to the entry).
            for (tf, memory) in self.frames.iter().zip(&mut self.memory) {
                if *tf == e.timeframe {
                    let last = Some((e.known_at, e.direction));
                    match slot {
                        0 => memory.bos = last,
                        1 => memory.choch = last,
                        _ => memory.sweep = last,
                    }
                }
            }
        }
    }

    pub fn frames(&self) -> &[Timeframe] {
        &self.frames
    }

    pub fn memory(&self) -> &[FrameMemory] {
        &self.memory
    }

    /// Close time of the newest entry candle.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Closes of the entry timeframe, oldest first (at most 61).
    pub fn closes(&self) -> &VecDeque<f64> {
        &self.closes
    }

    /// Volumes of the entry timeframe, oldest first (at most 20).
    pub fn volumes(&self) -> &VecDeque<f64> {
        &self.volumes
    }
}

fn push_capped(buffer: &mut VecDeque<f64>, value: f64, cap: usize) {
    if buffer.len() == cap {
        buffer.pop_front();
    }
    buffer.push_back(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_break_per_frame_and_caps_the_history() {
        let mut s = FeatureState::new(vec![Timeframe::M1, Timeframe::H1]);
        let bar = |k: i64| Bar {
            open_time: k * 60_000,
            close_time: (k + 1) * 60_000,
            open: 1.0,
            high: 1.0,
            low: 1.0,
            close: k as f64,
            volume: 1.0,
        };
        let bos = SmcEvent::new(
            Timeframe::H1,
            Kind::Bos,
            Lifecycle::Formed,
            -1,
            0,
            3_600_000,
        );
        s.observe(&bar(0), &[bos]);
        assert_eq!(s.memory()[1].bos, Some((3_600_000, -1)));
        assert_eq!(s.memory()[0].bos, None, "another frame's break");
        for k in 1..100 {
            s.observe(&bar(k), &[]);
        }
        assert_eq!(s.closes().len(), 61);
        assert_eq!(s.closes().back(), Some(&99.0));
        assert_eq!(s.volumes().len(), 20);
        assert_eq!(s.now(), 100 * 60_000);
    }
}
