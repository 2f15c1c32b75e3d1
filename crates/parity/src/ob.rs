//! `ob` (reference spec §5): order blocks. Two passes over the candles,
//! bullish then bearish, writing into shared per-row arrays, reproduced
//! because their interactions are part of the output: the bullish
//! mitigation index is `t-1` where the bearish one is `t`, the bullish
//! fallback swaps top and bottom, a mitigated block ("breaker") is erased
//! from history once price trades back through its far side, and the
//! breaker flag and mitigation index of a row survive into the other pass.
//!
//! The reference re-tests every active block on every candle (§12). Blocks
//! never interact within a pass, so here each state keeps its blocks in a
//! heap ordered by the threshold that fires first: a candle that does not
//! fire the top fires nothing. O(n + k log k) for k blocks.

use crate::first_cross::OrderedKey;
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;
use std::collections::BinaryHeap;

/// The per-row state both passes share (§5, "Cross-pass bugs"), kept in the
/// output columns themselves: a row whose `kind` is 0 prints as NaN.
struct Blocks {
    kind: Vec<f64>,
    top: Vec<f32>,
    bottom: Vec<f32>,
    volume: Vec<f32>,
    mitigated: Vec<f64>,
    percentage: Vec<f32>,
    breaker: Vec<bool>,
}

pub fn ob(input: &Ohlc, swings: &Swings, close_mitigation: bool) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let n = input.len();
    let mut b = Blocks {
        kind: vec![0.0; n],
        top: vec![0.0; n],
        bottom: vec![0.0; n],
        volume: vec![0.0; n],
        mitigated: vec![0.0; n],
        percentage: vec![0.0; n],
        breaker: vec![false; n],
    };
    let [highs, lows] = swings.rows_by_kind();
    pass(input, &mut b, &highs, Side { dir: 1 }, close_mitigation);
    pass(input, &mut b, &lows, Side { dir: -1 }, close_mitigation);
    b.into_frame()
}

/// A pass's direction. `sign` orients every test as "x < key" so that both
/// passes share one max-heap logic.
#[derive(Clone, Copy)]
struct Side {
    dir: i8,
}

impl Side {
    fn bull(self) -> bool {
        self.dir == 1
    }

    fn sign(self) -> f64 {
        f64::from(self.dir)
    }
}

/// One pass over all candles (§5, bullish or bearish).
fn pass(input: &Ohlc, b: &mut Blocks, swing_rows: &[usize], side: Side, close_mitigation: bool) {
    let (h, l, n) = (&input.high, &input.low, input.len());
    let mut active = Active::default();
    let mut next = 0; // swing_rows[..next] are < t
    let mut crossed = false; // whether swing_rows[next - 1] was crossed
    let mut t = 0;
    loop {
        // Skip candles that can change nothing: no active block fires, the
        // current swing does not break, and no new swing comes into view.
        let visible = swing_rows.get(next).map_or(n, |&r| r.saturating_add(1));
        let current = next.checked_sub(1).and_then(|k| swing_rows.get(k));
        let level = match current {
            Some(&s) if !crossed => Some(if side.bull() { h[s] } else { l[s] }),
            _ => None,
        };
        let keys = Keys {
            delete: active
                .breakers
                .peek()
                .map_or(f64::NEG_INFINITY, |e| e.0.value()),
            mitigate: active
                .armed
                .peek()
                .map_or(f64::NEG_INFINITY, |e| e.0.value()),
            // Breaks on `-sign * close < -sign * level`.
            breaks: level.map_or(f64::NEG_INFINITY, |x| -side.sign() * x),
        };
        t = next_event(input, t, visible.min(n), &keys, side, close_mitigation);
        if t >= n {
            break;
        }
        active.update(input, b, t, side, close_mitigation);
        while next < swing_rows.len() && swing_rows[next] < t {
            next += 1;
            crossed = false;
        }
        // §5.2–5.3: only the most recent swing strictly before t is checked,
        // and each swing breaks once; an older swing is never seen again, so
        // one flag for the current swing is the reference's `crossed` array.
        if let Some(&s) = next.checked_sub(1).and_then(|k| swing_rows.get(k)) {
            let close = input.close[t];
            let breaks = if side.bull() {
                close > h[s]
            } else {
                close < l[s]
            };
            if !crossed && breaks {
                crossed = true;
                let (row, top, bottom) = block_candle(h, l, s, t, side);
                write_block(input, b, row, t, side, top, bottom);
                active.add(b, row, side);
            }
        }
        t += 1;
    }
}

