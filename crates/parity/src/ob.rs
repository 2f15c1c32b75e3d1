//! `ob` (reference spec §5): order blocks. Two passes over the candles,
//! bullish then bearish, writing into shared per-row arrays, reproduced
//! literally because their interactions are part of the output: the bullish
//! mitigation index is `t-1` where the bearish one is `t`, the bullish
//! fallback swaps top and bottom, a mitigated block ("breaker") is erased
//! from history once price trades back through its far side, and a row
//! written twice sits twice in the active list.

use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;
use std::cmp::Ordering;

/// The per-row state both passes share (§5, "Cross-pass bugs").
struct Blocks {
    kind: Vec<i8>,
    top: Vec<f32>,
    bottom: Vec<f32>,
    volume: Vec<f32>,
    percentage: Vec<f32>,
    mitigated: Vec<usize>,
    breaker: Vec<bool>,
    crossed: Vec<bool>,
}

pub fn ob(input: &Ohlc, swings: &Swings, close_mitigation: bool) -> Frame {
    let n = input.len();
    let mut b = Blocks {
        kind: vec![0; n],
        top: vec![0.0; n],
        bottom: vec![0.0; n],
        volume: vec![0.0; n],
        percentage: vec![0.0; n],
        mitigated: vec![0; n],
        breaker: vec![false; n],
        crossed: vec![false; n],
    };
    let highs: Vec<usize> = swings.points().filter(|p| p.1 == 1).map(|p| p.0).collect();
    let lows: Vec<usize> = swings.points().filter(|p| p.1 == -1).map(|p| p.0).collect();
    pass(input, &mut b, &highs, 1, close_mitigation);
    pass(input, &mut b, &lows, -1, close_mitigation);
    output(b)
}

/// One pass (`dir` 1 bullish, -1 bearish) over all candles.
fn pass(input: &Ohlc, b: &mut Blocks, swing_rows: &[usize], dir: i8, close_mitigation: bool) {
    let (h, l) = (&input.high, &input.low);
    let mut active: Vec<usize> = Vec::new();
    let mut bounds = Bounds::new(dir);
    let mut next_swing = 0; // swing_rows[..next_swing] are < t
    for (t, &close) in input.close.iter().enumerate() {
        if !bounds.quiet(input, t, close_mitigation) {
            update_active(input, b, &mut active, t, dir, close_mitigation);
            bounds = Bounds::of(b, &active, dir);
        }
        while next_swing < swing_rows.len() && swing_rows[next_swing] < t {
            next_swing += 1;
        }
        // §5.2: only the most recent swing strictly before t is checked.
        let Some(&s) = next_swing.checked_sub(1).and_then(|i| swing_rows.get(i)) else {
            continue;
        };
        let breaks = if dir == 1 { close > h[s] } else { close < l[s] };
        if !breaks || b.crossed[s] {
            continue;
        }
        b.crossed[s] = true;
        let (row, top, bottom) = block_candle(h, l, s, t, dir);
        write_block(input, b, row, t, dir, top, bottom);
        active.push(row);
        bounds.add(b, row);
    }
}

/// The thresholds nearest to firing among the active blocks. A candle that
/// crosses none of them changes nothing in the reference's loop, so the
/// loop over the (possibly long) active list runs only when one fires.
struct Bounds {
    dir: i8,
    /// Bullish: the highest bottom of a non-breaker; bearish: the lowest top.
    mitigation: f64,
    /// Bullish: the lowest top of a breaker; bearish: the highest bottom.
    deletion: f64,
}

impl Bounds {
    fn new(dir: i8) -> Self {
        let far = if dir == 1 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        Bounds {
            dir,
            mitigation: far,
            deletion: -far,
        }
    }

    fn of(b: &Blocks, active: &[usize], dir: i8) -> Self {
        let mut bounds = Bounds::new(dir);
        for &row in active {
            bounds.add(b, row);
        }
        bounds
    }

    fn add(&mut self, b: &Blocks, row: usize) {
        let (top, bottom) = (f64::from(b.top[row]), f64::from(b.bottom[row]));
        match (self.dir == 1, b.breaker[row]) {
            (true, false) => self.mitigation = self.mitigation.max(bottom),
            (true, true) => self.deletion = self.deletion.min(top),
            (false, false) => self.mitigation = self.mitigation.min(top),
            (false, true) => self.deletion = self.deletion.max(bottom),
        }
    }

    /// Whether candle `t` fires no threshold (NaN prices fire nothing).
    fn quiet(&self, input: &Ohlc, t: usize, close_mitigation: bool) -> bool {
        let (o, h, l, c) = (input.open[t], input.high[t], input.low[t], input.close[t]);
        if self.dir == 1 {
            let probe = if close_mitigation { o.min(c) } else { l };
            !fires(probe, self.mitigation, Ordering::Less)
                && !fires(h, self.deletion, Ordering::Greater)
        } else {
            let probe = if close_mitigation { o.max(c) } else { h };
            !fires(probe, self.mitigation, Ordering::Greater)
                && !fires(l, self.deletion, Ordering::Less)
        }
    }
}

