//! Wilder's average true range, updated one closed bar at a time: the causal
//! scale for "equal" levels and minimum gap sizes (the reference library
//! uses the whole series' range instead, which looks ahead).

use crate::bar::Bar;

#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    inv_period: f64,
    seen: usize,
    value: f64,
    prev_close: Option<f64>,
}

impl Atr {
    pub fn new(period: usize) -> Self {
        Atr {
            period: period.max(1),
            inv_period: 1.0 / period.max(1) as f64,
            seen: 0,
            value: 0.0,
            prev_close: None,
        }
    }

    /// Adds a closed bar; NaN prices are skipped.
    #[inline]
    pub fn update(&mut self, bar: &Bar) {
        let range = bar.high - bar.low;
        let tr = match self.prev_close {
            Some(pc) => range.max((bar.high - pc).abs()).max((bar.low - pc).abs()),
            None => range,
        };
        if !tr.is_finite() {
            return;
        }
        self.prev_close = Some(bar.close);
        self.seen += 1;
        // The first `period` bars average; then Wilder's smoothing (by a
        // multiplication: this runs on every bar of every timeframe).
        if self.seen >= self.period {
            self.value += (tr - self.value) * self.inv_period;
        } else {
            self.value += (tr - self.value) / self.seen as f64;
        }
    }

    /// The current ATR (0 before the first bar).
    pub fn value(&self) -> f64 {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(h: f64, l: f64, c: f64) -> Bar {
        Bar {
            open_time: 0,
            close_time: 60_000,
            open: c,
            high: h,
            low: l,
            close: c,
            volume: 0.0,
        }
    }

    #[test]
    fn averages_then_smooths() {
        let mut atr = Atr::new(2);
        atr.update(&bar(11.0, 9.0, 10.0)); // tr 2
        assert_eq!(atr.value(), 2.0);
        atr.update(&bar(14.0, 12.0, 13.0)); // tr max(2, 4, 2) = 4
        assert_eq!(atr.value(), 3.0);
        atr.update(&bar(13.0, 12.0, 12.5)); // tr 1 -> 3 + (1 - 3) / 2
        assert_eq!(atr.value(), 2.0);
    }
}
