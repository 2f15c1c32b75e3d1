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

    /// Builds the columns from exact candles. Each price becomes the float64
    /// nearest to its decimal value, as Python's `float()` parses it.
    pub fn from_candles(candles: &[smc_model::Candle]) -> Self {
        let mut o = Ohlc::default();
        for c in candles {
            o.time.push(c.open_time);
            o.open.push(smc_model::num::to_f64(c.open));
            o.high.push(smc_model::num::to_f64(c.high));
            o.low.push(smc_model::num::to_f64(c.low));
            o.close.push(smc_model::num::to_f64(c.close));
            o.volume.push(smc_model::num::to_f64(c.volume));
        }
        o
    }
}