/// Whether `price` is strictly beyond `threshold` in direction `side`
/// (false when either is NaN, as the reference's comparisons are).
fn fires(price: f64, threshold: f64, side: Ordering) -> bool {
    price.partial_cmp(&threshold) == Some(side)
}

/// §5.1: mitigation and deletion of the active blocks, in creation order.
/// Blocks on different rows never interact, so filtering in place is the
/// reference's copy-and-remove loop; for a row listed twice the second entry
/// sees what the first did in the same candle, as there.
fn update_active(
    input: &Ohlc,
    b: &mut Blocks,
    active: &mut Vec<usize>,
    t: usize,
    dir: i8,
    close_mitigation: bool,
) {
    let (o, h, l, c) = (input.open[t], input.high[t], input.low[t], input.close[t]);
    let probe = match (dir == 1, close_mitigation) {
        (true, false) => l,
        (true, true) => o.min(c),
        (false, false) => h,
        (false, true) => o.max(c),
    };
    active.retain(|&row| {
        if b.breaker[row] {
            let through = if dir == 1 {
                h > f64::from(b.top[row])
            } else {
                l < f64::from(b.bottom[row])
            };
            if through {
                // Erased: zeroed fields print as NaN (`kind` 0); the breaker flag stays.
                (
                    b.kind[row],
                    b.top[row],
                    b.bottom[row],
                    b.volume[row],
                    b.percentage[row],
                ) = (0, 0.0, 0.0, 0.0, 0.0);
                b.mitigated[row] = 0;
                return false;
            }
        } else {
            let touched = if dir == 1 {
                probe < f64::from(b.bottom[row])
            } else {
                probe > f64::from(b.top[row])
            };
            if touched {
                b.breaker[row] = true;
                // The bullish index is one row early (a bug kept for parity).
                b.mitigated[row] = if dir == 1 { t.saturating_sub(1) } else { t };
            }
        }
        true
    });
}

/// §5.4: the block's candle and its zone. Between the swing and the break,
/// the lowest low (bullish) or highest high (bearish), latest on ties; with
/// no candle between them, the candle before the break, with top and bottom
/// swapped on the bullish side (a bug kept for parity). A NaN between them
/// also selects the fallback, as the reference's `min()` returns NaN there.
fn block_candle(h: &[f64], l: &[f64], s: usize, t: usize, dir: i8) -> (usize, f64, f64) {
    let fallback = t - 1;
    let prices = if dir == 1 { &l[s + 1..t] } else { &h[s + 1..t] };
    if t - s < 2 || prices.iter().any(|p| p.is_nan()) {
        return if dir == 1 {
            (fallback, l[fallback], h[fallback])
        } else {
            (fallback, h[fallback], l[fallback])
        };
    }
    let mut best = s + 1;
    for j in s + 1..t {
        let better = if dir == 1 {
            l[j] <= l[best]
        } else {
            h[j] >= h[best]
        };
        if better {
            best = j;
        }
    }
    (best, h[best], l[best])
}

/// §5.5–5.6: writes the block on `row`, overwriting what the row held but
/// not its breaker flag or mitigation index.
fn write_block(input: &Ohlc, b: &mut Blocks, row: usize, t: usize, dir: i8, top: f64, bottom: f64) {
    let v = |k: usize| t.checked_sub(k).map_or(0.0, |i| input.volume[i]);
    let recent = (v(0) + v(1)) as f32;
    let older = v(2) as f32;
    let (high_volume, low_volume) = if dir == 1 {
        (recent, older)
    } else {
        (older, recent)
    };
    let max = high_volume.max(low_volume);
    b.kind[row] = dir;
    b.top[row] = top as f32;
    b.bottom[row] = bottom as f32;
    b.volume[row] = (v(0) + v(1) + v(2)) as f32;
    // float32 arithmetic, as the reference's float32 arrays compute it.
    b.percentage[row] = if max == 0.0 {
        100.0
    } else {
        high_volume.min(low_volume) / max * 100.0
    };
}

fn output(b: Blocks) -> Frame {
    let n = b.kind.len();
    let live = |i: usize| b.kind[i] != 0;
    let f32_col = |v: &[f32]| {
        (0..n)
            .map(|i| if live(i) { v[i] } else { f32::NAN })
            .collect::<Vec<_>>()
    };
    Frame::default()
        .with(
            "OB",
            Values::F64(
                (0..n)
                    .map(|i| {
                        if live(i) {
                            f64::from(b.kind[i])
                        } else {
                            f64::NAN
                        }
                    })
                    .collect(),
            ),
        )
        .with("Top", Values::F32(f32_col(&b.top)))
        .with("Bottom", Values::F32(f32_col(&b.bottom)))
        .with("OBVolume", Values::F32(f32_col(&b.volume)))
        .with(
            "MitigatedIndex",
            Values::F64(
                (0..n)
                    .map(|i| {
                        if live(i) {
                            b.mitigated[i] as f64
                        } else {
                            f64::NAN
                        }
                    })
                    .collect(),
            ),
        )
        .with("Percentage", Values::F32(f32_col(&b.percentage)))
}