/// The oriented thresholds of the three things a candle can fire (each
/// fires on `x < key`; -inf never fires).
struct Keys {
    delete: f64,
    mitigate: f64,
    breaks: f64,
}

/// The first candle in `t..limit` that fires one of `keys`, else `limit`.
fn next_event(
    input: &Ohlc,
    t: usize,
    limit: usize,
    keys: &Keys,
    side: Side,
    close_mitigation: bool,
) -> usize {
    match (side.bull(), close_mitigation) {
        (true, false) => scan::<true, false>(input, t, limit, keys),
        (true, true) => scan::<true, true>(input, t, limit, keys),
        (false, false) => scan::<false, false>(input, t, limit, keys),
        (false, true) => scan::<false, true>(input, t, limit, keys),
    }
}

/// [`next_event`] compiled per side and mitigation rule: a tight loop of
/// three branch-free tests per candle.
fn scan<const BULL: bool, const CLOSE: bool>(
    input: &Ohlc,
    t: usize,
    limit: usize,
    keys: &Keys,
) -> usize {
    let sign = if BULL { 1.0 } else { -1.0 };
    let end = limit.min(input.len());
    let rows = t..end.max(t);
    let (o, h, l, c) = (
        &input.open[rows.clone()],
        &input.high[rows.clone()],
        &input.low[rows.clone()],
        &input.close[rows],
    );
    // Non-short-circuit `|`: three tests, one branch.
    let fires = |k: usize| {
        let through = if BULL { h[k] } else { l[k] };
        let probe = match (BULL, CLOSE) {
            (true, false) => l[k],
            (true, true) => py_min(o[k], c[k]),
            (false, false) => h[k],
            (false, true) => py_max(o[k], c[k]),
        };
        (-sign * through < keys.delete)
            | (sign * probe < keys.mitigate)
            | (-sign * c[k] < keys.breaks)
    };
    t + (0..c.len()).find(|&k| fires(k)).unwrap_or(c.len())
}

/// The active blocks of a pass: not-yet-mitigated ones keyed by their
/// mitigation edge, breakers by their deletion edge. A block's row is unique
/// within a pass (each breakout's row lies in `[s, t)` and the next swing
/// that can break is at or after `t`), so the reference's list never holds
/// a row twice and the order of updates within a candle does not matter.
#[derive(Default)]
struct Active {
    armed: BinaryHeap<(OrderedKey, usize)>,
    breakers: BinaryHeap<(OrderedKey, usize)>,
}

impl Active {
    /// Files a new block by its state: a row whose breaker flag survived
    /// from the other pass starts as a breaker (§5, cross-pass bugs).
    fn add(&mut self, b: &Blocks, row: usize, side: Side) {
        let (top, bottom) = (f64::from(b.top[row]), f64::from(b.bottom[row]));
        if b.breaker[row] {
            // Deletion: bullish `H > top`, bearish `L < bottom`.
            let edge = if side.bull() { top } else { bottom };
            push(&mut self.breakers, -side.sign() * edge, row);
        } else {
            // Mitigation: bullish `probe < bottom`, bearish `probe > top`.
            let edge = if side.bull() { bottom } else { top };
            push(&mut self.armed, side.sign() * edge, row);
        }
    }

    /// §5.1 on candle t: breakers traded through are erased, then blocks
    /// touched become breakers (a block changes state once per candle).
    fn update(
        &mut self,
        input: &Ohlc,
        b: &mut Blocks,
        t: usize,
        side: Side,
        close_mitigation: bool,
    ) {
        let through = if side.bull() {
            input.high[t]
        } else {
            input.low[t]
        };
        while let Some(row) = pop_fired(&mut self.breakers, -side.sign() * through) {
            erase(b, row);
        }
        let (o, c) = (input.open[t], input.close[t]);
        let probe = match (side.bull(), close_mitigation) {
            (true, false) => input.low[t],
            (true, true) => py_min(o, c),
            (false, false) => input.high[t],
            (false, true) => py_max(o, c),
        };
        while let Some(row) = pop_fired(&mut self.armed, side.sign() * probe) {
            b.breaker[row] = true;
            // The bullish index is one row early (a bug kept for parity).
            b.mitigated[row] = if side.bull() {
                t as f64 - 1.0
            } else {
                t as f64
            };
            self.add(b, row, side);
        }
    }
}

