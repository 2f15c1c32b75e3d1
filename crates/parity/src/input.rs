//! The candle columns of a parity run, as float64 like pandas holds them.

/// Candles as columns. `time` is the candle's open time in epoch
/// milliseconds of the data's own wall clock (the reference reads naive
/// timestamps at face value).
#[derive(Debug, Clone, Default)]
pub struct Ohlc {
    pub time: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
}

impl Ohlc {
    /// Number of candles.
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// Whether there are no candles.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// `n` candles made of repeated copies of these, copy `k` shifted by
    /// `k × shift_ms` (benchmarks tile the fixture this way, as the
    /// reference's own benchmark does with 52-week shifts).
    pub fn tiled(&self, n: usize, shift_ms: i64) -> Ohlc {
        let mut out = Ohlc::default();
        if self.is_empty() {
            return out;
        }
        for i in 0..n {
            let (copy, j) = ((i / self.len()) as i64, i % self.len());
            out.time.push(self.time[j] + copy * shift_ms);
            out.open.push(self.open[j]);
            out.high.push(self.high[j]);
            out.low.push(self.low[j]);
            out.close.push(self.close[j]);
            out.volume.push(self.volume[j]);
        }
        out
    }

    /// Builds the columns from exact candles. Each price becomes the float64
    /// nearest to its decimal value, as Python's `float()` parses it.
    pub fn from_candles(candles: &[smc_model::Candle]) -> Self {
        let mut o = Ohlc::default();
        for c in candles {
            o.time.push(c.open_time.ms());
            o.open.push(smc_model::num::to_f64(c.open));
            o.high.push(smc_model::num::to_f64(c.high));
            o.low.push(smc_model::num::to_f64(c.low));
            o.close.push(smc_model::num::to_f64(c.close));
            o.volume.push(smc_model::num::to_f64(c.volume));
        }
        o
    }
}