/// Queues `row` under `key`; a NaN edge never fires, as in the reference.
fn push(heap: &mut BinaryHeap<(OrderedKey, usize)>, key: f64, row: usize) {
    if !key.is_nan() {
        heap.push((OrderedKey::of(key), row));
    }
}

/// Pops the top row if `x < key` (false for a NaN `x`).
fn pop_fired(heap: &mut BinaryHeap<(OrderedKey, usize)>, x: f64) -> Option<usize> {
    let &(key, row) = heap.peek()?;
    if x < key.value() {
        heap.pop();
        Some(row)
    } else {
        None
    }
}

/// An erased block's fields are zeroed (it prints as NaN); its breaker flag
/// stays set, which the other pass inherits.
fn erase(b: &mut Blocks, row: usize) {
    b.kind[row] = 0.0;
    (b.top[row], b.bottom[row], b.volume[row], b.percentage[row]) = (0.0, 0.0, 0.0, 0.0);
    b.mitigated[row] = 0.0;
}

/// Python's `min(a, b)` / `max(a, b)`: `a` unless `b` beats it, so a NaN
/// `a` wins and a NaN `b` loses.
fn py_min<T: PartialOrd>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

fn py_max<T: PartialOrd>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// §5.4: the block's candle and its zone. Between the swing and the break,
/// the lowest low (bullish) or highest high (bearish), latest on ties; with
/// no candle between them, the candle before the break, with top and bottom
/// swapped on the bullish side (a bug kept for parity). A NaN between them
/// also selects the fallback, as the reference's `min()` returns NaN there.
fn block_candle(h: &[f64], l: &[f64], s: usize, t: usize, side: Side) -> (usize, f64, f64) {
    let fallback = t - 1;
    let prices = if side.bull() {
        &l[s + 1..t]
    } else {
        &h[s + 1..t]
    };
    if prices.is_empty() || prices.iter().any(|p| p.is_nan()) {
        return if side.bull() {
            (fallback, l[fallback], h[fallback])
        } else {
            (fallback, h[fallback], l[fallback])
        };
    }
    let mut best = 0;
    for (k, &p) in prices.iter().enumerate() {
        let better = if side.bull() {
            p <= prices[best]
        } else {
            p >= prices[best]
        };
        if better {
            best = k;
        }
    }
    let row = s + 1 + best;
    (row, h[row], l[row])
}

/// §5.5–5.6: writes the block on `row`, overwriting what the row held but
/// not its breaker flag or mitigation index. The volume split and the
/// percentage are float32 arithmetic, as in the reference's float32 arrays.
fn write_block(
    input: &Ohlc,
    b: &mut Blocks,
    row: usize,
    t: usize,
    side: Side,
    top: f64,
    bottom: f64,
) {
    let v = |k: usize| t.checked_sub(k).map_or(0.0, |i| input.volume[i]);
    let recent = (v(0) + v(1)) as f32;
    let older = v(2) as f32;
    let (high_volume, low_volume) = if side.bull() {
        (recent, older)
    } else {
        (older, recent)
    };
    let max = py_max(high_volume, low_volume);
    b.kind[row] = f64::from(side.dir);
    b.top[row] = top as f32;
    b.bottom[row] = bottom as f32;
    b.volume[row] = (v(0) + v(1) + v(2)) as f32;
    b.percentage[row] = if max != 0.0 {
        py_min(high_volume, low_volume) / max * 100.0
    } else {
        100.0
    };
}

impl Blocks {
    /// Only blocks alive at the end appear; every other row is NaN.
    fn into_frame(mut self) -> Frame {
        for (i, &kind) in self.kind.iter().enumerate() {
            if kind == 0.0 {
                self.top[i] = f32::NAN;
                self.bottom[i] = f32::NAN;
                self.volume[i] = f32::NAN;
                self.percentage[i] = f32::NAN;
                self.mitigated[i] = f64::NAN;
            }
        }
        for kind in &mut self.kind {
            if *kind == 0.0 {
                *kind = f64::NAN;
            }
        }
        Frame::default()
            .with("OB", Values::F64(self.kind))
            .with("Top", Values::F32(self.top))
            .with("Bottom", Values::F32(self.bottom))
            .with("OBVolume", Values::F32(self.volume))
            .with("MitigatedIndex", Values::F64(self.mitigated))
            .with("Percentage", Values::F32(self.percentage))
    }
}
